/*
 * The operator's requests about communication checks (rows of control.c's
 * table, see ctl.h): start a campaign, and report one or list them.
 */
#ifndef POC_CTL_CHECKS_H
#define POC_CTL_CHECKS_H

#include "ctl.h"

void	 ctl_checks_start(const char *op, const Poc__OpRequest *,
	    Poc__OpReply *);
void	 ctl_checks_query(const char *op, const Poc__OpRequest *,
	    Poc__OpReply *);

/* Frees what the handlers above put in rep, after it is sent. */
void	 ctl_checks_free(Poc__OpReply *);

#endif
