/*
 * The [alert] command (DESIGN.md "Alerts"): run for each event that
 * needs a person, as pocd's own user, without a shell, never blocking
 * the loop.  The event reaches it as one JSON object on standard input
 * (common/evfmt.h) and in a few POCD_* environment variables.
 *
 * Durability: which events alert is decided when they are raised, in
 * their transaction (events.h), so an alert is on disk, PENDING, before
 * its command can start.  It becomes DONE only after the command exits 0;
 * a failure or a timeout is retried with backoff up to [alert] attempts;
 * whatever is still PENDING at start-up runs then.  So a crash never eats
 * an alert; at worst a command that was running when pocd died runs
 * again.
 */
#ifndef POC_ALERT_H
#define POC_ALERT_H

#include <stdint.h>

#include "proto/poc.pb-c.h"

/* Subscribes to events and runs what is PENDING.  0 or -1 (logged: the
 * command is not an executable file). */
int	 alert_init(void);
void	 alert_shutdown(void);

/* Fills the alert fields of a status reply (OpStatusReply 180-199). */
void	 alert_status_fill(Poc__OpStatusReply *st);

#endif
