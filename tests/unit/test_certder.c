/*
 * The signer certificates' encodings and digests kept per certificate
 * object (daemon/certder.c): each entry gives its own certificate's DER
 * and SHA-256, another certificate never gets it, and an entry outlives
 * the caller's reference (ASan sees a use after free or a leak).
 */
#include <check.h>
#include <string.h>

#include <openssl/x509.h>

#include "audit.h"
#include "certder.h"
#include "sig.h"

#include "pki_fixture.h"

/* sg is cert's own DER and digest. */
static void
check_is(const struct store_signer *sg, X509 *cert)
{
	uint8_t		*der = NULL, fp[32];
	int		 n;

	ck_assert_ptr_nonnull(sg);
	n = sig_cert_to_der(cert, &der);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(sg->len, (size_t)n);
	ck_assert_mem_eq(sg->der, der, (size_t)n);
	ck_assert_int_eq(audit_sha256(der, (size_t)n, fp), 0);
	ck_assert_mem_eq(sg->fp, fp, 32);
	free(der);
}

START_TEST(test_per_certificate)
{
	X509				*aus = cert_of("AUS"), *fra = cert_of("FRA");
	X509				*other[40];
	const struct store_signer	*sg;
	uint8_t				 fp_aus[32];
	size_t				 i;

	sg = certder_get(aus);
	check_is(sg, aus);
	memcpy(fp_aus, sg->fp, 32);
	check_is(certder_get(fra), fra);
	ck_assert_ptr_eq(certder_get(aus), sg);		/* from the cache */
	ck_assert_mem_eq(certder_get(aus)->fp, fp_aus, 32);
	/* The caller lets go of AUS's object: the entry still holds it, so
	 * no new certificate can be parsed at its address and be taken for
	 * it. */
	X509_free(aus);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		other[i] = cert_of("FRA");
		check_is(certder_get(other[i]), other[i]);
		ck_assert_mem_ne(certder_get(other[i])->fp, fp_aus, 32);
	}
	/* Evicted by now: made again, and still its own. */
	check_is(certder_get(fra), fra);
	ck_assert_ptr_null(certder_get(NULL));
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		X509_free(other[i]);
	X509_free(fra);
	certder_clear();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("certder");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 nf;

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, test_per_certificate);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
