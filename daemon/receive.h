/*
 * The receive path: one incoming envelope from "frame decoded" to
 * "receipt sent".  In this order (STYLE.md point 6 and DESIGN.md
 * "Delivery"):
 *
 *	check		identity, fields, recipient (on the loop, at once)
 *	verify		the sender's signature (a worker thread, verify.c)
 *	verdict		taken at the batch's flush, before the transaction
 *	store		inside the batch's transaction (gcommit.c) ...
 *	effects		... then the kind's effects (handle.c), after the
 *			envelope's own row and in the same transaction
 *	commit		one COMMIT for the batch
 *	receipt		ACCEPTED or DUPLICATE only after the commit
 */
#ifndef POC_RECEIVE_H
#define POC_RECEIVE_H

#include <openssl/x509.h>

#include "proto/poc.pb-c.h"

/* How the path answers the connection (its owner) an envelope came over;
 * main wires peer.c's. */
struct receive_cb {
	/* Sends r: 0, or -1 if that closed owner (which is gone then). */
	int	(*receipt)(void *owner, const Poc__Receipt *r);
	/* Sends an Error frame with code and why, logs and closes. */
	void	(*fail)(void *owner, Poc__Error__Code code, const char *why);
};

/* Answers through cb and starts n signature threads ([store]
 * verify_threads; 0: checked on the loop), after the group commit is set
 * up.  0 or -1. */
int	 receive_init(const struct receive_cb *cb, int n);

/* Stops them; call before gc_shutdown() drops what is pending. */
void	 receive_shutdown(void);

/* An envelope frame f from owner, an established connection of member
 * whose certificate is cert (borrowed; its CN is member).  Answered at
 * once if it fails the checks, else after its batch's commit.  Returns 1
 * if it took ownership of f. */
int	 receive_envelope(void *owner, const char *member, X509 *cert,
	    Poc__PeerFrame *f);

/* owner is closing: its envelopes in a batch are still committed (the
 * sender resends and hears DUPLICATE), but nothing goes to owner. */
void	 receive_forget(void *owner);

#endif
