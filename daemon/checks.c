/*
 * Communication checks (see checks.h).
 *
 * A campaign is one row in check_campaigns, one CommunicationCheck envelope
 * per member (an ordinary outgoing message, so delivery is durable and
 * retried by the outbox) and one check_targets row linking the two; all of
 * it commits in one transaction, so after a crash a campaign either exists
 * with all its checks queued or not at all.  The campaign id is the
 * check_id every envelope carries; a member's CheckReply names it and is
 * matched by (check_id, sender = the peer's certificate CN).
 *
 * The report is computed when asked, from the store: the node was reached
 * when the check's receipt came back (its delivered_at), the people
 * replied when the CheckReply was received; checks_rules.c classifies.
 *
 * Schedule: [checks] schedule_interval.  The time of the last scheduled
 * campaign is the store's, so a restart neither repeats nor forgets one;
 * the timer itself is a libevent (monotonic) timeout re-armed at most a
 * minute ahead, so that a wall-clock step is noticed within a minute.
 * A last campaign dated ahead of the clock (beyond clock_tolerance: the
 * clock went back) does not hold the schedule up; the next starts then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "checks.h"
#include "checks_rules.h"
#include "clock.h"
#include "directory.h"
#include "envsig.h"
#include "log.h"
#include "msgid.h"
#include "msgsig.h"
#include "node.h"
#include "outbox.h"
#include "sig.h"
#include "store.h"
#include "store_checks.h"
#include "store_dir.h"
#include "store_msg.h"
#include "store_tx.h"
#include "util.h"
#include "validate.h"

#define CHECKS_REARM_MAX_MS	60000	/* re-read the wall clock this often */
#define CHECKS_RETRY_MS		60000	/* after a scheduled campaign failed */

static struct event	*checks_timer;

/* Adds code once; -1 if the list is full. */
static int
checks_members_add(struct checks_members *m, const char *code)
{
	size_t	 i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->code[i], code) == 0)
			return 0;
	if (m->n == CHECKS_MAX_TARGETS)
		return -1;
	snprintf(m->code[m->n++], sizeof(m->code[0]), "%s", code);
	return 0;
}

/* Whether record r names network. */
static int
checks_in_network(const Poc__DirectoryRecord *r, const char *network)
{
	size_t	 i;

	for (i = 0; r != NULL && i < r->n_networks; i++)
		if (strcmp(r->networks[i], network) == 0)
			return 1;
	return 0;
}

/* Every member of the directory except this node, or, if network is not
 * NULL, those whose record names it.  0 or -1. */
static int
checks_members_all(struct checks_members *m, const char *network)
{
	struct store_dir_row	*rows;
	int			 n, i, r = 0;

	if ((n = store_dir_list(env->store, &rows)) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].code, env->conf.member) != 0 &&
		    (network == NULL ||
		    checks_in_network(rows[i].record, network)) &&
		    checks_members_add(m, rows[i].code) == -1)
			r = -1;
	store_dir_rows_free(rows, n);
	return r;
}

/* Whether the directory holds member (a record to check against). */
static int
checks_member_known(const char *member)
{
	Poc__DirectoryRecord	*rec = NULL;
	int64_t			 at;
	int			 r;

	r = store_dir_get(env->store, member, &rec, &at);
	if (rec != NULL)
		poc__directory_record__free_unpacked(rec, NULL);
	return r == 1;
}

/*
 * Parses a target list ("all" or "CODE,CODE"), checking each code.  Sets
 * *all for "all".  Returns 0, or -1 with err filled.
 */
static int
checks_targets_parse(const char *spec, struct checks_members *m, int *all,
    char *err, size_t errlen)
{
	char	 buf[sizeof(env->conf.checks_targets)], *p, *tok, *save;

	*all = 0;
	if (strcmp(spec, "all") == 0) {
		*all = 1;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (p = buf; (tok = strtok_r(p, ", \t", &save)) != NULL; p = NULL) {
		if (!validate_member_code(tok)) {
			snprintf(err, errlen, "\"%.40s\" is not a member code",
			    tok);
			return -1;
		}
		if (checks_members_add(m, tok) == -1) {
			snprintf(err, errlen, "more than %d members",
			    CHECKS_MAX_TARGETS);
			return -1;
		}
	}
	if (m->n == 0) {
		snprintf(err, errlen, "no member given");
		return -1;
	}
	return 0;
}

/* The CommunicationChecks of one campaign, one per member. */
struct checks_batch {
	size_t			  n;
	Poc__Envelope		 *e;
	Poc__Envelope		**ptr;
	Poc__CommunicationCheck	 *cc;
	char			(*id)[UUID_STR_LEN];
	char			(*id_nonce)[MSGID_NONCE_HEX + 1];
	uint8_t			  sig[SIG_MAX_LEN];	/* a campaign of one */
	struct envsig_batch	 *proofs;		/* or the batch's */
};

static void
checks_batch_free(struct checks_batch *b)
{
	envsig_batch_free(b->proofs);
	free(b->e);
	free(b->ptr);
	free(b->cc);
	free(b->id);
	free(b->id_nonce);
}

/*
 * Builds one CommunicationCheck per member of m and signs them with the
 * node key as one batch (docs/signatures.md), as a send to many is: one
 * signature for the campaign, each envelope kept with its proof and
 * provable on its own; a campaign of one gets a single signature.
 * 0 or -1 (logged).
 */
static int
checks_batch_make(struct checks_batch *b, const struct store_check_campaign *c,
    const struct checks_members *m, int exercise)
{
	struct validate_result	 vr;
	Poc__Envelope		*e;
	size_t			 i;

	memset(b, 0, sizeof(*b));
	b->n = m->n;
	if ((b->e = calloc(m->n, sizeof(*b->e))) == NULL ||
	    (b->ptr = calloc(m->n, sizeof(*b->ptr))) == NULL ||
	    (b->cc = calloc(m->n, sizeof(*b->cc))) == NULL ||
	    (b->id = calloc(m->n, sizeof(*b->id))) == NULL ||
	    (b->id_nonce = calloc(m->n, sizeof(*b->id_nonce))) == NULL) {
		log_warn("checks: campaign");
		return -1;
	}
	for (i = 0; i < m->n; i++) {
		e = &b->e[i];
		poc__envelope__init(e);
		poc__communication_check__init(&b->cc[i]);
		if (msgid_new(env->conf.member, b->id[i], b->id_nonce[i]) != 0) {
			log_warnx("checks: cannot make an id");
			return -1;
		}
		e->id = b->id[i];
		e->id_nonce = b->id_nonce[i];	/* bound to us (msgid.h) */
		e->thread_id = b->id[i];
		e->sender = env->conf.member;
		e->recipient = (char *)m->code[i];
		e->created_at = c->created_at;
		e->tlp = POC__TLP__GREEN;
		e->language = (char *)"en";
		e->exercise = exercise != 0;
		b->cc[i].check_id = (char *)c->id;
		b->cc[i].reply_by = c->reply_by;
		e->body_case = POC__ENVELOPE__BODY_COMMUNICATION_CHECK;
		e->communication_check = &b->cc[i];
		if (validate_envelope(e, &vr) != 0) {
			log_warnx("checks: check for %s not valid: %s: %s",
			    m->code[i], vr.err[0].field, vr.err[0].message);
			return -1;
		}
		b->ptr[i] = e;
	}
	if (msgsig_sign_command(b->ptr, b->n, b->sig, &b->proofs) == -1) {
		log_warnx("checks: cannot sign the campaign's checks");
		return -1;
	}
	return 0;
}

int
checks_members_resolve(struct checks_members *m, int all,
    const char *network, char *err, size_t errlen)
{
	size_t	 i;

	if ((all || network != NULL) &&
	    checks_members_all(m, all ? NULL : network) == -1) {
		snprintf(err, errlen, "cannot read the directory (or more "
		    "than %d members)", CHECKS_MAX_TARGETS);
		return -1;
	}
	for (i = 0; i < m->n; i++) {
		if (strcmp(m->code[i], env->conf.member) == 0) {
			snprintf(err, errlen, "%s is this node", m->code[i]);
			return -1;
		}
		if (!checks_member_known(m->code[i])) {
			snprintf(err, errlen, "unknown member \"%s\": not in "
			    "this node's directory", m->code[i]);
			return -1;
		}
	}
	if (m->n == 0 && network != NULL && !all)
		snprintf(err, errlen, "no other member's record in this "
		    "node's directory names network \"%.64s\"", network);
	else if (m->n == 0)
		snprintf(err, errlen, "no member given, and the directory "
		    "holds no other member");
	return m->n == 0 ? -1 : 0;
}

int
checks_members_parse(struct checks_members *m, char *const *codes,
    size_t n, char *err, size_t errlen)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (!validate_member_code(codes[i])) {
			snprintf(err, errlen, "\"%.40s\" is not a member code",
			    codes[i]);
			return -1;
		}
		if (checks_members_add(m, codes[i]) == -1) {
			snprintf(err, errlen, "more than %d members",
			    CHECKS_MAX_TARGETS);
			return -1;
		}
	}
	return 0;
}

/*
 * Starts a campaign for the members in m (or every member of the
 * directory if all): everything commits in one transaction, then the
 * outbox is kicked.  Returns 0 with c filled, or -1 with err.
 */
static int
checks_start(struct checks_members *m, int all, int64_t reply_within_ms,
    int exercise, int scheduled, const char *by,
    struct store_check_campaign *c, char *err, size_t errlen)
{
	struct checks_batch	 b;
	size_t			 i;

	memset(&b, 0, sizeof(b));
	if (checks_members_resolve(m, all, NULL, err, errlen) == -1)
		return -1;
	memset(c, 0, sizeof(*c));
	if (util_uuid_new(c->id) != 0) {
		snprintf(err, errlen, "cannot make an id");
		return -1;
	}
	c->created_at = util_now_ms();
	c->reply_by = c->created_at + reply_within_ms;
	c->scheduled = scheduled;
	snprintf(c->created_by, sizeof(c->created_by), "%s", by);

	if (checks_batch_make(&b, c, m, exercise) == -1)
		goto fail;
	if (store_begin(env->store) == -1)
		goto fail;
	if (store_checks_campaign_add(env->store, c) == -1)
		goto rollback;
	for (i = 0; i < b.n; i++)
		if (store_put_outgoing(env->store, &b.e[i], c->created_at) !=
		    STORE_NEW || store_checks_target_add(env->store, c->id,
		    m->code[i], b.id[i]) == -1)
			goto rollback;
	if (store_commit(env->store) == -1)
		goto fail;
	checks_batch_free(&b);
	log_info("checks: campaign %s by %s: %zu member%s, reply by %lld",
	    c->id, by, m->n, m->n == 1 ? "" : "s", (long long)c->reply_by);
	for (i = 0; i < m->n; i++)
		outbox_kick(m->code[i]);
	return 0;
 rollback:
	store_rollback(env->store);
 fail:
	checks_batch_free(&b);
	snprintf(err, errlen, "the store failed; no check was queued (see "
	    "the node's log)");
	return -1;
}

static void	checks_timer_cb(evutil_socket_t, short, void *);

/* Arms the schedule timer delay_ms from now (capped). */
static void
checks_arm(int64_t delay_ms)
{
	struct timeval	 tv;

	if (delay_ms < 0)
		delay_ms = 0;
	if (delay_ms > CHECKS_REARM_MAX_MS)
		delay_ms = CHECKS_REARM_MAX_MS;
	tv = util_ms_timeval(delay_ms);
	evtimer_add(checks_timer, &tv);
}

/* The schedule: start a campaign when the last scheduled one is an
 * interval old (or there was none), then wait for the next. */
static void
checks_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct checks_members		*m;
	struct store_check_campaign	 c;
	int64_t				 last, now, due;
	char				 err[256];
	int				 all;

	(void)fd;
	(void)ev;
	(void)arg;
	if ((last = store_checks_last(env->store, 1)) < 0) {
		checks_arm(CHECKS_RETRY_MS);
		return;
	}
	now = util_now_ms();
	if (clock_in_future(last, now)) {
		/* Dated ahead of our clock: the clock was ahead then or went
		 * back since.  Waiting for that date would stop the schedule
		 * for as long as the step; the next campaign starts now. */
		log_warnx("checks: the last scheduled campaign is dated %lld s "
		    "ahead of this node's clock (the clock was wrong then, or "
		    "is now); the next one starts now", (long long)((last -
		    now) / 1000));
		last = 0;
	}
	due = last + (int64_t)env->conf.checks_interval * 1000;
	if (last > 0 && now < due) {
		checks_arm(due - now);
		return;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("checks: schedule");
		checks_arm(CHECKS_RETRY_MS);
		return;
	}
	if (checks_targets_parse(env->conf.checks_targets, m, &all, err,
	    sizeof(err)) == -1 ||
	    checks_start(m, all, (int64_t)env->conf.checks_reply_within * 1000,
	    0, 1, "schedule", &c, err, sizeof(err)) == -1) {
		log_warnx("checks: scheduled campaign not started: %s", err);
		checks_arm(CHECKS_RETRY_MS);
	} else
		checks_arm((int64_t)env->conf.checks_interval * 1000);
	free(m);
}

int
checks_init(void)
{
	struct checks_members	*m;
	char			 err[256];
	int			 all, r;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	r = checks_targets_parse(env->conf.checks_targets, m, &all, err,
	    sizeof(err));
	free(m);
	if (r == -1) {
		log_warnx("[checks] targets: %s", err);
		return -1;
	}
	if (env->conf.checks_interval == 0)
		return 0;
	if ((checks_timer = evtimer_new(env->base, checks_timer_cb,
	    NULL)) == NULL)
		return -1;
	log_info("checks: scheduled every %d s to %s", env->conf.checks_interval,
	    env->conf.checks_targets);
	checks_arm(0);
	return 0;
}

void
checks_shutdown(void)
{
	if (checks_timer != NULL)
		event_free(checks_timer);
	checks_timer = NULL;
}

int64_t
checks_last_campaign_ms(void)
{
	int64_t	 v;

	if (env->store == NULL || (v = store_checks_last(env->store, 0)) < 0)
		return 0;
	return v;
}

void
checks_reply_received(const char *peer, const Poc__Envelope *e)
{
	const Poc__CheckReply	*r = e->check_reply;
	int64_t			 now = util_now_ms();
	int			 res;

	res = store_checks_reply(env->store, r->check_id, peer, now,
	    r->replied_by, e->id);
	switch (res) {
	case 0:
		log_warnx("checks: reply %s from %s names check %.64s, which "
		    "this node did not send to %s", e->id, peer, r->check_id,
		    peer);
		return;
	case 1:
		log_info("checks: %s replied to check %s (by %.128s)", peer,
		    r->check_id, r->replied_by);
		if (directory_mark_checked(peer, now) == -1)
			log_warnx("checks: cannot record the check of %s in "
			    "the directory", peer);
		return;
	case 2:
		log_debug("checks: %s had already replied to %s", peer,
		    r->check_id);
		return;
	default:
		log_warnx("checks: reply %s from %s not recorded (store "
		    "failure)", e->id, peer);
		return;
	}
}

int
checks_start_members(char *const *members, size_t n, int all,
    int64_t reply_within_ms, int exercise, const char *by,
    struct store_check_campaign *c, char *err, size_t errlen)
{
	struct checks_members	*m;
	int			 r = -1;

	if (n > CHECKS_MAX_TARGETS) {
		snprintf(err, errlen, "at most %d members in one campaign",
		    CHECKS_MAX_TARGETS);
		return -1;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (checks_members_parse(m, members, n, err, errlen) == -1)
		goto out;
	r = checks_start(m, all, reply_within_ms, exercise, 0, by, c, err,
	    errlen);
 out:
	free(m);
	return r;
}
