/*
 * The store's part of a send to many (sendmany.c): the envelopes of one
 * case, one per recipient, and the case's own row, queued in one
 * transaction, all or nothing; and the cases read back for status and
 * thread.  The SQL is in store_sql.c's statement table.
 */
#ifndef POC_STORE_SEND_H
#define POC_STORE_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_msg.h"

struct store_send_case {
	char		 id[64];		/* the first envelope's id */
	int64_t		 created_at;		/* Unix ms */
	int		 kind;			/* Envelope body_case */
	uint32_t	 recipients;
	char		 created_by[128];	/* operator CN */
};

/*
 * Queues the n signed envelopes e[] (direction "out", each with its outbox
 * row and audit entry; signer_der is this node's certificate), the case
 * row c and one row per envelope naming its case, in one transaction (a
 * savepoint inside the caller's batch, if one is open).  Returns
 * STORE_NEW once all of it is committed (or, in a batch, written).  Otherwise nothing at all is stored, *failed is the index
 * of the envelope that failed (n if the case row or the commit did), and
 * the result says why: STORE_CONFLICT or STORE_DUPLICATE (that id is
 * already held) or STORE_ERROR.
 */
enum store_put	 store_send_many(struct store *,
		    const struct store_send_case *c, Poc__Envelope *const *e,
		    size_t n, const uint8_t *signer_der, size_t signer_len,
		    int64_t now_ms, size_t *failed);

/* The case that thread_id is a thread of (its shared thread, or the own
 * thread of one of its envelopes): 1 found (out filled), 0 not one of a
 * case sent to many, -1 error. */
int	 store_send_case_of(struct store *, const char *thread_id,
	    struct store_send_case *out);

/* The threads of the case's envelopes on the wire, each once, in the
 * order queued (the shared thread of the recipients that take it, and
 * each other recipient's own): the count with *ids (64 bytes each) to
 * free(), or -1. */
int	 store_send_case_threads(struct store *, const char *case_id,
	    char (**ids)[64]);

/* The latest limit cases, newest first: the count with *out to free(),
 * or -1. */
int	 store_send_cases_latest(struct store *, int limit,
	    struct store_send_case **out);

#endif
