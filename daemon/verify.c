/*
 * The signature worker pool (see verify.h).
 *
 * Only a job's envelope, certificate and verdict cross threads, and the
 * loop touches none of them until verify_wait() saw the job done.  The
 * loop, when it needs a verdict, checks what no worker has started yet
 * itself and waits only for what a worker is checking, so a batch never
 * waits for a queue.  A lone envelope is left for the loop (the workers
 * are woken once a second one is queued): waking a thread for it and
 * waiting for the answer would only add two wake-ups to its latency.
 */
#include <pthread.h>
#include <stdlib.h>

#include "log.h"
#include "msgsig.h"
#include "verify.h"

TAILQ_HEAD(verify_list, verify_job);

static pthread_mutex_t	 verify_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 verify_work = PTHREAD_COND_INITIALIZER; /* workers */
static pthread_cond_t	 verify_done = PTHREAD_COND_INITIALIZER; /* loop */
static struct verify_list verify_queue = TAILQ_HEAD_INITIALIZER(verify_queue);
static int		 verify_left;	/* submitted, verdict not in yet */
static int		 verify_quit;
static pthread_t	*verify_threads;
static int		 verify_nthreads;

/* Checks j; any thread, with j off the queue. */
static void
verify_run(struct verify_job *j)
{
	j->why[0] = '\0';
	j->ok = msgsig_check_received(j->member, j->cert, j->e, j->why,
	    sizeof(j->why));
}

/* Takes j off the queue and checks it, without verify_mu held meanwhile;
 * called, and returns, with verify_mu held. */
static void
verify_take(struct verify_job *j)
{
	TAILQ_REMOVE(&verify_queue, j, entry);
	j->state = VERIFY_RUNNING;
	pthread_mutex_unlock(&verify_mu);
	verify_run(j);
	pthread_mutex_lock(&verify_mu);
	j->state = VERIFY_DONE;
	verify_left--;
	pthread_cond_signal(&verify_done);
}

/* A worker: checks queued jobs until verify_shutdown(). */
static void *
verify_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&verify_mu);
	for (;;) {
		while (TAILQ_EMPTY(&verify_queue) && !verify_quit)
			pthread_cond_wait(&verify_work, &verify_mu);
		if (verify_quit)
			break;
		verify_take(TAILQ_FIRST(&verify_queue));
	}
	pthread_mutex_unlock(&verify_mu);
	return NULL;
}

int
verify_init(int n)
{
	int	 i;

	if (n > 0 && (verify_threads = calloc((size_t)n,
	    sizeof(*verify_threads))) == NULL) {
		log_warn("verify_init");
		n = 0;
	}
	for (i = 0; i < n; i++) {
		if (pthread_create(&verify_threads[i], NULL, verify_main,
		    NULL) != 0) {
			log_warnx("group commit: %d of %d signature threads "
			    "started", i, n);
			break;
		}
		verify_nthreads++;
	}
	if (verify_nthreads == 0) {
		free(verify_threads);
		verify_threads = NULL;
	}
	return 0;
}

void
verify_submit(struct verify_job *j)
{
	if (verify_nthreads == 0) {
		verify_run(j);
		j->state = VERIFY_DONE;
		return;
	}
	pthread_mutex_lock(&verify_mu);
	j->state = VERIFY_QUEUED;
	TAILQ_INSERT_TAIL(&verify_queue, j, entry);
	if (++verify_left >= 2)
		pthread_cond_signal(&verify_work);
	pthread_mutex_unlock(&verify_mu);
}

void
verify_wait(struct verify_job *j)
{
	struct verify_job	*q;

	if (verify_nthreads == 0)
		return;
	pthread_mutex_lock(&verify_mu);
	while (j->state != VERIFY_DONE) {
		if ((q = TAILQ_FIRST(&verify_queue)) == NULL) {
			pthread_cond_wait(&verify_done, &verify_mu);
			continue;
		}
		verify_take(q);
	}
	pthread_mutex_unlock(&verify_mu);
}

void
verify_shutdown(void)
{
	int	 i;

	pthread_mutex_lock(&verify_mu);
	verify_quit = 1;
	pthread_cond_broadcast(&verify_work);
	pthread_mutex_unlock(&verify_mu);
	for (i = 0; i < verify_nthreads; i++)
		pthread_join(verify_threads[i], NULL);
	free(verify_threads);
	verify_threads = NULL;
	verify_nthreads = 0;
	verify_quit = 0;
	TAILQ_INIT(&verify_queue);	/* its jobs are their owners' */
	verify_left = 0;
}
