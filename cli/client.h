/*
 * pocctl's side of the operator RPC: the config file that says where the
 * node is and which credentials to use, and the request/reply round trip
 * over one connection.  Failures end the program with a message (err(3)),
 * as everywhere in the CLI.
 */
#ifndef POCCTL_CLIENT_H
#define POCCTL_CLIENT_H

#include <limits.h>

#include "proto/poc.pb-c.h"

#define CLIENT_DEFAULT_TIMEOUT	10000	/* ms */

struct client_config {
	char	 path[PATH_MAX];
	char	 node[300];		/* host:port of the operator listener */
	char	 member[64];		/* the node's member code = its CN */
	char	 ca[PATH_MAX];
	char	 cert[PATH_MAX];
	char	 key[PATH_MAX];
	char	 crl[PATH_MAX];		/* optional */
	int	 timeout_ms;		/* optional "timeout" in seconds */
};

struct client;

/* The config path: the -c argument if given, else $POCCTL_CONFIG, else
 * CLIENT_DEFAULT_CONFIG. */
const char	*client_config_path(const char *arg);

/* The config file used without -c and $POCCTL_CONFIG (compiled in). */
const char	*client_default_config(void);

/* Reads and checks the config; exits 1 naming file and key on errors. */
void		 client_config_load(struct client_config *, const char *path);

/* Connects to the node of the config at path.  timeout_ms <= 0 takes the
 * config's timeout.  Exits 1 with the reason on failure. */
struct client	*client_open(const char *path, int timeout_ms);
void		 client_close(struct client *);		/* NULL is a no-op */

/* The same without exiting when the node cannot be reached: NULL with the
 * reason in err (a bad config still exits). */
struct client	*client_try_open(const char *path, int timeout_ms, char *err,
		    size_t errlen);

/* One request, and one reply (a stream's next one), without exiting: -1
 * or NULL with the reason in err. */
int		 client_send(struct client *, const Poc__OpRequest *,
		    char *err, size_t errlen);
Poc__OpReply	*client_recv(struct client *, char *err, size_t errlen);

/* Sends req and returns the reply (free with client_reply_free).  An
 * OpError reply is returned too; transport failures exit 1. */
Poc__OpReply	*client_call(struct client *, const Poc__OpRequest *);
void		 client_reply_free(Poc__OpReply *);

/* Exits 1 explaining e; arg is what the operator asked for (an id). */
void		 client_fail(const Poc__OpError *e, const char *arg)
		    __attribute__((noreturn));

/* Exits 1 unless reply is of kind want: an OpError through client_fail,
 * anything else as a protocol error. */
void		 client_expect(const Poc__OpReply *, Poc__OpReply__KindCase want,
		    const char *arg);

/* Fetches the one message id (or unique prefix) names; exits 1 if none. */
Poc__OpReply	*client_show(struct client *, const char *id,
		    const Poc__StoredMessage **out);

/* Fetches the node's status (r->status); exits 1 on failure. */
Poc__OpReply	*client_status(struct client *);

/* The timeout in force for cl, in ms (--timeout, else the config's). */
int		 client_timeout_ms(const struct client *);

#endif
