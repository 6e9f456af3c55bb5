/*
 * The audit log in the store (store_audit.c).
 *
 * The append functions do not open a transaction of their own: they are
 * called by the store functions that change a message's state, inside
 * that change's transaction, so that an audit entry commits exactly when
 * its change does (never one without the other, also across kill -9).
 */
#ifndef POC_STORE_AUDIT_H
#define POC_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/poc.pb-c.h"

struct store;

/* Appends one entry (kind: common/audit.h) for message id, with the digest
 * of the envelope's packed bytes.  Must run inside a transaction.  Returns
 * 0, or -1 (logged; the caller rolls its change back). */
int	 store_audit_append(struct store *, const char *kind, const char *id,
	    const char *peer, const char *detail, const uint8_t *envelope,
	    size_t len, int64_t now_ms);

/* The same for a message already stored: its envelope is read back. */
int	 store_audit_append_stored(struct store *, const char *kind,
	    const char *id, const char *peer, const char *detail,
	    int64_t now_ms);

/* Loads up to max entries with seq > after_seq, in order, as stored (not
 * checked: checking is the reader's job).  Returns the count and an array
 * for store_audit_entries_free, or -1. */
int	 store_audit_load(struct store *, int64_t after_seq, int max,
	    Poc__AuditEntry ***out);
void	 store_audit_entries_free(Poc__AuditEntry **, int n);

/* The log's head as committed: its entry count (the last seq, 0 if
 * empty) and the last entry's hash (zeros if empty).  Outside a
 * transaction only, so that a head never names an entry that may yet be
 * rolled back.  Returns 0, or -1 (logged). */
int	 store_audit_head(struct store *, int64_t *count,
	    uint8_t hash[32]);

/* The hash of entry seq: 1 and hash filled if it exists, 0 if not, or -1
 * (logged). */
int	 store_audit_hash_at(struct store *, int64_t seq, uint8_t hash[32]);

#endif
