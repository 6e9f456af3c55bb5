/*
 * Directory replication by pull (DESIGN.md "Directory"), the pulling
 * side: a timer pulls from each configured upstream, an operator may
 * start pulls at once, and SIGHUP puts a changed set of upstreams in
 * force.  dirserve.h answers those who pull from this node.
 */
#ifndef POC_DIRSYNC_H
#define POC_DIRSYNC_H

#include "proto/poc.pb-c.h"

/* Arms the pull timer for the [upstream]s of the configuration.  0 or
 * -1. */
int	 dirsync_init(void);
void	 dirsync_shutdown(void);

/* After SIGHUP put a new configuration in env: starts pulling from the
 * upstreams added, stops those removed (closing their connections), and
 * pulls again from those whose endpoint or fingerprint changed; the
 * others go on untouched.  Each change is logged.  Returns how many
 * upstreams changed, or -1 (out of memory: the running set stays). */
int	 dirsync_reload(void);

/* Starts a pull from each upstream that is not pulling now; returns how
 * many were started. */
int	 dirsync_now(void);

/* The upstreams configured now. */
int	 dirsync_upstreams(void);

/* Fills status with each upstream's last pull and enrollment, and frees
 * what it allocated. */
int	 dirsync_status_fill(Poc__OpStatusReply *st);
void	 dirsync_status_free(Poc__OpStatusReply *st);

#endif
