/*
 * pocbench's shared state (see bench.h): the options main() fills in, the
 * body every message carries, the clock and bench_die().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "tls.h"

struct bench_opts opts = {
	.proto = BENCH_POC, .member = "AUS", .to = "FRA",
	.client_id = "pocbench", .queue = "pocbench",
	.queue_type = "classic", .conns = 1, .count = 1000, .window = 64,
	.interval_ms = 5, .seconds = 5, .threads = 2,
};

char	 bench_body[BENCH_BODY_LEN + 1];

void
bench_die(const char *fmt, ...)
{
	va_list	 ap;
	char	 q[1024];

	va_start(ap, fmt);
	fprintf(stderr, "pocbench: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	tls_errors(q, sizeof(q));
	if (q[0] != '\0')
		fprintf(stderr, " (%s)", q);
	fputc('\n', stderr);
	exit(1);
}

double
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
