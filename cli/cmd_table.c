/*
 * pocctl's commands, one const table of {name, usage, summary, handler,
 * help} (as tmux's cmd_table): what `pocctl help` lists and main runs.
 * Each handler lives with its group of commands (cmd_view.c, cmd_send.c,
 * cmd_checks.c, cmd_audit.c, cmd_dir.c, cmd_interop.c, cmd_ops.c); `help`
 * is here, as it reads the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_audit.h"
#include "cli/cmd_verify.h"
#include "cli/cmd_checks.h"
#include "cli/cmd_dir.h"
#include "cli/cmd_interop.h"
#include "cli/cmd_ops.h"
#include "cli/cmd_send.h"
#include "cli/cmd_table.h"
#include "cli/cmd_view.h"
#include "cli/cmd_watch.h"
#include "cli/cmd_whoami.h"
#include "cli/i18n.h"

static int	cmd_table_help(struct ctx *, int, char **);

#define CMD_LIST_HELP							\
	"Newest first, --limit N at a time (default 100).  Under a full page\n" \
	"the next is named: --before CURSOR gives the older messages, --after\n" \
	"CURSOR the newer ones; in --json each message has its \"cursor\".\n" \
	"--unacked: requests and notifications not acknowledged yet;\n"	\
	"--overdue: ... and past their acknowledgement deadline;\n"		\
	"--from MEMBER: the other member (sender in the inbox, recipient\n"	\
	"in the outbox); --since TIME: received (inbox) or created (outbox)\n" \
	"at or after TIME (2026-12-05T02:10Z, 2026-12-05 or Unix ms);\n"	\
	"--kind: request, response, notification, ack, update, check,\n"	\
	"check-reply; --exercise or --real: drills only, or none."

static const struct cmd cmd_table[] = {
	{
		.name = "status",
		.usage = "",
		.summary = "show the node: member, uptime, queues and peers",
		.handler = cmd_status,
		.help =
"Shows the software version, member code, uptime, the configuration in\n"
"force (when it was loaded; SIGHUP reloads), connected peers, per peer the\n"
"queue depth and the age of the oldest queued message, overdue cases, the\n"
"last directory sync and check campaign, and the certificates in force\n"
"with their expiry (a warning on stderr 30 days ahead).  Use 'pocctl\n"
"metrics' for the same in OpenMetrics text.",
	},
	{
		.name = "whoami",
		.usage = "",
		.summary = "show this node's member code and certificate "
		    "fingerprint, as [upstream] pins it",
		.handler = cmd_whoami,
		.help =
"Prints the member code, the node certificate in force (subject and\n"
"expiry) and its SHA-256 fingerprint, then the [upstream CODE] lines a\n"
"node that pulls the directory from this one puts in its pocd.conf.\n"
"'pocd -F -c FILE' prints the same fingerprint from the configuration,\n"
"without a running node.",
	},
	{
		.name = "watch",
		.usage = "[--urgency U] [--kind K,...] [--exercise|--real] "
		    "[--no-backlog]",
		.summary = "follow the node's events live, one line each",
		.handler = cmd_watch,
		.help =
"Starts with what needs a person now (cases of ours overdue, requests and\n"
"notifications not acknowledged), then prints each event as the node\n"
"records it: arrivals, acknowledgements, responses, status changes,\n"
"deliveries and their failures, overdue cases, checks, expiry warnings.\n"
"--urgency U shows events of urgency U and above; --kind K,... only those\n"
"kinds (ARRIVAL, ACKNOWLEDGED, OVERDUE, ... see EVENTS in pocctl(1));\n"
"--exercise only exercise events, --real only real ones; --no-backlog\n"
"skips the opening lines.  --json prints one JSON object per line, the\n"
"one the [alert] command reads.  If the node restarts, watch connects\n"
"again and prints what it missed.  Ctrl-C ends it.",
	},
	{
		.name = "template",
		.usage = "KIND [--lang xx] [--from FILE]",
		.summary = "print a blank message template (JSON) to fill in",
		.handler = cmd_template,
		.help =
"KIND is one of assistance_request (request), assistance_response\n"
"(response), notification, acknowledgement (ack), status_update (update),\n"
"communication_check (check), check_reply.  Every field is present; leave\n"
"empty what does not apply, and name a field in \"unavailable\" (you do not\n"
"know it) or \"withheld\" (you will not share it).  id, sender and\n"
"created_at are filled in by the node.  --lang sets \"language\" (en).\n"
"Example:  pocctl template request > req.json; edit; pocctl send req.json\n"
"--from FILE (notification or request): fills summary, description, TLP,\n"
"severity, exercise and indicators from a MISP event, a STIX 2.1 bundle or\n"
"an IODEF v2 document; what it cannot map is listed on stderr.",
	},
	{
		.name = "export",
		.usage = "ID [--thread] --format misp|stix|iodef [-o|--out FILE]",
		.summary = "write a case as a MISP event, STIX 2.1 bundle or "
		    "IODEF v2 document",
		.handler = cmd_export,
		.help =
"Converts the request or notification ID (a unique prefix will do), or with\n"
"--thread every request and notification of its case, for MISP (event\n"
"JSON), STIX 2.1 (bundle JSON) or IODEF v2 (RFC 7970 XML), to standard\n"
"output or -o FILE.  The same case always gives the same ids, so a\n"
"re-export updates rather than duplicates.  Unavailable and withheld\n"
"fields are carried as such, never invented.  See docs/interop.md.",
	},
	{
		.name = "send",
		.usage = "FILE|- [--to RECIPIENTS]",
		.summary = "send a filled-in template (JSON) to its recipient(s)",
		.handler = cmd_send,
		.help =
"The file is a template from 'pocctl template' or the output of\n"
"'pocctl show --json' (node-local keys such as state are ignored).\n"
"The node checks every field before anything is queued; problems are\n"
"listed field by field and nothing is sent.\n"
"Recipients (the template's recipient, or --to, which replaces it):\n"
"a member code; several (\"FRA, DEU\", or a JSON array in the\n"
"template); network:NAME; or all.  Several make one case of one signed\n"
"envelope each, queued together or not at all; 'pocctl thread' shows\n"
"who has it, acknowledged it, answered, is overdue.",
	},
	{
		.name = "inbox",
		.usage = "[--limit N] [--before|--after CURSOR] [--unacked] "
		    "[--overdue] [--from MEMBER] [--since TIME] [--kind KIND] "
		    "[--exercise|--real]",
		.summary = "list received messages, newest first",
		.handler = cmd_inbox,
		.help = CMD_LIST_HELP,
	},
	{
		.name = "outbox",
		.usage = "[--limit N] [--before|--after CURSOR] [--unacked] "
		    "[--overdue] [--from MEMBER] [--since TIME] [--kind KIND] "
		    "[--exercise|--real]",
		.summary = "list sent messages and their delivery state",
		.handler = cmd_outbox,
		.help = CMD_LIST_HELP,
	},
	{
		.name = "cases",
		.usage = "[--limit N] [--before|--after CURSOR] [--open] "
		    "[--with MEMBER]",
		.summary = "list the cases, one line each, most recently "
		    "active first",
		.handler = cmd_cases,
		.help = "A case is a thread opened by an assistance request or a "
		    "notification.\nEach line gives its status, the other "
		    "member (-> ours, <- theirs), kind,\nurgency, TLP, last "
		    "activity, whether an acknowledgement is overdue, and the\n"
		    "next step with its command.  --open leaves out RESOLVED, "
		    "CLOSED and\nWITHDRAWN cases; --with MEMBER keeps those "
		    "with MEMBER.  Paging as for inbox.",
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
		.name = "update",
		.usage = "ID --status IN_PROGRESS|MITIGATED|RESOLVED|CLOSED|"
		    "WITHDRAWN [--text T]",
		.summary = "send a status update of ID's case to the other party",
		.handler = cmd_update,
		.help =
"Sends a status update in the thread of ID (any message of the case; a\n"
"unique prefix will do) to the other party: the sender of an incoming\n"
"message, the recipient of one this node sent.  TLP, language and the\n"
"exercise flag are those of ID.  Both sides see the case's status and\n"
"history in 'pocctl show' of the message that opened the case.",
	},
	{
		.name = "metrics",
		.usage = "",
		.summary = "print the node's status as OpenMetrics text",
		.handler = cmd_metrics,
		.help =
"For the Prometheus node_exporter textfile collector: for example a\n"
"systemd timer runs 'pocctl metrics > /var/lib/node_exporter/pocd.prom.tmp'\n"
"and renames the file.  Every metric is a gauge: pocd_up, pocd_outbox_queued\n"
"{peer=...}, pocd_outbox_oldest_age_seconds, pocd_peer_connected,\n"
"pocd_overdue_cases, pocd_certificate_expiry_timestamp_seconds, ...\n"
"When the node cannot be reached it still prints pocd_up 0 (and exits 1).",
	},
	{
		.name = "check",
		.usage = "MEMBER...|--all [--reply-by DURATION] [--exercise] [--wait]",
		.summary = "start a communication check of members' PoCs",
		.handler = cmd_check,
		.help =
"Sends a communication check to each member named (or to every member\n"
"of the directory with --all), through the outbox.  Their node's receipt\n"
"times the node; their operator's 'pocctl check-reply' times the people.\n"
"--reply-by: how long they have, e.g. 3600, 90s, 15m, 2h, 1d (default\n"
"[checks] reply_within).  --wait: stay until every node has been reached\n"
"(or the reply-by time passes), with a progress line on a terminal, then\n"
"print the report.  See the results later with 'pocctl checks'.",
	},
	{
		.name = "check-reply",
		.usage = "ID",
		.summary = "answer a communication check that came in",
		.handler = cmd_check_reply,
		.help =
"Sends a check reply to the member whose check ID is (see 'pocctl\n"
"inbox').  Your name is taken from your operator certificate.",
	},
	{
		.name = "checks",
		.usage = "[CAMPAIGN | --list [--limit N]]",
		.summary = "report a communication check: reached, replied, "
		    "late, silent",
		.handler = cmd_checks,
		.help =
"Per member: the result (pending, reached, replied, late or silent),\n"
"when the node was reached (its receipt came back) and when the people\n"
"replied, and by whom.  Late: replied after the reply-by time; silent:\n"
"no reply by then, or the node was never reached.  Without CAMPAIGN the\n"
"newest campaign; --list shows one line per campaign.",
	},
	{
		.name = "audit",
		.usage = "export [--out FILE] [--after SEQ] | "
		    "verify [--continued] [--witness HEAD [--ca CA]] [FILE] | "
		    "heads [MEMBER] [--out FILE]",
		.summary = "export the hash-chained audit log, or check an export",
		.handler = cmd_audit,
		.help =
"Every message queued, received, delivered or rejected is an entry of the\n"
"node's audit log, committed with the change itself.  Each entry holds the\n"
"SHA-256 of the one before, so a changed, inserted or deleted entry breaks\n"
"the chain there.  'export' writes the log as stored, one JSON object per\n"
"line; 'verify' recomputes every hash offline and names the first broken\n"
"entry by its seq (exit 1).\n"
"Each node signs the head of its log and sends it to its peers, which keep\n"
"it as witnesses.  'heads' shows the heads this node keeps of others (and\n"
"any that contradicted them); with --out, MEMBER's latest goes to a file.\n"
"'verify --witness HEAD', on the node whose log it is, fails (exit 1) if\n"
"the log (FILE, or the node's own) is shorter than the head, or differs at\n"
"its entry: it was cut or rolled back.",
	},
	{
		.name = "verify",
		.usage = "ID [--save FILE] | --offline FILE (--ca CA | --cert CERT)",
		.summary = "check a message's signature by its sender's node key",
		.handler = cmd_verify,
		.help =
"Checks here, not on the node, that the message was signed by the key of\n"
"its sender's node certificate, and that this certificate names the sender\n"
"and chains to the network CA in pocctl.conf's 'ca'.  Exit 1 if not.  A\n"
"single signature or a batch signature (docs/signatures.md) alike.\n"
"--save FILE also writes the evidence: the envelope as kept and the\n"
"signer's certificate.  --offline FILE checks such a file without any\n"
"node or pocctl.conf, against the network CA (--ca) or the sender's\n"
"certificate as you hold it (--cert).",
	},
	{
		.name = "directory",
		.usage = "[show [MEMBER] [--network NAME] | own | edit FILE | "
		    "set FIELD VALUE... | poc add|remove ... | import FILE | "
		    "export [--format F] [MEMBER] | sync [--wait] | pending "
		    "[--all] | approve CODE | reject CODE [--reason TEXT]]",
		.summary = "the PoC directory: members, PoCs, the own record",
		.handler = cmd_directory,
		.help =
"show [MEMBER] [--network NAME]\n"
"                    members and their PoCs (STALE past expiry); the default;\n"
"                    --network: only the members of that regional network\n"
"own                 the own record as JSON, to edit and give to 'edit'\n"
"edit FILE           replace the own record's fields (name, networks,\n"
"                    endpoints, fingerprints, expires, pocs) from JSON\n"
"set name TEXT | endpoint HOST:PORT... | networks NAME... |\n"
"    fingerprints SHA256... | expires 2027-11-25|+365d\n"
"poc add --level L --name N [--role R] [--org O] [--always]\n"
"    [--tz Europe/Paris --hours \"Mon-Fri 09:00-17:00\"] [--lang fr,en]\n"
"    --channel KIND:VALUE[:PRIORITY]...   (KIND: EMAIL, PHONE, FAX,\n"
"    SECURE_MESSAGING, OTHER; priority 1 = try first)\n"
"poc remove N|NAME   N as numbered by 'show'\n"
"import FILE         signed records (JSON from 'export'); every record is\n"
"                    checked (fields, network, certificate, pin, signature);\n"
"                    one bad record and nothing is imported\n"
"export [--format json|csv|vcard] [MEMBER]   vCard 4.0: one card per PoC\n"
"sync [--wait]       pull from the [upstream] nodes now; --wait stays\n"
"                    until a sync has finished (within --timeout)\n"
"pending [--all]     members asking to join through this node (--all: and\n"
"                    the decided ones): code, fingerprint, source, record\n"
"approve CODE [--fingerprint SHA256]\n"
"                    store CODE's offered record, pin its certificate\n"
"reject CODE [--reason TEXT]   refuse it; the member is told TEXT\n"
"Every change to the own record bumps its serial and is signed by the node.",
	},
	{
		.name = "who",
		.usage = "MEMBER [--level L] [--at TIME] [--lang xx]",
		.summary = "whom to contact at MEMBER now, best first",
		.handler = cmd_who,
		.help =
"Orders MEMBER's PoCs: the level asked (POLICY, DIPLOMATIC, TECHNICAL)\n"
"first, then those available at TIME (24/7, or within their working hours\n"
"in their own time zone, daylight saving included), then technical before\n"
"diplomatic before policy, then the most recent successful communication\n"
"check, then those speaking --lang (any BCP 47 tag).  TIME: now (default),\n"
"2026-03-29T01:30Z (UTC), +12h.  Each PoC is listed with its channels,\n"
"best first.",
	},
	{
		.name = "help",
		.usage = "[COMMAND]",
		.summary = "show this help, or the help of COMMAND",
		.handler = cmd_table_help,
	},
};

#define CMD_TABLE_N	(sizeof(cmd_table) / sizeof(cmd_table[0]))

/* Prints the overall usage and the command list on fp. */
void
cmd_table_usage(FILE *fp)
{
	size_t	 i;
	int	 w = 0;

	fprintf(fp,
	    "usage: pocctl [-c FILE] [--json] [--lang xx] [--timeout SEC] "
	    "COMMAND [ARGS]\n"
	    "       pocctl help [COMMAND] | --version\n\ncommands:\n");
	for (i = 0; i < CMD_TABLE_N; i++)
		if ((int)strlen(cmd_table[i].name) > w)
			w = (int)strlen(cmd_table[i].name);
	for (i = 0; i < CMD_TABLE_N; i++)
		fprintf(fp, "  %-*s  %s\n", w, cmd_table[i].name,
		    cmd_table[i].summary);
	fprintf(fp, "\noptions:\n"
	    "  -c FILE        config (else $POCCTL_CONFIG, else %s)\n"
	    "  --json         print JSON instead of text\n"
	    "  --lang xx      labels in language xx (" I18N_LANGS ")\n"
	    "  --timeout SEC  give up on the node after SEC seconds (%d)\n"
	    "  -h, --help     this help\n"
	    "  --version      print the version\n\n"
	    "exit status: 0 ok, 1 failed, 2 usage error\n",
	    client_default_config(), CLIENT_DEFAULT_TIMEOUT / 1000);
}

/* Looks a command up by name in the table. */
const struct cmd *
cmd_table_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < CMD_TABLE_N; i++)
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
	return NULL;
}

/* pocctl help [COMMAND] */
static int
cmd_table_help(struct ctx *ctx, int argc, char **argv)
{
	const struct cmd	*c;
	const char		*name = NULL;

	cmd_args(ctx, argc, argv, NULL, &name, 0, 1);
	if (name == NULL) {
		cmd_table_usage(stdout);
		return 0;
	}
	if ((c = cmd_table_find(name)) == NULL)
		cmd_usage(ctx, "no command \"%s\"", name);
	cmd_help(c);
	return 0;
}
