/*
 * Audit heads this node holds as a witness of other members' logs
 * (store_witness.c; docs/witness.md): per member the latest head, which is
 * only ever replaced by one with more entries (or the same head signed
 * again), and every head that contradicted it, kept as evidence.
 * Each write is a transaction of its own (or a savepoint in the caller's).
 */
#ifndef POC_STORE_WITNESS_H
#define POC_STORE_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "audithead.h"
#include "proto/poc.pb-c.h"

struct store;

#define STORE_WITNESS_MAX_CONFLICTS	64	/* kept per member */
#define STORE_WITNESS_LIST_MAX		1000	/* heads in one listing: ~1 KiB each */

/* The latest head held of member: 1 with it in *h and, if cert is not
 * NULL, the DER of the certificate it was verified with in *cert
 * (malloc'd) and *certlen; 0 if none; -1 (logged). */
int	 store_witness_latest(struct store *, const char *member,
	    struct audit_head *h, uint8_t **cert, size_t *certlen);

/* Makes h (verified with cert, DER) the latest head held of its member.
 * The caller has checked that it does not go back (audithead_compare).
 * Returns 0 or -1 (logged). */
int	 store_witness_put(struct store *, const struct audit_head *h,
	    const uint8_t *cert, size_t certlen, int64_t now_ms);

/* Keeps h, which contradicts the latest head of its member, with why.
 * Returns 1 if stored, 0 if it is held already or the member has
 * STORE_WITNESS_MAX_CONFLICTS, or -1 (logged). */
int	 store_witness_conflict(struct store *, const struct audit_head *h,
	    const uint8_t *cert, size_t certlen, int64_t now_ms,
	    const char *why);

/* Contradicting heads held of member ("" = of anyone) in *n.  0 or -1. */
int	 store_witness_conflicts(struct store *, const char *member,
	    int64_t *n);

/* The heads held of member ("" = every member), by member, its latest
 * first and then its conflicts.  Returns the count with an array for
 * store_witness_list_free, or -1. */
int	 store_witness_list(struct store *, const char *member,
	    Poc__HeldAuditHead ***out);
void	 store_witness_list_free(Poc__HeldAuditHead **, int n);

#endif
