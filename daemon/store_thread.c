/*
 * Threads and who has a part in them (see store_thread.h); the statement
 * is in store_sql.c's table.
 */
#include <sqlite3.h>

#include "store_int.h"
#include "store_thread.h"

int
store_thread_foreign(struct store *st, const char *thread_id,
    const char *member)
{
	sqlite3_stmt	*s = st->stmt[STMT_THREAD_PARTIES];
	int		 res = -1;

	if (store_bind_text(s, 1, thread_id) == SQLITE_OK &&
	    store_bind_text(s, 2, member) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		res = sqlite3_column_int(s, 0) != 0 &&
		    sqlite3_column_int(s, 1) == 0;
	else
		store_stmt_error(st, STMT_THREAD_PARTIES);
	store_stmt_done(st, STMT_THREAD_PARTIES);
	return res;
}
