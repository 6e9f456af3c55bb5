/*
 * util: the milliseconds-to-timeval conversion the daemon's timers share,
 * and the ids a node makes.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

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

/* New ids are UUIDs (version 8, RFC 9562 variant) that the validation
 * accepts; those one thread makes sort in the order it made them (the
 * store's B-trees take them at one place), and a burst of them (a send
 * to every member) still differs in the 8 characters of a short id. */
#define UUID_BURST	2000
START_TEST(test_uuid_new)
{
	static char	 id[UUID_BURST][UUID_STR_LEN];
	int		 i, j;

	for (i = 0; i < UUID_BURST; i++) {
		ck_assert_int_eq(util_uuid_new(id[i]), 0);
		ck_assert(util_uuid_valid(id[i]));
		ck_assert_int_eq(id[i][14], '8');
		ck_assert(strchr("89ab", id[i][19]) != NULL);
	}
	for (i = 1; i < UUID_BURST; i++) {
		/* across the wrap of the 17.5-minute cycle, once */
		if (strcmp(id[i - 1], id[i]) >= 0)
			ck_assert(id[i - 1][0] == 'f' && id[i][0] == '0');
		for (j = i - 1; j >= 0 && i - j < 256; j--)
			ck_assert(strncmp(id[i], id[j], 8) != 0);
	}
}
END_TEST

static Suite *
util_suite(void)
{
	Suite	*s = suite_create("util");
	TCase	*tc = tcase_create("util");

	tcase_add_test(tc, test_ms_timeval);
	tcase_add_test(tc, test_ms_timeval_negative);
	tcase_add_test(tc, test_uuid_new);
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
