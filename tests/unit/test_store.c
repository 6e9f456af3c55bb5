/*
 * Unit tests for daemon/store.c: each test opens a real database file in a
 * fresh temporary directory.  The test's own sqlite3 connection looks at
 * the file from outside, and injects faults with triggers, to prove that
 * nothing half-done is ever stored.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "daemon/store.h"
#include "daemon/store_audit.h"
#include "daemon/store_ckpt.h"
#include "daemon/store_list.h"
#include "daemon/store_msg.h"
#include "daemon/store_sig.h"
#include "daemon/store_tx.h"

#define AUS	"AUS"
#define FRA	"FRA"
#define NZL	"NZL"

#define ID_REQ	"11111111-1111-4111-8111-111111111111"
#define ID_ACK1	"22222222-2222-4222-8222-222222222222"
#define ID_RESP	"33333333-3333-4333-8333-333333333333"
#define ID_ACK2	"44444444-4444-4444-8444-444444444444"
#define ID_OTH	"55555555-5555-4555-8555-555555555555"

static char	 tmpdir[PATH_MAX];
static char	 dbpath[PATH_MAX + 16];
static char	 err[256];

static void
setup(void)
{
	const char	*t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_store.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/pocd.db", tmpdir);
	err[0] = '\0';
}

static void
teardown(void)
{
	static const char	*const sfx[] = {
		"", "-wal", "-shm", "-journal"
	};
	char			 p[PATH_MAX + 32];
	size_t			 i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]);
		unlink(p);
	}
	rmdir(tmpdir);
}

static struct store *
open_store(void)
{
	struct store	*st;

	st = store_open(dbpath, STORE_SYNC_FULL, err, sizeof(err));
	ck_assert_msg(st != NULL, "store_open: %s", err);
	return st;
}

/* Runs sql on a separate connection and returns the first column of the
 * first row as an integer (0 if there is no row). */
static long long
raw_int(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	long long	 v = 0;
	int		 rc;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	rc = sqlite3_step(s);
	ck_assert_msg(rc == SQLITE_ROW || rc == SQLITE_DONE, "%s: %s", sql,
	    sqlite3_errmsg(db));
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Runs sql on a separate connection and returns the first text column. */
static void
raw_text(const char *sql, char *out, size_t len)
{
	sqlite3		*db;
	sqlite3_stmt	*s;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void
raw_exec(const char *sql)
{
	sqlite3	*db;
	char	*msg = NULL;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
	    "%s: %s", sql, msg);
	sqlite3_close(db);
}

/* Test envelopes: fixed strings, bodies in static storage (one at a time). */
static Poc__Notification	 t_notif;
static Poc__Acknowledgement	 t_ack;
static Poc__AssistanceResponse	 t_resp;

static Poc__Envelope
env_notification(const char *id, const char *sender, const char *recipient,
    const char *summary)
{
	Poc__Envelope	 e = POC__ENVELOPE__INIT;

	poc__notification__init(&t_notif);
	t_notif.summary = (char *)summary;
	e.id = (char *)id;
	e.thread_id = (char *)id;
	e.sender = (char *)sender;
	e.recipient = (char *)recipient;
	e.created_at = 1700000000000;
	e.tlp = POC__TLP__AMBER;
	e.language = (char *)"en";
	e.body_case = POC__ENVELOPE__BODY_NOTIFICATION;
	e.notification = &t_notif;
	return e;
}

static Poc__Envelope
env_ack(const char *id, const char *sender, const char *recipient,
    const char *thread, const char *ack_of)
{
	Poc__Envelope	 e = POC__ENVELOPE__INIT;

	poc__acknowledgement__init(&t_ack);
	t_ack.ack_of = (char *)ack_of;
	t_ack.acknowledged_by = (char *)"duty officer";
	e.id = (char *)id;
	e.thread_id = (char *)thread;
	e.in_reply_to = (char *)ack_of;
	e.sender = (char *)sender;
	e.recipient = (char *)recipient;
	e.created_at = 1700000001000;
	e.body_case = POC__ENVELOPE__BODY_ACKNOWLEDGEMENT;
	e.acknowledgement = &t_ack;
	return e;
}

static Poc__Envelope
env_response(const char *id, const char *sender, const char *recipient,
    const char *thread, const char *request_id)
{
	Poc__Envelope	 e = POC__ENVELOPE__INIT;

	poc__assistance_response__init(&t_resp);
	t_resp.request_id = (char *)request_id;
	t_resp.decision = POC__ASSISTANCE_RESPONSE__DECISION__WILL_ASSIST;
	e.id = (char *)id;
	e.thread_id = (char *)thread;
	e.in_reply_to = (char *)request_id;
	e.sender = (char *)sender;
	e.recipient = (char *)recipient;
	e.created_at = 1700000002000;
	e.body_case = POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE;
	e.assistance_response = &t_resp;
	return e;
}

/* Stores a notification to recipient under id; asserts STORE_NEW. */
static void
put_out(struct store *st, const char *id, const char *recipient,
    int64_t now)
{
	Poc__Envelope	 e = env_notification(id, NZL, recipient, "out");

	ck_assert_int_eq(store_put_outgoing(st, &e, now), STORE_NEW);
}

static void
put_in(struct store *st, const char *id, const char *sender, int64_t now)
{
	Poc__Envelope	 e = env_notification(id, sender, NZL, "in");

	ck_assert_int_eq(store_put_incoming(st, &e, now), STORE_NEW);
}

START_TEST(test_open_migrates)
{
	struct store	*st;
	struct stat	 sb;
	char		 p[PATH_MAX + 32];

	st = open_store();
	ck_assert_int_eq(store_schema_version(st), store_schema_latest());
	ck_assert_int_ge(store_schema_version(st), 1);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), store_schema_latest());
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_schema WHERE "
	    "type = 'table' AND name IN ('messages', 'outbox')"), 2);
	put_in(st, ID_REQ, AUS, 1);

	/* The database and its WAL are private to the daemon's user. */
	ck_assert_int_eq(stat(dbpath, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	store_close(st);

	/* Reopening runs no migration again and keeps the data. */
	st = open_store();
	ck_assert_int_eq(store_schema_version(st), store_schema_latest());
	ck_assert_int_eq(store_count(st, STORE_INBOX, 0), 1);
	store_close(st);
	st = open_store();
	ck_assert_int_eq(store_schema_version(st), store_schema_latest());
	store_close(st);
	store_close(NULL);
}
END_TEST

START_TEST(test_open_tightens_mode)
{
	struct store	*st;
	struct stat	 sb;
	FILE		*f;

	ck_assert_ptr_nonnull(f = fopen(dbpath, "w"));
	fclose(f);
	ck_assert_int_eq(chmod(dbpath, 0644), 0);
	st = open_store();
	ck_assert_int_eq(stat(dbpath, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	store_close(st);
}
END_TEST

START_TEST(test_open_bad_path)
{
	char	 p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/missing/pocd.db", tmpdir);
	ck_assert_ptr_null(store_open(p, STORE_SYNC_FULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, p) != NULL, "err: %s", err);
}
END_TEST

START_TEST(test_journal_wal)
{
	struct store	*st;
	char		 mode[16];

	st = open_store();
	raw_text("PRAGMA journal_mode", mode, sizeof(mode));
	ck_assert_str_eq(mode, "wal");
	store_close(st);
	/* WAL is persistent in the file. */
	raw_text("PRAGMA journal_mode", mode, sizeof(mode));
	ck_assert_str_eq(mode, "wal");

	/* synchronous=NORMAL opens too. */
	st = store_open(dbpath, STORE_SYNC_NORMAL, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	store_close(st);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
	char	 mode[16], want[128];

	raw_exec("PRAGMA user_version = 99");
	ck_assert_ptr_null(store_open(dbpath, STORE_SYNC_FULL, err,
	    sizeof(err)));
	snprintf(want, sizeof(want), "database schema version 99 is newer "
	    "than this pocd (%d); upgrade pocd", store_schema_latest());
	ck_assert_str_eq(err, want);
	/* The refused file is left as it was. */
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 99);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_schema"), 0);
	raw_text("PRAGMA journal_mode", mode, sizeof(mode));
	ck_assert_str_eq(mode, "delete");
}
END_TEST

START_TEST(test_put_incoming_duplicate)
{
	struct store	*st;
	Poc__Envelope	 e;

	static uint8_t	 sig[] = { 1, 2, 3 };

	st = open_store();
	e = env_notification(ID_REQ, AUS, NZL, "first");
	ck_assert_int_eq(store_put_incoming(st, &e, 1000), STORE_NEW);
	/* The same envelope signed again (a window resent is a new batch):
	 * its canonical bytes are the same, so it is a resend. */
	e.signature.data = sig;
	e.signature.len = sizeof(sig);
	ck_assert_int_eq(store_put_incoming(st, &e, 2000), STORE_DUPLICATE);
	/* The same id from the same sender with other content is not: the
	 * sender must not believe it held (docs/guarantees.md). */
	e = env_notification(ID_REQ, AUS, NZL, "resent");
	ck_assert_int_eq(store_put_incoming(st, &e, 2000), STORE_DIFFERS);
	e = env_notification(ID_REQ, AUS, NZL, "first");
	e.created_at++;
	ck_assert_int_eq(store_put_incoming(st, &e, 2000), STORE_DIFFERS);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 1);
	ck_assert_int_eq(raw_int("SELECT received_at FROM messages"), 1000);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages WHERE "
	    "direction = 'in' AND state = 'received' AND sender = 'AUS' AND "
	    "kind = 22 AND ref_id = ''"), 1);
	ck_assert_int_eq(store_count(st, STORE_INBOX, 0), 1);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 0), 0);
	store_close(st);
}
END_TEST

START_TEST(test_put_incoming_conflict)
{
	struct store	*st;
	Poc__Envelope	 e;

	st = open_store();
	put_in(st, ID_REQ, AUS, 1000);
	e = env_notification(ID_REQ, FRA, NZL, "other sender");
	ck_assert_int_eq(store_put_incoming(st, &e, 2000), STORE_CONFLICT);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages WHERE "
	    "sender = 'AUS'"), 1);

	/* An id this node sent is never a duplicate of an incoming one,
	 * not even from the sender the id names. */
	put_out(st, ID_OTH, AUS, 3000);
	e = env_notification(ID_OTH, NZL, NZL, "echo");
	ck_assert_int_eq(store_put_incoming(st, &e, 4000), STORE_CONFLICT);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 2);
	store_close(st);
}
END_TEST

START_TEST(test_put_outgoing)
{
	struct store	*st;
	Poc__Envelope	 e;

	st = open_store();
	put_out(st, ID_REQ, AUS, 5000);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM outbox WHERE id = '"
	    ID_REQ "' AND recipient = 'AUS' AND queued_at = 5000 AND "
	    "attempts = 0 AND next_attempt_at = 0 AND last_error = '' AND "
	    "seq = (SELECT seq FROM messages WHERE id = '" ID_REQ "')"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages WHERE "
	    "direction = 'out' AND state = 'queued'"), 1);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 1), 1);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 0), 1);
	ck_assert_int_eq(store_count(st, STORE_INBOX, 0), 0);

	e = env_notification(ID_REQ, NZL, FRA, "again");
	ck_assert_int_eq(store_put_outgoing(st, &e, 6000), STORE_CONFLICT);
	put_in(st, ID_OTH, AUS, 6000);
	e = env_notification(ID_OTH, NZL, AUS, "reuse");
	ck_assert_int_eq(store_put_outgoing(st, &e, 7000), STORE_CONFLICT);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM outbox"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 2);

	/* Ids and recipients must fit the outbox's fixed-size fields. */
	e = env_notification("0123456789012345678901234567890123456789"
	    "012345678901234567890123", NZL, AUS, "long id");
	ck_assert_int_eq(store_put_outgoing(st, &e, 8000), STORE_ERROR);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 2);
	store_close(st);
}
END_TEST

START_TEST(test_put_outgoing_atomic)
{
	struct store	*st;
	Poc__Envelope	 e;

	st = open_store();
	/* Fault injection: the outbox insert fails after the messages
	 * insert succeeded; neither may remain. */
	raw_exec("CREATE TRIGGER t_fail BEFORE INSERT ON outbox "
	    "BEGIN SELECT RAISE(ABORT, 'injected'); END");
	e = env_notification(ID_REQ, NZL, AUS, "x");
	ck_assert_int_eq(store_put_outgoing(st, &e, 1), STORE_ERROR);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM outbox"), 0);

	/* The same inside a batch: the failed call leaves nothing, the
	 * rest of the batch commits. */
	ck_assert_int_eq(store_begin(st), 0);
	put_in(st, ID_OTH, AUS, 2);
	ck_assert_int_eq(store_put_outgoing(st, &e, 3), STORE_ERROR);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages WHERE id = '"
	    ID_REQ "'"), 0);

	raw_exec("DROP TRIGGER t_fail");
	put_out(st, ID_REQ, AUS, 4);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM outbox"), 1);
	store_close(st);
}
END_TEST

/* In a batch: an incoming envelope stored, then an outgoing one whose
 * outbox insert fails (t_fail) after its message row went in. */
static void
lean_writes(struct store *st, int spoiled)
{
	Poc__Envelope	 e = env_notification(ID_REQ, NZL, AUS, "x");

	put_in(st, ID_RESP, AUS, 3);
	ck_assert_int_eq(store_put_outgoing(st, &e, 4), STORE_ERROR);
	ck_assert_int_eq(store_batch_spoiled(st), spoiled);
}

/* The group commit's batch is lean: no savepoint per write.  A refusal
 * that changed nothing leaves the batch as it was; a write that failed
 * after changing rows spoils it, and it commits nothing until written
 * again with savepoints. */
START_TEST(test_lean_batch)
{
	struct store	*st;
	Poc__Envelope	 e;

	st = open_store();
	e = env_notification(ID_OTH, AUS, NZL, "in");
	ck_assert_int_eq(store_begin_deferred(st), 0);
	put_in(st, ID_OTH, AUS, 1);
	ck_assert_int_eq(store_put_incoming(st, &e, 2), STORE_DUPLICATE);
	ck_assert_int_eq(store_batch_spoiled(st), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 1);

	raw_exec("CREATE TRIGGER t_fail BEFORE INSERT ON outbox "
	    "BEGIN SELECT RAISE(ABORT, 'injected'); END");
	ck_assert_int_eq(store_begin_deferred(st), 0);
	lean_writes(st, 1);
	ck_assert_int_eq(store_commit(st), -1);	/* never half a write */
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 1);

	/* Written again with savepoints: the rest of the batch commits. */
	ck_assert_int_eq(store_begin_deferred(st), 0);
	lean_writes(st, 1);
	ck_assert_int_eq(store_batch_redo(st), 0);
	ck_assert_int_eq(store_batch_spoiled(st), 0);
	lean_writes(st, 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 2);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages WHERE id = '"
	    ID_REQ "'"), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM audit"), 2);
	ck_assert_int_eq(store_count(st, STORE_INBOX, 0), 2);
	store_close(st);
}
END_TEST

START_TEST(test_outbox_load)
{
	struct store		*st;
	struct store_outbox_row	*rows;
	Poc__Envelope		*e;
	int			 n;

	st = open_store();
	put_out(st, ID_REQ, AUS, 1);
	put_out(st, ID_ACK1, FRA, 2);
	put_out(st, ID_RESP, AUS, 3);
	put_in(st, ID_OTH, AUS, 4);
	put_out(st, ID_ACK2, AUS, 5);

	n = store_outbox_load(st, AUS, 0, 100, &rows);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(rows[0].id, ID_REQ);
	ck_assert_str_eq(rows[1].id, ID_RESP);
	ck_assert_str_eq(rows[2].id, ID_ACK2);
	ck_assert(rows[0].seq < rows[1].seq && rows[1].seq < rows[2].seq);
	e = poc__envelope__unpack(NULL, rows[1].len, rows[1].data);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->id, ID_RESP);
	ck_assert_str_eq(e->recipient, AUS);
	ck_assert_int_eq(e->body_case, POC__ENVELOPE__BODY_NOTIFICATION);
	ck_assert_str_eq(e->notification->summary, "out");
	poc__envelope__free_unpacked(e, NULL);

	/* after_seq continues where the last window ended. */
	{
		struct store_outbox_row	*more;
		int			 m;

		m = store_outbox_load(st, AUS, rows[0].seq, 100, &more);
		ck_assert_int_eq(m, 2);
		ck_assert_str_eq(more[0].id, ID_RESP);
		store_outbox_rows_free(more, m);
		m = store_outbox_load(st, AUS, rows[2].seq, 100, &more);
		ck_assert_int_eq(m, 0);
		store_outbox_rows_free(more, m);
		m = store_outbox_load(st, AUS, 0, 1, &more);
		ck_assert_int_eq(m, 1);
		ck_assert_str_eq(more[0].id, ID_REQ);
		store_outbox_rows_free(more, m);
		ck_assert_int_eq(store_outbox_load(st, AUS, 0, 0, &more), 0);
		ck_assert_ptr_null(more);
	}
	store_outbox_rows_free(rows, n);

	n = store_outbox_load(st, FRA, 0, 10, &rows);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(rows[0].id, ID_ACK1);
	store_outbox_rows_free(rows, n);
	ck_assert_int_eq(store_outbox_load(st, "XXX", 0, 10, &rows), 0);
	store_outbox_rows_free(rows, 0);
	store_outbox_rows_free(NULL, 0);
	store_close(st);
}
END_TEST

START_TEST(test_outbox_delivered)
{
	struct store		*st;
	struct store_outbox_row	*rows;
	Poc__StoredMessage	*m;

	st = open_store();
	put_out(st, ID_REQ, AUS, 1000);
	put_out(st, ID_RESP, AUS, 1001);
	ck_assert_int_eq(store_outbox_delivered(st, FRA, ID_REQ, 2000), -1);
	ck_assert_int_eq(store_outbox_delivered(st, AUS, ID_OTH, 2000), -1);
	ck_assert_int_eq(store_outbox_delivered(st, AUS, ID_REQ, 2000), 0);
	ck_assert_int_eq(store_outbox_delivered(st, AUS, ID_REQ, 3000), -1);

	ck_assert_int_eq(store_outbox_load(st, AUS, 0, 10, &rows), 1);
	ck_assert_str_eq(rows[0].id, ID_RESP);
	store_outbox_rows_free(rows, 1);
	ck_assert_int_eq(store_get(st, ID_REQ, &m), 1);
	ck_assert_str_eq(m->state, "delivered");
	ck_assert_int_eq(m->delivered_at, 2000);
	ck_assert_str_eq(m->reason, "");
	ck_assert_str_eq(m->direction, "out");
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 1), 1);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 0), 2);

	/* A failing delete rolls the state change back too. */
	raw_exec("CREATE TRIGGER t_fail BEFORE DELETE ON outbox "
	    "BEGIN SELECT RAISE(ABORT, 'injected'); END");
	ck_assert_int_eq(store_outbox_delivered(st, AUS, ID_RESP, 4000), -1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages WHERE id = '"
	    ID_RESP "' AND state = 'queued' AND delivered_at = 0"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM outbox"), 1);
	store_close(st);
}
END_TEST

START_TEST(test_outbox_rejected)
{
	struct store		*st;
	Poc__StoredMessage	*m;

	st = open_store();
	put_out(st, ID_REQ, AUS, 1000);
	ck_assert_int_eq(store_outbox_rejected(st, FRA, ID_REQ, "no", 2000),
	    -1);
	ck_assert_int_eq(store_outbox_rejected(st, AUS, ID_REQ,
	    "sender does not match certificate", 2000), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM outbox"), 0);
	ck_assert_int_eq(store_get(st, ID_REQ, &m), 1);
	ck_assert_str_eq(m->state, "rejected");
	ck_assert_str_eq(m->reason, "sender does not match certificate");
	ck_assert_int_eq(m->delivered_at, 2000);
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 1), 0);
	store_close(st);
}
END_TEST

START_TEST(test_outbox_failed)
{
	struct store		*st;
	Poc__StoredMessage	*m;

	st = open_store();
	put_out(st, ID_REQ, AUS, 1000);
	put_out(st, ID_RESP, AUS, 1001);
	put_out(st, ID_ACK1, FRA, 1002);
	ck_assert_int_eq(store_outbox_failed(st, AUS, 5000, "refused"), 0);
	ck_assert_int_eq(store_outbox_failed(st, AUS, 9000, "timeout"), 0);
	ck_assert_int_eq(store_outbox_failed(st, "XXX", 9000, "none"), 0);

	ck_assert_int_eq(store_get(st, ID_RESP, &m), 1);
	ck_assert_uint_eq(m->attempts, 2);
	ck_assert_int_eq(m->next_attempt_at, 9000);
	ck_assert_str_eq(m->state, "queued");
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM outbox WHERE "
	    "recipient = 'AUS' AND attempts = 2 AND last_error = 'timeout'"),
	    2);
	ck_assert_int_eq(store_get(st, ID_ACK1, &m), 1);
	ck_assert_uint_eq(m->attempts, 0);
	ck_assert_int_eq(m->next_attempt_at, 0);
	protobuf_c_message_free_unpacked(&m->base, NULL);
	store_close(st);
}
END_TEST

START_TEST(test_outbox_peers)
{
	struct store			*st;
	struct store_outbox_peer	*p;
	int				 n;

	st = open_store();
	ck_assert_int_eq(store_outbox_peers(st, &p), 0);
	free(p);

	put_out(st, ID_REQ, AUS, 1000);
	put_out(st, ID_ACK1, FRA, 1500);
	put_out(st, ID_RESP, AUS, 2000);
	ck_assert_int_eq(store_outbox_failed(st, AUS, 5000, "refused"), 0);
	ck_assert_int_eq(store_outbox_failed(st, AUS, 9000, "timeout"), 0);
	/* Queued after the failures: no attempts yet. */
	put_out(st, ID_ACK2, AUS, 9500);

	n = store_outbox_peers(st, &p);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(p[0].recipient, AUS);
	ck_assert_uint_eq(p[0].queued, 3);
	ck_assert_uint_eq(p[0].attempts, 2);
	ck_assert_int_eq(p[0].oldest_queued_at, 1000);
	/* The persisted backoff wins over a row queued since (0). */
	ck_assert_int_eq(p[0].next_attempt_at, 9000);
	ck_assert_str_eq(p[0].last_error, "timeout");
	ck_assert_str_eq(p[1].recipient, FRA);
	ck_assert_uint_eq(p[1].queued, 1);
	ck_assert_uint_eq(p[1].attempts, 0);
	ck_assert_int_eq(p[1].oldest_queued_at, 1500);
	ck_assert_str_eq(p[1].last_error, "");
	free(p);

	ck_assert_int_eq(store_outbox_delivered(st, AUS, ID_ACK2, 9600), 0);
	n = store_outbox_peers(st, &p);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(p[0].queued, 2);
	ck_assert_int_eq(p[0].next_attempt_at, 9000);
	ck_assert_str_eq(p[0].last_error, "timeout");
	free(p);
	store_close(st);
}
END_TEST

START_TEST(test_list)
{
	struct store		 *st;
	Poc__StoredMessage	**m;
	int			  n;

	st = open_store();
	put_in(st, ID_REQ, AUS, 100);
	put_out(st, ID_ACK1, AUS, 200);
	put_in(st, ID_RESP, FRA, 300);
	put_out(st, ID_ACK2, FRA, 400);
	put_in(st, ID_OTH, AUS, 500);
	ck_assert_int_eq(store_outbox_delivered(st, FRA, ID_ACK2, 600), 0);

	n = store_list(st, STORE_INBOX, 0, &m);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(m[0]->envelope->id, ID_OTH);
	ck_assert_str_eq(m[1]->envelope->id, ID_RESP);
	ck_assert_str_eq(m[2]->envelope->id, ID_REQ);
	ck_assert_str_eq(m[0]->direction, "in");
	ck_assert_str_eq(m[0]->state, "received");
	ck_assert_int_eq(m[0]->received_at, 500);
	ck_assert_str_eq(m[1]->envelope->sender, FRA);
	ck_assert_int_eq(m[1]->envelope->tlp, POC__TLP__AMBER);
	ck_assert_str_eq(m[1]->envelope->notification->summary, "in");
	store_messages_free(m, n);

	n = store_list(st, STORE_INBOX, 2, &m);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(m[1]->envelope->id, ID_RESP);
	store_messages_free(m, n);

	n = store_list(st, STORE_OUTBOX, -1, &m);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(m[0]->envelope->id, ID_ACK2);
	ck_assert_str_eq(m[0]->state, "delivered");
	ck_assert_str_eq(m[1]->envelope->id, ID_ACK1);
	ck_assert_str_eq(m[1]->state, "queued");
	store_messages_free(m, n);

	ck_assert_int_eq(store_list(st, (enum store_box)7, 0, &m), -1);
	store_messages_free(NULL, 0);
	store_close(st);
}
END_TEST

START_TEST(test_get_prefix)
{
	struct store		*st;
	Poc__StoredMessage	*m;

	st = open_store();
	put_in(st, "abcd1111-0000-4000-8000-000000000000", AUS, 1);
	put_in(st, "abcd2222-0000-4000-8000-000000000000", AUS, 2);
	put_in(st, "abc%_xyz-0000-4000-8000-000000000000", AUS, 3);

	ck_assert_int_eq(store_get(st,
	    "abcd1111-0000-4000-8000-000000000000", &m), 1);
	ck_assert_str_eq(m->envelope->id,
	    "abcd1111-0000-4000-8000-000000000000");
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(store_get(st, "abcd2", &m), 1);
	ck_assert_str_eq(m->envelope->id,
	    "abcd2222-0000-4000-8000-000000000000");
	protobuf_c_message_free_unpacked(&m->base, NULL);

	ck_assert_int_eq(store_get(st, "abcd", &m), 2);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(store_get(st, "abc", &m), 0);	/* too short */
	ck_assert_ptr_null(m);
	ck_assert_int_eq(store_get(st, "", &m), 0);
	ck_assert_int_eq(store_get(st, "zzzz", &m), 0);
	ck_assert_int_eq(store_get(st, "abcd3", &m), 0);
	/* LIKE wildcards are literal characters. */
	ck_assert_int_eq(store_get(st, "ab%d", &m), 0);
	ck_assert_int_eq(store_get(st, "abc_", &m), 0);
	ck_assert_int_eq(store_get(st, "abc%_", &m), 1);
	protobuf_c_message_free_unpacked(&m->base, NULL);
	store_close(st);
}
END_TEST

START_TEST(test_thread_acks)
{
	struct store		 *st;
	Poc__StoredMessage	**t, *m;
	Poc__Envelope		  e;
	int			  n;

	st = open_store();
	put_out(st, ID_REQ, AUS, 1);
	e = env_ack(ID_ACK1, AUS, NZL, ID_REQ, ID_REQ);
	ck_assert_int_eq(store_put_incoming(st, &e, 2), STORE_NEW);
	put_in(st, ID_OTH, FRA, 3);		/* another case */
	e = env_response(ID_RESP, AUS, NZL, ID_REQ, ID_REQ);
	ck_assert_int_eq(store_put_incoming(st, &e, 4), STORE_NEW);
	e = env_ack(ID_ACK2, FRA, NZL, ID_REQ, ID_REQ);
	ck_assert_int_eq(store_put_incoming(st, &e, 5), STORE_NEW);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages WHERE "
	    "ref_id = '" ID_REQ "'"), 3);

	n = store_thread(st, ID_REQ, &t);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(t[0]->envelope->id, ID_REQ);
	ck_assert_str_eq(t[1]->envelope->id, ID_ACK1);
	ck_assert_str_eq(t[2]->envelope->id, ID_RESP);
	ck_assert_str_eq(t[3]->envelope->id, ID_ACK2);
	/* Acknowledgements count, the response does not. */
	ck_assert_uint_eq(t[0]->n_acknowledged_by, 2);
	ck_assert_str_eq(t[0]->acknowledged_by[0], ID_ACK1);
	ck_assert_str_eq(t[0]->acknowledged_by[1], ID_ACK2);
	ck_assert_uint_eq(t[1]->n_acknowledged_by, 0);
	ck_assert_str_eq(t[1]->envelope->acknowledgement->acknowledged_by,
	    "duty officer");
	ck_assert_str_eq(t[2]->envelope->assistance_response->request_id,
	    ID_REQ);
	store_messages_free(t, n);

	ck_assert_int_eq(store_get(st, "1111", &m), 1);
	ck_assert_uint_eq(m->n_acknowledged_by, 2);
	protobuf_c_message_free_unpacked(&m->base, NULL);

	n = store_thread(st, ID_OTH, &t);
	ck_assert_int_eq(n, 1);
	store_messages_free(t, n);
	ck_assert_int_eq(store_thread(st, "nothing", &t), 0);
	ck_assert_int_eq(store_thread(st, "", &t), 0);
	store_close(st);
}
END_TEST

START_TEST(test_batch_rollback)
{
	struct store	*st;

	st = open_store();
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_begin(st), -1);	/* no nesting */
	put_in(st, ID_REQ, AUS, 1);
	put_out(st, ID_RESP, AUS, 2);
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(store_count(st, STORE_INBOX, 0), 0);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 0), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM outbox"), 0);
	ck_assert_int_eq(store_commit(st), -1);	/* none open */
	ck_assert_int_eq(store_rollback(st), 0);

	/* A committed batch holds both; a single put commits on its own. */
	ck_assert_int_eq(store_begin(st), 0);
	put_in(st, ID_REQ, AUS, 1);
	put_out(st, ID_RESP, AUS, 2);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 2);
	put_in(st, ID_OTH, AUS, 3);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"), 3);
	store_close(st);
}
END_TEST

START_TEST(test_durability)
{
	struct store		 *st;
	struct store_outbox_row	 *rows;
	Poc__StoredMessage	 *m;
	Poc__Envelope		  e;
	pid_t			  pid;
	int			  status;

	st = open_store();
	put_in(st, ID_REQ, AUS, 10);
	put_out(st, ID_RESP, AUS, 20);
	ck_assert_int_eq(store_outbox_failed(st, AUS, 30, "refused"), 0);
	store_close(st);

	/* A child commits and dies without closing, as under kill -9. */
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		st = store_open(dbpath, STORE_SYNC_FULL, err, sizeof(err));
		if (st == NULL)
			_exit(1);
		e = env_notification(ID_ACK1, NZL, FRA, "out");
		_exit(store_put_outgoing(st, &e, 40) == STORE_NEW ? 0 : 2);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	st = open_store();
	ck_assert_int_eq(store_count(st, STORE_INBOX, 0), 1);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 1), 2);
	ck_assert_int_eq(store_get(st, ID_REQ, &m), 1);
	ck_assert_str_eq(m->envelope->sender, AUS);
	ck_assert_int_eq(m->envelope->created_at, 1700000000000);
	ck_assert_int_eq(m->received_at, 10);
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(store_outbox_load(st, AUS, 0, 10, &rows), 1);
	ck_assert_str_eq(rows[0].id, ID_RESP);
	store_outbox_rows_free(rows, 1);
	ck_assert_int_eq(store_get(st, ID_RESP, &m), 1);
	ck_assert_uint_eq(m->attempts, 1);
	ck_assert_int_eq(m->next_attempt_at, 30);
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(store_outbox_load(st, FRA, 0, 10, &rows), 1);
	ck_assert_str_eq(rows[0].id, ID_ACK1);
	store_outbox_rows_free(rows, 1);
	store_close(st);
}
END_TEST

/* A signer certificate is kept once however many envelopes it signed;
 * a batch that rolls back takes its row with it, and the next envelope
 * by the same signer stores it again (the cache must not say "kept"). */
START_TEST(test_signer_once)
{
	static const uint8_t	 cert1[] = "certificate one (DER stand-in)";
	static const uint8_t	 cert2[] = "certificate two (DER stand-in)";
	struct store		*st;
	Poc__Envelope		 e;
	uint8_t			*der;
	size_t			 len;

	st = open_store();
	ck_assert_int_eq(store_begin(st), 0);
	e = env_notification(ID_REQ, AUS, FRA, "one");
	ck_assert_int_eq(store_put_incoming_signed(st, &e, cert1,
	    sizeof(cert1), 1), STORE_NEW);
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM signer_certs"), 0);

	e = env_notification(ID_REQ, AUS, FRA, "one");
	ck_assert_int_eq(store_put_incoming_signed(st, &e, cert1,
	    sizeof(cert1), 1), STORE_NEW);
	e = env_notification(ID_ACK1, AUS, FRA, "two");
	ck_assert_int_eq(store_put_incoming_signed(st, &e, cert1,
	    sizeof(cert1), 2), STORE_NEW);
	ck_assert_int_eq(store_begin(st), 0);
	e = env_notification(ID_RESP, AUS, FRA, "three");
	ck_assert_int_eq(store_put_incoming_signed(st, &e, cert1,
	    sizeof(cert1), 3), STORE_NEW);
	e = env_notification(ID_ACK2, NZL, FRA, "four");
	ck_assert_int_eq(store_put_incoming_signed(st, &e, cert2,
	    sizeof(cert2), 4), STORE_NEW);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM signer_certs"), 2);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages"
	    " WHERE signer IS NOT NULL"), 4);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM message_signers"), 0);

	ck_assert_int_eq(store_signer_get(st, ID_RESP, &der, &len), 1);
	ck_assert_uint_eq(len, sizeof(cert1));
	ck_assert_mem_eq(der, cert1, len);
	free(der);
	ck_assert_int_eq(store_signer_get(st, ID_ACK2, &der, &len), 1);
	ck_assert_mem_eq(der, cert2, len);
	free(der);
	ck_assert_int_eq(store_signer_get(st, ID_OTH, &der, &len), 0);

	/* A message kept before schema 5 is read from message_signers. */
	e = env_notification(ID_OTH, AUS, FRA, "old");
	ck_assert_int_eq(store_put_incoming(st, &e, 5), STORE_NEW);
	raw_exec("INSERT INTO message_signers (id, cert) VALUES ('" ID_OTH
	    "', X'6f6c64')");
	ck_assert_int_eq(store_signer_get(st, ID_OTH, &der, &len), 1);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(der, "old", 3);
	free(der);

	/* Re-signing names the new certificate (store_resign_queued). */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_signer_put(st, ID_OTH, cert2, sizeof(cert2)),
	    0);
	ck_assert_int_eq(store_signer_put(st, "nonexistent", cert2,
	    sizeof(cert2)), -1);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(store_signer_get(st, ID_OTH, &der, &len), 1);
	ck_assert_mem_eq(der, cert2, len);
	free(der);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM signer_certs"), 2);
	store_close(st);
}
END_TEST

/* With the checkpoint thread, commits never checkpoint themselves, yet
 * the WAL stays bounded, and everything is there after a reopen. */
START_TEST(test_checkpoint_background)
{
	struct store	*st;
	struct stat	 sb;
	char		 id[64], wal[PATH_MAX + 32];
	Poc__Envelope	 e;
	off_t		 maxwal = 0;
	int		 i;

	snprintf(wal, sizeof(wal), "%s-wal", dbpath);
	st = open_store();
	ck_assert_int_eq(store_checkpoint_start(st, 50), 0);
	ck_assert_int_eq(store_checkpoint_start(st, 50), 0);	/* once */
	for (i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "%08x-0000-4000-8000-000000000000",
		    i);
		if (i % 10 == 0)
			ck_assert_int_eq(store_begin(st), 0);
		e = env_notification(id, AUS, FRA, "checkpointed");
		ck_assert_int_eq(store_put_incoming(st, &e, i), STORE_NEW);
		if (i % 10 == 9) {
			ck_assert_int_eq(store_commit(st), 0);
			store_checkpoint_due(st);
		}
		if (stat(wal, &sb) == 0 && sb.st_size > maxwal)
			maxwal = sb.st_size;
	}
	/* 50 pages start a passive checkpoint; past 8 x 50 the writer
	 * restarts the WAL (a batch adds a few pages beyond). */
	ck_assert_msg(maxwal < 2 * 8 * 50 * 4120, "WAL grew to %lld bytes",
	    (long long)maxwal);
	store_checkpoint_stop(st);
	store_checkpoint_stop(st);	/* a no-op now */
	store_close(st);
	st = open_store();
	ck_assert_int_eq(store_count(st, STORE_INBOX, 0), 3000);
	store_close(st);
	/* The last close checkpointed and removed the WAL. */
	ck_assert_int_eq(stat(wal, &sb), -1);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite	*s = suite_create("store");
	TCase	*tc;

	tc = tcase_create("open");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_migrates);
	tcase_add_test(tc, test_open_tightens_mode);
	tcase_add_test(tc, test_open_bad_path);
	tcase_add_test(tc, test_journal_wal);
	tcase_add_test(tc, test_newer_schema_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("put");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_put_incoming_duplicate);
	tcase_add_test(tc, test_put_incoming_conflict);
	tcase_add_test(tc, test_put_outgoing);
	tcase_add_test(tc, test_put_outgoing_atomic);
	suite_add_tcase(s, tc);

	tc = tcase_create("outbox");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_outbox_load);
	tcase_add_test(tc, test_outbox_delivered);
	tcase_add_test(tc, test_outbox_rejected);
	tcase_add_test(tc, test_outbox_failed);
	tcase_add_test(tc, test_outbox_peers);
	suite_add_tcase(s, tc);

	tc = tcase_create("views");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_get_prefix);
	tcase_add_test(tc, test_thread_acks);
	suite_add_tcase(s, tc);

	tc = tcase_create("durability");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_batch_rollback);
	tcase_add_test(tc, test_lean_batch);
	tcase_add_test(tc, test_durability);
	tcase_add_test(tc, test_signer_once);
	tcase_add_test(tc, test_checkpoint_background);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(store_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
