/*
 * Clock skew (daemon/clock.c): the table grows with the members that say
 * Hello and, once full, says so in the log (at most once an hour) instead
 * of dropping a member silently; the node's own clock is the suspect one
 * only when two or more peers, and most, find it off the same way; a
 * peer's time is translated to ours only beyond the tolerance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "daemon/clock.h"
#include "daemon/node.h"
#include "util.h"

#define HOUR	(3600LL * 1000)

/* The log (stderr) of the running test, in a temporary file. */
static FILE	*log_fp;

/* Sends the log to a temporary file and starts with an empty table. */
static void
log_capture(void)
{
	char	 path[] = "/tmp/test_clock.XXXXXX";
	int	 fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_ge(dup2(fd, 2), 0);
	log_fp = fdopen(fd, "r");
	ck_assert_ptr_nonnull(log_fp);
	env->conf.clock_tolerance = 300;
	clock_shutdown();
}

/* How many lines of the log contain what. */
static int
log_count(const char *what)
{
	char	 line[2048];
	int	 n = 0;

	fflush(stderr);
	rewind(log_fp);
	while (fgets(line, sizeof(line), log_fp) != NULL)
		if (strstr(line, what) != NULL)
			n++;
	return n;
}

START_TEST(test_grows_then_logs_full)
{
	struct clock_skew	*k;
	char			 code[16];
	int64_t			 skew;
	int			 i;

	log_capture();
	for (i = 0; i < 4096 + 3; i++) {
		snprintf(code, sizeof(code), "M%04d", i);
		clock_peer_seen(code, util_now_ms());
	}
	ck_assert_uint_eq(clock_count(), 4096);
	ck_assert_uint_eq(clock_not_kept(), 3);
	ck_assert_int_eq(log_count("are kept already (at most 4096); M4096's "
	    "is not (1 not kept so far)"), 1);
	ck_assert_int_eq(log_count("are kept already"), 1);	/* once */
	/* The 257th (once the old fixed size) is kept, and all are listed. */
	ck_assert_int_eq(clock_skew_of("M0256", &skew), 1);
	ck_assert_int_eq(clock_skew_of("M4096", &skew), 0);
	k = calloc(4096, sizeof(*k));
	ck_assert_uint_eq(clock_skews(k, 4096), 4096);
	ck_assert_str_eq(k[4095].member, "M4095");
	free(k);
	/* A member already kept is updated. */
	clock_peer_seen("M0001", util_now_ms() + 2 * HOUR);
	ck_assert_int_eq(clock_skew_of("M0001", &skew), 1);
	ck_assert(skew > 2 * HOUR - 60000 && skew <= 2 * HOUR);
	clock_shutdown();
}
END_TEST

START_TEST(test_own_clock)
{
	struct clock_own	 o;
	int64_t			 now = util_now_ms();

	log_capture();
	/* One peer off: either clock may be wrong. */
	clock_peer_seen("AUS", now - 2 * HOUR);
	ck_assert_int_eq(clock_own(&o), 0);
	ck_assert_uint_eq(o.peers, 1);
	/* Two of two behind us: ours is ahead, by the median. */
	clock_peer_seen("KEN", now - 2 * HOUR - 10000);
	ck_assert_int_eq(clock_own(&o), 1);
	ck_assert_uint_eq(o.votes, 2);
	ck_assert(o.offset_ms > 2 * HOUR - 60000 && o.offset_ms < 2 * HOUR +
	    60000);
	ck_assert_int_eq(log_count("this node's clock is about 2h 0m"), 1);
	/* Two of four: no majority. */
	clock_peer_seen("NZL", now);
	clock_peer_seen("JPN", now + 1000);
	ck_assert_int_eq(clock_own(&o), 0);
	ck_assert_uint_eq(o.peers, 4);
	ck_assert_int_eq(log_count("agrees with most of its peers' again"), 1);
	/* Three of five, ahead of us this time: ours is behind. */
	clock_peer_seen("CHL", now + 3 * HOUR);
	clock_peer_seen("AUS", now + 3 * HOUR);
	clock_peer_seen("KEN", now + 3 * HOUR);
	ck_assert_int_eq(clock_own(&o), 1);
	ck_assert(o.offset_ms < -3 * HOUR + 60000);
	ck_assert_uint_eq(o.votes, 3);
	clock_shutdown();
}
END_TEST

START_TEST(test_from_peer)
{
	int64_t	 now = util_now_ms(), t = now + HOUR;

	log_capture();
	ck_assert(clock_from_peer("AUS", t) == t);		/* unknown */
	clock_peer_seen("AUS", now + 60000);			/* within */
	ck_assert(clock_from_peer("AUS", t) == t);
	clock_peer_seen("AUS", now - 2 * HOUR);			/* behind */
	ck_assert(llabs(clock_from_peer("AUS", t) - (t + 2 * HOUR)) <
	    60000);
	ck_assert(clock_from_peer("AUS", 0) == 0);
	clock_shutdown();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("clock");
	TCase	*tc = tcase_create("clock");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_grows_then_logs_full);
	tcase_add_test(tc, test_own_clock);
	tcase_add_test(tc, test_from_peer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
