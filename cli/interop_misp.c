/*
 * A case as a MISP event (JSON, {"Event": {...}}) and a MISP event back
 * into a template's fields.  The mapping is the MISP table of
 * docs/interop.md; the tests hold the two to each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/interop.h"
#include "cli/interop_misp.h"

/* One indicator type as a MISP attribute. */
static const struct {
	Poc__Indicator__Type	 type;
	const char		*misp, *category;
	int			 to_ids;
} misp_types[] = {
	{ POC__INDICATOR__TYPE__IPV4, "ip-dst", "Network activity", 1 },
	{ POC__INDICATOR__TYPE__IPV6, "ip-dst", "Network activity", 1 },
	{ POC__INDICATOR__TYPE__DOMAIN, "domain", "Network activity", 1 },
	{ POC__INDICATOR__TYPE__URL, "url", "Network activity", 1 },
	{ POC__INDICATOR__TYPE__SHA256, "sha256", "Payload delivery", 1 },
	{ POC__INDICATOR__TYPE__EMAIL, "email-src", "Payload delivery", 1 },
	{ POC__INDICATOR__TYPE__CVE, "vulnerability", "External analysis", 0 },
	{ POC__INDICATOR__TYPE__ASN, "AS", "Network activity", 0 },
	{ POC__INDICATOR__TYPE__OTHER, "other", "Other", 0 },
};

/* MISP attribute types read back as indicators (IPs by their form). */
static const struct {
	const char		*misp;
	Poc__Indicator__Type	 type;
} misp_in[] = {
	{ "ip-src", POC__INDICATOR__TYPE__IPV4 },
	{ "ip-dst", POC__INDICATOR__TYPE__IPV4 },
	{ "domain", POC__INDICATOR__TYPE__DOMAIN },
	{ "hostname", POC__INDICATOR__TYPE__DOMAIN },
	{ "url", POC__INDICATOR__TYPE__URL },
	{ "link", POC__INDICATOR__TYPE__URL },
	{ "sha256", POC__INDICATOR__TYPE__SHA256 },
	{ "email-src", POC__INDICATOR__TYPE__EMAIL },
	{ "email-dst", POC__INDICATOR__TYPE__EMAIL },
	{ "email", POC__INDICATOR__TYPE__EMAIL },
	{ "vulnerability", POC__INDICATOR__TYPE__CVE },
	{ "AS", POC__INDICATOR__TYPE__ASN },
	{ "other", POC__INDICATOR__TYPE__OTHER },
};

/* MISP threat levels: 1 high, 2 medium, 3 low, 4 undefined. */
static int
misp_threat_level(Poc__Severity s)
{
	if (s >= POC__SEVERITY__HIGH)
		return 1;
	if (s == POC__SEVERITY__MEDIUM)
		return 2;
	return s == 0 ? 4 : 3;
}

/* MISP analysis: 0 initial, 1 ongoing, 2 completed. */
static int
misp_analysis(Poc__CaseStatus s)
{
	switch (s) {
	case POC__CASE_STATUS__IN_PROGRESS:
	case POC__CASE_STATUS__MITIGATED:
		return 1;
	case POC__CASE_STATUS__RESOLVED:
	case POC__CASE_STATUS__CLOSED:
	case POC__CASE_STATUS__WITHDRAWN:
		return 2;
	default:
		return 0;
	}
}

/* MISP distribution no wider than the TLP: 3 all, 1 community, 0 org. */
static int
misp_distribution(Poc__Tlp t)
{
	if (t == POC__TLP__CLEAR)
		return 3;
	return t == POC__TLP__GREEN ? 1 : 0;
}

/* Appends one attribute to a. */
static void
misp_attr(json_t *a, const char *uuid, const char *type, const char *cat,
    const char *value, int to_ids, const char *comment, int64_t ms)
{
	char	 ts[24];

	snprintf(ts, sizeof(ts), "%lld", (long long)(ms / 1000));
	json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, "
	    "s:s, s:s}", "uuid", uuid, "type", type, "category", cat,
	    "value", value, "to_ids", to_ids, "comment", comment,
	    "distribution", "5", "timestamp", ts));
}

/* Appends the tag prefix, then v in quotes if given: pocd:sector="X". */
static void
misp_tag(json_t *tags, const char *prefix, const char *v)
{
	char	*s;

	if (asprintf(&s, "%s%s%s%s", prefix, v != NULL ? "=\"" : "",
	    v != NULL ? v : "", v != NULL ? "\"" : "") < 0)
		abort();
	json_array_append_new(tags, json_pack("{s:s}", "name", s));
	free(s);
}

/* The attributes of one message: its id, texts, times, indicators and
 * the names of its unavailable and withheld fields. */
static void
misp_message_attrs(json_t *a, const Poc__Envelope *e)
{
	static const char *const texts[] = {
		"description", "requested_action", "contact",
	};
	struct interop_body	 b;
	const char		*text[3], *type;
	char			 u[INTEROP_UUID_LEN + 1], tb[32], *v;
	const Poc__Indicator	*in;
	size_t			 i, k;
	int64_t			 ms = e->created_at;

	interop_body_get(e, &b);
	interop_uuid(u, "attribute:%s:envelope", e->id);
	if (asprintf(&v, "pocd-envelope:%s", e->id) < 0)
		abort();
	misp_attr(a, u, "other", "Internal reference", v, 0, "pocd envelope",
	    ms);
	free(v);
	text[0] = b.description;
	text[1] = b.requested_action;
	text[2] = b.contact;
	for (i = 0; i < 3; i++) {
		if (text[i] == NULL || text[i][0] == '\0')
			continue;
		interop_uuid(u, "attribute:%s:%s", e->id, texts[i]);
		if (asprintf(&v, "pocd %s", texts[i]) < 0)
			abort();
		misp_attr(a, u, "text", "Other", text[i], 0, v, ms);
		free(v);
	}
	if (b.since != 0) {
		interop_uuid(u, "attribute:%s:%s", e->id, b.since_name);
		interop_time(tb, b.since);
		if (asprintf(&v, "pocd %s", b.since_name) < 0)
			abort();
		misp_attr(a, u, "datetime", "Other", tb, 0, v, ms);
		free(v);
	}
	if (b.respond_by != 0) {
		interop_uuid(u, "attribute:%s:respond_by", e->id);
		interop_time(tb, b.respond_by);
		misp_attr(a, u, "datetime", "Other", tb, 0, "pocd respond_by",
		    ms);
	}
	for (i = 0; i < b.n_indicators; i++) {
		in = b.indicators[i];
		for (k = 0; k < sizeof(misp_types) / sizeof(misp_types[0]); k++)
			if (misp_types[k].type == in->type)
				break;
		if (k == sizeof(misp_types) / sizeof(misp_types[0]))
			k = sizeof(misp_types) / sizeof(misp_types[0]) - 1;
		interop_uuid(u, "indicator:%s:%zu", e->id, i);
		misp_attr(a, u, misp_types[k].misp, misp_types[k].category,
		    in->value, misp_types[k].to_ids, in->note, ms);
	}
	for (k = 0; k < 2; k++) {
		type = k == 0 ? "unavailable" : "withheld";
		for (i = 0; i < (k == 0 ? b.n_unavailable : b.n_withheld);
		    i++) {
			v = k == 0 ? b.unavailable[i] : b.withheld[i];
			interop_uuid(u, "attribute:%s:%s:%s", e->id, type, v);
			if (asprintf(&v, "pocd %s", type) < 0)
				abort();
			misp_attr(a, u, "comment", "Other", k == 0 ?
			    b.unavailable[i] : b.withheld[i], 0, v, ms);
			free(v);
		}
	}
}

int
interop_misp_write(FILE *fp, const struct interop_case *c)
{
	json_t		*root, *ev, *tags, *attrs;
	char		 u[INTEROP_UUID_LEN + 1], date[32], ts[24], num[4];
	char		 tlp[32];
	char		*v;
	size_t		 i;
	int		 r;

	if ((tags = json_array()) == NULL || (attrs = json_array()) == NULL)
		return -1;
	if (c->tlp != 0) {
		snprintf(tlp, sizeof(tlp), "tlp:%s", interop_tlp_name(c->tlp));
		misp_tag(tags, tlp, NULL);
	}
	if (c->exercise)
		misp_tag(tags, "exercise", NULL);
	if (c->severity != 0)
		misp_tag(tags, "pocd:severity", interop_enum_name(
		    &poc__severity__descriptor, c->severity));
	if (c->urgency != 0)
		misp_tag(tags, "pocd:urgency", interop_enum_name(
		    &poc__urgency__descriptor, c->urgency));
	for (i = 0; i < c->n_sectors; i++)
		misp_tag(tags, "pocd:sector", interop_enum_name(
		    &poc__sector__descriptor, c->sectors[i]));
	for (i = 0; i < c->n_assistance; i++)
		misp_tag(tags, "pocd:assistance", interop_enum_name(
		    &poc__assistance_request__assistance_type__descriptor,
		    c->assistance[i]));

	interop_uuid(u, "attribute:%s:thread", c->thread_id);
	if (asprintf(&v, "pocd-thread:%s", c->thread_id) < 0)
		abort();
	misp_attr(attrs, u, "other", "Internal reference", v, 0,
	    "pocd thread", c->first_at);
	free(v);
	for (i = 0; i < c->n; i++)
		misp_message_attrs(attrs, c->msgs[i]->envelope);

	interop_time(date, c->first_at);
	date[10] = '\0';
	snprintf(ts, sizeof(ts), "%lld", (long long)(c->last_at / 1000));
	interop_uuid(u, "thread:%s", c->thread_id);
	ev = json_object();
	json_object_set_new(ev, "uuid", json_string(u));
	json_object_set_new(ev, "info", json_string(c->summary));
	json_object_set_new(ev, "date", json_string(date));
	json_object_set_new(ev, "timestamp", json_string(ts));
	json_object_set_new(ev, "published", json_false());
	snprintf(num, sizeof(num), "%d", misp_threat_level(c->severity));
	json_object_set_new(ev, "threat_level_id", json_string(num));
	snprintf(num, sizeof(num), "%d", misp_analysis(c->status));
	json_object_set_new(ev, "analysis", json_string(num));
	snprintf(num, sizeof(num), "%d", misp_distribution(c->tlp));
	json_object_set_new(ev, "distribution", json_string(num));
	interop_uuid(u, "member:%s", c->sender);
	json_object_set_new(ev, "Orgc", json_pack("{s:s, s:s}", "name",
	    c->sender, "uuid", u));
	json_object_set_new(ev, "Tag", tags);
	json_object_set_new(ev, "Attribute", attrs);
	root = json_pack("{s:o}", "Event", ev);
	r = json_dumpf(root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (r == 0 && fputc('\n', fp) == EOF)
		r = -1;
	return r;
}

/* Reads the tags: TLP, exercise, pocd's severity; the rest not mapped. */
static int
misp_read_tags(const json_t *ev, struct interop_import *imp, char *err,
    size_t errlen)
{
	const json_t	*tags, *t;
	const char	*name;
	char		 path[64], sev[32];
	size_t		 i;
	Poc__Tlp	 tlp;

	if (interop_json_arr(ev, "Tag", "Event", &tags, err, errlen) == -1)
		return -1;
	json_array_foreach(tags, i, t) {
		snprintf(path, sizeof(path), "Event.Tag[%zu]", i);
		if (interop_json_obj(t, path, err, errlen) == -1)
			return -1;
		if (interop_json_str(t, "name", path, &name, err, errlen) ==
		    -1)
			return -1;
		if (name == NULL)
			continue;
		if (strncasecmp(name, "tlp:", 4) == 0 &&
		    (tlp = interop_tlp_parse(name + 4)) != 0) {
			if (tlp > imp->tlp)
				imp->tlp = tlp;
		} else if (strcmp(name, "exercise") == 0)
			imp->exercise = 1;
		else if (sscanf(name, "pocd:severity=\"%31[A-Z]\"", sev) == 1 &&
		    interop_enum_value(&poc__severity__descriptor, sev) != 0)
			imp->severity = interop_enum_value(
			    &poc__severity__descriptor, sev);
		else
			interop_unmapped(imp, "%s: tag \"%s\"", path, name);
	}
	return 0;
}

/* Reads one attribute: an indicator, the description, or not mapped. */
static int
misp_read_attr(const json_t *at, size_t i, struct interop_import *imp,
    char *err, size_t errlen)
{
	const char		*type, *value, *comment, *cat;
	char			 path[64];
	Poc__Indicator__Type	 t = 0;
	size_t			 k;

	snprintf(path, sizeof(path), "Event.Attribute[%zu]", i);
	if (interop_json_obj(at, path, err, errlen) == -1)
		return -1;
	if (interop_json_str(at, "type", path, &type, err, errlen) == -1 ||
	    interop_json_str(at, "value", path, &value, err, errlen) == -1 ||
	    interop_json_str(at, "comment", path, &comment, err, errlen) ==
	    -1 ||
	    interop_json_str(at, "category", path, &cat, err, errlen) == -1)
		return -1;
	if (type == NULL || value == NULL) {
		interop_unmapped(imp, "%s: no type or no value", path);
		return 0;
	}
	if (strcmp(type, "text") == 0 && comment != NULL &&
	    strcmp(comment, "pocd description") == 0 &&
	    imp->description == NULL) {
		if ((imp->description = strdup(value)) == NULL)
			abort();
		return 0;
	}
	for (k = 0; k < sizeof(misp_in) / sizeof(misp_in[0]); k++)
		if (strcmp(type, misp_in[k].misp) == 0)
			t = misp_in[k].type;
	/* An "other" in Internal reference is a system's own id (pocd's
	 * thread and envelope ids among them), not an indicator. */
	if (cat != NULL && strcmp(cat, "Internal reference") == 0)
		t = 0;
	if (t == POC__INDICATOR__TYPE__IPV4 && strchr(value, ':') != NULL)
		t = POC__INDICATOR__TYPE__IPV6;
	if (t == 0) {
		interop_unmapped(imp, "%s: attribute of type \"%s\" (%s)", path,
		    type, value);
		return 0;
	}
	interop_add_indicator(imp, t, value, comment);
	return 0;
}

int
interop_misp_read(const json_t *j, struct interop_import *imp, char *err,
    size_t errlen)
{
	static const char *const known[] = {
		"info", "Tag", "Attribute", "Object", "threat_level_id",
		/* bookkeeping of the exporting MISP, not the case's */
		"id", "uuid", "timestamp", "publish_timestamp", "published",
		"attribute_count", "org_id", "orgc_id", "locked",
		"sharing_group_id", "disable_correlation",
		"proposal_email_lock", "event_creator_email", "protected",
		NULL
	};
	const json_t	*ev, *attrs, *objs, *a, *tl;
	const char	*info;
	size_t		 i;

	ev = json_object_get(j, "Event");
	if (!json_is_object(ev)) {
		snprintf(err, errlen, "Event: an object was expected: refused");
		return -1;
	}
	if (interop_json_str(ev, "info", "Event", &info, err, errlen) == -1 ||
	    interop_json_arr(ev, "Attribute", "Event", &attrs, err, errlen) ==
	    -1 ||
	    interop_json_arr(ev, "Object", "Event", &objs, err, errlen) == -1)
		return -1;
	if (info != NULL && (imp->summary = strdup(info)) == NULL)
		abort();
	if (misp_read_tags(ev, imp, err, errlen) == -1)
		return -1;
	/* The threat level only where pocd's own severity tag is absent. */
	tl = json_object_get(ev, "threat_level_id");
	if (imp->severity == 0 && tl != NULL) {
		if (!json_is_string(tl) && !json_is_integer(tl)) {
			snprintf(err, errlen, "Event.threat_level_id: a string "
			    "or a number was expected: refused");
			return -1;
		}
		switch (json_is_string(tl) ? atoi(json_string_value(tl)) :
		    (int)json_integer_value(tl)) {
		case 1:
			imp->severity = POC__SEVERITY__HIGH;
			break;
		case 2:
			imp->severity = POC__SEVERITY__MEDIUM;
			break;
		case 3:
			imp->severity = POC__SEVERITY__LOW;
			break;
		}
	}
	json_array_foreach(attrs, i, a)
		if (misp_read_attr(a, i, imp, err, errlen) == -1)
			return -1;
	json_array_foreach(objs, i, a)
		interop_unmapped(imp, "Event.Object[%zu]: MISP objects", i);
	interop_unmapped_keys(imp, ev, "Event", known);
	interop_unmapped_keys(imp, j, "(top level)", (const char *const[]){
	    "Event", NULL });
	return 0;
}
