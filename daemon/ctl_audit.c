/*
 * OpRequest.audit_export (see ctl_audit.h): one page of the audit log per
 * request, in seq order, exactly as stored, so that a changed row shows
 * up in the export and fails `pocctl audit verify` at that row.
 * OpRequest.audit_heads: the heads of other members' logs this node holds
 * as a witness (store_witness.c), as signed, with their certificates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_audit.h"
#include "log.h"
#include "node.h"
#include "store_audit.h"
#include "store_witness.h"
#include "validate.h"

/* Reply storage that lives until the reply is packed and sent. */
static Poc__AuditEntries	 audit_entries;
static Poc__OpAuditHeadList	 audit_heads;

void
ctl_audit_export(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	const Poc__AuditExportRequest	*a = req->audit_export;
	Poc__AuditEntry			**e = NULL;
	int				  n, limit;

	(void)op;
	if (a->after_seq < 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST,
		    "after_seq must not be negative");
		return;
	}
	limit = a->limit == 0 ? CTL_AUDIT_PAGE : (int)(a->limit >
	    CTL_AUDIT_PAGE_MAX ? CTL_AUDIT_PAGE_MAX : a->limit);
	/* One more than asked for says whether there is more. */
	if ((n = store_audit_load(env->store, a->after_seq, limit + 1,
	    &e)) < 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot "
		    "read the audit log (see the node's log)");
		return;
	}
	poc__audit_entries__init(&audit_entries);
	audit_entries.more = n > limit;
	if (n > limit) {
		protobuf_c_message_free_unpacked(&e[limit]->base, NULL);
		n = limit;
	}
	audit_entries.entries = e;
	audit_entries.n_entries = (size_t)n;
	rep->kind_case = POC__OP_REPLY__KIND_AUDIT_ENTRIES;
	rep->audit_entries = &audit_entries;
}

void
ctl_audit_free(Poc__OpReply *rep)
{
	Poc__AuditEntries	*a = rep->audit_entries;

	if (rep->kind_case != POC__OP_REPLY__KIND_AUDIT_ENTRIES)
		return;
	store_audit_entries_free(a->entries, (int)a->n_entries);
	a->entries = NULL;
	a->n_entries = 0;
}

void
ctl_audit_heads(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	const char		*member = req->audit_heads->member;
	Poc__HeldAuditHead	**h = NULL;
	int			  n;

	(void)op;
	if (member[0] != '\0' && !validate_member_code(member)) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST,
		    "member is not a member code");
		return;
	}
	if ((n = store_witness_list(env->store, member, &h)) < 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read the "
		    "audit heads (see the node's log)");
		return;
	}
	poc__op_audit_head_list__init(&audit_heads);
	audit_heads.heads = h;
	audit_heads.n_heads = (size_t)n;
	rep->kind_case = POC__OP_REPLY__KIND_AUDIT_HEAD_LIST;
	rep->audit_head_list = &audit_heads;
}

void
ctl_audit_heads_free(Poc__OpReply *rep)
{
	Poc__OpAuditHeadList	*a = rep->audit_head_list;

	if (rep->kind_case != POC__OP_REPLY__KIND_AUDIT_HEAD_LIST)
		return;
	store_witness_list_free(a->heads, (int)a->n_heads);
	a->heads = NULL;
	a->n_heads = 0;
}
