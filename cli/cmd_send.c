/*
 * pocctl's commands that make messages: template (local, no connection),
 * send (a template filled in by the operator), and the shortcuts ack,
 * respond and check-reply, which compose the reply envelope from the
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

#define CMD_KIND_LIST	"assistance_request (request), assistance_response " \
	"(response), notification, acknowledgement (ack), status_update " \
	"(update), communication_check (check), check_reply"

/* Keys of `show --json` output that are the node's, not the sender's. */
static const char *const cmd_local_keys[] = {
	"direction", "state", "received_at", "delivered_at", "reason",
	"attempts", "next_attempt_at", "acknowledged_by",
	"deadline_at", "overdue_at", "overdue", "escalation_step",
	"next_contacts", "case_status", "case_history",
	"signature_verified", "signature_error", "signature",
	"signer_certificate", "clock_ahead",
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
		{ NULL, "in_reply_to", N_("id of the message this answers, "
		    "or empty") },
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
		return strdup(_("UTC time, Unix milliseconds"));
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

/* Sends env over cl; returns the reply holding the OpQueued, or exits 1
 * reporting the problems (what/retry as for output_field_errors). */
static Poc__OpReply *
cmd_send_envelope(struct client *cl, Poc__Envelope *env, const char *what,
    const char *retry)
{
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpSend	 send = POC__OP_SEND__INIT;
	Poc__OpReply	*r;

	send.envelope = env;
	req.kind_case = POC__OP_REQUEST__KIND_SEND;
	req.send = &send;
	r = client_call(cl, &req);
	if (r->kind_case == POC__OP_REPLY__KIND_ERROR)
		cmd_refused(r->error, what, retry);
	client_expect(r, POC__OP_REPLY__KIND_QUEUED, NULL);
	return r;
}

/* pocctl send FILE: reads a template, checks that it maps onto an Envelope,
 * and submits it. */
int
cmd_send(struct ctx *ctx, int argc, char **argv)
{
	const char		*file, *what;
	ProtobufCMessage	*m;
	Poc__FieldError		 fe = POC__FIELD_ERROR__INIT;
	const Poc__FieldError	*fep = &fe;
	struct client		*cl;
	Poc__OpReply		*r;
	json_error_t		 je;
	json_t			*j;
	char			 errbuf[1024], retry[1100], *colon;

	cmd_args(ctx, argc, argv, NULL, &file, 1, 1);
	snprintf(retry, sizeof(retry), "%s send %s",
	    program_invocation_short_name, file);
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
	m = pbjson_to_message(j, &poc__envelope__descriptor, cmd_local_keys,
	    errbuf, sizeof(errbuf));
	json_decref(j);
	if (m == NULL) {
		/* One problem, "path: what is wrong": report it like the
		 * node's field errors. */
		fe.field = (char *)"-";
		fe.message = errbuf;
		if ((colon = strstr(errbuf, ": ")) != NULL) {
			*colon = '\0';
			fe.field = errbuf;
			fe.message = colon + 2;
		}
		output_field_errors(what, retry, &fep, 1);
		exit(1);
	}

	cl = cmd_open(ctx);
	r = cmd_send_envelope(cl, (Poc__Envelope *)m, what, retry);
	ctx->out->queued(r->queued, 1);
	client_reply_free(r);
	client_close(cl);
	protobuf_c_message_free_unpacked(m, NULL);
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
	if (sm->n_acknowledged_by > 0)
		warnx("note: %s was already acknowledged (by %s); sending "
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

/* pocctl respond ID: answers an incoming assistance request (para 54). */
int
cmd_respond(struct ctx *ctx, int argc, char **argv)
{
	Poc__Envelope			 env = POC__ENVELOPE__INIT;
	Poc__AssistanceResponse		 resp = POC__ASSISTANCE_RESPONSE__INIT;
	const ProtobufCEnumValue	*dv;
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
	char				 dname[64];
	size_t				 i;

	cmd_args(ctx, argc, argv, opts, &id, 1, 1);
	cmd_id_prefix(ctx, id);
	if (decision == NULL)
		cmd_usage(ctx, "--decision is required: WILL_ASSIST, PARTIAL, "
		    "CANNOT_ASSIST or NEED_INFORMATION");
	for (i = 0; decision[i] != '\0' && i + 1 < sizeof(dname); i++)
		dname[i] = (char)toupper((unsigned char)decision[i]);
	dname[i] = '\0';
	dv = protobuf_c_enum_descriptor_get_value_by_name(
	    &poc__assistance_response__decision__descriptor, dname);
	if (dv == NULL || dv->value == 0 || decision[i] != '\0')
		cmd_usage(ctx, "unknown decision \"%s\": WILL_ASSIST, PARTIAL, "
		    "CANNOT_ASSIST or NEED_INFORMATION", decision);

	orig = cmd_fetch(ctx, id, &cl, &sm);
	cmd_check_incoming(sm, id, "answered with a response");
	if (sm->envelope->body_case != POC__ENVELOPE__BODY_ASSISTANCE_REQUEST)
		errx(1, "%s is not an assistance request (it is of kind %s): "
		    "only requests get a response", id,
		    render_kind_short(sm->envelope));

	cmd_reply_envelope(&env, sm->envelope);
	resp.request_id = sm->envelope->id;
	resp.decision = (Poc__AssistanceResponse__Decision)dv->value;
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
