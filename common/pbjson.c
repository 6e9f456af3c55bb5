/*
 * JSON <-> protobuf-c, driven by the message descriptors: the emitting
 * half and what both halves share (JSON to messages is pbjson_parse.c).
 *
 * One walk over ProtobufCMessageDescriptor.fields serves every message kind in
 * each direction: a field's C storage is found from its offset, its presence
 * from its label, quantifier and oneof flag, and its JSON form from its type.
 * An enum is written as its value name, "" for 0, and an unknown number as
 * the number, so that nothing is silently lost.  bytes fields are left out:
 * the schema's JSON has none.  A uint64 above INT64_MAX does not fit a
 * JSON integer in jansson, so it is written as a decimal string.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbjson.h"
#include "pbjson_int.h"
#include "util.h"

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
int
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
