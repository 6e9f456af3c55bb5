/*
 * Operator requests (see control.h).  The operator is whoever holds a
 * certificate of this node's operator CA; its CN is the operator's name,
 * logged with every change it makes and recorded in its acknowledgements.
 *
 * Handlers come from a table indexed by the OpRequest oneof case.  A send
 * is validated completely before anything is stored, and "queued" is
 * answered only after the envelope and its outbox entry are committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include "audit_ctl.h"
#include "config.h"
#include "checks.h"
#include "control.h"
#include "ctl_dir.h"
#include "directory.h"
#include "deadline.h"
#include "handle.h"
#include "log.h"
#include "msgsig.h"
#include "outbox.h"
#include "peer.h"
#include "node.h"
#include "session.h"
#include "sig.h"
#include "status.h"
#include "store.h"
#include "util.h"
#include "validate.h"

struct ctl {
	LIST_ENTRY(ctl)	 entry;
	struct session	*s;
};

static LIST_HEAD(, ctl) ctls = LIST_HEAD_INITIALIZER(ctls);

typedef void (*ctl_fn)(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);

static void	ctl_status(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);
static void	ctl_send(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);
static void	ctl_list(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);
static void	ctl_show(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);
static void	ctl_thread(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);

static const struct {
	const char	*name;
	ctl_fn		 fn;
} ctl_handlers[] = {
	[POC__OP_REQUEST__KIND_STATUS] = { "status", ctl_status },
	[POC__OP_REQUEST__KIND_SEND] = { "send", ctl_send },
	[POC__OP_REQUEST__KIND_LIST] = { "list", ctl_list },
	[POC__OP_REQUEST__KIND_SHOW] = { "show", ctl_show },
	[POC__OP_REQUEST__KIND_THREAD] = { "thread", ctl_thread },
	[POC__OP_REQUEST__KIND_DIRECTORY_SHOW] = { "directory_show",
	    ctl_dir_show },
	[POC__OP_REQUEST__KIND_DIRECTORY_EDIT] = { "directory_edit",
	    ctl_dir_edit },
	[POC__OP_REQUEST__KIND_DIRECTORY_IMPORT] = { "directory_import",
	    ctl_dir_import },
	[POC__OP_REQUEST__KIND_DIRECTORY_SYNC] = { "directory_sync",
	    ctl_dir_sync },
	[POC__OP_REQUEST__KIND_WHO] = { "who", ctl_dir_who },
	[POC__OP_REQUEST__KIND_CHECK_START] = { "check_start",
	    checks_op_start },
	[POC__OP_REQUEST__KIND_CHECK_QUERY] = { "check_query",
	    checks_op_query },
	[POC__OP_REQUEST__KIND_AUDIT_EXPORT] = { "audit_export",
	    audit_ctl_export },
};

#define NCTL_HANDLERS	(sizeof(ctl_handlers) / sizeof(ctl_handlers[0]))

/* Reply storage that lives until the reply is packed. */
struct ctl_reply {
	Poc__OpError		 err;
	Poc__OpQueued		 queued;
	Poc__OpMessages		 msgs;
	Poc__OpStatusReply	 status;
	Poc__FieldError		 fe[VALIDATE_MAX_ERRORS];
	Poc__FieldError		*fep[VALIDATE_MAX_ERRORS];
	struct validate_result	 vr;
	char			 msg[512];
	char			 id[UUID_STR_LEN];
	char			 thread[UUID_STR_LEN];
	uint8_t			 sig[SIG_MAX_LEN];	/* msgsig_sign() */
};

static struct ctl_reply	 reply_store;
static struct directory_peer	*status_peers;	/* ctl_status, until sent */

const char *
control_operator(const struct ctl *c)
{
	return session_cn(c->s);
}

static void
ctl_reply_reset(void)
{
	memset(&reply_store, 0, sizeof(reply_store));
	poc__op_error__init(&reply_store.err);
	poc__op_queued__init(&reply_store.queued);
	poc__op_messages__init(&reply_store.msgs);
	poc__op_status_reply__init(&reply_store.status);
}

static void ctl_error(Poc__OpReply *, Poc__OpError__Code, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
ctl_error(Poc__OpReply *rep, Poc__OpError__Code code, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(reply_store.msg, sizeof(reply_store.msg), fmt, ap);
	va_end(ap);
	reply_store.err.code = code;
	reply_store.err.message = reply_store.msg;
	rep->kind_case = POC__OP_REPLY__KIND_ERROR;
	rep->error = &reply_store.err;
}

static void
ctl_status(struct ctl *c, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	Poc__OpStatusReply		*st = &reply_store.status;
	struct store_outbox_peer	*ps = NULL;
	Poc__OpPeerStatus		*pp, **ppp;
	int				 i, j, n, npeers;

	(void)c;
	(void)req;
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
	rep->kind_case = POC__OP_REPLY__KIND_STATUS;
	rep->status = st;
	free(ps);
}

/* Frees what ctl_status allocated, after the reply is packed. */
static void
ctl_status_free(Poc__OpStatusReply *st)
{
	size_t	 i;

	status_ops_free(st);
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

/*
 * Completes an operator's envelope with what the node decides (id, sender,
 * created_at, thread) and checks what needs the node's state.  Envelope
 * strings set here point into reply_store and are unset again before the
 * request is freed.
 */
static int
ctl_complete(struct ctl *c, Poc__Envelope *e, struct validate_result *vr)
{
	Poc__StoredMessage	*ref = NULL;
	int			 r;

	if (e->id[0] == '\0') {
		if (util_uuid_new(reply_store.id) != 0)
			return -1;
		e->id = reply_store.id;
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
		e->acknowledgement->acknowledged_by = (char *)session_cn(c->s);
	}
	if (e->body_case == POC__ENVELOPE__BODY_CHECK_REPLY &&
	    e->check_reply->replied_by[0] == '\0') {
		/* Likewise the person answering a communication check. */
		e->check_reply->replied_by = (char *)session_cn(c->s);
	}
	return 0;
}

/* Undoes the borrowed pointers ctl_complete set, before freeing e. */
static void
ctl_uncomplete(struct ctl *c, Poc__Envelope *e)
{
	if (e->id == reply_store.id)
		e->id = (char *)protobuf_c_empty_string;
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
	    e->acknowledgement->acknowledged_by == session_cn(c->s))
		e->acknowledgement->acknowledged_by =
		    (char *)protobuf_c_empty_string;
	if (e->body_case == POC__ENVELOPE__BODY_CHECK_REPLY &&
	    e->check_reply->replied_by == session_cn(c->s))
		e->check_reply->replied_by = (char *)protobuf_c_empty_string;
}

static void
ctl_send(struct ctl *c, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	Poc__Envelope		*e = req->send->envelope;
	struct validate_result	*vr = &reply_store.vr, state;
	size_t			 i, derlen;
	enum store_put		 put;
	uint8_t			*der;

	if (e == NULL) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "no envelope");
		return;
	}
	memset(&state, 0, sizeof(state));
	if (ctl_complete(c, e, &state) != 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot make an id");
		goto out;
	}
	memset(vr, 0, sizeof(*vr));
	validate_envelope(e, vr);
	if (e->signature.len != 0)
		validate_add(vr, "signature", "is made by the node; leave it "
		    "empty");
	for (i = 0; i < state.n; i++)
		validate_add(vr, state.err[i].field, "%s", state.err[i].message);
	if (vr->total > 0) {
		log_info("operator %s: %s refused: %zu problem%s, first %s: %s",
		    session_cn(c->s), validate_body_name(e) ?
		    validate_body_name(e) : "envelope", vr->total,
		    vr->total == 1 ? "" : "s", vr->err[0].field,
		    vr->err[0].message);
		ctl_error(rep, POC__OP_ERROR__CODE__INVALID, "%zu problem%s in "
		    "the template", vr->total, vr->total == 1 ? "" : "s");
		for (i = 0; i < vr->n; i++) {
			poc__field_error__init(&reply_store.fe[i]);
			reply_store.fe[i].field = vr->err[i].field;
			reply_store.fe[i].message = vr->err[i].message;
			reply_store.fep[i] = &reply_store.fe[i];
		}
		reply_store.err.n_field_errors = vr->n;
		reply_store.err.field_errors = reply_store.fep;
		goto out;
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
	put = store_put_outgoing_signed(env->store, e, der, derlen,
	    util_now_ms());
	free(der);
	if (put != STORE_NEW) {
		if (put == STORE_CONFLICT)
			ctl_error(rep, POC__OP_ERROR__CODE__INVALID, "id %s is "
			    "already used on this node", e->id);
		else
			ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "the "
			    "store failed; nothing was queued (see the node's "
			    "log)");
		goto out;
	}
	log_info("operator %s: queued %s %s for %s (thread %s)",
	    session_cn(c->s), validate_body_name(e), e->id, e->recipient,
	    e->thread_id);
	snprintf(reply_store.msg, sizeof(reply_store.msg), "%s", e->recipient);
	if (e->id != reply_store.id)
		snprintf(reply_store.id, sizeof(reply_store.id), "%s", e->id);
	if (e->thread_id != reply_store.thread)
		snprintf(reply_store.thread, sizeof(reply_store.thread), "%s",
		    e->thread_id);
	reply_store.queued.id = reply_store.id;
	reply_store.queued.thread_id = reply_store.thread;
	rep->kind_case = POC__OP_REPLY__KIND_QUEUED;
	rep->queued = &reply_store.queued;
	ctl_uncomplete(c, e);
	outbox_kick(reply_store.msg);
	deadline_kick();
	return;
out:
	ctl_uncomplete(c, e);
}

/* Hands an array of stored messages to the reply. */
static void
ctl_messages(Poc__OpReply *rep, Poc__StoredMessage **m, int n)
{
	poc__op_messages__init(&reply_store.msgs);
	reply_store.msgs.messages = m;
	reply_store.msgs.n_messages = (size_t)n;
	msgsig_annotate(env->store, SSL_CTX_get_cert_store(env->peer_ctx), m,
	    (size_t)n);
	rep->kind_case = POC__OP_REPLY__KIND_MESSAGES;
	rep->messages = &reply_store.msgs;
}

static void
ctl_list(struct ctl *c, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	Poc__StoredMessage	**m = NULL;
	int			 n, limit = (int)req->list->limit;

	(void)c;
	if (req->list->box != POC__OP_LIST__BOX__INBOX &&
	    req->list->box != POC__OP_LIST__BOX__OUTBOX) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "box must be "
		    "INBOX or OUTBOX");
		return;
	}
	if (limit <= 0 || limit > 10000)
		limit = 100;
	n = store_list(env->store, req->list->box == POC__OP_LIST__BOX__INBOX ?
	    STORE_INBOX : STORE_OUTBOX, limit, &m);
	if (n < 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read the "
		    "store");
		return;
	}
	deadline_annotate(m, n);
	ctl_messages(rep, m, n);
}

/* Finds one message by id or unique prefix, or sets the error. */
static Poc__StoredMessage *
ctl_find(const char *id, Poc__OpReply *rep)
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

static void
ctl_show(struct ctl *c, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	Poc__StoredMessage	*m, **arr;

	(void)c;
	if ((m = ctl_find(req->show->id, rep)) == NULL)
		return;
	if ((arr = calloc(1, sizeof(*arr))) == NULL) {
		protobuf_c_message_free_unpacked(&m->base, NULL);
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "out of memory");
		return;
	}
	arr[0] = m;
	deadline_annotate(arr, 1);
	ctl_messages(rep, arr, 1);
}

static void
ctl_thread(struct ctl *c, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	Poc__StoredMessage	*m, **arr = NULL;
	int			 n;

	(void)c;
	if ((m = ctl_find(req->thread->id, rep)) == NULL)
		return;
	n = store_thread(env->store, m->envelope->thread_id, &arr);
	protobuf_c_message_free_unpacked(&m->base, NULL);
	if (n < 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read the "
		    "store");
		return;
	}
	deadline_annotate(arr, n);
	ctl_messages(rep, arr, n);
}

static void	ctl_frame_cb(struct session *, ProtobufCMessage *, void *);
static void	ctl_bad_frame_cb(struct session *, enum frame_status, void *);
static void	ctl_closed_cb(struct session *, const char *, void *);
static void	ctl_ready_cb(struct session *, void *);

static const struct session_cb ctl_session_cb = {
	.ready = ctl_ready_cb,
	.frame = ctl_frame_cb,
	.bad_frame = ctl_bad_frame_cb,
	.closed = ctl_closed_cb,
};

static void
ctl_ready_cb(struct session *s, void *arg)
{
	(void)arg;
	log_debug("operator %s connected from %s", session_cn(s),
	    session_addr(s));
}

static void
ctl_frame_cb(struct session *s, ProtobufCMessage *m, void *arg)
{
	struct ctl	*c = arg;
	Poc__OpRequest	*req = (Poc__OpRequest *)m;
	Poc__OpReply	 rep = POC__OP_REPLY__INIT;
	int		 k = (int)req->kind_case;

	ctl_reply_reset();
	if (k <= 0 || (size_t)k >= NCTL_HANDLERS || ctl_handlers[k].fn == NULL)
		ctl_error(&rep, POC__OP_ERROR__CODE__BAD_REQUEST, "unknown "
		    "request; is pocctl newer than pocd?");
	else {
		log_debug("operator %s: %s", session_cn(s), ctl_handlers[k].name);
		ctl_handlers[k].fn(c, req, &rep);
	}
	session_send(s, &rep.base);
	if (rep.kind_case == POC__OP_REPLY__KIND_MESSAGES)
		store_messages_free(rep.messages->messages,
		    (int)rep.messages->n_messages);
	if (rep.kind_case == POC__OP_REPLY__KIND_STATUS)
		ctl_status_free(rep.status);
	checks_op_free(&rep);
	ctl_dir_free(&rep);
	if (rep.kind_case == POC__OP_REPLY__KIND_AUDIT_ENTRIES)
		audit_ctl_free(rep.audit_entries);
	protobuf_c_message_free_unpacked(m, NULL);
}

static void
ctl_bad_frame_cb(struct session *s, enum frame_status st, void *arg)
{
	Poc__OpReply	 rep = POC__OP_REPLY__INIT;

	(void)arg;
	log_warnx("operator %s (%s): %s; closing", session_cn(s),
	    session_addr(s), frame_strstatus(st));
	ctl_reply_reset();
	ctl_error(&rep, POC__OP_ERROR__CODE__BAD_REQUEST, "%s",
	    frame_strstatus(st));
	if (session_send(s, &rep.base) == 0)
		session_close_after_flush(s, frame_strstatus(st));
}

static void
ctl_closed_cb(struct session *s, const char *reason, void *arg)
{
	struct ctl	*c = arg;

	log_debug("operator %s (%s): %s", session_cn(s)[0] ? session_cn(s) :
	    "?", session_addr(s), reason);
	if (session_cn(s)[0] == '\0')
		log_warnx("operator listener: %s refused: %s", session_addr(s),
		    reason);
	LIST_REMOVE(c, entry);
	free(c);
}

void
control_accept(int fd, const char *addr)
{
	struct ctl	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control_accept");
		close(fd);
		return;
	}
	LIST_INSERT_HEAD(&ctls, c, entry);
	c->s = session_accept(env->base, env->op_ctx, fd, addr, &env->limits,
	    &poc__op_request__descriptor, &ctl_session_cb, c);
	if (c->s == NULL) {
		LIST_REMOVE(c, entry);
		free(c);
	}
}

void
control_close_all(void)
{
	struct ctl	*c;

	while ((c = LIST_FIRST(&ctls)) != NULL)
		session_close(c->s, "node shutting down");
}
