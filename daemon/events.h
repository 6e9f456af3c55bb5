/*
 * Events for people (DESIGN.md "Alerts"): the one place where the
 * subsystems say that something happened that a person may need to know
 * (a FLASH request came in, a case of ours went overdue, ...), and from
 * which the [alert] command (alert.c) and `pocctl watch` (ctl_watch.c)
 * hear of it.
 *
 * Durability: a raiser calls events_* inside the transaction of the
 * change itself (the receive path's batch, the outbox's settle, the
 * deadline's mark), so the event is stored (store_events.c) if and only
 * if the change is; whether the [alert] command must run for it is
 * decided then too and recorded with it.  Subscribers hear of events only
 * after the COMMIT is on disk (for the group commit's batch, after its
 * ticket's fdatasync: store_sync.h), on a later turn of the loop, in seq
 * order, read back from the store: a rolled-back batch announces nothing, and a crash
 * between the commit and the announcement loses nothing that alert.c
 * does not find PENDING at the next start.
 *
 * Layering: this module sits below the subsystems that raise events
 * (receive.c, outbox.c, deadline.c, events_expiry.c) and knows its
 * subscribers only through the events_sub tables they hand it.
 */
#ifndef POC_EVENTS_H
#define POC_EVENTS_H

#include <stdint.h>

#include "proto/poc.pb-c.h"

struct event_base;

/* Commits with events that events.c tracks while they wait for the disk;
 * beyond, the newest share the last place (announced later, not lost). */
#define EVENTS_WAIT_MAX		32

struct events_sub {
	/* In the raiser's transaction: 1 if the [alert] command must run
	 * for ev (recorded PENDING with it).  May be NULL. */
	int	(*wants_alert)(const Poc__NodeEvent *ev);
	/* After the commit, on the loop: each new event, in seq order. */
	void	(*event)(const Poc__NodeEvent *ev);
	/* 1 while event wants every new event, 0 while it wants only those
	 * raised as alerts (the others are then not read back from the
	 * store; they stay there for whoever comes later).  NULL: always 1. */
	int	(*wants_all)(void);
};

/* Announces on base's loop.  Returns 0 or -1. */
int	 events_init(struct event_base *base);
void	 events_shutdown(void);

/* Adds a subscriber (at most a few; fatal beyond). */
void	 events_subscribe(const struct events_sub *);

/* The newest event known to be on disk (what may be acted upon). */
uint64_t events_last_durable(void);

/* The newest event announced so far (for a watch that starts now). */
uint64_t events_last_announced(void);

/* Records ev (at = now if 0) and, if new, has it announced after the
 * commit.  dedupe as in store_events_put().  Returns 1 stored, 0 already
 * raised under dedupe, -1 error (logged). */
int	 events_raise(Poc__NodeEvent *ev, const char *dedupe);

/* Fills the fields of ev that come from the envelope e is (case, id,
 * urgency, TLP, exercise, summary); ev borrows e's strings. */
void	 events_fill(Poc__NodeEvent *ev, const Poc__Envelope *e);

/* An envelope from peer was just stored (the receive path's
 * transaction): ARRIVAL, ACKNOWLEDGED, RESPONDED, ... by its kind. */
void	 events_envelope_in(const char *peer, const Poc__Envelope *e);

/* A receipt for our envelope id to peer was just recorded (the outbox's
 * settle, in the batch): DELIVERED, or DELIVERY_REJECTED with reason. */
void	 events_delivery(const char *peer, const char *id, int rejected,
	    const char *reason);

/* Our envelope id to peer, queued at queued_at, is still not delivered
 * after [alert] delivery_failing: raised once per envelope. */
void	 events_delivery_failing(const char *peer, const char *id,
	    int64_t queued_at, const char *last_error);

/* Our message id to peer went overdue at deadline_at (in the deadline's
 * transaction); detail names the next PoC and channel.  Once per id. */
void	 events_overdue(const char *id, const char *peer, int urgency,
	    int64_t deadline_at, const char *detail);

/* The node certificate or the own directory record (kind) expires at
 * not_after: raised once per subject, not_after and days (30, 7, 1). */
void	 events_expiring(Poc__NodeEvent__Kind kind, const char *subject,
	    int64_t not_after, int days);

/* Member code asks this registry to join with the certificate of
 * fingerprint fp, from source (the request's transaction): raised once
 * per code and certificate, as the request waits for an operator. */
void	 events_enrollment_waiting(const char *code, const char *fp,
	    const char *source);

/* An audit log contradicts a head its node signed (docs/witness.md):
 * member's, a head of which we hold as a witness (ours = 0), or our own,
 * as witness member told us (ours = 1); why says how.  Raised once per
 * dedupe key, in the transaction that keeps the evidence. */
void	 events_audit_conflict(const char *member, int ours, const char *why,
	    const char *dedupe);

#endif
