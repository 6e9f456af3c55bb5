/*
 * The error replies of operator requests (see ctl.h).  pocd handles
 * one request at a time, so one static reply is enough; it lives until the
 * next ctl_reset(), after the reply is sent.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static struct {
	Poc__OpError		 err;
	Poc__FieldError		 fe[VALIDATE_MAX_ERRORS];
	Poc__FieldError		*fep[VALIDATE_MAX_ERRORS];
	struct validate_result	 vr;
	char			 msg[512];
} reply;

void
ctl_reset(void)
{
	memset(&reply, 0, sizeof(reply));
	poc__op_error__init(&reply.err);
}

void
ctl_error(Poc__OpReply *rep, Poc__OpError__Code code, const char *fmt,
    ...)
{
	va_list	 ap;

	poc__op_error__init(&reply.err);
	va_start(ap, fmt);
	vsnprintf(reply.msg, sizeof(reply.msg), fmt, ap);
	va_end(ap);
	reply.err.code = code;
	reply.err.message = reply.msg;
	rep->kind_case = POC__OP_REPLY__KIND_ERROR;
	rep->error = &reply.err;
}

void
ctl_invalid(Poc__OpReply *rep, const struct validate_result *vr,
    const char *what)
{
	size_t	 i;

	reply.vr = *vr;
	ctl_error(rep, POC__OP_ERROR__CODE__INVALID, "%zu problem%s in %s",
	    reply.vr.total, reply.vr.total == 1 ? "" : "s", what);
	for (i = 0; i < reply.vr.n; i++) {
		poc__field_error__init(&reply.fe[i]);
		reply.fe[i].field = reply.vr.err[i].field;
		reply.fe[i].message = reply.vr.err[i].message;
		reply.fep[i] = &reply.fe[i];
	}
	reply.err.n_field_errors = reply.vr.n;
	reply.err.field_errors = reply.fep;
}
