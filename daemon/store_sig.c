/*
 * The certificate that signed each received envelope, kept beside it so
 * that its signature can be checked again later, without the TLS session
 * it came over (see store_sig.h), and the re-signing of the queue after a
 * key rotation.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "audit.h"
#include "log.h"
#include "store_audit.h"
#include "store_int.h"
#include "store_sig.h"
#include "store_tx.h"

#define STORE_SIGNER_CACHE	16

/* Where a cached certificate's row stands. */
enum store_signer_state {
	STORE_SIGNER_FREE = 0,		/* an unused entry */
	STORE_SIGNER_PENDING,		/* inserted in the open transaction */
	STORE_SIGNER_KEPT,		/* committed */
};

/* Signer certificates known to be in signer_certs (by their digest). */
struct store_signers {
	struct {
		uint8_t			 fp[32];  /* SHA-256 of the DER */
		enum store_signer_state	 state;
	}		 e[STORE_SIGNER_CACHE];
	unsigned	 next;			/* round-robin eviction */
};

static void	store_signer_tx_end(struct store *, int);
static void	store_signer_close(struct store *);

/* The cache follows the transaction and goes with the store. */
static const struct store_hook store_signer_hook = {
	.tx_end = store_signer_tx_end,
	.close = store_signer_close,
};

/* The index of fp's cache entry, or -1. */
static int
store_signer_find(const struct store_signers *c, const uint8_t fp[32])
{
	int	 i;

	for (i = 0; i < STORE_SIGNER_CACHE; i++)
		if (c->e[i].state != STORE_SIGNER_FREE &&
		    memcmp(c->e[i].fp, fp, 32) == 0)
			return i;
	return -1;
}

/* Entries added inside the transaction become known at its COMMIT and are
 * forgotten at any rollback. */
static void
store_signer_tx_end(struct store *st, int committed)
{
	struct store_signers	*c = st->signers;
	size_t			 i;

	for (i = 0; i < STORE_SIGNER_CACHE; i++)
		if (c->e[i].state == STORE_SIGNER_PENDING)
			c->e[i].state = committed ? STORE_SIGNER_KEPT :
			    STORE_SIGNER_FREE;
}

/* Frees the cache with the store. */
static void
store_signer_close(struct store *st)
{
	free(st->signers);
	st->signers = NULL;
}

/* The store's cache, made (and hooked to its transactions) on first use:
 * until then there is nothing for a transaction's end to change. */
static struct store_signers *
store_signer_cache(struct store *st)
{
	if (st->signers == NULL) {
		if ((st->signers = calloc(1, sizeof(*st->signers))) == NULL) {
			log_warn("store: signer cache");
			return NULL;
		}
		store_hook_add(st, &store_signer_hook);
	}
	return st->signers;
}

int
store_signer_digest(struct store_signer *sg, const uint8_t *der, size_t len)
{
	sg->der = der;
	sg->len = len;
	if (len == 0 || audit_sha256(der, len, sg->fp) == -1) {
		log_warnx("store: signer: no certificate or no digest");
		return -1;
	}
	return 0;
}

/*
 * A peer signs every envelope with the certificate of its connection, so
 * the same few certificates come again and again: the row is inserted the
 * first time only.  The cache says "kept" only after the COMMIT that holds
 * the row (store_signer_tx_end, the transaction's hook), so a rolled-back
 * batch never leaves a message naming a certificate that is not kept;
 * INSERT OR IGNORE makes a cache miss for a certificate already kept
 * harmless.
 */
int
store_signer_keep(struct store *st, const struct store_signer *sg)
{
	sqlite3_stmt		*s = st->stmt[STMT_SIGNER_INSERT];
	struct store_signers	*c;
	unsigned		 i;

	if ((c = store_signer_cache(st)) == NULL)
		return -1;
	if (store_signer_find(c, sg->fp) != -1)
		return 0;
	if (store_bind_blob(s, 1, sg->fp, 32) ||
	    store_bind_blob(s, 2, sg->der, sg->len) ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_SIGNER_INSERT);
		store_stmt_done(st, STMT_SIGNER_INSERT);
		return -1;
	}
	store_stmt_done(st, STMT_SIGNER_INSERT);
	i = c->next++ % STORE_SIGNER_CACHE;
	memcpy(c->e[i].fp, sg->fp, 32);
	c->e[i].state = STORE_SIGNER_PENDING;
	return 0;
}

int
store_signer_put(struct store *st, const char *id, const uint8_t *der,
    size_t len)
{
	sqlite3_stmt		*s = st->stmt[STMT_SIGNER_SET];
	struct store_signer	 sg;

	if (store_signer_digest(&sg, der, len) == -1 ||
	    store_signer_keep(st, &sg) == -1)
		return -1;
	if (store_bind_text(s, 1, id) || store_bind_blob(s, 2, sg.fp, 32) ||
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

/* Frees what a row read by store_resign_row owns. */
static void
store_resign_row_free(void *elem)
{
	struct store_resign_row	*r = elem;

	free(r->data);
	free(r->recipient);
}

/* Reads one queued envelope (seq, packed bytes, recipient). */
static int
store_resign_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_resign_row	*r = elem;

	(void)st;
	r->seq = sqlite3_column_int64(s, 0);
	/* Copied before reading another column, which may move the blob. */
	if ((r->data = store_col_blobdup(s, 1, &r->len)) == NULL) {
		log_warn("store: signer_queued");
		return -1;
	}
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
	    store_resign_row, store_resign_row_free, (void **)out);
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
	/* The old signature, or the batch proof of the operator command
	 * that queued it (sendmany.c), is unpacked memory: free it, then
	 * sign singly. */
	free(e->signature.data);
	e->signature.data = NULL;
	e->signature.len = 0;
	if (e->batch != NULL) {
		protobuf_c_message_free_unpacked(&e->batch->base, NULL);
		e->batch = NULL;
	}
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
	store_rows_free(rows, n, sizeof(*rows), store_resign_row_free);
	if (!ok) {
		store_tx_abort(st, nested);
		return -1;
	}
	return store_tx_commit(st, nested) == 0 ? n : -1;
}

int
store_sig_verified(struct store *st, const int64_t *seq, size_t n)
{
	sqlite3_stmt	*s = st->stmt[STMT_SIG_VERIFIED];
	size_t		 i;
	int		 nested;

	if (n == 0)
		return 0;
	if (store_tx_begin(st, &nested) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (sqlite3_bind_int64(s, 1, seq[i]) != SQLITE_OK) {
			store_stmt_error(st, STMT_SIG_VERIFIED);
			store_stmt_done(st, STMT_SIG_VERIFIED);
			goto fail;
		}
		if (store_stmt_exec(st, STMT_SIG_VERIFIED) == -1)
			goto fail;
	}
	return store_tx_commit(st, nested);
 fail:
	store_tx_abort(st, nested);
	return -1;
}
