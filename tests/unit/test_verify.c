/*
 * Batch signatures on the receive side (daemon/verify.c, daemon/msgsig.c):
 * the envelopes of one batch, checked side by side on the signature
 * threads, cost one root signature verification for the batch; a forged
 * path or root fails exactly the envelope that carries it, at the price
 * of its own verification; a replayed batch hits the cache.  With no
 * threads and with three.  Signatures are real (certs/mkpki).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "daemon/msgsig.h"
#include "daemon/verify.h"
#include "envsig.h"

#include "pki_fixture.h"

#define N	16
#define BADPATH	3
#define BADROOT	11

static Poc__Envelope	 t_env[N];
static Poc__Notification t_note[N];
static char		 t_id[N][48];

/* The N envelopes of one batch signed by AUS, as the receiver decodes
 * them, with a flipped path bit in BADPATH and another root's real
 * signature in BADROOT. */
static void
batch(EVP_PKEY *k, Poc__Envelope **out)
{
	Poc__Envelope		*ep[N];
	struct envsig_batch	*b;
	uint8_t			 buf[4096], other[40], sig[SIG_MAX_LEN];
	size_t			 i, n, slen;

	for (i = 0; i < N; i++) {
		poc__envelope__init(&t_env[i]);
		poc__notification__init(&t_note[i]);
		snprintf(t_id[i], sizeof(t_id[i]),
		    "22222222-2222-4222-8222-%012zu", i);
		t_note[i].summary = (char *)"A notice of a batch";
		t_env[i].id = t_env[i].thread_id = t_id[i];
		t_env[i].sender = (char *)"AUS";
		t_env[i].recipient = (char *)"FRA";
		t_env[i].created_at = 1764040000000LL;
		t_env[i].language = (char *)"en";
		t_env[i].body_case = POC__ENVELOPE__BODY_NOTIFICATION;
		t_env[i].notification = &t_note[i];
		ep[i] = &t_env[i];
	}
	ck_assert_ptr_nonnull(b = envsig_batch_sign(k, ep, N));
	memset(other, 0x5a, sizeof(other));
	ck_assert_int_eq(sig_sign(k, SIG_CTX_BATCH, other, sizeof(other), sig,
	    &slen), 0);
	for (i = 0; i < N; i++) {
		n = poc__envelope__get_packed_size(&t_env[i]);
		ck_assert_uint_le(n, sizeof(buf));
		poc__envelope__pack(&t_env[i], buf);
		ck_assert_ptr_nonnull(out[i] = poc__envelope__unpack(NULL, n,
		    buf));
	}
	envsig_batch_free(b);
	out[BADPATH]->batch->path[1].data[0] ^= 0x04;
	/* Unpacked memory: the default allocator frees it with the rest. */
	free(out[BADROOT]->batch->root_signature.data);
	ck_assert_ptr_nonnull(out[BADROOT]->batch->root_signature.data =
	    malloc(slen));
	memcpy(out[BADROOT]->batch->root_signature.data, sig, slen);
	out[BADROOT]->batch->root_signature.len = slen;
}

/* Checks the batch with nthreads signature threads, twice. */
static void
run(int nthreads)
{
	static struct verify_job j[N];
	EVP_PKEY	*k = key_of("AUS");
	X509		*aus = cert_of("AUS");
	Poc__Envelope	*e[N];
	unsigned long	 before;
	int		 round;
	size_t		 i;

	ck_assert_int_eq(verify_init(nthreads), 0);
	batch(k, e);
	for (round = 0; round < 2; round++) {
		before = msgsig_roots_verified();
		for (i = 0; i < N; i++) {
			memset(&j[i], 0, sizeof(j[i]));
			j[i].member = "AUS";
			j[i].cert = aus;
			j[i].e = e[i];
			verify_submit(&j[i]);
		}
		for (i = 0; i < N; i++) {
			verify_wait(&j[i]);
			ck_assert_msg(j[i].ok == (i != BADPATH && i != BADROOT),
			    "threads %d round %d envelope %zu: %d %s",
			    nthreads, round, i, j[i].ok, j[i].why);
		}
		ck_assert_str_eq(j[BADPATH].why, "batch signature does not "
		    "verify with the sender's certificate (its path or root "
		    "signature was changed)");
		/* The batch's root, the root the bad path leads to, and the
		 * forged root's signature: three, once; then none again. */
		ck_assert_uint_eq(msgsig_roots_verified() - before,
		    round == 0 ? 3 : 0);
	}
	verify_shutdown();
	msgsig_shutdown();		/* empties the root cache */
	for (i = 0; i < N; i++)
		protobuf_c_message_free_unpacked(&e[i]->base, NULL);
	X509_free(aus);
	EVP_PKEY_free(k);
}

START_TEST(test_batch_once_loop)
{
	run(0);
}
END_TEST

START_TEST(test_batch_once_threads)
{
	run(3);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("verify");
	TCase	*tc = tcase_create("verify");
	SRunner	*sr;
	int	 failed;

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, test_batch_once_loop);
	tcase_add_test(tc, test_batch_once_threads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
