/*
 * Framed mutual-TLS sessions on the event loop (see session.h).
 *
 * Life of a session: HANDSHAKE (TCP connect and TLS, bounded by
 * handshake_timeout) -> OPEN (frames flow; idle_timeout without a whole
 * frame closes it, which also ends a slowloris that trickles a partial
 * frame) -> FLUSHING (optional: a last frame is written) -> CLOSED (no more
 * callbacks; freed at the next loop turn, never inside its own callback).
 *
 * An OPEN session with nothing in flight at the end of a loop pass (no
 * byte buffered either way, in libevent or in OpenSSL) is parked: its
 * bufferevent, with its two evbuffers, and the SSL's socket BIO are freed,
 * and one event waits for the socket to become readable or the idle
 * deadline, whichever comes first; a readable socket or a frame to send
 * brings a new bufferevent over the same SSL.  Most connections of a
 * federation are idle most of the time, and this is 1.2 KiB of each (the
 * TLS record buffers already go, SSL_MODE_RELEASE_BUFFERS); rebuilding the
 * bufferevent costs microseconds, not measurable in a receipt's latency.
 * The session, not the bufferevent, therefore owns the socket and the SSL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/buffer.h>
#include <event2/dns.h>
#include <openssl/err.h>

#include "listener.h"
#include "log.h"
#include "session.h"
#include "tls.h"
#include "util.h"

enum session_state {
	S_HANDSHAKE,
	S_OPEN,
	S_FLUSHING,
	S_CLOSED,
};

/*
 * Thousands of these may sit idle at once, so nothing in it is sized for
 * the worst case: the address takes what it needs, the peer's CN and the
 * expected CN of a dialled session are allocated once known.
 */
struct session {
	struct event_base			*base;
	struct bufferevent			*bev;	/* NULL while parked */
	SSL					*ssl;
	/* -1 until a dialled session connects. */
	evutil_socket_t				 fd;
	/* The state's one deadline: handshake (and connect), idle, or
	 * flush; never two at once.  While parked, the same event also
	 * waits for the socket to become readable. */
	struct event				*timer;
	int64_t					 idle_at;	/* monotonic ms */
	struct session_limits			 lim;
	const ProtobufCMessageDescriptor	*desc;
	const struct session_cb			*cb;
	void					*arg;
	char					*cn;	/* NULL until TLS is up */
	/* Dialled: the CN required of the server; outlives the SSL. */
	char					*expect_cn;
	enum session_state			 state;
	unsigned int				 read_paused:1;
	unsigned int				 accepted:1;	/* by the listener */
	unsigned int				 tls_up:1;	/* handshake done */
	unsigned int				 parked:1;	/* see above */
	/* "ip:port" of an accepted peer, or the endpoint dialled. */
	char					 addr[];
};

static const char *
session_strstate(enum session_state s)
{
	switch (s) {
	case S_HANDSHAKE:
		return "handshake";
	case S_OPEN:
		return "open";
	case S_FLUSHING:
		return "flushing";
	case S_CLOSED:
		return "closed";
	}
	return "?";
}

static void
session_enter(struct session *s, enum session_state st)
{
	log_debug("session %s: %s -> %s", s->addr, session_strstate(s->state),
	    session_strstate(st));
	s->state = st;
}

static void
session_free_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct session	*s = arg;

	(void)ev;
	if (s->accepted)
		listener_release(s->addr);
	/* A dialled socket was made by libevent and is known to it only. */
	fd = s->bev != NULL ? bufferevent_getfd(s->bev) : s->fd;
	if (s->tls_up) {
		/* A close_notify, so that the other side sees an orderly
		 * close rather than a truncated stream; best effort on a
		 * non-blocking socket.  A parked SSL needs a BIO again. */
		if (s->bev != NULL || (fd >= 0 && SSL_set_fd(s->ssl, fd) == 1))
			SSL_shutdown(s->ssl);
		ERR_clear_error();
	}
	if (s->bev != NULL)
		bufferevent_free(s->bev);
	if (s->timer != NULL)
		event_free(s->timer);
	SSL_free(s->ssl);
	if (fd >= 0)
		evutil_closesocket(fd);
	free(s->cn);
	free(s->expect_cn);
	free(s);
}

void
session_close(struct session *s, const char *reason)
{
	struct timeval	 now = { 0, 0 };

	if (s->state == S_CLOSED)
		return;
	session_enter(s, S_CLOSED);
	evtimer_del(s->timer);
	if (s->bev != NULL)
		bufferevent_disable(s->bev, EV_READ | EV_WRITE);
	if (s->cb->closed != NULL)
		s->cb->closed(s, reason, s->arg);
	if (event_base_once(s->base, -1, EV_TIMEOUT, session_free_cb, s,
	    &now) != 0)
		fatalx("session_close: event_base_once failed");
}

void
session_close_after_flush(struct session *s, const char *reason)
{
	struct timeval	 tv = { s->lim.handshake_timeout, 0 };

	if (s->state == S_CLOSED || s->state == S_FLUSHING)
		return;
	if (session_output_len(s) == 0) {
		session_close(s, reason);
		return;
	}
	log_debug("session %s: flushing before close: %s", s->addr, reason);
	session_enter(s, S_FLUSHING);
	bufferevent_disable(s->bev, EV_READ);
	bufferevent_setwatermark(s->bev, EV_WRITE, 0, 0);
	evtimer_add(s->timer, &tv);	/* replaces the idle deadline */
}

/* Time left until the idle deadline, for an event. */
static struct timeval
session_idle_left(const struct session *s)
{
	return util_ms_timeval(s->idle_at - util_mono_ms());
}

/* Nothing in flight: no byte buffered in either direction, no TLS record
 * half read or half written, reading not paused. */
static int
session_can_park(struct session *s)
{
	return s->state == S_OPEN && !s->parked && !s->read_paused &&
	    s->fd >= 0 &&
	    evbuffer_get_length(bufferevent_get_input(s->bev)) == 0 &&
	    evbuffer_get_length(bufferevent_get_output(s->bev)) == 0 &&
	    !SSL_has_pending(s->ssl) && !SSL_want_write(s->ssl);
}

static void	session_read_cb(struct bufferevent *, void *);
static void	session_write_cb(struct bufferevent *, void *);
static void	session_event_cb(struct bufferevent *, short, void *);
static void	session_timer_cb(evutil_socket_t, short, void *);

/* Frees the bufferevent and the socket BIO; the timer becomes a wait for
 * the socket or the idle deadline.  Called from the timer, never from the
 * bufferevent's own callbacks. */
static void
session_park(struct session *s)
{
	struct timeval	 tv = session_idle_left(s);

	event_del(s->timer);
	bufferevent_free(s->bev);
	s->bev = NULL;
	SSL_set_bio(s->ssl, NULL, NULL);	/* the socket stays open */
	event_assign(s->timer, s->base, s->fd, EV_READ, session_timer_cb, s);
	event_add(s->timer, &tv);
	s->parked = 1;
}

/* A new bufferevent over the same SSL and socket.  Returns 0, or -1 (then
 * the session is being closed). */
static int
session_unpark(struct session *s)
{
	struct timeval	 tv = session_idle_left(s);

	event_del(s->timer);
	evtimer_assign(s->timer, s->base, session_timer_cb, s);
	s->parked = 0;
	s->bev = bufferevent_openssl_socket_new(s->base, s->fd, s->ssl,
	    BUFFEREVENT_SSL_OPEN, 0);
	if (s->bev == NULL) {
		log_warnx("session %s: cannot resume the connection", s->addr);
		session_close(s, "out of memory");
		return -1;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(s->bev, 1);
	bufferevent_setcb(s->bev, session_read_cb, session_write_cb,
	    session_event_cb, s);
	bufferevent_setwatermark(s->bev, EV_WRITE, s->lim.max_output / 2, 0);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	evtimer_add(s->timer, &tv);
	return 0;
}

/* Nothing is in flight now: the timer looks again once this loop pass is
 * over, outside the bufferevent's callbacks, and parks the session if
 * nothing is in flight then either (it re-arms the idle deadline if not). */
static void
session_park_soon(struct session *s)
{
	struct timeval	 now = { 0, 0 };

	if (s->state == S_OPEN && !s->parked)
		evtimer_add(s->timer, &now);
}

/*
 * The state's deadline passed (handshake or connect, idle, flush), or, in
 * OPEN, session_park_soon asked for a look, or a parked session's socket
 * became readable.
 */
static void
session_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct session	*s = arg;
	struct timeval	 tv;

	(void)fd;
	switch (s->state) {
	case S_HANDSHAKE:
		session_close(s, "TLS handshake timed out");
		break;
	case S_OPEN:
		if (s->parked && (ev & EV_READ)) {
			/* The new bufferevent reads at the next pass. */
			(void)session_unpark(s);
		} else if (util_mono_ms() >= s->idle_at)
			session_close(s, "idle timeout");
		else if (session_can_park(s))
			session_park(s);
		else {
			/* Busy, or libevent's cached clock woke us a little
			 * early: wait for the deadline (and, parked, for the
			 * socket) again. */
			tv = session_idle_left(s);
			event_add(s->timer, &tv);
		}
		break;
	case S_FLUSHING:
		session_close(s, "closed after error");
		break;
	case S_CLOSED:
		break;
	}
}

static void
session_idle_reset(struct session *s)
{
	struct timeval	 tv = { s->lim.idle_timeout, 0 };

	s->idle_at = util_mono_ms() + (int64_t)s->lim.idle_timeout * 1000;
	evtimer_add(s->timer, &tv);
}

/* Decodes every whole frame buffered, stopping if a callback closed us. */
static void
session_read_cb(struct bufferevent *bev, void *arg)
{
	struct session		*s = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	ProtobufCMessage	*m;
	enum frame_status	 st;

	while (s->state == S_OPEN) {
		st = frame_unpack(in, s->lim.max_frame, s->desc, &m);
		if (st == FRAME_NEED_MORE)
			break;
		if (st != FRAME_READY) {
			/* The protocol's bad_frame logs it, with its name. */
			evbuffer_drain(in, evbuffer_get_length(in));
			if (s->cb->bad_frame != NULL)
				s->cb->bad_frame(s, st, s->arg);
			if (s->state == S_OPEN)
				session_close(s, frame_strstatus(st));
			break;
		}
		session_idle_reset(s);
		s->cb->frame(s, m, s->arg);
	}
	if (s->state == S_OPEN && evbuffer_get_length(in) == 0)
		session_park_soon(s);
}

static void
session_write_cb(struct bufferevent *bev, void *arg)
{
	struct session	*s = arg;
	size_t		 len = evbuffer_get_length(bufferevent_get_output(bev));

	if (s->state == S_FLUSHING && len == 0) {
		session_close(s, "closed after error");
		return;
	}
	if (s->read_paused && s->state == S_OPEN &&
	    len <= s->lim.max_output / 2) {
		s->read_paused = 0;
		bufferevent_enable(bev, EV_READ);
		log_debug("session %s: output drained, reading again", s->addr);
	}
	if (len == 0)
		session_park_soon(s);
}

/* The OpenSSL errors libevent queued on a bufferevent, one at a time. */
static unsigned long
session_ssl_error_next(void *bev)
{
	return bufferevent_get_openssl_error(bev);
}

/* Describes why a session failed, from the socket, OpenSSL and the
 * certificate check. */
static void
session_error_reason(struct session *s, char *buf, size_t len)
{
	size_t		 off;
	int		 sockerr = EVUTIL_SOCKET_ERROR();
	long		 vr = SSL_get_verify_result(s->ssl);

	off = tls_errors_from(buf, len, session_ssl_error_next, s->bev);
	if (vr != X509_V_OK && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%scertificate: %s",
		    off ? "; " : "", X509_verify_cert_error_string(vr));
	if (off == 0 && sockerr != 0)
		snprintf(buf, len, "%s", evutil_socket_error_to_string(sockerr));
	if (buf[0] == '\0')
		snprintf(buf, len, "connection failed");
}

static void
session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct session	*s = arg;
	char		 reason[1024], msg[1100], cn[128];
	int		 one = 1, sockerr;

	if (what & BEV_EVENT_CONNECTED) {
		evtimer_del(s->timer);
		if (s->accepted == 0)	/* dialled: the socket is new */
			(void)setsockopt(bufferevent_getfd(bev), IPPROTO_TCP,
			    TCP_NODELAY, &one, sizeof(one));
		if (tls_resumed_current(s->ssl) != 0) {
			log_warnx("session %s: resumed session refused: its "
			    "certificate, CA or CRL is no longer valid",
			    s->addr);
			session_close(s, "resumed session expired");
			return;
		}
		if (tls_peer_cn(s->ssl, cn, sizeof(cn)) != 0) {
			log_warnx("session %s: peer certificate has no single "
			    "printable CN", s->addr);
			session_close(s, "certificate without a usable CN");
			return;
		}
		if ((s->cn = strdup(cn)) == NULL) {
			log_warn("session %s", s->addr);
			session_close(s, "out of memory");
			return;
		}
		s->tls_up = 1;
		s->fd = bufferevent_getfd(bev);
		(void)tls_trim_peer_chain(s->ssl);
		session_enter(s, S_OPEN);
		session_idle_reset(s);
		log_debug("session %s: TLS up with %s (%s)", s->addr, s->cn,
		    SSL_get_version(s->ssl));
		if (s->cb->ready != NULL)
			s->cb->ready(s, s->arg);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* A refused or unreachable connect shows up as a "dirty"
		 * EOF (dirty shutdowns are allowed): name the socket error,
		 * so that the operator sees "Connection refused" and not a
		 * TLS problem. */
		sockerr = EVUTIL_SOCKET_ERROR();
		if (s->state == S_HANDSHAKE && !s->accepted &&
		    (sockerr == ECONNREFUSED || sockerr == EHOSTUNREACH ||
		    sockerr == ENETUNREACH || sockerr == ETIMEDOUT)) {
			snprintf(msg, sizeof(msg), "cannot connect: %s",
			    evutil_socket_error_to_string(sockerr));
			session_close(s, msg);
			return;
		}
		session_close(s, s->state == S_HANDSHAKE ?
		    "closed during TLS handshake" : "closed by peer");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		session_error_reason(s, reason, sizeof(reason));
		snprintf(msg, sizeof(msg), "%s%s",
		    s->state == S_HANDSHAKE ? "TLS handshake failed: " : "",
		    reason);
		session_close(s, msg);
	}
}

/* Common part of accept and connect. */
static struct session *
session_new(struct event_base *base, SSL_CTX *ctx, int fd,
    enum bufferevent_ssl_state how, const char *addr,
    const struct session_limits *lim, const ProtobufCMessageDescriptor *d,
    const struct session_cb *cb, void *arg)
{
	struct session	*s;
	struct timeval	 tv = { lim->handshake_timeout, 0 };
	size_t		 alen = strlen(addr) + 1;
	int		 one = 1;

	if ((s = calloc(1, sizeof(*s) + alen)) == NULL) {
		log_warn("session_new");
		if (fd >= 0)
			evutil_closesocket(fd);
		return NULL;
	}
	s->base = base;
	s->lim = *lim;
	s->desc = d;
	s->cb = cb;
	s->arg = arg;
	s->state = S_HANDSHAKE;
	s->fd = fd;		/* ours now, closed with the session */
	memcpy(s->addr, addr, alen);
	if ((s->ssl = SSL_new(ctx)) == NULL)
		goto fail;
	/* Not BEV_OPT_CLOSE_ON_FREE: the session keeps the socket and the
	 * SSL while parked. */
	s->bev = bufferevent_openssl_socket_new(base, fd, s->ssl, how, 0);
	if (s->bev == NULL)
		goto fail;
	/* Frames are small and answered at once: no Nagle delay (it would
	 * hold a Hello or a receipt behind a delayed ACK for 40 ms). */
	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	bufferevent_openssl_set_allow_dirty_shutdown(s->bev, 1);
	bufferevent_setcb(s->bev, session_read_cb, session_write_cb,
	    session_event_cb, s);
	bufferevent_setwatermark(s->bev, EV_WRITE, lim->max_output / 2, 0);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	if ((s->timer = evtimer_new(base, session_timer_cb, s)) == NULL)
		goto fail;
	evtimer_add(s->timer, &tv);
	return s;
fail:
	log_warnx("session %s: cannot set up the connection", addr);
	session_free_cb(-1, 0, s);	/* closes fd */
	return NULL;
}

struct session *
session_accept(struct event_base *base, SSL_CTX *ctx, int fd,
    const char *addr, const struct session_limits *lim,
    const ProtobufCMessageDescriptor *d, const struct session_cb *cb,
    void *arg)
{
	struct session	*s;

	s = session_new(base, ctx, fd, BUFFEREVENT_SSL_ACCEPTING, addr, lim,
	    d, cb, arg);
	if (s != NULL)
		s->accepted = 1;
	else
		listener_release(addr);
	return s;
}

struct session *
session_connect(struct event_base *base, void *dns_base, SSL_CTX *ctx,
    const char *hostport, const char *expect_cn,
    const struct session_limits *lim, const ProtobufCMessageDescriptor *d,
    const struct session_cb *cb, void *arg)
{
	struct session	*s;
	char		 host[256], port[16];

	if (util_split_hostport(hostport, host, sizeof(host), port,
	    sizeof(port)) != 0) {
		log_warnx("session: bad endpoint \"%s\"", hostport);
		return NULL;
	}
	s = session_new(base, ctx, -1, BUFFEREVENT_SSL_CONNECTING, hostport,
	    lim, d, cb, arg);
	if (s == NULL)
		return NULL;
	if ((s->expect_cn = strdup(expect_cn)) == NULL ||
	    tls_expect_cn(s->ssl, s->expect_cn) != 0 ||
	    bufferevent_socket_connect_hostname(s->bev, dns_base, AF_UNSPEC,
	    host, atoi(port)) != 0) {
		log_warnx("session %s: cannot start connecting", hostport);
		session_free_cb(-1, 0, s);
		return NULL;
	}
	return s;
}

int
session_send(struct session *s, const ProtobufCMessage *m)
{
	struct evbuffer	*out;

	if (s->state != S_OPEN || (s->parked && session_unpark(s) != 0))
		return -1;
	out = bufferevent_get_output(s->bev);
	if (frame_pack(out, s->lim.max_frame, m) != 0) {
		log_warnx("session %s: cannot frame a %s", s->addr,
		    m->descriptor->short_name);
		session_close(s, "cannot frame a reply");
		return -1;
	}
	if (!s->read_paused && evbuffer_get_length(out) > s->lim.max_output) {
		/* The peer does not read its replies: stop reading its
		 * requests until it does (write_cb resumes). */
		s->read_paused = 1;
		bufferevent_disable(s->bev, EV_READ);
		log_debug("session %s: output over %zu bytes, reading paused",
		    s->addr, s->lim.max_output);
	}
	return 0;
}

int
session_send_raw(struct session *s, const void *p, size_t len)
{
	if (s->state != S_OPEN || (s->parked && session_unpark(s) != 0))
		return -1;
	if (bufferevent_write(s->bev, p, len) != 0) {
		session_close(s, "out of memory");
		return -1;
	}
	return 0;
}

const char *
session_cn(const struct session *s)
{
	return s->cn != NULL ? s->cn : "";
}

const char *
session_addr(const struct session *s)
{
	return s->addr;
}

X509 *
session_peer_cert(const struct session *s)
{
	if (!s->tls_up || s->ssl == NULL)
		return NULL;
	return SSL_get0_peer_certificate(s->ssl);
}

void
session_fingerprint(const struct session *s, char hex[65])
{
	if (!s->tls_up || tls_peer_fingerprint(s->ssl, hex) != 0)
		hex[0] = '\0';
}

int
session_is_open(const struct session *s)
{
	return s->state == S_OPEN;
}

size_t
session_output_len(const struct session *s)
{
	if (s->bev == NULL)
		return 0;	/* parked, or never set up */
	return evbuffer_get_length(bufferevent_get_output(s->bev));
}

/* Callbacks of a session whose owner has gone: frames are dropped. */
static void
session_drop_frame(struct session *s, ProtobufCMessage *m, void *arg)
{
	(void)s;
	(void)arg;
	protobuf_c_message_free_unpacked(m, NULL);
}

static const struct session_cb session_detached = {
	.frame = session_drop_frame,
};

void
session_detach(struct session *s)
{
	s->cb = &session_detached;
	s->arg = NULL;
}
