/*
 * Batch signatures on the receive side (daemon/verify.c, daemon/msgsig.c):
 * the envelopes of one batch, checked side by side on the signature
 * threads, cost one root signature verification for the batch; a forged
 * path or root fails exactly the envelope that carries it, at the price
 * of its own verification; a replayed batch hits the cache.  With no
 * threads and with three.  On the sending side: envelopes queued under
 * one operator command's batch (msgsig_batch_sign) go out in a window's
 * batch (msgsig_batch_pack) or, to a node that takes no batches, each
 * under a single signature (msgsig_single_pack), and verify every way.
 * Signatures are real (certs/mkpki).
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

/* Checks packed bytes as a receiver would: decodes, verifies with cert,
 * and says whether they carry a batch proof (1) or a single signature. */
static int
packed_verifies(const uint8_t *b, size_t n, X509 *cert)
{
	Poc__Envelope	*e;
	char		 why[256];
	int		 batched;

	ck_assert_ptr_nonnull(e = poc__envelope__unpack(NULL, n, b));
	ck_assert_msg(envsig_verify(cert, e, why, sizeof(why)), "%s", why);
	ck_assert(e->batch == NULL || e->signature.len == 0);
	batched = e->batch != NULL;
	protobuf_c_message_free_unpacked(&e->base, NULL);
	return batched;
}

START_TEST(test_sender_packs)
{
	Poc__Envelope		*ep[3], *all[N];
	struct envsig_batch	*b;
	EVP_PKEY		*k;
	X509			*aus = cert_of("AUS");
	uint8_t			*stored[3], *out[3], *single, sig[SIG_MAX_LEN];
	size_t			 len[3], outlen[3], slen, i;
	char			 kp[PATH_MAX + 32], cp[PATH_MAX + 32], err[256];

	snprintf(kp, sizeof(kp), "%s/AUS/node.key", pki_dir);
	snprintf(cp, sizeof(cp), "%s/AUS/node.pem", pki_dir);
	ck_assert_int_eq(msgsig_init(kp, cp, err, sizeof(err)), 0);
	k = key_of("AUS");
	batch(k, all);		/* only for the envelopes' fields */
	EVP_PKEY_free(k);
	for (i = 0; i < N; i++) {
		protobuf_c_message_free_unpacked(&all[i]->base, NULL);
		t_env[i].batch = NULL;
	}
	for (i = 0; i < 3; i++)
		ep[i] = &t_env[i];
	/* Queued by one operator command: one batch of three. */
	ck_assert_ptr_nonnull(b = msgsig_batch_sign(ep, 3));
	for (i = 0; i < 3; i++) {
		len[i] = poc__envelope__get_packed_size(ep[i]);
		ck_assert_ptr_nonnull(stored[i] = malloc(len[i]));
		poc__envelope__pack(ep[i], stored[i]);
		ck_assert_int_eq(packed_verifies(stored[i], len[i], aus), 1);
	}
	envsig_batch_free(b);
	/* A window's batch over them: a new tree, each verifies. */
	ck_assert_int_eq(msgsig_batch_pack((const uint8_t *const *)stored, len,
	    3, out, outlen), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(packed_verifies(out[i], outlen[i], aus), 1);
		free(out[i]);
	}
	/* A node that takes no batches: each signed singly. */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(msgsig_single_pack(stored[i], len[i], &out[i],
		    &outlen[i]), 1);
		ck_assert_int_eq(packed_verifies(out[i], outlen[i], aus), 0);
		free(out[i]);
	}
	/* An envelope queued under a single signature goes as stored. */
	ck_assert_int_eq(msgsig_sign(&t_env[3], sig), 0);
	slen = poc__envelope__get_packed_size(&t_env[3]);
	ck_assert_ptr_nonnull(single = malloc(slen));
	poc__envelope__pack(&t_env[3], single);
	ck_assert_int_eq(msgsig_single_pack(single, slen, &out[0],
	    &outlen[0]), 0);
	ck_assert_ptr_null(out[0]);
	t_env[3].signature.data = NULL;
	t_env[3].signature.len = 0;
	free(single);
	for (i = 0; i < 3; i++)
		free(stored[i]);
	msgsig_shutdown();
	X509_free(aus);
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
	tcase_add_test(tc, test_sender_packs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
