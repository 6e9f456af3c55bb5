/*
 * Events for people and their alerts in the store (see store_events.h).
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_events.h"
#include "store_int.h"
#include "store_tx.h"

static void	(*store_events_commit_fn)(uint64_t);
static int	  store_events_put_any;	/* since the last commit's news */

/* A transaction ended: tell events.c of a commit that may hold events,
 * with the newest committed seq (read after the COMMIT: a savepoint
 * rolled back inside the batch may have taken back some). */
static void
store_events_tx_end(struct store *st, int committed)
{
	int64_t	 seq;

	if (!committed || !store_events_put_any ||
	    store_events_commit_fn == NULL)
		return;
	store_events_put_any = 0;
	if ((seq = store_events_last_seq(st)) < 0)
		seq = 0;
	store_events_commit_fn((uint64_t)seq);
}

static const struct store_hook store_events_hook = {
	.tx_end = store_events_tx_end,
};

void
store_events_on_commit(struct store *st, void (*fn)(uint64_t))
{
	store_events_commit_fn = fn;
	store_hook_add(st, &store_events_hook);
}

int
store_events_put(struct store *st, const Poc__NodeEvent *ev,
    const char *dedupe)
{
	sqlite3_stmt	*s = st->stmt[STMT_EVENT_INSERT];
	int		 n;

	if (sqlite3_bind_int64(s, 1, ev->at) ||
	    sqlite3_bind_int(s, 2, (int)ev->kind) ||
	    store_bind_text(s, 3, ev->case_id) ||
	    store_bind_text(s, 4, ev->message_id) ||
	    store_bind_text(s, 5, ev->peer) ||
	    sqlite3_bind_int(s, 6, (int)ev->urgency) ||
	    sqlite3_bind_int(s, 7, (int)ev->tlp) ||
	    sqlite3_bind_int(s, 8, ev->exercise != 0) ||
	    store_bind_text(s, 9, ev->summary) ||
	    store_bind_text(s, 10, ev->detail) ||
	    sqlite3_bind_int64(s, 11, ev->due_at) ||
	    (dedupe != NULL ? store_bind_text(s, 12, dedupe) :
	    sqlite3_bind_null(s, 12)) ||
	    sqlite3_bind_int(s, 13, ev->alert ? STORE_ALERT_PENDING :
	    STORE_ALERT_NONE)) {
		store_stmt_error(st, STMT_EVENT_INSERT);
		store_stmt_done(st, STMT_EVENT_INSERT);
		return -1;
	}
	/* Before the write: on its own it commits inside store_tx_write. */
	store_events_put_any = 1;
	if ((n = store_tx_write(st, STMT_EVENT_INSERT)) < 0)
		return -1;
	return n > 0;
}

/* A column's text as an owned string ("" for NULL), or NULL if out of
 * memory. */
static char *
store_events_text(sqlite3_stmt *s, int col)
{
	const unsigned char	*t = sqlite3_column_text(s, col);

	return strdup(t != NULL ? (const char *)t : "");
}

static void
store_events_elem_free(void *elem)
{
	struct store_event	*e = elem;

	if (e->ev != NULL)
		protobuf_c_message_free_unpacked(&e->ev->base, NULL);
	e->ev = NULL;
}

/* Reads one row of the event SELECTs (EVENT_COLS in store_sql.c). */
static int
store_events_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_event	*e = elem;
	Poc__NodeEvent		*ev;

	(void)st;
	if ((ev = calloc(1, sizeof(*ev))) == NULL) {
		log_warn("store: events");
		return -1;
	}
	poc__node_event__init(ev);
	e->ev = ev;
	ev->seq = (uint64_t)sqlite3_column_int64(s, 0);
	ev->at = sqlite3_column_int64(s, 1);
	ev->kind = (Poc__NodeEvent__Kind)sqlite3_column_int(s, 2);
	ev->urgency = (Poc__Urgency)sqlite3_column_int(s, 6);
	ev->tlp = (Poc__Tlp)sqlite3_column_int(s, 7);
	ev->exercise = sqlite3_column_int(s, 8) != 0;
	ev->due_at = sqlite3_column_int64(s, 11);
	ev->alert = sqlite3_column_int(s, 12) != STORE_ALERT_NONE;
	e->attempts = sqlite3_column_int(s, 13);
	if ((ev->case_id = store_events_text(s, 3)) == NULL ||
	    (ev->message_id = store_events_text(s, 4)) == NULL ||
	    (ev->peer = store_events_text(s, 5)) == NULL ||
	    (ev->summary = store_events_text(s, 9)) == NULL ||
	    (ev->detail = store_events_text(s, 10)) == NULL) {
		log_warn("store: events");
		store_events_elem_free(e);
		return -1;
	}
	return 1;
}

int
store_events_since(struct store *st, uint64_t after_seq, int max,
    struct store_event **out)
{
	sqlite3_stmt	*s = st->stmt[STMT_EVENT_SINCE];

	if (sqlite3_bind_int64(s, 1, (sqlite3_int64)after_seq) ||
	    sqlite3_bind_int(s, 2, max)) {
		store_stmt_error(st, STMT_EVENT_SINCE);
		store_stmt_done(st, STMT_EVENT_SINCE);
		return -1;
	}
	return store_collect(st, STMT_EVENT_SINCE, sizeof(**out),
	    store_events_row, store_events_elem_free, (void **)out);
}

int
store_events_alerts_due(struct store *st, int64_t now_ms, int max,
    struct store_event **out)
{
	sqlite3_stmt	*s = st->stmt[STMT_EVENT_ALERTS_DUE];

	if (sqlite3_bind_int64(s, 1, now_ms) || sqlite3_bind_int(s, 2, max)) {
		store_stmt_error(st, STMT_EVENT_ALERTS_DUE);
		store_stmt_done(st, STMT_EVENT_ALERTS_DUE);
		return -1;
	}
	return store_collect(st, STMT_EVENT_ALERTS_DUE, sizeof(**out),
	    store_events_row, store_events_elem_free, (void **)out);
}

void
store_events_free(struct store_event *e, int n)
{
	store_rows_free(e, n, sizeof(*e), store_events_elem_free);
}

int
store_events_alert_set(struct store *st, uint64_t seq,
    enum store_alert_state state, int attempts, int64_t alert_at,
    const char *error)
{
	sqlite3_stmt	*s = st->stmt[STMT_EVENT_ALERT_SET];

	if (sqlite3_bind_int64(s, 1, (sqlite3_int64)seq) ||
	    sqlite3_bind_int(s, 2, (int)state) ||
	    sqlite3_bind_int(s, 3, attempts) ||
	    sqlite3_bind_int64(s, 4, alert_at) ||
	    store_bind_text(s, 5, error != NULL ? error : "")) {
		store_stmt_error(st, STMT_EVENT_ALERT_SET);
		store_stmt_done(st, STMT_EVENT_ALERT_SET);
		return -1;
	}
	return store_tx_write(st, STMT_EVENT_ALERT_SET) < 0 ? -1 : 0;
}

int
store_events_alerts_pending(struct store *st)
{
	int64_t	 n;

	if (store_stmt_int64(st, STMT_EVENT_ALERT_COUNT, &n) == -1)
		return -1;
	return store_clamp_int(n);
}

int64_t
store_events_alert_next(struct store *st)
{
	int64_t	 v;

	if (store_stmt_int64(st, STMT_EVENT_ALERT_NEXT, &v) == -1)
		return -1;
	return v < 0 ? 0 : v;
}

int64_t
store_events_last_seq(struct store *st)
{
	int64_t	 v;

	if (store_stmt_int64(st, STMT_EVENT_LAST, &v) == -1)
		return -1;
	return v;
}

int
store_events_prune(struct store *st, int64_t before_ms)
{
	sqlite3_stmt	*s = st->stmt[STMT_EVENT_PRUNE];

	if (sqlite3_bind_int64(s, 1, before_ms)) {
		store_stmt_error(st, STMT_EVENT_PRUNE);
		store_stmt_done(st, STMT_EVENT_PRUNE);
		return -1;
	}
	return store_tx_write(st, STMT_EVENT_PRUNE);
}
