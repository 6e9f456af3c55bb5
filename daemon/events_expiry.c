/*
 * Expiry of the node certificate and of the own directory record (see
 * events_expiry.h).  Each threshold is raised once per certificate or
 * record (its expiry time is in the event's dedupe name), so a restart or
 * a reload does not alert again, and a renewal starts over.
 */
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "events.h"
#include "events_expiry.h"
#include "log.h"
#include "node.h"
#include "store_dir.h"
#include "util.h"

#define EXPIRY_INTERVAL_MS	(12 * 3600 * 1000LL)
#define DAY_MS			(86400 * 1000LL)

static struct event	*expiry_timer;

/* The thresholds, widest first: an event is raised for the narrowest one
 * already reached. */
static const int	 expiry_days[] = { 1, 7, 30 };

/* Raises kind for subject if not_after is within a threshold of now. */
static void
events_expiry_one(Poc__NodeEvent__Kind kind, const char *subject,
    int64_t not_after, int64_t now)
{
	size_t	 i;

	if (not_after <= 0)
		return;
	for (i = 0; i < sizeof(expiry_days) / sizeof(expiry_days[0]); i++)
		if (not_after - now <= expiry_days[i] * DAY_MS) {
			events_expiring(kind, subject, not_after,
			    expiry_days[i]);
			return;
		}
}

/* Unix ms of an ASN1_TIME, 0 if it does not convert. */
static int64_t
events_expiry_asn1_ms(const ASN1_TIME *t)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm) * 1000;
}

void
events_expiry_check(void)
{
	Poc__DirectoryRecord	*r = NULL;
	X509			*x;
	int64_t			 now = util_now_ms(), got;
	char			 subject[128];

	if (env->peer_ctx != NULL &&
	    (x = SSL_CTX_get0_certificate(env->peer_ctx)) != NULL) {
		snprintf(subject, sizeof(subject), "CN=%s", env->conf.member);
		events_expiry_one(POC__NODE_EVENT__KIND__CERT_EXPIRING,
		    subject, events_expiry_asn1_ms(X509_get0_notAfter(x)), now);
	}
	if (store_dir_get(env->store, env->conf.member, &r, &got) == 1 &&
	    r != NULL) {
		snprintf(subject, sizeof(subject), "%s serial %llu",
		    env->conf.member, (unsigned long long)r->serial);
		events_expiry_one(POC__NODE_EVENT__KIND__RECORD_EXPIRING,
		    subject, r->expires, now);
	}
	if (r != NULL)
		poc__directory_record__free_unpacked(r, NULL);
}

static void
events_expiry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	 tv = util_ms_timeval(EXPIRY_INTERVAL_MS);

	(void)fd;
	(void)what;
	(void)arg;
	events_expiry_check();
	evtimer_add(expiry_timer, &tv);
}

int
events_expiry_init(void)
{
	struct timeval	 tv = { 0, 0 };

	if ((expiry_timer = evtimer_new(env->base, events_expiry_cb, NULL)) ==
	    NULL)
		return -1;
	evtimer_add(expiry_timer, &tv);	/* first check at the first turn */
	return 0;
}

void
events_expiry_shutdown(void)
{
	if (expiry_timer != NULL)
		event_free(expiry_timer);
	expiry_timer = NULL;
}
