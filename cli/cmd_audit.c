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
 *   audit verify --witness HEAD [--ca CA] [FILE]
 *				the same, and the log (FILE, or the node's
 *				own exported now) must still hold the head
 *				HEAD, which its node signed and a witness kept
 *				(docs/witness.md)
 *   audit heads [MEMBER] [--out FILE]
 *				the heads of other members' logs this node
 *				holds as a witness; --out writes MEMBER's
 *				latest to FILE, for verify --witness there
 *
 * A broken chain, a contradicted head or a forged one exits 1.  `verify`
 * is cmd_verify.c's.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audithead.h"
#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_audit.h"
#include "cli/cmd_verify.h"
#include "cli/jsonout.h"
#include "util.h"

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

/* Pages through the node's log after seq after and writes one JSON object
 * per line to fp (named name); returns the entries written. */
static size_t
cmd_audit_export_to(struct ctx *ctx, FILE *fp, const char *name,
    int64_t after)
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__AuditExportRequest	 ex = POC__AUDIT_EXPORT_REQUEST__INIT;
	struct audit_entry	 e;
	struct client		*cl;
	Poc__OpReply		*r;
	json_t			*j;
	static char		 buf[AUDIT_LINE_MAX];
	size_t			 i, total = 0;
	int			 more = 1, len;

	ex.after_seq = after;
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
					err(1, "%s", name);
			} else {
				if ((j = audit_entry_to_json(&e)) == NULL)
					errx(1, "out of memory");
				if (jsonout_line(fp, j) == -1)
					err(1, "%s", name);
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
	return total;
}

/* pocctl audit export: the log, one JSON object per line. */
static int
cmd_audit_export(struct ctx *ctx, int argc, char **argv)
{
	const char		*out = NULL, *after = NULL;
	struct cmd_opt		 opts[] = { { "out", &out }, { "after", &after },
	    { NULL, NULL } };
	FILE			*fp = stdout;
	size_t			 total;

	cmd_args(ctx, argc, argv, opts, NULL, 0, 0);
	if (out != NULL && strcmp(out, "-") != 0 &&
	    (fp = fopen(out, "w")) == NULL)
		err(1, "%s", out);
	/* A range: the entries after a seq (verify it with --continued). */
	total = cmd_audit_export_to(ctx, fp, out != NULL ? out : "stdout",
	    after != NULL ? cmd_audit_seq(ctx, after) : 0);
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

	hex[0] = '\0';
	if (last != NULL)
		util_hex(last->hash, AUDIT_HASH_LEN, hex);
	c.file = file;
	c.entries = n;
	c.last_hash = hex;
	c.reason = why;
	c.broken_seq = bad_seq;
	c.line = bad_line;
	ctx->out->audit_check(&c);
	return why == NULL ? 0 : 1;
}

/* What a walk along the chain found of a witness's head: the hash of the
 * entry the head names, if the log holds it. */
struct cmd_audit_at {
	const struct audit_head	*head;		/* NULL: no head to check */
	int			 found;
	uint8_t			 hash[AUDIT_HASH_LEN];
	int64_t			 last_seq;	/* of the log checked */
};

/* Recomputes every hash of the export in fp and follows every link; stops
 * at the first broken entry, reports, and returns the exit status.  Notes
 * what at asks for on the way. */
static int
cmd_audit_walk(const struct ctx *ctx, FILE *fp, const char *file,
    int continued, struct cmd_audit_at *at)
{
	struct audit_entry	 e, prev;
	json_error_t		 je;
	json_t			*j;
	char			*line = NULL, why[512];
	size_t			 cap = 0, lineno = 0, n = 0;
	ssize_t			 len;
	int64_t			 bad_seq = 0;
	int			 rv, ok;

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
		if (at->head != NULL && e.seq == at->head->count) {
			at->found = 1;
			memcpy(at->hash, e.hash, AUDIT_HASH_LEN);
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
	at->last_seq = n > 0 ? prev.seq : 0;
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
	return rv;
}

/*
 * Reads a head as `audit heads --out` wrote it and checks that its member
 * signed it: the certificate it carries must name the member, chain to
 * the network CA (--ca, else pocctl.conf's 'ca', if any) and verify the
 * signature.  Exits 1 otherwise: a forged head proves nothing.
 */
static void
cmd_audit_load_head(struct ctx *ctx, const char *file, const char *ca,
    struct audit_head *h)
{
	struct client_config	 cfg;
	X509_STORE		*st = NULL;
	json_error_t		 je;
	json_t			*j;
	uint8_t			*der = NULL;
	size_t			 derlen = 0;
	X509			*cert = NULL;
	char			 why[512];
	int			 ok;

	if ((j = json_load_file(file, JSON_REJECT_DUPLICATES, &je)) == NULL)
		errx(1, "%s:%d: %s", file, je.line, je.text);
	ok = audithead_from_json(j, h, &der, &derlen, why, sizeof(why)) == 0;
	json_decref(j);
	if (!ok)
		errx(1, "%s: not an audit head: %s", file, why);
	if (der == NULL || (cert = sig_cert_from_der(der, derlen)) == NULL)
		errx(1, "%s: the head carries no signer certificate", file);
	free(der);
	if (ca == NULL) {
		client_config_load(&cfg, client_config_path(ctx->config));
		ca = cfg.ca[0] != '\0' ? cfg.ca : NULL;
	}
	if (ca != NULL)
		st = cmd_verify_cas(ca);
	ok = (st == NULL || sig_cert_check(cert, st, h->member, why,
	    sizeof(why))) && audithead_verify(h, cert, why, sizeof(why));
	X509_STORE_free(st);
	X509_free(cert);
	if (!ok)
		errx(1, "%s: FORGED: not a head %s signed: %s", file,
		    h->member, why);
}

/* pocctl audit verify [--continued] [--witness HEAD [--ca CA]] [FILE] */
static int
cmd_audit_verify(struct ctx *ctx, int argc, char **argv)
{
	struct output_audit_witness	 w;
	struct cmd_audit_at		 at;
	struct audit_head		 head;
	const char			*file = NULL, *witness = NULL, *ca = NULL;
	const char			*name;
	struct cmd_opt			 opts[] = { { "witness", &witness },
	    { "ca", &ca }, { NULL, NULL } };
	char				 why[512];
	FILE				*fp;
	int				 rv, continued = 0;
	struct cmd_flag			 flags[] = { { "continued", &continued },
	    { NULL, NULL } };

	cmd_args_flags(ctx, argc, argv, opts, flags, &file, 0, 1);
	if (file == NULL && witness == NULL)
		cmd_usage(ctx, "say which export to check (FILE), or give "
		    "--witness HEAD to check the node's own log");
	memset(&at, 0, sizeof(at));
	if (witness != NULL) {
		cmd_audit_load_head(ctx, witness, ca, &head);
		at.head = &head;
	}
	name = file != NULL ? file : "the node's log";
	if (file == NULL) {
		/* The node's log as it is now, through an export. */
		if ((fp = tmpfile()) == NULL)
			err(1, "tmpfile");
		(void)cmd_audit_export_to(ctx, fp, name, 0);
		rewind(fp);
	} else if (strcmp(file, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(file, "r")) == NULL)
		err(1, "%s", file);
	rv = cmd_audit_walk(ctx, fp, name, continued, &at);
	if (fp != stdin)
		fclose(fp);
	if (witness == NULL || rv != 0)
		return rv;
	w.file = witness;
	w.member = head.member;
	w.count = head.count;
	w.time = head.time;
	w.entries = at.last_seq;
	w.reason = audithead_check_log(&head, at.last_seq, at.found ? at.hash :
	    NULL, why, sizeof(why)) ? NULL : why;
	ctx->out->audit_witness(&w);
	return w.reason == NULL ? 0 : 1;
}

/* Writes the latest head held of member to file, as verify --witness
 * reads it. */
static void
cmd_audit_heads_out(const Poc__OpAuditHeadList *l, const char *member,
    const char *file)
{
	struct audit_head	 h;
	const Poc__AuditHead	*a = NULL;
	char			 why[256];
	json_t			*j;
	size_t			 i;

	for (i = 0; i < l->n_heads && a == NULL; i++)
		if (l->heads[i]->conflict[0] == '\0' &&
		    strcmp(l->heads[i]->head->member, member) == 0)
			a = l->heads[i]->head;
	if (a == NULL)
		errx(1, "this node holds no audit head of %s", member);
	if (audithead_from_pb(a, &h, why, sizeof(why)) == -1)
		errx(1, "the node sent a malformed head: %s", why);
	if ((j = audithead_to_json(&h, a->signer_cert.data,
	    a->signer_cert.len)) == NULL)
		errx(1, "out of memory");
	if (json_dump_file(j, file, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		errx(1, "%s: cannot write", file);
	json_decref(j);
}

/* pocctl audit heads [MEMBER] [--out FILE] */
static int
cmd_audit_heads(struct ctx *ctx, int argc, char **argv)
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__OpAuditHeads	 q = POC__OP_AUDIT_HEADS__INIT;
	const char		*member = NULL, *out = NULL;
	struct cmd_opt		 opts[] = { { "out", &out }, { NULL, NULL } };
	struct client		*cl;
	Poc__OpReply		*r;

	cmd_args(ctx, argc, argv, opts, &member, 0, 1);
	if (out != NULL && member == NULL)
		cmd_usage(ctx, "--out writes one member's head: name MEMBER");
	q.member = (char *)(member != NULL ? member : "");
	req.kind_case = POC__OP_REQUEST__KIND_AUDIT_HEADS;
	req.audit_heads = &q;
	cl = cmd_open(ctx);
	r = client_call(cl, &req);
	client_expect(r, POC__OP_REPLY__KIND_AUDIT_HEAD_LIST, NULL);
	if (out != NULL)
		cmd_audit_heads_out(r->audit_head_list, member, out);
	else
		ctx->out->audit_heads(r->audit_head_list);
	client_reply_free(r);
	client_close(cl);
	return 0;
}

/* pocctl audit export|verify|heads ... */
int
cmd_audit(struct ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return cmd_audit_export(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return cmd_audit_verify(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "heads") == 0)
		return cmd_audit_heads(ctx, argc - 1, argv + 1);
	cmd_usage(ctx, "say 'audit export [--out FILE] [--after SEQ]', "
	    "'audit verify [--continued] [--witness HEAD [--ca CA]] [FILE]' "
	    "or 'audit heads [MEMBER] [--out FILE]'");
}
