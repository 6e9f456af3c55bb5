/*
 * Unit tests for the ids bound to a member: shared threads
 * (common/threadid.c) and message ids (common/msgid.c), against known
 * vectors computed apart (idvec.h).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "idvec.h"
#include "msgid.h"
#include "threadid.h"
#include "util.h"

/* The derivation: the known vectors, another sender or nonce another id,
 * a nonce that is not 32 lowercase hex digits refused; new nonces are
 * well formed and differ. */
START_TEST(test_threadid_make)
{
	char	 t[UUID_STR_LEN], n1[THREADID_NONCE_HEX + 1];
	char	 n2[THREADID_NONCE_HEX + 1];

	ck_assert_int_eq(threadid_make("AUS", NONCE, t), 0);
	ck_assert_str_eq(t, AUS_THREAD);
	ck_assert_int_eq(threadid_make("KEN", NONCE, t), 0);
	ck_assert_str_eq(t, KEN_THREAD);
	ck_assert_int_eq(threadid_make("AUS", "100102030405060708090a0b0c0d0e0f",
	    t), 0);
	ck_assert_str_eq(t, "ed0fa240-21c9-8ad6-c0bf-bfa3e3530c3e");
	ck_assert_int_eq(threadid_make("AUS", "000102030405060708090a0b0c0d0e",
	    t), -1);
	ck_assert_int_eq(threadid_make("AUS", NONCE "00", t), -1);
	ck_assert_int_eq(threadid_make("AUS", "000102030405060708090A0B0C0D0E0F",
	    t), -1);
	ck_assert_int_eq(threadid_make("AUS", "000102030405060708090a0b0c0d0e0g",
	    t), -1);
	ck_assert_int_eq(threadid_make("AUS", "", t), -1);
	ck_assert_int_eq(threadid_make("", NONCE, t), -1);
	ck_assert_int_eq(threadid_nonce_new(n1), 0);
	ck_assert_int_eq(threadid_nonce_new(n2), 0);
	ck_assert_str_ne(n1, n2);
	ck_assert_int_eq(threadid_make("AUS", n1, t), 0);
	ck_assert(util_uuid_valid(t));
	ck_assert(t[14] == '8' && strchr("cd", t[19]) != NULL);
	ck_assert(threadid_reserved(t));
	ck_assert(!threadid_reserved("1b7f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a"));
	ck_assert(threadid_reserved("1b7f8c2e-1d2a-4c61-Da57-3f1e2d4c5b6a"));
}
END_TEST

/* Ids bound to their sender: made from sender and nonce with the head's
 * time, in a form (variant 111) of no other id. */
START_TEST(test_msgid_make)
{
	char	 id[UUID_STR_LEN], again[UUID_STR_LEN];
	char	 n[MSGID_NONCE_HEX + 1];

	ck_assert_int_eq(msgid_make("AUS", NONCE, "0a1b2c3d-ffff", id), 0);
	ck_assert_str_eq(id, AUS_ID);
	ck_assert_int_eq(msgid_make("KEN", NONCE, AUS_ID, id), 0);
	ck_assert_str_eq(id, KEN_ID);
	ck_assert_int_eq(msgid_make("", NONCE, AUS_ID, id), -1);
	ck_assert_int_eq(msgid_make("AUS", "0001", AUS_ID, id), -1);
	ck_assert_int_eq(msgid_make("AUS", NONCE, "0A1B2C3D", id), -1);
	ck_assert_int_eq(msgid_make("AUS", NONCE, "0a1b2c", id), -1);
	ck_assert(msgid_bound(AUS_ID));
	ck_assert(!msgid_bound("0b7f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a"));
	ck_assert(!msgid_bound(AUS_THREAD));
	ck_assert(!threadid_reserved(AUS_ID));
	ck_assert_int_eq(msgid_new("AUS", id, n), 0);
	ck_assert(util_uuid_valid(id) && msgid_bound(id) && id[14] == '8');
	ck_assert_int_eq(msgid_make("AUS", n, id, again), 0);
	ck_assert_str_eq(again, id);
	ck_assert_int_eq(msgid_new("", id, n), -1);
}
END_TEST

static Suite *
ids_suite(void)
{
	Suite	*s = suite_create("ids");
	TCase	*tc = tcase_create("ids");

	tcase_add_test(tc, test_threadid_make);
	tcase_add_test(tc, test_msgid_make);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(ids_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
