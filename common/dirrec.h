/*
 * Directory records (DESIGN.md "Directory"): the field rules of a member
 * record and its PoCs, and the signature that makes a record provable by
 * any node of the network, whoever relayed it.  Pure: no store, no event
 * loop; pocd (directory.c) and the unit tests use it.
 */
#ifndef POC_DIRREC_H
#define POC_DIRREC_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "proto/poc.pb-c.h"
#include "validate.h"

#define DIRREC_MAX_TEXT		128	/* bytes: names, roles, organizations */
#define DIRREC_MAX_VALUE	255	/* bytes: a channel's value */
#define DIRREC_MAX_POCS		32
#define DIRREC_MAX_CHANNELS	16
#define DIRREC_MAX_HOURS	32
#define DIRREC_MAX_LIST		16	/* networks, endpoints, fingerprints, languages */
#define DIRREC_MAX_CERT		8192	/* bytes of DER */
#define DIRREC_TZ_MAX		64
#define DIRREC_ZONEINFO		"/usr/share/zoneinfo"

/*
 * Checks every field rule of r that depends on the record alone; errors go
 * to vr with paths under prefix ("records[2]" gives
 * "records[2].pocs[0].time_zone").  signed says whether the signing fields
 * (network, serial, signed_at, certificate, signature) must be present.
 * Returns 0 if valid, else -1.
 */
int	 dirrec_validate(const Poc__DirectoryRecord *r, const char *prefix,
	    int is_signed, struct validate_result *vr);

/* 1 if name is an IANA time zone of the system: a safe relative path
 * (letters, digits, '/', '_', '-', '+', no "..") to a regular file under
 * DIRREC_ZONEINFO. */
int	 dirrec_tz_valid(const char *name);

/* The bytes a signature covers: r packed with its signature cleared
 * (malloc'd in *out).  Returns 0 or -1. */
int	 dirrec_canonical(const Poc__DirectoryRecord *r, uint8_t **out,
	    size_t *len);

/* Signs r in place with key (r->signature then points to malloc'd bytes
 * the caller frees with free(r->signature.data)).  Returns 0 or -1. */
int	 dirrec_sign(Poc__DirectoryRecord *r, EVP_PKEY *key);

/*
 * The trust rules of a record: it is of network `network`, its certificate
 * chains to the network CA in ca (with CRLs), names r->code as CN, its
 * fingerprint is one of r->fingerprints, and the signature verifies with
 * it.  Returns 1 if all hold, else 0 with the reason in err.
 */
int	 dirrec_verify(const Poc__DirectoryRecord *r, X509_STORE *ca,
	    const char *network, char *err, size_t errlen);

/* 1 if fp (lower-case hex SHA-256) is one of r's pinned fingerprints. */
int	 dirrec_pinned(const Poc__DirectoryRecord *r, const char *fp);

/* The enum value name of a PoC level or channel kind ("TECHNICAL"), "" if
 * unknown; and the value for a name (case-insensitive), 0 if unknown. */
const char *dirrec_level_name(int level);
int	 dirrec_level_parse(const char *s);
const char *dirrec_kind_name(int kind);
int	 dirrec_kind_parse(const char *s);

#endif
