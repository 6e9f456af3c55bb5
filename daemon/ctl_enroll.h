/*
 * The operator's enrollment requests (rows of control.c's table, see
 * ctl.h): the requests of members asking to join through this node, and
 * the decision on one (docs/directory.md "Joining").
 */
#ifndef POC_CTL_ENROLL_H
#define POC_CTL_ENROLL_H

#include "ctl.h"

void	 ctl_enroll_list(const char *op, const Poc__OpRequest *,
	    Poc__OpReply *);
void	 ctl_enroll_decide(const char *op, const Poc__OpRequest *,
	    Poc__OpReply *);

/* Frees what the handlers above put in rep, after it is sent. */
void	 ctl_enroll_free(Poc__OpReply *);

#endif
