/*
 * Threads and who has a part in them (store_thread.c).
 *
 * A thread is a case between this node and one member (the party of its
 * messages), or, for a case this node sent to many, one branch per
 * recipient (the case is keyed by thread and party).  Its id is chosen by
 * whoever opened it, and a member learns the ids of the cases it is party
 * to, as does every recipient of a case sent to many; so a message that
 * names a thread must come from a member that already has a part in it,
 * an envelope that opens a case may not open it in a thread held here
 * already, and a reply may not answer another member's message, or one
 * member could add to (or close) a case it is not party to.  Nor may a
 * reply start a thread here: it answers a case held here, and a member
 * that learnt a thread id before the case's envelope reached this node
 * would take the thread first and have the case's own envelope refused.
 * (An opening envelope in a thread that is not its id is bound to its
 * sender before this, validate.h.)
 */
#ifndef POC_STORE_THREAD_H
#define POC_STORE_THREAD_H

#include "proto/poc.pb-c.h"

struct store;

/* What store_thread_admits() says of an envelope from a member. */
enum store_thread_verdict {
	STORE_THREAD_ERROR = -1,	/* cannot be read (logged) */
	STORE_THREAD_OK = 0,		/* it may join (or open) the thread */
	STORE_THREAD_FOREIGN,		/* held here; the member has no part */
	STORE_THREAD_OPEN,		/* opens a case in a thread held here */
	STORE_THREAD_REPLY_FOREIGN,	/* in_reply_to: another member's */
	STORE_THREAD_UNHELD		/* a reply in a thread not held here */
};

/*
 * Whether e, received from member, may be stored in its thread: the
 * thread is new here or member has a part in it (a message of it to or
 * from member); if e opens a case (no in_reply_to), no other message holds
 * its thread yet (its own resend may); if e is a reply, its thread is held
 * here; and its in_reply_to, if held here, is a message to or from
 * member.  Inside a transaction it sees that
 * transaction's writes.
 */
enum store_thread_verdict store_thread_admits(struct store *,
	    const Poc__Envelope *e, const char *member);

#endif
