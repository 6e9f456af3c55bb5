/*
 * The peer protocol between member nodes (DESIGN.md "Wire format"): Hello
 * first each way, then envelopes answered by receipts, over sessions on the
 * peer listener (inbound) or dialled by the outbox (outbound).
 */
#ifndef POC_PEER_H
#define POC_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "proto/poc.pb-c.h"

struct peer;
struct outq;

/* Sets up group commit for incoming envelopes (after the store opens). */
int		 peer_init(void);

/* Takes over a socket accepted on the peer listener. */
void		 peer_accept(int fd, const char *addr);

/* Dials member at endpoint on behalf of the outbox queue q.  NULL if the
 * attempt cannot start (q is not called back then). */
struct peer	*peer_dial(const char *member, const char *endpoint,
		    struct outq *q);

/* Dials member at endpoint to pull its directory for ds; the server's
 * certificate must be pinned in the directory or be pin (if not "").
 * NULL if the attempt cannot start. */
struct dirsync;
struct peer	*peer_dial_sync(const char *member, const char *endpoint,
		    const char *pin, struct dirsync *ds);

/* Sends one frame on an established connection.  0 or -1. */
int		 peer_send_frame(struct peer *, const Poc__PeerFrame *);

/* Sends an Error frame (INTERNAL or PROTOCOL), logs and closes. */
void		 peer_fail_internal(struct peer *, const char *why);
void		 peer_fail_protocol(struct peer *, const char *why);

/* Closes every outbox connection; the outbox dials again with the TLS
 * context in force (a reloaded node certificate). */
void		 peer_close_outbound(const char *reason);

/* Sends one stored envelope (its packed bytes) as a PeerFrame. */
int		 peer_send_envelope(struct peer *, const uint8_t *, size_t);

/* Closes the connection; an outbound peer's queue is no longer called. */
void		 peer_close(struct peer *, const char *reason);

/* Inbound connections in the established state, for status. */
int		 peer_count_inbound(const char *member);

/* Closes every connection (shutdown). */
void		 peer_close_all(void);

#endif
