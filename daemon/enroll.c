/*
 * Enrollment, the registry's side (see enroll.h).
 *
 * Order of checks for an offer, each one refusing with its reason:
 * policy (off refuses at the Hello already), the member has no record
 * here (a pinned record is never replaced by an enrollment), rate limits
 * per remote address and per CN (at the Hello), then the record: its
 * code is the certificate's CN, it passes every rule a replicated record
 * passes (fields, network, chain to the CA with its CRL, signature), it
 * was signed by the very certificate the connection came with, and it
 * pins that certificate.  Only then is it kept pending (manual) or stored
 * (open).  An approval checks the record again, since the CRL may have
 * changed while it waited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dirrec.h"
#include "directory.h"
#include "enroll.h"
#include "events.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "sig.h"
#include "store.h"
#include "store_dir.h"
#include "store_enroll.h"
#include "store_tx.h"
#include "util.h"
#include "validate.h"

#define ENROLL_RATE_WINDOW_MS	60000	/* rate-limit window; the limit is
					 * [directory] enrollment_rate */
#define ENROLL_RATE_SLOTS	512	/* keys remembered */
#define ENROLL_MAX_PENDING	1000	/* pending requests kept at most
					 * (docs/directory.md "Joining") */
#define ENROLL_FULL_LOG_MS	60000	/* "too many pending" at most this
					 * often in the log */
#define ENROLL_STATUS_MAX	50	/* pending requests shown in status */

/* Connections let in to enroll, per key ("a:HOST" or "c:CODE"), in the
 * current window.  The oldest slot is reused when all are taken. */
static struct enroll_rate {
	char	 key[80];
	int64_t	 start;
	int	 count;
	int	 warned;
} rates[ENROLL_RATE_SLOTS];

/* Requests refused because ENROLL_MAX_PENDING were pending (status), and
 * when that was last logged. */
static unsigned		 enroll_full;
static int64_t		 enroll_full_logged;

/* 1 if key may have one more enrolling connection now; else 0 the first
 * time in the window (to be logged), -1 after. */
static int
enroll_rate_ok(const char *key, int64_t now)
{
	struct enroll_rate	*r = NULL, *old = &rates[0];
	size_t			 i;

	for (i = 0; i < ENROLL_RATE_SLOTS; i++) {
		if (strcmp(rates[i].key, key) == 0) {
			r = &rates[i];
			break;
		}
		if (rates[i].start < old->start)
			old = &rates[i];
	}
	if (r == NULL) {
		r = old;
		snprintf(r->key, sizeof(r->key), "%s", key);
		r->start = now;
		r->count = 0;
		r->warned = 0;
	}
	if (now - r->start >= ENROLL_RATE_WINDOW_MS) {
		r->start = now;
		r->count = 0;
		r->warned = 0;
	}
	if (env->conf.enrollment_rate > 0 &&
	    r->count >= env->conf.enrollment_rate)
		return r->warned++ == 0 ? 0 : -1;
	r->count++;
	return 1;
}

int
enroll_admit(struct peer *p, const char *fp)
{
	const char	*code = peer_member(p);
	char		 host[300], port[16], key[80];
	int64_t		 now = util_now_ms();
	int		 i, r;

	if (strcmp(env->conf.enrollment, "off") == 0)
		return 0;
	if (directory_known(code)) {
		log_warnx("enrollment: %s (%s) refused: %s already has a "
		    "record here and certificate %.16s... is not pinned in "
		    "it; the record is not replaced", code, peer_addr(p), code,
		    fp);
		return 0;
	}
	if (util_split_hostport(peer_addr(p), host, sizeof(host), port,
	    sizeof(port)) != 0)
		snprintf(host, sizeof(host), "%s", peer_addr(p));
	/* Per remote address, then per CN. */
	snprintf(key, sizeof(key), "a:%.70s", host);
	for (i = 0; i < 2; i++) {
		if ((r = enroll_rate_ok(key, now)) != 1) {
			if (r == 0)	/* once per window and key */
				log_warnx("enrollment: %s (%s) refused: more "
				    "than %d enrolling connections for %s "
				    "within %d s", code, peer_addr(p),
				    env->conf.enrollment_rate, key + 2,
				    ENROLL_RATE_WINDOW_MS / 1000);
			return 0;
		}
		snprintf(key, sizeof(key), "c:%s", code);
	}
	return 1;
}

/* Sends an EnrollAnswer. */
static void
enroll_answer(struct peer *p, Poc__EnrollAnswer__State state,
    const char *reason, int64_t since)
{
	Poc__PeerFrame		 f = POC__PEER_FRAME__INIT;
	Poc__EnrollAnswer	 a = POC__ENROLL_ANSWER__INIT;

	a.state = state;
	a.reason = (char *)reason;
	a.since = since;
	f.kind_case = POC__PEER_FRAME__KIND_ENROLL_ANSWER;
	f.enroll_answer = &a;
	(void)peer_send_frame(p, &f);
}

/* The offer r on p's connection passes every rule (see the top); 0, or -1
 * with err set. */
static int
enroll_check(struct peer *p, const Poc__DirectoryRecord *r, char *err,
    size_t errlen)
{
	X509	*x;
	char	 conn_fp[65], rec_fp[65];
	int	 ok;

	if (r == NULL) {
		snprintf(err, errlen, "the request carries no record");
		return -1;
	}
	if (strcmp(r->code, peer_member(p)) != 0) {
		snprintf(err, errlen, "the record is of \"%.32s\", the "
		    "certificate of %s", validate_member_code(r->code) ?
		    r->code : "?", peer_member(p));
		return -1;
	}
	if (directory_check(r, err, errlen) != 0)
		return -1;
	if ((x = sig_cert_from_der(r->certificate.data,
	    r->certificate.len)) == NULL) {
		snprintf(err, errlen, "the record's certificate does not "
		    "decode");
		return -1;
	}
	ok = sig_cert_fingerprint(x, rec_fp) == 0 &&
	    sig_cert_fingerprint(peer_cert(p), conn_fp) == 0 &&
	    strcmp(rec_fp, conn_fp) == 0;
	X509_free(x);
	if (!ok) {
		snprintf(err, errlen, "the record was not signed with the "
		    "certificate of this connection");
		return -1;
	}
	if (!dirrec_pinned(r, conn_fp)) {
		snprintf(err, errlen, "the record does not pin the "
		    "certificate of this connection");
		return -1;
	}
	return 0;
}

/* Stores row's record and marks the request approved, in one
 * transaction.  0, or -1 with err set (nothing changed). */
static int
enroll_store(struct store_enroll_row *row, const char *by, char *err,
    size_t errlen)
{
	char	 via[128];
	int64_t	 now = util_now_ms();
	int	 res;

	snprintf(via, sizeof(via), "enrollment approved by %s", by);
	if (store_begin(env->store) != 0)
		goto fail;
	if ((res = store_dir_put(env->store, row->record, via, now)) != 1 ||
	    store_enroll_put(env->store, row) != 0 ||
	    store_enroll_decide(env->store, row->code, "approved", "", now,
	    by) != 0) {
		store_rollback(env->store);
		if (res == 0) {
			snprintf(err, errlen, "a record of %s is held here "
			    "already; it is not replaced", row->code);
			return -1;
		}
		goto fail;
	}
	if (store_commit(env->store) != 0)
		goto fail;
	snprintf(row->state, sizeof(row->state), "approved");
	row->decided_at = now;
	snprintf(row->decided_by, sizeof(row->decided_by), "%s", by);
	log_info("enrollment: %s approved by %s; record serial %llu stored "
	    "and certificate %.16s... pinned", row->code, by,
	    (unsigned long long)row->record->serial, row->fp);
	return 0;
fail:
	snprintf(err, errlen, "the store failed; nothing changed");
	return -1;
}

/* An EnrollRequest on an enrolling connection. */
static void
enroll_on_request(struct peer *p, const Poc__DirectoryRecord *r)
{
	struct store_enroll_row	 row;
	const char		*code = peer_member(p);
	char			 err[300], fp[65];
	int64_t			 now = util_now_ms();
	int			 n;

	if (enroll_check(p, r, err, sizeof(err)) != 0) {
		log_warnx("enrollment: request of %s (%s) refused: %s", code,
		    peer_addr(p), err);
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__REFUSED, err, 0);
		return;
	}
	(void)sig_cert_fingerprint(peer_cert(p), fp);
	if ((n = store_enroll_get(env->store, code, &row)) < 0) {
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__REFUSED, "the "
		    "registry's store failed; try later", 0);
		return;
	}
	if (n == 1 && strcmp(row.fp, fp) == 0 &&
	    strcmp(row.state, "refused") == 0) {
		(void)store_enroll_seen(env->store, code, now, peer_addr(p));
		log_info("enrollment: %s (%s) asked again; refused on %lld: %s",
		    code, peer_addr(p), (long long)row.decided_at, row.reason);
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__REFUSED,
		    row.reason, row.received_at);
		goto out;
	}
	if (n == 1 && strcmp(row.state, "pending") == 0 &&
	    strcmp(row.fp, fp) != 0) {
		log_warnx("enrollment: %s (%s) refused: a request of %s with "
		    "certificate %.16s... is pending; reject it first", code,
		    peer_addr(p), code, row.fp);
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__REFUSED, "a "
		    "request with another certificate is pending here", 0);
		goto out;
	}
	if (n == 1 && strcmp(row.state, "pending") == 0) {
		/* The same member again: keep the newest record offered. */
		if (r->serial > row.record->serial) {
			store_enroll_row_clear(&row);
			row.record = (Poc__DirectoryRecord *)r;
		}
		row.last_seen = now;
		row.requests++;
		snprintf(row.source, sizeof(row.source), "%s", peer_addr(p));
		if (store_enroll_put(env->store, &row) != 0)
			log_warnx("enrollment: cannot record %s's request",
			    code);
		if (row.record == r)
			row.record = NULL;
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__PENDING,
		    "waiting for the registry's operator", row.received_at);
		goto out;
	}
	store_enroll_row_clear(&row);
	if (store_enroll_pending(env->store) >= ENROLL_MAX_PENDING) {
		enroll_full++;
		if (enroll_full_logged == 0 ||
		    now - enroll_full_logged >= ENROLL_FULL_LOG_MS) {
			log_warnx("enrollment: %s (%s) refused: %d requests "
			    "are pending already, the most kept; approve or "
			    "reject them (pocctl directory pending).  %u "
			    "refused so far for this reason", code,
			    peer_addr(p), ENROLL_MAX_PENDING, enroll_full);
			enroll_full_logged = now;
		}
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__REFUSED, "too "
		    "many requests are pending at this registry; try later", 0);
		return;
	}
	memset(&row, 0, sizeof(row));
	snprintf(row.code, sizeof(row.code), "%s", code);
	snprintf(row.fp, sizeof(row.fp), "%s", fp);
	snprintf(row.source, sizeof(row.source), "%s", peer_addr(p));
	row.received_at = row.last_seen = now;
	row.requests = 1;
	snprintf(row.state, sizeof(row.state), "pending");
	row.record = (Poc__DirectoryRecord *)r;
	if (strcmp(env->conf.enrollment, "open") == 0) {
		if (enroll_store(&row, "policy", err, sizeof(err)) != 0)
			enroll_answer(p, POC__ENROLL_ANSWER__STATE__REFUSED,
			    err, now);
		else
			enroll_answer(p, POC__ENROLL_ANSWER__STATE__APPROVED,
			    "enrollment is open here", now);
		return;
	}
	/* The request and the alert that a person must decide on it
	 * commit together. */
	if (store_begin(env->store) != 0 ||
	    store_enroll_put(env->store, &row) != 0) {
		store_rollback(env->store);
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__REFUSED, "the "
		    "registry's store failed; try later", 0);
		return;
	}
	events_enrollment_waiting(code, fp, peer_addr(p));
	if (store_commit(env->store) != 0) {
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__REFUSED, "the "
		    "registry's store failed; try later", 0);
		return;
	}
	log_info("enrollment: %s (%s) asks to join with certificate %s; "
	    "pending: pocctl directory approve %s (or reject)", code,
	    peer_addr(p), fp, code);
	enroll_answer(p, POC__ENROLL_ANSWER__STATE__PENDING, "waiting for the "
	    "registry's operator", now);
	return;
out:
	store_enroll_row_clear(&row);
}

/* A pinned member offers its own record (newer than the one held, as the
 * digest showed it): taken if it passes directory_take. */
static void
enroll_on_offer(struct peer *p, const Poc__DirectoryRecord *r)
{
	char	 err[300], via[80];
	int	 res;

	if (r == NULL || strcmp(r->code, peer_member(p)) != 0) {
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__REFUSED, "only "
		    "the own record may be offered", 0);
		return;
	}
	snprintf(via, sizeof(via), "offer of %s", peer_member(p));
	if ((res = directory_take(r, via, err, sizeof(err))) < 0)
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__REFUSED, err, 0);
	else
		enroll_answer(p, POC__ENROLL_ANSWER__STATE__APPROVED,
		    res == 1 ? "record taken" : err, 0);
}

void
enroll_serve(struct peer *p, const Poc__PeerFrame *f)
{
	if (!peer_enrolling(p)) {
		enroll_on_offer(p, f->enroll_request->record);
		return;
	}
	if (f->kind_case == POC__PEER_FRAME__KIND_ENROLL_REQUEST) {
		enroll_on_request(p, f->enroll_request->record);
		return;
	}
	/* A digest request before the member knows it must enroll. */
	enroll_answer(p, POC__ENROLL_ANSWER__STATE__NOT_ENROLLED, "no record "
	    "of you here: offer your own", 0);
}

int
enroll_decide(const char *code, int approve, const char *reason,
    const char *fp, const char *op, struct store_enroll_row *out,
    int *notfound, char *err, size_t errlen)
{
	char	 why[300];
	int	 n;

	*notfound = 0;
	if ((n = store_enroll_get(env->store, code, out)) < 0) {
		snprintf(err, errlen, "the store failed");
		return -1;
	}
	if (n == 0) {
		*notfound = 1;
		snprintf(err, errlen, "no enrollment request of %s here", code);
		return -1;
	}
	if (fp[0] != '\0' && strcmp(fp, out->fp) != 0) {
		snprintf(err, errlen, "the request of %s came with "
		    "certificate %s, not %s; nothing changed", code, out->fp,
		    fp);
		return -1;
	}
	if (strcmp(out->state, "approved") == 0 ||
	    (!approve && strcmp(out->state, "refused") == 0)) {
		snprintf(err, errlen, "the request of %s was %s already (by "
		    "%s)", code, out->state, out->decided_by);
		return -1;
	}
	if (!approve) {
		snprintf(why, sizeof(why), "%s", reason[0] != '\0' ? reason :
		    "refused by the registry's operator");
		if (store_enroll_decide(env->store, code, "refused", why,
		    util_now_ms(), op) != 0) {
			snprintf(err, errlen, "the store failed");
			return -1;
		}
		snprintf(out->state, sizeof(out->state), "refused");
		snprintf(out->reason, sizeof(out->reason), "%.250s", why);
		out->decided_at = util_now_ms();
		snprintf(out->decided_by, sizeof(out->decided_by), "%s", op);
		log_info("enrollment: %s rejected by %s: %s", code, op, why);
		return 0;
	}
	if (directory_known(code)) {
		snprintf(err, errlen, "%s has a record here already (it "
		    "arrived by replication or import); it is not replaced, "
		    "reject the request", code);
		return -1;
	}
	if (directory_check(out->record, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "the record offered no longer passes: "
		    "%s; reject the request", why);
		return -1;
	}
	return enroll_store(out, op, err, errlen);
}

void
enroll_entry(Poc__EnrollmentEntry *e, struct store_enroll_row *row)
{
	poc__enrollment_entry__init(e);
	e->member = row->code;
	e->fingerprint = row->fp;
	e->record = row->record;
	e->source = row->source;
	e->received_at = row->received_at;
	e->last_seen = row->last_seen;
	e->requests = row->requests;
	e->state = row->state;
	e->reason = row->reason;
	e->decided_at = row->decided_at;
	e->decided_by = row->decided_by;
}

/* The pending requests shown in status, until the reply is sent. */
static struct store_enroll_row	*status_rows;
static int			 status_nrows;

int
enroll_status_fill(Poc__OpStatusReply *st)
{
	Poc__EnrollmentEntry	*e;
	int			 i, n;

	st->enrollment_policy = env->conf.enrollment;
	if ((n = store_enroll_list(env->store, 0, &status_rows)) < 0) {
		status_rows = NULL;
		return -1;
	}
	status_nrows = n;
	st->enrollments_pending = (uint32_t)n;
	st->enrollments_max_pending = ENROLL_MAX_PENDING;
	st->enrollments_refused_full = enroll_full;
	if (n > ENROLL_STATUS_MAX)
		n = ENROLL_STATUS_MAX;
	if (n == 0)
		return 0;
	e = calloc((size_t)n, sizeof(*e));
	st->enrollments = calloc((size_t)n, sizeof(*st->enrollments));
	if (e == NULL || st->enrollments == NULL) {
		free(e);
		free(st->enrollments);
		st->enrollments = NULL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		enroll_entry(&e[i], &status_rows[i]);
		e[i].record = NULL;	/* status names requests only */
		st->enrollments[i] = &e[i];
	}
	st->n_enrollments = (size_t)n;
	return 0;
}

void
enroll_status_free(Poc__OpStatusReply *st)
{
	if (st->n_enrollments > 0)
		free(st->enrollments[0]);
	free(st->enrollments);
	st->enrollments = NULL;
	st->n_enrollments = 0;
	store_enroll_rows_free(status_rows, status_nrows);
	status_rows = NULL;
	status_nrows = 0;
}
