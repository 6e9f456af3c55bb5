/*
 * The operator's cases (a row of control.c's table, see ctl.h): one
 * summary per thread opened by a request or a notification, most
 * recently active first, with whether it is overdue and what to do next.
 */
#ifndef POC_CTL_CASES_H
#define POC_CTL_CASES_H

#include "ctl.h"

void	 ctl_cases_list(const char *op, const Poc__OpRequest *,
	    Poc__OpReply *);

/* Frees what ctl_cases_list put in rep, after it is sent. */
void	 ctl_cases_free(Poc__OpReply *);

#endif
