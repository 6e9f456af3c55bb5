/*
 * The audit log's chain (DESIGN.md "Store and audit"), shared by pocd,
 * which appends entries, and pocctl, which verifies an export offline.
 *
 * Every entry holds the SHA-256 of the entry before it; its own hash is
 * the SHA-256 of a canonical encoding of all of its fields, the previous
 * hash included.  Changing, inserting or deleting an entry therefore breaks
 * the chain at that entry: its recomputed hash differs from the stored one,
 * or its prev_hash or seq no longer follow from the entry before.
 *
 * Canonical encoding, hashed with SHA-256:
 *	"pocd audit v1" 0x00
 *	seq, time			8 bytes each, big-endian two's complement
 *	kind, message_id, peer, detail	4-byte big-endian length, then bytes
 *	envelope_sha256, prev_hash	32 bytes each
 */
#ifndef POC_AUDIT_H
#define POC_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define AUDIT_CTX		"pocd audit v1"
#define AUDIT_HASH_LEN		32
#define AUDIT_MAX_TEXT		4096	/* bytes in one text field */

/* One entry.  The strings are borrowed (from the store row, a message or
 * a JSON document) and must outlive the entry's use. */
struct audit_entry {
	int64_t		 seq;			/* 1, 2, ... without gaps */
	int64_t		 time;			/* Unix ms */
	const char	*kind;			/* audit_kind_valid() */
	const char	*message_id;
	const char	*peer;
	const char	*detail;
	uint8_t		 envelope_sha256[AUDIT_HASH_LEN];
	uint8_t		 prev_hash[AUDIT_HASH_LEN];
	uint8_t		 hash[AUDIT_HASH_LEN];
};

/* 1 if kind is an event the log records: queued, received, delivered,
 * rejected, resigned (a queued envelope signed again after a node key
 * rotation); and enroll-approved, enroll-rejected (an enrollment decision:
 * message_id empty, peer the member, envelope_sha256 the digest of the
 * record offered). */
int	 audit_kind_valid(const char *kind);

/* Computes the hash of e over its canonical encoding (e->hash is not part
 * of it).  Returns 0, or -1 if a field is too long or hashing fails. */
int	 audit_entry_hash(const struct audit_entry *e,
	    uint8_t out[AUDIT_HASH_LEN]);

/* Fills e->prev_hash and e->seq from prev (NULL: e is the first entry),
 * then e->hash.  Returns 0 or -1. */
int	 audit_entry_chain(struct audit_entry *e,
	    const struct audit_entry *prev);

/*
 * Checks that e follows prev (NULL: e must be the first entry, seq 1 with
 * a zero prev_hash) and that e->hash is the hash of its fields.  Returns 1
 * if so, else 0 with what is wrong in why.
 */
int	 audit_entry_check(const struct audit_entry *e,
	    const struct audit_entry *prev, char *why, size_t whylen);

/* SHA-256 of len bytes.  Returns 0 or -1. */
int	 audit_sha256(const void *data, size_t len,
	    uint8_t out[AUDIT_HASH_LEN]);

/* An entry as a JSON object (hashes in lower-case hex); NULL if out of
 * memory. */
json_t	*audit_entry_to_json(const struct audit_entry *e);

/* Reads an entry from a JSON object as audit_entry_to_json writes it; the
 * strings borrow from j.  Returns 0, or -1 with the reason in err. */
int	 audit_entry_from_json(const json_t *j, struct audit_entry *e,
	    char *err, size_t errlen);

/* The export line of e (its JSON object, then '\n') written directly into
 * buf, when none of its strings needs an escape: the same bytes as
 * through audit_entry_to_json.  Returns the length, or 0 if e must go
 * through JSON (or does not fit). */
int	 audit_entry_line(const struct audit_entry *e, char *buf, size_t len);

/* Reads line (len bytes, ending in '\n') if it is exactly what
 * audit_entry_line writes: returns 1 with e's strings in line (their
 * closing quotes become NULs), or 0, line untouched, for a line to read
 * through JSON instead. */
int	 audit_entry_from_line(char *line, size_t len, struct audit_entry *e);

#endif
