/*
 * Directory replication by pull (DESIGN.md "Directory"), the pulling
 * side: this node's upstreams.  What this node answers to those who pull
 * from it is dirserve.c's.
 *
 * One FSM per configured upstream, each on its own (one upstream down
 * does not hold up the others):
 *
 *	IDLE --start--> CONNECTING --Hello done--> DIGEST --digest-->
 *	    [OFFER --answer-->] FETCH --records (repeat while codes remain)-->
 *	    IDLE
 *	DIGEST --"not enrolled"--> ENROLL --answer--> IDLE
 *	    (approved: a new pull at once)
 *	any state --close, error, timeout--> IDLE
 *
 * Joining (docs/directory.md "Joining"): an upstream that holds no record
 * of this node lets the connection in only to enroll, and answers the
 * digest request with "not enrolled"; this node then offers its own
 * signed record and hears pending, approved or refused.  Once enrolled,
 * if the digest shows the upstream holding an older serial of the own
 * record, the newer one is offered before the fetch (OFFER), so that a
 * change reaches a registry without it pulling from every member.
 *
 * The records wanted are those missing here or with a higher serial than
 * held; each one received passes directory_take() (signature, chain, pin,
 * network, serial) on its own, so an upstream can forward records but not
 * forge them, and one bad record does not stop the others.
 *
 * A pull is a dialler of peer.c (dirsync_peer_cb): it hears the connection
 * come up, the upstream's answers and the end of the connection.
 *
 * The upstreams are the configuration's [upstream CODE] sections, at
 * start and again after each SIGHUP (dirsync_reload): an upstream added
 * is pulled at once, one removed has its connection closed and is
 * forgotten (its status with it), one whose endpoint or fingerprint
 * changed ends the pull in progress and pulls again with the new
 * settings, and one unchanged keeps its pull and its status.  Each
 * upstream is a struct of its own that stays where it is for its whole
 * life, since its connection and its timer point at it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config.h"
#include "directory.h"
#include "dirserve.h"
#include "dirsync.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "store_dir.h"
#include "util.h"
#include "validate.h"

#define DIRSYNC_FETCH_BATCH	16	/* codes per DirectoryFetch */
#define DIRSYNC_MAX_DIGEST	100000	/* entries accepted in a digest */
#define DIRSYNC_START_DELAY	1	/* seconds after start-up */

_Static_assert(DIRSYNC_FETCH_BATCH <= DIRSERVE_MAX_FETCH,
    "a fetch must not ask for more codes than an upstream answers");

enum dirsync_state {
	DS_IDLE,
	DS_CONNECTING,
	DS_DIGEST,
	DS_FETCH,
	DS_ENROLL,
	DS_OFFER,
};

struct dirsync {
	struct config_upstream		 up;	/* a copy: dirsync_reload
						 * compares it with the file */
	struct event			*again;	/* a pull at the next turn */
	enum dirsync_state		 state;
	struct peer			*peer;
	char				 pin[65];
	char			       **want;		/* codes still to fetch */
	size_t				 nwant, next;
	size_t				 asked;		/* codes in the fetch out */
	unsigned			 taken, refused;
	/* For status: the last pull, and where joining stands here. */
	int64_t				 last_attempt, last_success;
	int64_t				 last_error_at;
	char				 last_error[320];
	unsigned			 last_taken, last_refused;
	int				 held;	/* refused: no timer
						 * pulls until asked */
	char				 enrollment[16];
	char				 enroll_reason[256];
	int64_t				 enroll_since;
	uint64_t			 own_held;
};

static struct dirsync	*syncs[CONFIG_MAX_UPSTREAMS];	/* config order */
static int		 nsyncs;
static struct event	*sync_timer;

static int	dirsync_pinned_cb(const char *, const char *, void *);
static void	dirsync_up_cb(struct peer *, void *);
static int	dirsync_frame_cb(struct peer *, Poc__PeerFrame *, void *);
static void	dirsync_down_cb(struct peer *, const char *, void *);

static const struct peer_cb dirsync_peer_cb = {
	.pinned = dirsync_pinned_cb,
	.up = dirsync_up_cb,
	.frame = dirsync_frame_cb,
	.down = dirsync_down_cb,
};

static const char *
dirsync_strstate(enum dirsync_state s)
{
	switch (s) {
	case DS_IDLE:
		return "IDLE";
	case DS_CONNECTING:
		return "CONNECTING";
	case DS_DIGEST:
		return "DIGEST";
	case DS_FETCH:
		return "FETCH";
	case DS_ENROLL:
		return "ENROLL";
	case DS_OFFER:
		return "OFFER";
	}
	return "?";
}

static void
dirsync_enter(struct dirsync *ds, enum dirsync_state st)
{
	log_debug("directory sync %s: %s -> %s", ds->up.member,
	    dirsync_strstate(ds->state), dirsync_strstate(st));
	ds->state = st;
}

static void
dirsync_want_free(struct dirsync *ds)
{
	size_t	 i;

	for (i = 0; i < ds->nwant; i++)
		free(ds->want[i]);
	free(ds->want);
	ds->want = NULL;
	ds->nwant = ds->next = ds->asked = 0;
}

/* Ends a pull (the connection is closed if open). */
static void
dirsync_finish(struct dirsync *ds, const char *why)
{
	struct peer	*p = ds->peer;

	dirsync_want_free(ds);
	ds->peer = NULL;
	dirsync_enter(ds, DS_IDLE);
	if (p != NULL)
		peer_close(p, why);
}

/* Ends a pull that failed, keeping why for status. */
static void
dirsync_fail(struct dirsync *ds, const char *why)
{
	snprintf(ds->last_error, sizeof(ds->last_error), "%.300s", why);
	ds->last_error_at = util_now_ms();
	dirsync_finish(ds, why);
}

/* Starts a pull from one upstream unless one is running. */
static int
dirsync_start(struct dirsync *ds)
{
	char	 ep[300];

	if (ds->state != DS_IDLE)
		return 0;
	if (ds->up.endpoint[0] != '\0')
		snprintf(ep, sizeof(ep), "%s", ds->up.endpoint);
	else if (directory_endpoint(ds->up.member, ep, sizeof(ep)) != 0) {
		log_warnx("directory sync %s: no endpoint (not configured, no "
		    "directory record)", ds->up.member);
		snprintf(ds->last_error, sizeof(ds->last_error), "no endpoint "
		    "(not configured, no directory record)");
		ds->last_error_at = util_now_ms();
		return 0;
	}
	ds->last_attempt = util_now_ms();
	snprintf(ds->pin, sizeof(ds->pin), "%s", ds->up.fingerprint);
	ds->taken = ds->refused = 0;
	dirsync_enter(ds, DS_CONNECTING);
	ds->peer = peer_dial(ds->up.member, ep, &dirsync_peer_cb, ds);
	if (ds->peer == NULL) {
		snprintf(ds->last_error, sizeof(ds->last_error), "cannot dial "
		    "%.200s", ep);
		ds->last_error_at = util_now_ms();
		dirsync_enter(ds, DS_IDLE);
		return 0;
	}
	return 1;
}

int
dirsync_upstreams(void)
{
	return nsyncs;
}

int
dirsync_now(void)
{
	int	 i, n = 0;

	/* The operator asks: an upstream that refused us is asked again. */
	for (i = 0; i < nsyncs; i++) {
		syncs[i]->held = 0;
		n += dirsync_start(syncs[i]);
	}
	return n;
}

static void
dirsync_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct timeval	 tv = { env->conf.sync_interval, 0 };

	int		 i;

	(void)fd;
	(void)ev;
	(void)arg;
	for (i = 0; i < nsyncs; i++)
		if (!syncs[i]->held)
			(void)dirsync_start(syncs[i]);
	if (env->conf.sync_interval > 0)
		evtimer_add(sync_timer, &tv);
}

/* A new pull from the upstream at the next loop turn (after an
 * approval: the connection that enrolled may do nothing else). */
static void
dirsync_again_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	dirsync_start(arg);
}

/* An upstream as configured in u, with the time of its last pull from
 * the store (kept across restarts and removals); NULL if out of memory. */
static struct dirsync *
dirsync_new(const struct config_upstream *u)
{
	struct dirsync	*ds;
	char		 key[80];

	if ((ds = calloc(1, sizeof(*ds))) == NULL)
		return NULL;
	if ((ds->again = evtimer_new(env->base, dirsync_again_cb,
	    ds)) == NULL) {
		free(ds);
		return NULL;
	}
	ds->up = *u;
	snprintf(key, sizeof(key), "last_sync %s", ds->up.member);
	ds->last_success = store_dir_meta_get(env->store, key);
	return ds;
}

/* Ends the upstream's pull (closing its connection, whose table is then
 * no longer called) and frees it. */
static void
dirsync_free(struct dirsync *ds, const char *why)
{
	if (ds == NULL)
		return;
	dirsync_finish(ds, why);
	event_free(ds->again);
	free(ds);
}

int
dirsync_init(void)
{
	struct timeval	 tv = { DIRSYNC_START_DELAY, 0 };
	int		 i;

	for (i = 0; i < env->conf.nupstreams; i++) {
		if ((syncs[i] = dirsync_new(&env->conf.upstreams[i])) == NULL)
			return -1;
		nsyncs++;
	}
	/* Armed without upstreams too: a reload may add some. */
	if ((sync_timer = evtimer_new(env->base, dirsync_timer_cb,
	    NULL)) == NULL)
		return -1;
	/* The first pull soon after start, unless pulls are on demand only. */
	if (env->conf.sync_interval > 0)
		evtimer_add(sync_timer, &tv);
	return 0;
}

/* What differs between the running upstream r and its new section u, for
 * the log ("" if nothing). */
static void
dirsync_diff(const struct config_upstream *r, const struct config_upstream *u,
    char *buf, size_t len)
{
	buf[0] = '\0';
	if (strcmp(r->endpoint, u->endpoint) != 0)
		snprintf(buf, len, "endpoint %s -> %s",
		    r->endpoint[0] ? r->endpoint : "(from its record)",
		    u->endpoint[0] ? u->endpoint : "(from its record)");
	if (strcmp(r->fingerprint, u->fingerprint) != 0)
		snprintf(buf + strlen(buf), len - strlen(buf),
		    "%sfingerprint %.16s... -> %.16s...", buf[0] ? ", " : "",
		    r->fingerprint[0] ? r->fingerprint : "(none)",
		    u->fingerprint[0] ? u->fingerprint : "(none)");
}

int
dirsync_reload(void)
{
	struct dirsync	*next[CONFIG_MAX_UPSTREAMS] = { NULL };
	char		 diff[400];
	int		 kept[CONFIG_MAX_UPSTREAMS] = { 0 };
	int		 fresh[CONFIG_MAX_UPSTREAMS] = { 0 };
	int		 i, j, n = env->conf.nupstreams, changes = 0;

	/* First everything that can fail (memory), so that a failure leaves
	 * the running upstreams as they were. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < nsyncs; j++)
			if (!kept[j] && strcmp(syncs[j]->up.member,
			    env->conf.upstreams[i].member) == 0)
				break;
		if (j < nsyncs) {
			kept[j] = 1;
			next[i] = syncs[j];
		} else if ((next[i] = dirsync_new(&env->conf.upstreams[i])) ==
		    NULL) {
			for (j = 0; j < i; j++)
				if (fresh[j])
					dirsync_free(next[j], "out of memory");
			log_warnx("SIGHUP: out of memory; the upstreams stay "
			    "as they were");
			return -1;
		} else
			fresh[i] = 1;
	}

	/* Then the changes: those removed stop and go. */
	for (j = 0; j < nsyncs; j++) {
		if (kept[j])
			continue;
		log_info("directory sync %s: upstream removed from %s; no more "
		    "pulls from it%s", syncs[j]->up.member, env->conf.path,
		    syncs[j]->state != DS_IDLE ? ", its connection closed" : "");
		dirsync_free(syncs[j], "upstream removed from the configuration");
		changes++;
	}
	for (i = 0; i < n; i++) {
		struct dirsync	*ds = next[i];

		if (fresh[i]) {
			log_info("directory sync %s: upstream added (%s)",
			    ds->up.member, ds->up.endpoint[0] ? ds->up.endpoint :
			    "endpoint from its record");
		} else {
			dirsync_diff(&ds->up, &env->conf.upstreams[i], diff,
			    sizeof(diff));
			if (diff[0] == '\0')
				continue;	/* unchanged: pull and status go on */
			log_info("directory sync %s: upstream changed (%s); "
			    "pulling again with the new settings", ds->up.member,
			    diff);
			dirsync_finish(ds, "its [upstream] section changed");
			ds->up = env->conf.upstreams[i];
			ds->held = 0;	/* a refusal was for the old settings */
		}
		changes++;
		/* At once, unless pulls are on demand only. */
		if (env->conf.sync_interval > 0)
			(void)dirsync_start(ds);
	}
	memcpy(syncs, next, sizeof(syncs));
	nsyncs = n;
	return changes;
}

void
dirsync_shutdown(void)
{
	int	 i;

	if (sync_timer != NULL)
		event_free(sync_timer);
	sync_timer = NULL;
	for (i = 0; i < nsyncs; i++)
		dirsync_free(syncs[i], "node shutting down");
	nsyncs = 0;
}

/* The upstream's certificate: pinned in the directory, or the one
 * configured for it ([upstream] fingerprint, for the first pull). */
static int
dirsync_pinned_cb(const char *member, const char *fp, void *arg)
{
	struct dirsync	*ds = arg;

	return directory_pinned(member, fp) ||
	    (ds->pin[0] != '\0' && strcmp(ds->pin, fp) == 0);
}

/* Connected: ask for the digest. */
static void
dirsync_up_cb(struct peer *p, void *arg)
{
	struct dirsync			*ds = arg;
	Poc__PeerFrame			 f = POC__PEER_FRAME__INIT;
	Poc__DirectoryDigestRequest	 rq = POC__DIRECTORY_DIGEST_REQUEST__INIT;

	ds->peer = p;
	dirsync_enter(ds, DS_DIGEST);
	f.kind_case = POC__PEER_FRAME__KIND_DIRECTORY_DIGEST_REQUEST;
	f.directory_digest_request = &rq;
	if (peer_send_frame(p, &f) != 0)
		dirsync_fail(ds, "cannot send the digest request");
}

/* Asks for the next batch of wanted codes, or ends the pull. */
static void
dirsync_fetch_next(struct dirsync *ds)
{
	Poc__PeerFrame		 f = POC__PEER_FRAME__INIT;
	Poc__DirectoryFetch	 fe = POC__DIRECTORY_FETCH__INIT;
	size_t			 n;

	if (ds->next >= ds->nwant) {
		char	 key[80];

		log_info("directory sync %s: done, %u record%s taken, %u "
		    "refused", ds->up.member, ds->taken, ds->taken == 1 ?
		    "" : "s", ds->refused);
		ds->last_success = util_now_ms();
		ds->last_taken = ds->taken;
		ds->last_refused = ds->refused;
		snprintf(key, sizeof(key), "last_sync %s", ds->up.member);
		if (store_dir_meta_set(env->store, key, ds->last_success) != 0)
			log_warnx("directory sync %s: cannot record the time",
			    ds->up.member);
		directory_set_last_sync(ds->last_success);
		dirsync_finish(ds, "directory sync done");
		return;
	}
	n = ds->nwant - ds->next;
	if (n > DIRSYNC_FETCH_BATCH)
		n = DIRSYNC_FETCH_BATCH;
	fe.codes = ds->want + ds->next;
	fe.n_codes = n;
	ds->asked = n;
	dirsync_enter(ds, DS_FETCH);
	f.kind_case = POC__PEER_FRAME__KIND_DIRECTORY_FETCH;
	f.directory_fetch = &fe;
	if (peer_send_frame(ds->peer, &f) != 0)
		dirsync_fail(ds, "cannot send the fetch");
}

/* Sends this node's own record as an EnrollRequest and waits for the
 * answer in state st (ENROLL: to join; OFFER: a newer serial). */
static void
dirsync_send_own(struct dirsync *ds, enum dirsync_state st)
{
	Poc__PeerFrame		 f = POC__PEER_FRAME__INIT;
	Poc__EnrollRequest	 rq = POC__ENROLL_REQUEST__INIT;
	Poc__DirectoryRecord	*own;

	if (store_dir_get(env->store, env->conf.member, &own, NULL) != 1) {
		dirsync_fail(ds, "this node has no own record to offer");
		return;
	}
	rq.record = own;
	f.kind_case = POC__PEER_FRAME__KIND_ENROLL_REQUEST;
	f.enroll_request = &rq;
	dirsync_enter(ds, st);
	if (st == DS_ENROLL)
		log_info("directory sync %s: no record of %s there; offering "
		    "the own record (serial %llu) to enroll", ds->up.member,
		    env->conf.member, (unsigned long long)own->serial);
	if (peer_send_frame(ds->peer, &f) != 0)
		dirsync_fail(ds, "cannot send the own record");
	poc__directory_record__free_unpacked(own, NULL);
}

static const char *
dirsync_enroll_name(Poc__EnrollAnswer__State st)
{
	switch (st) {
	case POC__ENROLL_ANSWER__STATE__NOT_ENROLLED:
		return "not_enrolled";
	case POC__ENROLL_ANSWER__STATE__PENDING:
		return "pending";
	case POC__ENROLL_ANSWER__STATE__APPROVED:
		return "approved";
	case POC__ENROLL_ANSWER__STATE__REFUSED:
		return "refused";
	default:
		return "?";
	}
}

/* The upstream's answer to our enrollment request or offer. */
static void
dirsync_on_enroll_answer(struct dirsync *ds, const Poc__EnrollAnswer *a)
{
	struct timeval	 now = { 0, 0 };
	char		 why[300];

	if (ds->state == DS_DIGEST &&
	    a->state == POC__ENROLL_ANSWER__STATE__NOT_ENROLLED) {
		snprintf(ds->enrollment, sizeof(ds->enrollment),
		    "not_enrolled");
		dirsync_send_own(ds, DS_ENROLL);
		return;
	}
	if (ds->state == DS_OFFER) {
		if (a->state == POC__ENROLL_ANSWER__STATE__APPROVED)
			log_info("directory sync %s: own record offered: %.200s",
			    ds->up.member, a->reason);
		else
			log_warnx("directory sync %s: own record offered, "
			    "refused: %.200s", ds->up.member, a->reason);
		dirsync_fetch_next(ds);
		return;
	}
	if (ds->state != DS_ENROLL) {
		dirsync_fail(ds, "unexpected enrollment answer");
		return;
	}
	snprintf(ds->enrollment, sizeof(ds->enrollment), "%s",
	    dirsync_enroll_name(a->state));
	snprintf(ds->enroll_reason, sizeof(ds->enroll_reason), "%.200s",
	    a->reason);
	ds->enroll_since = a->since;
	log_info("directory sync %s: enrollment %s: %.200s", ds->up.member,
	    ds->enrollment, a->reason);
	switch (a->state) {
	case POC__ENROLL_ANSWER__STATE__APPROVED:
		dirsync_finish(ds, "enrolled");
		if (evtimer_add(ds->again, &now) != 0)
			log_warnx("directory sync %s: cannot schedule the "
			    "pull", ds->up.member);
		return;
	case POC__ENROLL_ANSWER__STATE__PENDING:
		dirsync_fail(ds, "enrollment pending");
		return;
	default:
		/* A refusal stands until someone changes something: the
		 * timer stops asking (pocctl directory sync asks again). */
		snprintf(why, sizeof(why), "enrollment %s: %.200s",
		    ds->enrollment, a->reason);
		ds->held = 1;
		log_warnx("directory sync %s: enrollment refused (%.200s); no "
		    "more pulls from it until pocctl directory sync, a "
		    "change to its [upstream] section or a restart",
		    ds->up.member, a->reason);
		dirsync_fail(ds, why);
		return;
	}
}

/* The upstream's digest: keep the codes that are new or newer here. */
static void
dirsync_on_digest(struct dirsync *ds, const Poc__DirectoryDigest *d)
{
	Poc__DirectoryRecord	*held;
	size_t			 i;
	int			 n;
	uint64_t		 own = 0;

	if (d->n_entries > DIRSYNC_MAX_DIGEST) {
		log_warnx("directory sync %s: digest of %zu entries (at most "
		    "%d); ignored", ds->up.member, d->n_entries,
		    DIRSYNC_MAX_DIGEST);
		dirsync_fail(ds, "digest too large");
		return;
	}
	if ((ds->want = calloc(d->n_entries + 1, sizeof(*ds->want))) == NULL) {
		dirsync_fail(ds, "out of memory");
		return;
	}
	for (i = 0; i < d->n_entries; i++) {
		const Poc__DirectoryDigestEntry *e = d->entries[i];

		if (!validate_member_code(e->code) || e->serial == 0) {
			log_warnx("directory sync %s: digest entry %zu is not "
			    "valid; skipped", ds->up.member, i);
			continue;
		}
		if (strcmp(e->code, env->conf.member) == 0) {
			own = e->serial;
			continue;
		}
		if ((n = store_dir_get(env->store, e->code, &held, NULL)) < 0) {
			dirsync_fail(ds, "store failed");
			return;
		}
		if (n == 1) {
			n = e->serial > held->serial;
			poc__directory_record__free_unpacked(held, NULL);
			if (!n)
				continue;
		}
		if ((ds->want[ds->nwant] = strdup(e->code)) == NULL) {
			dirsync_fail(ds, "out of memory");
			return;
		}
		ds->nwant++;
	}
	log_debug("directory sync %s: digest of %zu, %zu wanted",
	    ds->up.member, d->n_entries, ds->nwant);
	/* The upstream let us in, so it holds (and pins) our record. */
	ds->own_held = own;
	if (own > 0) {
		snprintf(ds->enrollment, sizeof(ds->enrollment), "enrolled");
		ds->enroll_reason[0] = '\0';
	}
	if ((n = store_dir_get(env->store, env->conf.member, &held,
	    NULL)) == 1) {
		n = own > 0 && held->serial > own;
		poc__directory_record__free_unpacked(held, NULL);
		if (n) {
			dirsync_send_own(ds, DS_OFFER);
			return;
		}
	}
	dirsync_fetch_next(ds);
}

/* Records in answer to our fetch: each is checked and taken on its own. */
static void
dirsync_on_records(struct dirsync *ds, const Poc__DirectoryRecords *rs)
{
	char	 err[300], via[80];
	size_t	 i, j;
	int	 asked;

	snprintf(via, sizeof(via), "upstream %s", ds->up.member);
	for (i = 0; i < rs->n_records; i++) {
		const Poc__DirectoryRecord *r = rs->records[i];

		for (asked = 0, j = ds->next; j < ds->next + ds->asked; j++)
			if (strcmp(ds->want[j], r->code) == 0)
				asked = 1;
		if (!asked) {
			log_warnx("directory sync %s: record of %.32s was not "
			    "asked for; ignored", ds->up.member,
			    validate_member_code(r->code) ? r->code : "?");
			ds->refused++;
			continue;
		}
		if (directory_take(r, via, err, sizeof(err)) < 0)
			ds->refused++;
		else
			ds->taken++;
	}
	ds->next += ds->asked;
	ds->asked = 0;
	dirsync_fetch_next(ds);
}

/* An answer of the upstream; f stays peer.c's. */
static int
dirsync_frame_cb(struct peer *p, Poc__PeerFrame *f, void *arg)
{
	struct dirsync	*ds = arg;

	(void)p;
	if (ds->state == DS_DIGEST &&
	    f->kind_case == POC__PEER_FRAME__KIND_DIRECTORY_DIGEST)
		dirsync_on_digest(ds, f->directory_digest);
	else if (ds->state == DS_FETCH &&
	    f->kind_case == POC__PEER_FRAME__KIND_DIRECTORY_RECORDS)
		dirsync_on_records(ds, f->directory_records);
	else if (f->kind_case == POC__PEER_FRAME__KIND_ENROLL_ANSWER)
		dirsync_on_enroll_answer(ds, f->enroll_answer);
	else {
		log_warnx("directory sync %s: unexpected frame %d in state %s",
		    ds->up.member, f->kind_case, dirsync_strstate(ds->state));
		dirsync_fail(ds, "unexpected frame");
	}
	return 0;
}

static void
dirsync_down_cb(struct peer *p, const char *reason, void *arg)
{
	struct dirsync	*ds = arg;

	(void)p;
	if (ds->state != DS_IDLE) {
		log_warnx("directory sync %s: connection ended in %s: %s",
		    ds->up.member, dirsync_strstate(ds->state), reason);
		snprintf(ds->last_error, sizeof(ds->last_error), "%.300s",
		    reason);
		ds->last_error_at = util_now_ms();
	}
	ds->peer = NULL;
	dirsync_want_free(ds);
	dirsync_enter(ds, DS_IDLE);
}

/* Status storage, until the reply is sent. */
static Poc__UpstreamStatus	*status_ups;

int
dirsync_status_fill(Poc__OpStatusReply *st)
{
	int	 i;

	if (nsyncs == 0)
		return 0;
	status_ups = calloc((size_t)nsyncs, sizeof(*status_ups));
	st->upstreams = calloc((size_t)nsyncs, sizeof(*st->upstreams));
	if (status_ups == NULL || st->upstreams == NULL) {
		free(status_ups);
		free(st->upstreams);
		status_ups = NULL;
		st->upstreams = NULL;
		return -1;
	}
	for (i = 0; i < nsyncs; i++) {
		struct dirsync		*ds = syncs[i];
		Poc__UpstreamStatus	*u = &status_ups[i];

		poc__upstream_status__init(u);
		u->member = ds->up.member;
		u->endpoint = ds->up.endpoint;
		u->state = (char *)dirsync_strstate(ds->state);
		u->last_attempt = ds->last_attempt;
		u->last_success = ds->last_success;
		u->last_error = ds->last_error;
		u->last_error_at = ds->last_error_at;
		u->taken = ds->last_taken;
		u->refused = ds->last_refused;
		u->enrollment = ds->enrollment;
		u->enrollment_reason = ds->enroll_reason;
		u->enrollment_since = ds->enroll_since;
		u->own_serial_held = ds->own_held;
		st->upstreams[i] = u;
	}
	st->n_upstreams = (size_t)nsyncs;
	return 0;
}

void
dirsync_status_free(Poc__OpStatusReply *st)
{
	free(st->upstreams);
	st->upstreams = NULL;
	st->n_upstreams = 0;
	free(status_ups);
	status_ups = NULL;
}
