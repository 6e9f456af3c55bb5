/*
 * pocbench's MQTT 3.1.1 client (see mqtt.h): just the packets the benchmark
 * needs, written and read by hand on a bconn.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "mqtt.h"

#define MQTT_TOPIC	"pocbench/load"

/* Writes n as MQTT's variable-length "remaining length"; returns its size. */
static size_t
mqtt_varint(uint8_t *p, size_t n)
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

/* Writes s as a length-prefixed MQTT string; returns its size. */
static size_t
mqtt_str(uint8_t *p, const char *s)
{
	size_t	 n = strlen(s);

	p[0] = (uint8_t)(n >> 8);
	p[1] = (uint8_t)n;
	memcpy(p + 2, s, n);
	return n + 2;
}

/* Reads one packet: type byte and body (at most cap bytes). */
static int
mqtt_recv(struct bconn *c, uint8_t *type, uint8_t *buf, size_t cap,
    size_t *len)
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

int
mqtt_connect(struct bconn *c, const char *client_id, int clean)
{
	uint8_t	 p[512], v[400], t, r[16];
	size_t	 n = 0, vn = 0, rl;

	vn += mqtt_str(v + vn, "MQTT");
	v[vn++] = 4;				/* 3.1.1 */
	v[vn++] = clean ? 0x02 : 0x00;
	v[vn++] = 0;
	v[vn++] = 120;				/* keepalive */
	vn += mqtt_str(v + vn, client_id);
	p[n++] = 0x10;
	n += mqtt_varint(p + n, vn);
	memcpy(p + n, v, vn);
	n += vn;
	if (bconn_write(c, p, n) != 0 ||
	    mqtt_recv(c, &t, r, sizeof(r), &rl) != 0)
		return -1;
	if ((t & 0xf0) != 0x20 || rl != 2 || r[1] != 0) {
		fprintf(stderr, "pocbench: CONNACK refused (%d)\n", r[1]);
		return -1;
	}
	return 0;
}

void
mqtt_disconnect(struct bconn *c)
{
	static const uint8_t	 d[2] = { 0xe0, 0 };

	(void)bconn_write(c, d, 2);
}

void
mqtt_queue_publish(struct bconn *c)
{
	size_t	 rl = 2 + strlen(MQTT_TOPIC) + 2 + BENCH_BODY_LEN;
	uint8_t	 hdr[8], *p;
	size_t	 n = 0;

	if (++c->pid == 0)
		c->pid = 1;
	hdr[n++] = 0x32;
	n += mqtt_varint(hdr + n, rl);
	p = bconn_queue(c, n + rl);
	memcpy(p, hdr, n);
	n += mqtt_str(p + n, MQTT_TOPIC);
	p[n++] = (uint8_t)(c->pid >> 8);
	p[n++] = (uint8_t)c->pid;
	memcpy(p + n, bench_body, BENCH_BODY_LEN);
}

int
mqtt_puback(struct bconn *c)
{
	uint8_t	 t, b[8];
	size_t	 n;

	if (mqtt_recv(c, &t, b, sizeof(b), &n) != 0)
		return -1;
	if ((t & 0xf0) != 0x40) {
		fprintf(stderr, "pocbench: expected PUBACK, got 0x%02x\n", t);
		return -1;
	}
	return 0;
}

void
mqtt_mode_sub(void)
{
	struct bconn	 c;
	uint8_t		 p[256], t, r[16];
	size_t		 n = 0, vn, rl;

	if (bconn_open(&c, NULL) != 0 ||
	    mqtt_connect(&c, opts.client_id, 0) != 0)
		bench_die("cannot connect");
	vn = 2 + 2 + strlen(MQTT_TOPIC) + 1;
	p[n++] = 0x82;
	n += mqtt_varint(p + n, vn);
	p[n++] = 0;
	p[n++] = 1;
	n += mqtt_str(p + n, MQTT_TOPIC);
	p[n++] = 1;				/* QoS 1 */
	if (bconn_write(&c, p, n) != 0 ||
	    mqtt_recv(&c, &t, r, sizeof(r), &rl) != 0 ||
	    (t & 0xf0) != 0x90 || rl < 3 || r[2] != 1)
		bench_die("SUBSCRIBE refused");
	mqtt_disconnect(&c);
	bconn_close(&c);
	printf("{\"subscribed\": \"%s\"}\n", opts.client_id);
}

void
mqtt_mode_drain(void)
{
	struct bconn	 c;
	uint8_t		 t, buf[4096], *ack;
	size_t		 len, tl;
	double		 t0, t1;
	int		 got = 0;

	t0 = bench_now();
	if (bconn_open(&c, NULL) != 0 ||
	    mqtt_connect(&c, opts.client_id, 0) != 0)
		bench_die("cannot connect");
	while (got < opts.count) {
		if (mqtt_recv(&c, &t, buf, sizeof(buf), &len) != 0)
			bench_die("drain stopped after %d", got);
		if ((t & 0xf0) != 0x30)
			continue;
		if (((t >> 1) & 3) != 1 || len < 4)
			bench_die("PUBLISH not QoS 1");
		tl = (size_t)buf[0] << 8 | buf[1];
		if (tl + 4 > len)
			bench_die("bad PUBLISH");
		ack = bconn_queue(&c, 4);
		ack[0] = 0x40;
		ack[1] = 2;
		ack[2] = buf[2 + tl];
		ack[3] = buf[3 + tl];
		got++;
		/* PUBACKs wait while more PUBLISHes are already buffered. */
		if (!bconn_readable(&c) && bconn_flush(&c) != 0)
			bench_die("PUBACK failed");
	}
	t1 = bench_now();
	if (bconn_flush(&c) != 0)
		bench_die("PUBACK failed");
	mqtt_disconnect(&c);
	bconn_close(&c);
	/* A clean session under the same id ends the persistent one, so
	 * that the next run's messages are not queued for it too. */
	if (bconn_open(&c, NULL) != 0 ||
	    mqtt_connect(&c, opts.client_id, 1) != 0)
		bench_die("cannot end the session");
	mqtt_disconnect(&c);
	bconn_close(&c);
	printf("{\"messages\": %d, \"seconds\": %.4f, \"rate\": %.1f}\n", got,
	    t1 - t0, (double)got / (t1 - t0));
}
