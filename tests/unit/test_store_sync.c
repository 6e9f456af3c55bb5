/*
 * Unit tests for daemon/store_sync.c on a real database file: a deferred
 * batch's COMMIT takes a ticket that is not durable until the sync
 * thread reports it on the loop; the listeners hear each advance in
 * order; the connection is back to synchronous=FULL after the batch,
 * committed or rolled back; settle waits for every commit so far, drain
 * also tells the listeners; a hold keeps a ticket from the thread until
 * store_sync_now syncs it on the loop; without the thread everything
 * counts as durable on return.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <check.h>
#include <event2/event.h>

#include "daemon/store.h"
#include "daemon/store_int.h"	/* st->db: its synchronous level */
#include "daemon/store_sync.h"
#include "daemon/store_tx.h"
#include "db_fixture.h"

static struct store		*st;
static struct event_base	*base;
static uint64_t			 heard;		/* the listener's last n */
static int			 nheard;

static void
listener(uint64_t n)
{
	ck_assert_uint_gt(n, heard);	/* each advance once, in order */
	heard = n;
	nheard++;
}

static void
setup(void)
{
	char	 err[256];

	db_setup("test_store_sync");
	st = store_open(db_path, STORE_SYNC_FULL, err, sizeof(err));
	ck_assert_msg(st != NULL, "store_open: %s", err);
	ck_assert_ptr_nonnull(base = event_base_new());
	heard = 0;
	nheard = 0;
}

static void
teardown(void)
{
	store_close(st);
	event_base_free(base);
	db_teardown();
}

/* The synchronous level of the store's own connection: 2 is FULL, 1
 * NORMAL. */
static int
sync_level(void)
{
	sqlite3_stmt	*s;
	int		 v = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(st->db, "PRAGMA synchronous", -1,
	    &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Opens a deferred batch and writes in it (a row of the store's own
 * events table would need its subject file: a temp table does). */
static int
batch_write(void)
{
	if (store_begin_deferred(st) == -1)
		return -1;
	ck_assert_int_eq(sqlite3_exec(st->db, "CREATE TABLE IF NOT EXISTS "
	    "t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
	return 0;
}

/* Runs the loop until the listener heard ticket t (bounded). */
static void
loop_until(uint64_t t)
{
	struct timeval	 tv = { 0, 20000 };
	int		 i;

	for (i = 0; i < 250 && heard < t; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	ck_assert_uint_ge(heard, t);
}

START_TEST(test_ticket_after_sync)
{
	uint64_t	 t0, t;

	ck_assert_int_eq(store_sync_start(st, base), 0);
	store_sync_on_durable(st, listener);
	t0 = store_sync_ticket(st);
	ck_assert_uint_eq(store_sync_durable(st), t0);

	ck_assert_int_eq(batch_write(), 0);
	ck_assert_int_eq(store_commit(st), 0);
	t = store_sync_ticket(st);
	ck_assert_uint_eq(t, t0 + 1);
	/* Not durable until the thread says so, on the loop. */
	ck_assert_uint_lt(store_sync_durable(st), t);
	store_sync_request(st, t);
	loop_until(t);
	ck_assert_uint_eq(store_sync_durable(st), t);
	ck_assert_int_eq(nheard, 1);

	/* Two batches, one request for the second: both durable at once. */
	ck_assert_int_eq(batch_write(), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(batch_write(), 0);
	ck_assert_int_eq(store_commit(st), 0);
	t = store_sync_ticket(st);
	store_sync_request(st, t);
	loop_until(t);
	ck_assert_uint_eq(heard, t);
}
END_TEST

/* FULL again after a deferred batch, committed or rolled back: a plain
 * batch's commit is then durable on return (SQLite syncs inside it). */
START_TEST(test_full_again)
{
	ck_assert_int_eq(sync_level(), 2);
	ck_assert_int_eq(store_sync_start(st, base), 0);
	ck_assert_int_eq(store_begin_deferred(st), 0);
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(sync_level(), 2);
	ck_assert_int_eq(batch_write(), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(sync_level(), 2);
	/* Inside the deferred batch it is NORMAL. */
	ck_assert_int_eq(store_begin_deferred(st), 0);
	ck_assert_int_eq(sync_level(), 1);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(sync_level(), 2);
}
END_TEST

START_TEST(test_settle_and_drain)
{
	uint64_t	 t;

	ck_assert_int_eq(store_sync_start(st, base), 0);
	store_sync_on_durable(st, listener);
	ck_assert_int_eq(batch_write(), 0);
	ck_assert_int_eq(store_commit(st), 0);
	t = store_sync_ticket(st);
	store_sync_settle(st);		/* synced, not yet told */
	ck_assert_uint_lt(store_sync_durable(st), t);
	ck_assert_int_eq(nheard, 0);
	store_sync_drain(st);		/* told now */
	ck_assert_uint_eq(store_sync_durable(st), t);
	ck_assert_uint_eq(heard, t);
}
END_TEST

/* A hold keeps a ticket asked for from the thread (nothing is heard on
 * the loop meanwhile); store_sync_now syncs it on the caller's thread and
 * the listeners hear of it before it returns. */
START_TEST(test_hold_and_now)
{
	struct timeval	 tv = { 0, 100000 };
	uint64_t	 t;

	ck_assert_int_eq(store_sync_start(st, base), 0);
	store_sync_on_durable(st, listener);
	/* A first round: the thread is then asleep (a thread that is
	 * awake syncs whatever was asked, held or not). */
	ck_assert_int_eq(batch_write(), 0);
	ck_assert_int_eq(store_commit(st), 0);
	store_sync_request(st, store_sync_ticket(st));
	loop_until(store_sync_ticket(st));
	store_sync_hold(st);
	ck_assert_int_eq(batch_write(), 0);
	ck_assert_int_eq(store_commit(st), 0);
	t = store_sync_ticket(st);
	store_sync_request(st, t);	/* as a hook inside the COMMIT */
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	ck_assert_int_eq(nheard, 1);
	ck_assert_uint_lt(store_sync_durable(st), t);
	store_sync_now(st);
	ck_assert_uint_eq(store_sync_durable(st), t);
	ck_assert_uint_eq(heard, t);
	ck_assert_int_eq(nheard, 2);
	/* The hold is over: the thread syncs the next ticket asked for. */
	ck_assert_int_eq(batch_write(), 0);
	ck_assert_int_eq(store_commit(st), 0);
	store_sync_request(st, t + 1);
	loop_until(t + 1);
}
END_TEST

/* Without the thread: nothing to wait for. */
START_TEST(test_without_thread)
{
	ck_assert_int_eq(batch_write(), 0);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_uint_eq(store_sync_durable(st), store_sync_ticket(st));
	store_sync_settle(st);
	store_sync_drain(st);
	store_sync_hold(st);
	store_sync_now(st);
}
END_TEST

static Suite *
store_sync_suite(void)
{
	Suite	*s = suite_create("store_sync");
	TCase	*tc = tcase_create("sync");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ticket_after_sync);
	tcase_add_test(tc, test_full_again);
	tcase_add_test(tc, test_settle_and_drain);
	tcase_add_test(tc, test_hold_and_now);
	tcase_add_test(tc, test_without_thread);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(store_sync_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
