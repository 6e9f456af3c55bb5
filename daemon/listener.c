/*
 * TCP listeners and connection limits (see listener.h).
 *
 * Limits are checked on accept, before a TLS handshake costs anything: a
 * flood of connections from one address is cut at
 * max_connections_per_address while other addresses (an operator on
 * loopback, other members) still get in up to max_connections.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include "listener.h"
#include "log.h"
#include "util.h"

struct listener {
	char			 name[32];
	struct evconnlistener	*ev;
	listener_accept_fn	 fn;
};

struct addr_count {
	char	 ip[64];
	int	 n;
};

static struct addr_count	*counts;
static int			 ncounts, total;
static int			 max_total, max_per_address;	/* of the config */

/* "1.2.3.4:5" or "[::1]:5" -> the address part. */
static void
listener_ip(const char *addr, char *ip, size_t len)
{
	char	 port[16];

	if (util_split_hostport(addr, ip, len, port, sizeof(port)) != 0)
		snprintf(ip, len, "%s", addr);
}

static struct addr_count *
listener_slot(const char *ip, int create)
{
	int	 i;

	for (i = 0; i < ncounts; i++)
		if (strcmp(counts[i].ip, ip) == 0)
			return &counts[i];
	if (!create)
		return NULL;
	if ((counts = reallocarray(counts, (size_t)ncounts + 1,
	    sizeof(*counts))) == NULL)
		fatal("listener_slot");
	snprintf(counts[ncounts].ip, sizeof(counts[0].ip), "%s", ip);
	counts[ncounts].n = 0;
	return &counts[ncounts++];
}

void
listener_release(const char *addr)
{
	char			 ip[64];
	struct addr_count	*c;

	listener_ip(addr, ip, sizeof(ip));
	if ((c = listener_slot(ip, 0)) == NULL)
		return;
	total--;
	if (--c->n == 0)
		*c = counts[--ncounts];
}

void
listener_set_limits(int max_connections, int per_address)
{
	max_total = max_connections;
	max_per_address = per_address;
}

int
listener_count(void)
{
	return total;
}

static void
listener_accept_cb(struct evconnlistener *ev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener		*l = arg;
	char			 ip[64], addr[80];
	struct addr_count	*c;
	const void		*a;

	(void)ev;
	(void)salen;
	if (sa->sa_family == AF_INET6)
		a = &((struct sockaddr_in6 *)(void *)sa)->sin6_addr;
	else
		a = &((struct sockaddr_in *)(void *)sa)->sin_addr;
	if (inet_ntop(sa->sa_family, a, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	snprintf(addr, sizeof(addr), sa->sa_family == AF_INET6 ? "[%s]:%u" :
	    "%s:%u", ip, sa->sa_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)(void *)sa)->sin6_port) :
	    ntohs(((struct sockaddr_in *)(void *)sa)->sin_port));
	if (total >= max_total) {
		log_warnx("%s listener: %s refused: max_connections (%d) "
		    "reached", l->name, addr, max_total);
		close(fd);
		return;
	}
	c = listener_slot(ip, 1);
	if (c->n >= max_per_address) {
		log_warnx("%s listener: %s refused: "
		    "max_connections_per_address (%d) reached", l->name, addr,
		    max_per_address);
		if (c->n == 0)
			*c = counts[--ncounts];
		close(fd);
		return;
	}
	c->n++;
	total++;
	l->fn(fd, addr);
}

static void
listener_error_cb(struct evconnlistener *ev, void *arg)
{
	struct listener	*l = arg;

	(void)ev;
	/* EMFILE and the like: log and keep listening. */
	log_warn("%s listener: accept", l->name);
}

struct listener *
listener_new(struct event_base *base, const char *name, const char *hostport,
    listener_accept_fn fn)
{
	struct listener		*l;
	struct addrinfo		 hints, *res;
	char			 host[256], port[16];
	int			 r;

	if (util_split_hostport(hostport, host, sizeof(host), port,
	    sizeof(port)) != 0) {
		log_warnx("%s listener: bad address \"%s\"", name, hostport);
		return NULL;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		log_warnx("%s listener: %s: %s", name, hostport,
		    gai_strerror(r));
		return NULL;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("listener_new");
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->fn = fn;
	l->ev = evconnlistener_new_bind(base, listener_accept_cb, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    512, res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (l->ev == NULL) {
		log_warn("%s listener: cannot listen on %s", name, hostport);
		free(l);
		return NULL;
	}
	evconnlistener_set_error_cb(l->ev, listener_error_cb);
	log_info("%s listener on %s", name, hostport);
	return l;
}

void
listener_free(struct listener *l)
{
	if (l == NULL)
		return;
	evconnlistener_free(l->ev);
	free(l);
}
