/*
 * The operator's `pocctl status` and `pocctl metrics` (a row of
 * control.c's table, see ctl.h): the node, its queues and its peers.
 */
#ifndef POC_CTL_STATUS_H
#define POC_CTL_STATUS_H

#include "ctl.h"

void	 ctl_status_show(const char *op, const Poc__OpRequest *,
	    Poc__OpReply *);

/* Frees what ctl_status_show put in rep, after it is sent. */
void	 ctl_status_free(Poc__OpReply *);

#endif
