/*
 * Field rules for envelopes and their template bodies (DESIGN.md, "Wire
 * format"), used by pocd on what an operator submits and on what a peer
 * sends.  Rules that need the node's state (known recipient, sender = the
 * certificate's CN, referenced ids that exist) are checked by the caller.
 */
#ifndef POC_VALIDATE_H
#define POC_VALIDATE_H

#include <stddef.h>
#include "proto/poc.pb-c.h"

#define VALIDATE_MAX_ERRORS	32
#define VALIDATE_MAX_MEMBER	32	/* bytes in a member code */
/* Characters of a message or campaign id that pocctl and pocd take as a
 * unique prefix at the least (ids are UUIDs, 36 characters). */
#define VALIDATE_ID_PREFIX_MIN	4

struct validate_error {
	char	field[128];	/* path: "assistance_request.indicators[2].value" */
	char	message[192];	/* what is wrong and what is allowed */
};

struct validate_result {
	size_t			n;		/* errors found (capped) */
	size_t			total;		/* errors counted */
	struct validate_error	err[VALIDATE_MAX_ERRORS];
};

/*
 * Checks every rule that depends on the envelope alone: id and thread_id
 * are UUIDs (thread_id = id for a new case, thread_nonce empty),
 * in_reply_to is empty or a UUID, sender and recipient are member codes
 * and differ, created_at is plausible, tlp is given, language is a BCP 47
 * tag (or empty), exactly one body is set, every enum (also repeated ones) is a known value, every string
 * is UTF-8 within its size limit, repeated fields within their count limit,
 * required fields are present, and the names in unavailable/withheld are
 * fields of that body that are not also given.  Returns 0 if valid, else -1
 * with r filled.
 */
int	 validate_envelope(const Poc__Envelope *, struct validate_result *r);

/*
 * The same rules for an envelope received from a peer, except that a new
 * case may be opened in a thread that is not its id (in_reply_to empty)
 * if that thread is the one its sender's thread_nonce makes
 * (threadid.h): a send to many gives its recipients one thread
 * (docs/directory.md "One message to many").  The caller has checked
 * that sender is the peer's member.  Whether that thread may be opened
 * here is the receiving node's to say (store_thread.h).
 */
int	 validate_envelope_received(const Poc__Envelope *,
	    struct validate_result *r);

/* 1 if s is a valid member code: 2..32 of A-Z, 0-9, '-', '_', starting with
 * a letter. */
int	 validate_member_code(const char *s);

/* The oneof member name of the body ("assistance_request"), or NULL. */
const char *validate_body_name(const Poc__Envelope *);

/* Adds an error to r (used by callers for state-dependent rules). */
void	 validate_add(struct validate_result *r, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
