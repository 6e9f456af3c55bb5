/*
 * The printers of communication checks and deadlines (output_checks.c):
 * campaign reports in text and JSON and the overdue lines, for the output
 * table; the deadline lines and keys that a message's view adds.
 */
#ifndef POCCTL_OUTPUT_CHECKS_H
#define POCCTL_OUTPUT_CHECKS_H

#include <stdio.h>

#include <jansson.h>

#include "proto/poc.pb-c.h"

/* Campaign reports: each in full, or one line each with list. */
void	 output_checks_text_campaigns(const Poc__CheckCampaigns *, int list);
void	 output_checks_json_campaigns(const Poc__CheckCampaigns *, int list);

/* The overdue outgoing messages among ms and whom to try (text only);
 * more: there are others, named by `pocctl outbox --overdue`. */
void	 output_checks_text_overdue(const Poc__OpMessages *, int more);

/* The case lifecycle and deadline lines of one message (show). */
void	 output_checks_deadline_text(FILE *, const Poc__StoredMessage *);

/* The deadline and case keys of a message's JSON object j. */
void	 output_checks_deadline_json(json_t *j, const Poc__StoredMessage *);

#endif
