/*
 * Memory back to the system when the store goes quiet (store_idle.c): a
 * while ([store] cache_release_ms) after the last statement or
 * transaction, SQLite's page cache of the connection is emptied and
 * malloc gives its free pages back.
 */
#ifndef POC_STORE_IDLE_H
#define POC_STORE_IDLE_H

#include <event2/event.h>

#include "store.h"

/* Arms the quiet timer on base for st, release_ms after each use; 0
 * (nothing armed: the cache stays), or -1 (logged). */
int	 store_idle_init(struct store *, struct event_base *, int release_ms);
/* Stops the timer (before the store closes). */
void	 store_idle_shutdown(void);

#endif
