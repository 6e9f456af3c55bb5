/*
 * Group commit of incoming envelopes: every valid envelope that arrives in
 * one pass of the event loop (from any connection) is stored in one SQLite
 * transaction, and the receipts go out only after that COMMIT.  One fsync
 * is then shared by the whole batch instead of paid per envelope.
 *
 * Bounds ([store] in pocd.conf): batch_max items or batch_max_bytes
 * packed bytes flush at once; otherwise the batch is committed after the
 * first loop pass that brings no new item, and at most batch_wait_ms after
 * its oldest item (0: at the end of the pass it started in).  The
 * transaction is opened and committed inside the flush, so no other writer
 * (operator, outbox) ever joins it.
 *
 * Receipts for this node's own envelopes (outbox.c) are recorded in the
 * same batches: one commit per batch instead of one per receipt.  That
 * needs no durability before anything is said to anyone; a crash before
 * the commit means a resend, answered DUPLICATE.
 *
 * The sender's signature of each envelope is checked on verify_threads
 * worker threads while the loop reads on (the caller has checked identity
 * and fields with handle_check, which does not check the signature).  The
 * flush first takes every verdict (checking itself what no worker has
 * begun), answers a bad signature with REJECTED, and only then runs the
 * kind's hook and stores the others.
 */
#ifndef POC_GCOMMIT_H
#define POC_GCOMMIT_H

#include <stddef.h>

#include <event2/event.h>
#include <openssl/x509.h>

#include "handle.h"
#include "proto/poc.pb-c.h"

/* Called once per envelope after the batch's commit (or its failure, with
 * HANDLE_FAILED): res says what to do, r is the receipt to send (valid only
 * during the call).  Never called for an owner that gc_forget() named. */
typedef void	(*gc_done_fn)(void *owner, enum handle_result res,
		    const Poc__Receipt *r);

int		 gc_init(struct event_base *, gc_done_fn);

/* Queues f (a PeerFrame holding an envelope that passed handle_check,
 * now owned by the batch) from the connection owner of member, with cert,
 * the session's certificate, whose key must have signed it (the batch
 * takes a reference and checks the signature before storing anything).
 * May flush at once if a bound is reached: the caller must not use
 * owner's state after this returns if the done callback can close it. */
void		 gc_submit(void *owner, const char *member, X509 *cert,
		    Poc__PeerFrame *f);

/* A receipt for our envelope id to recipient: ACCEPTED/DUPLICATE
 * (rejected 0) or REJECTED with reason.  Recorded in the next batch (the
 * outbox row leaves the queue at its commit); nothing waits on it. */
void		 gc_settle(const char *recipient, const char *id, int rejected,
		    const char *reason);

/* The connection owner is going away: its envelopes are still committed
 * (the sender will resend and get DUPLICATE), but no callback names it. */
void		 gc_forget(void *owner);

/* Commits what is pending now (also run by the loop). */
void		 gc_flush(void);

/* Envelopes still waiting (for status and tests). */
int		 gc_pending(void);

/* Drops what is pending without a receipt (the senders retry) and frees
 * the event.  For shutdown. */
void		 gc_shutdown(void);

#endif
