/*
 * Envelope signatures (common/envsig.c): a signature over the canonical
 * bytes verifies with the sender's certificate after the envelope has
 * travelled (packed, unpacked), and fails for any changed field, another
 * member's certificate, a missing or damaged signature.  The PKI is made
 * at test time with certs/mkpki.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envsig.h"

#include "pki_fixture.h"

static Poc__AssistanceRequest	 t_req;
static Poc__Indicator		 t_ind, *t_inds[1] = { &t_ind };

static Poc__Envelope
env_request(void)
{
	Poc__Envelope	 e = POC__ENVELOPE__INIT;

	poc__assistance_request__init(&t_req);
	poc__indicator__init(&t_ind);
	t_ind.type = POC__INDICATOR__TYPE__IPV4;
	t_ind.value = (char *)"203.0.113.7";
	t_req.summary = (char *)"Ransomware on a grid operator";
	t_req.severity = POC__SEVERITY__HIGH;
	t_req.n_indicators = 1;
	t_req.indicators = t_inds;
	e.id = (char *)"11111111-1111-4111-8111-111111111111";
	e.thread_id = e.id;
	e.sender = (char *)"AUS";
	e.recipient = (char *)"FRA";
	e.created_at = 1700000000000;
	e.tlp = POC__TLP__AMBER;
	e.language = (char *)"en";
	e.body_case = POC__ENVELOPE__BODY_ASSISTANCE_REQUEST;
	e.assistance_request = &t_req;
	return e;
}

/* Packs e and unpacks it again, as the receiver sees it. */
static Poc__Envelope *
travel(const Poc__Envelope *e)
{
	uint8_t		 buf[4096];
	size_t		 n;

	n = poc__envelope__get_packed_size(e);
	ck_assert_uint_le(n, sizeof(buf));
	ck_assert_uint_eq(poc__envelope__pack(e, buf), n);
	return poc__envelope__unpack(NULL, n, buf);
}

START_TEST(test_sign_verify)
{
	EVP_PKEY	*k = key_of("AUS");
	X509		*aus = cert_of("AUS"), *fra = cert_of("FRA");
	Poc__Envelope	 e = env_request(), *r;
	uint8_t		 sig[SIG_MAX_LEN];
	char		 why[256];

	ck_assert_int_eq(envsig_sign(k, &e, sig), 0);
	ck_assert_uint_gt(e.signature.len, 0);
	ck_assert_int_eq(envsig_verify(aus, &e, why, sizeof(why)), 1);
	/* What the receiver decodes verifies too. */
	ck_assert_ptr_nonnull(r = travel(&e));
	ck_assert_int_eq(envsig_verify(aus, r, why, sizeof(why)), 1);
	/* Not with another member's certificate. */
	ck_assert_int_eq(envsig_verify(fra, r, why, sizeof(why)), 0);
	ck_assert_int_eq(envsig_verify(NULL, r, why, sizeof(why)), 0);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	X509_free(aus);
	X509_free(fra);
	EVP_PKEY_free(k);
}
END_TEST

/* Any change after signing, in the envelope or deep in its body, fails. */
START_TEST(test_tampered)
{
	EVP_PKEY	*k = key_of("AUS");
	X509		*aus = cert_of("AUS");
	Poc__Envelope	 e = env_request(), *r;
	uint8_t		 sig[SIG_MAX_LEN];
	char		 why[256];
	int		 f;

	ck_assert_int_eq(envsig_sign(k, &e, sig), 0);
	for (f = 0; f < 6; f++) {
		ck_assert_ptr_nonnull(r = travel(&e));
		switch (f) {
		case 0:
			r->tlp = POC__TLP__CLEAR;
			break;
		case 1:
			r->recipient[0] = 'N';
			break;
		case 2:
			r->created_at++;
			break;
		case 3:
			r->exercise = 1;
			break;
		case 4:
			r->assistance_request->indicators[0]->value[0] = '1';
			break;
		case 5:
			r->assistance_request->severity = POC__SEVERITY__LOW;
			break;
		}
		ck_assert_msg(envsig_verify(aus, r, why, sizeof(why)) == 0,
		    "change %d verified", f);
		ck_assert_str_eq(why, "signature does not verify with the "
		    "sender's certificate");
		protobuf_c_message_free_unpacked(&r->base, NULL);
	}
	X509_free(aus);
	EVP_PKEY_free(k);
}
END_TEST

/* No signature, a damaged one, or an oversize one: refused. */
START_TEST(test_missing_damaged)
{
	EVP_PKEY	*k = key_of("AUS");
	X509		*aus = cert_of("AUS");
	Poc__Envelope	 e = env_request();
	uint8_t		 sig[SIG_MAX_LEN], big[SIG_MAX_LEN + 1];
	char		 why[256];

	ck_assert_int_eq(envsig_verify(aus, &e, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "no signature");
	ck_assert_int_eq(envsig_sign(k, &e, sig), 0);
	sig[e.signature.len - 1] ^= 0x01;
	ck_assert_int_eq(envsig_verify(aus, &e, why, sizeof(why)), 0);
	memset(big, 0x30, sizeof(big));
	e.signature.data = big;
	e.signature.len = sizeof(big);
	ck_assert_int_eq(envsig_verify(aus, &e, why, sizeof(why)), 0);
	X509_free(aus);
	EVP_PKEY_free(k);
}
END_TEST

/* The canonical bytes ignore the signature field itself. */
START_TEST(test_canonical)
{
	EVP_PKEY	*k = key_of("AUS");
	Poc__Envelope	 e = env_request();
	uint8_t		 sig[SIG_MAX_LEN], *a, *b;
	size_t		 alen, blen;

	ck_assert_int_eq(envsig_canonical(&e, &a, &alen), 0);
	ck_assert_int_eq(envsig_sign(k, &e, sig), 0);
	ck_assert_int_eq(envsig_canonical(&e, &b, &blen), 0);
	ck_assert_uint_eq(alen, blen);
	ck_assert_mem_eq(a, b, alen);
	ck_assert_uint_gt(poc__envelope__get_packed_size(&e), alen);
	free(a);
	free(b);
	EVP_PKEY_free(k);
}
END_TEST

#define NB	5

/* NB envelopes differing in id and summary, signed as one batch. */
static Poc__Envelope	 b_env[NB];
static Poc__Notification b_note[NB];
static char		 b_id[NB][48], b_sum[NB][40];

static struct envsig_batch *
batch_of(EVP_PKEY *k, size_t n)
{
	Poc__Envelope	*ep[NB];
	size_t		 i;

	for (i = 0; i < n; i++) {
		b_env[i] = env_request();
		poc__notification__init(&b_note[i]);
		snprintf(b_id[i], sizeof(b_id[i]),
		    "11111111-1111-4111-8111-%012zu", i);
		snprintf(b_sum[i], sizeof(b_sum[i]), "Batched notice %zu", i);
		b_note[i].summary = b_sum[i];
		b_env[i].id = b_id[i];
		b_env[i].body_case = POC__ENVELOPE__BODY_NOTIFICATION;
		b_env[i].notification = &b_note[i];
		ep[i] = &b_env[i];
	}
	return envsig_batch_sign(k, ep, n);
}

/* Each envelope of a batch, after travelling, verifies on its own with
 * the sender's certificate, and not with another's; a batch of one is a
 * tree of one leaf with an empty path. */
START_TEST(test_batch_verify)
{
	EVP_PKEY		*k = key_of("AUS");
	X509			*aus = cert_of("AUS"), *fra = cert_of("FRA");
	struct envsig_batch	*b;
	Poc__Envelope		*r;
	size_t			 i, n;
	char			 why[256];

	for (n = 1; n <= NB; n++) {
		ck_assert_ptr_nonnull(b = batch_of(k, n));
		for (i = 0; i < n; i++) {
			ck_assert_ptr_nonnull(b_env[i].batch);
			ck_assert_uint_eq(b_env[i].signature.len, 0);
			ck_assert_uint_eq(b_env[i].batch->leaf_index, i);
			ck_assert_uint_eq(b_env[i].batch->tree_size, n);
			ck_assert_ptr_nonnull(r = travel(&b_env[i]));
			ck_assert_msg(envsig_verify(aus, r, why, sizeof(why)) ==
			    1, "%zu of %zu: %s", i, n, why);
			ck_assert_int_eq(envsig_verify(fra, r, why,
			    sizeof(why)), 0);
			if (n == 1)
				ck_assert_uint_eq(r->batch->n_path, 0);
			protobuf_c_message_free_unpacked(&r->base, NULL);
		}
		envsig_batch_free(b);
		for (i = 0; i < n; i++)
			ck_assert_ptr_null(b_env[i].batch);
	}
	X509_free(aus);
	X509_free(fra);
	EVP_PKEY_free(k);
}
END_TEST

/* A changed path hash, index, size, root signature or body fails for the
 * envelope it is in; a proof moved to another envelope of the batch
 * fails; a single signature beside the proof is refused. */
START_TEST(test_batch_tampered)
{
	EVP_PKEY		*k = key_of("AUS");
	X509			*aus = cert_of("AUS");
	struct envsig_batch	*b;
	Poc__Envelope		*r;
	uint8_t			 extra[8] = { 1 };
	char			 why[256];
	int			 f;

	ck_assert_ptr_nonnull(b = batch_of(k, NB));
	for (f = 0; f < 8; f++) {
		ck_assert_ptr_nonnull(r = travel(&b_env[2]));
		switch (f) {
		case 0:
			r->batch->path[0].data[5] ^= 0x01;
			break;
		case 1:
			r->batch->path[r->batch->n_path - 1].data[31] ^= 0x80;
			break;
		case 2:
			r->batch->leaf_index = 3;
			break;
		case 3:
			r->batch->tree_size = 4;	/* same root as 5? */
			break;
		case 4:
			r->batch->root_signature.data[
			    r->batch->root_signature.len - 1] ^= 0x01;
			break;
		case 5:
			r->notification->summary[0] = 'b';
			break;
		case 6:
			r->signature.data = extra;
			r->signature.len = sizeof(extra);
			break;
		case 7:
			r->batch->n_path--;
			break;
		}
		ck_assert_msg(envsig_verify(aus, r, why, sizeof(why)) == 0,
		    "change %d verified", f);
		if (f == 6) {
			r->signature.data = NULL;
			r->signature.len = 0;
		}
		if (f == 7)
			r->batch->n_path++;
		protobuf_c_message_free_unpacked(&r->base, NULL);
	}
	/* Envelope 1 with envelope 2's proof. */
	b_env[1].batch = b_env[2].batch;
	ck_assert_int_eq(envsig_verify(aus, &b_env[1], why, sizeof(why)), 0);
	envsig_batch_free(b);
	X509_free(aus);
	EVP_PKEY_free(k);
}
END_TEST

/* Only unsigned envelopes are batched, and not none. */
START_TEST(test_batch_refused)
{
	EVP_PKEY	*k = key_of("AUS");
	Poc__Envelope	 e = env_request(), *ep[1] = { &e };
	uint8_t		 sig[SIG_MAX_LEN];

	ck_assert_ptr_null(envsig_batch_sign(k, ep, 0));
	ck_assert_int_eq(envsig_sign(k, &e, sig), 0);
	ck_assert_ptr_null(envsig_batch_sign(k, ep, 1));
	ck_assert_ptr_null(e.batch);
	EVP_PKEY_free(k);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("envsig");
	TCase	*tc = tcase_create("envsig");
	SRunner	*sr;
	int	 failed;

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, test_sign_verify);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_missing_damaged);
	tcase_add_test(tc, test_canonical);
	tcase_add_test(tc, test_batch_verify);
	tcase_add_test(tc, test_batch_tampered);
	tcase_add_test(tc, test_batch_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
