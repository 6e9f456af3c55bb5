/*
 * pocbench's AMQP 0-9-1 client (see amqp.h): just the methods the
 * benchmark needs, framed by hand on a bconn as the MQTT client is.
 *
 * A frame is type (1 octet), channel (2), payload size (4), payload,
 * 0xCE; a method payload starts with its class and method ids.  Every
 * frame from the server is checked against the negotiated maximum before
 * it is read, and a Connection.Close or Channel.Close from it ends the
 * run with its reply code and text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amqp.h"
#include "bench.h"

#define AMQP_FRAME_METHOD	1
#define AMQP_FRAME_HEADER	2
#define AMQP_FRAME_BODY		3
#define AMQP_FRAME_HEARTBEAT	8
#define AMQP_FRAME_END		0xce
#define AMQP_FRAME_MAX		131072	/* what we offer in Tune-Ok */
#define AMQP_CHANNEL		1

/* class << 16 | method */
#define AMQP_M(c, m)		((uint32_t)(c) << 16 | (uint32_t)(m))
#define CONN_START		AMQP_M(10, 10)
#define CONN_START_OK		AMQP_M(10, 11)
#define CONN_TUNE		AMQP_M(10, 30)
#define CONN_TUNE_OK		AMQP_M(10, 31)
#define CONN_OPEN		AMQP_M(10, 40)
#define CONN_OPEN_OK		AMQP_M(10, 41)
#define CONN_CLOSE		AMQP_M(10, 50)
#define CONN_CLOSE_OK		AMQP_M(10, 51)
#define CHAN_OPEN		AMQP_M(20, 10)
#define CHAN_OPEN_OK		AMQP_M(20, 11)
#define CHAN_CLOSE		AMQP_M(20, 40)
#define QUEUE_DECLARE		AMQP_M(50, 10)
#define QUEUE_DECLARE_OK	AMQP_M(50, 11)
#define QUEUE_PURGE		AMQP_M(50, 30)
#define QUEUE_PURGE_OK		AMQP_M(50, 31)
#define BASIC_QOS		AMQP_M(60, 10)
#define BASIC_QOS_OK		AMQP_M(60, 11)
#define BASIC_CONSUME		AMQP_M(60, 20)
#define BASIC_CONSUME_OK	AMQP_M(60, 21)
#define BASIC_PUBLISH		AMQP_M(60, 40)
#define BASIC_DELIVER		AMQP_M(60, 60)
#define BASIC_ACK		AMQP_M(60, 80)
#define BASIC_NACK		AMQP_M(60, 120)
#define CONFIRM_SELECT		AMQP_M(85, 10)
#define CONFIRM_SELECT_OK	AMQP_M(85, 11)

/* A payload being built (methods are small; the body is queued apart). */
struct amqp_buf {
	uint8_t	 b[512];
	size_t	 n;
};

static void
put8(struct amqp_buf *p, uint8_t v)
{
	if (p->n + 1 > sizeof(p->b))
		bench_die("AMQP method too long");
	p->b[p->n++] = v;
}

static void
put16(struct amqp_buf *p, uint16_t v)
{
	put8(p, (uint8_t)(v >> 8));
	put8(p, (uint8_t)v);
}

static void
put32(struct amqp_buf *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p, (uint16_t)v);
}

static void
put64(struct amqp_buf *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p, (uint32_t)v);
}

/* A short string: one octet of length, at most 255 bytes. */
static void
putshort(struct amqp_buf *p, const char *s)
{
	size_t	 n = strlen(s);

	if (n > 255)
		bench_die("AMQP short string too long: %s", s);
	put8(p, (uint8_t)n);
	while (*s != '\0')
		put8(p, (uint8_t)*s++);
}

/* A long string: four octets of length. */
static void
putlong(struct amqp_buf *p, const char *s)
{
	put32(p, (uint32_t)strlen(s));
	while (*s != '\0')
		put8(p, (uint8_t)*s++);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Queues one frame of the given type with payload p. */
static void
amqp_queue_frame(struct bconn *c, uint8_t type, uint16_t ch, const void *p,
    size_t len)
{
	uint8_t	*f = bconn_queue(c, 7 + len + 1);

	f[0] = type;
	f[1] = (uint8_t)(ch >> 8);
	f[2] = (uint8_t)ch;
	f[3] = (uint8_t)(len >> 24);
	f[4] = (uint8_t)(len >> 16);
	f[5] = (uint8_t)(len >> 8);
	f[6] = (uint8_t)len;
	memcpy(f + 7, p, len);
	f[7 + len] = AMQP_FRAME_END;
}

/* Starts a method payload. */
static void
amqp_method(struct amqp_buf *p, uint32_t m)
{
	p->n = 0;
	put32(p, m);
}

static void
amqp_queue_method(struct bconn *c, uint16_t ch, const struct amqp_buf *p)
{
	amqp_queue_frame(c, AMQP_FRAME_METHOD, ch, p->b, p->n);
}

/*
 * Reads one frame into buf (at most cap bytes of payload; the frame
 * maximum bounds it before anything is read).  Heartbeats are skipped.
 * Returns 0, or -1 with the reason on stderr.
 */
static int
amqp_recv(struct bconn *c, uint8_t *type, uint8_t *buf, size_t cap,
    size_t *len)
{
	uint8_t	 h[7], end;
	size_t	 n;

	for (;;) {
		if (bconn_read(c, h, sizeof(h)) != 0)
			return -1;
		n = get32(h + 3);
		if (n > cap) {
			fprintf(stderr, "pocbench: AMQP frame of %zu bytes\n",
			    n);
			return -1;
		}
		if (bconn_read(c, buf, n) != 0 || bconn_read(c, &end, 1) != 0)
			return -1;
		if (end != AMQP_FRAME_END) {
			fprintf(stderr, "pocbench: AMQP frame without its "
			    "end octet\n");
			return -1;
		}
		if (h[0] != AMQP_FRAME_HEARTBEAT)
			break;
	}
	*type = h[0];
	*len = n;
	return 0;
}

/* Prints the reply code and text of a Connection.Close or Channel.Close. */
static void
amqp_print_close(const uint8_t *p, size_t n)
{
	size_t	 tl = n > 6 ? p[6] : 0;

	if (7 + tl > n)
		tl = 0;
	fprintf(stderr, "pocbench: RabbitMQ closed the %s: %u %.*s\n",
	    get16(p) == 10 ? "connection" : "channel",
	    n >= 6 ? get16(p + 4) : 0, (int)tl, (const char *)p + 7);
}

/*
 * Reads the next method frame and returns its id (class << 16 | method),
 * its payload in buf; 0 on error, a close from the server included.
 */
static uint32_t
amqp_recv_method(struct bconn *c, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t		 type;
	uint32_t	 m;

	if (amqp_recv(c, &type, buf, cap, len) != 0)
		return 0;
	if (type != AMQP_FRAME_METHOD || *len < 4) {
		fprintf(stderr, "pocbench: AMQP frame type %u where a method "
		    "was due\n", type);
		return 0;
	}
	m = get32(buf);
	if (m == CONN_CLOSE || m == CHAN_CLOSE) {
		amqp_print_close(buf, *len);
		return 0;
	}
	return m;
}

/* Writes what is queued and waits for the method want. */
static int
amqp_rpc(struct bconn *c, uint32_t want, const char *what)
{
	uint8_t		 buf[AMQP_FRAME_MAX];
	size_t		 n;
	uint32_t	 m;

	if (bconn_flush(c) != 0 || (m = amqp_recv_method(c, buf, sizeof(buf),
	    &n)) == 0)
		return -1;
	if (m != want) {
		fprintf(stderr, "pocbench: %s: method %u.%u from RabbitMQ\n",
		    what, m >> 16, m & 0xffff);
		return -1;
	}
	return 0;
}

/* Finds "EXTERNAL" among the mechanisms of Connection.Start. */
static int
amqp_has_external(const uint8_t *p, size_t n)
{
	size_t	 off = 4 + 2, tl, ml;

	if (off + 4 > n)
		return 0;
	tl = get32(p + off);		/* server properties */
	if (tl > n - off - 4 || n - off - 4 - tl < 4)
		return 0;
	off += 4 + tl;
	ml = get32(p + off);
	off += 4;
	if (ml > n - off)
		return 0;
	return memmem(p + off, ml, "EXTERNAL", 8) != NULL;
}

int
amqp_open(struct bconn *c, int confirms)
{
	static const uint8_t	 hdr[8] = { 'A', 'M', 'Q', 'P', 0, 0, 9, 1 };
	uint8_t			 buf[AMQP_FRAME_MAX];
	struct amqp_buf		 p;
	size_t			 n;
	uint32_t		 fmax;

	if (bconn_write(c, hdr, sizeof(hdr)) != 0 ||
	    amqp_recv_method(c, buf, sizeof(buf), &n) != CONN_START)
		return -1;
	if (!amqp_has_external(buf, n)) {
		fprintf(stderr, "pocbench: RabbitMQ does not offer EXTERNAL "
		    "(enable rabbitmq_auth_mechanism_ssl)\n");
		return -1;
	}
	/* EXTERNAL: RabbitMQ takes the user name from the certificate. */
	amqp_method(&p, CONN_START_OK);
	put32(&p, 0);				/* client properties */
	putshort(&p, "EXTERNAL");
	putlong(&p, "");
	putshort(&p, "en_US");
	amqp_queue_method(c, 0, &p);
	if (bconn_flush(c) != 0 ||
	    amqp_recv_method(c, buf, sizeof(buf), &n) != CONN_TUNE || n < 12)
		return -1;
	fmax = get32(buf + 6);
	if (fmax == 0 || fmax > AMQP_FRAME_MAX)
		fmax = AMQP_FRAME_MAX;
	amqp_method(&p, CONN_TUNE_OK);
	put16(&p, 1);				/* channels */
	put32(&p, fmax);
	put16(&p, 0);				/* no heartbeats */
	amqp_queue_method(c, 0, &p);
	amqp_method(&p, CONN_OPEN);
	putshort(&p, "/");
	putshort(&p, "");
	put8(&p, 0);
	amqp_queue_method(c, 0, &p);
	if (amqp_rpc(c, CONN_OPEN_OK, "Connection.Open") != 0)
		return -1;
	amqp_method(&p, CHAN_OPEN);
	putshort(&p, "");
	amqp_queue_method(c, AMQP_CHANNEL, &p);
	if (amqp_rpc(c, CHAN_OPEN_OK, "Channel.Open") != 0)
		return -1;
	c->seq = c->confirmed = 0;
	if (!confirms)
		return 0;
	amqp_method(&p, CONFIRM_SELECT);
	put8(&p, 0);
	amqp_queue_method(c, AMQP_CHANNEL, &p);
	return amqp_rpc(c, CONFIRM_SELECT_OK, "Confirm.Select");
}

void
amqp_close(struct bconn *c)
{
	struct amqp_buf	 p;
	uint8_t		 buf[AMQP_FRAME_MAX], type;
	size_t		 n;
	int		 i;

	amqp_method(&p, CONN_CLOSE);
	put16(&p, 200);
	putshort(&p, "bye");
	put16(&p, 0);
	put16(&p, 0);
	amqp_queue_method(c, 0, &p);
	if (bconn_flush(c) != 0)
		return;
	/* Deliveries or confirms may still be on their way; bounded. */
	for (i = 0; i < 100000; i++)
		if (amqp_recv(c, &type, buf, sizeof(buf), &n) != 0 ||
		    (type == AMQP_FRAME_METHOD && n >= 4 &&
		    get32(buf) == CONN_CLOSE_OK))
			break;
}

void
amqp_queue_publish(struct bconn *c)
{
	struct amqp_buf	 p;

	amqp_method(&p, BASIC_PUBLISH);
	put16(&p, 0);
	putshort(&p, "");			/* the default exchange */
	putshort(&p, c->name);
	put8(&p, 0);				/* not mandatory */
	amqp_queue_method(c, AMQP_CHANNEL, &p);
	p.n = 0;				/* content header */
	put16(&p, 60);
	put16(&p, 0);
	put64(&p, BENCH_BODY_LEN);
	put16(&p, 0x1000);			/* delivery-mode present */
	put8(&p, 2);				/* persistent */
	amqp_queue_frame(c, AMQP_FRAME_HEADER, AMQP_CHANNEL, p.b, p.n);
	amqp_queue_frame(c, AMQP_FRAME_BODY, AMQP_CHANNEL, bench_body,
	    BENCH_BODY_LEN);
	c->seq++;
}

int
amqp_confirms(struct bconn *c)
{
	uint8_t		 buf[256];
	size_t		 n;
	uint32_t	 m;
	uint64_t	 tag;
	int		 got;

	if ((m = amqp_recv_method(c, buf, sizeof(buf), &n)) == 0)
		return -1;
	if (m == BASIC_NACK) {
		fprintf(stderr, "pocbench: RabbitMQ refused a publish "
		    "(Basic.Nack)\n");
		return -1;
	}
	if (m != BASIC_ACK || n < 13) {
		fprintf(stderr, "pocbench: method %u.%u where a confirm was "
		    "due\n", m >> 16, m & 0xffff);
		return -1;
	}
	tag = get64(buf + 4);
	if (tag <= c->confirmed || tag > c->seq) {
		fprintf(stderr, "pocbench: confirm of %llu out of order "
		    "(%llu confirmed, %llu sent)\n", (unsigned long long)tag,
		    (unsigned long long)c->confirmed,
		    (unsigned long long)c->seq);
		return -1;
	}
	/* One queue per channel: RabbitMQ confirms in order. */
	got = (buf[12] & 1) ? (int)(tag - c->confirmed) : 1;
	if (!(buf[12] & 1) && tag != c->confirmed + 1) {
		fprintf(stderr, "pocbench: single confirm of %llu skips "
		    "some\n", (unsigned long long)tag);
		return -1;
	}
	c->confirmed = tag;
	return got;
}

/* Queues Queue.Declare of a durable queue named c->name, of --queue-type. */
static void
amqp_queue_declare(struct bconn *c)
{
	struct amqp_buf	 p, t;

	t.n = 0;
	if (strcmp(opts.queue_type, "quorum") == 0) {
		putshort(&t, "x-queue-type");
		put8(&t, 'S');
		putlong(&t, "quorum");
	} else {
		/* Version 1: version 2 (3.10) confirms before its fsync, and
		 * is declared only as the control of bench/fsynccheck.py. */
		putshort(&t, "x-queue-version");
		put8(&t, 'I');
		put32(&t, strcmp(opts.queue_type, "classic-v2") == 0 ? 2 : 1);
	}
	amqp_method(&p, QUEUE_DECLARE);
	put16(&p, 0);
	putshort(&p, c->name);
	put8(&p, 0x02);				/* durable */
	put32(&p, (uint32_t)t.n);
	memcpy(p.b + p.n, t.b, t.n);
	p.n += t.n;
	amqp_queue_method(c, AMQP_CHANNEL, &p);
}

void
amqp_mode_setup(void)
{
	struct bconn	 c;
	struct amqp_buf	 p;
	int		 i;

	if (strcmp(opts.queue_type, "classic") != 0 &&
	    strcmp(opts.queue_type, "quorum") != 0 &&
	    strcmp(opts.queue_type, "classic-v2") != 0)
		bench_die("--queue-type is classic, quorum or classic-v2");
	if (bconn_open(&c, NULL) != 0 || amqp_open(&c, 0) != 0)
		bench_die("cannot connect to RabbitMQ");
	for (i = 0; i < opts.conns; i++) {
		snprintf(c.name, sizeof(c.name), "%s-%d", opts.queue, i);
		amqp_queue_declare(&c);
		if (amqp_rpc(&c, QUEUE_DECLARE_OK, "Queue.Declare") != 0)
			bench_die("cannot declare %s", c.name);
		amqp_method(&p, QUEUE_PURGE);
		put16(&p, 0);
		putshort(&p, c.name);
		put8(&p, 0);
		amqp_queue_method(&c, AMQP_CHANNEL, &p);
		if (amqp_rpc(&c, QUEUE_PURGE_OK, "Queue.Purge") != 0)
			bench_die("cannot purge %s", c.name);
	}
	amqp_close(&c);
	bconn_close(&c);
	printf("{\"queues\": %d, \"type\": \"%s\"}\n", opts.conns,
	    opts.queue_type);
}

/* Reads the content header and body frames of a delivery. */
static int
amqp_recv_content(struct bconn *c, uint8_t *buf, size_t cap)
{
	uint8_t		 type;
	size_t		 n;
	uint64_t	 size, got = 0;

	if (amqp_recv(c, &type, buf, cap, &n) != 0)
		return -1;
	if (type != AMQP_FRAME_HEADER || n < 14) {
		fprintf(stderr, "pocbench: no content header\n");
		return -1;
	}
	size = get64(buf + 4);
	while (got < size) {
		if (amqp_recv(c, &type, buf, cap, &n) != 0)
			return -1;
		if (type != AMQP_FRAME_BODY) {
			fprintf(stderr, "pocbench: body frame missing\n");
			return -1;
		}
		got += n;
	}
	if (got != size || size != BENCH_BODY_LEN) {
		fprintf(stderr, "pocbench: body of %llu bytes\n",
		    (unsigned long long)got);
		return -1;
	}
	return 0;
}

void
amqp_mode_drain(void)
{
	struct bconn	 c;
	struct amqp_buf	 p;
	uint8_t		 buf[AMQP_FRAME_MAX];
	size_t		 n, ctl;
	double		 t0, t1;
	int		 got = 0;

	t0 = bench_now();
	if (bconn_open(&c, NULL) != 0 || amqp_open(&c, 0) != 0)
		bench_die("cannot connect to RabbitMQ");
	snprintf(c.name, sizeof(c.name), "%s-0", opts.queue);
	amqp_method(&p, BASIC_QOS);
	put32(&p, 0);
	put16(&p, (uint16_t)(opts.window > 65535 ? 65535 : opts.window));
	put8(&p, 0);
	amqp_queue_method(&c, AMQP_CHANNEL, &p);
	if (amqp_rpc(&c, BASIC_QOS_OK, "Basic.Qos") != 0)
		bench_die("Basic.Qos refused");
	amqp_method(&p, BASIC_CONSUME);
	put16(&p, 0);
	putshort(&p, c.name);
	putshort(&p, "");			/* the server names it */
	put8(&p, 0);				/* acknowledged */
	put32(&p, 0);
	amqp_queue_method(&c, AMQP_CHANNEL, &p);
	if (amqp_rpc(&c, BASIC_CONSUME_OK, "Basic.Consume") != 0)
		bench_die("Basic.Consume refused");
	while (got < opts.count) {
		if (amqp_recv_method(&c, buf, sizeof(buf), &n) != BASIC_DELIVER)
			bench_die("drain stopped after %d", got);
		ctl = n > 4 ? buf[4] : 0;	/* consumer tag */
		if (5 + ctl + 8 > n)
			bench_die("bad Basic.Deliver");
		amqp_method(&p, BASIC_ACK);
		put64(&p, get64(buf + 5 + ctl));
		put8(&p, 0);			/* this one only */
		amqp_queue_method(&c, AMQP_CHANNEL, &p);
		if (amqp_recv_content(&c, buf, sizeof(buf)) != 0)
			bench_die("drain stopped after %d", got);
		got++;
		/* Acks wait while more deliveries are already buffered. */
		if (!bconn_readable(&c) && bconn_flush(&c) != 0)
			bench_die("Basic.Ack failed");
	}
	t1 = bench_now();
	if (bconn_flush(&c) != 0)
		bench_die("Basic.Ack failed");
	amqp_close(&c);
	bconn_close(&c);
	printf("{\"messages\": %d, \"seconds\": %.4f, \"rate\": %.1f}\n", got,
	    t1 - t0, (double)got / (t1 - t0));
}
