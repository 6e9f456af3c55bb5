/*
 * What a node does with one envelope received from a peer: the checks in
 * the order of STYLE.md point 6 after the frame was decoded, then one
 * handler per body kind from a table indexed by the oneof case, then the
 * durable store, and the receipt to send back.
 */
#ifndef POC_HANDLE_H
#define POC_HANDLE_H

#include <stddef.h>
#include <openssl/x509.h>

#include "proto/poc.pb-c.h"

enum handle_result {
	HANDLE_RECEIPT,		/* send the receipt in r */
	HANDLE_IDENTITY,	/* sender is not the peer: receipt, then close */
	HANDLE_FAILED,		/* not committed: no receipt; close so the
				 * sender retries */
	HANDLE_STORE,		/* (handle_check) valid: handle_store() it,
				 * then send the receipt */
};

/*
 * The steps for envelope e from the peer whose certificate CN is
 * peer_member, run by group commit (gcommit.h), which checks the
 * signature on a worker thread while the loop goes on reading.  Each fills
 * r (envelope_id, status, reason) whenever a receipt is due; the receipt
 * is ACCEPTED or DUPLICATE only after the envelope is committed.  reason
 * must hold at least 256 bytes and outlive the receipt.
 *
 * handle_check() checks identity, fields and recipient (loop thread) and
 * returns HANDLE_STORE for an envelope that may be stored once its
 * signature verifies (r and reason are filled otherwise).
 * handle_verify() checks the sender's signature with peer_cert, the
 * certificate of the session (thread-safe: it touches its arguments only;
 * why gets the reason of a failure).
 * handle_verified() takes that verdict on the loop thread: a bad signature
 * fills a REJECTED receipt and returns HANDLE_RECEIPT; a good one runs
 * the per-kind hook and returns HANDLE_STORE.
 * handle_store() stores it (inside the caller's batch, if one is open),
 * keeping peer_cert, and fills the receipt.  None sends anything, and
 * nothing is stored, nor any hook run, before the signature verified.
 */
enum handle_result handle_check(const char *peer_member,
		    const Poc__Envelope *e, Poc__Receipt *r, char *reason,
		    size_t reasonlen);
int		 handle_verify(X509 *peer_cert, const Poc__Envelope *e,
		    char *why, size_t whylen);
enum handle_result handle_verified(const char *peer_member,
		    const Poc__Envelope *e, int ok, const char *why,
		    Poc__Receipt *r, char *reason, size_t reasonlen);
enum handle_result handle_store(const char *peer_member,
		    X509 *peer_cert, const Poc__Envelope *e, Poc__Receipt *r,
		    char *reason, size_t reasonlen);

/* The oneof member name of a body kind ("assistance_request"). */
const char	*handle_kind_name(int body_case);

#endif
