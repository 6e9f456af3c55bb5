/*
 * What pocctl's commands share: the argument parser, usage errors, a
 * command's help, and the checks and round trips several commands make.
 * Each command lists the options it takes; the global options are
 * accepted after the command name as well, so `pocctl inbox --json` works
 * like `pocctl --json inbox`.  The table of commands (cmd_table.c) and
 * main (pocctl.c) sit above the commands, this file below them.
 */
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/i18n.h"
#include "validate.h"

/* Prints the help of one command. */
void
cmd_help(const struct cmd *c)
{
	printf("usage: pocctl %s%s%s\n\n%s.\n", c->name, c->usage[0] ? " " :
	    "", c->usage, c->summary);
	if (c->help != NULL)
		printf("\n%s\n", c->help);
}

/* Prints what was wrong, the usage line of the command and where to read
 * more, then exits 2. */
void
cmd_usage(const struct ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fprintf(stderr, "%s %s: ", program_invocation_short_name,
	    ctx->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s %s%s%s\n(see '%s help %s')\n",
	    program_invocation_short_name, ctx->cmd->name,
	    ctx->cmd->usage[0] ? " " : "", ctx->cmd->usage,
	    program_invocation_short_name, ctx->cmd->name);
	exit(2);
}

/* Seconds (fractions allowed) to milliseconds. */
int
cmd_parse_timeout(const char *s)
{
	double	 sec;
	char	*end;

	errno = 0;
	sec = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(sec > 0 &&
	    sec <= 3600))
		return -1;
	return sec * 1000 < 1 ? 1 : (int)(sec * 1000);
}

/* Checks an id argument against the shortest prefix the node takes. */
void
cmd_id_prefix(const struct ctx *ctx, const char *id)
{
	if (strlen(id) < VALIDATE_ID_PREFIX_MIN)
		cmd_usage(ctx, "ID \"%s\" is too short: give at least %d "
		    "characters of it", id, VALIDATE_ID_PREFIX_MIN);
}

/* -c FILE, else $POCCTL_CONFIG, else the default; --timeout, else the
 * config's. */
struct client *
cmd_open(const struct ctx *ctx)
{
	return client_open(client_config_path(ctx->config), ctx->timeout_ms);
}

/* Open, call, close: the reply outlives the connection. */
Poc__OpReply *
cmd_call(const struct ctx *ctx, const Poc__OpRequest *req)
{
	struct client	*cl;
	Poc__OpReply	*r;

	cl = cmd_open(ctx);
	r = client_call(cl, req);
	client_close(cl);
	return r;
}

/* Opens a connection (*clp) and fetches one message. */
Poc__OpReply *
cmd_fetch(const struct ctx *ctx, const char *id, struct client **clp,
    const Poc__StoredMessage **sm)
{
	*clp = cmd_open(ctx);
	return client_show(*clp, id, sm);
}

/* A whole number from 1 to max, else bad usage. */
uint32_t
cmd_limit(const struct ctx *ctx, const char *s, long max)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 1 || n > max)
		cmd_usage(ctx, "--limit wants a number from 1 to %ld, not "
		    "\"%s\"", max, s);
	return (uint32_t)n;
}

/* Takes the value of option a (at argv[*i]): after '=' or the next
 * argument.  Exits 2 when there is none. */
static const char *
cmd_optval(const struct ctx *ctx, int argc, char **argv, int *i,
    const char *name, const char *eq)
{
	if (eq != NULL)
		return eq + 1;
	if (*i + 1 >= argc)
		cmd_usage(ctx, "option %s needs a value", name);
	return argv[++*i];
}

void
cmd_args(struct ctx *ctx, int argc, char **argv, const struct cmd_opt *opts,
    const char **pos, int minpos, int maxpos)
{
	cmd_args_flags(ctx, argc, argv, opts, NULL, pos, minpos, maxpos);
}

/* Sets the switch of flags named by a (nlen characters after "--");
 * 1 if there was one. */
static int
cmd_flag_set(const struct ctx *ctx, const struct cmd_flag *flags,
    const char *a, size_t nlen, const char *eq)
{
	const struct cmd_flag	*f;

	for (f = flags; f != NULL && f->name != NULL; f++) {
		if (strlen(f->name) != nlen || strncmp(a + 2, f->name,
		    nlen) != 0)
			continue;
		if (eq != NULL)
			cmd_usage(ctx, "option --%s takes no value", f->name);
		*f->on = 1;
		return 1;
	}
	return 0;
}

/* Walks the arguments once: global options, the command's options and
 * switches, then positionals. */
void
cmd_args_flags(struct ctx *ctx, int argc, char **argv,
    const struct cmd_opt *opts, const struct cmd_flag *flags,
    const char **pos, int minpos, int maxpos)
{
	const struct cmd_opt	*o;
	const char		*a, *eq, *v;
	size_t			 nlen;
	int			 i, npos = 0, only_pos = 0;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (npos >= maxpos)
				cmd_usage(ctx, "unexpected argument \"%s\"", a);
			pos[npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cmd_help(ctx->cmd);
			exit(0);
		}
		if (strcmp(a, "--json") == 0) {
			ctx->json = 1;
			continue;
		}
		if (strncmp(a, "-c", 2) == 0 && a[2] != '-') {
			ctx->config = a[2] != '\0' ? a + 2 :
			    cmd_optval(ctx, argc, argv, &i, "-c", NULL);
			continue;
		}
		if (strncmp(a, "--", 2) != 0)
			cmd_usage(ctx, "unknown option %s", a);
		eq = strchr(a, '=');
		nlen = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (nlen == strlen("config") &&
		    strncmp(a + 2, "config", nlen) == 0) {
			ctx->config = cmd_optval(ctx, argc, argv, &i,
			    "--config", eq);
			continue;
		}
		if (nlen == strlen("timeout") &&
		    strncmp(a + 2, "timeout", nlen) == 0) {
			v = cmd_optval(ctx, argc, argv, &i, "--timeout", eq);
			if ((ctx->timeout_ms = cmd_parse_timeout(v)) == -1)
				cmd_usage(ctx, "--timeout wants seconds "
				    "between 0 and 3600, not \"%s\"", v);
			continue;
		}
		if (nlen == strlen("lang") &&
		    strncmp(a + 2, "lang", nlen) == 0) {
			v = cmd_optval(ctx, argc, argv, &i, "--lang", eq);
			if (i18n_init(v) != 0)
				cmd_usage(ctx, "--lang wants a language such "
				    "as %s, not \"%s\"", I18N_LANGS, v);
			ctx->lang = v;
			continue;
		}
		if (cmd_flag_set(ctx, flags, a, nlen, eq))
			continue;
		for (o = opts; o != NULL && o->name != NULL; o++)
			if (strlen(o->name) == nlen &&
			    strncmp(a + 2, o->name, nlen) == 0)
				break;
		if (o == NULL || o->name == NULL)
			cmd_usage(ctx, "unknown option %.*s", (int)nlen + 2, a);
		*o->val = cmd_optval(ctx, argc, argv, &i, o->name, eq);
	}
	if (npos < minpos)
		cmd_usage(ctx, "missing argument");
	ctx->out = output_get(ctx->json);
}
