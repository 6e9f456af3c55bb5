/*
 * Length-prefixed protobuf frames over libevent evbuffers (see frame.h).
 *
 * The decoder never trusts the prefix: it is compared with max_frame before
 * the payload is waited for, linearised or unpacked, so a peer announcing a
 * 4 GiB frame is refused after 4 bytes instead of being buffered.
 */
#include <arpa/inet.h>
#include <string.h>

#include "frame.h"

int
frame_peek_len(struct evbuffer *in, uint32_t *len)
{
	uint8_t	 hdr[FRAME_HEADER_LEN];

	if (evbuffer_copyout(in, hdr, sizeof(hdr)) != (ev_ssize_t)sizeof(hdr))
		return 0;
	*len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | (uint32_t)hdr[3];
	return 1;
}

/*
 * 1 if every unknown field kept in m and its sub-messages has a valid
 * field number (1 .. 2^29 - 1).  protobuf-c accepts a tag written in more
 * bytes than needed without checking it, so "0x82 0x00" decodes as an
 * unknown field number 0, which it then packs as a tag it refuses to
 * decode: stored, such a message could never be read back (found by
 * fuzz/fuzz_frame.c).
 */
int
frame_unknown_valid(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor	*d = m->descriptor;
	const ProtobufCFieldDescriptor		*f;
	const char				*base = (const char *)m;
	ProtobufCMessage			*const *arr;
	const ProtobufCMessage			*sub;
	size_t					 i, j, n;

	for (i = 0; i < m->n_unknown_fields; i++)
		if (m->unknown_fields[i].tag < 1 ||
		    m->unknown_fields[i].tag > 536870911)
			return 0;
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)(base + f->quantifier_offset);
			arr = *(ProtobufCMessage *const *const *)(base +
			    f->offset);
			for (j = 0; j < n; j++)
				if (arr[j] != NULL &&
				    !frame_unknown_valid(arr[j]))
					return 0;
			continue;
		}
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(base + f->quantifier_offset) != f->id)
			continue;
		sub = *(ProtobufCMessage *const *)(base + f->offset);
		if (sub != NULL && !frame_unknown_valid(sub))
			return 0;
	}
	return 1;
}

enum frame_status
frame_unpack(struct evbuffer *in, size_t max_frame,
    const ProtobufCMessageDescriptor *d, ProtobufCMessage **out)
{
	uint32_t	 len;
	uint8_t		*p;

	*out = NULL;
	if (!frame_peek_len(in, &len))
		return FRAME_NEED_MORE;
	if (len == 0 || len > max_frame)
		return FRAME_TOO_LARGE;
	if (evbuffer_get_length(in) < FRAME_HEADER_LEN + (size_t)len)
		return FRAME_NEED_MORE;
	/* Contiguous view of header + payload; usually no copy at all. */
	p = evbuffer_pullup(in, FRAME_HEADER_LEN + (ev_ssize_t)len);
	if (p == NULL)
		return FRAME_MALFORMED;
	*out = protobuf_c_message_unpack(d, NULL, len, p + FRAME_HEADER_LEN);
	evbuffer_drain(in, FRAME_HEADER_LEN + (size_t)len);
	if (*out != NULL && !frame_unknown_valid(*out)) {
		protobuf_c_message_free_unpacked(*out, NULL);
		*out = NULL;
	}
	return *out == NULL ? FRAME_MALFORMED : FRAME_READY;
}

/* Writes len as the 4-byte big-endian length prefix at p. */
static void
frame_put_len(uint8_t *p, size_t len)
{
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
}

/* Writes v as a protobuf varint at p; returns its length (at most 10). */
static size_t
frame_put_varint(uint8_t *p, uint64_t v)
{
	size_t	 n = 0;

	for (; v >= 0x80; v >>= 7)
		p[n++] = (uint8_t)(v | 0x80);
	p[n++] = (uint8_t)v;
	return n;
}

size_t
frame_size(size_t max_frame, const ProtobufCMessage *m)
{
	size_t	 len = protobuf_c_message_get_packed_size(m);

	if (len == 0 || len > max_frame || len > UINT32_MAX)
		return 0;
	return FRAME_HEADER_LEN + len;
}

void
frame_pack_into(uint8_t *p, size_t size, const ProtobufCMessage *m)
{
	frame_put_len(p, size - FRAME_HEADER_LEN);
	protobuf_c_message_pack(m, p + FRAME_HEADER_LEN);
}

int
frame_pack(struct evbuffer *out, size_t max_frame, const ProtobufCMessage *m)
{
	struct evbuffer_iovec	 v;
	size_t			 size;

	if ((size = frame_size(max_frame, m)) == 0)
		return -1;
	if (evbuffer_reserve_space(out, (ev_ssize_t)size, &v, 1) != 1 ||
	    v.iov_len < size)
		return -1;
	frame_pack_into(v.iov_base, size, m);
	v.iov_len = size;
	return evbuffer_commit_space(out, &v, 1) == 0 ? 0 : -1;
}

/*
 * The outer message's only field is the inner one, so its packed form is
 * the tag (field << 3 | wire type 2, length-delimited), the inner length
 * as a varint and the inner bytes: what protobuf-c writes for it.
 */
size_t
frame_wrap_header(uint8_t hdr[FRAME_WRAP_HEADER_MAX], size_t max_frame,
    uint32_t field, size_t len)
{
	uint8_t	 tv[15];
	size_t	 n;

	if (field < 1 || field > 536870911 || len > max_frame ||
	    len > UINT32_MAX)
		return 0;
	n = frame_put_varint(tv, (uint64_t)field << 3 | 2);
	n += frame_put_varint(tv + n, len);
	if (n + len > max_frame || n + len > UINT32_MAX)
		return 0;
	frame_put_len(hdr, n + len);
	memcpy(hdr + FRAME_HEADER_LEN, tv, n);
	return FRAME_HEADER_LEN + n;
}

const char *
frame_strstatus(enum frame_status s)
{
	switch (s) {
	case FRAME_READY:
		return "ready";
	case FRAME_NEED_MORE:
		return "incomplete";
	case FRAME_TOO_LARGE:
		return "length prefix zero or above max_frame";
	case FRAME_MALFORMED:
		return "frame does not decode";
	}
	return "?";
}
