/*
 * A send to many (issue 12 item 3): one case, one envelope per recipient,
 * each signed on its own and queued with the others in one transaction;
 * then each is delivered, receipted, acknowledged and overdue on its own
 * (outbox.c and deadline.c see ordinary envelopes).  The case's id is
 * the first envelope's; on the wire it is the thread of every envelope to
 * a member whose record says shared_threads, and any other envelope is a
 * case of its own (thread_id = its id, as an older node wants of a new
 * case); the node keeps them together as one case.  Who the recipients
 * are is decided by checks.c's member sets, as for a check campaign; the
 * case's matrix (per recipient: delivered, acknowledged, responded,
 * overdue) is computed when asked, from the thread in the store.
 */
#ifndef POC_SENDMANY_H
#define POC_SENDMANY_H

#include <stddef.h>

#include "proto/poc.pb-c.h"
#include "util.h"

struct checks_members;

/*
 * Queues e, an envelope completed and validated for its first recipient
 * (id, thread_id = id, sender, created_at set; signature empty), to each
 * member of m: the first keeps e's id, which is also the case's, the
 * others get ids of their own.  by is the operator.  Returns 0 once all are
 * committed, with q->to filled (freed by sendmany_queued_free) and the
 * case's thread on the wire in thread (the shared one, or the case's id
 * if no recipient takes shared threads); or -1 with err, nothing queued,
 * and *internal set if the node (not the request) is at fault.
 */
int	 sendmany_queue(const char *by, Poc__Envelope *e,
	    const struct checks_members *m, Poc__OpQueued *q,
	    char thread[UUID_STR_LEN], int *internal, char *err,
	    size_t errlen);
void	 sendmany_queued_free(Poc__OpQueued *q);

struct store_send_case;

/*
 * If thread_id is the thread of an envelope of a case sent to many (the
 * case's shared thread, or an envelope's own), replaces the thread's
 * messages m[n] (freeing them) by those of every thread of the case and
 * returns 1 with c filled; 0 if it is no such case; -1 on error.
 */
int	 sendmany_gather(const char *thread_id, Poc__StoredMessage ***m,
	    int *n, struct store_send_case *c);

/* The matrix of case c over its messages m[n] (annotated with their
 * deadlines), rows only if with_rows; NULL on failure (logged). */
Poc__SendManyCase *sendmany_matrix(const struct store_send_case *c,
	    Poc__StoredMessage *const *m, size_t n, int with_rows);

/* The latest cases sent to many, counts without rows, for status: an
 * array of *n to free with sendmany_cases_free, or NULL. */
Poc__SendManyCase **sendmany_latest(size_t *n);

void	 sendmany_case_free(Poc__SendManyCase *);
void	 sendmany_cases_free(Poc__SendManyCase **, size_t n);

#endif
