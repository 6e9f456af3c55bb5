/*
 * Length-prefixed protobuf frames, shared by pocd, pocctl, pocpeer and
 * pocbench.
 *
 * A frame is a 4-byte unsigned big-endian length N (1 <= N <= max_frame)
 * followed by N bytes of one packed protobuf message.  Both directions go
 * through libevent evbuffers, so partial reads and coalesced frames are
 * handled in one place.
 */
#ifndef POC_FRAME_H
#define POC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <protobuf-c/protobuf-c.h>

#define FRAME_HEADER_LEN	4
#define FRAME_DEFAULT_MAX	(1024 * 1024)

enum frame_status {
	FRAME_READY = 0,	/* one message decoded and removed from the buffer */
	FRAME_NEED_MORE = 1,	/* not a whole frame yet; nothing consumed */
	FRAME_TOO_LARGE = -1,	/* length prefix is 0 or above max_frame */
	FRAME_MALFORMED = -2,	/* a whole frame that does not decode */
};

/*
 * Takes the next whole frame from in and unpacks it as a message of type d.
 * On FRAME_READY *out holds a message to free with
 * protobuf_c_message_free_unpacked(*out, NULL).  On FRAME_NEED_MORE and
 * FRAME_TOO_LARGE nothing is consumed; on FRAME_MALFORMED the frame is.
 * The length is checked against max_frame before anything is buffered or
 * copied, so a hostile prefix costs at most FRAME_HEADER_LEN bytes.
 */
enum frame_status frame_unpack(struct evbuffer *in, size_t max_frame,
    const ProtobufCMessageDescriptor *d, ProtobufCMessage **out);

/* 1 if the unknown fields kept anywhere in m have valid field numbers, so
 * that m packs into bytes that decode again; frame_unpack() refuses a
 * message that fails this as FRAME_MALFORMED. */
int frame_unknown_valid(const ProtobufCMessage *m);

/* Appends the frame of m to out.  Returns 0, or -1 if m packs above max_frame
 * or memory runs out (nothing is appended then). */
int frame_pack(struct evbuffer *out, size_t max_frame,
    const ProtobufCMessage *m);

/* The size of m's frame (header and packed message), or 0 if m packs to
 * nothing or above max_frame. */
size_t frame_size(size_t max_frame, const ProtobufCMessage *m);

/* Writes m's frame at p, which holds size bytes, size being what
 * frame_size() returned for m: for a caller that gathers frames in a buffer
 * of its own. */
void frame_pack_into(uint8_t *p, size_t size, const ProtobufCMessage *m);

/* The most bytes frame_wrap_header() writes: the length prefix, a tag (a
 * field number up to 2^29 - 1 takes 5 bytes) and a varint length (10). */
#define FRAME_WRAP_HEADER_MAX	(FRAME_HEADER_LEN + 5 + 10)

/*
 * Frames len bytes of an already packed message as the length-delimited
 * field number field of an outer message that holds nothing else, without
 * unpacking them (pocd keeps envelopes packed): writes into hdr the frame's
 * length prefix, the field's tag and its varint length.  hdr followed by the
 * len bytes is, byte for byte, what frame_pack() writes for the outer
 * message with that field set.  Returns the header's length, or 0 if field
 * is not a valid field number or the frame would be above max_frame.
 */
size_t frame_wrap_header(uint8_t hdr[FRAME_WRAP_HEADER_MAX], size_t max_frame,
    uint32_t field, size_t len);

/* Reads the length prefix at the head of in, if 4 bytes are buffered.
 * Returns 1 and sets *len, or 0. */
int frame_peek_len(struct evbuffer *in, uint32_t *len);

const char *frame_strstatus(enum frame_status);

#endif
