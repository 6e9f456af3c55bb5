/*
 * TLS contexts (see tls.h): the one place that configures OpenSSL.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "tls.h"
#include "util.h"

/* TLS 1.2 is allowed only with forward secrecy and AEAD; TLS 1.3 suites are
 * all AEAD and keep OpenSSL's defaults. */
#define TLS12_CIPHERS \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305"
#define TLS_GROUPS	"X25519:P-256:P-384"
#define TLS_TICKET_LIFETIME	7200	/* seconds a session may be resumed */

static int	 tls_cn_index = -1;

/* The thread's OpenSSL error queue, as a source for tls_errors_from(). */
static unsigned long
tls_error_next(void *arg)
{
	(void)arg;
	return ERR_get_error();
}

void
tls_errors(char *buf, size_t len)
{
	(void)tls_errors_from(buf, len, tls_error_next, NULL);
}

/* The one place that turns OpenSSL error codes into text: every code is
 * taken from the queue, so none is left to confuse the next operation,
 * even when buf is full. */
size_t
tls_errors_from(char *buf, size_t len, unsigned long (*next)(void *),
    void *arg)
{
	unsigned long	 e;
	size_t		 off = 0;
	char		 one[256];

	if (len == 0)
		return 0;
	buf[0] = '\0';
	while ((e = next(arg)) != 0) {
		if (ERR_GET_LIB(e) == 0)
			continue;
		ERR_error_string_n(e, one, sizeof(one));
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off ? "; " : "", one);
	}
	return off < len ? off : len - 1;
}

/* Formats "what: detail (openssl queue)" into err. */
static void
tls_fail(char *err, size_t errlen, const char *what, const char *file)
{
	char	 q[1024];

	tls_errors(q, sizeof(q));
	snprintf(err, errlen, "%s%s%s%s%s", what, file ? " " : "",
	    file ? file : "", q[0] ? ": " : "", q);
}

/* Reads every CRL in a PEM file into store.  Returns the count, or -1. */
static int
tls_load_crls(X509_STORE *store, const char *crl_file)
{
	FILE		*f;
	X509_CRL	*crl;
	int		 n = 0;

	if ((f = fopen(crl_file, "r")) == NULL)
		return -1;
	while ((crl = PEM_read_X509_CRL(f, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_crl(store, crl) != 1) {
			X509_CRL_free(crl);
			fclose(f);
			return -1;
		}
		X509_CRL_free(crl);
		n++;
	}
	fclose(f);
	ERR_clear_error();	/* the PEM reader's end-of-file "error" */
	return n > 0 ? n : -1;
}

/* A trust store holding exactly the CA file, and the CRLs if given. */
static X509_STORE *
tls_store_new(const struct tls_opts *o, char *err, size_t errlen)
{
	X509_STORE	*store;

	if ((store = X509_STORE_new()) == NULL) {
		tls_fail(err, errlen, "out of memory", NULL);
		return NULL;
	}
	if (X509_STORE_load_file(store, o->ca_file) != 1) {
		tls_fail(err, errlen, "cannot load CA file", o->ca_file);
		X509_STORE_free(store);
		return NULL;
	}
	if (o->crl_file != NULL && o->crl_file[0] != '\0') {
		if (tls_load_crls(store, o->crl_file) < 0) {
			tls_fail(err, errlen, "cannot load CRL file",
			    o->crl_file);
			X509_STORE_free(store);
			return NULL;
		}
		X509_STORE_set_flags(store,
		    X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	}
	return store;
}

/*
 * Session resumption on the accept side: a server-side session cache with
 * TLS 1.3 stateful tickets (SSL_OP_NO_TICKET; TLS 1.2 session ids), one
 * ticket per handshake, a bounded lifetime and size (o->session_cache,
 * [limits] tls_session_cache; 0 turns resumption off), and a session id
 * context bound to the CA file, so a session of one listener is never
 * resumed on the other.
 *
 * Why stateful: a stateless ticket carries the session, client certificate
 * included, and decoding it (d2i_SSL_SESSION, with OpenSSL 3's key decoders)
 * cost a third of a resumed handshake; a cached session is found by id.
 * A resumed session skips chain verification.  The cache belongs to the
 * context, and SIGHUP replaces every context (reload.c) when it reads the
 * CA and CRL files again, so no session outlives the trust store that
 * verified it; what can change without a reload, time, is checked at every
 * resumption (tls_resumed_current): a session lives at most as long as the
 * certificates and CRLs that admitted it.
 */
static int
tls_resumption_setup(SSL_CTX *ctx, const struct tls_opts *o)
{
	unsigned char	 sid[SHA256_DIGEST_LENGTH];

	if (SHA256((const unsigned char *)o->ca_file, strlen(o->ca_file),
	    sid) == NULL ||
	    SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid)) != 1)
		return -1;
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (o->session_cache <= 0) {
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		return SSL_CTX_set_num_tickets(ctx, 0) == 1 ? 0 : -1;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_sess_set_cache_size(ctx, o->session_cache);
	SSL_CTX_set_timeout(ctx, TLS_TICKET_LIFETIME);
	return SSL_CTX_set_num_tickets(ctx, 1) == 1 ? 0 : -1;
}

/* 1 if the time validity of x holds now. */
static int
tls_cert_current(X509 *x)
{
	return X509_cmp_current_time(X509_get0_notBefore(x)) < 0 &&
	    X509_cmp_current_time(X509_get0_notAfter(x)) > 0;
}

/*
 * A resumed session was verified against the trust store in force (a
 * reload brings a new context and cache); what may have lapsed since is time:
 * the peer's certificates and the store's CA certificates and CRLs must
 * still be within their validity.  Returns 0, or -1 to refuse the peer.
 */
int
tls_resumed_current(SSL *ssl)
{
	STACK_OF(X509)		*chain;
	STACK_OF(X509_OBJECT)	*objs;
	X509_STORE		*store;
	X509_OBJECT		*obj;
	X509_CRL		*crl;
	X509			*x;
	int			 i, ok = 1;

	if (!SSL_session_reused(ssl))
		return 0;
	if ((x = SSL_get0_peer_certificate(ssl)) == NULL ||
	    !tls_cert_current(x))
		return -1;
	chain = SSL_get_peer_cert_chain(ssl);
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		if (!tls_cert_current(sk_X509_value(chain, i)))
			return -1;
	store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
	if (X509_STORE_lock(store) != 1)
		return -1;
	objs = X509_STORE_get0_objects(store);
	for (i = 0; ok && i < sk_X509_OBJECT_num(objs); i++) {
		obj = sk_X509_OBJECT_value(objs, i);
		if ((x = X509_OBJECT_get0_X509(obj)) != NULL)
			ok = tls_cert_current(x);
		else if ((crl = X509_OBJECT_get0_X509_CRL(obj)) != NULL)
			ok = X509_CRL_get0_nextUpdate(crl) == NULL ||
			    X509_cmp_current_time(
			    X509_CRL_get0_nextUpdate(crl)) > 0;
	}
	X509_STORE_unlock(store);
	return ok ? 0 : -1;
}

SSL_CTX *
tls_ctx_new(const struct tls_opts *o, char *err, size_t errlen)
{
	SSL_CTX			*ctx;
	X509_STORE		*store;
	STACK_OF(X509_NAME)	*names;

	if (o->ca_file == NULL || o->cert_file == NULL || o->key_file == NULL) {
		snprintf(err, errlen, "ca, cert and key are all required");
		return NULL;
	}
	ctx = SSL_CTX_new(o->server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL) {
		tls_fail(err, errlen, "SSL_CTX_new failed", NULL);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* An idle connection holds no 34 KiB of record buffers. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, TLS_GROUPS) != 1) {
		tls_fail(err, errlen, "cannot set cipher suites", NULL);
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1) {
		tls_fail(err, errlen, "cannot load certificate", o->cert_file);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, o->key_file,
	    SSL_FILETYPE_PEM) != 1) {
		tls_fail(err, errlen, "cannot load key", o->key_file);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_fail(err, errlen, "key does not match certificate",
		    o->key_file);
		goto fail;
	}
	if ((store = tls_store_new(o, err, errlen)) == NULL)
		goto fail;
	SSL_CTX_set_cert_store(ctx, store);
	if (o->server) {
		if ((names = SSL_load_client_CA_file(o->ca_file)) == NULL) {
			tls_fail(err, errlen, "cannot read CA names",
			    o->ca_file);
			goto fail;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
	}
	/* Mutual authentication, always (DESIGN.md "Identity and trust"). */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	if (o->server && tls_resumption_setup(ctx, o) != 0) {
		tls_fail(err, errlen, "cannot set up session resumption", NULL);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* Copies the single CN of name into cn if it is printable ASCII. */
static int
tls_name_cn(X509_NAME *name, char *cn, size_t len)
{
	int			 i;
	X509_NAME_ENTRY		*ent;
	ASN1_STRING		*str;
	unsigned char		*utf8 = NULL;
	int			 n, k;

	if (name == NULL ||
	    (i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0 ||
	    X509_NAME_get_index_by_NID(name, NID_commonName, i) >= 0)
		return -1;
	ent = X509_NAME_get_entry(name, i);
	str = X509_NAME_ENTRY_get_data(ent);
	if ((n = ASN1_STRING_to_UTF8(&utf8, str)) < 0)
		return -1;
	if (n == 0 || (size_t)n >= len) {
		OPENSSL_free(utf8);
		return -1;
	}
	for (k = 0; k < n; k++)
		if (utf8[k] < 0x21 || utf8[k] > 0x7e) {
			OPENSSL_free(utf8);
			return -1;
		}
	memcpy(cn, utf8, (size_t)n);
	cn[n] = '\0';
	OPENSSL_free(utf8);
	return 0;
}

int
tls_peer_cn(SSL *ssl, char *cn, size_t len)
{
	X509	*cert;

	if (SSL_get_verify_result(ssl) != X509_V_OK ||
	    (cert = SSL_get0_peer_certificate(ssl)) == NULL)
		return -1;
	return tls_name_cn(X509_get_subject_name(cert), cn, len);
}

int
tls_peer_fingerprint(SSL *ssl, char hex[65])
{
	X509		*cert;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n;

	if ((cert = SSL_get0_peer_certificate(ssl)) == NULL ||
	    X509_digest(cert, EVP_sha256(), md, &n) != 1 || n != 32)
		return -1;
	util_hex(md, n, hex);
	return 0;
}

/*
 * The session keeps, parsed, every certificate the peer sent for as long
 * as the connection lives (about 4.5 KiB each); an OpenSSL peer sends its
 * whole chain, our own trust anchor included, and any peer may add
 * certificates that verify nothing.  Only the peer's leaf and the
 * certificates of the verified path are worth keeping: the verified chain
 * holds its own references to the latter, and the anchor in it is the one
 * from our store, so the peer's copy of it goes too.
 */
int
tls_trim_peer_chain(SSL *ssl)
{
	STACK_OF(X509)	*chain = SSL_get_peer_cert_chain(ssl);
	STACK_OF(X509)	*path = SSL_get0_verified_chain(ssl);
	X509		*leaf = SSL_get0_peer_certificate(ssl), *x;
	int		 i, j, keep, n = 0;

	/* A resumed session was not verified here: nothing to compare. */
	if (chain == NULL || path == NULL)
		return 0;
	for (i = sk_X509_num(chain) - 1; i >= 0; i--) {
		x = sk_X509_value(chain, i);
		keep = x == leaf;
		for (j = 0; !keep && j < sk_X509_num(path); j++)
			keep = sk_X509_value(path, j) == x;
		if (keep)
			continue;
		(void)sk_X509_delete(chain, i);
		X509_free(x);	/* the session's reference */
		n++;
	}
	return n;
}

const char *
tls_verify_reason(SSL *ssl)
{
	return X509_verify_cert_error_string(SSL_get_verify_result(ssl));
}

/* Verify callback: after the chain checks, the leaf's CN must be the one
 * stored on the SSL by tls_expect_cn. */
static int
tls_verify_cn_cb(int ok, X509_STORE_CTX *xs)
{
	SSL		*ssl;
	const char	*want;
	char		 cn[256];

	if (!ok || X509_STORE_CTX_get_error_depth(xs) != 0)
		return ok;
	ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL || (want = SSL_get_ex_data(ssl, tls_cn_index)) == NULL)
		return ok;
	if (tls_name_cn(X509_get_subject_name(
	    X509_STORE_CTX_get_current_cert(xs)), cn, sizeof(cn)) != 0 ||
	    strcmp(cn, want) != 0) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_HOSTNAME_MISMATCH);
		return 0;
	}
	return 1;
}

int
tls_expect_cn(SSL *ssl, const char *cn)
{
	if (tls_cn_index < 0)
		tls_cn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (tls_cn_index < 0 || SSL_set_ex_data(ssl, tls_cn_index,
	    (void *)(uintptr_t)cn) != 1)
		return -1;
	SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	    tls_verify_cn_cb);
	return 0;
}
