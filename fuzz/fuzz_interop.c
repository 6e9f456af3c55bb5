/*
 * Fuzz target: the importers behind `pocctl template KIND --from FILE`
 * (cli/interop.c recognises the format, then interop_misp.c,
 * interop_stix.c or interop_iodef.c read it; IODEF through libxml2 with
 * no entities and no network).
 *
 * Properties: a refused input says why; an accepted one fills a
 * notification and a request template that map onto an Envelope (every
 * string valid UTF-8, every enum a known value), with each indicator of a
 * known type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/interop.h"
#include "cli/interop_convert.h"
#include "fuzz.h"
#include "pbjson.h"
#include "pbjson_parse.h"
#include "proto/poc.pb-c.h"

/* Fills a blank template of body member from imp; it must read back. */
static void
fuzz_fill(const char *member, const struct interop_import *imp)
{
	ProtobufCMessage	*m;
	json_t			*t;
	char			 err[1024];

	FUZZ_ASSERT((t = pbjson_blank(&poc__envelope__descriptor, member)) !=
	    NULL);
	interop_template_fill(t, member, imp);
	m = pbjson_to_message(t, &poc__envelope__descriptor, NULL, err,
	    sizeof(err));
	if (m == NULL)
		fprintf(stderr, "filled template does not read back: %s\n",
		    err);
	FUZZ_ASSERT(m != NULL);
	protobuf_c_message_free_unpacked(m, NULL);
	json_decref(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct interop_import	 imp;
	char			 err[512];
	size_t			 i;

	err[0] = '\0';
	if (interop_import((const char *)data, size, &imp, err,
	    sizeof(err)) == -1) {
		FUZZ_ASSERT(err[0] != '\0');
		interop_import_free(&imp);
		return 0;
	}
	for (i = 0; i < imp.n_ind; i++)
		FUZZ_ASSERT(protobuf_c_enum_descriptor_get_value(
		    &poc__indicator__type__descriptor,
		    (int)imp.ind[i].type) != NULL);
	fuzz_fill("notification", &imp);
	fuzz_fill("assistance_request", &imp);
	interop_import_free(&imp);
	return 0;
}
