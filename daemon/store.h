/*
 * The node's store: one SQLite file in WAL mode holding every envelope sent
 * and received, the outbox, checks, the directory and the audit log.  All
 * SQL of pocd lives in store_sql.c (statements, prepared once from a table)
 * and store_schema.c (migrations); store.c is the machinery they run on,
 * and these functions are defined in the files of their subject.
 *
 * Durability: each function that changes state runs in one transaction and
 * returns only after COMMIT (synchronous=FULL by default), so a caller may
 * send a receipt or tell the operator "queued" as soon as it returns 0.
 * When the caller has opened a batch with store_begin(), the functions join
 * it instead, and the batch becomes durable at store_commit().
 */
#ifndef POC_STORE_H
#define POC_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "proto/poc.pb-c.h"

#include "store_schema.h"	/* store_schema_latest() */

struct store;

enum store_sync {
	STORE_SYNC_FULL = 0,	/* fsync on every commit (default) */
	STORE_SYNC_NORMAL = 1,	/* WAL fsync at checkpoints only */
};

/* Opens (creating if needed) and migrates the database at path.  NULL on
 * failure with the reason in err. */
struct store	*store_open(const char *path, enum store_sync, char *err,
		    size_t errlen);
void		 store_close(struct store *);		/* NULL is a no-op */

/*
 * Moves WAL checkpoints off the commit path (store_ckpt.c): a thread with
 * its own connection checkpoints (PASSIVE) whenever a commit leaves pages
 * frames or more in the WAL.  pages <= 0 keeps SQLite's automatic
 * checkpoint inside commits.  Returns 0 or -1 (logged; the automatic one
 * stays).  store_close() stops the thread.
 *
 * store_checkpoint_due() is for the writer between its transactions (the
 * group commit, after a batch's receipts).  Once the thread has copied
 * all but the last few frames, it restarts the WAL, copying those few
 * (never waiting for a lock), so that a load that never pauses still lets
 * the WAL start again from its beginning; if the WAL has nevertheless
 * reached 8 times pages, it waits for the thread's round and copies the
 * rest, holding commits back for that long; otherwise it returns at once.
 */
int		 store_checkpoint_start(struct store *, int pages);
void		 store_checkpoint_due(struct store *);
void		 store_checkpoint_stop(struct store *);
int		 store_schema_version(struct store *);

/*
 * Health (store_health.c): the last write failure until a commit succeeds
 * again (code 0 = none; SQLite's extended result code), as text for
 * operators ("the store is full (N bytes free)"), when, and how many
 * transactions failed since start; bytes_free of the file system, -1 if
 * unknown.
 */
struct store_health {
	int		 code;
	char		 error[192];
	int64_t		 at;
	uint32_t	 failures;
	int64_t		 bytes_free;
};
void		 store_health_get(struct store *, struct store_health *);
/* The last failure was an fsync of a commit: it failed, but a crash
 * before the next commit may let recovery find it committed. */
int		 store_health_unsynced(struct store *);
int64_t		 store_bytes_free(struct store *);

/* An explicit batch: several changes, one commit. */
int		 store_begin(struct store *);
int		 store_commit(struct store *);
int		 store_rollback(struct store *);

enum store_put {
	STORE_ERROR = -1,	/* disk or database failure (logged) */
	STORE_NEW = 0,		/* stored now */
	STORE_DUPLICATE = 1,	/* same id from the same sender: already held */
	STORE_CONFLICT = 2,	/* same id already held from another sender */
};

/*
 * Stores an envelope received from a peer (direction "in", state
 * "received", received_at = now_ms).  The envelope is kept as its packed
 * bytes; the indexed columns are taken from e.
 */
enum store_put	 store_put_incoming(struct store *, const Poc__Envelope *e,
		    int64_t now_ms);

/* The same, also keeping signer_der, the DER certificate whose key signed
 * e, in the same transaction.  The caller has verified e's signature with
 * it: the row records that verdict (the listings show it, ctl_sig.c). */
enum store_put	 store_put_incoming_signed(struct store *,
		    const Poc__Envelope *e, const uint8_t *signer_der,
		    size_t signer_len, int64_t now_ms);

/*
 * Stores an envelope written by this node's operator (direction "out",
 * state "queued") and its outbox entry, in one transaction.
 */
enum store_put	 store_put_outgoing(struct store *, const Poc__Envelope *e,
		    int64_t now_ms);

/* The same, also keeping signer_der, this node's certificate that signed
 * e, so that the signature still checks after a key rotation. */
enum store_put	 store_put_outgoing_signed(struct store *,
		    const Poc__Envelope *e, const uint8_t *signer_der,
		    size_t signer_len, int64_t now_ms);

/* One queued envelope, in the order it was queued (seq). */
struct store_outbox_row {
	int64_t		 seq;
	char		 id[64];
	uint8_t		*data;		/* packed Envelope, owned */
	size_t		 len;
};

/* Loads up to max queued rows for recipient with seq > after_seq, oldest
 * first.  *rows is freed with store_outbox_rows_free.  Returns the count,
 * or -1. */
int		 store_outbox_load(struct store *, const char *recipient,
		    int64_t after_seq, int max, struct store_outbox_row **rows);
void		 store_outbox_rows_free(struct store_outbox_row *, int n);

/* A receipt came: ACCEPTED/DUPLICATE mark the message delivered, REJECTED
 * marks it rejected with reason; either way it leaves the outbox.  Returns
 * 0, or -1 (also when id is not queued for recipient). */
int		 store_outbox_delivered(struct store *, const char *recipient,
		    const char *id, int64_t now_ms);
int		 store_outbox_rejected(struct store *, const char *recipient,
		    const char *id, const char *reason, int64_t now_ms);

/* A delivery attempt to recipient failed: every queued row of it gets
 * attempts + 1, next_attempt_at and last_error. */
int		 store_outbox_failed(struct store *, const char *recipient,
		    int64_t next_attempt_ms, const char *error);

/* Per-recipient summary of the outbox, for scheduling and status. */
struct store_outbox_peer {
	char		 recipient[64];
	uint32_t	 queued;
	uint32_t	 attempts;		/* max over its rows */
	int64_t		 oldest_queued_at;	/* Unix ms */
	int64_t		 next_attempt_at;	/* Unix ms, max over its rows: the
						 * backoff of the last failure */
	char		 last_error[256];
};
/* Returns the count and an array to free(), or -1. */
int		 store_outbox_peers(struct store *, struct store_outbox_peer **);

/* Operator views.  Messages are returned as Poc__StoredMessage with the
 * envelope unpacked; free each with protobuf_c_message_free_unpacked and
 * the array with free(), or all at once with store_messages_free. */
enum store_box { STORE_INBOX = 1, STORE_OUTBOX = 2 };
int		 store_list(struct store *, enum store_box, int limit,
		    Poc__StoredMessage ***out);		/* newest first */

/*
 * A page of a box (store_list.c), newest first, every filter applied in
 * SQL over an index that yields the box in seq order: a page costs about
 * its own rows, however large the store.  A message's seq (sm->seq) is
 * its cursor: before = the last seq of a page gives the next one.
 */
enum store_exercise {
	STORE_EXERCISE_ANY = 0,
	STORE_EXERCISE_ONLY = 1,
	STORE_EXERCISE_NONE = 2,	/* real traffic only */
};
struct store_list_filter {
	enum store_box		 box;
	int			 limit;		/* <= 0: STORE_LIST_DEFAULT */
	int64_t			 before;	/* seq < before; 0 = none */
	int64_t			 after;		/* seq > after; 0 = none */
	int			 unacked;	/* requests/notifications not
						 * acknowledged */
	int			 overdue;	/* ... past their deadline at
						 * now (implies unacked) */
	const char		*party;		/* sender (inbox) or recipient
						 * (outbox); NULL/"" = any */
	int64_t			 since;		/* Unix ms; 0 = none */
	int			 kind;		/* body_case; 0 = any */
	enum store_exercise	 exercise;
	int64_t			 now;		/* Unix ms, for overdue */
	/* Inbox overdue: acknowledgement periods in ms by urgency
	 * (Poc__Urgency 0 to 4). */
	int64_t			 period[5];
};
int		 store_list_page(struct store *,
		    const struct store_list_filter *,
		    Poc__StoredMessage ***out);

/* One case (a thread opened by a request or notification), most
 * recently active first: its opening message and the thread's state. */
struct store_case {
	Poc__StoredMessage	*opening;	/* owned */
	int			 status;	/* Poc__CaseStatus; 0 = none */
	uint32_t		 messages;
	int64_t			 last_seq;	/* the cursor */
	int64_t			 last_at;	/* Unix ms */
};
struct store_cases_filter {
	int			 limit;		/* <= 0: STORE_LIST_DEFAULT */
	int64_t			 before;	/* last_seq < before */
	int64_t			 after;		/* last_seq > after */
	int			 open;		/* not RESOLVED, CLOSED or
						 * WITHDRAWN */
	const char		*party;		/* NULL/"" = any */
};
/* Returns the count with an array to free with store_cases_free, or -1. */
int		 store_cases(struct store *, const struct store_cases_filter *,
		    struct store_case **out);
void		 store_cases_free(struct store_case *, int n);
/* By full id or a unique prefix (>= 4 characters).  Returns 1 found, 0 not
 * found, 2 ambiguous prefix, -1 error. */
int		 store_get(struct store *, const char *id_or_prefix,
		    Poc__StoredMessage **out);
int		 store_thread(struct store *, const char *thread_id,
		    Poc__StoredMessage ***out);		/* oldest first */
void		 store_messages_free(Poc__StoredMessage **, int n);

/* The seq of the newest stored message (0 if none), or -1: lets a scan
 * over new messages remember how far it has looked. */
int64_t		 store_messages_last_seq(struct store *);

/* Counts for status. */
int		 store_count(struct store *, enum store_box, int only_queued);

#endif
