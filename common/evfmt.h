/*
 * One form of a node event (NodeEvent) for programs: the JSON object the
 * [alert] command reads on its standard input and `pocctl watch --json`
 * prints, one per line; and the names of its kinds.  Shared by pocd
 * (alert.c) and pocctl (cmd_watch.c) so that both say the same.
 */
#ifndef POC_EVFMT_H
#define POC_EVFMT_H

#include <jansson.h>

#include "proto/poc.pb-c.h"

/* The event as a JSON object: its fields by their proto names (enums by
 * value name, empty ones left out) and "show", the pocctl command that
 * shows its message ("" if it names none).  NULL if out of memory. */
json_t	*evfmt_json(const Poc__NodeEvent *ev);

/* The kind's name ("ARRIVAL"), or "UNKNOWN". */
const char *evfmt_kind_name(Poc__NodeEvent__Kind kind);

/* A kind or urgency by name, any case.  Returns the value, or -1. */
int	 evfmt_kind_parse(const char *name);
int	 evfmt_urgency_parse(const char *name);

/* The urgency's name ("FLASH"), or "" when not given. */
const char *evfmt_urgency_name(Poc__Urgency u);

#endif
