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
 * Handles envelope e from the peer whose certificate CN is peer_member and
 * whose verified certificate is peer_cert (it checks e's signature).
 * Fills r (envelope_id, status, reason) whenever a receipt is due.  The
 * receipt is ACCEPTED or DUPLICATE only after the envelope is committed.
 * reason must hold at least 256 bytes and outlive the receipt.
 */
enum handle_result handle_envelope(const char *peer_member,
		    X509 *peer_cert, const Poc__Envelope *e, Poc__Receipt *r,
		    char *reason, size_t reasonlen);

/*
 * The two halves of handle_envelope, for group commit (gcommit.h):
 * handle_check() runs every check and the per-kind hook and returns
 * HANDLE_STORE for a valid envelope (r and reason are filled otherwise);
 * handle_store() stores it (inside the caller's batch, if one is open),
 * keeping peer_cert, the certificate handle_check() verified its signature
 * with, and fills the receipt.  Neither sends anything.
 */
enum handle_result handle_check(const char *peer_member,
		    X509 *peer_cert, const Poc__Envelope *e, Poc__Receipt *r,
		    char *reason, size_t reasonlen);
enum handle_result handle_store(const char *peer_member,
		    X509 *peer_cert, const Poc__Envelope *e, Poc__Receipt *r,
		    char *reason, size_t reasonlen);

/* The oneof member name of a body kind ("assistance_request"). */
const char	*handle_kind_name(int body_case);

#endif
