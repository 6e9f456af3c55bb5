/*
 * The printers of sends to many (output_many.c), called by output_view.c:
 * the ids queued, a case's matrix (per recipient: delivery, delivered,
 * acknowledged, responded, overdue, with times) and the latest cases in
 * status.
 */
#ifndef POCCTL_OUTPUT_MANY_H
#define POCCTL_OUTPUT_MANY_H

#include <stdio.h>

#include <jansson.h>

#include "proto/poc.pb-c.h"

/* Text: "queued KIND to N members (thread T)" and one row per member. */
void	 output_many_text_queued(const Poc__OpQueued *);

/* Text: the case's header and its matrix, one row per recipient. */
void	 output_many_text_case(FILE *, const Poc__SendManyCase *);

/* Text: the latest cases, one row each with their counts. */
void	 output_many_text_cases(FILE *, Poc__SendManyCase *const *,
	    size_t n);

/* Whether sm is one of c's own envelopes other than the first listed
 * (the thread shows the message once, then the matrix). */
int	 output_many_is_copy(const Poc__SendManyCase *,
	    const Poc__StoredMessage *sm, const char **first_id);

/* JSON: the case with its rows. */
json_t	*output_many_json_case(const Poc__SendManyCase *);

#endif
