/*
 * Unit tests for daemon/gcommit.c on a real store at synchronous=FULL
 * with its sync thread (store_sync.h): every item hears GC_COMMITTED only
 * once its batch is on disk, in submission order.  When the pipeline is
 * idle, a lone batch (a few items, none syncing) is synced by the loop
 * and answered before gc_flush() returns; a larger batch, or one behind a
 * batch still syncing, is answered only once the loop has heard from the
 * sync thread.  A lone batch that does not commit is answered GC_FAILED
 * and leaves the thread as it was.
 */
#include <stdint.h>
#include <stdlib.h>

#include <check.h>
#include <event2/event.h>

#include "daemon/gcommit.h"
#include "daemon/store.h"
#include "daemon/store_int.h"	/* st->db: the items' own rows */
#include "daemon/store_sync.h"
#include "db_fixture.h"

#define NITEMS	16

struct t_item {
	struct gc_item	 gc;		/* first */
	int		 n;		/* its submission number */
	int		 fail;		/* its write rolls the batch back */
};

static struct store		*st;
static struct event_base	*base;
static struct t_item		 items[NITEMS];
static int			 ndone;		/* items answered, in order */
static int			 nfailed;

static void
t_write(struct gc_item *gi)
{
	struct t_item	*it = (struct t_item *)gi;

	ck_assert_int_eq(sqlite3_exec(st->db, it->fail ? "ROLLBACK" :
	    "CREATE TABLE IF NOT EXISTS t(x); INSERT INTO t VALUES (1)",
	    NULL, NULL, NULL), SQLITE_OK);
}

/* Answered in submission order; committed only once durable. */
static void
t_done(struct gc_item *gi, enum gc_end how)
{
	struct t_item	*it = (struct t_item *)gi;

	if (how == GC_FAILED) {
		nfailed++;
		return;
	}
	ck_assert_int_eq(how, GC_COMMITTED);
	ck_assert_int_eq(it->n, ndone);
	ck_assert_uint_ge(store_sync_durable(st), it->gc.ticket);
	ndone++;
}

static const struct gc_ops t_ops = { NULL, t_write, t_done };

static void
setup(void)
{
	static const struct gc_bounds	 b = { 100, 1 << 20, 0 };
	char				 err[256];

	db_setup("test_gcommit");
	st = store_open(db_path, STORE_SYNC_FULL, err, sizeof(err));
	ck_assert_msg(st != NULL, "store_open: %s", err);
	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_int_eq(store_sync_start(st, base), 0);
	ck_assert_int_eq(gc_init(base, st, &b), 0);
	ndone = nfailed = 0;
}

static void
teardown(void)
{
	gc_shutdown();
	store_close(st);
	event_base_free(base);
	db_teardown();
}

/* Submits items from..to-1 (numbered in submission order). */
static void
submit(int from, int to)
{
	int	 i;

	for (i = from; i < to; i++) {
		items[i].n = i;
		gc_submit(&items[i].gc, &t_ops, 100);
	}
}

/* Runs the loop until want items are answered (bounded). */
static void
loop_until(int want)
{
	struct timeval	 tv = { 0, 20000 };
	int		 i;

	for (i = 0; i < 250 && ndone < want; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	ck_assert_int_eq(ndone, want);
}

/* One item, nothing syncing: synced on the loop, answered at once. */
START_TEST(test_lone_answered_in_flush)
{
	submit(0, 1);
	gc_flush();
	ck_assert_int_eq(ndone, 1);
	ck_assert_uint_eq(store_sync_durable(st), store_sync_ticket(st));
	submit(1, 2);
	gc_flush();
	ck_assert_int_eq(ndone, 2);
}
END_TEST

/* A larger batch goes to the thread: not answered before the loop has
 * heard that it is durable. */
START_TEST(test_batch_waits_for_the_thread)
{
	submit(0, NITEMS);
	gc_flush();
	ck_assert_int_eq(ndone, 0);
	loop_until(NITEMS);
	ck_assert_uint_eq(store_sync_durable(st), store_sync_ticket(st));
}
END_TEST

/* A lone batch behind one still syncing is not synced on the loop: it
 * waits its turn, and both are answered in order. */
START_TEST(test_lone_behind_a_syncing_batch)
{
	submit(0, NITEMS - 1);
	gc_flush();
	submit(NITEMS - 1, NITEMS);
	gc_flush();
	ck_assert_int_eq(ndone, 0);
	loop_until(NITEMS);
}
END_TEST

/* A lone batch that does not commit: GC_FAILED, and the next batches,
 * lone or not, are answered as usual. */
START_TEST(test_lone_failed)
{
	items[0].fail = 1;
	submit(0, 1);
	gc_flush();
	ck_assert_int_eq(nfailed, 1);
	ck_assert_int_eq(ndone, 0);
	items[0].fail = 0;
	ndone = 1;			/* item 0 will not be answered again */
	submit(1, NITEMS);
	gc_flush();
	loop_until(NITEMS);
	submit(0, 1);
	ndone = 0;
	gc_flush();
	ck_assert_int_eq(ndone, 1);
}
END_TEST

static Suite *
gcommit_suite(void)
{
	Suite	*s = suite_create("gcommit");
	TCase	*tc = tcase_create("gcommit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lone_answered_in_flush);
	tcase_add_test(tc, test_batch_waits_for_the_thread);
	tcase_add_test(tc, test_lone_behind_a_syncing_batch);
	tcase_add_test(tc, test_lone_failed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(gcommit_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
