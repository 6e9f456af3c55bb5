/*
 * pocctl cases (see ctl_cases.h).  The store hands a page of its cases
 * table with each case's opening message (store_list.c); this adds what
 * needs the node's state: the deadline annotations of our own requests
 * and notifications (deadline.c), whether theirs waits past the period
 * of its urgency, and the next step.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cases.h"
#include "ctl_sig.h"
#include "deadline.h"
#include "node.h"
#include "store.h"
#include "store_list.h"
#include "util.h"
#include "validate.h"

#define CTL_CASES_LIMIT_MAX	10000

/* Reply storage that lives until the reply is sent. */
static struct {
	Poc__OpCaseList		  list;
	Poc__CaseSummary	 *sums;
	Poc__CaseSummary	**ptrs;
	struct store_case	 *cases;
	int			  n;
} cases_reply;

/* A status that ends the case. */
static int
ctl_cases_ended(int status)
{
	return status == POC__CASE_STATUS__RESOLVED ||
	    status == POC__CASE_STATUS__CLOSED ||
	    status == POC__CASE_STATUS__WITHDRAWN;
}

/* The urgency of a request or notification, else 0. */
static int
ctl_cases_urgency(const Poc__Envelope *e)
{
	if (e->body_case == POC__ENVELOPE__BODY_ASSISTANCE_REQUEST)
		return (int)e->assistance_request->urgency;
	if (e->body_case == POC__ENVELOPE__BODY_NOTIFICATION)
		return (int)e->notification->urgency;
	return 0;
}

/*
 * Fills sum's overdue and next step from its opening message m (already
 * annotated) and status, at now.  Ours waits for their acknowledgement
 * (late: escalate) and, for a request, their response; theirs waits for
 * ours, late once the period of its urgency has passed since it came.
 */
static void
ctl_cases_next(Poc__CaseSummary *sum, const Poc__StoredMessage *m,
    int status, int64_t now)
{
	const Poc__Envelope	*e = m->envelope;
	const char		*next;
	int			 request, ours;

	request = e->body_case == POC__ENVELOPE__BODY_ASSISTANCE_REQUEST;
	ours = strcmp(m->direction, "out") == 0;
	if (ours)
		sum->overdue = m->overdue;
	else
		sum->overdue = m->acked_at == 0 && m->received_at +
		    deadline_period_ms(ctl_cases_urgency(e)) <= now;
	if (ctl_cases_ended(status))
		next = "none";
	else if (ours && m->acked_at == 0)
		next = sum->overdue ? "escalate" : "await-ack";
	else if (ours && request && m->answered_at == 0)
		next = "await-response";
	else if (!ours && m->acked_at == 0)
		next = "acknowledge";
	else if (!ours && request && m->answered_at == 0)
		next = "respond";
	else
		next = "update";
	/* A literal: the reply never frees it. */
	sum->next_step = (char *)next;
}

void
ctl_cases_list(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	const Poc__OpCases		 *q = req->cases;
	struct store_cases_filter	  f;
	Poc__StoredMessage		**open = NULL;
	int64_t				  now = util_now_ms();
	int				  n, i;

	(void)op;
	memset(&cases_reply, 0, sizeof(cases_reply));
	if (q->before < 0 || q->after < 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "before and "
		    "after cannot be negative");
		return;
	}
	if (q->party[0] != '\0' && !validate_member_code(q->party)) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "\"%.40s\" "
		    "is not a member code", q->party);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.limit = q->limit == 0 || q->limit > CTL_CASES_LIMIT_MAX ? 100 :
	    (int)q->limit;
	f.before = q->before;
	f.after = q->after;
	f.open = q->open;
	f.party = q->party;
	if ((n = store_cases(env->store, &f, &cases_reply.cases)) < 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read the "
		    "store");
		return;
	}
	cases_reply.n = n;
	if (n > 0 && ((cases_reply.sums = calloc((size_t)n,
	    sizeof(*cases_reply.sums))) == NULL ||
	    (cases_reply.ptrs = calloc((size_t)n,
	    sizeof(*cases_reply.ptrs))) == NULL ||
	    (open = calloc((size_t)n, sizeof(*open))) == NULL)) {
		free(open);
		ctl_cases_free(rep);
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		open[i] = cases_reply.cases[i].opening;
	deadline_annotate(open, n);
	ctl_sig_annotate(open, (size_t)n);
	free(open);
	for (i = 0; i < n; i++) {
		Poc__CaseSummary	*sum = &cases_reply.sums[i];
		struct store_case	*c = &cases_reply.cases[i];

		poc__case_summary__init(sum);
		sum->opening = c->opening;
		sum->status = (Poc__CaseStatus)c->status;
		sum->last_seq = c->last_seq;
		sum->last_at = c->last_at;
		sum->messages = c->messages;
		ctl_cases_next(sum, c->opening, c->status, now);
		cases_reply.ptrs[i] = sum;
	}
	poc__op_case_list__init(&cases_reply.list);
	cases_reply.list.cases = cases_reply.ptrs;
	cases_reply.list.n_cases = (size_t)n;
	rep->kind_case = POC__OP_REPLY__KIND_CASE_LIST;
	rep->case_list = &cases_reply.list;
}

void
ctl_cases_free(Poc__OpReply *rep)
{
	(void)rep;
	store_cases_free(cases_reply.cases, cases_reply.n);
	free(cases_reply.sums);
	free(cases_reply.ptrs);
	memset(&cases_reply, 0, sizeof(cases_reply));
}
