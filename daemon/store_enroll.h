/*
 * Enrollment requests in the store (store_enroll.c): for each member that
 * asked to join through this node, the record it offered (as it signed
 * it), where from, when, and the operator's decision.  Durability as in
 * store.h: each call is one transaction, or a savepoint in the caller's.
 */
#ifndef POC_STORE_ENROLL_H
#define POC_STORE_ENROLL_H

#include <stddef.h>
#include <stdint.h>

#include "proto/poc.pb-c.h"

struct store;

struct store_enroll_row {
	char			 code[64];
	char			 fp[65];
	char			 source[96];
	int64_t			 received_at;
	int64_t			 last_seen;
	uint32_t		 requests;
	char			 state[16];	/* pending, approved, refused */
	char			 reason[256];
	int64_t			 decided_at;
	char			 decided_by[96];
	Poc__DirectoryRecord	*record;	/* owned */
};

/* The request of code: 1 and *out filled, 0 if none, -1 on error. */
int	 store_enroll_get(struct store *, const char *code,
	    struct store_enroll_row *out);

/* Writes a whole row (insert or replace), record packed as given. */
int	 store_enroll_put(struct store *, const struct store_enroll_row *);

/* One more request of code seen at now_ms from source. */
int	 store_enroll_seen(struct store *, const char *code, int64_t now_ms,
	    const char *source);

/* Records the decision on code's request (state approved or refused),
 * and in the same transaction its audit entry (store_audit.h): kind
 * enroll-approved or enroll-rejected, peer the member, detail "by WHO;
 * certificate FP[; reason: WHY]", the digest of the record offered.
 * -1 if there is no such request or either write fails (nothing
 * changed). */
int	 store_enroll_decide(struct store *, const char *code,
	    const char *state, const char *reason, int64_t at_ms,
	    const char *by);

/* The pending requests (all = every request), oldest first.  Returns the
 * count (rows freed with store_enroll_rows_free), or -1. */
int	 store_enroll_list(struct store *, int all,
	    struct store_enroll_row **rows);
void	 store_enroll_rows_free(struct store_enroll_row *, int n);
void	 store_enroll_row_clear(struct store_enroll_row *);

/* How many requests are pending, or -1. */
int	 store_enroll_pending(struct store *);

#endif
