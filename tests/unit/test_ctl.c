/*
 * Unit tests for daemon/ctl.c, the error replies every operator-request
 * handler builds: the code and message of an OpError, the INVALID reply
 * listing field errors (copied, so the handler's result may be reused),
 * and the reset between requests.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

START_TEST(test_error)
{
	Poc__OpReply	 rep = POC__OP_REPLY__INIT;
	char		 longer[600];

	ctl_reset();
	ctl_error(&rep, POC__OP_ERROR__CODE__NOT_FOUND, "no message %s on "
	    "this node", "abcd");
	ck_assert_int_eq(rep.kind_case, POC__OP_REPLY__KIND_ERROR);
	ck_assert_int_eq(rep.error->code, POC__OP_ERROR__CODE__NOT_FOUND);
	ck_assert_str_eq(rep.error->message, "no message abcd on this node");
	ck_assert_uint_eq(rep.error->n_field_errors, 0);

	/* A message longer than the reply's buffer is cut, not overrun. */
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ctl_error(&rep, POC__OP_ERROR__CODE__INTERNAL, "%s", longer);
	ck_assert_int_eq(rep.error->code, POC__OP_ERROR__CODE__INTERNAL);
	ck_assert_uint_eq(strlen(rep.error->message), 511);
}
END_TEST

START_TEST(test_invalid)
{
	Poc__OpReply		 rep = POC__OP_REPLY__INIT;
	struct validate_result	 vr;

	memset(&vr, 0, sizeof(vr));
	vr.n = vr.total = 2;
	snprintf(vr.err[0].field, sizeof(vr.err[0].field), "recipient");
	snprintf(vr.err[0].message, sizeof(vr.err[0].message), "unknown");
	snprintf(vr.err[1].field, sizeof(vr.err[1].field), "tlp");
	snprintf(vr.err[1].message, sizeof(vr.err[1].message), "missing");
	ctl_reset();
	ctl_invalid(&rep, &vr, "the template");
	/* The reply holds its own copy: the handler's result may change. */
	memset(&vr, 0, sizeof(vr));
	ck_assert_int_eq(rep.kind_case, POC__OP_REPLY__KIND_ERROR);
	ck_assert_int_eq(rep.error->code, POC__OP_ERROR__CODE__INVALID);
	ck_assert_str_eq(rep.error->message, "2 problems in the template");
	ck_assert_uint_eq(rep.error->n_field_errors, 2);
	ck_assert_str_eq(rep.error->field_errors[0]->field, "recipient");
	ck_assert_str_eq(rep.error->field_errors[0]->message, "unknown");
	ck_assert_str_eq(rep.error->field_errors[1]->field, "tlp");
	ck_assert_str_eq(rep.error->field_errors[1]->message, "missing");

	/* One problem is singular; more counted than kept lists those kept. */
	vr.n = 1;
	vr.total = 1;
	snprintf(vr.err[0].field, sizeof(vr.err[0].field), "code");
	ctl_invalid(&rep, &vr, "the record");
	ck_assert_str_eq(rep.error->message, "1 problem in the record");
	vr.n = VALIDATE_MAX_ERRORS;
	vr.total = VALIDATE_MAX_ERRORS + 5;
	ctl_invalid(&rep, &vr, "the file");
	ck_assert_str_eq(rep.error->message, "37 problems in the file");
	ck_assert_uint_eq(rep.error->n_field_errors, VALIDATE_MAX_ERRORS);
	ck_assert_str_eq(rep.error->field_errors[0]->field, "code");

	/* A plain error after an INVALID one lists no field errors. */
	ctl_error(&rep, POC__OP_ERROR__CODE__BAD_REQUEST, "no record");
	ck_assert_uint_eq(rep.error->n_field_errors, 0);
	ck_assert_ptr_null(rep.error->field_errors);
}
END_TEST

START_TEST(test_reset)
{
	Poc__OpReply	 rep = POC__OP_REPLY__INIT;
	const char	*msg;

	ctl_error(&rep, POC__OP_ERROR__CODE__AMBIGUOUS, "first");
	msg = rep.error->message;
	ctl_reset();
	ck_assert_str_eq(msg, "");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ctl");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 nf;

	tcase_add_test(tc, test_error);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_reset);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
