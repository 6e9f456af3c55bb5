/*
 * The words pocctl prints for where a message stands, one table for every
 * view (inbox and outbox tables, show, thread, --json), and the times it
 * prints with their age.  The table and what each word means are in
 * pocctl(1), STATES.
 */
#ifndef POCCTL_VOCAB_H
#define POCCTL_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "proto/poc.pb-c.h"

/* The state word of sm, in English (the --json "state" and the msgid):
 * queued, delivered, rejected, received, acknowledged or overdue. */
const char	*vocab_state(const Poc__StoredMessage *sm);

/* The state word translated, for tables: "queued (2 attempts)" adds the
 * failed attempts to the word.  Returns buf. */
const char	*vocab_state_text(const Poc__StoredMessage *sm, char *buf,
		    size_t len);

/* 1 if the state word of sm wants the reader's attention (rejected,
 * overdue): tables show it in red. */
int		 vocab_state_alarm(const Poc__StoredMessage *sm);

/* "2026-12-05 02:10Z, 3 h ago" (or "in 4 h"): ms in UTC to the minute and
 * its distance from now; "-" for 0.  Returns buf. */
const char	*vocab_when(int64_t ms, int64_t now, char *buf, size_t len);

#endif
