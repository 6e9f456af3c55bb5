/*
 * The audit log's SQL (see store_audit.h; the chain itself is
 * common/audit.c).  The tip of the chain is read inside the caller's write
 * transaction (BEGIN IMMEDIATE holds the write lock), so two appends can
 * never chain onto the same entry, and a rolled-back change takes its
 * entry with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "audit.h"
#include "log.h"
#include "store_audit.h"
#include "store_int.h"

/* Copies the 32-byte hash in column col of entry seq's row. */
static int
store_audit_col_hash(sqlite3_stmt *s, int col, int64_t seq,
    uint8_t hash[AUDIT_HASH_LEN])
{
	if (sqlite3_column_bytes(s, col) != AUDIT_HASH_LEN) {
		log_warnx("store: audit entry %lld: hash is not %d bytes",
		    (long long)seq, AUDIT_HASH_LEN);
		return -1;
	}
	memcpy(hash, sqlite3_column_blob(s, col), AUDIT_HASH_LEN);
	return 0;
}

/* Reads the last entry's seq and hash; *seq = 0 if the log is empty. */
static int
store_audit_tip(struct store *st, int64_t *seq, uint8_t hash[AUDIT_HASH_LEN])
{
	sqlite3_stmt	*s = st->stmt[STMT_AUDIT_LAST];
	int		 rc;

	*seq = 0;
	memset(hash, 0, AUDIT_HASH_LEN);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		if (store_audit_col_hash(s, 1, *seq, hash) == -1) {
			store_stmt_done(st, STMT_AUDIT_LAST);
			return -1;
		}
	} else if (rc != SQLITE_DONE) {
		store_stmt_error(st, STMT_AUDIT_LAST);
		store_stmt_done(st, STMT_AUDIT_LAST);
		return -1;
	}
	store_stmt_done(st, STMT_AUDIT_LAST);
	return 0;
}

/* Chains e onto the tip and inserts it. */
static int
store_audit_insert(struct store *st, struct audit_entry *e)
{
	struct audit_entry	 prev;
	sqlite3_stmt		*s = st->stmt[STMT_AUDIT_INSERT];

	if (sqlite3_get_autocommit(st->db)) {
		log_warnx("store: audit append outside a transaction");
		return -1;
	}
	memset(&prev, 0, sizeof(prev));
	if (store_audit_tip(st, &prev.seq, prev.hash) == -1)
		return -1;
	if (audit_entry_chain(e, prev.seq > 0 ? &prev : NULL) == -1) {
		log_warnx("store: audit entry for %.64s: cannot hash",
		    e->message_id);
		return -1;
	}
	if (sqlite3_bind_int64(s, 1, e->seq) ||
	    sqlite3_bind_int64(s, 2, e->time) ||
	    store_bind_text(s, 3, e->kind) ||
	    store_bind_text(s, 4, e->message_id) ||
	    store_bind_text(s, 5, e->peer) ||
	    store_bind_text(s, 6, e->detail) ||
	    store_bind_blob(s, 7, e->envelope_sha256, AUDIT_HASH_LEN) ||
	    store_bind_blob(s, 8, e->prev_hash, AUDIT_HASH_LEN) ||
	    store_bind_blob(s, 9, e->hash, AUDIT_HASH_LEN) ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_AUDIT_INSERT);
		store_stmt_done(st, STMT_AUDIT_INSERT);
		return -1;
	}
	store_stmt_done(st, STMT_AUDIT_INSERT);
	log_debug("store: audit %lld %s %s", (long long)e->seq, e->kind,
	    e->message_id);
	return 0;
}

int
store_audit_append(struct store *st, const char *kind, const char *id,
    const char *peer, const char *detail, const uint8_t *envelope,
    size_t len, int64_t now_ms)
{
	struct audit_entry	 e;

	memset(&e, 0, sizeof(e));
	e.time = now_ms;
	e.kind = kind;
	e.message_id = id;
	e.peer = peer;
	e.detail = detail != NULL ? detail : "";
	if (!audit_kind_valid(kind) ||
	    audit_sha256(envelope, len, e.envelope_sha256) == -1) {
		log_warnx("store: audit entry for %.64s: bad kind or digest",
		    id);
		return -1;
	}
	return store_audit_insert(st, &e);
}

int
store_audit_append_stored(struct store *st, const char *kind, const char *id,
    const char *peer, const char *detail, int64_t now_ms)
{
	sqlite3_stmt	*s = st->stmt[STMT_AUDIT_ENVELOPE];
	uint8_t		*buf;
	size_t		 len;
	int		 r;

	if (store_bind_text(s, 1, id) || sqlite3_step(s) != SQLITE_ROW) {
		store_stmt_error(st, STMT_AUDIT_ENVELOPE);
		store_stmt_done(st, STMT_AUDIT_ENVELOPE);
		return -1;
	}
	buf = store_col_blobdup(s, 0, &len);
	store_stmt_done(st, STMT_AUDIT_ENVELOPE);
	if (buf == NULL) {
		log_warn("store: audit");
		return -1;
	}
	r = store_audit_append(st, kind, id, peer, detail, buf, len, now_ms);
	free(buf);
	return r;
}

/* Copies a BLOB column into a malloc'd ProtobufCBinaryData. */
static int
store_audit_col_bytes(sqlite3_stmt *s, int i, ProtobufCBinaryData *b)
{
	b->data = store_col_blobdup(s, i, &b->len);
	return b->data != NULL ? 0 : -1;
}

/* One AuditEntry from an audit_load row; everything malloc'd so that
 * protobuf_c_message_free_unpacked frees it. */
static Poc__AuditEntry *
store_audit_from_row(sqlite3_stmt *s)
{
	Poc__AuditEntry	*a;

	if ((a = malloc(sizeof(*a))) == NULL)
		return NULL;
	poc__audit_entry__init(a);
	a->seq = sqlite3_column_int64(s, 0);
	a->time = sqlite3_column_int64(s, 1);
	if ((a->kind = store_col_strdup(s, 2)) == NULL ||
	    (a->message_id = store_col_strdup(s, 3)) == NULL ||
	    (a->peer = store_col_strdup(s, 4)) == NULL ||
	    (a->detail = store_col_strdup(s, 5)) == NULL ||
	    store_audit_col_bytes(s, 6, &a->envelope_sha256) == -1 ||
	    store_audit_col_bytes(s, 7, &a->prev_hash) == -1 ||
	    store_audit_col_bytes(s, 8, &a->hash) == -1) {
		protobuf_c_message_free_unpacked(&a->base, NULL);
		return NULL;
	}
	return a;
}

/* Reads one audit entry. */
static int
store_audit_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	Poc__AuditEntry	**a = elem;

	(void)st;
	if ((*a = store_audit_from_row(s)) == NULL) {
		log_warn("store: audit_load");
		return -1;
	}
	return 1;
}

/* Frees the entry an array element points to. */
static void
store_audit_entry_free(void *elem)
{
	Poc__AuditEntry	**a = elem;

	protobuf_c_message_free_unpacked(&(*a)->base, NULL);
}

int
store_audit_load(struct store *st, int64_t after_seq, int max,
    Poc__AuditEntry ***out)
{
	sqlite3_stmt	*s = st->stmt[STMT_AUDIT_LOAD];

	*out = NULL;
	if (max <= 0)
		return 0;
	if (sqlite3_bind_int64(s, 1, after_seq) || sqlite3_bind_int(s, 2, max)) {
		store_stmt_error(st, STMT_AUDIT_LOAD);
		store_stmt_done(st, STMT_AUDIT_LOAD);
		return -1;
	}
	return store_collect(st, STMT_AUDIT_LOAD, sizeof(**out),
	    store_audit_row, store_audit_entry_free, (void **)out);
}

void
store_audit_entries_free(Poc__AuditEntry **a, int n)
{
	store_rows_free(a, n, sizeof(*a), store_audit_entry_free);
}

int
store_audit_head(struct store *st, int64_t *count, uint8_t hash[AUDIT_HASH_LEN])
{
	if (!sqlite3_get_autocommit(st->db)) {
		log_warnx("store: audit head read inside a transaction");
		return -1;
	}
	return store_audit_tip(st, count, hash);
}

int
store_audit_hash_at(struct store *st, int64_t seq,
    uint8_t hash[AUDIT_HASH_LEN])
{
	sqlite3_stmt	*s = st->stmt[STMT_AUDIT_HASH_AT];
	int		 rc, r = 0;

	if (sqlite3_bind_int64(s, 1, seq) != SQLITE_OK) {
		store_stmt_error(st, STMT_AUDIT_HASH_AT);
		store_stmt_done(st, STMT_AUDIT_HASH_AT);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = store_audit_col_hash(s, 0, seq, hash) == 0 ? 1 : -1;
	else if (rc != SQLITE_DONE) {
		store_stmt_error(st, STMT_AUDIT_HASH_AT);
		r = -1;
	}
	store_stmt_done(st, STMT_AUDIT_HASH_AT);
	return r;
}
