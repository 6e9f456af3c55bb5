/*
 * The peer protocol between member nodes (DESIGN.md "Wire format"): Hello
 * first each way, then envelopes answered by receipts, over sessions on the
 * peer listener (inbound) or dialled by the outbox (outbound).
 */
#ifndef POC_PEER_H
#define POC_PEER_H

#include <stddef.h>
#include <stdint.h>

struct peer;
struct outq;

/* Takes over a socket accepted on the peer listener. */
void		 peer_accept(int fd, const char *addr);

/* Dials member at endpoint on behalf of the outbox queue q.  NULL if the
 * attempt cannot start (q is not called back then). */
struct peer	*peer_dial(const char *member, const char *endpoint,
		    struct outq *q);

/* Sends one stored envelope (its packed bytes) as a PeerFrame. */
int		 peer_send_envelope(struct peer *, const uint8_t *, size_t);

/* Closes the connection; an outbound peer's queue is no longer called. */
void		 peer_close(struct peer *, const char *reason);

/* Inbound connections in the established state, for status. */
int		 peer_count_inbound(const char *member);

/* Closes every connection (shutdown). */
void		 peer_close_all(void);

#endif
