/*
 * Interop (docs/interop.md): one fixed case with every field kind (given,
 * unavailable, withheld, each indicator type, exercise) exported to MISP,
 * STIX 2.1 and IODEF v2 against golden files; each TLP through each
 * format; the round trip export -> import for summary, TLP, exercise and
 * every indicator; and hostile imports refused with a clear message.
 *
 * INTEROP_GOLDEN_UPDATE=1 rewrites the golden files (then review the diff).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "cli/dirfmt.h"
#include "cli/interop.h"
#include "cli/interop_convert.h"
#include "cli/interop_iodef.h"
#include "cli/interop_rfc2350.h"
#include "pbjson.h"
#include "pbjson_parse.h"

#define GOLDEN	"tests/golden/interop/"

static Poc__OpMessages	*fixture;

/* The fixed case of tests/golden/interop/case.json. */
static Poc__OpMessages *
case_load(void)
{
	json_error_t	 je;
	json_t		*j;
	char		 err[256];
	Poc__OpMessages	*m;

	j = json_load_file(GOLDEN "case.json", 0, &je);
	ck_assert_msg(j != NULL, "case.json: %s", je.text);
	m = (Poc__OpMessages *)pbjson_to_message(j,
	    &poc__op_messages__descriptor, NULL, err, sizeof(err));
	ck_assert_msg(m != NULL, "case.json: %s", err);
	json_decref(j);
	return m;
}

static void
setup(void)
{
	fixture = case_load();
}

static void
teardown(void)
{
	protobuf_c_message_free_unpacked(&fixture->base, NULL);
}

/* The export of the fixture in format f, as a string. */
static char *
export(enum interop_format f)
{
	struct interop_case	 c;
	char			*out = NULL, err[256];
	size_t			 len = 0;
	FILE			*fp;

	ck_assert_int_eq(interop_case_init(&c, fixture->messages,
	    fixture->n_messages, err, sizeof(err)), 0);
	fp = open_memstream(&out, &len);
	ck_assert_int_eq(interop_export(fp, f, &c), 0);
	fclose(fp);
	interop_case_free(&c);
	return out;
}

static char *
slurp(const char *path)
{
	FILE	*fp = fopen(path, "r");
	char	*buf, err[256];
	size_t	 len;

	ck_assert_msg(fp != NULL, "%s missing", path);
	ck_assert_int_eq(interop_read(fp, &buf, &len, err, sizeof(err)), 0);
	fclose(fp);
	return buf;
}

/* Compares the export in format f with its golden file. */
static void
golden(enum interop_format f, const char *name)
{
	char	*got = export(f), *want, path[256];
	FILE	*fp;

	snprintf(path, sizeof(path), GOLDEN "%s", name);
	if (getenv("INTEROP_GOLDEN_UPDATE") != NULL) {
		fp = fopen(path, "w");
		ck_assert_ptr_nonnull(fp);
		fputs(got, fp);
		fclose(fp);
	}
	want = slurp(path);
	ck_assert_msg(strcmp(got, want) == 0, "%s differs from the export:\n%s",
	    path, got);
	/* Deterministic: a second export is the same bytes. */
	free(want);
	want = export(f);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
}

START_TEST(test_golden_misp)
{
	golden(INTEROP_MISP, "case.misp.json");
}
END_TEST

START_TEST(test_golden_stix)
{
	golden(INTEROP_STIX, "case.stix.json");
}
END_TEST

START_TEST(test_golden_iodef)
{
	golden(INTEROP_IODEF, "case.iodef.xml");
}
END_TEST

/* The MISP event carries what its table says. */
START_TEST(test_misp_mapping)
{
	char		*s = export(INTEROP_MISP), *dump;
	json_t		*j, *ev, *a;
	json_error_t	 je;
	size_t		 i;
	int		 sha = 0, thread = 0;

	j = json_loads(s, 0, &je);
	ck_assert_msg(j != NULL, "%s", je.text);
	ev = json_object_get(j, "Event");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "info")),
	    "Botnet C2 in AUS address space targets KEN banks");
	ck_assert_str_eq(json_string_value(json_object_get(ev,
	    "distribution")), "0");
	ck_assert_str_eq(json_string_value(json_object_get(ev,
	    "threat_level_id")), "1");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "analysis")),
	    "1");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ev,
	    "Orgc"), "name")), "KEN");
	json_array_foreach(json_object_get(ev, "Attribute"), i, a) {
		const char *t = json_string_value(json_object_get(a, "type"));
		const char *v = json_string_value(json_object_get(a, "value"));

		if (strcmp(t, "sha256") == 0) {
			sha = 1;
			ck_assert_str_eq(json_string_value(json_object_get(a,
			    "category")), "Payload delivery");
			ck_assert(json_is_true(json_object_get(a, "to_ids")));
		}
		if (strncmp(v, "pocd-thread:", 12) == 0)
			thread = 1;
		/* activity_since is unavailable: never invented. */
		ck_assert(json_object_get(a, "comment") == NULL ||
		    strcmp(json_string_value(json_object_get(a, "comment")),
		    "pocd activity_since") != 0);
	}
	ck_assert(sha && thread);
	dump = json_dumps(json_object_get(ev, "Tag"), 0);
	ck_assert_ptr_nonnull(strstr(dump, "\"tlp:amber+strict\""));
	ck_assert_ptr_nonnull(strstr(dump, "\"exercise\""));
	ck_assert_ptr_nonnull(strstr(dump, "pocd:sector=\\\"FINANCE\\\""));
	free(dump);
	ck_assert_ptr_nonnull(strstr(s, "\"pocd unavailable\""));
	ck_assert_ptr_nonnull(strstr(s, "\"pocd withheld\""));
	json_decref(j);
	free(s);
}
END_TEST

/* The STIX bundle: the incident, the TLP 2.0 marking, the patterns. */
START_TEST(test_stix_mapping)
{
	char		*s = export(INTEROP_STIX);
	json_t		*j, *o, *inc = NULL;
	json_error_t	 je;
	size_t		 i;
	int		 marking = 0, vuln = 0;

	j = json_loads(s, 0, &je);
	ck_assert_msg(j != NULL, "%s", je.text);
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")),
	    "bundle");
	json_array_foreach(json_object_get(j, "objects"), i, o) {
		const char *t = json_string_value(json_object_get(o, "type"));

		if (strcmp(t, "incident") == 0)
			inc = o;
		if (strcmp(t, "vulnerability") == 0)
			vuln = 1;
		if (strcmp(t, "marking-definition") == 0) {
			marking = 1;
			ck_assert_str_eq(json_string_value(json_object_get(o,
			    "id")), "marking-definition--939a9414-2ddd-4d32-"
			    "a0cd-375ea402b003");
		}
	}
	ck_assert(marking && vuln && inc != NULL);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(inc,
	    "x_pocd_unavailable"), 0)), "activity_since");
	ck_assert_ptr_null(json_object_get(inc, "x_pocd_activity_since"));
	ck_assert_ptr_nonnull(strstr(s, "[ipv4-addr:value = '203.0.113.9']"));
	ck_assert_ptr_nonnull(strstr(s, "[url:value = 'https://c2.example.net/"
	    "gate.php?id=\\\\'x\\\\'']"));
	ck_assert_ptr_nonnull(strstr(s, "[file:hashes.'SHA-256' = '9f86d0"));
	ck_assert_ptr_nonnull(strstr(s, "[autonomous-system:number = 64500]"));
	json_decref(j);
	free(s);
}
END_TEST

/* The IODEF document: the elements RFC 7970 requires are there. */
/* How many nodes of doc match expr (prefix i: the IODEF namespace). */
static int
xpath_count(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr	 ctx;
	xmlXPathObjectPtr	 o;
	int			 n;

	ck_assert_ptr_nonnull(ctx = xmlXPathNewContext(doc));
	ck_assert_int_eq(xmlXPathRegisterNs(ctx, BAD_CAST "i",
	    BAD_CAST "urn:ietf:params:xml:ns:iodef-2.0"), 0);
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	ck_assert_msg(o != NULL, "bad XPath %s", expr);
	n = o->nodesetval != NULL ? o->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return n;
}

/* The sender's PoCs from its directory record (member.json, given the
 * sender's code) name the creator and nest under it as Contacts, each
 * channel IODEF has an element for in place, in RFC 7970's order. */
START_TEST(test_iodef_creator_pocs)
{
	static const struct {
		const char	*xpath;
		int		 n;
	} want[] = {
		/* one per Incident (the fixture's case has two) */
		{ "//i:Contact[@role='creator' and @type='organization']"
		  "[i:ContactName='CERT-FR']"
		  "[i:RegistryHandle[@registry='local']='KEN']", 2 },
		{ "//i:Contact[@role='creator']/i:Contact[@role='tech' and "
		  "@type='person'][i:ContactName='Permanence CERT-FR']"
		  "[i:ContactTitle='Duty officer'][i:Description='ANSSI']"
		  "[i:Email/i:EmailTo='cert@ssi.example.fr']"
		  "[i:Email/i:EmailTo='backup@ssi.example.fr']"
		  "[i:Telephone[@type='wired']/i:TelephoneNumber="
		  "'+33 1 71 75 84 68']", 2 },
		/* Email before Telephone, whatever the record's order */
		{ "//i:Contact[@role='tech']/i:Telephone"
		  "[preceding-sibling::i:Email]", 2 },
		{ "//i:Contact[@role='tech']/i:Email"
		  "[preceding-sibling::i:Telephone]", 0 },
		{ "//i:Contact[@role='creator']/i:Contact[@role='ext-value' and "
		  "@ext-role='policy'][i:ContactName='Directeur']"
		  "[i:Telephone[@type='fax']/i:TelephoneNumber='+33 1 00']", 2 },
		/* the recipient's Contact stays the code alone */
		{ "//i:Contact[@role='irt']/i:Contact", 0 },
	};
	struct interop_case	 c;
	Poc__DirectoryRecord	*rec, *recs[1];
	json_error_t		 je;
	json_t			*j;
	char			*out = NULL, err[256];
	size_t			 len = 0, i;
	FILE			*fp;
	xmlDocPtr		 doc;

	ck_assert_ptr_nonnull(j = json_load_file(GOLDEN "member.json", 0, &je));
	rec = dirfmt_record_from_json(j, "member", NULL, err, sizeof(err));
	ck_assert_msg(rec != NULL, "member.json: %s", err);
	json_decref(j);
	ck_assert_int_eq(interop_case_init(&c, fixture->messages,
	    fixture->n_messages, err, sizeof(err)), 0);
	free(rec->code);
	ck_assert_ptr_nonnull(rec->code = strdup(c.sender));
	recs[0] = rec;
	c.records = recs;
	c.n_records = 1;
	ck_assert_ptr_eq(interop_record(&c, c.sender), rec);
	ck_assert_ptr_null(interop_record(&c, "ZZZ"));
	fp = open_memstream(&out, &len);
	ck_assert_int_eq(interop_iodef_write(fp, &c), 0);
	fclose(fp);
	interop_case_free(&c);

	ck_assert_ptr_nonnull(doc = xmlReadMemory(out, (int)len, "x.xml", NULL,
	    XML_PARSE_NONET));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(xpath_count(doc, want[i].xpath) == want[i].n,
		    "%d nodes match %s, want %d", xpath_count(doc,
		    want[i].xpath), want[i].xpath, want[i].n);
	/* Secure messaging has no IODEF element: not invented. */
	ck_assert_ptr_null(strstr(out, "matrix.example.fr"));
	xmlFreeDoc(doc);
	free(out);
	poc__directory_record__free_unpacked(rec, NULL);
}
END_TEST

START_TEST(test_iodef_mapping)
{
	char	*s = export(INTEROP_IODEF);

	ck_assert_ptr_nonnull(strstr(s, "<IODEF-Document version=\"2.00\" "
	    "xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\""));
	ck_assert_ptr_nonnull(strstr(s, "<Incident purpose=\"reporting\""));
	ck_assert_ptr_nonnull(strstr(s, "<Incident purpose=\"mitigation\""));
	ck_assert_ptr_nonnull(strstr(s, "restriction=\"ext-value\" "
	    "ext-restriction=\"amber+strict\""));
	ck_assert_ptr_nonnull(strstr(s, "restriction=\"amber\""));
	ck_assert_ptr_nonnull(strstr(s, "<Contact role=\"creator\" "
	    "type=\"organization\">"));
	ck_assert_ptr_nonnull(strstr(s, "<GenerationTime>2025-12-05T08:00:"
	    "00.000Z</GenerationTime>"));
	ck_assert_ptr_nonnull(strstr(s, "meaning=\"pocd:withheld\">"
	    "requested_action<"));
	ck_assert_ptr_nonnull(strstr(s, "(X11; pocbot) &lt;&amp;&gt;"));
	free(s);
}
END_TEST

/* Every indicator of the fixture is in imp, with its note. */
static void
check_indicators(const struct interop_import *imp, const char *fmt)
{
	struct interop_body	 b;
	const Poc__Indicator	*in;
	size_t			 i, k, m, n = 0;

	for (m = 0; m < fixture->n_messages; m++) {
		if (interop_body_get(fixture->messages[m]->envelope, &b) == -1)
			continue;
		for (i = 0; i < b.n_indicators; i++, n++) {
			in = b.indicators[i];
			for (k = 0; k < imp->n_ind; k++)
				if (imp->ind[k].type == in->type &&
				    strcmp(imp->ind[k].value, in->value) == 0 &&
				    strcmp(imp->ind[k].note, in->note) == 0)
					break;
			ck_assert_msg(k < imp->n_ind, "%s: indicator %s %s "
			    "lost", fmt, interop_enum_name(
			    &poc__indicator__type__descriptor, in->type),
			    in->value);
		}
	}
	ck_assert_uint_eq(imp->n_ind, n);
}

static void
roundtrip(enum interop_format f, const char *name)
{
	struct interop_import	 imp;
	char			*s = export(f), err[256];

	ck_assert_msg(interop_import(s, strlen(s), &imp, err, sizeof(err)) ==
	    0, "%s: %s", name, err);
	ck_assert_int_eq(imp.format, f);
	ck_assert_str_eq(imp.summary,
	    "Botnet C2 in AUS address space targets KEN banks");
	ck_assert_int_eq(imp.tlp, POC__TLP__AMBER_STRICT);
	ck_assert_int_eq(imp.exercise, 1);
	ck_assert_int_eq(imp.severity, POC__SEVERITY__SEVERE);
	check_indicators(&imp, name);
	interop_import_free(&imp);
	free(s);
}

START_TEST(test_roundtrip_misp)
{
	roundtrip(INTEROP_MISP, "misp");
}
END_TEST

START_TEST(test_roundtrip_stix)
{
	roundtrip(INTEROP_STIX, "stix");
}
END_TEST

/* IODEF has one Incident per message: the first (the notification) is
 * what a template takes, its severity HIGH. */
START_TEST(test_roundtrip_iodef)
{
	struct interop_import	 imp;
	char			*s = export(INTEROP_IODEF), err[256];
	size_t			 i;

	ck_assert_msg(interop_import(s, strlen(s), &imp, err, sizeof(err)) ==
	    0, "%s", err);
	ck_assert_str_eq(imp.summary,
	    "Botnet C2 in AUS address space targets KEN banks");
	ck_assert_str_eq(imp.description, "DDoS against three KEN banks since "
	    "06:00 EAT, commanded from a server in AUS.");
	ck_assert_int_eq(imp.tlp, POC__TLP__AMBER);
	ck_assert_int_eq(imp.exercise, 1);
	ck_assert_int_eq(imp.severity, POC__SEVERITY__HIGH);
	ck_assert_uint_eq(imp.n_ind, 9);
	for (i = 0; i < 9; i++) {
		const Poc__Indicator *in = fixture->messages[0]->envelope->
		    notification->indicators[i];

		ck_assert_int_eq(imp.ind[i].type, in->type);
		ck_assert_str_eq(imp.ind[i].value, in->value);
		ck_assert_str_eq(imp.ind[i].note, in->note);
	}
	/* The second Incident is named, not dropped. */
	for (i = 0; i < imp.n_unmapped; i++)
		if (strcmp(imp.unmapped[i], "/IODEF-Document/Incident[2]") ==
		    0)
			break;
	ck_assert_uint_lt(i, imp.n_unmapped);
	interop_import_free(&imp);
	free(s);
}
END_TEST

/* Each TLP survives each format. */
START_TEST(test_each_tlp)
{
	static const enum interop_format fs[] = {
		INTEROP_MISP, INTEROP_STIX, INTEROP_IODEF,
	};
	struct interop_import	 imp;
	char			*s, err[256];
	size_t			 m, k;
	int			 t;

	for (t = POC__TLP__CLEAR; t <= POC__TLP__RED; t++) {
		for (m = 0; m < fixture->n_messages; m++)
			fixture->messages[m]->envelope->tlp = (Poc__Tlp)t;
		for (k = 0; k < 3; k++) {
			s = export(fs[k]);
			ck_assert_msg(interop_import(s, strlen(s), &imp, err,
			    sizeof(err)) == 0, "%s", err);
			ck_assert_msg((int)imp.tlp == t, "format %d: TLP %s came "
			    "back as %d", fs[k], interop_tlp_name((Poc__Tlp)t), imp.tlp);
			interop_import_free(&imp);
			free(s);
		}
	}
}
END_TEST

/* Imports as they come from elsewhere: other MISP types, a STIX bundle
 * with a compound pattern, an IODEF with RFC 5070-style EventData. */
START_TEST(test_import_foreign)
{
	static const char misp[] = "{\"Event\": {\"info\": \"Phishing wave\", "
	    "\"threat_level_id\": \"2\", \"Tag\": [{\"name\": \"tlp:white\"}, "
	    "{\"name\": \"misp-galaxy:x=\\\"y\\\"\"}], \"Attribute\": ["
	    "{\"type\": \"ip-src\", \"value\": \"2001:db8::1\"}, "
	    "{\"type\": \"regkey\", \"value\": \"HKLM\\\\x\"}, "
	    "{\"type\": \"hostname\", \"value\": \"a.example\", "
	    "\"comment\": \"lure\"}], \"Object\": [{}]}}";
	static const char stix[] = "{\"type\": \"bundle\", \"id\": \"b\", "
	    "\"objects\": [{\"type\": \"report\", \"name\": \"R\"}, "
	    "{\"type\": \"indicator\", \"pattern\": \"[ipv4-addr:value = "
	    "'1.2.3.4'] OR [ipv4-addr:value = '5.6.7.8']\"}, "
	    "{\"type\": \"indicator\", \"pattern\": \"[email-addr:value = "
	    "'a@b.example']\", \"description\": \"d\"}, "
	    "{\"type\": \"malware\", \"name\": \"m\"}]}";
	static const char iodef[] = "<?xml version=\"1.0\"?>\n"
	    "<IODEF-Document version=\"2.00\" xmlns=\"urn:ietf:params:xml:ns:"
	    "iodef-2.0\"><Incident purpose=\"reporting\" restriction=\"green\">"
	    "<IncidentID name=\"csirt.example\">1</IncidentID>"
	    "<GenerationTime>2025-01-01T00:00:00Z</GenerationTime>"
	    "<Description>Scan</Description><Method/>"
	    "<Contact role=\"creator\" type=\"organization\"/>"
	    "<EventData><Flow><System><Node><Address category=\"ipv4-addr\">"
	    "192.0.2.1</Address><Address category=\"mac\">x</Address>"
	    "</Node></System></Flow></EventData></Incident></IODEF-Document>";
	struct interop_import	 imp;
	char			 err[256];
	size_t			 i;
	int			 found;

	ck_assert_int_eq(interop_import(misp, strlen(misp), &imp, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(imp.tlp, POC__TLP__CLEAR);
	ck_assert_int_eq(imp.severity, POC__SEVERITY__MEDIUM);
	ck_assert_uint_eq(imp.n_ind, 2);
	ck_assert_int_eq(imp.ind[0].type, POC__INDICATOR__TYPE__IPV6);
	ck_assert_int_eq(imp.ind[1].type, POC__INDICATOR__TYPE__DOMAIN);
	ck_assert_str_eq(imp.ind[1].note, "lure");
	for (i = 0, found = 0; i < imp.n_unmapped; i++)
		if (strncmp(imp.unmapped[i], "Event.Attribute[1]: attribute of "
		    "type \"regkey\"", 42) == 0 ||
		    strncmp(imp.unmapped[i], "Event.Tag[1]", 12) == 0 ||
		    strncmp(imp.unmapped[i], "Event.Object[0]", 15) == 0)
			found++;
	ck_assert_int_eq(found, 3);
	interop_import_free(&imp);

	ck_assert_int_eq(interop_import(stix, strlen(stix), &imp, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(imp.summary, "R");
	ck_assert_uint_eq(imp.n_ind, 1);
	ck_assert_str_eq(imp.ind[0].value, "a@b.example");
	ck_assert_str_eq(imp.ind[0].note, "d");
	ck_assert_uint_eq(imp.n_unmapped, 2);
	ck_assert_ptr_nonnull(strstr(imp.unmapped[0], "objects[1]: pattern"));
	ck_assert_str_eq(imp.unmapped[1], "objects[3]: object of type "
	    "\"malware\"");
	interop_import_free(&imp);

	ck_assert_msg(interop_import(iodef, strlen(iodef), &imp, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(imp.summary, "Scan");
	ck_assert_int_eq(imp.tlp, POC__TLP__GREEN);
	ck_assert_uint_eq(imp.n_ind, 1);
	ck_assert_str_eq(imp.ind[0].value, "192.0.2.1");
	ck_assert_uint_eq(imp.n_unmapped, 3);
	ck_assert_str_eq(imp.unmapped[0], "/IODEF-Document/Incident[1]/"
	    "Method[1]");
	ck_assert_str_eq(imp.unmapped[1], "/IODEF-Document/Incident[1]/"
	    "Contact[1]");
	ck_assert_str_eq(imp.unmapped[2], "/IODEF-Document/Incident[1]/"
	    "EventData[1]/Flow[1]/System[1]/Node[1]/Address[2]: Address of "
	    "category mac");
	interop_import_free(&imp);
}
END_TEST

/* A hostile input is refused and the message says why. */
static void
refused(const char *in, size_t len, const char *why)
{
	struct interop_import	 imp;
	char			 err[256] = "";

	ck_assert_msg(interop_import(in, len, &imp, err, sizeof(err)) == -1,
	    "accepted: %.60s", in);
	ck_assert_msg(strstr(err, why) != NULL, "\"%s\" lacks \"%s\"", err,
	    why);
}

START_TEST(test_hostile_entities)
{
	static const char laughs[] = "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
	    "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
	    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\n"
	    "<IODEF-Document version=\"2.00\" xmlns=\"urn:ietf:params:xml:ns:"
	    "iodef-2.0\"><Incident purpose=\"reporting\"><Description>&lol3;"
	    "</Description></Incident></IODEF-Document>";
	static const char xxe[] = "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
	    "<IODEF-Document version=\"2.00\" xmlns=\"urn:ietf:params:xml:ns:"
	    "iodef-2.0\"><Incident purpose=\"reporting\"><Description>&x;"
	    "</Description></Incident></IODEF-Document>";
	static const char ext_dtd[] = "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE d SYSTEM \"http://198.51.100.1/evil.dtd\">\n<d/>";

	refused(laughs, strlen(laughs), "document type declaration");
	refused(xxe, strlen(xxe), "document type declaration");
	refused(ext_dtd, strlen(ext_dtd), "document type declaration");
	refused("<a><b></a>", 10, "not well-formed XML");
	refused("<a xmlns=\"urn:x\"/>", 18, "not an IODEF v2 document");
}
END_TEST

START_TEST(test_hostile_size)
{
	char		 tmpl[] = "/tmp/test_interop.XXXXXX", *buf, err[256];
	size_t		 len;
	FILE		*fp;
	int		 fd;

	/* 100 MB, sparse: the reader stops one byte past the limit. */
	fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 100 * 1000 * 1000), 0);
	fp = fdopen(fd, "r");
	ck_assert_int_eq(interop_read(fp, &buf, &len, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "larger than the 16 MiB"));
	fclose(fp);
	unlink(tmpl);
	/* Exactly at the limit is read. */
	fp = tmpfile();
	ck_assert_int_eq(ftruncate(fileno(fp), INTEROP_INPUT_MAX), 0);
	ck_assert_int_eq(interop_read(fp, &buf, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, INTEROP_INPUT_MAX);
	free(buf);
	fclose(fp);
	refused("{}", (size_t)INTEROP_INPUT_MAX + 1, "larger than");
}
END_TEST

START_TEST(test_hostile_json)
{
	char	*deep;
	size_t	 i, n = 100000;

	/* {"Event": [[[[...]]]]}, 100000 deep. */
	deep = malloc(2 * n + 16);
	strcpy(deep, "{\"Event\": ");
	for (i = 0; i < n; i++)
		strcat(deep + 10 + i, "[");
	memset(deep + 10 + n, ']', n);
	strcpy(deep + 10 + 2 * n, "}");
	refused(deep, strlen(deep), "nested deeper than 64");
	free(deep);
	refused("{\"Event\": {\"info\": 42}}", 23, "Event.info: a string was "
	    "expected");
	refused("{\"Event\": []}", 13, "Event: an object was expected");
	refused("{\"Event\": {\"Attribute\": [{\"type\": \"ip-dst\", "
	    "\"value\": 1}]}}", 58, "Event.Attribute[0].value: a string");
	refused("{\"Event\": {\"Tag\": \"tlp:red\"}}", 29, "Event.Tag: an "
	    "array was expected");
	refused("{\"type\": \"bundle\", \"objects\": {}}", 33, "bundle.objects: "
	    "an array was expected");
	refused("{\"type\": \"bundle\", \"objects\": [{\"type\": 5}]}", 44,
	    "objects[0].type: a string was expected");
	refused("{\"type\": \"bundle\", \"objects\": [{\"type\": \"incident\", "
	    "\"name\": [\"x\"]}]}", 68, "objects[0].name: a string");
	refused("{\"a\": 1}", 8, "neither a MISP event");
	refused("[1]", 3, "neither a JSON object");
	refused("{\"Event\": {}", 12, "not valid JSON");
}
END_TEST

/* The template a --from fills: TLP, exercise, body fields, indicators. */
START_TEST(test_template_fill)
{
	struct interop_import	 imp;
	char			*s = export(INTEROP_STIX), err[256];
	json_t			*t, *b;

	ck_assert_int_eq(interop_import(s, strlen(s), &imp, err,
	    sizeof(err)), 0);
	t = pbjson_blank(&poc__envelope__descriptor, "assistance_request");
	interop_template_fill(t, "assistance_request", &imp);
	ck_assert_str_eq(json_string_value(json_object_get(t, "tlp")),
	    "AMBER_STRICT");
	ck_assert(json_is_true(json_object_get(t, "exercise")));
	b = json_object_get(t, "assistance_request");
	ck_assert_str_eq(json_string_value(json_object_get(b, "severity")),
	    "SEVERE");
	ck_assert_uint_eq(json_array_size(json_object_get(b, "indicators")),
	    10);
	json_decref(t);
	interop_import_free(&imp);
	free(s);
}
END_TEST

/* The RFC 2350 description of a member against its golden file. */
START_TEST(test_rfc2350)
{
	Poc__DirectoryRecord	*r;
	json_error_t		 je;
	json_t			*j;
	char			*got = NULL, *want, err[256];
	size_t			 len = 0;
	FILE			*fp;

	j = json_load_file(GOLDEN "member.json", 0, &je);
	ck_assert_msg(j != NULL, "%s", je.text);
	r = (Poc__DirectoryRecord *)pbjson_to_message(j,
	    &poc__directory_record__descriptor, NULL, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	json_decref(j);
	fp = open_memstream(&got, &len);
	ck_assert_int_eq(interop_rfc2350_write(fp, r), 0);
	fclose(fp);
	if (getenv("INTEROP_GOLDEN_UPDATE") != NULL) {
		fp = fopen(GOLDEN "member.rfc2350.txt", "w");
		fputs(got, fp);
		fclose(fp);
	}
	want = slurp(GOLDEN "member.rfc2350.txt");
	ck_assert_msg(strcmp(got, want) == 0, "differs:\n%s", got);
	/* Email best first; what the record lacks is said, not guessed. */
	ck_assert(strstr(got, "cert@ssi") < strstr(got, "backup@ssi"));
	ck_assert_ptr_nonnull(strstr(got, "2.2 Address\n\n   Not stated"));
	free(got);
	free(want);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}
END_TEST

/* UUIDv5 ids: stable, version 5, RFC 4122 variant. */
START_TEST(test_uuid)
{
	char	 a[INTEROP_UUID_LEN + 1], b[INTEROP_UUID_LEN + 1];

	interop_uuid(a, "thread:%s", "x");
	interop_uuid(b, "thread:%s", "x");
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(a[14], '5');
	ck_assert_ptr_nonnull(strchr("89ab", a[19]));
	interop_uuid(b, "thread:%s", "y");
	ck_assert_str_ne(a, b);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("interop");
	TCase	*tc = tcase_create("interop");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_golden_misp);
	tcase_add_test(tc, test_golden_stix);
	tcase_add_test(tc, test_golden_iodef);
	tcase_add_test(tc, test_misp_mapping);
	tcase_add_test(tc, test_stix_mapping);
	tcase_add_test(tc, test_iodef_mapping);
	tcase_add_test(tc, test_iodef_creator_pocs);
	tcase_add_test(tc, test_roundtrip_misp);
	tcase_add_test(tc, test_roundtrip_stix);
	tcase_add_test(tc, test_roundtrip_iodef);
	tcase_add_test(tc, test_each_tlp);
	tcase_add_test(tc, test_import_foreign);
	tcase_add_test(tc, test_hostile_entities);
	tcase_add_test(tc, test_hostile_size);
	tcase_add_test(tc, test_hostile_json);
	tcase_add_test(tc, test_template_fill);
	tcase_add_test(tc, test_uuid);
	tcase_add_test(tc, test_rfc2350);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
