/*
 * Communication checks (DESIGN.md "Communication checks"): a campaign sends
 * one CommunicationCheck to each member asked (or to all), through the
 * outbox; the receipt times the node and the member's CheckReply times the
 * people.  Campaigns also run on a schedule ([checks] in the config), whose
 * state is the store, so a restart neither loses nor repeats one.
 */
#ifndef POC_CHECKS_H
#define POC_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/poc.pb-c.h"

/* Checks [checks] targets and arms the schedule timer.  0 or -1. */
int	 checks_init(void);
void	 checks_shutdown(void);

/* Unix ms of the last campaign started (by hand or schedule), 0 if never. */
int64_t	 checks_last_campaign_ms(void);

struct store_check_campaign;

/*
 * A set of members to reach, without duplicates: the targets of a check
 * campaign, and the recipients of a send to many (sendmany.c).
 */
#define CHECKS_MAX_TARGETS	1024
struct checks_members {
	size_t	 n;
	char	 code[CHECKS_MAX_TARGETS][64];
};

/* Adds the n member codes given by an operator (each checked; repeats
 * kept once).  0, or -1 with err. */
int	 checks_members_parse(struct checks_members *, char *const *codes,
	    size_t n, char *err, size_t errlen);

/*
 * Completes and checks a set: adds every other member of the directory
 * if all, or those whose record names network if network is not NULL;
 * then refuses this node, a member with no record here, and an empty
 * set.  0, or -1 with err.
 */
int	 checks_members_resolve(struct checks_members *, int all,
	    const char *network, char *err, size_t errlen);

/*
 * Starts a campaign by hand: one check to each of the n members (or to
 * every member of the directory if all), answered within reply_within_ms;
 * by is the operator.  Everything commits in one transaction, then the
 * outbox is kicked.  Returns 0 with c filled, or -1 with err.
 */
int	 checks_start_members(char *const *members, size_t n, int all,
	    int64_t reply_within_ms, int exercise, const char *by,
	    struct store_check_campaign *c, char *err, size_t errlen);

/* A CheckReply from peer was just stored (handle.c): record the reply
 * time and the PoCs' last successful check, in the same transaction. */
void	 checks_reply_received(const char *peer, const Poc__Envelope *);

#endif
