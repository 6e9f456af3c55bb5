/*
 * pocbench's pocd client (see poc.h): builds the messages a member node
 * and an operator send, and checks the answers.  Framing and I/O are
 * bconn's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "envsig.h"
#include "poc.h"
#include "proto/poc.pb-c.h"
#include "sig.h"
#include "util.h"

static EVP_PKEY	*poc_sigkey;

void
poc_init(void)
{
	char	 err[256];

	if ((poc_sigkey = sig_key_load(opts.key, err, sizeof(err))) == NULL)
		bench_die("%s", err);
}

/* Makes e a GREEN notification to --to whose description is the 1 KiB
 * body: the message both the peer and the operator benchmarks send. */
static void
poc_notification(Poc__Envelope *e, Poc__Notification *n, const char *summary)
{
	e->recipient = (char *)opts.to;
	e->tlp = POC__TLP__GREEN;
	e->language = (char *)"en";
	n->summary = (char *)summary;
	n->description = bench_body;
	e->body_case = POC__ENVELOPE__BODY_NOTIFICATION;
	e->notification = n;
}

/* Reads one PeerFrame (NULL: the reason is on stderr). */
static Poc__PeerFrame *
poc_recv(struct bconn *c)
{
	return (Poc__PeerFrame *)bconn_recv(c, &poc__peer_frame__descriptor);
}

int
poc_hello(struct bconn *c)
{
	Poc__PeerFrame	 f = POC__PEER_FRAME__INIT, *r;
	Poc__Hello	 h = POC__HELLO__INIT;
	int		 ok;

	h.protocol_version = 1;
	h.member = (char *)opts.member;
	h.software = (char *)"pocbench";
	f.kind_case = POC__PEER_FRAME__KIND_HELLO;
	f.hello = &h;
	bconn_queue_frame(c, &f.base);
	if (bconn_flush(c) != 0 || (r = poc_recv(c)) == NULL)
		return -1;
	ok = r->kind_case == POC__PEER_FRAME__KIND_HELLO ? 0 : -1;
	if (ok != 0)
		fprintf(stderr, "pocbench: no Hello from the node "
		    "(kind %d%s%s)\n", r->kind_case, r->kind_case == POC__PEER_FRAME__KIND_ERROR ?
		    ": " : "", r->kind_case == POC__PEER_FRAME__KIND_ERROR ?
		    r->error->message : "");
	poc__peer_frame__free_unpacked(r, NULL);
	return ok;
}

/*
 * Queues n notifications, signed as a pocd node signs what it takes into
 * its window together (outbox.c): one batch signature over their Merkle
 * root (envsig_batch_sign, docs/signatures.md) when n > 1, so that the
 * node verifies one root per window; a single signature when n is 1.
 */
void
poc_queue_envelopes(struct bconn *c, int n)
{
	Poc__PeerFrame		 f = POC__PEER_FRAME__INIT;
	Poc__Envelope		*e, **ep;
	Poc__Notification	*nt;
	struct envsig_batch	*b = NULL;
	char			(*id)[UUID_STR_LEN];
	uint8_t			 sig[SIG_MAX_LEN];
	int64_t			 now = util_now_ms();
	int			 i;

	if (n <= 0)
		return;
	e = calloc((size_t)n, sizeof(*e));
	ep = calloc((size_t)n, sizeof(*ep));
	nt = calloc((size_t)n, sizeof(*nt));
	id = calloc((size_t)n, sizeof(*id));
	if (e == NULL || ep == NULL || nt == NULL || id == NULL)
		bench_die("calloc");
	for (i = 0; i < n; i++) {
		poc__envelope__init(&e[i]);
		poc__notification__init(&nt[i]);
		if (util_uuid_new(id[i]) != 0)
			bench_die("uuid");
		e[i].id = id[i];
		e[i].thread_id = id[i];
		e[i].in_reply_to = (char *)"";
		e[i].sender = (char *)opts.member;
		e[i].created_at = now;
		poc_notification(&e[i], &nt[i], "pocbench load");
		ep[i] = &e[i];
	}
	if (n == 1) {
		if (envsig_sign(poc_sigkey, &e[0], sig) != 0)
			bench_die("cannot sign");
	} else if ((b = envsig_batch_sign(poc_sigkey, ep, (size_t)n)) == NULL)
		bench_die("cannot sign a batch of %d", n);
	f.kind_case = POC__PEER_FRAME__KIND_ENVELOPE;
	for (i = 0; i < n; i++) {
		f.envelope = &e[i];
		bconn_queue_frame(c, &f.base);
	}
	envsig_batch_free(b);
	free(e);
	free(ep);
	free(nt);
	free(id);
}

int
poc_receipt(struct bconn *c)
{
	Poc__PeerFrame	*r;
	int		 ok = -1;

	if ((r = poc_recv(c)) == NULL)
		return -1;
	if (r->kind_case == POC__PEER_FRAME__KIND_RECEIPT &&
	    r->receipt->status == POC__RECEIPT__STATUS__ACCEPTED)
		ok = 0;
	else if (r->kind_case == POC__PEER_FRAME__KIND_RECEIPT)
		fprintf(stderr, "pocbench: receipt %d: %s\n",
		    r->receipt->status, r->receipt->reason);
	else if (r->kind_case == POC__PEER_FRAME__KIND_ERROR)
		fprintf(stderr, "pocbench: error frame: %s\n",
		    r->error->message);
	else
		fprintf(stderr, "pocbench: unexpected frame %d\n",
		    r->kind_case);
	poc__peer_frame__free_unpacked(r, NULL);
	return ok;
}

void
poc_queue_op_send(struct bconn *c)
{
	Poc__OpRequest		 q = POC__OP_REQUEST__INIT;
	Poc__OpSend		 sd = POC__OP_SEND__INIT;
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__Notification	 n = POC__NOTIFICATION__INIT;

	poc_notification(&e, &n, "pocbench drain");
	sd.envelope = &e;
	q.kind_case = POC__OP_REQUEST__KIND_SEND;
	q.send = &sd;
	bconn_queue_frame(c, &q.base);
}

int
poc_op_queued(struct bconn *c)
{
	Poc__OpReply	*r;
	int		 ok;

	if ((r = (Poc__OpReply *)bconn_recv(c,
	    &poc__op_reply__descriptor)) == NULL)
		return -1;
	ok = r->kind_case == POC__OP_REPLY__KIND_QUEUED ? 0 : -1;
	if (ok != 0)
		fprintf(stderr, "pocbench: operator reply %d%s%s\n",
		    r->kind_case, r->kind_case == POC__OP_REPLY__KIND_ERROR ?
		    ": " : "", r->kind_case == POC__OP_REPLY__KIND_ERROR ?
		    r->error->message : "");
	poc__op_reply__free_unpacked(r, NULL);
	return ok;
}
