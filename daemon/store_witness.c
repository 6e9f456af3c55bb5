/*
 * Audit heads held as a witness (see store_witness.h); the statements are
 * in store_sql.c's table.  A head is kept exactly as it was signed, with
 * the certificate it was verified with, so that it can be handed back to
 * its signer or exported and checked anywhere later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_int.h"
#include "store_tx.h"
#include "store_witness.h"

/* Column order of WITNESS_COLUMNS (store_sql.c). */
enum {
	WCOL_MEMBER, WCOL_COUNT, WCOL_LAST_HASH, WCOL_TIME, WCOL_SIGNATURE,
	WCOL_SIGNER_CERT, WCOL_RECEIVED_AT, WCOL_CONFLICT,
};

/* Reads the head of a WITNESS_COLUMNS row into h.  0, or -1 if the row is
 * not one this file wrote. */
static int
store_witness_head_row(sqlite3_stmt *s, struct audit_head *h)
{
	int	 n = sqlite3_column_bytes(s, WCOL_SIGNATURE);

	memset(h, 0, sizeof(*h));
	if (sqlite3_column_bytes(s, WCOL_LAST_HASH) != AUDIT_HASH_LEN ||
	    n <= 0 || n > SIG_MAX_LEN ||
	    store_col_copy(s, WCOL_MEMBER, h->member, sizeof(h->member)) != 0) {
		log_warnx("store: witness_heads: malformed row");
		return -1;
	}
	h->count = sqlite3_column_int64(s, WCOL_COUNT);
	h->time = sqlite3_column_int64(s, WCOL_TIME);
	memcpy(h->last_hash, sqlite3_column_blob(s, WCOL_LAST_HASH),
	    AUDIT_HASH_LEN);
	memcpy(h->sig, sqlite3_column_blob(s, WCOL_SIGNATURE), (size_t)n);
	h->siglen = (size_t)n;
	return 0;
}

int
store_witness_latest(struct store *st, const char *member,
    struct audit_head *h, uint8_t **cert, size_t *certlen)
{
	sqlite3_stmt	*s = st->stmt[STMT_WITNESS_LATEST];
	int		 rc, r = 0;

	if (store_bind_text(s, 1, member) != SQLITE_OK) {
		store_stmt_error(st, STMT_WITNESS_LATEST);
		store_stmt_done(st, STMT_WITNESS_LATEST);
		return -1;
	}
	rc = sqlite3_step(s);
	if (cert != NULL)
		*cert = NULL;
	if (rc == SQLITE_ROW) {
		r = store_witness_head_row(s, h) == 0 ? 1 : -1;
		if (r == 1 && cert != NULL && (*cert = store_col_blobdup(s,
		    WCOL_SIGNER_CERT, certlen)) == NULL) {
			log_warn("store: witness_latest");
			r = -1;
		}
	} else if (rc != SQLITE_DONE) {
		store_stmt_error(st, STMT_WITNESS_LATEST);
		r = -1;
	}
	store_stmt_done(st, STMT_WITNESS_LATEST);
	return r;
}

/* Binds h, cert and now as ?1..?7 of statement id. */
static int
store_witness_bind(sqlite3_stmt *s, const struct audit_head *h,
    const uint8_t *cert, size_t certlen, int64_t now_ms)
{
	return store_bind_text(s, 1, h->member) ||
	    sqlite3_bind_int64(s, 2, h->count) ||
	    store_bind_blob(s, 3, h->last_hash, AUDIT_HASH_LEN) ||
	    sqlite3_bind_int64(s, 4, h->time) ||
	    store_bind_blob(s, 5, h->sig, h->siglen) ||
	    store_bind_blob(s, 6, cert, certlen) ||
	    sqlite3_bind_int64(s, 7, now_ms);
}

int
store_witness_put(struct store *st, const struct audit_head *h,
    const uint8_t *cert, size_t certlen, int64_t now_ms)
{
	sqlite3_stmt	*s = st->stmt[STMT_WITNESS_PUT];

	if (store_witness_bind(s, h, cert, certlen, now_ms)) {
		store_stmt_error(st, STMT_WITNESS_PUT);
		store_stmt_done(st, STMT_WITNESS_PUT);
		return -1;
	}
	return store_tx_write(st, STMT_WITNESS_PUT) < 0 ? -1 : 0;
}

int
store_witness_conflict(struct store *st, const struct audit_head *h,
    const uint8_t *cert, size_t certlen, int64_t now_ms, const char *why)
{
	sqlite3_stmt	*s = st->stmt[STMT_WITNESS_CONFLICT_ADD];
	int64_t		 n;

	/* Only the member's own key makes a conflict, but a member that
	 * misbehaves must not fill our disk with them. */
	if (store_witness_conflicts(st, h->member, &n) == -1)
		return -1;
	if (n >= STORE_WITNESS_MAX_CONFLICTS)
		return 0;
	if (store_witness_bind(s, h, cert, certlen, now_ms) ||
	    store_bind_text(s, 8, why)) {
		store_stmt_error(st, STMT_WITNESS_CONFLICT_ADD);
		store_stmt_done(st, STMT_WITNESS_CONFLICT_ADD);
		return -1;
	}
	return store_tx_write(st, STMT_WITNESS_CONFLICT_ADD);
}

int
store_witness_conflicts(struct store *st, const char *member, int64_t *n)
{
	sqlite3_stmt	*s = st->stmt[STMT_WITNESS_CONFLICT_COUNT];

	if (store_bind_text(s, 1, member != NULL ? member : "")) {
		store_stmt_error(st, STMT_WITNESS_CONFLICT_COUNT);
		store_stmt_done(st, STMT_WITNESS_CONFLICT_COUNT);
		return -1;
	}
	return store_stmt_int64(st, STMT_WITNESS_CONFLICT_COUNT, n);
}

/* One HeldAuditHead from a WITNESS_COLUMNS row, everything malloc'd so
 * that protobuf_c_message_free_unpacked frees it. */
static int
store_witness_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	Poc__HeldAuditHead	**out = elem;
	Poc__HeldAuditHead	 *w;
	Poc__AuditHead		 *a;

	(void)st;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (a = calloc(1, sizeof(*a))) == NULL) {
		free(w);
		log_warn("store: witness_list");
		return -1;
	}
	poc__held_audit_head__init(w);
	poc__audit_head__init(a);
	w->head = a;
	w->received_at = sqlite3_column_int64(s, WCOL_RECEIVED_AT);
	a->count = sqlite3_column_int64(s, WCOL_COUNT);
	a->time = sqlite3_column_int64(s, WCOL_TIME);
	if ((a->member = store_col_strdup(s, WCOL_MEMBER)) == NULL ||
	    (w->conflict = store_col_strdup(s, WCOL_CONFLICT)) == NULL ||
	    (a->last_hash.data = store_col_blobdup(s, WCOL_LAST_HASH,
	    &a->last_hash.len)) == NULL ||
	    (a->signature.data = store_col_blobdup(s, WCOL_SIGNATURE,
	    &a->signature.len)) == NULL ||
	    (a->signer_cert.data = store_col_blobdup(s, WCOL_SIGNER_CERT,
	    &a->signer_cert.len)) == NULL) {
		protobuf_c_message_free_unpacked(&w->base, NULL);
		log_warn("store: witness_list");
		return -1;
	}
	*out = w;
	return 1;
}

/* Frees the head an array element points to. */
static void
store_witness_elem_free(void *elem)
{
	Poc__HeldAuditHead	**w = elem;

	protobuf_c_message_free_unpacked(&(*w)->base, NULL);
}

int
store_witness_list(struct store *st, const char *member,
    Poc__HeldAuditHead ***out)
{
	sqlite3_stmt	*s = st->stmt[STMT_WITNESS_LIST];

	*out = NULL;
	if (store_bind_text(s, 1, member != NULL ? member : "") ||
	    sqlite3_bind_int(s, 2, STORE_WITNESS_LIST_MAX)) {
		store_stmt_error(st, STMT_WITNESS_LIST);
		store_stmt_done(st, STMT_WITNESS_LIST);
		return -1;
	}
	return store_collect(st, STMT_WITNESS_LIST, sizeof(**out),
	    store_witness_row, store_witness_elem_free, (void **)out);
}

void
store_witness_list_free(Poc__HeldAuditHead **w, int n)
{
	store_rows_free(w, n, sizeof(*w), store_witness_elem_free);
}
