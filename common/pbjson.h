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
#include <stdint.h>
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

#define PBJSON_MAX_ERRORS	32
#define PBJSON_MESSAGE_MAX	320

struct pbjson_error {
	char	path[256];	/* "assistance_request.severity", "" = top */
	char	message[PBJSON_MESSAGE_MAX];	/* what is wrong */
};

struct pbjson_errors {
	size_t			n;	/* kept (at most PBJSON_MAX_ERRORS) */
	size_t			total;	/* found */
	struct pbjson_error	e[PBJSON_MAX_ERRORS];
};

/* 1 if field f of m is given: the selected member of its oneof, a set has_
 * flag, a non-empty repeated field, or a value other than the proto3
 * default.  Shared with validate.c, which needs the same notion. */
int	 pbjson_field_given(const ProtobufCMessage *m,
	    const ProtobufCFieldDescriptor *f);

/* Bytes of C storage for one value of a field of type t (an element of a
 * repeated field). */
size_t	 pbjson_type_size(ProtobufCType t);

#endif
