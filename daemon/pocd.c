/*
 * pocd: the points-of-contact node.  Reads its configuration, opens the
 * store, sets up TLS for its two listeners and for dialling peers, resumes
 * delivery of whatever was queued, and runs one libevent loop until SIGTERM
 * or SIGINT.  SIGHUP reloads the configuration and the certificate, key,
 * CA and CRL files (reload.c).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/pem.h>

#include "alert.h"
#include "checks.h"
#include "clock.h"
#include "config.h"
#include "control.h"
#include "ctl_watch.h"
#include "deadline.h"
#include "directory.h"
#include "dirserve.h"
#include "dirsync.h"
#include "events.h"
#include "events_expiry.h"
#include "enroll.h"
#include "gcommit.h"
#include "listener.h"
#include "log.h"
#include "msgsig.h"
#include "node.h"
#include "outbox.h"
#include "peer.h"
#include "receive.h"
#include "reload.h"
#include "sig.h"
#include "store.h"
#include "store_ckpt.h"
#include "store_idle.h"
#include "store_sync.h"
#include "tls.h"
#include "util.h"
#include "witness.h"

/* The configuration read without -c; the Makefile sets it from PREFIX. */
#ifndef POCD_CONFIG
#define POCD_CONFIG	"/usr/local/etc/pocd/pocd.conf"
#endif

static struct listener	*peer_listener, *op_listener;

static int	pocd_pinned_cb(const char *, const char *, void *);
static int	pocd_enroll_cb(struct peer *, const char *, void *);
static int	pocd_request_cb(struct peer *, Poc__PeerFrame *, void *);
static void	pocd_up_cb(struct peer *, void *);
static void	pocd_down_cb(struct peer *, const char *, void *);
static int	pocd_receipt_cb(void *, const Poc__Receipt *);
static void	pocd_fail_cb(void *, Poc__Error__Code, const char *);

/* What this node serves on every peer connection (peer.h). */
static const struct peer_cb pocd_serve = {
	.pinned = pocd_pinned_cb,
	.enroll = pocd_enroll_cb,
	.up = pocd_up_cb,
	.frame = pocd_request_cb,
	.down = pocd_down_cb,
};

/* How the receive path answers a peer (receive.h). */
static const struct receive_cb pocd_receive = {
	.receipt = pocd_receipt_cb,
	.fail = pocd_fail_cb,
};

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: pocd [-dFhnV] [-c file]\n"
	    "  -c file  configuration (default " POCD_CONFIG ")\n"
	    "  -d       stay in the foreground, log debug messages to stderr\n"
	    "  -F       print the node certificate's fingerprint, as other\n"
	    "           nodes pin it in [upstream] fingerprint, and exit\n"
	    "  -h       print this help and exit\n"
	    "  -n       check the configuration, print it, and exit\n"
	    "  -V       print the version and exit\n");
	exit(status);
}

/* pocd -F: the SHA-256 of the node certificate (the first in the PEM
 * file [peer_listener] cert names), as [upstream] fingerprint wants it. */
static int
pocd_print_fingerprint(const char *path)
{
	FILE	*fp;
	X509	*x;
	char	 hex[65];

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "pocd: %s: %s (the [peer_listener] cert)\n",
		    path, strerror(errno));
		return 1;
	}
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL || sig_cert_fingerprint(x, hex) == -1) {
		fprintf(stderr, "pocd: %s: no PEM certificate in it (the "
		    "[peer_listener] cert)\n", path);
		X509_free(x);
		return 1;
	}
	X509_free(x);
	printf("%s\n", hex);
	return 0;
}

static SSL_CTX *
pocd_ctx(const char *what, const struct config_listener *l, int server)
{
	struct tls_opts	 o = config_tls_opts(&env->conf, l, server);
	char		 err[2048];
	SSL_CTX		*ctx;

	if ((ctx = tls_ctx_new(&o, err, sizeof(err))) == NULL)
		fatalx("%s TLS: %s", what, err);
	return ctx;
}

static void
pocd_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	(void)ev;
	(void)arg;
	switch (sig) {
	case SIGHUP:
		if (reload_run() == 0)
			events_expiry_check();	/* perhaps a new cert */
		break;
	case SIGINT:
	case SIGTERM:
		log_info("signal %d: shutting down", (int)sig);
		event_base_loopbreak(env->base);
		break;
	}
}

/* An inbound peer's certificate must be pinned in its directory record. */
static int
pocd_pinned_cb(const char *member, const char *fp, void *arg)
{
	(void)arg;
	return directory_pinned(member, fp);
}

/* A member with a CA certificate but no pinned record: enroll.c
 * decides whether it may enroll. */
static int
pocd_enroll_cb(struct peer *p, const char *fp, void *arg)
{
	(void)arg;
	return enroll_admit(p, fp);
}

/* A peer's request: envelopes to the receive path, directory requests to
 * replication, enrollment (and anything on an enrolling connection) to
 * enroll.c.  Returns 1 if the receive path took f. */
static int
pocd_request_cb(struct peer *p, Poc__PeerFrame *f, void *arg)
{
	(void)arg;
	if (peer_enrolling(p) ||
	    f->kind_case == POC__PEER_FRAME__KIND_ENROLL_REQUEST) {
		enroll_serve(p, f);
		return 0;
	}
	if (f->kind_case == POC__PEER_FRAME__KIND_ENVELOPE)
		return receive_envelope(p, peer_member(p), peer_cert(p), f);
	if (f->kind_case == POC__PEER_FRAME__KIND_AUDIT_HEAD ||
	    f->kind_case == POC__PEER_FRAME__KIND_WITNESSED_HEAD) {
		witness_frame(p, f);
		return 0;
	}
	dirserve_request(p, f);
	return 0;
}

/* A connection is up, either way: audit heads go both ways on it. */
static void
pocd_up_cb(struct peer *p, void *arg)
{
	(void)arg;
	witness_up(p);
}

/* A connection ends: no receipt nor head may go to it any more. */
static void
pocd_down_cb(struct peer *p, const char *reason, void *arg)
{
	(void)reason;
	(void)arg;
	receive_forget(p);
	witness_down(p);
}

static int
pocd_receipt_cb(void *owner, const Poc__Receipt *r)
{
	Poc__PeerFrame	 f = POC__PEER_FRAME__INIT;

	f.kind_case = POC__PEER_FRAME__KIND_RECEIPT;
	f.receipt = (Poc__Receipt *)r;
	if (peer_send_frame(owner, &f) == -1)
		return -1;
	/* The receipts grew our log: a fresh head follows them. */
	witness_receipt_sent(owner);
	return 0;
}

static void
pocd_fail_cb(void *owner, Poc__Error__Code code, const char *why)
{
	peer_fail(owner, code, "%s", why);
}

int
main(int argc, char *argv[])
{
	const char	*conffile = POCD_CONFIG;
	int		 ch, checkonly = 0, debug = 0, fingerprint = 0;
	char		 err[1024];
	struct event	*sigs[3];
	struct gc_bounds gc_bounds;
	int		 signums[3] = { SIGHUP, SIGINT, SIGTERM };
	size_t		 i;

	while ((ch = getopt(argc, argv, "c:dFhnV")) != -1) {
		switch (ch) {
		case 'c':
			conffile = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'F':
			fingerprint = 1;
			break;
		case 'V':
			printf("%s\n", POCD_SOFTWARE);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (config_load(&env->conf, conffile) != 0) {
		fprintf(stderr, "pocd: %s: configuration not valid: fix the "
		    "lines above, then check it with 'pocd -n -c %s'\n",
		    conffile, conffile);
		return 1;
	}
	if (fingerprint)
		return pocd_print_fingerprint(env->conf.peer.cert);
	if (checkonly) {
		config_print(&env->conf, stdout);
		return 0;
	}
	reload_init(conffile, debug);
	log_init(debug ? "stderr" : env->conf.log_target,
	    debug ? LOG_DEBUG : env->conf.log_level);
	signal(SIGPIPE, SIG_IGN);

	env->started_at = util_now_ms();
	if (reload_limits() != 0)
		fatalx("cannot reserve descriptors for both listeners");

	if ((env->base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	env->dns = evdns_base_new(env->base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
	if (env->dns == NULL) {
		log_warnx("no DNS resolver configured; peer endpoints must be "
		    "IP addresses");
		env->dns = evdns_base_new(env->base, 0);
	}
	env->peer_ctx = pocd_ctx("peer listener", &env->conf.peer, 1);
	env->dial_ctx = pocd_ctx("outgoing", &env->conf.peer, 0);
	env->op_ctx = pocd_ctx("operator listener", &env->conf.op, 1);
	/* The node key signs every envelope the operator sends. */
	if (msgsig_init(env->conf.peer.key, env->conf.peer.cert, err,
	    sizeof(err)) != 0)
		fatalx("envelope signing key: %s", err);

	env->store = store_open(env->conf.database, env->conf.sync_full ?
	    STORE_SYNC_FULL : STORE_SYNC_NORMAL, err, sizeof(err));
	if (env->store == NULL)
		fatalx("store %s: %s", env->conf.database, err);
	/* On failure (logged) SQLite's checkpoints inside commits stay. */
	(void)store_checkpoint_start(env->store, env->conf.checkpoint_pages);
	/* On failure (logged) the group commit syncs inside its COMMIT. */
	(void)store_sync_start(env->store, env->base);
	/* On failure (logged) the node only keeps more memory when idle. */
	(void)store_idle_init(env->store, env->base,
	    env->conf.cache_release_ms);
	/* Events before their raisers, subscribers before any event. */
	if (events_init(env->base) != 0 || ctl_watch_init() != 0)
		fatalx("cannot set up events");
	if (alert_init() != 0)
		fatalx("[alert] command %s cannot run: it must be an "
		    "executable file", env->conf.alert_command);
	gc_bounds.max = env->conf.batch_max;
	gc_bounds.max_bytes = env->conf.batch_max_bytes;
	gc_bounds.wait_ms = env->conf.batch_wait_ms;
	if (gc_init(env->base, env->store, &gc_bounds) != 0 ||
	    receive_init(&pocd_receive, env->conf.verify_threads) != 0)
		fatalx("cannot set up group commit");
	peer_init(&pocd_serve, NULL);

	if ((peer_listener = listener_new(env->base, LISTENER_PEER,
	    env->conf.peer.listen, peer_accept)) == NULL ||
	    (op_listener = listener_new(env->base, LISTENER_OPERATOR,
	    env->conf.op.listen, control_accept)) == NULL)
		fatalx("cannot listen; is another pocd running?");
	if (directory_init() != 0)
		fatalx("cannot set up the directory (own record)");
	if (dirsync_init() != 0)
		fatalx("cannot set up directory replication");
	if (outbox_init() != 0)
		fatalx("cannot read the outbox");
	if (checks_init() != 0)
		fatalx("cannot set up communication checks");
	if (deadline_init() != 0)
		fatalx("cannot set up acknowledgement deadlines");
	if (witness_init() != 0)
		fatalx("cannot start the audit heads' timer");
	if (events_expiry_init() != 0)
		fatalx("cannot set up the expiry watch");

	for (i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(env->base, signums[i], pocd_signal_cb,
		    NULL);
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) != 0)
			fatalx("cannot set up signal %d", signums[i]);
	}
	log_info("%s: member %s ready", POCD_SOFTWARE, env->conf.member);

	event_base_dispatch(env->base);

	/* Orderly shutdown: stop accepting, close connections, let their
	 * deferred frees run, then close the store. */
	listener_free(peer_listener);
	listener_free(op_listener);
	outbox_shutdown();
	dirsync_shutdown();
	checks_shutdown();
	deadline_shutdown();
	events_expiry_shutdown();
	witness_shutdown();
	receive_shutdown();	/* the signature threads, then the batch */
	gc_shutdown();
	peer_close_all();
	control_close_all();
	event_base_loop(env->base, EVLOOP_NONBLOCK);
	ctl_watch_shutdown();
	alert_shutdown();
	events_shutdown();
	for (i = 0; i < 3; i++)
		event_free(sigs[i]);
	directory_shutdown();
	clock_shutdown();
	store_idle_shutdown();
	store_close(env->store);
	msgsig_shutdown();
	evdns_base_free(env->dns, 0);
	SSL_CTX_free(env->peer_ctx);
	SSL_CTX_free(env->dial_ctx);
	SSL_CTX_free(env->op_ctx);
	event_base_free(env->base);
	log_info("stopped");
	return 0;
}
