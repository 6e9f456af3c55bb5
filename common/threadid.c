/*
 * Thread ids bound to the member that opens the case (see threadid.h).
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sha256.h"
#include "threadid.h"
#include "util.h"

int
threadid_nonce_new(char out[THREADID_NONCE_HEX + 1])
{
	uint8_t	 b[THREADID_NONCE_LEN];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	util_hex(b, sizeof(b), out);
	return 0;
}

int
threadid_bind(const char *domain, const char *sender, const char *nonce,
    uint8_t out[16])
{
	static const uint8_t	 nul = 0;
	uint8_t			 n[THREADID_NONCE_LEN], h[EVP_MAX_MD_SIZE];
	unsigned		 hlen = 0;
	EVP_MD_CTX		*ctx;
	int			 ok;

	if (sender == NULL || sender[0] == '\0' ||
	    util_unhex(nonce, n, sizeof(n), 0) == -1)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, sha256_md(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, domain, strlen(domain)) == 1 &&
	    EVP_DigestUpdate(ctx, sender, strlen(sender)) == 1 &&
	    EVP_DigestUpdate(ctx, &nul, 1) == 1 &&
	    EVP_DigestUpdate(ctx, n, sizeof(n)) == 1 &&
	    EVP_DigestFinal_ex(ctx, h, &hlen) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	memcpy(out, h, 16);
	return 0;
}

int
threadid_make(const char *sender, const char *nonce, char out[UUID_STR_LEN])
{
	uint8_t	 h[16];

	if (threadid_bind(THREADID_DOMAIN, sender, nonce, h) == -1)
		return -1;
	/* RFC 9562: version 8 (custom), variant 110, which no envelope id
	 * may take (threadid_reserved). */
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x80);
	h[8] = (uint8_t)((h[8] & 0x1f) | 0xc0);
	util_uuid_format(out, h);
	return 0;
}

int
threadid_reserved(const char *uuid)
{
	return uuid != NULL && strlen(uuid) == UUID_STR_LEN - 1 &&
	    strchr("cdCD", uuid[19]) != NULL;
}
