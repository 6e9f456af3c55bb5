/*
 * The outbox's retry schedule: capped doubling with equal jitter.  The
 * delivery machinery itself is exercised end to end by the integration
 * tests (offline delivery, restarts).
 */
#include <check.h>
#include <stdlib.h>

#include "outbox.h"

START_TEST(test_no_failure_no_wait)
{
	ck_assert_int_eq(outbox_backoff(0, 1, 300, 12345), 0);
}
END_TEST

/* With the jitter at both extremes, attempt n waits between half and all
 * of initial * 2^(n-1), capped at max. */
START_TEST(test_doubling_and_cap)
{
	unsigned	 n;
	int64_t		 base, lo, hi;

	for (n = 1; n <= 40; n++) {
		base = n > 20 ? 300000 : (int64_t)1000 << (n - 1);
		if (base > 300000)
			base = 300000;
		lo = outbox_backoff(n, 1, 300, 0);
		hi = outbox_backoff(n, 1, 300, (uint32_t)(base / 2));
		ck_assert_int_eq(lo, base / 2);
		ck_assert_int_eq(hi, base);
		ck_assert_int_le(outbox_backoff(n, 1, 300, UINT32_MAX), 300000);
	}
}
END_TEST

/* The cap holds for any random input, even with huge failure counts. */
START_TEST(test_cap_any_rnd)
{
	uint32_t	 r;
	int64_t		 d;

	for (r = 0; r < 100000; r += 7) {
		d = outbox_backoff(1000000, 2, 60, r * 2654435761u);
		ck_assert_int_ge(d, 30000);
		ck_assert_int_le(d, 60000);
	}
}
END_TEST

/* Pure: the same inputs give the same delay. */
START_TEST(test_deterministic)
{
	ck_assert_int_eq(outbox_backoff(5, 1, 300, 999),
	    outbox_backoff(5, 1, 300, 999));
	ck_assert_int_eq(outbox_backoff(3, 1, 300, 999), 2000 + 999);
}
END_TEST

/* Different random inputs spread reconnecting peers out. */
START_TEST(test_jitter_spreads)
{
	int64_t		 first = outbox_backoff(6, 1, 300, 0);
	int		 distinct = 0;
	uint32_t	 r;

	for (r = 1; r < 1000; r++)
		if (outbox_backoff(6, 1, 300, r * 7919u) != first)
			distinct++;
	ck_assert_int_gt(distinct, 900);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("outbox");
	TCase	*tc = tcase_create("backoff");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_no_failure_no_wait);
	tcase_add_test(tc, test_doubling_and_cap);
	tcase_add_test(tc, test_cap_any_rnd);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_jitter_spreads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
