/*
 * Envelope signatures on this node (see msgsig.h).
 *
 * The node key is loaded at start-up and on SIGHUP (reload.c), never per
 * envelope.
 * A received envelope is checked against the certificate of the TLS
 * session it came over (which the handshake verified and whose CN the
 * caller has matched with the sender); that certificate is kept with the
 * message so that the check can be repeated later without the session.
 *
 * An envelope of a signed batch (docs/signatures.md) is checked by hashing
 * its path up to a root; each root's signature is verified once, and its
 * verdict is kept in a small cache that the signature threads share
 * (msgsig_roots), so that the other envelopes of the batch cost only
 * their hashes.  A root is a hit only for the same certificate object
 * (the connection's, kept alive by the entry's reference), the same tree
 * size and the same signature bytes.  A thread that finds the root being
 * verified by another waits for that verdict rather than verifying it
 * again.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "audithead.h"
#include "envsig.h"
#include "log.h"
#include "msgsig.h"
#include "sig.h"
#include "store_sig.h"
#include "util.h"

#define MSGSIG_ROOTS	32	/* batches in flight on all connections */

/* A batch root whose signature was verified, or is being verified. */
struct msgsig_root {
	X509		*cert;		/* a reference; NULL: a free entry */
	uint64_t	 size;
	uint8_t		 root[32];
	uint8_t		 sig[SIG_MAX_LEN];
	size_t		 siglen;
	int		 checking;	/* a thread is verifying it */
	int		 ok;		/* the verdict, once not checking */
};

static EVP_PKEY	*msgsig_key;
static X509	*msgsig_cert;

static pthread_mutex_t	 msgsig_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 msgsig_checked = PTHREAD_COND_INITIALIZER;
static struct msgsig_root msgsig_roots[MSGSIG_ROOTS];
static unsigned		 msgsig_next;		/* round-robin eviction */
static unsigned long	 msgsig_nverified;	/* root signatures checked */

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
	int	 i;

	EVP_PKEY_free(msgsig_key);
	X509_free(msgsig_cert);
	msgsig_key = NULL;
	msgsig_cert = NULL;
	/* The signature threads are stopped (verify_shutdown) by now. */
	pthread_mutex_lock(&msgsig_mu);
	for (i = 0; i < MSGSIG_ROOTS; i++) {
		X509_free(msgsig_roots[i].cert);
		memset(&msgsig_roots[i], 0, sizeof(msgsig_roots[i]));
	}
	pthread_mutex_unlock(&msgsig_mu);
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

struct envsig_batch *
msgsig_batch_sign(Poc__Envelope **e, size_t n)
{
	struct envsig_batch	*b;

	if (msgsig_key == NULL) {
		log_warnx("msgsig: no node key loaded");
		return NULL;
	}
	if ((b = envsig_batch_sign(msgsig_key, e, n)) == NULL)
		log_warnx("msgsig: cannot sign a batch of %zu envelopes", n);
	return b;
}

int
msgsig_sign_command(Poc__Envelope **e, size_t n, uint8_t *sig,
    struct envsig_batch **proofs)
{
	*proofs = NULL;
	if (n == 1)
		return msgsig_sign(e[0], sig);
	return (*proofs = msgsig_batch_sign(e, n)) != NULL ? 0 : -1;
}

/* What a stored envelope was signed with when it was queued: its single
 * signature or the batch proof of its operator command. */
struct msgsig_taken {
	ProtobufCBinaryData		 sig;
	Poc__EnvelopeBatchProof		*batch;
};

/* Takes e's signature and batch proof out into t (to be put back by
 * msgsig_put_back before e is freed: they are unpacked memory). */
static void
msgsig_take(Poc__Envelope *e, struct msgsig_taken *t)
{
	t->sig = e->signature;
	t->batch = e->batch;
	e->signature.data = NULL;
	e->signature.len = 0;
	e->batch = NULL;
}

/* Puts back what msgsig_take() took and frees e. */
static void
msgsig_put_back(Poc__Envelope *e, const struct msgsig_taken *t)
{
	e->signature = t->sig;
	e->batch = t->batch;
	protobuf_c_message_free_unpacked(&e->base, NULL);
}

/* Frees the n envelopes of a batch and what msgsig_batch_pack() took
 * from them. */
static void
msgsig_batch_drop(Poc__Envelope **e, struct msgsig_taken *t, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (e[i] != NULL)
			msgsig_put_back(e[i], &t[i]);
}

/*
 * Each stored envelope is unpacked, loses the signature it was queued
 * with (a single signature, or the batch proof of the operator command
 * that queued it, made over the same canonical bytes and kept in the
 * store: the sender's own evidence), and gets its proof in the window's
 * batch; one signature covers them all.
 */
int
msgsig_batch_pack(const uint8_t *const *in, const size_t *inlen, size_t n,
    uint8_t **out, size_t *outlen)
{
	struct envsig_batch	*b = NULL;
	Poc__Envelope		**e;
	struct msgsig_taken	*sig;
	size_t			 i, done = 0;

	if (msgsig_key == NULL || n == 0)
		return -1;
	e = calloc(n, sizeof(*e));
	sig = calloc(n, sizeof(*sig));
	if (e == NULL || sig == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((e[i] = poc__envelope__unpack(NULL, inlen[i], in[i])) ==
		    NULL)
			goto fail;
		msgsig_take(e[i], &sig[i]);
	}
	if ((b = envsig_batch_sign(msgsig_key, e, n)) == NULL)
		goto fail;
	for (done = 0; done < n; done++) {
		outlen[done] = poc__envelope__get_packed_size(e[done]);
		if ((out[done] = malloc(outlen[done])) == NULL ||
		    poc__envelope__pack(e[done], out[done]) != outlen[done]) {
			free(out[done]);
			goto fail;
		}
	}
	envsig_batch_free(b);
	msgsig_batch_drop(e, sig, n);
	free(e);
	free(sig);
	return 0;
 fail:
	log_warnx("msgsig: cannot sign a batch of %zu envelopes", n);
	while (done > 0)
		free(out[--done]);
	envsig_batch_free(b);
	if (e != NULL && sig != NULL)
		msgsig_batch_drop(e, sig, n);
	free(e);
	free(sig);
	return -1;
}

int
msgsig_sign_audit_head(struct audit_head *h)
{
	if (msgsig_key == NULL) {
		log_warnx("msgsig: no node key loaded");
		return -1;
	}
	if (audithead_sign(h, msgsig_key) == -1) {
		log_warnx("msgsig: cannot sign the audit head");
		return -1;
	}
	return 0;
}

int
msgsig_single_pack(const uint8_t *in, size_t inlen, uint8_t **out,
    size_t *outlen)
{
	Poc__Envelope		*e;
	struct msgsig_taken	 t;
	uint8_t			 sig[SIG_MAX_LEN];
	int			 r = -1;

	*out = NULL;
	*outlen = 0;
	if ((e = poc__envelope__unpack(NULL, inlen, in)) == NULL)
		return -1;
	if (e->batch == NULL) {
		protobuf_c_message_free_unpacked(&e->base, NULL);
		return 0;
	}
	msgsig_take(e, &t);
	if (msgsig_sign(e, sig) == 0) {
		*outlen = poc__envelope__get_packed_size(e);
		if ((*out = malloc(*outlen)) != NULL &&
		    poc__envelope__pack(e, *out) == *outlen)
			r = 1;
		else {
			free(*out);
			*out = NULL;
		}
	}
	e->signature.data = NULL;	/* sig is on the stack */
	e->signature.len = 0;
	msgsig_put_back(e, &t);
	return r;
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

EVP_PKEY *
msgsig_key_get(void)
{
	return msgsig_key;
}

int
msgsig_own_fingerprint(char hex[65])
{
	hex[0] = '\0';
	if (msgsig_cert == NULL || sig_cert_fingerprint(msgsig_cert, hex) != 0)
		return -1;
	return 0;
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

/* The cache entry of this root, or NULL; with msgsig_mu held. */
static struct msgsig_root *
msgsig_root_find(X509 *cert, uint64_t size, const uint8_t root[32],
    const ProtobufCBinaryData *sig)
{
	struct msgsig_root	*r;
	int			 i;

	for (i = 0; i < MSGSIG_ROOTS; i++) {
		r = &msgsig_roots[i];
		if (r->cert == cert && r->size == size &&
		    r->siglen == sig->len && memcmp(r->root, root, 32) == 0 &&
		    memcmp(r->sig, sig->data, sig->len) == 0)
			return r;
	}
	return NULL;
}

/* A cache entry for a root about to be verified, marked checking, or
 * NULL if every entry is being checked; with msgsig_mu held. */
static struct msgsig_root *
msgsig_root_claim(X509 *cert, uint64_t size, const uint8_t root[32],
    const ProtobufCBinaryData *sig)
{
	struct msgsig_root	*r;
	int			 i;

	for (i = 0; i < MSGSIG_ROOTS; i++) {
		r = &msgsig_roots[msgsig_next++ % MSGSIG_ROOTS];
		if (r->checking)
			continue;
		X509_free(r->cert);
		X509_up_ref(cert);
		r->cert = cert;
		r->size = size;
		memcpy(r->root, root, 32);
		memcpy(r->sig, sig->data, sig->len);
		r->siglen = sig->len;
		r->checking = 1;
		r->ok = 0;
		return r;
	}
	return NULL;
}

/* Verifies the batch signature of e's root once per root (see above).
 * Returns 1 or 0 with why. */
static int
msgsig_check_batch(X509 *cert, const Poc__Envelope *e, char *why,
    size_t whylen)
{
	const ProtobufCBinaryData	*sig = &e->batch->root_signature;
	struct msgsig_root		*r;
	uint8_t				 root[32];
	uint64_t			 size = e->batch->tree_size;
	int				 ok;

	if (cert == NULL) {
		snprintf(why, whylen, "no certificate of the signer");
		return 0;
	}
	if (!envsig_batch_root(e, root, why, whylen))
		return 0;
	pthread_mutex_lock(&msgsig_mu);
	if ((r = msgsig_root_find(cert, size, root, sig)) != NULL) {
		while (r->checking)
			pthread_cond_wait(&msgsig_checked, &msgsig_mu);
		ok = r->ok;
	} else {
		r = msgsig_root_claim(cert, size, root, sig);
		msgsig_nverified++;
		pthread_mutex_unlock(&msgsig_mu);
		ok = envsig_root_verify(cert, size, root, sig->data, sig->len);
		pthread_mutex_lock(&msgsig_mu);
		if (r != NULL) {
			r->ok = ok;
			r->checking = 0;
			pthread_cond_broadcast(&msgsig_checked);
		}
	}
	pthread_mutex_unlock(&msgsig_mu);
	if (!ok)
		snprintf(why, whylen, "batch signature does not verify with "
		    "the sender's certificate (its path or root signature "
		    "was changed)");
	return ok;
}

/* Runs on the signature threads too (verify.c): it must touch nothing
 * but its arguments and the root cache (no node key, no store, no
 * log). */
int
msgsig_check_received(const char *member, X509 *cert, const Poc__Envelope *e,
    char *why, size_t whylen)
{
	(void)member;		/* receive.c has matched it with the CN */
	if (e->batch != NULL && e->signature.len == 0)
		return msgsig_check_batch(cert, e, why, whylen);
	return envsig_verify(cert, e, why, whylen);
}

unsigned long
msgsig_roots_verified(void)
{
	unsigned long	 n;

	pthread_mutex_lock(&msgsig_mu);
	n = msgsig_nverified;
	pthread_mutex_unlock(&msgsig_mu);
	return n;
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
