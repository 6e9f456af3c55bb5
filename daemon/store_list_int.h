/*
 * The store's listings as its other subject files use them (store_list.c;
 * the listings themselves are in store_list.h):
 * building StoredMessages from MSG_SELECT rows, and the upkeep of the
 * listing columns and of the cases table that each new message makes in
 * its own transaction.  Only daemon/store*.c and the unit tests include
 * this.
 */
#ifndef POC_STORE_LIST_INT_H
#define POC_STORE_LIST_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "store.h"
#include "store_list.h"
#include "store_sql.h"

/* The listings' part of storing e (seq and at, the time the node
 * records for it, are its row's): the inbox and outbox count, the stamp
 * an acknowledgement or response puts on what it answers, and its case.
 * Runs inside the caller's transaction.  Returns 0 or -1 (logged). */
int	 store_list_note(struct store *, const Poc__Envelope *e, int outgoing,
	    int64_t seq, int64_t at);

/* Builds a StoredMessage from the current MSG_SELECT row of s (columns
 * from 0), with its acknowledgements; NULL on failure (logged). */
Poc__StoredMessage *store_message_from_row(struct store *, sqlite3_stmt *s);

/* Steps the bound statement id and builds a message of each row.
 * Returns the count, or -1 with nothing allocated. */
int	 store_collect_messages(struct store *, enum stmt_id id,
	    Poc__StoredMessage ***out);

/* "in" or "out", or NULL for an unknown box. */
const char *store_box_direction(enum store_box);

/* The SQL a page of f runs (for the tests' EXPLAIN QUERY PLAN): 0, or -1
 * if it does not fit in len or f->box is unknown. */
int	 store_list_sql(const struct store_list_filter *f, char *buf,
	    size_t len);
int	 store_cases_sql(const struct store_cases_filter *f, char *buf,
	    size_t len);

#endif
