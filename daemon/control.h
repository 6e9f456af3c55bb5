/*
 * The operator listener's RPC (pocctl <-> its own node): one OpRequest,
 * one OpReply, any number in turn on one connection.  The requests are
 * handled by the ctl_*.c files (see ctl.h).
 */
#ifndef POC_CONTROL_H
#define POC_CONTROL_H

/* Takes over a socket accepted on the operator listener. */
void	 control_accept(int fd, const char *addr);

/* Closes every operator connection (shutdown). */
void	 control_close_all(void);

#endif
