/*
 * Clock skew (see clock.h).  Each Hello carries its sender's wall clock;
 * the difference to ours when it arrives is the skew, give or take the
 * one-way delay (milliseconds, against a tolerance of minutes).
 *
 * A node whose clock is wrong still works: deadlines are computed and
 * checked on one node's clock, certificates are checked against it, and
 * a created_at from a clock that runs ahead is kept as evidence but not
 * believed (clock_trusted).  What the operator must hear is that a clock
 * is wrong, so each member's skew is logged when it passes the tolerance
 * and again when it is back, and status lists every skew.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "node.h"
#include "util.h"

#define CLOCK_MEMBERS	256

static struct clock_skew	 clock_tab[CLOCK_MEMBERS];
static int			 clock_warned[CLOCK_MEMBERS];
static size_t			 clock_n;

int64_t
clock_tolerance_ms(void)
{
	return (int64_t)env->conf.clock_tolerance * 1000;
}

/* "2h 0m 3s" of |ms|. */
static const char *
clock_span(int64_t ms, char *buf, size_t len)
{
	int64_t	 s = ((ms < 0 ? -ms : ms) + 500) / 1000;

	if (s >= 3600)
		snprintf(buf, len, "%lldh %lldm %llds", (long long)(s / 3600),
		    (long long)(s % 3600 / 60), (long long)(s % 60));
	else if (s >= 60)
		snprintf(buf, len, "%lldm %llds", (long long)(s / 60),
		    (long long)(s % 60));
	else
		snprintf(buf, len, "%lld.%03llds", (long long)s,
		    (long long)((ms < 0 ? -ms : ms) % 1000));
	return buf;
}

void
clock_peer_seen(const char *member, int64_t their_ms)
{
	int64_t		 now = util_now_ms(), skew;
	size_t		 i;
	int		 beyond;
	char		 span[64];

	if (their_ms <= 0)
		return;
	skew = their_ms - now;
	for (i = 0; i < clock_n; i++)
		if (strcmp(clock_tab[i].member, member) == 0)
			break;
	if (i == clock_n) {
		if (clock_n == CLOCK_MEMBERS)
			return;
		snprintf(clock_tab[i].member, sizeof(clock_tab[i].member),
		    "%s", member);
		clock_warned[i] = 0;
		clock_n++;
	}
	clock_tab[i].skew_ms = skew;
	clock_tab[i].seen_at = now;
	beyond = llabs(skew) > clock_tolerance_ms();
	if (beyond && !clock_warned[i])
		log_warnx("clock: %s's clock is %s %s ours (its Hello), beyond "
		    "clock_tolerance (%d s): one of the two is wrong; check "
		    "time synchronisation (NTP) on both nodes.  Deadlines, "
		    "certificate validity and the order of a case depend on "
		    "it; envelopes dated ahead of our clock are kept but "
		    "flagged", member, clock_span(skew, span, sizeof(span)),
		    skew > 0 ? "ahead of" : "behind",
		    env->conf.clock_tolerance);
	else if (!beyond && clock_warned[i])
		log_info("clock: %s's clock is within clock_tolerance of ours "
		    "again (%s %s)", member, clock_span(skew, span,
		    sizeof(span)), skew > 0 ? "ahead" : "behind");
	clock_warned[i] = beyond;
}

size_t
clock_skews(struct clock_skew *out, size_t max)
{
	size_t	 n = clock_n < max ? clock_n : max;

	memcpy(out, clock_tab, n * sizeof(*out));
	return n;
}

int
clock_in_future(int64_t t, int64_t now)
{
	return t > now && t - now > clock_tolerance_ms();
}

int64_t
clock_trusted(int64_t t, int64_t now)
{
	return clock_in_future(t, now) ? now : t;
}
