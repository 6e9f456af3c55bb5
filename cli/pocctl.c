/*
 * pocctl: the operator's client for pocd.  It talks to its own node over
 * the operator listener (mutual TLS, operator certificate), one request at
 * a time: connect, send, read the reply, print, exit 0 (ok), 1 (failed) or
 * 2 (usage).
 *
 * The commands are one const table; each handler parses its arguments,
 * makes its round trips and prints through the output layer (output.c).
 */
#include <err.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/client.h"
#include "cli/i18n.h"

#ifndef POCCTL_VERSION
#define POCCTL_VERSION	"0.1.0"
#endif

static int	cmd_helpcmd(struct ctx *, int, char **);

static const struct cmd cmds[] = {
	{
		.name = "status",
		.usage = "",
		.summary = "show the node: member, uptime, queues and peers",
		.handler = cmd_status,
	},
	{
		.name = "template",
		.usage = "KIND [--lang xx]",
		.summary = "print a blank message template (JSON) to fill in",
		.handler = cmd_template,
		.help =
"KIND is one of assistance_request (request), assistance_response\n"
"(response), notification, acknowledgement (ack), status_update (update),\n"
"communication_check (check), check_reply.  Every field is present; leave\n"
"empty what does not apply, and name a field in \"unavailable\" (you do not\n"
"know it) or \"withheld\" (you will not share it).  id, sender and\n"
"created_at are filled in by the node.  --lang sets \"language\" (en).\n"
"Example:  pocctl template request > req.json; edit; pocctl send req.json",
	},
	{
		.name = "send",
		.usage = "FILE|-",
		.summary = "send a filled-in template (JSON) to its recipient",
		.handler = cmd_send,
		.help =
"The file is a template from 'pocctl template' or the output of\n"
"'pocctl show --json' (node-local keys such as state are ignored).\n"
"The node checks every field before anything is queued; problems are\n"
"listed field by field and nothing is sent.",
	},
	{
		.name = "inbox",
		.usage = "[--limit N]",
		.summary = "list received messages",
		.handler = cmd_inbox,
	},
	{
		.name = "outbox",
		.usage = "[--limit N]",
		.summary = "list sent messages and their delivery state",
		.handler = cmd_outbox,
	},
	{
		.name = "show",
		.usage = "ID",
		.summary = "show one message in full",
		.handler = cmd_show,
		.help = "ID may be a unique prefix of at least 4 characters.",
	},
	{
		.name = "thread",
		.usage = "ID",
		.summary = "show every message of ID's case, oldest first",
		.handler = cmd_thread,
		.help = "ID is any message of the thread (or a unique prefix).",
	},
	{
		.name = "ack",
		.usage = "ID [--note TEXT]",
		.summary = "acknowledge receipt of an incoming message",
		.handler = cmd_ack,
		.help =
"Sends an acknowledgement to the sender of ID, in its thread, with its\n"
"TLP.  Receipt is not concurrence (UN GGE 2021 report, para 30(c)).",
	},
	{
		.name = "respond",
		.usage = "ID --decision WILL_ASSIST|PARTIAL|CANNOT_ASSIST|"
		    "NEED_INFORMATION [--timeframe T] [--nature N] [--scope S] "
		    "[--terms T] [--contact C] [--note TEXT]",
		.summary = "answer an incoming assistance request",
		.handler = cmd_respond,
		.help =
"Sends an assistance response to the sender of request ID (para 54):\n"
"whether assistance can be given and, if so, its timeframe, nature,\n"
"scope and terms.",
	},
	{
		.name = "help",
		.usage = "[COMMAND]",
		.summary = "show this help, or the help of COMMAND",
		.handler = cmd_helpcmd,
	},
};

#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

/* Prints the overall usage and the command list on fp. */
static void
usage_print(FILE *fp)
{
	size_t	 i;

	fprintf(fp,
	    "usage: pocctl [-c FILE] [--json] [--timeout SEC] COMMAND [ARGS]\n"
	    "       pocctl help [COMMAND] | --version\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(fp, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(fp, "\noptions:\n"
	    "  -c FILE        config (else $POCCTL_CONFIG, else %s)\n"
	    "  --json         print JSON instead of text\n"
	    "  --timeout SEC  give up on the node after SEC seconds (%d)\n"
	    "  -h, --help     this help\n"
	    "  --version      print the version\n\n"
	    "exit status: 0 ok, 1 failed, 2 usage error\n",
	    CLIENT_DEFAULT_CONFIG, CLIENT_DEFAULT_TIMEOUT / 1000);
}

/* Prints the help of one command. */
void
cmd_help(const struct cmd *c)
{
	printf("usage: pocctl %s%s%s\n\n%s.\n", c->name, c->usage[0] ? " " :
	    "", c->usage, c->summary);
	if (c->help != NULL)
		printf("\n%s\n", c->help);
}

/* Looks a command up by name in the table. */
static const struct cmd *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

/* pocctl help [COMMAND] */
static int
cmd_helpcmd(struct ctx *ctx, int argc, char **argv)
{
	const struct cmd	*c;
	const char		*name = NULL;

	cmd_args(ctx, argc, argv, NULL, &name, 0, 1);
	if (name == NULL) {
		usage_print(stdout);
		return 0;
	}
	if ((c = cmd_find(name)) == NULL)
		cmd_usage(ctx, "no command \"%s\"", name);
	cmd_help(c);
	return 0;
}

/* Sets up the locale, parses the global options and runs one command. */
int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "timeout",	required_argument,	NULL, 't' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctx		 ctx;
	const struct cmd	*c;
	int			 ch, rv;

	setlocale(LC_ALL, "");
	bindtextdomain("pocctl", LOCALEDIR);
	textdomain("pocctl");

	memset(&ctx, 0, sizeof(ctx));
	while ((ch = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ctx.config = optarg;
			break;
		case 'j':
			ctx.json = 1;
			break;
		case 't':
			if ((ctx.timeout_ms = cmd_parse_timeout(optarg)) == -1) {
				warnx("--timeout wants seconds between 0 and "
				    "3600, not \"%s\"", optarg);
				usage_print(stderr);
				exit(2);
			}
			break;
		case 'h':
			usage_print(stdout);
			exit(0);
		case 'V':
			printf("pocctl %s\n", POCCTL_VERSION);
			exit(0);
		default:
			usage_print(stderr);
			exit(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage_print(stderr);
		exit(2);
	}
	if ((c = cmd_find(argv[0])) == NULL) {
		warnx("unknown command \"%s\" (see 'pocctl help')", argv[0]);
		exit(2);
	}
	ctx.cmd = c;
	ctx.out = output_get(ctx.json);
	rv = c->handler(&ctx, argc, argv);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "standard output");
	return rv;
}
