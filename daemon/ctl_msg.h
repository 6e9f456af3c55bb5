/*
 * The operator's messages (rows of control.c's table, see ctl.h): send an
 * envelope through the outbox, list the inbox or the outbox, show one
 * message, show a thread.
 */
#ifndef POC_CTL_MSG_H
#define POC_CTL_MSG_H

#include "ctl.h"

void	 ctl_msg_send(const char *op, const Poc__OpRequest *, Poc__OpReply *);
void	 ctl_msg_list(const char *op, const Poc__OpRequest *, Poc__OpReply *);
void	 ctl_msg_show(const char *op, const Poc__OpRequest *, Poc__OpReply *);
void	 ctl_msg_thread(const char *op, const Poc__OpRequest *,
	    Poc__OpReply *);

/* Frees what the handlers above put in rep, after it is sent. */
void	 ctl_msg_free(Poc__OpReply *);

#endif
