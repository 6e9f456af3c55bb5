/*
 * The store's listings (store_list.c): the inbox and outbox, a page at a
 * time with filters, and the cases.  Messages are returned as
 * Poc__StoredMessage with the envelope unpacked; free each with
 * protobuf_c_message_free_unpacked and the array with free(), or all at
 * once with store_messages_free.
 */
#ifndef POC_STORE_LIST_H
#define POC_STORE_LIST_H

#include <stdint.h>

#include "proto/poc.pb-c.h"

struct store;

enum store_box { STORE_INBOX = 1, STORE_OUTBOX = 2 };
int		 store_list(struct store *, enum store_box, int limit,
		    Poc__StoredMessage ***out);		/* newest first */

/*
 * A page of a box (store_list.c), newest first, every filter applied in
 * SQL over an index that yields the box in seq order: a page costs about
 * its own rows, however large the store.  A message's seq (sm->seq) is
 * its cursor: before = the last seq of a page gives the next one.
 */
enum store_exercise {
	STORE_EXERCISE_ANY = 0,
	STORE_EXERCISE_ONLY = 1,
	STORE_EXERCISE_NONE = 2,	/* real traffic only */
};
struct store_list_filter {
	enum store_box		 box;
	int			 limit;		/* <= 0: STORE_LIST_DEFAULT */
	int64_t			 before;	/* seq < before; 0 = none */
	int64_t			 after;		/* seq > after; 0 = none */
	int			 unacked;	/* requests/notifications not
						 * acknowledged */
	int			 overdue;	/* ... past their deadline at
						 * now (implies unacked) */
	const char		*party;		/* sender (inbox) or recipient
						 * (outbox); NULL/"" = any */
	int64_t			 since;		/* Unix ms; 0 = none */
	int			 kind;		/* body_case; 0 = any */
	enum store_exercise	 exercise;
	int64_t			 now;		/* Unix ms, for overdue */
	/* Inbox overdue: acknowledgement periods in ms by urgency
	 * (Poc__Urgency 0 to 4). */
	int64_t			 period[5];
};
int		 store_list_page(struct store *,
		    const struct store_list_filter *,
		    Poc__StoredMessage ***out);

/* One case (a thread opened by a request or notification), most
 * recently active first: its opening message and the thread's state. */
struct store_case {
	Poc__StoredMessage	*opening;	/* owned */
	int			 status;	/* Poc__CaseStatus; 0 = none */
	uint32_t		 messages;
	int64_t			 last_seq;	/* the cursor */
	int64_t			 last_at;	/* Unix ms */
};
struct store_cases_filter {
	int			 limit;		/* <= 0: STORE_LIST_DEFAULT */
	int64_t			 before;	/* last_seq < before */
	int64_t			 after;		/* last_seq > after */
	int			 open;		/* not RESOLVED, CLOSED or
						 * WITHDRAWN */
	const char		*party;		/* NULL/"" = any */
};
/* Returns the count with an array to free with store_cases_free, or -1. */
int		 store_cases(struct store *, const struct store_cases_filter *,
		    struct store_case **out);
void		 store_cases_free(struct store_case *, int n);

void		 store_messages_free(Poc__StoredMessage **, int n);

/* The seq of the newest stored message (0 if none), or -1: lets a scan
 * over new messages remember how far it has looked. */
int64_t		 store_messages_last_seq(struct store *);

#endif
