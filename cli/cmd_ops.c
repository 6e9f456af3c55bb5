/*
 * pocctl's operations commands: metrics (the node's status in OpenMetrics
 * text).  `status` itself is in cmd_view.c; both ask for the same
 * OpStatusReply.
 */
#include <stdlib.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_ops.h"

/* pocctl metrics: OpenMetrics text for the node_exporter textfile
 * collector.  When the node cannot be reached, exit still prints a valid
 * exposition saying pocd_up 0. */
int
cmd_metrics(struct ctx *ctx, int argc, char **argv)
{
	struct client	*cl;
	Poc__OpReply	*r;

	cmd_args(ctx, argc, argv, NULL, NULL, 0, 0);
	atexit(ctx->out->metrics_down);
	cl = cmd_open(ctx);
	r = client_status(cl);
	ctx->out->metrics(r->status);
	client_reply_free(r);
	client_close(cl);
	return 0;
}
