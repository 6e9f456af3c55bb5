/*
 * Group commit: every change submitted in one pass of the event loop
 * (envelopes received from any connection, receipts for this node's own
 * envelopes) is written in one SQLite transaction, and each submitter
 * hears only after that COMMIT.  One fsync is then shared by the whole
 * batch instead of paid per item.
 *
 * Bounds ([store] in pocd.conf): batch_max items or batch_max_bytes
 * bytes flush at once; otherwise the batch is committed after the first
 * loop pass that brings no new item, and at most batch_wait_ms after its
 * oldest item (0: at the end of the pass it started in); while the batch
 * before it is still syncing, when that sync returns (its receipts could
 * not go out sooner anyway).  The transaction
 * is opened and committed inside the flush, so no other writer (operator,
 * timers) ever joins it.
 *
 * The COMMIT does not wait for the disk: the batch's WAL frames are
 * fdatasync'ed on the store's sync thread (store_sync.h) while the loop
 * stages the next batch, and the items' done (receipts, ...) run only once
 * the sync thread reports their batch durable.  Shutdown waits for that.
 * When the pipeline is idle (no batch syncing, a few items: a lone
 * envelope) the loop fdatasyncs the batch itself right after its COMMIT
 * and runs the done at once: the same sync, without the two thread
 * hand-offs that would dominate a lone envelope's latency.
 *
 * This module only batches: what an item is, and what it writes, is its
 * submitter's (receive.c, outbox.c), told through its gc_ops.
 */
#ifndef POC_GCOMMIT_H
#define POC_GCOMMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

struct event_base;
struct store;
struct gc_item;

/* How an item's batch ended. */
enum gc_end {
	GC_COMMITTED,	/* its writes are durable (fdatasync'ed) */
	GC_FAILED,	/* the batch did not commit: nothing of it is stored */
	GC_DROPPED,	/* shutdown before its flush: nothing was written */
};

/*
 * What the batch does with an item, in this order for the whole batch:
 * prepare (may be NULL) each item, on the loop, before the transaction
 * opens; write each item inside the transaction, in submission order;
 * COMMIT; once that COMMIT is on disk (or at once if it failed), done
 * each item, which owns it again (and frees it).  If a write failed
 * half-way (store_batch_spoiled), the batch is rolled back and each item
 * prepared and written again: prepare puts an item back as it was before
 * its first write.
 */
struct gc_ops {
	void	(*prepare)(struct gc_item *);
	void	(*write)(struct gc_item *);
	void	(*done)(struct gc_item *, enum gc_end);
};

/* Embedded (first) in the submitter's item; the batch's own fields. */
struct gc_item {
	TAILQ_ENTRY(gc_item)	 entry;
	const struct gc_ops	*ops;
	uint64_t		 ticket;	/* its batch's, once committed */
};

struct gc_bounds {
	int	 max;		/* items */
	size_t	 max_bytes;
	int	 wait_ms;
};

/* Batches into st on base's loop, within bounds. */
int		 gc_init(struct event_base *base, struct store *st,
		    const struct gc_bounds *bounds);

/* Queues it (bytes: its share of batch_max_bytes).  May flush at once if
 * a bound is reached, so its done may have run when this returns. */
void		 gc_submit(struct gc_item *it, const struct gc_ops *ops,
		    size_t bytes);

/* Commits what is pending now (also run by the loop). */
void		 gc_flush(void);

/* Items still waiting (for status and tests). */
int		 gc_pending(void);

/* Waits for the committed batches to be on disk and answers them, hands
 * every pending item back to its done with GC_DROPPED and frees the
 * event.  For shutdown, once nothing else (a signature worker) may touch
 * an item. */
void		 gc_shutdown(void);

#endif
