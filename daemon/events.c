/*
 * Events for people: raised in the transaction of their change, announced
 * after its commit (see events.h).
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "clock.h"
#include "events.h"
#include "log.h"
#include "node.h"
#include "store.h"
#include "store_events.h"
#include "store_msg.h"
#include "store_sync.h"
#include "util.h"

#define EVENTS_SUBS_MAX		4
#define EVENTS_READ_MAX		256	/* events read back per query */
#define EVENTS_PRUNE_MS		(12 * 3600 * 1000LL)

static const struct events_sub	*events_subs[EVENTS_SUBS_MAX];
static struct event		*events_announce_ev;
static struct event		*events_prune_ev;
static uint64_t			 events_announced;	/* last seq told */
static uint64_t			 events_durable;	/* last seq on disk */
/* Commits with events, oldest first, until their ticket is on disk. */
static struct {
	uint64_t	 ticket;
	uint64_t	 seq;
}				 events_wait[EVENTS_WAIT_MAX];
static int			 events_nwait;
/* An event raised as an alert since the last commit (taken back or not:
 * a rollback only costs a read), and the newest commit that held one. */
static int			 events_alert_raised;
static uint64_t			 events_alert_seq;

static void	events_announce_cb(evutil_socket_t, short, void *);

/* Events up to seq are on disk: announce them at the next loop turn. */
static void
events_release(uint64_t seq)
{
	if (seq > events_durable)
		events_durable = seq;
	if (events_durable > events_announced && events_announce_ev != NULL)
		event_active(events_announce_ev, 0, 0);
}

/* The store's sync thread reached ticket n (store_sync.h). */
static void
events_synced(uint64_t n)
{
	int	 i = 0;

	while (i < events_nwait && events_wait[i].ticket <= n)
		events_release(events_wait[i++].seq);
	events_nwait -= i;
	memmove(events_wait, events_wait + i,
	    (size_t)events_nwait * sizeof(events_wait[0]));
}

/* A transaction committed with events up to seq (store_events.c's hook,
 * inside store_commit): they are announced once that commit is on disk,
 * which for the group commit's batch is after its ticket's fdatasync. */
static void
events_committed(uint64_t seq)
{
	uint64_t	 t = store_sync_ticket(env->store);

	if (events_alert_raised) {
		events_alert_raised = 0;
		events_alert_seq = seq;
	}
	if (events_nwait == 0 && store_sync_durable(env->store) >= t) {
		events_release(seq);
		return;
	}
	if (events_nwait == EVENTS_WAIT_MAX)
		events_nwait--;		/* joins the newest: later, not lost */
	events_wait[events_nwait].ticket = t;
	events_wait[events_nwait].seq = seq;
	events_nwait++;
	/* A commit that synced inline also waits its turn: seq order. */
	store_sync_request(env->store, t);
}

/* Deletes events older than [alert] keep_days, now and every 12 hours;
 * alerts still PENDING stay whatever their age. */
static void
events_prune_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	 tv = util_ms_timeval(EVENTS_PRUNE_MS);
	int		 n;

	(void)fd;
	(void)what;
	(void)arg;
	n = store_events_prune(env->store, util_now_ms() -
	    env->conf.alert_keep_days * 86400 * 1000LL);
	if (n > 0)
		log_info("events: %d older than %d days deleted", n,
		    env->conf.alert_keep_days);
	evtimer_add(events_prune_ev, &tv);
}

int
events_init(struct event_base *base)
{
	int64_t	 last;

	if ((last = store_events_last_seq(env->store)) < 0)
		return -1;
	/* What was raised before this start has been announced or, for
	 * the [alert] command, is PENDING in the store. */
	events_announced = events_durable = (uint64_t)last;
	if ((events_announce_ev = event_new(base, -1, 0, events_announce_cb,
	    NULL)) == NULL ||
	    (events_prune_ev = evtimer_new(base, events_prune_cb, NULL)) ==
	    NULL)
		return -1;
	events_prune_cb(-1, 0, NULL);
	store_events_on_commit(env->store, events_committed);
	store_sync_on_durable(env->store, events_synced);
	return 0;
}

void
events_shutdown(void)
{
	if (events_announce_ev != NULL)
		event_free(events_announce_ev);
	if (events_prune_ev != NULL)
		event_free(events_prune_ev);
	events_announce_ev = events_prune_ev = NULL;
}

void
events_subscribe(const struct events_sub *sub)
{
	size_t	 i;

	for (i = 0; i < EVENTS_SUBS_MAX; i++)
		if (events_subs[i] == NULL || events_subs[i] == sub) {
			events_subs[i] = sub;
			return;
		}
	fatalx("events: more than %d subscribers", EVENTS_SUBS_MAX);
}

uint64_t
events_last_durable(void)
{
	return events_durable;
}

uint64_t
events_last_announced(void)
{
	return events_announced;
}

/* Whether some subscriber wants every event now. */
static int
events_wanted(void)
{
	size_t	 k;

	for (k = 0; k < EVENTS_SUBS_MAX && events_subs[k] != NULL; k++)
		if (events_subs[k]->event != NULL &&
		    (events_subs[k]->wants_all == NULL ||
		    events_subs[k]->wants_all()))
			return 1;
	return 0;
}

/* Reads back what was committed since the last announcement and tells
 * each subscriber, in seq order; when none wants them all and no alert
 * was raised among them, they are announced unread (a receiving node
 * with no watch read each envelope's event back). */
static void
events_announce_cb(evutil_socket_t fd, short what, void *arg)
{
	struct store_event	*e;
	int			 n, i;
	size_t			 k;

	(void)fd;
	(void)what;
	(void)arg;
	if (events_alert_seq <= events_announced && !events_wanted()) {
		events_announced = events_durable;
		return;
	}
	do {
		n = store_events_since(env->store, events_announced,
		    EVENTS_READ_MAX, &e);
		if (n < 0) {
			log_warnx("events: cannot read new events; they are "
			    "announced with the next ones");
			return;
		}
		for (i = 0; i < n && e[i].ev->seq <= events_durable; i++) {
			events_announced = e[i].ev->seq;
			for (k = 0; k < EVENTS_SUBS_MAX && events_subs[k] !=
			    NULL; k++)
				if (events_subs[k]->event != NULL)
					events_subs[k]->event(e[i].ev);
		}
		store_events_free(e, n);
	} while (n == EVENTS_READ_MAX && i == n);	/* a full page, all told */
}

int
events_raise(Poc__NodeEvent *ev, const char *dedupe)
{
	size_t	 k;
	int	 r;

	if (ev->at == 0)
		ev->at = util_now_ms();
	ev->alert = 0;
	for (k = 0; k < EVENTS_SUBS_MAX && events_subs[k] != NULL; k++)
		if (events_subs[k]->wants_alert != NULL &&
		    events_subs[k]->wants_alert(ev))
			ev->alert = 1;
	/* Before the put: outside a transaction it commits inside. */
	if (ev->alert)
		events_alert_raised = 1;
	if ((r = store_events_put(env->store, ev, dedupe)) < 0) {
		log_warnx("events: cannot record a %s event for %s",
		    ev->peer[0] ? ev->peer : "the node", ev->message_id[0] ?
		    ev->message_id : ev->summary);
		return -1;
	}
	if (r == 1)
		log_debug("events: %d %s %s%s", (int)ev->kind, ev->peer,
		    ev->message_id, ev->alert ? " (alert)" : "");
	return r;
}

/* The name of value v of d, or dflt. */
static const char *
events_enum_name(const ProtobufCEnumDescriptor *d, int v, const char *dflt)
{
	const ProtobufCEnumValue	*ev;

	if ((ev = protobuf_c_enum_descriptor_get_value(d, v)) == NULL)
		return dflt;
	return ev->name;
}

void
events_fill(Poc__NodeEvent *ev, const Poc__Envelope *e)
{
	ev->case_id = e->thread_id;
	ev->message_id = e->id;
	ev->tlp = e->tlp;
	ev->exercise = e->exercise;
	switch (e->body_case) {
	case POC__ENVELOPE__BODY_ASSISTANCE_REQUEST:
		ev->urgency = e->assistance_request->urgency;
		ev->summary = e->assistance_request->summary;
		ev->due_at = e->assistance_request->respond_by;
		break;
	case POC__ENVELOPE__BODY_NOTIFICATION:
		ev->urgency = e->notification->urgency;
		ev->summary = e->notification->summary;
		break;
	default:
		break;
	}
}

/* Fills ev from our stored message id (its case, urgency, summary...);
 * the message is returned to free, or NULL if it is not held. */
static Poc__StoredMessage *
events_from_ours(Poc__NodeEvent *ev, const char *id)
{
	Poc__StoredMessage	*m = NULL;

	ev->message_id = (char *)id;
	if (store_get(env->store, id, &m) != 1 || m == NULL ||
	    m->envelope == NULL || strcmp(m->envelope->id, id) != 0) {
		if (m != NULL)
			protobuf_c_message_free_unpacked(&m->base, NULL);
		return NULL;
	}
	events_fill(ev, m->envelope);
	return m;
}

/* An answer from peer (what it says in what) to our message ref: the
 * event is about ref (its case, urgency, summary) when ref is ours to
 * peer.  Otherwise it is about nothing of ours: no case, so that it does
 * not alert (handle.c logs the mismatch).  Returns ref to free, or NULL. */
static Poc__StoredMessage *
events_reply(Poc__NodeEvent *ev, const char *peer, const Poc__Envelope *e,
    const char *ref, char *what)
{
	Poc__StoredMessage	*m;

	if ((m = events_from_ours(ev, ref)) != NULL &&
	    strcmp(m->direction, "out") == 0 &&
	    strcmp(m->envelope->recipient, peer) == 0) {
		ev->detail = what;
		return m;
	}
	if (m != NULL)
		protobuf_c_message_free_unpacked(&m->base, NULL);
	events_fill(ev, e);
	ev->message_id = (char *)ref;
	ev->case_id = (char *)"";
	ev->urgency = POC__URGENCY__URGENCY_UNSPECIFIED;
	ev->summary = what;
	ev->detail = (char *)"refers to no message of ours to this member";
	return NULL;
}

void
events_envelope_in(const char *peer, const Poc__Envelope *e)
{
	Poc__NodeEvent		 ev = POC__NODE_EVENT__INIT;
	Poc__StoredMessage	*ours = NULL;
	char			 summary[512];

	events_fill(&ev, e);
	ev.peer = (char *)peer;
	summary[0] = '\0';
	switch (e->body_case) {
	case POC__ENVELOPE__BODY_ASSISTANCE_REQUEST:
	case POC__ENVELOPE__BODY_NOTIFICATION:
		ev.kind = POC__NODE_EVENT__KIND__ARRIVAL;
		ev.detail = e->body_case ==
		    POC__ENVELOPE__BODY_NOTIFICATION ? (char *)"notification" :
		    (char *)"assistance request";
		break;
	case POC__ENVELOPE__BODY_ACKNOWLEDGEMENT:
		ev.kind = POC__NODE_EVENT__KIND__ACKNOWLEDGED;
		snprintf(summary, sizeof(summary), "acknowledged by %.128s%s"
		    "%.256s", e->acknowledgement->acknowledged_by[0] ?
		    e->acknowledgement->acknowledged_by : peer,
		    e->acknowledgement->note[0] ? ": " : "",
		    e->acknowledgement->note);
		ours = events_reply(&ev, peer, e, e->acknowledgement->ack_of,
		    summary);
		break;
	case POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE:
		ev.kind = POC__NODE_EVENT__KIND__RESPONDED;
		snprintf(summary, sizeof(summary), "%s%s%.256s",
		    events_enum_name(
		    &poc__assistance_response__decision__descriptor,
		    e->assistance_response->decision, "response"),
		    e->assistance_response->note[0] ? ": " : "",
		    e->assistance_response->note);
		ours = events_reply(&ev, peer, e,
		    e->assistance_response->request_id, summary);
		break;
	case POC__ENVELOPE__BODY_STATUS_UPDATE:
		ev.kind = POC__NODE_EVENT__KIND__STATUS_CHANGED;
		snprintf(summary, sizeof(summary), "%s%s%.256s",
		    events_enum_name(&poc__case_status__descriptor,
		    e->status_update->status, "status"),
		    e->status_update->text[0] ? ": " : "",
		    e->status_update->text);
		break;
	case POC__ENVELOPE__BODY_COMMUNICATION_CHECK:
		ev.kind = POC__NODE_EVENT__KIND__CHECK_RECEIVED;
		/* On this node's clock, whatever the sender's says. */
		ev.due_at = clock_from_peer(peer,
		    e->communication_check->reply_by);
		snprintf(summary, sizeof(summary), "communication check from "
		    "%s: reply with pocctl check-reply", peer);
		break;
	case POC__ENVELOPE__BODY_CHECK_REPLY:
		ev.kind = POC__NODE_EVENT__KIND__CHECK_REPLIED;
		snprintf(summary, sizeof(summary), "check %.64s replied by "
		    "%.128s", e->check_reply->check_id,
		    e->check_reply->replied_by);
		break;
	default:
		return;
	}
	if (summary[0] != '\0' && ev.summary != summary && ev.detail != summary)
		ev.summary = summary;
	(void)events_raise(&ev, NULL);
	if (ours != NULL)
		protobuf_c_message_free_unpacked(&ours->base, NULL);
}

void
events_delivery(const char *peer, const char *id, int rejected,
    const char *reason)
{
	Poc__NodeEvent		 ev = POC__NODE_EVENT__INIT;
	Poc__StoredMessage	*m;

	m = events_from_ours(&ev, id);
	ev.peer = (char *)peer;
	ev.kind = rejected ? POC__NODE_EVENT__KIND__DELIVERY_REJECTED :
	    POC__NODE_EVENT__KIND__DELIVERED;
	if (rejected)
		ev.detail = (char *)reason;
	(void)events_raise(&ev, NULL);
	if (m != NULL)
		protobuf_c_message_free_unpacked(&m->base, NULL);
}

void
events_delivery_failing(const char *peer, const char *id, int64_t queued_at,
    const char *last_error)
{
	Poc__NodeEvent		 ev = POC__NODE_EVENT__INIT;
	Poc__StoredMessage	*m;
	char			 dedupe[128];

	m = events_from_ours(&ev, id);
	ev.peer = (char *)peer;
	ev.kind = POC__NODE_EVENT__KIND__DELIVERY_FAILING;
	ev.due_at = queued_at;
	ev.detail = (char *)last_error;
	snprintf(dedupe, sizeof(dedupe), "failing:%.64s", id);
	(void)events_raise(&ev, dedupe);
	if (m != NULL)
		protobuf_c_message_free_unpacked(&m->base, NULL);
}

void
events_overdue(const char *id, const char *peer, int urgency,
    int64_t deadline_at, const char *detail)
{
	Poc__NodeEvent		 ev = POC__NODE_EVENT__INIT;
	Poc__StoredMessage	*m;
	char			 dedupe[128];

	m = events_from_ours(&ev, id);
	ev.peer = (char *)peer;
	ev.kind = POC__NODE_EVENT__KIND__OVERDUE;
	ev.urgency = (Poc__Urgency)urgency;
	ev.due_at = deadline_at;
	ev.detail = (char *)detail;
	snprintf(dedupe, sizeof(dedupe), "overdue:%.64s", id);
	(void)events_raise(&ev, dedupe);
	if (m != NULL)
		protobuf_c_message_free_unpacked(&m->base, NULL);
}

void
events_expiring(Poc__NodeEvent__Kind kind, const char *subject,
    int64_t not_after, int days)
{
	Poc__NodeEvent	 ev = POC__NODE_EVENT__INIT;
	char		 dedupe[192], summary[256], t[64];

	ev.kind = kind;
	ev.due_at = not_after;
	ev.detail = (char *)subject;
	snprintf(summary, sizeof(summary), "%s %.128s expires %s (within %d "
	    "day%s)", kind == POC__NODE_EVENT__KIND__CERT_EXPIRING ?
	    "node certificate" : "own directory record", subject,
	    util_fmt_time(not_after, t, sizeof(t)), days, days == 1 ? "" : "s");
	ev.summary = summary;
	snprintf(dedupe, sizeof(dedupe), "expiry:%d:%.128s:%lld:%d", (int)kind,
	    subject, (long long)not_after, days);
	(void)events_raise(&ev, dedupe);
}

void
events_enrollment_waiting(const char *code, const char *fp,
    const char *source)
{
	Poc__NodeEvent	 ev = POC__NODE_EVENT__INIT;
	char		 dedupe[192], summary[256], detail[256];

	ev.kind = POC__NODE_EVENT__KIND__ENROLLMENT_WAITING;
	ev.peer = (char *)code;
	snprintf(summary, sizeof(summary), "%.32s asks to join from %.64s: "
	    "pocctl directory pending", code, source);
	snprintf(detail, sizeof(detail), "certificate %.64s; approve with "
	    "pocctl directory approve %.32s, or reject", fp, code);
	ev.summary = summary;
	ev.detail = detail;
	snprintf(dedupe, sizeof(dedupe), "enroll:%.32s:%.64s", code, fp);
	(void)events_raise(&ev, dedupe);
}

void
events_audit_conflict(const char *member, int ours, const char *why,
    const char *dedupe)
{
	Poc__NodeEvent	 ev = POC__NODE_EVENT__INIT;
	char		 summary[256], key[192];

	ev.kind = POC__NODE_EVENT__KIND__AUDIT_CONFLICT;
	ev.peer = (char *)member;
	if (ours)
		snprintf(summary, sizeof(summary), "our audit log was cut or "
		    "rolled back, says witness %.32s", member);
	else
		snprintf(summary, sizeof(summary), "%.32s's audit log "
		    "contradicts a head it signed", member);
	ev.summary = summary;
	ev.detail = (char *)why;
	snprintf(key, sizeof(key), "audit:%.160s", dedupe);
	(void)events_raise(&ev, key);
}
