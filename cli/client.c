/*
 * pocctl's config file and its RPC round trip with the node.
 *
 * The config is a small INI file (read by common/inifile) with one
 * [pocctl] section: where the node's operator listener is, the member code
 * its certificate must carry, the CA that issued that certificate, and the
 * operator's own certificate and key.  Unknown keys and sections are
 * errors, so a typo is reported instead of silently ignored; relative paths
 * are taken from the config file's directory.  Every error names the file
 * and the key.
 */
#include <err.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "conn.h"
#include "inifile.h"
#include "tls.h"

#define CLIENT_MAX_FRAME	(16 * 1024 * 1024)	/* replies with lists */

struct client {
	struct conn	*conn;
	int		 timeout_ms;	/* in force: --timeout or the config's */
};

/* What the INI parser carries between callbacks. */
struct client_parse {
	struct client_config	*c;
	char			 dir[PATH_MAX];	/* the config's directory */
	unsigned int		 seen;		/* bit per key */
};

struct client_key {
	const char	*name;
	size_t		 off;		/* in struct client_config */
	size_t		 len;
	int		 is_path;
	int		 required;
};

static const struct client_key client_keys[] = {
	{ "node", offsetof(struct client_config, node),
	  sizeof(((struct client_config *)0)->node), 0, 1 },
	{ "member", offsetof(struct client_config, member),
	  sizeof(((struct client_config *)0)->member), 0, 1 },
	{ "ca", offsetof(struct client_config, ca),
	  sizeof(((struct client_config *)0)->ca), 1, 1 },
	{ "cert", offsetof(struct client_config, cert),
	  sizeof(((struct client_config *)0)->cert), 1, 1 },
	{ "key", offsetof(struct client_config, key),
	  sizeof(((struct client_config *)0)->key), 1, 1 },
	{ "crl", offsetof(struct client_config, crl),
	  sizeof(((struct client_config *)0)->crl), 1, 0 },
	{ "timeout", 0, 0, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

/* The config read without -c or $POCCTL_CONFIG; the Makefile compiles
 * it in from PREFIX (only here, so that one object holds it). */
#ifndef CLIENT_DEFAULT_CONFIG
#define CLIENT_DEFAULT_CONFIG	"/usr/local/etc/pocd/pocctl.conf"
#endif

const char *
client_default_config(void)
{
	return CLIENT_DEFAULT_CONFIG;
}

/* Picks the config file: -c, then $POCCTL_CONFIG, then the default. */
const char *
client_config_path(const char *arg)
{
	const char	*env;

	if (arg != NULL)
		return arg;
	if ((env = getenv("POCCTL_CONFIG")) != NULL && env[0] != '\0')
		return env;
	return CLIENT_DEFAULT_CONFIG;
}

/* inifile reporter: the first error in the file ends pocctl. */
static void __attribute__((noreturn))
client_ini_report(struct inifile *f, const char *text)
{
	(void)f;
	errx(1, "%s", text);
}

/* inifile handler: stores one key; unknown keys and sections and bad
 * values are errors. */
static void
client_ini_key(struct inifile *f, const char *section, const char *name,
    const char *value)
{
	struct client_parse	*p = f->arg;
	const struct client_key	*k;
	char			*dst, *end;
	double			 sec;
	int			 n, i;

	if (strcmp(section, "pocctl") != 0) {
		inifile_error(f, "key '%s' in section [%s]: pocctl reads only "
		    "[pocctl]", name, section);
		return;
	}
	for (i = 0, k = client_keys; k->name != NULL; k++, i++)
		if (strcmp(k->name, name) == 0)
			break;
	if (k->name == NULL) {
		inifile_error(f, "unknown key '%s' (known: node, member, ca, "
		    "cert, key, crl, timeout)", name);
		return;
	}
	p->seen |= 1u << i;
	if (value[0] == '\0') {
		inifile_error(f, "key '%s' is empty", name);
		return;
	}
	if (strcmp(name, "timeout") == 0) {
		errno = 0;
		sec = strtod(value, &end);
		if (errno != 0 || *end != '\0' || !(sec > 0 && sec <= 3600))
			inifile_error(f, "key 'timeout': \"%s\" is not a "
			    "number of seconds between 0 and 3600", value);
		else
			p->c->timeout_ms = (int)(sec * 1000);
		return;
	}
	dst = (char *)p->c + k->off;
	if (k->is_path && value[0] != '/')
		n = snprintf(dst, k->len, "%s/%s", p->dir, value);
	else
		n = snprintf(dst, k->len, "%s", value);
	if (n < 0 || (size_t)n >= k->len)
		inifile_error(f, "key '%s' is too long", name);
}

/* Parses the INI file into c and checks that every required key is there
 * and every file it names is readable. */
void
client_config_load(struct client_config *c, const char *path)
{
	struct client_parse	 p;
	struct inifile		 ini;
	const struct client_key	*k;
	const char		*slash;
	char			*v;
	int			 i;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	p.c = c;
	c->timeout_ms = CLIENT_DEFAULT_TIMEOUT;
	if (strlen(path) >= sizeof(c->path))
		errx(1, "config path too long: %s", path);
	snprintf(c->path, sizeof(c->path), "%s", path);
	if ((slash = strrchr(path, '/')) == NULL)
		snprintf(p.dir, sizeof(p.dir), ".");
	else if (slash == path)
		snprintf(p.dir, sizeof(p.dir), "/");
	else
		snprintf(p.dir, sizeof(p.dir), "%.*s", (int)(slash - path),
		    path);

	memset(&ini, 0, sizeof(ini));
	ini.path = path;
	ini.key = client_ini_key;
	ini.report = client_ini_report;
	ini.arg = &p;
	if (inifile_parse(&ini) == -1)
		errx(1, "cannot read config %s: %s (give another with -c FILE "
		    "or POCCTL_CONFIG)", path, strerror(errno));

	for (i = 0, k = client_keys; k->name != NULL; k++, i++) {
		if (k->required && !(p.seen & (1u << i)))
			errx(1, "%s: missing key '%s' in [pocctl]: add it "
			    "(see FILES in pocctl(1))", path, k->name);
		if (!k->is_path || !(p.seen & (1u << i)))
			continue;
		v = (char *)c + k->off;
		if (access(v, R_OK) == -1)
			err(1, "%s: key '%s': cannot read %s (check the path "
			    "and that you may read it)", path, k->name, v);
	}
}

/* Loads the config and opens the mutually authenticated connection to the
 * node. */
struct client *
client_open(const char *path, int timeout_ms)
{
	struct client	*cl;
	char		 errbuf[1536];

	if ((cl = client_try_open(path, timeout_ms, errbuf,
	    sizeof(errbuf))) == NULL)
		errx(1, "%s", errbuf);
	return cl;
}

struct client *
client_try_open(const char *path, int timeout_ms, char *errbuf,
    size_t errlen)
{
	struct client_config	 cfg;
	struct tls_opts		 o;
	struct client		*cl;

	client_config_load(&cfg, path);
	memset(&o, 0, sizeof(o));
	o.ca_file = cfg.ca;
	o.cert_file = cfg.cert;
	o.key_file = cfg.key;
	o.crl_file = cfg.crl[0] ? cfg.crl : NULL;
	o.server = 0;
	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		err(1, "calloc");
	cl->timeout_ms = timeout_ms > 0 ? timeout_ms : cfg.timeout_ms;
	cl->conn = conn_open(cfg.node, &o, cfg.member, cl->timeout_ms,
	    CLIENT_MAX_FRAME, errbuf, errlen);
	if (cl->conn == NULL) {
		free(cl);
		return NULL;
	}
	return cl;
}

int
client_timeout_ms(const struct client *cl)
{
	return cl->timeout_ms;
}

void
client_close(struct client *cl)
{
	if (cl == NULL)
		return;
	conn_close(cl->conn);
	free(cl);
}

/* One round trip: sends the request, waits for its reply. */
Poc__OpReply *
client_call(struct client *cl, const Poc__OpRequest *req)
{
	Poc__OpReply	*r;
	char		 errbuf[1536];

	if (client_send(cl, req, errbuf, sizeof(errbuf)) == -1 ||
	    (r = client_recv(cl, errbuf, sizeof(errbuf))) == NULL)
		errx(1, "%s", errbuf);
	return r;
}

int
client_send(struct client *cl, const Poc__OpRequest *req, char *errbuf,
    size_t errlen)
{
	return conn_send(cl->conn, &req->base, errbuf, errlen);
}

Poc__OpReply *
client_recv(struct client *cl, char *errbuf, size_t errlen)
{
	return (Poc__OpReply *)conn_recv(cl->conn, &poc__op_reply__descriptor,
	    errbuf, errlen);
}

void
client_reply_free(Poc__OpReply *r)
{
	if (r != NULL)
		protobuf_c_message_free_unpacked(&r->base, NULL);
}

/* Turns an OpError into a message that says what to do, and exits 1. */
void
client_fail(const Poc__OpError *e, const char *arg)
{
	size_t	 i;

	switch (e->code) {
	case POC__OP_ERROR__CODE__NOT_FOUND:
		if (arg != NULL)
			errx(1, "no message matches \"%s\" (see 'pocctl "
			    "inbox' and 'pocctl outbox')", arg);
		errx(1, "not found: %s", e->message);
	case POC__OP_ERROR__CODE__AMBIGUOUS:
		if (arg != NULL)
			errx(1, "\"%s\" matches more than one message: give "
			    "more characters of the id", arg);
		errx(1, "ambiguous: %s", e->message);
	case POC__OP_ERROR__CODE__INVALID:
		warnx("the node refused the request: %s", e->message);
		for (i = 0; i < e->n_field_errors; i++)
			fprintf(stderr, "  %s  %s\n", e->field_errors[i]->field,
			    e->field_errors[i]->message);
		exit(1);
	case POC__OP_ERROR__CODE__INTERNAL:
		errx(1, "the node could not serve the request: %s (see the "
		    "node's log)", e->message);
	default:
		errx(1, "the node refused the request: %s (see 'pocctl "
		    "help' for the command's arguments)", e->message);
	}
}

/* Checks the kind of a reply, failing on OpError or anything unexpected. */
void
client_expect(const Poc__OpReply *r, Poc__OpReply__KindCase want,
    const char *arg)
{
	if (r->kind_case == want)
		return;
	if (r->kind_case == POC__OP_REPLY__KIND_ERROR)
		client_fail(r->error, arg);
	errx(1, "unexpected reply from the node (kind %d, expected %d): "
	    "are pocctl and pocd the same version?", (int)r->kind_case,
	    (int)want);
}

/* Fetches one message by id or unique prefix (OpShow). */
Poc__OpReply *
client_show(struct client *cl, const char *id, const Poc__StoredMessage **out)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpShow	 show = POC__OP_SHOW__INIT;
	Poc__OpReply	*r;

	show.id = (char *)id;
	req.kind_case = POC__OP_REQUEST__KIND_SHOW;
	req.show = &show;
	r = client_call(cl, &req);
	client_expect(r, POC__OP_REPLY__KIND_MESSAGES, id);
	if (r->messages->n_messages == 0 ||
	    r->messages->messages[0]->envelope == NULL)
		errx(1, "no message matches \"%s\" (see 'pocctl inbox' and "
		    "'pocctl outbox')", id);
	if (r->messages->n_messages > 1)
		errx(1, "\"%s\" matches more than one message: give more "
		    "characters of the id", id);
	*out = r->messages->messages[0];
	return r;
}

/* One OpStatusRequest. */
Poc__OpReply *
client_status(struct client *cl)
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__OpStatusRequest	 st = POC__OP_STATUS_REQUEST__INIT;
	Poc__OpReply		*r;

	req.kind_case = POC__OP_REQUEST__KIND_STATUS;
	req.status = &st;
	r = client_call(cl, &req);
	client_expect(r, POC__OP_REPLY__KIND_STATUS, NULL);
	return r;
}
