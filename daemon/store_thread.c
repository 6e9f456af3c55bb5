/*
 * Threads and who has a part in them (see store_thread.h); the statement
 * is in store_sql.c's table.
 */
#include <sqlite3.h>

#include "store_int.h"
#include "store_thread.h"

enum store_thread_verdict
store_thread_admits(struct store *st, const Poc__Envelope *e,
    const char *member)
{
	sqlite3_stmt			*s = st->stmt[STMT_THREAD_PARTIES];
	enum store_thread_verdict	 res = STORE_THREAD_ERROR;

	if (store_bind_text(s, 1, e->thread_id) == SQLITE_OK &&
	    store_bind_text(s, 2, member) == SQLITE_OK &&
	    store_bind_text(s, 3, e->id) == SQLITE_OK &&
	    store_bind_text(s, 4, e->in_reply_to) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		if (sqlite3_column_int(s, 0) && !sqlite3_column_int(s, 1))
			res = STORE_THREAD_FOREIGN;
		else if (e->in_reply_to[0] == '\0' &&
		    sqlite3_column_int(s, 2))
			res = STORE_THREAD_OPEN;
		else if (e->in_reply_to[0] != '\0' &&
		    !sqlite3_column_int(s, 0))
			res = STORE_THREAD_UNHELD;
		else if (sqlite3_column_int(s, 3))
			res = STORE_THREAD_REPLY_FOREIGN;
		else
			res = STORE_THREAD_OK;
	} else
		store_stmt_error(st, STMT_THREAD_PARTIES);
	store_stmt_done(st, STMT_THREAD_PARTIES);
	return res;
}
