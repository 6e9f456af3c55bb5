/*
 * The pure rules of communication checks and acknowledgement deadlines:
 * how a member's answer to a check is classified, and when a request or
 * notification must be acknowledged.  No clock, no store: same inputs, same
 * result, so that they are unit-tested on their own.
 */
#ifndef POC_CHECKS_RULES_H
#define POC_CHECKS_RULES_H

#include <stdint.h>

enum check_result {
	CHECK_PENDING = 0,	/* not reached yet, reply_by not passed */
	CHECK_REACHED = 1,	/* node reached, no reply yet, still in time */
	CHECK_REPLIED = 2,	/* the people replied by reply_by */
	CHECK_LATE = 3,		/* the people replied after reply_by */
	CHECK_SILENT = 4,	/* no reply by reply_by, or refused */
};

/* The name of r for reports and logs: "pending", "reached", ... */
const char	*checks_rules_strresult(enum check_result r);

/*
 * Classifies one member of a campaign at now_ms.  delivery is the check
 * envelope's outbox state (queued, delivered, rejected); delivered_at is
 * when its receipt came back, replied_at when the CheckReply was received
 * (0 = none).  A reply settles it (replied or late); otherwise past
 * reply_by it is silent, also when the node was never reached; a check
 * the member's node rejected is silent at once.
 */
enum check_result checks_rules_classify(int64_t reply_by, const char *delivery,
	    int64_t delivered_at, int64_t replied_at, int64_t now_ms);

/* Acknowledgement periods by urgency, in seconds ([deadlines] section). */
struct deadline_periods {
	int	 flash;
	int	 immediate;
	int	 priority;
	int	 routine;
	int	 none;		/* urgency not given */
};

/* The period in ms for urgency (a Poc__Urgency value; unknown values get
 * the period of no urgency). */
int64_t	 checks_rules_period(int urgency, const struct deadline_periods *);

/* When a message created at created_at with urgency must be acknowledged
 * (Unix ms); 0 if created_at is not a plausible time. */
int64_t	 checks_rules_deadline(int urgency, int64_t created_at,
	    const struct deadline_periods *);

/* How many further periods have passed since deadline_at at now_ms: 0 in
 * the first period after the deadline, 1 in the next, ... (capped at
 * 1000).  It picks the PoC to try next. */
unsigned	 checks_rules_escalation(int64_t deadline_at, int64_t period_ms,
	    int64_t now_ms);

#endif
