/*
 * A blocking, mutually authenticated TLS connection that exchanges frames:
 * the synchronous client side used by pocctl (operator RPC) and by the test
 * tool pocpeer (peer protocol).  The daemon never uses this; it runs on
 * libevent bufferevents.
 */
#ifndef POC_CONN_H
#define POC_CONN_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "tls.h"

struct conn;

/*
 * Connects to host:port (IPv4, IPv6 or a name), completes the TLS handshake
 * with the given credentials and checks that the server certificate's CN is
 * expect_cn (if not NULL).  timeout_ms bounds connect, handshake and every
 * later read.  NULL on failure with a message in err that says what failed
 * (refused, timed out, handshake: unknown CA, wrong CN ...).
 */
struct conn	*conn_open(const char *hostport, const struct tls_opts *,
		    const char *expect_cn, int timeout_ms, size_t max_frame,
		    char *err, size_t errlen);
void		 conn_close(struct conn *);		/* NULL is a no-op */

/* Only the TCP part of conn_open(), for a client that runs TLS itself
 * (pocbench): resolves host:port and connects within timeout_ms.  Returns
 * a non-blocking, close-on-exec socket, or -1 with a message in err. */
int		 conn_tcp_open(const char *hostport, int timeout_ms, char *err,
		    size_t errlen);

/* Sends one framed message.  Returns 0 or -1 with err set. */
int		 conn_send(struct conn *, const ProtobufCMessage *, char *err,
		    size_t errlen);

/* Sends raw bytes as they are (for tests that send garbage).  0 or -1. */
int		 conn_send_raw(struct conn *, const void *, size_t, char *err,
		    size_t errlen);

/* Reads one framed message of type d.  Returns it (free with
 * protobuf_c_message_free_unpacked), or NULL with err set: closed by the
 * peer, timed out, oversize, malformed. */
ProtobufCMessage *conn_recv(struct conn *, const ProtobufCMessageDescriptor *d,
		    char *err, size_t errlen);

#endif
