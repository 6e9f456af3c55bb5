/*
 * The directory's SQL users (see store_dir.h); the statements are in
 * store_sql.c's table.  A record is kept as the packed bytes that were signed
 * (with the signature), so what this node relays is bit for bit what the
 * member signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_dir.h"
#include "store_int.h"
#include "store_tx.h"

/* Unpacks a stored record; NULL (logged) if the bytes are damaged. */
static Poc__DirectoryRecord *
store_dir_unpack(sqlite3_stmt *s, int col, const char *code)
{
	Poc__DirectoryRecord	*r;
	const void		*b = sqlite3_column_blob(s, col);
	int			 n = sqlite3_column_bytes(s, col);

	r = poc__directory_record__unpack(NULL, (size_t)n, b);
	if (r == NULL)
		log_warnx("store: directory record of %s does not decode",
		    code);
	return r;
}

int
store_dir_get(struct store *st, const char *code, Poc__DirectoryRecord **out,
    int64_t *received_at)
{
	sqlite3_stmt	*s = st->stmt[STMT_DIR_GET];
	int		 rc, res;

	*out = NULL;
	if (store_bind_text(s, 1, code) != SQLITE_OK) {
		store_stmt_error(st, STMT_DIR_GET);
		store_stmt_done(st, STMT_DIR_GET);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		res = 0;
	else if (rc == SQLITE_ROW) {
		*out = store_dir_unpack(s, 1, code);
		if (received_at != NULL)
			*received_at = sqlite3_column_int64(s, 2);
		res = *out != NULL ? 1 : -1;
	} else {
		store_stmt_error(st, STMT_DIR_GET);
		res = -1;
	}
	store_stmt_done(st, STMT_DIR_GET);
	return res;
}

int
store_dir_put(struct store *st, const Poc__DirectoryRecord *r,
    const char *via, int64_t now_ms)
{
	sqlite3_stmt	*s = st->stmt[STMT_DIR_PUT];
	uint8_t		*buf;
	size_t		 len;
	int		 nested, res = -1;

	len = poc__directory_record__get_packed_size(r);
	if ((buf = malloc(len > 0 ? len : 1)) == NULL) {
		log_warn("store_dir_put");
		return -1;
	}
	len = poc__directory_record__pack(r, buf);
	if (r->serial > INT64_MAX) {
		log_warnx("store: directory record of %s: serial too large",
		    r->code);
		free(buf);
		return -1;
	}
	if (store_tx_begin(st, &nested) != 0) {
		free(buf);
		return -1;
	}
	if (store_bind_text(s, 1, r->code) != SQLITE_OK ||
	    store_bind_text(s, 2, r->network) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, (sqlite3_int64)r->serial) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, r->expires) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, now_ms) != SQLITE_OK ||
	    store_bind_text(s, 6, via) != SQLITE_OK ||
	    store_bind_blob(s, 7, buf, len) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_DIR_PUT);
		store_stmt_done(st, STMT_DIR_PUT);
		store_tx_abort(st, nested);
		free(buf);
		return -1;
	}
	res = sqlite3_changes(st->db) > 0 ? 1 : 0;
	store_stmt_done(st, STMT_DIR_PUT);
	free(buf);
	if (store_tx_commit(st, nested) != 0)
		return -1;
	return res;
}

/* Reads one directory row; a record that does not decode is skipped (and
 * logged), so that the others are still shown. */
static int
store_dir_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_dir_row	*v = elem;

	(void)st;
	store_col_copy_trunc(s, 0, v->code, sizeof(v->code));
	v->serial = (uint64_t)sqlite3_column_int64(s, 1);
	v->received_at = sqlite3_column_int64(s, 3);
	return (v->record = store_dir_unpack(s, 2, v->code)) != NULL;
}

/* Frees the record a row owns. */
static void
store_dir_row_free(void *elem)
{
	struct store_dir_row	*v = elem;

	if (v->record != NULL)
		poc__directory_record__free_unpacked(v->record, NULL);
}

int
store_dir_list(struct store *st, struct store_dir_row **rows)
{
	return store_collect(st, STMT_DIR_LIST, sizeof(**rows), store_dir_row,
	    store_dir_row_free, (void **)rows);
}

void
store_dir_rows_free(struct store_dir_row *rows, int n)
{
	store_rows_free(rows, n, sizeof(*rows), store_dir_row_free);
}

int64_t
store_dir_check_get(struct store *st, const char *code, const char *poc)
{
	sqlite3_stmt	*s = st->stmt[STMT_DIR_CHECK_GET];
	int64_t		 v = 0;

	if (store_bind_text(s, 1, code) == SQLITE_OK &&
	    store_bind_text(s, 2, poc) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	store_stmt_done(st, STMT_DIR_CHECK_GET);
	return v;
}

int
store_dir_check_set(struct store *st, const char *code, const char *poc,
    int64_t at_ms)
{
	sqlite3_stmt	*s = st->stmt[STMT_DIR_CHECK_SET];
	int		 nested;

	if (store_tx_begin(st, &nested) != 0)
		return -1;
	if (store_bind_text(s, 1, code) != SQLITE_OK ||
	    store_bind_text(s, 2, poc) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, at_ms) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_DIR_CHECK_SET);
		store_stmt_done(st, STMT_DIR_CHECK_SET);
		store_tx_abort(st, nested);
		return -1;
	}
	store_stmt_done(st, STMT_DIR_CHECK_SET);
	return store_tx_commit(st, nested);
}

int
store_dir_meta_set(struct store *st, const char *key, int64_t v)
{
	sqlite3_stmt	*s = st->stmt[STMT_DIR_META_SET];
	int		 nested;

	if (store_tx_begin(st, &nested) != 0)
		return -1;
	if (store_bind_text(s, 1, key) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, v) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_DIR_META_SET);
		store_stmt_done(st, STMT_DIR_META_SET);
		store_tx_abort(st, nested);
		return -1;
	}
	store_stmt_done(st, STMT_DIR_META_SET);
	return store_tx_commit(st, nested);
}

int64_t
store_dir_meta_get(struct store *st, const char *key)
{
	sqlite3_stmt	*s = st->stmt[STMT_DIR_META_GET];
	int64_t		 v = 0;

	if (store_bind_text(s, 1, key) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	store_stmt_done(st, STMT_DIR_META_GET);
	return v;
}
