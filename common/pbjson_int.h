/*
 * What the two halves of pbjson (pbjson.c emits, pbjson_parse.c parses)
 * share; not for other modules.
 */
#ifndef POC_PBJSON_INT_H
#define POC_PBJSON_INT_H

#include <protobuf-c/protobuf-c.h>

#define PBJSON_MAX_DEPTH	16	/* nested messages, counting the top */

/* The address of the member at offset off in message m. */
#define MEMBER(m, off)		((void *)((char *)(m) + (off)))
#define CMEMBER(m, off)		((const void *)((const char *)(m) + (off)))

/* 1 if the field keeps a has_ flag at its quantifier (proto2/proto3
 * "optional" scalars). */
int	 pbjson_has_flag(const ProtobufCFieldDescriptor *f);

#endif
