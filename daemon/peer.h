/*
 * The peer protocol between member nodes (DESIGN.md "Wire format"): Hello
 * first each way, then envelopes answered by receipts and directory
 * requests answered by directory frames, over sessions on the peer
 * listener (inbound) or dialled for a user (outbound).
 *
 * This is transport only: it knows the frames, not what is done with
 * them.  Its users hand it a callback table.  The node's serving side
 * (peer_init: envelopes and directory requests, on every connection) is
 * wired by main; a dialler (the outbox, a directory pull) hands its own
 * with peer_dial and hears the answers to what it sent.
 */
#ifndef POC_PEER_H
#define POC_PEER_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "proto/poc.pb-c.h"

struct peer;

/*
 * What a user hears of a connection; any member may be NULL.  For the
 * serving table: pinned is asked on inbound connections, up is told of
 * every connection that becomes ESTABLISHED (either way; it must not send
 * on it or close it there and then, only note it), frame gets the
 * requests (Envelope, DirectoryDigestRequest, DirectoryFetch) and the
 * notices (AuditHead, WitnessedHead: never answered) of every
 * connection, and down is told of every connection that ends.  For a
 * dialler's table: pinned is asked before our Hello goes out, up says the
 * connection is ESTABLISHED, frame gets the directory answers, receipt
 * the receipts, and down says it ended (not after peer_close()).  A
 * request or answer nobody takes is a protocol error.
 */
struct peer_cb {
	/* 1 if fp (hex SHA-256 of its certificate) is pinned for member. */
	int	(*pinned)(const char *member, const char *fp, void *arg);
	/*
	 * Serving table, inbound connections whose certificate pinned()
	 * refused: 1 lets the connection in ENROLLING, where the only
	 * requests that reach frame are EnrollRequest and
	 * DirectoryDigestRequest (peer_enrolling() says so) and any other
	 * frame closes it; 0 refuses it as not pinned.
	 */
	int	(*enroll)(struct peer *, const char *fp, void *arg);
	void	(*up)(struct peer *, void *arg);
	/* Returns 1 if it took ownership of f, 0 if peer.c frees it. */
	int	(*frame)(struct peer *, Poc__PeerFrame *f, void *arg);
	void	(*receipt)(struct peer *, const Poc__Receipt *, void *arg);
	/* The connection ended for reason; p is freed after this returns. */
	void	(*down)(struct peer *, const char *reason, void *arg);
};

/* The node's serving side (see above), before the listener opens. */
void		 peer_init(const struct peer_cb *serve, void *arg);

/* Takes over a socket accepted on the peer listener. */
void		 peer_accept(int fd, const char *addr);

/* Dials member at endpoint for the user whose table is cb.  NULL if the
 * attempt cannot start (cb is not called then). */
struct peer	*peer_dial(const char *member, const char *endpoint,
		    const struct peer_cb *cb, void *arg);

/* The member the connection speaks for (its certificate's CN, once TLS
 * is up), and its certificate (borrowed). */
const char	*peer_member(const struct peer *);

/* The remote address ("host:port"), for logs and rate limits. */
const char	*peer_addr(const struct peer *);

/* 1 if the connection was let in only to enroll (see enroll above). */
int		 peer_enrolling(const struct peer *);
X509		*peer_cert(const struct peer *);

/* 1 if the other node's Hello said it accepts batch signatures
 * (docs/signatures.md), else 0: send it single signatures only. */
int		 peer_batch_signatures(const struct peer *);

/* 1 if the other node's Hello said it takes audit heads (docs/witness.md),
 * else 0: send it none. */
int		 peer_audit_heads(const struct peer *);

/* Sends one frame on an established (or enrolling) connection.  0 or -1
 * (then the connection is closed and p freed). */
int		 peer_send_frame(struct peer *, const Poc__PeerFrame *);

/* Sends n stored envelopes (their packed bytes) as PeerFrames, in
 * order, coalesced into writes of up to PEER_COALESCE bytes (so into
 * full TLS records, not one or two per envelope).  0, or -1 (then
 * nothing more may be sent on p: it may be closed and freed). */
#define PEER_COALESCE	16384	/* a TLS record's largest plaintext */
int		 peer_send_envelopes(struct peer *, const uint8_t *const *,
		    const size_t *, size_t);

/* Sends an Error frame with code, logs why and closes once it is
 * written. */
void		 peer_fail(struct peer *, Poc__Error__Code code,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* Closes the connection; its dialler's table is no longer called. */
void		 peer_close(struct peer *, const char *reason);

/* Inbound connections in the established state, for status. */
int		 peer_count_inbound(const char *member);

/* Closes every connection (shutdown). */
void		 peer_close_all(void);

#endif
