/*
 * What pocctl's commands share (cmd.c): the entry every command has in
 * the table (cmd_table.c), the context the global options fill in, the
 * argument parser, usage errors, and the id checks and fetches several
 * commands make.  Each group of commands declares its handlers in its own
 * header (cmd_view.h, cmd_send.h, ...).
 */
#ifndef POCCTL_CMD_H
#define POCCTL_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "cli/output.h"

struct client;
struct cmd;

/* What the global options say; a command's own arguments may change it
 * too (`pocctl inbox --json`). */
struct ctx {
	const char		*config;	/* -c FILE, or NULL */
	int			 json;		/* --json */
	int			 timeout_ms;	/* --timeout, 0 = config's */
	const char		*lang;		/* --lang, or NULL */
	const struct output	*out;		/* set by cmd_args() */
	const struct cmd	*cmd;		/* the command running */
};

struct cmd {
	const char	*name;
	const char	*usage;		/* arguments after the name */
	const char	*summary;	/* one line for `pocctl help` */
	int		(*handler)(struct ctx *, int, char **);
	const char	*help;		/* more for `pocctl help CMD`, or NULL */
};

/* A command's option that takes a value: --name VALUE or --name=VALUE. */
struct cmd_opt {
	const char	*name;		/* without the dashes */
	const char	**val;
};

/* A command's switch without a value: --name sets *on to 1. */
struct cmd_flag {
	const char	*name;		/* without the dashes */
	int		*on;
};

/*
 * Parses a command's arguments (argv[0] is the command name): the options
 * in opts, the global options (-c, --json, --timeout, -h/--help) anywhere,
 * and between minpos and maxpos positional arguments stored in pos.  Bad
 * usage exits 2; -h prints the command's help and exits 0.
 */
void	 cmd_args(struct ctx *, int argc, char **argv,
	    const struct cmd_opt *opts, const char **pos, int minpos,
	    int maxpos);

/* The same, with the command's switches too (flags may be NULL). */
void	 cmd_args_flags(struct ctx *, int argc, char **argv,
	    const struct cmd_opt *opts, const struct cmd_flag *flags,
	    const char **pos, int minpos, int maxpos);

/* Reports bad usage of the running command and exits 2. */
void	 cmd_usage(const struct ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

/* Prints the usage, summary and help of c on stdout. */
void	 cmd_help(const struct cmd *c);

/* Checks a message id argument: a unique prefix needs at least
 * VALIDATE_ID_PREFIX_MIN characters; bad usage exits 2. */
void	 cmd_id_prefix(const struct ctx *, const char *id);

/* Connects to the node of the config in force (a client to close). */
struct client *cmd_open(const struct ctx *);

/* One round trip on a connection of its own: the reply to free (an
 * OpError reply too; see client_expect). */
Poc__OpReply *cmd_call(const struct ctx *, const Poc__OpRequest *);

/* Connects to the node (*clp, to close) and fetches the one message id
 * (or a unique prefix) names: the reply to free, holding *sm.  Exits 1
 * if there is none. */
Poc__OpReply *cmd_fetch(const struct ctx *, const char *id,
	    struct client **clp, const Poc__StoredMessage **sm);

/* Parses --limit's N, from 1 to max; bad usage exits 2. */
uint32_t cmd_limit(const struct ctx *, const char *s, long max);

/* Parses --timeout's SEC into ms; -1 if it is not a number in range. */
int	 cmd_parse_timeout(const char *s);

#endif
