/*
 * WAL checkpoints off the commit path (see store.h, store_checkpoint_start).
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL
 * past wal_autocheckpoint pages: that commit also writes the pages back to
 * the database file and fsyncs it, so every ~250th receipt waited for two
 * fsyncs and a few MiB of writes (the p99 and the max of the latency).
 * Here the main connection's automatic checkpoint is replaced by a WAL hook
 * that only signals a thread, which checkpoints with its own connection:
 *
 * - PASSIVE when the WAL holds pages frames or more.  It copies what no
 *   reader still needs and never takes the writer's lock, so commits go on
 *   meanwhile.  It runs again at once while commits keep adding frames
 *   (STORE_CKPT_ROUNDS at most), each round copying only what came in
 *   during the one before.  Once everything is copied back, the next write
 *   transaction starts the WAL again from its beginning (SQLite does that
 *   itself), so the file stops growing; journal_size_limit trims it.
 * - Under a load that never pauses, the WAL is never wholly copied back
 *   when a transaction begins, so it would never restart.  Hence, once the
 *   thread has copied all but the last few frames, it waits, and the event
 *   loop, between two batches and after their receipts
 *   (store_checkpoint_due), runs a RESTART checkpoint: it copies the few
 *   frames committed since and the next transaction starts the WAL from
 *   its beginning.  If the WAL restarted by itself meanwhile, the loop
 *   does nothing.  Should the WAL still reach STORE_CKPT_HARD times pages,
 *   the loop waits for the thread's round and copies what is left: one
 *   slow batch, a bounded file (unless a reader from outside pins the
 *   WAL, which SQLite's own checkpoint could not help either).
 *   From the thread a RESTART would starve: the loop takes the writer's
 *   lock again as soon as it lets it go.  SQLite refuses a second
 *   checkpoint at once, without a busy wait, so the two never run
 *   together: hold and running say who may.
 *
 * Durability does not depend on any of this: a commit is durable once its
 * frames are in the fsync'd WAL (synchronous=FULL), and a checkpoint only
 * copies committed pages into the database file (fsync'ing the WAL first
 * and the database after, as SQLite always does).  kill -9 in the middle
 * of one leaves the WAL intact; the next open replays it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_ckpt.h"
#include "store_int.h"

#define STORE_CKPT_HARD		8	/* x pages: the loop restarts, waiting */
#define STORE_CKPT_ROUNDS	4	/* passive rounds in a row at most */
#define STORE_CKPT_TAIL		64	/* frames left for the loop's RESTART */

struct store_ckpt {
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* any change of the below */
	sqlite3			*db;		/* the thread's own connection */
	int			 pages;		/* PASSIVE from this many frames */
	/* under mu */
	int			 want;		/* the WAL reached pages */
	int			 quit;
	int			 running;	/* the thread is checkpointing */
	int			 hold;		/* the loop is: do not start */
	int			 copied;	/* all but a tail copied at ... */
	int			 copied_upto;	/* ... this many WAL frames */
	/* the loop's only */
	int			 frames;	/* in the WAL after the last commit */
	int			 restart_due;	/* frames reached the hard limit */
	char			 path[4096];
};

/*
 * The main connection's WAL hook, run after each of its commits (locks
 * released) with the number of frames now in the WAL.  Only signals: the
 * commit's caller is the event loop, which must not wait for a checkpoint.
 */
static int
store_ckpt_hook_cb(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_ckpt	*ck = arg;

	(void)db;
	(void)name;
	ck->frames = frames;
	if (frames < ck->pages)
		return SQLITE_OK;
	if (frames >= ck->pages * STORE_CKPT_HARD)
		ck->restart_due = 1;
	pthread_mutex_lock(&ck->mu);
	if (!ck->want) {
		ck->want = 1;
		pthread_cond_broadcast(&ck->cv);
	}
	pthread_mutex_unlock(&ck->mu);
	return SQLITE_OK;
}

/* Passive rounds until the WAL is copied back but for a tail that came in
 * during the last round.  Returns 1 and the WAL's frames then in *upto, or
 * 0 if it could not get that far (busy, error: the next signal retries). */
static int
store_ckpt_rounds(struct store_ckpt *ck, int *upto)
{
	int	 i, rc, logn, done, prev = -1;

	for (i = 0; i < STORE_CKPT_ROUNDS; i++) {
		logn = done = 0;
		rc = sqlite3_wal_checkpoint_v2(ck->db, "main",
		    SQLITE_CHECKPOINT_PASSIVE, &logn, &done);
		if (rc != SQLITE_OK) {
			if (rc != SQLITE_BUSY)
				log_warnx("store: checkpoint: %s",
				    sqlite3_errmsg(ck->db));
			return 0;
		}
		if (done != logn)
			return 0;	/* a reader holds some back */
		/* Fewer new frames than the tail (or a WAL that restarted
		 * meanwhile): what is left is the loop's. */
		if (prev >= 0 && logn - prev < STORE_CKPT_TAIL) {
			*upto = logn;
			return 1;
		}
		prev = logn;
	}
	return 0;
}

/* The checkpoint thread: waits for a signal, checkpoints, until quit. */
static void *
store_ckpt_main(void *arg)
{
	struct store_ckpt	*ck = arg;
	int			 ok, upto = 0;

	pthread_mutex_lock(&ck->mu);
	for (;;) {
		while (!ck->quit && (!ck->want || ck->copied || ck->hold))
			pthread_cond_wait(&ck->cv, &ck->mu);
		if (ck->quit)
			break;
		ck->want = 0;
		ck->running = 1;
		pthread_mutex_unlock(&ck->mu);
		ok = store_ckpt_rounds(ck, &upto);
		pthread_mutex_lock(&ck->mu);
		ck->running = 0;
		if (ok) {
			ck->copied = 1;
			ck->copied_upto = upto;
		}
		pthread_cond_broadcast(&ck->cv);
	}
	pthread_mutex_unlock(&ck->mu);
	return NULL;
}

/* Opens the thread's connection with the main one's sync setting. */
static int
store_ckpt_open(struct store_ckpt *ck, int sync_full)
{
	char	 sql[96];

	if (sqlite3_open_v2(ck->path, &ck->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warnx("store: checkpoint connection: %s", ck->db != NULL ?
		    sqlite3_errmsg(ck->db) : "out of memory");
		return -1;
	}
	snprintf(sql, sizeof(sql), "PRAGMA busy_timeout = %d;"
	    " PRAGMA synchronous = %s", STORE_BUSY_TIMEOUT_MS,
	    sync_full ? "FULL" : "NORMAL");
	if (sqlite3_exec(ck->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_wal_autocheckpoint(ck->db, 0) != SQLITE_OK) {
		log_warnx("store: checkpoint connection: %s",
		    sqlite3_errmsg(ck->db));
		return -1;
	}
	return 0;
}

/* store_close() stops the thread before it closes the main connection. */
static const struct store_hook store_ckpt_hook = {
	.close = store_checkpoint_stop,
};

int
store_checkpoint_start(struct store *st, int pages)
{
	struct store_ckpt	*ck;
	const char		*path;
	char			 sql[64];

	if (pages <= 0 || st->ckpt != NULL)
		return 0;	/* SQLite's own checkpoints stay */
	if ((ck = calloc(1, sizeof(*ck))) == NULL) {
		log_warn("store: checkpoint");
		return -1;
	}
	ck->pages = pages;
	path = sqlite3_db_filename(st->db, "main");
	if (path == NULL || snprintf(ck->path, sizeof(ck->path), "%s",
	    path) >= (int)sizeof(ck->path)) {
		log_warnx("store: checkpoint: database path too long");
		free(ck);
		return -1;
	}
	if (store_ckpt_open(ck, st->sync_full) == -1) {
		sqlite3_close(ck->db);
		free(ck);
		return -1;
	}
	pthread_mutex_init(&ck->mu, NULL);
	pthread_cond_init(&ck->cv, NULL);
	if (pthread_create(&ck->thread, NULL, store_ckpt_main, ck) != 0) {
		log_warnx("store: checkpoint: cannot start its thread");
		pthread_mutex_destroy(&ck->mu);
		pthread_cond_destroy(&ck->cv);
		sqlite3_close(ck->db);
		free(ck);
		return -1;
	}
	/* Replaces the automatic checkpoint (which is itself a WAL hook).
	 * A WAL that restarts after a checkpoint is trimmed to twice the
	 * threshold (the writer does that, at its next commit). */
	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %lld",
	    (long long)pages * 2 * 4096);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		log_warnx("store: journal_size_limit: %s",
		    sqlite3_errmsg(st->db));
	sqlite3_wal_hook(st->db, store_ckpt_hook_cb, ck);
	st->ckpt = ck;
	store_hook_add(st, &store_ckpt_hook);
	log_debug("store: checkpoints in the background from %d WAL pages",
	    pages);
	return 0;
}

void
store_checkpoint_due(struct store *st)
{
	struct store_ckpt	*ck = st->ckpt;
	int			 rc, hard, logn = 0, done = 0;

	if (ck == NULL || !sqlite3_get_autocommit(st->db))
		return;
	pthread_mutex_lock(&ck->mu);
	hard = ck->restart_due;
	if (ck->copied && ck->frames < ck->copied_upto && !hard) {
		/* The WAL restarted by itself since: nothing to do. */
		ck->copied = 0;
		pthread_cond_broadcast(&ck->cv);
		pthread_mutex_unlock(&ck->mu);
		return;
	}
	if (!ck->copied && !hard) {
		pthread_mutex_unlock(&ck->mu);
		return;
	}
	ck->hold = 1;
	while (ck->running)		/* only when hard: copied means idle */
		pthread_cond_wait(&ck->cv, &ck->mu);
	ck->copied = 0;
	pthread_mutex_unlock(&ck->mu);

	/* The thread is idle and held: no other checkpoint, and no writer
	 * but this connection, between its transactions.  Only a reader
	 * from outside (a backup, an operator's sqlite3) can still be in
	 * the way: then SQLITE_BUSY at once (busy_timeout 0) rather than
	 * the loop waiting for it; what could be copied is copied, and the
	 * WAL restarts another time. */
	sqlite3_busy_timeout(st->db, 0);
	rc = sqlite3_wal_checkpoint_v2(st->db, "main",
	    SQLITE_CHECKPOINT_RESTART, &logn, &done);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK) {
		ck->restart_due = 0;
		if (hard)
			log_debug("store: WAL of %d pages restarted under "
			    "load", logn);
	} else if (rc != SQLITE_BUSY)
		log_warnx("store: WAL restart: %s", sqlite3_errmsg(st->db));

	pthread_mutex_lock(&ck->mu);
	ck->hold = 0;
	pthread_cond_broadcast(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
}

void
store_checkpoint_stop(struct store *st)
{
	struct store_ckpt	*ck = st->ckpt;

	if (ck == NULL)
		return;
	/* Back to SQLite's own checkpoints (the main connection's close
	 * does the last one itself). */
	sqlite3_wal_autocheckpoint(st->db, 1000);
	pthread_mutex_lock(&ck->mu);
	ck->quit = 1;
	pthread_cond_broadcast(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->thread, NULL);
	if (sqlite3_close(ck->db) != SQLITE_OK)
		log_warnx("store: checkpoint connection: close: %s",
		    sqlite3_errmsg(ck->db));
	pthread_mutex_destroy(&ck->mu);
	pthread_cond_destroy(&ck->cv);
	free(ck);
	st->ckpt = NULL;
}
