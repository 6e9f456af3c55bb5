/*
 * OpRequest.watch (`pocctl watch`): the operator connection becomes a
 * stream of WatchUpdates: first the backlog (cases of ours overdue,
 * requests and notifications not yet acknowledged), then the events a
 * reconnecting client missed (after_seq), then each event as it is
 * committed (events.h), and a heartbeat when nothing happens.
 *
 * Unlike the other requests this one needs its connection, so control.c
 * hands it over by its own two calls instead of the handler table.
 */
#ifndef POC_CTL_WATCH_H
#define POC_CTL_WATCH_H

#include "proto/poc.pb-c.h"

struct session;

/* Subscribes to the node's events.  0 or -1. */
int	 ctl_watch_init(void);

/* A WatchRequest on s from operator op: starts the stream, or (keepalive)
 * only keeps s from its idle timeout. */
void	 ctl_watch_request(struct session *s, const char *op,
	    const Poc__OpRequest *req);

/* s is closing: it is no longer written to. */
void	 ctl_watch_forget(struct session *s);

void	 ctl_watch_shutdown(void);

#endif
