/*
 * Signed audit heads (docs/witness.md), shared by pocd, which signs its own
 * and keeps its peers' as a witness, and pocctl, which checks a witness's
 * copy against the node's log.
 *
 * A head says "my audit log had count entries, the last with hash
 * last_hash, at time", signed with the node key.  What is signed
 * (common/sig.h: context || 0x00 || these bytes):
 *	context				"pocd audit head v1" (SIG_CTX_AUDIT_HEAD)
 *	member				4-byte big-endian length, then bytes
 *	count, time			8 bytes each, big-endian two's complement
 *	last_hash			32 bytes (zeros when count is 0)
 * The context string keeps a head's signature from ever passing as a
 * directory record's or an envelope's, and theirs as a head's.
 *
 * The audit chain (audit.h) makes each head commit to every entry up to
 * count: a log that is shorter than a head its node once signed, or that
 * holds another hash at that count, was cut or rolled back.
 */
#ifndef POC_AUDITHEAD_H
#define POC_AUDITHEAD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "audit.h"
#include "proto/poc.pb-c.h"
#include "sig.h"
#include "validate.h"

#define AUDITHEAD_MAX_CERT	16384	/* bytes of a signer certificate */

struct audit_head {
	char		 member[VALIDATE_MAX_MEMBER + 1];
	int64_t		 count;			/* entries; 0 = empty log */
	uint8_t		 last_hash[AUDIT_HASH_LEN];
	int64_t		 time;			/* Unix ms, when signed */
	uint8_t		 sig[SIG_MAX_LEN];
	size_t		 siglen;
};

/* How a head seen now stands to the one held before (same member). */
enum audithead_order {
	AUDITHEAD_NEWER = 0,	/* more entries: it replaces the held one */
	AUDITHEAD_SAME = 1,	/* same count and hash (a fresher signature) */
	AUDITHEAD_FORK = 2,	/* same count, another hash: rewritten */
	AUDITHEAD_SHORTER = 3,	/* fewer entries: cut or rolled back */
};

/* Signs h (member, count, last_hash and time set) with key: fills sig and
 * siglen.  Returns 0 or -1. */
int	 audithead_sign(struct audit_head *h, EVP_PKEY *key);

/* 1 if h is signed by the key of cert and cert's CN is h->member, else 0
 * with the reason in why. */
int	 audithead_verify(const struct audit_head *h, X509 *cert, char *why,
	    size_t whylen);

/* Reads a head from the wire, checking its field rules (member code,
 * count >= 0, 32-byte hash, zero for an empty log, a signature of sane
 * length).  Returns 0, or -1 with the reason in why. */
int	 audithead_from_pb(const Poc__AuditHead *pb, struct audit_head *h,
	    char *why, size_t whylen);

/* Fills pb from h; pb borrows h's buffers (signer_cert is left empty). */
void	 audithead_to_pb(const struct audit_head *h, Poc__AuditHead *pb);

/* How seen stands to held. */
enum audithead_order audithead_compare(const struct audit_head *held,
	    const struct audit_head *seen);

/* "newer", "same", "fork" or "shorter", for logs and JSON. */
const char *audithead_strorder(enum audithead_order);

/*
 * Checks a log against a head its node signed: count is the log's length
 * and hash_at the hash of its entry h->count (NULL if it has none, i.e.
 * count < h->count; ignored when h->count is 0).  Returns 1 if the log
 * still holds what h says, else 0 with what is wrong in why.
 */
int	 audithead_check_log(const struct audit_head *h, int64_t count,
	    const uint8_t *hash_at, char *why, size_t whylen);

/* A head and its signer certificate (DER, may be empty) as a JSON object:
 * time in RFC 3339 (exact to the millisecond), hashes, signature and
 * certificate in lower-case hex.  NULL if out of memory. */
json_t	*audithead_to_json(const struct audit_head *h, const uint8_t *cert,
	    size_t certlen);

/* Reads what audithead_to_json wrote; *cert (malloc'd DER, free it) may
 * come back NULL when the object holds no certificate.  Returns 0, or -1
 * with the reason in err. */
int	 audithead_from_json(const json_t *j, struct audit_head *h,
	    uint8_t **cert, size_t *certlen, char *err, size_t errlen);

#endif
