/*
 * A send to many (see sendmany.h).
 *
 * Each recipient gets an envelope of its own: its own id, the same
 * created_at, and a signature over its own canonical bytes (so the
 * evidence of what one recipient was sent stands without the others).
 * The case (named by its first envelope's id) has one thread on the wire
 * for every recipient whose record says its node takes shared threads:
 * an id bound to this node by a nonce of the case (threadid.h), so that
 * no co-recipient can open a case in it first at another recipient's
 * node.  Any other recipient's envelope opens a thread of its own
 * (thread_id = id), which a node of an older release requires.
 * Envelopes are signed here, when queued, so this is decided from the
 * records held now.
 * All of them and the case row commit in one store transaction
 * (store_send.c): after an error or a crash the case exists with every
 * envelope queued, or not at all.  Only then is the outbox kicked.
 *
 * The matrix is read from the case's threads: the case's envelopes are
 * their outgoing messages without in_reply_to; an incoming Acknowledgement
 * whose ack_of is one of them, from its recipient, acknowledges it; any
 * other incoming message of the thread from a recipient is its response.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "deadline.h"
#include "directory.h"
#include "envsig.h"
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
#include "threadid.h"
#include "util.h"

#define SENDMANY_STATUS_CASES	3	/* cases pocctl status shows */

/* The oneof name of a body case, for the matrix. */
static const char *
sendmany_kind_name(int kind)
{
	switch (kind) {
	case POC__ENVELOPE__BODY_NOTIFICATION:
		return "notification";
	case POC__ENVELOPE__BODY_ASSISTANCE_REQUEST:
		return "assistance_request";
	case POC__ENVELOPE__BODY_STATUS_UPDATE:
		return "status_update";
	default:
		return "other";
	}
}

static char	*sendmany_str(const char *);

/* The per-recipient envelopes of one send, their ids and signatures. */
struct sendmany_batch {
	size_t		  n;
	Poc__Envelope	 *env;		/* n copies of the template */
	Poc__Envelope	**ptr;		/* n pointers to them */
	char		(*id)[UUID_STR_LEN];
	char		(*id_nonce)[MSGID_NONCE_HEX + 1];
	char		  nonce[THREADID_NONCE_HEX + 1];
	char		  thread[UUID_STR_LEN];	/* the shared one */
	size_t		  shared;		/* envelopes in it */
	uint8_t		  sig[SIG_MAX_LEN];	/* a single signature */
	struct envsig_batch *proofs;		/* or one batch's proofs */
};

/* Frees what sendmany_batch_make() allocated (the strings are e's). */
static void
sendmany_batch_free(struct sendmany_batch *b)
{
	envsig_batch_free(b->proofs);
	free(b->env);
	free(b->ptr);
	free(b->id);
	free(b->id_nonce);
}

/*
 * Builds one envelope per member of m from e and signs them as one batch
 * (docs/signatures.md): one signature for the command, kept in each
 * stored envelope with its path, instead of one per recipient.  Each
 * envelope stays provable on its own, which is the sender's evidence; the
 * outbox sends it under its window's batch, or as stored.  A command to
 * one member gets a single signature.  0 or -1.
 */
static int
sendmany_batch_make(struct sendmany_batch *b, const Poc__Envelope *e,
    const struct checks_members *m, char *err, size_t errlen)
{
	size_t	 i;

	memset(b, 0, sizeof(*b));
	b->n = m->n;
	if ((b->env = calloc(m->n, sizeof(*b->env))) == NULL ||
	    (b->ptr = calloc(m->n, sizeof(*b->ptr))) == NULL ||
	    (b->id = calloc(m->n, sizeof(*b->id))) == NULL ||
	    (b->id_nonce = calloc(m->n, sizeof(*b->id_nonce))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (threadid_nonce_new(b->nonce) == -1 ||
	    threadid_make(env->conf.member, b->nonce, b->thread) == -1) {
		snprintf(err, errlen, "cannot make the case's thread");
		return -1;
	}
	for (i = 0; i < m->n; i++) {
		if (i == 0)
			snprintf(b->id[i], sizeof(b->id[i]), "%s", e->id);
		else if (msgid_new(env->conf.member, b->id[i],
		    b->id_nonce[i]) != 0) {
			snprintf(err, errlen, "cannot make an id");
			return -1;
		}
		/* A shallow copy: the body and the strings are e's. */
		b->env[i] = *e;
		b->env[i].id = b->id[i];
		if (i > 0)	/* each id bound to us (msgid.h) */
			b->env[i].id_nonce = b->id_nonce[i];
		/* One thread for the case, where the recipient takes it. */
		if (directory_shared_threads(m->code[i])) {
			b->env[i].thread_id = b->thread;
			b->env[i].thread_nonce = b->nonce;
			b->shared++;
		} else {
			b->env[i].thread_id = b->id[i];
			b->env[i].thread_nonce =
			    (char *)protobuf_c_empty_string;
		}
		b->env[i].recipient = (char *)m->code[i];
		b->env[i].signature.data = NULL;
		b->env[i].signature.len = 0;
		b->env[i].batch = NULL;
		b->ptr[i] = &b->env[i];
	}
	if (msgsig_sign_command(b->ptr, b->n, b->sig, &b->proofs) == -1) {
		snprintf(err, errlen, "cannot sign the envelopes (see the "
		    "node's log)");
		return -1;
	}
	return 0;
}

int
sendmany_queue(const char *by, Poc__Envelope *e,
    const struct checks_members *m, Poc__OpQueued *q,
    char thread[UUID_STR_LEN], int *internal, char *err, size_t errlen)
{
	struct sendmany_batch	 b;
	struct store_send_case	 c;
	enum store_put		 put;
	uint8_t			*der = NULL;
	size_t			 derlen, i, failed;
	int			 r = -1;

	*internal = 1;
	if (sendmany_batch_make(&b, e, m, err, errlen) == -1)
		goto out;
	if (msgsig_own_der(&der, &derlen) == -1) {
		snprintf(err, errlen, "cannot read the node certificate");
		goto out;
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", e->id);
	c.created_at = e->created_at;
	c.kind = (int)e->body_case;
	c.recipients = (uint32_t)m->n;
	snprintf(c.created_by, sizeof(c.created_by), "%s", by);
	/* The envelopes and their deadlines commit together, or not at
	 * all (as for one recipient, ctl_msg.c). */
	failed = b.n;
	put = STORE_ERROR;
	if (store_begin(env->store) == 0) {
		put = store_send_many(env->store, &c, b.ptr, b.n, der, derlen,
		    util_now_ms(), &failed);
		for (i = 0; put == STORE_NEW && i < b.n; i++)
			if (deadline_sent(b.ptr[i]) == -1)
				put = STORE_ERROR;
		if (put != STORE_NEW)
			store_rollback(env->store);
		else if (store_commit(env->store) == -1)
			put = STORE_ERROR;
	}
	if (put != STORE_NEW) {
		if (put == STORE_CONFLICT || put == STORE_DUPLICATE) {
			*internal = 0;
			snprintf(err, errlen, "id %s is already used on this "
			    "node", failed < b.n ? b.id[failed] : c.id);
		} else
			snprintf(err, errlen, "the store failed");
		goto out;
	}
	if ((q->to = calloc(b.n, sizeof(*q->to))) == NULL) {
		/* Queued all the same: the operator sees them in the outbox. */
		log_warn("send to many %s: reply", c.id);
	}
	for (i = 0; i < b.n && q->to != NULL; i++) {
		if ((q->to[i] = calloc(1, sizeof(**q->to))) == NULL)
			break;
		poc__send_many_queued__init(q->to[i]);
		q->n_to++;
		q->to[i]->recipient = sendmany_str(m->code[i]);
		q->to[i]->id = sendmany_str(b.id[i]);
		if (q->to[i]->recipient == NULL || q->to[i]->id == NULL) {
			/* Never a NULL string in a reply to pack. */
			if (q->to[i]->recipient == NULL)
				q->to[i]->recipient =
				    (char *)protobuf_c_empty_string;
			if (q->to[i]->id == NULL)
				q->to[i]->id = (char *)protobuf_c_empty_string;
			break;
		}
	}
	snprintf(thread, UUID_STR_LEN, "%.36s", b.shared ? b.thread : c.id);
	log_info("operator %s: queued %s %s to %zu members in one case "
	    "(thread %s for %zu)", by, sendmany_kind_name(c.kind), c.id, b.n,
	    b.shared ? b.thread : "none shared", b.shared);
	for (i = 0; i < b.n; i++)
		outbox_kick(m->code[i]);
	deadline_kick();
	r = 0;
 out:
	free(der);
	sendmany_batch_free(&b);
	return r;
}

void
sendmany_queued_free(Poc__OpQueued *q)
{
	size_t	 i;

	for (i = 0; i < q->n_to; i++) {
		if (q->to[i]->recipient != protobuf_c_empty_string)
			free(q->to[i]->recipient);
		if (q->to[i]->id != protobuf_c_empty_string)
			free(q->to[i]->id);
		free(q->to[i]);
	}
	free(q->to);
	q->to = NULL;
	q->n_to = 0;
}

/* A copy of s that the case owns ("" stays the shared empty string). */
static char *
sendmany_str(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return (char *)protobuf_c_empty_string;
	return strdup(s);
}

static void
sendmany_str_free(char *s)
{
	if (s != protobuf_c_empty_string)
		free(s);
}

static void
sendmany_row_free(Poc__SendManyRow *r)
{
	if (r == NULL)
		return;
	sendmany_str_free(r->recipient);
	sendmany_str_free(r->envelope_id);
	sendmany_str_free(r->delivery);
	sendmany_str_free(r->acknowledged_by);
	sendmany_str_free(r->response_id);
	sendmany_str_free(r->reason);
	sendmany_str_free(r->thread_id);
	free(r);
}

void
sendmany_case_free(Poc__SendManyCase *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_rows; i++)
		sendmany_row_free(c->rows[i]);
	free(c->rows);
	sendmany_str_free(c->id);
	sendmany_str_free(c->created_by);
	free(c);
}

void
sendmany_cases_free(Poc__SendManyCase **c, size_t n)
{
	size_t	 i;

	for (i = 0; c != NULL && i < n; i++)
		sendmany_case_free(c[i]);
	free(c);
}

/* The row of c for recipient (and, if id is not NULL, that envelope). */
static Poc__SendManyRow *
sendmany_row_find(Poc__SendManyCase *c, const char *recipient,
    const char *id)
{
	size_t	 i;

	for (i = 0; i < c->n_rows; i++)
		if (strcmp(c->rows[i]->recipient, recipient) == 0 &&
		    (id == NULL || strcmp(c->rows[i]->envelope_id, id) == 0))
			return c->rows[i];
	return NULL;
}

/* Adds the row of one envelope of the case.  0 or -1. */
static int
sendmany_row_add(Poc__SendManyCase *c, const Poc__StoredMessage *sm)
{
	Poc__SendManyRow	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	poc__send_many_row__init(r);
	c->rows[c->n_rows++] = r;
	r->recipient = sendmany_str(sm->envelope->recipient);
	r->envelope_id = sendmany_str(sm->envelope->id);
	r->delivery = sendmany_str(sm->state);
	r->reason = sendmany_str(sm->reason);
	r->acknowledged_by = sendmany_str("");
	r->response_id = sendmany_str("");
	r->thread_id = sendmany_str(sm->envelope->thread_id);
	if (r->recipient == NULL || r->envelope_id == NULL ||
	    r->delivery == NULL || r->reason == NULL || r->thread_id == NULL)
		return -1;
	r->delivered_at = strcmp(sm->state, "delivered") == 0 ?
	    sm->delivered_at : 0;
	r->overdue = sm->overdue;
	r->overdue_at = sm->overdue_at;
	r->deadline_at = sm->deadline_at;
	return 0;
}

/* Marks what one incoming message of the thread says about its row. */
static int
sendmany_answer(Poc__SendManyCase *c, const Poc__StoredMessage *sm)
{
	const Poc__Envelope	*e = sm->envelope;
	Poc__SendManyRow	*r;
	char			*s;

	if (e->body_case == POC__ENVELOPE__BODY_ACKNOWLEDGEMENT) {
		r = sendmany_row_find(c, e->sender, e->acknowledgement->ack_of);
		if (r == NULL || (r->acknowledged_at != 0 &&
		    r->acknowledged_at <= sm->received_at))
			return 0;
		if ((s = sendmany_str(e->acknowledgement->acknowledged_by)) ==
		    NULL)
			return -1;
		sendmany_str_free(r->acknowledged_by);
		r->acknowledged_by = s;
		r->acknowledged_at = sm->received_at;
		return 0;
	}
	r = sendmany_row_find(c, e->sender, NULL);
	if (r == NULL || (r->responded_at != 0 &&
	    r->responded_at <= sm->received_at))
		return 0;
	if ((s = sendmany_str(e->id)) == NULL)
		return -1;
	sendmany_str_free(r->response_id);
	r->response_id = s;
	r->responded_at = sm->received_at;
	return 0;
}

Poc__SendManyCase *
sendmany_matrix(const struct store_send_case *sc,
    Poc__StoredMessage *const *m, size_t n, int with_rows)
{
	Poc__SendManyCase	*c;
	const Poc__Envelope	*e;
	size_t			 i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	poc__send_many_case__init(c);
	c->id = sendmany_str(sc->id);
	c->created_by = sendmany_str(sc->created_by);
	c->kind = (char *)sendmany_kind_name(sc->kind);
	c->created_at = sc->created_at;
	c->recipients = sc->recipients;
	if (c->id == NULL || c->created_by == NULL ||
	    (c->rows = calloc(n + 1, sizeof(*c->rows))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		e = m[i]->envelope;
		if (strcmp(m[i]->direction, "out") == 0 &&
		    e->in_reply_to[0] == '\0' && (int)e->body_case == sc->kind &&
		    sendmany_row_add(c, m[i]) == -1)
			goto fail;
	}
	for (i = 0; i < n; i++)
		if (strcmp(m[i]->direction, "in") == 0 &&
		    sendmany_answer(c, m[i]) == -1)
			goto fail;
	for (i = 0; i < c->n_rows; i++) {
		c->delivered += c->rows[i]->delivered_at != 0;
		c->rejected += strcmp(c->rows[i]->delivery, "rejected") == 0;
		c->acknowledged += c->rows[i]->acknowledged_at != 0;
		c->responded += c->rows[i]->responded_at != 0;
		c->overdue += c->rows[i]->overdue;
	}
	if (!with_rows) {
		for (i = 0; i < c->n_rows; i++)
			sendmany_row_free(c->rows[i]);
		c->n_rows = 0;
	}
	return c;
 fail:
	log_warnx("send to many %s: cannot build the matrix (out of memory)",
	    sc->id);
	sendmany_case_free(c);
	return NULL;
}

/* The messages of every thread of case c into *m, *n (the old ones
 * freed).  1, or -1 on error. */
static int
sendmany_case_messages(const struct store_send_case *c,
    Poc__StoredMessage ***m, int *n)
{
	Poc__StoredMessage	**all = NULL, **one, **nv;
	char			(*ids)[64] = NULL;
	int			  r, k, i, total = 0;

	if ((k = store_send_case_threads(env->store, c->id, &ids)) < 0)
		return -1;
	for (i = 0; i < k; i++) {
		if ((r = store_thread(env->store, ids[i], &one)) < 0)
			goto fail;
		if ((nv = reallocarray(all, (size_t)(total + r) + 1,
		    sizeof(*all))) == NULL) {
			store_messages_free(one, r);
			goto fail;
		}
		all = nv;
		memcpy(all + total, one, (size_t)r * sizeof(*one));
		total += r;
		free(one);
	}
	free(ids);
	store_messages_free(*m, *n);
	*m = all;
	*n = total;
	return 1;
 fail:
	log_warnx("send to many %s: cannot read the case", c->id);
	free(ids);
	store_messages_free(all, total);
	return -1;
}

int
sendmany_gather(const char *thread_id, Poc__StoredMessage ***m, int *n,
    struct store_send_case *c)
{
	int	 r;

	if ((r = store_send_case_of(env->store, thread_id, c)) != 1)
		return r;
	return sendmany_case_messages(c, m, n);
}

Poc__SendManyCase **
sendmany_latest(size_t *nout)
{
	struct store_send_case	 *sc = NULL;
	Poc__SendManyCase	**out;
	Poc__StoredMessage	**m;
	int			  n, i, k;

	*nout = 0;
	n = store_send_cases_latest(env->store, SENDMANY_STATUS_CASES, &sc);
	if (n <= 0 || (out = calloc((size_t)n, sizeof(*out))) == NULL) {
		free(sc);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		m = NULL;
		k = 0;
		if (sendmany_case_messages(&sc[i], &m, &k) != 1)
			continue;
		deadline_annotate(m, k);
		out[*nout] = sendmany_matrix(&sc[i], m, (size_t)k, 0);
		store_messages_free(m, k);
		if (out[*nout] != NULL)
			(*nout)++;
	}
	free(sc);
	return out;
}
