/*
 * The certificates that signed stored envelopes, in the store
 * (store_sig.c), so that a signature can be checked again later, and the
 * re-signing of the queue after a key rotation.
 */
#ifndef POC_STORE_SIG_H
#define POC_STORE_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "proto/poc.pb-c.h"

struct store;

/* Keeps the DER certificate that signed the stored envelope id (its
 * message row must exist).  Must run inside a transaction.  Returns 0 or
 * -1. */
int	 store_signer_put(struct store *, const char *id, const uint8_t *der,
	    size_t len);

/* A signer's DER certificate with its key in signer_certs, the SHA-256
 * of der (the caller keeps der alive). */
struct store_signer {
	const uint8_t	*der;
	size_t		 len;
	uint8_t		 fp[32];
};

/* Fills sg for der (borrowed), its digest computed.  Returns 0 or -1. */
int	 store_signer_digest(struct store_signer *sg, const uint8_t *der,
	    size_t len);

/* Makes sure sg's certificate is kept in signer_certs (once per
 * certificate).  Must run inside a transaction.  Returns 0 or -1. */
int	 store_signer_keep(struct store *, const struct store_signer *sg);

/* The DER certificate kept for id, malloc'd in *der.  Returns 1 found, 0
 * none kept, -1 error. */
int	 store_signer_get(struct store *, const char *id, uint8_t **der,
	    size_t *len);

/* Records that a full check verified the kept signature of each message
 * seq[0..n-1] with its kept signer certificate (the caller did it just
 * now, nothing having changed them since they were read), in one
 * transaction.  Returns 0 or -1. */
int	 store_sig_verified(struct store *, const int64_t *seq, size_t n);

/*
 * Signs every queued envelope again (after a node key rotation, so that a
 * receiver checking it against the new certificate accepts it): each is
 * unpacked, handed to sign (which replaces its signature, returns 0 or
 * -1), packed and stored with signer_der as its signer and a "resigned"
 * audit entry, all in one transaction.  Returns the count, or -1 with
 * nothing changed.
 */
int	 store_resign_queued(struct store *,
	    int (*sign)(Poc__Envelope *, uint8_t *sig), const uint8_t *signer_der,
	    size_t signer_len, int64_t now_ms);

#endif
