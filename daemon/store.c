/*
 * The store: every envelope this node sent or received, and the outbox, in
 * one SQLite file in WAL mode.  All of pocd's SQL lives here, in
 * store_stmts[] and store_migrations[]; the functions using it are split by
 * subject (store_msg.c: messages and the outbox).
 *
 * Statements are prepared once at open from store_stmts[] and reset after
 * each use.  The schema is migrated by PRAGMA user_version, one transaction
 * per step, so a crash mid-migration leaves the previous version intact.
 *
 * Durability: a function that changes state opens BEGIN IMMEDIATE, does all
 * of its writes and returns success only after COMMIT has returned, which
 * with synchronous=FULL means the WAL has been fsync'd.  Callers rely on
 * this to send a receipt or to answer "queued" only after the fact is on
 * disk.  Inside a batch opened by store_begin() a function wraps its writes
 * in a SAVEPOINT instead, so that a failing call leaves no half of itself
 * in the batch; the batch as a whole becomes durable at store_commit().
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store_int.h"

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
};

#define STORE_SCHEMA_VERSION	((int)nitems(store_migrations))

int
store_schema_latest(void)
{
	return (int)STORE_SCHEMA_VERSION;
}



const struct store_stmt store_stmts[STMT_MAX] = {
	[STMT_BEGIN] = { STMT_BEGIN, "begin", "BEGIN IMMEDIATE" },
	[STMT_COMMIT] = { STMT_COMMIT, "commit", "COMMIT" },
	[STMT_ROLLBACK] = { STMT_ROLLBACK, "rollback", "ROLLBACK" },
	[STMT_SAVEPOINT] = { STMT_SAVEPOINT, "savepoint",
	    "SAVEPOINT store_op" },
	[STMT_RELEASE] = { STMT_RELEASE, "release", "RELEASE store_op" },
	[STMT_ROLLBACK_TO] = { STMT_ROLLBACK_TO, "rollback_to",
	    "ROLLBACK TO store_op" },
	[STMT_USER_VERSION] = { STMT_USER_VERSION, "user_version",
	    "PRAGMA user_version" },
	[STMT_MSG_FIND] = { STMT_MSG_FIND, "msg_find",
	    "SELECT sender, direction FROM messages WHERE id = ?1" },
	[STMT_MSG_INSERT] = { STMT_MSG_INSERT, "msg_insert",
	    "INSERT INTO messages (id, direction, sender, recipient,"
	    " thread_id, in_reply_to, ref_id, kind, created_at, state,"
	    " received_at, envelope, signer)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	    " ?13)" },
	[STMT_OUTBOX_INSERT] = { STMT_OUTBOX_INSERT, "outbox_insert",
	    "INSERT INTO outbox (seq, id, recipient, queued_at)"
	    " VALUES (?1, ?2, ?3, ?4)" },
	[STMT_OUTBOX_LOAD] = { STMT_OUTBOX_LOAD, "outbox_load",
	    "SELECT o.seq, o.id, m.envelope"
	    " FROM outbox o JOIN messages m ON m.seq = o.seq"
	    " WHERE o.recipient = ?1 AND o.seq > ?2"
	    " ORDER BY o.seq LIMIT ?3" },
	[STMT_OUTBOX_SETTLE] = { STMT_OUTBOX_SETTLE, "outbox_settle",
	    "UPDATE messages SET state = ?3, delivered_at = ?4, reason = ?5"
	    " WHERE seq = (SELECT seq FROM outbox"
	    "  WHERE id = ?1 AND recipient = ?2)" },
	[STMT_OUTBOX_DELETE] = { STMT_OUTBOX_DELETE, "outbox_delete",
	    "DELETE FROM outbox WHERE id = ?1 AND recipient = ?2" },
	[STMT_OUTBOX_FAILED] = { STMT_OUTBOX_FAILED, "outbox_failed",
	    "UPDATE outbox SET attempts = attempts + 1,"
	    " next_attempt_at = ?2, last_error = ?3 WHERE recipient = ?1" },
	/*
	 * store_outbox_failed() stamps every queued row of a recipient at
	 * once, so the row with the latest next_attempt_at carries the error
	 * of the most recent attempt; rows queued since have 0 and ''.
	 */
	[STMT_OUTBOX_PEERS] = { STMT_OUTBOX_PEERS, "outbox_peers",
	    "SELECT o.recipient, count(*), max(o.attempts),"
	    " min(o.queued_at), max(o.next_attempt_at),"
	    " (SELECT l.last_error FROM outbox l"
	    "  WHERE l.recipient = o.recipient"
	    "  ORDER BY l.next_attempt_at DESC, l.attempts DESC, l.seq"
	    "  LIMIT 1)"
	    " FROM outbox o GROUP BY o.recipient ORDER BY o.recipient" },
	[STMT_LIST] = { STMT_LIST, "list",
	    MSG_SELECT "WHERE m.direction = ?1 ORDER BY m.seq DESC LIMIT ?2" },
	[STMT_GET_ID] = { STMT_GET_ID, "get_id",
	    MSG_SELECT "WHERE m.id = ?1" },
	/* Byte-wise prefix compare: no LIKE, so '%' and '_' are literal. */
	[STMT_GET_PREFIX] = { STMT_GET_PREFIX, "get_prefix",
	    MSG_SELECT "WHERE substr(CAST(m.id AS BLOB), 1, length(?1)) = ?1"
	    " ORDER BY m.seq LIMIT 2" },
	/* The first message of a case may carry its own id or "". */
	[STMT_THREAD] = { STMT_THREAD, "thread",
	    MSG_SELECT "WHERE m.thread_id = ?1 OR m.id = ?1 ORDER BY m.seq" },
	[STMT_ACKS] = { STMT_ACKS, "acks",
	    "SELECT id FROM messages WHERE ref_id = ?1 AND ref_id != ''"
	    " AND kind = ?2"
	    " ORDER BY seq" },
	[STMT_COUNT] = { STMT_COUNT, "count",
	    "SELECT count(*) FROM messages"
	    " WHERE direction = ?1 AND (?2 = 0 OR state = 'queued')" },
	/* Communication checks (store_checks.c). */
	[STMT_CHECKS_CAMPAIGN_ADD] = { STMT_CHECKS_CAMPAIGN_ADD,
	    "checks_campaign_add",
	    "INSERT INTO check_campaigns (id, created_at, reply_by, scheduled,"
	    " created_by) VALUES (?1, ?2, ?3, ?4, ?5)" },
	[STMT_CHECKS_TARGET_ADD] = { STMT_CHECKS_TARGET_ADD,
	    "checks_target_add",
	    "INSERT INTO check_targets (campaign_id, member, envelope_id)"
	    " VALUES (?1, ?2, ?3)" },
	[STMT_CHECKS_CAMPAIGN_ID] = { STMT_CHECKS_CAMPAIGN_ID,
	    "checks_campaign_id",
	    "SELECT id, created_at, reply_by, scheduled, created_by"
	    " FROM check_campaigns WHERE id = ?1" },
	/* "" matches every id: the newest campaign comes first. */
	[STMT_CHECKS_CAMPAIGN_PREFIX] = { STMT_CHECKS_CAMPAIGN_PREFIX,
	    "checks_campaign_prefix",
	    "SELECT id, created_at, reply_by, scheduled, created_by"
	    " FROM check_campaigns"
	    " WHERE substr(CAST(id AS BLOB), 1, length(?1)) = ?1"
	    " ORDER BY created_at DESC, rowid DESC LIMIT 2" },
	[STMT_CHECKS_CAMPAIGN_LIST] = { STMT_CHECKS_CAMPAIGN_LIST,
	    "checks_campaign_list",
	    "SELECT id, created_at, reply_by, scheduled, created_by"
	    " FROM check_campaigns ORDER BY created_at DESC, rowid DESC"
	    " LIMIT ?1" },
	/* The node was reached when the check's receipt came back. */
	[STMT_CHECKS_TARGETS] = { STMT_CHECKS_TARGETS, "checks_targets",
	    "SELECT t.member, t.envelope_id, coalesce(m.state, ''),"
	    " coalesce(m.delivered_at, 0), coalesce(m.reason, ''),"
	    " t.replied_at, t.replied_by, t.reply_id"
	    " FROM check_targets t LEFT JOIN messages m ON m.id = t.envelope_id"
	    " WHERE t.campaign_id = ?1 ORDER BY t.member" },
	[STMT_CHECKS_TARGET_FIND] = { STMT_CHECKS_TARGET_FIND,
	    "checks_target_find",
	    "SELECT replied_at FROM check_targets"
	    " WHERE campaign_id = ?1 AND member = ?2" },
	[STMT_CHECKS_REPLY] = { STMT_CHECKS_REPLY, "checks_reply",
	    "UPDATE check_targets SET replied_at = ?3, replied_by = ?4,"
	    " reply_id = ?5"
	    " WHERE campaign_id = ?1 AND member = ?2 AND replied_at = 0" },
	[STMT_CHECKS_LAST] = { STMT_CHECKS_LAST, "checks_last",
	    "SELECT coalesce(max(created_at), 0) FROM check_campaigns"
	    " WHERE scheduled >= ?1" },
/* An incoming acknowledgement of the deadline's message from its
 * recipient exists. */
#define DEADLINE_ACKED							\
	"EXISTS (SELECT 1 FROM messages a WHERE a.ref_id = d.msg_id"	\
	" AND a.ref_id != ''"						\
	" AND a.kind = 23 AND a.direction = 'in'"			\
	" AND a.sender = d.recipient)"
	/* Deadlines (store_checks.c).  kind 20 = assistance_request, 22 =
	 * notification, 23 = acknowledgement (the Envelope oneof numbers). */
	[STMT_DEADLINE_MISSING] = { STMT_DEADLINE_MISSING, "deadline_missing",
	    "SELECT m.seq, m.id, m.envelope FROM messages m"
	    " WHERE m.direction = 'out' AND m.kind IN (20, 22)"
	    " AND m.seq > ?2"
	    " AND NOT EXISTS (SELECT 1 FROM deadlines d WHERE d.msg_id = m.id)"
	    " ORDER BY m.seq LIMIT ?1" },
	[STMT_DEADLINE_ADD] = { STMT_DEADLINE_ADD, "deadline_add",
	    "INSERT OR IGNORE INTO deadlines (msg_id, recipient, urgency,"
	    " deadline_at) VALUES (?1, ?2, ?3, ?4)" },
	[STMT_DEADLINE_NEXT] = { STMT_DEADLINE_NEXT, "deadline_next",
	    "SELECT min(deadline_at) FROM deadlines d WHERE overdue_at = 0"
	    " AND NOT " DEADLINE_ACKED },
	[STMT_DEADLINE_DUE] = { STMT_DEADLINE_DUE, "deadline_due",
	    "SELECT msg_id, recipient, urgency, deadline_at FROM deadlines d"
	    " WHERE overdue_at = 0 AND deadline_at <= ?1"
	    " AND NOT " DEADLINE_ACKED
	    " ORDER BY deadline_at LIMIT ?2" },
	[STMT_DEADLINE_MARK] = { STMT_DEADLINE_MARK, "deadline_mark",
	    "UPDATE deadlines SET overdue_at = ?2"
	    " WHERE msg_id = ?1 AND overdue_at = 0" },
	[STMT_DEADLINE_GET] = { STMT_DEADLINE_GET, "deadline_get",
	    "SELECT msg_id, recipient, urgency, deadline_at, overdue_at, "
	    DEADLINE_ACKED
	    " FROM deadlines d WHERE msg_id = ?1" },
	/* kind 24 = status_update */
	[STMT_CASE_MISSING] = { STMT_CASE_MISSING, "case_missing",
	    "SELECT m.seq, m.id, m.envelope FROM messages m"
	    " WHERE m.kind = 24 AND m.seq > ?2"
	    " AND NOT EXISTS (SELECT 1 FROM case_status c WHERE c.msg_id = m.id)"
	    " ORDER BY m.seq LIMIT ?1" },
	[STMT_CASE_ADD] = { STMT_CASE_ADD, "case_add",
	    "INSERT OR IGNORE INTO case_status (msg_id, thread_id, status,"
	    " changed_at, member) VALUES (?1, ?2, ?3, ?4, ?5)" },
	[STMT_CASE_HISTORY] = { STMT_CASE_HISTORY, "case_history",
	    "SELECT status, changed_at, member, msg_id FROM case_status"
	    " WHERE thread_id = ?1 ORDER BY changed_at, rowid LIMIT ?2" },
	[STMT_DEADLINE_OVERDUE] = { STMT_DEADLINE_OVERDUE, "deadline_overdue",
	    "SELECT count(*) FROM deadlines d WHERE overdue_at > 0"
	    " AND NOT " DEADLINE_ACKED },
	/* The audit log (store_audit.c). */
	[STMT_AUDIT_LAST] = { STMT_AUDIT_LAST, "audit_last",
	    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1" },
	[STMT_AUDIT_INSERT] = { STMT_AUDIT_INSERT, "audit_insert",
	    "INSERT INTO audit (seq, time, kind, message_id, peer, detail,"
	    " envelope_sha256, prev_hash, hash)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)" },
	[STMT_AUDIT_ENVELOPE] = { STMT_AUDIT_ENVELOPE, "audit_envelope",
	    "SELECT envelope FROM messages WHERE id = ?1" },
	[STMT_AUDIT_LOAD] = { STMT_AUDIT_LOAD, "audit_load",
	    "SELECT seq, time, kind, message_id, peer, detail,"
	    " envelope_sha256, prev_hash, hash"
	    " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2" },
	/* Signers of received envelopes (store_sig.c). */
	[STMT_SIGNER_INSERT] = { STMT_SIGNER_INSERT, "signer_insert",
	    "INSERT OR IGNORE INTO signer_certs (fp, cert) VALUES (?1, ?2)" },
	[STMT_SIGNER_SET] = { STMT_SIGNER_SET, "signer_set",
	    "UPDATE messages SET signer = ?2 WHERE id = ?1" },
	/* The digest in the message, else a copy kept before schema 5. */
	[STMT_SIGNER_GET] = { STMT_SIGNER_GET, "signer_get",
	    "SELECT cert FROM (SELECT c.cert, 0 AS pri FROM messages m"
	    " JOIN signer_certs c ON c.fp = m.signer WHERE m.id = ?1"
	    " UNION ALL SELECT cert, 1 FROM message_signers WHERE id = ?1)"
	    " ORDER BY pri LIMIT 1" },
	[STMT_SIGNER_QUEUED] = { STMT_SIGNER_QUEUED, "signer_queued",
	    "SELECT m.seq, m.envelope, o.recipient FROM outbox o"
	    " JOIN messages m ON m.seq = o.seq ORDER BY o.seq" },
	[STMT_SIGNER_REPLACE] = { STMT_SIGNER_REPLACE, "signer_replace",
	    "UPDATE messages SET envelope = ?2 WHERE seq = ?1" },
	/* The directory (store_dir.c).  A record replaces the held one
	 * only if its serial is higher: the rule is in the SQL too, so no
	 * caller can overwrite a newer record with an older one. */
	[STMT_DIR_GET] = { STMT_DIR_GET, "dir_get",
	    "SELECT serial, record, received_at FROM directory WHERE code = ?1" },
	[STMT_DIR_PUT] = { STMT_DIR_PUT, "dir_put",
	    "INSERT INTO directory (code, network, serial, expires,"
	    " received_at, via, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (code) DO UPDATE SET network = excluded.network,"
	    " serial = excluded.serial, expires = excluded.expires,"
	    " received_at = excluded.received_at, via = excluded.via,"
	    " record = excluded.record"
	    " WHERE excluded.serial > directory.serial"
	    " AND excluded.network = directory.network" },
	[STMT_DIR_LIST] = { STMT_DIR_LIST, "dir_list",
	    "SELECT code, serial, record, received_at FROM directory"
	    " ORDER BY code" },
	[STMT_DIR_CHECK_SET] = { STMT_DIR_CHECK_SET, "dir_check_set",
	    "INSERT INTO directory_checks (code, poc, last_check)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (code, poc) DO UPDATE"
	    " SET last_check = max(last_check, excluded.last_check)" },
	[STMT_DIR_CHECK_GET] = { STMT_DIR_CHECK_GET, "dir_check_get",
	    "SELECT last_check FROM directory_checks"
	    " WHERE code = ?1 AND poc = ?2" },
	[STMT_DIR_META_SET] = { STMT_DIR_META_SET, "dir_meta_set",
	    "INSERT OR REPLACE INTO directory_meta (key, value)"
	    " VALUES (?1, ?2)" },
	[STMT_DIR_META_GET] = { STMT_DIR_META_GET, "dir_meta_get",
	    "SELECT value FROM directory_meta WHERE key = ?1" },
	[STMT_MSG_LAST_SEQ] = { STMT_MSG_LAST_SEQ, "msg_last_seq",
	    "SELECT coalesce(max(seq), 0) FROM messages" },
};


/* Formats an open-time error for the caller, who decides how to report it. */
static void __attribute__((format(printf, 3, 4)))
store_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Logs the SQLite error of statement id; call before resetting it. */
void
store_stmt_error(struct store *st, enum stmt_id id)
{
	log_warnx("store: %s: %s", store_stmts[id].name,
	    sqlite3_errmsg(st->db));
}

/* Makes statement id ready for its next use. */
void
store_stmt_done(struct store *st, enum stmt_id id)
{
	sqlite3_reset(st->stmt[id]);
	sqlite3_clear_bindings(st->stmt[id]);
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

/* Copies a TEXT column into buf; -1 if it does not fit. */
int
store_col_copy(sqlite3_stmt *s, int i, char *buf, size_t size)
{
	const unsigned char	*v = sqlite3_column_text(s, i);
	size_t			 n = (size_t)sqlite3_column_bytes(s, i);

	if (v == NULL)
		n = 0;
	if (n >= size)
		return -1;
	if (n > 0)
		memcpy(buf, v, n);
	buf[n] = '\0';
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

/*
 * Opens this function's transaction: BEGIN IMMEDIATE on its own, or a
 * savepoint inside the caller's batch.  IMMEDIATE takes the write lock up
 * front, so a read-then-write (the duplicate check) cannot be overtaken.
 */
int
store_tx_begin(struct store *st, int *nested)
{
	if (!sqlite3_get_autocommit(st->db)) {
		*nested = 1;
		return store_stmt_exec(st, STMT_SAVEPOINT);
	}
	if (st->batch) {
		/* SQLite rolled the batch back after an error (SQLITE_FULL,
		 * IOERR...): writing on our own would split it. */
		log_warnx("store: the open batch was rolled back by an "
		    "earlier error");
		return -1;
	}
	*nested = 0;
	store_signer_tx_end(st, 0);
	return store_stmt_exec(st, STMT_BEGIN);
}

/* Undoes everything since store_tx_begin(); nothing to do if SQLite already
 * rolled the whole transaction back itself. */
void
store_tx_abort(struct store *st, int nested)
{
	/* Conservative: forgets the whole transaction's new signers, also
	 * for a savepoint (they are inserted again, OR IGNORE, if needed). */
	store_signer_tx_end(st, 0);
	if (sqlite3_get_autocommit(st->db))
		return;
	if (nested) {
		if (store_stmt_exec(st, STMT_ROLLBACK_TO) == 0)
			(void)store_stmt_exec(st, STMT_RELEASE);
	} else
		(void)store_stmt_exec(st, STMT_ROLLBACK);
}

/* Ends what store_tx_begin() opened.  Own transactions are durable when this
 * returns 0; on failure everything is undone and -1 returned. */
int
store_tx_commit(struct store *st, int nested)
{
	if (store_stmt_exec(st, nested ? STMT_RELEASE : STMT_COMMIT) == 0) {
		if (!nested)
			store_signer_tx_end(st, 1);
		return 0;
	}
	store_tx_abort(st, nested);
	return -1;
}

int
store_collect(struct store *st, enum stmt_id id, size_t elem_size,
    store_row_fn row, store_rows_free_fn rows_free, void **out)
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
	if (rows_free != NULL)
		rows_free(v, n);
	else
		free(v);
	return -1;
}

/* Runs SQL without results at open time (pragmas, migrations). */
static int
db_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		store_seterr(err, errlen, "%.60s: %s", sql,
		    msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Runs SQL returning one row at open time; copies its first column as text
 * into out if out is not NULL, and as an integer into *iv if not NULL. */
static int
db_query(sqlite3 *db, const char *sql, char *out, size_t outlen,
    sqlite3_int64 *iv, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_seterr(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
		return -1;
	}
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		store_seterr(err, errlen, "%s: %s", sql,
		    rc == SQLITE_DONE ? "no result" : sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	if (out != NULL)
		store_col_copy_trunc(s, 0, out, outlen);
	if (iv != NULL)
		*iv = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
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
		store_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (stat(path, &sb) == -1) {
		store_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(sb.st_mode) && (sb.st_mode & 077) != 0) {
		log_warnx("store: %s: mode %03o is too open, setting 0600",
		    path, (unsigned)(sb.st_mode & 0777));
		if (chmod(path, 0600) == -1) {
			store_seterr(err, errlen, "chmod %s: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Refuses a schema this code does not know: newer, or nonsense. */
static int
store_version_ok(sqlite3_int64 v, char *err, size_t errlen)
{
	if (v > STORE_SCHEMA_VERSION) {
		store_seterr(err, errlen, "database schema version %lld is "
		    "newer than this pocd (%d); upgrade pocd", (long long)v,
		    STORE_SCHEMA_VERSION);
		return 0;
	}
	if (v < 0) {
		store_seterr(err, errlen, "database schema version %lld is "
		    "not valid", (long long)v);
		return 0;
	}
	return 1;
}

/*
 * Sets the connection's pragmas and checks that WAL mode really took.  A
 * database from a newer pocd is refused first, before switching its
 * journal mode changes the file.
 */
static int
store_pragmas(struct store *st, enum store_sync sync, char *err,
    size_t errlen)
{
	sqlite3_int64	 v;
	char		 mode[16], sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA busy_timeout = %d",
	    STORE_BUSY_TIMEOUT_MS);
	if (db_exec(st->db, sql, err, errlen) == -1)
		return -1;
	if (db_query(st->db, "PRAGMA user_version", NULL, 0, &v, err,
	    errlen) == -1 || !store_version_ok(v, err, errlen))
		return -1;
	if (db_query(st->db, "PRAGMA journal_mode = WAL", mode, sizeof(mode),
	    NULL, err, errlen) == -1)
		return -1;
	if (strcasecmp(mode, "wal") != 0) {
		store_seterr(err, errlen, "journal_mode is %s, not wal "
		    "(is the file on a network file system?)", mode);
		return -1;
	}
	if (db_exec(st->db, sync == STORE_SYNC_NORMAL ?
	    "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL",
	    err, errlen) == -1)
		return -1;
	/* The UUID indexes take each insert to a random leaf page: keep
	 * them in memory rather than read them back from the file. */
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d",
	    STORE_CACHE_KIB);
	if (db_exec(st->db, sql, err, errlen) == -1)
		return -1;
	return db_exec(st->db, "PRAGMA foreign_keys = ON", err, errlen);
}

/*
 * Brings the schema to STORE_SCHEMA_VERSION.  The version is read inside
 * the same BEGIN IMMEDIATE as each step, and bumped in it, so a crash or a
 * second process can never apply a step twice or record one half done.
 */
static int
store_migrate(struct store *st, const char *path, char *err, size_t errlen)
{
	sqlite3_int64	 v;
	char		 sql[64];

	for (;;) {
		if (db_exec(st->db, "BEGIN IMMEDIATE", err, errlen) == -1)
			return -1;
		if (db_query(st->db, "PRAGMA user_version", NULL, 0, &v,
		    err, errlen) == -1)
			goto fail;
		if (!store_version_ok(v, err, errlen))
			goto fail;
		if (v == STORE_SCHEMA_VERSION)
			return db_exec(st->db, "COMMIT", err, errlen);
		if (db_exec(st->db, store_migrations[v], err, errlen) == -1)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld",
		    (long long)v + 1);
		if (db_exec(st->db, sql, err, errlen) == -1 ||
		    db_exec(st->db, "COMMIT", err, errlen) == -1)
			goto fail;
		log_info("store: %s: schema migrated to version %lld", path,
		    (long long)v + 1);
	}
 fail:
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Prepares every statement of store_stmts[] once, for the life of st. */
static int
store_prepare(struct store *st, char *err, size_t errlen)
{
	size_t	 i;

	for (i = 0; i < STMT_MAX; i++) {
		if (store_stmts[i].id != (enum stmt_id)i ||
		    store_stmts[i].sql == NULL)
			fatalx("store: statement table entry %zu is out of "
			    "place", i);
		if (sqlite3_prepare_v3(st->db, store_stmts[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) !=
		    SQLITE_OK) {
			store_seterr(err, errlen, "prepare %s: %s",
			    store_stmts[i].name, sqlite3_errmsg(st->db));
			return -1;
		}
	}
	return 0;
}

struct store *
store_open(const char *path, enum store_sync sync, char *err, size_t errlen)
{
	struct store	*st;
	int		 rc;

	store_seterr(err, errlen, "unknown error");
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		store_seterr(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (store_create_file(path, err, errlen) == -1)
		goto fail;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_seterr(err, errlen, "%s: %s", path, st->db != NULL ?
		    sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	st->sync_full = sync != STORE_SYNC_NORMAL;
	if (store_pragmas(st, sync, err, errlen) == -1 ||
	    store_migrate(st, path, err, errlen) == -1 ||
	    store_prepare(st, err, errlen) == -1)
		goto fail;
	store_seterr(err, errlen, "%s", "");
	log_debug("store: %s: open, schema version %d, synchronous=%s", path,
	    STORE_SCHEMA_VERSION,
	    sync == STORE_SYNC_NORMAL ? "NORMAL" : "FULL");
	return st;
 fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	store_checkpoint_stop(st);
	for (i = 0; i < STMT_MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	/* An open batch is rolled back by the close: never half-stored. */
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(st->db));
	free(st);
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*s = st->stmt[STMT_USER_VERSION];
	int		 v = -1;

	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	else
		store_stmt_error(st, STMT_USER_VERSION);
	store_stmt_done(st, STMT_USER_VERSION);
	return v;
}

int
store_begin(struct store *st)
{
	if (st->batch || !sqlite3_get_autocommit(st->db)) {
		log_warnx("store: begin: a batch is already open");
		return -1;
	}
	store_signer_tx_end(st, 0);
	if (store_stmt_exec(st, STMT_BEGIN) == -1)
		return -1;
	st->batch = 1;
	return 0;
}

int
store_commit(struct store *st)
{
	int	 was = st->batch;

	st->batch = 0;
	if (!was || sqlite3_get_autocommit(st->db)) {
		store_signer_tx_end(st, 0);
		log_warnx("store: commit: %s", was ? "the batch was rolled "
		    "back by an earlier error" : "no batch is open");
		return -1;
	}
	if (store_stmt_exec(st, STMT_COMMIT) == -1) {
		store_signer_tx_end(st, 0);
		if (!sqlite3_get_autocommit(st->db))
			(void)store_stmt_exec(st, STMT_ROLLBACK);
		return -1;
	}
	store_signer_tx_end(st, 1);
	return 0;
}

/* Undoes the batch; 0 also when SQLite already rolled it back. */
int
store_rollback(struct store *st)
{
	st->batch = 0;
	store_signer_tx_end(st, 0);
	if (sqlite3_get_autocommit(st->db))
		return 0;
	return store_stmt_exec(st, STMT_ROLLBACK);
}

