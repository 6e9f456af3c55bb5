/*
 * pocctl's audit commands:
 *
 *   audit export [--out FILE] [--after SEQ]
 *				the node's hash-chained audit log (or the
 *				entries after SEQ), as JSON lines, exactly as
 *				stored
 *   audit verify [--continued] FILE
 *				checks an export offline: every hash
 *				recomputed, every link followed; reports the
 *				first broken entry (--continued: a range, whose
 *				first link is taken as given)
 *
 * A broken chain exits 1.  `verify` is cmd_verify.c's.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit.h"
#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_audit.h"
#include "cli/jsonout.h"

#define AUDIT_LINE_MAX	(64 * 1024)	/* bytes in one exported line */
#define AUDIT_PAGE	1000

/* Copies an exported entry's fields into e (strings borrowed from a). */
static int
cmd_audit_entry(const Poc__AuditEntry *a, struct audit_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (a->envelope_sha256.len != AUDIT_HASH_LEN ||
	    a->prev_hash.len != AUDIT_HASH_LEN || a->hash.len != AUDIT_HASH_LEN)
		return -1;
	e->seq = a->seq;
	e->time = a->time;
	e->kind = a->kind;
	e->message_id = a->message_id;
	e->peer = a->peer;
	e->detail = a->detail;
	memcpy(e->envelope_sha256, a->envelope_sha256.data, AUDIT_HASH_LEN);
	memcpy(e->prev_hash, a->prev_hash.data, AUDIT_HASH_LEN);
	memcpy(e->hash, a->hash.data, AUDIT_HASH_LEN);
	return 0;
}

/* --after's seq: 0 or more. */
static int64_t
cmd_audit_seq(const struct ctx *ctx, const char *s)
{
	long long	 v;
	char		*end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		cmd_usage(ctx, "--after wants an audit seq (0 or more), not "
		    "\"%s\"", s);
	return v;
}

/* pocctl audit export: pages through the log and writes one JSON object
 * per line. */
static int
cmd_audit_export(struct ctx *ctx, int argc, char **argv)
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__AuditExportRequest	 ex = POC__AUDIT_EXPORT_REQUEST__INIT;
	const char		*out = NULL, *after = NULL;
	struct cmd_opt		 opts[] = { { "out", &out }, { "after", &after },
	    { NULL, NULL } };
	struct audit_entry	 e;
	struct client		*cl;
	Poc__OpReply		*r;
	json_t			*j;
	FILE			*fp = stdout;
	static char		 buf[AUDIT_LINE_MAX];
	size_t			 i, total = 0;
	int			 more = 1, len;

	cmd_args(ctx, argc, argv, opts, NULL, 0, 0);
	/* A range: the entries after a seq (verify it with --continued). */
	if (after != NULL)
		ex.after_seq = cmd_audit_seq(ctx, after);
	if (out != NULL && strcmp(out, "-") != 0 &&
	    (fp = fopen(out, "w")) == NULL)
		err(1, "%s", out);
	cl = cmd_open(ctx);
	req.kind_case = POC__OP_REQUEST__KIND_AUDIT_EXPORT;
	req.audit_export = &ex;
	ex.limit = AUDIT_PAGE;
	while (more) {
		r = client_call(cl, &req);
		client_expect(r, POC__OP_REPLY__KIND_AUDIT_ENTRIES, NULL);
		for (i = 0; i < r->audit_entries->n_entries; i++) {
			if (cmd_audit_entry(r->audit_entries->entries[i],
			    &e) == -1)
				errx(1, "the node sent audit entry %lld with a "
				    "malformed hash", (long long)
				    r->audit_entries->entries[i]->seq);
			/* The export itself: the log as stored, one
			 * line per entry, whatever --json says; most
			 * lines need no JSON tree (audit_entry_line). */
			if ((len = audit_entry_line(&e, buf,
			    sizeof(buf))) > 0) {
				if (fwrite(buf, 1, (size_t)len, fp) !=
				    (size_t)len)
					err(1, "%s", out != NULL ? out :
					    "stdout");
			} else {
				if ((j = audit_entry_to_json(&e)) == NULL)
					errx(1, "out of memory");
				if (jsonout_line(fp, j) == -1)
					err(1, "%s", out != NULL ? out :
					    "stdout");
				json_decref(j);
			}
			ex.after_seq = e.seq;
			total++;
		}
		more = r->audit_entries->more &&
		    r->audit_entries->n_entries > 0;
		client_reply_free(r);
	}
	client_close(cl);
	if (fp != stdout && fclose(fp) != 0)
		err(1, "%s", out);
	if (fp != stdout)
		ctx->out->audit_exported(out, total);
	return 0;
}

/* Reports the result of a verification; returns the exit status. */
static int
cmd_audit_report(const struct ctx *ctx, const char *file, size_t n,
    int64_t bad_seq, size_t bad_line, const char *why,
    const struct audit_entry *last)
{
	struct output_audit_check	 c;
	char				 hex[2 * AUDIT_HASH_LEN + 1];
	size_t				 i;

	hex[0] = '\0';
	if (last != NULL)
		for (i = 0; i < AUDIT_HASH_LEN; i++)
			snprintf(hex + 2 * i, 3, "%02x", last->hash[i]);
	c.file = file;
	c.entries = n;
	c.last_hash = hex;
	c.reason = why;
	c.broken_seq = bad_seq;
	c.line = bad_line;
	ctx->out->audit_check(&c);
	return why == NULL ? 0 : 1;
}

/* pocctl audit verify FILE: recomputes every hash and follows every link;
 * stops at the first broken entry. */
static int
cmd_audit_verify(struct ctx *ctx, int argc, char **argv)
{
	struct audit_entry	 e, prev;
	const char		*file;
	json_error_t		 je;
	json_t			*j;
	FILE			*fp;
	char			*line = NULL, why[512];
	size_t			 cap = 0, lineno = 0, n = 0;
	ssize_t			 len;
	int64_t			 bad_seq = 0;
	int			 rv, ok, continued = 0;
	struct cmd_flag		 flags[] = { { "continued", &continued },
	    { NULL, NULL } };

	cmd_args_flags(ctx, argc, argv, NULL, flags, &file, 1, 1);
	if (strcmp(file, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(file, "r")) == NULL)
		err(1, "%s", file);
	memset(&prev, 0, sizeof(prev));
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (len > AUDIT_LINE_MAX) {
			snprintf(why, sizeof(why), "line longer than %d bytes",
			    AUDIT_LINE_MAX);
			goto broken;
		}
		if (len == 1 && line[0] == '\n')
			continue;
		/* The export's own lines are read directly, anything else
		 * through JSON (audit_entry_from_line): the same entries. */
		j = NULL;
		if (audit_entry_from_line(line, (size_t)len, &e))
			ok = 1;
		else if ((j = json_loadb(line, (size_t)len,
		    JSON_REJECT_DUPLICATES, &je)) == NULL) {
			snprintf(why, sizeof(why), "not valid JSON: %s",
			    je.text);
			goto broken;
		} else
			ok = audit_entry_from_json(j, &e, why, sizeof(why)) ==
			    0;
		/* A range (export --after) starts from an entry whose
		 * predecessor is not in the file: its prev_hash is taken
		 * as given, everything after it is checked. */
		if (ok && n == 0 && continued && e.seq > 1) {
			prev.seq = e.seq - 1;
			memcpy(prev.hash, e.prev_hash, AUDIT_HASH_LEN);
		}
		if (!ok ||
		    !audit_entry_check(&e, n > 0 || (continued && e.seq > 1) ?
		    &prev : NULL, why, sizeof(why))) {
			/* The broken entry's own seq if it has one. */
			if (j == NULL)
				bad_seq = e.seq;
			else if (json_is_integer(json_object_get(j, "seq")))
				bad_seq = json_integer_value(json_object_get(j,
				    "seq"));
			json_decref(j);
			goto broken;
		}
		json_decref(j);
		/* Only prev's seq and hash are used: its strings die with
		 * this line. */
		prev = e;
		prev.kind = prev.message_id = prev.peer = prev.detail = NULL;
		n++;
	}
	if (ferror(fp))
		err(1, "%s", file);
	rv = cmd_audit_report(ctx, file, n, 0, 0, NULL, n > 0 ? &prev : NULL);
	goto done;
 broken:
	/* Otherwise the seq that should have come next; entries checked so
	 * far run 1..n, so this cannot overflow. */
	if (bad_seq == 0)
		bad_seq = n > 0 ? prev.seq + 1 : 1;
	rv = cmd_audit_report(ctx, file, n, bad_seq, lineno, why, NULL);
 done:
	free(line);
	if (fp != stdin)
		fclose(fp);
	return rv;
}

/* pocctl audit export|verify ... */
int
cmd_audit(struct ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return cmd_audit_export(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return cmd_audit_verify(ctx, argc - 1, argv + 1);
	cmd_usage(ctx, "say 'audit export [--out FILE] [--after SEQ]' or "
	    "'audit verify [--continued] FILE'");
}
