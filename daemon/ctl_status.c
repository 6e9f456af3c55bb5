/*
 * OpRequest.status (see ctl_status.h): this node, its queues, and each
 * member of the directory with its connection and outbox state; the
 * operations fields are status.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_status.h"
#include "directory.h"
#include "dirsync.h"
#include "enroll.h"
#include "node.h"
#include "outbox.h"
#include "peer.h"
#include "sendmany.h"
#include "status.h"
#include "store.h"
#include "store_list.h"
#include "store_msg.h"
#include "util.h"
#include "witness.h"

/* Reply storage that lives until the reply is sent. */
static Poc__OpStatusReply	 status_reply;
static struct directory_peer	*status_peers;	/* the peers, until sent */

void
ctl_status_show(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	Poc__OpStatusReply		*st = &status_reply;
	struct store_outbox_peer	*ps = NULL;
	Poc__OpPeerStatus		*pp, **ppp;
	int				 i, j, n, npeers;

	(void)op;
	(void)req;
	poc__op_status_reply__init(st);
	/* The peers are the members of the directory (directory.c). */
	free(status_peers);
	if ((npeers = directory_peers(&status_peers)) < 0) {
		status_peers = NULL;
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read the "
		    "directory");
		return;
	}
	if ((n = store_outbox_peers(env->store, &ps)) < 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read the "
		    "outbox");
		return;
	}
	st->member = env->conf.member;
	st->software = (char *)POCD_SOFTWARE;
	st->started_at = env->started_at;
	st->now = util_now_ms();
	st->inbox = (uint32_t)store_count(env->store, STORE_INBOX, 0);
	st->outbox_queued = (uint32_t)store_count(env->store, STORE_OUTBOX, 1);
	(void)status_ops_fill(st);	/* operations fields (status.c) */
	/* Federation: upstreams and enrollment (dirsync.c, enroll.c). */
	(void)dirsync_status_fill(st);
	(void)enroll_status_fill(st);
	(void)witness_status_fill(st);
	pp = calloc((size_t)npeers + 1, sizeof(*pp));
	ppp = calloc((size_t)npeers + 1, sizeof(*ppp));
	if (pp == NULL || ppp == NULL) {
		free(pp);
		free(ppp);
		free(ps);
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "out of memory");
		return;
	}
	for (i = 0; i < npeers; i++) {
		const struct directory_peer	*cp = &status_peers[i];

		poc__op_peer_status__init(&pp[i]);
		pp[i].member = (char *)cp->member;
		pp[i].endpoint = (char *)cp->endpoint;
		pp[i].connected = outbox_connected(cp->member) ||
		    peer_count_inbound(cp->member) > 0;
		for (j = 0; j < n; j++)
			if (strcmp(ps[j].recipient, cp->member) == 0) {
				pp[i].queued = ps[j].queued;
				pp[i].oldest_queued_at = ps[j].oldest_queued_at;
				pp[i].next_attempt_at = ps[j].next_attempt_at;
				pp[i].last_error = strdup(ps[j].last_error);
			}
		ppp[i] = &pp[i];
	}
	if (npeers == 0)
		ppp[0] = pp;	/* so that ctl_status_free frees it */
	st->n_peers = (size_t)npeers;
	st->peers = ppp;
	st->cases_to_many = sendmany_latest(&st->n_cases_to_many);
	rep->kind_case = POC__OP_REPLY__KIND_STATUS;
	rep->status = st;
	free(ps);
}

void
ctl_status_free(Poc__OpReply *rep)
{
	Poc__OpStatusReply	*st = rep->status;
	size_t			 i;

	if (rep->kind_case != POC__OP_REPLY__KIND_STATUS)
		return;
	status_ops_free(st);
	dirsync_status_free(st);
	enroll_status_free(st);
	sendmany_cases_free(st->cases_to_many, st->n_cases_to_many);
	st->cases_to_many = NULL;
	st->n_cases_to_many = 0;
	if (st->peers == NULL)
		return;
	for (i = 0; i < st->n_peers; i++)
		if (st->peers[i]->last_error != protobuf_c_empty_string)
			free(st->peers[i]->last_error);
	free(st->peers[0]);
	free(st->peers);
	st->peers = NULL;
	st->n_peers = 0;
	free(status_peers);
	status_peers = NULL;
}
