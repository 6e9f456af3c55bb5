/*
 * Signer certificates' encodings and digests, per certificate object (see
 * certder.h).
 */
#include <stdlib.h>
#include <string.h>

#include "certder.h"
#include "log.h"
#include "sig.h"

/* More than the peers that send at once in a burst; an entry pins one
 * parsed certificate (a few KiB) until it is evicted. */
#define CERTDER_MAX	32

static struct {
	X509			*cert;		/* a reference; NULL: free */
	uint8_t			*der;		/* OPENSSL_malloc'd */
	struct store_signer	 sg;		/* sg.der == der */
}		 certder[CERTDER_MAX];
static unsigned	 certder_next;		/* round-robin eviction */

/* Empties entry i. */
static void
certder_drop(unsigned i)
{
	X509_free(certder[i].cert);
	free(certder[i].der);
	memset(&certder[i], 0, sizeof(certder[i]));
}

const struct store_signer *
certder_get(X509 *cert)
{
	unsigned	 i;
	uint8_t		*der = NULL;
	int		 n;

	if (cert == NULL)
		return NULL;
	for (i = 0; i < CERTDER_MAX; i++)
		if (certder[i].cert == cert)
			return &certder[i].sg;
	i = certder_next++ % CERTDER_MAX;
	certder_drop(i);
	if ((n = sig_cert_to_der(cert, &der)) <= 0 ||
	    store_signer_digest(&certder[i].sg, der, (size_t)n) == -1 ||
	    X509_up_ref(cert) != 1) {
		log_warnx("certder: cannot encode a signer's certificate");
		free(der);
		memset(&certder[i], 0, sizeof(certder[i]));
		return NULL;
	}
	certder[i].cert = cert;
	certder[i].der = der;
	return &certder[i].sg;
}

void
certder_clear(void)
{
	unsigned	 i;

	for (i = 0; i < CERTDER_MAX; i++)
		certder_drop(i);
	certder_next = 0;
}
