/*
 * Unit tests for daemon/store_list.c: the inbox and outbox pages with
 * their filters and cursors, the cases table kept by each message, and
 * the query plans: a page must be read along an index in seq order,
 * never by scanning messages or sorting them in a temporary B-tree.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "daemon/store.h"
#include "daemon/store_int.h"
#include "daemon/store_list_int.h"

#include "daemon/store_msg.h"
#include "db_fixture.h"

#define US	"AUS"
#define NOW	1800000000000LL

static struct store	*st;
static int		 idn;

static void
setup(void)
{

	db_setup("test_store_list");
	st = db_store();
	idn = 0;
}

static void
teardown(void)
{
	store_close(st);
	db_teardown();
}

/* What one test message is. */
struct tmsg {
	int		 in;		/* received, else sent */
	const char	*party;
	int		 kind;		/* body_case */
	int		 urgency;
	int		 exercise;
	const char	*thread;	/* NULL: its own id */
	const char	*ref;		/* ack_of / request_id / NULL */
	int		 status;	/* a StatusUpdate's */
	int64_t		 at;		/* received_at or created_at */
};

/* Stores m with a fresh id (copied to id); asserts it is new. */
static void
put(const struct tmsg *m, char id[37])
{
	Poc__Envelope			e = POC__ENVELOPE__INIT;
	Poc__AssistanceRequest		req = POC__ASSISTANCE_REQUEST__INIT;
	Poc__Notification		note = POC__NOTIFICATION__INIT;
	Poc__Acknowledgement		ack = POC__ACKNOWLEDGEMENT__INIT;
	Poc__AssistanceResponse		resp = POC__ASSISTANCE_RESPONSE__INIT;
	Poc__StatusUpdate		upd = POC__STATUS_UPDATE__INIT;
	enum store_put			r;

	snprintf(id, 37, "%08x-0000-4000-8000-000000000000", ++idn);
	e.id = id;
	e.thread_id = (char *)(m->thread != NULL ? m->thread : id);
	e.sender = (char *)(m->in ? m->party : US);
	e.recipient = (char *)(m->in ? US : m->party);
	e.created_at = m->at;
	e.tlp = POC__TLP__AMBER;
	e.exercise = m->exercise;
	e.body_case = (Poc__Envelope__BodyCase)m->kind;
	switch (m->kind) {
	case POC__ENVELOPE__BODY_ASSISTANCE_REQUEST:
		req.summary = (char *)"s";
		req.urgency = (Poc__Urgency)m->urgency;
		e.assistance_request = &req;
		break;
	case POC__ENVELOPE__BODY_NOTIFICATION:
		note.summary = (char *)"s";
		note.urgency = (Poc__Urgency)m->urgency;
		e.notification = &note;
		break;
	case POC__ENVELOPE__BODY_ACKNOWLEDGEMENT:
		ack.ack_of = (char *)m->ref;
		e.acknowledgement = &ack;
		break;
	case POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE:
		resp.request_id = (char *)m->ref;
		resp.decision = POC__ASSISTANCE_RESPONSE__DECISION__WILL_ASSIST;
		e.assistance_response = &resp;
		break;
	case POC__ENVELOPE__BODY_STATUS_UPDATE:
		upd.status = (Poc__CaseStatus)m->status;
		e.status_update = &upd;
		break;
	default:
		ck_abort_msg("kind %d", m->kind);
	}
	r = m->in ? store_put_incoming(st, &e, m->at) :
	    store_put_outgoing(st, &e, m->at);
	ck_assert_int_eq(r, STORE_NEW);
}

static struct store_list_filter
filter(enum store_box box, int limit)
{
	struct store_list_filter	 f;
	int				 i;

	memset(&f, 0, sizeof(f));
	f.box = box;
	f.limit = limit;
	f.now = NOW;
	for (i = 0; i < 5; i++)
		f.period[i] = 3600000LL * (5 - i);	/* FLASH 1 h ... */
	return f;
}

/* The page of f as a string of the ids' first 8 characters' numbers
 * ("3,2,1"), for compact assertions. */
static const char *
page(const struct store_list_filter *f, char *buf, size_t len)
{
	Poc__StoredMessage	**m;
	size_t			  off = 0;
	int			  n, i;

	n = store_list_page(st, f, &m);
	ck_assert_int_ge(n, 0);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		off += (size_t)snprintf(buf + off, len - off, "%s%d",
		    i ? "," : "", (int)strtol(m[i]->envelope->id, NULL, 16));
		ck_assert_int_eq(m[i]->seq > 0, 1);
	}
	store_messages_free(m, n);
	return buf;
}

/* Each page along the cursors covers the box once, newest first; --after
 * walks back up. */
START_TEST(test_list_pages)
{
	struct store_list_filter	 f = filter(STORE_INBOX, 3);
	struct tmsg			 m = { 1, "FRA",
	    POC__ENVELOPE__BODY_NOTIFICATION, 2, 0, NULL, NULL, 0, NOW };
	Poc__StoredMessage		**p;
	char				 id[37], b[128];
	int				 i, n, seen = 0;
	int64_t				 last = 0, cursor;

	for (i = 0; i < 8; i++) {
		m.at = NOW + i;
		put(&m, id);
	}
	m.in = 0;
	put(&m, id);			/* 9 is outgoing: not in the inbox */
	ck_assert_str_eq(page(&f, b, sizeof(b)), "8,7,6");
	for (;;) {
		n = store_list_page(st, &f, &p);
		ck_assert_int_ge(n, 0);
		if (n == 0)
			break;
		for (i = 0; i < n; i++) {
			if (last)
				ck_assert_int_lt(p[i]->seq, last);
			last = p[i]->seq;
			seen++;
		}
		f.before = p[n - 1]->seq;
		store_messages_free(p, n);
	}
	ck_assert_int_eq(seen, 8);
	/* After the cursor of message 3: the three just newer, newest
	 * first. */
	f = filter(STORE_INBOX, 3);
	cursor = 3;
	f.after = cursor;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "6,5,4");
	f.before = 6;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "5,4");
	f = filter(STORE_OUTBOX, 0);
	ck_assert_str_eq(page(&f, b, sizeof(b)), "9");
}
END_TEST

/* Each filter keeps exactly its messages, in both boxes. */
START_TEST(test_list_filters)
{
	struct store_list_filter	 f;
	struct tmsg			 m;
	char				 id[37], r1[37], r2[37], b[128];

	/* 1: FRA's FLASH request, acknowledged by us (2) */
	m = (struct tmsg){ 1, "FRA", POC__ENVELOPE__BODY_ASSISTANCE_REQUEST,
	    4, 0, NULL, NULL, 0, NOW - 86400000 };
	put(&m, r1);
	m = (struct tmsg){ 0, "FRA", POC__ENVELOPE__BODY_ACKNOWLEDGEMENT, 0,
	    0, r1, r1, 0, NOW - 86000000 };
	put(&m, id);
	/* 3: NZL's exercise notification, ROUTINE, unacknowledged, old */
	m = (struct tmsg){ 1, "NZL", POC__ENVELOPE__BODY_NOTIFICATION, 1, 1,
	    NULL, NULL, 0, NOW - 86400000 };
	put(&m, id);
	/* 4: FRA's FLASH request, unacknowledged, 10 minutes old: within
	 * its hour */
	m = (struct tmsg){ 1, "FRA", POC__ENVELOPE__BODY_ASSISTANCE_REQUEST,
	    4, 0, NULL, NULL, 0, NOW - 600000 };
	put(&m, id);
	/* 5: our request to NZL; 6: NZL's ack of it, from NZL; 7: an
	 * "ack" of 5 from FRA, who was not asked: it does not count */
	m = (struct tmsg){ 0, "NZL", POC__ENVELOPE__BODY_ASSISTANCE_REQUEST,
	    2, 0, NULL, NULL, 0, NOW - 7200000 };
	put(&m, r2);
	m = (struct tmsg){ 1, "FRA", POC__ENVELOPE__BODY_ACKNOWLEDGEMENT, 0,
	    0, r2, r2, 0, NOW - 7100000 };
	put(&m, id);
	f = filter(STORE_OUTBOX, 0);
	f.unacked = 1;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "5");
	m = (struct tmsg){ 1, "NZL", POC__ENVELOPE__BODY_ACKNOWLEDGEMENT, 0,
	    0, r2, r2, 0, NOW - 7000000 };
	put(&m, id);
	ck_assert_str_eq(page(&f, b, sizeof(b)), "");
	/* 8: our exercise notification to FRA, never acknowledged */
	m = (struct tmsg){ 0, "FRA", POC__ENVELOPE__BODY_NOTIFICATION, 3, 1,
	    NULL, NULL, 0, NOW - 3600000 };
	put(&m, id);

	f = filter(STORE_INBOX, 0);
	ck_assert_str_eq(page(&f, b, sizeof(b)), "7,6,4,3,1");
	f.unacked = 1;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "4,3");
	f.unacked = 0;
	f.overdue = 1;		/* 3 is past ROUTINE's 4 h, 4 not FLASH's 1 h */
	ck_assert_str_eq(page(&f, b, sizeof(b)), "3");
	f = filter(STORE_INBOX, 0);
	f.party = "FRA";
	ck_assert_str_eq(page(&f, b, sizeof(b)), "6,4,1");
	f.kind = POC__ENVELOPE__BODY_ASSISTANCE_REQUEST;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "4,1");
	f = filter(STORE_INBOX, 0);
	f.exercise = STORE_EXERCISE_ONLY;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "3");
	f.exercise = STORE_EXERCISE_NONE;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "7,6,4,1");
	f = filter(STORE_INBOX, 0);
	f.since = NOW - 7100000;	/* received at or after */
	ck_assert_str_eq(page(&f, b, sizeof(b)), "7,6,4");
	f.since = NOW + 1;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "");
	f.since = 1;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "7,6,4,3,1");

	f = filter(STORE_OUTBOX, 0);
	ck_assert_str_eq(page(&f, b, sizeof(b)), "8,5,2");
	f.party = "NZL";
	ck_assert_str_eq(page(&f, b, sizeof(b)), "5");
	f = filter(STORE_OUTBOX, 0);
	f.unacked = 1;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "8");
	/* Outgoing overdue is by the deadline row deadline.c keeps. */
	f.overdue = 1;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "");
	ck_assert_int_eq(sqlite3_exec(st->db, "INSERT INTO deadlines (msg_id,"
	    " recipient, urgency, deadline_at) SELECT id, recipient, 3, "
	    "1800000000000 - 60000 FROM messages WHERE seq = 8", NULL, NULL,
	    NULL), SQLITE_OK);
	ck_assert_str_eq(page(&f, b, sizeof(b)), "8");
	f.exercise = STORE_EXERCISE_NONE;
	ck_assert_str_eq(page(&f, b, sizeof(b)), "");
}
END_TEST

/* The stamps of acknowledgements and responses reach the messages the
 * listings return. */
START_TEST(test_list_stamps)
{
	struct store_list_filter	  f = filter(STORE_OUTBOX, 0);
	struct tmsg			  m = { 0, "FRA",
	    POC__ENVELOPE__BODY_ASSISTANCE_REQUEST, 2, 0, NULL, NULL, 0, NOW };
	Poc__StoredMessage		**p;
	char				  r[37], id[37];
	int				  n;

	put(&m, r);
	m = (struct tmsg){ 1, "FRA", POC__ENVELOPE__BODY_ACKNOWLEDGEMENT, 0,
	    0, r, r, 0, NOW + 5 };
	put(&m, id);
	m = (struct tmsg){ 1, "FRA", POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE,
	    0, 0, r, r, 0, NOW + 9 };
	put(&m, id);
	n = store_list_page(st, &f, &p);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(p[0]->acked_at, NOW + 5);
	ck_assert_int_eq(p[0]->answered_at, NOW + 9);
	store_messages_free(p, n);
}
END_TEST

/* A case per thread opened by a request or notification: its counts,
 * last activity and status follow each message of the thread. */
START_TEST(test_cases)
{
	struct store_cases_filter	 f;
	struct store_case		*c;
	struct tmsg			 m;
	char				 a[37], b[37], id[37];
	int				 n;

	m = (struct tmsg){ 1, "FRA", POC__ENVELOPE__BODY_ASSISTANCE_REQUEST,
	    4, 0, NULL, NULL, 0, NOW };
	put(&m, a);
	m = (struct tmsg){ 0, "NZL", POC__ENVELOPE__BODY_NOTIFICATION, 1, 0,
	    NULL, NULL, 0, NOW + 10 };
	put(&m, b);
	m = (struct tmsg){ 0, "FRA", POC__ENVELOPE__BODY_ACKNOWLEDGEMENT, 0,
	    0, a, a, 0, NOW + 20 };
	put(&m, id);
	m = (struct tmsg){ 0, "FRA", POC__ENVELOPE__BODY_STATUS_UPDATE, 0, 0,
	    a, NULL, POC__CASE_STATUS__RESOLVED, NOW + 30 };
	put(&m, id);
	/* An acknowledgement alone opens no case. */
	m = (struct tmsg){ 1, "NZL", POC__ENVELOPE__BODY_ACKNOWLEDGEMENT, 0,
	    0, NULL, "x", 0, NOW + 40 };
	put(&m, id);

	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(n = store_cases(st, &f, &c), 2);
	ck_assert_str_eq(c[0].opening->envelope->id, a);
	ck_assert_int_eq(c[0].messages, 3);
	ck_assert_int_eq(c[0].last_at, NOW + 30);
	ck_assert_int_eq(c[0].status, POC__CASE_STATUS__RESOLVED);
	ck_assert_int_eq(c[0].opening->acked_at, NOW + 20);
	ck_assert_str_eq(c[1].opening->envelope->id, b);
	ck_assert_int_eq(c[1].messages, 1);
	ck_assert_int_eq(c[1].status, 0);
	f.before = c[0].last_seq;
	store_cases_free(c, n);
	ck_assert_int_eq(n = store_cases(st, &f, &c), 1);
	ck_assert_str_eq(c[0].opening->envelope->id, b);
	store_cases_free(c, n);
	memset(&f, 0, sizeof(f));
	f.open = 1;
	ck_assert_int_eq(n = store_cases(st, &f, &c), 1);
	ck_assert_str_eq(c[0].opening->envelope->id, b);
	store_cases_free(c, n);
	f.open = 0;
	f.party = "FRA";
	ck_assert_int_eq(n = store_cases(st, &f, &c), 1);
	ck_assert_str_eq(c[0].opening->envelope->id, a);
	store_cases_free(c, n);
	/* The inbox count is kept, not counted. */
	ck_assert_int_eq(store_count(st, STORE_INBOX, 0), 2);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 0), 3);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 1), 3);
}
END_TEST

/* Checks the plan of sql: every step over messages (m) or cases (c) is
 * a SEARCH or a SCAN along an index, and nothing is sorted. */
static void
plan_ok(const char *sql, const char *what)
{
	sqlite3_stmt	*s;
	char		 q[4096];
	const char	*d;
	int		 bad = 0;

	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	ck_assert_msg(sqlite3_prepare_v2(st->db, q, -1, &s, NULL) == SQLITE_OK,
	    "%s: %s", what, sqlite3_errmsg(st->db));
	while (sqlite3_step(s) == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(s, 3);
		if (strstr(d, "TEMP B-TREE") != NULL)
			bad = 1;
		if (strncmp(d, "SCAN ", 5) == 0 && strstr(d, "INDEX") == NULL &&
		    strcmp(d, "SCAN CONSTANT ROW") != 0)
			bad = 1;
		if (bad)
			break;
	}
	ck_assert_msg(!bad, "%s: plan step \"%s\" reads the whole table "
	    "or sorts it: %s", what, d, sql);
	sqlite3_finalize(s);
}

/* The plan checker catches what it must: a sort and a full scan. */
START_TEST(test_plan_checker)
{
	sqlite3_stmt	*s;
	int		 sorted = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(st->db, "EXPLAIN QUERY PLAN "
	    "SELECT seq FROM messages ORDER BY created_at LIMIT 5", -1, &s,
	    NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		sorted |= strstr((const char *)sqlite3_column_text(s, 3),
		    "TEMP B-TREE") != NULL;
	sqlite3_finalize(s);
	ck_assert_int_eq(sorted, 1);
}
END_TEST

/* Every filter, alone and with a cursor, in both boxes, pages along an
 * index. */
START_TEST(test_list_plans)
{
	struct store_list_filter	 f;
	struct store_cases_filter	 cf;
	char				 sql[4096], what[64];
	int				 box, k, cur;

	for (box = STORE_INBOX; box <= STORE_OUTBOX; box++)
		for (k = 0; k < 8; k++)
			for (cur = 0; cur < 3; cur++) {
				f = filter((enum store_box)box, 10);
				f.before = cur == 1 ? 100 : 0;
				f.after = cur == 2 ? 100 : 0;
				switch (k) {
				case 1: f.unacked = 1; break;
				case 2: f.overdue = 1; break;
				case 3: f.party = "FRA"; break;
				case 4: f.kind = 20; break;
				case 5: f.exercise = STORE_EXERCISE_ONLY; break;
				case 6: f.since = NOW; break;
				case 7: f.party = "FRA"; f.kind = 22;
					f.exercise = STORE_EXERCISE_NONE; break;
				}
				if (k == 1 || k == 2) {
					f.party = "FRA";	/* stays on */
					f.kind = 20;	/* the partial index */
				}
				ck_assert_int_eq(store_list_sql(&f, sql,
				    sizeof(sql)), 0);
				snprintf(what, sizeof(what), "box %d filter "
				    "%d cursor %d", box, k, cur);
				plan_ok(sql, what);
			}
	for (k = 0; k < 4; k++) {
		memset(&cf, 0, sizeof(cf));
		cf.before = k == 1 ? 100 : 0;
		cf.after = k == 2 ? 100 : 0;
		cf.party = k == 3 ? "FRA" : NULL;
		cf.open = k == 3;
		ck_assert_int_eq(store_cases_sql(&cf, sql, sizeof(sql)), 0);
		snprintf(what, sizeof(what), "cases %d", k);
		plan_ok(sql, what);
	}
	plan_ok("SELECT CASE WHEN 0 THEN 0 ELSE (SELECT n FROM message_counts"
	    " WHERE direction = 'in') END", "status count");
	plan_ok("SELECT id FROM check_campaigns ORDER BY created_at DESC,"
	    " rowid DESC LIMIT 10", "checks list");
}
END_TEST

/* Statements of the table that must find their rows by index in a large
 * store: a short id (a range of the id index, not a scan of messages);
 * the deadlines' acknowledgement check (messages_ref, not every incoming
 * acknowledgement through messages_kind). */
START_TEST(test_table_plans)
{
	static const enum stmt_id	 ids[] = { STMT_GET_PREFIX,
	    STMT_DEADLINE_NEXT, STMT_DEADLINE_DUE, STMT_DEADLINE_GET,
	    STMT_DEADLINE_OVERDUE, STMT_ACKS, STMT_LIST_PROBE };
	sqlite3_stmt			*s;
	char				 q[4096];
	const char			*d;
	size_t				 i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s",
		    store_stmts[ids[i]].sql);
		ck_assert_int_eq(sqlite3_prepare_v2(st->db, q, -1, &s, NULL),
		    SQLITE_OK);
		while (sqlite3_step(s) == SQLITE_ROW) {
			d = (const char *)sqlite3_column_text(s, 3);
			ck_assert_msg(strncmp(d, "SCAN m", 6) != 0 &&
			    strncmp(d, "SCAN a", 6) != 0 &&
			    strstr(d, "messages_kind") == NULL,
			    "%s: plan step \"%s\"", store_stmts[ids[i]].name,
			    d);
		}
		sqlite3_finalize(s);
	}
}
END_TEST

static Suite *
store_list_suite(void)
{
	Suite	*s = suite_create("store_list");
	TCase	*tc = tcase_create("list");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_list_pages);
	tcase_add_test(tc, test_list_filters);
	tcase_add_test(tc, test_list_stamps);
	tcase_add_test(tc, test_cases);
	tcase_add_test(tc, test_plan_checker);
	tcase_add_test(tc, test_list_plans);
	tcase_add_test(tc, test_table_plans);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(store_list_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
