/*
 * pocctl's communication-check commands: check (start a campaign) and
 * checks (the report: per member reached, replied, late or silent, with
 * times).  check-reply, which sends a message, is with the other replies
 * in cmd_send.c.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_checks.h"
#include "cli/i18n.h"
#include "validate.h"

#define CHECKS_MAX_MEMBERS	64
#define CHECKS_WITHIN_MAX	(31 * 86400)	/* seconds */
#define CHECKS_LIMIT_MAX	10000
#define CMD_CHECKS_OVERDUE_HINT	10	/* overdue lines under the inbox */

/* Parses "90", "90s", "15m", "2h" or "1d" into seconds; -1 if bad. */
static long long
cmd_checks_duration(const char *s)
{
	char		*end;
	long long	 n, mul = 1;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || n < 1)
		return -1;
	if (*end != '\0') {
		switch (*end) {
		case 's':
			mul = 1;
			break;
		case 'm':
			mul = 60;
			break;
		case 'h':
			mul = 3600;
			break;
		case 'd':
			mul = 86400;
			break;
		default:
			return -1;
		}
		if (end[1] != '\0')
			return -1;
	}
	if (n > CHECKS_WITHIN_MAX / mul)
		return -1;
	return n * mul;
}

/* Counts the targets of c whose node has answered: the check delivered or
 * refused by the node.  Queued ones are still on their way. */
static size_t
cmd_check_reached(const Poc__CheckCampaign *c)
{
	size_t	 i, n = 0;

	for (i = 0; i < c->n_targets; i++)
		if (strcmp(c->targets[i]->delivery, "queued") != 0)
			n++;
	return n;
}

/*
 * --wait: polls the campaign until every target node has been reached (or
 * refused the check), or the reply-by time has passed, showing progress on
 * a TTY; returns the last report (to free) for printing.
 */
static Poc__OpReply *
cmd_check_wait(struct client *cl, Poc__OpReply *r)
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__CheckQuery		 q = POC__CHECK_QUERY__INIT;
	const Poc__CheckCampaign	*c;
	char			 id[64];
	struct timespec		 pause = { 0, 250 * 1000 * 1000 };

	if (r->check_campaigns->n_campaigns != 1)
		return r;
	snprintf(id, sizeof(id), "%s", r->check_campaigns->campaigns[0]->id);
	q.campaign_id = id;
	req.kind_case = POC__OP_REQUEST__KIND_CHECK_QUERY;
	req.check_query = &q;
	for (;;) {
		c = r->check_campaigns->campaigns[0];
		output_progress(_("nodes reached"), cmd_check_reached(c),
		    c->n_targets);
		if (cmd_check_reached(c) == c->n_targets || c->now >= c->reply_by)
			break;
		nanosleep(&pause, NULL);
		client_reply_free(r);
		r = client_call(cl, &req);
		client_expect(r, POC__OP_REPLY__KIND_CHECK_CAMPAIGNS, id);
		if (r->check_campaigns->n_campaigns != 1)
			break;
	}
	output_progress_done();
	return r;
}

/* pocctl check MEMBER...|--all [--reply-by DURATION] [--exercise] [--wait] */
int
cmd_check(struct ctx *ctx, int argc, char **argv)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__CheckStart	 cs = POC__CHECK_START__INIT;
	const char	*pos[CHECKS_MAX_MEMBERS], *within = NULL;
	struct cmd_opt	 opts[] = { { "reply-by", &within }, { NULL, NULL } };
	int		 all = 0, exercise = 0, wait = 0, i, npos;
	struct cmd_flag	 flags[] = { { "all", &all }, { "exercise", &exercise },
			    { "wait", &wait }, { NULL, NULL } };
	long long	 sec = 0;
	struct client	*cl;
	Poc__OpReply	*r;

	memset(pos, 0, sizeof(pos));
	cmd_args_flags(ctx, argc, argv, opts, flags, pos, 0,
	    CHECKS_MAX_MEMBERS);
	for (npos = 0; npos < CHECKS_MAX_MEMBERS && pos[npos] != NULL; npos++)
		;
	if (all && npos > 0)
		cmd_usage(ctx, "give members or --all, not both");
	if (!all && npos == 0)
		cmd_usage(ctx, "give at least one member code, or --all");
	if (within != NULL && (sec = cmd_checks_duration(within)) == -1)
		cmd_usage(ctx, "--reply-by wants a duration such as 3600, 90s, "
		    "15m, 2h or 1d (at most 31d), not \"%s\"", within);
	for (i = 0; i < npos; i++)
		if (!validate_member_code(pos[i]))
			cmd_usage(ctx, "\"%s\" is not a member code", pos[i]);
	cs.all = all;
	cs.exercise = exercise;
	cs.n_members = (size_t)npos;
	cs.members = (char **)pos;
	cs.reply_within = sec;
	req.kind_case = POC__OP_REQUEST__KIND_CHECK_START;
	req.check_start = &cs;
	cl = cmd_open(ctx);
	r = client_call(cl, &req);
	client_expect(r, POC__OP_REPLY__KIND_CHECK_CAMPAIGNS, NULL);
	if (wait)
		r = cmd_check_wait(cl, r);
	ctx->out->campaigns(r->check_campaigns, 0);
	client_reply_free(r);
	client_close(cl);
	return 0;
}

/* pocctl checks [CAMPAIGN] [--list] [--limit N] */
int
cmd_checks(struct ctx *ctx, int argc, char **argv)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__CheckQuery	 q = POC__CHECK_QUERY__INIT;
	const char	*id = NULL, *limit = NULL;
	struct cmd_opt	 opts[] = { { "limit", &limit }, { NULL, NULL } };
	int		 list = 0;
	struct cmd_flag	 flags[] = { { "list", &list }, { NULL, NULL } };
	Poc__OpReply	*r;

	cmd_args_flags(ctx, argc, argv, opts, flags, &id, 0, 1);
	if (id != NULL && list)
		cmd_usage(ctx, "give a campaign or --list, not both");
	if (id != NULL && (strlen(id) < VALIDATE_ID_PREFIX_MIN ||
	    strlen(id) > 36))
		cmd_usage(ctx, "CAMPAIGN \"%s\": give the campaign id or at "
		    "least its first %d characters", id, VALIDATE_ID_PREFIX_MIN);
	if (limit != NULL)
		q.limit = cmd_limit(ctx, limit, CHECKS_LIMIT_MAX);
	q.campaign_id = (char *)(id != NULL ? id : "");
	q.list = list;
	req.kind_case = POC__OP_REQUEST__KIND_CHECK_QUERY;
	req.check_query = &q;
	r = cmd_call(ctx, &req);
	client_expect(r, POC__OP_REPLY__KIND_CHECK_CAMPAIGNS, id);
	ctx->out->campaigns(r->check_campaigns, q.list);
	client_reply_free(r);
	return 0;
}

void
cmd_checks_overdue_hint(struct ctx *ctx)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpList	 list = POC__OP_LIST__INIT;
	Poc__OpReply	*r;
	int		 more;

	/* Only the overdue ones: the node finds them by index.  The
	 * latest few, and whether there are more: a node that has been
	 * silent for a while may have hundreds, each a whole message
	 * (deadline, PoCs to try, signature) to the node, and a screen of
	 * lines above the duty officer's inbox. */
	list.box = POC__OP_LIST__BOX__OUTBOX;
	list.limit = CMD_CHECKS_OVERDUE_HINT + 1;
	list.overdue = 1;
	req.kind_case = POC__OP_REQUEST__KIND_LIST;
	req.list = &list;
	r = cmd_call(ctx, &req);
	client_expect(r, POC__OP_REPLY__KIND_MESSAGES, NULL);
	more = r->messages->n_messages > CMD_CHECKS_OVERDUE_HINT;
	if (more)
		r->messages->n_messages = CMD_CHECKS_OVERDUE_HINT;
	ctx->out->overdue(r->messages, more);
	if (more)
		r->messages->n_messages = CMD_CHECKS_OVERDUE_HINT + 1;
	client_reply_free(r);
}
