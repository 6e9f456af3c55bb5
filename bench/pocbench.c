/*
 * pocbench: the load generator of `make bench` (bench/run.py drives it).
 *
 * It speaks pocd's peer protocol (Hello, then signed Envelopes answered
 * by Receipts, framed with common/frame's wire format), MQTT 3.1.1 QoS 1
 * (PUBLISH answered by PUBACK) to Mosquitto, or AMQP 0-9-1 to RabbitMQ
 * (persistent publishes to a durable queue answered by publisher
 * confirms), over the same mutual-TLS client code, so every server sees
 * the same client: one thread and one blocking TLS connection per
 * simulated peer, the same window of unacknowledged messages, the same
 * 1 KiB body.
 *
 *	pocbench MODE --proto poc|mqtt|amqp --port N --ca F --cert F --key F
 *	    [--member AUS --to FRA] [--queue Q] [options]
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
 *	amqsetup --queue Q --queue-type classic|quorum|classic-v2 --conns C:
 *		declare the durable queues Q-0 .. Q-(C-1) and purge them
 *		(tput and lat publish to Q-I from connection I)
 *	amqdrain --queue Q --count N --window W: consume N from Q-0 with a
 *		prefetch of W, acknowledging each; seconds until all are in
 *
 * A failure (refused, a receipt that is not ACCEPTED, a timeout) exits 1
 * with the reason on stderr: a benchmark figure is only printed for a run
 * in which every message was acknowledged.
 *
 * The parts: bench.c (options, body, clock, exit), bconn.c (the TLS
 * client connection, on common/tls, conn and frame), poc.c (pocd's peer
 * and operator messages), mqtt.c (MQTT and its two session modes), amqp.c
 * (AMQP and its two queue modes), mode.c (the worker pool and the
 * measurements).  This file reads the options
 * and runs the mode.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amqp.h"
#include "bconn.h"
#include "bench.h"
#include "mode.h"
#include "mqtt.h"
#include "poc.h"

/* The modes by name; signs: envelopes are signed with --key. */
static const struct bench_mode {
	const char	*name;
	void		(*run)(void);
	int		 signs;
} bench_modes[] = {
	{ "tput",	mode_tput,		1 },
	{ "lat",	mode_lat,		1 },
	{ "storm",	mode_storm,		1 },
	{ "idle",	mode_idle,		1 },
	{ "mqsub",	mqtt_mode_sub,		1 },
	{ "mqdrain",	mqtt_mode_drain,	1 },
	{ "queue",	mode_queue,		0 },
	{ "amqsetup",	amqp_mode_setup,	0 },
	{ "amqdrain",	amqp_mode_drain,	0 },
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: pocbench "
	    "tput|lat|storm|idle|mqsub|mqdrain|queue|amqsetup|amqdrain "
	    "--proto poc|mqtt|amqp --port N --ca F --cert F --key F "
	    "[--member M] [--to M] [--conns N] [--count N] [--window N] "
	    "[--interval-ms N] [--seconds N] [--threads N] [--resume] "
	    "[--client-id ID] [--queue Q] "
	    "[--queue-type classic|quorum|classic-v2]\n");
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
		{ "queue", required_argument, NULL, 'q' },
		{ "queue-type", required_argument, NULL, 'Q' },
		{ NULL, 0, NULL, 0 }
	};
	const struct bench_mode	*m = NULL;
	size_t			 i;
	int			 ch;

	if (argc < 2)
		usage();
	for (i = 0; i < sizeof(bench_modes) / sizeof(bench_modes[0]); i++)
		if (strcmp(argv[1], bench_modes[i].name) == 0)
			m = &bench_modes[i];
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'P':
			if (strcmp(optarg, "mqtt") == 0)
				opts.proto = BENCH_MQTT;
			else if (strcmp(optarg, "amqp") == 0)
				opts.proto = BENCH_AMQP;
			else if (strcmp(optarg, "poc") == 0)
				opts.proto = BENCH_POC;
			else
				usage();
			break;
		case 'p': opts.port = atoi(optarg); break;
		case 'a': opts.ca = optarg; break;
		case 'c': opts.cert = optarg; break;
		case 'k': opts.key = optarg; break;
		case 'm': opts.member = optarg; break;
		case 't': opts.to = optarg; break;
		case 'C': opts.conns = atoi(optarg); break;
		case 'n': opts.count = atoi(optarg); break;
		case 'w': opts.window = atoi(optarg); break;
		case 'i': opts.interval_ms = atoi(optarg); break;
		case 's': opts.seconds = atoi(optarg); break;
		case 'T': opts.threads = atoi(optarg); break;
		case 'r': opts.resume = 1; break;
		case 'I': opts.client_id = optarg; break;
		case 'q': opts.queue = optarg; break;
		case 'Q': opts.queue_type = optarg; break;
		default: usage();
		}
	}
	if (opts.port <= 0 || opts.ca == NULL || opts.cert == NULL ||
	    opts.key == NULL || opts.conns < 1 || opts.count < 1 ||
	    opts.window < 1 || opts.threads < 1 || opts.seconds < 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	memset(bench_body, 'x', BENCH_BODY_LEN);
	bconn_init();
	if (opts.proto == BENCH_POC && m != NULL && m->signs)
		poc_init();
	if (m == NULL)
		usage();
	m->run();
	return 0;
}
