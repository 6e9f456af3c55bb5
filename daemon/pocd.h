/*
 * The running node: what the subsystems share.  One instance, set up by
 * pocd.c; subsystems reach it through `env`, as in OpenSMTPD and bgpd.
 */
#ifndef POC_POCD_H
#define POC_POCD_H

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
