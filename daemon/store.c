/*
 * The store's machinery (see store_int.h): the connection, from open to
 * close, and the helpers every subject file runs its statements with.
 * The store is one SQLite file in WAL mode holding every envelope this
 * node sent or received, the outbox, checks, the directory and the audit
 * log.  Its SQL is in store_sql.c (statements, prepared once here at
 * open) and store_schema.c (migrations by PRAGMA user_version); its
 * transactions in store_tx.c; the functions using them are split by
 * subject (store_msg.c, store_checks.c, store_dir.c, store_audit.c,
 * store_sig.c).  This file calls none of them: what must hear of the
 * close or of a transaction's end registers a hook.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store_int.h"
#include "store_schema.h"
#include "util.h"

/* Hooks run in the order they were added. */
void
store_hook_add(struct store *st, const struct store_hook *h)
{
	size_t	 i;

	for (i = 0; i < STORE_HOOKS_MAX; i++) {
		if (st->hooks[i] == h)
			return;
		if (st->hooks[i] == NULL) {
			st->hooks[i] = h;
			return;
		}
	}
	fatalx("store: more than %d hooks", STORE_HOOKS_MAX);
}

/* Logs the SQLite error of statement id; call before resetting it. */
void
store_stmt_error(struct store *st, enum stmt_id id)
{
	log_warnx("store: %s: %s", store_stmts[id].name,
	    sqlite3_errmsg(st->db));
	store_health_note(&st->health, st->db, store_stmts[id].name);
}

/* Makes statement id ready for its next use. */
void
store_stmt_done(struct store *st, enum stmt_id id)
{
	size_t	 i;

	sqlite3_reset(st->stmt[id]);
	sqlite3_clear_bindings(st->stmt[id]);
	/* Every statement ends here.  Inside a transaction its tx_end
	 * tells the hooks; a lone read has no such end. */
	if (!sqlite3_get_autocommit(st->db))
		return;
	for (i = 0; i < STORE_HOOKS_MAX && st->hooks[i] != NULL; i++)
		if (st->hooks[i]->used != NULL)
			st->hooks[i]->used(st);
}

/* Binds a C string with its explicit length; NULL binds "". */
int
store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	size_t	 n;

	if (v == NULL)
		v = "";
	if ((n = strlen(v)) > INT_MAX)
		return SQLITE_TOOBIG;
	return sqlite3_bind_text(s, i, v, (int)n, SQLITE_STATIC);
}

/* Binds len bytes as a BLOB; zero bytes bind an empty BLOB, not NULL. */
int
store_bind_blob(sqlite3_stmt *s, int i, const void *p, size_t len)
{
	if (len > INT_MAX)
		return SQLITE_TOOBIG;
	if (len == 0)
		return sqlite3_bind_zeroblob(s, i, 0);
	return sqlite3_bind_blob(s, i, p, (int)len, SQLITE_STATIC);
}

/* Runs a statement that returns no rows.  Returns 0 or -1 (logged). */
int
store_stmt_exec(struct store *st, enum stmt_id id)
{
	int	 rc;

	rc = sqlite3_step(st->stmt[id]);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_stmt_error(st, id);
		store_stmt_done(st, id);
		return -1;
	}
	store_stmt_done(st, id);
	return 0;
}

/* Copies a TEXT column into buf; -1 (buf untouched) if it does not fit. */
int
store_col_copy(sqlite3_stmt *s, int i, char *buf, size_t size)
{
	size_t	 n = 0;

	/* The text first: then bytes counts it, also for a number. */
	if (sqlite3_column_text(s, i) != NULL)
		n = (size_t)sqlite3_column_bytes(s, i);
	if (n >= size)
		return -1;
	store_col_copy_trunc(s, i, buf, size);
	return 0;
}

/* Copies a TEXT column into buf, cut short at a UTF-8 character boundary
 * if it does not fit (for free text such as errors). */
void
store_col_copy_trunc(sqlite3_stmt *s, int i, char *buf, size_t size)
{
	const unsigned char	*v = sqlite3_column_text(s, i);
	size_t			 n = (size_t)sqlite3_column_bytes(s, i);

	if (v == NULL)
		n = 0;
	if (n >= size) {
		n = size - 1;
		while (n > 0 && (v[n] & 0xc0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(buf, v, n);
	buf[n] = '\0';
}

/* Returns a malloc'd copy of a TEXT column ("" for NULL), or NULL. */
char *
store_col_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char	*v = sqlite3_column_text(s, i);
	size_t			 n = (size_t)sqlite3_column_bytes(s, i);
	char			*p;

	if (v == NULL)
		n = 0;
	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, v, n);
	p[n] = '\0';
	return p;
}

/* Returns a malloc'd copy of a BLOB column with its length in *len, or
 * NULL.  An empty BLOB gets a byte too, so that NULL means failure. */
uint8_t *
store_col_blobdup(sqlite3_stmt *s, int i, size_t *len)
{
	const void	*v = sqlite3_column_blob(s, i);
	size_t		 n = (size_t)sqlite3_column_bytes(s, i);
	uint8_t		*p;

	if ((p = malloc(n > 0 ? n : 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, v, n);
	*len = n;
	return p;
}

/* 1 if the TEXT column equals the C string v exactly. */
int
store_col_equal(sqlite3_stmt *s, int i, const char *v)
{
	const unsigned char	*c = sqlite3_column_text(s, i);
	size_t			 n = (size_t)sqlite3_column_bytes(s, i);

	if (c == NULL)
		n = 0;
	return strlen(v) == n && (n == 0 || memcmp(c, v, n) == 0);
}

/* Clamps a non-negative SQLite integer into an int for counts. */
int
store_clamp_int(sqlite3_int64 v)
{
	if (v < 0)
		return 0;
	return v > INT_MAX ? INT_MAX : (int)v;
}

/* One row of one integer (a count, a version, a max). */
int
store_stmt_int64(struct store *st, enum stmt_id id, int64_t *v)
{
	sqlite3_stmt	*s = st->stmt[id];
	int		 r = -1;

	if (sqlite3_step(s) == SQLITE_ROW) {
		*v = sqlite3_column_type(s, 0) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(s, 0);
		r = 0;
	} else
		store_stmt_error(st, id);
	store_stmt_done(st, id);
	return r;
}

/* Grows the array by doubling; each element is zeroed before its row. */
int
store_collect(struct store *st, enum stmt_id id, size_t elem_size,
    store_row_fn row, store_elem_free_fn elem_free, void **out)
{
	sqlite3_stmt	*s = st->stmt[id];
	char		*v = NULL, *nv, *elem;
	size_t		 cap = 0;
	int		 n = 0, rc, r;

	*out = NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((size_t)n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, elem_size)) == NULL) {
				log_warn("store: %s", store_stmts[id].name);
				goto fail;
			}
			v = nv;
		}
		elem = v + (size_t)n * elem_size;
		memset(elem, 0, elem_size);
		if ((r = row(st, s, elem)) == -1)
			goto fail;
		n += r;
	}
	if (rc != SQLITE_DONE) {
		store_stmt_error(st, id);
		goto fail;
	}
	store_stmt_done(st, id);
	*out = v;
	return n;
 fail:
	store_stmt_done(st, id);
	store_rows_free(v, n, elem_size, elem_free);
	return -1;
}

/* Frees what each element owns, then the array. */
void
store_rows_free(void *rows, int n, size_t elem_size,
    store_elem_free_fn elem_free)
{
	int	 i;

	if (rows == NULL)
		return;
	for (i = 0; elem_free != NULL && i < n; i++)
		elem_free((char *)rows + (size_t)i * elem_size);
	free(rows);
}

/*
 * Creates the file with mode 0600 before SQLite does (it would use 0644
 * less umask), since it holds TLP:AMBER and RED material.  SQLite gives the
 * -wal and -shm files the database file's mode.  An existing file that is
 * readable by others is tightened, with a warning.
 */
static int
store_create_file(const char *path, char *err, size_t errlen)
{
	struct stat	 sb;
	int		 fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd != -1) {
		close(fd);
		return 0;
	}
	if (errno != EEXIST) {
		util_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (stat(path, &sb) == -1) {
		util_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(sb.st_mode) && (sb.st_mode & 077) != 0) {
		log_warnx("store: %s: mode %03o is too open, setting 0600",
		    path, (unsigned)(sb.st_mode & 0777));
		if (chmod(path, 0600) == -1) {
			util_seterr(err, errlen, "chmod %s: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Creates the file, sets the pragmas, migrates, then prepares every
 * statement; any failure closes what was opened. */
struct store *
store_open(const char *path, enum store_sync sync, char *err, size_t errlen)
{
	struct store	*st;
	int		 rc;

	util_seterr(err, errlen, "unknown error");
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		util_seterr(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (store_create_file(path, err, errlen) == -1)
		goto fail;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		util_seterr(err, errlen, "%s: %s", path, st->db != NULL ?
		    sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	st->sync_full = sync != STORE_SYNC_NORMAL;
	if (store_schema_set_pragmas(st->db, st->sync_full, err,
	    errlen) == -1 ||
	    store_schema_migrate(st->db, path, err, errlen) == -1 ||
	    store_sql_prepare(st->db, st->stmt, err, errlen) == -1)
		goto fail;
	util_seterr(err, errlen, "%s", "");
	log_debug("store: %s: open, schema version %d, synchronous=%s", path,
	    store_schema_latest(), st->sync_full ? "FULL" : "NORMAL");
	return st;
 fail:
	store_close(st);
	return NULL;
}

/* Runs the close hooks, then finalizes the statements and the connection. */
void
store_close(struct store *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	/* The checkpoint thread stops before its connection's peer goes. */
	for (i = 0; i < STORE_HOOKS_MAX && st->hooks[i] != NULL; i++)
		if (st->hooks[i]->close != NULL)
			st->hooks[i]->close(st);
	store_sql_finalize(st->stmt);
	/* An open batch is rolled back by the close: never half-stored. */
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(st->db));
	free(st);
}

/* The user_version of the open database, or -1. */
int
store_schema_version(struct store *st)
{
	int64_t	 v;

	if (store_stmt_int64(st, STMT_USER_VERSION, &v) == -1)
		return -1;
	return (int)v;
}

void
store_health_get(struct store *st, struct store_health *h)
{
	store_health_read(&st->health, st->db, h);
}

int
store_health_unsynced(struct store *st)
{
	return store_health_fsync_failed(&st->health);
}

int64_t
store_bytes_free(struct store *st)
{
	return st == NULL ? -1 : store_health_bytes_free(st->db);
}
