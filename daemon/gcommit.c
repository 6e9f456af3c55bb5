/*
 * Group commit of incoming envelopes and of receipts (see gcommit.h).
 *
 * Items wait on the pending list until the flush event runs; the flush moves
 * them to the flushing list, stores them all in one transaction, commits,
 * and then hands each its receipt.  gc_forget() clears the owner in both
 * lists, so a connection that closes at any point (even from inside a done
 * callback of the same flush) is never touched again.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "gcommit.h"
#include "log.h"
#include "node.h"
#include "store.h"
#include "util.h"

struct gc_item {
	TAILQ_ENTRY(gc_item)	 entry;
	TAILQ_ENTRY(gc_item)	 ventry;	/* on gc_vqueue */
	void			*owner;		/* NULL once forgotten */
	char			 member[64];
	Poc__PeerFrame		*f;		/* owned; holds the envelope, or
						 * NULL for a settle item */
	X509			*cert;		/* its signer (a ref) */
	enum handle_result	 res;
	Poc__Receipt		 r;
	char			 reason[512];
	/* the signature check: written by whichever thread ran it (off
	 * gc_vqueue), read by the loop only after gc_verify_wait() */
	int			 vok;
	char			 vwhy[256];
	int			 refused;	/* by its signature: the
						 * receipt needs no commit */
	/* settle item: a receipt for one of our envelopes */
	char			 id[64];
	int			 rejected;
};

TAILQ_HEAD(gc_list, gc_item);

/*
 * Signature checks run on verify_threads worker threads while the loop
 * goes on reading and checking the next envelopes; the loop takes the
 * verdicts at the flush, before anything of the batch is stored.  Only the
 * item's envelope, certificate (a reference of its own) and verdict cross
 * threads, and the loop touches none of them until the verdict is in.  At
 * the flush the loop checks what no worker has started yet itself, and
 * waits for what one is checking, so a batch never waits for a queue.
 */
static pthread_mutex_t	 gc_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 gc_vwork = PTHREAD_COND_INITIALIZER;	/* workers */
static pthread_cond_t	 gc_vdone = PTHREAD_COND_INITIALIZER;	/* loop */
static struct gc_list	 gc_vqueue = TAILQ_HEAD_INITIALIZER(gc_vqueue);
static int		 gc_vleft;	/* submitted, verdict not in yet */
static int		 gc_vquit;
static pthread_t	*gc_workers;
static int		 gc_nworkers;

static struct gc_list	 gc_pending_list = TAILQ_HEAD_INITIALIZER(gc_pending_list);
static struct gc_list	 gc_flushing = TAILQ_HEAD_INITIALIZER(gc_flushing);
static struct event	*gc_ev;
static gc_done_fn	 gc_done;
static int		 gc_npending;
static size_t		 gc_bytes;
static int		 gc_added;	/* items since the last look */
static int64_t		 gc_first_ms;	/* monotonic, oldest pending item */

/*
 * End of a loop pass with items pending.  libevent hands a TLS connection
 * about one record per pass, so while passes keep bringing new items (the
 * senders have more in flight) the batch waits one more pass, up to
 * batch_wait_ms after its oldest item; the first pass that brings nothing
 * commits it.  A lone envelope thus waits one empty pass, not a timer.
 */
static void
gc_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	 zero = { 0, 0 };

	(void)fd;
	(void)what;
	(void)arg;
	if (gc_added > 0 &&
	    util_mono_ms() - gc_first_ms < env->conf.batch_wait_ms) {
		gc_added = 0;
		event_add(gc_ev, &zero);	/* after the next poll */
		return;
	}
	gc_flush();
}

/* Queues it and schedules the flush; flushes at once when full. */
static void
gc_enqueue(struct gc_item *it, size_t bytes)
{
	TAILQ_INSERT_TAIL(&gc_pending_list, it, entry);
	gc_bytes += bytes;
	gc_added++;
	if (++gc_npending == 1) {
		gc_first_ms = util_mono_ms();
		event_active(gc_ev, EV_TIMEOUT, 0);	/* end of this pass */
	}
	if (gc_npending >= env->conf.batch_max ||
	    gc_bytes >= env->conf.batch_max_bytes)
		gc_flush();
}

/* Checks its signature; any thread, with it off the queue. */
static void
gc_verify_one(struct gc_item *it)
{
	it->vok = handle_verify(it->cert, it->f->envelope, it->vwhy,
	    sizeof(it->vwhy));
}

/* Takes it off the queue and checks it, without gc_mu held meanwhile;
 * called, and returns, with gc_mu held. */
static void
gc_verify_take(struct gc_item *it)
{
	TAILQ_REMOVE(&gc_vqueue, it, ventry);
	pthread_mutex_unlock(&gc_mu);
	gc_verify_one(it);
	pthread_mutex_lock(&gc_mu);
	if (--gc_vleft == 0)
		pthread_cond_signal(&gc_vdone);
}

/* A worker: checks queued signatures until gc_shutdown(). */
static void *
gc_worker_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gc_mu);
	for (;;) {
		while (TAILQ_EMPTY(&gc_vqueue) && !gc_vquit)
			pthread_cond_wait(&gc_vwork, &gc_mu);
		if (gc_vquit)
			break;
		gc_verify_take(TAILQ_FIRST(&gc_vqueue));
	}
	pthread_mutex_unlock(&gc_mu);
	return NULL;
}

/* Hands its signature check to the workers (or runs it now, without). */
static void
gc_verify_submit(struct gc_item *it)
{
	if (gc_nworkers == 0) {
		gc_verify_one(it);
		return;
	}
	/* A lone envelope is checked by the loop itself at the flush, one
	 * pass from now: waking a worker for it and waiting for the worker
	 * to answer would only add two thread wake-ups to its latency.  The
	 * workers are woken once a second one is queued. */
	pthread_mutex_lock(&gc_mu);
	TAILQ_INSERT_TAIL(&gc_vqueue, it, ventry);
	if (++gc_vleft >= 2)
		pthread_cond_signal(&gc_vwork);
	pthread_mutex_unlock(&gc_mu);
}

/*
 * Brings in every verdict: checks the queued ones on this thread (the
 * loop would only wait otherwise) and waits for those a worker has begun.
 * The queue then holds nothing, so no worker touches an item afterwards.
 */
static void
gc_verify_wait(void)
{
	struct gc_item	*it;

	if (gc_nworkers == 0)
		return;
	pthread_mutex_lock(&gc_mu);
	while (gc_vleft > 0) {
		if ((it = TAILQ_FIRST(&gc_vqueue)) == NULL) {
			pthread_cond_wait(&gc_vdone, &gc_mu);
			continue;
		}
		gc_verify_take(it);
	}
	pthread_mutex_unlock(&gc_mu);
}

/* Stops the workers; a check in progress finishes first. */
static void
gc_workers_stop(void)
{
	int	 i;

	pthread_mutex_lock(&gc_mu);
	gc_vquit = 1;
	pthread_cond_broadcast(&gc_vwork);
	pthread_mutex_unlock(&gc_mu);
	for (i = 0; i < gc_nworkers; i++)
		pthread_join(gc_workers[i], NULL);
	free(gc_workers);
	gc_workers = NULL;
	gc_nworkers = 0;
	gc_vquit = 0;
	TAILQ_INIT(&gc_vqueue);	/* its items are on gc_pending_list */
	gc_vleft = 0;
}

int
gc_init(struct event_base *base, gc_done_fn done)
{
	int	 i, n = env->conf.verify_threads;

	if ((gc_ev = event_new(base, -1, 0, gc_flush_cb, NULL)) == NULL)
		return -1;
	gc_done = done;
	if (n > 0 && (gc_workers = calloc((size_t)n,
	    sizeof(*gc_workers))) == NULL) {
		log_warn("gc_init");
		n = 0;
	}
	for (i = 0; i < n; i++) {
		if (pthread_create(&gc_workers[i], NULL, gc_worker_main,
		    NULL) != 0) {
			log_warnx("group commit: %d of %d signature threads "
			    "started", i, n);
			break;
		}
		gc_nworkers++;
	}
	if (gc_nworkers == 0) {
		free(gc_workers);
		gc_workers = NULL;
	}
	return 0;
}

void
gc_submit(void *owner, const char *member, X509 *cert, Poc__PeerFrame *f)
{
	struct gc_item	*it;

	if ((it = calloc(1, sizeof(*it))) == NULL) {
		log_warn("gc_submit");
		/* No receipt: the done callback closes the connection. */
		protobuf_c_message_free_unpacked(&f->base, NULL);
		gc_done(owner, HANDLE_FAILED, NULL);
		return;
	}
	it->owner = owner;
	snprintf(it->member, sizeof(it->member), "%s", member);
	it->f = f;
	if (cert != NULL && X509_up_ref(cert) == 1)
		it->cert = cert;
	gc_verify_submit(it);
	gc_enqueue(it, protobuf_c_message_get_packed_size(
	    &f->envelope->base));
}

void
gc_settle(const char *recipient, const char *id, int rejected,
    const char *reason)
{
	struct gc_item	*it;

	if ((it = calloc(1, sizeof(*it))) == NULL) {
		/* Stays queued: sent again on the next connection. */
		log_warn("gc_settle");
		return;
	}
	snprintf(it->member, sizeof(it->member), "%s", recipient);
	snprintf(it->id, sizeof(it->id), "%s", id);
	snprintf(it->reason, sizeof(it->reason), "%s", reason);
	it->rejected = rejected;
	gc_enqueue(it, 64);
}

void
gc_forget(void *owner)
{
	struct gc_item	*it;

	TAILQ_FOREACH(it, &gc_pending_list, entry)
		if (it->owner == owner)
			it->owner = NULL;
	TAILQ_FOREACH(it, &gc_flushing, entry)
		if (it->owner == owner)
			it->owner = NULL;
}

/* A receipt for one of our envelopes: it leaves the outbox (in the batch).
 * A failure leaves it queued; it is sent again on the next connection and
 * the recipient answers DUPLICATE. */
static void
gc_settle_one(struct gc_item *it, int64_t now)
{
	int	 rc;

	if (it->rejected)
		rc = store_outbox_rejected(env->store, it->member, it->id,
		    it->reason, now);
	else
		rc = store_outbox_delivered(env->store, it->member, it->id,
		    now);
	if (rc != 0)
		log_warnx("outbox %s: cannot record the receipt of %s; it "
		    "will be sent again", it->member, it->id);
}

int
gc_pending(void)
{
	return gc_npending;
}

/* Stores every pending envelope in one transaction, then answers each. */
void
gc_flush(void)
{
	static const Poc__Receipt	 rinit = POC__RECEIPT__INIT;
	struct gc_item			*it;
	int				 ok, n = gc_npending;
	int64_t				 now = util_now_ms();

	if (n == 0)
		return;
	event_del(gc_ev);
	TAILQ_CONCAT(&gc_flushing, &gc_pending_list, entry);
	gc_npending = 0;
	gc_bytes = 0;
	gc_added = 0;

	/* Every signature verdict first: nothing unproven is stored, and
	 * no worker touches an item after this. */
	gc_verify_wait();
	TAILQ_FOREACH(it, &gc_flushing, entry) {
		if (it->f == NULL)
			continue;
		it->r = rinit;
		it->res = handle_verified(it->member, it->f->envelope,
		    it->vok, it->vwhy, &it->r, it->reason,
		    sizeof(it->reason));
		it->refused = it->res != HANDLE_STORE;
	}
	ok = store_begin(env->store) == 0;
	if (ok) {
		TAILQ_FOREACH(it, &gc_flushing, entry) {
			if (it->f == NULL) {
				gc_settle_one(it, now);
				continue;
			}
			if (it->res != HANDLE_STORE)
				continue;	/* refused: receipt as is */
			it->res = handle_store(it->member, it->cert,
			    it->f->envelope,
			    &it->r, it->reason, sizeof(it->reason));
		}
		ok = store_commit(env->store) == 0;
	}
	if (!ok)
		log_warnx("store: a batch of %d envelope%s did not commit; no "
		    "receipts, their senders will retry", n, n == 1 ? "" : "s");
	else
		log_debug("store: committed a batch of %d envelope%s", n,
		    n == 1 ? "" : "s");
	while ((it = TAILQ_FIRST(&gc_flushing)) != NULL) {
		TAILQ_REMOVE(&gc_flushing, it, entry);
		/* A refused envelope's receipt needs no commit; an accepted
		 * one's only goes out after it. */
		if (it->f != NULL && it->owner != NULL)
			gc_done(it->owner, ok || it->refused ? it->res :
			    HANDLE_FAILED, &it->r);
		if (it->f != NULL)
			protobuf_c_message_free_unpacked(&it->f->base, NULL);
		X509_free(it->cert);
		free(it);
	}
	/* Between batches, receipts out: bound the WAL if it must be. */
	store_checkpoint_due(env->store);
}

void
gc_shutdown(void)
{
	struct gc_item	*it;

	/* The workers first: then nothing else holds a pending item. */
	gc_workers_stop();
	while ((it = TAILQ_FIRST(&gc_pending_list)) != NULL) {
		TAILQ_REMOVE(&gc_pending_list, it, entry);
		if (it->f != NULL)
			protobuf_c_message_free_unpacked(&it->f->base, NULL);
		X509_free(it->cert);
		free(it);
	}
	gc_npending = 0;
	gc_bytes = 0;
	if (gc_ev != NULL)
		event_free(gc_ev);
	gc_ev = NULL;
}
