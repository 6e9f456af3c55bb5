/*
 * Detached signatures by member node keys (the key of the node certificate,
 * ECDSA P-256 with SHA-256), for what must be provable independently of a
 * TLS session: directory records and envelopes.
 *
 * Every signature covers a context string and the bytes, so a signature made
 * for one purpose ("pocd record v1") can never be presented as another
 * ("pocd envelope v1", "pocd audit head v1").
 */
#ifndef POC_SIG_H
#define POC_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define SIG_CTX_RECORD		"pocd record v1"
#define SIG_CTX_ENVELOPE	"pocd envelope v1"
#define SIG_CTX_BATCH		"pocd envelope batch v1"  /* envsig.h */
#define SIG_CTX_AUDIT_HEAD	"pocd audit head v1"	/* audithead.h */
#define SIG_MAX_LEN		256	/* DER ECDSA P-256 is at most 72 */

/* Loads a PEM private key.  NULL with err set on failure. */
EVP_PKEY	*sig_key_load(const char *path, char *err, size_t errlen);

/* Loads the first certificate of a PEM file.  NULL with err set. */
X509		*sig_cert_load(const char *path, char *err, size_t errlen);

/* A certificate from DER bytes, or NULL. */
X509		*sig_cert_from_der(const uint8_t *der, size_t len);

/* DER bytes of cert (malloc'd) in *out.  Returns the length, or -1. */
int		 sig_cert_to_der(X509 *cert, uint8_t **out);

/* Signs ctx || 0x00 || data.  Writes at most SIG_MAX_LEN bytes to sig and
 * their count to *siglen.  Returns 0 or -1. */
int		 sig_sign(EVP_PKEY *key, const char *ctx, const uint8_t *data,
		    size_t len, uint8_t *sig, size_t *siglen);

/* Verifies a signature made by sig_sign with the key of cert.  Returns 1
 * if valid, 0 if not (or on any error). */
int		 sig_verify(X509 *cert, const char *ctx, const uint8_t *data,
		    size_t len, const uint8_t *sig, size_t siglen);

/* Verifies that cert chains to one of the CAs in store (with its CRLs, if
 * the store has them) and that its subject CN is cn.  Returns 1 or 0, with
 * the reason in err. */
int		 sig_cert_check(X509 *cert, X509_STORE *store, const char *cn,
		    char *err, size_t errlen);

/* Only the first half of sig_cert_check: cert chains to store's CAs. */
int		 sig_cert_chain(X509 *cert, X509_STORE *store, char *err,
		    size_t errlen);

/* Checks only that cert's subject has one CN and that it is cn (for a
 * certificate its checker holds as the member's own).  1 or 0 with err. */
int		 sig_cert_check_cn(X509 *cert, const char *cn, char *err,
		    size_t errlen);

/* Lower-case hex SHA-256 of the certificate's DER, as tls_peer_fingerprint. */
int		 sig_cert_fingerprint(X509 *cert, char hex[65]);

/* Reads a SHA-256 fingerprint as written by people and tools: 64 hex
 * digits in either case, or OpenSSL's colon form (AB:CD:...), optionally
 * after OpenSSL's "sha256 Fingerprint=".  Writes it to hex in the form
 * above; 0, or -1 if s is none of these. */
int		 sig_fingerprint_parse(const char *s, char hex[65]);

#endif
