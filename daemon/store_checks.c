/*
 * Communication checks and acknowledgement deadlines in the store (see
 * store_checks.h).  The SQL is in store_sql.c's statement table.  Campaign
 * rows are written inside the caller's batch, so a campaign, its
 * envelopes and their outbox rows commit together or not at all; the
 * other changes are one transaction each, committed before returning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_checks.h"
#include "store_int.h"
#include "store_msg.h"
#include "store_tx.h"

int
store_checks_campaign_add(struct store *st,
    const struct store_check_campaign *c)
{
	sqlite3_stmt	*s = st->stmt[STMT_CHECKS_CAMPAIGN_ADD];

	if (store_bind_text(s, 1, c->id) ||
	    sqlite3_bind_int64(s, 2, c->created_at) ||
	    sqlite3_bind_int64(s, 3, c->reply_by) ||
	    sqlite3_bind_int(s, 4, c->scheduled != 0) ||
	    store_bind_text(s, 5, c->created_by)) {
		store_stmt_error(st, STMT_CHECKS_CAMPAIGN_ADD);
		store_stmt_done(st, STMT_CHECKS_CAMPAIGN_ADD);
		return -1;
	}
	return store_tx_write(st, STMT_CHECKS_CAMPAIGN_ADD) == 1 ? 0 : -1;
}

int
store_checks_target_add(struct store *st, const char *campaign_id,
    const char *member, const char *envelope_id)
{
	sqlite3_stmt	*s = st->stmt[STMT_CHECKS_TARGET_ADD];

	if (store_bind_text(s, 1, campaign_id) || store_bind_text(s, 2, member) ||
	    store_bind_text(s, 3, envelope_id)) {
		store_stmt_error(st, STMT_CHECKS_TARGET_ADD);
		store_stmt_done(st, STMT_CHECKS_TARGET_ADD);
		return -1;
	}
	return store_tx_write(st, STMT_CHECKS_TARGET_ADD) == 1 ? 0 : -1;
}

/* Reads a campaign row (the column order of the campaign SELECTs). */
static int
store_checks_campaign_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_check_campaign	*c = elem;

	(void)st;
	if (store_col_copy(s, 0, c->id, sizeof(c->id)) == -1) {
		log_warnx("store: check campaign id too long");
		return -1;
	}
	c->created_at = sqlite3_column_int64(s, 1);
	c->reply_by = sqlite3_column_int64(s, 2);
	c->scheduled = sqlite3_column_int(s, 3);
	store_col_copy_trunc(s, 4, c->created_by, sizeof(c->created_by));
	return 1;
}

/* Steps a bound campaign SELECT into an array.  Count or -1. */
static int
store_checks_collect(struct store *st, enum stmt_id id,
    struct store_check_campaign **out)
{
	return store_collect(st, id, sizeof(**out), store_checks_campaign_row,
	    NULL, (void **)out);
}

int
store_checks_campaign_get(struct store *st, const char *id,
    struct store_check_campaign *out)
{
	struct store_check_campaign	*c;
	enum stmt_id			 sid = STMT_CHECKS_CAMPAIGN_ID;
	int				 n;

	if (store_bind_text(st->stmt[sid], 1, id)) {
		store_stmt_error(st, sid);
		store_stmt_done(st, sid);
		return -1;
	}
	if ((n = store_checks_collect(st, sid, &c)) == -1)
		return -1;
	if (n == 0) {
		free(c);
		sid = STMT_CHECKS_CAMPAIGN_PREFIX;
		/* A BLOB, so that length() counts bytes. */
		if (store_bind_blob(st->stmt[sid], 1, id, strlen(id))) {
			store_stmt_error(st, sid);
			store_stmt_done(st, sid);
			return -1;
		}
		if ((n = store_checks_collect(st, sid, &c)) == -1)
			return -1;
		/* "" means the newest: the first of the two rows. */
		if (id[0] == '\0' && n > 1)
			n = 1;
	}
	if (n == 1)
		*out = c[0];
	free(c);
	return n > 1 ? 2 : n;
}

int
store_checks_campaigns(struct store *st, int limit,
    struct store_check_campaign **out)
{
	sqlite3_stmt	*s = st->stmt[STMT_CHECKS_CAMPAIGN_LIST];

	if (sqlite3_bind_int(s, 1, limit > 0 ? limit : STORE_LIST_DEFAULT)) {
		store_stmt_error(st, STMT_CHECKS_CAMPAIGN_LIST);
		store_stmt_done(st, STMT_CHECKS_CAMPAIGN_LIST);
		return -1;
	}
	return store_checks_collect(st, STMT_CHECKS_CAMPAIGN_LIST, out);
}

/* Reads a target row of a campaign. */
static int
store_checks_target_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_check_target	*r = elem;

	(void)st;
	if (store_col_copy(s, 0, r->member, sizeof(r->member)) == -1 ||
	    store_col_copy(s, 1, r->envelope_id, sizeof(r->envelope_id)) == -1 ||
	    store_col_copy(s, 2, r->delivery, sizeof(r->delivery)) == -1 ||
	    store_col_copy(s, 7, r->reply_id, sizeof(r->reply_id)) == -1) {
		log_warnx("store: checks_targets: value too long");
		return -1;
	}
	r->delivered_at = sqlite3_column_int64(s, 3);
	store_col_copy_trunc(s, 4, r->reason, sizeof(r->reason));
	r->replied_at = sqlite3_column_int64(s, 5);
	store_col_copy_trunc(s, 6, r->replied_by, sizeof(r->replied_by));
	return 1;
}

int
store_checks_targets(struct store *st, const char *campaign_id,
    struct store_check_target **out)
{
	sqlite3_stmt	*s = st->stmt[STMT_CHECKS_TARGETS];

	*out = NULL;
	if (store_bind_text(s, 1, campaign_id)) {
		store_stmt_error(st, STMT_CHECKS_TARGETS);
		store_stmt_done(st, STMT_CHECKS_TARGETS);
		return -1;
	}
	return store_collect(st, STMT_CHECKS_TARGETS, sizeof(**out),
	    store_checks_target_row, NULL, (void **)out);
}

int
store_checks_reply(struct store *st, const char *campaign_id,
    const char *member, int64_t replied_at, const char *replied_by,
    const char *reply_id)
{
	sqlite3_stmt	*s = st->stmt[STMT_CHECKS_TARGET_FIND];
	int		 rc, n;

	if (store_bind_text(s, 1, campaign_id) || store_bind_text(s, 2, member)) {
		store_stmt_error(st, STMT_CHECKS_TARGET_FIND);
		store_stmt_done(st, STMT_CHECKS_TARGET_FIND);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		store_stmt_done(st, STMT_CHECKS_TARGET_FIND);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		store_stmt_error(st, STMT_CHECKS_TARGET_FIND);
		store_stmt_done(st, STMT_CHECKS_TARGET_FIND);
		return -1;
	}
	store_stmt_done(st, STMT_CHECKS_TARGET_FIND);

	s = st->stmt[STMT_CHECKS_REPLY];
	if (store_bind_text(s, 1, campaign_id) || store_bind_text(s, 2, member) ||
	    sqlite3_bind_int64(s, 3, replied_at) ||
	    store_bind_text(s, 4, replied_by) || store_bind_text(s, 5, reply_id)) {
		store_stmt_error(st, STMT_CHECKS_REPLY);
		store_stmt_done(st, STMT_CHECKS_REPLY);
		return -1;
	}
	if ((n = store_tx_write(st, STMT_CHECKS_REPLY)) == -1)
		return -1;
	return n == 1 ? 1 : 2;
}

int64_t
store_checks_last(struct store *st, int scheduled_only)
{
	int64_t	 v;

	if (sqlite3_bind_int(st->stmt[STMT_CHECKS_LAST], 1,
	    scheduled_only != 0)) {
		store_stmt_error(st, STMT_CHECKS_LAST);
		store_stmt_done(st, STMT_CHECKS_LAST);
		return -1;
	}
	if (store_stmt_int64(st, STMT_CHECKS_LAST, &v) == -1)
		return -1;
	return v;
}

/* Messages of a kind without their row yet (stmt id: the MISSING
 * statement of deadlines or of case status). */
static int
store_checks_missing(struct store *st, enum stmt_id id, int64_t after_seq,
    int max, struct store_outbox_row **rows)
{
	sqlite3_stmt	*s = st->stmt[id];

	*rows = NULL;
	if (max <= 0)
		return 0;
	if (sqlite3_bind_int(s, 1, max) ||
	    sqlite3_bind_int64(s, 2, after_seq)) {
		store_stmt_error(st, id);
		store_stmt_done(st, id);
		return -1;
	}
	return store_collect(st, id, sizeof(**rows), store_row_envelope,
	    store_row_envelope_free, (void **)rows);
}

int
store_deadline_missing(struct store *st, int64_t after_seq, int max,
    struct store_outbox_row **rows)
{
	return store_checks_missing(st, STMT_DEADLINE_MISSING, after_seq, max,
	    rows);
}

int
store_case_missing(struct store *st, int64_t after_seq, int max,
    struct store_outbox_row **rows)
{
	return store_checks_missing(st, STMT_CASE_MISSING, after_seq, max,
	    rows);
}

int
store_case_add(struct store *st, const char *msg_id, const char *thread_id,
    int status, int64_t changed_at, const char *member)
{
	sqlite3_stmt	*s = st->stmt[STMT_CASE_ADD];

	if (store_bind_text(s, 1, msg_id) || store_bind_text(s, 2, thread_id) ||
	    sqlite3_bind_int(s, 3, status) ||
	    sqlite3_bind_int64(s, 4, changed_at) ||
	    store_bind_text(s, 5, member)) {
		store_stmt_error(st, STMT_CASE_ADD);
		store_stmt_done(st, STMT_CASE_ADD);
		return -1;
	}
	return store_tx_write(st, STMT_CASE_ADD) == -1 ? -1 : 0;
}

/* Reads one status change of a case. */
static int
store_case_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_case_change	*c = elem;

	(void)st;
	c->status = sqlite3_column_int(s, 0);
	c->changed_at = sqlite3_column_int64(s, 1);
	if (store_col_copy(s, 2, c->member, sizeof(c->member)) == -1 ||
	    store_col_copy(s, 3, c->msg_id, sizeof(c->msg_id)) == -1) {
		log_warnx("store: case_history: value too long");
		return -1;
	}
	return 1;
}

int
store_case_history(struct store *st, const char *thread_id,
    const char *party, int max, struct store_case_change **out)
{
	sqlite3_stmt	*s = st->stmt[STMT_CASE_HISTORY];

	*out = NULL;
	if (max <= 0)
		return 0;
	if (store_bind_text(s, 1, thread_id) || sqlite3_bind_int(s, 2, max) ||
	    store_bind_text(s, 3, party)) {
		store_stmt_error(st, STMT_CASE_HISTORY);
		store_stmt_done(st, STMT_CASE_HISTORY);
		return -1;
	}
	return store_collect(st, STMT_CASE_HISTORY, sizeof(**out),
	    store_case_row, NULL, (void **)out);
}

int
store_deadline_add(struct store *st, const char *msg_id,
    const char *recipient, int urgency, int64_t deadline_at)
{
	sqlite3_stmt	*s = st->stmt[STMT_DEADLINE_ADD];

	if (store_bind_text(s, 1, msg_id) || store_bind_text(s, 2, recipient) ||
	    sqlite3_bind_int(s, 3, urgency) ||
	    sqlite3_bind_int64(s, 4, deadline_at)) {
		store_stmt_error(st, STMT_DEADLINE_ADD);
		store_stmt_done(st, STMT_DEADLINE_ADD);
		return -1;
	}
	return store_tx_write(st, STMT_DEADLINE_ADD) == -1 ? -1 : 0;
}

int
store_deadline_next(struct store *st, int64_t *at)
{
	int64_t	 v;

	if (store_stmt_int64(st, STMT_DEADLINE_NEXT, &v) == -1)
		return -1;
	if (v == -1)
		return 0;
	*at = v;
	return 1;
}

/* Reads the first four deadline columns (msg_id, recipient, urgency,
 * deadline_at). */
static int
store_deadline_row(sqlite3_stmt *s, struct store_deadline *d)
{
	memset(d, 0, sizeof(*d));
	if (store_col_copy(s, 0, d->msg_id, sizeof(d->msg_id)) == -1 ||
	    store_col_copy(s, 1, d->recipient, sizeof(d->recipient)) == -1)
		return -1;
	d->urgency = sqlite3_column_int(s, 2);
	d->deadline_at = sqlite3_column_int64(s, 3);
	return 0;
}

/* Reads one due deadline. */
static int
store_deadline_due_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	(void)st;
	if (store_deadline_row(s, elem) == -1) {
		log_warnx("store: deadline_due: value too long");
		return -1;
	}
	return 1;
}

int
store_deadline_due(struct store *st, int64_t now_ms, int max,
    struct store_deadline **out)
{
	sqlite3_stmt	*s = st->stmt[STMT_DEADLINE_DUE];

	*out = NULL;
	if (max <= 0)
		return 0;
	if (sqlite3_bind_int64(s, 1, now_ms) || sqlite3_bind_int(s, 2, max)) {
		store_stmt_error(st, STMT_DEADLINE_DUE);
		store_stmt_done(st, STMT_DEADLINE_DUE);
		return -1;
	}
	return store_collect(st, STMT_DEADLINE_DUE, sizeof(**out),
	    store_deadline_due_row, NULL, (void **)out);
}

int
store_deadline_mark(struct store *st, const char *msg_id, int64_t now_ms)
{
	sqlite3_stmt	*s = st->stmt[STMT_DEADLINE_MARK];

	if (store_bind_text(s, 1, msg_id) || sqlite3_bind_int64(s, 2, now_ms)) {
		store_stmt_error(st, STMT_DEADLINE_MARK);
		store_stmt_done(st, STMT_DEADLINE_MARK);
		return -1;
	}
	return store_tx_write(st, STMT_DEADLINE_MARK);
}

int
store_deadline_get(struct store *st, const char *msg_id,
    struct store_deadline *out)
{
	sqlite3_stmt	*s = st->stmt[STMT_DEADLINE_GET];
	int		 rc, r = -1;

	if (store_bind_text(s, 1, msg_id)) {
		store_stmt_error(st, STMT_DEADLINE_GET);
		store_stmt_done(st, STMT_DEADLINE_GET);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		r = 0;
	else if (rc == SQLITE_ROW) {
		if (store_deadline_row(s, out) == -1)
			log_warnx("store: deadline_get: value too long");
		else {
			out->overdue_at = sqlite3_column_int64(s, 4);
			out->acked = sqlite3_column_int(s, 5) != 0;
			r = 1;
		}
	} else
		store_stmt_error(st, STMT_DEADLINE_GET);
	store_stmt_done(st, STMT_DEADLINE_GET);
	return r;
}

int
store_deadline_overdue_count(struct store *st)
{
	int64_t	 v;

	if (store_stmt_int64(st, STMT_DEADLINE_OVERDUE, &v) == -1 || v < 0)
		return -1;
	return store_clamp_int(v);
}
