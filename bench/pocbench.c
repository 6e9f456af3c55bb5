/*
 * pocbench: the load generator of `make bench` (bench/run.py drives it).
 *
 * It speaks either pocd's peer protocol (Hello, then signed Envelopes
 * answered by Receipts, framed with common/frame's wire format) or MQTT
 * 3.1.1 QoS 1 (PUBLISH answered by PUBACK) to Mosquitto, over the same
 * mutual-TLS client code, so both servers see the same client: one thread
 * and one blocking TLS connection per simulated peer, the same window of
 * unacknowledged messages, the same 1 KiB body.
 *
 *	pocbench MODE --proto poc|mqtt --port N --ca F --cert F --key F
 *	    [--member AUS --to FRA] [options]
 *
 * Modes (each prints one JSON object on stdout):
 *	tput	--conns C --count N --window W: N messages per connection,
 *		at most W unacknowledged; rate until every receipt/PUBACK
 *	lat	--count N --interval-ms I: one at a time; p50, p99, max
 *	storm	--seconds S --threads T [--resume]: connect, handshake,
 *		Hello (CONNECT/CONNACK), close; connections per second
 *	idle	--conns C: opens C authenticated connections, prints
 *		{"ready": C}, holds them until stdin closes
 *	mqsub	--client-id ID: persistent session, SUBSCRIBE QoS 1, leave
 *	mqdrain	--client-id ID --count N: resume the session, receive N
 *		PUBLISH (PUBACK each); seconds until all are in
 *	queue	--count N --conns C: N OpSend requests on the operator
 *		listener (operator certificate), for the drain benchmark
 *
 * A failure (refused, a receipt that is not ACCEPTED, a timeout) exits 1
 * with the reason on stderr: a benchmark figure is only printed for a run
 * in which every message was acknowledged.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "proto/poc.pb-c.h"
#include "sig.h"
#include "util.h"

#define BODY_LEN	1024
#define IO_TIMEOUT_S	60
#define TOPIC		"pocbench/load"

enum proto { P_POC, P_MQTT };

static struct opts {
	enum proto	 proto;
	int		 port;
	const char	*ca, *cert, *key;
	const char	*member, *to;
	const char	*client_id;
	int		 conns, count, window, interval_ms, seconds, threads;
	int		 resume;
} o = {
	.proto = P_POC, .member = "AUS", .to = "FRA", .client_id = "pocbench",
	.conns = 1, .count = 1000, .window = 64, .interval_ms = 5,
	.seconds = 5, .threads = 2,
};

static SSL_CTX	*ctx;
static EVP_PKEY	*sigkey;
static char	 body[BODY_LEN + 1];

static void
die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list	 ap;
	char	 q[512];
	unsigned long e;

	va_start(ap, fmt);
	fprintf(stderr, "pocbench: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, q, sizeof(q));
		fprintf(stderr, " (%s)", q);
	}
	fputc('\n', stderr);
	exit(1);
}

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ TLS client */

struct bconn {
	int		 fd;
	SSL		*ssl;
	uint16_t	 pid;		/* MQTT packet id */
	/* read buffer */
	uint8_t		 rbuf[65536];
	size_t		 roff, rlen;
};

static void
client_ctx(void)
{
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		die("SSL_CTX_new");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_load_verify_locations(ctx, o.ca, NULL) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, o.cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, o.key, SSL_FILETYPE_PEM) != 1)
		die("cannot load %s / %s / %s", o.ca, o.cert, o.key);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
}

/* Connects and completes the TLS handshake (resuming sess if given).
 * Returns 0, or -1 with a message on stderr. */
static int
bconn_open(struct bconn *c, SSL_SESSION *sess)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { IO_TIMEOUT_S, 0 };
	int			 one = 1;

	memset(c, 0, sizeof(*c));
	if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		perror("pocbench: socket");
		return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)o.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("pocbench: connect");
		close(c->fd);
		return -1;
	}
	if ((c->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		die("SSL_new");
	if (sess != NULL)
		SSL_set_session(c->ssl, sess);
	if (SSL_connect(c->ssl) != 1) {
		char	 q[256];

		ERR_error_string_n(ERR_get_error(), q, sizeof(q));
		fprintf(stderr, "pocbench: TLS handshake: %s\n", q);
		SSL_free(c->ssl);
		close(c->fd);
		return -1;
	}
	return 0;
}

static void
bconn_close(struct bconn *c)
{
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	c->ssl = NULL;
	c->fd = -1;
}

static int
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

/* Reads exactly len bytes. */
static int
bconn_read(struct bconn *c, void *p, size_t len)
{
	uint8_t	*d = p;
	int	 n;

	while (len > 0) {
		if (c->rlen == 0) {
			n = SSL_read(c->ssl, c->rbuf, sizeof(c->rbuf));
			if (n <= 0) {
				fprintf(stderr, "pocbench: connection closed "
				    "or timed out while reading\n");
				return -1;
			}
			c->roff = 0;
			c->rlen = (size_t)n;
		}
		n = (int)(len < c->rlen ? len : c->rlen);
		memcpy(d, c->rbuf + c->roff, (size_t)n);
		c->roff += (size_t)n;
		c->rlen -= (size_t)n;
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ------------------------------------------------------ pocd peer protocol */

/* Packs f with a 4-byte big-endian length into a malloc'd buffer. */
static uint8_t *
poc_pack(const Poc__PeerFrame *f, size_t *len)
{
	size_t	 n = poc__peer_frame__get_packed_size(f);
	uint8_t	*b;

	if ((b = malloc(n + 4)) == NULL)
		die("malloc");
	b[0] = (uint8_t)(n >> 24);
	b[1] = (uint8_t)(n >> 16);
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	poc__peer_frame__pack(f, b + 4);
	*len = n + 4;
	return b;
}

static Poc__PeerFrame *
poc_recv(struct bconn *c)
{
	uint8_t		 h[4], *b;
	uint32_t	 n;
	Poc__PeerFrame	*f;

	if (bconn_read(c, h, 4) != 0)
		return NULL;
	n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 |
	    h[3];
	if (n == 0 || n > 16 * 1024 * 1024 || (b = malloc(n)) == NULL)
		return NULL;
	if (bconn_read(c, b, n) != 0) {
		free(b);
		return NULL;
	}
	f = poc__peer_frame__unpack(NULL, n, b);
	free(b);
	if (f == NULL)
		fprintf(stderr, "pocbench: frame does not decode\n");
	return f;
}

/* Hello both ways. */
static int
poc_hello(struct bconn *c)
{
	Poc__PeerFrame	 f = POC__PEER_FRAME__INIT, *r;
	Poc__Hello	 h = POC__HELLO__INIT;
	uint8_t		*b;
	size_t		 len;
	int		 ok;

	h.protocol_version = 1;
	h.member = (char *)o.member;
	h.software = (char *)"pocbench";
	f.kind_case = POC__PEER_FRAME__KIND_HELLO;
	f.hello = &h;
	b = poc_pack(&f, &len);
	ok = bconn_write(c, b, len);
	free(b);
	if (ok != 0 || (r = poc_recv(c)) == NULL)
		return -1;
	ok = r->kind_case == POC__PEER_FRAME__KIND_HELLO ? 0 : -1;
	if (ok != 0)
		fprintf(stderr, "pocbench: no Hello from the node (kind %d%s%s)\n",
		    r->kind_case, r->kind_case == POC__PEER_FRAME__KIND_ERROR ?
		    ": " : "", r->kind_case == POC__PEER_FRAME__KIND_ERROR ?
		    r->error->message : "");
	poc__peer_frame__free_unpacked(r, NULL);
	return ok;
}

/* A signed notification with a 1 KiB description, framed. */
static uint8_t *
poc_envelope(size_t *len)
{
	Poc__PeerFrame		 f = POC__PEER_FRAME__INIT;
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__Notification	 n = POC__NOTIFICATION__INIT;
	char			 id[UUID_STR_LEN];
	uint8_t			*canon, sig[SIG_MAX_LEN];
	size_t			 clen, siglen;

	if (util_uuid_new(id) != 0)
		die("uuid");
	e.id = id;
	e.thread_id = id;
	e.in_reply_to = (char *)"";
	e.sender = (char *)o.member;
	e.recipient = (char *)o.to;
	e.created_at = util_now_ms();
	e.tlp = POC__TLP__GREEN;
	e.language = (char *)"en";
	n.summary = (char *)"pocbench load";
	n.description = body;
	e.body_case = POC__ENVELOPE__BODY_NOTIFICATION;
	e.notification = &n;
	/* The signature covers the envelope packed with signature empty. */
	clen = poc__envelope__get_packed_size(&e);
	if ((canon = malloc(clen)) == NULL)
		die("malloc");
	poc__envelope__pack(&e, canon);
	if (sig_sign(sigkey, SIG_CTX_ENVELOPE, canon, clen, sig, &siglen) != 0)
		die("cannot sign");
	free(canon);
	e.signature.data = sig;
	e.signature.len = siglen;
	f.kind_case = POC__PEER_FRAME__KIND_ENVELOPE;
	f.envelope = &e;
	return poc_pack(&f, len);
}

/* Reads one receipt; it must be ACCEPTED. */
static int
poc_receipt(struct bconn *c)
{
	Poc__PeerFrame	*r;
	int		 ok = -1;

	if ((r = poc_recv(c)) == NULL)
		return -1;
	if (r->kind_case == POC__PEER_FRAME__KIND_RECEIPT &&
	    r->receipt->status == POC__RECEIPT__STATUS__ACCEPTED)
		ok = 0;
	else if (r->kind_case == POC__PEER_FRAME__KIND_RECEIPT)
		fprintf(stderr, "pocbench: receipt %d: %s\n",
		    r->receipt->status, r->receipt->reason);
	else if (r->kind_case == POC__PEER_FRAME__KIND_ERROR)
		fprintf(stderr, "pocbench: error frame: %s\n",
		    r->error->message);
	else
		fprintf(stderr, "pocbench: unexpected frame %d\n",
		    r->kind_case);
	poc__peer_frame__free_unpacked(r, NULL);
	return ok;
}

/* ------------------------------------------------------------ MQTT 3.1.1 */

static size_t
mq_varint(uint8_t *p, size_t n)
{
	size_t	 i = 0;

	do {
		p[i] = (uint8_t)(n % 128);
		n /= 128;
		if (n > 0)
			p[i] |= 0x80;
		i++;
	} while (n > 0);
	return i;
}

static size_t
mq_str(uint8_t *p, const char *s)
{
	size_t	 n = strlen(s);

	p[0] = (uint8_t)(n >> 8);
	p[1] = (uint8_t)n;
	memcpy(p + 2, s, n);
	return n + 2;
}

/* Reads one packet: type byte and body (at most cap bytes). */
static int
mq_recv(struct bconn *c, uint8_t *type, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t	 b;
	size_t	 n = 0, mul = 1;
	int	 i;

	if (bconn_read(c, type, 1) != 0)
		return -1;
	for (i = 0; i < 4; i++) {
		if (bconn_read(c, &b, 1) != 0)
			return -1;
		n += (size_t)(b & 0x7f) * mul;
		mul *= 128;
		if (!(b & 0x80))
			break;
	}
	if (n > cap) {
		fprintf(stderr, "pocbench: MQTT packet of %zu bytes\n", n);
		return -1;
	}
	*len = n;
	return bconn_read(c, buf, n);
}

static int
mq_connect(struct bconn *c, const char *client_id, int clean)
{
	uint8_t	 p[512], v[400], t, r[16];
	size_t	 n = 0, vn = 0, rl;

	vn += mq_str(v + vn, "MQTT");
	v[vn++] = 4;				/* 3.1.1 */
	v[vn++] = clean ? 0x02 : 0x00;
	v[vn++] = 0;
	v[vn++] = 120;				/* keepalive */
	vn += mq_str(v + vn, client_id);
	p[n++] = 0x10;
	n += mq_varint(p + n, vn);
	memcpy(p + n, v, vn);
	n += vn;
	if (bconn_write(c, p, n) != 0 ||
	    mq_recv(c, &t, r, sizeof(r), &rl) != 0)
		return -1;
	if ((t & 0xf0) != 0x20 || rl != 2 || r[1] != 0) {
		fprintf(stderr, "pocbench: CONNACK refused (%d)\n", r[1]);
		return -1;
	}
	return 0;
}

static void
mq_disconnect(struct bconn *c)
{
	static const uint8_t	 d[2] = { 0xe0, 0 };

	(void)bconn_write(c, d, 2);
}

/* A QoS 1 PUBLISH of the 1 KiB body, in a malloc'd buffer. */
static uint8_t *
mq_publish(struct bconn *c, size_t *len)
{
	uint8_t	*p;
	size_t	 n = 0, rl = 2 + strlen(TOPIC) + 2 + BODY_LEN;

	if ((p = malloc(rl + 8)) == NULL)
		die("malloc");
	if (++c->pid == 0)
		c->pid = 1;
	p[n++] = 0x32;
	n += mq_varint(p + n, rl);
	n += mq_str(p + n, TOPIC);
	p[n++] = (uint8_t)(c->pid >> 8);
	p[n++] = (uint8_t)c->pid;
	memcpy(p + n, body, BODY_LEN);
	*len = n + BODY_LEN;
	return p;
}

static int
mq_puback(struct bconn *c)
{
	uint8_t	 t, b[8];
	size_t	 n;

	if (mq_recv(c, &t, b, sizeof(b), &n) != 0)
		return -1;
	if ((t & 0xf0) != 0x40) {
		fprintf(stderr, "pocbench: expected PUBACK, got 0x%02x\n", t);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------- per-protocol wrappers */

/* Opens a connection and greets (Hello / CONNECT). */
static int
greet(struct bconn *c, SSL_SESSION *sess, const char *client_id)
{
	if (bconn_open(c, sess) != 0)
		return -1;
	if ((o.proto == P_POC ? poc_hello(c) : mq_connect(c, client_id, 1))
	    != 0) {
		bconn_close(c);
		return -1;
	}
	return 0;
}

static uint8_t *
message(struct bconn *c, size_t *len)
{
	return o.proto == P_POC ? poc_envelope(len) : mq_publish(c, len);
}

static int
ack(struct bconn *c)
{
	return o.proto == P_POC ? poc_receipt(c) : mq_puback(c);
}

static void
bye(struct bconn *c)
{
	if (o.proto == P_MQTT)
		mq_disconnect(c);
	bconn_close(c);
}

/* --------------------------------------------------------------- modes */

struct worker {
	pthread_t	 t;
	int		 n;
	int		 ok;
	long		 done;
	char		 id[64];
};

/* 1 if a whole or partial answer is already buffered (no waiting). */
static int
bconn_readable(struct bconn *c)
{
	return c->rlen > 0 || SSL_pending(c->ssl) > 0;
}

/*
 * One sending peer: keeps up to o.window messages unacknowledged.  Like
 * pocd's own outbox (which fills its window in one go and lets the
 * bufferevent write it), the messages that fit in the window are written
 * together, so they share TLS records; the acknowledgements already
 * received are all taken before the window is refilled.  The same for
 * both protocols.
 */
static void *
tput_worker(void *arg)
{
	struct worker	*w = arg;
	struct bconn	*c = calloc(1, sizeof(*c));
	uint8_t		*m, *batch = NULL;
	size_t		 len, blen, bcap = 0;
	int		 sent = 0, acked = 0;

	if (c == NULL || greet(c, NULL, w->id) != 0)
		return NULL;
	while (acked < o.count) {
		blen = 0;
		while (sent < o.count && sent - acked < o.window) {
			m = message(c, &len);
			if (blen + len > bcap) {
				bcap = (blen + len) * 2;
				if ((batch = realloc(batch, bcap)) == NULL)
					die("realloc");
			}
			memcpy(batch + blen, m, len);
			blen += len;
			free(m);
			sent++;
		}
		if (bconn_write(c, batch, blen) != 0)
			goto out;
		do {
			if (ack(c) != 0)
				goto out;
			acked++;
		} while (acked < sent && bconn_readable(c));
	}
	w->ok = 1;
out:
	w->done = acked;
	bye(c);
	free(c);
	free(batch);
	return NULL;
}

/*
 * Runs fn on o.conns worker threads, each first set up by init(w, i),
 * waits for all and prints {"<key>": total done, "seconds", "rate"}; dies
 * naming the first worker that failed.
 */
static void
run_workers(void *(*fn)(void *), void (*init)(struct worker *, int),
    const char *key, const char *what)
{
	struct worker	*w = calloc((size_t)o.conns, sizeof(*w));
	double		 t0, t1;
	long		 total = 0;
	int		 i;

	if (w == NULL)
		die("calloc");
	t0 = now_s();
	for (i = 0; i < o.conns; i++) {
		init(&w[i], i);
		if (pthread_create(&w[i].t, NULL, fn, &w[i]) != 0)
			die("pthread_create");
	}
	for (i = 0; i < o.conns; i++) {
		pthread_join(w[i].t, NULL);
		if (!w[i].ok)
			die("%s %d failed after %ld", what, i, w[i].done);
		total += w[i].done;
	}
	t1 = now_s();
	printf("{\"%s\": %ld, \"seconds\": %.4f, \"rate\": %.1f}\n", key,
	    total, t1 - t0, (double)total / (t1 - t0));
	free(w);
}

static void
tput_init(struct worker *w, int i)
{
	snprintf(w->id, sizeof(w->id), "%s-%d", o.client_id, i);
}

static void
mode_tput(void)
{
	run_workers(tput_worker, tput_init, "messages",
	    "connection (acknowledgements)");
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
mode_lat(void)
{
	struct bconn	*c = calloc(1, sizeof(*c));
	double		*v = calloc((size_t)o.count, sizeof(double)), t;
	uint8_t		*m;
	size_t		 len;
	int		 i;

	if (c == NULL || v == NULL)
		die("calloc");
	if (greet(c, NULL, o.client_id) != 0)
		die("cannot connect");
	for (i = 0; i < o.count; i++) {
		m = message(c, &len);	/* built (and signed) before the clock */
		t = now_s();
		if (bconn_write(c, m, len) != 0 || ack(c) != 0)
			die("message %d failed", i);
		v[i] = (now_s() - t) * 1000.0;
		free(m);
		if (o.interval_ms > 0)
			usleep((useconds_t)o.interval_ms * 1000);
	}
	bye(c);
	qsort(v, (size_t)o.count, sizeof(double), cmp_double);
	printf("{\"count\": %d, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
	    "\"max_ms\": %.3f}\n", o.count, v[o.count / 2],
	    v[(int)((double)o.count * 0.99)], v[o.count - 1]);
	free(v);
	free(c);
}

static volatile int	 storm_stop;

static void *
storm_worker(void *arg)
{
	struct worker	*w = arg;
	struct bconn	*c = calloc(1, sizeof(*c));
	SSL_SESSION	*sess = NULL;
	long		 resumed = 0;

	if (c == NULL)
		return NULL;
	w->ok = 1;
	while (!storm_stop) {
		if (greet(c, o.resume ? sess : NULL, w->id) != 0) {
			w->ok = 0;
			break;
		}
		if (SSL_session_reused(c->ssl))
			resumed++;
		if (o.resume) {
			/* TLS 1.3 tickets arrive after the handshake: the
			 * Hello exchange has read them by now. */
			SSL_SESSION	*s = SSL_get1_session(c->ssl);

			if (s != NULL && SSL_SESSION_is_resumable(s)) {
				SSL_SESSION_free(sess);
				sess = s;
			} else
				SSL_SESSION_free(s);
		}
		bye(c);
		w->done++;
	}
	SSL_SESSION_free(sess);
	w->n = (int)resumed;
	free(c);
	return NULL;
}

static void
mode_storm(void)
{
	struct worker	*w = calloc((size_t)o.threads, sizeof(*w));
	long		 total = 0, resumed = 0;
	double		 t0, t1;
	int		 i;

	if (w == NULL)
		die("calloc");
	t0 = now_s();
	for (i = 0; i < o.threads; i++) {
		snprintf(w[i].id, sizeof(w[i].id), "%s-s%d", o.client_id, i);
		if (pthread_create(&w[i].t, NULL, storm_worker, &w[i]) != 0)
			die("pthread_create");
	}
	sleep((unsigned)o.seconds);
	storm_stop = 1;
	for (i = 0; i < o.threads; i++) {
		pthread_join(w[i].t, NULL);
		if (!w[i].ok)
			die("a connection failed after %ld", w[i].done);
		total += w[i].done;
		resumed += w[i].n;
	}
	t1 = now_s();
	printf("{\"connections\": %ld, \"resumed\": %ld, \"seconds\": %.3f, "
	    "\"rate\": %.1f}\n", total, resumed, t1 - t0,
	    (double)total / (t1 - t0));
	free(w);
}

static void
mode_idle(void)
{
	struct bconn	**cs = calloc((size_t)o.conns, sizeof(*cs));
	struct rlimit	 rl;
	char		 id[64], line[16];
	int		 i;

	if (cs == NULL)
		die("calloc");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < o.conns; i++) {
		/* one connection each, held open until stdin closes */
		if ((cs[i] = calloc(1, sizeof(**cs))) == NULL)
			die("calloc");
		snprintf(id, sizeof(id), "%s-i%d", o.client_id, i);
		if (greet(cs[i], NULL, id) != 0)
			die("connection %d failed", i);
	}
	printf("{\"ready\": %d}\n", o.conns);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) != NULL)
		;
	for (i = 0; i < o.conns; i++) {
		bye(cs[i]);
		free(cs[i]);
	}
	free(cs);
}

static void
mode_mqsub(void)
{
	struct bconn	*c = calloc(1, sizeof(*c));
	uint8_t		 p[256], t, r[16];
	size_t		 n = 0, vn, rl;

	if (c == NULL || bconn_open(c, NULL) != 0 ||
	    mq_connect(c, o.client_id, 0) != 0)
		die("cannot connect");
	vn = 2 + 2 + strlen(TOPIC) + 1;
	p[n++] = 0x82;
	n += mq_varint(p + n, vn);
	p[n++] = 0;
	p[n++] = 1;
	n += mq_str(p + n, TOPIC);
	p[n++] = 1;				/* QoS 1 */
	if (bconn_write(c, p, n) != 0 || mq_recv(c, &t, r, sizeof(r), &rl) != 0
	    || (t & 0xf0) != 0x90 || rl < 3 || r[2] != 1)
		die("SUBSCRIBE refused");
	mq_disconnect(c);
	bconn_close(c);
	free(c);
	printf("{\"subscribed\": \"%s\"}\n", o.client_id);
}

static void
mode_mqdrain(void)
{
	struct bconn	*c = calloc(1, sizeof(*c));
	uint8_t		 t, buf[4096], ack[4];
	size_t		 len, tl;
	double		 t0, t1;
	int		 got = 0;

	if (c == NULL)
		die("calloc");
	t0 = now_s();
	if (bconn_open(c, NULL) != 0 || mq_connect(c, o.client_id, 0) != 0)
		die("cannot connect");
	while (got < o.count) {
		if (mq_recv(c, &t, buf, sizeof(buf), &len) != 0)
			die("drain stopped after %d", got);
		if ((t & 0xf0) != 0x30)
			continue;
		if (((t >> 1) & 3) != 1 || len < 4)
			die("PUBLISH not QoS 1");
		tl = (size_t)buf[0] << 8 | buf[1];
		if (tl + 4 > len)
			die("bad PUBLISH");
		ack[0] = 0x40;
		ack[1] = 2;
		ack[2] = buf[2 + tl];
		ack[3] = buf[3 + tl];
		if (bconn_write(c, ack, 4) != 0)
			die("PUBACK failed");
		got++;
	}
	t1 = now_s();
	mq_disconnect(c);
	bconn_close(c);
	free(c);
	printf("{\"messages\": %d, \"seconds\": %.4f, \"rate\": %.1f}\n", got,
	    t1 - t0, (double)got / (t1 - t0));
}

/* Operator RPC: one OpSend of a 1 KiB notification to o.to, framed. */
static uint8_t *
op_send_frame(size_t *len)
{
	Poc__OpRequest		 q = POC__OP_REQUEST__INIT;
	Poc__OpSend		 sd = POC__OP_SEND__INIT;
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__Notification	 n = POC__NOTIFICATION__INIT;
	size_t			 sz;
	uint8_t			*b;

	e.recipient = (char *)o.to;
	e.tlp = POC__TLP__GREEN;
	e.language = (char *)"en";
	n.summary = (char *)"pocbench drain";
	n.description = body;
	e.body_case = POC__ENVELOPE__BODY_NOTIFICATION;
	e.notification = &n;
	sd.envelope = &e;
	q.kind_case = POC__OP_REQUEST__KIND_SEND;
	q.send = &sd;
	sz = poc__op_request__get_packed_size(&q);
	if ((b = malloc(sz + 4)) == NULL)
		die("malloc");
	b[0] = (uint8_t)(sz >> 24);
	b[1] = (uint8_t)(sz >> 16);
	b[2] = (uint8_t)(sz >> 8);
	b[3] = (uint8_t)sz;
	poc__op_request__pack(&q, b + 4);
	*len = sz + 4;
	return b;
}

/* Reads one OpReply; it must say "queued". */
static int
op_queued(struct bconn *c)
{
	uint8_t		 h[4], *b;
	uint32_t	 n;
	Poc__OpReply	*r;
	int		 ok;

	if (bconn_read(c, h, 4) != 0)
		return -1;
	n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 |
	    h[3];
	if (n == 0 || n > 16 * 1024 * 1024 || (b = malloc(n)) == NULL)
		return -1;
	if (bconn_read(c, b, n) != 0) {
		free(b);
		return -1;
	}
	r = poc__op_reply__unpack(NULL, n, b);
	free(b);
	if (r == NULL)
		return -1;
	ok = r->kind_case == POC__OP_REPLY__KIND_QUEUED ? 0 : -1;
	if (ok != 0)
		fprintf(stderr, "pocbench: operator reply %d%s%s\n",
		    r->kind_case, r->kind_case == POC__OP_REPLY__KIND_ERROR ?
		    ": " : "", r->kind_case == POC__OP_REPLY__KIND_ERROR ?
		    r->error->message : "");
	poc__op_reply__free_unpacked(r, NULL);
	return ok;
}

static void *
queue_worker(void *arg)
{
	struct worker	*w = arg;
	struct bconn	*c = calloc(1, sizeof(*c));
	uint8_t		*m;
	size_t		 len;
	int		 sent = 0, acked = 0;

	if (c == NULL || bconn_open(c, NULL) != 0)
		return NULL;
	while (acked < w->n) {
		while (sent < w->n && sent - acked < o.window) {
			m = op_send_frame(&len);
			if (bconn_write(c, m, len) != 0) {
				free(m);
				goto out;
			}
			free(m);
			sent++;
		}
		if (op_queued(c) != 0)
			goto out;
		acked++;
	}
	w->ok = 1;
out:
	w->done = acked;
	bconn_close(c);
	free(c);
	return NULL;
}

/* Spreads --count over the connections. */
static void
queue_init(struct worker *w, int i)
{
	w->n = o.count / o.conns + (i < o.count % o.conns);
}

/* Queues --count envelopes to --to through the operator listener (--port,
 * operator certificate), over --conns connections: the node's own path. */
static void
mode_queue(void)
{
	run_workers(queue_worker, queue_init, "queued",
	    "operator connection (queued)");
}

static void
usage(void)
{
	fprintf(stderr, "usage: pocbench tput|lat|storm|idle|mqsub|mqdrain|queue "
	    "--proto poc|mqtt --port N --ca F --cert F --key F [--member M] "
	    "[--to M] [--conns N] [--count N] [--window N] [--interval-ms N] "
	    "[--seconds N] [--threads N] [--resume] [--client-id ID]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static const struct option	 lo[] = {
		{ "proto", required_argument, NULL, 'P' },
		{ "port", required_argument, NULL, 'p' },
		{ "ca", required_argument, NULL, 'a' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "member", required_argument, NULL, 'm' },
		{ "to", required_argument, NULL, 't' },
		{ "conns", required_argument, NULL, 'C' },
		{ "count", required_argument, NULL, 'n' },
		{ "window", required_argument, NULL, 'w' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "seconds", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 'T' },
		{ "resume", no_argument, NULL, 'r' },
		{ "client-id", required_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*mode;
	char		 err[256];
	int		 ch;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'P':
			o.proto = strcmp(optarg, "mqtt") == 0 ? P_MQTT : P_POC;
			break;
		case 'p': o.port = atoi(optarg); break;
		case 'a': o.ca = optarg; break;
		case 'c': o.cert = optarg; break;
		case 'k': o.key = optarg; break;
		case 'm': o.member = optarg; break;
		case 't': o.to = optarg; break;
		case 'C': o.conns = atoi(optarg); break;
		case 'n': o.count = atoi(optarg); break;
		case 'w': o.window = atoi(optarg); break;
		case 'i': o.interval_ms = atoi(optarg); break;
		case 's': o.seconds = atoi(optarg); break;
		case 'T': o.threads = atoi(optarg); break;
		case 'r': o.resume = 1; break;
		case 'I': o.client_id = optarg; break;
		default: usage();
		}
	}
	if (o.port <= 0 || o.ca == NULL || o.cert == NULL || o.key == NULL ||
	    o.conns < 1 || o.count < 1 || o.window < 1 || o.threads < 1 ||
	    o.seconds < 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	memset(body, 'x', BODY_LEN);
	client_ctx();
	if (o.proto == P_POC && strcmp(mode, "queue") != 0 && (sigkey = sig_key_load(o.key, err,
	    sizeof(err))) == NULL)
		die("%s", err);
	if (strcmp(mode, "tput") == 0)
		mode_tput();
	else if (strcmp(mode, "lat") == 0)
		mode_lat();
	else if (strcmp(mode, "storm") == 0)
		mode_storm();
	else if (strcmp(mode, "idle") == 0)
		mode_idle();
	else if (strcmp(mode, "mqsub") == 0)
		mode_mqsub();
	else if (strcmp(mode, "mqdrain") == 0)
		mode_mqdrain();
	else if (strcmp(mode, "queue") == 0)
		mode_queue();
	else
		usage();
	return 0;
}
