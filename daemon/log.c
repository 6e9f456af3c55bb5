/*
 * Logging for pocd.  On stderr each line carries a UTC timestamp and the
 * level so that a test bed's log files read like syslog; under syslog the
 * facility is daemon and the timestamp is syslog's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#include "log.h"

static int	 log_to_syslog;
static int	 log_max = LOG_INFO;

static const struct {
	const char	*name;
	int		 level;
} log_levels[] = {
	{ "error",	LOG_ERR },
	{ "warning",	LOG_WARNING },
	{ "notice",	LOG_NOTICE },
	{ "info",	LOG_INFO },
	{ "debug",	LOG_DEBUG },
};

void
log_init(const char *target, int level)
{
	log_to_syslog = target != NULL && strcmp(target, "syslog") == 0;
	log_max = level;
	if (log_to_syslog)
		openlog("pocd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(int level)
{
	log_max = level;
}

int
log_level_parse(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (strcmp(name, log_levels[i].name) == 0)
			return log_levels[i].level;
	return -1;
}

const char *
log_level_name(int level)
{
	size_t	 i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (log_levels[i].level == level)
			return log_levels[i].name;
	return "?";
}

static void	log_vwrite(int pri, int errnum, const char *fmt, va_list ap)
		    __attribute__((format(printf, 3, 0)));

/* Writes one line at pri; errnum > 0 appends its strerror. */
static void
log_vwrite(int pri, int errnum, const char *fmt, va_list ap)
{
	char		 msg[2048];
	struct timeval	 tv;
	struct tm	 tm;
	char		 ts[32];

	if (pri > log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum > 0) {
		size_t	 n = strlen(msg);

		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	}
	if (log_to_syslog) {
		syslog(pri, "%s", msg);
		return;
	}
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ pocd[%s] %s\n", ts, (long)tv.tv_usec / 1000,
	    log_level_name(pri == LOG_CRIT ? LOG_ERR : pri), msg);
	fflush(stderr);
}

#define LOG_BODY(pri, errnum) do {		\
	va_list	 ap;				\
	va_start(ap, fmt);			\
	log_vwrite((pri), (errnum), fmt, ap);	\
	va_end(ap);				\
} while (0)

void
log_warn(const char *fmt, ...)
{
	int	 e = errno;

	LOG_BODY(LOG_WARNING, e);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, 0);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_DEBUG, 0);
}

void
fatal(const char *fmt, ...)
{
	int	 e = errno;

	LOG_BODY(LOG_ERR, e);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, 0);
	exit(1);
}
