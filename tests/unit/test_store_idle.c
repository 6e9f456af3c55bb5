/*
 * Unit tests for daemon/store_idle.c on a real database file: a second
 * after a transaction the connection's page cache is empty again, a
 * transaction within that second puts the release off, and shutdown
 * leaves no timer behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "daemon/store.h"
#include "daemon/store_events.h"
#include "daemon/store_idle.h"
#include "daemon/store_int.h"
#include "daemon/store_tx.h"
#include "db_fixture.h"

#define T0	1764040000000LL

/*
 * Page cache bytes left once released: the few pages SQLite holds between
 * statements (page 1, and the schema's pages since the migration that
 * rebuilt the cases table: 14,192 bytes here), against about 290 KiB
 * after the 200 events.
 */
#define RELEASED_MAX	(16 * 1024)

static struct store	*st;
static struct event_base *base;

static void
setup(void)
{
	db_setup("test_store_idle");
	st = db_store();
	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_int_eq(store_idle_init(st, base), 0);
}

static void
teardown(void)
{
	store_idle_shutdown();
	store_close(st);
	event_base_free(base);
	db_teardown();
}

/* Bytes of st's page cache now. */
static int
cache_used(void)
{
	int	 cur = 0, hi = 0;

	ck_assert_int_eq(sqlite3_db_status(st->db, SQLITE_DBSTATUS_CACHE_USED,
	    &cur, &hi, 0), SQLITE_OK);
	return cur;
}

/* Stores n events, each in its own transaction. */
static void
put_events(int n, int64_t at)
{
	Poc__NodeEvent	 ev = POC__NODE_EVENT__INIT;
	char		 id[32];
	int		 i;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "m%lld-%d", (long long)at, i);
		ev.kind = POC__NODE_EVENT__KIND__ARRIVAL;
		ev.at = at + i;
		ev.message_id = id;
		ev.summary = (char *)"a summary long enough to fill some pages";
		ck_assert_int_eq(store_events_put(st, &ev, NULL), 1);
	}
}

/* Runs the loop for ms milliseconds. */
static void
run_for(int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

START_TEST(test_released_when_quiet)
{
	put_events(200, T0);
	ck_assert_int_gt(cache_used(), 8 * RELEASED_MAX);
	run_for(300);
	ck_assert_int_gt(cache_used(), RELEASED_MAX);	/* not quiet long enough */
	run_for(1000);
	ck_assert_int_le(cache_used(), RELEASED_MAX);
}
END_TEST

START_TEST(test_transaction_puts_it_off)
{
	put_events(200, T0);
	run_for(600);
	put_events(1, T0 + 1000);		/* the quiet second starts again */
	run_for(500);		/* 1.1 s after the 200: released, unless put off */
	ck_assert_int_gt(cache_used(), RELEASED_MAX);
	run_for(1000);
	ck_assert_int_le(cache_used(), RELEASED_MAX);
}
END_TEST

START_TEST(test_shutdown_twice)
{
	store_idle_shutdown();
	store_idle_shutdown();
	/* A transaction after shutdown arms nothing. */
	put_events(1, T0);
	ck_assert_int_eq(event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("store_idle");
	TCase	*tc = tcase_create("idle");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_released_when_quiet);
	tcase_add_test(tc, test_transaction_puts_it_off);
	tcase_add_test(tc, test_shutdown_twice);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
