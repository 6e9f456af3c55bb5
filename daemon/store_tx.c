/*
 * The store's transactions (see store_tx.h): a subject function's own
 * transaction or savepoint, and the caller's batch (store_begin).
 *
 * Durability: a function that changes state opens BEGIN IMMEDIATE, does
 * all of its writes and returns success only after COMMIT has returned,
 * which with synchronous=FULL means the WAL has been fsync'd.  Callers rely
 * on this to send a receipt or to answer "queued" only after the fact is
 * on disk.  Inside a batch a function wraps its writes in a SAVEPOINT
 * instead; the batch as a whole becomes durable at store_commit(), or,
 * for a batch opened by store_begin_deferred(), once its ticket is synced
 * (store_sync.h).  Each top-level COMMIT takes the next ticket before the
 * hooks hear of it.
 *
 * The group commit's batch is lean (store_begin_deferred): its writes
 * take no savepoint each.  A savepoint costs a copy of every page the
 * write changes that the batch had changed before (SQLite's statement
 * journal), which for a batch of envelopes is most of the pages of every
 * write: a tenth of the receiving node's instructions.  What a savepoint
 * was for, a failing write leaving no half of itself, holds without one
 * for a write that fails before it changed a row (a duplicate, a
 * conflict, a failed statement: SQLite undoes a statement whole), which
 * is how subject functions are written: they check, then write.  A write
 * that fails after it changed rows spoils the batch (store_tx_abort sees
 * the connection's change count moved since its store_tx_begin): its
 * owner then writes the batch again, each write under its own savepoint
 * (store_batch_redo), and a spoiled batch never commits.
 *
 * State kept above the machinery that must follow the transaction (the
 * signer cache of store_sig.c) hears of each end through its hook
 * (store_hook_add): committed, or rolled back.
 */
#include <sqlite3.h>

#include "log.h"
#include "store_int.h"
#include "store_health.h"
#include "store_sync.h"
#include "store_tx.h"

static void	store_tx_undefer(struct store *);

/* Before a lean batch's COMMIT: what the hooks kept for it in memory. */
static int
store_tx_precommit(struct store *st)
{
	size_t	 i;

	for (i = 0; i < STORE_HOOKS_MAX && st->hooks[i] != NULL; i++)
		if (st->hooks[i]->tx_precommit != NULL &&
		    st->hooks[i]->tx_precommit(st) == -1) {
			log_warnx("store: commit: the batch's last writes "
			    "failed; rolled back");
			return -1;
		}
	return 0;
}

/* A lean write's *nested: -1 - its start's change count, so masked that
 * it stays negative (a batch never changes 2^30 rows). */
#define STORE_TX_MARK	0x3fffffff

/* The change count a lean write's *nested is compared with. */
static int
store_tx_mark(struct store *st)
{
	return -1 - (sqlite3_total_changes(st->db) & STORE_TX_MARK);
}

/* Tells the hooks that the transaction has ended (or, before a BEGIN, that
 * whatever came before is over): committed, or rolled back. */
static void
store_tx_ended(struct store *st, int committed)
{
	size_t	 i;

	for (i = 0; i < STORE_HOOKS_MAX && st->hooks[i] != NULL; i++)
		if (st->hooks[i]->tx_end != NULL)
			st->hooks[i]->tx_end(st, committed);
}

/*
 * BEGIN IMMEDIATE on its own, or a savepoint inside the caller's batch.
 * IMMEDIATE takes the write lock up front, so a read-then-write (the
 * duplicate check) cannot be overtaken.
 */
int
store_tx_begin(struct store *st, int *nested)
{
	if (!sqlite3_get_autocommit(st->db)) {
		if (st->lean && st->batch) {
			*nested = store_tx_mark(st);
			return 0;
		}
		*nested = 1;
		return store_stmt_exec(st, STMT_SAVEPOINT);
	}
	if (st->batch) {
		/* SQLite rolled the batch back after an error (SQLITE_FULL,
		 * IOERR...): writing on our own would split it. */
		log_warnx("store: the open batch was rolled back by an "
		    "earlier error");
		return -1;
	}
	*nested = 0;
	store_tx_ended(st, 0);
	store_health_begin(&st->health);
	return store_stmt_exec(st, STMT_BEGIN);
}

/* Nothing to do if SQLite already rolled the whole transaction back
 * itself. */
void
store_tx_abort(struct store *st, int nested)
{
	/* Conservative: the hooks hear of a rollback also for a savepoint
	 * (the signer cache forgets the whole transaction's new signers;
	 * they are inserted again, OR IGNORE, if needed). */
	store_tx_ended(st, 0);
	if (sqlite3_get_autocommit(st->db))
		return;
	if (nested < 0) {
		if (nested != store_tx_mark(st) && !st->spoiled) {
			st->spoiled = 1;
			log_warnx("store: a write failed after it had changed "
			    "the batch; the batch is written again");
		}
		return;
	}
	if (nested) {
		if (store_stmt_exec(st, STMT_ROLLBACK_TO) == 0)
			(void)store_stmt_exec(st, STMT_RELEASE);
	} else
		(void)store_stmt_exec(st, STMT_ROLLBACK);
}

/* Own transactions are durable when this returns 0. */
int
store_tx_commit(struct store *st, int nested)
{
	if (nested < 0)
		return 0;	/* a lean write: the batch commits it */
	if (store_stmt_exec(st, nested ? STMT_RELEASE : STMT_COMMIT) == 0) {
		if (!nested) {
			st->commits++;
			store_sync_inline(st);	/* never deferred */
			store_tx_ended(st, 1);
			store_health_ok(&st->health);
		}
		return 0;
	}
	store_tx_abort(st, nested);
	return -1;
}

/* Opens the caller's batch: refused inside any open transaction. */
int
store_begin(struct store *st)
{
	if (st->batch || !sqlite3_get_autocommit(st->db)) {
		log_warnx("store: begin: a batch is already open");
		return -1;
	}
	store_tx_ended(st, 0);
	store_health_begin(&st->health);
	if (store_stmt_exec(st, STMT_BEGIN) == -1)
		return -1;
	st->batch = 1;
	st->batches++;
	st->lean = 0;
	st->spoiled = 0;
	return 0;
}

/* Opens a lean batch (above) whose COMMIT writes its WAL frames without
 * syncing them (synchronous=NORMAL for it alone: SQLite takes the level
 * only outside a transaction).  Only with the sync thread; otherwise
 * store_begin(), lean too. */
int
store_begin_deferred(struct store *st)
{
	if (st->sync == NULL || st->batch ||
	    !sqlite3_get_autocommit(st->db))
		goto plain;
	if (sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
	    NULL) != SQLITE_OK) {
		log_warnx("store: synchronous: %s", sqlite3_errmsg(st->db));
		goto plain;
	}
	st->deferred = 1;
	if (store_begin(st) == -1) {
		store_tx_undefer(st);
		return -1;
	}
	st->lean = 1;
	return 0;
 plain:
	if (store_begin(st) == -1)
		return -1;
	st->lean = 1;
	return 0;
}

int
store_batch_spoiled(struct store *st)
{
	return st->batch && st->spoiled;
}

/* Rolls the batch back and opens it again, as it was (deferred or not),
 * with a savepoint for each write. */
int
store_batch_redo(struct store *st)
{
	if (!st->batch) {
		log_warnx("store: redo: no batch is open");
		return -1;
	}
	st->batch = 0;
	if (!sqlite3_get_autocommit(st->db))
		(void)store_stmt_exec(st, STMT_ROLLBACK);
	if (store_begin(st) == -1) {
		store_tx_undefer(st);
		return -1;
	}
	return 0;
}

/* Back to synchronous=FULL after a deferred batch, whatever its end.
 * Every other commit relies on it: failing that, stop. */
static void
store_tx_undefer(struct store *st)
{
	if (!st->deferred)
		return;
	st->deferred = 0;
	if (sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL, NULL,
	    NULL) != SQLITE_OK)
		fatalx("store: cannot set synchronous = FULL again: %s",
		    sqlite3_errmsg(st->db));
}

/* Commits the batch, or rolls back what is left of it: -1 if SQLite had
 * already rolled it back after an error, so that no receipt is sent. */
int
store_commit(struct store *st)
{
	int	 was = st->batch, deferred;

	st->batch = 0;
	if (was && st->spoiled) {
		/* Never half a write: nothing of it commits. */
		log_warnx("store: commit: the batch is spoiled; rolled back");
		(void)store_rollback(st);
		return -1;
	}
	if (was && st->lean && !sqlite3_get_autocommit(st->db) &&
	    store_tx_precommit(st) == -1) {
		(void)store_rollback(st);
		return -1;
	}
	if (!was || sqlite3_get_autocommit(st->db)) {
		store_tx_undefer(st);
		store_tx_ended(st, 0);
		log_warnx("store: commit: %s", was ? "the batch was rolled "
		    "back by an earlier error" : "no batch is open");
		return -1;
	}
	if (store_stmt_exec(st, STMT_COMMIT) == -1) {
		if (!sqlite3_get_autocommit(st->db))
			(void)store_stmt_exec(st, STMT_ROLLBACK);
		store_tx_undefer(st);
		store_tx_ended(st, 0);
		return -1;
	}
	st->commits++;
	deferred = st->deferred;
	/* Back to FULL before any hook runs: a hook that wrote would
	 * otherwise commit unsynced and be taken for durable. */
	store_tx_undefer(st);
	if (!deferred)
		store_sync_inline(st);
	store_tx_ended(st, 1);
	store_health_ok(&st->health);
	return 0;
}

/* Undoes the batch; 0 also when SQLite already rolled it back. */
int
store_rollback(struct store *st)
{
	int	 rc = 0;

	st->batch = 0;
	if (!sqlite3_get_autocommit(st->db))
		rc = store_stmt_exec(st, STMT_ROLLBACK);
	store_tx_undefer(st);
	store_tx_ended(st, 0);
	return rc;
}

/* Runs bound statement id (no rows) inside its own transaction or the
 * caller's batch.  Returns the number of rows changed, or -1. */
int
store_tx_write(struct store *st, enum stmt_id id)
{
	int	 nested, n;

	if (store_tx_begin(st, &nested) == -1) {
		store_stmt_done(st, id);
		return -1;
	}
	if (sqlite3_step(st->stmt[id]) != SQLITE_DONE) {
		store_stmt_error(st, id);
		store_stmt_done(st, id);
		store_tx_abort(st, nested);
		return -1;
	}
	store_stmt_done(st, id);
	n = sqlite3_changes(st->db);
	if (store_tx_commit(st, nested) == -1)
		return -1;
	return n;
}
