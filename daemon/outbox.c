/*
 * Delivery of queued envelopes (see outbox.h).
 *
 * Each recipient with queued envelopes has a queue with this FSM:
 *
 *	IDLE --kick--> CONNECTING --Hello done--> ACTIVE --closed--> WAITING
 *	WAITING --timer--> CONNECTING --failed--> WAITING
 *	ACTIVE --closed with nothing queued--> IDLE
 *
 * Nothing here is durable by itself: the store holds every queued envelope
 * and its retry state (attempts, next_attempt_at), and an envelope leaves
 * the outbox only when its receipt is committed.  A crash at any point
 * therefore means at worst a resend, which the receiver answers DUPLICATE.
 * Envelopes go out in queue order (seq) on one connection, so the order
 * within a thread is kept.  The envelopes taken into the window together
 * go as one signed batch (outq_batch).
 *
 * Each queue is a dialler of peer.c (outbox_peer_cb): it hears its
 * connection come up, the receipts and the end of the connection.  A
 * receipt is recorded with the next group commit (outbox_settle), one
 * commit for many receipts: that needs no durability before anything is
 * said to anyone, since a crash before the commit means a resend, which
 * the receiver answers DUPLICATE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <openssl/rand.h>

#include "config.h"
#include "directory.h"
#include "events.h"
#include "gcommit.h"
#include "log.h"
#include "msgsig.h"
#include "node.h"
#include "outbox.h"
#include "peer.h"
#include "store.h"
#include "store_msg.h"
#include "util.h"
#include "witness.h"

enum outq_state {
	OQ_IDLE,
	OQ_CONNECTING,
	OQ_ACTIVE,
	OQ_WAITING,
};

struct inflight {
	int64_t		 seq;
	char		 id[64];
	int		 answered;	/* receipt came, out of order */
};

/*
 * The window is a ring of conf.window slots in send order: win[head] is
 * the oldest envelope without its receipt.  Receipts come back in order
 * on one connection (the recipient answers each group commit in order),
 * so a receipt nearly always frees the head; one that does not is marked
 * answered and its slot is freed when the head reaches it.
 *
 * The queue is read from the store ahead of the window, one page of
 * conf.window rows (OUTQ_PAGE at most) per query (ahead[]), so that refilling the window
 * after a burst of receipts is a copy, not a query.  Only a receipt
 * deletes an outbox row, so a row read ahead cannot have left the queue
 * before it is sent.
 */
#define OUTQ_PAGE	512	/* rows read ahead at most, ~0.7 MB */

struct outq {
	LIST_ENTRY(outq)	 entry;
	char			 member[64];
	enum outq_state		 state;
	struct peer		*peer;
	struct event		*timer;
	struct event		*refill;	/* end of the loop pass */
	unsigned		 failures;	/* attempts without progress */
	int64_t			 sent_seq;	/* last seq sent on this conn */
	int64_t			 read_seq;	/* last seq read into ahead[] */
	int			 head;		/* oldest slot in flight */
	int			 ninflight;	/* slots taken from head on */
	struct inflight		*win;		/* conf.window entries */
	struct store_outbox_row	*ahead;		/* read, not yet sent */
	int			 nahead;
	int			 ahead_at;	/* next of ahead[] to send */
};

/* A receipt for one of our envelopes, waiting for the next batch. */
struct outbox_settle {
	struct gc_item	 gc;		/* first: the batch's handle */
	char		 member[64];
	char		 id[64];
	int		 rejected;
	char		 reason[512];
};

static LIST_HEAD(, outq) queues = LIST_HEAD_INITIALIZER(queues);

static void	outq_connect(struct outq *);
static void	outq_down(struct outq *, const char *);
static void	outq_pump(struct outq *);

static int	outbox_pinned_cb(const char *, const char *, void *);
static void	outbox_up_cb(struct peer *, void *);
static void	outbox_receipt_cb(struct peer *, const Poc__Receipt *, void *);
static void	outbox_down_cb(struct peer *, const char *, void *);

static const struct peer_cb outbox_peer_cb = {
	.pinned = outbox_pinned_cb,
	.up = outbox_up_cb,
	.receipt = outbox_receipt_cb,
	.down = outbox_down_cb,
};

static void	outbox_settle_write(struct gc_item *);
static void	outbox_settle_done(struct gc_item *, enum gc_end);

static const struct gc_ops outbox_settle_ops = {
	.write = outbox_settle_write,
	.done = outbox_settle_done,
};

static const char *
outq_strstate(enum outq_state s)
{
	switch (s) {
	case OQ_IDLE:
		return "IDLE";
	case OQ_CONNECTING:
		return "CONNECTING";
	case OQ_ACTIVE:
		return "ACTIVE";
	case OQ_WAITING:
		return "WAITING";
	}
	return "?";
}

static void
outq_enter(struct outq *q, enum outq_state st)
{
	log_debug("outbox %s: %s -> %s", q->member, outq_strstate(q->state),
	    outq_strstate(st));
	q->state = st;
}

int64_t
outbox_backoff(unsigned failures, int initial_s, int max_s, uint32_t rnd)
{
	int64_t	 base = (int64_t)initial_s * 1000, cap = (int64_t)max_s * 1000;
	unsigned i;

	if (failures == 0)
		return 0;
	for (i = 1; i < failures && base < cap; i++)
		base *= 2;
	if (base > cap)
		base = cap;
	return base / 2 + (int64_t)(rnd % (uint32_t)(base / 2 + 1));
}

static void
outq_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	outq_connect(arg);
}

/* The receipts of this loop pass are in: refill the window once. */
static void
outq_refill_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	outq_pump(arg);
}

/* Forgets the rows read ahead (a new connection starts from the
 * oldest queued envelope again). */
static void
outq_ahead_drop(struct outq *q)
{
	if (q->ahead != NULL)
		store_outbox_rows_free(q->ahead, q->nahead);
	q->ahead = NULL;
	q->nahead = q->ahead_at = 0;
}

/* Empties the window and the read-ahead: nothing is in flight. */
static void
outq_reset(struct outq *q)
{
	outq_ahead_drop(q);
	q->sent_seq = q->read_seq = 0;
	q->head = q->ninflight = 0;
}

static struct outq *
outq_get(const char *member, int create)
{
	struct outq	*q;

	LIST_FOREACH(q, &queues, entry)
		if (strcmp(q->member, member) == 0)
			return q;
	if (!create)
		return NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (q->win = calloc((size_t)env->conf.window, sizeof(*q->win))) ==
	    NULL || (q->timer = evtimer_new(env->base, outq_timer_cb, q)) ==
	    NULL || (q->refill = event_new(env->base, -1, 0, outq_refill_cb,
	    q)) == NULL)
		fatal("outq_get");
	snprintf(q->member, sizeof(q->member), "%s", member);
	q->state = OQ_IDLE;
	LIST_INSERT_HEAD(&queues, q, entry);
	return q;
}

/* Waits delay_ms before the next connection attempt. */
static void
outq_wait(struct outq *q, int64_t delay_ms)
{
	struct timeval	 tv;

	if (delay_ms < 0)
		delay_ms = 0;
	tv = util_ms_timeval(delay_ms);
	outq_enter(q, OQ_WAITING);
	/* libevent counts a timeout from the time it cached at the start of
	 * this loop pass; a slow store write before us would make the retry
	 * fire early by as much (seen in 31_partition under load). */
	event_base_update_cache_time(env->base);
	evtimer_add(q->timer, &tv);
}

/* After a failed attempt: if the oldest envelope queued for q has waited
 * longer than [alert] delivery_failing, a person should know (once per
 * envelope; events.c keeps it from being raised twice). */
static void
outq_failing(struct outq *q, const char *reason)
{
	struct store_outbox_peer	*ps = NULL;
	struct store_outbox_row		*rows = NULL;
	int64_t				 since = 0;
	int				 n, i;

	if ((n = store_outbox_peers(env->store, &ps)) < 0)
		return;
	for (i = 0; i < n; i++)
		if (strcmp(ps[i].recipient, q->member) == 0)
			since = ps[i].oldest_queued_at;
	free(ps);
	if (since == 0 || util_now_ms() - since <
	    env->conf.alert_delivery_failing * 1000LL)
		return;
	if ((n = store_outbox_load(env->store, q->member, 0, 1, &rows)) == 1)
		events_delivery_failing(q->member, rows[0].id, since, reason);
	if (n > 0)
		store_outbox_rows_free(rows, n);
}

/* An attempt failed: count it, persist the retry time, wait. */
static void
outq_failed(struct outq *q, const char *reason)
{
	uint32_t	 rnd = 0;
	int64_t		 delay;

	q->failures++;
	RAND_bytes((unsigned char *)&rnd, sizeof(rnd));
	delay = outbox_backoff(q->failures, env->conf.retry_initial,
	    env->conf.retry_max, rnd);
	if (store_outbox_failed(env->store, q->member, util_now_ms() + delay,
	    reason) != 0)
		log_warnx("outbox %s: cannot record the failed attempt",
		    q->member);
	log_info("outbox %s: delivery attempt %u failed (%s); next in %lld.%03llds",
	    q->member, q->failures, reason, (long long)(delay / 1000),
	    (long long)(delay % 1000));
	outq_failing(q, reason);
	outq_wait(q, delay);
}

static void
outq_connect(struct outq *q)
{
	char	 endpoint[300];

	/* Endpoints come from the member's signed directory record. */
	if (directory_endpoint(q->member, endpoint, sizeof(endpoint)) != 0) {
		outq_failed(q, "no directory record with an endpoint for this "
		    "member");
		return;
	}
	outq_reset(q);
	outq_enter(q, OQ_CONNECTING);
	if ((q->peer = peer_dial(q->member, endpoint, &outbox_peer_cb, q)) ==
	    NULL)
		outq_failed(q, "cannot start a connection");
}

/*
 * The bytes to send for rows[0..n), in out[i] where they are not the
 * stored bytes (NULL: send rows[i] as stored).  The window goes as one
 * signed batch (docs/signatures.md): one signature for all of them,
 * verified once by the receiver, instead of one per envelope.  A window
 * of one goes as stored, under the signature it was queued with (a
 * single signature, or the batch proof of the operator command that
 * queued it), which spares it the signing on the way.  A node whose Hello
 * did not say it takes batches (one of an older version) gets every
 * envelope under a single signature: those queued with a batch proof are
 * signed singly here.  If the batch cannot be signed, the envelopes go as
 * stored.  Returns how many out[] were filled (free each).
 */
static int
outq_batch(struct outq *q, const struct store_outbox_row *rows, int n,
    uint8_t **out, size_t *outlen)
{
	const uint8_t	**in;
	size_t		 *inlen;
	int		  i, ok, filled = 0;

	if (!peer_batch_signatures(q->peer)) {
		for (i = 0; i < n; i++) {
			if (msgsig_single_pack(rows[i].data, rows[i].len,
			    &out[i], &outlen[i]) == -1)
				log_warnx("outbox %s: cannot sign %s singly; "
				    "it goes as stored", q->member,
				    rows[i].id);
			filled += out[i] != NULL;
		}
		return filled;
	}
	if (n < 2)
		return 0;
	in = calloc((size_t)n, sizeof(*in));
	inlen = calloc((size_t)n, sizeof(*inlen));
	ok = in != NULL && inlen != NULL;
	for (i = 0; ok && i < n; i++) {
		in[i] = rows[i].data;
		inlen[i] = rows[i].len;
	}
	ok = ok && msgsig_batch_pack(in, inlen, (size_t)n, out, outlen) == 0;
	free(in);
	free(inlen);
	if (!ok) {
		log_warnx("outbox %s: %d envelopes go with the signatures "
		    "they were queued with", q->member, n);
		return 0;
	}
	return n;
}

/* Makes sure ahead[] has a row to send unless the queue has none left
 * after read_seq: reads the next page.  1 if a row is there, 0 if not,
 * -1 if the store failed. */
static int
outq_ahead_fill(struct outq *q)
{
	int	 n;

	if (q->ahead_at < q->nahead)
		return 1;
	outq_ahead_drop(q);
	n = store_outbox_load(env->store, q->member, q->read_seq,
	    env->conf.window < OUTQ_PAGE ? env->conf.window : OUTQ_PAGE,
	    &q->ahead);
	if (n < 0) {
		q->ahead = NULL;
		log_warnx("outbox %s: cannot read the queue", q->member);
		return -1;
	}
	q->nahead = n;
	if (n > 0)
		q->read_seq = q->ahead[n - 1].seq;
	return n > 0;
}

/* Sends rows[0..n) as one batch and takes a window slot for each.  0,
 * or -1: nothing was taken, and the connection may have gone (its down
 * reset the queue, rows included). */
static int
outq_send(struct outq *q, const struct store_outbox_row *rows, int n)
{
	uint8_t		**out;
	size_t		 *outlen;
	const uint8_t	**data;
	size_t		 *len;
	struct inflight	 *w;
	int		  i, ok;
	char		  first[64];

	snprintf(first, sizeof(first), "%s", rows[0].id);
	out = calloc((size_t)n, sizeof(*out));
	outlen = calloc((size_t)n, sizeof(*outlen));
	data = calloc((size_t)n, sizeof(*data));
	len = calloc((size_t)n, sizeof(*len));
	if ((ok = out != NULL && outlen != NULL && data != NULL &&
	    len != NULL)) {
		(void)outq_batch(q, rows, n, out, outlen);
		for (i = 0; i < n; i++) {
			data[i] = out[i] != NULL ? out[i] : rows[i].data;
			len[i] = out[i] != NULL ? outlen[i] : rows[i].len;
		}
		ok = peer_send_envelopes(q->peer, data, len, (size_t)n) == 0;
	}
	if (ok && q->state == OQ_ACTIVE) {
		for (i = 0; i < n; i++) {
			w = &q->win[(q->head + q->ninflight) %
			    env->conf.window];
			w->seq = rows[i].seq;
			w->answered = 0;
			snprintf(w->id, sizeof(w->id), "%s", rows[i].id);
			q->ninflight++;
		}
		q->sent_seq = rows[n - 1].seq;
	} else {
		/* Stays queued: the connection is closing (its down
		 * resets the queue), or memory ran out (the next pump
		 * tries again). */
		log_warnx("outbox %s: cannot send %d envelopes from %s",
		    q->member, n, first);
		ok = 0;
	}
	for (i = 0; out != NULL && i < n; i++)
		free(out[i]);
	free(out);
	free(outlen);
	free(data);
	free(len);
	return ok ? 0 : -1;
}

/*
 * Fills the window with the next queued envelopes, in queue order, from
 * the rows read ahead (reading the next page when they run out).  What
 * goes out in one call is one signed batch and one write: the peer
 * coalesces the frames into full TLS records.
 */
static void
outq_pump(struct outq *q)
{
	int	 room, n;

	while (q->state == OQ_ACTIVE &&
	    (room = env->conf.window - q->ninflight) > 0 &&
	    outq_ahead_fill(q) == 1) {
		n = q->nahead - q->ahead_at;
		if (n > room)
			n = room;
		if (outq_send(q, &q->ahead[q->ahead_at], n) == -1)
			return;		/* not sent: see outq_send */
		q->ahead_at += n;
	}
}

/* The recipient's certificate must be pinned in its directory record. */
static int
outbox_pinned_cb(const char *member, const char *fp, void *arg)
{
	(void)arg;
	return directory_pinned(member, fp);
}

static void
outbox_up_cb(struct peer *p, void *arg)
{
	struct outq	*q = arg;

	q->peer = p;
	outq_enter(q, OQ_ACTIVE);
	/* Our messages go on it: so do the heads of our audit log. */
	witness_speaks(p);
	outq_pump(q);
}

/* In the batch: the envelope leaves the outbox, delivered or rejected.
 * A failure leaves it queued; it is sent again on the next connection
 * and the recipient answers DUPLICATE. */
static void
outbox_settle_write(struct gc_item *it)
{
	struct outbox_settle	*st = (struct outbox_settle *)it;
	int64_t			 now = util_now_ms();
	int			 rc;

	if (st->rejected)
		rc = store_outbox_rejected(env->store, st->member, st->id,
		    st->reason, now);
	else
		rc = store_outbox_delivered(env->store, st->member, st->id,
		    now);
	if (rc != 0)
		log_warnx("outbox %s: cannot record the receipt of %s; it "
		    "will be sent again", st->member, st->id);
	else
		events_delivery(st->member, st->id, st->rejected, st->reason);
}

/* Committed or not, nothing waits on it. */
static void
outbox_settle_done(struct gc_item *it, enum gc_end how)
{
	(void)how;
	free(it);
}

/* Records a receipt for our envelope id with the next batch. */
static void
outbox_settle(const char *member, const char *id, int rejected,
    const char *reason)
{
	struct outbox_settle	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		/* Stays queued: sent again on the next connection. */
		log_warn("outbox_settle");
		return;
	}
	snprintf(st->member, sizeof(st->member), "%s", member);
	snprintf(st->id, sizeof(st->id), "%s", id);
	snprintf(st->reason, sizeof(st->reason), "%s", reason);
	st->rejected = rejected;
	gc_submit(&st->gc, &outbox_settle_ops, 64);
}

/* The window slot of the envelope id, or -1. */
static int
outq_slot(struct outq *q, const char *id)
{
	int	 i, k;

	for (i = 0; i < q->ninflight; i++) {
		k = (q->head + i) % env->conf.window;
		if (!q->win[k].answered && strcmp(q->win[k].id, id) == 0)
			return k;
	}
	return -1;
}

/*
 * The window is refilled once per loop pass, after the receipts that
 * pass brought, and only when a quarter of it is free (or all of it):
 * one signed batch of at least that many envelopes rather than one
 * batch per receipt, which would cost a signature at each end per
 * envelope.  The refill does not wait for the receipts to commit here:
 * each is recorded by the next group commit, and a crash before that
 * means a resend, which the recipient answers DUPLICATE.
 */
static void
outq_refill_soon(struct outq *q)
{
	int	 room = env->conf.window - q->ninflight;

	if (room > 0 && (room >= (env->conf.window + 3) / 4 ||
	    q->ninflight == 0))
		event_active(q->refill, EV_TIMEOUT, 0);
}

static void
outbox_receipt_cb(struct peer *p, const Poc__Receipt *r, void *arg)
{
	struct outq	*q = arg;
	int		 k;

	(void)p;

	if ((k = outq_slot(q, r->envelope_id)) == -1) {
		log_warnx("outbox %s: receipt for %.64s, which is not in "
		    "flight; ignored", q->member, r->envelope_id);
		return;
	}
	switch (r->status) {
	case POC__RECEIPT__STATUS__ACCEPTED:
	case POC__RECEIPT__STATUS__DUPLICATE:
		outbox_settle(q->member, q->win[k].id, 0, "");
		log_debug("outbox %s: %s delivered (%s)", q->member,
		    q->win[k].id, r->status == POC__RECEIPT__STATUS__ACCEPTED ?
		    "accepted" : "duplicate");
		break;
	case POC__RECEIPT__STATUS__REJECTED:
		outbox_settle(q->member, q->win[k].id, 1, r->reason);
		log_warnx("outbox %s: %s rejected by the recipient: %.300s",
		    q->member, q->win[k].id, r->reason);
		break;
	default:
		log_warnx("outbox %s: receipt with unknown status %d",
		    q->member, r->status);
		peer_close(q->peer, "bad receipt");
		outq_down(q, "bad receipt");
		return;
	}
	q->win[k].answered = 1;
	while (q->ninflight > 0 && q->win[q->head].answered) {
		q->head = (q->head + 1) % env->conf.window;
		q->ninflight--;
	}
	q->failures = 0;	/* progress */
	outq_refill_soon(q);
}

static void
outbox_down_cb(struct peer *p, const char *reason, void *arg)
{
	(void)p;
	outq_down(arg, reason);
}

/* The connection ended: wait and retry if envelopes are left, else idle. */
static void
outq_down(struct outq *q, const char *reason)
{
	struct store_outbox_row	*rows;
	int			 n;

	q->peer = NULL;
	outq_reset(q);
	event_del(q->refill);
	if (q->state == OQ_WAITING || q->state == OQ_IDLE)
		return;
	n = store_outbox_load(env->store, q->member, 0, 1, &rows);
	if (n > 0) {
		store_outbox_rows_free(rows, n);
		outq_failed(q, reason);
		return;
	}
	if (n == 0)
		store_outbox_rows_free(rows, 0);
	outq_enter(q, OQ_IDLE);
}

void
outbox_kick(const char *member)
{
	struct outq	*q = outq_get(member, 1);

	switch (q->state) {
	case OQ_IDLE:
		outq_connect(q);
		break;
	case OQ_ACTIVE:
		outq_pump(q);
		break;
	case OQ_CONNECTING:
	case OQ_WAITING:
		break;
	}
}

void
outbox_reconnect(const char *reason)
{
	struct outq	*q;

	LIST_FOREACH(q, &queues, entry) {
		if (q->peer == NULL)
			continue;
		peer_close(q->peer, reason);
		outq_down(q, reason);
	}
}

int
outbox_connected(const char *member)
{
	struct outq	*q = outq_get(member, 0);

	return q != NULL && q->state == OQ_ACTIVE;
}

int
outbox_init(void)
{
	struct store_outbox_peer	*ps;
	struct outq			*q;
	int				 n, i;
	int64_t				 now = util_now_ms();

	if ((n = store_outbox_peers(env->store, &ps)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		q = outq_get(ps[i].recipient, 1);
		q->failures = ps[i].attempts;
		log_info("outbox %s: %u queued, next attempt in %llds",
		    q->member, ps[i].queued, ps[i].next_attempt_at > now ?
		    (long long)(ps[i].next_attempt_at - now) / 1000 : 0LL);
		outq_wait(q, ps[i].next_attempt_at - now);
	}
	free(ps);
	return 0;
}

void
outbox_shutdown(void)
{
	struct outq	*q;

	while ((q = LIST_FIRST(&queues)) != NULL) {
		LIST_REMOVE(q, entry);
		if (q->peer != NULL)
			peer_close(q->peer, "node shutting down");
		event_free(q->timer);
		event_free(q->refill);
		outq_ahead_drop(q);
		free(q->win);
		free(q);
	}
}
