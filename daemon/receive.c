/*
 * The receive path (see receive.h).
 *
 * Order matters for safety: identity before content (a stranger's fields
 * are not even looked at), content before state (nothing invalid reaches
 * the store), the signature before anything is stored (it may be checked
 * on a worker thread, but its verdict is taken on the loop before the
 * batch's transaction opens), the envelope's row before its effects (in
 * the same transaction, so a batch that does not commit leaves neither),
 * and the receipt only after the commit, so "accepted" always means "on
 * disk".  A thread held here takes messages only from a member that has
 * a part in it (store_thread.h).
 *
 * Each envelope that passes the checks becomes a receive_item: a batch
 * item (gcommit.h) with its signature check (verify.h) and its receipt.
 * The item keeps the frame, a reference to the signer's certificate and
 * the connection (owner) it came from; receive_forget() clears the owner
 * when the connection closes, at any point until the item's done has
 * run.  The path knows connections only through its receive_cb.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "certder.h"
#include "events.h"
#include "gcommit.h"
#include "handle.h"
#include "log.h"
#include "node.h"
#include "receive.h"
#include "store.h"
#include "store_msg.h"
#include "store_thread.h"
#include "util.h"
#include "validate.h"
#include "verify.h"

/* What a sender hears when its envelope could not be stored. */
#define RECEIVE_RETRY	"cannot store the envelope now; retry later"

enum receive_step {
	RECV_STORE,		/* passed the checks: store it in the batch */
	RECV_RECEIPT,		/* send the receipt in r */
	RECV_IDENTITY,		/* sender is not the peer: receipt, close */
	RECV_FAILED,		/* not stored: no receipt, close so the
				 * sender retries */
};

struct receive_item {
	struct gc_item		 gc;		/* first: the batch's handle */
	TAILQ_ENTRY(receive_item) entry;	/* on receive_items */
	void			*owner;		/* NULL once forgotten */
	char			 member[64];
	Poc__PeerFrame		*f;		/* owned; holds the envelope */
	X509			*cert;		/* its signer (a reference) */
	struct verify_job	 vj;
	enum receive_step	 step;
	int			 refused;	/* by its signature: the
						 * receipt needs no commit */
	Poc__Receipt		 r;
	char			 reason[512];
};

static TAILQ_HEAD(, receive_item) receive_items =
    TAILQ_HEAD_INITIALIZER(receive_items);

static void	receive_prepare(struct gc_item *);
static void	receive_write(struct gc_item *);
static void	receive_done(struct gc_item *, enum gc_end);

static const struct gc_ops receive_ops = {
	.prepare = receive_prepare,
	.write = receive_write,
	.done = receive_done,
};

static const struct receive_cb	*receive_cb;

int
receive_init(const struct receive_cb *cb, int n)
{
	receive_cb = cb;
	return verify_init(n);
}

void
receive_shutdown(void)
{
	verify_shutdown();
	certder_clear();
}

/* A REJECTED receipt for e with reason, until a step says otherwise. */
static void
receive_receipt(Poc__Receipt *r, const char *id, char *reason)
{
	static const Poc__Receipt	 rinit = POC__RECEIPT__INIT;

	*r = rinit;
	reason[0] = '\0';
	r->envelope_id = (char *)id;
	r->status = POC__RECEIPT__STATUS__REJECTED;
	r->reason = reason;
}

/* Identity, fields and recipient of e from peer: RECV_STORE if it may be
 * stored once its signature verifies, else r and reason say why not. */
static enum receive_step
receive_check(const char *peer, const Poc__Envelope *e, Poc__Receipt *r,
    char *reason, size_t reasonlen)
{
	struct validate_result	 vr;

	receive_receipt(r, e->id != NULL ? e->id : "", reason);
	/* Identity: the member a peer speaks for is its certificate's CN. */
	if (strcmp(e->sender, peer) != 0) {
		snprintf(reason, reasonlen, "sender \"%.64s\" does not match "
		    "the certificate of %s", e->sender, peer);
		log_warnx("peer %s: envelope %.64s refused: %s", peer,
		    r->envelope_id, reason);
		return RECV_IDENTITY;
	}
	if (validate_envelope_received(e, &vr) != 0) {
		snprintf(reason, reasonlen, "%s: %s (%zu problem%s)",
		    vr.err[0].field, vr.err[0].message, vr.total,
		    vr.total == 1 ? "" : "s");
		log_warnx("peer %s: envelope %.64s refused: %s", peer,
		    util_uuid_valid(e->id) ? e->id : "(bad id)", reason);
		if (!util_uuid_valid(e->id))
			r->envelope_id = (char *)"";
		return RECV_RECEIPT;
	}
	if (strcmp(e->recipient, env->conf.member) != 0) {
		snprintf(reason, reasonlen, "recipient is %s, this node is %s",
		    e->recipient, env->conf.member);
		log_warnx("peer %s: envelope %s refused: %s", peer, e->id,
		    reason);
		return RECV_RECEIPT;
	}
	return RECV_STORE;
}

int
receive_envelope(void *owner, const char *member, X509 *cert,
    Poc__PeerFrame *fr)
{
	Poc__Receipt		 r;
	char			 reason[512];
	struct receive_item	*it;
	enum receive_step	 step;

	step = receive_check(member, fr->envelope, &r, reason, sizeof(reason));
	if (step != RECV_STORE) {
		if (receive_cb->receipt(owner, &r) == 0 &&
		    step == RECV_IDENTITY)
			receive_cb->fail(owner, POC__ERROR__CODE__IDENTITY,
			    reason);
		return 0;
	}
	if ((it = calloc(1, sizeof(*it))) == NULL) {
		log_warn("receive_envelope");
		/* No receipt: the sender retries on a new connection. */
		receive_cb->fail(owner, POC__ERROR__CODE__INTERNAL,
		    RECEIVE_RETRY);
		return 0;
	}
	it->owner = owner;
	snprintf(it->member, sizeof(it->member), "%s", member);
	it->f = fr;
	if (cert != NULL && X509_up_ref(cert) == 1)
		it->cert = cert;
	it->step = RECV_STORE;
	it->vj.member = it->member;
	it->vj.cert = it->cert;
	it->vj.e = fr->envelope;
	TAILQ_INSERT_TAIL(&receive_items, it, entry);
	verify_submit(&it->vj);
	/* owner may be closed and freed from here on (a full batch flushes
	 * at once); receive_forget() then clears it->owner. */
	gc_submit(&it->gc, &receive_ops,
	    protobuf_c_message_get_packed_size(&fr->envelope->base));
	return 1;
}

/* Before the transaction: the signature's verdict.  A bad signature is
 * answered REJECTED without anything stored or done. */
static void
receive_prepare(struct gc_item *gi)
{
	struct receive_item	*it = (struct receive_item *)gi;
	const Poc__Envelope	*e = it->f->envelope;

	verify_wait(&it->vj);
	it->step = RECV_STORE;		/* also before a batch's redo */
	it->refused = 0;
	receive_receipt(&it->r, e->id, it->reason);
	if (it->vj.ok)
		return;
	snprintf(it->reason, sizeof(it->reason), "%s", it->vj.why);
	log_warnx("peer %s: envelope %s refused: %s", it->member, e->id,
	    it->reason);
	it->step = RECV_RECEIPT;
	it->refused = 1;
}

/* The REJECTED receipt of an envelope store_thread_admits() refused. */
static void
receive_thread_refuse(struct receive_item *it, const Poc__Envelope *e,
    enum store_thread_verdict v)
{
	switch (v) {
	case STORE_THREAD_OPEN:
		snprintf(it->reason, sizeof(it->reason), "thread %s is "
		    "already open here: a new case needs a new thread",
		    e->thread_id);
		break;
	case STORE_THREAD_UNHELD:
		snprintf(it->reason, sizeof(it->reason), "thread %s is not "
		    "held here: a reply answers a case held here",
		    e->thread_id);
		break;
	case STORE_THREAD_REPLY_FOREIGN:
		snprintf(it->reason, sizeof(it->reason), "in_reply_to %s is "
		    "a message with another member here", e->in_reply_to);
		break;
	default:
		snprintf(it->reason, sizeof(it->reason), "thread %s is a "
		    "case with another member here", e->thread_id);
		break;
	}
	log_warnx("peer %s: envelope %s refused: %s", it->member, e->id,
	    it->reason);
	it->step = RECV_RECEIPT;
}

/*
 * Inside the transaction: the envelope with its signer's certificate
 * (checked with it, so not checked again), then, for a new one, its
 * effects after its row.  Fills the receipt.
 */
static void
receive_write(struct gc_item *gi)
{
	struct receive_item	*it = (struct receive_item *)gi;
	const Poc__Envelope	*e = it->f->envelope;
	enum store_put		 put;
	enum store_thread_verdict v;
	const struct store_signer *signer;

	if (it->step != RECV_STORE)
		return;		/* refused: its receipt as is */
	it->step = RECV_FAILED;
	if ((signer = certder_get(it->cert)) == NULL) {
		log_warnx("peer %s: envelope %s: its signer's certificate is "
		    "not at hand; no receipt, the sender will retry",
		    it->member, e->id);
		return;
	}
	/* A thread held here is added to only by a member that has a part
	 * in it, is opened only once, and a reply answers only the
	 * sender's own case (store_thread.h): a sender that learnt the id
	 * of a case between this node and another member, as every
	 * recipient of a case sent to many does, may not join it. */
	switch ((v = store_thread_admits(env->store, e, it->member))) {
	case STORE_THREAD_OK:
		break;
	case STORE_THREAD_ERROR:
		log_warnx("peer %s: envelope %s: its thread cannot be read; no "
		    "receipt, the sender will retry", it->member, e->id);
		return;
	default:
		receive_thread_refuse(it, e, v);
		return;
	}
	put = store_put_incoming_signer(env->store, e, signer, util_now_ms());
	switch (put) {
	case STORE_NEW:
		it->r.status = POC__RECEIPT__STATUS__ACCEPTED;
		log_debug("peer %s: %s %s accepted", it->member,
		    handle_kind_name(e->body_case), e->id);
		handle_effects(it->member, e);
		events_envelope_in(it->member, e);
		it->step = RECV_RECEIPT;
		return;
	case STORE_DUPLICATE:
		it->r.status = POC__RECEIPT__STATUS__DUPLICATE;
		log_debug("peer %s: %s is a duplicate", it->member, e->id);
		it->step = RECV_RECEIPT;
		return;
	case STORE_CONFLICT:
	case STORE_DIFFERS:
		/* Never DUPLICATE: the sender would believe held here an
		 * envelope that is not (docs/guarantees.md "Message ids"). */
		if (put == STORE_DIFFERS)
			snprintf(it->reason, sizeof(it->reason), "id %s is "
			    "held here with other content from %s: a new "
			    "message needs a new id", e->id, it->member);
		else
			snprintf(it->reason, sizeof(it->reason), "id %s is "
			    "held here from another member (or sent from "
			    "here): a new message needs a new id", e->id);
		log_warnx("peer %s: envelope refused: %s", it->member,
		    it->reason);
		it->step = RECV_RECEIPT;
		return;
	case STORE_ERROR:
		break;
	}
	log_warnx("peer %s: envelope %s not stored (store failure); no "
	    "receipt, the sender will retry", it->member, e->id);
}

/* After the commit (or its failure): the receipt, or the connection is
 * closed so that the sender retries.  A refused envelope's receipt needs
 * no commit; an accepted one's only goes out after it. */
static void
receive_done(struct gc_item *gi, enum gc_end how)
{
	struct receive_item	*it = (struct receive_item *)gi;

	TAILQ_REMOVE(&receive_items, it, entry);
	if (it->owner != NULL && how != GC_DROPPED) {
		if (it->step == RECV_RECEIPT &&
		    (how == GC_COMMITTED || it->refused))
			(void)receive_cb->receipt(it->owner, &it->r);
		else
			receive_cb->fail(it->owner, POC__ERROR__CODE__INTERNAL,
			    RECEIVE_RETRY);
	}
	protobuf_c_message_free_unpacked(&it->f->base, NULL);
	X509_free(it->cert);
	free(it);
}

void
receive_forget(void *owner)
{
	struct receive_item	*it;

	TAILQ_FOREACH(it, &receive_items, entry)
		if (it->owner == owner)
			it->owner = NULL;
}
