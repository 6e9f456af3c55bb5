/*
 * The PoC directory (DESIGN.md "Directory"): member records signed by each
 * member's node key, kept in the store, replicated by pull from upstreams,
 * and the source of the endpoints and certificate fingerprints pinned on
 * every peer connection.  The ranking of PoCs ("who to contact now") is in
 * who.c; this module owns the records and their trust rules.
 */
#ifndef POC_DIRECTORY_H
#define POC_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

/* One PoC to try, with its best channel, as the who ranking orders them. */
struct directory_contact {
	char	 member[64];
	char	 level[16];		/* POLICY, DIPLOMATIC, TECHNICAL */
	char	 name[128];
	char	 role[128];
	char	 organization[128];
	char	 channel_kind[24];	/* EMAIL, PHONE, FAX, SECURE_MESSAGING, OTHER */
	char	 channel_value[256];
	int	 available;		/* 1 if 24/7 or within working hours */
	int64_t	 last_check;		/* Unix ms of the last successful check, 0 */
};

/*
 * The (skip+1)-th best PoC of member to try at at_ms per the who ranking
 * (any level, technical first then diplomatic then policy, then
 * alternates); fills out and returns 1, or returns 0 if there is none, -1
 * on error.
 */
int	 directory_next_contact(const char *member, int64_t at_ms, int skip,
	    struct directory_contact *out);

/* The same for the (skip+1)-th to (skip+max)-th best, ranked once: fills
 * out[0..] and returns how many, or -1 on error. */
int	 directory_contacts(const char *member, int64_t at_ms, int skip,
	    struct directory_contact *out, int max);

/*
 * Records a successful communication check of member's PoCs at at_ms
 * (updates each PoC's last successful check in the store; this node's own
 * copy, not the member's signed record).  Returns 0 or -1.
 */
int	 directory_mark_checked(const char *member, int64_t at_ms);

/* Unix ms of the last successful directory sync, 0 if never. */
int64_t	 directory_last_sync_ms(void);


/* ------------------------------------------------------------------------
 * The rest is for pocd's own modules (pocd.c, outbox.c, control.c,
 * ctl_dir.c, dirsync.c).
 */
#include "proto/poc.pb-c.h"
#include "validate.h"

/* Loads the network CA's fingerprint, and creates (or renews after a key
 * or endpoint change) this node's own signed record with the node key and
 * certificate msgsig.c holds (msgsig_init() first).  -1 on failure. */
int	 directory_init(void);
void	 directory_shutdown(void);

/* After SIGHUP put a new node certificate in force (msgsig_init() returned
 * 1): renews the own record so that it carries, pins and is signed by the
 * new certificate (the old fingerprint stays pinned until the operator
 * drops it).  0, or -1 (logged). */
int	 directory_rotated(void);

/* This network's id: lower-case hex SHA-256 of the network CA. */
const char *directory_network(void);

/* 1 if fp is pinned in member's record, 0 if not or there is none. */
int	 directory_pinned(const char *member, const char *fp);

/* The first endpoint of member's record into buf.  0, or -1 if none. */
int	 directory_endpoint(const char *member, char *buf, size_t len);

/* Every member with a record here other than this node, with its first
 * endpoint ("" if none), by code.  Returns the count (*out malloc'd), or
 * -1. */
struct directory_peer {
	char	 member[64];
	char	 endpoint[300];
};
int	 directory_peers(struct directory_peer **out);

/* 1 if member has a record here. */
int	 directory_known(const char *member);
/*
 * 1 if member's record says its node takes an opening envelope in a thread
 * of the sender's choosing (shared_threads: a send to many may give it the
 * case's thread), 0 if not or if there is no record (docs/directory.md).
 */
int	 directory_shared_threads(const char *member);

/*
 * Checks r completely (field rules, network, certificate chain and CN,
 * pinned signer, signature) and stores it if its serial is higher than
 * the one held.  Returns 1 if stored, 0 if not newer (or r is this node's
 * own code), -1 if refused (reason in err, logged).
 */
int	 directory_take(const Poc__DirectoryRecord *r, const char *via,
	    char *err, size_t errlen);

/* The checks of directory_take without storing: 0 or -1 (err set). */
int	 directory_check(const Poc__DirectoryRecord *r, char *err,
	    size_t errlen);

/*
 * Replaces the editable fields of the own record with those of in (name,
 * networks, endpoints, fingerprints, expires, pocs), bumps the serial,
 * signs and stores it.  base_serial, if not 0, must be the serial held.
 * Returns 0 with *serial set, or -1 with vr filled (nothing stored).
 */
int	 directory_edit_own(const Poc__DirectoryRecord *in,
	    uint64_t base_serial, struct validate_result *vr,
	    uint64_t *serial);

/* The key under which the last check of a PoC is kept: "LEVEL:name". */
void	 directory_poc_key(const Poc__DirectoryPoc *p, char *buf, size_t len);

/* This node's last successful check of each of r's PoCs (Unix ms, 0 if
 * never; n_pocs entries, malloc'd), or NULL if out of memory. */
int64_t	*directory_last_checks(const Poc__DirectoryRecord *r);

/* Unix ms of the last sync, for dirsync.c to set after a pull. */
void	 directory_set_last_sync(int64_t ms);

#endif
