/*
 * The certificate that signed each received envelope, kept beside it so
 * that its signature can be checked again later, without the TLS session
 * it came over (see store_audit.h).
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "audit.h"
#include "log.h"
#include "store_audit.h"
#include "store_int.h"

/* The cache entry of fp, or NULL. */
static struct store_signer_fp *
store_signer_find(struct store *st, const uint8_t fp[32])
{
	size_t	 i;

	for (i = 0; i < STORE_SIGNER_CACHE; i++)
		if (st->signers[i].state != 0 &&
		    memcmp(st->signers[i].fp, fp, 32) == 0)
			return &st->signers[i];
	return NULL;
}

void
store_signer_tx_end(struct store *st, int committed)
{
	size_t	 i;

	for (i = 0; i < STORE_SIGNER_CACHE; i++)
		if (st->signers[i].state == 1)
			st->signers[i].state = committed ? 2 : 0;
}

/*
 * A peer signs every envelope with the certificate of its connection, so
 * the same few certificates come again and again: the row is inserted the
 * first time only.  The cache says "committed" only after the COMMIT that
 * holds the row (store_signer_tx_end), so a rolled-back batch never leaves
 * a message naming a certificate that is not kept; INSERT OR IGNORE makes
 * a cache miss for a certificate already kept harmless.
 */
int
store_signer_keep(struct store *st, const uint8_t *der, size_t len,
    uint8_t fp[32])
{
	sqlite3_stmt		*s = st->stmt[STMT_SIGNER_INSERT];
	struct store_signer_fp	*c;

	if (len == 0 || audit_sha256(der, len, fp) == -1) {
		log_warnx("store: signer_insert: no certificate or no digest");
		return -1;
	}
	if (store_signer_find(st, fp) != NULL)
		return 0;
	if (store_bind_blob(s, 1, fp, 32) || store_bind_blob(s, 2, der, len) ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_SIGNER_INSERT);
		store_stmt_done(st, STMT_SIGNER_INSERT);
		return -1;
	}
	store_stmt_done(st, STMT_SIGNER_INSERT);
	c = &st->signers[st->signer_next++ % STORE_SIGNER_CACHE];
	memcpy(c->fp, fp, 32);
	c->state = 1;
	return 0;
}

int
store_signer_put(struct store *st, const char *id, const uint8_t *der,
    size_t len)
{
	sqlite3_stmt	*s = st->stmt[STMT_SIGNER_SET];
	uint8_t		 fp[32];

	if (store_signer_keep(st, der, len, fp) == -1)
		return -1;
	if (store_bind_text(s, 1, id) || store_bind_blob(s, 2, fp, 32) ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_SIGNER_SET);
		store_stmt_done(st, STMT_SIGNER_SET);
		return -1;
	}
	store_stmt_done(st, STMT_SIGNER_SET);
	if (sqlite3_changes(st->db) != 1) {
		log_warnx("store: signer_set: no message %s", id);
		return -1;
	}
	return 0;
}

int
store_signer_get(struct store *st, const char *id, uint8_t **der,
    size_t *len)
{
	sqlite3_stmt	*s = st->stmt[STMT_SIGNER_GET];
	int		 rc, r = -1;
	size_t		 n;

	*der = NULL;
	*len = 0;
	if (store_bind_text(s, 1, id)) {
		store_stmt_error(st, STMT_SIGNER_GET);
		goto done;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		r = 0;
	else if (rc == SQLITE_ROW) {
		n = (size_t)sqlite3_column_bytes(s, 0);
		if (n == 0)
			r = 0;
		else if ((*der = malloc(n)) == NULL)
			log_warn("store: signer_get");
		else {
			memcpy(*der, sqlite3_column_blob(s, 0), n);
			*len = n;
			r = 1;
		}
	} else
		store_stmt_error(st, STMT_SIGNER_GET);
 done:
	store_stmt_done(st, STMT_SIGNER_GET);
	return r;
}

/* One queued envelope read by store_resign_queued(). */
struct store_resign_row {
	int64_t		 seq;
	uint8_t		*data;
	size_t		 len;
	char		*recipient;
};

/* Frees n rows read by store_resign_load. */
static void
store_resign_rows_free(void *rows, int n)
{
	struct store_resign_row	*r = rows;
	int			 i;

	for (i = 0; r != NULL && i < n; i++) {
		free(r[i].data);
		free(r[i].recipient);
	}
	free(r);
}

/* Reads one queued envelope (seq, packed bytes, recipient). */
static int
store_resign_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_resign_row	*r = elem;
	const void		*data = sqlite3_column_blob(s, 1);
	size_t			 len = (size_t)sqlite3_column_bytes(s, 1);

	(void)st;
	r->seq = sqlite3_column_int64(s, 0);
	r->len = len;
	/* Copied before reading another column, which may move the blob. */
	if ((r->data = malloc(len > 0 ? len : 1)) == NULL) {
		log_warn("store: signer_queued");
		return -1;
	}
	if (len > 0)
		memcpy(r->data, data, len);
	if ((r->recipient = store_col_strdup(s, 2)) == NULL) {
		free(r->data);
		log_warn("store: signer_queued");
		return -1;
	}
	return 1;
}

/* Reads every queued envelope; returns the count or -1. */
static int
store_resign_load(struct store *st, struct store_resign_row **out)
{
	return store_collect(st, STMT_SIGNER_QUEUED, sizeof(**out),
	    store_resign_row, store_resign_rows_free, (void **)out);
}

/* Re-signs and stores one queued envelope; 0 or -1 (logged). */
static int
store_resign_one(struct store *st, const struct store_resign_row *row,
    int (*sign)(Poc__Envelope *, uint8_t *), const uint8_t *der, size_t dlen,
    int64_t now_ms)
{
	sqlite3_stmt	*s = st->stmt[STMT_SIGNER_REPLACE];
	Poc__Envelope	*e;
	uint8_t		 sig[512], *buf = NULL;
	size_t		 len;
	int		 r = -1;

	if ((e = poc__envelope__unpack(NULL, row->len, row->data)) == NULL) {
		log_warnx("store: queued seq %lld does not decode",
		    (long long)row->seq);
		return -1;
	}
	/* The old signature is unpacked memory: free it, then sign. */
	free(e->signature.data);
	e->signature.data = NULL;
	e->signature.len = 0;
	if (sign(e, sig) == -1)
		goto done;
	len = poc__envelope__get_packed_size(e);
	if ((buf = malloc(len > 0 ? len : 1)) == NULL ||
	    poc__envelope__pack(e, buf) != len) {
		log_warnx("store: queued seq %lld: cannot pack",
		    (long long)row->seq);
		goto done;
	}
	if (sqlite3_bind_int64(s, 1, row->seq) ||
	    store_bind_blob(s, 2, buf, len) ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_SIGNER_REPLACE);
		store_stmt_done(st, STMT_SIGNER_REPLACE);
		goto done;
	}
	store_stmt_done(st, STMT_SIGNER_REPLACE);
	if (store_signer_put(st, e->id, der, dlen) == -1 ||
	    store_audit_append(st, "resigned", e->id, row->recipient, "",
	    buf, len, now_ms) == -1)
		goto done;
	r = 0;
 done:
	e->signature.data = NULL;	/* sig is on the stack */
	e->signature.len = 0;
	protobuf_c_message_free_unpacked(&e->base, NULL);
	free(buf);
	return r;
}

int
store_resign_queued(struct store *st, int (*sign)(Poc__Envelope *, uint8_t *),
    const uint8_t *der, size_t dlen, int64_t now_ms)
{
	struct store_resign_row	*rows = NULL;
	int			 n, i, nested, ok = 1;

	if (store_tx_begin(st, &nested) == -1)
		return -1;
	if ((n = store_resign_load(st, &rows)) == -1) {
		store_tx_abort(st, nested);
		return -1;
	}
	for (i = 0; i < n && ok; i++)
		ok = store_resign_one(st, &rows[i], sign, der, dlen,
		    now_ms) == 0;
	store_resign_rows_free(rows, n);
	if (!ok) {
		store_tx_abort(st, nested);
		return -1;
	}
	return store_tx_commit(st, nested) == 0 ? n : -1;
}
