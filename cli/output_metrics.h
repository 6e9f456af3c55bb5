/*
 * The node's status as OpenMetrics text (output_metrics.c), for
 * `pocctl metrics`; the same in both output tables.
 */
#ifndef POCCTL_OUTPUT_METRICS_H
#define POCCTL_OUTPUT_METRICS_H

#include "proto/poc.pb-c.h"

/* The exposition of a status reply, ending with "# EOF". */
void	 output_metrics(const Poc__OpStatusReply *);

/* At exit: "pocd_up 0" and "# EOF" unless output_metrics() has printed;
 * for atexit(3). */
void	 output_metrics_down(void);

#endif
