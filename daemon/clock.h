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

/* This node's own clock as its peers see it (clock_own). */
struct clock_own {
	int		 suspect;	/* most peers find it off one way */
	int64_t		 offset_ms;	/* median error; > 0: ours is ahead */
	unsigned	 votes;		/* peers off that way, beyond tolerance */
	unsigned	 peers;		/* peers whose skew is known */
};

/* A peer's Hello said its clock read their_ms when it was sent (0: an
 * older peer that does not say).  Warns when the difference passes
 * [limits] clock_tolerance, and notes when it is back within it. */
void	 clock_peer_seen(const char *member, int64_t their_ms);

/* The skews last seen, at most max, into out; returns how many.
 * clock_count() is how many are kept; clock_not_kept() how many members
 * were not, the table being full. */
size_t	 clock_skews(struct clock_skew *out, size_t max);
size_t	 clock_count(void);
unsigned clock_not_kept(void);

/* 1 and *skew_ms if member's skew is known. */
int	 clock_skew_of(const char *member, int64_t *skew_ms);

/* Fills o; 1 if this node's clock is the suspect one: at least two peers,
 * and more than half of all, find it off the same way beyond the
 * tolerance (logged when that starts and ends). */
int	 clock_own(struct clock_own *o);

/* A time t read on member's clock, on ours: t minus its skew when that is
 * beyond the tolerance, else t itself (a deadline a peer set, such as a
 * check's reply_by, as this node must count it). */
int64_t	 clock_from_peer(const char *member, int64_t t);

/* "2h 0m 3s" of |ms| into buf. */
const char *clock_span(int64_t ms, char *buf, size_t len);

/* The tolerance in force, in ms. */
int64_t	 clock_tolerance_ms(void);

/* 1 if t (a created_at) lies further ahead of now than the tolerance. */
int	 clock_in_future(int64_t t, int64_t now);

/* The time to act on for a created_at t: t itself, or now if t lies in
 * the future beyond the tolerance (its sender's clock is wrong; a
 * deadline or the order of a case must not follow it). */
int64_t	 clock_trusted(int64_t t, int64_t now);

/* Frees the table (shutdown, tests). */
void	 clock_shutdown(void);

#endif
