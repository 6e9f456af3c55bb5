/*
 * pocbench's client connection (see bconn.h).
 *
 * The context comes from common/tls, the TCP connection from common/conn
 * and the frames from common/frame, so the load generator speaks to pocd
 * exactly as a member does.  What is its own is the I/O: a blocking socket
 * per thread, bounded by socket timeouts, with incoming bytes read straight
 * into an evbuffer (frame_unpack() decodes them in place) and outgoing
 * messages packed straight into one queue: no copy per message either way.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bconn.h"
#include "bench.h"
#include "conn.h"
#include "frame.h"
#include "tls.h"

#define BCONN_READ_CHUNK	16384	/* a whole TLS record */

static SSL_CTX	*bconn_ctx;

void
bconn_init(void)
{
	struct tls_opts	 t;
	char		 err[1024];

	memset(&t, 0, sizeof(t));
	t.ca_file = opts.ca;
	t.cert_file = opts.cert;
	t.key_file = opts.key;
	/* The context a node dials its peers with; --resume keeps each
	 * connection's session (SSL_get1_session) for the next one. */
	if ((bconn_ctx = tls_ctx_new(&t, err, sizeof(err))) == NULL)
		bench_die("%s", err);
}

/* Makes the connected socket blocking, with the I/O timeouts, and sends
 * small writes at once. */
static int
bconn_socket_setup(int fd)
{
	struct timeval	 tv = { BENCH_IO_TIMEOUT_S, 0 };
	int		 one = 1, fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return 0;
}

int
bconn_open(struct bconn *c, SSL_SESSION *sess)
{
	char	 where[64], err[1024];

	memset(c, 0, sizeof(*c));
	snprintf(where, sizeof(where), "127.0.0.1:%d", opts.port);
	c->fd = conn_tcp_open(where, BENCH_IO_TIMEOUT_S * 1000, err,
	    sizeof(err));
	if (c->fd == -1) {
		fprintf(stderr, "pocbench: %s\n", err);
		return -1;
	}
	if (bconn_socket_setup(c->fd) == -1) {
		perror("pocbench: fcntl");
		bconn_close(c);
		return -1;
	}
	if ((c->in = evbuffer_new()) == NULL ||
	    (c->ssl = SSL_new(bconn_ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		bench_die("cannot set up a connection");
	if (sess != NULL)
		SSL_set_session(c->ssl, sess);
	if (SSL_connect(c->ssl) != 1) {
		tls_errors(err, sizeof(err));
		fprintf(stderr, "pocbench: TLS handshake: %s\n", err);
		SSL_free(c->ssl);	/* no close_notify for a failed one */
		c->ssl = NULL;
		bconn_close(c);
		return -1;
	}
	return 0;
}

void
bconn_close(struct bconn *c)
{
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	if (c->in != NULL)
		evbuffer_free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int
bconn_write(struct bconn *c, const void *p, size_t len)
{
	if (len == 0)
		return 0;
	if (SSL_write(c->ssl, p, (int)len) != (int)len) {
		fprintf(stderr, "pocbench: write failed\n");
		return -1;
	}
	return 0;
}

uint8_t *
bconn_queue(struct bconn *c, size_t len)
{
	uint8_t	*p;

	if (c->outlen + len > c->outcap) {
		c->outcap = (c->outlen + len) * 2;
		if ((c->out = realloc(c->out, c->outcap)) == NULL)
			bench_die("realloc");
	}
	p = c->out + c->outlen;
	c->outlen += len;
	return p;
}

void
bconn_queue_frame(struct bconn *c, const ProtobufCMessage *m)
{
	size_t	 size;

	if ((size = frame_size(BENCH_MAX_FRAME, m)) == 0)
		bench_die("cannot frame a %s", m->descriptor->short_name);
	frame_pack_into(bconn_queue(c, size), size, m);
}

int
bconn_flush(struct bconn *c)
{
	int	 rv = bconn_write(c, c->out, c->outlen);

	c->outlen = 0;
	return rv;
}

/* Reads what TLS has (at most a record) into the input buffer. */
static int
bconn_fill(struct bconn *c)
{
	struct evbuffer_iovec	 v;
	int			 n;

	if (evbuffer_reserve_space(c->in, BCONN_READ_CHUNK, &v, 1) != 1)
		bench_die("out of memory");
	n = SSL_read(c->ssl, v.iov_base, v.iov_len > INT_MAX ? INT_MAX :
	    (int)v.iov_len);
	if (n <= 0) {
		fprintf(stderr, "pocbench: connection closed or timed out "
		    "while reading\n");
		return -1;	/* the reserved space is simply not used */
	}
	v.iov_len = (size_t)n;
	if (evbuffer_commit_space(c->in, &v, 1) != 0)
		bench_die("evbuffer_commit_space");
	return 0;
}

int
bconn_read(struct bconn *c, void *p, size_t len)
{
	while (evbuffer_get_length(c->in) < len)
		if (bconn_fill(c) != 0)
			return -1;
	evbuffer_remove(c->in, p, len);
	return 0;
}

ProtobufCMessage *
bconn_recv(struct bconn *c, const ProtobufCMessageDescriptor *d)
{
	ProtobufCMessage	*m;
	enum frame_status	 st;

	while ((st = frame_unpack(c->in, BENCH_MAX_FRAME, d, &m)) ==
	    FRAME_NEED_MORE)
		if (bconn_fill(c) != 0)
			return NULL;
	if (st != FRAME_READY)
		fprintf(stderr, "pocbench: %s: %s\n", d->short_name,
		    frame_strstatus(st));
	return m;
}

int
bconn_readable(struct bconn *c)
{
	return evbuffer_get_length(c->in) > 0 || SSL_pending(c->ssl) > 0;
}
