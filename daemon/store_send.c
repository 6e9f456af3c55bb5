/*
 * A send to many in the store (see store_send.h).  The case row, every
 * envelope and the rows naming their case commit in one transaction (or
 * one savepoint of the caller's batch, which sendmany.c opens so that the
 * envelopes' deadlines join it): each envelope's own writes (message,
 * outbox row, signer, audit entry) run as a savepoint inside it, and the
 * first failure rolls the whole of it back, so after a crash or an error
 * a case either has all its envelopes queued or does not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_int.h"
#include "store_msg.h"
#include "store_send.h"
#include "store_tx.h"

/* Inserts the case row (inside the caller's batch).  0 or -1. */
static int
store_send_case_add(struct store *st, const struct store_send_case *c)
{
	sqlite3_stmt	*s = st->stmt[STMT_SEND_MANY_ADD];
	int		 r = 0;

	if (store_bind_text(s, 1, c->id) ||
	    sqlite3_bind_int64(s, 2, c->created_at) ||
	    sqlite3_bind_int(s, 3, c->kind) ||
	    sqlite3_bind_int64(s, 4, c->recipients) ||
	    store_bind_text(s, 5, c->created_by) ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_SEND_MANY_ADD);
		r = -1;
	}
	store_stmt_done(st, STMT_SEND_MANY_ADD);
	return r;
}

/* Names the case of one envelope (inside the caller's batch).  0 or -1. */
static int
store_send_envelope_add(struct store *st, const char *case_id,
    const Poc__Envelope *e)
{
	sqlite3_stmt	*s = st->stmt[STMT_SEND_MANY_ENVELOPE_ADD];
	int		 r = 0;

	if (store_bind_text(s, 1, e->id) || store_bind_text(s, 2, case_id) ||
	    store_bind_text(s, 3, e->recipient) ||
	    sqlite3_step(s) != SQLITE_DONE) {
		store_stmt_error(st, STMT_SEND_MANY_ENVELOPE_ADD);
		r = -1;
	}
	store_stmt_done(st, STMT_SEND_MANY_ENVELOPE_ADD);
	return r;
}

enum store_put
store_send_many(struct store *st, const struct store_send_case *c,
    Poc__Envelope *const *e, size_t n, const uint8_t *signer_der,
    size_t signer_len, int64_t now_ms, size_t *failed)
{
	enum store_put	 put = STORE_NEW;
	size_t		 i;
	int		 nested;

	*failed = n;
	if (store_tx_begin(st, &nested) == -1)
		return STORE_ERROR;
	if (store_send_case_add(st, c) == -1) {
		put = STORE_ERROR;
		goto rollback;
	}
	for (i = 0; i < n; i++) {
		put = store_put_outgoing_signed(st, e[i], signer_der,
		    signer_len, now_ms);
		if (put == STORE_NEW &&
		    store_send_envelope_add(st, c->id, e[i]) == -1)
			put = STORE_ERROR;
		if (put != STORE_NEW) {
			*failed = i;
			if (put == STORE_ERROR)
				log_warnx("store: send to many %s: envelope "
				    "%zu of %zu (%s to %s) failed; nothing "
				    "queued", c->id, i + 1, n, e[i]->id,
				    e[i]->recipient);
			goto rollback;
		}
	}
	if (store_tx_commit(st, nested) == -1)
		return STORE_ERROR;
	return STORE_NEW;
 rollback:
	store_tx_abort(st, nested);
	return put;
}

/* Reads a case row (the column order of the send_many SELECTs). */
static int
store_send_case_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	struct store_send_case	*c = elem;

	(void)st;
	if (store_col_copy(s, 0, c->id, sizeof(c->id)) == -1) {
		log_warnx("store: send_many: case id too long");
		return -1;
	}
	c->created_at = sqlite3_column_int64(s, 1);
	c->kind = sqlite3_column_int(s, 2);
	c->recipients = (uint32_t)store_clamp_int(sqlite3_column_int64(s, 3));
	store_col_copy_trunc(s, 4, c->created_by, sizeof(c->created_by));
	return 1;
}

int
store_send_case_of(struct store *st, const char *thread_id,
    struct store_send_case *out)
{
	struct store_send_case	*c;
	int			 n;

	if (store_bind_text(st->stmt[STMT_SEND_MANY_OF], 1, thread_id)) {
		store_stmt_error(st, STMT_SEND_MANY_OF);
		store_stmt_done(st, STMT_SEND_MANY_OF);
		return -1;
	}
	n = store_collect(st, STMT_SEND_MANY_OF, sizeof(*c),
	    store_send_case_row, NULL, (void **)&c);
	if (n < 0)
		return -1;
	if (n > 0)
		*out = c[0];
	free(c);
	return n > 0;
}

/* Reads one thread id. */
static int
store_send_id_row(struct store *st, sqlite3_stmt *s, void *elem)
{
	(void)st;
	if (store_col_copy(s, 0, elem, 64) == -1) {
		log_warnx("store: send_many: thread id too long");
		return -1;
	}
	return 1;
}

int
store_send_case_threads(struct store *st, const char *case_id,
    char (**ids)[64])
{
	if (store_bind_text(st->stmt[STMT_SEND_MANY_THREADS], 1, case_id)) {
		store_stmt_error(st, STMT_SEND_MANY_THREADS);
		store_stmt_done(st, STMT_SEND_MANY_THREADS);
		return -1;
	}
	return store_collect(st, STMT_SEND_MANY_THREADS, sizeof(**ids),
	    store_send_id_row, NULL, (void **)ids);
}

int
store_send_cases_latest(struct store *st, int limit,
    struct store_send_case **out)
{
	if (sqlite3_bind_int(st->stmt[STMT_SEND_MANY_LATEST], 1, limit)) {
		store_stmt_error(st, STMT_SEND_MANY_LATEST);
		store_stmt_done(st, STMT_SEND_MANY_LATEST);
		return -1;
	}
	return store_collect(st, STMT_SEND_MANY_LATEST, sizeof(**out),
	    store_send_case_row, NULL, (void **)out);
}
