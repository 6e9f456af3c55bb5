/*
 * Signed audit heads: canonical bytes, signing, checking, the rules that
 * order two heads of one log, and the JSON form of an exported head (see
 * audithead.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audithead.h"
#include "timefmt.h"
#include "util.h"

/* member (4 + VALIDATE_MAX_MEMBER), count, last_hash, time */
#define AUDITHEAD_BYTES_MAX	(4 + VALIDATE_MAX_MEMBER + 8 + \
				    AUDIT_HASH_LEN + 8)

/* Appends v as 8 big-endian bytes at p; returns the end. */
static uint8_t *
audithead_put_i64(uint8_t *p, int64_t v)
{
	uint64_t	 u = (uint64_t)v;
	int		 i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)u;
		u >>= 8;
	}
	return p + 8;
}

/* The signed bytes of h into buf; their count, or 0 if the member code is
 * too long to be one. */
static size_t
audithead_bytes(const struct audit_head *h, uint8_t buf[AUDITHEAD_BYTES_MAX])
{
	size_t	 n = strnlen(h->member, sizeof(h->member));
	uint8_t	*p = buf;

	if (n > VALIDATE_MAX_MEMBER)
		return 0;
	*p++ = (uint8_t)(n >> 24);
	*p++ = (uint8_t)(n >> 16);
	*p++ = (uint8_t)(n >> 8);
	*p++ = (uint8_t)n;
	memcpy(p, h->member, n);
	p += n;
	p = audithead_put_i64(p, h->count);
	memcpy(p, h->last_hash, AUDIT_HASH_LEN);
	p += AUDIT_HASH_LEN;
	p = audithead_put_i64(p, h->time);
	return (size_t)(p - buf);
}

int
audithead_sign(struct audit_head *h, EVP_PKEY *key)
{
	uint8_t	 buf[AUDITHEAD_BYTES_MAX];
	size_t	 n;

	h->siglen = 0;
	if ((n = audithead_bytes(h, buf)) == 0)
		return -1;
	return sig_sign(key, SIG_CTX_AUDIT_HEAD, buf, n, h->sig, &h->siglen);
}

int
audithead_verify(const struct audit_head *h, X509 *cert, char *why,
    size_t whylen)
{
	uint8_t	 buf[AUDITHEAD_BYTES_MAX];
	size_t	 n;

	if (cert == NULL) {
		snprintf(why, whylen, "no certificate to check the head with");
		return 0;
	}
	if (!sig_cert_check_cn(cert, h->member, why, whylen))
		return 0;
	if ((n = audithead_bytes(h, buf)) == 0 ||
	    !sig_verify(cert, SIG_CTX_AUDIT_HEAD, buf, n, h->sig, h->siglen)) {
		snprintf(why, whylen, "the signature of %.32s's head (%lld "
		    "entries) does not verify", h->member, (long long)h->count);
		return 0;
	}
	return 1;
}

int
audithead_from_pb(const Poc__AuditHead *pb, struct audit_head *h, char *why,
    size_t whylen)
{
	static const uint8_t	 zero[AUDIT_HASH_LEN];

	memset(h, 0, sizeof(*h));
	if (pb == NULL) {
		snprintf(why, whylen, "no head");
		return -1;
	}
	if (!validate_member_code(pb->member)) {
		snprintf(why, whylen, "member is not a member code");
		return -1;
	}
	if (pb->count < 0 || pb->time <= 0) {
		snprintf(why, whylen, "count must be 0 or more and time "
		    "positive");
		return -1;
	}
	if (pb->last_hash.len != AUDIT_HASH_LEN) {
		snprintf(why, whylen, "last_hash is %zu bytes, not %d",
		    pb->last_hash.len, AUDIT_HASH_LEN);
		return -1;
	}
	if (pb->count == 0 && memcmp(pb->last_hash.data, zero,
	    AUDIT_HASH_LEN) != 0) {
		snprintf(why, whylen, "an empty log's last_hash must be zeros");
		return -1;
	}
	if (pb->signature.len == 0 || pb->signature.len > SIG_MAX_LEN) {
		snprintf(why, whylen, "signature is %zu bytes (1 to %d)",
		    pb->signature.len, SIG_MAX_LEN);
		return -1;
	}
	snprintf(h->member, sizeof(h->member), "%s", pb->member);
	h->count = pb->count;
	h->time = pb->time;
	memcpy(h->last_hash, pb->last_hash.data, AUDIT_HASH_LEN);
	memcpy(h->sig, pb->signature.data, pb->signature.len);
	h->siglen = pb->signature.len;
	return 0;
}

void
audithead_to_pb(const struct audit_head *h, Poc__AuditHead *pb)
{
	poc__audit_head__init(pb);
	pb->member = (char *)h->member;
	pb->count = h->count;
	pb->time = h->time;
	pb->last_hash.data = (uint8_t *)h->last_hash;
	pb->last_hash.len = AUDIT_HASH_LEN;
	pb->signature.data = (uint8_t *)h->sig;
	pb->signature.len = h->siglen;
}

enum audithead_order
audithead_compare(const struct audit_head *held, const struct audit_head *seen)
{
	if (seen->count > held->count)
		return AUDITHEAD_NEWER;
	if (seen->count < held->count)
		return AUDITHEAD_SHORTER;
	if (memcmp(seen->last_hash, held->last_hash, AUDIT_HASH_LEN) != 0)
		return AUDITHEAD_FORK;
	return AUDITHEAD_SAME;
}

const char *
audithead_strorder(enum audithead_order o)
{
	switch (o) {
	case AUDITHEAD_NEWER:
		return "newer";
	case AUDITHEAD_SAME:
		return "same";
	case AUDITHEAD_FORK:
		return "fork";
	case AUDITHEAD_SHORTER:
		return "shorter";
	}
	return "?";
}

int
audithead_check_log(const struct audit_head *h, int64_t count,
    const uint8_t *hash_at, char *why, size_t whylen)
{
	char	 hex[2 * AUDIT_HASH_LEN + 1];

	if (count < h->count || (h->count > 0 && hash_at == NULL)) {
		snprintf(why, whylen, "the log has %lld entries but %.32s "
		    "signed a head of %lld: entries were cut or the store was "
		    "rolled back", (long long)count, h->member,
		    (long long)h->count);
		return 0;
	}
	if (h->count > 0 && memcmp(hash_at, h->last_hash,
	    AUDIT_HASH_LEN) != 0) {
		util_hex(h->last_hash, AUDIT_HASH_LEN, hex);
		snprintf(why, whylen, "entry %lld differs from the head %.32s "
		    "signed (hash %.16s...): the log was rewritten or rolled "
		    "back", (long long)h->count, h->member, hex);
		return 0;
	}
	return 1;
}

json_t *
audithead_to_json(const struct audit_head *h, const uint8_t *cert,
    size_t certlen)
{
	char	 hash[2 * AUDIT_HASH_LEN + 1], sig[2 * SIG_MAX_LEN + 1];
	char	 t[TIMEFMT_RFC3339_LEN], *c;
	json_t	*j;

	if (certlen > AUDITHEAD_MAX_CERT ||
	    (c = malloc(2 * certlen + 1)) == NULL)
		return NULL;
	util_hex(h->last_hash, AUDIT_HASH_LEN, hash);
	util_hex(h->sig, h->siglen, sig);
	util_hex(cert, certlen, c);
	j = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}",
	    "member", h->member, "count", (json_int_t)h->count,
	    "last_hash", hash, "time", timefmt_rfc3339(h->time, t, sizeof(t)),
	    "signature", sig, "signer_cert", c);
	free(c);
	return j;
}

/* A string member of j no longer than max, or NULL with err set. */
static const char *
audithead_json_str(const json_t *j, const char *key, size_t max, char *err,
    size_t errlen)
{
	const json_t	*v = json_object_get(j, key);

	if (!json_is_string(v) || json_string_length(v) > max) {
		snprintf(err, errlen, "\"%s\" is missing, not a string or too "
		    "long", key);
		return NULL;
	}
	return json_string_value(v);
}

int
audithead_from_json(const json_t *j, struct audit_head *h, uint8_t **cert,
    size_t *certlen, char *err, size_t errlen)
{
	Poc__AuditHead	 pb = POC__AUDIT_HEAD__INIT;
	const json_t	*count = json_object_get(j, "count");
	const char	*member, *hash, *t, *sig, *c;
	uint8_t		 hb[AUDIT_HASH_LEN], sb[SIG_MAX_LEN];
	size_t		 n;

	*cert = NULL;
	*certlen = 0;
	if (!json_is_object(j)) {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	if (!json_is_integer(count)) {
		snprintf(err, errlen, "\"count\" must be an integer");
		return -1;
	}
	if ((member = audithead_json_str(j, "member", VALIDATE_MAX_MEMBER, err,
	    errlen)) == NULL ||
	    (hash = audithead_json_str(j, "last_hash", 2 * AUDIT_HASH_LEN, err,
	    errlen)) == NULL ||
	    (t = audithead_json_str(j, "time", TIMEFMT_RFC3339_LEN, err,
	    errlen)) == NULL ||
	    (sig = audithead_json_str(j, "signature", 2 * SIG_MAX_LEN, err,
	    errlen)) == NULL ||
	    (c = audithead_json_str(j, "signer_cert", 2 * AUDITHEAD_MAX_CERT,
	    err, errlen)) == NULL)
		return -1;
	pb.member = (char *)member;
	pb.count = json_integer_value(count);
	if (timefmt_parse(t, 0, &pb.time, err, errlen) == -1)
		return -1;
	n = strlen(sig) / 2;
	if (util_unhex(hash, hb, AUDIT_HASH_LEN, 0) == -1 ||
	    util_unhex(sig, sb, n, 0) == -1) {
		snprintf(err, errlen, "\"last_hash\" or \"signature\" is not "
		    "lower-case hex");
		return -1;
	}
	pb.last_hash.data = hb;
	pb.last_hash.len = sizeof(hb);
	pb.signature.data = sb;
	pb.signature.len = n;
	if (audithead_from_pb(&pb, h, err, errlen) == -1)
		return -1;
	if ((n = strlen(c) / 2) == 0)
		return 0;
	if ((*cert = malloc(n)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (util_unhex(c, *cert, n, 0) == -1) {
		free(*cert);
		*cert = NULL;
		snprintf(err, errlen, "\"signer_cert\" is not lower-case hex");
		return -1;
	}
	*certlen = n;
	return 0;
}
