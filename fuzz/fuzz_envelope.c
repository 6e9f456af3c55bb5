/*
 * Fuzz target: envelope validation (common/validate.c) on whatever a peer
 * can make protobuf-c decode as an Envelope, and the canonical bytes that
 * its signature covers (common/envsig.c).
 *
 * Properties: an envelope that validates has a body name, renders to JSON
 * and reads back from that JSON (as `pocctl show --json` then `pocctl
 * send` would) into an envelope that validates too; its canonical bytes
 * decode again, without signature or batch proof; a batch proof, however
 * malformed, is checked without harm (envsig_batch_root).  Envelopes
 * arrive through frame_unpack(), so what it refuses
 * (frame_unknown_valid()) is skipped here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "envsig.h"
#include "frame.h"
#include "fuzz.h"
#include "pbjson.h"
#include "pbjson_parse.h"
#include "proto/poc.pb-c.h"
#include "validate.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct validate_result	 vr;
	Poc__Envelope		*e, *c;
	ProtobufCMessage	*back;
	json_t			*j;
	uint8_t			*buf, root[32];
	size_t			 len;
	char			 err[512];

	if ((e = poc__envelope__unpack(NULL, size, data)) == NULL)
		return 0;
	/* What frame_unpack() refuses never reaches validation. */
	if (!frame_unknown_valid(&e->base)) {
		protobuf_c_message_free_unpacked(&e->base, NULL);
		return 0;
	}
	if (validate_envelope(e, &vr) == 0) {
		FUZZ_ASSERT(validate_body_name(e) != NULL);
		FUZZ_ASSERT(vr.total == 0);
		FUZZ_ASSERT((j = pbjson_from_message(&e->base,
		    PBJSON_DEFAULTS)) != NULL);
		back = pbjson_to_message(j, &poc__envelope__descriptor, NULL,
		    err, sizeof(err));
		if (back == NULL)
			fprintf(stderr, "JSON does not read back: %s\n", err);
		FUZZ_ASSERT(back != NULL);
		FUZZ_ASSERT(validate_envelope((Poc__Envelope *)back, &vr) == 0);
		protobuf_c_message_free_unpacked(back, NULL);
		json_decref(j);
	} else {
		FUZZ_ASSERT(vr.total > 0 && vr.n > 0);
		FUZZ_ASSERT(vr.n <= VALIDATE_MAX_ERRORS);
		FUZZ_ASSERT(memchr(vr.err[0].field, '\0',
		    sizeof(vr.err[0].field)) != NULL);
	}
	FUZZ_ASSERT(envsig_canonical(e, &buf, &len) == 0);
	c = poc__envelope__unpack(NULL, len, buf);
	FUZZ_ASSERT(c != NULL);
	FUZZ_ASSERT(c->signature.len == 0 && c->batch == NULL);
	if (e->batch != NULL)
		(void)envsig_batch_root(e, root, err, sizeof(err));
	protobuf_c_message_free_unpacked(&c->base, NULL);
	free(buf);
	protobuf_c_message_free_unpacked(&e->base, NULL);
	return 0;
}
