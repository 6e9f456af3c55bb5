/*
 * util: the milliseconds-to-timeval conversion the daemon's timers share.
 */
#include <check.h>
#include <stdlib.h>

#include "util.h"

START_TEST(test_ms_timeval)
{
	struct timeval	 tv;

	tv = util_ms_timeval(1500);
	ck_assert_int_eq(tv.tv_sec, 1);
	ck_assert_int_eq(tv.tv_usec, 500000);
	tv = util_ms_timeval(999);
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 999000);
	tv = util_ms_timeval(7200000);
	ck_assert_int_eq(tv.tv_sec, 7200);
	ck_assert_int_eq(tv.tv_usec, 0);
	tv = util_ms_timeval(0);
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 0);
}
END_TEST

/* A deadline already passed fires at once instead of never. */
START_TEST(test_ms_timeval_negative)
{
	struct timeval	 tv = util_ms_timeval(-1500);

	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 0);
}
END_TEST

static Suite *
util_suite(void)
{
	Suite	*s = suite_create("util");
	TCase	*tc = tcase_create("util");

	tcase_add_test(tc, test_ms_timeval);
	tcase_add_test(tc, test_ms_timeval_negative);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(util_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
