/*
 * Acknowledgement deadlines and escalation (DESIGN.md "Delivery"): every
 * outgoing AssistanceRequest and Notification must be acknowledged within
 * a period set by its urgency ([deadlines] in the config).  When one passes
 * without an Acknowledgement from the recipient, the case is marked overdue
 * in the store (with the time), a warning is logged once, and the
 * operator's views name the next PoC and channel to try.
 */
#ifndef POC_DEADLINE_H
#define POC_DEADLINE_H

#include <stdint.h>

#include "proto/poc.pb-c.h"

/* Gives every outgoing request/notification its deadline, finds the ones
 * that passed while the node was down, and arms the timer.  0 or -1. */
int	 deadline_init(void);
void	 deadline_shutdown(void);

/* The operator's envelope e is being queued, in the caller's transaction:
 * a request or notification gets its deadline row, a StatusUpdate its
 * place in the case, so that both commit with e or not at all.  0 or -1. */
int	 deadline_sent(const Poc__Envelope *e);

/* A message was queued (and committed): give a deadline row to whatever
 * still lacks one, and re-arm the timer for the earliest deadline. */
void	 deadline_kick(void);

/* A StatusUpdate e came from peer and was just stored: its case records
 * the change in the same transaction (handle.c). */
void	 deadline_case_received(const char *peer, const Poc__Envelope *e);

/* Cases overdue and still not acknowledged (for status), 0 on error. */
int	 deadline_overdue_count(void);

/* The acknowledgement period in ms of a message of urgency (a
 * Poc__Urgency) under the config in force. */
int64_t	 deadline_period_ms(int urgency);

/* Fills the deadline fields of the outgoing requests and notifications
 * among m (deadline_at, overdue_at, overdue, next_contacts, ...). */
void	 deadline_annotate(Poc__StoredMessage **m, int n);

#endif
