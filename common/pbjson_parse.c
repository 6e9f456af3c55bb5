/*
 * JSON to protobuf-c messages (pbjson.h), the parsing half of pbjson.c.
 *
 * Parsing is strict (unknown keys, wrong JSON types, out-of-range integers,
 * unknown enum names, bad UTF-8 and two members of one oneof are errors that
 * name the field's path), because what it reads comes from operators' files,
 * and it goes on past an error, so that an operator sees every problem of a
 * file at once; what failed is left at its default.  Everything parsed is
 * malloc'ed so that protobuf_c_message_free_unpacked(m, NULL) frees it.
 *
 * An enum is read from its value name, "" for 0, or its number.  A time
 * field (int64 named *_at, *_by, *_since, or expires: Unix ms by the
 * schema's convention) also takes a string timefmt.c reads: RFC 3339,
 * "+4h", or digits.  A decimal string is accepted for uint64 fields.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbjson.h"
#include "pbjson_parse.h"
#include "pbjson_int.h"
#include "timefmt.h"
#include "util.h"

#define PBJSON_PATH_MAX		256

struct pbjson_ctx {
	char			 path[PBJSON_PATH_MAX];
	size_t			 pathlen;
	struct pbjson_errors	*errs;
	int64_t			 now_ms;	/* for relative times */
	int			 depth;
};

static void	 pbjson_err(struct pbjson_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	 pbjson_parse_message(struct pbjson_ctx *, const json_t *,
		    const ProtobufCMessageDescriptor *, const char *const *,
		    ProtobufCMessage **);

/* Records an error at the current path; parsing goes on. */
static void
pbjson_err(struct pbjson_ctx *c, const char *fmt, ...)
{
	struct pbjson_error	*e;
	va_list			 ap;

	if (c->errs->total++ >= PBJSON_MAX_ERRORS)
		return;
	e = &c->errs->e[c->errs->n++];
	snprintf(e->path, sizeof(e->path), "%s", c->path);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

/* Appends ".name" (or "name" at the top) to the path; returns the old
 * length for pbjson_path_pop. */
static size_t
pbjson_path_push(struct pbjson_ctx *c, const char *name)
{
	size_t	 old = c->pathlen;
	int	 n;

	n = snprintf(c->path + old, sizeof(c->path) - old, "%s%s",
	    old > 0 ? "." : "", name);
	if (n > 0)
		c->pathlen = strlen(c->path);
	return old;
}

/* Appends "[i]" to the path; returns the old length. */
static size_t
pbjson_path_index(struct pbjson_ctx *c, size_t i)
{
	size_t	 old = c->pathlen;
	int	 n;

	n = snprintf(c->path + old, sizeof(c->path) - old, "[%zu]", i);
	if (n > 0)
		c->pathlen = strlen(c->path);
	return old;
}

static void
pbjson_path_pop(struct pbjson_ctx *c, size_t old)
{
	c->pathlen = old;
	c->path[old] = '\0';
}

/* Appends ", name" (or "name" first) to buf, as far as it fits. */
static void
pbjson_append(char *buf, size_t len, const char *name)
{
	size_t	 o = strlen(buf);

	if (o + 1 < len)
		snprintf(buf + o, len - o, "%s%s", o > 0 ? ", " : "", name);
}

/* The names of the non-zero values of enum e, for error messages. */
static void
pbjson_enum_names(const ProtobufCEnumDescriptor *e, char *buf, size_t len)
{
	unsigned	 i;

	buf[0] = '\0';
	for (i = 0; i < e->n_values; i++)
		if (e->values[i].value != 0)
			pbjson_append(buf, len, e->values[i].name);
}

/* The field names of d, for error messages. */
static void
pbjson_field_names(const ProtobufCMessageDescriptor *d, char *buf,
    size_t len)
{
	unsigned	 i;

	buf[0] = '\0';
	for (i = 0; i < d->n_fields; i++)
		if (d->fields[i].type != PROTOBUF_C_TYPE_BYTES)	/* not JSON */
			pbjson_append(buf, len, d->fields[i].name);
}

/* Reads a JSON integer into v, checking it lies in [lo, hi]. */
static int
pbjson_parse_int(struct pbjson_ctx *c, const json_t *j, json_int_t lo,
    json_int_t hi, const char *tname, json_int_t *v)
{
	if (!json_is_integer(j)) {
		pbjson_err(c, "expected an integer (%s)", tname);
		return -1;
	}
	*v = json_integer_value(j);
	if (*v < lo || *v > hi) {
		pbjson_err(c, "%" JSON_INTEGER_FORMAT " is out of range for "
		    "%s (%" JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT ")",
		    *v, tname, lo, hi);
		return -1;
	}
	return 0;
}

/* Reads a uint64: a non-negative JSON integer or a decimal string. */
static int
pbjson_parse_u64(struct pbjson_ctx *c, const json_t *j, uint64_t *v)
{
	const char		*s;
	char			*end;
	unsigned long long	 u;

	if (json_is_integer(j) && json_integer_value(j) >= 0) {
		*v = (uint64_t)json_integer_value(j);
		return 0;
	}
	if (json_is_string(j)) {
		s = json_string_value(j);
		errno = 0;
		u = strtoull(s, &end, 10);
		if (*s >= '0' && *s <= '9' && *end == '\0' && errno == 0) {
			*v = u;
			return 0;
		}
	}
	pbjson_err(c, "expected an integer (uint64, 0..%" PRIu64 ")",
	    UINT64_MAX);
	return -1;
}

/* Reads an enum: a value name, "" for 0, or the number itself. */
static int
pbjson_parse_enum(struct pbjson_ctx *c, const json_t *j,
    const ProtobufCEnumDescriptor *e, int *v)
{
	const ProtobufCEnumValue	*ev;
	char				 names[512];
	json_int_t			 i;

	if (json_is_integer(j)) {
		if (pbjson_parse_int(c, j, INT32_MIN, INT32_MAX, "enum",
		    &i) == -1)
			return -1;
		*v = (int)i;
		return 0;
	}
	pbjson_enum_names(e, names, sizeof(names));
	if (!json_is_string(j)) {
		pbjson_err(c, "expected a string (one of %s)", names);
		return -1;
	}
	if (json_string_length(j) == 0) {
		*v = 0;
		return 0;
	}
	if (strlen(json_string_value(j)) != json_string_length(j) ||
	    (ev = protobuf_c_enum_descriptor_get_value_by_name(e,
	    json_string_value(j))) == NULL) {
		pbjson_err(c, "unknown value \"%s\" (one of %s)",
		    json_string_value(j), names);
		return -1;
	}
	*v = ev->value;
	return 0;
}

/* 1 if f holds a time in Unix ms, by the schema's naming convention. */
static int
pbjson_time_field(const ProtobufCFieldDescriptor *f)
{
	static const char *const	 suffix[] = { "_at", "_by", "_since" };
	size_t				 i, n = strlen(f->name), k;

	if (strcmp(f->name, "expires") == 0)
		return 1;
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		k = strlen(suffix[i]);
		if (n > k && strcmp(f->name + n - k, suffix[i]) == 0)
			return 1;
	}
	return 0;
}

/* A time written as a string (timefmt_parse) into the int64 at p. */
static int
pbjson_parse_time(struct pbjson_ctx *c, const json_t *j, int64_t *p)
{
	char	 why[PBJSON_MESSAGE_MAX];

	if (strlen(json_string_value(j)) != json_string_length(j) ||
	    timefmt_parse(json_string_value(j), c->now_ms, p, why,
	    sizeof(why)) == -1) {
		pbjson_err(c, "%s", strlen(json_string_value(j)) !=
		    json_string_length(j) ? "contains NUL" : why);
		return -1;
	}
	return 0;
}

/* Parses one value of field f from j into the storage at p. */
static int
pbjson_parse_value(struct pbjson_ctx *c, const json_t *j,
    const ProtobufCFieldDescriptor *f, void *p)
{
	char		*s;
	json_int_t	 v;
	size_t		 len;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		if (pbjson_parse_int(c, j, INT32_MIN, INT32_MAX, "int32",
		    &v) == -1)
			return -1;
		*(int32_t *)p = (int32_t)v;
		return 0;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		if (pbjson_parse_int(c, j, 0, UINT32_MAX, "uint32", &v) == -1)
			return -1;
		*(uint32_t *)p = (uint32_t)v;
		return 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		if (json_is_string(j) && pbjson_time_field(f))
			return pbjson_parse_time(c, j, p);
		if (pbjson_parse_int(c, j, INT64_MIN, INT64_MAX, "int64",
		    &v) == -1)
			return -1;
		*(int64_t *)p = v;
		return 0;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return pbjson_parse_u64(c, j, p);
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE:
		if (!json_is_number(j)) {
			pbjson_err(c, "expected a number");
			return -1;
		}
		if (f->type == PROTOBUF_C_TYPE_FLOAT)
			*(float *)p = (float)json_number_value(j);
		else
			*(double *)p = json_number_value(j);
		return 0;
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(j)) {
			pbjson_err(c, "expected true or false");
			return -1;
		}
		*(protobuf_c_boolean *)p = json_is_true(j);
		return 0;
	case PROTOBUF_C_TYPE_ENUM:
		return pbjson_parse_enum(c, j, f->descriptor, p);
	case PROTOBUF_C_TYPE_STRING:
		if (!json_is_string(j)) {
			pbjson_err(c, "expected a string");
			return -1;
		}
		len = json_string_length(j);
		if (!util_utf8_valid(json_string_value(j), len)) {
			pbjson_err(c, "not valid UTF-8 or contains NUL");
			return -1;
		}
		if ((s = malloc(len + 1)) == NULL) {
			pbjson_err(c, "out of memory");
			return -1;
		}
		memcpy(s, json_string_value(j), len + 1);
		*(char **)p = s;
		return 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		return pbjson_parse_message(c, j, f->descriptor, NULL, p);
	case PROTOBUF_C_TYPE_BYTES:
		break;
	}
	pbjson_err(c, "bytes fields are not supported");
	return -1;
}

/* Parses the array j into repeated field f of m. */
static int
pbjson_parse_repeated(struct pbjson_ctx *c, const json_t *j,
    const ProtobufCFieldDescriptor *f, ProtobufCMessage *m)
{
	size_t	 n, i, sz, old;
	char	*arr;
	int	 rc = 0;

	if (!json_is_array(j)) {
		pbjson_err(c, "expected an array");
		return -1;
	}
	if ((n = json_array_size(j)) == 0)
		return 0;
	sz = pbjson_type_size(f->type);
	if ((arr = calloc(n, sz)) == NULL) {
		pbjson_err(c, "out of memory");
		return -1;
	}
	/* Zeroed elements are safe to free if a later one fails. */
	*(void **)MEMBER(m, f->offset) = arr;
	*(size_t *)MEMBER(m, f->quantifier_offset) = n;
	for (i = 0; i < n; i++) {
		old = pbjson_path_index(c, i);
		if (pbjson_parse_value(c, json_array_get(j, i), f,
		    arr + i * sz) == -1)
			rc = -1;
		pbjson_path_pop(c, old);
	}
	return rc;
}

/* Parses the value j of field f into m (f is a field of m's type). */
static int
pbjson_parse_field(struct pbjson_ctx *c, const json_t *j,
    const ProtobufCFieldDescriptor *f, ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor	*other;
	uint32_t			*kase;

	if (f->label == PROTOBUF_C_LABEL_REPEATED)
		return pbjson_parse_repeated(c, j, f, m);
	/* null is "not given" for the fields that have presence. */
	if (json_is_null(j) && (f->type == PROTOBUF_C_TYPE_MESSAGE ||
	    pbjson_has_flag(f) || (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)))
		return 0;
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		kase = MEMBER(m, f->quantifier_offset);
		if (*kase != 0) {
			other = protobuf_c_message_descriptor_get_field(
			    m->descriptor, *kase);
			pbjson_err(c, "only one of a oneof may be given, and "
			    "%s is given too", other ? other->name : "?");
			return -1;
		}
		/* Set the case first so that an error frees the member. */
		*kase = f->id;
	}
	if (pbjson_has_flag(f))
		*(protobuf_c_boolean *)MEMBER(m, f->quantifier_offset) = 1;
	return pbjson_parse_value(c, j, f, MEMBER(m, f->offset));
}

/* 1 if key is in the NULL-terminated list ignore. */
static int
pbjson_ignored(const char *const *ignore, const char *key)
{
	for (; ignore != NULL && *ignore != NULL; ignore++)
		if (strcmp(*ignore, key) == 0)
			return 1;
	return 0;
}

/*
 * Builds a message of type d from the object j into *out, going on past
 * errors.  Unknown keys are reported first, in the object's order, then
 * the fields in declaration order.
 */
static int
pbjson_parse_message(struct pbjson_ctx *c, const json_t *j,
    const ProtobufCMessageDescriptor *d, const char *const *ignore,
    ProtobufCMessage **out)
{
	const ProtobufCFieldDescriptor	*f;
	ProtobufCMessage		*m;
	const json_t			*v;
	const char			*key;
	char				 names[512];
	size_t				 old;
	unsigned			 k;
	int				 rc = -1, bad = 0;

	if (!json_is_object(j)) {
		pbjson_err(c, "expected an object");
		return -1;
	}
	if (++c->depth > PBJSON_MAX_DEPTH) {
		pbjson_err(c, "nested deeper than %d", PBJSON_MAX_DEPTH);
		goto done;
	}
	json_object_foreach((json_t *)j, key, v) {
		if (protobuf_c_message_descriptor_get_field_by_name(d,
		    key) != NULL || pbjson_ignored(ignore, key))
			continue;
		pbjson_field_names(d, names, sizeof(names));
		old = pbjson_path_push(c, key);
		pbjson_err(c, "unknown field (fields are %s)", names);
		pbjson_path_pop(c, old);
		bad = 1;
	}
	if ((m = calloc(1, d->sizeof_message)) == NULL) {
		pbjson_err(c, "out of memory");
		goto done;
	}
	protobuf_c_message_init(d, m);
	*out = m;
	for (k = 0; k < d->n_fields; k++) {
		f = &d->fields[k];
		/* An ignored key is skipped also when it names a field
		 * (show --json's "signature" is the node's to make). */
		if ((v = json_object_get(j, f->name)) == NULL ||
		    pbjson_ignored(ignore, f->name))
			continue;
		old = pbjson_path_push(c, f->name);
		if (pbjson_parse_field(c, v, f, m) == -1)
			bad = 1;
		pbjson_path_pop(c, old);
	}
	rc = bad ? -1 : 0;
 done:
	c->depth--;
	return rc;
}

ProtobufCMessage *
pbjson_parse(const json_t *j, const ProtobufCMessageDescriptor *d,
    const char *const *ignore, int64_t now_ms, struct pbjson_errors *errs)
{
	struct pbjson_ctx	 c;
	ProtobufCMessage	*m = NULL;

	memset(&c, 0, sizeof(c));
	memset(errs, 0, sizeof(*errs));
	c.errs = errs;
	c.now_ms = now_ms;
	(void)pbjson_parse_message(&c, j, d, ignore, &m);
	return m;
}

ProtobufCMessage *
pbjson_to_message(const json_t *j, const ProtobufCMessageDescriptor *d,
    const char *const *ignore, char *err, size_t errlen)
{
	struct pbjson_errors	*errs;
	ProtobufCMessage	*m;

	if ((errs = malloc(sizeof(*errs))) == NULL) {
		util_seterr(err, errlen, "out of memory");
		return NULL;
	}
	m = pbjson_parse(j, d, ignore, util_now_ms(), errs);
	if (m == NULL || errs->total > 0) {
		if (errs->n == 0)
			util_seterr(err, errlen, "out of memory");
		else
			util_seterr(err, errlen, "%s%s%s", errs->e[0].path,
			    errs->e[0].path[0] ? ": " : "",
			    errs->e[0].message);
		protobuf_c_message_free_unpacked(m, NULL);
		m = NULL;
	}
	free(errs);
	return m;
}
