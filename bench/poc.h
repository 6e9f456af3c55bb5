/*
 * pocbench's pocd client: the peer protocol (Hello, then signed Envelopes
 * answered by Receipts) and the operator's OpSend for the drain benchmark.
 */
#ifndef POC_BENCH_POC_H
#define POC_BENCH_POC_H

#include "bconn.h"

/* Loads --key to sign envelopes with; exits on failure. */
void	 poc_init(void);

/* Hello both ways.  Returns 0, or -1 with the reason on stderr. */
int	 poc_hello(struct bconn *);

/* Queues n notifications with the 1 KiB description, framed, signed as
 * one batch (a single signature for n = 1). */
void	 poc_queue_envelopes(struct bconn *, int n);

/* Reads one receipt; 0 if it is ACCEPTED, else -1 (reason on stderr). */
int	 poc_receipt(struct bconn *);

/* Queues one operator OpSend of a 1 KiB notification to --to, framed. */
void	 poc_queue_op_send(struct bconn *);

/* Reads one OpReply; 0 if it says "queued", else -1. */
int	 poc_op_queued(struct bconn *);

#endif
