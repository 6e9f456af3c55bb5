/*
 * Envelope signatures on this node (see msgsig.h).
 *
 * The node key is loaded at start-up and on SIGHUP (reload.c), never per
 * envelope.
 * A received envelope is checked against the certificate of the TLS
 * session it came over (which the handshake verified and whose CN the
 * caller has matched with the sender); that certificate is kept with the
 * message so that the check can be repeated later without the session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "envsig.h"
#include "log.h"
#include "msgsig.h"
#include "sig.h"
#include "store_sig.h"
#include "util.h"

static EVP_PKEY	*msgsig_key;
static X509	*msgsig_cert;

int
msgsig_init(const char *key_file, const char *cert_file, char *err,
    size_t errlen)
{
	EVP_PKEY	*key;
	X509		*cert;
	int		 changed;

	/* Both load and match before either replaces what is in use, so a
	 * failed reload leaves the running key signing. */
	if ((key = sig_key_load(key_file, err, errlen)) == NULL)
		return -1;
	if ((cert = sig_cert_load(cert_file, err, errlen)) == NULL) {
		EVP_PKEY_free(key);
		return -1;
	}
	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "%s is not the key of %s", key_file,
		    cert_file);
		EVP_PKEY_free(key);
		X509_free(cert);
		return -1;
	}
	changed = msgsig_cert != NULL && X509_cmp(msgsig_cert, cert) != 0;
	if (changed)
		log_info("msgsig: envelopes are now signed with the key of a "
		    "new node certificate");
	EVP_PKEY_free(msgsig_key);
	X509_free(msgsig_cert);
	msgsig_key = key;
	msgsig_cert = cert;
	return changed;
}

void
msgsig_shutdown(void)
{
	EVP_PKEY_free(msgsig_key);
	X509_free(msgsig_cert);
	msgsig_key = NULL;
	msgsig_cert = NULL;
}

int
msgsig_sign(Poc__Envelope *e, uint8_t *sig)
{
	if (msgsig_key == NULL) {
		log_warnx("msgsig: no node key loaded");
		return -1;
	}
	if (e->signature.len != 0) {
		log_warnx("msgsig: envelope %s is already signed", e->id);
		return -1;
	}
	if (envsig_sign(msgsig_key, e, sig) == -1) {
		log_warnx("msgsig: cannot sign envelope %s", e->id);
		return -1;
	}
	return 0;
}

/* The DER of cert, copied into malloc'd memory (free() it).  Returns the
 * length, or -1. */
static int
msgsig_der(X509 *cert, uint8_t **out)
{
	uint8_t	*p = NULL;
	int	 n;

	*out = NULL;
	if ((n = sig_cert_to_der(cert, &p)) <= 0)
		return -1;
	if ((*out = malloc((size_t)n)) != NULL)
		memcpy(*out, p, (size_t)n);
	OPENSSL_free(p);
	return *out != NULL ? n : -1;
}

int
msgsig_own_der(uint8_t **der, size_t *derlen)
{
	int	 n;

	*der = NULL;
	*derlen = 0;
	if (msgsig_cert == NULL || (n = msgsig_der(msgsig_cert, der)) <= 0)
		return -1;
	*derlen = (size_t)n;
	return 0;
}

/* Runs on the signature threads too (verify.c): it must touch nothing
 * but its arguments (no node key, no store, no log). */
int
msgsig_check_received(const char *member, X509 *cert, const Poc__Envelope *e,
    char *why, size_t whylen)
{
	(void)member;		/* receive.c has matched it with the CN */
	return envsig_verify(cert, e, why, whylen);
}

/* Checks one stored message; returns 1 or 0 with why, and the signer's
 * certificate as DER in *der (malloc'd) when one is known. */
static int
msgsig_check_stored(struct store *st, X509_STORE *cas,
    const Poc__StoredMessage *sm, uint8_t **der, size_t *derlen, char *why,
    size_t whylen)
{
	X509	*cert = NULL;
	int	 n, ok = 0;

	*der = NULL;
	*derlen = 0;
	if ((n = store_signer_get(st, sm->envelope->id, der, derlen)) == -1) {
		snprintf(why, whylen, "cannot read the store");
		return 0;
	}
	/* Sent before signers were kept (checks): this node's own. */
	if (n == 0 && strcmp(sm->direction, "out") == 0 &&
	    msgsig_own_der(der, derlen) == 0)
		n = 1;
	if (n == 0) {
		snprintf(why, whylen, "no signer certificate was kept");
		return 0;
	}
	if ((cert = sig_cert_from_der(*der, *derlen)) == NULL) {
		snprintf(why, whylen, "the kept signer certificate does not "
		    "decode");
		return 0;
	}
	if (cas != NULL && !sig_cert_check(cert, cas, sm->envelope->sender,
	    why, whylen))
		goto done;
	ok = envsig_verify(cert, sm->envelope, why, whylen);
 done:
	X509_free(cert);
	return ok;
}

void
msgsig_annotate(struct store *st, X509_STORE *cas, Poc__StoredMessage **m,
    size_t n)
{
	Poc__StoredMessage	*sm;
	uint8_t			*der;
	size_t			 i, len;
	char			 why[256];

	for (i = 0; i < n; i++) {
		sm = m[i];
		if (sm == NULL || sm->envelope == NULL)
			continue;
		why[0] = '\0';
		sm->signature_verified = msgsig_check_stored(st, cas, sm, &der,
		    &len, why, sizeof(why));
		if (der != NULL) {
			/* Freed with the message (default allocator). */
			sm->signer_cert.data = der;
			sm->signer_cert.len = len;
		}
		if (!sm->signature_verified && why[0] != '\0' &&
		    (sm->signature_error = strdup(why)) == NULL)
			sm->signature_error = (char *)protobuf_c_empty_string;
	}
}
