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

#define CMD_LIMIT_MAX	100000

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

/* inbox and outbox: one OpList of the given box. */
static int
cmd_list(struct ctx *ctx, int argc, char **argv, Poc__OpList__Box box)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpList	 list = POC__OP_LIST__INIT;
	const char	*limit = NULL;
	struct cmd_opt	 opts[] = { { "limit", &limit }, { NULL, NULL } };
	Poc__OpReply	*r;

	cmd_args(ctx, argc, argv, opts, NULL, 0, 0);
	if (limit != NULL)
		list.limit = cmd_limit(ctx, limit, CMD_LIMIT_MAX);
	list.box = box;
	req.kind_case = POC__OP_REQUEST__KIND_LIST;
	req.list = &list;
	r = cmd_call(ctx, &req);
	client_expect(r, POC__OP_REPLY__KIND_MESSAGES, NULL);
	ctx->out->list(r->messages, box);
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
