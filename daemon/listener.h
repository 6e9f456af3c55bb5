/*
 * The node's two TCP listeners and the connection limits applied before
 * any TLS work is done: max_connections in total and
 * max_connections_per_address per remote address, across both listeners.
 */
#ifndef POC_LISTENER_H
#define POC_LISTENER_H

struct event_base;
struct listener;

/* Called with an accepted socket and its address text ("ip:port"); the
 * callee owns fd. */
typedef void (*listener_accept_fn)(int fd, const char *addr);

/* Binds hostport on base; NULL with a logged reason on failure. */
struct listener	*listener_new(struct event_base *, const char *name,
		    const char *hostport, listener_accept_fn);
void		 listener_free(struct listener *);	/* NULL is a no-op */

/* Every accepted connection calls this once when it closes, with the
 * address text it was accepted with. */
void		 listener_release(const char *addr);

/* The limits of [limits] (at start-up, before listening, and again
 * after each reload): every connection beyond them is closed at once. */
void		 listener_set_limits(int max_connections, int per_address);

/* Connections open now, in total. */
int		 listener_count(void);

#endif
