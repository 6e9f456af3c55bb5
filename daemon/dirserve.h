/*
 * Directory replication, the serving side: what this node answers to a
 * member that pulls from it (dirsync.h is the pulling side).
 */
#ifndef POC_DIRSERVE_H
#define POC_DIRSERVE_H

#include "proto/poc.pb-c.h"

/* Codes one DirectoryFetch may ask for; a fetch of more is a protocol
 * error.  The pulling side asks for fewer (dirsync.c). */
#define DIRSERVE_MAX_FETCH	64

struct peer;

/* Answers a member's DirectoryDigestRequest or DirectoryFetch on p. */
void	 dirserve_request(struct peer *p, const Poc__PeerFrame *f);

#endif
