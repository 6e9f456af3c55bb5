/*
 * Messages and the outbox in the store: putting envelopes (with duplicate
 * and conflict detection), the delivery queue, and the operator's views.
 * The SQL is in store_sql.c's statement table; see store_tx.c for
 * durability.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "envsig.h"
#include "log.h"
#include "store_audit.h"
#include "store_int.h"
#include "store_list_int.h"
#include "store_msg.h"
#include "store_sig.h"
#include "store_tx.h"
#include "validate.h"

/* The message id an envelope refers to for acknowledgement tracking. */
static const char *
envelope_ref_id(const Poc__Envelope *e)
{
	switch (e->body_case) {
	case POC__ENVELOPE__BODY_ACKNOWLEDGEMENT:
		return e->acknowledgement != NULL ?
		    e->acknowledgement->ack_of : "";
	case POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE:
		return e->assistance_response != NULL ?
		    e->assistance_response->request_id : "";
	default:
		return "";
	}
}

/* The urgency of a request or notification, else 0. */
static int
envelope_urgency(const Poc__Envelope *e)
{
	switch (e->body_case) {
	case POC__ENVELOPE__BODY_ASSISTANCE_REQUEST:
		return e->assistance_request != NULL ?
		    (int)e->assistance_request->urgency : 0;
	case POC__ENVELOPE__BODY_NOTIFICATION:
		return e->notification != NULL ?
		    (int)e->notification->urgency : 0;
	default:
		return 0;
	}
}

/* 1 if blob (a stored envelope) has the canonical bytes of e, 0 if not,
 * -1 if it cannot be read. */
static int
store_put_same(const void *blob, int len, const Poc__Envelope *e)
{
	Poc__Envelope	*held;
	uint8_t		 a[32], b[32];
	int		 res = -1;

	if (blob == NULL || len <= 0 || (held = poc__envelope__unpack(NULL,
	    (size_t)len, blob)) == NULL)
		return -1;
	if (envsig_leaf(held, a) == 0 && envsig_leaf(e, b) == 0)
		res = memcmp(a, b, sizeof(a)) == 0;
	poc__envelope__free_unpacked(held, NULL);
	return res;
}

/*
 * Looks up e->id: STORE_NEW if unknown, else how it relates to what is
 * held.  Only a resend is a duplicate: an incoming envelope from the same
 * sender with the same canonical bytes (the signature, single or batch,
 * may differ: a window resent is a new batch, a key rotation signs
 * again).  The same id from the same sender with other content is
 * STORE_DIFFERS, and from another sender, or an id sent from here,
 * STORE_CONFLICT: never a DUPLICATE, which would tell a sender its
 * envelope is held when it is not (docs/guarantees.md "Message ids").
 */
static enum store_put
store_put_check(struct store *st, const Poc__Envelope *e, int outgoing)
{
	sqlite3_stmt	*s = st->stmt[STMT_MSG_FIND];
	enum store_put	 res;
	int		 rc, same;

	if (store_bind_text(s, 1, e->id) != SQLITE_OK) {
		store_stmt_error(st, STMT_MSG_FIND);
		store_stmt_done(st, STMT_MSG_FIND);
		return STORE_ERROR;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		res = STORE_NEW;
	else if (rc != SQLITE_ROW) {
		store_stmt_error(st, STMT_MSG_FIND);
		res = STORE_ERROR;
	} else if (outgoing || !store_col_equal(s, 0, e->sender) ||
	    !store_col_equal(s, 1, "in"))
		res = STORE_CONFLICT;
	else if ((same = store_put_same(sqlite3_column_blob(s, 2),
	    sqlite3_column_bytes(s, 2), e)) == -1) {
		log_warnx("store: envelope %s: the one held cannot be read",
		    e->id);
		res = STORE_ERROR;
	} else
		res = same ? STORE_DUPLICATE : STORE_DIFFERS;
	store_stmt_done(st, STMT_MSG_FIND);
	return res;
}

/* Inserts the messages row (and for outgoing the outbox row). */
static int
store_put_insert(struct store *st, const Poc__Envelope *e, int outgoing,
    const uint8_t *buf, size_t len, const uint8_t *signer_fp, int64_t now_ms)
{
	sqlite3_stmt	*s = st->stmt[STMT_MSG_INSERT];
	int64_t		 seq;

	if (store_bind_text(s, 1, e->id) ||
	    store_bind_text(s, 2, outgoing ? "out" : "in") ||
	    store_bind_text(s, 3, e->sender) || store_bind_text(s, 4, e->recipient) ||
	    store_bind_text(s, 5, e->thread_id) || store_bind_text(s, 6, e->in_reply_to) ||
	    store_bind_text(s, 7, envelope_ref_id(e)) ||
	    sqlite3_bind_int(s, 8, (int)e->body_case) ||
	    sqlite3_bind_int64(s, 9, e->created_at) ||
	    store_bind_text(s, 10, outgoing ? "queued" : "received") ||
	    sqlite3_bind_int64(s, 11, outgoing ? 0 : now_ms) ||
	    store_bind_blob(s, 12, buf, len) ||
	    (signer_fp != NULL ? store_bind_blob(s, 13, signer_fp, 32) :
	    sqlite3_bind_null(s, 13)) ||
	    sqlite3_bind_int(s, 14, envelope_urgency(e)) ||
	    sqlite3_bind_int(s, 15, (int)e->tlp) ||
	    sqlite3_bind_int(s, 16, e->exercise != 0) ||
	    /* Received with its signer: the caller verified the signature
	     * with that certificate (store.h), the verdict the listings
	     * show (ctl_sig.c). */
	    sqlite3_bind_int(s, 17, !outgoing && signer_fp != NULL) ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_MSG_INSERT);
		store_stmt_done(st, STMT_MSG_INSERT);
		return -1;
	}
	store_stmt_done(st, STMT_MSG_INSERT);
	seq = sqlite3_last_insert_rowid(st->db);
	/* The listings' upkeep commits with the row (store_list.c). */
	if (store_list_note(st, e, outgoing, seq, outgoing ? e->created_at :
	    now_ms) == -1)
		return -1;
	if (!outgoing)
		return 0;

	s = st->stmt[STMT_OUTBOX_INSERT];
	if (sqlite3_bind_int64(s, 1, seq) ||
	    store_bind_text(s, 2, e->id) || store_bind_text(s, 3, e->recipient) ||
	    sqlite3_bind_int64(s, 4, now_ms) ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_OUTBOX_INSERT);
		store_stmt_done(st, STMT_OUTBOX_INSERT);
		return -1;
	}
	store_stmt_done(st, STMT_OUTBOX_INSERT);
	return 0;
}

/*
 * Stores one envelope in one transaction: the duplicate check and the
 * insert(s) are under the same write lock, and the caller hears STORE_NEW
 * only after the commit.  A duplicate or conflict writes nothing.
 */
static enum store_put
store_put(struct store *st, const Poc__Envelope *e, int outgoing,
    const struct store_signer *signer, int64_t now_ms)
{
	uint8_t		*buf;
	size_t		 len;
	enum store_put	 res;
	int		 nested;

	/* The outbox hands ids and recipients out in fixed-size fields. */
	if (outgoing && (strlen(e->id) >=
	    sizeof(((struct store_outbox_row *)NULL)->id) ||
	    strlen(e->recipient) >=
	    sizeof(((struct store_outbox_peer *)NULL)->recipient))) {
		log_warnx("store: outgoing envelope id or recipient too long");
		return STORE_ERROR;
	}
	len = protobuf_c_message_get_packed_size(&e->base);
	if ((buf = malloc(len > 0 ? len : 1)) == NULL) {
		log_warn("store: envelope %s", e->id);
		return STORE_ERROR;
	}
	if (protobuf_c_message_pack(&e->base, buf) != len) {
		log_warnx("store: envelope %s: pack size mismatch", e->id);
		free(buf);
		return STORE_ERROR;
	}
	if (store_tx_begin(st, &nested) == -1) {
		free(buf);
		return STORE_ERROR;
	}
	res = store_put_check(st, e, outgoing);
	/* The signer (its digest in the row, the certificate kept once) and
	 * the audit entry commit with the message, or neither does. */
	if (res == STORE_NEW && signer != NULL &&
	    store_signer_keep(st, signer) == -1)
		res = STORE_ERROR;
	if (res == STORE_NEW && store_put_insert(st, e, outgoing, buf, len,
	    signer != NULL ? signer->fp : NULL, now_ms) == -1)
		res = STORE_ERROR;
	if (res == STORE_NEW && store_audit_append(st, outgoing ? "queued" :
	    "received", e->id, outgoing ? e->recipient : e->sender, "", buf,
	    len, now_ms) == -1)
		res = STORE_ERROR;
	if (res == STORE_NEW) {
		if (store_tx_commit(st, nested) == -1)
			res = STORE_ERROR;
	} else
		store_tx_abort(st, nested);
	free(buf);
	if (res == STORE_NEW)
		log_debug("store: %s %s %s %s", outgoing ? "queued" :
		    "received", e->id, outgoing ? "to" : "from",
		    outgoing ? e->recipient : e->sender);
	return res;
}

/* store_put() with der, if not NULL, as the signer, its digest made. */
static enum store_put
store_put_der(struct store *st, const Poc__Envelope *e, int outgoing,
    const uint8_t *der, size_t len, int64_t now_ms)
{
	struct store_signer	 sg;

	if (der == NULL)
		return store_put(st, e, outgoing, NULL, now_ms);
	if (store_signer_digest(&sg, der, len) == -1)
		return STORE_ERROR;
	return store_put(st, e, outgoing, &sg, now_ms);
}

enum store_put
store_put_incoming(struct store *st, const Poc__Envelope *e, int64_t now_ms)
{
	return store_put(st, e, 0, NULL, now_ms);
}

enum store_put
store_put_incoming_signed(struct store *st, const Poc__Envelope *e,
    const uint8_t *signer_der, size_t signer_len, int64_t now_ms)
{
	return store_put_der(st, e, 0, signer_der, signer_len, now_ms);
}

enum store_put
store_put_incoming_signer(struct store *st, const Poc__Envelope *e,
    const struct store_signer *signer, int64_t now_ms)
{
	return store_put(st, e, 0, signer, now_ms);
}

enum store_put
store_put_outgoing(struct store *st, const Poc__Envelope *e, int64_t now_ms)
{
	return store_put(st, e, 1, NULL, now_ms);
}

enum store_put
store_put_outgoing_signed(struct store *st, const Poc__Envelope *e,
    const uint8_t *signer_der, size_t signer_len, int64_t now_ms)
{
	return store_put_der(st, e, 1, signer_der, signer_len, now_ms);
}

/* Reads seq, id and a copy of the packed envelope. */
int
store_row_envelope(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_outbox_row	*row = elem;

	(void)st;
	row->seq = sqlite3_column_int64(s, 0);
	if (store_col_copy(s, 1, row->id, sizeof(row->id)) == -1) {
		log_warnx("store: message seq %lld: id too long",
		    (long long)row->seq);
		return -1;
	}
	if ((row->data = store_col_blobdup(s, 2, &row->len)) == NULL) {
		log_warn("store: message seq %lld", (long long)row->seq);
		return -1;
	}
	return 1;
}

/* Frees the envelope copy of one row. */
void
store_row_envelope_free(void *elem)
{
	struct store_outbox_row	*row = elem;

	free(row->data);
}

int
store_outbox_load(struct store *st, const char *recipient, int64_t after_seq,
    int max, struct store_outbox_row **rows)
{
	sqlite3_stmt	*s = st->stmt[STMT_OUTBOX_LOAD];

	*rows = NULL;
	if (max <= 0)
		return 0;
	if (store_bind_text(s, 1, recipient) || sqlite3_bind_int64(s, 2, after_seq) ||
	    sqlite3_bind_int(s, 3, max)) {
		store_stmt_error(st, STMT_OUTBOX_LOAD);
		store_stmt_done(st, STMT_OUTBOX_LOAD);
		return -1;
	}
	return store_collect(st, STMT_OUTBOX_LOAD, sizeof(**rows),
	    store_row_envelope, store_row_envelope_free, (void **)rows);
}

void
store_outbox_rows_free(struct store_outbox_row *rows, int n)
{
	store_rows_free(rows, n, sizeof(*rows), store_row_envelope_free);
}

/*
 * A receipt settles a queued envelope: its final state and the removal of
 * its outbox row commit together, so after a crash it is either still
 * queued (and is resent, which the receiver deduplicates) or settled.
 */
static int
store_outbox_settle(struct store *st, const char *recipient, const char *id,
    const char *state, const char *reason, int64_t now_ms)
{
	sqlite3_stmt	*s = st->stmt[STMT_OUTBOX_SETTLE];
	int		 nested;

	if (store_tx_begin(st, &nested) == -1)
		return -1;
	if (store_bind_text(s, 1, id) || store_bind_text(s, 2, recipient) ||
	    store_bind_text(s, 3, state) || sqlite3_bind_int64(s, 4, now_ms) ||
	    store_bind_text(s, 5, reason) || sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_OUTBOX_SETTLE);
		store_stmt_done(st, STMT_OUTBOX_SETTLE);
		goto fail;
	}
	store_stmt_done(st, STMT_OUTBOX_SETTLE);
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("store: %s is not queued for %s", id, recipient);
		goto fail;
	}
	s = st->stmt[STMT_OUTBOX_DELETE];
	if (store_bind_text(s, 1, id) || store_bind_text(s, 2, recipient) ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_OUTBOX_DELETE);
		store_stmt_done(st, STMT_OUTBOX_DELETE);
		goto fail;
	}
	store_stmt_done(st, STMT_OUTBOX_DELETE);
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("store: outbox_delete: %s for %s vanished", id,
		    recipient);
		goto fail;
	}
	if (store_audit_append_stored(st, state, id, recipient, reason,
	    now_ms) == -1)
		goto fail;
	if (store_tx_commit(st, nested) == -1)
		return -1;
	log_debug("store: %s to %s %s", id, recipient, state);
	return 0;
 fail:
	store_tx_abort(st, nested);
	return -1;
}

int
store_outbox_delivered(struct store *st, const char *recipient,
    const char *id, int64_t now_ms)
{
	return store_outbox_settle(st, recipient, id, "delivered", "", now_ms);
}

int
store_outbox_rejected(struct store *st, const char *recipient,
    const char *id, const char *reason, int64_t now_ms)
{
	return store_outbox_settle(st, recipient, id, "rejected", reason,
	    now_ms);
}

int
store_outbox_failed(struct store *st, const char *recipient,
    int64_t next_attempt_ms, const char *error)
{
	sqlite3_stmt	*s = st->stmt[STMT_OUTBOX_FAILED];
	int		 nested;

	if (store_tx_begin(st, &nested) == -1)
		return -1;
	if (store_bind_text(s, 1, recipient) ||
	    sqlite3_bind_int64(s, 2, next_attempt_ms) ||
	    store_bind_text(s, 3, error) || sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_OUTBOX_FAILED);
		store_stmt_done(st, STMT_OUTBOX_FAILED);
		store_tx_abort(st, nested);
		return -1;
	}
	store_stmt_done(st, STMT_OUTBOX_FAILED);
	return store_tx_commit(st, nested);
}

/* Reads one recipient's outbox summary. */
static int
store_outbox_peer_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_outbox_peer	*peer = elem;

	(void)st;
	if (store_col_copy(s, 0, peer->recipient,
	    sizeof(peer->recipient)) == -1) {
		log_warnx("store: outbox_peers: recipient too long");
		return -1;
	}
	peer->queued = (uint32_t)store_clamp_int(sqlite3_column_int64(s, 1));
	peer->attempts = (uint32_t)store_clamp_int(sqlite3_column_int64(s, 2));
	peer->oldest_queued_at = sqlite3_column_int64(s, 3);
	peer->next_attempt_at = sqlite3_column_int64(s, 4);
	store_col_copy_trunc(s, 5, peer->last_error, sizeof(peer->last_error));
	return 1;
}

int
store_outbox_peers(struct store *st, struct store_outbox_peer **out)
{
	return store_collect(st, STMT_OUTBOX_PEERS, sizeof(**out),
	    store_outbox_peer_row, NULL, (void **)out);
}

/* The first string after every string that starts with the len bytes of
 * p: p with its last byte + 1 (ids are ASCII).  -1 if p is not. */
static int
store_get_prefix_end(const char *p, size_t len, char *end, size_t size)
{
	size_t	 i;

	if (len == 0 || len >= size)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
			return -1;
	memcpy(end, p, len + 1);
	end[len - 1]++;
	return 0;
}

int
store_get(struct store *st, const char *id_or_prefix,
    Poc__StoredMessage **out)
{
	sqlite3_stmt		 *s;
	Poc__StoredMessage	**m;
	size_t			  len = strlen(id_or_prefix);
	char			  end[128];
	int			  n;

	*out = NULL;
	s = st->stmt[STMT_GET_ID];
	if (store_bind_text(s, 1, id_or_prefix)) {
		store_stmt_error(st, STMT_GET_ID);
		store_stmt_done(st, STMT_GET_ID);
		return -1;
	}
	if ((n = store_collect_messages(st, STMT_GET_ID, &m)) == -1)
		return -1;
	if (n == 0 && len >= VALIDATE_ID_PREFIX_MIN) {
		s = st->stmt[STMT_GET_PREFIX];
		/* The bounds as TEXT, to compare with the TEXT ids (a BLOB
		 * sorts after every TEXT); the exact compare as a BLOB so
		 * that length() counts bytes. */
		if (store_get_prefix_end(id_or_prefix, len, end,
		    sizeof(end)) == -1)
			return 0;
		if (store_bind_text(s, 1, id_or_prefix) ||
		    store_bind_text(s, 2, end) ||
		    store_bind_blob(s, 3, id_or_prefix, len)) {
			store_stmt_error(st, STMT_GET_PREFIX);
			store_stmt_done(st, STMT_GET_PREFIX);
			return -1;
		}
		if ((n = store_collect_messages(st, STMT_GET_PREFIX, &m)) == -1)
			return -1;
	}
	if (n != 1) {
		store_messages_free(m, n);
		return n > 1 ? 2 : 0;
	}
	*out = m[0];
	free(m);
	return 1;
}

int
store_thread(struct store *st, const char *thread_id,
    Poc__StoredMessage ***out)
{
	sqlite3_stmt	*s = st->stmt[STMT_THREAD];

	*out = NULL;
	if (*thread_id == '\0')
		return 0;
	if (store_bind_text(s, 1, thread_id)) {
		store_stmt_error(st, STMT_THREAD);
		store_stmt_done(st, STMT_THREAD);
		return -1;
	}
	return store_collect_messages(st, STMT_THREAD, out);
}

int
store_count(struct store *st, enum store_box box, int only_queued)
{
	sqlite3_stmt	*s = st->stmt[STMT_COUNT];
	const char	*dir;
	int64_t		 n;

	if ((dir = store_box_direction(box)) == NULL) {
		log_warnx("store: count: unknown box %d", (int)box);
		return -1;
	}
	if (store_bind_text(s, 1, dir) ||
	    sqlite3_bind_int(s, 2, only_queued != 0)) {
		store_stmt_error(st, STMT_COUNT);
		store_stmt_done(st, STMT_COUNT);
		return -1;
	}
	if (store_stmt_int64(st, STMT_COUNT, &n) == -1)
		return -1;
	return store_clamp_int(n);
}
