/*
 * Unit tests for common/timefmt.c: RFC 3339 with Z, offsets and fractions,
 * dates, relative times, Unix ms; round trips through timefmt_rfc3339
 * across leap days and centuries; and bad input refused with a reason.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

#define NOW	INT64_C(1796436600000)	/* 2026-12-05T02:10:00Z */

/* Parses s (from NOW) and asserts the result is want. */
static void
assert_parse(const char *s, int64_t want)
{
	char	 err[256];
	int64_t	 got = -1;

	ck_assert_msg(timefmt_parse(s, NOW, &got, err, sizeof(err)) == 0,
	    "%s: %s", s, err);
	ck_assert_msg(got == want, "%s: got %lld, want %lld", s,
	    (long long)got, (long long)want);
}

/* Asserts that s is refused with a reason that contains want. */
static void
assert_bad(const char *s, const char *want)
{
	char	 err[256] = "";
	int64_t	 got = 12345;

	ck_assert_msg(timefmt_parse(s, NOW, &got, err, sizeof(err)) == -1,
	    "accepted: %s", s);
	ck_assert_msg(strstr(err, want) != NULL, "%s: \"%s\" lacks \"%s\"", s,
	    err, want);
	ck_assert_int_eq(got, 12345);	/* untouched */
}

START_TEST(test_rfc3339_forms)
{
	assert_parse("2026-12-05T02:10:00Z", NOW);
	assert_parse("2026-12-05t02:10:00z", NOW);
	assert_parse("2026-12-05 02:10:00Z", NOW);
	assert_parse("2026-12-05T02:10Z", NOW);
	assert_parse("2026-12-05T03:10:00+01:00", NOW);
	assert_parse("2026-12-04T21:40:00-04:30", NOW);
	assert_parse("2026-12-05T02:10:00.250Z", NOW + 250);
	assert_parse("2026-12-05T02:10:00.5Z", NOW + 500);
	assert_parse("2026-12-05T02:10:00.123456789Z", NOW + 123);
	assert_parse("2026-12-05", NOW - (2 * 3600 + 10 * 60) * 1000);
	assert_parse("1970-01-01T00:00:00Z", 0);
	assert_parse("1970-01-01T00:59:59+01:00", -1000);
	/* A leap second is the last millisecond of its minute. */
	assert_parse("2016-12-31T23:59:60Z", INT64_C(1483228799999));
}
END_TEST

START_TEST(test_relative_and_ms)
{
	assert_parse("now", NOW);
	assert_parse("+4h", NOW + 4 * 3600000);
	assert_parse("+2d", NOW + 2 * 86400000LL);
	assert_parse("+30m", NOW + 30 * 60000);
	assert_parse("-90s", NOW - 90000);
	assert_parse("1796436600000", NOW);
	assert_parse("0", 0);
}
END_TEST

START_TEST(test_leap_years)
{
	int64_t	 t;
	char	 err[128];

	assert_parse("2024-02-29T00:00:00Z", INT64_C(1709164800000));
	assert_parse("2000-02-29T12:00:00Z", INT64_C(951825600000));
	assert_bad("2026-02-29T00:00:00Z", "day 29 does not exist in 2026-02");
	assert_bad("2100-02-29", "day 29");	/* not a leap year: by 100 */
	ck_assert_int_eq(timefmt_leap(2000), 1);
	ck_assert_int_eq(timefmt_leap(2100), 0);
	ck_assert_int_eq(timefmt_leap(2028), 1);
	/* The day after 28 February of a leap year is the 29th. */
	ck_assert_int_eq(timefmt_parse("2028-03-01", 0, &t, err, sizeof(err)),
	    0);
	ck_assert_int_eq(t - 86400000, timefmt_days(2028, 2, 29) * 86400000);
}
END_TEST

/* Every hour for sixty years and odd milliseconds come back unchanged,
 * and agree with the C library's gmtime. */
START_TEST(test_round_trip)
{
	char		 buf[TIMEFMT_RFC3339_LEN], want[64], err[128];
	struct tm	 tm;
	time_t		 tt;
	int64_t		 ms, back;

	for (ms = 0; ms < INT64_C(60) * 366 * 86400000;
	    ms += 3600000 * 7 + 1) {
		timefmt_rfc3339(ms, buf, sizeof(buf));
		ck_assert_msg(timefmt_parse(buf, 0, &back, err,
		    sizeof(err)) == 0, "%s: %s", buf, err);
		ck_assert_msg(back == ms, "%s: %lld != %lld", buf,
		    (long long)back, (long long)ms);
		tt = (time_t)(ms / 1000);
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
		ck_assert_msg(strncmp(buf, want, strlen(want)) == 0,
		    "%s vs gmtime %s", buf, want);
	}
	ck_assert_str_eq(timefmt_rfc3339(NOW, buf, sizeof(buf)),
	    "2026-12-05T02:10:00Z");
	ck_assert_str_eq(timefmt_rfc3339(NOW + 7, buf, sizeof(buf)),
	    "2026-12-05T02:10:00.007Z");
	ck_assert_str_eq(timefmt_rfc3339(-1, buf, sizeof(buf)),
	    "1969-12-31T23:59:59.999Z");
}
END_TEST

START_TEST(test_bad_input)
{
	assert_bad("", "empty");
	assert_bad("tomorrow", "is not a time");
	assert_bad("2026-12-05T02:10:00", "no time zone");
	assert_bad("2026-13-01T00:00:00Z", "month 13");
	assert_bad("2026-12-32", "day 32");
	assert_bad("2026-12-05T24:00:00Z", "out of range");
	assert_bad("2026-12-05T02:60:00Z", "out of range");
	assert_bad("2026-12-05T02:10:00+24:00", "offset +24:00");
	assert_bad("2026-12-05T02:10:00+0100", "is not a time");
	assert_bad("2026-12-05T02:10:00.Z", "is not a time");
	assert_bad("2026-12-05T02:10:00Z junk", "is not a time");
	assert_bad("26-12-05", "is not a time");
	assert_bad("0999-01-01", "year 999");
	assert_bad("+4w", "unknown unit 'w'");
	assert_bad("+h", "not a relative time");
	assert_bad("+4hh", "not a relative time");
	assert_bad("+99999999d", "century");
	assert_bad("99999999999999999999", "out of range");
}
END_TEST

static Suite *
timefmt_suite(void)
{
	Suite	*s = suite_create("timefmt");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_rfc3339_forms);
	tcase_add_test(tc, test_relative_and_ms);
	tcase_add_test(tc, test_leap_years);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(timefmt_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
