/*
 * Envelope signatures (Envelope.signature, proto/poc.proto): the sender's
 * node key signs the envelope's canonical bytes, which are the envelope
 * packed with its signature and batch fields empty, under SIG_CTX_ENVELOPE
 * (sig.h).  Or, for envelopes sent together, a batch signature
 * (Envelope.batch, docs/signatures.md): one signature under SIG_CTX_BATCH
 * over the root of a Merkle tree (merkle.h) whose leaves are the hashes of
 * their canonical bytes, and in each envelope the path from its leaf to
 * that root.  Shared by pocd (signs what its operator sends, verifies what
 * peers send), pocctl (verifies a stored case offline) and pocpeer.
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

/* The domain of an envelope's leaf hash (merkle_leaf). */
#define ENVSIG_LEAF_DOMAIN	"pocd envelope v1"

struct envsig_batch;

/* The canonical bytes of e (malloc'd in *out).  Returns 0 or -1. */
int	 envsig_canonical(const Poc__Envelope *e, uint8_t **out, size_t *len);

/* Signs e with key: writes the signature to sig (SIG_MAX_LEN bytes, owned
 * by the caller, who keeps it alive as long as e) and points
 * e->signature at it.  Returns 0 or -1. */
int	 envsig_sign(EVP_PKEY *key, Poc__Envelope *e, uint8_t *sig);

/* Checks e's signature, single or batch, against the key of cert.
 * Returns 1 if valid, else 0 with the reason in why ("no signature",
 * "signature does not verify", "batch proof: ..."). */
int	 envsig_verify(X509 *cert, const Poc__Envelope *e, char *why,
	    size_t whylen);

/* The leaf hash of e: its canonical bytes under ENVSIG_LEAF_DOMAIN.
 * Returns 0 or -1. */
int	 envsig_leaf(const Poc__Envelope *e, uint8_t leaf[32]);

/*
 * Signs the n envelopes e[] (1..MERKLE_MAX_LEAVES, signature and batch
 * empty) as one batch with one signature of key: points each e[i]->batch
 * at its proof.  The proofs belong to the returned batch; keep it until
 * the envelopes are packed, then envsig_batch_free() it, which sets their
 * batch fields back to NULL.  NULL on failure (nothing changed).
 */
struct envsig_batch *envsig_batch_sign(EVP_PKEY *key, Poc__Envelope **e,
	    size_t n);
void	 envsig_batch_free(struct envsig_batch *);

/* The root that e's batch proof leads to, with the proof's shape checked
 * (signature empty, index below size, 32-byte hashes, path of the right
 * length).  Returns 1 with root, else 0 with the reason in why. */
int	 envsig_batch_root(const Poc__Envelope *e, uint8_t root[32],
	    char *why, size_t whylen);

/* Checks sig, the batch signature of a tree of size leaves with root,
 * against the key of cert.  Returns 1 if valid, else 0. */
int	 envsig_root_verify(X509 *cert, uint64_t size, const uint8_t root[32],
	    const uint8_t *sig, size_t siglen);

#endif
