/*
 * What every operator-request handler shares, below control.c (the
 * operator listener, which calls the handlers from its table) and the
 * ctl_*.c files that implement them: the handler's signature and the
 * error replies.  It knows nothing of connections, so the handlers need
 * nothing from control.c.
 */
#ifndef POC_CTL_H
#define POC_CTL_H

#include "proto/poc.pb-c.h"
#include "validate.h"

/*
 * One kind of OpRequest: op is the operator making it (its certificate's
 * CN, valid for the whole request); fills rep, whose storage stays valid
 * until the reply is sent and the row's free function has run.
 */
typedef void	 ctl_handler_fn(const char *op, const Poc__OpRequest *req,
		    Poc__OpReply *rep);

/* Frees what a handler put in rep, after the reply is sent. */
typedef void	 ctl_free_fn(Poc__OpReply *rep);

/* Forgets the previous request's error reply (before each request). */
void	 ctl_reset(void);

/* Makes rep an OpError with code and the formatted message. */
void	 ctl_error(Poc__OpReply *rep, Poc__OpError__Code code,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Makes rep an INVALID OpError, "N problem(s) in what", listing the
 * problems of vr (copied) field by field. */
void	 ctl_invalid(Poc__OpReply *rep,
	    const struct validate_result *vr, const char *what);

#endif
