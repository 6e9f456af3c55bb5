/*
 * Enrollment, the registry's side (docs/directory.md "Joining"): a member
 * whose node certificate chains to the network CA but has no record here
 * connects, and its connection is let in only to offer its own signed
 * record.  [directory] enrollment decides what happens to the offer:
 * manual (kept pending until an operator approves or rejects it), open
 * (taken at once and pinned from then on) or off (the connection is
 * refused as not pinned, as before enrollment existed).
 */
#ifndef POC_ENROLL_H
#define POC_ENROLL_H

#include <stddef.h>

#include "proto/poc.pb-c.h"

struct peer;
struct store_enroll_row;

/* The serving table's enroll callback (peer.h): 1 lets an inbound
 * connection whose certificate (fingerprint fp) is not pinned enroll. */
int	 enroll_admit(struct peer *, const char *fp);

/* Answers a request on an enrolling connection (EnrollRequest,
 * DirectoryDigestRequest), or an EnrollRequest of a pinned member (the
 * offer of a newer own record). */
void	 enroll_serve(struct peer *, const Poc__PeerFrame *f);

/*
 * The operator's decision on code's request: approve (the record is
 * checked again and stored, in one transaction with the decision) or
 * reject with reason.  fp, if not "", must be the request's certificate.
 * 0 with *out filled (clear it with store_enroll_row_clear), or -1 with
 * err set; *notfound says the error is that there is no such request.
 */
int	 enroll_decide(const char *code, int approve, const char *reason,
	    const char *fp, const char *op, struct store_enroll_row *out,
	    int *notfound, char *err, size_t errlen);

/* Fills the enrollment fields of the status reply, and frees them. */
int	 enroll_status_fill(Poc__OpStatusReply *st);
void	 enroll_status_free(Poc__OpStatusReply *st);

/* Fills e from row (borrowing its strings and record). */
void	 enroll_entry(Poc__EnrollmentEntry *e, struct store_enroll_row *row);

#endif
