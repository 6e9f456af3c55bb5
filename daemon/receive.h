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

#include "proto/poc.pb-c.h"

struct peer;

/* Starts the signature threads ([store] verify_threads), after the group
 * commit is set up.  0 or -1. */
int	 receive_init(void);

/* Stops them; call before gc_shutdown() drops what is pending. */
void	 receive_shutdown(void);

/* An envelope frame f from p (established; its member is its
 * certificate's CN).  Answered at once if it fails the checks, else after
 * its batch's commit.  Returns 1 if it took ownership of f. */
int	 receive_envelope(struct peer *p, Poc__PeerFrame *f);

/* p is closing: its envelopes in a batch are still committed (the sender
 * resends and hears DUPLICATE), but no receipt goes to p. */
void	 receive_forget(struct peer *p);

#endif
