/*
 * The operator listener's RPC (pocctl <-> its own node): one OpRequest,
 * one OpReply, any number in turn on one connection.
 */
#ifndef POC_CONTROL_H
#define POC_CONTROL_H

/* Takes over a socket accepted on the operator listener. */
void	 control_accept(int fd, const char *addr);

struct ctl;

/* The operator on a connection (its certificate's CN), for the handlers
 * that live in other files. */
const char	*control_operator(const struct ctl *);

/* Closes every operator connection (shutdown). */
void	 control_close_all(void);

#endif
