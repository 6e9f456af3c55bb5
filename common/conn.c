/*
 * The synchronous client side of a framed, mutually authenticated TLS
 * connection (pocctl's operator RPC, pocpeer's peer protocol).
 *
 * The socket is non-blocking underneath so that connect, the handshake,
 * every read and every write are bounded by one poll() deadline; to the
 * caller each call simply blocks until it is done, fails or times out.
 * Frames go through evbuffers and frame_pack()/frame_unpack(), the same
 * code the daemon uses, so both ends agree on the wire format by
 * construction.  Error messages name what failed and, where one helps,
 * what to check next.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "conn.h"
#include "frame.h"
#include "tls.h"
#include "util.h"

#define CONN_READ_CHUNK	16384

struct conn {
	int		 fd;
	SSL_CTX		*ctx;
	SSL		*ssl;
	struct evbuffer	*in;		/* bytes read, not yet a whole frame */
	struct evbuffer	*out;		/* one packed frame on its way out */
	size_t		 max_frame;
	int		 timeout_ms;	/* <= 0: wait forever */
	char		 where[300];	/* "host:port" for messages */
	char		 expect_cn[256];/* lives as long as ssl (tls_expect_cn) */
};

/* The absolute deadline for an operation starting now, or -1 for none. */
static int64_t
conn_deadline(int timeout_ms)
{
	return timeout_ms > 0 ? util_mono_ms() + timeout_ms : -1;
}

/* Waits until fd is ready for events or the deadline passes.
 * Returns 1 when ready, 0 on timeout, -1 on error (errno set). */
static int
conn_wait(int fd, short events, int64_t deadline)
{
	struct pollfd	 pfd;
	int64_t		 left;
	int		 n;

	for (;;) {
		left = -1;
		if (deadline >= 0) {
			left = deadline - util_mono_ms();
			if (left <= 0)
				return 0;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		return 1;
	}
}

/*
 * A write to a socket the other end has closed must come back as EPIPE, not
 * kill the program: ignore SIGPIPE unless the program already chose a
 * handler of its own.
 */
static void
conn_ignore_sigpipe(void)
{
	struct sigaction	 sa;

	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGPIPE, &sa, NULL);
	}
}

/* Connects a non-blocking TCP socket to one address within the deadline.
 * Returns the fd, or -1 with errno set (ETIMEDOUT on timeout). */
static int
conn_tcp_one(const struct addrinfo *ai, int64_t deadline)
{
	int		 fd, soerr, r, saved, one = 1;
	socklen_t	 sl = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1)
		return -1;
	/* The request follows the handshake's last flight at once: without
	 * this, Nagle holds it until the node's delayed ACK, 40 ms on Linux,
	 * on every command. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	r = conn_wait(fd, POLLOUT, deadline);
	if (r == 0) {
		errno = ETIMEDOUT;
		goto fail;
	}
	if (r == -1)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
		goto fail;
	if (soerr != 0) {
		errno = soerr;
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Resolves host:port and connects to the first address that answers.
 * Returns the fd or -1 with err set. */
static int
conn_tcp(const char *hostport, int timeout_ms, int64_t deadline, char *err,
    size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	char		 host[256], port[32];
	int		 fd = -1, e, last = 0;

	if (util_split_hostport(hostport, host, sizeof(host), port,
	    sizeof(port)) == -1) {
		util_seterr(err, errlen, "bad address \"%s\": expected HOST:PORT "
		    "or [IPV6]:PORT", hostport);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		util_seterr(err, errlen, "cannot resolve %s: %s", host,
		    e == EAI_SYSTEM ? strerror(errno) : gai_strerror(e));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = conn_tcp_one(ai, deadline)) != -1)
			break;
		last = errno;
		if (last == ETIMEDOUT)
			break;		/* the deadline is shared: no time left */
	}
	freeaddrinfo(res);
	if (fd != -1)
		return fd;
	if (last == ECONNREFUSED)
		util_seterr(err, errlen, "connection refused by %s: is pocd "
		    "running and listening there?", hostport);
	else if (last == ETIMEDOUT)
		util_seterr(err, errlen, "connecting to %s timed out after "
		    "%d ms: is the address right and the port open?",
		    hostport, timeout_ms);
	else
		util_seterr(err, errlen, "cannot connect to %s: %s", hostport,
		    strerror(last));
	return -1;
}

int
conn_tcp_open(const char *hostport, int timeout_ms, char *err, size_t errlen)
{
	conn_ignore_sigpipe();
	return conn_tcp(hostport, timeout_ms, conn_deadline(timeout_ms), err,
	    errlen);
}

/* Copies the subject CN of the certificate the peer presented (verified or
 * not) into cn, or "?" if there is none. */
static void
conn_presented_cn(SSL *ssl, char *cn, size_t len)
{
	X509	*x;

	snprintf(cn, len, "?");
	if ((x = SSL_get1_peer_certificate(ssl)) == NULL)
		return;
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, (int)len) < 0)
		snprintf(cn, len, "?");
	X509_free(x);
}

/*
 * Describes a failed TLS operation ("what" names it with the address).  A
 * local verification failure names the reason; an alert from the other
 * side usually means it refused our certificate, so say what to check.
 */
static void
conn_tls_err(struct conn *c, const char *what, int sslerr, char *err,
    size_t errlen)
{
	char	 q[1024], cn[256];
	long	 vr;

	tls_errors(q, sizeof(q));
	vr = SSL_get_verify_result(c->ssl);
	if (vr == X509_V_ERR_HOSTNAME_MISMATCH && c->expect_cn[0] != '\0') {
		conn_presented_cn(c->ssl, cn, sizeof(cn));
		if (strcmp(cn, "?") != 0)
			util_seterr(err, errlen, "%s failed: the node's "
			    "certificate is for \"%s\", expected \"%s\"", what,
			    cn, c->expect_cn);
		else
			util_seterr(err, errlen, "%s failed: the node's "
			    "certificate is not for \"%s\": is that the "
			    "member code of the node there?", what,
			    c->expect_cn);
	} else if (vr != X509_V_OK) {
		util_seterr(err, errlen, "%s failed: certificate verify failed "
		    "(%s): is the CA file the one that issued the node's "
		    "certificate?", what, tls_verify_reason(c->ssl));
	} else if (strstr(q, "alert") != NULL) {
		util_seterr(err, errlen, "%s failed: the node refused us (%s): "
		    "is our certificate issued by the CA the node trusts here, "
		    "and not revoked or expired?", what, q);
	} else if (sslerr == SSL_ERROR_SYSCALL || q[0] == '\0') {
		util_seterr(err, errlen, "%s failed: connection closed by the "
		    "node%s%s", what, errno ? ": " : "",
		    errno ? strerror(errno) : "");
	} else
		util_seterr(err, errlen, "%s failed: %s", what, q);
}

/* The TLS calls of a connection, for conn_tls_call(). */
enum conn_op {
	CONN_HANDSHAKE,
	CONN_WRITE,
	CONN_READ,
};

/* Says that an operation waited on the socket in vain: poll said w (0 =
 * the deadline passed, -1 = poll failed, errno set). */
static void
conn_wait_err(struct conn *c, enum conn_op op, int w, char *err,
    size_t errlen)
{
	switch (op) {
	case CONN_HANDSHAKE:
		if (w == 0)
			util_seterr(err, errlen, "TLS handshake with %s timed out "
			    "after %d ms", c->where, c->timeout_ms);
		else
			util_seterr(err, errlen, "TLS handshake with %s: poll: %s",
			    c->where, strerror(errno));
		break;
	case CONN_WRITE:
		util_seterr(err, errlen, "writing to %s %s", c->where,
		    w == 0 ? "timed out" : strerror(errno));
		break;
	case CONN_READ:
		if (w == 0)
			util_seterr(err, errlen, "no answer from %s within %d ms",
			    c->where, c->timeout_ms);
		else
			util_seterr(err, errlen, "reading from %s: poll: %s",
			    c->where, strerror(errno));
		break;
	}
}

/*
 * Makes one TLS call (op on buf, len) and repeats it, waiting on the socket
 * each time TLS wants to read or write it, until it gets somewhere or the
 * deadline passes.  Returns the call's positive result; or -1 with err set
 * if the wait failed; or 0 with *sslerr = SSL_get_error() (errno still the
 * call's) for the caller to judge.
 */
static int
conn_tls_call(struct conn *c, enum conn_op op, void *buf, int len,
    int64_t deadline, int *sslerr, char *err, size_t errlen)
{
	int	 r = 0, w;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		switch (op) {
		case CONN_HANDSHAKE:
			r = SSL_connect(c->ssl);
			break;
		case CONN_WRITE:
			r = SSL_write(c->ssl, buf, len);
			break;
		case CONN_READ:
			r = SSL_read(c->ssl, buf, len);
			break;
		}
		if (r > 0)
			return r;
		*sslerr = SSL_get_error(c->ssl, r);
		if (*sslerr != SSL_ERROR_WANT_READ &&
		    *sslerr != SSL_ERROR_WANT_WRITE)
			return 0;
		/* Nothing decrypted is left over when TLS wants the socket
		 * (SSL_pending() is 0 then), so poll is right. */
		w = conn_wait(c->fd, *sslerr == SSL_ERROR_WANT_READ ?
		    POLLIN : POLLOUT, deadline);
		if (w != 1) {
			conn_wait_err(c, op, w, err, errlen);
			return -1;
		}
	}
}

/* Runs the TLS handshake within the deadline.  Returns 0 or -1. */
static int
conn_handshake(struct conn *c, int64_t deadline, char *err, size_t errlen)
{
	char	 what[400];
	int	 r, e;

	if ((r = conn_tls_call(c, CONN_HANDSHAKE, NULL, 0, deadline, &e, err,
	    errlen)) != 0)
		return r > 0 ? 0 : -1;
	snprintf(what, sizeof(what), "TLS handshake with %s", c->where);
	conn_tls_err(c, what, e, err, errlen);
	return -1;
}

/* Checks the verified server certificate's CN against expect_cn. */
static int
conn_check_cn(struct conn *c, char *err, size_t errlen)
{
	char	 cn[256];

	if (c->expect_cn[0] == '\0')
		return 0;
	if (tls_peer_cn(c->ssl, cn, sizeof(cn)) == -1) {
		util_seterr(err, errlen, "%s presented a certificate without a "
		    "usable CN, expected \"%s\"", c->where, c->expect_cn);
		return -1;
	}
	if (strcmp(cn, c->expect_cn) != 0) {
		util_seterr(err, errlen, "the node at %s is \"%s\", expected "
		    "\"%s\"", c->where, cn, c->expect_cn);
		return -1;
	}
	return 0;
}

/* Resolves and connects, runs the TLS handshake and checks the node's CN,
 * all within one deadline. */
struct conn *
conn_open(const char *hostport, const struct tls_opts *opts,
    const char *expect_cn, int timeout_ms, size_t max_frame, char *err,
    size_t errlen)
{
	struct conn	*c;
	struct tls_opts	 o;
	int64_t		 deadline = conn_deadline(timeout_ms);

	conn_ignore_sigpipe();
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		util_seterr(err, errlen, "out of memory");
		return NULL;
	}
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	c->max_frame = max_frame ? max_frame : FRAME_DEFAULT_MAX;
	snprintf(c->where, sizeof(c->where), "%s", hostport);
	if (expect_cn != NULL &&
	    strlen(expect_cn) >= sizeof(c->expect_cn)) {
		util_seterr(err, errlen, "expected CN too long");
		goto fail;
	}
	snprintf(c->expect_cn, sizeof(c->expect_cn), "%s",
	    expect_cn ? expect_cn : "");
	if ((c->in = evbuffer_new()) == NULL ||
	    (c->out = evbuffer_new()) == NULL) {
		util_seterr(err, errlen, "out of memory");
		goto fail;
	}

	o = *opts;
	o.server = 0;
	if ((c->ctx = tls_ctx_new(&o, err, errlen)) == NULL)
		goto fail;
	if ((c->fd = conn_tcp(hostport, timeout_ms, deadline, err,
	    errlen)) == -1)
		goto fail;
	if ((c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1) {
		char	 q[512];

		tls_errors(q, sizeof(q));
		util_seterr(err, errlen, "cannot set up TLS: %s", q);
		goto fail;
	}
	/* Checked during verification (fails the handshake) and again after. */
	if (c->expect_cn[0] != '\0' &&
	    tls_expect_cn(c->ssl, c->expect_cn) == -1) {
		util_seterr(err, errlen, "cannot set the expected CN");
		goto fail;
	}
	if (conn_handshake(c, deadline, err, errlen) == -1 ||
	    conn_check_cn(c, err, errlen) == -1)
		goto fail;
	return c;
fail:
	conn_close(c);
	return NULL;
}

/* Frees the connection and everything it holds. */
void
conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->ssl != NULL) {
		/* One non-blocking close_notify; no waiting for the answer. */
		if (SSL_is_init_finished(c->ssl))
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	SSL_CTX_free(c->ctx);
	if (c->fd != -1)
		close(c->fd);
	if (c->in != NULL)
		evbuffer_free(c->in);
	if (c->out != NULL)
		evbuffer_free(c->out);
	free(c);
	ERR_clear_error();
}

/* Writes all len bytes at p through TLS within one deadline. */
static int
conn_write_all(struct conn *c, const unsigned char *p, size_t len, char *err,
    size_t errlen)
{
	int64_t	 deadline = conn_deadline(c->timeout_ms);
	size_t	 done = 0;
	char	 what[400];
	int	 r, e, chunk;

	while (done < len) {
		chunk = len - done > INT32_MAX ? INT32_MAX : (int)(len - done);
		r = conn_tls_call(c, CONN_WRITE, (void *)(uintptr_t)(p + done),
		    chunk, deadline, &e, err, errlen);
		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (r == -1)
			return -1;
		if (e == SSL_ERROR_ZERO_RETURN ||
		    (e == SSL_ERROR_SYSCALL && (errno == EPIPE ||
		    errno == ECONNRESET || errno == 0))) {
			util_seterr(err, errlen, "connection closed by %s while "
			    "sending", c->where);
			return -1;
		}
		snprintf(what, sizeof(what), "sending to %s", c->where);
		conn_tls_err(c, what, e, err, errlen);
		return -1;
	}
	return 0;
}

/* Packs m into one frame and writes all of it. */
int
conn_send(struct conn *c, const ProtobufCMessage *m, char *err, size_t errlen)
{
	size_t	 len;
	int	 rv;

	evbuffer_drain(c->out, evbuffer_get_length(c->out));
	if (frame_pack(c->out, c->max_frame, m) == -1) {
		util_seterr(err, errlen, "message too large to send (%zu bytes, "
		    "limit %zu)", protobuf_c_message_get_packed_size(m),
		    c->max_frame);
		return -1;
	}
	len = evbuffer_get_length(c->out);
	rv = conn_write_all(c, evbuffer_pullup(c->out, -1), len, err, errlen);
	evbuffer_drain(c->out, len);
	return rv;
}

/* Writes bytes as they are (tests use it for garbage). */
int
conn_send_raw(struct conn *c, const void *p, size_t len, char *err,
    size_t errlen)
{
	if (len == 0)
		return 0;
	return conn_write_all(c, p, len, err, errlen);
}

/* Reads what TLS has into the input buffer, waiting until the deadline.
 * Returns the number of bytes added, 0 on a clean close, -1 on error. */
static int
conn_fill(struct conn *c, int64_t deadline, char *err, size_t errlen)
{
	unsigned char	 buf[CONN_READ_CHUNK];
	char		 what[400];
	int		 r, e;

	r = conn_tls_call(c, CONN_READ, buf, sizeof(buf), deadline, &e, err,
	    errlen);
	if (r > 0) {
		if (evbuffer_add(c->in, buf, (size_t)r) == -1) {
			util_seterr(err, errlen, "out of memory");
			return -1;
		}
		return r;
	}
	if (r == -1)
		return -1;
	/* A close without close_notify is still the node hanging up, not a
	 * TLS failure worth a paragraph. */
	if (e == SSL_ERROR_ZERO_RETURN ||
	    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 &&
	    (errno == 0 || errno == ECONNRESET)) ||
	    (e == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) ==
	    SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
		ERR_clear_error();
		return 0;
	}
	snprintf(what, sizeof(what), "reading from %s", c->where);
	conn_tls_err(c, what, e, err, errlen);
	return -1;
}

/* Reads until one whole frame is buffered and decodes it as d. */
ProtobufCMessage *
conn_recv(struct conn *c, const ProtobufCMessageDescriptor *d, char *err,
    size_t errlen)
{
	ProtobufCMessage	*m = NULL;
	int64_t			 deadline = conn_deadline(c->timeout_ms);
	uint32_t		 len;
	int			 r;

	for (;;) {
		switch (frame_unpack(c->in, c->max_frame, d, &m)) {
		case FRAME_READY:
			return m;
		case FRAME_TOO_LARGE:
			frame_peek_len(c->in, &len);
			util_seterr(err, errlen, "%s sent a frame of %u bytes "
			    "(limit %zu)", c->where, len, c->max_frame);
			return NULL;
		case FRAME_MALFORMED:
			util_seterr(err, errlen, "%s sent a frame that is not a "
			    "valid %s", c->where, d->name);
			return NULL;
		case FRAME_NEED_MORE:
			break;
		}
		if ((r = conn_fill(c, deadline, err, errlen)) == -1)
			return NULL;
		if (r == 0) {
			if (evbuffer_get_length(c->in) > 0)
				util_seterr(err, errlen, "connection closed by %s "
				    "in the middle of a frame", c->where);
			else
				util_seterr(err, errlen, "connection closed by "
				    "%s", c->where);
			return NULL;
		}
	}
}
