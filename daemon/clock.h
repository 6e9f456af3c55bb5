/*
 * Other members' clocks as this node sees them, and the rule for times
 * that lie in the future (clock.c).  A leaf: transport reports what a
 * peer's Hello says, the subsystems ask which time to trust.
 */
#ifndef POC_CLOCK_H
#define POC_CLOCK_H

#include <stddef.h>
#include <stdint.h>

struct clock_skew {
	char		 member[64];
	int64_t		 skew_ms;	/* theirs minus ours; > 0: ahead */
	int64_t		 seen_at;	/* our clock, Unix ms */
};

/* A peer's Hello said its clock read their_ms when it was sent (0: an
 * older peer that does not say).  Warns when the difference passes
 * [limits] clock_tolerance, and notes when it is back within it. */
void	 clock_peer_seen(const char *member, int64_t their_ms);

/* The skews last seen, at most max, into out; returns how many. */
size_t	 clock_skews(struct clock_skew *out, size_t max);

/* The tolerance in force, in ms. */
int64_t	 clock_tolerance_ms(void);

/* 1 if t (a created_at) lies further ahead of now than the tolerance. */
int	 clock_in_future(int64_t t, int64_t now);

/* The time to act on for a created_at t: t itself, or now if t lies in
 * the future beyond the tolerance (its sender's clock is wrong; a
 * deadline or the order of a case must not follow it). */
int64_t	 clock_trusted(int64_t t, int64_t now);

#endif
