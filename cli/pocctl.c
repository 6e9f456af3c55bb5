/*
 * pocctl: the operator's client for pocd.  It talks to its own node over
 * the operator listener (mutual TLS, operator certificate), one request at
 * a time: connect, send, read the reply, print, exit 0 (ok), 1 (failed) or
 * 2 (usage).
 *
 * This file is main only: the options before the command, then the
 * command from the table of cmd_table.c.  Each handler parses its arguments,
 * makes its round trips and prints through the output layer (output.c).
 */
#include <err.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/cmd_table.h"
#include "cli/i18n.h"

#ifndef POCCTL_VERSION
#define POCCTL_VERSION	"0.1.0"
#endif

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
		{ "lang",	required_argument,	NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctx		 ctx;
	const struct cmd	*c;
	int			 ch, rv;

	i18n_init(NULL);

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
				cmd_table_usage(stderr);
				exit(2);
			}
			break;
		case 'h':
			cmd_table_usage(stdout);
			exit(0);
		case 'V':
			printf("pocctl %s\n", POCCTL_VERSION);
			exit(0);
		case 'L':
			if (i18n_init(optarg) != 0) {
				warnx("--lang wants a language such as %s, "
				    "not \"%s\"", I18N_LANGS, optarg);
				exit(2);
			}
			ctx.lang = optarg;
			break;
		default:
			cmd_table_usage(stderr);
			exit(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		cmd_table_usage(stderr);
		exit(2);
	}
	if ((c = cmd_table_find(argv[0])) == NULL) {
		warnx("unknown command \"%s\" (see 'pocctl help')", argv[0]);
		exit(2);
	}
	ctx.cmd = c;
	ctx.out = output_get(ctx.json);
	i18n_check();
	rv = c->handler(&ctx, argc, argv);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "standard output");
	return rv;
}
