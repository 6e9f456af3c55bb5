/*
 * A store file in a temporary directory for unit tests that open a real
 * store (db_store() opens it), and the test's own SQLite connection to
 * it: db_int() reads one
 * figure, db_exec() plants a fault (a trigger, a table) or removes it,
 * beside the store's connection as another process would.
 */
#ifndef POC_TEST_DB_FIXTURE_H
#define POC_TEST_DB_FIXTURE_H

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "daemon/store.h"

static char	 db_dir[PATH_MAX];
static char	 db_path[PATH_MAX + 16];	/* db_dir/pocd.db */

/* Makes db_dir (named after the test) under $TMPDIR or /tmp. */
static void
db_setup(const char *test)
{
	const char	*t = getenv("TMPDIR");

	snprintf(db_dir, sizeof(db_dir), "%s/%s.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp", test);
	ck_assert_ptr_nonnull(mkdtemp(db_dir));
	snprintf(db_path, sizeof(db_path), "%s/pocd.db", db_dir);
}

/* Removes the store file, its WAL and shared memory, and db_dir. */
static void
db_teardown(void)
{
	static const char	*const sfx[] = { "", "-wal", "-shm", "-journal" };
	char			 p[PATH_MAX + 32];
	size_t			 i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", db_path, sfx[i]);
		unlink(p);
	}
	rmdir(db_dir);
}

/* Opens the store at db_path (synchronous = normal: tests need no
 * fsync); the test fails if it does not open. */
static __attribute__((unused)) struct store *
db_store(void)
{
	struct store	*st;
	char		 err[256];

	st = store_open(db_path, STORE_SYNC_NORMAL, err, sizeof(err));
	ck_assert_msg(st != NULL, "store_open: %s", err);
	return st;
}

/* The first column of the first row of sql (0 if no row). */
static __attribute__((unused)) long long
db_int(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	long long	 v = 0;

	ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Runs sql, which must succeed. */
static __attribute__((unused)) void
db_exec(const char *sql)
{
	sqlite3	*db;
	char	*msg = NULL;

	ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
	    "%s: %s", sql, msg != NULL ? msg : "?");
	sqlite3_close(db);
}

#endif
