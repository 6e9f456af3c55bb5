/*
 * Message ids bound to their sender (docs/guarantees.md "Message ids").
 * A receiving node holds one message per id, so were an id the sender's
 * free choice, a member that learnt another's envelope id (a forwarded
 * copy, say) could send an envelope of its own under it to the same
 * recipient first; the recipient would then hold the squatter's envelope
 * and refuse the real one.  So the id is made: the first 4 bytes are the
 * time and counter util_uuid_new() puts there (ids close in time stay
 * close as keys), the rest the first 16 bytes of SHA-256(MSGID_DOMAIN ||
 * sender || 0x00 || nonce) with version 8 and variant 111, where nonce is
 * 16 random bytes the sender picks per envelope and sends along
 * (Envelope.id_nonce, in hex).  A receiver makes it again from the
 * certificate-checked sender: another member would need a nonce that
 * matches 89 bits of it.  Used by ctl_msg.c, sendmany.c and checks.c
 * (making them) and validate.c (checking them).
 */
#ifndef POC_MSGID_H
#define POC_MSGID_H

#include "threadid.h"
#include "util.h"

#define MSGID_DOMAIN		"pocd message id v1"
#define MSGID_NONCE_HEX		THREADID_NONCE_HEX

/* A new id bound to sender into id, with its nonce.  0, or -1 if the
 * random generator failed or sender is empty. */
int	 msgid_new(const char *sender, char id[UUID_STR_LEN],
	    char nonce[MSGID_NONCE_HEX + 1]);

/* The id that sender's nonce makes with the first 8 hex digits of head,
 * lowercase, into out.  0, or -1 if sender is empty, nonce is not
 * MSGID_NONCE_HEX lowercase hex digits or head does not start with 8
 * lowercase hex digits. */
int	 msgid_make(const char *sender, const char *nonce, const char *head,
	    char out[UUID_STR_LEN]);

/* 1 if id has the form of an id bound to its sender (variant 111): such
 * an id is taken only with the id_nonce that makes it. */
int	 msgid_bound(const char *id);

#endif
