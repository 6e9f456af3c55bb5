/*
 * The pure rules of communication checks and deadlines (checks_rules.c):
 * how a member's answer is classified (pending, reached, replied, late,
 * silent) and when a request or notification must be acknowledged.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "checks_rules.h"
#include "proto/poc.pb-c.h"

#define T0	1764040000000LL		/* 2025-11-25, Unix ms */
#define MIN	60000LL
#define HOUR	(60 * MIN)

static const struct deadline_periods defaults = {
	.flash = 15 * 60, .immediate = 3600, .priority = 24 * 3600,
	.routine = 72 * 3600, .none = 72 * 3600,
};

START_TEST(test_classify_replied_and_late)
{
	int64_t	 by = T0 + HOUR;

	ck_assert_int_eq(checks_rules_classify(by, "delivered", T0 + 1,
	    T0 + 10 * MIN, T0 + 11 * MIN), CHECK_REPLIED);
	/* exactly at reply_by still counts as in time */
	ck_assert_int_eq(checks_rules_classify(by, "delivered", T0 + 1, by,
	    by + 5), CHECK_REPLIED);
	ck_assert_int_eq(checks_rules_classify(by, "delivered", T0 + 1,
	    by + 1, by + 2), CHECK_LATE);
	/* a reply settles it whenever asked */
	ck_assert_int_eq(checks_rules_classify(by, "delivered", T0 + 1,
	    T0 + MIN, by + 24 * HOUR), CHECK_REPLIED);
}
END_TEST

START_TEST(test_classify_reached_pending_silent)
{
	int64_t	 by = T0 + HOUR;

	ck_assert_int_eq(checks_rules_classify(by, "delivered", T0 + 1, 0,
	    T0 + MIN), CHECK_REACHED);
	ck_assert_int_eq(checks_rules_classify(by, "queued", 0, 0, T0 + MIN),
	    CHECK_PENDING);
	/* reached but nobody answered by reply_by */
	ck_assert_int_eq(checks_rules_classify(by, "delivered", T0 + 1, 0,
	    by + 1), CHECK_SILENT);
	/* never reached */
	ck_assert_int_eq(checks_rules_classify(by, "queued", 0, 0, by + 1),
	    CHECK_SILENT);
	/* at reply_by itself the member is still in time */
	ck_assert_int_eq(checks_rules_classify(by, "delivered", T0 + 1, 0,
	    by), CHECK_REACHED);
	/* the member's node refused the check: silent at once */
	ck_assert_int_eq(checks_rules_classify(by, "rejected", T0 + 1, 0,
	    T0 + MIN), CHECK_SILENT);
	/* missing data: no delivery state at all */
	ck_assert_int_eq(checks_rules_classify(by, NULL, 0, 0, T0),
	    CHECK_PENDING);
	ck_assert_int_eq(checks_rules_classify(by, "", T0, 0, by + 1),
	    CHECK_SILENT);
}
END_TEST

START_TEST(test_result_names)
{
	ck_assert_str_eq(checks_rules_strresult(CHECK_PENDING), "pending");
	ck_assert_str_eq(checks_rules_strresult(CHECK_REACHED), "reached");
	ck_assert_str_eq(checks_rules_strresult(CHECK_REPLIED), "replied");
	ck_assert_str_eq(checks_rules_strresult(CHECK_LATE), "late");
	ck_assert_str_eq(checks_rules_strresult(CHECK_SILENT), "silent");
	ck_assert_str_eq(checks_rules_strresult((enum check_result)99), "?");
}
END_TEST

START_TEST(test_deadline_defaults)
{
	ck_assert_int_eq(checks_rules_deadline(POC__URGENCY__FLASH, T0,
	    &defaults), T0 + 15 * MIN);
	ck_assert_int_eq(checks_rules_deadline(POC__URGENCY__IMMEDIATE, T0,
	    &defaults), T0 + HOUR);
	ck_assert_int_eq(checks_rules_deadline(POC__URGENCY__PRIORITY, T0,
	    &defaults), T0 + 24 * HOUR);
	ck_assert_int_eq(checks_rules_deadline(POC__URGENCY__ROUTINE, T0,
	    &defaults), T0 + 72 * HOUR);
	ck_assert_int_eq(checks_rules_deadline(
	    POC__URGENCY__URGENCY_UNSPECIFIED, T0, &defaults), T0 + 72 * HOUR);
	/* an urgency from a newer peer gets the period of none */
	ck_assert_int_eq(checks_rules_deadline(42, T0, &defaults),
	    T0 + 72 * HOUR);
}
END_TEST

START_TEST(test_deadline_configured)
{
	struct deadline_periods	 p = { .flash = 2, .immediate = 3,
	    .priority = 4, .routine = 5, .none = 6 };

	ck_assert_int_eq(checks_rules_deadline(POC__URGENCY__FLASH, T0, &p),
	    T0 + 2000);
	ck_assert_int_eq(checks_rules_deadline(POC__URGENCY__ROUTINE, T0, &p),
	    T0 + 5000);
	ck_assert_int_eq(checks_rules_deadline(0, T0, &p), T0 + 6000);
	/* a zero or negative period never means "already overdue" */
	p.flash = 0;
	ck_assert_int_eq(checks_rules_deadline(POC__URGENCY__FLASH, T0, &p),
	    T0 + 1000);
}
END_TEST

START_TEST(test_deadline_bad_time)
{
	ck_assert_int_eq(checks_rules_deadline(POC__URGENCY__FLASH, 0,
	    &defaults), 0);
	ck_assert_int_eq(checks_rules_deadline(POC__URGENCY__FLASH, -5,
	    &defaults), 0);
	/* no overflow for absurd created_at */
	ck_assert_int_eq(checks_rules_deadline(POC__URGENCY__FLASH, INT64_MAX,
	    &defaults), 0);
}
END_TEST

START_TEST(test_escalation_steps)
{
	int64_t	 d = T0 + 15 * MIN, p = 15 * MIN;

	ck_assert_uint_eq(checks_rules_escalation(d, p, d - 1), 0);
	ck_assert_uint_eq(checks_rules_escalation(d, p, d), 0);
	ck_assert_uint_eq(checks_rules_escalation(d, p, d + p - 1), 0);
	ck_assert_uint_eq(checks_rules_escalation(d, p, d + p), 1);
	ck_assert_uint_eq(checks_rules_escalation(d, p, d + 3 * p + 5), 3);
	ck_assert_uint_eq(checks_rules_escalation(d, p, INT64_MAX / 2), 1000);
	ck_assert_uint_eq(checks_rules_escalation(0, p, d), 0);
	ck_assert_uint_eq(checks_rules_escalation(d, 0, d + p), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("checks");
	TCase	*tc = tcase_create("rules");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_classify_replied_and_late);
	tcase_add_test(tc, test_classify_reached_pending_silent);
	tcase_add_test(tc, test_result_names);
	tcase_add_test(tc, test_deadline_defaults);
	tcase_add_test(tc, test_deadline_configured);
	tcase_add_test(tc, test_deadline_bad_time);
	tcase_add_test(tc, test_escalation_steps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
