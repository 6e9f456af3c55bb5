/*
 * Acknowledgement deadlines (see deadline.h).
 *
 * Stored deadlines are wall-clock Unix ms (created_at + the urgency's
 * period, fixed when the message is first seen, so a later config change
 * does not move a running case).  The timer that finds them is a libevent
 * (monotonic) timeout armed for the earliest pending deadline but never
 * more than a minute ahead, so a wall-clock step is noticed within a
 * minute.  "Acknowledged" is a fact of the store (an incoming
 * Acknowledgement from the recipient whose ack_of is the message), so
 * nothing has to be told when one arrives; after a restart the overdue
 * cases are found again by the same query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "checks_rules.h"
#include "clock.h"
#include "deadline.h"
#include "directory.h"
#include "events.h"
#include "log.h"
#include "node.h"
#include "store.h"
#include "store_checks.h"
#include "store_dir.h"
#include "store_msg.h"
#include "store_tx.h"
#include "util.h"

#define DEADLINE_BATCH		256
#define DEADLINE_REARM_MAX_MS	60000
#define DEADLINE_CONTACTS	3	/* PoCs shown, best first */
#define DEADLINE_CONTACTS_MAX	32	/* PoCs looked at per member */

static struct event	*deadline_timer;
static int64_t		 deadline_seq;	/* messages up to here have a row */
static int64_t		 deadline_case_seq;	/* likewise status updates */

#define DEADLINE_HISTORY_MAX	256	/* status changes shown per case */

/* The periods of the config. */
static struct deadline_periods
deadline_periods(void)
{
	struct deadline_periods	 p = {
		.flash = env->conf.deadline_flash,
		.immediate = env->conf.deadline_immediate,
		.priority = env->conf.deadline_priority,
		.routine = env->conf.deadline_routine,
		.none = env->conf.deadline_none,
	};

	return p;
}

int64_t
deadline_period_ms(int urgency)
{
	struct deadline_periods	 p = deadline_periods();

	return checks_rules_period(urgency, &p);
}

/* The urgency of a request or notification; -1 for other kinds. */
static int
deadline_urgency(const Poc__Envelope *e)
{
	switch (e->body_case) {
	case POC__ENVELOPE__BODY_ASSISTANCE_REQUEST:
		return (int)e->assistance_request->urgency;
	case POC__ENVELOPE__BODY_NOTIFICATION:
		return (int)e->notification->urgency;
	default:
		return -1;
	}
}

static const char *
deadline_urgency_name(int u)
{
	const ProtobufCEnumValue	*v;

	v = protobuf_c_enum_descriptor_get_value(&poc__urgency__descriptor, u);
	return v != NULL && u != 0 ? v->name : "no urgency";
}

/*
 * Gives the outgoing request or notification id (e, or NULL if its stored
 * bytes do not decode) its deadline row.  A row also for one that does not
 * decode (deadline 0 never fires), so it is not read again on every scan.
 * 0 or -1.
 */
static int
deadline_add(const char *id, const Poc__Envelope *e)
{
	struct deadline_periods	 p = deadline_periods();
	int			 u;
	int64_t			 at;

	u = e != NULL ? deadline_urgency(e) : -1;
	/* An operator may date a send; one dated ahead of our clock runs
	 * from when it was queued. */
	at = e != NULL ? checks_rules_deadline(u,
	    clock_trusted(e->created_at, util_now_ms()), &p) : 0;
	if (store_deadline_add(env->store, id, e != NULL ? e->recipient : "",
	    u < 0 ? 0 : u, at > 0 ? at : INT64_MAX) == -1)
		return -1;
	if (e == NULL)
		log_warnx("deadline: stored message %s does not decode; no "
		    "deadline", id);
	else
		log_debug("deadline: %s to %s (%s) due at %lld", id,
		    e->recipient, deadline_urgency_name(u), (long long)at);
	return 0;
}

/* Records e, a StatusUpdate, in its case's lifecycle: its status, the
 * time its sender made it (created_at; now if that lies ahead of our clock
 * beyond the tolerance, so that a sender whose clock runs ahead cannot
 * put its update after later ones) and who.  0 or -1. */
static int
deadline_case_add(const Poc__Envelope *e)
{
	const ProtobufCEnumValue	*v;

	if (store_case_add(env->store, e->id, e->thread_id,
	    (int)e->status_update->status, clock_trusted(e->created_at,
	    util_now_ms()), e->sender) == -1)
		return -1;
	v = protobuf_c_enum_descriptor_get_value(&poc__case_status__descriptor,
	    e->status_update->status);
	log_info("case %s: %s by %s", e->thread_id, v != NULL ? v->name : "?",
	    e->sender);
	return 0;
}

int
deadline_sent(const Poc__Envelope *e)
{
	switch (e->body_case) {
	case POC__ENVELOPE__BODY_ASSISTANCE_REQUEST:
	case POC__ENVELOPE__BODY_NOTIFICATION:
		return deadline_add(e->id, e);
	case POC__ENVELOPE__BODY_STATUS_UPDATE:
		return deadline_case_add(e);
	default:
		return 0;
	}
}

void
deadline_case_received(const char *peer, const Poc__Envelope *e)
{
	(void)peer;
	if (deadline_case_add(e) == -1)
		log_warnx("deadline: cannot record status update %s in its "
		    "case now; it is recorded at the next look", e->id);
}

/* Records the StatusUpdate id (e, or NULL if its stored bytes do not
 * decode) in its case; one that does not decode gets an empty row, so it
 * is not read again on every scan.  0 or -1. */
static int
deadline_case_record(const char *id, const Poc__Envelope *e)
{
	if (e == NULL || e->body_case != POC__ENVELOPE__BODY_STATUS_UPDATE) {
		log_warnx("deadline: stored status update %s does not decode",
		    id);
		return store_case_add(env->store, id, "", 0, 0, "");
	}
	return deadline_case_add(e);
}

/* What a catch-up scan looks for, and what it does with each find. */
struct deadline_scan {
	/* The stored messages after seq that still need record(). */
	int	(*missing)(struct store *, int64_t after, int limit,
		    struct store_outbox_row **);
	int	(*record)(const char *id, const Poc__Envelope *e);
	int64_t	*seq;		/* messages up to here are done */
};

static const struct deadline_scan deadline_scans[] = {
	/* each outgoing request/notification without a deadline row */
	{ store_deadline_missing, deadline_add, &deadline_seq },
	/* each StatusUpdate (sent, or received while the store failed)
	 * not yet in its case's lifecycle */
	{ store_case_missing, deadline_case_record, &deadline_case_seq },
};

/* Runs each catch-up scan from where it last stopped.  0 or -1. */
static int
deadline_scan(void)
{
	const struct deadline_scan	*sc;
	struct store_outbox_row		*rows;
	Poc__Envelope			*e;
	size_t				 k;
	int				 n, i, r;
	int64_t				 last;

	/* Everything up to the newest message is looked at below; remember
	 * that, or a tail of messages that need nothing (acknowledgements,
	 * updates) would be read again on every send. */
	if ((last = store_messages_last_seq(env->store)) < 0)
		return -1;
	for (k = 0; k < sizeof(deadline_scans) / sizeof(deadline_scans[0]);
	    k++) {
		sc = &deadline_scans[k];
		do {
			if ((n = sc->missing(env->store, *sc->seq,
			    DEADLINE_BATCH, &rows)) < 0)
				return -1;
			for (i = 0; i < n; i++) {
				e = poc__envelope__unpack(NULL, rows[i].len,
				    rows[i].data);
				r = sc->record(rows[i].id, e);
				if (e != NULL)
					poc__envelope__free_unpacked(e, NULL);
				if (r == -1) {
					store_outbox_rows_free(rows, n);
					return -1;
				}
				*sc->seq = rows[i].seq;
			}
			store_outbox_rows_free(rows, n);
		} while (n == DEADLINE_BATCH);
		if (last > *sc->seq)
			*sc->seq = last;
	}
	return 0;
}

/* Fills the case lifecycle of a message that opened its case (no
 * in_reply_to): its thread's changes with its party, for a thread may be
 * one case with each of many (a case sent to many). */
static void
deadline_case_annotate(Poc__StoredMessage *sm)
{
	const Poc__Envelope		*e = sm->envelope;
	struct store_case_change	*c;
	Poc__DeadlineCaseChange		*m;
	int				 n, i;

	if (e->in_reply_to[0] != '\0' || (n = store_case_history(env->store,
	    e->thread_id, strcmp(sm->direction, "out") == 0 ? e->recipient :
	    e->sender, DEADLINE_HISTORY_MAX, &c)) < 0)
		return;
	if (n == 0) {
		free(c);
		return;
	}
	if ((sm->case_history = calloc((size_t)n,
	    sizeof(*sm->case_history))) == NULL) {
		free(c);
		return;
	}
	for (i = 0; i < n; i++) {
		if ((m = malloc(sizeof(*m))) == NULL)
			break;
		poc__deadline_case_change__init(m);
		m->status = (Poc__CaseStatus)c[i].status;
		m->changed_at = c[i].changed_at;
		if ((m->member = strdup(c[i].member)) == NULL ||
		    (m->message_id = strdup(c[i].msg_id)) == NULL) {
			protobuf_c_message_free_unpacked(&m->base, NULL);
			break;
		}
		sm->case_history[sm->n_case_history++] = m;
		sm->case_status = m->status;
	}
	free(c);
}

/* Arms the timer for the earliest pending deadline (capped), if any. */
static void
deadline_arm(void)
{
	struct timeval	 tv;
	int64_t		 at, delay;
	int		 r;

	if (deadline_timer == NULL)
		return;
	evtimer_del(deadline_timer);
	if ((r = store_deadline_next(env->store, &at)) == 0)
		return;
	delay = r < 0 ? DEADLINE_REARM_MAX_MS : at - util_now_ms();
	if (delay < 0)
		delay = 0;
	if (delay > DEADLINE_REARM_MAX_MS)
		delay = DEADLINE_REARM_MAX_MS;
	tv = util_ms_timeval(delay);
	evtimer_add(deadline_timer, &tv);
}

/* Marks the deadlines that passed and logs each once, with whom to try. */
static void
deadline_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct store_deadline		*d;
	struct directory_contact	 dc;
	int64_t				 now = util_now_ms();
	char				 t[64], next[640];
	int				 n, i;

	(void)fd;
	(void)ev;
	(void)arg;
	if ((n = store_deadline_due(env->store, now, DEADLINE_BATCH, &d)) < 0) {
		deadline_arm();
		return;
	}
	for (i = 0; i < n; i++) {
		/* The mark and its event commit together, so the alert of
		 * an overdue case is on disk whenever the mark is. */
		if (store_begin(env->store) == -1)
			break;
		if (store_deadline_mark(env->store, d[i].msg_id, now) != 1) {
			(void)store_rollback(env->store);
			continue;
		}
		util_fmt_time(d[i].deadline_at, t, sizeof(t));
		if (directory_next_contact(d[i].recipient, now, 0, &dc) == 1)
			snprintf(next, sizeof(next), "try %s %s (%s) by %s %s",
			    dc.level, dc.name, dc.organization,
			    dc.channel_kind, dc.channel_value);
		else
			snprintf(next, sizeof(next), "the directory names no "
			    "PoC of %s to try", d[i].recipient);
		events_overdue(d[i].msg_id, d[i].recipient, d[i].urgency,
		    d[i].deadline_at, next);
		if (store_commit(env->store) == -1) {
			log_warnx("deadline: cannot mark %s overdue now; "
			    "again at the next check", d[i].msg_id);
			continue;
		}
		log_warnx("deadline: %s to %s (%s) not acknowledged by %s: "
		    "overdue; %s", d[i].msg_id, d[i].recipient,
		    deadline_urgency_name(d[i].urgency), t, next);
	}
	free(d);
	deadline_arm();
}

/*
 * How far the scans have looked, kept across restarts so that a start
 * reads only what came since, not a year of messages.  Saved after the
 * start's scans and at shutdown (not at each send: one more commit per
 * send); after a crash the next start scans again from the last saved
 * point, which is safe, as the scans add only what is missing.
 */
#define DEADLINE_META_SCAN	"deadline_scan_seq"
#define DEADLINE_META_CASES	"case_scan_seq"

static void
deadline_save_seqs(void)
{
	if (store_dir_meta_set(env->store, DEADLINE_META_SCAN,
	    deadline_seq) == -1 || store_dir_meta_set(env->store,
	    DEADLINE_META_CASES, deadline_case_seq) == -1)
		log_warnx("deadline: cannot save how far the scans looked; "
		    "the next start looks again");
}

int
deadline_init(void)
{
	if ((deadline_timer = evtimer_new(env->base, deadline_timer_cb,
	    NULL)) == NULL)
		return -1;
	deadline_seq = store_dir_meta_get(env->store, DEADLINE_META_SCAN);
	deadline_case_seq = store_dir_meta_get(env->store,
	    DEADLINE_META_CASES);
	if (deadline_seq < 0 || deadline_case_seq < 0)
		deadline_seq = deadline_case_seq = 0;
	if (deadline_scan() == -1)
		return -1;
	deadline_save_seqs();
	deadline_arm();
	return 0;
}

void
deadline_shutdown(void)
{
	if (deadline_timer != NULL) {
		event_free(deadline_timer);
		deadline_save_seqs();
	}
	deadline_timer = NULL;
}

void
deadline_kick(void)
{
	if (deadline_scan() == -1)
		log_warnx("deadline: cannot record deadlines now; they are "
		    "given at the next send or restart");
	deadline_arm();
}

int
deadline_overdue_count(void)
{
	int	 n;

	if (env->store == NULL ||
	    (n = store_deadline_overdue_count(env->store)) < 0)
		return 0;
	return n;
}

/* A DeadlineContact from the directory's answer (malloc'd, so that
 * protobuf_c_message_free_unpacked frees it with its message). */
static Poc__DeadlineContact *
deadline_contact_msg(const struct directory_contact *dc)
{
	Poc__DeadlineContact	*c;

	if ((c = malloc(sizeof(*c))) == NULL)
		return NULL;
	poc__deadline_contact__init(c);
	if ((c->member = strdup(dc->member)) == NULL ||
	    (c->level = strdup(dc->level)) == NULL ||
	    (c->name = strdup(dc->name)) == NULL ||
	    (c->role = strdup(dc->role)) == NULL ||
	    (c->organization = strdup(dc->organization)) == NULL ||
	    (c->channel_kind = strdup(dc->channel_kind)) == NULL ||
	    (c->channel_value = strdup(dc->channel_value)) == NULL) {
		protobuf_c_message_free_unpacked(&c->base, NULL);
		return NULL;
	}
	c->available = dc->available != 0;
	c->last_check = dc->last_check;
	return c;
}

/*
 * The PoCs to try for an overdue case, best first: the escalation step
 * (one per period passed since the deadline) moves down the directory's
 * ranking (technical, diplomatic, policy, then alternates) and wraps.
 */
static void
deadline_contacts(Poc__StoredMessage *sm, const char *member, unsigned step,
    int64_t now)
{
	static struct directory_contact	 dc[DEADLINE_CONTACTS_MAX];
	Poc__DeadlineContact		*c;
	int				 count, i, k;

	/* One ranking of the member's PoCs (a page may hold hundreds of
	 * overdue messages). */
	if ((count = directory_contacts(member, now, 0, dc,
	    DEADLINE_CONTACTS_MAX)) <= 0)
		return;
	k = count < DEADLINE_CONTACTS ? count : DEADLINE_CONTACTS;
	if ((sm->next_contacts = calloc((size_t)k,
	    sizeof(*sm->next_contacts))) == NULL)
		return;
	for (i = 0; i < k; i++) {
		if ((c = deadline_contact_msg(&dc[(step + (unsigned)i) %
		    (unsigned)count])) == NULL)
			break;
		sm->next_contacts[sm->n_next_contacts++] = c;
	}
}

void
deadline_annotate(Poc__StoredMessage **m, int n)
{
	struct deadline_periods	 p = deadline_periods();
	struct store_deadline	 d;
	Poc__StoredMessage	*sm;
	int64_t			 now = util_now_ms();
	int			 i;

	/* Status updates received since the last look join their case. */
	if (deadline_scan() == -1)
		log_warnx("deadline: cannot record case status changes now");
	for (i = 0; i < n; i++) {
		sm = m[i];
		if (sm != NULL && sm->envelope != NULL &&
		    strcmp(sm->direction, "in") == 0)
			sm->clock_ahead = clock_in_future(
			    sm->envelope->created_at, sm->received_at);
		/* A check's reply_by is on its sender's clock; when that
		 * clock is off, say when it falls on ours. */
		if (sm != NULL && sm->envelope != NULL &&
		    strcmp(sm->direction, "in") == 0 &&
		    sm->envelope->body_case ==
		    POC__ENVELOPE__BODY_COMMUNICATION_CHECK) {
			int64_t	 rb = sm->envelope->communication_check->
			    reply_by, here = clock_from_peer(
			    sm->envelope->sender, rb);

			sm->reply_by_here = here != rb ? here : 0;
		}
		if (sm != NULL && sm->envelope != NULL)
			deadline_case_annotate(sm);
		if (sm == NULL || sm->envelope == NULL ||
		    strcmp(sm->direction, "out") != 0 ||
		    deadline_urgency(sm->envelope) < 0 ||
		    store_deadline_get(env->store, sm->envelope->id, &d) != 1 ||
		    d.deadline_at == INT64_MAX)
			continue;
		sm->deadline_at = d.deadline_at;
		sm->overdue_at = d.overdue_at;
		sm->overdue = !d.acked && now >= d.deadline_at;
		if (!sm->overdue)
			continue;
		sm->escalation_step = checks_rules_escalation(d.deadline_at,
		    checks_rules_period(d.urgency, &p), now);
		deadline_contacts(sm, d.recipient, sm->escalation_step, now);
	}
}
