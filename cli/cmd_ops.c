/*
 * pocctl's operations commands: metrics (the node's status in OpenMetrics
 * text).  `status` itself is in cmd_view.c; both ask for the same
 * OpStatusReply.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/client.h"
#include "cli/cmd.h"

static int	 metrics_printed;

/* At exit without a result (the node is down, the config is wrong):
 * still a valid exposition saying pocd_up 0, so that a textfile collector
 * records the outage instead of the last good values. */
static void
cmd_metrics_down(void)
{
	if (metrics_printed)
		return;
	printf("# HELP pocd_up 1 if the node answered on its operator "
	    "listener.\n# TYPE pocd_up gauge\npocd_up 0\n# EOF\n");
	fflush(stdout);
}

/* pocctl metrics: OpenMetrics text for the node_exporter textfile
 * collector. */
int
cmd_metrics(struct ctx *ctx, int argc, char **argv)
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__OpStatusRequest	 st = POC__OP_STATUS_REQUEST__INIT;
	struct client		*cl;
	Poc__OpReply		*r;

	cmd_args(ctx, argc, argv, NULL, NULL, 0, 0);
	atexit(cmd_metrics_down);
	cl = client_open(client_config_path(ctx->config), ctx->timeout_ms);
	req.kind_case = POC__OP_REQUEST__KIND_STATUS;
	req.status = &st;
	r = client_call(cl, &req);
	client_expect(r, POC__OP_REPLY__KIND_STATUS, NULL);
	output_metrics(r->status);
	metrics_printed = 1;
	client_reply_free(r);
	client_close(cl);
	return 0;
}
