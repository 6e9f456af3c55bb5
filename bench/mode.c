/*
 * pocbench's measurements (see mode.h): the worker pool, and the modes
 * that run the same client against pocd, Mosquitto or RabbitMQ through
 * four per-protocol steps (greet, queue a message, read its
 * acknowledgement, leave).
 */
#include <sys/resource.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "amqp.h"
#include "bconn.h"
#include "bench.h"
#include "mode.h"
#include "mqtt.h"
#include "poc.h"

struct worker {
	pthread_t	 t;
	int		 i;		/* its index: AMQP queue -i */
	int		 n;
	int		 ok;
	long		 done;
	char		 id[64];
};

/* Opens a connection and greets (Hello / CONNECT / AMQP's open and
 * Confirm.Select; its messages go to the queue named --queue-idx). */
static int
greet(struct bconn *c, SSL_SESSION *sess, const char *client_id, int idx)
{
	int	 rv;

	if (bconn_open(c, sess) != 0)
		return -1;
	switch (opts.proto) {
	case BENCH_POC:
		rv = poc_hello(c);
		break;
	case BENCH_MQTT:
		rv = mqtt_connect(c, client_id, 1);
		break;
	default:
		snprintf(c->name, sizeof(c->name), "%s-%d", opts.queue, idx);
		rv = amqp_open(c, 1);
		break;
	}
	if (rv != 0) {
		bconn_close(c);
		return -1;
	}
	return 0;
}

/* Queues n messages (envelopes signed as one batch, as a pocd node signs
 * its window / PUBLISHes / persistent Basic.Publishes). */
static void
messages(struct bconn *c, int n)
{
	int	 i;

	if (opts.proto == BENCH_POC) {
		poc_queue_envelopes(c, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (opts.proto == BENCH_MQTT)
			mqtt_queue_publish(c);
		else
			amqp_queue_publish(c);
	}
}

/* Reads one acknowledgement (an ACCEPTED receipt / a PUBACK / a
 * Basic.Ack) and returns how many messages it acknowledges (a "multiple"
 * Basic.Ack may confirm several), or -1. */
static int
ack(struct bconn *c)
{
	if (opts.proto == BENCH_POC)
		return poc_receipt(c) == 0 ? 1 : -1;
	if (opts.proto == BENCH_MQTT)
		return mqtt_puback(c) == 0 ? 1 : -1;
	return amqp_confirms(c);
}

static void
bye(struct bconn *c)
{
	if (opts.proto == BENCH_MQTT)
		mqtt_disconnect(c);
	else if (opts.proto == BENCH_AMQP)
		amqp_close(c);
	bconn_close(c);
}

/*
 * One sending peer: keeps up to --window messages unacknowledged.  Like
 * pocd's own outbox (which fills its window in one go and lets the
 * bufferevent write it), the messages that fit in the window are written
 * together, so they share TLS records; the acknowledgements already
 * received are all taken before the window is refilled.  The same for
 * every protocol, except that for pocd the window is refilled in halves,
 * as pocd's outbox refills it (outbox_receipt_cb), and each refill goes
 * as one signed batch: a real peer signs once per refill, and a refill
 * of one or two envelopes would cost a signature each.
 */
static void *
tput_worker(void *arg)
{
	struct worker	*w = arg;
	struct bconn	 c;
	int		 sent = 0, acked = 0, n, k, half;

	if (greet(&c, NULL, w->id, w->i) != 0)
		return NULL;
	half = opts.proto == BENCH_POC ? opts.window / 2 : opts.window;
	while (acked < opts.count) {
		k = opts.window - (sent - acked);
		if (k > opts.count - sent)
			k = opts.count - sent;
		if (k > 0) {
			messages(&c, k);
			sent += k;
		}
		if (bconn_flush(&c) != 0)
			goto out;
		do {
			if ((n = ack(&c)) < 0)
				goto out;
			acked += n;
		} while (acked < sent && (bconn_readable(&c) ||
		    sent - acked > half));
	}
	w->ok = 1;
out:
	w->done = acked;
	bye(&c);
	return NULL;
}

/*
 * Runs fn on --conns worker threads, each first set up by init(w, i),
 * waits for all and prints {"<key>": total done, "seconds", "rate"}; dies
 * naming the first worker that failed.
 */
static void
run_workers(void *(*fn)(void *), void (*init)(struct worker *, int),
    const char *key, const char *what)
{
	struct worker	*w = calloc((size_t)opts.conns, sizeof(*w));
	double		 t0, t1;
	long		 total = 0;
	int		 i;

	if (w == NULL)
		bench_die("calloc");
	t0 = bench_now();
	for (i = 0; i < opts.conns; i++) {
		init(&w[i], i);
		if (pthread_create(&w[i].t, NULL, fn, &w[i]) != 0)
			bench_die("pthread_create");
	}
	for (i = 0; i < opts.conns; i++) {
		pthread_join(w[i].t, NULL);
		if (!w[i].ok)
			bench_die("%s %d failed after %ld", what, i, w[i].done);
		total += w[i].done;
	}
	t1 = bench_now();
	printf("{\"%s\": %ld, \"seconds\": %.4f, \"rate\": %.1f}\n", key,
	    total, t1 - t0, (double)total / (t1 - t0));
	free(w);
}

static void
tput_init(struct worker *w, int i)
{
	snprintf(w->id, sizeof(w->id), "%s-%d", opts.client_id, i);
	w->i = i;
}

void
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

void
mode_lat(void)
{
	struct bconn	 c;
	double		*v = calloc((size_t)opts.count, sizeof(double)), t;
	int		 i;

	if (v == NULL)
		bench_die("calloc");
	if (greet(&c, NULL, opts.client_id, 0) != 0)
		bench_die("cannot connect");
	for (i = 0; i < opts.count; i++) {
		messages(&c, 1);	/* built (and signed) before the clock */
		t = bench_now();
		if (bconn_flush(&c) != 0 || ack(&c) != 1)
			bench_die("message %d failed", i);
		v[i] = (bench_now() - t) * 1000.0;
		if (opts.interval_ms > 0)
			usleep((useconds_t)opts.interval_ms * 1000);
	}
	bye(&c);
	qsort(v, (size_t)opts.count, sizeof(double), cmp_double);
	printf("{\"count\": %d, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
	    "\"max_ms\": %.3f}\n", opts.count, v[opts.count / 2],
	    v[(int)((double)opts.count * 0.99)], v[opts.count - 1]);
	free(v);
}

static volatile int	 storm_stop;

static void *
storm_worker(void *arg)
{
	struct worker	*w = arg;
	struct bconn	 c;
	SSL_SESSION	*sess = NULL, *s;
	long		 resumed = 0;

	w->ok = 1;
	while (!storm_stop) {
		if (greet(&c, opts.resume ? sess : NULL, w->id, 0) != 0) {
			w->ok = 0;
			break;
		}
		if (SSL_session_reused(c.ssl))
			resumed++;
		if (opts.resume) {
			/* TLS 1.3 tickets arrive after the handshake: the
			 * Hello exchange has read them by now. */
			s = SSL_get1_session(c.ssl);
			if (s != NULL && SSL_SESSION_is_resumable(s)) {
				SSL_SESSION_free(sess);
				sess = s;
			} else
				SSL_SESSION_free(s);
		}
		bye(&c);
		w->done++;
	}
	SSL_SESSION_free(sess);
	w->n = (int)resumed;
	return NULL;
}

void
mode_storm(void)
{
	struct worker	*w = calloc((size_t)opts.threads, sizeof(*w));
	long		 total = 0, resumed = 0;
	double		 t0, t1;
	int		 i;

	if (w == NULL)
		bench_die("calloc");
	t0 = bench_now();
	for (i = 0; i < opts.threads; i++) {
		snprintf(w[i].id, sizeof(w[i].id), "%s-s%d", opts.client_id,
		    i);
		if (pthread_create(&w[i].t, NULL, storm_worker, &w[i]) != 0)
			bench_die("pthread_create");
	}
	sleep((unsigned)opts.seconds);
	storm_stop = 1;
	for (i = 0; i < opts.threads; i++) {
		pthread_join(w[i].t, NULL);
		if (!w[i].ok)
			bench_die("a connection failed after %ld", w[i].done);
		total += w[i].done;
		resumed += w[i].n;
	}
	t1 = bench_now();
	printf("{\"connections\": %ld, \"resumed\": %ld, \"seconds\": %.3f, "
	    "\"rate\": %.1f}\n", total, resumed, t1 - t0,
	    (double)total / (t1 - t0));
	free(w);
}

void
mode_idle(void)
{
	struct bconn	*cs = calloc((size_t)opts.conns, sizeof(*cs));
	struct rlimit	 rl;
	char		 id[64], line[16];
	int		 i;

	if (cs == NULL)
		bench_die("calloc");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < opts.conns; i++) {
		/* one connection each, held open until stdin closes */
		snprintf(id, sizeof(id), "%s-i%d", opts.client_id, i);
		if (greet(&cs[i], NULL, id, 0) != 0)
			bench_die("connection %d failed", i);
	}
	printf("{\"ready\": %d}\n", opts.conns);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) != NULL)
		;
	for (i = 0; i < opts.conns; i++)
		bye(&cs[i]);
	free(cs);
}

/* One operator connection: --window OpSend requests in flight, each
 * written as soon as it is made. */
static void *
queue_worker(void *arg)
{
	struct worker	*w = arg;
	struct bconn	 c;
	int		 sent = 0, acked = 0;

	if (bconn_open(&c, NULL) != 0)
		return NULL;
	while (acked < w->n) {
		while (sent < w->n && sent - acked < opts.window) {
			poc_queue_op_send(&c);
			if (bconn_flush(&c) != 0)
				goto out;
			sent++;
		}
		if (poc_op_queued(&c) != 0)
			goto out;
		acked++;
	}
	w->ok = 1;
out:
	w->done = acked;
	bconn_close(&c);
	return NULL;
}

/* Spreads --count over the connections. */
static void
queue_init(struct worker *w, int i)
{
	w->n = opts.count / opts.conns + (i < opts.count % opts.conns);
}

/* Queues --count envelopes to --to through the operator listener (--port,
 * operator certificate), over --conns connections: the node's own path. */
void
mode_queue(void)
{
	run_workers(queue_worker, queue_init, "queued",
	    "operator connection (queued)");
}
