/*
 * pocd's configuration file (INI, parsed by inih).
 *
 * Every key is one row of config_keys: section, name, type, where it goes,
 * its bounds.  inih does not report line numbers to the handler, so the file
 * is fed through a reader that counts lines; the handler runs right after
 * its line is read, which makes "file:line: message" exact.  Relative paths
 * are taken relative to the directory of the configuration file.
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

#include <ini.h>

#include "config.h"
#include "log.h"
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
	{ "peer_listener", "listen", CT_ADDR, S(peer.listen), 0, 0, NULL },
	{ "peer_listener", "ca", CT_PATH, S(peer.ca), 0, 0, NULL },
	{ "peer_listener", "cert", CT_PATH, S(peer.cert), 0, 0, NULL },
	{ "peer_listener", "key", CT_PATH, S(peer.key), 0, 0, NULL },
	{ "peer_listener", "crl", CT_PATH, S(peer.crl), 0, 0, NULL },
	{ "operator_listener", "listen", CT_ADDR, S(op.listen), 0, 0, NULL },
	{ "operator_listener", "ca", CT_PATH, S(op.ca), 0, 0, NULL },
	{ "operator_listener", "cert", CT_PATH, S(op.cert), 0, 0, NULL },
	{ "operator_listener", "key", CT_PATH, S(op.key), 0, 0, NULL },
	{ "operator_listener", "crl", CT_PATH, S(op.crl), 0, 0, NULL },
	{ "limits", "max_frame", CT_SIZE, N(max_frame), 1024, 16 << 20,
	    NULL },
	{ "limits", "max_connections", CT_INT, N(max_connections), 1,
	    100000, NULL },
	{ "limits", "max_connections_per_address", CT_INT,
	    N(max_connections_per_address), 1, 100000, NULL },
	{ "limits", "handshake_timeout", CT_INT, N(handshake_timeout), 1,
	    600, NULL },
	{ "limits", "idle_timeout", CT_INT, N(idle_timeout), 1, 86400, NULL },
	{ "limits", "max_queued_bytes_per_peer", CT_SIZE,
	    N(max_queued_bytes_per_peer), 65536, 1LL << 32, NULL },
	{ "delivery", "retry_initial", CT_INT, N(retry_initial), 1, 3600,
	    NULL },
	{ "delivery", "retry_max", CT_INT, N(retry_max), 1, 86400, NULL },
	{ "delivery", "window", CT_INT, N(window), 1, 1024, NULL },
};

#undef S
#undef N

struct config_parse {
	struct config	*c;
	FILE		*f;
	int		 line;
	int		 errors;
	char		 dir[PATH_MAX];
	unsigned char	 seen[sizeof(config_keys) / sizeof(config_keys[0])];
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
	c->handshake_timeout = 10;
	c->idle_timeout = 300;
	c->max_queued_bytes_per_peer = 8 * 1024 * 1024;
	c->retry_initial = 1;
	c->retry_max = 300;
	c->window = 64;
}

static void config_error(struct config_parse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
config_error(struct config_parse *p, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s:%d: ", p->c->path, p->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	p->errors++;
}

/* inih reader: fgets that counts lines for the handler's messages. */
static char *
config_reader(char *str, int num, void *stream)
{
	struct config_parse	*p = stream;
	char			*r;

	if ((r = fgets(str, num, p->f)) != NULL)
		p->line++;
	return r;
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
		if (v[0] == '\0' && strcmp(k->name, "crl") == 0) {
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
	config_error(p, "%s: value too long", k->name);
	return -1;
}

/* A [peer CODE] section's key. */
static int
config_peer_key(struct config_parse *p, const char *code, const char *name,
    const char *v)
{
	struct config		*c = p->c;
	struct config_peer	*peer = NULL;
	char			 host[256], port[16];
	int			 i;

	if (!validate_member_code(code)) {
		config_error(p, "[peer %s]: \"%s\" is not a member code", code,
		    code);
		return 0;
	}
	for (i = 0; i < c->npeers; i++)
		if (strcmp(c->peers[i].member, code) == 0)
			peer = &c->peers[i];
	if (peer == NULL) {
		if (c->npeers == CONFIG_MAX_PEERS) {
			config_error(p, "more than %d [peer] sections",
			    CONFIG_MAX_PEERS);
			return 0;
		}
		peer = &c->peers[c->npeers++];
		snprintf(peer->member, sizeof(peer->member), "%s", code);
	}
	if (strcmp(name, "endpoint") != 0) {
		config_error(p, "[peer %s]: unknown key \"%s\" (known: endpoint)",
		    code, name);
		return 0;
	}
	if (util_split_hostport(v, host, sizeof(host), port,
	    sizeof(port)) != 0 ||
	    (size_t)snprintf(peer->endpoint, sizeof(peer->endpoint), "%s", v) >=
	    sizeof(peer->endpoint))
		config_error(p, "[peer %s] endpoint: expected host:port, got "
		    "\"%s\"", code, v);
	return 0;
}

/* inih handler: one key = value line in a section. */
static int
config_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_parse	*p = user;
	size_t			 i;
	int			 section_known = 0;

	if (strncmp(section, "peer ", 5) == 0)
		return config_peer_key(p, section + 5, name, value) == 0;
	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		if (strcmp(config_keys[i].section, section) != 0)
			continue;
		section_known = 1;
		if (strcmp(config_keys[i].name, name) != 0)
			continue;
		if (p->seen[i]) {
			config_error(p, "[%s] %s: given twice", section, name);
			return 1;
		}
		p->seen[i] = 1;
		config_set(p, &config_keys[i], value);
		return 1;
	}
	if (!section_known)
		config_error(p, "unknown section [%s] (known: node, "
		    "peer_listener, operator_listener, limits, delivery, "
		    "peer CODE)", section);
	else
		config_error(p, "[%s]: unknown key \"%s\"", section, name);
	return 1;
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

	p->line = 0;
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
	for (k = 0; k < c->npeers; k++) {
		if (c->peers[k].endpoint[0] == '\0')
			config_error(p, "[peer %s] endpoint is required",
			    c->peers[k].member);
		if (strcmp(c->peers[k].member, c->member) == 0)
			config_error(p, "[peer %s] is this node itself",
			    c->peers[k].member);
	}
}

int
config_load(struct config *c, const char *path)
{
	struct config_parse	 p;
	char			 tmp[PATH_MAX];
	int			 r;

	config_defaults(c);
	memset(&p, 0, sizeof(p));
	p.c = c;
	snprintf(c->path, sizeof(c->path), "%s", path);
	if ((p.f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	if (realpath(path, tmp) == NULL)
		snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(p.dir, sizeof(p.dir), "%s", dirname(tmp));
	r = ini_parse_stream(config_reader, &p, config_handler, &p);
	fclose(p.f);
	if (r > 0) {
		p.line = r;
		config_error(&p, "syntax error (expected [section] or "
		    "key = value)");
	} else if (r < 0) {
		config_error(&p, "cannot read the file");
	}
	config_check(&p);
	return p.errors ? -1 : 0;
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

		if (strcmp(section, key->section) != 0) {
			fprintf(out, "%s[%s]\n", i ? "\n" : "", key->section);
			section = key->section;
		}
		fprintf(out, "%s = ", key->name);
		switch (key->type) {
		case CT_STR:
		case CT_PATH:
		case CT_ADDR:
		case CT_MEMBER:
		case CT_LOGTARGET:
			fprintf(out, "%s", v);
			break;
		case CT_INT:
			fprintf(out, "%d", *(const int *)(const void *)v);
			break;
		case CT_SIZE:
			fprintf(out, "%zu", *(const size_t *)(const void *)v);
			break;
		case CT_LOGLEVEL:
			fprintf(out, "%s",
			    log_level_name(*(const int *)(const void *)v));
			break;
		case CT_SYNC:
			fprintf(out, "%s",
			    *(const int *)(const void *)v ? "full" : "normal");
			break;
		}
		if (key->help != NULL)
			fprintf(out, "\t# %s", key->help);
		fputc('\n', out);
	}
	for (k = 0; k < c->npeers; k++)
		fprintf(out, "\n[peer %s]\nendpoint = %s\n", c->peers[k].member,
		    c->peers[k].endpoint);
}

const struct config_peer *
config_peer_get(const struct config *c, const char *member)
{
	int	 i;

	for (i = 0; i < c->npeers; i++)
		if (strcmp(c->peers[i].member, member) == 0)
			return &c->peers[i];
	return NULL;
}
