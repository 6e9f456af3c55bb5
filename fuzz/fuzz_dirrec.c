/*
 * Fuzz target: directory records as they arrive, from a peer in a sync
 * frame (a PeerFrame with DirectoryRecords that passes frame_unpack()'s
 * checks, as daemon/dirsync.c receives it) or from an operator's file (JSON, as
 * `pocctl directory import` reads it with cli/dirfmt.c).  The first byte
 * chooses the path; the rest is the input.
 *
 * Properties: every record of either path goes through the field rules
 * (common/dirrec.c) without harm; its canonical bytes (what a signature
 * covers) decode again to a record of the same size; and no record is
 * ever trusted against an empty trust store, whatever it claims.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/x509_vfy.h>

#include "cli/dirfmt.h"
#include "dirrec.h"
#include "frame.h"
#include "fuzz.h"
#include "proto/poc.pb-c.h"
#include "validate.h"

/* The checks a node runs on a record it is offered. */
static void
fuzz_record(const Poc__DirectoryRecord *r, X509_STORE *none)
{
	struct validate_result	 vr;
	Poc__DirectoryRecord	*again;
	uint8_t			*canon;
	size_t			 len;
	char			 err[512];

	memset(&vr, 0, sizeof(vr));
	(void)dirrec_validate(r, "records[0]", 1, &vr);
	if (dirrec_canonical(r, &canon, &len) == 0) {
		again = poc__directory_record__unpack(NULL, len, canon);
		FUZZ_ASSERT(again != NULL);
		FUZZ_ASSERT(again->signature.len == 0);
		poc__directory_record__free_unpacked(again, NULL);
		free(canon);
	}
	err[0] = '\0';
	FUZZ_ASSERT(dirrec_verify(r, none, "net", err, sizeof(err)) == 0);
	FUZZ_ASSERT(err[0] != '\0');
}

/* A sync frame from a peer. */
static void
fuzz_frame(const uint8_t *data, size_t size, X509_STORE *none)
{
	Poc__PeerFrame	*f;
	size_t		 i;

	if ((f = poc__peer_frame__unpack(NULL, size, data)) == NULL)
		return;
	/* What frame_unpack() refuses as MALFORMED never reaches dirsync. */
	if (!frame_unknown_valid(&f->base)) {
		poc__peer_frame__free_unpacked(f, NULL);
		return;
	}
	if (f->kind_case == POC__PEER_FRAME__KIND_DIRECTORY_RECORDS)
		for (i = 0; i < f->directory_records->n_records; i++)
			fuzz_record(f->directory_records->records[i], none);
	poc__peer_frame__free_unpacked(f, NULL);
}

/* An operator's import file. */
static void
fuzz_json(const uint8_t *data, size_t size, X509_STORE *none)
{
	Poc__DirectoryRecord	*r;
	json_error_t		 je;
	json_t			*j, *arr;
	char			 err[512];
	size_t			 i;

	if ((j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &je)) == NULL)
		return;
	arr = json_is_object(j) ? json_object_get(j, "records") : j;
	for (i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
		err[0] = '\0';
		r = dirfmt_record_from_json(json_array_get(arr, i),
		    "records[0]", NULL, err, sizeof(err));
		if (r == NULL) {
			FUZZ_ASSERT(err[0] != '\0');
			continue;
		}
		fuzz_record(r, none);
		poc__directory_record__free_unpacked(r, NULL);
	}
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static X509_STORE	*none;

	if (none == NULL)
		FUZZ_ASSERT((none = X509_STORE_new()) != NULL);
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_json(data + 1, size - 1, none);
	else
		fuzz_frame(data + 1, size - 1, none);
	return 0;
}
