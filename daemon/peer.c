/*
 * The peer protocol FSM (see peer.h), one per connection in either
 * direction:
 *
 *	HANDSHAKE --TLS up--> HELLO --their Hello ok--> ESTABLISHED
 *	    HELLO --Hello ok, not pinned, serving table's enroll()--> ENROLLING
 *	    any state --error, timeout, close--> CLOSED
 *
 * ENROLLING is an inbound connection from a member with a network-CA
 * certificate that the directory does not pin: whether to let it in is
 * the serving table's decision (policy, rate limits); what it may then do
 * is enforced here, so that no user of peer.c can forget it: only
 * EnrollRequest and DirectoryDigestRequest reach the serving table, and
 * any other frame closes the connection.
 *
 * Both sides send their Hello as soon as TLS is up.  In ESTABLISHED a
 * request (an envelope, a directory request) or a notice (an audit head,
 * which nobody answers) may arrive on either kind of connection and goes
 * to the node's serving table; answers (receipts,
 * directory frames) are only expected on connections we dialled, and go
 * to the table of whoever dialled.  Any other frame, a bad Hello, or a
 * Hello that names another member than the certificate gets an Error
 * frame and the connection is closed.
 *
 * A peer is freed when its session closes, after the tables heard "down";
 * the session (and with it the bufferevent, the socket and the SSL) is
 * session.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "session.h"
#include "util.h"
#include "validate.h"

enum peer_state {
	PEER_HANDSHAKE,
	PEER_HELLO,
	PEER_ESTABLISHED,
	PEER_ENROLLING,
	PEER_CLOSED,
};

enum peer_dir {
	PEER_INBOUND,
	PEER_OUTBOUND,
};

struct peer {
	LIST_ENTRY(peer)	 entry;
	enum peer_dir		 dir;
	enum peer_state		 state;
	struct session		*s;
	const struct peer_cb	*cb;		/* outbound: the dialler's, or
						 * NULL once it closed */
	void			*arg;
	/* Expected (out) or CN (in); a longer CN is refused as no member
	 * code in peer_ready_cb before it is copied. */
	char			 member[VALIDATE_MAX_MEMBER + 1];
	int			 batch_signatures;	/* their Hello */
	int			 audit_heads;		/* their Hello */
};

static LIST_HEAD(, peer) peers = LIST_HEAD_INITIALIZER(peers);

static const struct peer_cb	*peer_serve;	/* the node's, every conn */
static void			*peer_serve_arg;

static void	peer_ready_cb(struct session *, void *);
static void	peer_frame_cb(struct session *, ProtobufCMessage *, void *);
static void	peer_bad_frame_cb(struct session *, enum frame_status, void *);
static void	peer_closed_cb(struct session *, const char *, void *);

static const struct session_cb peer_session_cb = {
	.ready = peer_ready_cb,
	.frame = peer_frame_cb,
	.bad_frame = peer_bad_frame_cb,
	.closed = peer_closed_cb,
};

static const char *
peer_strstate(enum peer_state s)
{
	switch (s) {
	case PEER_HANDSHAKE:
		return "HANDSHAKE";
	case PEER_HELLO:
		return "HELLO";
	case PEER_ESTABLISHED:
		return "ESTABLISHED";
	case PEER_ENROLLING:
		return "ENROLLING";
	case PEER_CLOSED:
		return "CLOSED";
	}
	return "?";
}

static const char *
peer_name(const struct peer *p)
{
	return p->member[0] ? p->member : session_addr(p->s);
}

static void
peer_enter(struct peer *p, enum peer_state st)
{
	log_debug("peer %s (%s, %s): %s -> %s", peer_name(p),
	    session_addr(p->s), p->dir == PEER_INBOUND ? "in" : "out",
	    peer_strstate(p->state), peer_strstate(st));
	p->state = st;
}

static struct peer *
peer_new(enum peer_dir dir)
{
	struct peer	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_warn("peer_new");
		return NULL;
	}
	p->dir = dir;
	p->state = PEER_HANDSHAKE;
	LIST_INSERT_HEAD(&peers, p, entry);
	return p;
}

static void
peer_free(struct peer *p)
{
	LIST_REMOVE(p, entry);
	free(p);
}

/* Sends an Error frame, logs why, and closes once it is written. */
void
peer_fail(struct peer *p, Poc__Error__Code code, const char *fmt, ...)
{
	Poc__PeerFrame	 f = POC__PEER_FRAME__INIT;
	Poc__Error	 e = POC__ERROR__INIT;
	char		 msg[512];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("peer %s (%s): %s; closing", peer_name(p),
	    session_addr(p->s), msg);
	e.code = code;
	e.message = msg;
	f.kind_case = POC__PEER_FRAME__KIND_ERROR;
	f.error = &e;
	/* A failed send has already closed the session (and freed p). */
	if (session_send(p->s, &f.base) == 0)
		session_close_after_flush(p->s, msg);
}

void
peer_init(const struct peer_cb *serve, void *arg)
{
	peer_serve = serve;
	peer_serve_arg = arg;
}

void
peer_accept(int fd, const char *addr)
{
	struct peer	*p;

	if ((p = peer_new(PEER_INBOUND)) == NULL) {
		close(fd);
		return;
	}
	p->s = session_accept(env->base, env->peer_ctx, fd, addr, &env->limits,
	    &poc__peer_frame__descriptor, &peer_session_cb, p);
	if (p->s == NULL)
		peer_free(p);
}

struct peer *
peer_dial(const char *member, const char *endpoint, const struct peer_cb *cb,
    void *arg)
{
	struct peer	*p;

	if ((p = peer_new(PEER_OUTBOUND)) == NULL)
		return NULL;
	p->cb = cb;
	p->arg = arg;
	snprintf(p->member, sizeof(p->member), "%s", member);
	p->s = session_connect(env->base, env->dns, env->dial_ctx, endpoint,
	    member, &env->limits, &poc__peer_frame__descriptor,
	    &peer_session_cb, p);
	if (p->s == NULL) {
		peer_free(p);
		return NULL;
	}
	log_debug("peer %s: dialling %s", member, endpoint);
	return p;
}

const char *
peer_member(const struct peer *p)
{
	return p->member;
}

int
peer_batch_signatures(const struct peer *p)
{
	return p->batch_signatures;
}

int
peer_audit_heads(const struct peer *p)
{
	return p->audit_heads;
}

const char *
peer_addr(const struct peer *p)
{
	return session_addr(p->s);
}

int
peer_enrolling(const struct peer *p)
{
	return p->state == PEER_ENROLLING;
}

X509 *
peer_cert(const struct peer *p)
{
	return session_peer_cert(p->s);
}

/* Whether the table cb (arg) pins fp for member; none pins nothing. */
static int
peer_pinned(const struct peer_cb *cb, void *arg, const char *member,
    const char *fp)
{
	return cb != NULL && cb->pinned != NULL && cb->pinned(member, fp, arg);
}

/* TLS is up: the certificate's CN is who this peer is.  Send our Hello. */
static void
peer_ready_cb(struct session *s, void *arg)
{
	struct peer	*p = arg;
	Poc__PeerFrame	 f = POC__PEER_FRAME__INIT;
	Poc__Hello	 h = POC__HELLO__INIT;
	char		 fp[65];

	if (!validate_member_code(session_cn(s))) {
		peer_fail(p, POC__ERROR__CODE__IDENTITY, "certificate CN "
		    "\"%.64s\" is not a member code", session_cn(s));
		return;
	}
	if (p->dir == PEER_INBOUND)
		snprintf(p->member, sizeof(p->member), "%s", session_cn(s));
	else if (strcmp(p->member, session_cn(s)) != 0) {
		/* tls_expect_cn already refused this in the handshake. */
		peer_fail(p, POC__ERROR__CODE__IDENTITY, "dialled %s but the "
		    "certificate is %s", p->member, session_cn(s));
		return;
	} else {
		/* The CA vouches for the name; the directory (or the
		 * dialler's own pin) for the key. */
		session_fingerprint(s, fp);
		if (!peer_pinned(p->cb, p->arg, p->member, fp)) {
			peer_fail(p, POC__ERROR__CODE__IDENTITY, "server "
			    "certificate %.16s... is not pinned for %s in the "
			    "directory", fp, p->member);
			return;
		}
	}
	peer_enter(p, PEER_HELLO);
	h.protocol_version = POC_PROTOCOL_VERSION;
	h.member = env->conf.member;
	h.software = (char *)POCD_SOFTWARE;
	h.batch_signatures = 1;
	h.audit_heads = 1;
	h.time = util_now_ms();		/* the other side sees our clock */
	f.kind_case = POC__PEER_FRAME__KIND_HELLO;
	f.hello = &h;
	session_send(s, &f.base);
}

/* Their Hello: right version, and the member its certificate names. */
static void
peer_on_hello(struct peer *p, const Poc__Hello *h)
{
	char		 fp[65];

	if (p->state != PEER_HELLO) {
		peer_fail(p, POC__ERROR__CODE__PROTOCOL, "second Hello");
		return;
	}
	if (h->protocol_version != POC_PROTOCOL_VERSION) {
		peer_fail(p, POC__ERROR__CODE__VERSION, "protocol_version %u "
		    "is not supported; this node speaks %d",
		    h->protocol_version, POC_PROTOCOL_VERSION);
		return;
	}
	if (strcmp(h->member, p->member) != 0) {
		peer_fail(p, POC__ERROR__CODE__IDENTITY, "Hello names member "
		    "\"%.64s\" but the certificate is %s", h->member,
		    p->member);
		return;
	}
	if (p->dir == PEER_INBOUND) {
		session_fingerprint(p->s, fp);
		if (!peer_pinned(peer_serve, peer_serve_arg, p->member, fp)) {
			if (peer_serve != NULL && peer_serve->enroll != NULL &&
			    peer_serve->enroll(p, fp, peer_serve_arg)) {
				peer_enter(p, PEER_ENROLLING);
				log_info("peer %s (%s): no record here; the "
				    "connection may only enroll", p->member,
				    session_addr(p->s));
				return;
			}
			peer_fail(p, POC__ERROR__CODE__IDENTITY, "certificate "
			    "%s is not pinned in %s's directory record (or there "
			    "is no record)", fp, p->member);
			return;
		}
	}
	p->batch_signatures = h->batch_signatures;
	p->audit_heads = h->audit_heads;
	clock_peer_seen(p->member, h->time);
	peer_enter(p, PEER_ESTABLISHED);
	log_info("peer %s (%s): connected, %s, %.64s", p->member,
	    session_addr(p->s), p->dir == PEER_INBOUND ? "inbound" : "outbound",
	    h->software);
	/* The serving table only notes the connection (peer.h), so p is
	 * still there for the dialler's table, which may close it. */
	if (peer_serve != NULL && peer_serve->up != NULL)
		peer_serve->up(p, peer_serve_arg);
	if (p->dir == PEER_OUTBOUND && p->cb != NULL && p->cb->up != NULL)
		p->cb->up(p, p->arg);
}

/* A request: the node's serving table answers it, on any connection.
 * Returns 1 if it took ownership of f. */
static int
peer_on_request(struct peer *p, Poc__PeerFrame *f)
{
	if (peer_serve == NULL || peer_serve->frame == NULL) {
		peer_fail(p, POC__ERROR__CODE__PROTOCOL, "this node serves no "
		    "such request");
		return 0;
	}
	return peer_serve->frame(p, f, peer_serve_arg);
}

/* An answer: for whoever dialled, if it asked for that kind. */
static void
peer_on_answer(struct peer *p, Poc__PeerFrame *f)
{
	const struct peer_cb	*cb = p->dir == PEER_OUTBOUND ? p->cb : NULL;

	if (f->kind_case == POC__PEER_FRAME__KIND_RECEIPT) {
		if (cb == NULL || cb->receipt == NULL)
			peer_fail(p, POC__ERROR__CODE__PROTOCOL, "receipt on a "
			    "connection that carries no envelopes of ours");
		else
			cb->receipt(p, f->receipt, p->arg);
		return;
	}
	/* Its table takes no ownership of an answer. */
	if (cb == NULL || cb->frame == NULL)
		peer_fail(p, POC__ERROR__CODE__PROTOCOL, "directory answer on "
		    "a connection that asked for none");
	else
		(void)cb->frame(p, f, p->arg);
}

static void
peer_frame_cb(struct session *s, ProtobufCMessage *m, void *arg)
{
	struct peer	*p = arg;
	Poc__PeerFrame	*f = (Poc__PeerFrame *)m;

	(void)s;
	if (p->state == PEER_HELLO &&
	    f->kind_case != POC__PEER_FRAME__KIND_HELLO &&
	    f->kind_case != POC__PEER_FRAME__KIND_ERROR) {
		peer_fail(p, POC__ERROR__CODE__PROTOCOL, "expected Hello first");
		goto done;
	}
	if (p->state == PEER_ENROLLING &&
	    f->kind_case != POC__PEER_FRAME__KIND_ENROLL_REQUEST &&
	    f->kind_case != POC__PEER_FRAME__KIND_DIRECTORY_DIGEST_REQUEST &&
	    f->kind_case != POC__PEER_FRAME__KIND_ERROR) {
		peer_fail(p, POC__ERROR__CODE__IDENTITY, "%s has no record "
		    "here: this connection may only enroll", p->member);
		goto done;
	}
	switch (f->kind_case) {
	case POC__PEER_FRAME__KIND_HELLO:
		peer_on_hello(p, f->hello);
		break;
	case POC__PEER_FRAME__KIND_ENVELOPE:
	case POC__PEER_FRAME__KIND_DIRECTORY_DIGEST_REQUEST:
	case POC__PEER_FRAME__KIND_DIRECTORY_FETCH:
	case POC__PEER_FRAME__KIND_ENROLL_REQUEST:
	case POC__PEER_FRAME__KIND_AUDIT_HEAD:
	case POC__PEER_FRAME__KIND_WITNESSED_HEAD:
		if (peer_on_request(p, f))
			return;		/* the serving side owns f */
		break;
	case POC__PEER_FRAME__KIND_DIRECTORY_DIGEST:
	case POC__PEER_FRAME__KIND_DIRECTORY_RECORDS:
	case POC__PEER_FRAME__KIND_ENROLL_ANSWER:
	case POC__PEER_FRAME__KIND_RECEIPT:
		peer_on_answer(p, f);
		break;
	case POC__PEER_FRAME__KIND_ERROR: {
		char	 why[300];

		log_warnx("peer %s (%s): sent error %d: %.200s; closing",
		    peer_name(p), session_addr(p->s), f->error->code,
		    f->error->message);
		/* The reason its users hear (and status shows) is the
		 * peer's own. */
		snprintf(why, sizeof(why), "peer sent an error: %.200s",
		    f->error->message);
		session_close(p->s, why);
		break;
	}
	default:
		peer_fail(p, POC__ERROR__CODE__PROTOCOL, "empty or unknown "
		    "frame kind");
		break;
	}
done:
	protobuf_c_message_free_unpacked(m, NULL);
}

static void
peer_bad_frame_cb(struct session *s, enum frame_status st, void *arg)
{
	struct peer	*p = arg;

	(void)s;
	peer_fail(p, st == FRAME_TOO_LARGE ? POC__ERROR__CODE__TOO_LARGE :
	    POC__ERROR__CODE__MALFORMED, "%s", frame_strstatus(st));
}

static void
peer_closed_cb(struct session *s, const char *reason, void *arg)
{
	struct peer	*p = arg;

	(void)s;
	if (p->state == PEER_ESTABLISHED)
		log_info("peer %s (%s): disconnected: %s", peer_name(p),
		    session_addr(p->s), reason);
	else if (p->dir == PEER_INBOUND && p->state == PEER_HANDSHAKE)
		log_warnx("peer listener: %s refused: %s", session_addr(p->s),
		    reason);
	else
		log_warnx("peer %s (%s): %s", peer_name(p), session_addr(p->s),
		    reason);
	peer_enter(p, PEER_CLOSED);
	if (peer_serve != NULL && peer_serve->down != NULL)
		peer_serve->down(p, reason, peer_serve_arg);
	if (p->dir == PEER_OUTBOUND && p->cb != NULL && p->cb->down != NULL)
		p->cb->down(p, reason, p->arg);
	peer_free(p);
}

int
peer_send_envelopes(struct peer *p, const uint8_t *const *data,
    const size_t *len, size_t n)
{
	uint8_t		 hdr[FRAME_WRAP_HEADER_MAX];
	uint8_t		*buf;
	size_t		 i, h, used = 0;
	int		 r = 0;

	if (p->state != PEER_ESTABLISHED)
		return -1;
	if ((buf = malloc(PEER_COALESCE)) == NULL) {
		log_warn("peer_send_envelopes");
		return -1;
	}
	for (i = 0; i < n && r == 0; i++) {
		/* The envelope is stored packed: the PeerFrame is built
		 * around the stored bytes without unpacking them (a oneof
		 * case is the field's number). */
		if ((h = frame_wrap_header(hdr, env->conf.max_frame,
		    POC__PEER_FRAME__KIND_ENVELOPE, len[i])) == 0) {
			r = -1;
			break;
		}
		if (used > 0 && used + h + len[i] > PEER_COALESCE) {
			r = session_send_raw(p->s, buf, used);
			used = 0;
		}
		if (r == 0 && h + len[i] > PEER_COALESCE) {
			/* Larger than a record: goes by itself. */
			r = session_send_raw(p->s, hdr, h) != 0 ||
			    session_send_raw(p->s, data[i], len[i]) != 0 ?
			    -1 : 0;
			continue;
		}
		memcpy(buf + used, hdr, h);
		memcpy(buf + used + h, data[i], len[i]);
		used += h + len[i];
	}
	if (r == 0 && used > 0)
		r = session_send_raw(p->s, buf, used);
	free(buf);
	return r;
}

int
peer_send_frame(struct peer *p, const Poc__PeerFrame *f)
{
	if (p->state != PEER_ESTABLISHED && p->state != PEER_ENROLLING)
		return -1;
	return session_send(p->s, &f->base);
}

void
peer_close(struct peer *p, const char *reason)
{
	p->cb = NULL;
	session_close(p->s, reason);
}

int
peer_count_inbound(const char *member)
{
	struct peer	*p;
	int		 n = 0;

	LIST_FOREACH(p, &peers, entry)
		if (p->dir == PEER_INBOUND && p->state == PEER_ESTABLISHED &&
		    (member == NULL || strcmp(p->member, member) == 0))
			n++;
	return n;
}

void
peer_close_all(void)
{
	struct peer	*p, *next;

	for (p = LIST_FIRST(&peers); p != NULL; p = next) {
		next = LIST_NEXT(p, entry);
		p->cb = NULL;
		session_close(p->s, "node shutting down");
	}
}
