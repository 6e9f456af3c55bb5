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
 *
 * Which of two clocks is wrong cannot be told from two; from several it
 * can be guessed: when most peers (two at least) find our clock off the
 * same way, ours is the suspect one (clock_own), and status and who say
 * so.
 *
 * The table holds one row per member that completed a Hello, so it is
 * bounded by the members the network CA certified (about 200); it grows
 * as they appear, up to CLOCK_MEMBERS_MAX, past which a new member's skew
 * is not kept and that is logged (at most once an hour).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "node.h"
#include "util.h"

#define CLOCK_MEMBERS_MAX	4096	/* members whose skew is kept */
#define CLOCK_FULL_LOG_MS	(3600LL * 1000)	/* "table full" at most this
					 * often */

struct clock_row {
	struct clock_skew	 k;
	int			 warned;
};

static struct clock_row	*clock_tab;
static size_t		 clock_n, clock_cap;
static unsigned		 clock_dropped;		/* members not kept */
static int64_t		 clock_full_logged;	/* when it was last said */
static int		 clock_own_warned;

int64_t
clock_tolerance_ms(void)
{
	return (int64_t)env->conf.clock_tolerance * 1000;
}

const char *
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

/* The row of member, added if new; NULL if the table is full (logged at
 * most once an hour) or memory is short. */
static struct clock_row *
clock_row(const char *member, int64_t now)
{
	struct clock_row	*t;
	size_t			 i, cap;

	for (i = 0; i < clock_n; i++)
		if (strcmp(clock_tab[i].k.member, member) == 0)
			return &clock_tab[i];
	if (clock_n == clock_cap) {
		cap = clock_cap == 0 ? 64 : clock_cap * 2;
		if (cap > CLOCK_MEMBERS_MAX)
			cap = CLOCK_MEMBERS_MAX;
		if (clock_n == cap || (t = reallocarray(clock_tab, cap,
		    sizeof(*t))) == NULL) {
			clock_dropped++;
			if (clock_full_logged == 0 ||
			    now - clock_full_logged >= CLOCK_FULL_LOG_MS) {
				log_warnx("clock: the skews of %zu members are "
				    "kept already (at most %d); %s's is not "
				    "(%u not kept so far)", clock_n,
				    CLOCK_MEMBERS_MAX, member, clock_dropped);
				clock_full_logged = now;
			}
			return NULL;
		}
		clock_tab = t;
		clock_cap = cap;
	}
	memset(&clock_tab[clock_n], 0, sizeof(clock_tab[clock_n]));
	snprintf(clock_tab[clock_n].k.member,
	    sizeof(clock_tab[clock_n].k.member), "%s", member);
	return &clock_tab[clock_n++];
}

/* Logs when this node's own clock becomes the suspect one, and when it
 * is no longer. */
static void
clock_own_note(void)
{
	struct clock_own	 o;
	char			 span[64];

	if (clock_own(&o) && !clock_own_warned)
		log_warnx("clock: this node's clock is about %s %s the clocks "
		    "of %u of its %u peers: it is probably this node's that "
		    "is wrong; fix its time synchronisation (NTP).  Until "
		    "then deadlines, 'who is available now' and record "
		    "expiry are judged on a wrong clock",
		    clock_span(o.offset_ms, span, sizeof(span)),
		    o.offset_ms > 0 ? "ahead of" : "behind", o.votes, o.peers);
	else if (!o.suspect && clock_own_warned)
		log_info("clock: this node's clock agrees with most of its "
		    "peers' again");
	clock_own_warned = o.suspect;
}

void
clock_peer_seen(const char *member, int64_t their_ms)
{
	struct clock_row	*r;
	int64_t			 now = util_now_ms(), skew;
	int			 beyond;
	char			 span[64];

	if (their_ms <= 0)
		return;
	skew = their_ms - now;
	if ((r = clock_row(member, now)) == NULL)
		return;
	r->k.skew_ms = skew;
	r->k.seen_at = now;
	beyond = llabs(skew) > clock_tolerance_ms();
	if (beyond && !r->warned)
		log_warnx("clock: %s's clock is %s %s ours (its Hello), beyond "
		    "clock_tolerance (%d s): one of the two is wrong; check "
		    "time synchronisation (NTP) on both nodes.  Deadlines, "
		    "certificate validity and the order of a case depend on "
		    "it; envelopes dated ahead of our clock are kept but "
		    "flagged", member, clock_span(skew, span, sizeof(span)),
		    skew > 0 ? "ahead of" : "behind",
		    env->conf.clock_tolerance);
	else if (!beyond && r->warned)
		log_info("clock: %s's clock is within clock_tolerance of ours "
		    "again (%s %s)", member, clock_span(skew, span,
		    sizeof(span)), skew > 0 ? "ahead" : "behind");
	r->warned = beyond;
	clock_own_note();
}

size_t
clock_count(void)
{
	return clock_n;
}

unsigned
clock_not_kept(void)
{
	return clock_dropped;
}

size_t
clock_skews(struct clock_skew *out, size_t max)
{
	size_t	 i, n = clock_n < max ? clock_n : max;

	for (i = 0; i < n; i++)
		out[i] = clock_tab[i].k;
	return n;
}

int
clock_skew_of(const char *member, int64_t *skew_ms)
{
	size_t	 i;

	for (i = 0; i < clock_n; i++)
		if (strcmp(clock_tab[i].k.member, member) == 0) {
			*skew_ms = clock_tab[i].k.skew_ms;
			return 1;
		}
	return 0;
}

static int
clock_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
clock_own(struct clock_own *o)
{
	int64_t		*off, tol = clock_tolerance_ms();
	size_t		 i, ahead = 0, behind = 0, n;
	int		 sign;

	memset(o, 0, sizeof(*o));
	o->peers = (unsigned)clock_n;
	if (clock_n < 2)
		return 0;
	for (i = 0; i < clock_n; i++) {
		/* A peer behind us means ours is ahead of it. */
		if (clock_tab[i].k.skew_ms < -tol)
			ahead++;
		else if (clock_tab[i].k.skew_ms > tol)
			behind++;
	}
	if (ahead * 2 > clock_n)
		sign = 1, n = ahead;
	else if (behind * 2 > clock_n)
		sign = -1, n = behind;
	else
		return 0;
	if (n < 2 || (off = calloc(n, sizeof(*off))) == NULL)
		return 0;
	n = 0;
	for (i = 0; i < clock_n; i++)
		if (sign * -clock_tab[i].k.skew_ms > tol)
			off[n++] = -clock_tab[i].k.skew_ms;
	qsort(off, n, sizeof(*off), clock_cmp);
	o->offset_ms = off[n / 2];
	o->votes = (unsigned)n;
	o->suspect = 1;
	free(off);
	return 1;
}

int64_t
clock_from_peer(const char *member, int64_t t)
{
	int64_t	 skew;

	if (t <= 0 || !clock_skew_of(member, &skew) ||
	    llabs(skew) <= clock_tolerance_ms())
		return t;
	return t - skew;
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

void
clock_shutdown(void)
{
	free(clock_tab);
	clock_tab = NULL;
	clock_n = clock_cap = 0;
	clock_dropped = 0;
	clock_full_logged = 0;
	clock_own_warned = 0;
}
