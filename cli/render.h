/*
 * Human rendering of stored messages for pocctl: the full labelled view
 * (show), the compact block (thread), and the short names, states and
 * one-line digests that the listings use.  Labels go through gettext; free
 * text is printed as written, with terminal control characters defused.
 */
#ifndef POCCTL_RENDER_H
#define POCCTL_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/poc.pb-c.h"

/* Short kind for tables: request, response, notification, ack, update,
 * check, check-reply; "?" when no body is set. */
const char	*render_kind_short(const Poc__Envelope *);

/* Translated title in capitals: "ASSISTANCE REQUEST". */
const char	*render_kind_title(const Poc__Envelope *);

/* The name of value in an enum ("HIGH"), "" for 0, the number if unknown. */
const char	*render_enum(const ProtobufCEnumDescriptor *, int value,
		    char *buf, size_t len);

/* TLP 2.0 label without the prefix: CLEAR ... AMBER+STRICT, RED; "" if
 * not given. */
const char	*render_tlp(Poc__Tlp);

/* The urgency of a request or notification ("FLASH"), else "". */
const char	*render_urgency(const Poc__Envelope *);

/* Unix ms as "2026-11-25 03:47Z" (UTC), "-" for 0. */
const char	*render_time_short(int64_t ms, char *buf, size_t len);

/* One-line state for listings: received, acked, delivered, rejected,
 * queued (N attempts). */
const char	*render_state(const Poc__StoredMessage *, char *buf, size_t len);

/* One-line digest: the summary, or "ack of 1a2b3c4d", "WILL_ASSIST re
 * 1a2b3c4d", "IN_PROGRESS: text" ...; "[EXERCISE] " in front for drills.
 * The result is sanitized to one line. */
const char	*render_digest(const Poc__Envelope *, char *buf, size_t len);

/* The full labelled rendering of one message (pocctl show). */
void		 render_message(FILE *, const Poc__StoredMessage *);

/* A compact block: one header line, then the body fields (pocctl thread). */
void		 render_block(FILE *, const Poc__StoredMessage *);

/* Copies s into buf as one line: newlines and tabs become spaces, other
 * control characters U+FFFD; cut on a character boundary if too long. */
const char	*render_oneline(const char *s, char *buf, size_t len);

/* Display width of a UTF-8 string in terminal columns. */
size_t		 render_width(const char *s);

/* Cuts s in place so that it is at most width columns, ending with "..."
 * when something was cut. */
void		 render_truncate(char *s, size_t width);

#endif
