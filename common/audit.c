/*
 * The audit log's hash chain: canonical encoding, chaining, checking and
 * the JSON form of an exported entry (see audit.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit.h"
#include "sha256.h"
#include "util.h"

static const char *const audit_kinds[] = {
	"queued", "received", "delivered", "rejected", "resigned",
	"enroll-approved", "enroll-rejected",
};

int
audit_kind_valid(const char *kind)
{
	size_t	 i;

	if (kind == NULL)
		return 0;
	for (i = 0; i < sizeof(audit_kinds) / sizeof(audit_kinds[0]); i++)
		if (strcmp(kind, audit_kinds[i]) == 0)
			return 1;
	return 0;
}

int
audit_sha256(const void *data, size_t len, uint8_t out[AUDIT_HASH_LEN])
{
	unsigned int	 n = 0;

	if (EVP_Digest(data, len, out, &n, sha256_md(), NULL) != 1 ||
	    n != AUDIT_HASH_LEN)
		return -1;
	return 0;
}

/* Feeds v as 8 big-endian bytes. */
static int
audit_put_i64(EVP_MD_CTX *md, int64_t v)
{
	uint64_t	 u = (uint64_t)v;
	uint8_t		 b[8];
	int		 i;

	for (i = 7; i >= 0; i--) {
		b[i] = (uint8_t)u;
		u >>= 8;
	}
	return EVP_DigestUpdate(md, b, sizeof(b)) == 1;
}

/* Feeds a string as a 4-byte big-endian length and its bytes. */
static int
audit_put_str(EVP_MD_CTX *md, const char *s)
{
	size_t	 n;
	uint8_t	 b[4];

	if (s == NULL)
		s = "";
	if ((n = strlen(s)) > AUDIT_MAX_TEXT)
		return 0;
	b[0] = (uint8_t)(n >> 24);
	b[1] = (uint8_t)(n >> 16);
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	return EVP_DigestUpdate(md, b, sizeof(b)) == 1 &&
	    EVP_DigestUpdate(md, s, n) == 1;
}

int
audit_entry_hash(const struct audit_entry *e, uint8_t out[AUDIT_HASH_LEN])
{
	EVP_MD_CTX	*md;
	unsigned int	 n = 0;
	int		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(md, sha256_md(), NULL) == 1 &&
	    EVP_DigestUpdate(md, AUDIT_CTX, sizeof(AUDIT_CTX)) == 1 &&
	    audit_put_i64(md, e->seq) && audit_put_i64(md, e->time) &&
	    audit_put_str(md, e->kind) && audit_put_str(md, e->message_id) &&
	    audit_put_str(md, e->peer) && audit_put_str(md, e->detail) &&
	    EVP_DigestUpdate(md, e->envelope_sha256, AUDIT_HASH_LEN) == 1 &&
	    EVP_DigestUpdate(md, e->prev_hash, AUDIT_HASH_LEN) == 1 &&
	    EVP_DigestFinal_ex(md, out, &n) == 1 && n == AUDIT_HASH_LEN;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

int
audit_entry_chain(struct audit_entry *e, const struct audit_entry *prev)
{
	if (prev == NULL) {
		e->seq = 1;
		memset(e->prev_hash, 0, AUDIT_HASH_LEN);
	} else {
		e->seq = prev->seq + 1;
		memcpy(e->prev_hash, prev->hash, AUDIT_HASH_LEN);
	}
	return audit_entry_hash(e, e->hash);
}

int
audit_entry_check(const struct audit_entry *e, const struct audit_entry *prev,
    char *why, size_t whylen)
{
	static const uint8_t	 zero[AUDIT_HASH_LEN];
	uint8_t			 h[AUDIT_HASH_LEN];

	if (prev == NULL && e->seq != 1) {
		snprintf(why, whylen, "the chain starts at seq %lld, not 1",
		    (long long)e->seq);
		return 0;
	}
	if (prev != NULL && e->seq != prev->seq + 1) {
		snprintf(why, whylen, "seq %lld follows seq %lld (an entry is "
		    "missing or out of order)", (long long)e->seq,
		    (long long)prev->seq);
		return 0;
	}
	if (memcmp(e->prev_hash, prev != NULL ? prev->hash : zero,
	    AUDIT_HASH_LEN) != 0) {
		snprintf(why, whylen, "prev_hash is not the hash of the entry "
		    "before");
		return 0;
	}
	if (!audit_kind_valid(e->kind)) {
		snprintf(why, whylen, "unknown kind \"%.32s\"",
		    e->kind != NULL ? e->kind : "");
		return 0;
	}
	if (audit_entry_hash(e, h) == -1) {
		snprintf(why, whylen, "a field is too long to hash");
		return 0;
	}
	if (memcmp(h, e->hash, AUDIT_HASH_LEN) != 0) {
		snprintf(why, whylen, "hash does not match the entry's fields "
		    "(the entry was changed)");
		return 0;
	}
	return 1;
}

json_t *
audit_entry_to_json(const struct audit_entry *e)
{
	char	 h1[65], h2[65], h3[65];

	util_hex(e->envelope_sha256, AUDIT_HASH_LEN, h1);
	util_hex(e->prev_hash, AUDIT_HASH_LEN, h2);
	util_hex(e->hash, AUDIT_HASH_LEN, h3);
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "seq", (json_int_t)e->seq, "time", (json_int_t)e->time,
	    "kind", e->kind != NULL ? e->kind : "",
	    "message_id", e->message_id != NULL ? e->message_id : "",
	    "peer", e->peer != NULL ? e->peer : "",
	    "detail", e->detail != NULL ? e->detail : "",
	    "envelope_sha256", h1, "prev_hash", h2, "hash", h3);
}

/* A required string member of j, or NULL with err set. */
static const char *
audit_json_str(const json_t *j, const char *key, char *err, size_t errlen)
{
	const json_t	*v = json_object_get(j, key);

	if (!json_is_string(v)) {
		snprintf(err, errlen, "\"%s\" is missing or not a string", key);
		return NULL;
	}
	if (json_string_length(v) > AUDIT_MAX_TEXT ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(err, errlen, "\"%s\" is too long or holds NUL", key);
		return NULL;
	}
	return json_string_value(v);
}

int
audit_entry_from_json(const json_t *j, struct audit_entry *e, char *err,
    size_t errlen)
{
	static const char *const hashes[] = {
		"envelope_sha256", "prev_hash", "hash"
	};
	uint8_t		*dst[3];
	const json_t	*seq, *tm;
	const char	*s;
	size_t		 i;

	memset(e, 0, sizeof(*e));
	if (!json_is_object(j)) {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	seq = json_object_get(j, "seq");
	tm = json_object_get(j, "time");
	if (!json_is_integer(seq) || !json_is_integer(tm)) {
		snprintf(err, errlen, "\"seq\" and \"time\" must be integers");
		return -1;
	}
	e->seq = json_integer_value(seq);
	e->time = json_integer_value(tm);
	if ((e->kind = audit_json_str(j, "kind", err, errlen)) == NULL ||
	    (e->message_id = audit_json_str(j, "message_id", err,
	    errlen)) == NULL ||
	    (e->peer = audit_json_str(j, "peer", err, errlen)) == NULL ||
	    (e->detail = audit_json_str(j, "detail", err, errlen)) == NULL)
		return -1;
	dst[0] = e->envelope_sha256;
	dst[1] = e->prev_hash;
	dst[2] = e->hash;
	for (i = 0; i < 3; i++) {
		if ((s = audit_json_str(j, hashes[i], err, errlen)) == NULL)
			return -1;
		if (util_unhex(s, dst[i], AUDIT_HASH_LEN, 0) == -1) {
			snprintf(err, errlen, "\"%s\" is not 64 lower-case hex "
			    "digits", hashes[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * The fast path of an export line.  An export is JSON lines, one entry
 * each, as jansson writes audit_entry_to_json() compact with its keys in
 * order.  When no string of the entry needs an escape (printable ASCII
 * without '"' or '\\'), that line is the fixed text below with the
 * values in it, which is written and read here directly, five times
 * faster than through a JSON tree; anything else goes through jansson
 * (audit_entry_to_json, audit_entry_from_json).  The reader accepts only
 * what the writer makes, so a line means the same on either path.
 */
static const char *const audit_line_keys[] = {
	"{\"seq\":", ",\"time\":", ",\"kind\":\"", "\",\"message_id\":\"",
	"\",\"peer\":\"", "\",\"detail\":\"", "\",\"envelope_sha256\":\"",
	"\",\"prev_hash\":\"", "\",\"hash\":\"", "\"}"
};

/* 1 if s (n bytes) goes between quotes as it is. */
static int
audit_line_plain(const char *s, size_t n)
{
	size_t	 i;

	if (n > AUDIT_MAX_TEXT)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

int
audit_entry_line(const struct audit_entry *e, char *buf, size_t len)
{
	const char	*str[4];
	char		 h[3][2 * AUDIT_HASH_LEN + 1];
	size_t		 i;
	int		 n;

	str[0] = e->kind != NULL ? e->kind : "";
	str[1] = e->message_id != NULL ? e->message_id : "";
	str[2] = e->peer != NULL ? e->peer : "";
	str[3] = e->detail != NULL ? e->detail : "";
	for (i = 0; i < 4; i++)
		if (!audit_line_plain(str[i], strlen(str[i])))
			return 0;
	util_hex(e->envelope_sha256, AUDIT_HASH_LEN, h[0]);
	util_hex(e->prev_hash, AUDIT_HASH_LEN, h[1]);
	util_hex(e->hash, AUDIT_HASH_LEN, h[2]);
	n = snprintf(buf, len, "%s%lld%s%lld%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s\n",
	    audit_line_keys[0], (long long)e->seq, audit_line_keys[1],
	    (long long)e->time, audit_line_keys[2], str[0], audit_line_keys[3],
	    str[1], audit_line_keys[4], str[2], audit_line_keys[5], str[3],
	    audit_line_keys[6], h[0], audit_line_keys[7], h[1],
	    audit_line_keys[8], h[2], audit_line_keys[9]);
	return n > 0 && (size_t)n < len ? n : 0;
}

/* Reads the integer at *p as the writer prints it (no leading zero, no
 * "-0", at most 18 digits); 0 if it is not one. */
static int
audit_line_int(char **p, int64_t *v)
{
	char	*s = *p;
	int	 neg = 0, n = 0;

	*v = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s == '0' && (neg || (s[1] >= '0' && s[1] <= '9')))
		return 0;
	while (*s >= '0' && *s <= '9' && n < 19) {
		*v = *v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || n > 18)
		return 0;
	if (neg)
		*v = -*v;
	*p = s;
	return 1;
}

int
audit_entry_from_line(char *line, size_t len, struct audit_entry *e)
{
	char		*p = line, *end = line + len, *str[4], *q;
	uint8_t		*hash[3];
	size_t		 i, k;

	if (len == 0 || line[len - 1] != '\n' || memchr(line, '\0', len))
		return 0;
	memset(e, 0, sizeof(*e));
	hash[0] = e->envelope_sha256;
	hash[1] = e->prev_hash;
	hash[2] = e->hash;
	for (i = 0; i < 10; i++) {
		k = strlen(audit_line_keys[i]);
		if ((size_t)(end - p) < k || memcmp(p, audit_line_keys[i], k))
			return 0;
		p += k;
		if (i == 0 || i == 1) {
			if (!audit_line_int(&p, i == 0 ? &e->seq : &e->time))
				return 0;
		} else if (i < 6) {
			if ((q = memchr(p, '"', (size_t)(end - p))) == NULL ||
			    !audit_line_plain(p, (size_t)(q - p)))
				return 0;
			str[i - 2] = p;
			p = q;
		} else if (i < 9) {
			if ((size_t)(end - p) < 2 * AUDIT_HASH_LEN ||
			    util_unhex_at(p, hash[i - 6], AUDIT_HASH_LEN, 0) == -1)
				return 0;
			p += 2 * AUDIT_HASH_LEN;
		}
	}
	if (p != end - 1)
		return 0;
	/* Every string ends at its closing quote, now a NUL. */
	for (i = 0; i < 4; i++)
		*strchr(str[i], '"') = '\0';
	e->kind = str[0];
	e->message_id = str[1];
	e->peer = str[2];
	e->detail = str[3];
	return 1;
}
