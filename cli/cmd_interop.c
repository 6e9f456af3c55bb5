/*
 * pocctl's interop commands (docs/interop.md): export, a case out as a
 * MISP event, a STIX 2.1 bundle or an IODEF v2 document; and the --from
 * of template, a template filled from one of them.  The conversions are
 * in interop*.c; this file fetches, reads files and reports.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_interop.h"
#include "cli/interop.h"
#include "cli/interop_convert.h"

/* The messages to export: the one ID names, or its whole thread. */
static Poc__OpReply *
cmd_interop_fetch(struct client *cl, const char *id, int thread,
    Poc__StoredMessage *const **msgs, size_t *n)
{
	Poc__OpRequest			 req = POC__OP_REQUEST__INIT;
	Poc__OpThread			 th = POC__OP_THREAD__INIT;
	const Poc__StoredMessage	*sm;
	Poc__OpReply			*r;

	if (!thread) {
		r = client_show(cl, id, &sm);
		*msgs = r->messages->messages;
		*n = r->messages->n_messages;
		return r;
	}
	th.id = (char *)id;
	req.kind_case = POC__OP_REQUEST__KIND_THREAD;
	req.thread = &th;
	r = client_call(cl, &req);
	client_expect(r, POC__OP_REPLY__KIND_MESSAGES, id);
	if (r->messages->n_messages == 0)
		errx(1, "no message matches \"%s\" (see 'pocctl inbox' and "
		    "'pocctl outbox')", id);
	*msgs = r->messages->messages;
	*n = r->messages->n_messages;
	return r;
}

/* The node's directory records of the case's sender and recipient, so
 * that the export can name the sender's PoCs; a member the node holds no
 * record of is left out.  The records are borrowed from the replies kept
 * in rs[2] (NULL if none). */
static void
cmd_interop_records(struct client *cl, struct interop_case *c,
    Poc__OpReply *rs[2], Poc__DirectoryRecord *recs[2])
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__OpDirectoryShow	 sh = POC__OP_DIRECTORY_SHOW__INIT;
	const char		*who[2] = { c->sender, c->recipient };
	size_t			 i;

	req.kind_case = POC__OP_REQUEST__KIND_DIRECTORY_SHOW;
	req.directory_show = &sh;
	for (i = 0; i < 2; i++) {
		rs[i] = NULL;
		if (who[i] == NULL || who[i][0] == '\0')
			continue;
		sh.member = (char *)who[i];
		rs[i] = client_call(cl, &req);
		if (rs[i]->kind_case == POC__OP_REPLY__KIND_DIRECTORY_LISTING &&
		    rs[i]->directory_listing->n_members == 1)
			recs[c->n_records++] =
			    rs[i]->directory_listing->members[0]->record;
	}
	c->records = recs;
}

/* pocctl export ID [--thread] --format misp|stix|iodef [-o FILE] */
int
cmd_export(struct ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char		*name;
		enum interop_format	 f;
	} formats[] = {
		{ "misp", INTEROP_MISP },
		{ "stix", INTEROP_STIX },
		{ "iodef", INTEROP_IODEF },
	};
	const char			*id, *format = NULL, *out = NULL;
	struct cmd_opt			 opts[] = { { "format", &format },
					    { "out", &out }, { NULL, NULL } };
	Poc__StoredMessage *const	*msgs;
	struct interop_case		 c;
	enum interop_format		 f = 0;
	struct client			*cl;
	Poc__OpReply			*r, *dirs[2];
	Poc__DirectoryRecord		*recs[2];
	FILE				*fp = stdout;
	char				 errbuf[256];
	size_t				 i, n;
	int				 thread = 0, k;
	struct cmd_flag			 flags[] = { { "thread", &thread },
					    { NULL, NULL } };

	/* -o FILE is --out FILE, as for audit export. */
	for (k = 1; k < argc && strcmp(argv[k], "--") != 0; k++)
		if (strcmp(argv[k], "-o") == 0)
			argv[k] = (char *)"--out";
	cmd_args_flags(ctx, argc, argv, opts, flags, &id, 1, 1);
	if (format == NULL)
		cmd_usage(ctx, "--format is required: misp, stix or iodef");
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(format, formats[i].name) == 0)
			f = formats[i].f;
	if (f == 0)
		cmd_usage(ctx, "--format: misp, stix or iodef, not \"%s\"",
		    format);
	if (strlen(id) < 4)
		cmd_usage(ctx, "ID \"%s\" is too short: give at least 4 "
		    "characters of it", id);

	cl = client_open(client_config_path(ctx->config), ctx->timeout_ms);
	r = cmd_interop_fetch(cl, id, thread, &msgs, &n);
	if (interop_case_init(&c, msgs, n, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s: %s", id, errbuf);
	cmd_interop_records(cl, &c, dirs, recs);
	if (out != NULL && strcmp(out, "-") != 0 &&
	    (fp = fopen(out, "w")) == NULL)
		err(1, "%s", out);
	if (interop_export(fp, f, &c) == -1 || (fp != stdout &&
	    fclose(fp) == EOF))
		err(1, "%s", out != NULL ? out : "standard output");
	interop_case_free(&c);
	for (i = 0; i < 2; i++)
		if (dirs[i] != NULL)
			client_reply_free(dirs[i]);
	client_reply_free(r);
	client_close(cl);
	return 0;
}

void
cmd_template_from(json_t *t, const char *member, const char *file)
{
	struct interop_import	 imp;
	FILE			*fp = stdin;
	char			*buf, errbuf[512];
	size_t			 len;

	if (strcmp(file, "-") != 0 && (fp = fopen(file, "r")) == NULL)
		err(1, "%s", file);
	if (interop_read(fp, &buf, &len, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s: %s", file, errbuf);
	if (fp != stdin)
		fclose(fp);
	if (interop_import(buf, len, &imp, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s: %s", file, errbuf);
	free(buf);
	interop_template_fill(t, member, &imp);
	interop_report_unmapped(stderr, file, &imp);
	interop_import_free(&imp);
}
