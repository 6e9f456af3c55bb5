/*
 * Unit tests for daemon/store_idle.c on a real database file: after the
 * configured quiet time the connection's page cache is empty again; a
 * transaction or a lone read (a directory pull) re-arms the timer, also
 * after a release; 0 arms nothing; shutdown leaves no timer behind.
 *
 * Nothing here depends on how fast the machine runs: the timer's
 * deadline is read from libevent and compared, the release is triggered
 * by activating the timer, and the one test that lets it fire on its own
 * waits for it without an upper bound on the delay (up to 10 s).
 */
#include <sys/time.h>

#include <stdint.h>
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

#define LONG_MS	600000		/* never reached by a test */

static void
setup(void)
{
	db_setup("test_store_idle");
	st = db_store();
	ck_assert_ptr_nonnull(base = event_base_new());
}

static void
teardown(void)
{
	store_idle_shutdown();
	store_close(st);
	event_base_free(base);
	db_teardown();
}

/* The idle timer, the only event of the test's base; found by
 * event_base_foreach_event. */
static int
find_timer(const struct event_base *b, const struct event *ev, void *arg)
{
	(void)b;
	*(const struct event **)arg = ev;
	return 1;
}

/* 1 with its deadline in *tv if the idle timer is armed, else 0. */
static int
armed(struct timeval *tv)
{
	const struct event	*ev = NULL;

	if (event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED) == 0)
		return 0;
	(void)event_base_foreach_event(base, find_timer, &ev);
	ck_assert_ptr_nonnull(ev);
	return event_pending(ev, EV_TIMEOUT, tv) != 0;
}

/* Fires the idle timer now, as if the quiet time had passed. */
static void
fire(void)
{
	const struct event	*ev = NULL;

	(void)event_base_foreach_event(base, find_timer, &ev);
	ck_assert_ptr_nonnull(ev);
	event_active((struct event *)(uintptr_t)ev, EV_TIMEOUT, 0);
	ck_assert_int_ge(event_base_loop(base, EVLOOP_NONBLOCK), 0);
}

/* Milliseconds from a to b. */
static long
ms_between(const struct timeval *a, const struct timeval *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000 +
	    (long)(b->tv_usec - a->tv_usec) / 1000;
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

/* Reads back up to 100 events, outside any transaction (as a directory
 * pull or an operator's listing reads). */
static void
read_events(void)
{
	struct store_event	*e = NULL;
	int			 n;

	ck_assert_int_ge(n = store_events_since(st, 0, 100, &e), 0);
	store_events_free(e, n);
}

/* Left alone with a short quiet time, the store gives its cache back. */
START_TEST(test_released_when_quiet)
{
	int	 i;

	ck_assert_int_eq(store_idle_init(st, base, 100), 0);
	put_events(200, T0);
	ck_assert_int_gt(cache_used(), 8 * RELEASED_MAX);
	for (i = 0; i < 100 && cache_used() > RELEASED_MAX; i++)
		run_for(100);
	ck_assert_int_le(cache_used(), RELEASED_MAX);
	ck_assert(!armed(NULL));	/* once, until the next use */
}
END_TEST

/* Not before the quiet time: with ten minutes, a loop that runs for a
 * while releases nothing. */
START_TEST(test_not_before)
{
	ck_assert_int_eq(store_idle_init(st, base, LONG_MS), 0);
	put_events(200, T0);
	run_for(300);
	ck_assert_int_gt(cache_used(), 8 * RELEASED_MAX);
	ck_assert(armed(NULL));
}
END_TEST

/* Each transaction puts the deadline off to the quiet time after it
 * (libevent gives the deadline on the wall clock: wide bounds). */
START_TEST(test_transaction_puts_it_off)
{
	struct timeval	 d1, d2, now;

	ck_assert_int_eq(store_idle_init(st, base, LONG_MS), 0);
	ck_assert_int_eq(gettimeofday(&now, NULL), 0);
	put_events(1, T0);
	ck_assert(armed(&d1));
	ck_assert_int_ge(ms_between(&now, &d1), LONG_MS - 5000);
	ck_assert_int_le(ms_between(&now, &d1), LONG_MS + 60000);
	usleep(50 * 1000);
	put_events(1, T0 + 1000);
	ck_assert(armed(&d2));
	ck_assert_int_ge(ms_between(&d1, &d2), 40);
}
END_TEST

/* A read outside any transaction puts the deadline off too, and after a
 * release arms the timer again: a registry node that only serves
 * directory pulls keeps its cache while they come, and gives it back
 * after them. */
START_TEST(test_read_arms_it)
{
	struct timeval	 d1, d2;

	ck_assert_int_eq(store_idle_init(st, base, LONG_MS), 0);
	put_events(200, T0);
	ck_assert(armed(&d1));
	usleep(50 * 1000);
	read_events();
	ck_assert(armed(&d2));
	ck_assert_int_ge(ms_between(&d1, &d2), 40);

	fire();
	ck_assert_int_le(cache_used(), RELEASED_MAX);
	ck_assert(!armed(NULL));
	read_events();				/* pages read again */
	ck_assert_int_gt(cache_used(), RELEASED_MAX);
	ck_assert(armed(NULL));
	fire();
	ck_assert_int_le(cache_used(), RELEASED_MAX);
}
END_TEST

/* 0: the cache stays; nothing is armed. */
START_TEST(test_zero_keeps_cache)
{
	ck_assert_int_eq(store_idle_init(st, base, 0), 0);
	put_events(200, T0);
	read_events();
	ck_assert(!armed(NULL));
	ck_assert_int_gt(cache_used(), 8 * RELEASED_MAX);
}
END_TEST

START_TEST(test_shutdown_twice)
{
	ck_assert_int_eq(store_idle_init(st, base, LONG_MS), 0);
	ck_assert(armed(NULL));
	store_idle_shutdown();
	store_idle_shutdown();
	/* A transaction after shutdown arms nothing. */
	put_events(1, T0);
	read_events();
	ck_assert(!armed(NULL));
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
	tcase_add_test(tc, test_not_before);
	tcase_add_test(tc, test_transaction_puts_it_off);
	tcase_add_test(tc, test_read_arms_it);
	tcase_add_test(tc, test_zero_keeps_cache);
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
