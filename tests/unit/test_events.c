/*
 * Unit tests for what leaves the node after a deferred batch's COMMIT
 * (docs/guarantees.md, "Group commit off the loop"), on a real store at
 * synchronous=FULL with its sync thread:
 *
 * - events are announced (subscribers, so the [alert] command and
 *   pocctl watch) only once the sync of the batch that raised them has
 *   returned (events.c), also when more than EVENTS_WAIT_MAX commits
 *   wait for it, and none is lost;
 * - alert.c starts no alert whose event is not on disk yet, whatever
 *   wakes it (here: SIGCHLD, as another command's exit does);
 * - store_sync_settle(), which every operator request calls first
 *   (control.c), returns only after that sync;
 * - a commit at synchronous=FULL counts as synced (store_sync_inline):
 *   its events go out without the thread syncing again.
 *
 * The sync thread is held by this program's own fdatasync(), which the
 * daemon's objects link to instead of libc's: while `hold` is set, a call
 * from any thread but the test's waits, then really syncs.  So whether
 * something went out early does not depend on timing: while held, the
 * batch cannot be on disk.
 */
#include <sys/syscall.h>

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "daemon/alert.h"
#include "daemon/events.h"
#include "daemon/node.h"
#include "daemon/store.h"
#include "daemon/store_sync.h"
#include "daemon/store_tx.h"
#include "db_fixture.h"

#define MANY		(EVENTS_WAIT_MAX + 8)	/* commits waiting at once */
#define BOUND_MS	10000	/* longest a test waits for the loop */

static pthread_t	 test_thread;
static pthread_mutex_t	 hold_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 hold_cv = PTHREAD_COND_INITIALIZER;
static int		 hold;		/* the sync thread waits while set */
static int		 holding;	/* it is waiting now */
static int		 syncs_begun;	/* by threads other than the test's */
static int		 syncs_done;	/* ... that returned */

/*
 * fdatasync() for every object of this program (store_sync.c's thread;
 * SQLite's own calls from the test's thread pass straight through).
 */
int
fdatasync(int fd)
{
	int	 rc;

	if (pthread_equal(pthread_self(), test_thread))
		return (int)syscall(SYS_fdatasync, fd);
	pthread_mutex_lock(&hold_mu);
	syncs_begun++;
	while (hold) {
		holding = 1;
		pthread_cond_broadcast(&hold_cv);
		pthread_cond_wait(&hold_cv, &hold_mu);
	}
	holding = 0;
	pthread_mutex_unlock(&hold_mu);
	rc = (int)syscall(SYS_fdatasync, fd);
	pthread_mutex_lock(&hold_mu);
	syncs_done++;
	pthread_mutex_unlock(&hold_mu);
	return rc;
}

static int
counter(const int *c)
{
	int	 v;

	pthread_mutex_lock(&hold_mu);
	v = *c;
	pthread_mutex_unlock(&hold_mu);
	return v;
}

static void
set_hold(int on)
{
	pthread_mutex_lock(&hold_mu);
	hold = on;
	pthread_cond_broadcast(&hold_cv);
	pthread_mutex_unlock(&hold_mu);
}

/* What the subscriber heard: seqs in order, and the syncs done then. */
static uint64_t		 heard_seq[MANY + 8];
static int		 heard_syncs[MANY + 8];
static int		 nheard;

static void
heard(const Poc__NodeEvent *ev)
{
	ck_assert_int_lt(nheard, MANY + 8);
	heard_seq[nheard] = ev->seq;
	heard_syncs[nheard] = counter(&syncs_done);
	nheard++;
}

/* Whether the subscriber wants every event, or says events alert. */
static int		 want_all, want_alert;

static int
wants_all(void)
{
	return want_all;
}

static int
wants_alert(const Poc__NodeEvent *ev)
{
	(void)ev;
	return want_alert;
}

static const struct events_sub sub = {
	.wants_alert = wants_alert,
	.event = heard,
	.wants_all = wants_all,
};

static void
setup(void)
{
	char	 err[256];

	test_thread = pthread_self();
	hold = holding = syncs_begun = syncs_done = 0;
	nheard = 0;
	want_all = 1;
	want_alert = 0;
	db_setup("test_events");
	env->store = store_open(db_path, STORE_SYNC_FULL, err, sizeof(err));
	ck_assert_msg(env->store != NULL, "store_open: %s", err);
	ck_assert_ptr_nonnull(env->base = event_base_new());
	env->conf.alert_keep_days = 30;
	ck_assert_int_eq(store_sync_start(env->store, env->base), 0);
	ck_assert_int_eq(events_init(env->base), 0);
	events_subscribe(&sub);
}

static void
teardown(void)
{
	set_hold(0);
	alert_shutdown();
	events_shutdown();
	store_close(env->store);
	event_base_free(env->base);
	db_teardown();
}

/* Runs the loop for ms milliseconds. */
static void
run_for(int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(env->base, &tv);
	event_base_dispatch(env->base);
}

/* Runs the loop until the subscriber heard n events (bounded). */
static void
run_until_heard(int n)
{
	int	 i;

	for (i = 0; i < BOUND_MS / 20 && nheard < n; i++)
		run_for(20);
	ck_assert_int_eq(nheard, n);
}

/* Waits until the sync thread sits in the hold (bounded). */
static void
wait_holding(void)
{
	struct timespec	 ts;
	int		 rc = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += BOUND_MS / 1000;
	pthread_mutex_lock(&hold_mu);
	while (!holding && rc == 0)
		rc = pthread_cond_timedwait(&hold_cv, &hold_mu, &ts);
	pthread_mutex_unlock(&hold_mu);
	ck_assert_msg(rc == 0, "the sync thread never synced");
}

/* An event that always alerts (if a command is set). */
static void
raise_one(int i)
{
	Poc__NodeEvent	 ev = POC__NODE_EVENT__INIT;
	char		 id[32];

	snprintf(id, sizeof(id), "m-%d", i);
	ev.kind = POC__NODE_EVENT__KIND__OVERDUE;
	ev.message_id = id;
	ev.peer = (char *)"FRA";
	ev.summary = (char *)"overdue";
	ck_assert_int_eq(events_raise(&ev, NULL), 1);
}

/* One group-commit batch (COMMIT without its sync) raising an event. */
static void
deferred_batch(int i)
{
	ck_assert_int_eq(store_begin_deferred(env->store), 0);
	raise_one(i);
	ck_assert_int_eq(store_commit(env->store), 0);
}

/* Events of a deferred batch wait for its sync; then they go out. */
START_TEST(test_events_after_sync)
{
	set_hold(1);
	deferred_batch(0);
	wait_holding();
	run_for(300);
	ck_assert_int_eq(nheard, 0);
	ck_assert_uint_eq(events_last_durable(), 0);
	set_hold(0);
	run_until_heard(1);
	ck_assert_int_ge(heard_syncs[0], 1);
	ck_assert_uint_eq(events_last_durable(), heard_seq[0]);
}
END_TEST

/* Nobody wants every event and none alerts: announced unread (the next
 * reader starts after them); an alert among them is read and told. */
START_TEST(test_events_unread_unless_wanted)
{
	uint64_t	 first;

	want_all = 0;
	deferred_batch(0);
	run_for(300);
	ck_assert_int_eq(nheard, 0);
	first = events_last_durable();
	ck_assert_uint_gt(first, 0);
	ck_assert_uint_eq(events_last_announced(), first);
	want_alert = 1;
	raise_one(1);		/* alone: committed inside events_raise */
	run_until_heard(1);
	ck_assert_uint_gt(heard_seq[0], first);
	want_alert = 0;
	want_all = 1;
	deferred_batch(2);
	run_until_heard(2);
	ck_assert_uint_gt(heard_seq[1], heard_seq[0]);
}
END_TEST

/* More commits waiting than events.c has places for (EVENTS_WAIT_MAX):
 * the newest share the last place, so they go out later, never earlier,
 * and none is lost; in seq order. */
START_TEST(test_events_wait_overflow)
{
	int	 i;

	set_hold(1);
	for (i = 0; i < MANY; i++)
		deferred_batch(i);
	wait_holding();
	run_for(300);
	ck_assert_int_eq(nheard, 0);
	ck_assert_uint_eq(events_last_durable(), 0);
	set_hold(0);
	run_until_heard(MANY);
	for (i = 0; i < MANY; i++) {
		ck_assert_uint_eq(heard_seq[i], (uint64_t)i + 1);
		ck_assert_int_ge(heard_syncs[i], 1);
	}
	/* Each of the last ones went out only after a sync that began
	 * after its COMMIT: every COMMIT was before the first release. */
	ck_assert_uint_eq(store_sync_durable(env->store),
	    store_sync_ticket(env->store));
}
END_TEST

/* Whatever wakes alert.c (SIGCHLD here: another command's exit), it
 * starts no alert of an event not yet on disk. */
START_TEST(test_alert_after_sync)
{
	Poc__OpStatusReply	 st = POC__OP_STATUS_REPLY__INIT;
	int			 i;

	snprintf(env->conf.alert_command, sizeof(env->conf.alert_command),
	    "/bin/true");
	env->conf.alert_max_running = 4;
	env->conf.alert_attempts = 3;
	env->conf.alert_retry = 30;
	env->conf.alert_timeout = 30;
	ck_assert_int_eq(alert_init(), 0);

	set_hold(1);
	deferred_batch(0);
	wait_holding();
	ck_assert_int_eq(raise(SIGCHLD), 0);
	run_for(300);
	alert_status_fill(&st);
	ck_assert_uint_eq(st.alerts_pending, 1);
	ck_assert_uint_eq(st.alerts_running + st.alerts_run, 0);

	set_hold(0);
	run_until_heard(1);
	for (i = 0; i < BOUND_MS / 20; i++) {
		alert_status_fill(&st);
		if (st.alerts_run > 0)
			break;
		run_for(20);
	}
	ck_assert_uint_eq(st.alerts_run, 1);
	ck_assert_uint_eq(st.alerts_pending, 0);
}
END_TEST

/* Releases the hold after 2 s, or as soon as the test's thread says it
 * is past store_sync_settle (which it must not be before). */
static int	 settled;

static void *
release_later(void *arg)
{
	int	 i;

	(void)arg;
	for (i = 0; i < 200 && !__atomic_load_n(&settled, __ATOMIC_SEQ_CST);
	    i++)
		usleep(10 * 1000);
	set_hold(0);
	return NULL;
}

/* An operator's answer reads the store only after store_sync_settle():
 * it returns after the sync of the batch still in flight. */
START_TEST(test_settle_waits_for_sync)
{
	pthread_t	 t;
	int		 done_at_return;

	set_hold(1);
	deferred_batch(0);
	wait_holding();
	settled = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, release_later, NULL), 0);
	store_sync_settle(env->store);
	done_at_return = counter(&syncs_done);
	__atomic_store_n(&settled, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	ck_assert_int_ge(done_at_return, 1);
	/* Told on the loop's next turn. */
	run_until_heard(1);
}
END_TEST

/* A commit at synchronous=FULL synced inside SQLite: its events go out
 * without any fdatasync by the thread, and asking for its ticket asks
 * for none either. */
START_TEST(test_full_commit_counts_as_synced)
{
	uint64_t	 t;

	ck_assert_int_eq(store_begin(env->store), 0);
	raise_one(0);
	ck_assert_int_eq(store_commit(env->store), 0);
	t = store_sync_ticket(env->store);
	run_until_heard(1);
	ck_assert_uint_ge(store_sync_durable(env->store), t);
	store_sync_request(env->store, t);
	run_for(100);
	ck_assert_int_eq(counter(&syncs_begun), 0);
}
END_TEST

static Suite *
events_suite(void)
{
	Suite	*s = suite_create("events");
	TCase	*tc = tcase_create("sync");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_events_after_sync);
	tcase_add_test(tc, test_events_wait_overflow);
	tcase_add_test(tc, test_events_unread_unless_wanted);
	tcase_add_test(tc, test_alert_after_sync);
	tcase_add_test(tc, test_settle_waits_for_sync);
	tcase_add_test(tc, test_full_commit_counts_as_synced);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(events_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
