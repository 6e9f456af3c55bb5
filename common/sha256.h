/*
 * The SHA-256 implementation, fetched from OpenSSL once per process.
 *
 * OpenSSL 3 resolves EVP_sha256() to a provider's implementation on every
 * EVP_DigestInit_ex() (a fetch through the method store, under its lock),
 * which cost more than hashing a 32-byte Merkle node.  Handing the
 * digest calls an explicitly fetched EVP_MD skips that.
 */
#ifndef POC_SHA256_H
#define POC_SHA256_H

#include <openssl/evp.h>

/* SHA-256, fetched on first use (thread-safe) and kept for the life of
 * the process.  Never NULL: a build without SHA-256 cannot run. */
const EVP_MD	*sha256_md(void);

#endif
