/*
 * TLS contexts for pocd's two listeners, its outgoing peer connections and
 * pocctl.  This is the only module that configures OpenSSL: protocol code
 * sees an SSL * only to hand it to libevent or to ask who is on the other end.
 *
 * Policy (DESIGN.md, "Identity and trust"): mutual authentication always
 * (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT); one CA file per
 * context, never the system store; TLS 1.3 preferred, TLS 1.2 only with
 * ECDHE and AEAD suites; no renegotiation, no compression; an optional CRL
 * checked for the leaf and the chain.
 */
#ifndef POC_TLS_H
#define POC_TLS_H

#include <stddef.h>
#include <openssl/ssl.h>

struct tls_opts {
	const char	*ca_file;	/* the only trust anchor for the peer */
	const char	*cert_file;	/* our certificate (chain) */
	const char	*key_file;	/* its private key */
	const char	*crl_file;	/* NULL or "" = no CRL */
	int		 server;	/* 1 = accept side, 0 = connect side */
	int		 session_cache;	/* accept side: sessions kept for
					 * resumption; 0 = no resumption */
};

/* Builds a context; NULL on failure, with the reason (and the whole OpenSSL
 * error queue) in err. */
SSL_CTX	*tls_ctx_new(const struct tls_opts *, char *err, size_t errlen);

/* For a resumed session (skipped chain verification): 0 if the peer's
 * certificates and the trust store's CAs and CRLs are all still within
 * their validity, else -1 (refuse the peer).  0 for a full handshake. */
int	 tls_resumed_current(SSL *);

/* Copies the subject CN of the verified peer certificate into cn.
 * Returns 0, or -1 if there is no verified certificate, no CN, more than one
 * CN, a CN with bytes outside printable ASCII, or one longer than len - 1. */
int	 tls_peer_cn(SSL *, char *cn, size_t len);

/* Lower-case hex SHA-256 of the peer certificate (DER), 65 bytes with NUL. */
int	 tls_peer_fingerprint(SSL *, char hex[65]);

/* After a verified handshake, frees the certificates the peer sent that
 * its verified path does not use (e.g. its copy of our CA).  Returns how
 * many went. */
int	 tls_trim_peer_chain(SSL *);

/* Describes the last verification result of ssl, e.g. "certificate revoked". */
const char *tls_verify_reason(SSL *);

/* Drains the OpenSSL error queue into buf as "; "-separated entries. */
void	 tls_errors(char *buf, size_t len);

/* The same for a queue kept elsewhere (libevent keeps one per
 * bufferevent): next(arg) returns its next code, 0 when it is empty.
 * Codes without an OpenSSL library (libevent's copies of errno) are passed
 * over.  Returns strlen(buf). */
size_t	 tls_errors_from(char *buf, size_t len, unsigned long (*next)(void *),
	    void *arg);

/* Makes the handshake of ssl fail unless the peer certificate's CN is cn
 * (a client dialling member FRA must reach FRA, not any member).  The
 * string must outlive ssl.  Returns 0 or -1. */
int	 tls_expect_cn(SSL *, const char *cn);

#endif
