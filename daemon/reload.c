/*
 * Configuration reload on SIGHUP (see reload.h).
 *
 * Order matters: the new file is parsed into a separate struct config;
 * keys that only a restart can change (listen addresses, the database,
 * the member code, ...) are put back to their running values with a log
 * line each; then all three TLS contexts are built from the new file
 * names.  Only when everything has loaded are the contexts swapped and the
 * configuration copied over the running one, so a failure at any step
 * leaves the node exactly as it was.  Connections already open keep the
 * context they were made with (OpenSSL counts references); new handshakes
 * use the new certificates, CAs and CRLs.  The [upstream] sections, which
 * are not keys of config.c's table, are then put in force by dirsync.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "directory.h"
#include "dirsync.h"
#include "listener.h"
#include "log.h"
#include "msgsig.h"
#include "node.h"
#include "outbox.h"
#include "reload.h"
#include "store_audit.h"
#include "store_sig.h"
#include "tls.h"
#include "util.h"

static char	 reload_path[1024];
static int	 reload_debug;
static int64_t	 reload_loaded_at;
static uint32_t	 reload_ok, reload_failed;

/* Keys a running node takes from a reloaded file; every other key that
 * changed is logged and waits for a restart. */
static const struct {
	const char	*section;
	const char	*name;		/* NULL: the whole section */
} reload_runtime[] = {
	{ "node", "log_level" },
	{ "directory", "enrollment" },
	{ "directory", "enrollment_rate" },
	{ "peer_listener", "ca" },
	{ "peer_listener", "cert" },
	{ "peer_listener", "key" },
	{ "peer_listener", "crl" },
	{ "operator_listener", "ca" },
	{ "operator_listener", "cert" },
	{ "operator_listener", "key" },
	{ "operator_listener", "crl" },
	{ "limits", NULL },
	{ "delivery", "retry_initial" },
	{ "delivery", "retry_max" },
	{ "deadlines", NULL },
};

void
reload_init(const char *path, int debug)
{
	snprintf(reload_path, sizeof(reload_path), "%s", path);
	reload_debug = debug;
	reload_loaded_at = util_now_ms();
}

void
reload_stats(int64_t *loaded_at, uint32_t *ok, uint32_t *failed)
{
	*loaded_at = reload_loaded_at;
	*ok = reload_ok;
	*failed = reload_failed;
}

int
reload_limits(void)
{
	char	 err[256];

	env->limits.max_frame = env->conf.max_frame;
	env->limits.max_output = env->conf.max_queued_bytes_per_peer;
	env->limits.handshake_timeout = env->conf.handshake_timeout;
	env->limits.idle_timeout = env->conf.idle_timeout;
	listener_set_limits(env->conf.max_connections,
	    env->conf.max_operator_connections,
	    env->conf.max_connections_per_address);
	if (listener_reserve_fds(RELOAD_FD_RESERVE, err, sizeof(err)) != 0) {
		log_warnx("open files: %s; a flood of peer connections could "
		    "then keep operators out", err);
		return -1;
	}
	return 0;
}

/* config_keep_changed callback: 1 (keep the running value) unless the key
 * may change at run time. */
static int
reload_keep_cb(const char *section, const char *name, void *arg)
{
	size_t	 i;

	(void)arg;
	for (i = 0; i < sizeof(reload_runtime) / sizeof(reload_runtime[0]);
	    i++)
		if (strcmp(reload_runtime[i].section, section) == 0 &&
		    (reload_runtime[i].name == NULL ||
		    strcmp(reload_runtime[i].name, name) == 0))
			return 0;
	log_warnx("SIGHUP: [%s] %s changed in %s; it takes effect only "
	    "after a restart (systemctl restart pocd)", section, name,
	    reload_path);
	return 1;
}

/* A TLS context from listener section l; logs and returns NULL on
 * failure. */
static SSL_CTX *
reload_ctx(const char *what, const struct config *c,
    const struct config_listener *l, int server)
{
	struct tls_opts	 o = config_tls_opts(c, l, server);
	char		 err[2048];
	SSL_CTX		*ctx;

	if ((ctx = tls_ctx_new(&o, err, sizeof(err))) == NULL)
		log_warnx("SIGHUP: %s TLS: %s", what, err);
	return ctx;
}

/*
 * After the node certificate changed: the own directory record is renewed
 * (it carries, pins and is signed by the new certificate, so that the
 * operator may then drop the old fingerprint, and an enrollment offers
 * what the connection presents); queued envelopes are signed again with
 * the new key, and the outbox's connections, which still present the old
 * certificate, are closed.  The outbox then dials with the new one and
 * sends the re-signed bytes, which its receivers check against it.  An
 * envelope already taken over the old connection is answered DUPLICATE.
 * Last, the upstreams are pulled at once, which offers them the renewed
 * record.
 */
static void
reload_rotated(void)
{
	uint8_t	*der;
	size_t	 len;
	int	 n;

	(void)directory_rotated();	/* logged */
	if (msgsig_own_der(&der, &len) == -1) {
		log_warnx("msgsig: cannot encode the new node certificate; "
		    "queued envelopes keep their old signatures");
		return;
	}
	n = store_resign_queued(env->store, msgsig_sign, der, len,
	    util_now_ms());
	free(der);
	if (n == -1)
		log_warnx("msgsig: queued envelopes could not be signed again; "
		    "receivers will refuse them");
	else
		log_info("msgsig: %d queued envelope%s signed with the new key",
		    n, n == 1 ? "" : "s");
	outbox_reconnect("the node certificate changed");
	(void)dirsync_now();
}

/* SIGHUP: reads the file again and puts what changed in force. */
int
reload_run(void)
{
	struct config	*nc;
	SSL_CTX		*peer = NULL, *dial = NULL, *op = NULL;
	char		 sigerr[1024];
	int		 kept, rotated, ups;

	log_info("SIGHUP: reloading %s", reload_path);
	if ((nc = calloc(1, sizeof(*nc))) == NULL) {
		log_warn("SIGHUP: calloc");
		goto refused;
	}
	if (config_load(nc, reload_path) != 0) {
		log_warnx("SIGHUP: %s has errors (printed on standard error "
		    "as file:line: message; check it with pocd -n -c %s)",
		    reload_path, reload_path);
		goto refused;
	}
	kept = config_keep_changed(nc, &env->conf, reload_keep_cb, NULL);
	if ((peer = reload_ctx("peer listener", nc, &nc->peer, 1)) == NULL ||
	    (dial = reload_ctx("outgoing", nc, &nc->peer, 0)) == NULL ||
	    (op = reload_ctx("operator listener", nc, &nc->op, 1)) == NULL)
		goto refused;
	/* Envelopes are signed with the key of the node certificate that
	 * new connections present (msgsig.h). */
	if ((rotated = msgsig_init(nc->peer.key, nc->peer.cert, sigerr,
	    sizeof(sigerr))) == -1) {
		log_warnx("SIGHUP: envelope signing key: %s", sigerr);
		goto refused;
	}

	SSL_CTX_free(env->peer_ctx);
	SSL_CTX_free(env->dial_ctx);
	SSL_CTX_free(env->op_ctx);
	env->peer_ctx = peer;
	env->dial_ctx = dial;
	env->op_ctx = op;
	memcpy(&env->conf, nc, sizeof(*nc));
	free(nc);
	(void)reload_limits();	/* in force; a short rlimit is logged */
	log_setlevel(reload_debug ? LOG_DEBUG : env->conf.log_level);
	/* Before a rotation's pulls, so that they go to the new set. */
	ups = dirsync_reload() == 0;	/* else out of memory: old set kept */
	if (rotated)
		reload_rotated();
	reload_loaded_at = util_now_ms();
	reload_ok++;
	log_info("SIGHUP: %s reloaded: certificates, keys, CAs, CRLs, "
	    "limits, retry delays, deadlines, %sand log level (%s) in "
	    "force%s%s",
	    reload_path, ups ? "upstreams " : "",
	    log_level_name(env->conf.log_level),
	    kept ? "; some keys wait for a restart" : "",
	    ups ? "" : "; the upstreams are not (out of memory): the running "
	    "set is kept, send SIGHUP again");
	return 0;

refused:
	SSL_CTX_free(peer);
	SSL_CTX_free(dial);
	SSL_CTX_free(op);
	free(nc);
	reload_failed++;
	log_warnx("SIGHUP: reload refused; the running configuration, "
	    "certificates and CRLs stay in force");
	return -1;
}
