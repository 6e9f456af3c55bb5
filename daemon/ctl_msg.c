/*
 * The operator's messages (see ctl_msg.h): send one, list a box, show one,
 * show a thread.  A send is validated completely before anything is
 * stored, and "queued" is answered only after the envelope and its outbox
 * entry are committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "ctl.h"
#include "ctl_msg.h"
#include "ctl_sig.h"
#include "deadline.h"
#include "directory.h"
#include "log.h"
#include "msgid.h"
#include "msgsig.h"
#include "node.h"
#include "outbox.h"
#include "sendmany.h"
#include "sig.h"
#include "store.h"
#include "store_list.h"
#include "store_msg.h"
#include "store_send.h"
#include "store_tx.h"
#include "util.h"
#include "validate.h"

/* Reply storage that lives until the reply is sent (one request at a
 * time: pocd is single-threaded). */
static struct {
	Poc__OpQueued		 queued;
	Poc__OpMessages		 msgs;
	struct validate_result	 vr;
	char			 recipient[VALIDATE_MAX_MEMBER + 1];
	char			 id[UUID_STR_LEN];
	char			 id_nonce[MSGID_NONCE_HEX + 1];
	char			 thread[UUID_STR_LEN];
	uint8_t			 sig[SIG_MAX_LEN];	/* msgsig_sign() */
} reply_store;

/*
 * Completes an operator's envelope with what the node decides (id, sender,
 * created_at, thread) and checks what needs the node's state.  Envelope
 * strings set here point into reply_store and are unset again before the
 * request is freed.
 */
static int
ctl_msg_complete(const char *op, Poc__Envelope *e,
    struct validate_result *vr)
{
	Poc__StoredMessage	*ref = NULL;
	int			 r;

	if (e->id[0] == '\0') {
		/* Bound to this member (msgid.h), so that no other can
		 * send under it first. */
		if (msgid_new(env->conf.member, reply_store.id,
		    reply_store.id_nonce) != 0)
			return -1;
		e->id = reply_store.id;
		e->id_nonce = reply_store.id_nonce;
	}
	if (e->sender[0] == '\0')
		e->sender = env->conf.member;
	else if (strcmp(e->sender, env->conf.member) != 0)
		validate_add(vr, "sender", "must be this node (%s) or empty",
		    env->conf.member);
	if (e->created_at == 0)
		e->created_at = util_now_ms();
	if (e->recipient[0] != '\0' &&
	    !directory_known(e->recipient))
		validate_add(vr, "recipient", "unknown member \"%.32s\": not "
		    "in this node's directory", e->recipient);
	if (e->in_reply_to[0] == '\0') {
		if (e->thread_id[0] == '\0')
			e->thread_id = e->id;
	} else {
		r = store_get(env->store, e->in_reply_to, &ref);
		if (r != 1 || strcmp(ref->envelope->id, e->in_reply_to) != 0)
			validate_add(vr, "in_reply_to", "no message %.40s on "
			    "this node", e->in_reply_to);
		else {
			snprintf(reply_store.thread, sizeof(reply_store.thread),
			    "%s", ref->envelope->thread_id);
			if (e->thread_id[0] == '\0')
				e->thread_id = reply_store.thread;
			else if (strcmp(e->thread_id, reply_store.thread) != 0)
				validate_add(vr, "thread_id", "must be %s, the "
				    "thread of in_reply_to", reply_store.thread);
		}
		if (ref != NULL)
			protobuf_c_message_free_unpacked(&ref->base, NULL);
	}
	if (e->body_case == POC__ENVELOPE__BODY_ACKNOWLEDGEMENT &&
	    e->acknowledgement->acknowledged_by[0] == '\0') {
		/* The acknowledging person is the operator on this session. */
		e->acknowledgement->acknowledged_by = (char *)op;
	}
	if (e->body_case == POC__ENVELOPE__BODY_CHECK_REPLY &&
	    e->check_reply->replied_by[0] == '\0') {
		/* Likewise the person answering a communication check. */
		e->check_reply->replied_by = (char *)op;
	}
	return 0;
}

/* Undoes the borrowed pointers ctl_msg_complete set, before freeing e. */
static void
ctl_msg_uncomplete(const char *op, Poc__Envelope *e)
{
	if (e->id == reply_store.id)
		e->id = (char *)protobuf_c_empty_string;
	if (e->id_nonce == reply_store.id_nonce)
		e->id_nonce = (char *)protobuf_c_empty_string;
	if (e->sender == env->conf.member)
		e->sender = (char *)protobuf_c_empty_string;
	if (e->signature.data == reply_store.sig) {
		e->signature.data = NULL;
		e->signature.len = 0;
	}
	if (e->thread_id == reply_store.thread || e->thread_id == e->id ||
	    e->thread_id == reply_store.id)
		e->thread_id = (char *)protobuf_c_empty_string;
	if (e->body_case == POC__ENVELOPE__BODY_ACKNOWLEDGEMENT &&
	    e->acknowledgement->acknowledged_by == op)
		e->acknowledgement->acknowledged_by =
		    (char *)protobuf_c_empty_string;
	if (e->body_case == POC__ENVELOPE__BODY_CHECK_REPLY &&
	    e->check_reply->replied_by == op)
		e->check_reply->replied_by = (char *)protobuf_c_empty_string;
}

/*
 * Checks what only a send to many refuses, and resolves its recipients
 * into m (checks.c's member sets, as for a check campaign).  Sets the
 * template's recipient to the first, so that the envelope is validated
 * as it will go out.  0, or -1 with the error set in rep.
 */
static int
ctl_msg_many_prepare(const Poc__OpSend *s, struct checks_members *m,
    Poc__OpReply *rep)
{
	Poc__Envelope	*e = s->envelope;
	char		 err[256];

	if (e->recipient[0] != '\0') {
		ctl_error(rep, POC__OP_ERROR__CODE__INVALID, "recipient: give "
		    "the recipients either in the envelope or as a list, "
		    "network or all, not both");
		return -1;
	}
	if (e->in_reply_to[0] != '\0' || e->thread_id[0] != '\0') {
		ctl_error(rep, POC__OP_ERROR__CODE__INVALID, "in_reply_to: a "
		    "send to many opens a new case; answer each member in "
		    "its own thread (pocctl ack, respond, update)");
		return -1;
	}
	if (e->body_case != POC__ENVELOPE__BODY_NOTIFICATION &&
	    e->body_case != POC__ENVELOPE__BODY_ASSISTANCE_REQUEST) {
		ctl_error(rep, POC__OP_ERROR__CODE__INVALID, "only a "
		    "notification or an assistance request goes to many "
		    "members (checks have pocctl check)");
		return -1;
	}
	if (s->network[0] != '\0' && !validate_member_code(s->network)) {
		ctl_error(rep, POC__OP_ERROR__CODE__INVALID, "network: \"%.40s\" "
		    "is not a network name", s->network);
		return -1;
	}
	if (s->n_recipients > CHECKS_MAX_TARGETS) {
		ctl_error(rep, POC__OP_ERROR__CODE__INVALID, "at most %d "
		    "recipients in one case", CHECKS_MAX_TARGETS);
		return -1;
	}
	if (checks_members_parse(m, s->recipients, s->n_recipients, err,
	    sizeof(err)) == -1 || checks_members_resolve(m, s->all,
	    s->network[0] != '\0' ? s->network : NULL, err,
	    sizeof(err)) == -1) {
		ctl_error(rep, strncmp(err, "cannot read", 11) == 0 ?
		    POC__OP_ERROR__CODE__INTERNAL : POC__OP_ERROR__CODE__INVALID,
		    "recipients: %s", err);
		return -1;
	}
	e->recipient = m->code[0];
	return 0;
}

/* Whether s asks for a send to many. */
static int
ctl_msg_is_many(const Poc__OpSend *s)
{
	return s->n_recipients > 0 || s->all || s->network[0] != '\0';
}

/* The answer to a send the store did not commit: why, if the disk said. */
static void
ctl_msg_store_failed(Poc__OpReply *rep)
{
	struct store_health	 h;

	store_health_get(env->store, &h);
	if (store_health_unsynced(env->store))
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "not confirmed as "
		    "queued: %s; it is not queued now, but should the node "
		    "stop before its next write, it may be found queued after "
		    "the restart: look in pocctl outbox before sending it "
		    "again", h.error);
	else if (h.code != 0)
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "not queued: %s; "
		    "send it again once the node's disk has room or works "
		    "(pocctl status)", h.error);
	else
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "not queued: the "
		    "store failed (see the node's log)");
}

void
ctl_msg_send(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	Poc__Envelope		*e = req->send->envelope;
	struct validate_result	*vr = &reply_store.vr, state;
	struct checks_members	*m = NULL;
	size_t			 i, derlen;
	enum store_put		 put;
	uint8_t			*der;
	char			 err[256];
	int			 internal;

	if (e == NULL) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "no envelope");
		return;
	}
	sendmany_queued_free(&reply_store.queued);
	memset(&reply_store, 0, sizeof(reply_store));
	if (ctl_msg_is_many(req->send)) {
		if ((m = calloc(1, sizeof(*m))) == NULL) {
			ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "out of "
			    "memory");
			return;
		}
		if (ctl_msg_many_prepare(req->send, m, rep) == -1) {
			free(m);
			return;
		}
	}
	poc__op_queued__init(&reply_store.queued);
	memset(&state, 0, sizeof(state));
	if (ctl_msg_complete(op, e, &state) != 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot make an id");
		goto out;
	}
	memset(vr, 0, sizeof(*vr));
	validate_envelope(e, vr);
	if (e->signature.len != 0)
		validate_add(vr, "signature", "is made by the node; leave it "
		    "empty");
	if (e->batch != NULL)
		validate_add(vr, "batch", "is made by the node; leave it out");
	for (i = 0; i < state.n; i++)
		validate_add(vr, state.err[i].field, "%s", state.err[i].message);
	if (vr->total > 0) {
		log_info("operator %s: %s refused: %zu problem%s, first %s: %s",
		    op, validate_body_name(e) ? validate_body_name(e) :
		    "envelope", vr->total, vr->total == 1 ? "" : "s",
		    vr->err[0].field, vr->err[0].message);
		ctl_invalid(rep, vr, "the template");
		goto out;
	}
	if (m != NULL) {
		/* Each envelope is signed on its own in sendmany_queue(). */
		if (sendmany_queue(op, e, m, &reply_store.queued,
		    reply_store.thread, &internal, err, sizeof(err)) == -1) {
			ctl_error(rep, internal ? POC__OP_ERROR__CODE__INTERNAL :
			    POC__OP_ERROR__CODE__INVALID, "%s; nothing was "
			    "queued%s", err, internal ? " (see the node's log)" :
			    "");
			goto out;
		}
		e->thread_id = reply_store.thread;	/* unset again below */
		goto queued;
	}
	/* Signed before it is stored: the stored bytes are what goes out. */
	if (msgsig_sign(e, reply_store.sig) == -1) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot sign the "
		    "envelope; nothing was queued (see the node's log)");
		goto out;
	}
	if (msgsig_own_der(&der, &derlen) == -1) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read the "
		    "node certificate; nothing was queued");
		goto out;
	}
	/* The envelope and its deadline (or its place in the case) commit
	 * together, or not at all. */
	put = STORE_ERROR;
	if (store_begin(env->store) == 0) {
		put = store_put_outgoing_signed(env->store, e, der, derlen,
		    util_now_ms());
		if (put == STORE_NEW && deadline_sent(e) == -1)
			put = STORE_ERROR;
		if (put != STORE_NEW)
			store_rollback(env->store);
		else if (store_commit(env->store) == -1)
			put = STORE_ERROR;
	}
	free(der);
	if (put != STORE_NEW) {
		if (put == STORE_CONFLICT)
			ctl_error(rep, POC__OP_ERROR__CODE__INVALID, "id %s is "
			    "already used on this node", e->id);
		else
			ctl_msg_store_failed(rep);
		goto out;
	}
	log_info("operator %s: queued %s %s for %s (thread %s)", op,
	    validate_body_name(e), e->id, e->recipient, e->thread_id);
 queued:
	snprintf(reply_store.recipient, sizeof(reply_store.recipient), "%s",
	    e->recipient);
	if (e->id != reply_store.id)
		snprintf(reply_store.id, sizeof(reply_store.id), "%s", e->id);
	if (e->thread_id != reply_store.thread)
		snprintf(reply_store.thread, sizeof(reply_store.thread), "%s",
		    e->thread_id);
	reply_store.queued.id = reply_store.id;
	reply_store.queued.thread_id = reply_store.thread;
	rep->kind_case = POC__OP_REPLY__KIND_QUEUED;
	rep->queued = &reply_store.queued;
	ctl_msg_uncomplete(op, e);
	if (m == NULL) {
		outbox_kick(reply_store.recipient);
		deadline_kick();
	} else
		e->recipient = (char *)protobuf_c_empty_string;
	free(m);
	return;
out:
	ctl_msg_uncomplete(op, e);
	if (m != NULL)
		e->recipient = (char *)protobuf_c_empty_string;
	free(m);
}

/* Hands an array of n stored messages to the reply with their deadlines,
 * or, if n < 0 (the store failed to read them), an error.  full: each
 * signature is verified now (show), else by its kept verdict (ctl_sig.c). */
static void
ctl_msg_reply(Poc__OpReply *rep, Poc__StoredMessage **m, int n, int full)
{
	if (n < 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read the "
		    "store");
		return;
	}
	deadline_annotate(m, n);
	poc__op_messages__init(&reply_store.msgs);
	reply_store.msgs.messages = m;
	reply_store.msgs.n_messages = (size_t)n;
	if (full)
		msgsig_annotate(env->store,
		    SSL_CTX_get_cert_store(env->peer_ctx), m, (size_t)n);
	else
		ctl_sig_annotate(m, (size_t)n);
	rep->kind_case = POC__OP_REPLY__KIND_MESSAGES;
	rep->messages = &reply_store.msgs;
}

/* The largest page a request may ask for. */
#define CTL_MSG_LIMIT_MAX	10000

/*
 * Checks an OpList's filters (from the operator's connection: hostile
 * until checked) and turns them into the store's.  Returns 0, or -1 with
 * the error in rep.
 */
static int
ctl_msg_filter(const Poc__OpList *l, struct store_list_filter *f,
    Poc__OpReply *rep)
{
	int	 u;

	memset(f, 0, sizeof(*f));
	if (l->box != POC__OP_LIST__BOX__INBOX &&
	    l->box != POC__OP_LIST__BOX__OUTBOX) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "box must be "
		    "INBOX or OUTBOX");
		return -1;
	}
	if (l->before < 0 || l->after < 0 || l->since < 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "before, "
		    "after and since cannot be negative");
		return -1;
	}
	if (l->kind != 0 && protobuf_c_message_descriptor_get_field(
	    &poc__envelope__descriptor, l->kind) == NULL) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "kind %u is "
		    "not a kind of message", l->kind);
		return -1;
	}
	if (l->party[0] != '\0' && !validate_member_code(l->party)) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "\"%.40s\" "
		    "is not a member code", l->party);
		return -1;
	}
	if (l->exercise != POC__OP_LIST__EXERCISE__EXERCISE_ANY &&
	    l->exercise != POC__OP_LIST__EXERCISE__EXERCISE_ONLY &&
	    l->exercise != POC__OP_LIST__EXERCISE__EXERCISE_NONE) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "exercise "
		    "must be ANY, ONLY or NONE");
		return -1;
	}
	f->box = l->box == POC__OP_LIST__BOX__INBOX ? STORE_INBOX :
	    STORE_OUTBOX;
	f->limit = l->limit == 0 || l->limit > CTL_MSG_LIMIT_MAX ? 100 :
	    (int)l->limit;
	f->before = l->before;
	f->after = l->after;
	f->unacked = l->unacked;
	f->overdue = l->overdue;
	f->party = l->party;
	f->since = l->since;
	f->kind = (int)l->kind;
	f->exercise = l->exercise == POC__OP_LIST__EXERCISE__EXERCISE_ONLY ?
	    STORE_EXERCISE_ONLY : l->exercise ==
	    POC__OP_LIST__EXERCISE__EXERCISE_NONE ? STORE_EXERCISE_NONE :
	    STORE_EXERCISE_ANY;
	f->now = util_now_ms();
	for (u = 0; u < 5; u++)
		f->period[u] = deadline_period_ms(u);
	return 0;
}

void
ctl_msg_list(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	struct store_list_filter	  f;
	Poc__StoredMessage		**m = NULL;
	int				  n;

	(void)op;
	if (ctl_msg_filter(req->list, &f, rep) == -1)
		return;
	n = store_list_page(env->store, &f, &m);
	ctl_msg_reply(rep, m, n, 0);
}

/* Finds one message by id or unique prefix, or sets the error. */
static Poc__StoredMessage *
ctl_msg_find(const char *id, Poc__OpReply *rep)
{
	Poc__StoredMessage	*m = NULL;
	int			 r;

	if (id == NULL || strlen(id) < VALIDATE_ID_PREFIX_MIN ||
	    strlen(id) > 36) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "give a message "
		    "id or at least its first %d characters",
		    VALIDATE_ID_PREFIX_MIN);
		return NULL;
	}
	r = store_get(env->store, id, &m);
	if (r == 1)
		return m;
	if (r == 2)
		ctl_error(rep, POC__OP_ERROR__CODE__AMBIGUOUS, "%s matches more "
		    "than one message; give more characters", id);
	else if (r == 0)
		ctl_error(rep, POC__OP_ERROR__CODE__NOT_FOUND, "no message %s on "
		    "this node", id);
	else
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read the "
		    "store");
	return NULL;
}

void
ctl_msg_show(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	Poc__StoredMessage	*m, **arr;

	(void)op;
	if ((m = ctl_msg_find(req->show->id, rep)) == NULL)
		return;
	if ((arr = calloc(1, sizeof(*arr))) == NULL) {
		protobuf_c_message_free_unpacked(&m->base, NULL);
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "out of memory");
		return;
	}
	arr[0] = m;
	ctl_msg_reply(rep, arr, 1, 1);
}

/* Whether one of the n messages m is in thread (not only named by it). */
static int
ctl_msg_in_thread(Poc__StoredMessage *const *m, int n, const char *thread)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(m[i]->envelope->thread_id, thread) == 0)
			return 1;
	return 0;
}

void
ctl_msg_thread(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	Poc__StoredMessage	*m = NULL, **arr = NULL;
	struct store_send_case	 c;
	char			 thread[UUID_STR_LEN];
	const char		*id = req->thread->id;
	int			 n = 0, many = 0;

	(void)op;
	/* A whole thread id names its thread: a case sent to many has a
	 * shared thread whose id is no message's (threadid.h). */
	if (id != NULL && util_uuid_valid(id) &&
	    (n = store_thread(env->store, id, &arr)) > 0 &&
	    ctl_msg_in_thread(arr, n, id))
		snprintf(thread, sizeof(thread), "%s", id);
	else {
		if (n >= 0)
			store_messages_free(arr, n);
		arr = NULL;
		if ((m = ctl_msg_find(id, rep)) == NULL)
			return;
		snprintf(thread, sizeof(thread), "%s", m->envelope->thread_id);
		protobuf_c_message_free_unpacked(&m->base, NULL);
		n = store_thread(env->store, thread, &arr);
	}
	/* A case sent to many: every envelope's thread, and the matrix. */
	if (n >= 0)
		many = sendmany_gather(thread, &arr, &n, &c);
	ctl_msg_reply(rep, arr, n, 0);
	if (many == 1 && rep->kind_case == POC__OP_REPLY__KIND_MESSAGES)
		rep->messages->to_many = sendmany_matrix(&c, arr, (size_t)n,
		    1);
}

void
ctl_msg_free(Poc__OpReply *rep)
{
	if (rep->kind_case == POC__OP_REPLY__KIND_MESSAGES) {
		store_messages_free(rep->messages->messages,
		    (int)rep->messages->n_messages);
		sendmany_case_free(rep->messages->to_many);
		rep->messages->to_many = NULL;
	}
	if (rep->kind_case == POC__OP_REPLY__KIND_QUEUED)
		sendmany_queued_free(rep->queued);
}
