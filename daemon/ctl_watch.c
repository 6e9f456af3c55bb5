/*
 * The event stream to operators (see ctl_watch.h).
 *
 * Order: each watcher remembers the newest seq it was sent; the backlog
 * and the replay are read from the store up to what is committed, and an
 * announcement (events.c) is sent only if newer, so a watcher sees every
 * event once and in seq order, whether it arrived during the replay or
 * after.  A watcher that does not read (its output over 4 times
 * [limits] max_queued_bytes_per_peer) is closed rather than buffered
 * without end; pocctl then reconnects and replays what it missed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "ctl_watch.h"
#include "deadline.h"
#include "events.h"
#include "log.h"
#include "node.h"
#include "session.h"
#include "store.h"
#include "store_events.h"
#include "store_list.h"
#include "util.h"

#define WATCH_HEARTBEAT_MS	15000
#define WATCH_HEARTBEAT_MIN	1000
#define WATCH_HEARTBEAT_MAX	60000
#define WATCH_CHUNK		256	/* events per WatchUpdate */
#define WATCH_REPLAY_MAX	10000	/* events replayed at most */
#define WATCH_BACKLOG_SCAN	500	/* newest messages looked at */
#define WATCH_DETAIL		640	/* bytes of a backlog event's detail */

struct watcher {
	LIST_ENTRY(watcher)	 entry;
	struct session		*s;
	uint64_t		 sent_seq;
	int			 heartbeat_ms;
	struct event		*timer;
	char			 op[128];
};

static LIST_HEAD(, watcher) watchers = LIST_HEAD_INITIALIZER(watchers);

static void	ctl_watch_event(const Poc__NodeEvent *);
static int	ctl_watch_wants_all(void);

static const struct events_sub ctl_watch_sub = {
	.event = ctl_watch_event,
	.wants_all = ctl_watch_wants_all,
};

/* Sends n events (and the flags of u) to w.  0, or -1 when w's session
 * is gone or too far behind (then closed). */
static int
ctl_watch_send(struct watcher *w, Poc__WatchUpdate *u, Poc__NodeEvent **ev,
    size_t n)
{
	Poc__OpReply	 rep = POC__OP_REPLY__INIT;

	u->events = ev;
	u->n_events = n;
	u->heartbeat_ms = (uint32_t)w->heartbeat_ms;
	rep.kind_case = POC__OP_REPLY__KIND_WATCH;
	rep.watch = u;
	if (session_send(w->s, &rep.base) == -1)
		return -1;
	if (session_output_len(w->s) > 4 * env->limits.max_output) {
		log_warnx("watch %s (%s): not reading its events; closing",
		    w->op, session_addr(w->s));
		session_close(w->s, "watch: events not read");
		return -1;
	}
	return 0;
}

/* Sends one event if w has not had it yet. */
static void
ctl_watch_event_to(struct watcher *w, const Poc__NodeEvent *ev)
{
	Poc__WatchUpdate	 u = POC__WATCH_UPDATE__INIT;
	Poc__NodeEvent		*one = (Poc__NodeEvent *)ev;

	if (ev->seq <= w->sent_seq)
		return;
	w->sent_seq = ev->seq;
	u.last_seq = ev->seq;
	u.live = 1;
	(void)ctl_watch_send(w, &u, &one, 1);
}

/* events.c: a committed event, to every watcher. */
static void
ctl_watch_event(const Poc__NodeEvent *ev)
{
	struct watcher	*w, *next;

	/* Sending may close a watcher, which ctl_watch_forget() removes. */
	for (w = LIST_FIRST(&watchers); w != NULL; w = next) {
		next = LIST_NEXT(w, entry);
		ctl_watch_event_to(w, ev);
	}
}

/* events.c: every event is wanted while someone watches. */
static int
ctl_watch_wants_all(void)
{
	return !LIST_EMPTY(&watchers);
}

static void
ctl_watch_heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct watcher		*w = arg;
	Poc__WatchUpdate	 u = POC__WATCH_UPDATE__INIT;
	struct timeval		 tv = util_ms_timeval(w->heartbeat_ms);

	(void)fd;
	(void)what;
	u.last_seq = w->sent_seq;
	u.live = 1;
	if (ctl_watch_send(w, &u, NULL, 0) == 0)
		evtimer_add(w->timer, &tv);
}

/* The backlog event for stored message sm, if it needs a person: ours
 * overdue, or theirs (a request or notification) not acknowledged.  0 if
 * it does not; ev borrows sm's strings, and next (its own) for the PoC
 * to try. */
static int
ctl_watch_backlog_one(const Poc__StoredMessage *sm, Poc__NodeEvent *ev,
    char *next, size_t nextlen)
{
	const Poc__Envelope		*e = sm->envelope;
	const Poc__DeadlineContact	*c;

	if (e == NULL || (e->body_case != POC__ENVELOPE__BODY_ASSISTANCE_REQUEST
	    && e->body_case != POC__ENVELOPE__BODY_NOTIFICATION))
		return 0;
	poc__node_event__init(ev);
	events_fill(ev, e);
	ev->backlog = 1;
	if (strcmp(sm->direction, "out") == 0) {
		if (!sm->overdue)
			return 0;
		ev->kind = POC__NODE_EVENT__KIND__OVERDUE;
		ev->peer = e->recipient;
		ev->at = sm->overdue_at;
		ev->due_at = sm->deadline_at;
		if (sm->n_next_contacts > 0) {
			c = sm->next_contacts[0];
			snprintf(next, nextlen, "try %s %s (%s) by %s %s",
			    c->level, c->name, c->organization,
			    c->channel_kind, c->channel_value);
			ev->detail = next;
		}
		return 1;
	}
	if (sm->n_acknowledged_by > 0)
		return 0;
	ev->kind = POC__NODE_EVENT__KIND__ARRIVAL;
	ev->peer = e->sender;
	ev->at = sm->received_at;
	ev->detail = (char *)"not acknowledged";
	return 1;
}

/* Sends what needs a person now, oldest first, from the newest
 * WATCH_BACKLOG_SCAN messages of each box. */
static int
ctl_watch_backlog(struct watcher *w)
{
	static const enum store_box	 boxes[] = { STORE_OUTBOX, STORE_INBOX };
	Poc__WatchUpdate		 u = POC__WATCH_UPDATE__INIT;
	Poc__StoredMessage		**m;
	Poc__NodeEvent			*ev, **evp;
	char				(*next)[WATCH_DETAIL];
	size_t				 b, k;
	int				 n, i, rc = 0;

	for (b = 0; b < sizeof(boxes) / sizeof(boxes[0]) && rc == 0; b++) {
		if ((n = store_list(env->store, boxes[b], WATCH_BACKLOG_SCAN,
		    &m)) < 0)
			return -1;
		if (boxes[b] == STORE_OUTBOX)
			deadline_annotate(m, n);
		ev = calloc((size_t)n + 1, sizeof(*ev));
		evp = calloc((size_t)n + 1, sizeof(*evp));
		next = calloc((size_t)n + 1, sizeof(*next));
		if (ev == NULL || evp == NULL || next == NULL) {
			free(ev);
			free(evp);
			free(next);
			store_messages_free(m, n);
			return -1;
		}
		/* store_list is newest first: the backlog reads oldest
		 * first. */
		for (k = 0, i = n - 1; i >= 0; i--)
			if (ctl_watch_backlog_one(m[i], &ev[k], next[k],
			    sizeof(next[k])))
				evp[k] = &ev[k], k++;
		if (k > 0)
			rc = ctl_watch_send(w, &u, evp, k);
		free(ev);
		free(evp);
		free(next);
		store_messages_free(m, n);
	}
	return rc;
}

/* Sends the events after after_seq that are committed, oldest first. */
static int
ctl_watch_replay(struct watcher *w, uint64_t after_seq)
{
	Poc__WatchUpdate	 u = POC__WATCH_UPDATE__INIT;
	struct store_event	*e;
	Poc__NodeEvent		*evp[WATCH_CHUNK];
	int			 n, i, sent = 0, rc = 0;

	w->sent_seq = after_seq;
	do {
		if ((n = store_events_since(env->store, w->sent_seq,
		    WATCH_CHUNK, &e)) < 0)
			return -1;
		for (i = 0; i < n; i++)
			evp[i] = e[i].ev;
		if (n > 0) {
			w->sent_seq = e[n - 1].ev->seq;
			u.last_seq = w->sent_seq;
			rc = ctl_watch_send(w, &u, evp, (size_t)n);
		}
		store_events_free(e, n);
		sent += n;
	} while (rc == 0 && n == WATCH_CHUNK && sent < WATCH_REPLAY_MAX);
	return rc;
}

/* Starts the stream on s. */
static void
ctl_watch_start(struct session *s, const char *op, const Poc__WatchRequest *r)
{
	struct watcher		*w;
	Poc__WatchUpdate	 u = POC__WATCH_UPDATE__INIT;
	struct timeval		 tv;
	int64_t			 hb, last;

	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->timer = evtimer_new(env->base, ctl_watch_heartbeat_cb, w)) ==
	    NULL) {
		free(w);
		log_warn("watch");
		session_close(s, "out of memory");
		return;
	}
	w->s = s;
	snprintf(w->op, sizeof(w->op), "%s", op);
	/* The operator answers each heartbeat, which keeps the connection
	 * within [limits] idle_timeout: beat at least 3 times per period. */
	hb = r->heartbeat_ms ? r->heartbeat_ms : WATCH_HEARTBEAT_MS;
	if (hb < WATCH_HEARTBEAT_MIN)
		hb = WATCH_HEARTBEAT_MIN;
	if (hb > WATCH_HEARTBEAT_MAX)
		hb = WATCH_HEARTBEAT_MAX;
	if (hb > env->conf.idle_timeout * 1000LL / 3)
		hb = env->conf.idle_timeout * 1000LL / 3;
	w->heartbeat_ms = (int)(hb > 0 ? hb : 1);
	LIST_INSERT_HEAD(&watchers, w, entry);
	log_info("watch %s (%s): started%s", w->op, session_addr(s),
	    r->resume ? " again" : "");
	if ((last = store_events_last_seq(env->store)) < 0)
		last = (int64_t)events_last_announced();
	w->sent_seq = (uint64_t)last;
	if ((!r->no_backlog && ctl_watch_backlog(w) == -1) ||
	    (r->resume && r->after_seq < (uint64_t)last &&
	    ctl_watch_replay(w, r->after_seq) == -1)) {
		if (session_is_open(s))
			session_close(s, "watch: cannot read the store");
		return;
	}
	u.last_seq = (uint64_t)last;
	u.live = 1;
	if (ctl_watch_send(w, &u, NULL, 0) == -1)
		return;
	tv = util_ms_timeval(w->heartbeat_ms);
	evtimer_add(w->timer, &tv);
}

static struct watcher *
ctl_watch_find(struct session *s)
{
	struct watcher	*w;

	LIST_FOREACH(w, &watchers, entry)
		if (w->s == s)
			return w;
	return NULL;
}

void
ctl_watch_request(struct session *s, const char *op, const Poc__OpRequest *req)
{
	if (ctl_watch_find(s) != NULL)
		return;		/* a keepalive: its arrival was the point */
	if (req->watch->keepalive) {
		session_close(s, "watch: keepalive before the request");
		return;
	}
	ctl_watch_start(s, op, req->watch);
}

void
ctl_watch_forget(struct session *s)
{
	struct watcher	*w;

	if ((w = ctl_watch_find(s)) == NULL)
		return;
	LIST_REMOVE(w, entry);
	log_info("watch %s: ended", w->op);
	event_free(w->timer);
	free(w);
}

int
ctl_watch_init(void)
{
	events_subscribe(&ctl_watch_sub);
	return 0;
}

void
ctl_watch_shutdown(void)
{
	struct watcher	*w;

	while ((w = LIST_FIRST(&watchers)) != NULL) {
		LIST_REMOVE(w, entry);
		event_free(w->timer);
		free(w);
	}
}
