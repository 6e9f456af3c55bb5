/*
 * Detached signatures (see sig.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "sha256.h"
#include "sig.h"
#include "tls.h"
#include "util.h"

EVP_PKEY *
sig_key_load(const char *path, char *err, size_t errlen)
{
	FILE		*f;
	EVP_PKEY	*k;
	char		 q[512];

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "cannot open key %s", path);
		return NULL;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL) {
		tls_errors(q, sizeof(q));
		snprintf(err, errlen, "cannot read key %s: %s", path, q);
	}
	return k;
}

X509 *
sig_cert_load(const char *path, char *err, size_t errlen)
{
	FILE	*f;
	X509	*c;
	char	 q[512];

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "cannot open certificate %s", path);
		return NULL;
	}
	c = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (c == NULL) {
		tls_errors(q, sizeof(q));
		snprintf(err, errlen, "cannot read certificate %s: %s", path, q);
	}
	return c;
}

X509 *
sig_cert_from_der(const uint8_t *der, size_t len)
{
	const unsigned char	*p = der;
	X509			*c;

	if (len == 0 || len > 65536)
		return NULL;
	c = d2i_X509(NULL, &p, (long)len);
	if (c != NULL && p != der + len) {	/* trailing bytes */
		X509_free(c);
		c = NULL;
	}
	ERR_clear_error();
	return c;
}

int
sig_cert_to_der(X509 *cert, uint8_t **out)
{
	unsigned char	*p = NULL;
	int		 n;

	if ((n = i2d_X509(cert, &p)) <= 0)
		return -1;
	*out = p;	/* OPENSSL_malloc'd; OPENSSL_free == free by default */
	return n;
}

/* Digest-signs or -verifies ctx || 0x00 || data with one EVP_MD_CTX. */
static int
sig_digest_update(EVP_MD_CTX *md, const char *ctx, const uint8_t *data,
    size_t len)
{
	return EVP_DigestUpdate(md, ctx, strlen(ctx) + 1) == 1 &&
	    EVP_DigestUpdate(md, data, len) == 1;
}

int
sig_sign(EVP_PKEY *key, const char *ctx, const uint8_t *data, size_t len,
    uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX	*md;
	size_t		 n = SIG_MAX_LEN;
	int		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestSignInit(md, NULL, sha256_md(), NULL, key) == 1 &&
	    sig_digest_update(md, ctx, data, len) &&
	    EVP_DigestSignFinal(md, NULL, &n) == 1 && n <= SIG_MAX_LEN &&
	    EVP_DigestSignFinal(md, sig, &n) == 1;
	EVP_MD_CTX_free(md);
	if (!ok) {
		ERR_clear_error();
		return -1;
	}
	*siglen = n;
	return 0;
}

int
sig_verify(X509 *cert, const char *ctx, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen)
{
	EVP_PKEY	*key;
	EVP_MD_CTX	*md;
	int		 ok;

	if (siglen == 0 || siglen > SIG_MAX_LEN ||
	    (key = X509_get0_pubkey(cert)) == NULL ||
	    (md = EVP_MD_CTX_new()) == NULL)
		return 0;
	ok = EVP_DigestVerifyInit(md, NULL, sha256_md(), NULL, key) == 1 &&
	    sig_digest_update(md, ctx, data, len) &&
	    EVP_DigestVerifyFinal(md, sig, siglen) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

int
sig_cert_check(X509 *cert, X509_STORE *store, const char *cn, char *err,
    size_t errlen)
{
	return sig_cert_chain(cert, store, err, errlen) &&
	    sig_cert_check_cn(cert, cn, err, errlen);
}

int
sig_cert_chain(X509 *cert, X509_STORE *store, char *err, size_t errlen)
{
	X509_STORE_CTX	*xs;
	int		 ok;

	if ((xs = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(xs, store, cert, NULL) != 1) {
		X509_STORE_CTX_free(xs);
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	ok = X509_verify_cert(xs) == 1;
	if (!ok)
		snprintf(err, errlen, "certificate: %s",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(xs)));
	X509_STORE_CTX_free(xs);
	ERR_clear_error();
	return ok;
}

int
sig_cert_check_cn(X509 *cert, const char *cn, char *err, size_t errlen)
{
	X509_NAME	*name;
	char		 got[256];
	int		 i, n;

	name = X509_get_subject_name(cert);
	if ((i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0 ||
	    X509_NAME_get_index_by_NID(name, NID_commonName, i) >= 0 ||
	    (n = X509_NAME_get_text_by_NID(name, NID_commonName, got,
	    sizeof(got))) <= 0 || (size_t)n != strlen(got) ||
	    strcmp(got, cn) != 0) {
		snprintf(err, errlen, "certificate is not %s's", cn);
		return 0;
	}
	return 1;
}

int
sig_cert_fingerprint(X509 *cert, char hex[65])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n;

	if (X509_digest(cert, sha256_md(), md, &n) != 1 || n != 32)
		return -1;
	util_hex(md, n, hex);
	return 0;
}

int
sig_fingerprint_parse(const char *s, char hex[65])
{
	static const char	 pfx[] = "sha256 fingerprint=";
	size_t			 i, n = 0, len, step;

	if (strncasecmp(s, pfx, sizeof(pfx) - 1) == 0)
		s += sizeof(pfx) - 1;
	/* 64 digits, or 32 pairs joined by ':' (95 characters). */
	if ((len = strlen(s)) != 64 && len != 95)
		return -1;
	step = len == 95 ? 3 : 2;
	for (i = 0; i < len; i++) {
		if (step == 3 && i % 3 == 2) {
			if (s[i] != ':')
				return -1;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		hex[n++] = (char)tolower((unsigned char)s[i]);
	}
	hex[64] = '\0';
	return 0;
}
