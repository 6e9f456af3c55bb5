/*
 * The store's schema (see store_schema.h): the migrations, and the
 * pragmas a connection needs before it may use them.  The statements
 * that run against the schema are in store_sql.c.
 *
 * The schema is migrated by PRAGMA user_version, one transaction per
 * step, so a crash mid-migration leaves the previous version intact.
 * This runs before the statement table is prepared, so it runs its SQL
 * with sqlite3_exec and one-off statements.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "log.h"
#include "store_schema.h"
#include "util.h"

#define STORE_CACHE_KIB		16384	/* page cache of the connection */

/*
 * Schema migrations: store_migrations[i] brings user_version i to i + 1.
 * Never edit a released entry; append a new one (the schema version is the
 * number of entries).
 */
static const char *const store_migrations[] = {
	/* 0 -> 1: messages and the outbox. */
	"CREATE TABLE messages ("
	" seq INTEGER PRIMARY KEY,"
	" id TEXT NOT NULL UNIQUE,"
	" direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	" sender TEXT NOT NULL,"
	" recipient TEXT NOT NULL,"
	" thread_id TEXT NOT NULL,"
	" in_reply_to TEXT NOT NULL,"
	" ref_id TEXT NOT NULL,"
	" kind INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" state TEXT NOT NULL CHECK ("
	"  (direction = 'in' AND state = 'received') OR"
	"  (direction = 'out' AND"
	"   state IN ('queued', 'delivered', 'rejected'))),"
	" received_at INTEGER NOT NULL DEFAULT 0,"
	" delivered_at INTEGER NOT NULL DEFAULT 0,"
	" reason TEXT NOT NULL DEFAULT '',"
	" envelope BLOB NOT NULL"
	");"
	"CREATE INDEX messages_thread ON messages (thread_id);"
	"CREATE INDEX messages_ref ON messages (ref_id);"
	"CREATE INDEX messages_direction ON messages (direction, seq);"
	"CREATE TABLE outbox ("
	" seq INTEGER PRIMARY KEY REFERENCES messages (seq),"
	" id TEXT NOT NULL UNIQUE,"
	" recipient TEXT NOT NULL,"
	" queued_at INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX outbox_recipient ON outbox (recipient, seq);",
	/* communication checks (store_checks.c) and acknowledgement
	 * deadlines of outgoing requests and notifications. */
	"CREATE TABLE check_campaigns ("
	" id TEXT PRIMARY KEY,"
	" created_at INTEGER NOT NULL,"
	" reply_by INTEGER NOT NULL,"
	" scheduled INTEGER NOT NULL DEFAULT 0,"
	" created_by TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX check_campaigns_created ON check_campaigns"
	" (scheduled, created_at);"
	"CREATE TABLE check_targets ("
	" campaign_id TEXT NOT NULL REFERENCES check_campaigns (id),"
	" member TEXT NOT NULL,"
	" envelope_id TEXT NOT NULL UNIQUE,"
	" replied_at INTEGER NOT NULL DEFAULT 0,"
	" replied_by TEXT NOT NULL DEFAULT '',"
	" reply_id TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY (campaign_id, member)"
	");"
	"CREATE TABLE deadlines ("
	" msg_id TEXT PRIMARY KEY,"
	" recipient TEXT NOT NULL,"
	" urgency INTEGER NOT NULL,"
	" deadline_at INTEGER NOT NULL,"
	" overdue_at INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX deadlines_pending ON deadlines (overdue_at, deadline_at);"
	/* the case status lifecycle: one row per StatusUpdate */
	"CREATE TABLE case_status ("
	" msg_id TEXT PRIMARY KEY,"
	" thread_id TEXT NOT NULL,"
	" status INTEGER NOT NULL,"
	" changed_at INTEGER NOT NULL,"
	" member TEXT NOT NULL"
	");"
	"CREATE INDEX case_status_thread ON case_status (thread_id, changed_at);",
	/* The hash-chained audit log (store_audit.c, common/audit.h) and
	 * the certificate that signed each received envelope
	 * (store_sig.c). */
	"CREATE TABLE audit ("
	" seq INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" message_id TEXT NOT NULL,"
	" peer TEXT NOT NULL,"
	" detail TEXT NOT NULL,"
	" envelope_sha256 BLOB NOT NULL,"
	" prev_hash BLOB NOT NULL,"
	" hash BLOB NOT NULL"
	");"
	"CREATE INDEX audit_message ON audit (message_id);"
	"CREATE TABLE message_signers ("
	" id TEXT PRIMARY KEY,"
	" cert BLOB NOT NULL"
	");",
	/* The directory (store_dir.c): member records as signed, the
	 * node's own last successful check of each PoC, and small facts
	 * such as the last sync time. */
	"CREATE TABLE directory ("
	" code TEXT PRIMARY KEY,"
	" network TEXT NOT NULL,"
	" serial INTEGER NOT NULL CHECK (serial > 0),"
	" expires INTEGER NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" via TEXT NOT NULL DEFAULT '',"
	" record BLOB NOT NULL"
	");"
	"CREATE TABLE directory_checks ("
	" code TEXT NOT NULL,"
	" poc TEXT NOT NULL,"
	" last_check INTEGER NOT NULL,"
	" PRIMARY KEY (code, poc)"
	");"
	"CREATE TABLE directory_meta ("
	" key TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL"
	");",
	/* The receive path's writes per envelope, trimmed (store_sig.c):
	 * a signer certificate is kept once, keyed by the SHA-256 of its
	 * DER, and each message names it by that digest instead of a row
	 * of its own holding a copy (message_signers is read for older
	 * messages only).  audit_message indexed a random UUID per entry
	 * and no query used it.  messages_ref now holds only the messages
	 * that refer to one (acknowledgements, responses): the others all
	 * had '', one more page written by every commit for nothing; its
	 * queries say ref_id != '' so that SQLite may use it. */
	"CREATE TABLE signer_certs ("
	" fp BLOB PRIMARY KEY,"
	" cert BLOB NOT NULL"
	") WITHOUT ROWID;"
	"ALTER TABLE messages ADD COLUMN signer BLOB;"
	"DROP INDEX audit_message;"
	"DROP INDEX messages_ref;"
	"CREATE INDEX messages_ref ON messages (ref_id) WHERE ref_id != '';",
	/* Cases sent to many (store_send.c): one row per case and one per
	 * envelope, written in the transaction that queues the envelopes.
	 * On the wire each envelope is a case of its own (thread_id = id);
	 * these rows are what makes them one case here.  The case's id is
	 * its first envelope's. */
	"CREATE TABLE send_many ("
	" id TEXT PRIMARY KEY,"
	" created_at INTEGER NOT NULL,"
	" kind INTEGER NOT NULL,"
	" recipients INTEGER NOT NULL CHECK (recipients > 0),"
	" created_by TEXT NOT NULL"
	");"
	"CREATE INDEX send_many_created ON send_many (created_at);"
	"CREATE TABLE send_many_envelopes ("
	" envelope_id TEXT PRIMARY KEY,"
	" case_id TEXT NOT NULL REFERENCES send_many (id),"
	" recipient TEXT NOT NULL"
	");"
	"CREATE INDEX send_many_envelopes_case ON send_many_envelopes"
	" (case_id);",
};
#define STORE_SCHEMA_VERSION						\
	((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

/* The schema version is the number of migrations. */
int
store_schema_latest(void)
{
	return STORE_SCHEMA_VERSION;
}

/* Runs SQL without results at open time (pragmas, migrations). */
static int
store_schema_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		util_seterr(err, errlen, "%.60s: %s", sql,
		    msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Runs SQL returning one row at open time; copies its first column as text
 * into out if out is not NULL, and as an integer into *iv if not NULL. */
static int
store_schema_query(sqlite3 *db, const char *sql, char *out, size_t outlen,
    sqlite3_int64 *iv, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	const char	*text;
	int		 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		util_seterr(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
		return -1;
	}
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		util_seterr(err, errlen, "%s: %s", sql,
		    rc == SQLITE_DONE ? "no result" : sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	if (out != NULL) {
		text = (const char *)sqlite3_column_text(s, 0);
		snprintf(out, outlen, "%s", text != NULL ? text : "");
	}
	if (iv != NULL)
		*iv = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

/* Refuses a schema this code does not know: newer, or nonsense. */
static int
store_schema_version_ok(sqlite3_int64 v, char *err, size_t errlen)
{
	if (v > STORE_SCHEMA_VERSION) {
		util_seterr(err, errlen, "database schema version %lld is "
		    "newer than this pocd (%d); upgrade pocd", (long long)v,
		    STORE_SCHEMA_VERSION);
		return 0;
	}
	if (v < 0) {
		util_seterr(err, errlen, "database schema version %lld is "
		    "not valid", (long long)v);
		return 0;
	}
	return 1;
}

/* Refuses a newer schema first, before switching the journal mode
 * changes the file. */
int
store_schema_set_pragmas(sqlite3 *db, int sync_full, char *err,
    size_t errlen)
{
	sqlite3_int64	 v;
	char		 mode[16], sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA busy_timeout = %d",
	    STORE_BUSY_TIMEOUT_MS);
	if (store_schema_exec(db, sql, err, errlen) == -1)
		return -1;
	if (store_schema_query(db, "PRAGMA user_version", NULL, 0, &v, err,
	    errlen) == -1 || !store_schema_version_ok(v, err, errlen))
		return -1;
	if (store_schema_query(db, "PRAGMA journal_mode = WAL", mode,
	    sizeof(mode), NULL, err, errlen) == -1)
		return -1;
	if (strcasecmp(mode, "wal") != 0) {
		util_seterr(err, errlen, "journal_mode is %s, not wal "
		    "(is the file on a network file system?)", mode);
		return -1;
	}
	if (store_schema_exec(db, sync_full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", err, errlen) == -1)
		return -1;
	/* The UUID indexes take each insert to a random leaf page: keep
	 * them in memory rather than read them back from the file. */
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d",
	    STORE_CACHE_KIB);
	if (store_schema_exec(db, sql, err, errlen) == -1)
		return -1;
	return store_schema_exec(db, "PRAGMA foreign_keys = ON", err, errlen);
}

/*
 * The version is read inside the same BEGIN IMMEDIATE as each step, and
 * bumped in it, so a crash or a second process can never apply a step
 * twice or record one half done.
 */
int
store_schema_migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_int64	 v;
	char		 sql[64];

	for (;;) {
		if (store_schema_exec(db, "BEGIN IMMEDIATE", err, errlen) == -1)
			return -1;
		if (store_schema_query(db, "PRAGMA user_version", NULL, 0, &v,
		    err, errlen) == -1)
			goto fail;
		if (!store_schema_version_ok(v, err, errlen))
			goto fail;
		if (v == STORE_SCHEMA_VERSION)
			return store_schema_exec(db, "COMMIT", err, errlen);
		if (store_schema_exec(db, store_migrations[v], err,
		    errlen) == -1)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld",
		    (long long)v + 1);
		if (store_schema_exec(db, sql, err, errlen) == -1 ||
		    store_schema_exec(db, "COMMIT", err, errlen) == -1)
			goto fail;
		log_info("store: %s: schema migrated to version %lld", path,
		    (long long)v + 1);
	}
 fail:
	if (!sqlite3_get_autocommit(db))
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
