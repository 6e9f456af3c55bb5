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
#include "proto/poc.pb-c.h"
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
	/* Events for people (store_events.c): each is written in the
	 * transaction of the change that raised it; alert says whether the
	 * [alert] command must still run for it (1 pending, 2 done, 3 given
	 * up), so that a crash between the commit and the command cannot
	 * lose it.  dedupe names an event raised at most once (a case going
	 * overdue); AUTOINCREMENT keeps seq increasing across pruning, as
	 * `pocctl watch` resumes after the last seq it saw.  The receive
	 * path adds a row per envelope, so an event without a dedupe name
	 * or a pending alert touches no index: both indexes are partial,
	 * and pruning (twice a day) scans the table instead. */
	"CREATE TABLE events ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at INTEGER NOT NULL,"
	" kind INTEGER NOT NULL,"
	" case_id TEXT NOT NULL,"
	" message_id TEXT NOT NULL,"
	" peer TEXT NOT NULL,"
	" urgency INTEGER NOT NULL,"
	" tlp INTEGER NOT NULL,"
	" exercise INTEGER NOT NULL,"
	" summary TEXT NOT NULL,"
	" detail TEXT NOT NULL,"
	" due_at INTEGER NOT NULL,"
	" dedupe TEXT,"
	" alert INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" alert_at INTEGER NOT NULL DEFAULT 0,"
	" alert_error TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE UNIQUE INDEX events_dedupe ON events (dedupe)"
	" WHERE dedupe IS NOT NULL;"
	"CREATE INDEX events_alert ON events (alert_at) WHERE alert = 1;",
	/*
	 * Listings that stay fast after years (store_msg.c, store_case.c):
	 * the columns the inbox, outbox and cases filter on, taken out of
	 * the envelope once (poc_envelope_attr(), store_schema.c) and then
	 * kept by every insert; an acknowledgement or response stamps the
	 * message it answers in its own transaction.  Each filter has an
	 * index that yields the box in seq order, so that a page is read
	 * from the index, never by a sort of the whole table.  The partial
	 * indexes cost an insert only for the rows they hold.
	 *
	 * cases: one row per thread opened by an assistance request or a
	 * notification, kept in the transaction of each message of the
	 * thread (store_msg.c): `pocctl cases` reads a page of it by
	 * last_seq instead of grouping a million messages by thread.
	 */
	"ALTER TABLE messages ADD COLUMN party TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE messages ADD COLUMN urgency INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN tlp INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN exercise INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN acked_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN answered_at INTEGER NOT NULL"
	" DEFAULT 0;"
	"UPDATE messages SET party = CASE direction WHEN 'in' THEN sender"
	" ELSE recipient END,"
	" urgency = poc_envelope_attr(envelope, 'urgency'),"
	" tlp = poc_envelope_attr(envelope, 'tlp'),"
	" exercise = poc_envelope_attr(envelope, 'exercise');"
	"UPDATE messages SET acked_at = coalesce((SELECT min(CASE a.direction"
	" WHEN 'in' THEN a.received_at ELSE a.created_at END)"
	" FROM messages a WHERE a.ref_id = messages.id AND a.ref_id != ''"
	" AND a.kind = 23 AND a.direction != messages.direction"
	" AND a.party = messages.party), 0) WHERE kind IN (20, 22);"
	"UPDATE messages SET answered_at = coalesce((SELECT min(CASE"
	" a.direction WHEN 'in' THEN a.received_at ELSE a.created_at END)"
	" FROM messages a WHERE a.ref_id = messages.id AND a.ref_id != ''"
	" AND a.kind = 21 AND a.direction != messages.direction"
	" AND a.party = messages.party), 0) WHERE kind = 20;"
	"CREATE INDEX messages_party ON messages (direction, party, seq);"
	"CREATE INDEX messages_kind ON messages (direction, kind, seq);"
	"CREATE INDEX messages_unacked ON messages (direction, seq)"
	" WHERE kind IN (20, 22) AND acked_at = 0;"
	"CREATE INDEX messages_exercise ON messages (direction, seq)"
	" WHERE exercise != 0;"
	"CREATE TABLE cases ("
	" thread_id TEXT PRIMARY KEY,"
	" open_seq INTEGER NOT NULL,"
	" party TEXT NOT NULL,"
	" status INTEGER NOT NULL DEFAULT 0,"
	" messages INTEGER NOT NULL DEFAULT 1,"
	" last_seq INTEGER NOT NULL,"
	" last_at INTEGER NOT NULL"
	");"
	"CREATE INDEX cases_last ON cases (last_seq);"
	"CREATE INDEX cases_party ON cases (party, last_seq);"
	"INSERT INTO cases (thread_id, open_seq, party, last_seq, last_at)"
	" SELECT CASE thread_id WHEN '' THEN id ELSE thread_id END, seq,"
	" party, seq, CASE direction WHEN 'in' THEN received_at"
	" ELSE created_at END"
	" FROM messages WHERE kind IN (20, 22)"
	" AND (thread_id = id OR thread_id = '')"
	" ON CONFLICT (thread_id) DO NOTHING;"
	"UPDATE cases SET"
	" (messages, last_seq, last_at) = (SELECT count(*), max(m.seq),"
	"  max(CASE m.direction WHEN 'in' THEN m.received_at"
	"  ELSE m.created_at END)"
	"  FROM messages m WHERE m.thread_id = cases.thread_id"
	"  OR m.id = cases.thread_id),"
	" status = coalesce((SELECT poc_envelope_attr(m.envelope, 'status')"
	"  FROM messages m WHERE m.thread_id = cases.thread_id AND m.kind = 24"
	"  ORDER BY m.seq DESC LIMIT 1), 0);"
	"CREATE INDEX check_campaigns_list ON check_campaigns (created_at);"
	/* status counts the inbox from here, not by reading an index of a
	 * million entries (kept by store_list_note()). */
	"CREATE TABLE message_counts ("
	" direction TEXT PRIMARY KEY,"
	" n INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"INSERT INTO message_counts (direction, n)"
	" SELECT 'in', count(*) FROM messages WHERE direction = 'in'"
	" UNION ALL"
	" SELECT 'out', count(*) FROM messages WHERE direction = 'out';",
	/* Enrollment requests (store_enroll.c): one row per member that
	 * asked to join through this node, the record it offered and the
	 * operator's decision.  A request never touches the directory
	 * table until it is approved. */
	"CREATE TABLE enrollments ("
	" code TEXT PRIMARY KEY,"
	" fp TEXT NOT NULL,"
	" record BLOB NOT NULL,"
	" source TEXT NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" requests INTEGER NOT NULL DEFAULT 1,"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('pending', 'approved', 'refused')),"
	" reason TEXT NOT NULL DEFAULT '',"
	" decided_at INTEGER NOT NULL DEFAULT 0,"
	" decided_by TEXT NOT NULL DEFAULT ''"
	");",
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
	/* Witnessed audit heads (store_witness.c): per member the latest
	 * head it signed (conflict = ''), and each head that contradicted
	 * it (conflict = why), kept as evidence.  A head is never replaced
	 * by one with fewer entries. */
	"CREATE TABLE witness_heads ("
	" member TEXT NOT NULL,"
	" count INTEGER NOT NULL CHECK (count >= 0),"
	" last_hash BLOB NOT NULL,"
	" time INTEGER NOT NULL,"
	" signature BLOB NOT NULL,"
	" signer_cert BLOB NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" conflict TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE UNIQUE INDEX witness_heads_latest ON witness_heads (member)"
	" WHERE conflict = '';"
	"CREATE UNIQUE INDEX witness_heads_conflict ON witness_heads"
	" (member, count, last_hash) WHERE conflict <> '';",
	/*
	 * The verdict of a message's signature (ctl_sig.c): 1 once its kept
	 * signature was verified with its kept signer certificate, by the
	 * receive path before the row was written (store_put_incoming_signed)
	 * or by a full check when the message was first listed.  A listing
	 * then checks only the certificate, not the ECDSA signature of every
	 * row.  The trigger forgets the verdict whenever the bytes it was
	 * about change (a re-signing, a new signer), whoever changes them;
	 * the next listing checks them again.
	 */
	"ALTER TABLE messages ADD COLUMN sig_verified INTEGER NOT NULL"
	" DEFAULT 0;"
	"CREATE TRIGGER messages_sig_changed AFTER UPDATE OF envelope, signer"
	" ON messages WHEN new.sig_verified != 0"
	" BEGIN UPDATE messages SET sig_verified = 0 WHERE seq = new.seq; END;",
	/* A check's envelope by its seq, not its id: a campaign's envelopes
	 * were queued together, so its report reads adjacent rows instead
	 * of one random page of the id index per member. */
	"ALTER TABLE check_targets ADD COLUMN envelope_seq INTEGER NOT NULL"
	" DEFAULT 0;"
	"UPDATE check_targets SET envelope_seq = coalesce((SELECT m.seq"
	" FROM messages m WHERE m.id = check_targets.envelope_id), 0);",
	/*
	 * A deadline settled by its acknowledgement (store_list.c, in the
	 * acknowledgement's transaction).  The next deadline and the due
	 * ones were found by walking every deadline never marked overdue,
	 * oldest first, each with a lookup of its acknowledgement: after a
	 * year, 25,000 settled ones before the first open one, at each
	 * start, each send and each timer (2 s at a start from a cold
	 * cache).  The open ones have an index of their own now; the
	 * acknowledgement is still checked on the few it holds.
	 */
	"ALTER TABLE deadlines ADD COLUMN settled INTEGER NOT NULL DEFAULT 0;"
	"UPDATE deadlines SET settled = 1 WHERE EXISTS (SELECT 1 FROM messages a"
	" WHERE a.ref_id = deadlines.msg_id AND a.ref_id != ''"
	" AND +a.kind = 23 AND +a.direction = 'in'"
	" AND a.sender = deadlines.recipient);"
	"CREATE INDEX deadlines_open ON deadlines (deadline_at)"
	" WHERE overdue_at = 0 AND settled = 0;",
	/*
	 * A case is a thread with one party: a case sent to many in one
	 * thread (docs/directory.md "One message to many") has a row per
	 * recipient on the sending node, and on a recipient's node its row
	 * is the one with the sender.  The rows held keep their values.
	 */
	"CREATE TABLE cases_by_party ("
	" thread_id TEXT NOT NULL,"
	" open_seq INTEGER NOT NULL,"
	" party TEXT NOT NULL,"
	" status INTEGER NOT NULL DEFAULT 0,"
	" messages INTEGER NOT NULL DEFAULT 1,"
	" last_seq INTEGER NOT NULL,"
	" last_at INTEGER NOT NULL,"
	" PRIMARY KEY (thread_id, party)"
	");"
	"INSERT INTO cases_by_party (thread_id, open_seq, party, status,"
	" messages, last_seq, last_at) SELECT thread_id, open_seq, party,"
	" status, messages, last_seq, last_at FROM cases;"
	"DROP TABLE cases;"
	"ALTER TABLE cases_by_party RENAME TO cases;"
	"CREATE INDEX cases_last ON cases (last_seq);"
	"CREATE INDEX cases_party ON cases (party, last_seq);",
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
	/* Each envelope of a group commit is written under a savepoint, whose
	 * statement journal keeps a copy of every page it changes that the
	 * batch had already changed.  In a temporary file that journal was
	 * written (a pwrite per page) once past 64 KiB, a quarter of the
	 * receiving node's CPU; in memory it is a copy, freed at RELEASE.
	 * It holds nothing durable: the WAL does. */
	if (store_schema_exec(db, "PRAGMA temp_store = MEMORY", err,
	    errlen) == -1)
		return -1;
	return store_schema_exec(db, "PRAGMA foreign_keys = ON", err, errlen);
}

/*
 * poc_envelope_attr(envelope, name): a field of a stored envelope for
 * the migrations that take a column out of the envelopes already held
 * ('urgency', 'tlp', 'exercise', 'status' of a StatusUpdate); 0 when the
 * envelope does not decode or has no such field.  Only migrations use
 * it: new rows get their columns from the insert.
 */
static void
store_schema_envelope_attr(sqlite3_context *ctx, int argc,
    sqlite3_value **argv)
{
	Poc__Envelope	*e;
	const char	*name;
	sqlite3_int64	 v = 0;

	(void)argc;
	name = (const char *)sqlite3_value_text(argv[1]);
	e = poc__envelope__unpack(NULL, (size_t)sqlite3_value_bytes(argv[0]),
	    sqlite3_value_blob(argv[0]));
	if (e != NULL && name != NULL) {
		if (strcmp(name, "urgency") == 0)
			v = e->body_case == POC__ENVELOPE__BODY_ASSISTANCE_REQUEST ?
			    e->assistance_request->urgency :
			    e->body_case == POC__ENVELOPE__BODY_NOTIFICATION ?
			    e->notification->urgency : 0;
		else if (strcmp(name, "tlp") == 0)
			v = e->tlp;
		else if (strcmp(name, "exercise") == 0)
			v = e->exercise != 0;
		else if (strcmp(name, "status") == 0)
			v = e->body_case == POC__ENVELOPE__BODY_STATUS_UPDATE ?
			    e->status_update->status : 0;
	}
	if (e != NULL)
		poc__envelope__free_unpacked(e, NULL);
	sqlite3_result_int64(ctx, v);
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

	if (sqlite3_create_function(db, "poc_envelope_attr", 2,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	    store_schema_envelope_attr, NULL, NULL) != SQLITE_OK) {
		util_seterr(err, errlen, "poc_envelope_attr: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
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
