/*
 * Group commit (see gcommit.h).
 *
 * Items wait on the pending list until the flush event runs; the flush
 * moves them to the flushing list, prepares them, writes them all in one
 * transaction and commits without waiting for the disk
 * (store_begin_deferred).  The committed items then wait on the syncing
 * list, each with its batch's ticket, while the loop goes on staging the
 * next batch (committed when the sync returns, or at once if it reaches
 * its bounds); when the sync thread reports "durable up to N"
 * (store_sync.h) the items up to ticket N are handed back to their done,
 * in commit order.  A lone batch (GC_LONE_MAX) is synced by the loop
 * right after its COMMIT instead, and answered at once.  A batch that
 * did not commit is handed back at once.
 * A done may close a connection, which its submitter then forgets in its
 * own items; the batch itself holds nothing but the list links.
 *
 * States of an item: pending -> flushing -> (syncing ->) done.
 */
#include <stdlib.h>

#include <event2/event.h>

#include "gcommit.h"
#include "log.h"
#include "store.h"
#include "store_ckpt.h"
#include "store_sync.h"
#include "store_tx.h"
#include "util.h"

/*
 * A batch of at most this many items, with none syncing before it, is
 * synced on the loop (store_sync_now) rather than on the thread: the two
 * hand-offs cost a lone envelope more than the loop loses by waiting for
 * the disk, and items that arrive meanwhile make the next batch larger,
 * which goes to the thread again.
 */
#define GC_LONE_MAX	4

TAILQ_HEAD(gc_list, gc_item);

static struct gc_list	 gc_pending_list = TAILQ_HEAD_INITIALIZER(gc_pending_list);
static struct gc_list	 gc_flushing = TAILQ_HEAD_INITIALIZER(gc_flushing);
static struct gc_list	 gc_syncing = TAILQ_HEAD_INITIALIZER(gc_syncing);
static struct event	*gc_ev;
static struct store	*gc_store;
static struct gc_bounds	 gc_bounds;
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
	    util_mono_ms() - gc_first_ms < gc_bounds.wait_ms) {
		gc_added = 0;
		event_add(gc_ev, &zero);	/* after the next poll */
		return;
	}
	/* While a batch syncs, the next one could not be answered before
	 * the sync after it anyway: it keeps growing (up to its bounds) and
	 * is committed when the sync returns (gc_durable).  Fewer, larger
	 * commits, and no receipt later than otherwise. */
	if (!TAILQ_EMPTY(&gc_syncing))
		return;
	gc_flush();
}

/* Every commit up to ticket n is on disk: answer its items. */
static void
gc_durable(uint64_t n)
{
	struct gc_item	*it;

	while ((it = TAILQ_FIRST(&gc_syncing)) != NULL && it->ticket <= n) {
		TAILQ_REMOVE(&gc_syncing, it, entry);
		it->ops->done(it, GC_COMMITTED);
	}
	if (TAILQ_EMPTY(&gc_syncing) && gc_npending > 0 && gc_ev != NULL)
		event_active(gc_ev, EV_TIMEOUT, 0);	/* the batch that grew */
}

int
gc_init(struct event_base *base, struct store *st,
    const struct gc_bounds *bounds)
{
	if ((gc_ev = event_new(base, -1, 0, gc_flush_cb, NULL)) == NULL)
		return -1;
	gc_store = st;
	gc_bounds = *bounds;
	store_sync_on_durable(st, gc_durable);
	return 0;
}

/* Queues it and schedules the flush; flushes at once when full. */
void
gc_submit(struct gc_item *it, const struct gc_ops *ops, size_t bytes)
{
	it->ops = ops;
	TAILQ_INSERT_TAIL(&gc_pending_list, it, entry);
	gc_bytes += bytes;
	gc_added++;
	if (++gc_npending == 1) {
		gc_first_ms = util_mono_ms();
		event_active(gc_ev, EV_TIMEOUT, 0);	/* end of this pass */
	}
	if (gc_npending >= gc_bounds.max || gc_bytes >= gc_bounds.max_bytes)
		gc_flush();
}

int
gc_pending(void)
{
	return gc_npending;
}

/* Prepares (write 0) or writes (1) every item of the flushing batch. */
static void
gc_write_all(int write)
{
	struct gc_item	*it;

	TAILQ_FOREACH(it, &gc_flushing, entry)
		if (write)
			it->ops->write(it);
		else if (it->ops->prepare != NULL)
			it->ops->prepare(it);
}

/* Writes every pending item in one transaction; each is answered once
 * the transaction is on disk. */
void
gc_flush(void)
{
	struct gc_item	*it;
	uint64_t	 ticket = 0;
	int		 ok, lone, n = gc_npending;

	if (n == 0)
		return;
	/* Idle: nothing syncing and only a few items.  The loop then syncs
	 * the batch itself; the thread is for a batch that more work
	 * follows, which the loop stages meanwhile. */
	lone = n <= GC_LONE_MAX && TAILQ_EMPTY(&gc_syncing);
	event_del(gc_ev);
	TAILQ_CONCAT(&gc_flushing, &gc_pending_list, entry);
	gc_npending = 0;
	gc_bytes = 0;
	gc_added = 0;

	gc_write_all(0);
	if (lone)
		store_sync_hold(gc_store);
	ok = store_begin_deferred(gc_store) == 0;
	if (ok) {
		gc_write_all(1);
		/* The batch is lean (store_tx.h): after a write that failed
		 * half-way, all again, each write under a savepoint. */
		if (store_batch_spoiled(gc_store)) {
			ok = store_batch_redo(gc_store) == 0;
			if (ok) {
				gc_write_all(0);
				gc_write_all(1);
			}
		}
		ok = ok && store_commit(gc_store) == 0;
		ticket = store_sync_ticket(gc_store);
	}
	if (!ok) {
		log_warnx("store: a batch of %d envelope%s did not commit; no "
		    "receipts, their senders will retry", n, n == 1 ? "" : "s");
		while ((it = TAILQ_FIRST(&gc_flushing)) != NULL) {
			TAILQ_REMOVE(&gc_flushing, it, entry);
			it->ops->done(it, GC_FAILED);
		}
	} else {
		log_debug("store: committed a batch of %d envelope%s, ticket "
		    "%llu%s", n, n == 1 ? "" : "s", (unsigned long long)ticket,
		    lone ? "; the loop syncs it" : "");
		TAILQ_FOREACH(it, &gc_flushing, entry)
			it->ticket = ticket;
		TAILQ_CONCAT(&gc_syncing, &gc_flushing, entry);
		if (!lone)
			store_sync_request(gc_store, ticket);
	}
	/* A lone batch: the loop syncs it (or, if it failed, what its hold
	 * kept from the thread), and the listeners answer it now. */
	if (lone)
		store_sync_now(gc_store);
	/* Without the sync thread the commit was durable. */
	if (ok && store_sync_durable(gc_store) >= ticket)
		gc_durable(ticket);
	/* Between batches: bound the WAL if it must be.  A RESTART copies
	 * only frames that its own fsync of the WAL made durable first. */
	store_checkpoint_due(gc_store);
}

void
gc_shutdown(void)
{
	struct gc_item	*it;

	/* Committed batches are answered once on disk (fatal if the disk
	 * failed); those not flushed were never written. */
	if (gc_store != NULL)
		store_sync_drain(gc_store);
	while ((it = TAILQ_FIRST(&gc_pending_list)) != NULL) {
		TAILQ_REMOVE(&gc_pending_list, it, entry);
		it->ops->done(it, GC_DROPPED);
	}
	gc_npending = 0;
	gc_bytes = 0;
	if (gc_ev != NULL)
		event_free(gc_ev);
	gc_ev = NULL;
}
