/*
 * The store's listings: a page of the inbox or outbox with its filters,
 * the cases, and what each new message does to keep them cheap (see the
 * migration that made their columns, store_schema.c).
 *
 * A page is read by keyset: ORDER BY seq with LIMIT over an index whose
 * last column is seq, after the equalities of the filters; the next page
 * starts below the last seq of this one.  So a page reads about as many
 * rows as it returns, never the whole table, and no sort is made
 * (tests/unit/test_store_list.c checks the plans).  The filters are
 * combinations, so their SQL is assembled here from fixed fragments, all
 * values bound, and prepared for each page: an operator's request, tens
 * of microseconds, against a table of 2^7 statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_int.h"
#include "store_list_int.h"

#define STORE_LIST_SQL_MAX	2048

/* The numbers the SQL below names (the kinds that open a case, the
 * statuses that end one). */
_Static_assert(POC__ENVELOPE__BODY_ASSISTANCE_REQUEST == 20 &&
    POC__ENVELOPE__BODY_NOTIFICATION == 22, "kinds of a case");
_Static_assert(POC__CASE_STATUS__RESOLVED == 4 &&
    POC__CASE_STATUS__CLOSED == 5 && POC__CASE_STATUS__WITHDRAWN == 6,
    "statuses that end a case");

/* Appends to sm->acks the person and time of the Acknowledgement whose id
 * and stored envelope row s holds (sm->acks has room for it). */
static int
store_message_ack_of(sqlite3_stmt *s, Poc__StoredMessage *sm)
{
	Poc__StoredAck	*a;
	Poc__Envelope	*e;
	const void	*data;

	if ((a = malloc(sizeof(*a))) == NULL)
		return -1;
	poc__stored_ack__init(a);
	sm->acks[sm->n_acks++] = a;
	if ((a->id = store_col_strdup(s, 0)) == NULL)
		return -1;
	data = sqlite3_column_blob(s, 1);
	e = data != NULL ? poc__envelope__unpack(NULL,
	    (size_t)sqlite3_column_bytes(s, 1), data) : NULL;
	if (e != NULL && e->body_case == POC__ENVELOPE__BODY_ACKNOWLEDGEMENT) {
		a->at = e->created_at;
		a->by = strdup(e->acknowledgement->acknowledged_by);
	} else
		a->by = strdup("");
	if (e != NULL)
		poc__envelope__free_unpacked(e, NULL);
	return a->by != NULL ? 0 : -1;
}

/* Fills sm->acknowledged_by with the ids of the Acknowledgements of id,
 * and sm->acks with who acknowledged and when. */
static int
store_message_acks(struct store *st, Poc__StoredMessage *sm, const char *id)
{
	sqlite3_stmt	*s = st->stmt[STMT_ACKS];
	Poc__StoredAck	**nacks;
	char		**na, *ack;
	size_t		 cap = 0;
	int		 rc;

	if (store_bind_text(s, 1, id) ||
	    sqlite3_bind_int(s, 2, POC__ENVELOPE__BODY_ACKNOWLEDGEMENT)) {
		store_stmt_error(st, STMT_ACKS);
		goto fail;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sm->n_acknowledged_by == cap) {
			cap = cap ? cap * 2 : 4;
			if ((na = reallocarray(sm->acknowledged_by, cap,
			    sizeof(*na))) == NULL) {
				log_warn("store: acks");
				goto fail;
			}
			sm->acknowledged_by = na;
			if ((nacks = reallocarray(sm->acks, cap,
			    sizeof(*nacks))) == NULL) {
				log_warn("store: acks");
				goto fail;
			}
			sm->acks = nacks;
		}
		if ((ack = store_col_strdup(s, 0)) == NULL) {
			log_warn("store: acks");
			goto fail;
		}
		sm->acknowledged_by[sm->n_acknowledged_by++] = ack;
		if (store_message_ack_of(s, sm) == -1) {
			log_warn("store: acks");
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		store_stmt_error(st, STMT_ACKS);
		goto fail;
	}
	store_stmt_done(st, STMT_ACKS);
	return 0;
 fail:
	store_stmt_done(st, STMT_ACKS);
	return -1;
}

/*
 * Builds a StoredMessage from a MSG_SELECT row.  Every string is malloc'd
 * and the envelope unpacked with the default allocator, so that
 * protobuf_c_message_free_unpacked(sm, NULL) frees the whole tree, also
 * when this fails half way (unset strings are the shared empty default,
 * which it skips).
 */
Poc__StoredMessage *
store_message_from_row(struct store *st, sqlite3_stmt *s)
{
	static const uint8_t	 empty[1];
	Poc__StoredMessage	*sm;
	const uint8_t		*data;
	size_t			 len;
	char			*id = NULL;

	if ((sm = malloc(sizeof(*sm))) == NULL) {
		log_warn("store: message");
		return NULL;
	}
	poc__stored_message__init(sm);
	data = sqlite3_column_blob(s, MCOL_ENVELOPE);
	len = (size_t)sqlite3_column_bytes(s, MCOL_ENVELOPE);
	if (data == NULL)
		data = empty;
	if ((sm->envelope = poc__envelope__unpack(NULL, len, data)) == NULL) {
		log_warnx("store: message seq %lld: stored envelope does not "
		    "decode", (long long)sqlite3_column_int64(s, MCOL_SEQ));
		goto fail;
	}
	if ((id = store_col_strdup(s, MCOL_ID)) == NULL ||
	    (sm->direction = store_col_strdup(s, MCOL_DIRECTION)) == NULL ||
	    (sm->state = store_col_strdup(s, MCOL_STATE)) == NULL ||
	    (sm->reason = store_col_strdup(s, MCOL_REASON)) == NULL) {
		log_warn("store: message");
		goto fail;
	}
	sm->received_at = sqlite3_column_int64(s, MCOL_RECEIVED_AT);
	sm->delivered_at = sqlite3_column_int64(s, MCOL_DELIVERED_AT);
	sm->attempts = (uint32_t)store_clamp_int(sqlite3_column_int64(s,
	    MCOL_ATTEMPTS));
	sm->next_attempt_at = sqlite3_column_int64(s, MCOL_NEXT_ATTEMPT_AT);
	sm->seq = sqlite3_column_int64(s, MCOL_SEQ);
	sm->acked_at = sqlite3_column_int64(s, MCOL_ACKED_AT);
	sm->answered_at = sqlite3_column_int64(s, MCOL_ANSWERED_AT);
	/* The stored verdict; ctl_sig.c or msgsig_annotate() decide what
	 * the operator is told. */
	sm->signature_verified = sqlite3_column_int(s, MCOL_SIG_VERIFIED) == 1;
	if (store_message_acks(st, sm, id) == -1)
		goto fail;
	free(id);
	return sm;
 fail:
	free(id);
	protobuf_c_message_free_unpacked(&sm->base, NULL);
	return NULL;
}

/* Builds the StoredMessage of the current row. */
static int
store_message_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	Poc__StoredMessage	**m = elem;

	return (*m = store_message_from_row(st, s)) != NULL ? 1 : -1;
}

/* Frees the message an array element points to. */
static void
store_message_free(void *elem)
{
	Poc__StoredMessage	**m = elem;

	if (*m != NULL)
		protobuf_c_message_free_unpacked(&(*m)->base, NULL);
}

int
store_collect_messages(struct store *st, enum stmt_id id,
    Poc__StoredMessage ***out)
{
	return store_collect(st, id, sizeof(**out), store_message_row,
	    store_message_free, (void **)out);
}

const char *
store_box_direction(enum store_box box)
{
	switch (box) {
	case STORE_INBOX:
		return "in";
	case STORE_OUTBOX:
		return "out";
	}
	return NULL;
}

void
store_messages_free(Poc__StoredMessage **m, int n)
{
	store_rows_free(m, n, sizeof(*m), store_message_free);
}


/* Stamps the request or notification an acknowledgement or response
 * answers, when it went the other way between the same members. */
static int
store_list_answer(struct store *st, const Poc__Envelope *e, int outgoing,
    int64_t at)
{
	sqlite3_stmt	*s = st->stmt[STMT_MSG_ANSWER];
	const char	*ref, *what;

	if (e->body_case == POC__ENVELOPE__BODY_ACKNOWLEDGEMENT &&
	    e->acknowledgement != NULL) {
		ref = e->acknowledgement->ack_of;
		what = "acked";
	} else if (e->body_case == POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE &&
	    e->assistance_response != NULL) {
		ref = e->assistance_response->request_id;
		what = "answered";
	} else
		return 0;
	if (ref == NULL || ref[0] == '\0')
		return 0;
	if (store_bind_text(s, 1, ref) ||
	    store_bind_text(s, 2, outgoing ? "out" : "in") ||
	    store_bind_text(s, 3, outgoing ? e->recipient : e->sender) ||
	    store_bind_text(s, 4, what) || sqlite3_bind_int64(s, 5, at)) {
		store_stmt_error(st, STMT_MSG_ANSWER);
		store_stmt_done(st, STMT_MSG_ANSWER);
		return -1;
	}
	if (store_stmt_exec(st, STMT_MSG_ANSWER) == -1)
		return -1;
	/* Our deadline is met by their acknowledgement (what the
	 * deadline statements' DEADLINE_ACKED says, kept in its row). */
	if (outgoing || e->body_case != POC__ENVELOPE__BODY_ACKNOWLEDGEMENT)
		return 0;
	s = st->stmt[STMT_DEADLINE_SETTLE];
	if (store_bind_text(s, 1, ref) || store_bind_text(s, 2, e->sender)) {
		store_stmt_error(st, STMT_DEADLINE_SETTLE);
		store_stmt_done(st, STMT_DEADLINE_SETTLE);
		return -1;
	}
	return store_stmt_exec(st, STMT_DEADLINE_SETTLE);
}

/* Opens the case of a request or notification that starts its thread
 * with its party (no in_reply_to: its own thread, or one shared by a case
 * sent to many), or counts e in the case of its thread with its party (if
 * that is a case). */
static int
store_list_case(struct store *st, const Poc__Envelope *e, int outgoing,
    int64_t seq, int64_t at)
{
	const char	*thread = e->thread_id[0] != '\0' ? e->thread_id : e->id;
	const char	*party = outgoing ? e->recipient : e->sender;
	sqlite3_stmt	*s;
	int		 status = 0;
	enum stmt_id	 id;

	if ((e->body_case == POC__ENVELOPE__BODY_ASSISTANCE_REQUEST ||
	    e->body_case == POC__ENVELOPE__BODY_NOTIFICATION) &&
	    e->in_reply_to[0] == '\0') {
		id = STMT_CASES_OPEN;
		s = st->stmt[id];
		if (store_bind_text(s, 1, thread) ||
		    sqlite3_bind_int64(s, 2, seq) ||
		    store_bind_text(s, 3, party) ||
		    sqlite3_bind_int64(s, 4, at))
			goto fail;
		return store_stmt_exec(st, id);
	}
	if (e->body_case == POC__ENVELOPE__BODY_STATUS_UPDATE &&
	    e->status_update != NULL)
		status = (int)e->status_update->status;
	id = STMT_CASES_TOUCH;
	s = st->stmt[id];
	if (store_bind_text(s, 1, thread) || sqlite3_bind_int64(s, 2, seq) ||
	    sqlite3_bind_int64(s, 3, at) || sqlite3_bind_int(s, 4, status) ||
	    store_bind_text(s, 5, party))
		goto fail;
	return store_stmt_exec(st, id);
 fail:
	store_stmt_error(st, id);
	store_stmt_done(st, id);
	return -1;
}

/* Adds n to the count of the inbox or outbox. */
static int
store_list_count_add(struct store *st, int outgoing, int64_t n)
{
	sqlite3_stmt	*s = st->stmt[STMT_COUNT_ADD];

	if (store_bind_text(s, 1, outgoing ? "out" : "in") ||
	    sqlite3_bind_int64(s, 2, n)) {
		store_stmt_error(st, STMT_COUNT_ADD);
		store_stmt_done(st, STMT_COUNT_ADD);
		return -1;
	}
	return store_stmt_exec(st, STMT_COUNT_ADD);
}

/* The counts of the open lean batch's messages (store_tx.h), written
 * once before its COMMIT instead of once per message: an upsert of the
 * same row 150 times a batch.  A batch that does not commit takes its
 * counts along (the next batch is another). */
static struct {
	struct store	*st;
	uint64_t	 batch;		/* st->batches when counted */
	int64_t		 n[2];		/* in, out */
} store_list_counts;

static int
store_list_counts_write(struct store *st)
{
	int	 i;

	if (store_list_counts.st != st ||
	    store_list_counts.batch != st->batches)
		return 0;
	for (i = 0; i < 2; i++) {
		if (store_list_counts.n[i] > 0 &&
		    store_list_count_add(st, i, store_list_counts.n[i]) == -1)
			return -1;
		store_list_counts.n[i] = 0;
	}
	return 0;
}

static void
store_list_counts_close(struct store *st)
{
	if (store_list_counts.st == st)
		store_list_counts.st = NULL;
}

static const struct store_hook store_list_hook = {
	.tx_precommit = store_list_counts_write,
	.close = store_list_counts_close,
};

/* Counts one message: in the lean batch's counts, else in the table. */
static int
store_list_count(struct store *st, int outgoing)
{
	if (!st->lean || !st->batch)
		return store_list_count_add(st, outgoing, 1);
	if (store_list_counts.st != st ||
	    store_list_counts.batch != st->batches) {
		store_hook_add(st, &store_list_hook);
		store_list_counts.st = st;
		store_list_counts.batch = st->batches;
		store_list_counts.n[0] = store_list_counts.n[1] = 0;
	}
	store_list_counts.n[outgoing != 0]++;
	return 0;
}

int
store_list_note(struct store *st, const Poc__Envelope *e, int outgoing,
    int64_t seq, int64_t at)
{
	if (store_list_count(st, outgoing) == -1 ||
	    store_list_answer(st, e, outgoing, at) == -1 ||
	    store_list_case(st, e, outgoing, seq, at) == -1)
		return -1;
	return 0;
}

/* Appends to buf (size len) at *off; -1 once it does not fit. */
static int
store_list_cat(char *buf, size_t len, size_t *off, const char *s)
{
	size_t	 n = strlen(s);

	if (*off + n >= len)
		return -1;
	memcpy(buf + *off, s, n + 1);
	*off += n;
	return 0;
}

/*
 * The page's SQL.  The terms that pick an index come as equalities on
 * its leading columns (direction, then party, kind, or the partial
 * indexes' own WHERE, repeated word for word so that SQLite may use
 * them); seq bounds and the ORDER BY run along its last column.
 */
int
store_list_sql(const struct store_list_filter *f, char *buf, size_t len)
{
	size_t	 off = 0;
	int	 r = 0, un;

	if (store_box_direction(f->box) == NULL)
		return -1;
	buf[0] = '\0';
	r |= store_list_cat(buf, len, &off, MSG_SELECT
	    "WHERE m.direction = :dir");
	if (f->before > 0)
		r |= store_list_cat(buf, len, &off, " AND m.seq < :before");
	if (f->after > 0)
		r |= store_list_cat(buf, len, &off, " AND m.seq > :after");
	/* With --unacked the partial index holds a few hundred rows: a
	 * unary + keeps SQLite from walking a member's whole box through
	 * messages_party (or a kind's through messages_kind) instead. */
	un = f->unacked || f->overdue;
	if (f->party != NULL && f->party[0] != '\0')
		r |= store_list_cat(buf, len, &off, un ?
		    " AND +m.party = :party" : " AND m.party = :party");
	if (f->kind > 0)
		r |= store_list_cat(buf, len, &off, un ?
		    " AND +m.kind = :kind" : " AND m.kind = :kind");
	if (f->exercise == STORE_EXERCISE_ONLY)
		r |= store_list_cat(buf, len, &off, " AND m.exercise != 0");
	else if (f->exercise == STORE_EXERCISE_NONE)
		r |= store_list_cat(buf, len, &off, " AND m.exercise = 0");
	if (f->unacked || f->overdue)
		r |= store_list_cat(buf, len, &off,
		    " AND m.kind IN (20, 22) AND m.acked_at = 0");
	/* Overdue: our own by the deadline kept when it was sent; theirs by
	 * the periods in force, from when it was received. */
	if (f->overdue && f->box == STORE_OUTBOX)
		r |= store_list_cat(buf, len, &off, " AND EXISTS (SELECT 1"
		    " FROM deadlines d WHERE d.msg_id = m.id"
		    " AND d.deadline_at <= :now)");
	else if (f->overdue)
		r |= store_list_cat(buf, len, &off, " AND m.received_at +"
		    " CASE m.urgency WHEN 4 THEN :p4 WHEN 3 THEN :p3"
		    " WHEN 2 THEN :p2 WHEN 1 THEN :p1 ELSE :p0 END <= :now");
	if (f->since > 0)
		r |= store_list_cat(buf, len, &off, " AND m.seq >= :since_seq"
		    " AND (CASE m.direction WHEN 'in' THEN m.received_at"
		    " ELSE m.created_at END) >= :since");
	r |= store_list_cat(buf, len, &off, f->after > 0 && f->before <= 0 ?
	    " ORDER BY m.seq LIMIT :limit" :
	    " ORDER BY m.seq DESC LIMIT :limit");
	return r != 0 ? -1 : 0;
}

/* Binds v to the named parameter if the statement has it. */
static int
store_list_bind64(sqlite3_stmt *s, const char *name, int64_t v)
{
	int	 i = sqlite3_bind_parameter_index(s, name);

	return i > 0 ? sqlite3_bind_int64(s, i, v) : SQLITE_OK;
}

static int
store_list_bindtext(sqlite3_stmt *s, const char *name, const char *v)
{
	int	 i = sqlite3_bind_parameter_index(s, name);

	return i > 0 ? store_bind_text(s, i, v) : SQLITE_OK;
}

/*
 * The first seq of the box whose time is since or later, by bisection
 * over seq with STMT_LIST_PROBE (about 2 log2(n) index lookups).  It
 * relies on the node's times growing with seq, which they do while its
 * clock does not go back; the page still checks each message's time.
 */
static int
store_list_since_seq(struct store *st, const char *dir, int64_t since,
    int64_t *out)
{
	sqlite3_stmt	*s = st->stmt[STMT_LIST_PROBE];
	int64_t		 lo = 1, hi, mid, seq, t;
	int		 rc;

	if ((hi = store_messages_last_seq(st)) < 0)
		return -1;
	hi++;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (store_bind_text(s, 1, dir) ||
		    sqlite3_bind_int64(s, 2, mid)) {
			store_stmt_error(st, STMT_LIST_PROBE);
			store_stmt_done(st, STMT_LIST_PROBE);
			return -1;
		}
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			store_stmt_error(st, STMT_LIST_PROBE);
			store_stmt_done(st, STMT_LIST_PROBE);
			return -1;
		}
		seq = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : hi;
		t = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : since;
		store_stmt_done(st, STMT_LIST_PROBE);
		if (t >= since)
			hi = mid;
		else
			lo = seq + 1;
	}
	*out = lo;
	return 0;
}

/* Steps the page statement s into messages; reverses them when read
 * oldest first (a page after a cursor), so that each page is newest
 * first.  Finalizes s.  Returns the count or -1. */
static int
store_list_collect(struct store *st, sqlite3_stmt *s, int reverse,
    Poc__StoredMessage ***out)
{
	Poc__StoredMessage	**v = NULL, **nv, *m;
	size_t			  cap = 0, n = 0, i;
	int			  rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				log_warn("store: list");
				goto fail;
			}
			v = nv;
		}
		if ((m = store_message_from_row(st, s)) == NULL)
			goto fail;
		v[n++] = m;
	}
	if (rc != SQLITE_DONE) {
		log_warnx("store: list: %s", sqlite3_errmsg(st->db));
		goto fail;
	}
	sqlite3_finalize(s);
	for (i = 0; reverse && i < n / 2; i++) {
		m = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = m;
	}
	*out = v;
	return (int)n;
 fail:
	sqlite3_finalize(s);
	store_messages_free(v, (int)n);
	return -1;
}

int
store_list_page(struct store *st, const struct store_list_filter *f,
    Poc__StoredMessage ***out)
{
	char		 sql[STORE_LIST_SQL_MAX], p[16];
	const char	*dir;
	sqlite3_stmt	*s;
	int64_t		 since_seq = 0;
	int		 i, r = SQLITE_OK;

	*out = NULL;
	if ((dir = store_box_direction(f->box)) == NULL) {
		log_warnx("store: list: unknown box %d", (int)f->box);
		return -1;
	}
	if (store_list_sql(f, sql, sizeof(sql)) == -1) {
		log_warnx("store: list: query too long");
		return -1;
	}
	if (f->since > 0 &&
	    store_list_since_seq(st, dir, f->since, &since_seq) == -1)
		return -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_warnx("store: list: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	r |= store_list_bindtext(s, ":dir", dir);
	r |= store_list_bind64(s, ":before", f->before);
	r |= store_list_bind64(s, ":after", f->after);
	r |= store_list_bindtext(s, ":party", f->party);
	r |= store_list_bind64(s, ":kind", f->kind);
	r |= store_list_bind64(s, ":now", f->now);
	for (i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), ":p%d", i);
		r |= store_list_bind64(s, p, f->period[i]);
	}
	r |= store_list_bind64(s, ":since_seq", since_seq);
	r |= store_list_bind64(s, ":since", f->since);
	r |= store_list_bind64(s, ":limit", f->limit > 0 ? f->limit :
	    STORE_LIST_DEFAULT);
	if (r != SQLITE_OK) {
		log_warnx("store: list: bind: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return -1;
	}
	return store_list_collect(st, s, f->after > 0 && f->before <= 0, out);
}

int
store_list(struct store *st, enum store_box box, int limit,
    Poc__StoredMessage ***out)
{
	struct store_list_filter	 f;

	memset(&f, 0, sizeof(f));
	f.box = box;
	f.limit = limit;
	return store_list_page(st, &f, out);
}

/* The cases' SQL: a page of the cases table by last_seq (cases_last, or
 * cases_party with a party), each row joined to its opening message. */
int
store_cases_sql(const struct store_cases_filter *f, char *buf, size_t len)
{
	size_t	 off = 0;
	int	 r = 0;

	buf[0] = '\0';
	r |= store_list_cat(buf, len, &off, MSG_COLUMNS
	    ", c.status, c.messages, c.last_seq, c.last_at"
	    " FROM cases c CROSS JOIN messages m ON m.seq = c.open_seq"
	    " LEFT JOIN outbox o ON o.seq = m.seq WHERE 1");
	if (f->before > 0)
		r |= store_list_cat(buf, len, &off,
		    " AND c.last_seq < :before");
	if (f->after > 0)
		r |= store_list_cat(buf, len, &off, " AND c.last_seq > :after");
	if (f->party != NULL && f->party[0] != '\0')
		r |= store_list_cat(buf, len, &off, " AND c.party = :party");
	if (f->open)
		r |= store_list_cat(buf, len, &off,
		    " AND c.status NOT IN (4, 5, 6)");
	r |= store_list_cat(buf, len, &off, f->after > 0 && f->before <= 0 ?
	    " ORDER BY c.last_seq LIMIT :limit" :
	    " ORDER BY c.last_seq DESC LIMIT :limit");
	return r != 0 ? -1 : 0;
}

void
store_cases_free(struct store_case *c, int n)
{
	int	 i;

	if (c == NULL)
		return;
	for (i = 0; i < n; i++)
		if (c[i].opening != NULL)
			protobuf_c_message_free_unpacked(&c[i].opening->base,
			    NULL);
	free(c);
}

int
store_cases(struct store *st, const struct store_cases_filter *f,
    struct store_case **out)
{
	char			 sql[STORE_LIST_SQL_MAX];
	struct store_case	*v = NULL, *nv, tmp;
	sqlite3_stmt		*s;
	size_t			 cap = 0, n = 0, i;
	int			 rc, r = SQLITE_OK;

	*out = NULL;
	if (store_cases_sql(f, sql, sizeof(sql)) == -1 ||
	    sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_warnx("store: cases: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	r |= store_list_bind64(s, ":before", f->before);
	r |= store_list_bind64(s, ":after", f->after);
	r |= store_list_bindtext(s, ":party", f->party);
	r |= store_list_bind64(s, ":limit", f->limit > 0 ? f->limit :
	    STORE_LIST_DEFAULT);
	if (r != SQLITE_OK) {
		log_warnx("store: cases: bind: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				log_warn("store: cases");
				goto fail;
			}
			v = nv;
		}
		memset(&v[n], 0, sizeof(v[n]));
		if ((v[n].opening = store_message_from_row(st, s)) == NULL)
			goto fail;
		v[n].status = sqlite3_column_int(s, MCOL_MAX);
		v[n].messages = (uint32_t)store_clamp_int(
		    sqlite3_column_int64(s, MCOL_MAX + 1));
		v[n].last_seq = sqlite3_column_int64(s, MCOL_MAX + 2);
		v[n].last_at = sqlite3_column_int64(s, MCOL_MAX + 3);
		n++;
	}
	if (rc != SQLITE_DONE) {
		log_warnx("store: cases: %s", sqlite3_errmsg(st->db));
		goto fail;
	}
	sqlite3_finalize(s);
	for (i = 0; f->after > 0 && f->before <= 0 && i < n / 2; i++) {
		tmp = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = tmp;
	}
	*out = v;
	return (int)n;
 fail:
	sqlite3_finalize(s);
	store_cases_free(v, (int)n);
	return -1;
}

int64_t
store_messages_last_seq(struct store *st)
{
	int64_t	 v;

	if (store_stmt_int64(st, STMT_MSG_LAST_SEQ, &v) == -1)
		return -1;
	return v;
}
