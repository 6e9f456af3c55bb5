/*
 * Unit tests for common/validate.c.  Each case starts from a valid envelope
 * of one body kind (written as JSON and read with pbjson), breaks one rule
 * with a JSON patch or a change to the message, and expects exactly one
 * error on the right field path.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "pbjson.h"
#include "pbjson_parse.h"
#include "msgid.h"
#include "threadid.h"
#include "idvec.h"
#include "util.h"
#include "validate.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define UUID1	"0b7f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a"
#define HEADER	"\"id\":\"" UUID1 "\",\"thread_id\":\"" UUID1 "\","	\
		"\"in_reply_to\":\"\",\"sender\":\"AUS\","		\
		"\"recipient\":\"FRA\",\"created_at\":1764042425123,"	\
		"\"tlp\":\"AMBER\",\"language\":\"en\",\"exercise\":true"

/* A valid body of each kind, every field given or named as missing. */
static const struct {
	const char	*kind;
	const char	*json;
} fixtures[] = {
	{ "assistance_request", "{\"summary\":\"Ransomware at a hospital\","
	    "\"description\":\"Since 03:00 UTC\",\"severity\":\"HIGH\","
	    "\"urgency\":\"FLASH\",\"sectors\":[\"HEALTH\",\"ENERGY\"],"
	    "\"observed_since\":1764040000000,\"indicators\":["
	    "{\"type\":\"IPV4\",\"value\":\"192.0.2.1\",\"note\":\"C2\"},"
	    "{\"type\":\"DOMAIN\",\"value\":\"example.org\"}],"
	    "\"assistance_types\":[\"TAKEDOWN\",\"INFORMATION\"],"
	    "\"contact\":\"CERT duty\",\"unavailable\":[\"respond_by\"]}" },
	{ "assistance_response", "{\"request_id\":"
	    "\"1c8f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a\",\"decision\":\"PARTIAL\","
	    "\"timeframe\":\"48 h\",\"nature\":\"analysis\",\"scope\":\"logs\","
	    "\"contact\":\"desk\",\"note\":\"n\",\"withheld\":[\"terms\"]}" },
	{ "notification", "{\"summary\":\"Botnet C2 in your space\","
	    "\"description\":\"d\",\"severity\":\"LOW\","
	    "\"sectors\":[\"WATER\"],\"activity_since\":1764000000000,"
	    "\"indicators\":[{\"type\":\"URL\","
	    "\"value\":\"http://example.net/x\"}],"
	    "\"requested_action\":\"stop\","
	    "\"urgency\":\"ROUTINE\"}" },
	{ "acknowledgement", "{\"ack_of\":"
	    "\"2d9f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a\","
	    "\"received_at\":1764042425999,\"acknowledged_by\":\"J. Doe\","
	    "\"note\":\"\\u6536\\u5230\"}" },
	{ "status_update", "{\"status\":\"IN_PROGRESS\",\"text\":\"t\"}" },
	{ "communication_check", "{\"check_id\":\"q3-2026\","
	    "\"reply_by\":1764046025123}" },
	{ "check_reply", "{\"check_id\":\"q3-2026\",\"replied_by\":\"duty\","
	    "\"unavailable\":[]}" },
};

/* Replaces the keys of dst with those of patch, recursing into objects;
 * a null member removes a body (pbjson reads null as "not given"). */
static void
json_merge(json_t *dst, json_t *patch)
{
	const char	*key;
	json_t		*v, *d;

	json_object_foreach(patch, key, v) {
		d = json_object_get(dst, key);
		if (json_is_object(d) && json_is_object(v))
			json_merge(d, v);
		else
			json_object_set(dst, key, v);
	}
}

/* The JSON of the valid envelope with body kind. */
static json_t *
fixture_json(const char *kind)
{
	json_error_t	 jerr;
	json_t		*j;
	char		 text[2048];
	size_t		 i;

	for (i = 0; i < nitems(fixtures); i++)
		if (strcmp(fixtures[i].kind, kind) == 0)
			break;
	ck_assert_uint_lt(i, nitems(fixtures));
	snprintf(text, sizeof(text), "{" HEADER ",\"%s\":%s}", kind,
	    fixtures[i].json);
	j = json_loads(text, 0, &jerr);
	ck_assert_msg(j != NULL, "%s: %s", jerr.text, text);
	return j;
}

/* Reads j as an envelope (the test's JSON must be well-formed for it). */
static Poc__Envelope *
envelope_from(json_t *j)
{
	ProtobufCMessage	*m;
	char			 err[256];

	m = pbjson_to_message(j, &poc__envelope__descriptor, NULL, err,
	    sizeof(err));
	ck_assert_msg(m != NULL, "fixture: %s", err);
	return (Poc__Envelope *)m;
}

static char *
str_repeat(char c, size_t n)
{
	char	*s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Sets body.key (or body.list[0].key if list) to n bytes of 'x'. */
static void
set_long(json_t *j, const char *body, const char *list, const char *key,
    size_t n)
{
	json_t	*o = json_object_get(j, body);
	char	*s = str_repeat('x', n);

	if (list != NULL)
		o = json_array_get(json_object_get(o, list), 0);
	ck_assert_ptr_nonnull(o);
	json_object_set_new(o, key, json_string(s));
	free(s);
}

/* Sets body.key to an array of n copies of item. */
static void
set_many(json_t *j, const char *body, const char *key, json_t *item,
    size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append(a, item);
	json_decref(item);
	json_object_set_new(json_object_get(j, body), key, a);
}

static void
long_summary(json_t *j)
{
	set_long(j, "assistance_request", NULL, "summary", 501);
}

static void
long_description(json_t *j)
{
	set_long(j, "assistance_request", NULL, "description", 16385);
}

static void
long_indicator_value(json_t *j)
{
	set_long(j, "notification", "indicators", "value", 2049);
}

static void
long_indicator_note(json_t *j)
{
	set_long(j, "assistance_request", "indicators", "note", 1025);
}

static void
long_acknowledged_by(json_t *j)
{
	set_long(j, "acknowledgement", NULL, "acknowledged_by", 257);
}

static void
long_replied_by(json_t *j)
{
	set_long(j, "check_reply", NULL, "replied_by", 257);
}

static void
long_check_id(json_t *j)
{
	set_long(j, "communication_check", NULL, "check_id", 257);
}

static void
long_terms(json_t *j)
{
	set_long(j, "assistance_response", NULL, "timeframe", 16385);
}

static void
many_indicators(json_t *j)
{
	set_many(j, "assistance_request", "indicators",
	    json_pack("{s:s,s:s}", "type", "IPV6", "value", "2001:db8::1"),
	    257);
}

static void
many_sectors(json_t *j)
{
	set_many(j, "notification", "sectors", json_string("TELECOM"), 17);
}

static void
many_assistance_types(json_t *j)
{
	set_many(j, "assistance_request", "assistance_types",
	    json_string("OTHER"), 17);
}

static void
many_unavailable(json_t *j)
{
	set_many(j, "check_reply", "unavailable", json_string("x"), 33);
}

/* Replaces *p, a string of a message read by pbjson, with s. */
static void
set_str(char **p, const char *s)
{
	if (*p != protobuf_c_empty_string)
		free(*p);
	*p = strdup(s);
	ck_assert_ptr_nonnull(*p);
}

static void
bad_utf8_description(Poc__Envelope *e)
{
	set_str(&e->assistance_request->description, "caf\xc3 \xc0\xaf");
}

static void
bad_utf8_nested(Poc__Envelope *e)
{
	set_str(&e->notification->indicators[0]->note, "\xed\xa0\x80");
}

static void
unknown_body(Poc__Envelope *e)
{
	e->body_case = (Poc__Envelope__BodyCase)19;
}

struct rule_case {
	const char	*kind;		/* the fixture */
	const char	*patch;		/* JSON merged into it, or NULL */
	void		(*jmut)(json_t *);
	void		(*mmut)(Poc__Envelope *);
	const char	*field;		/* the error expected ... */
	const char	*message;	/* ... whose message has this */
	int		 more;		/* other errors are expected too */
};

#define AR	"assistance_request"
#define P(body, inner)	"{\"" body "\":{" inner "}}"

static const struct rule_case cases[] = {
	/* Envelope. */
	{ AR, "{\"id\":\"\"}", NULL, NULL, "id", "required: a UUID", 0 },
	{ AR, "{\"id\":\"0b7f8c2e\"}", NULL, NULL, "id", "not a UUID", 0 },
	{ AR, "{\"id\":\"0b7f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a0\"}", NULL, NULL,
	    "id", "too long: 37 bytes (at most 36)", 0 },
	{ AR, "{\"thread_id\":\"\"}", NULL, NULL, "thread_id",
	    "required: a UUID", 0 },
	{ AR, "{\"in_reply_to\":\"nope\"}", NULL, NULL, "in_reply_to",
	    "not a UUID", 0 },
	{ AR, "{\"thread_id\":\"1b7f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a\"}",
	    NULL, NULL, "thread_id", "must equal id for a new case", 0 },
	{ AR, "{\"sender\":\"aus\"}", NULL, NULL, "sender",
	    "not a member code", 0 },
	{ AR, "{\"sender\":\"A\"}", NULL, NULL, "sender",
	    "not a member code", 0 },
	{ AR, "{\"recipient\":\"\"}", NULL, NULL, "recipient",
	    "required: a member code", 0 },
	{ AR, "{\"recipient\":\"AUS\"}", NULL, NULL, "recipient",
	    "must differ from sender", 0 },
	{ AR, "{\"created_at\":0}", NULL, NULL, "created_at", "required", 0 },
	{ AR, "{\"created_at\":-5}", NULL, NULL, "created_at",
	    "out of range: -5 (1..4102444799999)", 0 },
	{ AR, "{\"created_at\":4102444800000}", NULL, NULL, "created_at",
	    "out of range", 0 },
	{ AR, "{\"tlp\":\"\"}", NULL, NULL, "tlp",
	    "required: one of CLEAR, GREEN, AMBER, AMBER_STRICT, RED", 0 },
	{ AR, "{\"tlp\":99}", NULL, NULL, "tlp", "unknown value 99 (one of "
	    "CLEAR, GREEN, AMBER, AMBER_STRICT, RED)", 0 },
	{ AR, "{\"language\":\"english\"}", NULL, NULL, "language",
	    "not a BCP 47 language tag", 0 },
	{ AR, "{\"language\":\"en-\"}", NULL, NULL, "language",
	    "not a BCP 47", 0 },
	{ AR, "{\"language\":\"en-abcdefghi\"}", NULL, NULL, "language",
	    "not a BCP 47", 0 },
	{ AR, "{\"language\":\"e1\"}", NULL, NULL, "language",
	    "not a BCP 47", 0 },
	{ AR, "{\"" AR "\":null}", NULL, NULL, "body",
	    "required: one of assistance_request, assistance_response, "
	    "notification, acknowledgement, status_update, "
	    "communication_check, check_reply", 0 },
	{ AR, NULL, NULL, unknown_body, "body", "unknown kind 19", 0 },

	/* AssistanceRequest. */
	{ AR, P(AR, "\"summary\":\"\""), NULL, NULL, AR ".summary",
	    "required", 0 },
	{ AR, NULL, long_summary, NULL, AR ".summary",
	    "too long: 501 bytes (at most 500)", 0 },
	{ AR, NULL, long_description, NULL, AR ".description",
	    "too long: 16385 bytes (at most 16384)", 0 },
	{ AR, NULL, NULL, bad_utf8_description, AR ".description",
	    "not valid UTF-8", 0 },
	{ AR, P(AR, "\"severity\":7"), NULL, NULL, AR ".severity",
	    "unknown value 7 (one of BASELINE, LOW, MEDIUM, HIGH, SEVERE, "
	    "EMERGENCY)", 0 },
	{ AR, P(AR, "\"urgency\":-1"), NULL, NULL, AR ".urgency",
	    "unknown value -1 (one of ROUTINE, PRIORITY, IMMEDIATE, FLASH)",
	    0 },
	{ AR, P(AR, "\"sectors\":[\"HEALTH\",99]"), NULL, NULL,
	    AR ".sectors[1]", "unknown value 99 (one of HEALTH, ENERGY, ", 0 },
	{ AR, P(AR, "\"sectors\":[\"\"]"), NULL, NULL, AR ".sectors[0]",
	    "empty value (one of HEALTH, ", 0 },
	{ AR, P(AR, "\"assistance_types\":[\"TAKEDOWN\",9]"), NULL, NULL,
	    AR ".assistance_types[1]", "unknown value 9 (one of INFORMATION, "
	    "TECHNICAL_ANALYSIS, MITIGATION_AT_SOURCE, TAKEDOWN, "
	    "LAW_ENFORCEMENT, OTHER)", 0 },
	{ AR, NULL, many_assistance_types, NULL, AR ".assistance_types",
	    "too many: 17 (at most 16)", 0 },
	{ AR, P(AR, "\"observed_since\":-1"), NULL, NULL,
	    AR ".observed_since", "out of range: -1 (at least 0)", 0 },
	{ AR, P(AR, "\"unavailable\":[],\"respond_by\":-1"), NULL, NULL,
	    AR ".respond_by", "out of range: -1 (at least 0)", 0 },
	{ AR, P(AR, "\"indicators\":[{\"type\":\"IPV4\",\"value\":\"a\"},"
	    "{\"type\":\"DOMAIN\"}]"), NULL, NULL, AR ".indicators[1].value",
	    "required", 0 },
	{ AR, P(AR, "\"indicators\":[{\"value\":\"203.0.113.7\"}]"), NULL, NULL,
	    AR ".indicators[0].type", "required: one of IPV4", 0 },
	{ AR, P(AR, "\"indicators\":[{\"type\":12,\"value\":\"a\"}]"), NULL,
	    NULL, AR ".indicators[0].type", "unknown value 12 (one of IPV4, ",
	    0 },
	{ AR, NULL, long_indicator_note, NULL, AR ".indicators[0].note",
	    "too long: 1025 bytes (at most 1024)", 0 },
	{ AR, NULL, many_indicators, NULL, AR ".indicators",
	    "too many: 257 (at most 256)", 0 },

	/* unavailable and withheld. */
	{ AR, P(AR, "\"unavailable\":[\"description\"]"), NULL, NULL,
	    AR ".unavailable[0]", "\"description\" is given, so it cannot be "
	    "unavailable", 0 },
	{ AR, P(AR, "\"withheld\":[\"summary\"]"), NULL, NULL,
	    AR ".withheld[0]", "\"summary\" is required, so it cannot be "
	    "withheld", 0 },
	{ AR, P(AR, "\"unavailable\":[\"colour\"]"), NULL, NULL,
	    AR ".unavailable[0]", "unknown field \"colour\" (one of "
	    "description, severity, urgency, sectors, observed_since, "
	    "indicators, assistance_types, respond_by, contact)", 0 },
	{ AR, P(AR, "\"unavailable\":[\"withheld\"]"), NULL, NULL,
	    AR ".unavailable[0]", "unknown field \"withheld\"", 0 },
	{ AR, P(AR, "\"unavailable\":[\"respond_by\",\"respond_by\"]"), NULL,
	    NULL, AR ".unavailable[1]", "\"respond_by\" is listed twice", 0 },
	{ AR, P(AR, "\"withheld\":[\"respond_by\"]"), NULL, NULL,
	    AR ".withheld[0]", "\"respond_by\" is also in unavailable", 0 },
	{ "acknowledgement", P("acknowledgement", "\"withheld\":[\"ack_of\"]"),
	    NULL, NULL, "acknowledgement.withheld[0]",
	    "\"ack_of\" is required, so it cannot be withheld", 0 },
	{ "status_update", P("status_update", "\"text\":\"\","
	    "\"unavailable\":[\"text\"],\"withheld\":[\"status\"]"), NULL,
	    NULL, "status_update.withheld[0]", "\"status\" is required", 0 },
	{ "check_reply", NULL, many_unavailable, NULL,
	    "check_reply.unavailable", "too many: 33 (at most 32)", 1 },

	/* AssistanceResponse. */
	{ "assistance_response", P("assistance_response",
	    "\"request_id\":\"\""), NULL, NULL,
	    "assistance_response.request_id", "required: a UUID", 0 },
	{ "assistance_response", P("assistance_response",
	    "\"request_id\":\"x\""), NULL, NULL,
	    "assistance_response.request_id", "not a UUID", 0 },
	{ "assistance_response", P("assistance_response", "\"decision\":\"\""),
	    NULL, NULL, "assistance_response.decision", "required: one of "
	    "WILL_ASSIST, PARTIAL, CANNOT_ASSIST, NEED_INFORMATION", 0 },
	{ "assistance_response", P("assistance_response", "\"decision\":5"),
	    NULL, NULL, "assistance_response.decision", "unknown value 5", 0 },
	{ "assistance_response", NULL, long_terms, NULL,
	    "assistance_response.timeframe", "too long", 0 },
	{ "assistance_response", P("assistance_response",
	    "\"withheld\":[\"note\"]"), NULL, NULL,
	    "assistance_response.withheld[0]", "\"note\" is given", 0 },

	/* Notification. */
	{ "notification", P("notification", "\"summary\":\"\""), NULL, NULL,
	    "notification.summary", "required", 0 },
	{ "notification", P("notification", "\"severity\":99"), NULL, NULL,
	    "notification.severity", "unknown value 99", 0 },
	{ "notification", P("notification", "\"activity_since\":-1"), NULL,
	    NULL, "notification.activity_since", "out of range", 0 },
	{ "notification", NULL, many_sectors, NULL, "notification.sectors",
	    "too many: 17 (at most 16)", 0 },
	{ "notification", NULL, long_indicator_value, NULL,
	    "notification.indicators[0].value",
	    "too long: 2049 bytes (at most 2048)", 0 },
	{ "notification", NULL, NULL, bad_utf8_nested,
	    "notification.indicators[0].note", "not valid UTF-8", 0 },

	/* Acknowledgement. */
	{ "acknowledgement", P("acknowledgement", "\"ack_of\":\"\""), NULL,
	    NULL, "acknowledgement.ack_of", "required: a UUID", 0 },
	{ "acknowledgement", P("acknowledgement", "\"received_at\":-9"), NULL,
	    NULL, "acknowledgement.received_at", "out of range", 0 },
	{ "acknowledgement", NULL, long_acknowledged_by, NULL,
	    "acknowledgement.acknowledged_by",
	    "too long: 257 bytes (at most 256)", 0 },

	/* StatusUpdate, CommunicationCheck, CheckReply. */
	{ "status_update", P("status_update", "\"status\":\"\""), NULL, NULL,
	    "status_update.status", "required: one of OPEN, IN_PROGRESS, "
	    "MITIGATED, RESOLVED, CLOSED, WITHDRAWN", 0 },
	{ "status_update", P("status_update", "\"status\":99"), NULL, NULL,
	    "status_update.status", "unknown value 99", 0 },
	{ "communication_check", P("communication_check", "\"check_id\":\"\""),
	    NULL, NULL, "communication_check.check_id", "required", 0 },
	{ "communication_check", NULL, long_check_id, NULL,
	    "communication_check.check_id", "too long", 0 },
	{ "communication_check", P("communication_check", "\"reply_by\":-1"),
	    NULL, NULL, "communication_check.reply_by", "out of range", 0 },
	{ "check_reply", P("check_reply", "\"check_id\":\"\""), NULL, NULL,
	    "check_reply.check_id", "required", 0 },
	{ "check_reply", NULL, long_replied_by, NULL, "check_reply.replied_by",
	    "too long", 0 },
};

/* Every error of r, one a line, for failure messages. */
static const char *
dump(const struct validate_result *r)
{
	static char	 buf[8192];
	size_t		 i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < r->n && o < sizeof(buf); i++)
		o += snprintf(buf + o, sizeof(buf) - o, "\n  %s: %s",
		    r->err[i].field, r->err[i].message);
	return buf;
}

START_TEST(test_valid_each_kind)
{
	struct validate_result	 r;
	Poc__Envelope		*e;
	json_t			*j;

	j = fixture_json(fixtures[_i].kind);
	e = envelope_from(j);
	ck_assert_msg(validate_envelope(e, &r) == 0, "%s:%s",
	    fixtures[_i].kind, dump(&r));
	ck_assert_uint_eq(r.total, 0);
	ck_assert_str_eq(validate_body_name(e), fixtures[_i].kind);
	protobuf_c_message_free_unpacked(&e->base, NULL);
	json_decref(j);
}
END_TEST

/* The first error of e's check as received, or "" if it passes. */
static const char *
received_error(const Poc__Envelope *e, struct validate_result *r)
{
	if (validate_envelope_received(e, r) == 0)
		return "";
	return r->err[0].field;
}

/*
 * A peer's envelope may open a case in a thread that is not its id only
 * if its sender's thread_nonce makes that thread (a case sent to many);
 * one made here may not, nor carry a nonce; a nonce goes with such a
 * thread only.
 */
START_TEST(test_shared_thread_received)
{
	struct validate_result	 r;
	Poc__Envelope		*e;
	json_t			*j;

	j = fixture_json(AR);
	e = envelope_from(j);
	set_str(&e->thread_id, AUS_THREAD);
	ck_assert_int_eq(validate_envelope(e, &r), -1);
	ck_assert_str_eq(r.err[0].field, "thread_id");
	/* No nonce: refused (a thread of the sender's free choice). */
	ck_assert_str_eq(received_error(e, &r), "thread_nonce");
	set_str(&e->thread_nonce, NONCE);
	ck_assert_msg(validate_envelope_received(e, &r) == 0, "%s", dump(&r));
	/* The operator may not set it either. */
	ck_assert_int_eq(validate_envelope(e, &r), -1);
	/* KEN with AUS's nonce makes KEN's thread, not AUS's. */
	set_str(&e->sender, "KEN");
	ck_assert_str_eq(received_error(e, &r), "thread_id");
	ck_assert_ptr_nonnull(strstr(r.err[0].message, "is not the thread "
	    "that KEN's thread_nonce makes (" KEN_THREAD ")"));
	set_str(&e->thread_id, KEN_THREAD);
	ck_assert_str_eq(received_error(e, &r), "");
	/* A nonce threadid_make refuses is reported on the nonce. */
	set_str(&e->thread_nonce, "000102030405060708090A0B0C0D0E0F");
	ck_assert_str_eq(received_error(e, &r), "thread_nonce");
	/* A message whose id is a shared thread (its own thread, or a reply
	 * in another): refused, or a co-recipient could take it first. */
	set_str(&e->thread_nonce, "");
	set_str(&e->id, KEN_THREAD);
	ck_assert_str_eq(received_error(e, &r), "id");
	ck_assert_int_eq(validate_envelope(e, &r), -1);
	ck_assert_str_eq(r.err[0].field, "id");
	set_str(&e->id, UUID1);
	/* A nonce on a case in its own thread, or on a reply: refused. */
	set_str(&e->thread_nonce, NONCE);
	set_str(&e->thread_id, UUID1);
	ck_assert_str_eq(received_error(e, &r), "thread_nonce");
	ck_assert_int_eq(validate_envelope(e, &r), -1);
	ck_assert_str_eq(r.err[0].field, "thread_nonce");
	set_str(&e->thread_id, KEN_THREAD);
	set_str(&e->in_reply_to, "1b7f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a");
	ck_assert_str_eq(received_error(e, &r), "thread_nonce");
	set_str(&e->thread_nonce, "");
	ck_assert_str_eq(received_error(e, &r), "");
	set_str(&e->thread_id, "not-a-uuid");
	ck_assert_str_eq(received_error(e, &r), "thread_id");
	protobuf_c_message_free_unpacked(&e->base, NULL);
	json_decref(j);
}
END_TEST

/*
 * An id of the bound form is taken only with the id_nonce that makes it
 * from the sender: another member that learnt it cannot send under it.
 * A nonce goes with such an id only.  Ids are taken in lower case only.
 */
START_TEST(test_bound_id_received)
{
	struct validate_result	 r;
	Poc__Envelope		*e;
	json_t			*j;

	j = fixture_json(AR);
	e = envelope_from(j);
	set_str(&e->id, AUS_ID);
	set_str(&e->thread_id, AUS_ID);
	/* No nonce: refused, from the operator as from a peer. */
	ck_assert_str_eq(received_error(e, &r), "id_nonce");
	ck_assert_ptr_nonnull(strstr(r.err[0].message, "required"));
	ck_assert_int_eq(validate_envelope(e, &r), -1);
	set_str(&e->id_nonce, NONCE);
	ck_assert_msg(validate_envelope_received(e, &r) == 0, "%s", dump(&r));
	ck_assert_msg(validate_envelope(e, &r) == 0, "%s", dump(&r));
	/* KEN with AUS's nonce, or its own: not AUS's id. */
	set_str(&e->sender, "KEN");
	ck_assert_str_eq(received_error(e, &r), "id");
	ck_assert_ptr_nonnull(strstr(r.err[0].message, "is not the id that "
	    "KEN's id_nonce makes (" KEN_ID ")"));
	set_str(&e->id_nonce, "0f0e0d0c0b0a09080706050403020100");
	ck_assert_str_eq(received_error(e, &r), "id");
	/* A nonce with an unbound id: refused. */
	set_str(&e->sender, "AUS");
	set_str(&e->id, UUID1);
	set_str(&e->thread_id, UUID1);
	set_str(&e->id_nonce, NONCE);
	ck_assert_str_eq(received_error(e, &r), "id_nonce");
	set_str(&e->id_nonce, "");
	ck_assert_str_eq(received_error(e, &r), "");
	/* Upper case: refused in every id field, new case or reply. */
	set_str(&e->id, "0B7F8C2E-1D2A-4C61-9A57-3F1E2D4C5B6A");
	ck_assert_str_eq(received_error(e, &r), "id");
	ck_assert_ptr_nonnull(strstr(r.err[0].message, "lower case"));
	ck_assert_int_eq(validate_envelope(e, &r), -1);
	set_str(&e->id, UUID1);
	set_str(&e->thread_id, AUS_THREAD);
	set_str(&e->in_reply_to, "1B7F8C2E-1d2a-4c61-9a57-3f1e2d4c5b6a");
	ck_assert_str_eq(received_error(e, &r), "in_reply_to");
	protobuf_c_message_free_unpacked(&e->base, NULL);
	json_decref(j);
}
END_TEST

START_TEST(test_rule)
{
	const struct rule_case	*c = &cases[_i];
	struct validate_result	 r;
	json_error_t		 jerr;
	Poc__Envelope		*e;
	Poc__Envelope__BodyCase	 body;
	json_t			*j, *patch;
	size_t			 k;
	int			 found = 0;

	j = fixture_json(c->kind);
	if (c->patch != NULL) {
		patch = json_loads(c->patch, 0, &jerr);
		ck_assert_msg(patch != NULL, "%s: %s", jerr.text, c->patch);
		json_merge(j, patch);
		json_decref(patch);
	}
	if (c->jmut != NULL)
		c->jmut(j);
	e = envelope_from(j);
	body = e->body_case;
	if (c->mmut != NULL)
		c->mmut(e);
	ck_assert_int_eq(validate_envelope(e, &r), -1);
	/* Restored so that free_unpacked finds the body again. */
	e->body_case = body;
	for (k = 0; k < r.n; k++)
		if (strcmp(r.err[k].field, c->field) == 0 &&
		    strstr(r.err[k].message, c->message) != NULL)
			found = 1;
	ck_assert_msg(found, "case %d: want %s: %s; got:%s", _i, c->field,
	    c->message, dump(&r));
	if (!c->more)
		ck_assert_msg(r.total == 1, "case %d: extra errors:%s", _i,
		    dump(&r));
	protobuf_c_message_free_unpacked(&e->base, NULL);
	json_decref(j);
}
END_TEST

/* Values at the limits and tags of every shape still pass. */
START_TEST(test_limits_pass)
{
	static const char *const tags[] = { "en", "zh-Hans", "es-419",
	    "sr-Latn-RS", "fr-CA", "ast", "de-CH-1901", "x" };
	struct validate_result	 r;
	Poc__Envelope		*e;
	json_t			*j, *ar;
	char			*s;
	size_t			 i;

	for (i = 0; i < nitems(tags); i++) {
		j = fixture_json("status_update");
		json_object_set_new(j, "language", json_string(tags[i]));
		e = envelope_from(j);
		ck_assert_int_eq(validate_envelope(e, &r),
		    strcmp(tags[i], "x") == 0 ? -1 : 0);
		protobuf_c_message_free_unpacked(&e->base, NULL);
		json_decref(j);
	}

	j = fixture_json(AR);
	ar = json_object_get(j, AR);
	set_long(j, AR, NULL, "summary", 500);
	set_long(j, AR, NULL, "description", 16384);
	set_many(j, AR, "sectors", json_string("HEALTH"), 16);
	set_many(j, AR, "indicators",
	    json_pack("{s:s,s:s}", "type", "DOMAIN", "value", "v"), 256);
	/* All 256 share one object: each is at both limits. */
	set_long(j, AR, "indicators", "value", 2048);
	set_long(j, AR, "indicators", "note", 1024);
	json_object_set_new(ar, "respond_by", json_integer(0));
	s = str_repeat('y', 256);
	json_object_set_new(ar, "contact", json_string(s));
	free(s);
	json_object_set_new(j, "created_at", json_integer(4102444800000LL - 1));
	json_object_set_new(j, "sender", json_string(
	    "A_CODE-OF-32-CHARACTERS-67890123"));
	e = envelope_from(j);
	ck_assert_msg(validate_envelope(e, &r) == 0, "%s", dump(&r));
	protobuf_c_message_free_unpacked(&e->base, NULL);
	json_decref(j);
}
END_TEST

START_TEST(test_cap)
{
	struct validate_result	 r;
	Poc__Envelope		*e;
	json_t			*j;
	int			 i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < 33; i++)
		validate_add(&r, "f", "error %d", i);
	ck_assert_uint_eq(r.n, 32);
	ck_assert_uint_eq(r.total, 33);
	ck_assert_str_eq(r.err[31].message, "error 31");

	/* The same from a real envelope: 16 + 16 enum errors and the tlp. */
	j = fixture_json(AR);
	set_many(j, AR, "sectors", json_integer(99), 16);
	set_many(j, AR, "assistance_types", json_integer(99), 16);
	json_object_set_new(j, "tlp", json_string(""));
	e = envelope_from(j);
	ck_assert_int_eq(validate_envelope(e, &r), -1);
	ck_assert_uint_eq(r.n, VALIDATE_MAX_ERRORS);
	ck_assert_uint_eq(r.total, 33);
	ck_assert_str_eq(r.err[0].field, "tlp");
	ck_assert_str_eq(r.err[31].field, AR ".assistance_types[14]");
	protobuf_c_message_free_unpacked(&e->base, NULL);
	json_decref(j);
}
END_TEST

START_TEST(test_add_truncates)
{
	struct validate_result	 r;
	char			 big[400];

	memset(&r, 0, sizeof(r));
	memset(big, 'f', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	validate_add(&r, big, "%s", big);
	ck_assert_uint_eq(strlen(r.err[0].field), sizeof(r.err[0].field) - 1);
	ck_assert_uint_eq(strlen(r.err[0].message),
	    sizeof(r.err[0].message) - 1);
}
END_TEST

START_TEST(test_member_code)
{
	ck_assert(validate_member_code("AUS"));
	ck_assert(validate_member_code("EU-CERT_2"));
	ck_assert(validate_member_code("AB"));
	ck_assert(validate_member_code("A234567890123456789012345678901Z"));
	ck_assert(!validate_member_code("A2345678901234567890123456789012Z"));
	ck_assert(!validate_member_code("A"));
	ck_assert(!validate_member_code(""));
	ck_assert(!validate_member_code("aus"));
	ck_assert(!validate_member_code("1AB"));
	ck_assert(!validate_member_code("-AB"));
	ck_assert(!validate_member_code("A B"));
	ck_assert(!validate_member_code("AÜS"));
	ck_assert(!validate_member_code(NULL));
}
END_TEST

START_TEST(test_body_name)
{
	Poc__Envelope	 e = POC__ENVELOPE__INIT;

	ck_assert_ptr_null(validate_body_name(&e));
	e.body_case = POC__ENVELOPE__BODY_CHECK_REPLY;
	ck_assert_str_eq(validate_body_name(&e), "check_reply");
	e.body_case = POC__ENVELOPE__BODY_ASSISTANCE_REQUEST;
	ck_assert_str_eq(validate_body_name(&e), "assistance_request");
	/* The number of created_at, not a oneof member. */
	e.body_case = (Poc__Envelope__BodyCase)5;
	ck_assert_ptr_null(validate_body_name(&e));
}
END_TEST

/* A blank envelope lists what an operator must fill in. */
START_TEST(test_empty_envelope)
{
	static const char *const want[] = { "id", "thread_id", "sender",
	    "recipient", "created_at", "tlp", "body" };
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	struct validate_result	 r;
	size_t			 i;

	ck_assert_int_eq(validate_envelope(&e, &r), -1);
	ck_assert_msg(r.total == nitems(want), "%s", dump(&r));
	for (i = 0; i < nitems(want); i++)
		ck_assert_str_eq(r.err[i].field, want[i]);
}
END_TEST

static Suite *
validate_suite(void)
{
	Suite	*s = suite_create("validate");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_valid_each_kind, 0, nitems(fixtures));
	tcase_add_loop_test(tc, test_rule, 0, nitems(cases));
	tcase_add_test(tc, test_limits_pass);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_add_truncates);
	tcase_add_test(tc, test_member_code);
	tcase_add_test(tc, test_body_name);
	tcase_add_test(tc, test_empty_envelope);
	tcase_add_test(tc, test_shared_thread_received);
	tcase_add_test(tc, test_bound_id_received);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(validate_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
