/*
 * The store's machinery as its subject files see it (store.c): the
 * connection object, running a statement of the table (store_sql.h) and
 * reading its rows, and hooks for state kept above the machinery.
 * Transactions are in store_tx.h.  Nothing outside daemon/store*.c
 * includes this.
 *
 * The machinery (store.c, store_sql.c, store_schema.c, store_tx.c) calls
 * none of the subject files (store_msg.c, store_checks.c, store_dir.c,
 * store_audit.c, store_sig.c) nor store_ckpt.c: those that must hear of a
 * transaction's end or of the close register a hook.
 */
#ifndef POC_STORE_INT_H
#define POC_STORE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "store.h"
#include "store_health.h"
#include "store_sql.h"

#define STORE_LIST_DEFAULT	100
#define STORE_HOOKS_MAX		8

/*
 * What a file above the machinery hears: tx_end at each end of a
 * transaction (committed 1, rolled back 0; also 0 before each BEGIN, for
 * whatever came before), used after each statement run outside any
 * transaction (a read: a directory pull, an operator's listing; no
 * tx_end follows it), close before the connection goes, tx_precommit
 * just before a lean batch's COMMIT (store_tx.h), to write what it kept in
 * memory for the whole batch (-1 fails the commit).  Any may be NULL.
 * Registered once per store with store_hook_add().
 */
struct store_hook {
	void	(*tx_end)(struct store *, int committed);
	void	(*used)(struct store *);
	void	(*close)(struct store *);
	int	(*tx_precommit)(struct store *);
};

struct store {
	sqlite3			*db;
	sqlite3_stmt		*stmt[STMT_MAX];
	int			 batch;		/* inside store_begin() */
	int			 sync_full;
	const struct store_hook	*hooks[STORE_HOOKS_MAX];
	struct store_ckpt	*ckpt;		/* store_ckpt.c's, or NULL */
	struct store_syncer	*sync;		/* store_sync.c's, or NULL */
	uint64_t		 commits;	/* top-level COMMITs: tickets */
	int			 deferred;	/* the batch's COMMIT does not
						 * sync (store_begin_deferred) */
	int			 lean;		/* the batch's writes take no
						 * savepoints (store_tx.c) */
	int			 spoiled;	/* a lean write failed after
						 * it had changed rows */
	uint64_t		 batches;	/* batches opened: which one
						 * is open (store_begin) */
	struct store_signers	*signers;	/* store_sig.c's, or NULL */
	struct store_health_state health;	/* store_health.c's */
};

/* Adds h to st's hooks (again: a no-op).  h must outlive st. */
void	 store_hook_add(struct store *, const struct store_hook *h);

/* Statement helpers: log an error with the statement's name, reset after
 * use, run a statement without rows. */
void	 store_stmt_error(struct store *, enum stmt_id);
void	 store_stmt_done(struct store *, enum stmt_id);
int	 store_stmt_exec(struct store *, enum stmt_id);

/* Runs the bound statement id that returns one row of one integer: *v is
 * its value, -1 for NULL.  Returns 0, or -1 (logged). */
int	 store_stmt_int64(struct store *, enum stmt_id, int64_t *v);

/* Binding and reading columns with explicit lengths. */
int	 store_bind_text(sqlite3_stmt *, int, const char *);
int	 store_bind_blob(sqlite3_stmt *, int, const void *, size_t);
int	 store_col_copy(sqlite3_stmt *, int, char *, size_t);
void	 store_col_copy_trunc(sqlite3_stmt *, int, char *, size_t);
char	*store_col_strdup(sqlite3_stmt *, int);
uint8_t	*store_col_blobdup(sqlite3_stmt *, int, size_t *len);
int	 store_col_equal(sqlite3_stmt *, int, const char *);
int	 store_clamp_int(sqlite3_int64);

/*
 * Reading rows into arrays.  A row reader fills elem (zeroed) from the
 * current row of s and returns 1 to keep it, 0 to skip it, or -1 to fail
 * (having logged why and freed what it allocated for elem).  An elem_free
 * function frees what one kept element owns (not the element itself).
 */
typedef int	(*store_row_fn)(struct store *, sqlite3_stmt *, void *elem);
typedef void	(*store_elem_free_fn)(void *elem);

/* Steps the already bound statement id, one element of elem_size per row
 * through row, and resets id.  Returns the count with the array in *out
 * (free it with store_rows_free), or -1 with everything freed and *out
 * NULL.  elem_free may be NULL when elements own nothing. */
int	 store_collect(struct store *, enum stmt_id id, size_t elem_size,
	    store_row_fn row, store_elem_free_fn elem_free, void **out);

/* Frees an array of n elements of elem_size and what each owns; NULL is
 * a no-op. */
void	 store_rows_free(void *rows, int n, size_t elem_size,
	    store_elem_free_fn elem_free);

#endif
