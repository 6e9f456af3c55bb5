/*
 * A case as a STIX 2.1 bundle and a bundle back into a template's fields:
 * an incident for the case, an identity per member, an indicator (or a
 * vulnerability for a CVE) per indicator related to the incident, and the
 * TLP 2.0 marking-definition.  The mapping is the STIX table of
 * docs/interop.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/interop.h"
#include "cli/interop_stix.h"

#define STIX_TLP_EXT	"extension-definition--60a3c5c5-0d10-413e-aab3-" \
			"9e08dde9e88d"
#define STIX_TLP_CREATED "2022-10-01T00:00:00.000Z"

/* The fixed ids of the TLP 2.0 marking-definitions, by pocd TLP. */
static const char *const stix_tlp_ids[] = {
	NULL,
	"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};

/* Indicator types with a one-comparison pattern: object path. */
static const struct {
	Poc__Indicator__Type	 type;
	const char		*path;
} stix_paths[] = {
	{ POC__INDICATOR__TYPE__IPV4, "ipv4-addr:value" },
	{ POC__INDICATOR__TYPE__IPV6, "ipv6-addr:value" },
	{ POC__INDICATOR__TYPE__DOMAIN, "domain-name:value" },
	{ POC__INDICATOR__TYPE__URL, "url:value" },
	{ POC__INDICATOR__TYPE__SHA256, "file:hashes.'SHA-256'" },
	{ POC__INDICATOR__TYPE__EMAIL, "email-addr:value" },
	{ POC__INDICATOR__TYPE__ASN, "autonomous-system:number" },
};

#define STIX_NPATHS	(sizeof(stix_paths) / sizeof(stix_paths[0]))

/* The common properties of an object made by the sender. */
static json_t *
stix_object(const char *type, const char *id, int64_t created,
    int64_t modified, const struct interop_case *c)
{
	char	 t1[32], t2[32], who[INTEROP_UUID_LEN + 1], ref[64];
	json_t	*o;

	interop_time(t1, created);
	interop_time(t2, modified);
	interop_uuid(who, "member:%s", c->sender);
	snprintf(ref, sizeof(ref), "identity--%s", who);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", type,
	    "spec_version", "2.1", "id", id, "created", t1, "modified", t2,
	    "created_by_ref", ref);
	if (c->tlp != 0)
		json_object_set_new(o, "object_marking_refs", json_pack("[s]",
		    stix_tlp_ids[c->tlp]));
	return o;
}

/* The sender's or the recipient's identity. */
static json_t *
stix_identity(const char *member, const struct interop_case *c)
{
	char	 u[INTEROP_UUID_LEN + 1], id[64], t[32];

	interop_uuid(u, "member:%s", member);
	snprintf(id, sizeof(id), "identity--%s", u);
	interop_time(t, c->first_at);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type",
	    "identity", "spec_version", "2.1", "id", id, "created", t,
	    "modified", t, "name", member, "identity_class", "organization");
}

/* The fixed TLP 2.0 marking-definition of t, named "TLP:AMBER+STRICT". */
static json_t *
stix_marking(Poc__Tlp t)
{
	char	 name[32], *p;

	snprintf(name, sizeof(name), "TLP:%s", interop_tlp_name(t));
	for (p = name; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}",
	    "type", "marking-definition", "spec_version", "2.1", "id",
	    stix_tlp_ids[t], "created", STIX_TLP_CREATED, "name", name,
	    "extensions", STIX_TLP_EXT, "extension_type", "property-extension",
	    "tlp_2_0", interop_tlp_name(t));
}

/* value quoted for a STIX pattern: ' and \ escaped. */
static char *
stix_quote(const char *v)
{
	char	*q, *p;

	if ((q = malloc(2 * strlen(v) + 3)) == NULL)
		abort();
	p = q;
	*p++ = '\'';
	for (; *v != '\0'; v++) {
		if (*v == '\'' || *v == '\\')
			*p++ = '\\';
		*p++ = *v;
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

/* The objects of one indicator of message e (the n-th), related to the
 * incident; OTHER goes to others instead. */
static void
stix_indicator(json_t *objs, json_t *others, const Poc__Envelope *e,
    size_t n, const Poc__Indicator *in, const char *incident,
    const struct interop_case *c)
{
	char	 u[INTEROP_UUID_LEN + 1], id[64], rid[80], t[32], *q, *pat;
	json_t	*o;
	size_t	 k;

	interop_uuid(u, "indicator:%s:%zu", e->id, n);
	if (in->type == POC__INDICATOR__TYPE__CVE) {
		snprintf(id, sizeof(id), "vulnerability--%s", u);
		o = stix_object("vulnerability", id, e->created_at,
		    e->created_at, c);
		json_object_set_new(o, "name", json_string(in->value));
		json_object_set_new(o, "external_references", json_pack(
		    "[{s:s, s:s}]", "source_name", "cve", "external_id",
		    in->value));
	} else {
		for (k = 0; k < STIX_NPATHS; k++)
			if (stix_paths[k].type == in->type)
				break;
		if (k == STIX_NPATHS) {
			json_array_append_new(others, json_pack("{s:s, s:s}",
			    "value", in->value, "note", in->note));
			return;
		}
		/* An AS number is a number; "AS64500" is written 64500. */
		if (in->type == POC__INDICATOR__TYPE__ASN) {
			if ((q = strdup(interop_asn(in->value))) == NULL)
				abort();
		} else
			q = stix_quote(in->value);
		if (asprintf(&pat, "[%s = %s]", stix_paths[k].path, q) < 0)
			abort();
		free(q);
		snprintf(id, sizeof(id), "indicator--%s", u);
		o = stix_object("indicator", id, e->created_at, e->created_at,
		    c);
		interop_time(t, e->created_at);
		json_object_set_new(o, "name", json_string(in->value));
		json_object_set_new(o, "indicator_types", json_pack("[s]",
		    "malicious-activity"));
		json_object_set_new(o, "pattern", json_string(pat));
		json_object_set_new(o, "pattern_type", json_string("stix"));
		json_object_set_new(o, "valid_from", json_string(t));
		free(pat);
	}
	if (in->note[0] != '\0')
		json_object_set_new(o, "description", json_string(in->note));
	json_array_append_new(objs, o);
	interop_uuid(u, "related:%s:%zu", e->id, n);
	snprintf(rid, sizeof(rid), "relationship--%s", u);
	o = stix_object("relationship", rid, e->created_at, e->created_at, c);
	json_object_set_new(o, "relationship_type", json_string("related-to"));
	json_object_set_new(o, "source_ref", json_string(id));
	json_object_set_new(o, "target_ref", json_string(incident));
	json_array_append_new(objs, o);
}

/* A list of enum names. */
static json_t *
stix_enums(const ProtobufCEnumDescriptor *d, const int *v, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(interop_enum_name(d,
		    v[i])));
	return a;
}

/* A list of strings. */
static json_t *
stix_strings(const char *const *v, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Sets key to the enum name of v, if v is given. */
static void
stix_set_enum(json_t *o, const char *key, const ProtobufCEnumDescriptor *d,
    int v)
{
	if (v != 0)
		json_object_set_new(o, key, json_string(interop_enum_name(d,
		    v)));
}

/* Sets key to s, if s is given. */
static void
stix_set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL && s[0] != '\0')
		json_object_set_new(o, key, json_string(s));
}

/* Sets key to the time ms, if given. */
static void
stix_set_time(json_t *o, const char *key, int64_t ms)
{
	char	 t[32];

	if (ms == 0)
		return;
	interop_time(t, ms);
	json_object_set_new(o, key, json_string(t));
}

/* The incident: the case's own fields and pocd's in x_pocd_*. */
static json_t *
stix_incident(const char *id, const struct interop_case *c)
{
	json_t		*o, *refs;
	char		 key[48];
	size_t		 i;

	o = stix_object("incident", id, c->first_at, c->last_at, c);
	json_object_set_new(o, "name", json_string(c->summary));
	stix_set_str(o, "description", c->description);
	stix_set_str(o, "lang", c->language);
	if (c->exercise)
		json_object_set_new(o, "labels", json_pack("[s]", "exercise"));
	refs = json_pack("[{s:s, s:s}]", "source_name", "pocd",
	    "external_id", c->thread_id);
	for (i = 0; i < c->n; i++)
		json_array_append_new(refs, json_pack("{s:s, s:s}",
		    "source_name", "pocd-envelope", "external_id",
		    c->msgs[i]->envelope->id));
	json_object_set_new(o, "external_references", refs);
	stix_set_enum(o, "x_pocd_severity", &poc__severity__descriptor,
	    c->severity);
	stix_set_enum(o, "x_pocd_urgency", &poc__urgency__descriptor,
	    c->urgency);
	if (c->n_sectors > 0)
		json_object_set_new(o, "x_pocd_sectors", stix_enums(
		    &poc__sector__descriptor, c->sectors, c->n_sectors));
	stix_set_enum(o, "x_pocd_status", &poc__case_status__descriptor,
	    c->status);
	stix_set_str(o, "x_pocd_requested_action", c->requested_action);
	if (c->n_assistance > 0)
		json_object_set_new(o, "x_pocd_assistance_types", stix_enums(
		    &poc__assistance_request__assistance_type__descriptor,
		    c->assistance, c->n_assistance));
	stix_set_time(o, "x_pocd_respond_by", c->respond_by);
	stix_set_str(o, "x_pocd_contact", c->contact);
	if (c->since != 0) {
		snprintf(key, sizeof(key), "x_pocd_%s", c->since_name);
		stix_set_time(o, key, c->since);
	}
	if (c->n_unavailable > 0)
		json_object_set_new(o, "x_pocd_unavailable", stix_strings(
		    c->unavailable, c->n_unavailable));
	if (c->n_withheld > 0)
		json_object_set_new(o, "x_pocd_withheld", stix_strings(
		    c->withheld, c->n_withheld));
	return o;
}

int
interop_stix_write(FILE *fp, const struct interop_case *c)
{
	struct interop_body	 b;
	json_t			*root, *objs, *inc, *others;
	char			 u[INTEROP_UUID_LEN + 1], id[64];
	size_t			 i, k;
	int			 r;

	objs = json_array();
	others = json_array();
	json_array_append_new(objs, stix_identity(c->sender, c));
	if (c->recipient[0] != '\0' && strcmp(c->recipient, c->sender) != 0)
		json_array_append_new(objs, stix_identity(c->recipient, c));
	if (c->tlp != 0)
		json_array_append_new(objs, stix_marking(c->tlp));
	interop_uuid(u, "thread:%s", c->thread_id);
	snprintf(id, sizeof(id), "incident--%s", u);
	inc = stix_incident(id, c);
	json_array_append_new(objs, inc);
	for (i = 0; i < c->n; i++) {
		interop_body_get(c->msgs[i]->envelope, &b);
		for (k = 0; k < b.n_indicators; k++)
			stix_indicator(objs, others, c->msgs[i]->envelope, k,
			    b.indicators[k], id, c);
	}
	if (json_array_size(others) > 0)
		json_object_set_new(inc, "x_pocd_other_indicators", others);
	else
		json_decref(others);
	snprintf(id, sizeof(id), "bundle--%s", u);
	root = json_pack("{s:s, s:s, s:o}", "type", "bundle", "id", id,
	    "objects", objs);
	r = json_dumpf(root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (r == 0 && fputc('\n', fp) == EOF)
		r = -1;
	return r;
}

/* Parses a one-comparison pattern "[PATH = VALUE]" into an indicator;
 * 0 if the pattern is of another form. */
static int
stix_pattern(const char *pat, Poc__Indicator__Type *type, char **value)
{
	const char	*p;
	char		*v, *w;
	size_t		 k, n;

	for (k = 0; k < STIX_NPATHS; k++) {
		n = strlen(stix_paths[k].path);
		if (pat[0] == '[' && strncmp(pat + 1, stix_paths[k].path, n) ==
		    0 && strncmp(pat + 1 + n, " = ", 3) == 0)
			break;
	}
	if (k == STIX_NPATHS)
		return 0;
	p = pat + 1 + n + 3;
	if ((v = malloc(strlen(p) + 1)) == NULL)
		abort();
	w = v;
	if (*p == '\'') {
		for (p++; *p != '\0' && *p != '\''; p++) {
			if (*p == '\\' && (p[1] == '\'' || p[1] == '\\'))
				p++;
			*w++ = *p;
		}
		if (*p != '\'')
			goto bad;
		p++;
	} else if (stix_paths[k].type == POC__INDICATOR__TYPE__ASN) {
		while (*p >= '0' && *p <= '9')
			*w++ = *p++;
	}
	*w = '\0';
	if (strcmp(p, "]") != 0 || v[0] == '\0')
		goto bad;
	*type = stix_paths[k].type;
	*value = v;
	return 1;
bad:
	free(v);
	return 0;
}

/* The TLP a marking-definition stands for: TLP 2.0 by extension or fixed
 * id, or STIX 2.1's TLP 1.0 definition; 0 if none. */
static Poc__Tlp
stix_marking_tlp(const json_t *o)
{
	const json_t	*x;
	const char	*id, *s = NULL;
	size_t		 i;

	x = json_object_get(json_object_get(o, "extensions"), STIX_TLP_EXT);
	if (json_is_string(json_object_get(x, "tlp_2_0")))
		s = json_string_value(json_object_get(x, "tlp_2_0"));
	x = json_object_get(json_object_get(o, "definition"), "tlp");
	if (s == NULL && json_is_string(x))
		s = json_string_value(x);
	if (s != NULL)
		return interop_tlp_parse(s);
	id = json_string_value(json_object_get(o, "id"));
	for (i = 1; id != NULL && i < sizeof(stix_tlp_ids) /
	    sizeof(stix_tlp_ids[0]); i++)
		if (strcmp(id, stix_tlp_ids[i]) == 0)
			return (Poc__Tlp)i;
	return 0;
}

/* Reads the incident (or report): summary, description, exercise,
 * severity, and the indicators pocd put aside as OTHER. */
static int
stix_read_incident(const json_t *o, const char *path,
    struct interop_import *imp, char *err, size_t errlen)
{
	static const char *const known[] = {
		"type", "spec_version", "id", "created", "modified",
		"created_by_ref", "object_marking_refs", "external_references",
		"name", "description", "labels", "x_pocd_severity",
		"x_pocd_other_indicators", "object_refs", "published", NULL
	};
	const json_t	*labels, *others, *x;
	const char	*name, *desc, *sev, *v, *note;
	char		 p[160];
	size_t		 i;

	if (interop_json_str(o, "name", path, &name, err, errlen) == -1 ||
	    interop_json_str(o, "description", path, &desc, err, errlen) ==
	    -1 ||
	    interop_json_str(o, "x_pocd_severity", path, &sev, err, errlen) ==
	    -1 ||
	    interop_json_arr(o, "labels", path, &labels, err, errlen) == -1 ||
	    interop_json_arr(o, "x_pocd_other_indicators", path, &others, err,
	    errlen) == -1)
		return -1;
	if ((name != NULL && (imp->summary = strdup(name)) == NULL) ||
	    (desc != NULL && (imp->description = strdup(desc)) == NULL))
		abort();
	if (sev != NULL)
		imp->severity = interop_enum_value(&poc__severity__descriptor,
		    sev);
	json_array_foreach(labels, i, x) {
		if (json_is_string(x) && strcmp(json_string_value(x),
		    "exercise") == 0)
			imp->exercise = 1;
		else
			interop_unmapped(imp, "%s.labels[%zu]", path, i);
	}
	json_array_foreach(others, i, x) {
		snprintf(p, sizeof(p), "%s.x_pocd_other_indicators[%zu]", path,
		    i);
		if (interop_json_obj(x, p, err, errlen) == -1)
			return -1;
		if (interop_json_str(x, "value", p, &v, err, errlen) == -1 ||
		    interop_json_str(x, "note", p, &note, err, errlen) == -1)
			return -1;
		if (v != NULL)
			interop_add_indicator(imp, POC__INDICATOR__TYPE__OTHER,
			    v, note);
	}
	interop_unmapped_keys(imp, o, path, known);
	return 0;
}

/* Reads an indicator or a vulnerability object. */
static int
stix_read_indicator(const json_t *o, const char *type, const char *path,
    struct interop_import *imp, char *err, size_t errlen)
{
	const char		*pat, *desc, *name;
	char			*v, *w;
	Poc__Indicator__Type	 t;

	if (interop_json_str(o, "description", path, &desc, err, errlen) ==
	    -1 || interop_json_str(o, "name", path, &name, err, errlen) == -1 ||
	    interop_json_str(o, "pattern", path, &pat, err, errlen) == -1)
		return -1;
	if (strcmp(type, "vulnerability") == 0) {
		if (name == NULL)
			interop_unmapped(imp, "%s: vulnerability without a "
			    "name", path);
		else
			interop_add_indicator(imp, POC__INDICATOR__TYPE__CVE,
			    name, desc);
		return 0;
	}
	if (pat == NULL || !stix_pattern(pat, &t, &v)) {
		interop_unmapped(imp, "%s: pattern %s", path, pat != NULL ? pat :
		    "(none)");
		return 0;
	}
	if (t == POC__INDICATOR__TYPE__ASN) {
		/* The pattern has the number; pocd writes "AS64500". */
		w = v;
		if (asprintf(&v, "AS%s", w) < 0)
			abort();
		free(w);
	}
	interop_add_indicator(imp, t, v, desc);
	free(v);
	return 0;
}

int
interop_stix_read(const json_t *j, struct interop_import *imp, char *err,
    size_t errlen)
{
	const json_t	*objs, *o;
	const char	*type;
	char		 path[64];
	size_t		 i;
	int		 incidents = 0;
	Poc__Tlp	 t;

	if (interop_json_arr(j, "objects", "bundle", &objs, err, errlen) ==
	    -1)
		return -1;
	json_array_foreach(objs, i, o) {
		snprintf(path, sizeof(path), "objects[%zu]", i);
		if (interop_json_obj(o, path, err, errlen) == -1)
			return -1;
		if (interop_json_str(o, "type", path, &type, err, errlen) ==
		    -1)
			return -1;
		if (type == NULL) {
			snprintf(err, errlen, "%s: no \"type\": refused", path);
			return -1;
		}
		if (strcmp(type, "marking-definition") == 0) {
			if ((t = stix_marking_tlp(o)) > imp->tlp)
				imp->tlp = t;
			else if (t == 0)
				interop_unmapped(imp, "%s: a marking that is "
				    "not TLP", path);
		} else if (strcmp(type, "incident") == 0 ||
		    strcmp(type, "report") == 0) {
			if (incidents++ > 0)
				interop_unmapped(imp, "%s: a second %s", path,
				    type);
			else if (stix_read_incident(o, path, imp, err,
			    errlen) == -1)
				return -1;
		} else if (strcmp(type, "indicator") == 0 ||
		    strcmp(type, "vulnerability") == 0) {
			if (stix_read_indicator(o, type, path, imp, err,
			    errlen) == -1)
				return -1;
		} else if (strcmp(type, "identity") != 0 &&
		    strcmp(type, "relationship") != 0)
			/* Identities and relationships only link what is
			 * mapped; anything else is content pocd has no
			 * field for. */
			interop_unmapped(imp, "%s: object of type \"%s\"", path,
			    type);
	}
	return 0;
}
