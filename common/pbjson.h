/*
 * JSON <-> protobuf-c messages, driven by the message descriptors, so one
 * codec serves every message kind (no switch per kind for each direction).
 *
 * Mapping: keys are the proto field names (snake_case); a oneof member
 * appears under its own name; enums are their value names ("HIGH") with the
 * zero "not given" value as ""; int64 and int32 are JSON integers; bool is
 * true/false; repeated fields are arrays; nested messages are objects.
 */
#ifndef POC_PBJSON_H
#define POC_PBJSON_H

#include <stddef.h>
#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

enum {
	PBJSON_DEFAULTS = 0x1,	/* emit every field, also empty ones */
};

/* Returns a new JSON object for m (never NULL unless out of memory). */
json_t	*pbjson_from_message(const ProtobufCMessage *m, int flags);

/*
 * A blank object for d with every field present: "" for strings and enums,
 * 0 for numbers, false for bools, [] for repeated fields, nested objects for
 * message fields.  For oneofs only the member named by oneof_member (or none
 * if NULL) is included.
 */
json_t	*pbjson_blank(const ProtobufCMessageDescriptor *d,
	    const char *oneof_member);

/*
 * Builds a message of type d from the object j.  Keys listed in ignore (a
 * NULL-terminated list, may be NULL) are skipped at the top level; any other
 * unknown key, a value of the wrong JSON type, an unknown enum name, an
 * integer out of range, invalid UTF-8 or two members of one oneof are errors:
 * then NULL is returned and err holds "path: what is wrong", e.g.
 * "assistance_request.severity: unknown value \"HUGE\" (one of BASELINE, ...)".
 * The result is freed with protobuf_c_message_free_unpacked(m, NULL).
 */
ProtobufCMessage *pbjson_to_message(const json_t *j,
	    const ProtobufCMessageDescriptor *d, const char *const *ignore,
	    char *err, size_t errlen);

/* 1 if field f of m is given: the selected member of its oneof, a set has_
 * flag, a non-empty repeated field, or a value other than the proto3
 * default.  Shared with validate.c, which needs the same notion. */
int	 pbjson_field_given(const ProtobufCMessage *m,
	    const ProtobufCFieldDescriptor *f);

/* Bytes of C storage for one value of a field of type t (an element of a
 * repeated field). */
size_t	 pbjson_type_size(ProtobufCType t);

#endif
