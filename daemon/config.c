/*
 * pocd's configuration file (INI, read by common/inifile).
 *
 * Every key is one row of config_keys: section, name, type, where it goes,
 * its bounds.  Each error names "file:line" (inifile counts the lines).
 * Relative paths are taken relative to the directory of the configuration
 * file.
 */
#include <errno.h>
#include <stdarg.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config.h"
#include "evfmt.h"
#include "inifile.h"
#include "log.h"
#include "sig.h"
#include "util.h"
#include "validate.h"

enum config_type {
	CT_STR,		/* text */
	CT_PATH,	/* file name, made absolute */
	CT_ADDR,	/* host:port */
	CT_INT,		/* int within [min, max] */
	CT_SIZE,	/* size_t within [min, max] */
	CT_LOGLEVEL,
	CT_LOGTARGET,
	CT_SYNC,
	CT_MEMBER,
	CT_URGENCY,	/* ROUTINE .. FLASH */
	CT_ENROLL,	/* manual, open or off */
};

struct config_key {
	const char		*section;
	const char		*name;
	enum config_type	 type;
	size_t			 off;
	size_t			 len;	/* CT_STR/CT_PATH/CT_ADDR buffer size */
	long long		 min, max;
	const char		*help;
};

#define S(f)	offsetof(struct config, f), sizeof(((struct config *)0)->f)
#define N(f)	offsetof(struct config, f), 0

static const struct config_key config_keys[] = {
	{ "node", "member", CT_MEMBER, S(member), 0, 0,
	    "this node's member code (= CN of its certificate)" },
	{ "node", "database", CT_PATH, S(database), 0, 0,
	    "SQLite database file" },
	{ "node", "log", CT_LOGTARGET, S(log_target), 0, 0,
	    "stderr or syslog" },
	{ "node", "log_level", CT_LOGLEVEL, N(log_level), 0, 0,
	    "error, warning, notice, info or debug" },
	{ "node", "synchronous", CT_SYNC, N(sync_full), 0, 0,
	    "full (fsync every commit) or normal" },
	{ "node", "endpoint", CT_ADDR, S(endpoint), 0, 0,
	    "host:port where other members reach the peer listener "
	    "(published in the own directory record)" },
	{ "directory", "sync_interval", CT_INT, N(sync_interval), 0, 86400,
	    "seconds between pulls from the upstreams; 0 = on demand only" },
	{ "directory", "record_lifetime", CT_INT, N(record_lifetime), 1,
	    3660, "days until the own record, as first created, expires" },
	{ "directory", "enrollment", CT_ENROLL, S(enrollment), 0, 0,
	    "members with no record here that ask to join: manual (the "
	    "operator approves), open (taken at first contact) or off" },
	{ "directory", "enrollment_rate", CT_INT, N(enrollment_rate), 0,
	    100000, "enrolling connections a minute per remote address and "
	    "per member code; 0 = no limit" },
	{ "peer_listener", "listen", CT_ADDR, S(peer.listen), 0, 0,
	    "host:port where other members connect" },
	{ "peer_listener", "ca", CT_PATH, S(peer.ca), 0, 0,
	    "network CA: the only trust anchor for members" },
	{ "peer_listener", "cert", CT_PATH, S(peer.cert), 0, 0,
	    "node certificate (CN = member code)" },
	{ "peer_listener", "key", CT_PATH, S(peer.key), 0, 0,
	    "node private key" },
	{ "peer_listener", "crl", CT_PATH, S(peer.crl), 0, 0,
	    "network CA CRL; empty = none" },
	{ "operator_listener", "listen", CT_ADDR, S(op.listen), 0, 0,
	    "host:port where operators (pocctl) connect" },
	{ "operator_listener", "ca", CT_PATH, S(op.ca), 0, 0,
	    "this node's operator CA (not the network CA)" },
	{ "operator_listener", "cert", CT_PATH, S(op.cert), 0, 0,
	    "certificate shown to operators" },
	{ "operator_listener", "key", CT_PATH, S(op.key), 0, 0,
	    "its private key" },
	{ "operator_listener", "crl", CT_PATH, S(op.crl), 0, 0,
	    "operator CA CRL; empty = none" },
	{ "limits", "max_frame", CT_SIZE, N(max_frame), 1024, 16 << 20,
	    "largest frame in bytes" },
	{ "limits", "max_connections", CT_INT, N(max_connections), 1,
	    100000, "open connections on the peer listener" },
	{ "limits", "max_operator_connections", CT_INT,
	    N(max_operator_connections), 1, 10000,
	    "open connections on the operator listener (not taken by peers)" },
	{ "limits", "max_connections_per_address", CT_INT,
	    N(max_connections_per_address), 1, 100000,
	    "open connections from one remote address" },
	{ "limits", "clock_tolerance", CT_INT, N(clock_tolerance), 1, 86400,
	    "seconds a peer's clock may differ from ours before a warning, "
	    "and a created_at may lie ahead before it is flagged" },
	{ "limits", "handshake_timeout", CT_INT, N(handshake_timeout), 1,
	    600, "seconds for TCP connect and TLS handshake" },
	{ "limits", "idle_timeout", CT_INT, N(idle_timeout), 1, 86400,
	    "seconds without a whole frame before closing" },
	{ "limits", "max_queued_bytes_per_peer", CT_SIZE,
	    N(max_queued_bytes_per_peer), 65536, 1LL << 32,
	    "reply bytes queued to one connection before reads pause" },
	{ "limits", "tls_session_cache", CT_INT, N(tls_session_cache), 0,
	    1000000, "TLS sessions the peer listener keeps for resumption "
	    "(0: none)" },
	{ "store", "batch_max", CT_INT, N(batch_max), 1, 4096,
	    "envelopes committed in one transaction at most" },
	{ "store", "batch_wait_ms", CT_INT, N(batch_wait_ms), 0, 1000,
	    "longest an envelope waits for more to join its batch "
	    "(0: end of its loop pass)" },
	{ "store", "batch_max_bytes", CT_SIZE, N(batch_max_bytes), 65536,
	    1LL << 30, "packed envelope bytes committed in one transaction "
	    "at most" },
	{ "store", "checkpoint_pages", CT_INT, N(checkpoint_pages), 0,
	    1000000, "WAL pages that start a checkpoint in the background "
	    "(0: inside the commit, SQLite's own)" },
	{ "store", "verify_threads", CT_INT, N(verify_threads), 0, 64,
	    "threads checking envelope signatures while the loop reads "
	    "(0: on the loop)" },
	{ "store", "cache_release_ms", CT_INT, N(cache_release_ms), 0,
	    3600000, "milliseconds without a statement after which the "
	    "store's page cache is given back (0: never)" },
	{ "delivery", "retry_initial", CT_INT, N(retry_initial), 1, 3600,
	    "first retry delay in seconds, doubled per failure" },
	{ "delivery", "retry_max", CT_INT, N(retry_max), 1, 86400,
	    "retry delay cap in seconds" },
	{ "delivery", "window", CT_INT, N(window), 1, 8192,
	    "envelopes in flight to one peer" },
	{ "checks", "schedule_interval", CT_INT, N(checks_interval), 0,
	    31 * 86400, "seconds between scheduled checks; 0 = none" },
	{ "checks", "targets", CT_STR, S(checks_targets), 0, 0,
	    "all, or member codes separated by commas" },
	{ "checks", "reply_within", CT_INT, N(checks_reply_within), 1,
	    31 * 86400, "seconds the people have to reply" },
	{ "deadlines", "flash", CT_INT, N(deadline_flash), 1, 366 * 86400,
	    "seconds to acknowledge a FLASH case" },
	{ "deadlines", "immediate", CT_INT, N(deadline_immediate), 1,
	    366 * 86400, "seconds to acknowledge an IMMEDIATE case" },
	{ "deadlines", "priority", CT_INT, N(deadline_priority), 1,
	    366 * 86400, "seconds to acknowledge a PRIORITY case" },
	{ "deadlines", "routine", CT_INT, N(deadline_routine), 1,
	    366 * 86400, "seconds to acknowledge a ROUTINE case" },
	{ "deadlines", "none", CT_INT, N(deadline_none), 1, 366 * 86400,
	    "no urgency given" },
	{ "alert", "command", CT_PATH, S(alert_command), 0, 0,
	    "program run for each alert (no shell); empty = no alerts" },
	{ "alert", "args", CT_STR, S(alert_args), 0, 0,
	    "its arguments, separated by blanks (no quoting)" },
	{ "alert", "urgency", CT_URGENCY, N(alert_urgency), 0, 0,
	    "lowest urgency of an incoming request or notification that "
	    "alerts" },
	{ "alert", "timeout", CT_INT, N(alert_timeout), 1, 3600,
	    "seconds a run may take before it is killed" },
	{ "alert", "max_running", CT_INT, N(alert_max_running), 1, 64,
	    "commands running at once" },
	{ "alert", "attempts", CT_INT, N(alert_attempts), 1, 1000,
	    "runs of one alert before it is given up" },
	{ "alert", "retry", CT_INT, N(alert_retry), 1, 86400,
	    "seconds before a failed alert runs again, doubled each time" },
	{ "alert", "delivery_failing", CT_INT, N(alert_delivery_failing), 1,
	    31 * 86400, "seconds a message of ours waits undelivered "
	    "before it alerts" },
	{ "alert", "keep_days", CT_INT, N(alert_keep_days), 1, 3660,
	    "days events are kept for pocctl watch" },
	{ "audit", "head_interval", CT_INT, N(audit_head_interval), 0, 86400,
	    "seconds between signed audit heads sent to connected peers "
	    "(0: only when a connection comes up and with receipts)" },
};

#undef S
#undef N

struct config_parse {
	struct inifile	 ini;
	struct config	*c;
	char		 dir[PATH_MAX];
	unsigned char	 seen[sizeof(config_keys) / sizeof(config_keys[0])];
	/* Per [upstream CODE], in c->upstreams' order: the line of its
	 * header and how many keys it gave. */
	int		 up_line[CONFIG_MAX_UPSTREAMS];
	int		 up_keys[CONFIG_MAX_UPSTREAMS];
	/* The section being read, and whether its header was refused (its
	 * keys are then not reported again, one by one). */
	char		 section[256];
	int		 section_bad;
};

static void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->log_target, sizeof(c->log_target), "stderr");
	c->log_level = LOG_INFO;
	c->sync_full = 1;
	c->max_frame = 1024 * 1024;
	c->max_connections = 1024;
	c->max_connections_per_address = 32;
	c->max_operator_connections = 64;
	c->clock_tolerance = 300;
	c->handshake_timeout = 10;
	c->idle_timeout = 300;
	c->max_queued_bytes_per_peer = 8 * 1024 * 1024;
	c->tls_session_cache = 4096;
	c->batch_max = 256;
	c->batch_wait_ms = 5;
	c->batch_max_bytes = 8 * 1024 * 1024;
	c->checkpoint_pages = 1000;
	c->verify_threads = 1;
	c->cache_release_ms = 1000;
	c->sync_interval = 300;
	c->record_lifetime = 365;
	snprintf(c->enrollment, sizeof(c->enrollment), "manual");
	c->enrollment_rate = 10;
	c->retry_initial = 1;
	c->retry_max = 300;
	c->window = 64;
	c->checks_interval = 0;
	snprintf(c->checks_targets, sizeof(c->checks_targets), "all");
	c->checks_reply_within = 3600;
	c->deadline_flash = 15 * 60;
	c->deadline_immediate = 3600;
	c->deadline_priority = 24 * 3600;
	c->deadline_routine = 72 * 3600;
	c->deadline_none = 72 * 3600;
	c->alert_urgency = POC__URGENCY__PRIORITY;
	c->alert_timeout = 30;
	c->alert_max_running = 4;
	c->alert_attempts = 10;
	c->alert_retry = 30;
	c->alert_delivery_failing = 3600;
	c->alert_keep_days = 30;
	c->audit_head_interval = 300;
}

static void config_error(struct config_parse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
config_error(struct config_parse *p, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	inifile_verror(&p->ini, fmt, ap);
	va_end(ap);
}

/* Parses a decimal integer within [min, max]; 0 or -1. */
static int
config_number(const char *v, long long min, long long max, long long *out)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* Stores one value according to its key's type. */
static int
config_set(struct config_parse *p, const struct config_key *k, const char *v)
{
	char		*dst = (char *)p->c + k->off;
	char		 host[256], port[16];
	long long	 n;
	int		 lvl;

	switch (k->type) {
	case CT_PATH:
		if (v[0] == '\0' && (strcmp(k->name, "crl") == 0 ||
		    strcmp(k->name, "command") == 0)) {
			dst[0] = '\0';
			return 0;
		}
		if (v[0] == '\0')
			goto bad;
		if ((size_t)snprintf(dst, k->len, "%s%s%s",
		    v[0] == '/' ? "" : p->dir, v[0] == '/' ? "" : "/", v) >=
		    k->len)
			goto toolong;
		return 0;
	case CT_STR:
		if ((size_t)snprintf(dst, k->len, "%s", v) >= k->len)
			goto toolong;
		return 0;
	case CT_ADDR:
		if (util_split_hostport(v, host, sizeof(host), port,
		    sizeof(port)) != 0 || atoi(port) < 0 || atoi(port) > 65535) {
			config_error(p, "%s: expected host:port or [v6]:port, "
			    "got \"%s\"", k->name, v);
			return -1;
		}
		if ((size_t)snprintf(dst, k->len, "%s", v) >= k->len)
			goto toolong;
		return 0;
	case CT_MEMBER:
		if (!validate_member_code(v)) {
			config_error(p, "%s: \"%s\" is not a member code "
			    "(2-32 of A-Z 0-9 - _, starting with a letter)",
			    k->name, v);
			return -1;
		}
		snprintf(dst, k->len, "%s", v);
		return 0;
	case CT_INT:
		if (config_number(v, k->min, k->max, &n) != 0) {
			config_error(p, "%s: expected a whole number from %lld "
			    "to %lld, got \"%s\"", k->name, k->min, k->max, v);
			return -1;
		}
		*(int *)(void *)dst = (int)n;
		return 0;
	case CT_SIZE:
		if (config_number(v, k->min, k->max, &n) != 0) {
			config_error(p, "%s: expected a byte count from %lld "
			    "to %lld, got \"%s\"", k->name, k->min, k->max, v);
			return -1;
		}
		*(size_t *)(void *)dst = (size_t)n;
		return 0;
	case CT_LOGLEVEL:
		if ((lvl = log_level_parse(v)) < 0) {
			config_error(p, "%s: expected error, warning, notice, "
			    "info or debug, got \"%s\"", k->name, v);
			return -1;
		}
		*(int *)(void *)dst = lvl;
		return 0;
	case CT_LOGTARGET:
		if (strcmp(v, "stderr") != 0 && strcmp(v, "syslog") != 0) {
			config_error(p, "%s: expected stderr or syslog, got "
			    "\"%s\"", k->name, v);
			return -1;
		}
		snprintf(dst, k->len, "%s", v);
		return 0;
	case CT_URGENCY:
		if ((lvl = evfmt_urgency_parse(v)) < 0) {
			config_error(p, "%s: expected ROUTINE, PRIORITY, "
			    "IMMEDIATE or FLASH, got \"%s\"", k->name, v);
			return -1;
		}
		*(int *)(void *)dst = lvl;
		return 0;
	case CT_ENROLL:
		if (strcmp(v, "manual") != 0 && strcmp(v, "open") != 0 &&
		    strcmp(v, "off") != 0) {
			config_error(p, "%s: expected manual, open or off, got "
			    "\"%s\"", k->name, v);
			return -1;
		}
		snprintf(dst, k->len, "%s", v);
		return 0;
	case CT_SYNC:
		if (strcmp(v, "full") == 0)
			*(int *)(void *)dst = 1;
		else if (strcmp(v, "normal") == 0)
			*(int *)(void *)dst = 0;
		else {
			config_error(p, "%s: expected full or normal, got "
			    "\"%s\"", k->name, v);
			return -1;
		}
		return 0;
	}
bad:
	config_error(p, "%s: a value is required", k->name);
	return -1;
toolong:
	config_error(p, "%s: value too long (at most %zu bytes), got \"%s\"",
	    k->name, k->len - 1, v);
	return -1;
}

/* The index of the [upstream CODE] section in c->upstreams, made on first
 * sight; -1 (reported) if CODE is not a member code or there are too
 * many. */
static int
config_upstream_find(struct config_parse *p, const char *code)
{
	struct config	*c = p->c;
	int		 i;

	if (!validate_member_code(code)) {
		config_error(p, "[upstream %s]: \"%s\" is not a member code",
		    code, code);
		return -1;
	}
	for (i = 0; i < c->nupstreams; i++)
		if (strcmp(c->upstreams[i].member, code) == 0)
			return i;
	if (c->nupstreams == CONFIG_MAX_UPSTREAMS) {
		config_error(p, "more than %d [upstream] sections",
		    CONFIG_MAX_UPSTREAMS);
		return -1;
	}
	i = c->nupstreams++;
	snprintf(c->upstreams[i].member, sizeof(c->upstreams[i].member), "%s",
	    code);
	p->up_line[i] = p->ini.line;
	return i;
}

/* An [upstream CODE] section's key: endpoint or fingerprint. */
static void
config_upstream_key(struct config_parse *p, const char *code, const char *name,
    const char *v)
{
	struct config_upstream	*u;
	char			 host[256], port[16];
	int			 i;

	if ((i = config_upstream_find(p, code)) < 0)
		return;
	u = &p->c->upstreams[i];
	p->up_keys[i]++;
	if (strcmp(name, "endpoint") == 0) {
		/* The same rule as every other host:port key. */
		if (util_split_hostport(v, host, sizeof(host), port,
		    sizeof(port)) != 0 || atoi(port) < 0 ||
		    atoi(port) > 65535 || (size_t)snprintf(u->endpoint,
		    sizeof(u->endpoint), "%s", v) >= sizeof(u->endpoint))
			config_error(p, "[upstream %s] endpoint: expected "
			    "host:port or [v6]:port, got \"%s\"", code, v);
	} else if (strcmp(name, "fingerprint") == 0) {
		if (sig_fingerprint_parse(v, u->fingerprint) != 0)
			config_error(p, "[upstream %s] fingerprint: expected the "
			    "SHA-256 of its node certificate as 64 hex digits "
			    "or in OpenSSL's AB:CD:... form (its 'pocd -F' or "
			    "'pocctl whoami' prints it), got \"%s\"", code, v);
	} else
		config_error(p, "[upstream %s]: unknown key \"%s\" (known: "
		    "endpoint, fingerprint)", code, name);
}

static void
config_unknown_section(struct config_parse *p, const char *section)
{
	config_error(p, "unknown section [%s] (known: node, peer_listener, "
	    "operator_listener, limits, store, delivery, directory, checks, "
	    "deadlines, alert, audit, upstream CODE)", section);
}

/* inifile section handler: each [section] header, keys or none.  An
 * unknown section or an [upstream] of a bad code is reported here once,
 * at its header, also when it is empty. */
static void
config_section(struct inifile *f, const char *section)
{
	struct config_parse	*p = f->arg;
	size_t			 i;

	snprintf(p->section, sizeof(p->section), "%s", section);
	p->section_bad = 0;
	if (strncmp(section, "upstream ", 9) == 0) {
		p->section_bad = config_upstream_find(p, section + 9) < 0;
		return;
	}
	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (strcmp(config_keys[i].section, section) == 0)
			return;
	config_unknown_section(p, section);
	p->section_bad = 1;
}

/* inifile handler: one key = value line in a section. */
static void
config_handler(struct inifile *f, const char *section, const char *name,
    const char *value)
{
	struct config_parse	*p = f->arg;
	size_t			 i;
	int			 section_known = 0;

	if (p->section_bad && strcmp(section, p->section) == 0)
		return;		/* reported at the header */
	if (strncmp(section, "upstream ", 9) == 0) {
		config_upstream_key(p, section + 9, name, value);
		return;
	}
	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		if (strcmp(config_keys[i].section, section) != 0)
			continue;
		section_known = 1;
		if (strcmp(config_keys[i].name, name) != 0)
			continue;
		if (p->seen[i]) {
			config_error(p, "[%s] %s: given twice", section, name);
			return;
		}
		p->seen[i] = 1;
		config_set(p, &config_keys[i], value);
		return;
	}
	if (!section_known)
		config_unknown_section(p, section);
	else
		config_error(p, "[%s]: unknown key \"%s\"", section, name);
}

/* Rules that involve more than one key, checked after the whole file. */
static void
config_check(struct config_parse *p)
{
	struct config	*c = p->c;
	static const struct {
		const char	*section;
		const char	*name;
		size_t		 off;
	} required[] = {
		{ "node", "member", offsetof(struct config, member) },
		{ "node", "database", offsetof(struct config, database) },
		{ "peer_listener", "listen", offsetof(struct config, peer.listen) },
		{ "peer_listener", "ca", offsetof(struct config, peer.ca) },
		{ "peer_listener", "cert", offsetof(struct config, peer.cert) },
		{ "peer_listener", "key", offsetof(struct config, peer.key) },
		{ "operator_listener", "listen", offsetof(struct config, op.listen) },
		{ "operator_listener", "ca", offsetof(struct config, op.ca) },
		{ "operator_listener", "cert", offsetof(struct config, op.cert) },
		{ "operator_listener", "key", offsetof(struct config, op.key) },
	};
	size_t	 i;
	int	 k;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (((char *)c + required[i].off)[0] == '\0')
			config_error(p, "[%s] %s is required", required[i].section,
			    required[i].name);
	if (c->retry_initial > c->retry_max)
		config_error(p, "[delivery] retry_initial (%d) is above "
		    "retry_max (%d)", c->retry_initial, c->retry_max);
	if (c->peer.ca[0] != '\0' && strcmp(c->peer.ca, c->op.ca) == 0)
		config_error(p, "[peer_listener] ca and [operator_listener] ca "
		    "are the same file: operators and members must have "
		    "separate CAs");
	for (k = 0; k < c->nupstreams; k++) {
		if (strcmp(c->upstreams[k].member, c->member) == 0)
			config_error(p, "[upstream %s] is this node itself",
			    c->upstreams[k].member);
		/* An empty section would pull from nowhere, silently: at
		 * its header's line. */
		if (p->up_keys[k] == 0) {
			p->ini.line = p->up_line[k];
			config_error(p, "[upstream %s] is empty: endpoint and "
			    "fingerprint are both missing (%s's peer listener "
			    "as host:port, and the SHA-256 of its node "
			    "certificate that 'pocd -F' prints there)",
			    c->upstreams[k].member, c->upstreams[k].member);
			p->ini.line = 0;
		}
	}
}

int
config_load(struct config *c, const char *path)
{
	struct config_parse	 p;
	char			 tmp[PATH_MAX];

	config_defaults(c);
	memset(&p, 0, sizeof(p));
	p.c = c;
	snprintf(c->path, sizeof(c->path), "%s", path);
	p.ini.path = c->path;
	p.ini.key = config_handler;
	p.ini.section = config_section;
	p.ini.arg = &p;
	if (realpath(path, tmp) == NULL)
		snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(p.dir, sizeof(p.dir), "%s", dirname(tmp));
	if (inifile_parse(&p.ini) == -1) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	config_check(&p);
	return p.ini.errors ? -1 : 0;
}

void
config_print(const struct config *c, FILE *out)
{
	size_t		 i;
	const char	*section = "";
	int		 k;

	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		const struct config_key	*key = &config_keys[i];
		const char		*v = (const char *)c + key->off;
		char			 num[32];
		const char		*val = num;

		if (strcmp(section, key->section) != 0) {
			fprintf(out, "%s[%s]\n", i ? "\n" : "", key->section);
			section = key->section;
		}
		/* The help on a line of its own: a config file takes no
		 * comment after a value, and this output must load again. */
		if (key->help != NULL)
			fprintf(out, "# %s\n", key->help);
		switch (key->type) {
		case CT_STR:
		case CT_PATH:
		case CT_ADDR:
		case CT_MEMBER:
		case CT_LOGTARGET:
		case CT_ENROLL:
			val = v;
			break;
		case CT_INT:
			snprintf(num, sizeof(num), "%d",
			    *(const int *)(const void *)v);
			break;
		case CT_SIZE:
			snprintf(num, sizeof(num), "%zu",
			    *(const size_t *)(const void *)v);
			break;
		case CT_LOGLEVEL:
			val = log_level_name(*(const int *)(const void *)v);
			break;
		case CT_SYNC:
			val = *(const int *)(const void *)v ? "full" : "normal";
			break;
		case CT_URGENCY:
			val = evfmt_urgency_name(
			    (Poc__Urgency)*(const int *)(const void *)v);
			break;
		}
		/* A key not set is printed commented out: "key = " would
		 * read back as an empty value, which an address refuses. */
		fprintf(out, "%s%s = %s", val[0] == '\0' ? "# " : "",
		    key->name, val[0] != '\0' ? val : "(not set)");
		fputc('\n', out);
	}
	for (k = 0; k < c->nupstreams; k++) {
		fprintf(out, "\n[upstream %s]\n", c->upstreams[k].member);
		if (c->upstreams[k].endpoint[0] != '\0')
			fprintf(out, "endpoint = %s\n", c->upstreams[k].endpoint);
		if (c->upstreams[k].fingerprint[0] != '\0')
			fprintf(out, "fingerprint = %s\n",
			    c->upstreams[k].fingerprint);
	}
}

const struct config_upstream *
config_upstream_get(const struct config *c, const char *member)
{
	int	 i;

	for (i = 0; i < c->nupstreams; i++)
		if (strcmp(c->upstreams[i].member, member) == 0)
			return &c->upstreams[i];
	return NULL;
}

/* Bytes key k takes in struct config. */
static size_t
config_key_size(const struct config_key *k)
{
	switch (k->type) {
	case CT_SIZE:
		return sizeof(size_t);
	case CT_INT:
	case CT_LOGLEVEL:
	case CT_SYNC:
	case CT_URGENCY:
		return sizeof(int);
	default:
		return k->len;
	}
}

/* Keys that differ between nc and old go through keep(); those it keeps
 * get old's value back in nc (SIGHUP: what only a restart can change). */
int
config_keep_changed(struct config *nc, const struct config *old,
    int (*keep)(const char *section, const char *name, void *arg), void *arg)
{
	size_t	 i, sz;
	int	 n = 0;

	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		const struct config_key	*k = &config_keys[i];

		sz = config_key_size(k);
		if (memcmp((const char *)nc + k->off,
		    (const char *)old + k->off, sz) == 0)
			continue;
		if (keep(k->section, k->name, arg)) {
			memcpy((char *)nc + k->off, (const char *)old + k->off,
			    sz);
			n++;
		}
	}
	return n;
}

struct tls_opts
config_tls_opts(const struct config *c, const struct config_listener *l,
    int server)
{
	struct tls_opts	 o = {
		.ca_file = l->ca,
		.cert_file = l->cert,
		.key_file = l->key,
		.crl_file = l->crl,
		.server = server,
		/* pocctl makes one request per connection and never
		 * resumes: a cache there would only hold a session per
		 * command run (about 7 KiB each) until it is full. */
		.session_cache = l == &c->op ? 0 : c->tls_session_cache,
	};

	return o;
}
