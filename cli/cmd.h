/*
 * pocctl's commands: the entry every command has in the table of
 * pocctl.c, the context the global options fill in, and the argument
 * parser the commands share.
 */
#ifndef POCCTL_CMD_H
#define POCCTL_CMD_H

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

/* Prints the usage, summary and help of c on stdout (pocctl.c). */
void	 cmd_help(const struct cmd *c);

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
/* cmd_interop.c: a case out to MISP, STIX, IODEF; a template from them */
int	 cmd_export(struct ctx *, int, char **);
/* Fills template t (body member) from the MISP, STIX or IODEF file; lists
 * what it could not map on stderr; exits 1 if the file is refused. */
void	 cmd_template_from(json_t *t, const char *member, const char *file);

#endif
