/*
 * Detached signatures: a signature verifies only with the signer's
 * certificate, for the same context and the same bytes; certificates are
 * accepted only when they chain to the network CA and carry the right CN.
 * The PKI is made at test time with certs/mkpki.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "sig.h"

#include "pki_fixture.h"

START_TEST(test_sign_verify)
{
	EVP_PKEY	*k = key_of("AUS");
	X509		*aus = cert_of("AUS"), *fra = cert_of("FRA");
	const uint8_t	 data[] = "serial 7: AUS record";
	uint8_t		 s[SIG_MAX_LEN], t[sizeof(data)];
	size_t		 n;

	ck_assert_int_eq(sig_sign(k, SIG_CTX_RECORD, data, sizeof(data), s,
	    &n), 0);
	ck_assert_int_eq(sig_verify(aus, SIG_CTX_RECORD, data, sizeof(data),
	    s, n), 1);
	/* Another member's key, another context, other bytes: all fail. */
	ck_assert_int_eq(sig_verify(fra, SIG_CTX_RECORD, data, sizeof(data),
	    s, n), 0);
	ck_assert_int_eq(sig_verify(aus, SIG_CTX_ENVELOPE, data,
	    sizeof(data), s, n), 0);
	memcpy(t, data, sizeof(data));
	t[7] ^= 1;
	ck_assert_int_eq(sig_verify(aus, SIG_CTX_RECORD, t, sizeof(t), s, n),
	    0);
	s[n - 1] ^= 1;
	ck_assert_int_eq(sig_verify(aus, SIG_CTX_RECORD, data, sizeof(data),
	    s, n), 0);
	ck_assert_int_eq(sig_verify(aus, SIG_CTX_RECORD, data, sizeof(data),
	    s, 0), 0);
	EVP_PKEY_free(k);
	X509_free(aus);
	X509_free(fra);
}
END_TEST

START_TEST(test_der_roundtrip)
{
	X509	*c = cert_of("FRA"), *d;
	uint8_t	*der;
	int	 n;
	char	 a[65], b[65];

	n = sig_cert_to_der(c, &der);
	ck_assert_int_gt(n, 100);
	d = sig_cert_from_der(der, (size_t)n);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(sig_cert_fingerprint(c, a), 0);
	ck_assert_int_eq(sig_cert_fingerprint(d, b), 0);
	ck_assert_str_eq(a, b);
	ck_assert_ptr_null(sig_cert_from_der(der, (size_t)n - 1));
	ck_assert_ptr_null(sig_cert_from_der(der, 0));
	OPENSSL_free(der);
	X509_free(c);
	X509_free(d);
}
END_TEST

START_TEST(test_cert_check)
{
	X509_STORE	*st = X509_STORE_new();
	X509		*aus = cert_of("AUS"), *op;
	char		 p[PATH_MAX + 64], err[256];

	snprintf(p, sizeof(p), "%s/network-ca.pem", pki_dir);
	ck_assert_int_eq(X509_STORE_load_file(st, p), 1);
	ck_assert_int_eq(sig_cert_check(aus, st, "AUS", err, sizeof(err)), 1);
	ck_assert_int_eq(sig_cert_check(aus, st, "FRA", err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "not FRA's"));
	/* An operator certificate does not chain to the network CA. */
	snprintf(p, sizeof(p), "%s/AUS/operators/duty-officer.pem", pki_dir);
	op = sig_cert_load(p, err, sizeof(err));
	ck_assert_ptr_nonnull(op);
	ck_assert_int_eq(sig_cert_check(op, st, "duty-officer", err,
	    sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "certificate:"));
	X509_free(op);
	X509_free(aus);
	X509_STORE_free(st);
}
END_TEST

/* [upstream] fingerprint as people paste it: hex in either case, or
 * OpenSSL's colon form with or without its prefix; nothing else. */
START_TEST(test_fingerprint_parse)
{
	static const char	 want[] = "5654dcc74b65c4d2fd62e76462c631131ee0a0"
	    "1560e42256743bb6d59d50e84e";
	static const char	 colon[] = "56:54:DC:C7:4B:65:C4:D2:FD:62:E7:64:"
	    "62:C6:31:13:1E:E0:A0:15:60:E4:22:56:74:3B:B6:D5:9D:50:E8:4E";
	static const char *const bad[] = {
		"", "5654dcc74b65c4d2fd62e76462c631131ee0a01560e42256743bb6d59d50e8",
		"5654dcc74b65c4d2fd62e76462c631131ee0a01560e42256743bb6d59d50e84e0",
		"g654dcc74b65c4d2fd62e76462c631131ee0a01560e42256743bb6d59d50e84e",
		"56:54:DC:C7:4B:65:C4:D2:FD:62:E7:64:62:C6:31:13:1E:E0:A0:15:60:"
		    "E4:22:56:74:3B:B6:D5:9D:50:E8:4E:",
		"56-54-DC-C7-4B-65-C4-D2-FD-62-E7-64-62-C6-31-13-1E-E0-A0-15-60-"
		    "E4-22-56-74-3B-B6-D5-9D-50-E8-4E",
		"565:4DC:C74B:65C4D2FD62E76462C631131EE0A01560E42256743BB6D59D50E84E"
		    "::::::::::::::::::::::::::::",
	};
	char		 hex[65], line[128];
	size_t		 i;

	ck_assert_int_eq(sig_fingerprint_parse(want, hex), 0);
	ck_assert_str_eq(hex, want);
	ck_assert_int_eq(sig_fingerprint_parse(colon, hex), 0);
	ck_assert_str_eq(hex, want);
	snprintf(line, sizeof(line), "sha256 Fingerprint=%s", colon);
	ck_assert_int_eq(sig_fingerprint_parse(line, hex), 0);
	ck_assert_str_eq(hex, want);
	snprintf(line, sizeof(line), "SHA256 Fingerprint=%s", want);
	ck_assert_int_eq(sig_fingerprint_parse(line, hex), 0);
	ck_assert_str_eq(hex, want);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(sig_fingerprint_parse(bad[i], hex) == -1,
		    "accepted: %s", bad[i]);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sig");
	TCase	*tc = tcase_create("sig");
	SRunner	*sr;
	int	 failed;

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, test_sign_verify);
	tcase_add_test(tc, test_der_roundtrip);
	tcase_add_test(tc, test_cert_check);
	tcase_add_test(tc, test_fingerprint_parse);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
