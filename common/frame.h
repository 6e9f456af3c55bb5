/*
 * Length-prefixed protobuf frames, shared by pocd and pocctl.
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

/* Reads the length prefix at the head of in, if 4 bytes are buffered.
 * Returns 1 and sets *len, or 0. */
int frame_peek_len(struct evbuffer *in, uint32_t *len);

const char *frame_strstatus(enum frame_status);

#endif
