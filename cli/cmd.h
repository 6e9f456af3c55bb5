/*
 * pocctl's commands: the entry every command has in the table (cmd.c),
 * the context the global options fill in, the argument parser the
 * commands share, and the handlers.
 */
#ifndef POCCTL_CMD_H
#define POCCTL_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "cli/output.h"

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

/*
 * Parses a command's arguments (argv[0] is the command name): the options
 * in opts, the global options (-c, --json, --timeout, -h/--help) anywhere,
 * and between minpos and maxpos positional arguments stored in pos.  Bad
 * usage exits 2; -h prints the command's help and exits 0.
 */
void	 cmd_args(struct ctx *, int argc, char **argv,
	    const struct cmd_opt *opts, const char **pos, int minpos,
	    int maxpos);

/* Reports bad usage of the running command and exits 2. */
void	 cmd_usage(const struct ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

/* The command called name in the table, or NULL. */
const struct cmd *cmd_find(const char *name);

/* Prints the overall usage and the list of commands on fp. */
void	 cmd_usage_print(FILE *fp);

/* Prints the usage, summary and help of c on stdout. */
void	 cmd_help(const struct cmd *c);

/* Checks a message id argument: a unique prefix needs at least
 * VALIDATE_ID_PREFIX_MIN characters; bad usage exits 2. */
void	 cmd_id_prefix(const struct ctx *, const char *id);

/* Parses --limit's N, from 1 to max; bad usage exits 2. */
uint32_t cmd_limit(const struct ctx *, const char *s, long max);

/* Parses --timeout's SEC into ms; -1 if it is not a number in range. */
int	 cmd_parse_timeout(const char *s);

/* The handlers, one per command (cmd_view.c, cmd_send.c). */
int	 cmd_status(struct ctx *, int, char **);
int	 cmd_inbox(struct ctx *, int, char **);
int	 cmd_outbox(struct ctx *, int, char **);
int	 cmd_show(struct ctx *, int, char **);
int	 cmd_thread(struct ctx *, int, char **);
int	 cmd_template(struct ctx *, int, char **);
int	 cmd_send(struct ctx *, int, char **);
int	 cmd_ack(struct ctx *, int, char **);
int	 cmd_respond(struct ctx *, int, char **);
int	 cmd_audit(struct ctx *, int, char **);	/* cmd_audit.c */
int	 cmd_verify(struct ctx *, int, char **);	/* cmd_audit.c */
/* cmd_checks.c: communication checks */
int	 cmd_check(struct ctx *, int, char **);
int	 cmd_check_reply(struct ctx *, int, char **);
int	 cmd_checks(struct ctx *, int, char **);
/* Prints the overdue outgoing cases and whom to try (after the inbox). */
void	 cmd_checks_overdue_hint(struct ctx *);
int	 cmd_metrics(struct ctx *, int, char **);	/* cmd_ops.c */
int	 cmd_directory(struct ctx *, int, char **);	/* cmd_dir.c */
int	 cmd_who(struct ctx *, int, char **);

#endif
