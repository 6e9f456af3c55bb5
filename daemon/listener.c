/*
 * TCP listeners and connection limits (see listener.h).
 *
 * Limits are checked on accept, before a TLS handshake costs anything: a
 * flood of connections from one address is cut at
 * max_connections_per_address while other addresses (other members) still
 * get in up to max_connections.  Each listener counts on its own, so that
 * a flood of the peer listener from many addresses never takes the places
 * of operators (max_operator_connections), and the descriptors for both
 * are reserved at start-up (listener_reserve_fds).
 */
#include <sys/resource.h>

#include <arpa/inet.h>
#include <errno.h>
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
	enum listener_kind	 kind;
};

/* Open connections from one remote address on one listener. */
struct addr_count {
	char			 ip[64];
	enum listener_kind	 kind;
	int			 n;
};

/* One open accepted connection: which listener's counts it holds. */
struct open_conn {
	char			 addr[80];
	enum listener_kind	 kind;
};

static struct addr_count	*counts;
static int			 ncounts;
static struct open_conn		*conns;
static int			 nconns, conns_cap;
static int			 total[LISTENER_KINDS];
static int			 max_total[LISTENER_KINDS];	/* config */
static int			 max_per_address;

/* "1.2.3.4:5" or "[::1]:5" -> the address part. */
static void
listener_ip(const char *addr, char *ip, size_t len)
{
	char	 port[16];

	if (util_split_hostport(addr, ip, len, port, sizeof(port)) != 0)
		snprintf(ip, len, "%s", addr);
}

static struct addr_count *
listener_slot(enum listener_kind kind, const char *ip, int create)
{
	int	 i;

	for (i = 0; i < ncounts; i++)
		if (counts[i].kind == kind && strcmp(counts[i].ip, ip) == 0)
			return &counts[i];
	if (!create)
		return NULL;
	if ((counts = reallocarray(counts, (size_t)ncounts + 1,
	    sizeof(*counts))) == NULL)
		fatal("listener_slot");
	snprintf(counts[ncounts].ip, sizeof(counts[0].ip), "%s", ip);
	counts[ncounts].kind = kind;
	counts[ncounts].n = 0;
	return &counts[ncounts++];
}

/* Remembers which listener accepted addr, for listener_release. */
static void
listener_conn_add(const char *addr, enum listener_kind kind)
{
	if (nconns == conns_cap) {
		conns_cap = conns_cap ? conns_cap * 2 : 64;
		if ((conns = reallocarray(conns, (size_t)conns_cap,
		    sizeof(*conns))) == NULL)
			fatal("listener_conn_add");
	}
	snprintf(conns[nconns].addr, sizeof(conns[0].addr), "%s", addr);
	conns[nconns++].kind = kind;
}

/*
 * A remote ip:port is unique among the open connections of the host's
 * listeners, so it names the connection and thereby the listener whose
 * counts it holds (the session knows only the address).
 */
void
listener_release(const char *addr)
{
	char			 ip[64];
	struct addr_count	*c;
	enum listener_kind	 kind;
	int			 i;

	for (i = nconns - 1; i >= 0; i--)
		if (strcmp(conns[i].addr, addr) == 0)
			break;
	if (i < 0)
		return;
	kind = conns[i].kind;
	conns[i] = conns[--nconns];
	total[kind]--;
	listener_ip(addr, ip, sizeof(ip));
	if ((c = listener_slot(kind, ip, 0)) != NULL && --c->n == 0)
		*c = counts[--ncounts];
}

void
listener_set_limits(int max_peer, int max_operator, int per_address)
{
	max_total[LISTENER_PEER] = max_peer;
	max_total[LISTENER_OPERATOR] = max_operator;
	max_per_address = per_address;
}

int
listener_count(enum listener_kind kind)
{
	return total[kind];
}

int
listener_max(enum listener_kind kind)
{
	return max_total[kind];
}

/*
 * Makes sure that the process may open a descriptor for every connection
 * both listeners allow, plus reserve for the store, logs and outgoing
 * connections, so that a full peer listener cannot take the descriptors
 * operators need (accept would fail with EMFILE).  Raises the soft limit
 * up to the hard one if needed; -1 with err set if even that is too low.
 */
int
listener_reserve_fds(int reserve, char *err, size_t errlen)
{
	struct rlimit	 rl;
	rlim_t		 need;

	need = (rlim_t)max_total[LISTENER_PEER] +
	    (rlim_t)max_total[LISTENER_OPERATOR] + (rlim_t)reserve;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		snprintf(err, errlen, "getrlimit: %s", strerror(errno));
		return -1;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
			snprintf(err, errlen, "max_connections (%d) + "
			    "max_operator_connections (%d) + %d need %llu open "
			    "files, but the hard limit is %llu (LimitNOFILE= "
			    "in the unit, or ulimit -Hn)",
			    max_total[LISTENER_PEER],
			    max_total[LISTENER_OPERATOR], reserve,
			    (unsigned long long)need,
			    (unsigned long long)rl.rlim_max);
			return -1;
		}
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
			snprintf(err, errlen, "setrlimit(%llu): %s",
			    (unsigned long long)need, strerror(errno));
			return -1;
		}
	}
	return 0;
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
	if (total[l->kind] >= max_total[l->kind]) {
		log_warnx("%s listener: %s refused: %s (%d) reached", l->name,
		    addr, l->kind == LISTENER_PEER ? "max_connections" :
		    "max_operator_connections", max_total[l->kind]);
		close(fd);
		return;
	}
	c = listener_slot(l->kind, ip, 1);
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
	total[l->kind]++;
	listener_conn_add(addr, l->kind);
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
listener_new(struct event_base *base, enum listener_kind kind,
    const char *hostport, listener_accept_fn fn)
{
	struct listener		*l;
	struct addrinfo		 hints, *res;
	const char		*name;
	char			 host[256], port[16];
	int			 r;

	name = kind == LISTENER_PEER ? "peer" : "operator";

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
	l->kind = kind;
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
