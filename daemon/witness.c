/*
 * Witnessed audit heads (see witness.h; docs/witness.md): our own head,
 * signed and sent to the peers connected to us, and the heads of theirs
 * we keep, with the checks that turn a cut or rolled-back log into
 * evidence on both sides.
 *
 * Ordering: our head is read from the store outside any transaction
 * (store_audit_head refuses otherwise), on a loop turn of its own, so it
 * only ever names committed entries: a head must never commit us to an
 * entry that a rollback may yet take away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "audithead.h"
#include "events.h"
#include "log.h"
#include "msgsig.h"
#include "node.h"
#include "peer.h"
#include "store.h"
#include "store_audit.h"
#include "store_tx.h"
#include "store_witness.h"
#include "util.h"
#include "witness.h"

/* A connection we send heads to, from its up to its down. */
struct witness_peer {
	LIST_ENTRY(witness_peer) entry;
	struct peer		*p;
	int			 speaks;	/* heads may go to it */
	int			 send_head;	/* ours, at the next flush */
	int			 send_held;	/* theirs we hold, likewise */
};

static LIST_HEAD(, witness_peer) witness_peers =
    LIST_HEAD_INITIALIZER(witness_peers);

static struct event		*witness_timer;	/* [audit] head_interval */
static struct event		*witness_soon;	/* the next flush */
static struct audit_head	 witness_own;	/* our last signed head */
static int			 witness_own_valid;
/* What a witness last told us of our own log (status). */
static char			 witness_alarm_reason[512];
static char			 witness_alarm_from[VALIDATE_MAX_MEMBER + 1];
static int64_t			 witness_alarm_at;

static void	witness_flush(void);

static struct witness_peer *
witness_find(const struct peer *p)
{
	struct witness_peer	*w;

	LIST_FOREACH(w, &witness_peers, entry)
		if (w->p == p)
			return w;
	return NULL;
}

/* Arms the flush in ms (0: the next loop turn); an earlier one stays. */
static void
witness_schedule(int64_t ms)
{
	struct timeval	 tv = util_ms_timeval(ms);

	if (ms > 0 && evtimer_pending(witness_soon, NULL))
		return;
	evtimer_add(witness_soon, &tv);
}

static void
witness_soon_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	witness_flush();
}

/* Every head_interval: a freshly signed head to every connection. */
static void
witness_timer_cb(int fd, short ev, void *arg)
{
	struct timeval		 tv = { env->conf.audit_head_interval, 0 };
	struct witness_peer	*w;

	(void)fd;
	(void)ev;
	(void)arg;
	witness_own_valid = 0;		/* a new time, even if nothing grew */
	LIST_FOREACH(w, &witness_peers, entry)
		w->send_head = w->speaks;
	witness_flush();
	evtimer_add(witness_timer, &tv);
}

int
witness_init(void)
{
	struct timeval	 tv = { env->conf.audit_head_interval, 0 };

	if ((witness_soon = evtimer_new(env->base, witness_soon_cb,
	    NULL)) == NULL ||
	    (witness_timer = evtimer_new(env->base, witness_timer_cb,
	    NULL)) == NULL)
		return -1;
	if (env->conf.audit_head_interval > 0)
		evtimer_add(witness_timer, &tv);
	return 0;
}

void
witness_shutdown(void)
{
	struct witness_peer	*w;

	while ((w = LIST_FIRST(&witness_peers)) != NULL) {
		LIST_REMOVE(w, entry);
		free(w);
	}
	if (witness_timer != NULL)
		event_free(witness_timer);
	if (witness_soon != NULL)
		event_free(witness_soon);
	witness_timer = witness_soon = NULL;
}

void
witness_up(struct peer *p)
{
	struct witness_peer	*w;

	if ((w = witness_find(p)) == NULL) {
		if ((w = calloc(1, sizeof(*w))) == NULL) {
			log_warn("witness: %s", peer_member(p));
			return;
		}
		w->p = p;
		LIST_INSERT_HEAD(&witness_peers, w, entry);
	}
}

void
witness_speaks(struct peer *p)
{
	struct witness_peer	*w;

	if ((w = witness_find(p)) == NULL || w->speaks ||
	    !peer_audit_heads(p))
		return;
	w->speaks = w->send_head = w->send_held = 1;
	witness_schedule(0);
}

void
witness_down(struct peer *p)
{
	struct witness_peer	*w;

	if ((w = witness_find(p)) != NULL) {
		LIST_REMOVE(w, entry);
		free(w);
	}
}

void
witness_receipt_sent(struct peer *p)
{
	struct witness_peer	*w;

	if ((w = witness_find(p)) == NULL || !w->speaks)
		return;
	w->send_head = 1;
	witness_schedule(WITNESS_RECEIPT_GAP_MS);
}

/* Brings our signed head up to the committed log: signs again when the
 * log moved (or the timer asked for a new time).  0 or -1 (logged). */
static int
witness_own_fresh(void)
{
	struct audit_head	 h;

	memset(&h, 0, sizeof(h));
	if (store_audit_head(env->store, &h.count, h.last_hash) == -1)
		return -1;
	if (witness_own_valid && h.count == witness_own.count &&
	    memcmp(h.last_hash, witness_own.last_hash, AUDIT_HASH_LEN) == 0)
		return 0;
	snprintf(h.member, sizeof(h.member), "%.*s", VALIDATE_MAX_MEMBER,
	    env->conf.member);
	h.time = util_now_ms();
	if (msgsig_sign_audit_head(&h) == -1)
		return -1;
	witness_own = h;
	witness_own_valid = 1;
	log_debug("witness: signed our audit head: %lld entries",
	    (long long)h.count);
	return 0;
}

/* Sends a WitnessedHead: h (of p's member, verified with cert) and why
 * now ("" on connection).  0 or -1 (then p is closed). */
static int
witness_send_held(struct peer *p, const struct audit_head *h,
    const uint8_t *cert, size_t certlen, const char *why)
{
	Poc__PeerFrame		 f = POC__PEER_FRAME__INIT;
	Poc__WitnessedHead	 wh = POC__WITNESSED_HEAD__INIT;
	Poc__AuditHead		 a;

	audithead_to_pb(h, &a);
	a.signer_cert.data = (uint8_t *)cert;
	a.signer_cert.len = certlen;
	wh.head = &a;
	wh.conflict = (char *)why;
	f.kind_case = POC__PEER_FRAME__KIND_WITNESSED_HEAD;
	f.witnessed_head = &wh;
	return peer_send_frame(p, &f);
}

/* The head of p's member we hold, to p.  0, or -1 if it failed (p may
 * have been closed). */
static int
witness_send_held_latest(struct peer *p)
{
	struct audit_head	 h;
	uint8_t			*cert = NULL;
	size_t			 certlen = 0;
	int			 r;

	r = store_witness_latest(env->store, peer_member(p), &h, &cert,
	    &certlen);
	if (r == 1)
		r = witness_send_held(p, &h, cert, certlen, "");
	free(cert);
	return r == -1 ? -1 : 0;
}

/* Sends what is due to each connection.  A failed send closes the
 * connection (its down removes it from the list), so the walk starts
 * over after a failure; each entry's flags are cleared before its send,
 * so it ends. */
static void
witness_flush(void)
{
	Poc__PeerFrame		 f = POC__PEER_FRAME__INIT;
	Poc__AuditHead		 a;
	struct witness_peer	*w;
	struct peer		*p;
	int			 own = 0;

	LIST_FOREACH(w, &witness_peers, entry)
		own |= w->send_head;
	if (own && witness_own_fresh() == -1)
		own = 0;			/* logged; the timer tries again */
	audithead_to_pb(&witness_own, &a);
	f.kind_case = POC__PEER_FRAME__KIND_AUDIT_HEAD;
	f.audit_head = &a;
 again:
	LIST_FOREACH(w, &witness_peers, entry) {
		p = w->p;
		if (w->send_held) {
			w->send_held = 0;
			if (witness_send_held_latest(p) == -1)
				goto again;
		}
		if (w->send_head && own) {
			w->send_head = 0;
			if (peer_send_frame(p, &f) == -1)
				goto again;
		}
	}
}

/* Our log against a head of it a witness holds: an alarm if the log no
 * longer holds what we signed. */
static void
witness_check_own(struct peer *p, const struct audit_head *h,
    const char *conflict)
{
	uint8_t		 at[AUDIT_HASH_LEN];
	int64_t		 count;
	int		 found = 0;
	char		 why[400], key[96];

	if (store_audit_head(env->store, &count, at) == -1)
		return;
	if (h->count > 0 && h->count <= count &&
	    (found = store_audit_hash_at(env->store, h->count, at)) == -1)
		return;
	if (audithead_check_log(h, count, found == 1 ? at : NULL, why,
	    sizeof(why))) {
		if (conflict[0] != '\0')
			log_warnx("witness %s: says \"%.200s\", but our log "
			    "still holds the head it keeps (%lld entries)",
			    peer_member(p), conflict, (long long)h->count);
		return;
	}
	if (strcmp(witness_alarm_reason, why) == 0 &&
	    strcmp(witness_alarm_from, peer_member(p)) == 0) {
		log_debug("witness %s: told again: %s", peer_member(p), why);
		return;
	}
	log_warnx("AUDIT LOG CUT OR ROLLED BACK: witness %s holds a head of "
	    "our log that we signed at %lld ms: %s", peer_member(p),
	    (long long)h->time, why);
	/* One alert per witness and head, however often we are told. */
	snprintf(key, sizeof(key), "ours:%s:%lld", peer_member(p),
	    (long long)h->count);
	if (store_begin(env->store) == 0) {
		events_audit_conflict(peer_member(p), 1, why, key);
		(void)store_commit(env->store);
	}
	snprintf(witness_alarm_reason, sizeof(witness_alarm_reason), "%s",
	    why);
	snprintf(witness_alarm_from, sizeof(witness_alarm_from), "%s",
	    peer_member(p));
	witness_alarm_at = util_now_ms();
}

/* A WitnessedHead: a head of our own log, which must be ours, signed by
 * a certificate of ours that chains to the network CA. */
static void
witness_on_held(struct peer *p, const Poc__WitnessedHead *wh)
{
	struct audit_head	 h;
	X509			*cert;
	char			 why[300];

	if (audithead_from_pb(wh->head, &h, why, sizeof(why)) == -1) {
		peer_fail(p, POC__ERROR__CODE__MALFORMED, "witnessed head: %s",
		    why);
		return;
	}
	if (strcmp(h.member, env->conf.member) != 0) {
		peer_fail(p, POC__ERROR__CODE__PROTOCOL, "witnessed head of "
		    "%.32s sent to %s", h.member, env->conf.member);
		return;
	}
	if ((cert = sig_cert_from_der(wh->head->signer_cert.data,
	    wh->head->signer_cert.len)) == NULL ||
	    !sig_cert_check(cert, SSL_CTX_get_cert_store(env->peer_ctx),
	    env->conf.member, why, sizeof(why)) ||
	    !audithead_verify(&h, cert, why, sizeof(why))) {
		/* Not ours: a forgery must not raise an alarm. */
		log_warnx("witness %s: sent a head of our log that we did not "
		    "sign (%s); ignored", peer_member(p),
		    cert == NULL ? "no certificate" : why);
		X509_free(cert);
		return;
	}
	X509_free(cert);
	witness_check_own(p, &h, wh->conflict != NULL ? wh->conflict : "");
}

/* An AuditHead from p: verified with the connection's pinned certificate,
 * kept if it moves forward, kept as evidence if it goes back, and then
 * handed back to p with the head it contradicts. */
static void
witness_on_head(struct peer *p, const Poc__AuditHead *a)
{
	struct audit_head	 h, held;
	enum audithead_order	 o = AUDITHEAD_NEWER;
	uint8_t			*der = NULL, *hcert = NULL;
	size_t			 hcertlen = 0;
	int			 n, r;
	char			 why[400], hex[2 * AUDIT_HASH_LEN + 1];
	char			 key[128];

	if (audithead_from_pb(a, &h, why, sizeof(why)) == -1) {
		peer_fail(p, POC__ERROR__CODE__MALFORMED, "audit head: %s",
		    why);
		return;
	}
	if (strcmp(h.member, peer_member(p)) != 0) {
		peer_fail(p, POC__ERROR__CODE__IDENTITY, "audit head of "
		    "%.32s from %s", h.member, peer_member(p));
		return;
	}
	if (!audithead_verify(&h, peer_cert(p), why, sizeof(why))) {
		peer_fail(p, POC__ERROR__CODE__IDENTITY, "forged audit head: "
		    "%s", why);
		return;
	}
	witness_speaks(p);
	if ((n = i2d_X509(peer_cert(p), &der)) <= 0) {
		log_warnx("witness %s: cannot encode its certificate",
		    peer_member(p));
		return;
	}
	if ((r = store_witness_latest(env->store, h.member, &held, &hcert,
	    &hcertlen)) == -1)
		goto done;
	if (r == 1)
		o = audithead_compare(&held, &h);
	if (o == AUDITHEAD_NEWER || (o == AUDITHEAD_SAME &&
	    h.time > held.time)) {
		(void)store_witness_put(env->store, &h, der, (size_t)n,
		    util_now_ms());
		log_debug("witness %s: head of %lld entries kept", h.member,
		    (long long)h.count);
		goto done;
	}
	if (o == AUDITHEAD_SAME)
		goto done;
	util_hex(h.last_hash, AUDIT_HASH_LEN, hex);
	snprintf(why, sizeof(why), "%s: a head of %lld entries (hash "
	    "%.16s...) after one of %lld signed at %lld ms",
	    o == AUDITHEAD_FORK ? "the log was rewritten" : "the log was cut "
	    "or rolled back", (long long)h.count, hex, (long long)held.count,
	    (long long)held.time);
	/* The evidence and its alert commit together.  The same head again
	 * (its node keeps sending it until its log is longer than ours
	 * held) is no news: logged quietly, not handed back again. */
	snprintf(key, sizeof(key), "%s:%lld:%.16s", h.member,
	    (long long)h.count, hex);
	r = 0;
	if (store_begin(env->store) == 0) {
		if ((r = store_witness_conflict(env->store, &h, der, (size_t)n,
		    util_now_ms(), why)) == 1)
			events_audit_conflict(h.member, 0, why, key);
		if (store_commit(env->store) == -1) {
			log_warnx("witness %s: the conflicting head is not "
			    "kept", h.member);
			r = 0;
		}
	}
	if (r != 1) {
		log_debug("witness %s: contradicting head of %lld entries "
		    "again (or %d kept already)", h.member, (long long)h.count,
		    STORE_WITNESS_MAX_CONFLICTS);
		goto done;
	}
	log_warnx("AUDIT LOG OF %s CONTRADICTS ITS SIGNED HEAD (%s): %s",
	    h.member, audithead_strorder(o), why);
	/* Tell its node; the evidence is the head it signed before. */
	(void)witness_send_held(p, &held, hcert, hcertlen, why);
 done:
	OPENSSL_free(der);
	free(hcert);
}

void
witness_frame(struct peer *p, const Poc__PeerFrame *f)
{
	if (f->kind_case == POC__PEER_FRAME__KIND_AUDIT_HEAD)
		witness_on_head(p, f->audit_head);
	else if (f->kind_case == POC__PEER_FRAME__KIND_WITNESSED_HEAD)
		witness_on_held(p, f->witnessed_head);
}

int
witness_status_fill(Poc__OpStatusReply *st)
{
	int64_t	 n = 0;

	st->audit_alarm = witness_alarm_reason;
	st->audit_alarm_from = witness_alarm_from;
	st->audit_alarm_at = witness_alarm_at;
	st->audit_head_count = witness_own_valid ? witness_own.count : 0;
	st->audit_head_at = witness_own_valid ? witness_own.time : 0;
	if (store_witness_conflicts(env->store, "", &n) == -1)
		return -1;
	st->witness_conflicts = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	return 0;
}
