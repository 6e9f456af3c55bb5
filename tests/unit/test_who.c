/*
 * The who ranking: civil time in a PoC's own IANA zone across daylight
 * saving transitions (Europe/Paris and America/New_York on their 2026
 * transition days), 24/7, missing data (no zone, no hours, unknown zone),
 * and the order: level asked, available, technical/diplomatic/policy,
 * last successful check, language.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/poc.pb-c.h"
#include "who.h"

#define H(h, m)	((h) * 60 + (m))

/* Unix ms of a UTC civil time. */
static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm) * 1000;
}

/* A PoC with weekday hours start-end in zone tz (no channels needed). */
struct tpoc {
	Poc__DirectoryPoc	 p;
	Poc__DirectoryHours	 h[7];
	Poc__DirectoryHours	*hp[7];
	char			*langs[2];
};

static void
tpoc_init(struct tpoc *t, int level, const char *name, const char *tz,
    unsigned start, unsigned end, int days, const char *lang)
{
	int	 d;

	memset(t, 0, sizeof(*t));
	poc__directory_poc__init(&t->p);
	t->p.level = level;
	t->p.name = (char *)name;
	t->p.time_zone = (char *)(tz != NULL ? tz : "");
	for (d = 0; d < days; d++) {
		poc__directory_hours__init(&t->h[d]);
		t->h[d].day = (uint32_t)d + 1;
		t->h[d].start = start;
		t->h[d].end = end;
		t->hp[d] = &t->h[d];
	}
	t->p.hours = t->hp;
	t->p.n_hours = (size_t)days;
	if (lang != NULL) {
		t->langs[0] = (char *)lang;
		t->p.languages = t->langs;
		t->p.n_languages = 1;
	}
}

START_TEST(test_localtime_dst)
{
	struct tm	 tm;

	/* Paris: CET (UTC+1) until 2026-03-29 01:00Z, then CEST (UTC+2). */
	ck_assert_int_eq(who_localtime("Europe/Paris",
	    utc(2026, 3, 29, 0, 59), &tm), 0);
	ck_assert_int_eq(tm.tm_hour, 1);
	ck_assert_int_eq(tm.tm_min, 59);
	ck_assert_int_eq(who_localtime("Europe/Paris",
	    utc(2026, 3, 29, 1, 0), &tm), 0);
	ck_assert_int_eq(tm.tm_hour, 3);
	ck_assert_int_eq(tm.tm_isdst, 1);
	/* ... and back on 2026-10-25 01:00Z. */
	ck_assert_int_eq(who_localtime("Europe/Paris",
	    utc(2026, 10, 25, 0, 59), &tm), 0);
	ck_assert_int_eq(tm.tm_hour, 2);
	ck_assert_int_eq(who_localtime("Europe/Paris",
	    utc(2026, 10, 25, 1, 0), &tm), 0);
	ck_assert_int_eq(tm.tm_hour, 2);
	ck_assert_int_eq(tm.tm_isdst, 0);
	/* New York: EST (UTC-5) until 2026-03-08 07:00Z, then EDT. */
	ck_assert_int_eq(who_localtime("America/New_York",
	    utc(2026, 3, 8, 6, 59), &tm), 0);
	ck_assert_int_eq(tm.tm_hour, 1);
	ck_assert_int_eq(who_localtime("America/New_York",
	    utc(2026, 3, 8, 7, 0), &tm), 0);
	ck_assert_int_eq(tm.tm_hour, 3);
	/* The caller's TZ is left as it was. */
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	ck_assert_int_eq(who_localtime("America/New_York",
	    utc(2026, 1, 1, 0, 0), &tm), 0);
	ck_assert_str_eq(getenv("TZ"), "Asia/Tokyo");
	unsetenv("TZ");
	tzset();
	ck_assert_int_eq(who_localtime("Mars/Olympus_Mons", 0, &tm), -1);
	ck_assert_int_eq(who_localtime("../../etc/passwd", 0, &tm), -1);
}
END_TEST

START_TEST(test_available_dst)
{
	struct tpoc	 paris, ny;

	tpoc_init(&paris, POC__DIRECTORY_POC__LEVEL__TECHNICAL, "p",
	    "Europe/Paris", H(9, 0), H(17, 0), 5, NULL);
	tpoc_init(&ny, POC__DIRECTORY_POC__LEVEL__TECHNICAL, "n",
	    "America/New_York", H(9, 0), H(17, 0), 5, NULL);
	/* Monday 2026-03-30 07:30Z is 09:30 in Paris (CEST) -- it would be
	 * 08:30 if daylight saving were ignored. */
	ck_assert_int_eq(who_available(&paris.p, utc(2026, 3, 30, 7, 30)), 1);
	/* Friday 2026-03-27 07:30Z is still CET: 08:30, closed. */
	ck_assert_int_eq(who_available(&paris.p, utc(2026, 3, 27, 7, 30)), 0);
	/* Monday 2026-03-09 13:30Z: 09:30 EDT in New York (08:30 in EST). */
	ck_assert_int_eq(who_available(&ny.p, utc(2026, 3, 9, 13, 30)), 1);
	ck_assert_int_eq(who_available(&ny.p, utc(2026, 3, 6, 13, 30)), 0);
	/* After the autumn change, Monday 2026-11-02 14:30Z = 09:30 EST. */
	ck_assert_int_eq(who_available(&ny.p, utc(2026, 11, 2, 14, 30)), 1);
	ck_assert_int_eq(who_available(&ny.p, utc(2026, 11, 2, 13, 30)), 0);
	/* End is exclusive; weekends closed (Saturday 2026-11-07). */
	ck_assert_int_eq(who_available(&ny.p, utc(2026, 11, 2, 22, 0)), 0);
	ck_assert_int_eq(who_available(&ny.p, utc(2026, 11, 2, 21, 59)), 1);
	ck_assert_int_eq(who_available(&ny.p, utc(2026, 11, 7, 15, 0)), 0);
}
END_TEST

START_TEST(test_available_missing)
{
	struct tpoc	 t;

	/* 24/7 needs nothing else. */
	tpoc_init(&t, POC__DIRECTORY_POC__LEVEL__POLICY, "a", NULL, 0, 0, 0,
	    NULL);
	t.p.always = 1;
	ck_assert_int_eq(who_available(&t.p, utc(2026, 11, 7, 3, 0)), 1);
	/* No hours, no zone, an unknown zone: never available. */
	t.p.always = 0;
	ck_assert_int_eq(who_available(&t.p, utc(2026, 11, 2, 12, 0)), 0);
	tpoc_init(&t, POC__DIRECTORY_POC__LEVEL__POLICY, "a", NULL, 0, 1440,
	    7, NULL);
	ck_assert_int_eq(who_available(&t.p, utc(2026, 11, 2, 12, 0)), 0);
	tpoc_init(&t, POC__DIRECTORY_POC__LEVEL__POLICY, "a", "Nowhere/City",
	    0, 1440, 7, NULL);
	ck_assert_int_eq(who_available(&t.p, utc(2026, 11, 2, 12, 0)), 0);
	tpoc_init(&t, POC__DIRECTORY_POC__LEVEL__POLICY, "a", "UTC", 0, 1440,
	    7, NULL);
	ck_assert_int_eq(who_available(&t.p, utc(2026, 11, 2, 12, 0)), 1);
}
END_TEST

START_TEST(test_rank)
{
	struct tpoc		 pol, dip, tec_day, tec_night;
	Poc__DirectoryPoc	*pocs[4];
	Poc__DirectoryRecord	 r = POC__DIRECTORY_RECORD__INIT;
	struct who_entry	 out[4];
	int64_t			 checks[4] = { 0, 0, 0, 0 };
	int64_t			 wed_noon = utc(2026, 11, 25, 11, 0);	/* 12:00 Paris */
	int64_t			 wed_night = utc(2026, 11, 25, 23, 0);	/* 00:00 Paris */

	tpoc_init(&pol, POC__DIRECTORY_POC__LEVEL__POLICY, "pol",
	    "Europe/Paris", H(8, 0), H(20, 0), 5, "fr");
	tpoc_init(&dip, POC__DIRECTORY_POC__LEVEL__DIPLOMATIC, "dip",
	    "Europe/Paris", H(9, 0), H(17, 0), 5, "en");
	tpoc_init(&tec_day, POC__DIRECTORY_POC__LEVEL__TECHNICAL, "tday",
	    "Europe/Paris", H(9, 0), H(17, 0), 5, "fr-FR");
	tpoc_init(&tec_night, POC__DIRECTORY_POC__LEVEL__TECHNICAL, "tnight",
	    NULL, 0, 0, 0, "en");
	tec_night.p.always = 1;
	pocs[0] = &pol.p;
	pocs[1] = &dip.p;
	pocs[2] = &tec_day.p;
	pocs[3] = &tec_night.p;
	r.pocs = pocs;
	r.n_pocs = 4;

	/* Noon, no level asked: technical, diplomatic, policy; among equal
	 * technical ones the record's order. */
	ck_assert_uint_eq(who_rank(&r, checks, 0, wed_noon, NULL, out, 4), 4);
	ck_assert_str_eq(out[0].poc->name, "tday");
	ck_assert_str_eq(out[1].poc->name, "tnight");
	ck_assert_str_eq(out[2].poc->name, "dip");
	ck_assert_str_eq(out[3].poc->name, "pol");
	/* A more recent successful check wins within a level. */
	checks[3] = 1000;
	who_rank(&r, checks, 0, wed_noon, NULL, out, 4);
	ck_assert_str_eq(out[0].poc->name, "tnight");
	ck_assert_int_eq(out[0].last_check, 1000);
	/* Language decides only after the check. */
	checks[3] = 0;
	who_rank(&r, checks, 0, wed_noon, "en", out, 4);
	ck_assert_str_eq(out[0].poc->name, "tnight");
	ck_assert_int_eq(out[0].lang_match, 1);
	who_rank(&r, checks, 0, wed_noon, "fr", out, 4);
	ck_assert_str_eq(out[0].poc->name, "tday");	/* fr-FR matches fr */
	/* At night only the 24/7 PoC is available: it comes first, then the
	 * others by level. */
	who_rank(&r, NULL, 0, wed_night, NULL, out, 4);
	ck_assert_str_eq(out[0].poc->name, "tnight");
	ck_assert_int_eq(out[0].available, 1);
	ck_assert_str_eq(out[1].poc->name, "tday");
	ck_assert_int_eq(out[1].available, 0);
	ck_assert_str_eq(out[2].poc->name, "dip");
	/* The level asked comes first even when not available. */
	who_rank(&r, NULL, POC__DIRECTORY_POC__LEVEL__POLICY, wed_night, NULL,
	    out, 4);
	ck_assert_str_eq(out[0].poc->name, "pol");
	ck_assert_str_eq(out[1].poc->name, "tnight");
	/* A short output keeps the best. */
	ck_assert_uint_eq(who_rank(&r, NULL, 0, wed_night, NULL, out, 2), 2);
	ck_assert_str_eq(out[0].poc->name, "tnight");
	ck_assert_str_eq(out[1].poc->name, "tday");
	/* No PoCs at all. */
	r.n_pocs = 0;
	ck_assert_uint_eq(who_rank(&r, NULL, 0, wed_noon, NULL, out, 4), 0);
}
END_TEST

START_TEST(test_channels)
{
	Poc__DirectoryChannel		 c[4];
	Poc__DirectoryChannel		*cp[4];
	const Poc__DirectoryChannel	*out[4];
	Poc__DirectoryPoc		 p = POC__DIRECTORY_POC__INIT;
	unsigned			 prio[4] = { 0, 2, 1, 2 };
	int				 i;

	for (i = 0; i < 4; i++) {
		poc__directory_channel__init(&c[i]);
		c[i].priority = prio[i];
		cp[i] = &c[i];
	}
	p.channels = cp;
	p.n_channels = 4;
	who_channels(&p, out);
	ck_assert_ptr_eq(out[0], &c[2]);
	ck_assert_ptr_eq(out[1], &c[1]);	/* stable among equals */
	ck_assert_ptr_eq(out[2], &c[3]);
	ck_assert_ptr_eq(out[3], &c[0]);	/* unset priority last */
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("who");
	TCase	*tc = tcase_create("who");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_localtime_dst);
	tcase_add_test(tc, test_available_dst);
	tcase_add_test(tc, test_available_missing);
	tcase_add_test(tc, test_rank);
	tcase_add_test(tc, test_channels);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
