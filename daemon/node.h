/*
 * The running node: what the subsystems share.  One instance (node.c),
 * set up by main (pocd.c); subsystems reach it through `env`, as in
 * OpenSMTPD and bgpd.  A leaf: it includes no subsystem above the
 * configuration and the session limits, so any module may include it
 * without pulling in the modules that use it.
 */
#ifndef POC_NODE_H
#define POC_NODE_H

#include <stdint.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "config.h"
#include "session.h"

#define POCD_VERSION		"0.1.0"
#define POCD_SOFTWARE		"pocd/" POCD_VERSION
#define POC_PROTOCOL_VERSION	1

struct store;
struct evdns_base;

struct pocd {
	struct config		 conf;
	struct event_base	*base;
	struct evdns_base	*dns;
	struct store		*store;
	SSL_CTX			*peer_ctx;	/* peer listener, network CA */
	SSL_CTX			*dial_ctx;	/* outgoing, network CA */
	SSL_CTX			*op_ctx;	/* operator listener, operator CA */
	struct session_limits	 limits;
	int64_t			 started_at;	/* Unix ms */
};

extern struct pocd	*env;

#endif
