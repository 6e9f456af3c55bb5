/*
 * pocctl's output layer: every result goes through one printer, text (for
 * people) or JSON (for scripts), chosen once by --json.  Commands never
 * print results themselves.
 */
#ifndef POCCTL_OUTPUT_H
#define POCCTL_OUTPUT_H

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

/* Columns available on stdout: the terminal's width, else 100. */
size_t	 output_columns(void);

#endif
