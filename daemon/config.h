/*
 * pocd's configuration: an INI file (parsed with inih), every limit named
 * with a safe default.  See pocd.conf(5) and deploy/pocd.conf.example.
 */
#ifndef POC_CONFIG_H
#define POC_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tls.h"

#define CONFIG_MAX_UPSTREAMS	32

struct config_listener {
	char	 listen[300];		/* host:port */
	char	 ca[1024];
	char	 cert[1024];
	char	 key[1024];
	char	 crl[1024];		/* "" = none */
};

/* [upstream CODE]: a node this one pulls the directory from. */
struct config_upstream {
	char	 member[64];
	char	 endpoint[300];		/* host:port; "" = the directory's */
	char	 fingerprint[65];	/* pinned; "" = the directory's */
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
	int			 max_operator_connections;
	int			 clock_tolerance;
	int			 handshake_timeout;	/* seconds */
	int			 idle_timeout;		/* seconds */
	size_t			 max_queued_bytes_per_peer;
	int			 tls_session_cache;	/* sessions */
	/* [store] group commit (gcommit.h) */
	int			 batch_max;		/* envelopes per commit */
	int			 batch_wait_ms;		/* 0: end of loop pass */
	size_t			 batch_max_bytes;	/* packed bytes per commit */
	int			 checkpoint_pages;	/* 0: SQLite's autocheckpoint */
	int			 verify_threads;	/* 0: verify on the loop */
	int			 cache_release_ms;	/* 0: keep the page cache */
	/* [delivery] */
	int			 retry_initial;		/* seconds */
	int			 retry_max;		/* seconds */
	int			 window;		/* unacknowledged envelopes per peer */
	/* [checks]: communication checks on a schedule (checks.c) */
	int			 checks_interval;	/* seconds; 0 = none */
	char			 checks_targets[2048];	/* "all" or CODE,CODE */
	int			 checks_reply_within;	/* seconds */
	/* [deadlines]: acknowledgement deadlines by urgency, seconds */
	int			 deadline_flash;
	int			 deadline_immediate;
	int			 deadline_priority;
	int			 deadline_routine;
	int			 deadline_none;		/* no urgency given */
	/* [node] endpoint: where others reach the peer listener */
	char			 endpoint[300];
	/* [directory] */
	int			 sync_interval;		/* seconds; 0 = on demand */
	int			 record_lifetime;	/* days until own record expires */
	/* [alert]: the command told of events for people (alert.c) */
	char			 alert_command[1024];	/* "" = none */
	char			 alert_args[1024];	/* split on blanks */
	int			 alert_urgency;		/* Poc__Urgency: lowest
							 * arrival alerted */
	int			 alert_timeout;		/* seconds per run */
	int			 alert_max_running;
	int			 alert_attempts;	/* runs before giving up */
	int			 alert_retry;		/* seconds, doubled */
	int			 alert_delivery_failing; /* seconds queued */
	int			 alert_keep_days;	/* events kept */
	/* [audit]: witnessed audit heads (witness.c) */
	int			 audit_head_interval;	/* seconds; 0 = no timer */
	char			 enrollment[8];		/* manual, open or off */
	int			 enrollment_rate;	/* a minute; 0 = no limit */
	/* [upstream CODE] sections */
	int			 nupstreams;
	struct config_upstream	 upstreams[CONFIG_MAX_UPSTREAMS];
};

/* Fills c with defaults, then reads path.  Returns 0, or -1 after printing
 * every error as "file:line: message" to stderr. */
int	 config_load(struct config *c, const char *path);

/* Prints the parsed configuration, every key with its value (pocd -n). */
void	 config_print(const struct config *c, FILE *out);

/* The configured upstream for member, or NULL. */
const struct config_upstream *config_upstream_get(const struct config *c,
	    const char *member);

/* The TLS options of listener section l of c (or, server = 0, of the
 * connections this node dials with l's certificate). */
struct tls_opts config_tls_opts(const struct config *c,
	    const struct config_listener *l, int server);

/* For each key whose value differs between nc and old, asks keep(); when
 * it returns 1 the key gets old's value back in nc.  Returns how many keys
 * were kept (SIGHUP reload: keys that need a restart). */
int	 config_keep_changed(struct config *nc, const struct config *old,
	    int (*keep)(const char *section, const char *name, void *arg),
	    void *arg);

#endif
