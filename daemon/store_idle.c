/*
 * Memory back to the system when the store goes quiet (see store_idle.h).
 *
 * SQLite keeps every page it has read in the connection's cache, up to
 * cache_size (16 MiB), where the pages of the kernel's page cache for the
 * same file are already held once for every process.  Under load the
 * cache saves reading the index pages again for each envelope; on a node
 * that has nothing to do it is only memory: on an idle member of the
 * simulation about 280 KiB, and malloc kept the freed pages besides.  So
 * after [store] cache_release_ms (a second by default) without a
 * statement the cache is emptied and malloc_trim() returns the free
 * pages.  Each transaction's end and each statement run outside one (a
 * read: a registry node mostly serves directory pulls, which write
 * nothing) re-arms the timer through the store's hooks, so under load it
 * never fires.  The next statement reads what it needs from the kernel's
 * page cache again: some dozens of pread()s, once per quiet period.
 */
#include <malloc.h>

#include <sqlite3.h>

#include "log.h"
#include "store_idle.h"
#include "store_int.h"
#include "util.h"

static struct event	*store_idle_ev;
static struct timeval	 store_idle_tv;

/* The store has been quiet for the configured time: give memory back. */
static void
store_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct store	*st = arg;

	(void)fd;
	(void)what;
	(void)sqlite3_db_release_memory(st->db);
	(void)malloc_trim(0);
}

/* The store was used: the quiet period starts again. */
static void
store_idle_used(struct store *st)
{
	(void)st;
	if (store_idle_ev != NULL)
		(void)evtimer_add(store_idle_ev, &store_idle_tv);
}

/* A transaction ended: as a statement. */
static void
store_idle_tx_end(struct store *st, int committed)
{
	(void)committed;
	store_idle_used(st);
}

static const struct store_hook store_idle_hook = {
	.tx_end = store_idle_tx_end,
	.used = store_idle_used,
};

int
store_idle_init(struct store *st, struct event_base *base, int release_ms)
{
	if (release_ms <= 0)
		return 0;		/* the cache stays */
	store_idle_tv = util_ms_timeval(release_ms);
	if ((store_idle_ev = evtimer_new(base, store_idle_cb, st)) == NULL) {
		log_warnx("store: cannot set up the idle timer");
		return -1;
	}
	store_hook_add(st, &store_idle_hook);
	/* Start-up (migrations, the checks of the schema) was the first
	 * busy period. */
	store_idle_used(st);
	return 0;
}

void
store_idle_shutdown(void)
{
	if (store_idle_ev != NULL)
		event_free(store_idle_ev);
	store_idle_ev = NULL;
}
