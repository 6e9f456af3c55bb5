/*
 * Human rendering of stored messages for pocctl: the full labelled view
 * (show), the compact block (thread), and the short names, states and
 * one-line digests that the listings use.  Labels go through gettext; free
 * text is printed through term.h, with terminal control characters
 * defused.
 */
#ifndef POCCTL_RENDER_H
#define POCCTL_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/poc.pb-c.h"

/* The colour of a TLP label (RED red, AMBER yellow, GREEN green) as a
 * TERM_ sequence, or "". */
const char	*render_tlp_color(Poc__Tlp);

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

/* One-line digest: the summary, or "ack of 1a2b3c4d", "WILL_ASSIST re
 * 1a2b3c4d", "IN_PROGRESS: text" ...; "[EXERCISE] " in front for drills.
 * The result is sanitized to one line. */
const char	*render_digest(const Poc__Envelope *, char *buf, size_t len);

/* Translated label of field of body kind member ("assistance_request",
 * "summary"), or of an envelope field ("recipient") when member is NULL;
 * NULL if the field has no label. */
const char	*render_field_label(const char *member, const char *field);

/* Translated title of body kind member ("ASSISTANCE REQUEST"), or NULL. */
const char	*render_member_title(const char *member);

/* Translated fixed statement of body kind member (para 30(c) for
 * acknowledgements, 30(d) for notifications), or NULL. */
const char	*render_statement(const char *member);

/* The full labelled rendering of one message (pocctl show). */
void		 render_message(FILE *, const Poc__StoredMessage *);

/* A compact block: one header line, then the body fields (pocctl thread). */
void		 render_block(FILE *, const Poc__StoredMessage *);

#endif
