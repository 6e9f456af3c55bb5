/*
 * pocd's configuration: an INI file (parsed with inih), every limit named
 * with a safe default.  See pocd.conf(5) and deploy/pocd.conf.example.
 */
#ifndef POC_CONFIG_H
#define POC_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_MAX_PEERS	256

struct config_listener {
	char	 listen[300];		/* host:port */
	char	 ca[1024];
	char	 cert[1024];
	char	 key[1024];
	char	 crl[1024];		/* "" = none */
};

struct config_peer {
	char	 member[64];
	char	 endpoint[300];		/* host:port */
};

struct config {
	char			 path[1024];
	/* [node] */
	char			 member[64];
	char			 database[1024];
	char			 log_target[16];	/* stderr | syslog */
	int			 log_level;		/* LOG_ERR..LOG_DEBUG */
	int			 sync_full;		/* store synchronous=FULL */
	/* [peer_listener], [operator_listener] */
	struct config_listener	 peer;
	struct config_listener	 op;
	/* [limits] */
	size_t			 max_frame;
	int			 max_connections;
	int			 max_connections_per_address;
	int			 handshake_timeout;	/* seconds */
	int			 idle_timeout;		/* seconds */
	size_t			 max_queued_bytes_per_peer;
	/* [delivery] */
	int			 retry_initial;		/* seconds */
	int			 retry_max;		/* seconds */
	int			 window;		/* unacknowledged envelopes per peer */
	/* [peer CODE] sections */
	int			 npeers;
	struct config_peer	 peers[CONFIG_MAX_PEERS];
};

/* Fills c with defaults, then reads path.  Returns 0, or -1 after printing
 * every error as "file:line: message" to stderr. */
int	 config_load(struct config *c, const char *path);

/* Prints the parsed configuration, every key with its value (pocd -n). */
void	 config_print(const struct config *c, FILE *out);

/* The configured peer for member, or NULL. */
const struct config_peer *config_peer_get(const struct config *c,
	    const char *member);

#endif
