/*
 * What every part of pocbench shares: its options, the 1 KiB message body,
 * the clock and the way out.
 */
#ifndef POC_BENCH_H
#define POC_BENCH_H

#define BENCH_BODY_LEN		1024
#define BENCH_IO_TIMEOUT_S	60
#define BENCH_MAX_FRAME		(16 * 1024 * 1024)

enum bench_proto {
	BENCH_POC = 0,		/* pocd's peer (or operator) protocol */
	BENCH_MQTT = 1,		/* MQTT 3.1.1, QoS 1 */
	BENCH_AMQP = 2,		/* AMQP 0-9-1, publisher confirms */
};

struct bench_opts {
	enum bench_proto proto;
	int		 port;
	const char	*ca, *cert, *key;
	const char	*member, *to;
	const char	*client_id;
	const char	*queue, *queue_type;	/* AMQP */
	int		 conns, count, window, interval_ms, seconds, threads;
	int		 resume;
};

extern struct bench_opts	 opts;
extern char			 bench_body[BENCH_BODY_LEN + 1];

/* Prints "pocbench: " and the message, with the OpenSSL error queue if
 * there is one, and exits 1: a run with a failure prints no figure. */
void	 bench_die(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Monotonic seconds, with the clock's resolution. */
double	 bench_now(void);

#endif
