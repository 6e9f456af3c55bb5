/*
 * Thread ids bound to the member that opens the case (see threadid.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sha256.h"
#include "threadid.h"

static const char	threadid_hex[] = "0123456789abcdef";

int
threadid_nonce_new(char out[THREADID_NONCE_HEX + 1])
{
	uint8_t	 b[THREADID_NONCE_LEN];
	size_t	 i;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	for (i = 0; i < sizeof(b); i++) {
		out[2 * i] = threadid_hex[b[i] >> 4];
		out[2 * i + 1] = threadid_hex[b[i] & 0x0f];
	}
	out[THREADID_NONCE_HEX] = '\0';
	return 0;
}

/* The value of lowercase hex digit c, or -1. */
static int
threadid_digit(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(threadid_hex, c)) == NULL)
		return -1;
	return (int)(p - threadid_hex);
}

/* nonce (lowercase hex) into b.  0, or -1 if it is not one. */
static int
threadid_nonce_parse(const char *nonce, uint8_t b[THREADID_NONCE_LEN])
{
	size_t	 i;
	int	 hi, lo;

	if (nonce == NULL || strlen(nonce) != THREADID_NONCE_HEX)
		return -1;
	for (i = 0; i < THREADID_NONCE_LEN; i++) {
		if ((hi = threadid_digit(nonce[2 * i])) == -1 ||
		    (lo = threadid_digit(nonce[2 * i + 1])) == -1)
			return -1;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
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
	    threadid_nonce_parse(nonce, n) == -1)
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

void
threadid_format(const uint8_t h[16], char out[UUID_STR_LEN])
{
	snprintf(out, UUID_STR_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3],
	    h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13],
	    h[14], h[15]);
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
	threadid_format(h, out);
	return 0;
}

int
threadid_reserved(const char *uuid)
{
	return uuid != NULL && strlen(uuid) == UUID_STR_LEN - 1 &&
	    strchr("cdCD", uuid[19]) != NULL;
}
