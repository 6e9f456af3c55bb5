/*
 * A framed, mutually authenticated TLS connection on the event loop: the
 * mechanism under both protocols (peer.c, control.c).  It owns the socket,
 * the SSL and, while anything is in flight, a bufferevent over them; the
 * handshake and idle deadlines, frame decoding against max_frame, output
 * backpressure, and the deferred free.  Protocol code never touches
 * OpenSSL or the socket.
 */
#ifndef POC_SESSION_H
#define POC_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <openssl/ssl.h>
#include <protobuf-c/protobuf-c.h>

#include "frame.h"

struct session;

struct session_limits {
	size_t	 max_frame;
	size_t	 max_output;		/* bytes queued before reading pauses */
	int	 handshake_timeout;	/* seconds, TLS handshake (and connect) */
	int	 idle_timeout;		/* seconds without a whole frame */
};

struct session_cb {
	/* TLS is up and the peer certificate verified; session_cn() is set. */
	void	(*ready)(struct session *, void *arg);
	/* One decoded frame; the callee owns m. */
	void	(*frame)(struct session *, ProtobufCMessage *m, void *arg);
	/* A frame that is oversize or does not decode; the callee answers
	 * (or not) and closes.  Nothing of it has been acted on. */
	void	(*bad_frame)(struct session *, enum frame_status, void *arg);
	/* The session ends (once); it is freed after this returns, later in
	 * the loop.  reason says why, for the log. */
	void	(*closed)(struct session *, const char *reason, void *arg);
};

/* Takes over an accepted socket (closed on failure too). */
struct session	*session_accept(struct event_base *, SSL_CTX *, int fd,
		    const char *addr, const struct session_limits *,
		    const ProtobufCMessageDescriptor *, const struct session_cb *,
		    void *arg);

/* Dials hostport and requires the server certificate's CN to be
 * expect_cn.  NULL if the attempt cannot even start. */
struct session	*session_connect(struct event_base *, void *dns_base,
		    SSL_CTX *, const char *hostport, const char *expect_cn,
		    const struct session_limits *,
		    const ProtobufCMessageDescriptor *, const struct session_cb *,
		    void *arg);

/* Queues one framed message.  Returns 0, or -1 (then the session is being
 * closed). */
int		 session_send(struct session *, const ProtobufCMessage *);

/* Queues raw bytes as they are (already framed by the caller). */
int		 session_send_raw(struct session *, const void *, size_t);

/* Ends the session now: no more frames are delivered; closed() runs; the
 * memory goes at the next loop turn. */
void		 session_close(struct session *, const char *reason);

/* Sends what is queued, then closes (for a final error frame).  Bounded by
 * the handshake timeout. */
void		 session_close_after_flush(struct session *, const char *reason);

const char	*session_cn(const struct session *);	/* peer cert CN */
const char	*session_addr(const struct session *);	/* "ip:port" */
/* The peer certificate's SHA-256 in lower-case hex, or "" before the
 * handshake completes. */
void		 session_fingerprint(const struct session *, char hex[65]);
/* The peer's verified certificate, borrowed for the life of the session;
 * NULL before the handshake completes. */
X509		*session_peer_cert(const struct session *);
int		 session_is_open(const struct session *);
size_t		 session_output_len(const struct session *);

/* Detaches the callbacks' arg: after this, closed() and the others are no
 * longer called (the owner is going away first). */
void		 session_detach(struct session *);

#endif
