/*
 * pocctl's commands that make messages: template (local, no connection),
 * send (a template filled in by the operator), and the shortcuts ack,
 * respond, update and check-reply, which compose the reply envelope from the
 * message they answer so the operator cannot get the thread, recipient,
 * TLP or exercise flag wrong.  All of them submit through
 * cmd_send_envelope().
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_interop.h"
#include "cli/cmd_send.h"
#include "cli/i18n.h"
#include "cli/render.h"
#include "pbjson.h"
#include "pbjson_parse.h"
#include "util.h"
#include "validate.h"

#define CMD_LANG_MAX	35	/* BCP 47 recommends supporting this much */

/* The names `template` accepts, with the oneof member each stands for. */
static const struct {
	const char	*name;
	const char	*member;
} cmd_kinds[] = {
	{ "assistance_request",		"assistance_request" },
	{ "request",			"assistance_request" },
	{ "assistance_response",	"assistance_response" },
	{ "response",			"assistance_response" },
	{ "notification",		"notification" },
	{ "acknowledgement",		"acknowledgement" },
	{ "ack",			"acknowledgement" },
	{ "status_update",		"status_update" },
	{ "update",			"status_update" },
	{ "communication_check",	"communication_check" },
	{ "check",			"communication_check" },
	{ "check_reply",		"check_reply" },
};

#define CMD_UPDATE_STATUSES \
	"IN_PROGRESS, MITIGATED, RESOLVED, CLOSED or WITHDRAWN"

#define CMD_KIND_LIST	"assistance_request (request), assistance_response " \
	"(response), notification, acknowledgement (ack), status_update " \
	"(update), communication_check (check), check_reply"

/* Keys of `show --json` output that are the node's, not the sender's. */
static const char *const cmd_local_keys[] = {
	"direction", "state", "received_at", "delivered_at", "reason",
	"attempts", "next_attempt_at", "acknowledged_by",
	"deadline_at", "overdue_at", "overdue", "escalation_step",
	"next_contacts", "case_status", "case_history",
	"signature_verified", "signature_error", "signature", "batch",
	"thread_nonce", "id_nonce", "signer_certificate", "cursor", "acked_at", "answered_at",
	"clock_ahead", "reply_by_here",
	"_help",	/* the labels `template` adds */
	NULL
};

/* "Label: hint" for one field of the template help. */
static json_t *
cmd_help_text(const char *label, const char *hint)
{
	char	*s;
	json_t	*j;

	if (hint == NULL || hint[0] == '\0')
		return json_string(label);
	if (asprintf(&s, "%s: %s", label, hint) == -1)
		err(1, "asprintf");
	j = json_string(s);
	free(s);
	return j;
}

/* The wire names an enum field takes, "A, B, C" (the JSON wants these,
 * whatever the language of the help). */
static char *
cmd_enum_list(const ProtobufCEnumDescriptor *d)
{
	char	*out = NULL;
	size_t	 i, sz = 0;
	FILE	*fp;

	if ((fp = open_memstream(&out, &sz)) == NULL)
		err(1, "open_memstream");
	for (i = 0; i < d->n_values; i++)
		if (d->values[i].value != 0)
			fprintf(fp, "%s%s", ftell(fp) > 0 ? ", " : "",
			    d->values[i].name);
	fclose(fp);
	return out;
}

/* The hint for field f (of member, NULL for the envelope): what to put
 * there.  Returns an owned string or NULL. */
static char *
cmd_field_hint(const char *member, const ProtobufCFieldDescriptor *f)
{
	static const struct {
		const char	*member, *field, *hint;
	} fixed[] = {
		{ NULL, "id", N_("filled in by the node") },
		{ NULL, "thread_id", N_("filled in by the node") },
		{ NULL, "sender", N_("filled in by the node") },
		{ NULL, "created_at", N_("filled in by the node") },
		{ NULL, "in_reply_to", N_("id of the message this answers "
		    "(a unique prefix will do), or empty") },
		{ NULL, "recipient", N_("member code (required)") },
		{ NULL, "language", N_("language of the free text (BCP 47)") },
		{ NULL, "exercise", N_("true for drills and exercises") },
		{ "assistance_request", "summary", N_("required") },
		{ "notification", "summary", N_("required") },
		{ "acknowledgement", "ack_of", N_("required") },
		{ "assistance_response", "request_id", N_("required") },
	};
	char	*s, *list;
	size_t	 i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (((member == NULL && fixed[i].member == NULL) ||
		    (member != NULL && fixed[i].member != NULL &&
		    strcmp(member, fixed[i].member) == 0)) &&
		    strcmp(f->name, fixed[i].field) == 0)
			return strdup(_(fixed[i].hint));
	if (f->type == PROTOBUF_C_TYPE_ENUM) {
		list = cmd_enum_list(f->descriptor);
		if (asprintf(&s, "%s%s", f->label == PROTOBUF_C_LABEL_REPEATED ?
		    _("list of ") : "", list) == -1)
			err(1, "asprintf");
		free(list);
		return s;
	}
	if (f->type == PROTOBUF_C_TYPE_INT64 && strcmp(f->name, "created_at"))
		return strdup(_("time: RFC 3339 (2026-12-05T02:10:00Z, "
		    "2026-12-05T03:10+01:00), +4h or +2d from now, or Unix "
		    "milliseconds"));
	if (strcmp(f->name, "indicators") == 0) {
		list = cmd_enum_list(&poc__indicator__type__descriptor);
		if (asprintf(&s, _("list of {type, value, note}; type one of "
		    "%s"), list) == -1)
			err(1, "asprintf");
		free(list);
		return s;
	}
	return NULL;
}

/*
 * The "_help" object of a template: for each field the label in the
 * operator's language and what goes there, the statement of the kind
 * (para 30(c)/(d)) where it has one.  `send` ignores "_help".
 */
static json_t *
cmd_template_help(const char *member)
{
	const ProtobufCMessageDescriptor	*d;
	const ProtobufCFieldDescriptor		*f;
	const char				*label, *st;
	json_t					*h, *b;
	char					*hint;
	size_t					 i;

	if ((h = json_object()) == NULL || (b = json_object()) == NULL)
		errx(1, "out of memory");
	d = &poc__envelope__descriptor;
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (f->type == PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if ((label = render_field_label(NULL, f->name)) == NULL)
			continue;
		hint = cmd_field_hint(NULL, f);
		json_object_set_new(h, f->name, cmd_help_text(label, hint));
		free(hint);
	}
	f = protobuf_c_message_descriptor_get_field_by_name(d, member);
	d = f->descriptor;
	json_object_set_new(b, "_title", json_string(
	    render_member_title(member)));
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (strcmp(f->name, "unavailable") == 0)
			label = _("Unavailable");
		else if (strcmp(f->name, "withheld") == 0)
			label = _("Withheld");
		else if ((label = render_field_label(member, f->name)) == NULL)
			continue;
		if (strcmp(f->name, "unavailable") == 0)
			hint = strdup(_("names of fields the sender does not "
			    "know"));
		else if (strcmp(f->name, "withheld") == 0)
			hint = strdup(_("names of fields the sender knows "
			    "and will not share"));
		else
			hint = cmd_field_hint(member, f);
		json_object_set_new(b, f->name, cmd_help_text(label, hint));
		free(hint);
	}
	if ((st = render_statement(member)) != NULL)
		json_object_set_new(b, "_statement", json_string(st));
	json_object_set_new(h, member, b);
	return h;
}

/* pocctl template KIND: prints a blank envelope of KIND with "_help" in
 * the operator's language; no connection needed. */
int
cmd_template(struct ctx *ctx, int argc, char **argv)
{
	const char	*kind = NULL, *member = NULL, *p, *from = NULL;
	struct cmd_opt	 opts[] = { { "from", &from }, { NULL, NULL } };
	json_t		*j, *t;
	char		 lang[CMD_LANG_MAX + 1];
	size_t		 i;

	cmd_args(ctx, argc, argv, opts, &kind, 0, 1);
	if (kind == NULL)
		cmd_usage(ctx, "which KIND? one of " CMD_KIND_LIST);
	for (i = 0; i < sizeof(cmd_kinds) / sizeof(cmd_kinds[0]); i++)
		if (strcmp(kind, cmd_kinds[i].name) == 0)
			member = cmd_kinds[i].member;
	if (member == NULL)
		cmd_usage(ctx, "unknown KIND \"%s\": one of " CMD_KIND_LIST,
		    kind);
	if (from != NULL && strcmp(member, "notification") != 0 &&
	    strcmp(member, "assistance_request") != 0)
		cmd_usage(ctx, "--from fills a notification or a request, not "
		    "%s", kind);
	/* The free text's language: --lang as a BCP 47 tag (zh_CN.UTF-8
	 * becomes zh-CN), else en. */
	snprintf(lang, sizeof(lang), "%s", ctx->lang != NULL ? ctx->lang :
	    "en");
	lang[strcspn(lang, ".@")] = '\0';
	for (p = lang; *p != '\0'; p++)
		if (*p == '_')
			lang[p - lang] = '-';
		else if (!isalnum((unsigned char)*p) && *p != '-')
			break;
	if (lang[0] == '\0' || *p != '\0')
		cmd_usage(ctx, "--lang wants a BCP 47 tag such as en, fr or "
		    "zh-Hans, not \"%s\"", ctx->lang);

	if ((t = pbjson_blank(&poc__envelope__descriptor, member)) == NULL ||
	    (j = json_object()) == NULL)
		errx(1, "cannot make a template for %s", member);
	json_object_set_new(t, "language", json_string(lang));
	json_object_del(t, "batch");	/* the node's, like the signature */
	json_object_del(t, "thread_nonce");	/* the node's (a send to many) */
	json_object_del(t, "id_nonce");		/* the node's, with the id */
	if (from != NULL)
		cmd_template_from(t, member, from);
	json_object_set_new(j, "_help", cmd_template_help(member));
	json_object_update(j, t);
	json_decref(t);
	ctx->out->document(j);
	json_decref(j);
	return 0;
}

/* Reports why the node refused an envelope and exits 1. */
static void
cmd_refused(const Poc__OpError *e, const char *what, const char *retry)
{
	if (e->code == POC__OP_ERROR__CODE__INVALID && e->n_field_errors > 0) {
		output_field_errors(what, retry,
		    (const Poc__FieldError *const *)e->field_errors,
		    e->n_field_errors);
		exit(1);
	}
	client_fail(e, NULL);
}

/* Sends env over cl (to many if to is not NULL); returns the reply
 * holding the OpQueued, or exits 1 reporting the problems (what/retry as
 * for output_field_errors). */
static Poc__OpReply *
cmd_send_envelope_to(struct client *cl, Poc__Envelope *env,
    Poc__OpSend *to, const char *what, const char *retry)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpSend	 send = POC__OP_SEND__INIT;
	Poc__OpReply	*r;

	if (to != NULL)
		send = *to;
	send.envelope = env;
	req.kind_case = POC__OP_REQUEST__KIND_SEND;
	req.send = &send;
	r = client_call(cl, &req);
	if (r->kind_case == POC__OP_REPLY__KIND_ERROR)
		cmd_refused(r->error, what, retry);
	client_expect(r, POC__OP_REPLY__KIND_QUEUED, NULL);
	return r;
}

/*
 * Reports every problem of a template that did not parse and exits 1:
 * the parser's (unknown keys, enums, times, types), then the envelope
 * rules' on what did parse, so that one round of edits fixes the file.
 * The fields the node fills in (id, thread, sender, time) and in_reply_to
 * (which may be a short id) are left to the node.
 */
static void
cmd_send_problems(const char *what, const char *retry, Poc__Envelope *e,
    const struct pbjson_errors *pe)
{
	static const char *const node_fields[] = { "id", "thread_id",
	    "sender", "created_at", "in_reply_to", "body", NULL };
	static char		 uuid[] = "00000000-0000-4000-8000-000000000000";
	static char		 s1[] = "ZZ-LOCAL", s2[] = "ZY-LOCAL";
	struct validate_result	*vr;
	Poc__FieldError		 fe[PBJSON_MAX_ERRORS + VALIDATE_MAX_ERRORS];
	const Poc__FieldError	*fp[PBJSON_MAX_ERRORS + VALIDATE_MAX_ERRORS];
	char			*keep[4];
	int64_t			 created;
	size_t			 i, k, n = 0;

	if ((vr = calloc(1, sizeof(*vr))) == NULL)
		err(1, "calloc");
	if (e != NULL) {
		/* Stand-ins for what the node fills in, put back after. */
		keep[0] = e->id, keep[1] = e->thread_id;
		keep[2] = e->sender, keep[3] = e->in_reply_to;
		created = e->created_at;
		e->id = e->thread_id = uuid;
		e->sender = strcmp(e->recipient, s1) == 0 ? s2 : s1;
		e->in_reply_to = (char *)"";
		e->created_at = util_now_ms();
		validate_envelope(e, vr);
		e->id = keep[0], e->thread_id = keep[1];
		e->sender = keep[2], e->in_reply_to = keep[3];
		e->created_at = created;
	}
	for (i = 0; i < pe->n; i++) {
		poc__field_error__init(&fe[n]);
		fe[n].field = (char *)(pe->e[i].path[0] ? pe->e[i].path : "-");
		fe[n].message = (char *)pe->e[i].message;
		fp[n] = &fe[n];
		n++;
	}
	for (i = 0; i < vr->n; i++) {
		for (k = 0; node_fields[k] != NULL; k++)
			if (strcmp(vr->err[i].field, node_fields[k]) == 0)
				break;
		if (node_fields[k] != NULL)
			continue;
		/* A field the parser refused is at its default now. */
		for (k = 0; k < pe->n; k++)
			if (strcmp(vr->err[i].field, pe->e[k].path) == 0)
				break;
		if (k < pe->n)
			continue;
		poc__field_error__init(&fe[n]);
		fe[n].field = vr->err[i].field;
		fe[n].message = vr->err[i].message;
		fp[n] = &fe[n];
		n++;
	}
	output_field_errors(what, retry, fp, n);
	exit(1);
}

/*
 * Replaces the message id at *id, if it is a unique prefix rather than a
 * whole id, by the whole id (short ids work in templates as on the
 * command line).  field names it in errors.
 */
static void
cmd_send_resolve(struct client *cl, const char *field, char **id)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpShow	 show = POC__OP_SHOW__INIT;
	Poc__OpReply	*r;
	char		*full;

	if ((*id)[0] == '\0' || util_uuid_valid(*id))
		return;
	if (strlen(*id) < VALIDATE_ID_PREFIX_MIN)
		errx(1, "%s: \"%s\" is too short for an id: give at least %d "
		    "characters of it, nothing sent", field, *id,
		    VALIDATE_ID_PREFIX_MIN);
	show.id = *id;
	req.kind_case = POC__OP_REQUEST__KIND_SHOW;
	req.show = &show;
	r = client_call(cl, &req);
	if (r->kind_case == POC__OP_REPLY__KIND_ERROR &&
	    (r->error->code == POC__OP_ERROR__CODE__NOT_FOUND ||
	    r->error->code == POC__OP_ERROR__CODE__AMBIGUOUS))
		errx(1, "%s: %s \"%s\", nothing sent (see 'pocctl inbox' and "
		    "'pocctl outbox')", field, r->error->code ==
		    POC__OP_ERROR__CODE__NOT_FOUND ? "no message matches" :
		    "more than one message matches", *id);
	client_expect(r, POC__OP_REPLY__KIND_MESSAGES, *id);
	if (r->messages->n_messages != 1 ||
	    r->messages->messages[0]->envelope == NULL)
		errx(1, "%s: %s \"%s\", nothing sent (see 'pocctl inbox' and "
		    "'pocctl outbox')", field, r->messages->n_messages == 0 ?
		    "no message matches" : "more than one message matches",
		    *id);
	if ((full = strdup(r->messages->messages[0]->envelope->id)) == NULL)
		err(1, "strdup");
	client_reply_free(r);
	free(*id);
	*id = full;
}

static Poc__OpReply *
cmd_send_envelope(struct client *cl, Poc__Envelope *env, const char *what,
    const char *retry)
{
	return cmd_send_envelope_to(cl, env, NULL, what, retry);
}

/*
 * Recipients of a send: "all", "network:NAME", or member codes separated
 * by commas or blanks (a JSON array of codes in a template).  One code is
 * an ordinary send; anything else fills to (and returns 1), a send to
 * many: one case, one envelope per member.  Exits 1 on a bad spec.
 */
static int
cmd_recipients(const char *spec, const json_t *arr, Poc__OpSend *to,
    char **buf, const char *what)
{
	const char	*net = "network:";
	char		*p, *tok, *save;
	json_t		*v;
	size_t		 i, n = 0;

	if (arr != NULL) {
		if ((to->recipients = calloc(json_array_size(arr) + 1,
		    sizeof(char *))) == NULL)
			err(1, "calloc");
		json_array_foreach(arr, i, v) {
			if (!json_is_string(v))
				errx(1, "%s: recipient[%zu]: expected a member "
				    "code (a string), nothing sent", what, i);
			to->recipients[n++] = (char *)json_string_value(v);
		}
		to->n_recipients = n;
		if (n == 0)
			errx(1, "%s: recipient: the list is empty, nothing "
			    "sent", what);
		return 1;
	}
	if (strcmp(spec, "all") == 0) {
		to->all = 1;
		return 1;
	}
	if (strncmp(spec, net, strlen(net)) == 0) {
		to->network = (char *)spec + strlen(net);
		if (to->network[0] == '\0')
			errx(1, "%s: recipient: network: wants a name, as in "
			    "network:OSCE; nothing sent", what);
		return 1;
	}
	if (strpbrk(spec, ", \t") == NULL)
		return 0;
	if ((*buf = strdup(spec)) == NULL ||
	    (to->recipients = calloc(strlen(spec) / 2 + 2,
	    sizeof(char *))) == NULL)
		err(1, "out of memory");
	for (p = *buf; (tok = strtok_r(p, ", \t", &save)) != NULL; p = NULL)
		to->recipients[n++] = tok;
	to->n_recipients = n;
	return n > 1 || n == 0 ? 1 : 0;
}

/* pocctl send FILE [--to SPEC]: reads a template, checks that it maps
 * onto an Envelope, and submits it, to one member or to many. */
int
cmd_send(struct ctx *ctx, int argc, char **argv)
{
	const char		*file, *what, *tospec = NULL;
	struct cmd_opt		 opts[] = { { "to", &tospec }, { NULL, NULL } };
	struct pbjson_errors	*pe;
	Poc__Envelope		*e;
	Poc__OpSend		 to = POC__OP_SEND__INIT;
	struct client		*cl;
	Poc__OpReply		*r;
	json_error_t		 je;
	json_t			*j, *rcp;
	char			 retry[1100];
	char			*tobuf = NULL, *spec = NULL;
	int			 many = 0;

	cmd_args(ctx, argc, argv, opts, &file, 1, 1);
	snprintf(retry, sizeof(retry), "%s send %s%s%s",
	    program_invocation_short_name, file, tospec ? " --to " : "",
	    tospec ? tospec : "");
	if (strcmp(file, "-") == 0) {
		what = "standard input";
		j = json_loadf(stdin, JSON_REJECT_DUPLICATES, &je);
	} else {
		what = file;
		j = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
	}
	if (j == NULL) {
		if (je.line > 0)
			errx(1, "%s:%d:%d: %s: not valid JSON, nothing sent",
			    what, je.line, je.column, je.text);
		errx(1, "%s", je.text);
	}
	/* --to replaces the template's recipient; a list, a network or
	 * "all" is taken out of the envelope and sent beside it. */
	rcp = json_is_object(j) ? json_object_get(j, "recipient") : NULL;
	json_incref(rcp);	/* to.recipients may point into it */
	if (tospec != NULL)
		many = cmd_recipients(tospec, NULL, &to, &tobuf, "--to");
	else if (json_is_array(rcp))
		many = cmd_recipients(NULL, rcp, &to, &tobuf, what);
	else if (json_is_string(rcp)) {
		if ((spec = strdup(json_string_value(rcp))) == NULL)
			err(1, "strdup");
		many = cmd_recipients(spec, NULL, &to, &tobuf, what);
	}
	if (json_is_object(j) && (many || tospec != NULL ||
	    to.n_recipients == 1))
		json_object_set_new(j, "recipient", json_string(many ? "" :
		    to.n_recipients == 1 ? to.recipients[0] : tospec));
	if ((pe = malloc(sizeof(*pe))) == NULL)
		err(1, "malloc");
	e = (Poc__Envelope *)pbjson_parse(j, &poc__envelope__descriptor,
	    cmd_local_keys, util_now_ms(), pe);
	json_decref(j);
	if (e == NULL)
		errx(1, "%s: %s, nothing sent", what, pe->n > 0 ?
		    pe->e[0].message : "out of memory");
	if (pe->total > 0)
		cmd_send_problems(what, retry, e, pe);
	free(pe);

	cl = cmd_open(ctx);
	cmd_send_resolve(cl, "in_reply_to", &e->in_reply_to);
	if (e->body_case == POC__ENVELOPE__BODY_ACKNOWLEDGEMENT)
		cmd_send_resolve(cl, "acknowledgement.ack_of",
		    &e->acknowledgement->ack_of);
	if (e->body_case == POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE)
		cmd_send_resolve(cl, "assistance_response.request_id",
		    &e->assistance_response->request_id);
	r = cmd_send_envelope_to(cl, e, many ? &to : NULL, what, retry);
	ctx->out->queued(r->queued, 1);
	client_reply_free(r);
	client_close(cl);
	protobuf_c_message_free_unpacked(&e->base, NULL);
	json_decref(rcp);	/* after the request: it holds its strings */
	free(to.recipients);
	free(tobuf);
	free(spec);
	return 0;
}

/* Fills the envelope fields of a reply to orig: to its sender, in its
 * thread, with its TLP, language and exercise flag. */
static void
cmd_reply_envelope(Poc__Envelope *e, const Poc__Envelope *orig)
{
	e->recipient = orig->sender;
	e->in_reply_to = orig->id;
	e->thread_id = orig->thread_id[0] != '\0' ? orig->thread_id : orig->id;
	e->tlp = orig->tlp;
	e->language = orig->language;
	e->exercise = orig->exercise;
}

/* Checks that sm is a message we received and not an acknowledgement;
 * what names the act ("acknowledged"). */
static void
cmd_check_incoming(const Poc__StoredMessage *sm, const char *id,
    const char *what)
{
	if (strcmp(sm->direction, "in") != 0)
		errx(1, "%s is a message this node sent (to %s): only "
		    "incoming messages can be %s", id, sm->envelope->recipient,
		    what);
	if (sm->envelope->body_case == POC__ENVELOPE__BODY_ACKNOWLEDGEMENT)
		errx(1, "%s is itself an acknowledgement: acknowledgements "
		    "are not %s", id, what);
}

/* Sends env, the reply composed to the message of orig (from
 * client_show), prints "queued ID" and frees orig and cl.  what names the
 * reply in field errors; the command to retry is `pocctl CMD ID` + more. */
static int
cmd_reply_send(struct ctx *ctx, struct client *cl, Poc__OpReply *orig,
    Poc__Envelope *env, const char *what, const char *id, const char *more)
{
	Poc__OpReply	*r;
	char		 retry[256];

	snprintf(retry, sizeof(retry), "%s %s %s%s",
	    program_invocation_short_name, ctx->cmd->name, id, more);
	r = cmd_send_envelope(cl, env, what, retry);
	ctx->out->queued(r->queued, 0);
	client_reply_free(r);
	client_reply_free(orig);
	client_close(cl);
	return 0;
}

/* pocctl ack ID: acknowledges receipt of an incoming message (para 30(c)). */
int
cmd_ack(struct ctx *ctx, int argc, char **argv)
{
	Poc__Envelope			 env = POC__ENVELOPE__INIT;
	Poc__Acknowledgement		 ack = POC__ACKNOWLEDGEMENT__INIT;
	const Poc__StoredMessage	*sm;
	const char			*id, *note = NULL;
	struct cmd_opt			 opts[] = {
		{ "note", &note }, { NULL, NULL }
	};
	struct client			*cl;
	Poc__OpReply			*orig;

	cmd_args(ctx, argc, argv, opts, &id, 1, 1);
	cmd_id_prefix(ctx, id);
	orig = cmd_fetch(ctx, id, &cl, &sm);
	cmd_check_incoming(sm, id, "acknowledged");
	if (sm->n_acks > 0)
		warnx("note: %s was already acknowledged (by %s, ack %.8s); "
		    "sending another acknowledgement", id,
		    sm->acks[0]->by[0] ? sm->acks[0]->by : "?",
		    sm->acks[0]->id);
	else if (sm->n_acknowledged_by > 0)
		warnx("note: %s was already acknowledged (ack %.8s); sending "
		    "another acknowledgement", id, sm->acknowledged_by[0]);

	cmd_reply_envelope(&env, sm->envelope);
	ack.ack_of = sm->envelope->id;
	ack.received_at = sm->received_at;
	ack.note = (char *)(note != NULL ? note : "");
	/* acknowledged_by stays empty: the node fills it in from the
	 * operator certificate, so nobody can sign for someone else. */
	env.body_case = POC__ENVELOPE__BODY_ACKNOWLEDGEMENT;
	env.acknowledgement = &ack;
	return cmd_reply_send(ctx, cl, orig, &env, "the acknowledgement", id,
	    "");
}

/*
 * The value of enum d that the option value s names, in any case and with
 * '-' for '_' ("will-assist"); not the zero value, nor skip (0: none).
 * Exits 2 naming what and the values allowed otherwise.
 */
static int
cmd_enum_arg(const struct ctx *ctx, const ProtobufCEnumDescriptor *d,
    const char *s, int skip, const char *what, const char *allowed)
{
	const ProtobufCEnumValue	*v;
	char				 name[64];
	size_t				 i;

	for (i = 0; s[i] != '\0' && i + 1 < sizeof(name); i++)
		name[i] = s[i] == '-' ? '_' : (char)toupper((unsigned char)s[i]);
	name[i] = '\0';
	v = protobuf_c_enum_descriptor_get_value_by_name(d, name);
	if (v == NULL || v->value == 0 || (skip != 0 && v->value == skip) ||
	    s[i] != '\0')
		cmd_usage(ctx, "unknown %s \"%s\": %s", what, s, allowed);
	return v->value;
}

/* pocctl respond ID: answers an incoming assistance request (para 54). */
int
cmd_respond(struct ctx *ctx, int argc, char **argv)
{
	Poc__Envelope			 env = POC__ENVELOPE__INIT;
	Poc__AssistanceResponse		 resp = POC__ASSISTANCE_RESPONSE__INIT;
	const Poc__StoredMessage	*sm;
	const char			*id, *decision = NULL, *timeframe = NULL;
	const char			*nature = NULL, *scope = NULL;
	const char			*terms = NULL, *contact = NULL;
	const char			*note = NULL;
	struct cmd_opt			 opts[] = {
		{ "decision", &decision }, { "timeframe", &timeframe },
		{ "nature", &nature }, { "scope", &scope },
		{ "terms", &terms }, { "contact", &contact },
		{ "note", &note }, { NULL, NULL }
	};
	struct client			*cl;
	Poc__OpReply			*orig;
	int				 dv;

	cmd_args(ctx, argc, argv, opts, &id, 1, 1);
	cmd_id_prefix(ctx, id);
	if (decision == NULL)
		cmd_usage(ctx, "--decision is required: WILL_ASSIST, PARTIAL, "
		    "CANNOT_ASSIST or NEED_INFORMATION");
	dv = cmd_enum_arg(ctx, &poc__assistance_response__decision__descriptor,
	    decision, 0, "decision", "WILL_ASSIST, PARTIAL, CANNOT_ASSIST or "
	    "NEED_INFORMATION");

	orig = cmd_fetch(ctx, id, &cl, &sm);
	cmd_check_incoming(sm, id, "answered with a response");
	if (sm->envelope->body_case != POC__ENVELOPE__BODY_ASSISTANCE_REQUEST)
		errx(1, "%s is not an assistance request (it is of kind %s): "
		    "only requests get a response", id,
		    render_kind_short(sm->envelope));

	cmd_reply_envelope(&env, sm->envelope);
	resp.request_id = sm->envelope->id;
	resp.decision = (Poc__AssistanceResponse__Decision)dv;
	resp.timeframe = (char *)(timeframe ? timeframe : "");
	resp.nature = (char *)(nature ? nature : "");
	resp.scope = (char *)(scope ? scope : "");
	resp.terms = (char *)(terms ? terms : "");
	resp.contact = (char *)(contact ? contact : "");
	resp.note = (char *)(note ? note : "");
	env.body_case = POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE;
	env.assistance_response = &resp;
	return cmd_reply_send(ctx, cl, orig, &env, "the response", id,
	    " ...");
}

/* pocctl check-reply ID: answers a communication check that came in. */
int
cmd_check_reply(struct ctx *ctx, int argc, char **argv)
{
	Poc__Envelope			 env = POC__ENVELOPE__INIT;
	Poc__CheckReply			 cr = POC__CHECK_REPLY__INIT;
	const Poc__StoredMessage	*sm;
	const char			*id;
	struct client			*cl;
	Poc__OpReply			*orig;

	cmd_args(ctx, argc, argv, NULL, &id, 1, 1);
	cmd_id_prefix(ctx, id);
	orig = cmd_fetch(ctx, id, &cl, &sm);
	if (strcmp(sm->direction, "in") != 0 || sm->envelope->body_case !=
	    POC__ENVELOPE__BODY_COMMUNICATION_CHECK)
		errx(1, "%s is not a communication check this node received "
		    "(it is %s %s): only those get a check reply", id,
		    strcmp(sm->direction, "in") == 0 ? "an incoming" :
		    "an outgoing", render_kind_short(sm->envelope));

	cmd_reply_envelope(&env, sm->envelope);
	cr.check_id = sm->envelope->communication_check->check_id;
	/* replied_by stays empty: the node fills it in from the operator
	 * certificate, as for acknowledgements. */
	env.body_case = POC__ENVELOPE__BODY_CHECK_REPLY;
	env.check_reply = &cr;
	return cmd_reply_send(ctx, cl, orig, &env, "the check reply", id, "");
}

/*
 * pocctl update ID --status S [--text T]: a status update of ID's case to
 * the other party (the sender of an incoming ID, the recipient of an
 * outgoing one), in its thread, with its TLP, language and exercise flag.
 */
int
cmd_update(struct ctx *ctx, int argc, char **argv)
{
	Poc__Envelope			 env = POC__ENVELOPE__INIT;
	Poc__StatusUpdate		 su = POC__STATUS_UPDATE__INIT;
	const Poc__StoredMessage	*sm;
	const char			*id, *status = NULL, *text = NULL;
	struct cmd_opt			 opts[] = {
		{ "status", &status }, { "text", &text }, { NULL, NULL }
	};
	struct client			*cl;
	Poc__OpReply			*orig;
	int				 sv;

	cmd_args(ctx, argc, argv, opts, &id, 1, 1);
	cmd_id_prefix(ctx, id);
	if (status == NULL)
		cmd_usage(ctx, "--status is required: " CMD_UPDATE_STATUSES);
	/* OPEN is what a case is before any update: not one to send. */
	sv = cmd_enum_arg(ctx, &poc__case_status__descriptor, status,
	    POC__CASE_STATUS__OPEN, "status", CMD_UPDATE_STATUSES);

	orig = cmd_fetch(ctx, id, &cl, &sm);
	cmd_reply_envelope(&env, sm->envelope);
	if (strcmp(sm->direction, "in") != 0)
		env.recipient = sm->envelope->recipient;
	su.status = (Poc__CaseStatus)sv;
	su.text = (char *)(text != NULL ? text : "");
	env.body_case = POC__ENVELOPE__BODY_STATUS_UPDATE;
	env.status_update = &su;
	return cmd_reply_send(ctx, cl, orig, &env, "the status update", id,
	    " ...");
}
