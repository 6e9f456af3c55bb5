/*
 * This node's side of envelope signatures (common/envsig.h): it signs each
 * envelope its operator sends with the node key (the peer listener's key),
 * checks the signature of each envelope a peer sends against the
 * certificate of that TLS session, and re-checks kept signatures whenever
 * an operator looks at a message.
 */
#ifndef POC_MSGSIG_H
#define POC_MSGSIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "proto/poc.pb-c.h"

struct audit_head;
struct envsig_batch;

struct store;

/* Loads the node key and certificate (at start-up, and again on SIGHUP
 * with the certificate the peer listener reloads) and checks that they
 * belong together; on failure the running key stays in use.  Returns 1 if
 * they replaced a different certificate (reload.c then renews the own
 * directory record, re-signs what is queued and reconnects the outbox), 0 if not, or -1 with the reason in
 * err. */
int	 msgsig_init(const char *key_file, const char *cert_file, char *err,
	    size_t errlen);
void	 msgsig_shutdown(void);

/* Signs e (its signature must be empty) with the node key; sig holds
 * SIG_MAX_LEN bytes and must outlive e's use.  Returns 0 or -1. */
int	 msgsig_sign(Poc__Envelope *e, uint8_t *sig);

/*
 * Signs the n envelopes e[] (signature and batch empty) as one batch with
 * the node key: one operator command to several recipients
 * (sendmany.c).  The proofs belong to the result: keep it until the
 * envelopes are packed or stored, then envsig_batch_free() it.  NULL on
 * failure (logged).
 */
struct envsig_batch *msgsig_batch_sign(Poc__Envelope **e, size_t n);

/*
 * Signs the n envelopes one operator command queues (a send to several
 * members, a check campaign): one of them with a single signature into
 * sig (SIG_MAX_LEN bytes, alive as long as e[0]), more as one batch
 * whose proofs are left in *proofs (envsig_batch_free() it once they are
 * stored).  Returns 0 or -1 (logged).
 */
int	 msgsig_sign_command(Poc__Envelope **e, size_t n, uint8_t *sig,
	    struct envsig_batch **proofs);

/*
 * Signs n stored (packed) envelopes, in[i] of inlen[i] bytes, as one batch
 * with the node key (docs/signatures.md): writes each envelope packed
 * with its batch proof, and without its single signature, to out[i]
 * (malloc'd, outlen[i] bytes).  Returns 0, or -1 with nothing in out.
 */
int	 msgsig_batch_pack(const uint8_t *const *in, const size_t *inlen,
	    size_t n, uint8_t **out, size_t *outlen);

/* Signs an audit head of our log (common/audithead.h) with the node key.
 * Returns 0 or -1. */
int	 msgsig_sign_audit_head(struct audit_head *h);

/*
 * For a node that does not take batches (its Hello said so): if the
 * stored envelope in (inlen bytes) carries a batch proof, writes it
 * signed singly instead to *out (malloc'd, *outlen bytes) and returns 1;
 * returns 0 if it goes as stored (it has its single signature), -1 on
 * failure.
 */
int	 msgsig_single_pack(const uint8_t *in, size_t inlen, uint8_t **out,
	    size_t *outlen);

/* The DER (malloc'd) of the node certificate whose key msgsig_sign()
 * uses now, to keep with what it signed.  Returns 0 or -1. */
int	 msgsig_own_der(uint8_t **der, size_t *derlen);

/* The node key itself, borrowed until the next msgsig_init(): the one
 * copy of it, with which the directory signs the own record too.  NULL
 * before msgsig_init(). */
EVP_PKEY *msgsig_key_get(void);

/* The SHA-256 fingerprint (lower-case hex) of the node certificate in use
 * now, as records pin it.  Returns 0, or -1 with hex "". */
int	 msgsig_own_fingerprint(char hex[65]);

/*
 * Checks the signature of e, single or batch, received from member over a
 * TLS session whose verified peer certificate is cert (the caller keeps
 * cert with the message).  A batch's root signature is verified once for
 * all its envelopes (any thread).  Returns 1 if valid, else 0 with the
 * reason in why.
 */
int	 msgsig_check_received(const char *member, X509 *cert,
	    const Poc__Envelope *e, char *why, size_t whylen);

/* How many batch root signatures msgsig_check_received() has verified
 * (each distinct root once while it stays cached), for tests and status. */
unsigned long msgsig_roots_verified(void);

/*
 * Re-verifies the kept signature of each message: against the kept signer
 * certificate for received ones, this node's certificate for sent ones;
 * the certificate must still chain to the network CA (cas) and name the
 * envelope's sender.  Sets signature_verified, signer_cert and
 * signature_error of each.
 */
void	 msgsig_annotate(struct store *, X509_STORE *cas,
	    Poc__StoredMessage **m, size_t n);

#endif
