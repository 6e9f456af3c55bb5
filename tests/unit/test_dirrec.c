/*
 * Directory records: every field rule reports its path; time zones are
 * looked up only by safe relative names; a record verifies only as its
 * member signed it (a changed field, another member's certificate, an
 * unpinned signer or another network all fail); and the store takes a
 * record only with a higher serial and never across networks.  The PKI is
 * made at test time with certs/mkpki.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509_vfy.h>

#include "dirrec.h"
#include "sig.h"
#include "store.h"
#include "store_dir.h"

static char	 dir[256];

static void
pki_setup(void)
{
	char	 cmd[4 * 256 + 256];

	snprintf(dir, sizeof(dir), "/tmp/test_dirrec.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "certs/mkpki all %s AUS FRA >/dev/null && "
	    "certs/mkpki init %s/other >/dev/null && "
	    "certs/mkpki member %s/other AUS >/dev/null", dir, dir, dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
pki_teardown(void)
{
	char	 cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static EVP_PKEY *
key_of(const char *sub, const char *member)
{
	char		 p[PATH_MAX + 64], err[256];
	EVP_PKEY	*k;

	snprintf(p, sizeof(p), "%s%s/%s/node.key", dir, sub, member);
	k = sig_key_load(p, err, sizeof(err));
	ck_assert_msg(k != NULL, "%s", err);
	return k;
}

static X509 *
cert_at(const char *path)
{
	char	 p[PATH_MAX + 64], err[256];
	X509	*c;

	snprintf(p, sizeof(p), "%s%s", dir, path);
	c = sig_cert_load(p, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	return c;
}

/* The network CA's trust store (and its id in net). */
static X509_STORE *
ca_store(const char *sub, char net[65])
{
	X509_STORE	*st = X509_STORE_new();
	char		 p[PATH_MAX + 64];
	X509		*ca;

	snprintf(p, sizeof(p), "%s%s/network-ca.pem", dir, sub);
	ck_assert_int_eq(X509_STORE_load_file(st, p), 1);
	snprintf(p, sizeof(p), "%s/network-ca.pem", sub);
	ca = cert_at(p);
	ck_assert_int_eq(sig_cert_fingerprint(ca, net), 0);
	X509_free(ca);
	return st;
}

/* A small valid record of member, signed by the key in sub/member. */
struct trec {
	Poc__DirectoryRecord	 r;
	Poc__DirectoryPoc	 p, *pp[1];
	Poc__DirectoryChannel	 c, *cp[1];
	Poc__DirectoryHours	 h, *hp[1];
	char			 fp[65], net[65], *fps[2], *eps[1], *langs[1];
	uint8_t			*der;
};

static void
trec_make(struct trec *t, const char *sub, const char *member, uint64_t serial)
{
	char	 p[PATH_MAX];
	X509	*cert, *ca;

	memset(t, 0, sizeof(*t));
	poc__directory_record__init(&t->r);
	poc__directory_poc__init(&t->p);
	poc__directory_channel__init(&t->c);
	poc__directory_hours__init(&t->h);
	snprintf(p, sizeof(p), "%s/%s/node.pem", sub, member);
	cert = cert_at(p);
	ck_assert_int_eq(sig_cert_fingerprint(cert, t->fp), 0);
	t->r.certificate.len = (size_t)sig_cert_to_der(cert, &t->der);
	t->r.certificate.data = t->der;
	X509_free(cert);
	snprintf(p, sizeof(p), "%s/network-ca.pem", sub);
	ca = cert_at(p);
	ck_assert_int_eq(sig_cert_fingerprint(ca, t->net), 0);
	X509_free(ca);
	t->c.kind = POC__DIRECTORY_CHANNEL__KIND__EMAIL;
	t->c.value = (char *)"cert@example.org";
	t->c.priority = 1;
	t->cp[0] = &t->c;
	t->h.day = 1;
	t->h.start = 540;
	t->h.end = 1020;
	t->hp[0] = &t->h;
	t->langs[0] = (char *)"fr";
	t->p.level = POC__DIRECTORY_POC__LEVEL__TECHNICAL;
	t->p.name = (char *)"Duty officer";
	t->p.channels = t->cp;
	t->p.n_channels = 1;
	t->p.time_zone = (char *)"Europe/Paris";
	t->p.hours = t->hp;
	t->p.n_hours = 1;
	t->p.languages = t->langs;
	t->p.n_languages = 1;
	t->pp[0] = &t->p;
	t->fps[0] = t->fp;
	t->eps[0] = (char *)"127.0.0.1:7401";
	t->r.network = t->net;
	t->r.code = (char *)member;
	t->r.name = (char *)member;
	t->r.endpoints = t->eps;
	t->r.n_endpoints = 1;
	t->r.fingerprints = t->fps;
	t->r.n_fingerprints = 1;
	t->r.expires = 1900000000000LL;
	t->r.serial = serial;
	t->r.signed_at = 1790000000000LL;
	t->r.pocs = t->pp;
	t->r.n_pocs = 1;
}

static void
trec_sign(struct trec *t, EVP_PKEY *k)
{
	free(t->r.signature.data);
	ck_assert_int_eq(dirrec_sign(&t->r, k), 0);
}

static void
trec_free(struct trec *t)
{
	free(t->r.signature.data);
	free(t->der);
}

/* 1 if some error's field is path. */
static int
has_error(const struct validate_result *vr, const char *path)
{
	size_t	 i;

	for (i = 0; i < vr->n; i++)
		if (strcmp(vr->err[i].field, path) == 0)
			return 1;
	return 0;
}

START_TEST(test_tz)
{
	ck_assert_int_eq(dirrec_tz_valid("Europe/Paris"), 1);
	ck_assert_int_eq(dirrec_tz_valid("America/New_York"), 1);
	ck_assert_int_eq(dirrec_tz_valid("UTC"), 1);
	ck_assert_int_eq(dirrec_tz_valid("Mars/Olympus"), 0);
	ck_assert_int_eq(dirrec_tz_valid("../../etc/passwd"), 0);
	ck_assert_int_eq(dirrec_tz_valid("/etc/passwd"), 0);
	ck_assert_int_eq(dirrec_tz_valid("Europe/../../../etc/passwd"), 0);
	ck_assert_int_eq(dirrec_tz_valid("Europe"), 0);	/* a directory */
	ck_assert_int_eq(dirrec_tz_valid(""), 0);
	ck_assert_int_eq(dirrec_tz_valid("Europe/Paris\n"), 0);
}
END_TEST

START_TEST(test_validate_paths)
{
	struct trec		 t;
	struct validate_result	 vr;
	Poc__DirectoryHours	 h2, *hp2[2];
	char			 big[300];

	trec_make(&t, "", "AUS", 1);
	memset(&vr, 0, sizeof(vr));
	/* Unsigned but otherwise valid: only the signature is missing. */
	ck_assert_int_eq(dirrec_validate(&t.r, "", 0, &vr), 0);
	ck_assert_int_eq(dirrec_validate(&t.r, "records[0]", 1, &vr), -1);
	ck_assert(has_error(&vr, "records[0].signature"));
	ck_assert_uint_eq(vr.total, 1);

	memset(&vr, 0, sizeof(vr));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	t.p.time_zone = (char *)"Mars/Olympus";
	t.c.kind = 0;
	t.c.value = big;
	t.h.start = 1000;
	t.h.end = 900;
	t.p.level = 9;
	t.eps[0] = (char *)"no-port";
	t.langs[0] = (char *)"f";
	t.r.code = (char *)"aus";
	ck_assert_int_eq(dirrec_validate(&t.r, "records[2]", 0, &vr), -1);
	ck_assert(has_error(&vr, "records[2].code"));
	ck_assert(has_error(&vr, "records[2].endpoints[0]"));
	ck_assert(has_error(&vr, "records[2].pocs[0].level"));
	ck_assert(has_error(&vr, "records[2].pocs[0].time_zone"));
	ck_assert(has_error(&vr, "records[2].pocs[0].channels[0].kind"));
	ck_assert(has_error(&vr, "records[2].pocs[0].channels[0].value"));
	ck_assert(has_error(&vr, "records[2].pocs[0].hours[0]"));
	ck_assert(has_error(&vr, "records[2].pocs[0].languages[0]"));
	ck_assert_uint_eq(vr.total, 8);

	/* Overlapping intervals, bad UTF-8, a control character. */
	trec_free(&t);
	trec_make(&t, "", "AUS", 1);
	poc__directory_hours__init(&h2);
	h2.day = 1;
	h2.start = 600;
	h2.end = 700;
	hp2[0] = &t.h;
	hp2[1] = &h2;
	t.p.hours = hp2;
	t.p.n_hours = 2;
	t.p.name = (char *)"\xc3\x28";
	t.p.role = (char *)"a\tb";
	memset(&vr, 0, sizeof(vr));
	ck_assert_int_eq(dirrec_validate(&t.r, "", 0, &vr), -1);
	ck_assert(has_error(&vr, "pocs[0].hours[1]"));
	ck_assert(has_error(&vr, "pocs[0].name"));
	ck_assert(has_error(&vr, "pocs[0].role"));

	/* Not 24/7 needs a zone and hours; 24/7 needs neither. */
	trec_free(&t);
	trec_make(&t, "", "AUS", 1);
	t.p.time_zone = (char *)"";
	t.p.n_hours = 0;
	memset(&vr, 0, sizeof(vr));
	ck_assert_int_eq(dirrec_validate(&t.r, "", 0, &vr), -1);
	ck_assert(has_error(&vr, "pocs[0].time_zone"));
	ck_assert(has_error(&vr, "pocs[0].hours"));
	t.p.always = 1;
	memset(&vr, 0, sizeof(vr));
	ck_assert_int_eq(dirrec_validate(&t.r, "", 0, &vr), 0);
	/* At least one pinned fingerprint, each 64 hex digits. */
	t.r.n_fingerprints = 0;
	memset(&vr, 0, sizeof(vr));
	ck_assert_int_eq(dirrec_validate(&t.r, "", 0, &vr), -1);
	ck_assert(has_error(&vr, "fingerprints"));
	trec_free(&t);
}
END_TEST

START_TEST(test_sign_verify)
{
	struct trec	 t, k;
	X509_STORE	*ca;
	EVP_PKEY	*aus = key_of("", "AUS"), *fra = key_of("", "FRA");
	EVP_PKEY	*other = key_of("/other", "AUS");
	char		 net[65], err[256];

	ca = ca_store("", net);
	trec_make(&t, "", "AUS", 3);
	trec_sign(&t, aus);
	ck_assert_int_eq(dirrec_verify(&t.r, ca, net, err, sizeof(err)), 1);

	/* A relay changing any field breaks the signature. */
	t.r.name = (char *)"Australia (forged)";
	ck_assert_int_eq(dirrec_verify(&t.r, ca, net, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "signature does not verify");
	t.r.name = (char *)"AUS";
	t.r.serial = 4;
	ck_assert_int_eq(dirrec_verify(&t.r, ca, net, err, sizeof(err)), 0);
	t.r.serial = 3;
	ck_assert_int_eq(dirrec_verify(&t.r, ca, net, err, sizeof(err)), 1);

	/* Signed with FRA's key but carrying AUS's certificate. */
	trec_sign(&t, fra);
	ck_assert_int_eq(dirrec_verify(&t.r, ca, net, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "signature does not verify");

	/* FRA signing a record of code AUS with its own certificate. */
	trec_make(&k, "", "FRA", 9);
	k.r.code = (char *)"AUS";
	trec_sign(&k, fra);
	ck_assert_int_eq(dirrec_verify(&k.r, ca, net, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "not AUS's") != NULL, "%s", err);

	/* The right certificate, but not pinned in the record. */
	trec_free(&t);
	trec_make(&t, "", "AUS", 3);
	t.fps[0] = (char *)"0000000000000000000000000000000000000000000000000000000000000000";
	trec_sign(&t, aus);
	ck_assert_int_eq(dirrec_verify(&t.r, ca, net, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "not pinned") != NULL, "%s", err);

	/* An AUS of another network: refused by network id, and its
	 * certificate does not chain to our CA either. */
	trec_free(&t);
	trec_make(&t, "/other", "AUS", 50);
	trec_sign(&t, other);
	ck_assert_int_eq(dirrec_verify(&t.r, ca, net, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "another network") != NULL, "%s", err);
	t.r.network = net;
	trec_sign(&t, other);
	ck_assert_int_eq(dirrec_verify(&t.r, ca, net, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "certificate") != NULL, "%s", err);

	trec_free(&t);
	trec_free(&k);
	EVP_PKEY_free(aus);
	EVP_PKEY_free(fra);
	EVP_PKEY_free(other);
	X509_STORE_free(ca);
}
END_TEST

START_TEST(test_store_serial)
{
	struct trec		 t;
	struct store		*st;
	Poc__DirectoryRecord	*got;
	EVP_PKEY		*aus = key_of("", "AUS");
	char			 path[PATH_MAX + 16], err[256];
	int64_t			 at;

	snprintf(path, sizeof(path), "%s/dir.db", dir);
	st = store_open(path, STORE_SYNC_NORMAL, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	trec_make(&t, "", "AUS", 5);
	trec_sign(&t, aus);
	ck_assert_int_eq(store_dir_put(st, &t.r, "test", 100), 1);
	/* Same serial and lower serial (a replay): kept as held. */
	ck_assert_int_eq(store_dir_put(st, &t.r, "test", 200), 0);
	t.r.serial = 4;
	trec_sign(&t, aus);
	ck_assert_int_eq(store_dir_put(st, &t.r, "test", 300), 0);
	ck_assert_int_eq(store_dir_get(st, "AUS", &got, &at), 1);
	ck_assert_uint_eq(got->serial, 5);
	ck_assert_int_eq(at, 100);
	poc__directory_record__free_unpacked(got, NULL);
	/* Another network never overwrites, even with a higher serial. */
	t.r.serial = 99;
	t.r.network = (char *)"1111111111111111111111111111111111111111111111111111111111111111";
	ck_assert_int_eq(store_dir_put(st, &t.r, "test", 400), 0);
	/* Higher serial: taken, and read back bit for bit. */
	trec_free(&t);
	trec_make(&t, "", "AUS", 6);
	trec_sign(&t, aus);
	ck_assert_int_eq(store_dir_put(st, &t.r, "test", 500), 1);
	ck_assert_int_eq(store_dir_get(st, "AUS", &got, NULL), 1);
	ck_assert_uint_eq(got->serial, 6);
	ck_assert_str_eq(got->pocs[0]->name, "Duty officer");
	ck_assert_uint_eq(got->signature.len, t.r.signature.len);
	ck_assert_int_eq(memcmp(got->signature.data, t.r.signature.data,
	    got->signature.len), 0);
	poc__directory_record__free_unpacked(got, NULL);
	/* Last checks: kept per PoC, never moved back. */
	ck_assert_int_eq(store_dir_check_set(st, "AUS", "TECHNICAL:x", 50), 0);
	ck_assert_int_eq(store_dir_check_set(st, "AUS", "TECHNICAL:x", 40), 0);
	ck_assert_int_eq(store_dir_check_get(st, "AUS", "TECHNICAL:x"), 50);
	ck_assert_int_eq(store_dir_check_get(st, "AUS", "POLICY:x"), 0);
	ck_assert_int_eq(store_dir_get(st, "FRA", &got, NULL), 0);
	trec_free(&t);
	EVP_PKEY_free(aus);
	store_close(st);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dirrec");
	TCase	*tc = tcase_create("dirrec");
	SRunner	*sr;
	int	 failed;

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, test_tz);
	tcase_add_test(tc, test_validate_paths);
	tcase_add_test(tc, test_sign_verify);
	tcase_add_test(tc, test_store_serial);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
