/*
 * The signature worker pool: the sender's signature of each received
 * envelope is checked on verify_threads threads while the loop reads on,
 * and the receive path takes the verdict before anything of the envelope
 * is stored.
 */
#ifndef POC_VERIFY_H
#define POC_VERIFY_H

#include <sys/queue.h>

#include <openssl/x509.h>

#include "proto/poc.pb-c.h"

enum verify_state {
	VERIFY_QUEUED,		/* waiting for a thread */
	VERIFY_RUNNING,		/* a thread is checking it */
	VERIFY_DONE,		/* ok and why are set */
};

/*
 * One check, embedded in its owner's item: e signed by the key of cert
 * (as sent by member).  Between verify_submit() and verify_wait() a
 * worker may read e, cert and member and write ok and why; the owner
 * touches none of them meanwhile.
 */
struct verify_job {
	const char			*member;
	X509				*cert;
	const Poc__Envelope		*e;
	int				 ok;		/* 1 valid, 0 not */
	char				 why[256];	/* if not */
	enum verify_state		 state;
	TAILQ_ENTRY(verify_job)		 entry;
};

/* Starts n threads (0: every check runs on the loop, at submit).  A
 * thread that does not start is logged; fewer then check.  0 or -1. */
int	 verify_init(int n);

/* Queues j's check (or runs it now, without threads). */
void	 verify_submit(struct verify_job *j);

/* Returns once j's verdict is in, checking queued jobs on this thread
 * rather than waiting idle. */
void	 verify_wait(struct verify_job *j);

/* Stops the threads; a check in progress finishes first, queued ones are
 * left undone (their owners are dropped). */
void	 verify_shutdown(void);

#endif
