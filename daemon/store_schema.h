/*
 * The shape of the store's database file (store_schema.c): the connection
 * settings it needs (WAL, synchronous, cache) and its tables, brought up
 * to date by migrations counted in PRAGMA user_version.
 */
#ifndef POC_STORE_SCHEMA_H
#define POC_STORE_SCHEMA_H

#include <stddef.h>

struct sqlite3;

/* How long a connection of the store waits for another's lock. */
#define STORE_BUSY_TIMEOUT_MS	5000

/* The schema version this code writes: the number of migrations. */
int	 store_schema_latest(void);

/* Sets the pragmas of a newly opened connection and checks that WAL mode
 * took; a database from a newer pocd is refused before anything changes
 * its file.  Returns 0, or -1 with the reason in err. */
int	 store_schema_set_pragmas(struct sqlite3 *db, int sync_full,
	    char *err, size_t errlen);

/* Brings the database at path (for logs) to store_schema_latest(), one
 * transaction per migration.  Returns 0, or -1 with the reason in err. */
int	 store_schema_migrate(struct sqlite3 *db, const char *path, char *err,
	    size_t errlen);

#endif
