/*
 * pocctl's output layer: every result goes through one printer, text (for
 * people) or JSON (for scripts), chosen once by --json.  Commands never
 * print results themselves.
 */
#ifndef POCCTL_OUTPUT_H
#define POCCTL_OUTPUT_H

#include <stdio.h>

#include <jansson.h>

#include "proto/poc.pb-c.h"

struct output {
	/* pocctl status */
	void	(*status)(const Poc__OpStatusReply *);
	/* pocctl inbox / outbox */
	void	(*list)(const Poc__OpMessages *, Poc__OpList__Box);
	/* pocctl show */
	void	(*message)(const Poc__StoredMessage *);
	/* pocctl thread: the messages in the order given */
	void	(*thread)(const Poc__OpMessages *);
	/* pocctl send/ack/respond: "queued ID", with the thread if asked */
	void	(*queued)(const Poc__OpQueued *, int with_thread);
};

/* The text printer (json = 0) or the JSON printer (json = 1). */
const struct output	*output_get(int json);

/* Prints a JSON value on stdout, indented, keys in order. */
void	 output_json(const json_t *);

/* A stored message as JSON: the envelope's fields (every one) with the
 * node-local keys beside them (direction, state, received_at, ...). */
json_t	*output_message_json(const Poc__StoredMessage *);

/* Reports a template rejected field by field on stderr: what names the
 * input ("FILE" or "standard input"), retry the command to suggest. */
void	 output_field_errors(const char *what, const char *retry,
	    const Poc__FieldError *const *errs, size_t n);

/* Communication checks and deadlines (output_checks.c): campaign reports
 * (one in full, or one line each with list); the deadline lines of an
 * outgoing request or notification (show), the overdue hints under a
 * listing, and the deadline keys of its JSON. */
void	 output_campaigns(const Poc__CheckCampaigns *, int list, int json);
void	 output_deadline_text(FILE *, const Poc__StoredMessage *);
void	 output_deadline_hints(FILE *, const Poc__OpMessages *);
void	 output_deadline_json(json_t *, const Poc__StoredMessage *);

/* Columns available on stdout: the terminal's width, else 100. */
size_t	 output_columns(void);

/*
 * Progress of a long operation (directory import or sync, a check
 * campaign), for people watching a terminal:
 *
 *	for (i = 0; i < n; i++) {
 *		output_progress(_("importing"), i + 1, n);
 *		...
 *	}
 *	output_progress_done();
 *
 * output_progress() redraws one line on stderr ("importing: 12/40 (30%)";
 * total 0 = unknown: "importing: 12"), and only when stderr is a
 * terminal, so scripts and --json output never see it.
 * output_progress_done() erases the line; call it before printing the
 * result or an error.
 */
void	 output_progress(const char *what, size_t done, size_t total);
void	 output_progress_done(void);

/* OpenMetrics text of a status reply (pocctl metrics, metrics.c). */
void	 output_metrics(const Poc__OpStatusReply *);

#endif
