/*
 * pocctl's commands that make messages: template (local, no connection),
 * send (a template filled in by the operator), and the shortcuts ack and
 * respond, which compose the reply envelope from the message they answer
 * so the operator cannot get the thread, recipient, TLP or exercise flag
 * wrong.
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
	"attempts", "next_attempt_at", "acknowledged_by", NULL
};

/* pocctl template KIND: prints a blank envelope of KIND, no connection
 * needed. */
int
cmd_template(struct ctx *ctx, int argc, char **argv)
{
	const char	*kind = NULL, *lang = "en", *member = NULL, *p;
	struct cmd_opt	 opts[] = { { "lang", &lang }, { NULL, NULL } };
	json_t		*j;
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
	for (p = lang; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			break;
	if (lang[0] == '\0' || *p != '\0' || strlen(lang) > CMD_LANG_MAX)
		cmd_usage(ctx, "--lang wants a BCP 47 tag such as en, fr or "
		    "zh-Hans, not \"%s\"", lang);

	if ((j = pbjson_blank(&poc__envelope__descriptor, member)) == NULL)
		errx(1, "cannot make a template for %s", member);
	json_object_set_new(j, "language", json_string(lang));
	output_json(j);
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

	cl = client_open(client_config_path(ctx->config), ctx->timeout_ms);
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
	Poc__OpReply			*orig, *r;
	char				 retry[256];

	cmd_args(ctx, argc, argv, opts, &id, 1, 1);
	if (strlen(id) < 4)
		cmd_usage(ctx, "ID \"%s\" is too short: give at least 4 "
		    "characters of it", id);
	cl = client_open(client_config_path(ctx->config), ctx->timeout_ms);
	orig = client_show(cl, id, &sm);
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
	snprintf(retry, sizeof(retry), "%s ack %s",
	    program_invocation_short_name, id);
	r = cmd_send_envelope(cl, &env, "the acknowledgement", retry);
	ctx->out->queued(r->queued, 0);
	client_reply_free(r);
	client_reply_free(orig);
	client_close(cl);
	return 0;
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
	Poc__OpReply			*orig, *r;
	char				 dname[64], retry[256];
	size_t				 i;

	cmd_args(ctx, argc, argv, opts, &id, 1, 1);
	if (strlen(id) < 4)
		cmd_usage(ctx, "ID \"%s\" is too short: give at least 4 "
		    "characters of it", id);
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

	cl = client_open(client_config_path(ctx->config), ctx->timeout_ms);
	orig = client_show(cl, id, &sm);
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
	snprintf(retry, sizeof(retry), "%s respond %s ...",
	    program_invocation_short_name, id);
	r = cmd_send_envelope(cl, &env, "the response", retry);
	ctx->out->queued(r->queued, 0);
	client_reply_free(r);
	client_reply_free(orig);
	client_close(cl);
	return 0;
}
