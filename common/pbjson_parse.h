/*
 * JSON to protobuf-c messages (pbjson_parse.c): the parsing half of
 * pbjson, for operators' files and templates.
 */
#ifndef POC_PBJSON_PARSE_H
#define POC_PBJSON_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#include "pbjson.h"		/* struct pbjson_errors */

/*
 * Builds a message of type d from the object j, listing every problem in
 * errs.  Keys listed in ignore (a NULL-terminated list, may be NULL) are
 * skipped at the top level; any other unknown key, a value of the wrong
 * JSON type, an unknown enum name, an integer out of range, a time that
 * does not parse (relative times count from now_ms), invalid UTF-8 or two
 * members of one oneof are errors, e.g. path "assistance_request.severity",
 * message "unknown value \"HUGE\" (one of BASELINE, ...)".  The message is
 * returned also when errs->total > 0, with the bad fields left at their
 * defaults (so that its other rules can still be checked); NULL only if j
 * is not an object or memory ran out.  Free it with
 * protobuf_c_message_free_unpacked(m, NULL).
 */
ProtobufCMessage *pbjson_parse(const json_t *j,
	    const ProtobufCMessageDescriptor *d, const char *const *ignore,
	    int64_t now_ms, struct pbjson_errors *errs);

/* pbjson_parse, relative times from the wall clock, for callers that want
 * one problem: NULL on any error, with err holding the first as
 * "path: what is wrong". */
ProtobufCMessage *pbjson_to_message(const json_t *j,
	    const ProtobufCMessageDescriptor *d, const char *const *ignore,
	    char *err, size_t errlen);

#endif
