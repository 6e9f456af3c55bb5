/*
 * Unit tests for daemon/store_events.c on a real database file: an event
 * and its alert are stored with the caller's transaction (gone with its
 * rollback, announced only after its commit), a dedupe name raises once,
 * an alert is due until it is done, waits for its retry time, and stays
 * through pruning while PENDING; seq is never reused.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "daemon/store.h"
#include "daemon/store_events.h"

#include "daemon/store_tx.h"
#include "db_fixture.h"

#define T0	1764040000000LL

static struct store	*st;
static int		 commits;
static uint64_t		 committed_seq;	/* as the last commit said */

static void
count_commit(uint64_t seq)
{
	commits++;
	committed_seq = seq;
}

static void
setup(void)
{

	db_setup("test_store_events");
	st = db_store();
	commits = 0;
	committed_seq = 0;
	store_events_on_commit(st, count_commit);
}

static void
teardown(void)
{
	store_close(st);
	db_teardown();
}

/* Stores an event of kind at `at` about message id; 1, 0 or -1. */
static int
put(Poc__NodeEvent__Kind kind, int64_t at, const char *id, int alert,
    const char *dedupe)
{
	Poc__NodeEvent	 ev = POC__NODE_EVENT__INIT;

	ev.kind = kind;
	ev.at = at;
	ev.message_id = (char *)id;
	ev.case_id = (char *)"case-1";
	ev.peer = (char *)"AUS";
	ev.urgency = POC__URGENCY__FLASH;
	ev.tlp = POC__TLP__AMBER;
	ev.exercise = 1;
	ev.summary = (char *)"Grid down";
	ev.detail = (char *)"try TECHNICAL";
	ev.due_at = at + 1000;
	ev.alert = alert;
	return store_events_put(st, &ev, dedupe);
}

START_TEST(test_put_read_back)
{
	struct store_event	*e;
	int			 n;

	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__ARRIVAL, T0, "m1", 1,
	    NULL), 1);
	ck_assert_int_eq(commits, 1);	/* its own transaction */
	ck_assert_uint_eq(committed_seq, 1);
	n = store_events_since(st, 0, 10, &e);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(e[0].ev->seq, 1);
	ck_assert_int_eq(e[0].ev->kind, POC__NODE_EVENT__KIND__ARRIVAL);
	ck_assert_str_eq(e[0].ev->message_id, "m1");
	ck_assert_str_eq(e[0].ev->case_id, "case-1");
	ck_assert_str_eq(e[0].ev->peer, "AUS");
	ck_assert_str_eq(e[0].ev->summary, "Grid down");
	ck_assert_str_eq(e[0].ev->detail, "try TECHNICAL");
	ck_assert_int_eq(e[0].ev->urgency, POC__URGENCY__FLASH);
	ck_assert_int_eq(e[0].ev->tlp, POC__TLP__AMBER);
	ck_assert(e[0].ev->exercise);
	ck_assert(e[0].ev->alert);
	ck_assert_int_eq(e[0].ev->at, T0);
	ck_assert_int_eq(e[0].ev->due_at, T0 + 1000);
	ck_assert_int_eq(e[0].attempts, 0);
	store_events_free(e, n);
	ck_assert_int_eq(store_events_since(st, 1, 10, &e), 0);
	store_events_free(e, 0);
	ck_assert_int_eq(store_events_last_seq(st), 1);
}
END_TEST

START_TEST(test_dedupe)
{
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__OVERDUE, T0, "m1", 1,
	    "overdue:m1"), 1);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__OVERDUE, T0 + 5, "m1", 1,
	    "overdue:m1"), 0);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__OVERDUE, T0, "m2", 1,
	    "overdue:m2"), 1);
	/* Without a name: every one is stored. */
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__DELIVERED, T0, "m1", 0,
	    NULL), 1);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__DELIVERED, T0, "m1", 0,
	    NULL), 1);
	ck_assert_int_eq(store_events_last_seq(st), 5);
	ck_assert_int_eq(store_events_alerts_pending(st), 2);
}
END_TEST

/* Rolled back with its batch: neither stored nor a commit announced. */
START_TEST(test_rollback)
{
	struct store_event	*e;
	int			 n;

	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__ARRIVAL, T0, "m1", 1,
	    NULL), 1);
	ck_assert_int_eq(commits, 0);	/* a savepoint in the batch */
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(commits, 0);
	ck_assert_int_eq(store_events_since(st, 0, 10, &e), 0);
	store_events_free(e, 0);
	ck_assert_int_eq(store_events_alerts_pending(st), 0);

	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__ARRIVAL, T0, "m2", 1,
	    NULL), 1);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__ACKNOWLEDGED, T0, "m3",
	    1, NULL), 1);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(commits, 1);
	n = store_events_since(st, 0, 10, &e);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(e[0].ev->message_id, "m2");
	ck_assert_str_eq(e[1].ev->message_id, "m3");
	ck_assert_uint_lt(e[0].ev->seq, e[1].ev->seq);
	/* The commit told the newest seq it holds: what may be announced
	 * once it is on disk. */
	ck_assert_uint_eq(committed_seq, e[1].ev->seq);
	store_events_free(e, n);

	/* A commit that raised no event tells nothing. */
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(commits, 1);
}
END_TEST

START_TEST(test_alert_life)
{
	struct store_event	*e;
	int			 n;

	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__ARRIVAL, T0, "m1", 1,
	    NULL), 1);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__DELIVERED, T0, "m2", 0,
	    NULL), 1);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__OVERDUE, T0, "m3", 1,
	    NULL), 1);
	n = store_events_alerts_due(st, T0, 10, &e);
	ck_assert_int_eq(n, 2);		/* not the DELIVERED one */
	ck_assert_str_eq(e[0].ev->message_id, "m1");
	ck_assert_str_eq(e[1].ev->message_id, "m3");
	store_events_free(e, n);

	/* m1 done; m3 failed once, again at T0 + 30 s. */
	ck_assert_int_eq(store_events_alert_set(st, 1, STORE_ALERT_DONE, 1,
	    T0, ""), 0);
	ck_assert_int_eq(store_events_alert_set(st, 3, STORE_ALERT_PENDING, 1,
	    T0 + 30000, "exit status 1"), 0);
	ck_assert_int_eq(store_events_alerts_pending(st), 1);
	ck_assert_int_eq(store_events_alerts_due(st, T0 + 29999, 10, &e), 0);
	store_events_free(e, 0);
	ck_assert_int_eq(store_events_alert_next(st), T0 + 30000);
	n = store_events_alerts_due(st, T0 + 30000, 10, &e);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(e[0].attempts, 1);
	store_events_free(e, n);

	/* A done alert is not brought back by a late outcome. */
	ck_assert_int_eq(store_events_alert_set(st, 1, STORE_ALERT_PENDING, 2,
	    T0, "late"), 0);
	ck_assert_int_eq(store_events_alerts_pending(st), 1);
	ck_assert_int_eq(store_events_alert_set(st, 3, STORE_ALERT_GIVEN_UP, 2,
	    T0, "timed out"), 0);
	ck_assert_int_eq(store_events_alerts_pending(st), 0);
	ck_assert_int_eq(store_events_alert_next(st), 0);
}
END_TEST

START_TEST(test_prune_keeps_pending_and_seq)
{
	struct store_event	*e;
	int			 n;

	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__ARRIVAL, T0, "old-alert",
	    1, NULL), 1);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__DELIVERED, T0, "old", 0,
	    NULL), 1);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__DELIVERED, T0 + 100000,
	    "new", 0, NULL), 1);
	ck_assert_int_eq(store_events_prune(st, T0 + 1), 1);
	n = store_events_since(st, 0, 10, &e);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(e[0].ev->message_id, "old-alert");
	ck_assert_str_eq(e[1].ev->message_id, "new");
	store_events_free(e, n);
	/* The newest goes too; its seq is not given again. */
	ck_assert_int_eq(store_events_prune(st, T0 + 200000), 1);
	ck_assert_int_eq(put(POC__NODE_EVENT__KIND__DELIVERED, T0, "next", 0,
	    NULL), 1);
	ck_assert_int_eq(store_events_last_seq(st), 4);
}
END_TEST

static Suite *
store_events_suite(void)
{
	Suite	*s = suite_create("store_events");
	TCase	*tc = tcase_create("events");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_put_read_back);
	tcase_add_test(tc, test_dedupe);
	tcase_add_test(tc, test_rollback);
	tcase_add_test(tc, test_alert_life);
	tcase_add_test(tc, test_prune_keeps_pending_and_seq);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(store_events_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
