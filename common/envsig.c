/*
 * Envelope signatures over canonical bytes (see envsig.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envsig.h"

int
envsig_canonical(const Poc__Envelope *e, uint8_t **out, size_t *len)
{
	Poc__Envelope	 c = *e;	/* shallow: only the signature differs */
	uint8_t		*buf;
	size_t		 n;

	*out = NULL;
	*len = 0;
	c.signature.data = NULL;
	c.signature.len = 0;
	n = protobuf_c_message_get_packed_size(&c.base);
	if ((buf = malloc(n > 0 ? n : 1)) == NULL)
		return -1;
	if (protobuf_c_message_pack(&c.base, buf) != n) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

int
envsig_sign(EVP_PKEY *key, Poc__Envelope *e, uint8_t *sig)
{
	uint8_t	*buf;
	size_t	 len, siglen;
	int	 r;

	if (envsig_canonical(e, &buf, &len) == -1)
		return -1;
	r = sig_sign(key, SIG_CTX_ENVELOPE, buf, len, sig, &siglen);
	free(buf);
	if (r == -1)
		return -1;
	e->signature.data = sig;
	e->signature.len = siglen;
	return 0;
}

int
envsig_verify(X509 *cert, const Poc__Envelope *e, char *why, size_t whylen)
{
	uint8_t	*buf;
	size_t	 len;
	int	 ok;

	if (e->signature.len == 0) {
		snprintf(why, whylen, "no signature");
		return 0;
	}
	if (e->signature.len > SIG_MAX_LEN) {
		snprintf(why, whylen, "signature longer than %d bytes",
		    SIG_MAX_LEN);
		return 0;
	}
	if (cert == NULL) {
		snprintf(why, whylen, "no certificate of the signer");
		return 0;
	}
	if (envsig_canonical(e, &buf, &len) == -1) {
		snprintf(why, whylen, "out of memory");
		return 0;
	}
	ok = sig_verify(cert, SIG_CTX_ENVELOPE, buf, len, e->signature.data,
	    e->signature.len);
	free(buf);
	if (!ok)
		snprintf(why, whylen, "signature does not verify with the "
		    "sender's certificate");
	return ok;
}
