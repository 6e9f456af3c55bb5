/*
 * Operations status (see status.h).  The certificates are read from the
 * TLS contexts in force, not from the files, so that what is reported is
 * what handshakes use (a file replaced on disk but not yet reloaded with
 * SIGHUP still shows the old certificate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "alert.h"
#include "checks.h"
#include "clock.h"
#include "deadline.h"
#include "directory.h"
#include "listener.h"
#include "log.h"
#include "node.h"
#include "reload.h"
#include "sig.h"
#include "store.h"
#include "status.h"

#define STATUS_MAX_CERTS	32

/* The text of the store's last failure, kept until the next status. */
static char	 status_store_error[192];

static const char *
status_error_copy(const char *s)
{
	snprintf(status_store_error, sizeof(status_store_error), "%s", s);
	return status_store_error;
}

/* Unix ms of an ASN1_TIME, 0 if it does not convert. */
static int64_t
status_asn1_ms(const ASN1_TIME *t)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm) * 1000;
}

/* Appends certificate x with role to st; 0, or -1 if out of memory. */
static int
status_add_cert(Poc__OpStatusReply *st, const char *role, X509 *x)
{
	Poc__OpStatusCert	*c;
	char			*subj, fp[65];

	if (x == NULL || st->n_certificates >= STATUS_MAX_CERTS)
		return 0;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	poc__op_status_cert__init(c);
	subj = X509_NAME_oneline(X509_get_subject_name(x), NULL, 0);
	/* The fingerprint others pin in [upstream] (pocctl whoami). */
	if (sig_cert_fingerprint(x, fp) == -1)
		fp[0] = '\0';
	if ((c->role = strdup(role)) == NULL || subj == NULL ||
	    (c->subject = strdup(subj)) == NULL ||
	    (c->fingerprint = strdup(fp)) == NULL) {
		OPENSSL_free(subj);
		free(c->role);
		if (c->subject != protobuf_c_empty_string)
			free(c->subject);
		free(c);
		return -1;
	}
	OPENSSL_free(subj);
	c->not_before = status_asn1_ms(X509_get0_notBefore(x));
	c->not_after = status_asn1_ms(X509_get0_notAfter(x));
	st->certificates[st->n_certificates++] = c;
	return 0;
}

/* Adds every CA certificate in the trust store of ctx. */
static int
status_add_store(Poc__OpStatusReply *st, const char *role, SSL_CTX *ctx)
{
	STACK_OF(X509_OBJECT)	*objs;
	X509			*x;
	int			 i;

	if (ctx == NULL || (objs = X509_STORE_get0_objects(
	    SSL_CTX_get_cert_store(ctx))) == NULL)
		return 0;
	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		if (x != NULL && status_add_cert(st, role, x) != 0)
			return -1;
	}
	return 0;
}

/* Every peer's clock as its last Hello showed it, and this node's own
 * as most of them see it. */
static int
status_add_skews(Poc__OpStatusReply *st)
{
	struct clock_skew	*sk;
	struct clock_own	 own;
	Poc__OpClockSkew	*c;
	size_t			 i, n = clock_count();
	int			 res = -1;

	st->n_clock_skew = 0;
	if (clock_own(&own)) {
		st->own_clock_offset = own.offset_ms;
		st->own_clock_votes = own.votes;
	}
	st->own_clock_peers = own.peers;
	st->clock_skews_not_kept = clock_not_kept();
	if (n == 0)
		return 0;
	if ((sk = calloc(n, sizeof(*sk))) == NULL ||
	    (st->clock_skew = calloc(n, sizeof(*st->clock_skew))) == NULL)
		goto out;
	n = clock_skews(sk, n);
	for (i = 0; i < n; i++) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			goto out;
		poc__op_clock_skew__init(c);
		if ((c->member = strdup(sk[i].member)) == NULL) {
			free(c);
			goto out;
		}
		c->skew_ms = sk[i].skew_ms;
		c->seen_at = sk[i].seen_at;
		st->clock_skew[st->n_clock_skew++] = c;
	}
	res = 0;
 out:
	free(sk);
	return res;
}

int
status_ops_fill(Poc__OpStatusReply *st)
{
	int64_t			 loaded;
	uint32_t		 ok, failed;
	struct store_health	 h;

	st->overdue_tracked = 1;
	st->overdue_cases = (uint32_t)deadline_overdue_count();
	st->last_directory_sync = directory_last_sync_ms();
	st->last_check_campaign = checks_last_campaign_ms();
	reload_stats(&loaded, &ok, &failed);
	st->config_loaded_at = loaded;
	st->reloads = ok;
	st->reload_failures = failed;
	alert_status_fill(st);
	st->log_level = (char *)log_level_name(env->conf.log_level);
	st->peer_connections = (uint32_t)listener_count(LISTENER_PEER);
	st->max_peer_connections = (uint32_t)listener_max(LISTENER_PEER);
	st->operator_connections = (uint32_t)listener_count(LISTENER_OPERATOR);
	st->max_operator_connections =
	    (uint32_t)listener_max(LISTENER_OPERATOR);
	store_health_get(env->store, &h);
	st->store_error = h.code != 0 ? (char *)status_error_copy(h.error) :
	    (char *)"";
	st->store_error_at = h.code != 0 ? h.at : 0;
	st->store_bytes_free = h.bytes_free;
	st->store_write_failures = h.failures;
	st->clock_tolerance = clock_tolerance_ms();
	if (status_add_skews(st) != 0) {
		log_warnx("status: out of memory listing clock skews");
		return -1;
	}

	st->n_certificates = 0;
	if ((st->certificates = calloc(STATUS_MAX_CERTS,
	    sizeof(*st->certificates))) == NULL)
		return -1;
	if (status_add_cert(st, "node",
	    env->peer_ctx ? SSL_CTX_get0_certificate(env->peer_ctx) : NULL) ||
	    status_add_store(st, "network_ca", env->peer_ctx) ||
	    status_add_store(st, "operator_ca", env->op_ctx)) {
		log_warnx("status: out of memory listing certificates");
		status_ops_free(st);
		return -1;
	}
	return 0;
}

void
status_ops_free(Poc__OpStatusReply *st)
{
	size_t	 i;

	for (i = 0; i < st->n_certificates; i++) {
		free(st->certificates[i]->role);
		free(st->certificates[i]->subject);
		free(st->certificates[i]->fingerprint);
		free(st->certificates[i]);
	}
	free(st->certificates);
	st->certificates = NULL;
	st->n_certificates = 0;
	for (i = 0; i < st->n_clock_skew; i++) {
		free(st->clock_skew[i]->member);
		free(st->clock_skew[i]);
	}
	free(st->clock_skew);
	st->clock_skew = NULL;
	st->n_clock_skew = 0;
}
