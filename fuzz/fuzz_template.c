/*
 * Fuzz target: the JSON template reader, as `pocctl send FILE` runs it
 * (jansson, then common/pbjson.c into an Envelope, then the field rules of
 * common/validate.c that the node applies).
 *
 * Properties: a template that maps onto an Envelope renders back to JSON
 * that maps onto an Envelope again with the same packed size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "pbjson.h"
#include "pbjson_parse.h"
#include "proto/poc.pb-c.h"
#include "validate.h"

/* The node-local keys pocctl ignores in a template (cli/cmd_send.c). */
static const char *const fuzz_local_keys[] = {
	"direction", "state", "received_at", "delivered_at", "reason",
	"attempts", "next_attempt_at", "acknowledged_by", "deadline_at",
	"overdue_at", "overdue", "escalation_step", "next_contacts",
	"signature_verified", "signature_error", "signature",
	"signer_certificate", "_help", NULL
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct validate_result	 vr;
	ProtobufCMessage	*m, *again;
	json_error_t		 je;
	json_t			*j, *k;
	char			 err[1024];

	if ((j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &je)) == NULL)
		return 0;
	m = pbjson_to_message(j, &poc__envelope__descriptor, fuzz_local_keys,
	    err, sizeof(err));
	json_decref(j);
	if (m == NULL) {
		FUZZ_ASSERT(err[0] != '\0');
		return 0;
	}
	(void)validate_envelope((Poc__Envelope *)m, &vr);
	FUZZ_ASSERT((k = pbjson_from_message(m, PBJSON_DEFAULTS)) != NULL);
	again = pbjson_to_message(k, &poc__envelope__descriptor, NULL, err,
	    sizeof(err));
	if (again == NULL)
		fprintf(stderr, "rendered JSON does not read back: %s\n", err);
	FUZZ_ASSERT(again != NULL);
	FUZZ_ASSERT(protobuf_c_message_get_packed_size(again) ==
	    protobuf_c_message_get_packed_size(m));
	protobuf_c_message_free_unpacked(again, NULL);
	json_decref(k);
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}
