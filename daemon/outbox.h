/*
 * Delivery of queued envelopes to peers: one queue per recipient, one
 * connection per queue, a window of unacknowledged envelopes, and capped
 * exponential backoff with jitter between attempts, kept in the store so
 * that it survives restarts.
 */
#ifndef POC_OUTBOX_H
#define POC_OUTBOX_H

#include <stdint.h>

/* Loads every recipient with queued envelopes and schedules its next
 * attempt (at the time the store says, or now). */
int	 outbox_init(void);

/* A new envelope for member was committed: send it now if connected,
 * connect if idle; a queue waiting out its backoff keeps waiting. */
void	 outbox_kick(const char *member);

/* Closes every connection of the outbox, which dials again (after the
 * usual wait) with the TLS context then in force: a new node
 * certificate. */
void	 outbox_reconnect(const char *reason);

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
