/*
 * The store's health as operators see it (see store.h): whether the last
 * write failed for want of space or with an I/O error, how much space is
 * left, and how many transactions did not commit since start.
 *
 * A failed write is never retried here: SQLite has rolled the transaction
 * back (or store_tx.c does), the caller has sent no receipt and no
 * "queued", so the sender or the operator tries again.  The first commit
 * that succeeds afterwards clears the error: nothing needs a restart.
 *
 * A failed fsync of a commit is a failure, never success, but not proof
 * that nothing reached the disk: the commit's frames were written to the
 * WAL, and although this connection ignores them (and its next commit
 * writes over them), a crash before that commit lets recovery find them
 * whole.  A peer's envelope is then answered DUPLICATE on its resend; an
 * operator is told the send is unconfirmed (store_health_unsynced).
 */
#include <sys/statvfs.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_int.h"
#include "util.h"

/* Free bytes on the store's file system (for an unprivileged writer), or
 * -1 if statvfs fails. */
int64_t
store_bytes_free(struct store *st)
{
	const char	*path;
	struct statvfs	 sv;

	if (st == NULL || st->db == NULL ||
	    (path = sqlite3_db_filename(st->db, "main")) == NULL ||
	    path[0] == '\0' || statvfs(path, &sv) == -1)
		return -1;
	return (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
}

/* A new top-level transaction: its failure, if any, counts once. */
void
store_health_begin(struct store *st)
{
	st->health_noted = 0;
}

/*
 * Called by store_stmt_error with the failing statement's name: notes a
 * disk failure (full, I/O error, a file that cannot be opened, a database
 * found damaged) for status and logs what it means.
 */
void
store_health_note(struct store *st, const char *stmt)
{
	int	 code = sqlite3_extended_errcode(st->db);
	int64_t	 nfree;

	switch (code & 0xff) {
	case SQLITE_FULL:
		nfree = store_bytes_free(st);
		snprintf(st->health.error, sizeof(st->health.error),
		    "the store is full (%lld bytes free)", (long long)nfree);
		break;
	case SQLITE_IOERR:
		if (code == SQLITE_IOERR_FSYNC || code == SQLITE_IOERR_DIR_FSYNC) {
			snprintf(st->health.error, sizeof(st->health.error),
			    "the store's disk failed to sync a commit (%s)",
			    sqlite3_errmsg(st->db));
			break;
		}
		/* FALLTHROUGH */
	case SQLITE_CANTOPEN:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_READONLY:
		snprintf(st->health.error, sizeof(st->health.error),
		    "the store's disk failed: %s", sqlite3_errmsg(st->db));
		break;
	default:
		return;
	}
	st->health.code = code;
	st->health.at = util_now_ms();
	if (!st->health_noted) {
		st->health_noted = 1;
		st->health.failures++;
		log_warnx("store: %s: %s; nothing of this transaction is "
		    "stored, and nothing of it is acknowledged", stmt,
		    st->health.error);
	}
}

/* A top-level transaction committed: the store writes again. */
void
store_health_ok(struct store *st)
{
	if (st->health.code == 0)
		return;
	log_info("store: writes commit again (the last failure: %s)",
	    st->health.error);
	st->health.code = 0;
	st->health.error[0] = '\0';
}

void
store_health_get(struct store *st, struct store_health *h)
{
	*h = st->health;
	h->bytes_free = store_bytes_free(st);
}

int
store_health_unsynced(struct store *st)
{
	return st->health.code == SQLITE_IOERR_FSYNC ||
	    st->health.code == SQLITE_IOERR_DIR_FSYNC;
}
