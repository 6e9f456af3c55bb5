/*
 * The store's health (store_health.c): what the machinery (store.c,
 * store_tx.c) notes of each failed write and each commit, kept for
 * operators.  It sees only the SQLite connection, never struct store;
 * the store's users read it through store_health_get() (store.h).
 */
#ifndef POC_STORE_HEALTH_H
#define POC_STORE_HEALTH_H

#include <stdint.h>

struct sqlite3;

/*
 * The last write failure until a commit succeeds again (code 0 = none;
 * SQLite's extended result code), as text for operators ("the store is
 * full (N bytes free)"), when, and how many transactions failed since
 * start; bytes_free of the file system, -1 if unknown.
 */
struct store_health {
	int		 code;
	char		 error[192];
	int64_t		 at;
	uint32_t	 failures;
	int64_t		 bytes_free;
};

/* The state kept in struct store (bytes_free unused there). */
struct store_health_state {
	struct store_health	 last;
	int			 noted;		/* this transaction's failure */
};

/* A new top-level transaction begins: its failure, if any, counts once. */
void	 store_health_begin(struct store_health_state *);

/* A statement named stmt failed on db: notes a disk failure (full, I/O
 * error, a file that cannot be opened, a database found damaged) and logs
 * what it means; other errors are not the disk's and change nothing. */
void	 store_health_note(struct store_health_state *, struct sqlite3 *db,
	    const char *stmt);

/* A top-level transaction committed: the store writes again. */
void	 store_health_ok(struct store_health_state *);

/* A copy of the state for operators, with the free bytes of db's file
 * system. */
void	 store_health_read(const struct store_health_state *,
	    struct sqlite3 *db, struct store_health *);

/* The last failure was an fsync of a commit. */
int	 store_health_fsync_failed(const struct store_health_state *);

/* Free bytes for an unprivileged writer on the file system of db's main
 * file, or -1 if unknown. */
int64_t	 store_health_bytes_free(struct sqlite3 *db);

#endif
