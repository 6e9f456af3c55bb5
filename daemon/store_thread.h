/*
 * Threads and who has a part in them (store_thread.c).
 *
 * A thread is a case between this node and one member (the party of its
 * messages), or, for a case this node sent to many, one branch per
 * recipient.  Its id is chosen by whoever opened it, and a member learns
 * the ids of the cases it is party to; so a message that names a thread
 * must come from a member that already has a part in it, or another
 * member could add to (or close) a case it is not party to.
 */
#ifndef POC_STORE_THREAD_H
#define POC_STORE_THREAD_H

struct store;

/* 1 if thread_id is held here and member has no part in it (no message
 * of it to or from member), 0 if member may add to it (it has a part, or
 * the thread is new here), -1 on error (logged).  Inside a transaction it
 * sees that transaction's writes. */
int	 store_thread_foreign(struct store *, const char *thread_id,
	    const char *member);

#endif
