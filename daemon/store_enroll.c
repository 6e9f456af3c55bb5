/*
 * Enrollment requests (see store_enroll.h); the statements are in
 * store_sql.c's table.  The offered record is kept as its packed bytes,
 * signature included, so what an approval stores is what the member
 * signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_audit.h"
#include "store_enroll.h"
#include "store_int.h"
#include "store_tx.h"

/* Reads one row of STORE_ENROLL_COLS; a record that does not decode is
 * skipped (logged). */
static int
store_enroll_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_enroll_row	*v = elem;
	const void		*b;
	int			 n;

	(void)st;
	store_col_copy_trunc(s, 0, v->code, sizeof(v->code));
	store_col_copy_trunc(s, 1, v->fp, sizeof(v->fp));
	b = sqlite3_column_blob(s, 2);
	n = sqlite3_column_bytes(s, 2);
	store_col_copy_trunc(s, 3, v->source, sizeof(v->source));
	v->received_at = sqlite3_column_int64(s, 4);
	v->last_seen = sqlite3_column_int64(s, 5);
	v->requests = (uint32_t)store_clamp_int(sqlite3_column_int64(s, 6));
	store_col_copy_trunc(s, 7, v->state, sizeof(v->state));
	store_col_copy_trunc(s, 8, v->reason, sizeof(v->reason));
	v->decided_at = sqlite3_column_int64(s, 9);
	store_col_copy_trunc(s, 10, v->decided_by, sizeof(v->decided_by));
	v->record = poc__directory_record__unpack(NULL, (size_t)n, b);
	if (v->record == NULL) {
		log_warnx("store: enrollment request of %s does not decode",
		    v->code);
		return 0;
	}
	return 1;
}

void
store_enroll_row_clear(struct store_enroll_row *v)
{
	if (v->record != NULL)
		poc__directory_record__free_unpacked(v->record, NULL);
	v->record = NULL;
}

static void
store_enroll_row_free(void *elem)
{
	store_enroll_row_clear(elem);
}

int
store_enroll_get(struct store *st, const char *code,
    struct store_enroll_row *out)
{
	sqlite3_stmt	*s = st->stmt[STMT_ENROLL_GET];
	int		 rc, res = -1;

	memset(out, 0, sizeof(*out));
	if (store_bind_text(s, 1, code) != SQLITE_OK) {
		store_stmt_error(st, STMT_ENROLL_GET);
		store_stmt_done(st, STMT_ENROLL_GET);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		res = 0;
	else if (rc == SQLITE_ROW)
		res = store_enroll_row(st, s, out) == 1 ? 1 : -1;
	else
		store_stmt_error(st, STMT_ENROLL_GET);
	store_stmt_done(st, STMT_ENROLL_GET);
	return res;
}

/* Runs the bound statement id as one write (a savepoint if nested). */
static int
store_enroll_write(struct store *st, enum stmt_id id, int bound)
{
	int	 nested;

	if (store_tx_begin(st, &nested) != 0) {
		store_stmt_done(st, id);
		return -1;
	}
	if (!bound || sqlite3_step(st->stmt[id]) != SQLITE_DONE) {
		store_stmt_error(st, id);
		store_stmt_done(st, id);
		store_tx_abort(st, nested);
		return -1;
	}
	store_stmt_done(st, id);
	return store_tx_commit(st, nested);
}

int
store_enroll_put(struct store *st, const struct store_enroll_row *v)
{
	sqlite3_stmt	*s = st->stmt[STMT_ENROLL_PUT];
	uint8_t		*buf;
	size_t		 len;
	int		 bound, res;

	len = poc__directory_record__get_packed_size(v->record);
	if ((buf = malloc(len > 0 ? len : 1)) == NULL) {
		log_warn("store_enroll_put");
		return -1;
	}
	len = poc__directory_record__pack(v->record, buf);
	bound = store_bind_text(s, 1, v->code) == SQLITE_OK &&
	    store_bind_text(s, 2, v->fp) == SQLITE_OK &&
	    store_bind_blob(s, 3, buf, len) == SQLITE_OK &&
	    store_bind_text(s, 4, v->source) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 5, v->received_at) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 6, v->last_seen) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 7, v->requests) == SQLITE_OK &&
	    store_bind_text(s, 8, v->state) == SQLITE_OK &&
	    store_bind_text(s, 9, v->reason) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 10, v->decided_at) == SQLITE_OK &&
	    store_bind_text(s, 11, v->decided_by) == SQLITE_OK;
	res = store_enroll_write(st, STMT_ENROLL_PUT, bound);
	free(buf);
	return res;
}

int
store_enroll_seen(struct store *st, const char *code, int64_t now_ms,
    const char *source)
{
	sqlite3_stmt	*s = st->stmt[STMT_ENROLL_SEEN];

	return store_enroll_write(st, STMT_ENROLL_SEEN,
	    store_bind_text(s, 1, code) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 2, now_ms) == SQLITE_OK &&
	    store_bind_text(s, 3, source) == SQLITE_OK);
}

/*
 * The audit entry of a decision just written (inside its transaction):
 * who decided, on which certificate, why, over the digest of the record
 * offered, as the request holds it.  0, or -1 (logged).
 */
static int
store_enroll_audit(struct store *st, const char *code, const char *state,
    const char *reason, int64_t at_ms, const char *by)
{
	sqlite3_stmt	*s = st->stmt[STMT_ENROLL_GET];
	const char	*kind;
	char		 detail[700], fp[65];
	uint8_t		*rec;
	size_t		 len;
	int		 res;

	kind = strcmp(state, "approved") == 0 ? "enroll-approved" :
	    "enroll-rejected";
	if (store_bind_text(s, 1, code) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		store_stmt_error(st, STMT_ENROLL_GET);
		store_stmt_done(st, STMT_ENROLL_GET);
		return -1;
	}
	store_col_copy_trunc(s, 1, fp, sizeof(fp));
	rec = store_col_blobdup(s, 2, &len);
	store_stmt_done(st, STMT_ENROLL_GET);
	if (rec == NULL) {
		log_warn("store: enrollment audit of %s", code);
		return -1;
	}
	snprintf(detail, sizeof(detail), "by %.96s; certificate %s%s%.256s",
	    by, fp, reason[0] != '\0' ? "; reason: " : "", reason);
	res = store_audit_append(st, kind, "", code, detail, rec, len, at_ms);
	free(rec);
	return res;
}

int
store_enroll_decide(struct store *st, const char *code, const char *state,
    const char *reason, int64_t at_ms, const char *by)
{
	sqlite3_stmt	*s = st->stmt[STMT_ENROLL_DECIDE];
	int		 nested;

	if (store_tx_begin(st, &nested) != 0)
		return -1;
	if (store_bind_text(s, 1, code) != SQLITE_OK ||
	    store_bind_text(s, 2, state) != SQLITE_OK ||
	    store_bind_text(s, 3, reason) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, at_ms) != SQLITE_OK ||
	    store_bind_text(s, 5, by) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_ENROLL_DECIDE);
		store_stmt_done(st, STMT_ENROLL_DECIDE);
		store_tx_abort(st, nested);
		return -1;
	}
	store_stmt_done(st, STMT_ENROLL_DECIDE);
	if (sqlite3_changes(st->db) != 1 ||
	    store_enroll_audit(st, code, state, reason, at_ms, by) != 0) {
		store_tx_abort(st, nested);
		return -1;
	}
	return store_tx_commit(st, nested);
}

int
store_enroll_list(struct store *st, int all, struct store_enroll_row **rows)
{
	if (sqlite3_bind_int(st->stmt[STMT_ENROLL_LIST], 1, all != 0) !=
	    SQLITE_OK) {
		store_stmt_error(st, STMT_ENROLL_LIST);
		store_stmt_done(st, STMT_ENROLL_LIST);
		return -1;
	}
	return store_collect(st, STMT_ENROLL_LIST, sizeof(**rows),
	    store_enroll_row, store_enroll_row_free, (void **)rows);
}

void
store_enroll_rows_free(struct store_enroll_row *rows, int n)
{
	store_rows_free(rows, n, sizeof(*rows), store_enroll_row_free);
}

int
store_enroll_pending(struct store *st)
{
	int64_t	 v;

	if (store_stmt_int64(st, STMT_ENROLL_COUNT, &v) != 0)
		return -1;
	return (int)v;
}
