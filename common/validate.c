/*
 * Field rules for envelopes and their template bodies (DESIGN.md, "Wire
 * format", "Template bodies").
 *
 * The rules are data: one small table per message type names its required
 * fields and the fields whose limits differ from the common ones, a common
 * table gives the limits shared by every body (free text, lists,
 * timestamps), and everything else gets the defaults below.  One walk over
 * the message descriptors applies them to every field, so that a string,
 * enum or list added to the schema later is checked (UTF-8, size, known
 * values, count) without new code.  What cannot be a table (sender differs
 * from recipient, exactly one body, the unavailable/withheld lists) follows
 * the walk.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "msgid.h"
#include "pbjson.h"
#include "threadid.h"
#include "util.h"
#include "validate.h"

/* Limits, in bytes for strings and in elements for repeated fields. */
#define SUMMARY_MAX		500	/* a summary (also required: >= 1) */
#define TEXT_MAX		16384	/* free text: description, note, ... */
#define SHORT_MAX		256	/* names, check ids, and the default */
#define INDICATOR_VALUE_MAX	2048	/* an indicator's value (>= 1) */
#define INDICATOR_NOTE_MAX	1024	/* an indicator's note */
#define UUID_MAX		36	/* a UUID in canonical form */
#define LANGUAGE_MAX		35	/* a BCP 47 tag (RFC 5646, 4.4.1) */
#define INDICATORS_MAX		256	/* indicators per body */
#define CATEGORIES_MAX		16	/* sectors, assistance_types */
#define NAMES_MAX		32	/* unavailable, withheld: each */
#define REPEATED_MAX		256	/* default for other repeated fields */
#define TIME_MAX_MS	INT64_C(4102444800000)	/* 2100-01-01T00:00:00Z */
#define DEPTH_MAX		16	/* nested messages (guards recursion) */

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

enum {
	R_REQUIRED = 0x01,	/* must differ from the proto3 default */
	R_UUID = 0x02,		/* a string that, if given, is a UUID */
	R_MEMBER = 0x04,	/* ... a member code */
	R_LANGUAGE = 0x08,	/* ... a BCP 47 tag */
	R_RANGE = 0x10,		/* an integer within [lo, hi] */
};

struct field_rule {
	const char	*name;
	int		 flags;
	size_t		 max_len;	/* bytes of a string; 0: SHORT_MAX */
	size_t		 max_n;		/* elements; 0: REPEATED_MAX */
	int64_t		 lo, hi;	/* with R_RANGE */
};

struct msg_rules {
	const ProtobufCMessageDescriptor	*desc;
	const struct field_rule			*rules;
	size_t					 n;
};

static const struct field_rule envelope_rules[] = {
	{ "id", R_REQUIRED | R_UUID, UUID_MAX, 0, 0, 0 },
	/* The node sets thread_id (= id for a new case it makes) before
	 * this. */
	{ "thread_id", R_REQUIRED | R_UUID, UUID_MAX, 0, 0, 0 },
	{ "in_reply_to", R_UUID, UUID_MAX, 0, 0, 0 },
	/* Its format is threadid.h's, checked with the thread below. */
	{ "thread_nonce", 0, THREADID_NONCE_HEX, 0, 0, 0 },
	/* Its format is msgid.h's, checked with the id below. */
	{ "id_nonce", 0, MSGID_NONCE_HEX, 0, 0, 0 },
	{ "sender", R_REQUIRED | R_MEMBER, VALIDATE_MAX_MEMBER, 0, 0, 0 },
	{ "recipient", R_REQUIRED | R_MEMBER, VALIDATE_MAX_MEMBER, 0, 0, 0 },
	{ "created_at", R_REQUIRED | R_RANGE, 0, 0, 1, TIME_MAX_MS - 1 },
	{ "tlp", R_REQUIRED, 0, 0, 0, 0 },
	{ "language", R_LANGUAGE, LANGUAGE_MAX, 0, 0, 0 },
};

static const struct field_rule assistance_request_rules[] = {
	{ "summary", R_REQUIRED, SUMMARY_MAX, 0, 0, 0 },
};

static const struct field_rule assistance_response_rules[] = {
	{ "request_id", R_REQUIRED | R_UUID, UUID_MAX, 0, 0, 0 },
	{ "decision", R_REQUIRED, 0, 0, 0, 0 },
};

static const struct field_rule notification_rules[] = {
	{ "summary", R_REQUIRED, SUMMARY_MAX, 0, 0, 0 },
};

static const struct field_rule acknowledgement_rules[] = {
	{ "ack_of", R_REQUIRED | R_UUID, UUID_MAX, 0, 0, 0 },
};

static const struct field_rule status_update_rules[] = {
	{ "status", R_REQUIRED, 0, 0, 0, 0 },
};

static const struct field_rule communication_check_rules[] = {
	{ "check_id", R_REQUIRED, SHORT_MAX, 0, 0, 0 },
};

static const struct field_rule check_reply_rules[] = {
	{ "check_id", R_REQUIRED, SHORT_MAX, 0, 0, 0 },
};

static const struct field_rule indicator_rules[] = {
	{ "type", R_REQUIRED, 0, 0, 0, 0 },
	{ "value", R_REQUIRED, INDICATOR_VALUE_MAX, 0, 0, 0 },
	{ "note", 0, INDICATOR_NOTE_MAX, 0, 0, 0 },
};

/* Fields of the same name share these limits in every message. */
static const struct field_rule common_rules[] = {
	{ "description", 0, TEXT_MAX, 0, 0, 0 },
	{ "note", 0, TEXT_MAX, 0, 0, 0 },
	{ "text", 0, TEXT_MAX, 0, 0, 0 },
	{ "nature", 0, TEXT_MAX, 0, 0, 0 },
	{ "scope", 0, TEXT_MAX, 0, 0, 0 },
	{ "terms", 0, TEXT_MAX, 0, 0, 0 },
	{ "timeframe", 0, TEXT_MAX, 0, 0, 0 },
	{ "requested_action", 0, TEXT_MAX, 0, 0, 0 },
	{ "contact", 0, TEXT_MAX, 0, 0, 0 },
	{ "indicators", 0, 0, INDICATORS_MAX, 0, 0 },
	{ "sectors", 0, 0, CATEGORIES_MAX, 0, 0 },
	{ "assistance_types", 0, 0, CATEGORIES_MAX, 0, 0 },
	{ "unavailable", 0, 0, NAMES_MAX, 0, 0 },
	{ "withheld", 0, 0, NAMES_MAX, 0, 0 },
	{ "observed_since", R_RANGE, 0, 0, 0, INT64_MAX },
	{ "respond_by", R_RANGE, 0, 0, 0, INT64_MAX },
	{ "activity_since", R_RANGE, 0, 0, 0, INT64_MAX },
	{ "received_at", R_RANGE, 0, 0, 0, INT64_MAX },
	{ "reply_by", R_RANGE, 0, 0, 0, INT64_MAX },
};

#define RULES(d, t)	{ &(d), (t), nitems(t) }
static const struct msg_rules msg_rules[] = {
	RULES(poc__envelope__descriptor, envelope_rules),
	RULES(poc__assistance_request__descriptor, assistance_request_rules),
	RULES(poc__assistance_response__descriptor, assistance_response_rules),
	RULES(poc__notification__descriptor, notification_rules),
	RULES(poc__acknowledgement__descriptor, acknowledgement_rules),
	RULES(poc__status_update__descriptor, status_update_rules),
	RULES(poc__communication_check__descriptor, communication_check_rules),
	RULES(poc__check_reply__descriptor, check_reply_rules),
	RULES(poc__indicator__descriptor, indicator_rules),
};

static const struct field_rule default_rule = { "", 0, SHORT_MAX,
    REPEATED_MAX, 0, 0 };

#define CMEMBER(m, off)	((const void *)((const char *)(m) + (off)))

static void	validate_message(struct validate_result *,
		    const ProtobufCMessage *, const char *, int);

void
validate_add(struct validate_result *r, const char *field,
    const char *fmt, ...)
{
	struct validate_error	*e;
	va_list			 ap;

	r->total++;
	if (r->n >= VALIDATE_MAX_ERRORS)
		return;
	e = &r->err[r->n++];
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

int
validate_member_code(const char *s)
{
	size_t	 i, len;

	if (s == NULL || (len = strlen(s)) < 2 || len > VALIDATE_MAX_MEMBER)
		return 0;
	if (s[0] < 'A' || s[0] > 'Z')
		return 0;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static int
validate_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1 if s looks like a BCP 47 tag: a primary language subtag of 2-3
 * letters, then subtags of 1-8 letters or digits, each after a '-'. */
static int
validate_language(const char *s)
{
	size_t	 i, n;

	if (strlen(s) > LANGUAGE_MAX)
		return 0;
	for (n = 0; validate_alpha(s[n]); n++)
		;
	if (n < 2 || n > 3)
		return 0;
	s += n;
	while (*s == '-') {
		s++;
		for (i = 0; validate_alpha(s[i]) ||
		    (s[i] >= '0' && s[i] <= '9'); i++)
			;
		if (i < 1 || i > 8)
			return 0;
		s += i;
	}
	return *s == '\0';
}

const char *
validate_body_name(const Poc__Envelope *e)
{
	const ProtobufCFieldDescriptor	*f;

	f = protobuf_c_message_descriptor_get_field(&poc__envelope__descriptor,
	    e->body_case);
	if (f == NULL || !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
		return NULL;
	return f->name;
}

/* 1 if rule is the one of field name (looked up for every field of every
 * envelope received: the first letter spares most strcmp calls). */
static int
validate_rule_is(const struct field_rule *rule, const char *name)
{
	return rule->name[0] == name[0] && strcmp(rule->name, name) == 0;
}

/* The rule for field name of d: its own table, then the common one. */
static const struct field_rule *
validate_rule(const ProtobufCMessageDescriptor *d, const char *name)
{
	size_t	 i, k;

	for (i = 0; i < nitems(msg_rules); i++) {
		if (msg_rules[i].desc != d)
			continue;
		for (k = 0; k < msg_rules[i].n; k++)
			if (validate_rule_is(&msg_rules[i].rules[k], name))
				return &msg_rules[i].rules[k];
	}
	for (k = 0; k < nitems(common_rules); k++)
		if (validate_rule_is(&common_rules[k], name))
			return &common_rules[k];
	return &default_rule;
}

/* "prefix.name", or "name" at the top, cut to len - 1.  Made for every
 * field of every envelope received, so without snprintf's parsing. */
static void
validate_path(char *dst, size_t len, const char *prefix, const char *name)
{
	size_t	 o = 0, n;

	if (len == 0)
		return;
	n = strlen(prefix);
	if (n > len - 1)
		n = len - 1;
	memcpy(dst, prefix, n);
	o = n;
	if (n > 0 && o < len - 1)
		dst[o++] = '.';
	n = strlen(name);
	if (n > len - 1 - o)
		n = len - 1 - o;
	memcpy(dst + o, name, n);
	dst[o + n] = '\0';
}

/* "path[i]", cut to len - 1 (len >= 1); for every element of every list
 * of every envelope received, so without snprintf either. */
static void
validate_path_index(char *dst, size_t len, const char *path, size_t i)
{
	char	 num[24];
	size_t	 o, n = 0, k;

	validate_path(dst, len, "", path);
	o = strlen(dst);
	do {
		num[n++] = (char)('0' + i % 10);
		i /= 10;
	} while (i > 0);
	if (o < len - 1)
		dst[o++] = '[';
	for (k = n; k > 0 && o < len - 1; k--)
		dst[o++] = num[k - 1];
	if (o < len - 1)
		dst[o++] = ']';
	dst[o] = '\0';
}

/* The names of the non-zero values of e ("CLEAR, GREEN, ..."). */
static const char *
validate_enum_names(const ProtobufCEnumDescriptor *e, char *buf, size_t len)
{
	size_t		 o = 0;
	unsigned	 i;
	int		 w;

	buf[0] = '\0';
	for (i = 0; i < e->n_values && o < len; i++) {
		if (e->values[i].value == 0)
			continue;
		w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
		    e->values[i].name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

/* 1 if the len bytes at s are ASCII, as most text sent is: then they are
 * UTF-8 with no need to decode them (len is strlen's: no NUL).  Eight
 * bytes at a time, for the free text of every envelope received. */
static int
validate_ascii(const char *s, size_t len)
{
	uint64_t	 w, any = 0;
	size_t		 i = 0;

	for (; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, s + i, sizeof(w));
		any |= w;
	}
	for (; i < len; i++)
		any |= (unsigned char)s[i];
	return (any & UINT64_C(0x8080808080808080)) == 0;
}

/* Checks a string against its rule: UTF-8, size, then format. */
static void
validate_string(struct validate_result *r, const struct field_rule *rule,
    const char *s, const char *path)
{
	size_t	 len, max;

	if (s == NULL)
		s = "";
	len = strlen(s);
	max = rule->max_len ? rule->max_len : SHORT_MAX;
	if (!validate_ascii(s, len) && !util_utf8_valid(s, len))
		validate_add(r, path, "not valid UTF-8");
	else if (len > max)
		validate_add(r, path, "too long: %zu bytes (at most %zu)",
		    len, max);
	else if (len == 0)
		return;
	else if ((rule->flags & R_UUID) && !util_uuid_valid(s))
		validate_add(r, path, "not a UUID (8-4-4-4-12 hex digits)");
	/* One rule for ids: the store compares them exactly, so an id in
	 * upper case would be another id there (docs/guarantees.md). */
	else if ((rule->flags & R_UUID) && strpbrk(s, "ABCDEF") != NULL)
		validate_add(r, path, "must be in lower case (ids are "
		    "compared exactly)");
	else if ((rule->flags & R_MEMBER) && !validate_member_code(s))
		validate_add(r, path, "not a member code (2-%d of A-Z, 0-9, "
		    "'-', '_', starting with a letter)", VALIDATE_MAX_MEMBER);
	else if ((rule->flags & R_LANGUAGE) && !validate_language(s))
		validate_add(r, path, "not a BCP 47 language tag "
		    "(e.g. en, fr-CA, zh-Hans)");
}

/* Checks one value of field f (a list element or a singular field). */
static void
validate_value(struct validate_result *r, const ProtobufCFieldDescriptor *f,
    const struct field_rule *rule, const void *p, const char *path,
    int depth)
{
	const ProtobufCMessage	*sub;
	char			 names[160];
	int64_t			 v;
	int			 e;

	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
		validate_string(r, rule, *(char *const *)p, path);
		break;
	case PROTOBUF_C_TYPE_ENUM:
		/* protobuf-c keeps numbers it does not know (open enums). */
		e = *(const int *)p;
		if (e != 0 &&
		    protobuf_c_enum_descriptor_get_value(f->descriptor, e) ==
		    NULL)
			validate_add(r, path, "unknown value %d (one of %s)", e,
			    validate_enum_names(f->descriptor, names,
			    sizeof(names)));
		else if (e == 0 && f->label == PROTOBUF_C_LABEL_REPEATED)
			validate_add(r, path, "empty value (one of %s)",
			    validate_enum_names(f->descriptor, names,
			    sizeof(names)));
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		v = *(const int64_t *)p;
		if (!(rule->flags & R_RANGE) ||
		    (v >= rule->lo && v <= rule->hi))
			break;
		if (rule->hi == INT64_MAX)
			validate_add(r, path, "out of range: %" PRId64
			    " (at least %" PRId64 ")", v, rule->lo);
		else
			validate_add(r, path, "out of range: %" PRId64
			    " (%" PRId64 "..%" PRId64 ")", v, rule->lo,
			    rule->hi);
		break;
	case PROTOBUF_C_TYPE_MESSAGE:
		if ((sub = *(ProtobufCMessage *const *)p) != NULL)
			validate_message(r, sub, path, depth + 1);
		break;
	default:
		break;
	}
}

/* "required", and for an enum what it may be. */
static void
validate_required(struct validate_result *r, const ProtobufCFieldDescriptor *f,
    const struct field_rule *rule, const char *path)
{
	char	 names[160];

	if (f->type == PROTOBUF_C_TYPE_ENUM)
		validate_add(r, path, "required: one of %s",
		    validate_enum_names(f->descriptor, names, sizeof(names)));
	else if (rule->flags & R_UUID)
		validate_add(r, path, "required: a UUID");
	else if (rule->flags & R_MEMBER)
		validate_add(r, path, "required: a member code");
	else
		validate_add(r, path, "required");
}

/* 1 if field f may be named in unavailable/withheld of a d. */
static int
validate_nameable(const ProtobufCMessageDescriptor *d,
    const ProtobufCFieldDescriptor *f)
{
	return f != NULL && strcmp(f->name, "unavailable") != 0 &&
	    strcmp(f->name, "withheld") != 0 &&
	    !(validate_rule(d, f->name)->flags & R_REQUIRED);
}

/* 1 if f is a member of a oneof. */
static int
validate_oneof(const ProtobufCMessageDescriptor *d,
    const ProtobufCFieldDescriptor *f)
{
	(void)d;
	return (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0;
}

/* The names of the fields of d that keep selects ("a, b, c"). */
static const char *
validate_field_names(const ProtobufCMessageDescriptor *d,
    int (*keep)(const ProtobufCMessageDescriptor *,
    const ProtobufCFieldDescriptor *), char *buf, size_t len)
{
	size_t		 o = 0;
	unsigned	 k;
	int		 w;

	buf[0] = '\0';
	for (k = 0; k < d->n_fields && o < len; k++) {
		if (!keep(d, &d->fields[k]))
			continue;
		w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
		    d->fields[k].name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

struct absent_name {
	const char	*list;		/* "unavailable" or "withheld" */
	const char	*name;
	char		 path[128];
};

/* Collects the names of list into a[*n...], at most NAMES_MAX of them (more
 * are reported by the walk).  Returns -1 if m has no such list. */
static int
validate_absent_collect(const ProtobufCMessage *m, const char *prefix,
    const char *list, struct absent_name *a, size_t *n)
{
	const ProtobufCFieldDescriptor	*f;
	char *const			*arr;
	char				 base[128];
	size_t				 i, cnt;

	f = protobuf_c_message_descriptor_get_field_by_name(m->descriptor,
	    list);
	if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING ||
	    f->label != PROTOBUF_C_LABEL_REPEATED)
		return -1;
	cnt = *(const size_t *)CMEMBER(m, f->quantifier_offset);
	arr = *(char *const *const *)CMEMBER(m, f->offset);
	validate_path(base, sizeof(base), prefix, list);
	for (i = 0; i < cnt && i < NAMES_MAX && arr != NULL; i++) {
		a[*n].list = list;
		a[*n].name = arr[i] ? arr[i] : "";
		if (snprintf(a[*n].path, sizeof(a[*n].path), "%s[%zu]", base,
		    i) >= (int)sizeof(a[*n].path))
			a[*n].path[sizeof(a[*n].path) - 1] = '\0';
		(*n)++;
	}
	return 0;
}

/*
 * The unavailable and withheld lists of m: each name is a field of m that
 * may be missing (not a required field, not the lists themselves), is named
 * once in both lists together, and is not also given.
 */
static void
validate_absent(struct validate_result *r, const ProtobufCMessage *m,
    const char *prefix)
{
	const ProtobufCMessageDescriptor	*d = m->descriptor;
	const ProtobufCFieldDescriptor		*f;
	struct absent_name			 a[2 * NAMES_MAX];
	const struct absent_name		*x;
	char					 names[160];
	size_t					 n = 0, i, k;

	if (validate_absent_collect(m, prefix, "unavailable", a, &n) == -1 ||
	    validate_absent_collect(m, prefix, "withheld", a, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		x = &a[i];
		/* Bad UTF-8 and overlong names were reported by the walk. */
		if (!util_utf8_valid(x->name, strlen(x->name)) ||
		    strlen(x->name) > SHORT_MAX)
			continue;
		f = protobuf_c_message_descriptor_get_field_by_name(d,
		    x->name);
		if (f != NULL && (validate_rule(d, f->name)->flags &
		    R_REQUIRED)) {
			validate_add(r, x->path, "\"%s\" is required, so it "
			    "cannot be %s", x->name, x->list);
			continue;
		}
		if (!validate_nameable(d, f)) {
			validate_add(r, x->path, "unknown field \"%.64s\" "
			    "(one of %s)", x->name, validate_field_names(d,
			    validate_nameable, names, sizeof(names)));
			continue;
		}
		for (k = 0; k < i; k++)
			if (strcmp(a[k].name, x->name) == 0)
				break;
		if (k < i && a[k].list == x->list)
			validate_add(r, x->path, "\"%s\" is listed twice",
			    x->name);
		else if (k < i)
			validate_add(r, x->path, "\"%s\" is also in %s",
			    x->name, a[k].list);
		else if (pbjson_field_given(m, f))
			validate_add(r, x->path, "\"%s\" is given, so it "
			    "cannot be %s", x->name, x->list);
	}
}

/*
 * Applies the rules to every field of m (of the selected oneof member only),
 * recursing into nested messages; prefix is m's path.
 */
static void
validate_message(struct validate_result *r, const ProtobufCMessage *m,
    const char *prefix, int depth)
{
	const ProtobufCMessageDescriptor	*d = m->descriptor;
	const ProtobufCFieldDescriptor		*f;
	const struct field_rule			*rule;
	const char				*arr;
	char					 path[128], epath[128];
	size_t					 n, i, max, sz;
	unsigned				 k;

	if (depth > DEPTH_MAX) {
		validate_add(r, prefix, "nested deeper than %d", DEPTH_MAX);
		return;
	}
	for (k = 0; k < d->n_fields; k++) {
		f = &d->fields[k];
		if (validate_oneof(d, f) && *(const uint32_t *)CMEMBER(m,
		    f->quantifier_offset) != f->id)
			continue;
		rule = validate_rule(d, f->name);
		validate_path(path, sizeof(path), prefix, f->name);
		if ((rule->flags & R_REQUIRED) && !pbjson_field_given(m, f)) {
			validate_required(r, f, rule, path);
			continue;
		}
		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			validate_value(r, f, rule, CMEMBER(m, f->offset), path,
			    depth);
			continue;
		}
		n = *(const size_t *)CMEMBER(m, f->quantifier_offset);
		arr = *(const char *const *)CMEMBER(m, f->offset);
		max = rule->max_n ? rule->max_n : REPEATED_MAX;
		if (n > max) {
			validate_add(r, path, "too many: %zu (at most %zu)", n,
			    max);
			n = max;	/* one error, not one per extra */
		}
		sz = pbjson_type_size(f->type);
		for (i = 0; i < n && arr != NULL; i++) {
			validate_path_index(epath, sizeof(epath), path, i);
			validate_value(r, f, rule, arr + i * sz, epath, depth);
		}
	}
	validate_absent(r, m, prefix);
}

/* 1 if id is a UUID in lower case, the only form an id is taken in. */
static int
validate_id_form(const char *id)
{
	return util_uuid_valid(id) && strpbrk(id, "ABCDEF") == NULL;
}

/*
 * The id of e.  An id of the bound form (variant 111) is taken only with
 * the id_nonce that makes it from the sender (msgid.h): a member that
 * learnt another's envelope id cannot send an envelope of its own under
 * it first, which the recipient would then hold in place of the real
 * one (docs/guarantees.md "Message ids").  The caller has checked that
 * the sender is the peer.  id_nonce goes with such an id only.
 */
static void
validate_id(const Poc__Envelope *e, struct validate_result *r)
{
	char	 want[UUID_STR_LEN];

	if (!validate_id_form(e->id))
		return;		/* reported by the walk */
	if (!msgid_bound(e->id)) {
		if (e->id_nonce[0] != '\0')
			validate_add(r, "id_nonce", "only with an id bound to "
			    "its sender (variant 111); leave it empty");
	} else if (msgid_make(e->sender, e->id_nonce, e->id, want) == -1)
		validate_add(r, "id_nonce", "required with an id bound to its "
		    "sender (variant 111): %d lowercase hex digits",
		    MSGID_NONCE_HEX);
	else if (strcmp(want, e->id) != 0)
		validate_add(r, "id", "is not the id that %.32s's id_nonce "
		    "makes (%s): an id bound to a member is sent only by it",
		    e->sender, want);
}

/*
 * The thread of e.  A new case made here is its own thread; a reply joins
 * its case's thread.  A new case from a peer may be in a thread that is
 * not its id only if the thread is bound to its sender (threadid.h): made
 * from the sender and thread_nonce.  Otherwise a co-recipient of a case
 * sent to many, which learns the case's thread, could open it first at
 * another recipient's node, which would then refuse the sender's envelope
 * (docs/directory.md "One message to many").  The caller has checked that
 * the sender is the peer.  thread_nonce goes with such a thread only.
 */
static void
validate_thread(const Poc__Envelope *e, struct validate_result *r,
    int own_thread)
{
	char	 want[UUID_STR_LEN];
	int	 shared;

	if (!validate_id_form(e->thread_id) || !validate_id_form(e->id))
		return;		/* reported by the walk */
	if (threadid_reserved(e->id)) {
		validate_add(r, "id", "has the form of a shared thread "
		    "(variant 110), which no message id may take");
		return;
	}
	shared = e->in_reply_to[0] == '\0' &&
	    strcmp(e->thread_id, e->id) != 0;
	if (own_thread && shared)
		validate_add(r, "thread_id", "must equal id for a new case "
		    "(in_reply_to empty)");
	else if (!shared && e->thread_nonce[0] != '\0')
		validate_add(r, "thread_nonce", "only for a new case in a "
		    "thread that is not its id (a case sent to many); leave "
		    "it empty");
	else if (!shared)
		return;
	else if (threadid_make(e->sender, e->thread_nonce, want) == -1)
		validate_add(r, "thread_nonce", "required for a new case in a "
		    "thread that is not its id: %d lowercase hex digits",
		    THREADID_NONCE_HEX);
	else if (strcmp(want, e->thread_id) != 0)
		validate_add(r, "thread_id", "is not the thread that %.32s's "
		    "thread_nonce makes (%s): a shared thread is opened only "
		    "by the member that made it", e->sender, want);
}

/* The rules of validate_envelope(); a new case in a thread of its own
 * only if own_thread. */
static int
validate_envelope_rules(const Poc__Envelope *e, struct validate_result *r,
    int own_thread)
{
	const char	*body;
	char		 names[160];

	/* Not the whole 10 KB of r: only the first n entries are ever
	 * read, and validate_add() writes each in full. */
	r->n = r->total = 0;
	r->err[0].field[0] = r->err[0].message[0] = '\0';
	validate_message(r, &e->base, "", 1);

	if (validate_member_code(e->sender) &&
	    validate_member_code(e->recipient) &&
	    strcmp(e->sender, e->recipient) == 0)
		validate_add(r, "recipient", "must differ from sender");
	validate_id(e, r);
	validate_thread(e, r, own_thread);

	body = validate_body_name(e);
	if (e->body_case != POC__ENVELOPE__BODY__NOT_SET && body == NULL)
		validate_add(r, "body", "unknown kind %d", (int)e->body_case);
	/* Any member of the union will do: they share one pointer. */
	else if (body == NULL || e->assistance_request == NULL)
		validate_add(r, "body", "required: one of %s",
		    validate_field_names(e->base.descriptor, validate_oneof,
		    names, sizeof(names)));
	return r->total == 0 ? 0 : -1;
}

int
validate_envelope(const Poc__Envelope *e, struct validate_result *r)
{
	return validate_envelope_rules(e, r, 1);
}

int
validate_envelope_received(const Poc__Envelope *e, struct validate_result *r)
{
	return validate_envelope_rules(e, r, 0);
}
