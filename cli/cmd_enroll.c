/*
 * pocctl directory pending | approve CODE | reject CODE: the registry
 * operator's side of joining (docs/directory.md "Joining").  The node
 * checks and decides; these only ask and print.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_enroll.h"
#include "validate.h"

/* One round trip expecting OpEnrollments; prints it. */
static int
cmd_enroll_call(struct ctx *ctx, Poc__OpRequest *req)
{
	Poc__OpReply	*r;

	r = cmd_call(ctx, req);
	if (r->kind_case == POC__OP_REPLY__KIND_ERROR &&
	    (r->error->code == POC__OP_ERROR__CODE__NOT_FOUND ||
	    r->error->code == POC__OP_ERROR__CODE__INVALID))
		errx(1, "%s", r->error->message);
	client_expect(r, POC__OP_REPLY__KIND_ENROLLMENTS, NULL);
	ctx->out->enrollments(r->enrollments);
	client_reply_free(r);
	return 0;
}

/* Removes the flag name from argv; 1 if it was there. */
static int
cmd_enroll_flag(int *argc, char **argv, const char *name)
{
	int	 i, j, found = 0;

	for (i = j = 1; i < *argc; i++)
		if (strcmp(argv[i], name) == 0)
			found = 1;
		else
			argv[j++] = argv[i];
	argv[j] = NULL;
	*argc = j;
	return found;
}

/* pocctl directory pending [--all] */
int
cmd_enroll_pending(struct ctx *ctx, int argc, char **argv)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpEnrollList l = POC__OP_ENROLL_LIST__INIT;

	l.all = cmd_enroll_flag(&argc, argv, "--all");
	cmd_args(ctx, argc, argv, NULL, NULL, 0, 0);
	req.kind_case = POC__OP_REQUEST__KIND_ENROLL_LIST;
	req.enroll_list = &l;
	return cmd_enroll_call(ctx, &req);
}

/* approve or reject: CODE [--fingerprint SHA256] [--reason TEXT] */
static int
cmd_enroll_decide(struct ctx *ctx, int argc, char **argv, int approve)
{
	const char	*pos[1], *reason = "", *fp = "";
	struct cmd_opt	 opts[] = { { "fingerprint", &fp }, { "reason",
			    &reason }, { NULL, NULL } };
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpEnrollDecide d = POC__OP_ENROLL_DECIDE__INIT;

	cmd_args(ctx, argc, argv, opts, pos, 1, 1);
	if (!validate_member_code(pos[0]))
		cmd_usage(ctx, "\"%s\" is not a member code", pos[0]);
	if (approve && reason[0] != '\0')
		cmd_usage(ctx, "--reason goes with reject");
	if (fp[0] != '\0' && strlen(fp) != 64)
		cmd_usage(ctx, "--fingerprint: 64 hex digits (SHA-256), as "
		    "'directory pending' shows it");
	if (strlen(reason) > 200)
		cmd_usage(ctx, "--reason: at most 200 bytes");
	d.member = (char *)pos[0];
	d.approve = approve;
	d.reason = (char *)reason;
	d.fingerprint = (char *)fp;
	req.kind_case = POC__OP_REQUEST__KIND_ENROLL_DECIDE;
	req.enroll_decide = &d;
	return cmd_enroll_call(ctx, &req);
}

int
cmd_enroll_approve(struct ctx *ctx, int argc, char **argv)
{
	return cmd_enroll_decide(ctx, argc, argv, 1);
}

int
cmd_enroll_reject(struct ctx *ctx, int argc, char **argv)
{
	return cmd_enroll_decide(ctx, argc, argv, 0);
}
