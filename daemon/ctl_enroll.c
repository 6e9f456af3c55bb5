/*
 * The operator's enrollment requests (see ctl_enroll.h).  The decision
 * itself, its checks and its transaction are enroll.c's; this file turns
 * requests and rows into replies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_enroll.h"
#include "enroll.h"
#include "node.h"
#include "store_enroll.h"
#include "validate.h"

/* Reply storage that lives until the reply is sent. */
static struct {
	Poc__OpEnrollments	 reply;
	Poc__EnrollmentEntry	*entries;
	Poc__EnrollmentEntry	**entryp;
	struct store_enroll_row	*rows;
	int			 nrows;
	struct store_enroll_row	 one;
} ce;

/* Makes rep an OpEnrollments of ce.rows[0..n). */
static void
ctl_enroll_reply(Poc__OpReply *rep, struct store_enroll_row *rows, int n)
{
	int	 i;

	ce.entries = calloc((size_t)n + 1, sizeof(*ce.entries));
	ce.entryp = calloc((size_t)n + 1, sizeof(*ce.entryp));
	if (ce.entries == NULL || ce.entryp == NULL) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		enroll_entry(&ce.entries[i], &rows[i]);
		ce.entryp[i] = &ce.entries[i];
	}
	poc__op_enrollments__init(&ce.reply);
	ce.reply.entries = ce.entryp;
	ce.reply.n_entries = (size_t)n;
	ce.reply.policy = env->conf.enrollment;
	rep->kind_case = POC__OP_REPLY__KIND_ENROLLMENTS;
	rep->enrollments = &ce.reply;
}

void
ctl_enroll_list(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	(void)op;
	if ((ce.nrows = store_enroll_list(env->store, req->enroll_list->all,
	    &ce.rows)) < 0) {
		ce.nrows = 0;
		ce.rows = NULL;
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read the "
		    "enrollment requests");
		return;
	}
	ctl_enroll_reply(rep, ce.rows, ce.nrows);
}

void
ctl_enroll_decide(const char *op, const Poc__OpRequest *req,
    Poc__OpReply *rep)
{
	const Poc__OpEnrollDecide	*d = req->enroll_decide;
	char				 err[400];
	int				 notfound;

	if (!validate_member_code(d->member)) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "\"%.40s\" "
		    "is not a member code", d->member);
		return;
	}
	if (strlen(d->reason) > 200) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "the reason "
		    "is longer than 200 bytes");
		return;
	}
	if (d->fingerprint[0] != '\0' && strlen(d->fingerprint) != 64) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "a "
		    "fingerprint is 64 hex digits");
		return;
	}
	if (enroll_decide(d->member, d->approve, d->reason, d->fingerprint,
	    op, &ce.one, &notfound, err, sizeof(err)) != 0) {
		ctl_error(rep, notfound ? POC__OP_ERROR__CODE__NOT_FOUND :
		    POC__OP_ERROR__CODE__INVALID, "%s", err);
		return;
	}
	ctl_enroll_reply(rep, &ce.one, 1);
}

void
ctl_enroll_free(Poc__OpReply *rep)
{
	(void)rep;
	free(ce.entries);
	free(ce.entryp);
	store_enroll_rows_free(ce.rows, ce.nrows);
	store_enroll_row_clear(&ce.one);
	memset(&ce, 0, sizeof(ce));
}
