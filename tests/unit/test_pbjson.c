/*
 * Unit tests for common/pbjson.c: round trips of every envelope body,
 * blank templates, the errors that name a path, the ignore list, repeated
 * enums and messages, and what is emitted for defaults and odd values.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "pbjson.h"
#include "pbjson_parse.h"
#include "proto/poc.pb-c.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Storage for one fully populated envelope (every field non-default). */
struct fixture {
	Poc__Envelope			 env;
	Poc__AssistanceRequest		 ar;
	Poc__AssistanceResponse		 resp;
	Poc__Notification		 note;
	Poc__Acknowledgement		 ack;
	Poc__StatusUpdate		 su;
	Poc__CommunicationCheck		 cc;
	Poc__CheckReply			 cr;
	Poc__Indicator			 ind[2];
	Poc__Indicator			*indp[2];
	Poc__Sector			 sectors[3];
	Poc__AssistanceRequest__AssistanceType	 types[2];
	char				*unavailable[2];
	char				*withheld[1];
};

static char s_unavail0[] = "description";
static char s_unavail1[] = "contact";
static char s_withheld0[] = "note";

/* Fills f with an envelope whose body is oneof member number body_id. */
static void
fixture_init(struct fixture *f, unsigned body_id)
{
	size_t	 i;

	memset(f, 0, sizeof(*f));
	poc__envelope__init(&f->env);
	f->env.id = (char *)"0b7f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a";
	f->env.thread_id = (char *)"1c8f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a";
	f->env.in_reply_to = (char *)"2d9f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a";
	f->env.sender = (char *)"AUS";
	f->env.recipient = (char *)"FRA";
	f->env.created_at = 1764042425123LL;
	f->env.tlp = POC__TLP__AMBER_STRICT;
	f->env.language = (char *)"zh-Hans";
	f->env.exercise = 1;

	for (i = 0; i < 2; i++) {
		poc__indicator__init(&f->ind[i]);
		f->indp[i] = &f->ind[i];
	}
	f->ind[0].type = POC__INDICATOR__TYPE__IPV4;
	f->ind[0].value = (char *)"192.0.2.1";
	f->ind[0].note = (char *)"C2 \"server\"\n\ttab";
	f->ind[1].type = POC__INDICATOR__TYPE__SHA256;
	f->ind[1].value = (char *)"e3b0c44298fc1c149afbf4c8996fb924";
	f->ind[1].note = (char *)"\xe6\xa0\xb7\xe6\x9c\xac";	/* 样本 */
	f->sectors[0] = POC__SECTOR__HEALTH;
	f->sectors[1] = POC__SECTOR__EMERGENCY_SERVICES;
	f->sectors[2] = POC__SECTOR__OTHER;
	f->types[0] = POC__ASSISTANCE_REQUEST__ASSISTANCE_TYPE__TAKEDOWN;
	f->types[1] = POC__ASSISTANCE_REQUEST__ASSISTANCE_TYPE__OTHER;
	f->unavailable[0] = s_unavail0;
	f->unavailable[1] = s_unavail1;
	f->withheld[0] = s_withheld0;

#define LISTS(b) do {							\
	(b).n_unavailable = 2; (b).unavailable = f->unavailable;	\
	(b).n_withheld = 1; (b).withheld = f->withheld;			\
} while (0)

	poc__assistance_request__init(&f->ar);
	f->ar.summary = (char *)"Ransomware at a hospital";
	f->ar.description = (char *)"Long text\nwith lines";
	f->ar.severity = POC__SEVERITY__SEVERE;
	f->ar.urgency = POC__URGENCY__FLASH;
	f->ar.n_sectors = 3;
	f->ar.sectors = f->sectors;
	f->ar.observed_since = -1;	/* a codec keeps what it is given */
	f->ar.n_indicators = 2;
	f->ar.indicators = f->indp;
	f->ar.n_assistance_types = 2;
	f->ar.assistance_types = f->types;
	f->ar.respond_by = 9000000000000LL;
	f->ar.contact = (char *)"CERT duty officer";
	LISTS(f->ar);

	poc__assistance_response__init(&f->resp);
	f->resp.request_id = (char *)"3e0f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a";
	f->resp.decision = POC__ASSISTANCE_RESPONSE__DECISION__PARTIAL;
	f->resp.timeframe = (char *)"48 h";
	f->resp.nature = (char *)"analysis";
	f->resp.scope = (char *)"samples only";
	f->resp.terms = (char *)"TLP:AMBER";
	f->resp.contact = (char *)"desk";
	f->resp.note = (char *)"n";
	LISTS(f->resp);

	poc__notification__init(&f->note);
	f->note.summary = (char *)"Botnet C2 in your space";
	f->note.description = (char *)"d";
	f->note.severity = POC__SEVERITY__LOW;
	f->note.n_sectors = 1;
	f->note.sectors = f->sectors;
	f->note.activity_since = 1;
	f->note.n_indicators = 2;
	f->note.indicators = f->indp;
	f->note.requested_action = (char *)"take it down";
	f->note.urgency = POC__URGENCY__ROUTINE;
	LISTS(f->note);

	poc__acknowledgement__init(&f->ack);
	f->ack.ack_of = (char *)"4f1f8c2e-1d2a-4c61-9a57-3f1e2d4c5b6a";
	f->ack.received_at = 1764042425999LL;
	f->ack.acknowledged_by = (char *)"J. Doe";
	f->ack.note = (char *)"received";
	LISTS(f->ack);

	poc__status_update__init(&f->su);
	f->su.status = POC__CASE_STATUS__WITHDRAWN;
	f->su.text = (char *)"t";
	LISTS(f->su);

	poc__communication_check__init(&f->cc);
	f->cc.check_id = (char *)"q3-2026";
	f->cc.reply_by = 42;
	LISTS(f->cc);

	poc__check_reply__init(&f->cr);
	f->cr.check_id = (char *)"q3-2026";
	f->cr.replied_by = (char *)"duty";
	LISTS(f->cr);
#undef LISTS

	f->env.body_case = (Poc__Envelope__BodyCase)body_id;
	switch (f->env.body_case) {
	case POC__ENVELOPE__BODY_ASSISTANCE_REQUEST:
		f->env.assistance_request = &f->ar;
		break;
	case POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE:
		f->env.assistance_response = &f->resp;
		break;
	case POC__ENVELOPE__BODY_NOTIFICATION:
		f->env.notification = &f->note;
		break;
	case POC__ENVELOPE__BODY_ACKNOWLEDGEMENT:
		f->env.acknowledgement = &f->ack;
		break;
	case POC__ENVELOPE__BODY_STATUS_UPDATE:
		f->env.status_update = &f->su;
		break;
	case POC__ENVELOPE__BODY_COMMUNICATION_CHECK:
		f->env.communication_check = &f->cc;
		break;
	case POC__ENVELOPE__BODY_CHECK_REPLY:
		f->env.check_reply = &f->cr;
		break;
	default:
		ck_abort_msg("no body %u", body_id);
	}
}

/* Packs m into a new buffer; *len gets its size. */
static uint8_t *
pack(const ProtobufCMessage *m, size_t *len)
{
	uint8_t	*buf;

	*len = protobuf_c_message_get_packed_size(m);
	buf = malloc(*len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(protobuf_c_message_pack(m, buf), *len);
	return buf;
}

/* m -> JSON text -> JSON -> message: the result packs to the same bytes. */
static void
assert_round_trip(const ProtobufCMessage *m, int flags)
{
	ProtobufCMessage	*back;
	json_t			*j, *j2;
	json_error_t		 jerr;
	uint8_t			*a, *b;
	size_t			 alen, blen;
	char			 err[256], *text;

	j = pbjson_from_message(m, flags);
	ck_assert_ptr_nonnull(j);
	text = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
	ck_assert_ptr_nonnull(text);
	j2 = json_loads(text, 0, &jerr);
	ck_assert_msg(j2 != NULL, "%s: %s", jerr.text, text);
	back = pbjson_to_message(j2, m->descriptor, NULL, err, sizeof(err));
	ck_assert_msg(back != NULL, "%s in %s", err, text);
	a = pack(m, &alen);
	b = pack(back, &blen);
	ck_assert_uint_eq(alen, blen);
	ck_assert_msg(memcmp(a, b, alen) == 0, "bytes differ: %s", text);
	free(a);
	free(b);
	free(text);
	json_decref(j);
	json_decref(j2);
	protobuf_c_message_free_unpacked(back, NULL);
}

/* Parses text as JSON of type d; returns the message or NULL with err. */
static ProtobufCMessage *
parse(const char *text, const ProtobufCMessageDescriptor *d,
    const char *const *ignore, char *err, size_t errlen)
{
	ProtobufCMessage	*m;
	json_error_t		 jerr;
	json_t			*j;

	j = json_loads(text, 0, &jerr);
	ck_assert_msg(j != NULL, "bad test JSON: %s: %s", jerr.text, text);
	m = pbjson_to_message(j, d, ignore, err, errlen);
	json_decref(j);
	return m;
}

/* Asserts that text fails to parse as an envelope with exactly want. */
static void
assert_error(const char *text, const char *want)
{
	ProtobufCMessage	*m;
	char			 err[512];

	m = parse(text, &poc__envelope__descriptor, NULL, err, sizeof(err));
	ck_assert_msg(m == NULL, "accepted: %s", text);
	ck_assert_str_eq(err, want);
}

/* The body ids, in the order of the loop tests. */
static const unsigned bodies[] = { 20, 21, 22, 23, 24, 25, 26 };

START_TEST(test_round_trip_each_body)
{
	struct fixture	 f;

	fixture_init(&f, bodies[_i]);
	assert_round_trip(&f.env.base, 0);
	assert_round_trip(&f.env.base, PBJSON_DEFAULTS);
}
END_TEST

/* A StoredMessage list: messages nested three deep, uint32, bool. */
START_TEST(test_round_trip_op_reply)
{
	struct fixture		 f;
	Poc__OpReply		 reply = POC__OP_REPLY__INIT;
	Poc__OpMessages		 msgs = POC__OP_MESSAGES__INIT;
	Poc__StoredMessage	 sm[2], *smp[2];
	char			*acks[] = { s_unavail0, s_withheld0 };

	fixture_init(&f, 20);
	poc__stored_message__init(&sm[0]);
	poc__stored_message__init(&sm[1]);
	sm[0].envelope = &f.env;
	sm[0].direction = (char *)"in";
	sm[0].attempts = 4294967295u;
	sm[0].n_acknowledged_by = 2;
	sm[0].acknowledged_by = acks;
	sm[1].state = (char *)"queued";	/* no envelope: null */
	smp[0] = &sm[0];
	smp[1] = &sm[1];
	msgs.n_messages = 2;
	msgs.messages = smp;
	reply.kind_case = POC__OP_REPLY__KIND_MESSAGES;
	reply.messages = &msgs;
	assert_round_trip(&reply.base, 0);
	assert_round_trip(&reply.base, PBJSON_DEFAULTS);
}
END_TEST

START_TEST(test_emit_order_and_defaults)
{
	Poc__Envelope	 e = POC__ENVELOPE__INIT;
	Poc__Hello	 h = POC__HELLO__INIT;
	json_t		*j;
	char		*s;

	j = pbjson_from_message(&e.base, 0);
	s = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
	ck_assert_str_eq(s, "{}");
	free(s);
	json_decref(j);

	e.tlp = POC__TLP__RED;
	e.sender = (char *)"AUS";
	j = pbjson_from_message(&e.base, PBJSON_DEFAULTS);
	s = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
	ck_assert_str_eq(s, "{\"id\":\"\",\"thread_id\":\"\","
	    "\"in_reply_to\":\"\",\"sender\":\"AUS\",\"recipient\":\"\","
	    "\"created_at\":0,"
	    "\"tlp\":\"RED\",\"language\":\"\",\"exercise\":false,"
	    "\"batch\":null,\"thread_nonce\":\"\",\"id_nonce\":\"\"}");
	free(s);
	json_decref(j);

	h.protocol_version = 1;
	j = pbjson_from_message(&h.base, 0);
	s = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
	ck_assert_str_eq(s, "{\"protocol_version\":1}");
	free(s);
	json_decref(j);
}
END_TEST

/* An enum number the schema does not know is kept as a number, both ways. */
START_TEST(test_emit_unknown_enum)
{
	struct fixture	 f;
	json_t		*j;
	char		*s;

	fixture_init(&f, 22);
	f.env.tlp = (Poc__Tlp)77;
	f.sectors[0] = (Poc__Sector)99;
	j = pbjson_from_message(&f.env.base, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "tlp")), 77);
	s = json_dumps(json_object_get(json_object_get(j, "notification"),
	    "sectors"), JSON_COMPACT);
	ck_assert_str_eq(s, "[99]");
	free(s);
	json_decref(j);
	assert_round_trip(&f.env.base, 0);
}
END_TEST

/* Invalid UTF-8 from a peer is emitted as U+FFFD, not dropped. */
START_TEST(test_emit_bad_utf8)
{
	Poc__Hello	 h = POC__HELLO__INIT;
	json_t		*j;

	h.software = (char *)"a\xff" "b\xe6\xa0";
	j = pbjson_from_message(&h.base, 0);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "software")),
	    "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);
}
END_TEST

START_TEST(test_blank_assistance_request)
{
	const ProtobufCMessageDescriptor	*d;
	ProtobufCMessage			*m;
	Poc__Envelope				*e;
	json_t					*j, *body, *v;
	const char				*key;
	char					 err[256];
	unsigned				 k;

	j = pbjson_blank(&poc__envelope__descriptor, "assistance_request");
	ck_assert_ptr_nonnull(j);
	/* Nine header fields, the one body asked for, the batch proof and
	 * the thread's and id's nonces (the node's: `pocctl template` drops
	 * them). */
	ck_assert_uint_eq(json_object_size(j), 13);
	d = &poc__envelope__descriptor;
	for (k = 0; k < d->n_fields; k++) {
		key = d->fields[k].name;
		if (d->fields[k].type == PROTOBUF_C_TYPE_BYTES)
			continue;	/* not in JSON (Envelope.signature) */
		if (d->fields[k].flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			ck_assert_int_eq(json_object_get(j, key) != NULL,
			    strcmp(key, "assistance_request") == 0);
		else
			ck_assert_msg(json_object_get(j, key) != NULL, "%s",
			    key);
	}
	ck_assert_str_eq(json_string_value(json_object_get(j, "tlp")), "");
	ck_assert(json_is_false(json_object_get(j, "exercise")));
	ck_assert(json_is_integer(json_object_get(j, "created_at")));

	body = json_object_get(j, "assistance_request");
	d = &poc__assistance_request__descriptor;
	ck_assert_uint_eq(json_object_size(body), d->n_fields);
	for (k = 0; k < d->n_fields; k++) {
		v = json_object_get(body, d->fields[k].name);
		ck_assert_msg(v != NULL, "%s", d->fields[k].name);
		if (d->fields[k].label == PROTOBUF_C_LABEL_REPEATED)
			ck_assert(json_is_array(v) && json_array_size(v) == 0);
		else if (d->fields[k].type == PROTOBUF_C_TYPE_INT64)
			ck_assert(json_is_integer(v));
		else
			ck_assert(json_is_string(v));
	}

	/* The blank parses back: an empty request. */
	m = pbjson_to_message(j, &poc__envelope__descriptor, NULL, err,
	    sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	e = (Poc__Envelope *)m;
	ck_assert_int_eq(e->body_case, POC__ENVELOPE__BODY_ASSISTANCE_REQUEST);
	ck_assert_str_eq(e->assistance_request->summary, "");
	protobuf_c_message_free_unpacked(m, NULL);
	json_decref(j);

	/* No member asked for: no body at all. */
	j = pbjson_blank(&poc__envelope__descriptor, NULL);
	ck_assert_uint_eq(json_object_size(j), 12);
	json_decref(j);
}
END_TEST

START_TEST(test_error_unknown_key)
{
	assert_error("{\"id\":\"x\",\"colour\":1}",
	    "colour: unknown field (fields are id, thread_id, in_reply_to, "
	    "sender, recipient, created_at, tlp, language, exercise, "
	    "assistance_request, assistance_response, notification, "
	    "acknowledgement, status_update, communication_check, "
	    "check_reply, batch, thread_nonce, id_nonce)");
	assert_error("{\"acknowledgement\":{\"ack_of\":\"x\",\"by\":\"me\"}}",
	    "acknowledgement.by: unknown field (fields are ack_of, "
	    "received_at, acknowledged_by, note, unavailable, withheld)");
}
END_TEST

START_TEST(test_error_wrong_type)
{
	assert_error("[]", "expected an object");
	assert_error("{\"id\":5}", "id: expected a string");
	assert_error("{\"exercise\":1}", "exercise: expected true or false");
	/* A time field takes a string (test_time_strings); not a bool. */
	assert_error("{\"created_at\":true}",
	    "created_at: expected an integer (int64)");
	assert_error("{\"created_at\":1.5}",
	    "created_at: expected an integer (int64)");
	assert_error("{\"notification\":[]}",
	    "notification: expected an object");
	assert_error("{\"notification\":{\"sectors\":\"HEALTH\"}}",
	    "notification.sectors: expected an array");
	assert_error("{\"notification\":{\"indicators\":[{}, 3]}}",
	    "notification.indicators[1]: expected an object");
	assert_error("{\"tlp\":true}", "tlp: expected a string (one of "
	    "CLEAR, GREEN, AMBER, AMBER_STRICT, RED)");
	assert_error("{\"sender\":null}", "sender: expected a string");
}
END_TEST

START_TEST(test_error_unknown_enum)
{
	assert_error("{\"assistance_request\":{\"indicators\":["
	    "{\"type\":\"IPV4\"},{\"type\":\"IP\"}]}}",
	    "assistance_request.indicators[1].type: unknown value \"IP\" "
	    "(one of IPV4, IPV6, DOMAIN, URL, SHA256, EMAIL, CVE, ASN, OTHER)");
	assert_error("{\"assistance_request\":{\"severity\":\"HUGE\"}}",
	    "assistance_request.severity: unknown value \"HUGE\" (one of "
	    "BASELINE, LOW, MEDIUM, HIGH, SEVERE, EMERGENCY)");
	assert_error("{\"tlp\":\"red\"}", "tlp: unknown value \"red\" (one of "
	    "CLEAR, GREEN, AMBER, AMBER_STRICT, RED)");
	assert_error("{\"tlp\":2147483648}", "tlp: 2147483648 is out of range "
	    "for enum (-2147483648..2147483647)");
}
END_TEST

/* Time fields take RFC 3339 and relative times; a bad one names its
 * field; other int64 fields stay integers only. */
START_TEST(test_time_strings)
{
	struct pbjson_errors	 errs;
	Poc__Envelope		*e;
	json_t			*j;
	json_error_t		 jerr;

	j = json_loads("{\"created_at\":\"2026-12-05T03:10:00.5+01:00\","
	    "\"assistance_request\":{\"respond_by\":\"+4h\","
	    "\"observed_since\":\"2026-12-04\"}}", 0, &jerr);
	ck_assert_ptr_nonnull(j);
	e = (Poc__Envelope *)pbjson_parse(j, &poc__envelope__descriptor, NULL,
	    INT64_C(1796436600000), &errs);
	json_decref(j);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(errs.total, 0);
	ck_assert_int_eq(e->created_at, INT64_C(1796436600500));
	ck_assert_int_eq(e->assistance_request->respond_by,
	    INT64_C(1796436600000) + 4 * 3600000);
	ck_assert_int_eq(e->assistance_request->observed_since,
	    INT64_C(1796342400000));
	protobuf_c_message_free_unpacked(&e->base, NULL);

	assert_error("{\"assistance_request\":{\"respond_by\":"
	    "\"2026-12-05T02:10\"}}", "assistance_request.respond_by: "
	    "\"2026-12-05T02:10\" has no time zone: end it with Z (UTC) or "
	    "an offset such as +01:00");
	assert_error("{\"communication_check\":{\"reply_by\":\"soon\"}}",
	    "communication_check.reply_by: \"soon\" is not a time: use "
	    "RFC 3339 (2026-12-05T02:10:00Z, 2026-12-05T03:10+01:00), a date "
	    "(2026-12-05), +4h / +2d / -30m from now, or Unix milliseconds");
}
END_TEST

/* Every problem is listed, in one pass: three bad enums, an unknown key
 * and a bad time; the good fields are kept. */
START_TEST(test_every_error)
{
	struct pbjson_errors	 errs;
	Poc__Envelope		*e;
	json_t			*j;
	json_error_t		 jerr;

	j = json_loads("{\"tlp\":\"PURPLE\",\"colour\":1,"
	    "\"recipient\":\"FRA\",\"assistance_request\":{"
	    "\"summary\":\"s\",\"severity\":\"HUGE\","
	    "\"urgency\":\"ASAP\",\"respond_by\":\"later\"}}", 0, &jerr);
	ck_assert_ptr_nonnull(j);
	e = (Poc__Envelope *)pbjson_parse(j, &poc__envelope__descriptor, NULL,
	    0, &errs);
	json_decref(j);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(errs.total, 5);
	ck_assert_uint_eq(errs.n, 5);
	ck_assert_str_eq(errs.e[0].path, "colour");
	ck_assert_str_eq(errs.e[1].path, "tlp");
	ck_assert_str_eq(errs.e[2].path, "assistance_request.severity");
	ck_assert_str_eq(errs.e[3].path, "assistance_request.urgency");
	ck_assert_str_eq(errs.e[4].path, "assistance_request.respond_by");
	ck_assert(strstr(errs.e[3].message, "unknown value \"ASAP\"") != NULL);
	ck_assert_str_eq(e->recipient, "FRA");
	ck_assert_str_eq(e->assistance_request->summary, "s");
	ck_assert_int_eq(e->tlp, 0);
	protobuf_c_message_free_unpacked(&e->base, NULL);
}
END_TEST

START_TEST(test_error_two_oneof_members)
{
	ProtobufCMessage	*m;
	char			 err[256];

	assert_error("{\"notification\":{\"summary\":\"s\"},"
	    "\"acknowledgement\":{\"ack_of\":\"x\"}}",
	    "acknowledgement: only one of a oneof may be given, and "
	    "notification is given too");
	/* null is "not given", so it does not count as a second member. */
	m = parse("{\"notification\":null,\"check_reply\":{}}",
	    &poc__envelope__descriptor, NULL, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	ck_assert_int_eq(((Poc__Envelope *)m)->body_case,
	    POC__ENVELOPE__BODY_CHECK_REPLY);
	protobuf_c_message_free_unpacked(m, NULL);
}
END_TEST

START_TEST(test_error_out_of_range)
{
	ProtobufCMessage	*m;
	char			 err[256];

	m = parse("{\"protocol_version\":4294967296}", &poc__hello__descriptor,
	    NULL, err, sizeof(err));
	ck_assert_ptr_null(m);
	ck_assert_str_eq(err, "protocol_version: 4294967296 is out of range "
	    "for uint32 (0..4294967295)");
	m = parse("{\"protocol_version\":-1}", &poc__hello__descriptor,
	    NULL, err, sizeof(err));
	ck_assert_ptr_null(m);
	ck_assert_str_eq(err, "protocol_version: -1 is out of range "
	    "for uint32 (0..4294967295)");
	m = parse("{\"protocol_version\":4294967295}", &poc__hello__descriptor,
	    NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(((Poc__Hello *)m)->protocol_version, 4294967295u);
	protobuf_c_message_free_unpacked(m, NULL);
}
END_TEST

/* jansson refuses bad UTF-8 when loading, but a built string may hold NUL. */
START_TEST(test_error_nul_in_string)
{
	ProtobufCMessage	*m;
	json_t			*j;
	char			 err[256];

	j = json_pack("{s:{s:s%}}", "check_reply", "check_id", "ab\0cd",
	    (size_t)5);
	ck_assert_ptr_nonnull(j);
	m = pbjson_to_message(j, &poc__envelope__descriptor, NULL, err,
	    sizeof(err));
	ck_assert_ptr_null(m);
	ck_assert_str_eq(err, "check_reply.check_id: not valid UTF-8 or "
	    "contains NUL");
	json_decref(j);

	/* As an enum name too: not a prefix match on "RED". */
	j = json_pack("{s:s%}", "tlp", "RED\0X", (size_t)5);
	m = pbjson_to_message(j, &poc__envelope__descriptor, NULL, err,
	    sizeof(err));
	ck_assert_ptr_null(m);
	json_decref(j);
}
END_TEST

/* An error deep inside frees everything built so far (ASan checks). */
START_TEST(test_error_frees_partial)
{
	assert_error("{\"id\":\"a\",\"assistance_request\":{\"summary\":\"s\","
	    "\"unavailable\":[\"a\",\"b\"],\"indicators\":[{\"value\":\"v\"},"
	    "{\"value\":\"w\",\"note\":7}]}}",
	    "assistance_request.indicators[1].note: expected a string");
	assert_error("{\"assistance_request\":{\"unavailable\":[\"a\",1]}}",
	    "assistance_request.unavailable[1]: expected a string");
}
END_TEST

START_TEST(test_ignore_list)
{
	static const char *const ignore[] = { "comment", "$schema", NULL };
	ProtobufCMessage	*m;
	char			 err[256];

	m = parse("{\"comment\":{\"any\":[1]},\"$schema\":3,"
	    "\"sender\":\"AUS\"}", &poc__envelope__descriptor, ignore, err,
	    sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	ck_assert_str_eq(((Poc__Envelope *)m)->sender, "AUS");
	protobuf_c_message_free_unpacked(m, NULL);

	/* A field named in the list is skipped too (show --json's
	 * "signature", a bytes field the parser refuses). */
	{
		static const char *const skip[] = { "signature", "sender",
		    NULL };

		m = parse("{\"signature\":\"00ff\",\"sender\":\"AUS\","
		    "\"recipient\":\"FRA\"}", &poc__envelope__descriptor, skip,
		    err, sizeof(err));
		ck_assert_msg(m != NULL, "%s", err);
		ck_assert_str_eq(((Poc__Envelope *)m)->sender, "");
		ck_assert_str_eq(((Poc__Envelope *)m)->recipient, "FRA");
		protobuf_c_message_free_unpacked(m, NULL);
	}

	/* Only at the top level. */
	m = parse("{\"notification\":{\"comment\":\"x\"}}",
	    &poc__envelope__descriptor, ignore, err, sizeof(err));
	ck_assert_ptr_null(m);
	ck_assert_str_eq(err, "notification.comment: unknown field (fields are "
	    "summary, description, severity, sectors, activity_since, "
	    "indicators, requested_action, urgency, unavailable, withheld)");
}
END_TEST

START_TEST(test_repeated)
{
	ProtobufCMessage	*m;
	Poc__AssistanceRequest	*ar;
	char			 err[256];

	m = parse("{\"assistance_request\":{\"sectors\":[\"HEALTH\",\"\","
	    "\"OTHER\",4],\"assistance_types\":[\"OTHER\"],"
	    "\"indicators\":[{\"type\":\"CVE\",\"value\":\"CVE-2024-1\"},{},"
	    "{\"note\":\"n\"}],\"withheld\":[\"contact\"]}}",
	    &poc__envelope__descriptor, NULL, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	ar = ((Poc__Envelope *)m)->assistance_request;
	ck_assert_uint_eq(ar->n_sectors, 4);
	ck_assert_int_eq(ar->sectors[0], POC__SECTOR__HEALTH);
	ck_assert_int_eq(ar->sectors[1], 0);
	ck_assert_int_eq(ar->sectors[2], POC__SECTOR__OTHER);
	ck_assert_int_eq(ar->sectors[3], POC__SECTOR__FINANCE);
	ck_assert_uint_eq(ar->n_assistance_types, 1);
	/* OTHER of the nested enum, not of Sector. */
	ck_assert_int_eq(ar->assistance_types[0],
	    POC__ASSISTANCE_REQUEST__ASSISTANCE_TYPE__OTHER);
	ck_assert_uint_eq(ar->n_indicators, 3);
	ck_assert_int_eq(ar->indicators[0]->type, POC__INDICATOR__TYPE__CVE);
	ck_assert_str_eq(ar->indicators[0]->value, "CVE-2024-1");
	ck_assert_str_eq(ar->indicators[1]->value, "");
	ck_assert_str_eq(ar->indicators[2]->note, "n");
	ck_assert_uint_eq(ar->n_withheld, 1);
	ck_assert_str_eq(ar->withheld[0], "contact");
	ck_assert_uint_eq(ar->n_unavailable, 0);
	assert_round_trip(m, 0);
	protobuf_c_message_free_unpacked(m, NULL);

	assert_error("{\"notification\":{\"sectors\":[\"HEALTH\",\"WIND\"]}}",
	    "notification.sectors[1]: unknown value \"WIND\" (one of HEALTH, "
	    "ENERGY, WATER, FINANCE, TRANSPORT, TELECOM, ELECTORAL, "
	    "INTERNET_CORE, EMERGENCY_SERVICES, GOVERNMENT, OTHER)");
}
END_TEST

/* A short err buffer is truncated, never overrun; NULL err is allowed. */
START_TEST(test_error_buffer)
{
	ProtobufCMessage	*m;
	char			 err[8];

	m = parse("{\"colour\":1}", &poc__envelope__descriptor, NULL, err,
	    sizeof(err));
	ck_assert_ptr_null(m);
	ck_assert_str_eq(err, "colour:");
	m = parse("{\"colour\":1}", &poc__envelope__descriptor, NULL, NULL, 0);
	ck_assert_ptr_null(m);
}
END_TEST

static Suite *
pbjson_suite(void)
{
	Suite	*s = suite_create("pbjson");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_round_trip_each_body, 0, nitems(bodies));
	tcase_add_test(tc, test_round_trip_op_reply);
	tcase_add_test(tc, test_emit_order_and_defaults);
	tcase_add_test(tc, test_emit_unknown_enum);
	tcase_add_test(tc, test_emit_bad_utf8);
	tcase_add_test(tc, test_blank_assistance_request);
	tcase_add_test(tc, test_error_unknown_key);
	tcase_add_test(tc, test_error_wrong_type);
	tcase_add_test(tc, test_error_unknown_enum);
	tcase_add_test(tc, test_error_two_oneof_members);
	tcase_add_test(tc, test_time_strings);
	tcase_add_test(tc, test_every_error);
	tcase_add_test(tc, test_error_out_of_range);
	tcase_add_test(tc, test_error_nul_in_string);
	tcase_add_test(tc, test_error_frees_partial);
	tcase_add_test(tc, test_ignore_list);
	tcase_add_test(tc, test_repeated);
	tcase_add_test(tc, test_error_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(pbjson_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
