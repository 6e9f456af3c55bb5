/*
 * The printers of `pocctl cases` and of the paging hint under a full page
 * of a listing (output_cases.c), put in the output table by output.c.
 */
#ifndef POCCTL_OUTPUT_CASES_H
#define POCCTL_OUTPUT_CASES_H

#include <stdint.h>

#include "proto/poc.pb-c.h"

/* Text: one aligned row per case; JSON: an array of case objects, each
 * with its "cursor" (last_seq) for --before. */
void	 output_cases_text(const Poc__OpCaseList *);
void	 output_cases_json(const Poc__OpCaseList *);

/* Under a full page of command cmd: how to ask for the next (text); the
 * JSON carries each row's cursor instead and prints nothing. */
void	 output_cases_text_more(const char *cmd, int64_t before);
void	 output_cases_json_more(const char *cmd, int64_t before);

#endif
