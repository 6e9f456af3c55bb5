/*
 * Durability tickets and the WAL's sync thread (see store_sync.h).
 *
 * Why a deferred batch is safe (the long form is in docs/guarantees.md,
 * "Group commit off the loop"): with synchronous=NORMAL in WAL mode,
 * SQLite's COMMIT writes the same frames as with FULL and only skips the
 * fdatasync of the WAL at its end (the WAL-commit half of the pager's
 * walSyncFlags is 0; the checkpoint half is not).  fdatasync() of the WAL
 * through any descriptor of the same file flushes every frame written
 * before the call, so one that starts after COMMIT N returned makes
 * commits 1..N durable.  SQLite never overwrites frames that are not on
 * disk: a WAL restarts from its beginning only once a checkpoint has
 * copied all of it back, and every checkpoint fsyncs the WAL before it
 * copies and the database after (the checkpoint half of the flags), also
 * with synchronous=NORMAL; the header of a restarted WAL is synced too.
 *
 * State: want (highest ticket asked for) and synced/failed (the result
 * of the last sync, the thread's or the loop's) under mu; durable (what
 * the listeners heard) and held on the loop only.  The thread wakes the
 * loop through a pipe: libevent is not set up for threads here.
 *
 * A lone batch is synced by the loop itself (store_sync_hold, then
 * store_sync_now), with the same fdatasync of the same descriptor and the
 * same fatal end if it fails: only the thread that waits differs.  That
 * spares its receipt the two hand-offs (loop to thread, thread to loop
 * through the pipe), which on a loaded machine cost more than the sync.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "log.h"
#include "store_int.h"
#include "store_sync.h"

#define STORE_SYNC_LISTENERS	4

struct store_syncer {
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;		/* want moved, or quit */
	pthread_cond_t		 done;		/* synced or failed moved */
	int			 fd;		/* the WAL, for fdatasync */
	int			 pipe[2];	/* thread -> loop */
	struct event		*ev;
	/* under mu */
	uint64_t		 want;
	uint64_t		 synced;
	int			 failed;	/* errno of the failed sync */
	int			 quit;
	/* the loop's */
	uint64_t		 durable;
	int			 held;		/* store_sync_hold() */
	store_durable_fn	*listeners[STORE_SYNC_LISTENERS];
};

/* fdatasync()s the WAL: every commit that returned before this call is
 * then on disk.  Returns 0 or the errno of the failure.  On the thread,
 * or on the loop for a lone batch (store_sync_now). */
static int
store_sync_disk(struct store_syncer *sy)
{
	struct stat	 sb;

	if (fdatasync(sy->fd) == -1)
		return errno != 0 ? errno : EIO;
	/* A WAL deleted under us would be synced in vain. */
	if (fstat(sy->fd, &sb) == 0 && sb.st_nlink == 0)
		return ENOENT;
	return 0;
}

/* Records, under mu, the result of a sync that covered every commit up
 * to target (err: store_sync_disk's). */
static void
store_sync_record(struct store_syncer *sy, uint64_t target, int err)
{
	if (err != 0)
		sy->failed = err;
	else if (target > sy->synced)	/* another sync may be ahead */
		sy->synced = target;
	if (sy->want < sy->synced)
		sy->want = sy->synced;
	pthread_cond_broadcast(&sy->done);
}

/* The thread: fdatasync()s the WAL whenever a ticket beyond the synced
 * one is asked for, covering every commit up to the newest asked. */
static void *
store_sync_main(void *arg)
{
	struct store_syncer	*sy = arg;
	uint64_t		 target;
	int			 err;

	pthread_mutex_lock(&sy->mu);
	for (;;) {
		while (!sy->quit && !sy->failed && sy->want <= sy->synced)
			pthread_cond_wait(&sy->work, &sy->mu);
		if (sy->failed || sy->want <= sy->synced)
			break;		/* failed, or quit with nothing left */
		target = sy->want;
		pthread_mutex_unlock(&sy->mu);
		err = store_sync_disk(sy);
		pthread_mutex_lock(&sy->mu);
		store_sync_record(sy, target, err);
		/* A full pipe already wakes the loop. */
		(void)!write(sy->pipe[1], "", 1);
	}
	pthread_mutex_unlock(&sy->mu);
	return NULL;
}

/* Tells the listeners that every ticket up to n is on disk. */
static void
store_sync_apply(struct store_syncer *sy, uint64_t n)
{
	size_t	 i;

	if (n <= sy->durable)
		return;
	sy->durable = n;
	for (i = 0; i < STORE_SYNC_LISTENERS && sy->listeners[i] != NULL; i++)
		sy->listeners[i](n);
}

/* Reads the thread's result; fatal if the disk failed. */
static uint64_t
store_sync_result(struct store_syncer *sy)
{
	uint64_t	 n;
	int		 failed;

	pthread_mutex_lock(&sy->mu);
	n = sy->synced;
	failed = sy->failed;
	pthread_mutex_unlock(&sy->mu);
	if (failed)
		fatalx("store: fdatasync of the WAL failed: %s; stopping: "
		    "what it held is not acknowledged (the senders retry)",
		    strerror(failed));
	return n;
}

/* The loop's side of the pipe. */
static void
store_sync_cb(evutil_socket_t fd, short what, void *arg)
{
	struct store_syncer	*sy = arg;
	char			 buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	store_sync_apply(sy, store_sync_result(sy));
}

/* Opens the WAL and fsyncs its directory, so that the file's entry is
 * durable too.  Returns the descriptor or -1 (logged). */
static int
store_sync_open_wal(struct store *st)
{
	const char	*db = sqlite3_db_filename(st->db, "main");
	const char	*wal;
	char		 dir[4096];
	int		 fd, dfd;

	if (db == NULL || (wal = sqlite3_filename_wal(db)) == NULL ||
	    snprintf(dir, sizeof(dir), "%s", wal) >= (int)sizeof(dir)) {
		log_warnx("store: sync: no WAL path");
		return -1;
	}
	if ((fd = open(wal, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("store: sync: %s", wal);
		return -1;
	}
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || fsync(dfd) == -1) {
		log_warn("store: sync: directory of %s", wal);
		if (dfd != -1)
			close(dfd);
		close(fd);
		return -1;
	}
	close(dfd);
	return fd;
}

static void
store_sync_free(struct store_syncer *sy)
{
	if (sy->ev != NULL)
		event_free(sy->ev);
	if (sy->pipe[0] != -1)
		close(sy->pipe[0]);
	if (sy->pipe[1] != -1)
		close(sy->pipe[1]);
	if (sy->fd != -1)
		close(sy->fd);
	free(sy);
}

/* store_close() stops the thread before it closes the connection. */
static const struct store_hook store_sync_hook = {
	.close = store_sync_stop,
};

int
store_sync_start(struct store *st, struct event_base *base)
{
	struct store_syncer	*sy;

	if (!st->sync_full || st->sync != NULL)
		return 0;
	if ((sy = calloc(1, sizeof(*sy))) == NULL) {
		log_warn("store: sync");
		return -1;
	}
	sy->pipe[0] = sy->pipe[1] = -1;
	sy->durable = sy->synced = sy->want = st->commits;
	if ((sy->fd = store_sync_open_wal(st)) == -1 ||
	    pipe2(sy->pipe, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    (sy->ev = event_new(base, sy->pipe[0], EV_READ | EV_PERSIST,
	    store_sync_cb, sy)) == NULL || event_add(sy->ev, NULL) == -1) {
		log_warnx("store: sync: cannot set up; commits sync inline");
		store_sync_free(sy);
		return -1;
	}
	pthread_mutex_init(&sy->mu, NULL);
	pthread_cond_init(&sy->work, NULL);
	pthread_cond_init(&sy->done, NULL);
	if (pthread_create(&sy->thread, NULL, store_sync_main, sy) != 0) {
		log_warnx("store: sync: cannot start its thread");
		pthread_mutex_destroy(&sy->mu);
		pthread_cond_destroy(&sy->work);
		pthread_cond_destroy(&sy->done);
		store_sync_free(sy);
		return -1;
	}
	st->sync = sy;
	store_hook_add(st, &store_sync_hook);
	log_debug("store: the group commit's WAL syncs on their own thread");
	return 0;
}

void
store_sync_stop(struct store *st)
{
	struct store_syncer	*sy = st->sync;

	if (sy == NULL)
		return;
	store_sync_settle(st);
	pthread_mutex_lock(&sy->mu);
	sy->quit = 1;
	pthread_cond_broadcast(&sy->work);
	pthread_mutex_unlock(&sy->mu);
	pthread_join(sy->thread, NULL);
	pthread_mutex_destroy(&sy->mu);
	pthread_cond_destroy(&sy->work);
	pthread_cond_destroy(&sy->done);
	store_sync_free(sy);
	st->sync = NULL;
}

uint64_t
store_sync_ticket(struct store *st)
{
	return st->commits;
}

uint64_t
store_sync_durable(struct store *st)
{
	return st->sync != NULL ? st->sync->durable : st->commits;
}

void
store_sync_request(struct store *st, uint64_t ticket)
{
	struct store_syncer	*sy = st->sync;

	if (sy == NULL || ticket <= sy->durable)
		return;
	pthread_mutex_lock(&sy->mu);
	if (ticket > sy->want) {
		sy->want = ticket;
		if (!sy->held)
			pthread_cond_signal(&sy->work);
	}
	pthread_mutex_unlock(&sy->mu);
}

void
store_sync_hold(struct store *st)
{
	if (st->sync != NULL)
		st->sync->held = 1;
}

void
store_sync_now(struct store *st)
{
	struct store_syncer	*sy = st->sync;
	uint64_t		 t = st->commits;
	int			 err = 0, need;

	if (sy == NULL)
		return;		/* every commit is durable on return */
	sy->held = 0;
	pthread_mutex_lock(&sy->mu);
	need = !sy->failed && sy->synced < t;
	pthread_mutex_unlock(&sy->mu);
	if (need)
		err = store_sync_disk(sy);
	pthread_mutex_lock(&sy->mu);
	store_sync_record(sy, t, err);
	pthread_mutex_unlock(&sy->mu);
	store_sync_apply(sy, store_sync_result(sy));	/* fatal if failed */
}

void
store_sync_on_durable(struct store *st, store_durable_fn *fn)
{
	size_t	 i;

	if (st->sync == NULL)
		return;		/* every commit is durable on return */
	for (i = 0; i < STORE_SYNC_LISTENERS; i++)
		if (st->sync->listeners[i] == NULL ||
		    st->sync->listeners[i] == fn) {
			st->sync->listeners[i] = fn;
			return;
		}
	fatalx("store: sync: more than %d listeners", STORE_SYNC_LISTENERS);
}

void
store_sync_inline(struct store *st)
{
	struct store_syncer	*sy = st->sync;

	if (sy == NULL)
		return;
	pthread_mutex_lock(&sy->mu);
	if (!sy->failed && sy->synced < st->commits) {
		store_sync_record(sy, st->commits, 0);
		/* The listeners hear of it from the loop's pipe callback,
		 * not from inside this commit. */
		(void)!write(sy->pipe[1], "", 1);
	}
	pthread_mutex_unlock(&sy->mu);
}

void
store_sync_settle(struct store *st)
{
	struct store_syncer	*sy = st->sync;
	uint64_t		 t = st->commits;

	if (sy == NULL || t <= sy->durable)
		return;
	store_sync_request(st, t);
	pthread_mutex_lock(&sy->mu);
	while (sy->synced < t && !sy->failed)
		pthread_cond_wait(&sy->done, &sy->mu);
	pthread_mutex_unlock(&sy->mu);
	(void)store_sync_result(sy);	/* fatal if failed */
}

void
store_sync_drain(struct store *st)
{
	if (st->sync == NULL)
		return;
	store_sync_settle(st);
	store_sync_apply(st->sync, store_sync_result(st->sync));
}
