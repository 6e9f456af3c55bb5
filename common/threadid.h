/*
 * Thread ids bound to the member that opens the case (docs/directory.md
 * "One message to many").  A send to many gives its recipients one
 * thread, so each of them learns its id; were the id the sender's free
 * choice, a co-recipient could open a case of its own in it at another
 * recipient's node before the sender's envelope arrives, and that node
 * would then refuse the sender's (store_thread.h).  So the id is made:
 * the first 16 bytes of SHA-256(THREADID_DOMAIN || sender || 0x00 ||
 * nonce) as a UUID of version 8 and variant 110, where nonce is 16 random bytes the
 * sender picks per case and sends along (Envelope.thread_nonce, in hex).
 * A receiver makes it again from the certificate-checked sender: no
 * other member can name a nonce that makes that id.  Used by sendmany.c
 * (making it) and validate.c (checking it).
 */
#ifndef POC_THREADID_H
#define POC_THREADID_H

#include <stdint.h>

#include "util.h"

#define THREADID_DOMAIN		"pocd shared thread v1"
#define THREADID_NONCE_LEN	16			/* bytes */
#define THREADID_NONCE_HEX	(2 * THREADID_NONCE_LEN)	/* digits */

/* A new random nonce as THREADID_NONCE_HEX lowercase hex digits and NUL.
 * 0, or -1 if the random generator failed. */
int	 threadid_nonce_new(char out[THREADID_NONCE_HEX + 1]);

/* The first 16 bytes of SHA-256(domain || sender || 0x00 || nonce), the
 * binding of thread ids here and of message ids (msgid.h).  0, or -1 if
 * sender is empty or nonce is not THREADID_NONCE_HEX lowercase hex
 * digits. */
int	 threadid_bind(const char *domain, const char *sender,
	    const char *nonce, uint8_t out[16]);

/* The thread id that sender's nonce makes, lowercase, into out.  0, or -1
 * if sender is empty or nonce is not THREADID_NONCE_HEX lowercase hex
 * digits. */
int	 threadid_make(const char *sender, const char *nonce,
	    char out[UUID_STR_LEN]);

/* 1 if uuid has the form of a shared thread (variant 110): an envelope's
 * id never may, or a member could open a case of its own whose id, and so
 * thread, is a shared thread it learnt, and take it first just the same.
 * Ids made by pocd (util_uuid_new) are of variant 10. */
int	 threadid_reserved(const char *uuid);

#endif
