/*
 * pocbench's pocd client (see poc.h): builds the messages a member node
 * and an operator send, and checks the answers.  Framing and I/O are
 * bconn's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
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

void
poc_queue_envelope(struct bconn *c)
{
	Poc__PeerFrame		 f = POC__PEER_FRAME__INIT;
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__Notification	 n = POC__NOTIFICATION__INIT;
	char			 id[UUID_STR_LEN];
	uint8_t			*canon, sig[SIG_MAX_LEN];
	size_t			 clen, siglen;

	if (util_uuid_new(id) != 0)
		bench_die("uuid");
	e.id = id;
	e.thread_id = id;
	e.in_reply_to = (char *)"";
	e.sender = (char *)opts.member;
	e.created_at = util_now_ms();
	poc_notification(&e, &n, "pocbench load");
	/* The signature covers the envelope packed with signature empty. */
	clen = poc__envelope__get_packed_size(&e);
	if ((canon = malloc(clen)) == NULL)
		bench_die("malloc");
	poc__envelope__pack(&e, canon);
	if (sig_sign(poc_sigkey, SIG_CTX_ENVELOPE, canon, clen, sig,
	    &siglen) != 0)
		bench_die("cannot sign");
	free(canon);
	e.signature.data = sig;
	e.signature.len = siglen;
	f.kind_case = POC__PEER_FRAME__KIND_ENVELOPE;
	f.envelope = &e;
	bconn_queue_frame(c, &f.base);
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
