/*
 * The store's health as operators see it (see store_health.h): whether the last
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
#include "store_health.h"
#include "util.h"

/* Free bytes on the store's file system (for an unprivileged writer), or
 * -1 if statvfs fails. */
int64_t
store_health_bytes_free(sqlite3 *db)
{
	const char	*path;
	struct statvfs	 sv;

	if (db == NULL || (path = sqlite3_db_filename(db, "main")) == NULL ||
	    path[0] == '\0' || statvfs(path, &sv) == -1)
		return -1;
	return (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
}

void
store_health_begin(struct store_health_state *hs)
{
	hs->noted = 0;
}

/*
 * Called by store_stmt_error with the failing statement's name: notes a
 * disk failure for status and logs what it means.
 */
void
store_health_note(struct store_health_state *hs, sqlite3 *db,
    const char *stmt)
{
	struct store_health	*h = &hs->last;
	int			 code = sqlite3_extended_errcode(db);

	switch (code & 0xff) {
	case SQLITE_FULL:
		snprintf(h->error, sizeof(h->error),
		    "the store is full (%lld bytes free)",
		    (long long)store_health_bytes_free(db));
		break;
	case SQLITE_IOERR:
		if (code == SQLITE_IOERR_FSYNC || code == SQLITE_IOERR_DIR_FSYNC) {
			snprintf(h->error, sizeof(h->error),
			    "the store's disk failed to sync a commit (%s)",
			    sqlite3_errmsg(db));
			break;
		}
		/* FALLTHROUGH */
	case SQLITE_CANTOPEN:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_READONLY:
		snprintf(h->error, sizeof(h->error),
		    "the store's disk failed: %s", sqlite3_errmsg(db));
		break;
	default:
		return;
	}
	h->code = code;
	h->at = util_now_ms();
	if (!hs->noted) {
		hs->noted = 1;
		h->failures++;
		log_warnx("store: %s: %s; nothing of this transaction is "
		    "stored, and nothing of it is acknowledged", stmt,
		    h->error);
	}
}

void
store_health_ok(struct store_health_state *hs)
{
	struct store_health	*h = &hs->last;

	if (h->code == 0)
		return;
	log_info("store: writes commit again (the last failure: %s)",
	    h->error);
	h->code = 0;
	h->error[0] = '\0';
}

void
store_health_read(const struct store_health_state *hs, sqlite3 *db,
    struct store_health *h)
{
	*h = hs->last;
	h->bytes_free = store_health_bytes_free(db);
}

int
store_health_fsync_failed(const struct store_health_state *hs)
{
	return hs->last.code == SQLITE_IOERR_FSYNC ||
	    hs->last.code == SQLITE_IOERR_DIR_FSYNC;
}
