/*
 * The store's messages (store_msg.c): storing an envelope received or
 * queued, the outbox rows of a recipient and their fate (delivered,
 * rejected, failed), one message or one thread by id, and counts.  Each
 * function that changes state runs in one transaction, or joins the
 * caller's batch (store_tx.h).
 */
#ifndef POC_STORE_MSG_H
#define POC_STORE_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "proto/poc.pb-c.h"
#include "store.h"
#include "store_list.h"		/* enum store_box, store_messages_free() */

struct store_signer;			/* store_sig.h */

enum store_put {
	STORE_ERROR = -1,	/* disk or database failure (logged) */
	STORE_NEW = 0,		/* stored now */
	STORE_DUPLICATE = 1,	/* the same envelope from the same sender:
				 * already held */
	STORE_CONFLICT = 2,	/* same id already held from another sender
				 * (or sent from here) */
	STORE_DIFFERS = 3,	/* same id from the same sender, other content:
				 * the first one is kept */
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

/* The same with the signer's digest already computed (receive.c keeps it
 * per certificate, certder.h). */
enum store_put	 store_put_incoming_signer(struct store *,
		    const Poc__Envelope *e, const struct store_signer *signer,
		    int64_t now_ms);

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


/* Messages are returned as Poc__StoredMessage with the envelope unpacked;
 * free them with store_messages_free (store_list.h). */
/* By full id or a unique prefix (>= 4 characters).  Returns 1 found, 0 not
 * found, 2 ambiguous prefix, -1 error. */
int		 store_get(struct store *, const char *id_or_prefix,
		    Poc__StoredMessage **out);
int		 store_thread(struct store *, const char *thread_id,
		    Poc__StoredMessage ***out);		/* oldest first */

/* Counts for status. */
int		 store_count(struct store *, enum store_box, int only_queued);

/* For the store's subject files: a row reader (store_int.h's
 * store_collect) for the statements selecting (seq, id, envelope) into a
 * struct store_outbox_row (the outbox, and the scans for messages without
 * their deadline or case row); store_row_envelope_free frees one. */
int		 store_row_envelope(struct store *, sqlite3_stmt *, void *elem);
void		 store_row_envelope_free(void *elem);

#endif
