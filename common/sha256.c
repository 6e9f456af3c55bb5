/*
 * The SHA-256 implementation, fetched once (see sha256.h).
 */
#include <pthread.h>

#include "sha256.h"

static pthread_once_t	 sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD		*sha256_fetched;

static void
sha256_fetch(void)
{
	sha256_fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const EVP_MD *
sha256_md(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	/* Not freed: it lives as long as the process, as OpenSSL's own
	 * EVP_sha256() does.  Without it, fall back to the implicit fetch. */
	return sha256_fetched != NULL ? sha256_fetched : EVP_sha256();
}
