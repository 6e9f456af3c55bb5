/*
 * The store's part for communication checks (campaigns, one target per
 * member, the reply that came back) and for acknowledgement deadlines of
 * outgoing requests and notifications.  Used by checks.c and deadline.c;
 * the SQL is in store_sql.c's statement table.
 */
#ifndef POC_STORE_CHECKS_H
#define POC_STORE_CHECKS_H

#include <stdint.h>

#include "store.h"

struct store_outbox_row;	/* store_msg.h */

struct store_check_campaign {
	char		 id[64];
	int64_t		 created_at;		/* Unix ms */
	int64_t		 reply_by;		/* Unix ms */
	int		 scheduled;
	char		 created_by[128];
};

struct store_check_target {
	char		 member[64];
	char		 envelope_id[64];
	char		 delivery[16];		/* queued, delivered, rejected */
	int64_t		 delivered_at;
	char		 reason[256];
	int64_t		 replied_at;
	char		 replied_by[128];
	char		 reply_id[64];
};

/* Adds a campaign and its targets; run inside a store_begin() batch
 * together with the envelopes.  0 or -1. */
int	 store_checks_campaign_add(struct store *,
	    const struct store_check_campaign *);
int	 store_checks_target_add(struct store *, const char *campaign_id,
	    const char *member, const char *envelope_id);

/* A campaign by id or unique prefix ("" = the newest).  1 found, 0 none,
 * 2 ambiguous prefix, -1 error. */
int	 store_checks_campaign_get(struct store *, const char *id_or_prefix,
	    struct store_check_campaign *out);
/* Up to limit campaigns, newest first; array to free().  Count or -1. */
int	 store_checks_campaigns(struct store *, int limit,
	    struct store_check_campaign **out);
/* The targets of a campaign with their delivery state; array to free(). */
int	 store_checks_targets(struct store *, const char *campaign_id,
	    struct store_check_target **out);

/* Records the reply of member to campaign_id, once: 1 recorded now, 2 it
 * had already replied (nothing changed), 0 no such target, -1 error. */
int	 store_checks_reply(struct store *, const char *campaign_id,
	    const char *member, int64_t replied_at, const char *replied_by,
	    const char *reply_id);

/* Unix ms of the newest campaign (scheduled_only: of the newest scheduled
 * one); 0 if none, -1 on error. */
int64_t	 store_checks_last(struct store *, int scheduled_only);

struct store_deadline {
	char		 msg_id[64];
	char		 recipient[64];
	int		 urgency;		/* Poc__Urgency */
	int64_t		 deadline_at;		/* Unix ms */
	int64_t		 overdue_at;		/* Unix ms, 0 = not (yet) */
	int		 acked;			/* an acknowledgement came */
};

/* Outgoing requests and notifications after message seq after_seq that
 * have no deadline row yet, oldest first (packed envelopes).  Free with
 * store_outbox_rows_free. */
int	 store_deadline_missing(struct store *, int64_t after_seq, int max,
	    struct store_outbox_row **rows);
int	 store_deadline_add(struct store *, const char *msg_id,
	    const char *recipient, int urgency, int64_t deadline_at);
/* The earliest deadline still pending (not overdue, not acknowledged):
 * 1 and *at, 0 none, -1 error. */
int	 store_deadline_next(struct store *, int64_t *at);
/* Pending deadlines at or before now_ms; array to free().  Count or -1. */
int	 store_deadline_due(struct store *, int64_t now_ms, int max,
	    struct store_deadline **out);
/* Marks msg_id overdue at now_ms, once: 1 marked now, 0 already, -1. */
int	 store_deadline_mark(struct store *, const char *msg_id,
	    int64_t now_ms);
/* The deadline of msg_id: 1 found, 0 none, -1 error. */
int	 store_deadline_get(struct store *, const char *msg_id,
	    struct store_deadline *out);
/* Cases overdue and still not acknowledged, or -1. */
int	 store_deadline_overdue_count(struct store *);

/* The case status lifecycle: one row per StatusUpdate (either way). */
struct store_case_change {
	int		 status;		/* Poc__CaseStatus */
	int64_t		 changed_at;		/* Unix ms: the update's created_at */
	char		 member[64];		/* who changed it (its sender) */
	char		 msg_id[64];
};

/* StatusUpdates after seq after_seq without a row yet (as for deadlines). */
int	 store_case_missing(struct store *, int64_t after_seq, int max,
	    struct store_outbox_row **rows);
int	 store_case_add(struct store *, const char *msg_id,
	    const char *thread_id, int status, int64_t changed_at,
	    const char *member);
/* The changes of the case of thread_id with party (its StatusUpdates
 * either way between this node and party), oldest first (at most max);
 * array to free(). */
int	 store_case_history(struct store *, const char *thread_id,
	    const char *party, int max,
	    struct store_case_change **out);

#endif
