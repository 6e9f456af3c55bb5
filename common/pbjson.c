/*
 * JSON <-> protobuf-c, driven by the message descriptors.
 *
 * One walk over ProtobufCMessageDescriptor.fields serves every message kind in
 * each direction: a field's C storage is found from its offset, its presence
 * from its label, quantifier and oneof flag, and its JSON form from its type.
 * Parsing is strict (unknown keys, wrong JSON types, out-of-range integers,
 * unknown enum names, bad UTF-8 and two members of one oneof are errors that
 * name the field's path), because what it reads comes from operators' files.
 * Everything parsed is malloc'ed so that protobuf_c_message_free_unpacked(m,
 * NULL) frees it, also a message abandoned half-built after an error.
 *
 * An enum is read from its value name, "" for 0, or its number, since an
 * unknown number is written as such so that nothing is silently lost.
 * bytes fields are not supported: the schema has none.  A uint64 above
 * INT64_MAX does not fit a JSON integer in jansson, so it is written as a
 * decimal string, and a decimal string is accepted for uint64 fields.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbjson.h"
#include "util.h"

#define PBJSON_MAX_DEPTH	16	/* nested messages, counting the top */
#define PBJSON_PATH_MAX		256

struct pbjson_ctx {
	char	 path[PBJSON_PATH_MAX];
	size_t	 pathlen;
	char	*err;
	size_t	 errlen;
	int	 depth;
};

/* The address of the member at offset off in message m. */
#define MEMBER(m, off)		((void *)((char *)(m) + (off)))
#define CMEMBER(m, off)		((const void *)((const char *)(m) + (off)))

static void	 pbjson_err(struct pbjson_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	 pbjson_parse_message(struct pbjson_ctx *, const json_t *,
		    const ProtobufCMessageDescriptor *, const char *const *,
		    ProtobufCMessage **);
static json_t	*pbjson_emit_message(const ProtobufCMessage *, int);
static json_t	*pbjson_blank_message(const ProtobufCMessageDescriptor *,
		    const char *, int);

/* Bytes of C storage for one value of a field of type t. */
size_t
pbjson_type_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return sizeof(uint32_t);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(int);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	}
	return 0;
}

/* 1 if the field keeps a has_ flag at its quantifier (proto2/proto3
 * "optional" scalars). */
static int
pbjson_has_flag(const ProtobufCFieldDescriptor *f)
{
	return f->label == PROTOBUF_C_LABEL_OPTIONAL &&
	    !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
	    f->type != PROTOBUF_C_TYPE_STRING &&
	    f->type != PROTOBUF_C_TYPE_MESSAGE &&
	    f->type != PROTOBUF_C_TYPE_BYTES;
}

/* 1 if the scalar, string or message at p differs from its proto3 default. */
static int
pbjson_value_set(const ProtobufCFieldDescriptor *f, const void *p)
{
	const char	*s;

	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
		s = *(char *const *)p;
		return s != NULL && *s != '\0';
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(void *const *)p != NULL;
	case PROTOBUF_C_TYPE_FLOAT:
		return *(const float *)p != 0;
	case PROTOBUF_C_TYPE_DOUBLE:
		return *(const double *)p != 0;
	default:
		return pbjson_type_size(f->type) == sizeof(uint64_t) ?
		    *(const uint64_t *)p != 0 : *(const uint32_t *)p != 0;
	}
}

/*
 * Whether field f of m is there: the selected member of its oneof, a has_
 * flag that is set, a non-empty repeated field, or a value that is not the
 * default.  Only the first (oneof) test is made if defaults is set.
 */
static int
pbjson_field_present(const ProtobufCMessage *m,
    const ProtobufCFieldDescriptor *f, int defaults)
{
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return *(const uint32_t *)CMEMBER(m, f->quantifier_offset) ==
		    f->id;
	if (defaults || f->label == PROTOBUF_C_LABEL_REQUIRED)
		return 1;
	if (f->label == PROTOBUF_C_LABEL_REPEATED)
		return *(const size_t *)CMEMBER(m, f->quantifier_offset) > 0;
	if (pbjson_has_flag(f))
		return *(const protobuf_c_boolean *)CMEMBER(m,
		    f->quantifier_offset);
	return pbjson_value_set(f, CMEMBER(m, f->offset));
}

int
pbjson_field_given(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	return pbjson_field_present(m, f, 0);
}

/*
 * A JSON string for s; invalid UTF-8 (which a peer may send, as protobuf-c
 * does not check it) becomes U+FFFD byte by byte rather than failing.
 */
static json_t *
pbjson_emit_string(const char *s)
{
	json_t		*j;
	char		*buf;
	size_t		 len, i, o, n;
	unsigned char	 c;

	if (s == NULL)
		s = "";
	len = strlen(s);
	if (util_utf8_valid(s, len))
		return json_stringn(s, len);
	if ((buf = malloc(len * 3 + 1)) == NULL)
		return NULL;
	for (i = o = 0; i < len; i += n) {
		c = (unsigned char)s[i];
		n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (n <= len - i && util_utf8_valid(s + i, n)) {
			memcpy(buf + o, s + i, n);
			o += n;
		} else {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			n = 1;
		}
	}
	j = json_stringn(buf, o);
	free(buf);
	return j;
}

/* The JSON form of one value of field f stored at p. */
static json_t *
pbjson_emit_value(const ProtobufCFieldDescriptor *f, const void *p,
    int flags)
{
	const ProtobufCEnumValue	*ev;
	const ProtobufCMessage		*sub;
	char				 buf[24];
	uint64_t			 u;
	int				 v;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return json_integer(*(const int32_t *)p);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return json_integer(*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return json_integer(*(const int64_t *)p);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		u = *(const uint64_t *)p;
		if (u <= INT64_MAX)
			return json_integer((json_int_t)u);
		snprintf(buf, sizeof(buf), "%" PRIu64, u);
		return json_string(buf);
	case PROTOBUF_C_TYPE_FLOAT:
		return json_real(*(const float *)p);
	case PROTOBUF_C_TYPE_DOUBLE:
		return json_real(*(const double *)p);
	case PROTOBUF_C_TYPE_BOOL:
		return json_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_ENUM:
		v = *(const int *)p;
		if (v == 0)
			return json_string("");
		ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
		/* An unknown value stays visible as its number. */
		return ev != NULL ? json_string(ev->name) : json_integer(v);
	case PROTOBUF_C_TYPE_STRING:
		return pbjson_emit_string(*(char *const *)p);
	case PROTOBUF_C_TYPE_MESSAGE:
		sub = *(ProtobufCMessage *const *)p;
		return sub != NULL ? pbjson_emit_message(sub, flags) :
		    json_null();
	case PROTOBUF_C_TYPE_BYTES:
		break;
	}
	return json_null();
}

/* The JSON object for m: fields in declaration (field number) order. */
static json_t *
pbjson_emit_message(const ProtobufCMessage *m, int flags)
{
	const ProtobufCMessageDescriptor	*d = m->descriptor;
	const ProtobufCFieldDescriptor		*f;
	const char				*arr;
	json_t					*o, *v, *a;
	size_t					 n, i, sz;
	unsigned				 k;
	int					 defaults;

	defaults = (flags & PBJSON_DEFAULTS) != 0;
	if ((o = json_object()) == NULL)
		return NULL;
	for (k = 0; k < d->n_fields; k++) {
		f = &d->fields[k];
		if (f->type == PROTOBUF_C_TYPE_BYTES ||
		    !pbjson_field_present(m, f, defaults))
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)CMEMBER(m, f->quantifier_offset);
			arr = *(const char *const *)CMEMBER(m, f->offset);
			sz = pbjson_type_size(f->type);
			if ((v = a = json_array()) == NULL)
				goto fail;
			for (i = 0; i < n; i++)
				if (json_array_append_new(a,
				    pbjson_emit_value(f, arr + i * sz,
				    flags)) == -1)
					goto failv;
		} else if (pbjson_has_flag(f) && !*(const protobuf_c_boolean *)
		    CMEMBER(m, f->quantifier_offset))
			v = json_null();
		else if ((v = pbjson_emit_value(f, CMEMBER(m, f->offset),
		    flags)) == NULL)
			goto fail;
		if (json_object_set_new(o, f->name, v) == -1)
			goto fail;
	}
	return o;
 failv:
	json_decref(v);
 fail:
	json_decref(o);
	return NULL;
}

json_t *
pbjson_from_message(const ProtobufCMessage *m, int flags)
{
	return pbjson_emit_message(m, flags);
}

/* The blank JSON value of one field of type f (not repeated). */
static json_t *
pbjson_blank_value(const ProtobufCFieldDescriptor *f, int depth)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_ENUM:
		return json_string("");
	case PROTOBUF_C_TYPE_BOOL:
		return json_false();
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE:
		return json_real(0);
	case PROTOBUF_C_TYPE_MESSAGE:
		/* A recursive schema ends in null rather than looping. */
		if (depth >= PBJSON_MAX_DEPTH)
			return json_null();
		return pbjson_blank_message(f->descriptor, NULL, depth + 1);
	case PROTOBUF_C_TYPE_BYTES:
		return json_null();
	default:
		return json_integer(0);
	}
}

/* The blank object for d; of its oneofs only oneof_member appears. */
static json_t *
pbjson_blank_message(const ProtobufCMessageDescriptor *d,
    const char *oneof_member, int depth)
{
	const ProtobufCFieldDescriptor	*f;
	json_t				*o, *v;
	unsigned			 k;

	if ((o = json_object()) == NULL)
		return NULL;
	for (k = 0; k < d->n_fields; k++) {
		f = &d->fields[k];
		if (f->type == PROTOBUF_C_TYPE_BYTES)
			continue;
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    (oneof_member == NULL ||
		    strcmp(f->name, oneof_member) != 0))
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			v = json_array();
		else
			v = pbjson_blank_value(f, depth);
		if (v == NULL || json_object_set_new(o, f->name, v) == -1) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

json_t *
pbjson_blank(const ProtobufCMessageDescriptor *d, const char *oneof_member)
{
	return pbjson_blank_message(d, oneof_member, 1);
}

/* Records "path: message" as the error (parsing stops at the first). */
static void
pbjson_err(struct pbjson_ctx *c, const char *fmt, ...)
{
	va_list	 ap;
	int	 n = 0;

	if (c->err == NULL || c->errlen == 0)
		return;
	if (c->pathlen > 0)
		n = snprintf(c->err, c->errlen, "%s: ", c->path);
	if (n < 0 || (size_t)n >= c->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
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
			return -1;
		pbjson_path_pop(c, old);
	}
	return 0;
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
 * Builds a message of type d from the object j into *out.  Unknown keys are
 * refused before any field is read, so the first error does not depend on
 * the order of the keys.
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
	int				 rc = -1;

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
		goto done;
	}
	if ((m = calloc(1, d->sizeof_message)) == NULL) {
		pbjson_err(c, "out of memory");
		goto done;
	}
	protobuf_c_message_init(d, m);
	*out = m;
	for (k = 0; k < d->n_fields; k++) {
		f = &d->fields[k];
		if ((v = json_object_get(j, f->name)) == NULL)
			continue;
		old = pbjson_path_push(c, f->name);
		if (pbjson_parse_field(c, v, f, m) == -1)
			goto done;
		pbjson_path_pop(c, old);
	}
	rc = 0;
 done:
	c->depth--;
	return rc;
}

ProtobufCMessage *
pbjson_to_message(const json_t *j, const ProtobufCMessageDescriptor *d,
    const char *const *ignore, char *err, size_t errlen)
{
	struct pbjson_ctx	 c;
	ProtobufCMessage	*m = NULL;

	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (pbjson_parse_message(&c, j, d, ignore, &m) == -1) {
		protobuf_c_message_free_unpacked(m, NULL);
		return NULL;
	}
	return m;
}
