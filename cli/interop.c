/*
 * What the interop formats share (see interop.h, docs/interop.md): the
 * case selected for export, the fields of its messages, stable ids, TLP
 * names, and on the way in the limits, the format detection and the
 * template the import fills.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "cli/interop.h"
#include "util.h"

/* pocd's UUIDv5 namespace (docs/interop.md), as bytes. */
static const unsigned char interop_ns[16] = {
	0x6f, 0x1d, 0x4c, 0x9e, 0x2b, 0x57, 0x5a, 0x83,
	0x9c, 0x41, 0x7e, 0x0d, 0x2f, 0x8a, 0x6b, 0x35,
};

static const char *const interop_tlps[] = {
	NULL, "clear", "green", "amber", "amber+strict", "red",
};

void
interop_uuid(char out[INTEROP_UUID_LEN + 1], const char *fmt, ...)
{
	unsigned char	 md[EVP_MAX_MD_SIZE], *in;
	char		*name;
	va_list		 ap;
	int		 n;

	va_start(ap, fmt);
	n = vasprintf(&name, fmt, ap);
	va_end(ap);
	if (n < 0 || (in = malloc(sizeof(interop_ns) + (size_t)n)) == NULL)
		abort();
	memcpy(in, interop_ns, sizeof(interop_ns));
	memcpy(in + sizeof(interop_ns), name, (size_t)n);
	if (EVP_Digest(in, sizeof(interop_ns) + (size_t)n, md, NULL,
	    EVP_sha1(), NULL) != 1)
		abort();
	free(in);
	free(name);
	md[6] = (md[6] & 0x0f) | 0x50;		/* version 5 */
	md[8] = (md[8] & 0x3f) | 0x80;		/* RFC 4122 variant */
	util_uuid_format(out, md);
}

const char *
interop_tlp_name(Poc__Tlp t)
{
	if (t < 1 || (size_t)t >= sizeof(interop_tlps) /
	    sizeof(interop_tlps[0]))
		return NULL;
	return interop_tlps[t];
}

Poc__Tlp
interop_tlp_parse(const char *s)
{
	size_t	 i;

	if (strcmp(s, "white") == 0)
		return POC__TLP__CLEAR;
	for (i = 1; i < sizeof(interop_tlps) / sizeof(interop_tlps[0]); i++)
		if (strcmp(s, interop_tlps[i]) == 0)
			return (Poc__Tlp)i;
	return POC__TLP__TLP_UNSPECIFIED;
}

const char *
interop_enum_name(const ProtobufCEnumDescriptor *d, int v)
{
	const ProtobufCEnumValue	*ev;

	if (v == 0 || (ev = protobuf_c_enum_descriptor_get_value(d, v)) ==
	    NULL)
		return "";
	return ev->name;
}

int
interop_enum_value(const ProtobufCEnumDescriptor *d, const char *name)
{
	const ProtobufCEnumValue	*ev;

	ev = protobuf_c_enum_descriptor_get_value_by_name(d, name);
	return ev != NULL ? ev->value : 0;
}

const char *
interop_asn(const char *value)
{
	return strncasecmp(value, "AS", 2) == 0 ? value + 2 : value;
}

void
interop_time(char out[32], int64_t ms)
{
	struct tm	 tm;
	time_t		 t;
	size_t		 n;

	if (ms < 0)
		ms = 0;
	t = (time_t)(ms / 1000);
	gmtime_r(&t, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(ms % 1000) % 1000u);
}

int
interop_body_get(const Poc__Envelope *e, struct interop_body *b)
{
	const Poc__AssistanceRequest	*r;
	const Poc__Notification		*n;

	memset(b, 0, sizeof(*b));
	if (e->body_case == POC__ENVELOPE__BODY_ASSISTANCE_REQUEST) {
		r = e->assistance_request;
		b->request = 1;
		b->summary = r->summary;
		b->description = r->description;
		b->severity = r->severity;
		b->urgency = r->urgency;
		b->sectors = r->sectors;
		b->n_sectors = r->n_sectors;
		b->since = r->observed_since;
		b->since_name = "observed_since";
		b->indicators = r->indicators;
		b->n_indicators = r->n_indicators;
		b->assistance = (const int *)r->assistance_types;
		b->n_assistance = r->n_assistance_types;
		b->respond_by = r->respond_by;
		b->contact = r->contact;
		b->unavailable = r->unavailable;
		b->n_unavailable = r->n_unavailable;
		b->withheld = r->withheld;
		b->n_withheld = r->n_withheld;
		return 0;
	}
	if (e->body_case != POC__ENVELOPE__BODY_NOTIFICATION)
		return -1;
	n = e->notification;
	b->summary = n->summary;
	b->description = n->description;
	b->severity = n->severity;
	b->urgency = n->urgency;
	b->sectors = n->sectors;
	b->n_sectors = n->n_sectors;
	b->since = n->activity_since;
	b->since_name = "activity_since";
	b->indicators = n->indicators;
	b->n_indicators = n->n_indicators;
	b->requested_action = n->requested_action;
	b->unavailable = n->unavailable;
	b->n_unavailable = n->n_unavailable;
	b->withheld = n->withheld;
	b->n_withheld = n->n_withheld;
	return 0;
}

/* Orders messages by creation time, then id, so that any order the node
 * answers in gives the same export. */
static int
interop_by_created(const void *a, const void *b)
{
	const Poc__Envelope	*x = (*(Poc__StoredMessage *const *)a)->envelope;
	const Poc__Envelope	*y = (*(Poc__StoredMessage *const *)b)->envelope;

	if (x->created_at != y->created_at)
		return x->created_at < y->created_at ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Appends v to the set a (n of them) unless it is there. */
static void
interop_set_int(int **a, size_t *n, int v)
{
	size_t	 i;

	for (i = 0; i < *n; i++)
		if ((*a)[i] == v)
			return;
	if ((*a = reallocarray(*a, *n + 1, sizeof(**a))) == NULL)
		abort();
	(*a)[(*n)++] = v;
}

/* Appends s to the set a (n of them) unless it is there. */
static void
interop_set_str(const char ***a, size_t *n, const char *s)
{
	size_t	 i;

	for (i = 0; i < *n; i++)
		if (strcmp((*a)[i], s) == 0)
			return;
	if ((*a = reallocarray(*a, *n + 1, sizeof(**a))) == NULL)
		abort();
	(*a)[(*n)++] = s;
}

/* The first non-empty of *cur and s. */
static void
interop_first(const char **cur, const char *s)
{
	if (*cur == NULL && s != NULL && s[0] != '\0')
		*cur = s;
}

/* Folds the fields of message e into the case-wide view of c. */
static void
interop_case_fold(struct interop_case *c, const Poc__Envelope *e)
{
	struct interop_body	 b;
	size_t			 i;

	interop_body_get(e, &b);
	if (e->tlp > c->tlp)
		c->tlp = e->tlp;
	if (e->exercise)
		c->exercise = 1;
	interop_first(&c->summary, b.summary);
	interop_first(&c->description, b.description);
	interop_first(&c->requested_action, b.requested_action);
	interop_first(&c->contact, b.contact);
	interop_first(&c->language, e->language);
	if (b.severity > c->severity)
		c->severity = b.severity;
	if (b.urgency > c->urgency)
		c->urgency = b.urgency;
	if (c->since == 0 && b.since != 0) {
		c->since = b.since;
		c->since_name = b.since_name;
	}
	if (c->respond_by == 0)
		c->respond_by = b.respond_by;
	for (i = 0; i < b.n_sectors; i++)
		interop_set_int(&c->sectors, &c->n_sectors, b.sectors[i]);
	for (i = 0; i < b.n_assistance; i++)
		interop_set_int(&c->assistance, &c->n_assistance,
		    b.assistance[i]);
	for (i = 0; i < b.n_unavailable; i++)
		interop_set_str(&c->unavailable, &c->n_unavailable,
		    b.unavailable[i]);
	for (i = 0; i < b.n_withheld; i++)
		interop_set_str(&c->withheld, &c->n_withheld, b.withheld[i]);
}

const Poc__DirectoryRecord *
interop_record(const struct interop_case *c, const char *code)
{
	size_t	 i;

	for (i = 0; i < c->n_records; i++)
		if (strcmp(c->records[i]->code, code) == 0)
			return c->records[i];
	return NULL;
}

int
interop_case_init(struct interop_case *c, Poc__StoredMessage *const *msgs,
    size_t n, char *err, size_t errlen)
{
	struct interop_body	 b;
	const Poc__Envelope	*e;
	size_t			 i;

	memset(c, 0, sizeof(*c));
	if ((c->msgs = calloc(n + 1, sizeof(*c->msgs))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((e = msgs[i]->envelope) == NULL)
			continue;
		/* The case status is kept on the message that opened it
		 * (no in_reply_to: its thread may be shared by a case sent
		 * to many, docs/directory.md). */
		if (msgs[i]->case_status != 0 &&
		    (e->in_reply_to[0] == '\0' || c->status == 0))
			c->status = msgs[i]->case_status;
		if (interop_body_get(e, &b) == -1)
			continue;
		c->msgs[c->n++] = msgs[i];
	}
	if (c->n == 0) {
		snprintf(err, errlen, "nothing to export: only assistance "
		    "requests and notifications describe an incident");
		interop_case_free(c);
		return -1;
	}
	qsort(c->msgs, c->n, sizeof(*c->msgs), interop_by_created);
	e = c->msgs[0]->envelope;
	c->thread_id = e->thread_id[0] != '\0' ? e->thread_id : e->id;
	c->sender = e->sender;
	c->recipient = e->recipient;
	c->first_at = e->created_at;
	c->last_at = c->msgs[c->n - 1]->envelope->created_at;
	for (i = 0; i < c->n; i++)
		interop_case_fold(c, c->msgs[i]->envelope);
	if (c->summary == NULL)
		c->summary = "";
	return 0;
}

void
interop_case_free(struct interop_case *c)
{
	free(c->msgs);
	free(c->sectors);
	free(c->assistance);
	free(c->unavailable);
	free(c->withheld);
	memset(c, 0, sizeof(*c));
}

int
interop_read(FILE *fp, char **buf, size_t *len, char *err, size_t errlen)
{
	size_t	 cap = 1 << 16, n = 0, got;
	char	*b, *nb;

	if ((b = malloc(cap + 1)) == NULL)
		goto oom;
	for (;;) {
		if (n == cap) {
			/* Grow to one byte past the limit at most: that
			 * byte tells a file over the limit. */
			if (cap > INTEROP_INPUT_MAX)
				break;
			cap = cap * 2 > INTEROP_INPUT_MAX ?
			    INTEROP_INPUT_MAX + 1 : cap * 2;
			if ((nb = realloc(b, cap + 1)) == NULL)
				goto oom;
			b = nb;
		}
		got = fread(b + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "read error");
		free(b);
		return -1;
	}
	if (n > INTEROP_INPUT_MAX) {
		snprintf(err, errlen, "larger than the %u MiB an import may "
		    "be (INTEROP_INPUT_MAX): refused", INTEROP_INPUT_MAX >> 20);
		free(b);
		return -1;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
oom:
	free(b);
	snprintf(err, errlen, "out of memory");
	return -1;
}

void
interop_import_free(struct interop_import *imp)
{
	size_t	 i;

	free(imp->summary);
	free(imp->description);
	for (i = 0; i < imp->n_ind; i++) {
		free(imp->ind[i].value);
		free(imp->ind[i].note);
	}
	free(imp->ind);
	for (i = 0; i < imp->n_unmapped; i++)
		free(imp->unmapped[i]);
	free(imp->unmapped);
	memset(imp, 0, sizeof(*imp));
}

void
interop_unmapped(struct interop_import *imp, const char *fmt, ...)
{
	va_list	 ap;
	char	**nu, *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if ((nu = reallocarray(imp->unmapped, imp->n_unmapped + 1,
	    sizeof(*nu))) == NULL)
		abort();
	imp->unmapped = nu;
	imp->unmapped[imp->n_unmapped++] = s;
}

void
interop_unmapped_keys(struct interop_import *imp, const json_t *o,
    const char *path, const char *const *known)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	json_object_foreach((json_t *)o, k, v) {
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(k, known[i]) == 0)
				break;
		if (known[i] == NULL)
			interop_unmapped(imp, "%s.%s", path, k);
	}
}

void
interop_add_indicator(struct interop_import *imp, Poc__Indicator__Type t,
    const char *value, const char *note)
{
	Poc__Indicator	*ni;

	if ((ni = reallocarray(imp->ind, imp->n_ind + 1, sizeof(*ni))) == NULL)
		abort();
	imp->ind = ni;
	poc__indicator__init(&ni[imp->n_ind]);
	ni[imp->n_ind].type = t;
	if ((ni[imp->n_ind].value = strdup(value)) == NULL ||
	    (ni[imp->n_ind].note = strdup(note != NULL ? note : "")) == NULL)
		abort();
	imp->n_ind++;
}

void
interop_template_fill(json_t *t, const char *member,
    const struct interop_import *imp)
{
	json_t	*b, *a, *o;
	size_t	 i;

	if (imp->tlp != 0)
		json_object_set_new(t, "tlp", json_string(interop_enum_name(
		    &poc__tlp__descriptor, imp->tlp)));
	json_object_set_new(t, "exercise", json_boolean(imp->exercise));
	if ((b = json_object_get(t, member)) == NULL)
		return;
	if (imp->summary != NULL)
		json_object_set_new(b, "summary", json_string(imp->summary));
	if (imp->description != NULL)
		json_object_set_new(b, "description",
		    json_string(imp->description));
	if (imp->severity != 0)
		json_object_set_new(b, "severity", json_string(
		    interop_enum_name(&poc__severity__descriptor,
		    imp->severity)));
	if ((a = json_array()) == NULL)
		abort();
	for (i = 0; i < imp->n_ind; i++) {
		o = json_pack("{s:s, s:s, s:s}", "type", interop_enum_name(
		    &poc__indicator__type__descriptor, imp->ind[i].type),
		    "value", imp->ind[i].value, "note", imp->ind[i].note);
		json_array_append_new(a, o);
	}
	json_object_set_new(b, "indicators", a);
}

void
interop_report_unmapped(FILE *fp, const char *what,
    const struct interop_import *imp)
{
	size_t	 i;

	for (i = 0; i < imp->n_unmapped; i++)
		fprintf(fp, "%s: not mapped: %s\n", what, imp->unmapped[i]);
}

int
interop_json_str(const json_t *o, const char *key, const char *path,
    const char **out, char *err, size_t errlen)
{
	const json_t	*v;

	*out = NULL;
	if ((v = json_object_get(o, key)) == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s.%s: a string was expected: refused",
		    path, key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int
interop_json_arr(const json_t *o, const char *key, const char *path,
    const json_t **out, char *err, size_t errlen)
{
	const json_t	*v;

	*out = NULL;
	if ((v = json_object_get(o, key)) == NULL)
		return 0;
	if (!json_is_array(v)) {
		snprintf(err, errlen, "%s.%s: an array was expected: refused",
		    path, key);
		return -1;
	}
	*out = v;
	return 0;
}

int
interop_json_obj(const json_t *v, const char *path, char *err, size_t errlen)
{
	if (json_is_object(v))
		return 0;
	snprintf(err, errlen, "%s: an object was expected: refused", path);
	return -1;
}
