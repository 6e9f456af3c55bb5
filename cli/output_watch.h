/*
 * `pocctl watch` printers (output_watch.c): one line per event, aligned
 * in fixed columns (a stream cannot be measured first), or one JSON
 * object per line (common/evfmt.h, the same object the [alert] command
 * reads).
 */
#ifndef POCCTL_OUTPUT_WATCH_H
#define POCCTL_OUTPUT_WATCH_H

#include "proto/poc.pb-c.h"

void	 output_watch_text_event(const Poc__NodeEvent *);
void	 output_watch_json_event(const Poc__NodeEvent *);

#endif
