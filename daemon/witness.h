/*
 * Witnessed audit heads (docs/witness.md), both roles of every node:
 *
 *   signer   signs the head of our own audit log and sends it to the
 *            peers connected to us: when a connection comes up, every
 *            [audit] head_interval, and (at most once a second) after
 *            receipts went out, since those are what grew the log.
 *            Heads go on connections the outbox dialled to deliver our
 *            messages, and on others once the other side sent a head:
 *            a client that speaks envelopes only, or a directory
 *            upstream, never sees a frame kind it does not know;
 *   witness  verifies each peer's head with the certificate pinned for
 *            the connection and keeps the latest (store_witness.c), never
 *            going back: a shorter head, or one of the same length with
 *            another hash, is kept beside it as evidence, logged, and
 *            handed back to its signer in a WitnessedHead.
 *
 * When a connection comes up, the witness also sends the peer the head
 * of its log it holds; the peer checks its own log against it and, if
 * its log is shorter or differs there, logs so loudly and shows it in
 * status (witness_alarm).
 *
 * Wired by main through the serving table (peer.h): up, down, and the
 * AuditHead and WitnessedHead frames; the receive path's receipts through
 * witness_receipt_sent; the outbox's connections through witness_speaks.
 */
#ifndef POC_WITNESS_H
#define POC_WITNESS_H

#include <stdint.h>

#include "proto/poc.pb-c.h"

struct peer;

#define WITNESS_RECEIPT_GAP_MS	1000	/* heads with receipts, at most */

/* Starts the timer.  Returns 0 or -1. */
int	 witness_init(void);
void	 witness_shutdown(void);

/* A connection is ESTABLISHED: noted; heads go on it once it speaks
 * them (witness_speaks). */
void	 witness_up(struct peer *);

/* Heads go both ways on p: the outbox dialled it to send our messages,
 * or it sent a head.  Our head and the head of theirs we hold go to it
 * on the next loop turn (not now: see peer.h).  A peer whose Hello did
 * not say it takes heads (a node before witnessed heads) is sent none. */
void	 witness_speaks(struct peer *);

/* The connection ended: nothing more is sent to it. */
void	 witness_down(struct peer *);

/* A receipt went out on p: a fresh head follows within
 * WITNESS_RECEIPT_GAP_MS. */
void	 witness_receipt_sent(struct peer *);

/* An AuditHead or WitnessedHead frame from p (the serving table's). */
void	 witness_frame(struct peer *, const Poc__PeerFrame *);

/* Fills status's audit fields (OpStatusReply 200-205): what a witness
 * told us of our own log (borrowed strings), our last signed head, and
 * the contradicting heads we hold of others.  0 or -1. */
int	 witness_status_fill(Poc__OpStatusReply *);

#endif
