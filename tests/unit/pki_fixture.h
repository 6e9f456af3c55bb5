/*
 * A throwaway PKI for unit tests that need real member keys and
 * certificates: certs/mkpki makes a network CA and members AUS and FRA in
 * a temporary directory (unchecked fixture, once per test case); key_of
 * and cert_of load a member's node key and certificate.  Tests run from
 * the repository root (make does).
 */
#ifndef POC_TEST_PKI_FIXTURE_H
#define POC_TEST_PKI_FIXTURE_H

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "sig.h"

static char	 pki_dir[PATH_MAX];

static void
pki_setup(void)
{
	char	 cmd[PATH_MAX + 128];

	snprintf(pki_dir, sizeof(pki_dir), "/tmp/pocd-unit-pki.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(pki_dir));
	snprintf(cmd, sizeof(cmd), "certs/mkpki all %s AUS FRA >/dev/null",
	    pki_dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
pki_teardown(void)
{
	char	 cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", pki_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", pki_dir);
}

/* member's node key; the test fails if it does not load. */
static __attribute__((unused)) EVP_PKEY *
key_of(const char *member)
{
	char		 p[PATH_MAX + 32], err[256];
	EVP_PKEY	*k;

	snprintf(p, sizeof(p), "%s/%s/node.key", pki_dir, member);
	k = sig_key_load(p, err, sizeof(err));
	ck_assert_msg(k != NULL, "%s", err);
	return k;
}

/* member's node certificate; the test fails if it does not load. */
static __attribute__((unused)) X509 *
cert_of(const char *member)
{
	char	 p[PATH_MAX + 32], err[256];
	X509	*c;

	snprintf(p, sizeof(p), "%s/%s/node.pem", pki_dir, member);
	c = sig_cert_load(p, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	return c;
}

#endif
