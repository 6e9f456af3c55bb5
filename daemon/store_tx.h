/*
 * Transactions for the store's subject files (store_tx.c): each function
 * that changes state wraps its writes in store_tx_begin() ...
 * store_tx_commit(), or store_tx_abort() on failure.  On its own that is
 * one BEGIN IMMEDIATE ... COMMIT, durable when store_tx_commit() returns 0;
 * inside a batch opened by store_begin() (or any open transaction) it is a
 * SAVEPOINT, so that a failing call leaves no half of itself in the batch,
 * and the batch as a whole becomes durable at store_commit().
 *
 * The batch itself (store_begin, store_commit, store_rollback) is for the
 * store's users: the group commit, and operator requests that queue
 * several changes at once.  The group commit opens its batch with
 * store_begin_deferred(): its store_commit() returns once the frames are
 * written, and they are durable once its ticket is (store_sync.h).
 */
#ifndef POC_STORE_TX_H
#define POC_STORE_TX_H

#include "store_sql.h"

struct store;

/* An explicit batch: several changes, one commit. */
int	 store_begin(struct store *);
int	 store_begin_deferred(struct store *);
int	 store_commit(struct store *);
int	 store_rollback(struct store *);

/* 1 if a write failed after changing the open lean batch. */
int	 store_batch_spoiled(struct store *);

/* Rolls the batch back and opens it again (deferred if it was), with a
 * savepoint for each write.  Returns 0, or -1 with no batch open. */
int	 store_batch_redo(struct store *);

/* Opens this function's transaction; *nested (opaque) says which kind it
 * is, for the matching store_tx_commit() or store_tx_abort().  Returns 0
 * or -1.  In a lean batch it opens nothing: a function must then change
 * no row before a failure it expects (a duplicate, a refusal). */
int	 store_tx_begin(struct store *, int *nested);

/* Undoes everything since store_tx_begin(). */
void	 store_tx_abort(struct store *, int nested);

/* Ends what store_tx_begin() opened.  Returns 0, or -1 with everything
 * since store_tx_begin() undone. */
int	 store_tx_commit(struct store *, int nested);

/* Runs the bound statement id (no rows) inside its own transaction or
 * the caller's batch.  Returns the number of rows changed, or -1. */
int	 store_tx_write(struct store *, enum stmt_id id);

#endif
