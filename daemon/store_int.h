/*
 * The store's internals, shared by its files only (store.c: open,
 * migrations, transactions and the SQL of every statement; store_msg.c:
 * messages and the outbox).  Nothing outside daemon/store*.c includes this.
 */
#ifndef POC_STORE_INT_H
#define POC_STORE_INT_H

#include <stddef.h>
#include <sqlite3.h>

#include "store.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define STORE_LIST_DEFAULT	100
#define STORE_BUSY_TIMEOUT_MS	5000

enum stmt_id {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_USER_VERSION,
	STMT_MSG_FIND,
	STMT_MSG_INSERT,
	STMT_OUTBOX_INSERT,
	STMT_OUTBOX_LOAD,
	STMT_OUTBOX_SETTLE,
	STMT_OUTBOX_DELETE,
	STMT_OUTBOX_FAILED,
	STMT_OUTBOX_PEERS,
	STMT_LIST,
	STMT_GET_ID,
	STMT_GET_PREFIX,
	STMT_THREAD,
	STMT_ACKS,
	STMT_COUNT,
	STMT_CHECKS_CAMPAIGN_ADD,
	STMT_CHECKS_TARGET_ADD,
	STMT_CHECKS_CAMPAIGN_ID,
	STMT_CHECKS_CAMPAIGN_PREFIX,
	STMT_CHECKS_CAMPAIGN_LIST,
	STMT_CHECKS_TARGETS,
	STMT_CHECKS_TARGET_FIND,
	STMT_CHECKS_REPLY,
	STMT_CHECKS_LAST,
	STMT_DEADLINE_MISSING,
	STMT_DEADLINE_ADD,
	STMT_DEADLINE_NEXT,
	STMT_DEADLINE_DUE,
	STMT_DEADLINE_MARK,
	STMT_DEADLINE_GET,
	STMT_DEADLINE_OVERDUE,
	STMT_CASE_MISSING,
	STMT_CASE_ADD,
	STMT_CASE_HISTORY,
	STMT_AUDIT_LAST,	/* store_audit.c */
	STMT_AUDIT_INSERT,
	STMT_AUDIT_ENVELOPE,
	STMT_AUDIT_LOAD,
	STMT_SIGNER_INSERT,	/* store_sig.c */
	STMT_SIGNER_SET,
	STMT_SIGNER_GET,
	STMT_SIGNER_QUEUED,
	STMT_SIGNER_REPLACE,
	STMT_DIR_GET,
	STMT_DIR_PUT,
	STMT_DIR_LIST,
	STMT_DIR_CHECK_SET,
	STMT_DIR_CHECK_GET,
	STMT_DIR_META_SET,
	STMT_DIR_META_GET,
	STMT_MSG_LAST_SEQ,
	STMT_MAX
};

/* The columns store_message_from_row() reads, in this order. */
#define MSG_SELECT							\
	"SELECT m.seq, m.id, m.direction, m.state, m.received_at,"	\
	" m.delivered_at, m.reason, m.envelope,"			\
	" coalesce(o.attempts, 0), coalesce(o.next_attempt_at, 0)"	\
	" FROM messages m LEFT JOIN outbox o ON o.seq = m.seq "
enum msg_col {
	MCOL_SEQ, MCOL_ID, MCOL_DIRECTION, MCOL_STATE, MCOL_RECEIVED_AT,
	MCOL_DELIVERED_AT, MCOL_REASON, MCOL_ENVELOPE, MCOL_ATTEMPTS,
	MCOL_NEXT_ATTEMPT_AT
};

struct store_stmt {
	enum stmt_id	 id;
	const char	*name;
	const char	*sql;
};

extern const struct store_stmt store_stmts[STMT_MAX];

/* Signer certificates known to be in signer_certs (store_sig.c). */
#define STORE_SIGNER_CACHE	16
struct store_signer_fp {
	uint8_t		 fp[32];	/* SHA-256 of the DER */
	int		 state;		/* 0 free, 1 inserted in the open
					 * transaction, 2 committed */
};

struct store {
	sqlite3			*db;
	sqlite3_stmt		*stmt[STMT_MAX];
	int			 batch;		/* inside store_begin() */
	int			 sync_full;
	struct store_ckpt	*ckpt;		/* store_ckpt.c, or NULL */
	struct store_signer_fp	 signers[STORE_SIGNER_CACHE];
	unsigned		 signer_next;	/* round-robin eviction */
};

/* The signer cache follows the transaction: its entries added inside it
 * become known at a COMMIT and are forgotten at any rollback. */
void	 store_signer_tx_end(struct store *, int committed);


/* Statement helpers: log an error with the statement's name, reset after
 * use, run a statement without rows. */
void	 store_stmt_error(struct store *, enum stmt_id);
void	 store_stmt_done(struct store *, enum stmt_id);
int	 store_stmt_exec(struct store *, enum stmt_id);

/* Binding and reading columns with explicit lengths. */
int	 store_bind_text(sqlite3_stmt *, int, const char *);
int	 store_bind_blob(sqlite3_stmt *, int, const void *, size_t);
int	 store_col_copy(sqlite3_stmt *, int, char *, size_t);
void	 store_col_copy_trunc(sqlite3_stmt *, int, char *, size_t);
char	*store_col_strdup(sqlite3_stmt *, int);
int	 store_col_equal(sqlite3_stmt *, int, const char *);
int	 store_clamp_int(sqlite3_int64);

/*
 * Reading rows into arrays.  A row reader fills elem (zeroed) from the
 * current row of s and returns 1 to keep it, 0 to skip it, or -1 to fail
 * (having logged why and freed what it allocated for elem).  A rows_free
 * function frees an array of n kept elements and what they own.
 */
typedef int	(*store_row_fn)(struct store *, sqlite3_stmt *, void *elem);
typedef void	(*store_rows_free_fn)(void *rows, int n);

/* Steps the already bound statement id, one element of elem_size per row
 * through row, and resets id.  Returns the count with the array in *out
 * (free() it, or rows_free), or -1 with everything freed and *out NULL.
 * rows_free may be NULL when elements own nothing. */
int	 store_collect(struct store *, enum stmt_id id, size_t elem_size,
	    store_row_fn row, store_rows_free_fn rows_free, void **out);

/* One transaction per state change, or a savepoint inside a batch. */
int	 store_tx_begin(struct store *, int *nested);
void	 store_tx_abort(struct store *, int nested);
int	 store_tx_commit(struct store *, int nested);

#endif
