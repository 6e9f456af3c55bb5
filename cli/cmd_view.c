/*
 * pocctl's read-only commands: status, inbox, outbox, show, thread.  Each
 * builds one OpRequest, makes one round trip and hands the reply to the
 * output layer.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_checks.h"
#include "cli/cmd_view.h"
#include "cli/dirfmt.h"
#include "cli/render.h"
#include "util.h"
#include "validate.h"

#define CMD_LIMIT_MAX	10000
#define CMD_LIST_DEFAULT 100

/* pocctl status: the node and its peers. */
int
cmd_status(struct ctx *ctx, int argc, char **argv)
{
	struct client	*cl;
	Poc__OpReply	*r;

	cmd_args(ctx, argc, argv, NULL, NULL, 0, 0);
	cl = cmd_open(ctx);
	r = client_status(cl);
	ctx->out->status(r->status);
	client_reply_free(r);
	client_close(cl);
	return 0;
}

/* A seq for --before/--after: a message's cursor, 1 or more. */
static int64_t
cmd_list_seq(const struct ctx *ctx, const char *opt, const char *s)
{
	long long	 v;
	char		*end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1)
		cmd_usage(ctx, "--%s wants a cursor (the \"cursor\" of a "
		    "message in --json, a whole number), not \"%s\"", opt, s);
	return v;
}

/* The page options of a listing: --limit (default CMD_LIST_DEFAULT),
 * --before and --after. */
static void
cmd_list_page(const struct ctx *ctx, const char *limit, const char *before,
    const char *after, uint32_t *l, int64_t *b, int64_t *a)
{
	*l = limit != NULL ? cmd_limit(ctx, limit, CMD_LIMIT_MAX) :
	    CMD_LIST_DEFAULT;
	if (before != NULL)
		*b = cmd_list_seq(ctx, "before", before);
	if (after != NULL)
		*a = cmd_list_seq(ctx, "after", after);
}

/*
 * --since's time.  The one place pocctl's listings read a time, so that
 * a richer parser (RFC 3339, relative times) serves them all at once.
 */
static int64_t
cmd_list_since(const struct ctx *ctx, const char *s)
{
	int64_t	 t;

	if (dirfmt_time_parse(s, util_now_ms(), &t) == -1 || t <= 0)
		cmd_usage(ctx, "--since wants a time such as "
		    "2026-12-05T02:10Z, 2026-12-05 or Unix milliseconds, not "
		    "\"%s\"", s);
	return t;
}

/* --kind's name: the KIND column's word (request, ack, ...) or the
 * template's body name (assistance_request, ...). */
static uint32_t
cmd_list_kind(const struct ctx *ctx, const char *s)
{
	const ProtobufCMessageDescriptor	*d = &poc__envelope__descriptor;
	Poc__Envelope				 e = POC__ENVELOPE__INIT;
	unsigned				 i;

	for (i = 0; i < d->n_fields; i++) {
		if (d->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			e.body_case = (Poc__Envelope__BodyCase)d->fields[i].id;
			if (strcmp(s, d->fields[i].name) == 0 ||
			    strcmp(s, render_kind_short(&e)) == 0)
				return d->fields[i].id;
		}
	}
	cmd_usage(ctx, "--kind wants request, response, notification, ack, "
	    "update, check or check-reply, not \"%s\"", s);
}

/* inbox and outbox: one OpList of the given box, its filters and page. */
static int
cmd_list(struct ctx *ctx, int argc, char **argv, Poc__OpList__Box box)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpList	 list = POC__OP_LIST__INIT;
	const char	*limit = NULL, *before = NULL, *after = NULL;
	const char	*from = NULL, *since = NULL, *kind = NULL;
	int		 unacked = 0, overdue = 0, exercise = 0, real = 0;
	struct cmd_opt	 opts[] = { { "limit", &limit }, { "before", &before },
	    { "after", &after }, { "from", &from }, { "since", &since },
	    { "kind", &kind }, { NULL, NULL } };
	struct cmd_flag	 flags[] = { { "unacked", &unacked },
	    { "overdue", &overdue }, { "exercise", &exercise },
	    { "real", &real }, { NULL, NULL } };
	const Poc__OpMessages	*ms;
	Poc__OpReply	*r;

	cmd_args_flags(ctx, argc, argv, opts, flags, NULL, 0, 0);
	cmd_list_page(ctx, limit, before, after, &list.limit, &list.before,
	    &list.after);
	if (exercise && real)
		cmd_usage(ctx, "--exercise and --real exclude each other");
	if (from != NULL && !validate_member_code(from))
		cmd_usage(ctx, "--from wants a member code such as FRA, not "
		    "\"%s\"", from);
	list.party = (char *)(from != NULL ? from : "");
	if (since != NULL)
		list.since = cmd_list_since(ctx, since);
	if (kind != NULL)
		list.kind = cmd_list_kind(ctx, kind);
	list.unacked = unacked;
	list.overdue = overdue;
	list.exercise = exercise ? POC__OP_LIST__EXERCISE__EXERCISE_ONLY :
	    real ? POC__OP_LIST__EXERCISE__EXERCISE_NONE :
	    POC__OP_LIST__EXERCISE__EXERCISE_ANY;
	list.box = box;
	req.kind_case = POC__OP_REQUEST__KIND_LIST;
	req.list = &list;
	r = cmd_call(ctx, &req);
	client_expect(r, POC__OP_REPLY__KIND_MESSAGES, NULL);
	ms = r->messages;
	ctx->out->list(ms, box);
	/* A full page: there may be older ones, from below its last. */
	if (ms->n_messages == list.limit && ms->n_messages > 0)
		ctx->out->more(ctx->cmd->name,
		    ms->messages[ms->n_messages - 1]->seq);
	client_reply_free(r);
	return 0;
}

int
cmd_inbox(struct ctx *ctx, int argc, char **argv)
{
	int	 r;

	r = cmd_list(ctx, argc, argv, POC__OP_LIST__BOX__INBOX);
	/* The duty officer watches the inbox: name the overdue cases. */
	if (r == 0 && ctx->out->overdue != NULL)
		cmd_checks_overdue_hint(ctx);
	return r;
}

int
cmd_outbox(struct ctx *ctx, int argc, char **argv)
{
	return cmd_list(ctx, argc, argv, POC__OP_LIST__BOX__OUTBOX);
}

/* pocctl show ID: one message in full. */
int
cmd_show(struct ctx *ctx, int argc, char **argv)
{
	const char			*id;
	const Poc__StoredMessage	*sm;
	struct client			*cl;
	Poc__OpReply			*r;

	cmd_args(ctx, argc, argv, NULL, &id, 1, 1);
	cmd_id_prefix(ctx, id);
	r = cmd_fetch(ctx, id, &cl, &sm);
	ctx->out->message(sm);
	client_reply_free(r);
	client_close(cl);
	return 0;
}

/* A message and its place in the node's answer, for a stable sort. */
struct cmd_seq {
	Poc__StoredMessage	*m;
	size_t			 i;
};

/* Orders messages by creation time, ties kept in the node's order. */
static int
cmd_by_created(const void *a, const void *b)
{
	const struct cmd_seq	*x = a, *y = b;
	int64_t			 tx, ty;

	tx = x->m->envelope != NULL ? x->m->envelope->created_at : 0;
	ty = y->m->envelope != NULL ? y->m->envelope->created_at : 0;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* pocctl thread ID: every message of the case, oldest first. */
int
cmd_thread(struct ctx *ctx, int argc, char **argv)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpThread	 th = POC__OP_THREAD__INIT;
	const char	*id;
	Poc__OpReply	*r;
	struct cmd_seq	*seq;
	size_t		 n, i;

	cmd_args(ctx, argc, argv, NULL, &id, 1, 1);
	cmd_id_prefix(ctx, id);
	th.id = (char *)id;
	req.kind_case = POC__OP_REQUEST__KIND_THREAD;
	req.thread = &th;
	r = cmd_call(ctx, &req);
	client_expect(r, POC__OP_REPLY__KIND_MESSAGES, id);
	n = r->messages->n_messages;
	if (n == 0)
		errx(1, "no message matches \"%s\" (see 'pocctl inbox' and "
		    "'pocctl outbox')", id);
	/* Oldest first, whatever order the node answered in. */
	if ((seq = calloc(n, sizeof(*seq))) == NULL)
		err(1, "calloc");
	for (i = 0; i < n; i++) {
		seq[i].m = r->messages->messages[i];
		seq[i].i = i;
	}
	qsort(seq, n, sizeof(*seq), cmd_by_created);
	for (i = 0; i < n; i++)
		r->messages->messages[i] = seq[i].m;
	free(seq);
	ctx->out->thread(r->messages);
	client_reply_free(r);
	return 0;
}

/* pocctl cases: one line per case, the most recently active first. */
int
cmd_cases(struct ctx *ctx, int argc, char **argv)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpCases	 q = POC__OP_CASES__INIT;
	const char	*limit = NULL, *before = NULL, *after = NULL;
	const char	*with = NULL;
	int		 open = 0;
	struct cmd_opt	 opts[] = { { "limit", &limit }, { "before", &before },
	    { "after", &after }, { "with", &with }, { NULL, NULL } };
	struct cmd_flag	 flags[] = { { "open", &open }, { NULL, NULL } };
	const Poc__OpCaseList	*cl;
	Poc__OpReply	*r;

	cmd_args_flags(ctx, argc, argv, opts, flags, NULL, 0, 0);
	cmd_list_page(ctx, limit, before, after, &q.limit, &q.before,
	    &q.after);
	if (with != NULL && !validate_member_code(with))
		cmd_usage(ctx, "--with wants a member code such as FRA, not "
		    "\"%s\"", with);
	q.party = (char *)(with != NULL ? with : "");
	q.open = open;
	req.kind_case = POC__OP_REQUEST__KIND_CASES;
	req.cases = &q;
	r = cmd_call(ctx, &req);
	client_expect(r, POC__OP_REPLY__KIND_CASE_LIST, NULL);
	cl = r->case_list;
	ctx->out->cases(cl);
	if (cl->n_cases == q.limit && cl->n_cases > 0)
		ctx->out->more(ctx->cmd->name,
		    cl->cases[cl->n_cases - 1]->last_seq);
	client_reply_free(r);
	return 0;
}
