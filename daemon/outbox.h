/*
 * Delivery of queued envelopes to peers: one queue per recipient, one
 * connection per queue, a window of unacknowledged envelopes, and capped
 * exponential backoff with jitter between attempts, kept in the store so
 * that it survives restarts.
 */
#ifndef POC_OUTBOX_H
#define POC_OUTBOX_H

#include <stdint.h>
#include "proto/poc.pb-c.h"

struct outq;
struct peer;

/* Loads every recipient with queued envelopes and schedules its next
 * attempt (at the time the store says, or now). */
int	 outbox_init(void);

/* A new envelope for member was committed: send it now if connected,
 * connect if idle; a queue waiting out its backoff keeps waiting. */
void	 outbox_kick(const char *member);

/* Called by peer.c for outbound connections. */
void	 outbox_peer_up(struct outq *, struct peer *);
void	 outbox_peer_receipt(struct outq *, const Poc__Receipt *);
void	 outbox_peer_down(struct outq *, struct peer *, const char *reason);

/* Whether member's queue has an established connection now. */
int	 outbox_connected(const char *member);

/* Closes every connection and frees the queues (shutdown). */
void	 outbox_shutdown(void);

/*
 * The delay before attempt number `failures` + 1, in milliseconds: the
 * initial delay doubled per failure, capped at max, then "equal jitter"
 * (half fixed, half random from rnd) so that peers reconnecting after an
 * outage spread out.  Pure: same inputs, same result.
 */
int64_t	 outbox_backoff(unsigned failures, int initial_s, int max_s,
	    uint32_t rnd);

#endif
