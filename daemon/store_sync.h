/*
 * Durability tickets (store_sync.c): the group commit's COMMIT writes its
 * WAL frames without waiting for the disk, and a thread fdatasync()s the
 * WAL behind it, so that the loop stages the next batch meanwhile.
 *
 * Every top-level COMMIT of the store gets a ticket, its number in commit
 * order (store_sync_ticket() right after it).  A commit made inside a
 * deferred batch (store_begin_deferred, store_tx.h) is on disk only once
 * the loop has heard "durable up to N" with N >= its ticket; every other
 * commit is durable when it returns, as before.  Who must not tell the
 * outside world of a change before that (the group commit's receipts,
 * events and their alerts, operator answers) asks for its ticket with
 * store_sync_request() and acts in its store_sync_on_durable() listener,
 * or waits with store_sync_settle().
 *
 * One owner each: the thread fdatasync()s, or the loop for a lone batch
 * (store_sync_now); either, or a COMMIT that synced inline
 * (store_sync_inline), advances what is synced; the loop alone applies
 * it (store_sync_durable) and calls the listeners, in ticket order.  A
 * failed fdatasync is fatal: its pages may be dropped, and a retry could
 * succeed without them ("fsyncgate"), so nothing of the unsynced batches
 * is ever acknowledged; their senders retry after the restart and
 * duplicates are detected then.
 *
 * Without store_sync_start() (tools, tests, synchronous = normal) there
 * is no thread and every commit counts as durable when it returns.
 */
#ifndef POC_STORE_SYNC_H
#define POC_STORE_SYNC_H

#include <stdint.h>

struct event_base;
struct store;

typedef void	store_durable_fn(uint64_t durable);

/* Opens the WAL for syncing, fsyncs its directory once and starts the
 * thread, which reports on base's loop.  A no-op (0) unless the store is
 * synchronous=FULL.  Returns 0 or -1 (logged; commits stay FULL). */
int		 store_sync_start(struct store *, struct event_base *base);

/* Waits for every ticket asked for, then stops the thread (also run by
 * store_close). */
void		 store_sync_stop(struct store *);

/* The ticket of the last top-level COMMIT. */
uint64_t	 store_sync_ticket(struct store *);

/* Every ticket up to this one is on disk, as the loop knows it. */
uint64_t	 store_sync_durable(struct store *);

/* Asks the thread to make ticket durable (a no-op if it is). */
void		 store_sync_request(struct store *, uint64_t ticket);

/* The loop is about to commit a batch that it will sync itself with
 * store_sync_now(): until then a ticket asked for (by a hook inside that
 * COMMIT) is noted but does not wake the thread (one already awake may
 * sync it too, which is harmless). */
void		 store_sync_hold(struct store *);

/* fdatasync()s the WAL on the calling thread (the loop), making every
 * commit so far durable, ends store_sync_hold(), and the listeners hear
 * of it now.  Fatal if the disk failed, as on the thread.  For a lone
 * batch, whose answer would otherwise wait for two thread hand-offs. */
void		 store_sync_now(struct store *);

/* fn hears each advance of store_sync_durable(), on the loop (at most a
 * few listeners; fatal beyond). */
void		 store_sync_on_durable(struct store *, store_durable_fn *fn);

/* Blocks until every commit so far is on disk (fatal if the disk
 * failed); the listeners hear of it at the loop's next turn.  For an
 * answer that reads the store: an operator's request. */
void		 store_sync_settle(struct store *);

/* A COMMIT at synchronous=FULL has just returned: SQLite fdatasync()ed
 * the WAL, so every commit up to it is on disk; no sync is asked of the
 * thread for them (an operator's request, an event). */
void		 store_sync_inline(struct store *);

/* store_sync_settle(), and the listeners hear of it now: for shutdown. */
void		 store_sync_drain(struct store *);

#endif
