/*
 * The node's two TCP listeners and the connection limits applied before
 * any TLS work is done, each listener on its own: max_connections (peer)
 * or max_operator_connections in total, and max_connections_per_address
 * per remote address.
 */
#ifndef POC_LISTENER_H
#define POC_LISTENER_H

#include <stddef.h>

struct event_base;
struct listener;

enum listener_kind {
	LISTENER_PEER = 0,
	LISTENER_OPERATOR = 1,
	LISTENER_KINDS = 2
};

/* Called with an accepted socket and its address text ("ip:port"); the
 * callee owns fd. */
typedef void (*listener_accept_fn)(int fd, const char *addr);

/* Binds hostport on base; NULL with a logged reason on failure. */
struct listener	*listener_new(struct event_base *, enum listener_kind,
		    const char *hostport, listener_accept_fn);
void		 listener_free(struct listener *);	/* NULL is a no-op */

/* Every accepted connection calls this once when it closes, with the
 * address text it was accepted with. */
void		 listener_release(const char *addr);

/* The limits of [limits] (at start-up, before listening, and again
 * after each reload): every connection beyond them is closed at once. */
void		 listener_set_limits(int max_peer, int max_operator,
		    int per_address);

/* Raises RLIMIT_NOFILE so that both listeners' limits and reserve more
 * descriptors fit; -1 with err set if the hard limit is too low. */
int		 listener_reserve_fds(int reserve, char *err, size_t errlen);

/* Connections open now on a listener, and its limit. */
int		 listener_count(enum listener_kind);
int		 listener_max(enum listener_kind);

#endif
