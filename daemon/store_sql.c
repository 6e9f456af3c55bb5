/*
 * All of pocd's SQL: the statement table.  Each statement has an id (its
 * index), a name for logs and its text; store.c prepares them all once at
 * open (store_sql_prepare) and every store function runs them by id.  The
 * schema they run against is store_schema.c's.
 *
 * The messages.kind column holds the Envelope's oneof case (body_case),
 * so a query for a kind of message names a oneof number.  SQL text cannot
 * use the generated C enum, so the numbers it names are the STORE_KIND_*
 * constants below, each checked against the enum at compile time.
 */
#include <sqlite3.h>

#include "log.h"
#include "proto/poc.pb-c.h"
#include "store_sql.h"
#include "util.h"

#define STORE_KIND_ASSISTANCE_REQUEST	20
#define STORE_KIND_NOTIFICATION		22
#define STORE_KIND_ACKNOWLEDGEMENT	23
#define STORE_KIND_STATUS_UPDATE	24

_Static_assert(STORE_KIND_ASSISTANCE_REQUEST ==
    POC__ENVELOPE__BODY_ASSISTANCE_REQUEST,
    "oneof number of assistance_request");
_Static_assert(STORE_KIND_NOTIFICATION == POC__ENVELOPE__BODY_NOTIFICATION,
    "oneof number of notification");
_Static_assert(STORE_KIND_ACKNOWLEDGEMENT ==
    POC__ENVELOPE__BODY_ACKNOWLEDGEMENT, "oneof number of acknowledgement");
_Static_assert(STORE_KIND_STATUS_UPDATE == POC__ENVELOPE__BODY_STATUS_UPDATE,
    "oneof number of status_update");

/* STORE_SQL_KIND(NOTIFICATION) is the string literal "22". */
#define STORE_SQL_STR(x)	#x
#define STORE_SQL_XSTR(x)	STORE_SQL_STR(x)
#define STORE_SQL_KIND(k)	STORE_SQL_XSTR(STORE_KIND_##k)

/* The columns store_witness.c reads, in this order. */
#define WITNESS_COLUMNS							\
	"member, count, last_hash, time, signature, signer_cert,"	\
	" received_at, conflict"

/* The columns store_enroll.c reads from an enrollments row, in order. */
#define STORE_ENROLL_COLS						\
	"code, fp, record, source, received_at, last_seen, requests,"	\
	" state, reason, decided_at, decided_by"

/* Indexed by id; store_sql_prepare() checks that each entry is in place. */
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
	    "SELECT sender, direction, envelope FROM messages WHERE id = ?1" },
	[STMT_MSG_INSERT] = { STMT_MSG_INSERT, "msg_insert",
	    "INSERT INTO messages (id, direction, sender, recipient,"
	    " thread_id, in_reply_to, ref_id, kind, created_at, state,"
	    " received_at, envelope, signer, party, urgency, tlp, exercise,"
	    " sig_verified)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	    " ?13, CASE ?2 WHEN 'in' THEN ?3 ELSE ?4 END, ?14, ?15, ?16,"
	    " ?17)" },
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
	/* Byte-wise prefix compare: no LIKE, so '%' and '_' are literal.
	 * The range [?1, ?2) of TEXT (?2: the prefix with its last byte + 1;
	 * ?3 is ?1 as a BLOB, for the exact compare) reads
	 * the ids with that prefix from the id index, not the table. */
	[STMT_GET_PREFIX] = { STMT_GET_PREFIX, "get_prefix",
	    MSG_SELECT "WHERE m.id >= ?1 AND m.id < ?2"
	    " AND substr(CAST(m.id AS BLOB), 1, length(?3)) = ?3"
	    " ORDER BY m.seq LIMIT 2" },
	/* The first message of a case may carry its own id or "". */
	[STMT_THREAD] = { STMT_THREAD, "thread",
	    MSG_SELECT "WHERE m.thread_id = ?1 OR m.id = ?1 ORDER BY m.seq" },
	[STMT_ACKS] = { STMT_ACKS, "acks",
	    "SELECT id, envelope FROM messages WHERE ref_id = ?1 AND ref_id != ''"
	    " AND kind = ?2"
	    " ORDER BY seq" },
	/* Queued outgoing messages are the outbox's rows (a receipt
	 * settles the state and deletes the row together). */
	[STMT_COUNT] = { STMT_COUNT, "count",
	    "SELECT CASE WHEN ?2 != 0 AND ?1 = 'out'"
	    " THEN (SELECT count(*) FROM outbox)"
	    " WHEN ?2 != 0 THEN 0"
	    " ELSE coalesce((SELECT n FROM message_counts"
	    "  WHERE direction = ?1), 0) END" },
	[STMT_COUNT_ADD] = { STMT_COUNT_ADD, "count_add",
	    "INSERT INTO message_counts (direction, n) VALUES (?1, ?2)"
	    " ON CONFLICT (direction) DO UPDATE SET n = n + ?2" },
	/* Communication checks (store_checks.c). */
	[STMT_CHECKS_CAMPAIGN_ADD] = { STMT_CHECKS_CAMPAIGN_ADD,
	    "checks_campaign_add",
	    "INSERT INTO check_campaigns (id, created_at, reply_by, scheduled,"
	    " created_by) VALUES (?1, ?2, ?3, ?4, ?5)" },
	[STMT_CHECKS_TARGET_ADD] = { STMT_CHECKS_TARGET_ADD,
	    "checks_target_add",
	    "INSERT INTO check_targets (campaign_id, member, envelope_id,"
	    " envelope_seq) VALUES (?1, ?2, ?3,"
	    " coalesce((SELECT seq FROM messages WHERE id = ?3), 0))" },
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
	    " FROM check_targets t LEFT JOIN messages m ON m.seq = t.envelope_seq"
	    " AND m.id = t.envelope_id"
	    " WHERE t.campaign_id = ?1 ORDER BY t.member" },
	[STMT_CHECKS_TARGET_FIND] = { STMT_CHECKS_TARGET_FIND,
	    "checks_target_find",
	    "SELECT replied_at FROM check_targets"
	    " WHERE campaign_id = ?1 AND member = ?2" },
	[STMT_CHECKS_REPLY] = { STMT_CHECKS_REPLY, "checks_reply",
	    "UPDATE check_targets SET replied_at = ?3, replied_by = ?4,"
	    " reply_id = ?5"
	    " WHERE campaign_id = ?1 AND member = ?2 AND replied_at = 0" },
	/* The date of the campaign created last (by rowid), not the
	 * latest date: after the clock went back, one dated ahead would
	 * otherwise hold up the schedule until the clock caught up. */
	[STMT_CHECKS_LAST] = { STMT_CHECKS_LAST, "checks_last",
	    "SELECT coalesce((SELECT created_at FROM check_campaigns"
	    " WHERE scheduled >= ?1 ORDER BY rowid DESC LIMIT 1), 0)" },
/* An incoming acknowledgement of the deadline's message from its
 * recipient exists. */
/* The unary + keeps SQLite on messages_ref (a few rows per message)
 * rather than messages_kind (every incoming acknowledgement). */
#define DEADLINE_ACKED							\
	"EXISTS (SELECT 1 FROM messages a WHERE a.ref_id = d.msg_id"	\
	" AND a.ref_id != ''"						\
	" AND +a.kind = " STORE_SQL_KIND(ACKNOWLEDGEMENT)		\
	" AND +a.direction = 'in'"					\
	" AND a.sender = d.recipient)"
	/* Deadlines (store_checks.c): the messages that get one. */
	[STMT_DEADLINE_MISSING] = { STMT_DEADLINE_MISSING, "deadline_missing",
	    "SELECT m.seq, m.id, m.envelope FROM messages m"
	    " WHERE m.direction = 'out' AND m.kind IN ("
	    STORE_SQL_KIND(ASSISTANCE_REQUEST) ", "
	    STORE_SQL_KIND(NOTIFICATION) ")"
	    " AND m.seq > ?2"
	    " AND NOT EXISTS (SELECT 1 FROM deadlines d WHERE d.msg_id = m.id)"
	    " ORDER BY m.seq LIMIT ?1" },
	[STMT_DEADLINE_ADD] = { STMT_DEADLINE_ADD, "deadline_add",
	    "INSERT OR IGNORE INTO deadlines (msg_id, recipient, urgency,"
	    " deadline_at, settled) SELECT ?1 AS msg_id, ?2 AS recipient, ?3,"
	    " ?4, " DEADLINE_ACKED " FROM (SELECT ?1 AS msg_id,"
	    " ?2 AS recipient) d" },
	/* The open ones (deadlines_open), the acknowledgement still
	 * checked. */
	[STMT_DEADLINE_NEXT] = { STMT_DEADLINE_NEXT, "deadline_next",
	    "SELECT min(deadline_at) FROM deadlines d INDEXED BY deadlines_open"
	    " WHERE overdue_at = 0 AND settled = 0 AND NOT " DEADLINE_ACKED },
	[STMT_DEADLINE_DUE] = { STMT_DEADLINE_DUE, "deadline_due",
	    "SELECT msg_id, recipient, urgency, deadline_at FROM deadlines d"
	    " INDEXED BY deadlines_open"
	    " WHERE overdue_at = 0 AND settled = 0 AND deadline_at <= ?1"
	    " AND NOT " DEADLINE_ACKED
	    " ORDER BY deadline_at LIMIT ?2" },
	[STMT_DEADLINE_MARK] = { STMT_DEADLINE_MARK, "deadline_mark",
	    "UPDATE deadlines SET overdue_at = ?2"
	    " WHERE msg_id = ?1 AND overdue_at = 0" },
	[STMT_DEADLINE_GET] = { STMT_DEADLINE_GET, "deadline_get",
	    "SELECT msg_id, recipient, urgency, deadline_at, overdue_at, "
	    DEADLINE_ACKED
	    " FROM deadlines d WHERE msg_id = ?1" },
	/* Case status (store_checks.c): one row per StatusUpdate. */
	[STMT_CASE_MISSING] = { STMT_CASE_MISSING, "case_missing",
	    "SELECT m.seq, m.id, m.envelope FROM messages m"
	    " WHERE m.kind = " STORE_SQL_KIND(STATUS_UPDATE) " AND m.seq > ?2"
	    " AND NOT EXISTS (SELECT 1 FROM case_status c WHERE c.msg_id = m.id)"
	    " ORDER BY m.seq LIMIT ?1" },
	[STMT_CASE_ADD] = { STMT_CASE_ADD, "case_add",
	    "INSERT OR IGNORE INTO case_status (msg_id, thread_id, status,"
	    " changed_at, member) VALUES (?1, ?2, ?3, ?4, ?5)" },
	[STMT_CASE_HISTORY] = { STMT_CASE_HISTORY, "case_history",
	    "SELECT status, changed_at, member, msg_id FROM case_status c"
	    " WHERE thread_id = ?1 AND EXISTS (SELECT 1 FROM messages m"
	    "  WHERE m.id = c.msg_id AND m.party = ?3)"
	    " ORDER BY changed_at, rowid LIMIT ?2" },
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
	/* A full check verified the kept signature (ctl_sig.c). */
	[STMT_SIG_VERIFIED] = { STMT_SIG_VERIFIED, "sig_verified",
	    "UPDATE messages SET sig_verified = 1 WHERE seq = ?1" },
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
#define EVENT_COLS							\
	"seq, at, kind, case_id, message_id, peer, urgency, tlp, exercise," \
	" summary, detail, due_at, alert, attempts "
	[STMT_EVENT_INSERT] = { STMT_EVENT_INSERT, "event_insert",
	    "INSERT OR IGNORE INTO events (at, kind, case_id, message_id,"
	    " peer, urgency, tlp, exercise, summary, detail, due_at, dedupe,"
	    " alert) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	    " ?12, ?13)" },
	[STMT_EVENT_SINCE] = { STMT_EVENT_SINCE, "event_since",
	    "SELECT " EVENT_COLS "FROM events WHERE seq > ?1 ORDER BY seq"
	    " LIMIT ?2" },
	[STMT_EVENT_LAST] = { STMT_EVENT_LAST, "event_last",
	    "SELECT coalesce(max(seq), 0) FROM events" },
	[STMT_EVENT_ALERTS_DUE] = { STMT_EVENT_ALERTS_DUE, "event_alerts_due",
	    "SELECT " EVENT_COLS "FROM events WHERE alert = 1 AND"
	    " alert_at <= ?1 ORDER BY alert_at, seq LIMIT ?2" },
	[STMT_EVENT_ALERT_SET] = { STMT_EVENT_ALERT_SET, "event_alert_set",
	    "UPDATE events SET alert = ?2, attempts = ?3, alert_at = ?4,"
	    " alert_error = ?5 WHERE seq = ?1 AND alert = 1" },
	[STMT_EVENT_ALERT_COUNT] = { STMT_EVENT_ALERT_COUNT,
	    "event_alert_count",
	    "SELECT count(*) FROM events WHERE alert = 1" },
	[STMT_EVENT_ALERT_NEXT] = { STMT_EVENT_ALERT_NEXT, "event_alert_next",
	    "SELECT min(alert_at) FROM events WHERE alert = 1" },
	[STMT_EVENT_PRUNE] = { STMT_EVENT_PRUNE, "event_prune",
	    "DELETE FROM events WHERE at < ?1 AND alert != 1" },
#undef EVENT_COLS
	/* An acknowledgement (?4 = 'acked') or a response ('answered') of
	 * ?1 stamps it, once, if it went the other way between the same
	 * two members: what --unacked and cases read. */
	/* An acknowledgement from its recipient settles its deadline. */
	[STMT_DEADLINE_SETTLE] = { STMT_DEADLINE_SETTLE, "deadline_settle",
	    "UPDATE deadlines SET settled = 1"
	    " WHERE msg_id = ?1 AND recipient = ?2 AND settled = 0" },
	[STMT_MSG_ANSWER] = { STMT_MSG_ANSWER, "msg_answer",
	    "UPDATE messages SET"
	    " acked_at = CASE WHEN ?4 = 'acked' AND acked_at = 0"
	    "  THEN ?5 ELSE acked_at END,"
	    " answered_at = CASE WHEN ?4 = 'answered' AND answered_at = 0"
	    "  THEN ?5 ELSE answered_at END"
	    " WHERE id = ?1 AND direction != ?2 AND party = ?3"
	    " AND kind IN (" STORE_SQL_KIND(ASSISTANCE_REQUEST) ", "
	    STORE_SQL_KIND(NOTIFICATION) ")" },
	/* A request or notification that opens a thread (no in_reply_to)
	 * makes it a case with its party (store_list.c); a message of it
	 * seen first keeps its counts. */
	[STMT_CASES_OPEN] = { STMT_CASES_OPEN, "cases_open",
	    "INSERT INTO cases (thread_id, open_seq, party, last_seq, last_at)"
	    " VALUES (?1, ?2, ?3, ?2, ?4)"
	    " ON CONFLICT (thread_id, party) DO UPDATE"
	    " SET open_seq = excluded.open_seq, messages = messages + 1,"
	    " last_seq = max(last_seq, excluded.last_seq),"
	    " last_at = max(last_at, excluded.last_at)" },
	[STMT_CASES_TOUCH] = { STMT_CASES_TOUCH, "cases_touch",
	    "UPDATE cases SET messages = messages + 1,"
	    " last_seq = max(last_seq, ?2), last_at = max(last_at, ?3),"
	    " status = CASE WHEN ?4 > 0 THEN ?4 ELSE status END"
	    " WHERE thread_id = ?1 AND party = ?5" },
	/* The first message of a box at or after seq ?2, with the time
	 * --since compares: store_list.c searches for the bound with it. */
	[STMT_LIST_PROBE] = { STMT_LIST_PROBE, "list_probe",
	    "SELECT seq, CASE direction WHEN 'in' THEN received_at"
	    " ELSE created_at END FROM messages"
	    " WHERE direction = ?1 AND seq >= ?2 ORDER BY seq LIMIT 1" },
	/* Enrollment requests (store_enroll.c). */
	[STMT_ENROLL_GET] = { STMT_ENROLL_GET, "enroll_get",
	    "SELECT " STORE_ENROLL_COLS " FROM enrollments WHERE code = ?1" },
	[STMT_ENROLL_PUT] = { STMT_ENROLL_PUT, "enroll_put",
	    "INSERT OR REPLACE INTO enrollments (code, fp, record, source,"
	    " received_at, last_seen, requests, state, reason, decided_at,"
	    " decided_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?11)" },
	[STMT_ENROLL_SEEN] = { STMT_ENROLL_SEEN, "enroll_seen",
	    "UPDATE enrollments SET last_seen = ?2, source = ?3,"
	    " requests = requests + 1 WHERE code = ?1" },
	[STMT_ENROLL_DECIDE] = { STMT_ENROLL_DECIDE, "enroll_decide",
	    "UPDATE enrollments SET state = ?2, reason = ?3, decided_at = ?4,"
	    " decided_by = ?5 WHERE code = ?1" },
	[STMT_ENROLL_LIST] = { STMT_ENROLL_LIST, "enroll_list",
	    "SELECT " STORE_ENROLL_COLS " FROM enrollments"
	    " WHERE ?1 OR state = 'pending' ORDER BY received_at, code" },
	[STMT_ENROLL_COUNT] = { STMT_ENROLL_COUNT, "enroll_count",
	    "SELECT count(*) FROM enrollments WHERE state = 'pending'" },
	/* Cases sent to many (store_send.c). */
	[STMT_SEND_MANY_ADD] = { STMT_SEND_MANY_ADD, "send_many_add",
	    "INSERT INTO send_many (id, created_at, kind, recipients,"
	    " created_by) VALUES (?1, ?2, ?3, ?4, ?5)" },
	[STMT_SEND_MANY_ENVELOPE_ADD] = { STMT_SEND_MANY_ENVELOPE_ADD,
	    "send_many_envelope_add",
	    "INSERT INTO send_many_envelopes (envelope_id, case_id, recipient)"
	    " VALUES (?1, ?2, ?3)" },
	/* The case with an envelope in thread ?1 (its shared thread, made
	 * from a nonce, or an envelope's own). */
	[STMT_SEND_MANY_OF] = { STMT_SEND_MANY_OF, "send_many_of",
	    "SELECT s.id, s.created_at, s.kind, s.recipients, s.created_by"
	    " FROM messages m JOIN send_many_envelopes e"
	    "  ON e.envelope_id = m.id JOIN send_many s ON s.id = e.case_id"
	    " WHERE m.thread_id = ?1 LIMIT 1" },
	[STMT_SEND_MANY_THREADS] = { STMT_SEND_MANY_THREADS,
	    "send_many_threads",
	    "SELECT m.thread_id FROM send_many_envelopes e"
	    " JOIN messages m ON m.id = e.envelope_id WHERE e.case_id = ?1"
	    " GROUP BY m.thread_id ORDER BY min(e.rowid)" },
	[STMT_SEND_MANY_LATEST] = { STMT_SEND_MANY_LATEST, "send_many_latest",
	    "SELECT id, created_at, kind, recipients, created_by"
	    " FROM send_many ORDER BY created_at DESC, rowid DESC LIMIT ?1" },
	/* Whether thread ?1 is held here (0/1); whether member ?2 has a
	 * part in it (its messages, either way, are with ?2); whether a
	 * message other than ?3 holds it; whether message ?4 is held here
	 * with another member only (store_thread.c).  The last three are
	 * looked up only when they can be true (CASE evaluates lazily; AND
	 * evaluates both sides): a new thread costs one lookup, not four. */
	[STMT_THREAD_PARTIES] = { STMT_THREAD_PARTIES, "thread_parties",
	    "SELECT h, CASE WHEN h THEN EXISTS (SELECT 1 FROM messages"
	    "  WHERE (thread_id = ?1 OR id = ?1) AND party = ?2) ELSE 0 END,"
	    " CASE WHEN h THEN EXISTS (SELECT 1 FROM messages"
	    "  WHERE (thread_id = ?1 OR id = ?1) AND id != ?3) ELSE 0 END,"
	    " CASE WHEN ?4 != '' THEN EXISTS (SELECT 1 FROM messages"
	    "  WHERE id = ?4 AND party != ?2) ELSE 0 END"
	    " FROM (SELECT EXISTS (SELECT 1 FROM messages"
	    "  WHERE thread_id = ?1 OR id = ?1) AS h)" },
	/* The hash a witness's head of our log is checked against. */
	[STMT_AUDIT_HASH_AT] = { STMT_AUDIT_HASH_AT, "audit_hash_at",
	    "SELECT hash FROM audit WHERE seq = ?1" },
	/* Heads held as a witness (store_witness.c). */
	[STMT_WITNESS_LATEST] = { STMT_WITNESS_LATEST, "witness_latest",
	    "SELECT " WITNESS_COLUMNS " FROM witness_heads"
	    " WHERE member = ?1 AND conflict = ''" },
	[STMT_WITNESS_PUT] = { STMT_WITNESS_PUT, "witness_put",
	    "INSERT INTO witness_heads (member, count, last_hash, time,"
	    " signature, signer_cert, received_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (member) WHERE conflict = '' DO UPDATE SET"
	    " count = excluded.count, last_hash = excluded.last_hash,"
	    " time = excluded.time, signature = excluded.signature,"
	    " signer_cert = excluded.signer_cert,"
	    " received_at = excluded.received_at" },
	[STMT_WITNESS_CONFLICT_ADD] = { STMT_WITNESS_CONFLICT_ADD,
	    "witness_conflict_add",
	    "INSERT OR IGNORE INTO witness_heads (member, count, last_hash,"
	    " time, signature, signer_cert, received_at, conflict)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)" },
	[STMT_WITNESS_CONFLICT_COUNT] = { STMT_WITNESS_CONFLICT_COUNT,
	    "witness_conflict_count",
	    "SELECT count(*) FROM witness_heads WHERE conflict <> ''"
	    " AND (?1 = '' OR member = ?1)" },
	[STMT_WITNESS_LIST] = { STMT_WITNESS_LIST, "witness_list",
	    "SELECT " WITNESS_COLUMNS " FROM witness_heads"
	    " WHERE ?1 = '' OR member = ?1"
	    " ORDER BY member, conflict <> '', received_at LIMIT ?2" },
};

/* Checks that each entry sits at its id (a broken table is a bug, fatal)
 * and prepares it as persistent. */
int
store_sql_prepare(sqlite3 *db, sqlite3_stmt *stmt[STMT_MAX], char *err,
    size_t errlen)
{
	size_t	 i;

	for (i = 0; i < STMT_MAX; i++) {
		if (store_stmts[i].id != (enum stmt_id)i ||
		    store_stmts[i].sql == NULL)
			fatalx("store: statement table entry %zu is out of "
			    "place", i);
		if (sqlite3_prepare_v3(db, store_stmts[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &stmt[i], NULL) != SQLITE_OK) {
			util_seterr(err, errlen, "prepare %s: %s",
			    store_stmts[i].name, sqlite3_errmsg(db));
			return -1;
		}
	}
	return 0;
}

/* Finalizes each statement and forgets it. */
void
store_sql_finalize(sqlite3_stmt *stmt[STMT_MAX])
{
	size_t	 i;

	for (i = 0; i < STMT_MAX; i++) {
		sqlite3_finalize(stmt[i]);
		stmt[i] = NULL;
	}
}
