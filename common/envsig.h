/*
 * Envelope signatures (Envelope.signature, proto/poc.proto): the sender's
 * node key signs the envelope's canonical bytes, which are the envelope
 * packed with its signature field empty, under SIG_CTX_ENVELOPE (sig.h).
 * Shared by pocd (signs what its operator sends, verifies what peers
 * send), pocctl (verifies a stored case offline) and pocpeer.
 *
 * The canonical bytes are protobuf-c's packing of the decoded envelope:
 * fields in field-number order, proto3 defaults omitted, so a receiver
 * re-packing what it decoded gets the bytes the sender signed.
 */
#ifndef POC_ENVSIG_H
#define POC_ENVSIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "proto/poc.pb-c.h"
#include "sig.h"

/* The canonical bytes of e (malloc'd in *out).  Returns 0 or -1. */
int	 envsig_canonical(const Poc__Envelope *e, uint8_t **out, size_t *len);

/* Signs e with key: writes the signature to sig (SIG_MAX_LEN bytes, owned
 * by the caller, who keeps it alive as long as e) and points
 * e->signature at it.  Returns 0 or -1. */
int	 envsig_sign(EVP_PKEY *key, Poc__Envelope *e, uint8_t *sig);

/* Checks e->signature against the key of cert.  Returns 1 if valid, else
 * 0 with the reason in why ("no signature", "signature does not verify"). */
int	 envsig_verify(X509 *cert, const Poc__Envelope *e, char *why,
	    size_t whylen);

#endif
