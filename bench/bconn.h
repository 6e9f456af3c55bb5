/*
 * pocbench's client connection: one blocking, mutually authenticated TLS
 * connection per simulated peer, the same for pocd and for Mosquitto.
 * Messages are queued into one buffer and written together by
 * bconn_flush(), so a window of them shares TLS records.
 */
#ifndef POC_BCONN_H
#define POC_BCONN_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <openssl/ssl.h>
#include <protobuf-c/protobuf-c.h>

struct bconn {
	int		 fd;
	SSL		*ssl;
	uint16_t	 pid;		/* MQTT packet id */
	uint64_t	 seq, confirmed;	/* AMQP publishes, confirms */
	char		 name[64];	/* AMQP queue */
	struct evbuffer	*in;		/* read, not yet taken */
	uint8_t		*out;		/* queued, not yet written */
	size_t		 outlen, outcap;
};

/* Builds the TLS context every connection uses from --ca, --cert and
 * --key; exits on failure. */
void	 bconn_init(void);

/* Connects to --port on the loopback and completes the TLS handshake
 * (resuming sess if given).  Returns 0, or -1 with a message on stderr. */
int	 bconn_open(struct bconn *, SSL_SESSION *sess);

/* Shuts TLS down, closes the socket and frees the buffers. */
void	 bconn_close(struct bconn *);

/* Writes len bytes now.  Returns 0 or -1 (message on stderr). */
int	 bconn_write(struct bconn *, const void *, size_t len);

/* Appends len bytes to the queue and returns them for the caller to fill. */
uint8_t	*bconn_queue(struct bconn *, size_t len);

/* Appends the frame of m to the queue (common/frame's wire format). */
void	 bconn_queue_frame(struct bconn *, const ProtobufCMessage *m);

/* Writes the queue and empties it.  Returns 0 or -1. */
int	 bconn_flush(struct bconn *);

/* Reads exactly len bytes.  Returns 0 or -1 (closed or timed out). */
int	 bconn_read(struct bconn *, void *, size_t len);

/* Reads one frame and unpacks it as d (free it with
 * protobuf_c_message_free_unpacked).  NULL (message on stderr) if the
 * connection ends or the frame is oversize or malformed. */
ProtobufCMessage *bconn_recv(struct bconn *,
	    const ProtobufCMessageDescriptor *d);

/* 1 if a whole or partial answer is already buffered (no waiting). */
int	 bconn_readable(struct bconn *);

#endif
