/*
 * The DER encoding and digest of the certificates that sign received
 * envelopes, kept per certificate object: a peer signs every envelope
 * with its connection's certificate, which would otherwise be encoded and
 * hashed again for each (store_signer_keep() wants both).
 *
 * The key is the X509 object itself, and the cache holds a reference to
 * it: an object cannot be freed, and its address reused by another
 * certificate, while an entry names it, and a parsed certificate's
 * encoding never changes.  A new connection, a reload or another peer
 * brings another object, hence another entry.  Loop thread only.
 */
#ifndef POC_CERTDER_H
#define POC_CERTDER_H

#include <openssl/x509.h>

#include "store_sig.h"

/* cert's encoding and digest (from the cache, or made and cached), valid
 * until the next certder_get() or certder_clear(); NULL on failure
 * (logged). */
const struct store_signer *certder_get(X509 *cert);

/* Drops every entry and its reference (at shutdown). */
void	 certder_clear(void);

#endif
