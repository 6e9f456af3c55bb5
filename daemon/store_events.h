/*
 * The store's part for events that need a person (store_events.c): the
 * events table, written in the transaction of the change that raised
 * each event, read back by events.c to announce them after the commit,
 * and the [alert] command's record per event (pending, done, given up)
 * for alert.c.  The SQL is in store_sql.c's statement table.
 */
#ifndef POC_STORE_EVENTS_H
#define POC_STORE_EVENTS_H

#include <stdint.h>

#include "store.h"

/* Where an event stands with the [alert] command (the column alert; disk
 * values, never renumber). */
enum store_alert_state {
	STORE_ALERT_NONE = 0,		/* no command runs for it */
	STORE_ALERT_PENDING = 1,	/* must still run (or run again) */
	STORE_ALERT_DONE = 2,		/* the command exited 0 */
	STORE_ALERT_GIVEN_UP = 3,	/* failed [alert] attempts times */
};

/* One stored event: ev owned (strings included), attempts so far. */
struct store_event {
	Poc__NodeEvent	*ev;
	int		 attempts;
};

/*
 * Records ev (its seq is ignored; its alert flag makes it PENDING) in the
 * caller's transaction, or in one of its own.  dedupe, if not NULL, names
 * an event raised at most once: a second one with the same name is not
 * stored.  Returns 1 stored, 0 already held under dedupe, -1 error.
 */
int	 store_events_put(struct store *, const Poc__NodeEvent *ev,
	    const char *dedupe);

/* Up to max events with seq > after_seq, oldest first, in *out (free with
 * store_events_free).  Returns the count or -1. */
int	 store_events_since(struct store *, uint64_t after_seq, int max,
	    struct store_event **out);

/* Up to max PENDING alerts due at now_ms, oldest first.  Count or -1. */
int	 store_events_alerts_due(struct store *, int64_t now_ms, int max,
	    struct store_event **out);

/* Frees n events of store_events_since/_alerts_due; NULL is a no-op. */
void	 store_events_free(struct store_event *, int n);

/* The alert of event seq, if still PENDING, becomes state with attempts,
 * alert_at (next try when PENDING, else when it ended) and error.
 * Returns 0 or -1. */
int	 store_events_alert_set(struct store *, uint64_t seq,
	    enum store_alert_state state, int attempts, int64_t alert_at,
	    const char *error);

/* When the next PENDING alert is due (Unix ms; 0 = none), or -1. */
int64_t	 store_events_alert_next(struct store *);

/* Alerts still PENDING, or -1. */
int	 store_events_alerts_pending(struct store *);

/* The newest event's seq (0 if none), or -1. */
int64_t	 store_events_last_seq(struct store *);

/* fn runs after each COMMIT of st (not after a rollback, nor a
 * savepoint's release) that may hold new events, with the newest event's
 * seq then committed (0 if it could not be read).  They are on disk once
 * that COMMIT's ticket is (store_sync.h).  One fn per process; it must
 * not use the store itself (it is called from inside store_commit). */
void	 store_events_on_commit(struct store *, void (*fn)(uint64_t seq));

/* Deletes events older than before_ms whose alert is not PENDING.
 * Returns the number deleted, or -1. */
int	 store_events_prune(struct store *, int64_t before_ms);

#endif
