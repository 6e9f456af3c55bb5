/*
 * Fuzz target: the frame decoder (common/frame.c) on a byte stream split
 * at arbitrary points, as TLS records arrive, for both listeners' message
 * types (PeerFrame, OpRequest).
 *
 * Input: byte 0 picks the message type (bit 0) and max_frame (bits 1-3);
 * bytes 1-4 are chunk sizes cycled over; the rest is the stream.
 * Properties: the decoder never consumes a frame it reports as incomplete
 * or oversize; whatever decodes re-packs within the frame's size and
 * decodes again; a decoded PeerFrame envelope can be validated, and,
 * packed, wrapped by frame_wrap_header() into the very frame frame_pack()
 * writes for a PeerFrame holding it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "frame.h"
#include "fuzz.h"
#include "proto/poc.pb-c.h"
#include "validate.h"

static const size_t	 fuzz_max_frames[8] = {
	1, 16, 64, 256, 1024, 4096, 65536, FRAME_DEFAULT_MAX
};

/* A decoded message must pack again and decode from its own frame. */
static void
fuzz_repack(const ProtobufCMessageDescriptor *d, ProtobufCMessage *m,
    size_t max_frame)
{
	struct evbuffer		*b;
	ProtobufCMessage	*again = NULL;
	size_t			 n;
	enum frame_status	 st;

	n = protobuf_c_message_get_packed_size(m);
	if (n == 0 || n > max_frame)
		return;		/* empty messages are not framed */
	FUZZ_ASSERT((b = evbuffer_new()) != NULL);
	FUZZ_ASSERT(frame_pack(b, max_frame, m) == 0);
	FUZZ_ASSERT(evbuffer_get_length(b) == FRAME_HEADER_LEN + n);
	st = frame_unpack(b, max_frame, d, &again);
	FUZZ_ASSERT(st == FRAME_READY && again != NULL);
	FUZZ_ASSERT(evbuffer_get_length(b) == 0);
	FUZZ_ASSERT(protobuf_c_message_get_packed_size(again) == n);
	protobuf_c_message_free_unpacked(again, NULL);
	evbuffer_free(b);
}

/* A stored envelope is sent wrapped, unpacked never (peer_send_envelope):
 * the wrapped bytes must be those of a PeerFrame holding only it. */
static void
fuzz_wrap(const Poc__Envelope *e, size_t max_frame)
{
	Poc__PeerFrame	 f = POC__PEER_FRAME__INIT;
	struct evbuffer	*want;
	uint8_t		 hdr[FRAME_WRAP_HEADER_MAX], *inner;
	size_t		 ilen = protobuf_c_message_get_packed_size(&e->base), n;

	f.kind_case = POC__PEER_FRAME__KIND_ENVELOPE;
	f.envelope = (Poc__Envelope *)e;
	FUZZ_ASSERT((want = evbuffer_new()) != NULL);
	n = frame_wrap_header(hdr, max_frame, POC__PEER_FRAME__KIND_ENVELOPE,
	    ilen);
	if (frame_pack(want, max_frame, &f.base) != 0) {
		FUZZ_ASSERT(n == 0);	/* too large either way */
		evbuffer_free(want);
		return;
	}
	FUZZ_ASSERT(n > FRAME_HEADER_LEN);
	FUZZ_ASSERT(n + ilen == evbuffer_get_length(want));
	FUZZ_ASSERT((inner = malloc(ilen + 1)) != NULL);
	protobuf_c_message_pack(&e->base, inner);
	FUZZ_ASSERT(memcmp(evbuffer_pullup(want, -1), hdr, n) == 0);
	FUZZ_ASSERT(memcmp(evbuffer_pullup(want, -1) + n, inner, ilen) == 0);
	free(inner);
	evbuffer_free(want);
}

/* Looks at a decoded message as the daemon would. */
static void
fuzz_use(const ProtobufCMessageDescriptor *d, ProtobufCMessage *m,
    size_t max_frame)
{
	struct validate_result	 vr;
	Poc__PeerFrame		*f;

	if (d != &poc__peer_frame__descriptor)
		return;
	f = (Poc__PeerFrame *)m;
	if (f->kind_case == POC__PEER_FRAME__KIND_ENVELOPE &&
	    f->envelope != NULL) {
		(void)validate_envelope(f->envelope, &vr);
		fuzz_wrap(f->envelope, max_frame);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const ProtobufCMessageDescriptor	*d;
	struct evbuffer				*in;
	ProtobufCMessage			*m;
	enum frame_status			 st;
	size_t					 max_frame, off, chunk, before;
	uint8_t					 chunks[4];
	unsigned				 k = 0;
	int					 done = 0;

	if (size < 5)
		return 0;
	d = (data[0] & 1) ? &poc__op_request__descriptor :
	    &poc__peer_frame__descriptor;
	max_frame = fuzz_max_frames[(data[0] >> 1) & 7];
	memcpy(chunks, data + 1, sizeof(chunks));
	data += 5;
	size -= 5;
	FUZZ_ASSERT((in = evbuffer_new()) != NULL);
	for (off = 0; off < size && !done; off += chunk) {
		chunk = chunks[k++ % 4] + 1;
		if (chunk > size - off)
			chunk = size - off;
		FUZZ_ASSERT(evbuffer_add(in, data + off, chunk) == 0);
		for (;;) {
			before = evbuffer_get_length(in);
			st = frame_unpack(in, max_frame, d, &m);
			if (st == FRAME_NEED_MORE || st == FRAME_TOO_LARGE) {
				FUZZ_ASSERT(m == NULL);
				FUZZ_ASSERT(evbuffer_get_length(in) == before);
				/* The session closes on an oversize prefix. */
				done = st == FRAME_TOO_LARGE;
				break;
			}
			FUZZ_ASSERT(evbuffer_get_length(in) < before);
			if (st == FRAME_MALFORMED) {
				FUZZ_ASSERT(m == NULL);
				done = 1;	/* the session closes too */
				break;
			}
			FUZZ_ASSERT(st == FRAME_READY && m != NULL);
			fuzz_use(d, m, max_frame);
			fuzz_repack(d, m, max_frame);
			protobuf_c_message_free_unpacked(m, NULL);
		}
	}
	evbuffer_free(in);
	return 0;
}
