/*
 * Signed audit heads (common/audithead.c): a head verifies only with its
 * member's certificate, for the same fields and under its own context;
 * a forged or altered head, one signed as a directory record, or one
 * read back from mangled JSON does not.  The ordering rules and the check
 * of a log against a head: shorter, same length with another hash, and
 * longer with the head's entry intact.  The PKI is made at test time.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audithead.h"

#include "pki_fixture.h"

/* A head of member's log of count entries whose last hash is all fill. */
static struct audit_head
head_of(const char *member, int64_t count, uint8_t fill)
{
	struct audit_head	 h;

	memset(&h, 0, sizeof(h));
	snprintf(h.member, sizeof(h.member), "%s", member);
	h.count = count;
	if (count > 0)
		memset(h.last_hash, fill, AUDIT_HASH_LEN);
	h.time = 1764900000123LL;
	return h;
}

START_TEST(test_sign_verify)
{
	EVP_PKEY		*k = key_of("AUS"), *kf = key_of("FRA");
	X509			*aus = cert_of("AUS"), *fra = cert_of("FRA");
	struct audit_head	 h = head_of("AUS", 12, 0xab), t;
	char			 why[256];

	ck_assert_int_eq(audithead_sign(&h, k), 0);
	ck_assert_uint_gt(h.siglen, 0);
	ck_assert_int_eq(audithead_verify(&h, aus, why, sizeof(why)), 1);
	/* Another member's certificate: neither its CN nor its key. */
	ck_assert_int_eq(audithead_verify(&h, fra, why, sizeof(why)), 0);
	ck_assert_int_eq(audithead_verify(&h, NULL, why, sizeof(why)), 0);
	/* Each signed field matters. */
	t = h;
	t.count--;
	ck_assert_int_eq(audithead_verify(&t, aus, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "does not verify"));
	t = h;
	t.last_hash[31] ^= 1;
	ck_assert_int_eq(audithead_verify(&t, aus, why, sizeof(why)), 0);
	t = h;
	t.time++;
	ck_assert_int_eq(audithead_verify(&t, aus, why, sizeof(why)), 0);
	t = h;
	t.sig[t.siglen - 1] ^= 1;
	ck_assert_int_eq(audithead_verify(&t, aus, why, sizeof(why)), 0);
	/* Signed by FRA's key, naming AUS: a forgery. */
	t = h;
	ck_assert_int_eq(audithead_sign(&t, kf), 0);
	ck_assert_int_eq(audithead_verify(&t, aus, why, sizeof(why)), 0);
	ck_assert_int_eq(audithead_verify(&t, fra, why, sizeof(why)), 0);
	EVP_PKEY_free(k);
	EVP_PKEY_free(kf);
	X509_free(aus);
	X509_free(fra);
}
END_TEST

/* The context string keeps a head's signature and a record's apart. */
START_TEST(test_wrong_context)
{
	EVP_PKEY		*k = key_of("AUS");
	X509			*aus = cert_of("AUS");
	struct audit_head	 h = head_of("AUS", 3, 0x5a);
	struct audit_head	 u = head_of("AUS", 0, 0);
	uint8_t			 bytes[256];
	size_t			 n;
	char			 why[256];

	/* The signed bytes by hand (audithead.h), signed as a record. */
	n = 0;
	bytes[n++] = 0; bytes[n++] = 0; bytes[n++] = 0; bytes[n++] = 3;
	memcpy(bytes + n, "AUS", 3);
	n += 3;
	memset(bytes + n, 0, 7);
	bytes[n + 7] = 3;
	n += 8;
	memset(bytes + n, 0x5a, AUDIT_HASH_LEN);
	n += AUDIT_HASH_LEN;
	memcpy(bytes + n, "\x00\x00\x01\x9a\xeb\x2c\x1c\x7b", 8);
	n += 8;
	h.time = 0x0000019aeb2c1c7bLL;
	ck_assert_int_eq(sig_sign(k, SIG_CTX_RECORD, bytes, n, h.sig,
	    &h.siglen), 0);
	ck_assert_int_eq(audithead_verify(&h, aus, why, sizeof(why)), 0);
	/* The same bytes under the head's own context do verify: the
	 * encoding above is the one documented. */
	ck_assert_int_eq(sig_sign(k, SIG_CTX_AUDIT_HEAD, bytes, n, h.sig,
	    &h.siglen), 0);
	ck_assert_int_eq(audithead_verify(&h, aus, why, sizeof(why)), 1);
	/* And a head's signature is no record's nor envelope's. */
	ck_assert_int_eq(sig_verify(aus, SIG_CTX_RECORD, bytes, n, h.sig,
	    h.siglen), 0);
	ck_assert_int_eq(sig_verify(aus, SIG_CTX_ENVELOPE, bytes, n, h.sig,
	    h.siglen), 0);
	/* An empty log signs too. */
	ck_assert_int_eq(audithead_sign(&u, k), 0);
	ck_assert_int_eq(audithead_verify(&u, aus, why, sizeof(why)), 1);
	EVP_PKEY_free(k);
	X509_free(aus);
}
END_TEST

START_TEST(test_from_pb)
{
	struct audit_head	 h = head_of("AUS", 7, 0x11), r;
	Poc__AuditHead		 pb;
	uint8_t			 zero[AUDIT_HASH_LEN] = { 0 };
	char			 why[256];

	h.siglen = 70;
	memset(h.sig, 0x30, h.siglen);
	audithead_to_pb(&h, &pb);
	ck_assert_int_eq(audithead_from_pb(&pb, &r, why, sizeof(why)), 0);
	ck_assert_int_eq(memcmp(&r, &h, sizeof(h)), 0);
	pb.member = (char *)"not a code!";
	ck_assert_int_eq(audithead_from_pb(&pb, &r, why, sizeof(why)), -1);
	audithead_to_pb(&h, &pb);
	pb.count = -1;
	ck_assert_int_eq(audithead_from_pb(&pb, &r, why, sizeof(why)), -1);
	audithead_to_pb(&h, &pb);
	pb.last_hash.len = 31;
	ck_assert_int_eq(audithead_from_pb(&pb, &r, why, sizeof(why)), -1);
	audithead_to_pb(&h, &pb);
	pb.signature.len = 0;
	ck_assert_int_eq(audithead_from_pb(&pb, &r, why, sizeof(why)), -1);
	audithead_to_pb(&h, &pb);
	pb.signature.len = SIG_MAX_LEN + 1;
	ck_assert_int_eq(audithead_from_pb(&pb, &r, why, sizeof(why)), -1);
	/* An empty log has a zero hash. */
	audithead_to_pb(&h, &pb);
	pb.count = 0;
	ck_assert_int_eq(audithead_from_pb(&pb, &r, why, sizeof(why)), -1);
	pb.last_hash.data = zero;
	ck_assert_int_eq(audithead_from_pb(&pb, &r, why, sizeof(why)), 0);
	ck_assert_int_eq(audithead_from_pb(NULL, &r, why, sizeof(why)), -1);
}
END_TEST

START_TEST(test_order_and_check)
{
	struct audit_head	 held = head_of("AUS", 10, 0x01);
	struct audit_head	 more = head_of("AUS", 11, 0x02);
	struct audit_head	 less = head_of("AUS", 9, 0x03);
	struct audit_head	 fork = head_of("AUS", 10, 0x04);
	uint8_t			 h10[AUDIT_HASH_LEN], other[AUDIT_HASH_LEN];
	char			 why[256];

	ck_assert_int_eq(audithead_compare(&held, &more), AUDITHEAD_NEWER);
	ck_assert_int_eq(audithead_compare(&held, &held), AUDITHEAD_SAME);
	ck_assert_int_eq(audithead_compare(&held, &fork), AUDITHEAD_FORK);
	ck_assert_int_eq(audithead_compare(&held, &less), AUDITHEAD_SHORTER);
	ck_assert_str_eq(audithead_strorder(AUDITHEAD_SHORTER), "shorter");
	memset(h10, 0x01, sizeof(h10));
	memset(other, 0x07, sizeof(other));
	/* The log holds the head: as long, or longer with entry 10 intact. */
	ck_assert_int_eq(audithead_check_log(&held, 10, h10, why,
	    sizeof(why)), 1);
	ck_assert_int_eq(audithead_check_log(&held, 25, h10, why,
	    sizeof(why)), 1);
	/* Cut: shorter. */
	ck_assert_int_eq(audithead_check_log(&held, 7, NULL, why,
	    sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "cut"));
	/* Rolled back and grown again: entry 10 differs. */
	ck_assert_int_eq(audithead_check_log(&held, 12, other, why,
	    sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "differs"));
	/* An empty head holds for any log. */
	ck_assert_int_eq(audithead_check_log(&(struct audit_head){ .count = 0 },
	    0, NULL, why, sizeof(why)), 1);
}
END_TEST

START_TEST(test_json_roundtrip)
{
	EVP_PKEY		*k = key_of("AUS");
	X509			*aus = cert_of("AUS");
	struct audit_head	 h = head_of("AUS", 42, 0xcd), r;
	uint8_t			*der = NULL, *back = NULL;
	size_t			 backlen = 0;
	json_t			*j;
	char			 why[256], err[256];
	int			 n;

	ck_assert_int_eq(audithead_sign(&h, k), 0);
	ck_assert_int_gt(n = sig_cert_to_der(aus, &der), 0);
	ck_assert_ptr_nonnull(j = audithead_to_json(&h, der, (size_t)n));
	ck_assert_str_eq(json_string_value(json_object_get(j, "time")),
	    "2025-12-05T02:00:00.123Z");
	ck_assert_int_eq(audithead_from_json(j, &r, &back, &backlen, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(memcmp(&r, &h, sizeof(h)), 0);
	ck_assert_uint_eq(backlen, (size_t)n);
	ck_assert_int_eq(memcmp(back, der, backlen), 0);
	ck_assert_int_eq(audithead_verify(&r, aus, why, sizeof(why)), 1);
	free(back);
	/* An edited count reads back, but no longer verifies. */
	json_object_set_new(j, "count", json_integer(41));
	ck_assert_int_eq(audithead_from_json(j, &r, &back, &backlen, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(audithead_verify(&r, aus, why, sizeof(why)), 0);
	free(back);
	/* Mangled fields are refused. */
	json_object_set_new(j, "last_hash", json_string("XYZ"));
	ck_assert_int_eq(audithead_from_json(j, &r, &back, &backlen, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(back);
	json_decref(j);
	ck_assert_int_eq(audithead_from_json(json_null(), &r, &back,
	    &backlen, err, sizeof(err)), -1);
	free(der);
	EVP_PKEY_free(k);
	X509_free(aus);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("audithead");
	TCase	*tc = tcase_create("audithead");
	SRunner	*sr;
	int	 failed;

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, test_sign_verify);
	tcase_add_test(tc, test_wrong_context);
	tcase_add_test(tc, test_from_pb);
	tcase_add_test(tc, test_order_and_check);
	tcase_add_test(tc, test_json_roundtrip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
