/*
 * The signature line of each listed message (see ctl_sig.h), without an
 * ECDSA verification of every row each time the operator lists a page.
 *
 * What "signature verified" says is unchanged: the kept signature
 * verifies with the kept signer certificate, which chains to the network
 * CA now and names the sender.  Its two halves are checked differently:
 *
 *   - the signature over the envelope's bytes cannot change while the
 *     bytes and the certificate do not, so it is checked once, by the
 *     receive path before the row was written, or by a full check
 *     (msgsig_annotate) the first time the message is listed, and the
 *     verdict kept in the row (messages.sig_verified; a trigger clears
 *     it whenever the envelope or its signer changes, store_schema.c);
 *   - the certificate can be revoked or expire, so its chain is checked
 *     again after a minute, or at once when a reload brings a new CA
 *     store (a new CRL); its name is checked for each message.
 *
 * `show` (and so `pocctl verify`) still runs the full check every time.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "ctl_sig.h"
#include "log.h"
#include "msgsig.h"
#include "node.h"
#include "sig.h"
#include "store_sig.h"
#include "util.h"

#define CTL_SIG_CACHE	512		/* signer certificates */
#define CTL_SIG_PROBE	8		/* slots a certificate may take */
#define CTL_SIG_TTL_MS	60000		/* a chain verdict is kept this long */

/* A signer certificate, decoded, and whether it chained to the CAs of
 * ctl_sig_cas when it was checked. */
struct ctl_sig_cert {
	uint8_t		*der;		/* owned; NULL: a free slot */
	size_t		 len;
	X509		*cert;		/* NULL: does not decode */
	int		 chain_ok;
	int64_t		 checked;	/* util_mono_ms() */
	char		 why[256];
};

/* The certificates checked lately, against the CA store held here.  A
 * reload brings new contexts and so a new store (a new CRL, a new CA):
 * everything is checked again.  The reference keeps the old store's
 * address from being reused for the new one. */
static struct ctl_sig_cert	 ctl_sig_certs[CTL_SIG_CACHE];
static X509_STORE		*ctl_sig_cas;

/* Empties the cache and holds cas instead. */
static void
ctl_sig_flush(X509_STORE *cas)
{
	size_t	 i;

	for (i = 0; i < CTL_SIG_CACHE; i++) {
		free(ctl_sig_certs[i].der);
		X509_free(ctl_sig_certs[i].cert);
	}
	memset(ctl_sig_certs, 0, sizeof(ctl_sig_certs));
	X509_STORE_free(ctl_sig_cas);
	ctl_sig_cas = NULL;
	if (cas != NULL && X509_STORE_up_ref(cas) == 1)
		ctl_sig_cas = cas;
}

/* The checked certificate der (decoded, its chain checked against cas
 * within the last CTL_SIG_TTL_MS), or NULL if out of memory. */
static struct ctl_sig_cert *
ctl_sig_cert_get(X509_STORE *cas, const uint8_t *der, size_t len)
{
	struct ctl_sig_cert	*c, *old = NULL;
	uint64_t		 h = 0;
	int64_t			 now = util_mono_ms();
	size_t			 i;

	/* The DER ends with the CA's signature: its last bytes spread the
	 * certificates well enough for a slot number.  A certificate is in
	 * one of CTL_SIG_PROBE slots from there; a new one takes the
	 * oldest of them. */
	for (i = len > 8 ? len - 8 : 0; i < len; i++)
		h = h << 8 | der[i];
	for (i = 0; i < CTL_SIG_PROBE; i++) {
		c = &ctl_sig_certs[(h + i) % CTL_SIG_CACHE];
		if (c->der != NULL && c->len == len &&
		    memcmp(c->der, der, len) == 0) {
			if (now - c->checked < CTL_SIG_TTL_MS)
				return c;
			old = c;
			break;
		}
		if (old == NULL || c->der == NULL || (old->der != NULL &&
		    c->checked < old->checked))
			old = c;
	}
	c = old;
	free(c->der);
	X509_free(c->cert);
	memset(c, 0, sizeof(*c));
	if ((c->der = malloc(len)) == NULL)
		return NULL;
	memcpy(c->der, der, len);
	c->len = len;
	c->checked = now;
	if ((c->cert = sig_cert_from_der(der, len)) == NULL) {
		snprintf(c->why, sizeof(c->why), "the kept signer certificate "
		    "does not decode");
		return c;
	}
	/* The name is each message's (sig_cert_check_cn). */
	c->chain_ok = cas == NULL || sig_cert_chain(c->cert, cas, c->why,
	    sizeof(c->why));
	return c;
}

/* Sets sm's why (malloc'd, freed with the message). */
static void
ctl_sig_why(Poc__StoredMessage *sm, const char *why)
{
	if (why[0] != '\0' && (sm->signature_error = strdup(why)) == NULL)
		sm->signature_error = (char *)protobuf_c_empty_string;
}

/*
 * One message with a stored verdict: its certificate (kept, so the
 * reply carries it) must still chain and name the sender.  Returns 1 if
 * that settled it, 0 if the message needs the full check.
 */
static int
ctl_sig_stored(Poc__StoredMessage *sm, X509_STORE *cas)
{
	struct ctl_sig_cert	*c;
	uint8_t			*der = NULL;
	size_t			 len = 0;
	char			 why[256];

	if (store_signer_get(env->store, sm->envelope->id, &der, &len) != 1 ||
	    (c = ctl_sig_cert_get(cas, der, len)) == NULL) {
		free(der);
		return 0;	/* none kept (old sent checks), or an error */
	}
	/* Freed with the message (default allocator). */
	sm->signer_cert.data = der;
	sm->signer_cert.len = len;
	if (c->cert == NULL || !c->chain_ok) {
		sm->signature_verified = 0;	/* the kept verdict is moot */
		ctl_sig_why(sm, c->why);
		return 1;
	}
	why[0] = '\0';
	sm->signature_verified = sig_cert_check_cn(c->cert,
	    sm->envelope->sender, why, sizeof(why));
	if (!sm->signature_verified)
		ctl_sig_why(sm, why);
	return 1;
}

void
ctl_sig_annotate(Poc__StoredMessage **m, size_t n)
{
	X509_STORE		*cas = SSL_CTX_get_cert_store(env->peer_ctx);
	Poc__StoredMessage	*sm;
	int64_t			*checked;
	size_t			 i, nchecked = 0;
	int			 had;

	if (cas != ctl_sig_cas)
		ctl_sig_flush(cas);
	checked = calloc(n > 0 ? n : 1, sizeof(*checked));
	for (i = 0; i < n; i++) {
		sm = m[i];
		if (sm == NULL || sm->envelope == NULL)
			continue;
		had = sm->signature_verified;
		if (had && ctl_sig_stored(sm, cas))
			continue;
		/* No verdict yet (or no kept certificate to use it with):
		 * the full check, whose verdict is kept for the next
		 * listing. */
		sm->signature_verified = 0;
		msgsig_annotate(env->store, cas, &m[i], 1);
		if (!had && sm->signature_verified && checked != NULL &&
		    sm->seq > 0)
			checked[nchecked++] = sm->seq;
	}
	/* A listing still answers if the verdicts cannot be written (a full
	 * disk): they are checked again next time. */
	if (nchecked > 0 &&
	    store_sig_verified(env->store, checked, nchecked) == -1)
		log_warnx("control: the signature verdicts of %zu messages "
		    "are not kept; they are checked again next time",
		    nchecked);
	free(checked);
}
