/*
 * Message ids bound to their sender (see msgid.h).
 */
#include <stdint.h>
#include <string.h>

#include "msgid.h"

int
msgid_new(const char *sender, char id[UUID_STR_LEN],
    char nonce[MSGID_NONCE_HEX + 1])
{
	char	 head[UUID_STR_LEN];

	if (util_uuid_new(head) != 0 || threadid_nonce_new(nonce) != 0)
		return -1;
	return msgid_make(sender, nonce, head, id);
}

int
msgid_make(const char *sender, const char *nonce, const char *head,
    char out[UUID_STR_LEN])
{
	uint8_t	 h[16];

	/* The head's 4 bytes are the sender's time and counter (not bound). */
	if (head == NULL || strlen(head) < 8 ||
	    threadid_bind(MSGID_DOMAIN, sender, nonce, h) == -1 ||
	    util_unhex_at(head, h, 4, 0) == -1)
		return -1;
	/* RFC 9562: version 8 (custom), variant 111, the form of no other
	 * id (pocd's unbound ids are of variant 10, threads of 110). */
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x80);
	h[8] = (uint8_t)((h[8] & 0x1f) | 0xe0);
	util_uuid_format(out, h);
	return 0;
}

int
msgid_bound(const char *id)
{
	return id != NULL && strlen(id) == UUID_STR_LEN - 1 &&
	    strchr("efEF", id[19]) != NULL;
}
