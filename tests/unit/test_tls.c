/*
 * Unit tests for common/tls.c on the accept side: session resumption from
 * the server-side cache, what a resumed session must still satisfy when a
 * certificate lapses, a new context (SIGHUP) resuming nothing of the old
 * one, and the trimming of the certificates a peer sent.  Both ends run
 * in-process over a BIO pair, with a PKI made by certs/mkpki.  And the one
 * function that turns an OpenSSL error queue into text.
 */
#include <check.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "pki_fixture.h"
#include "tls.h"

#define AUS_SECONDS	4	/* AUS's node certificate lapses after this */

static SSL_CTX	*srv_ctx, *cli_ctx;

/* A context of member with the network CA and CRL, keeping cache
 * sessions if it serves. */
static SSL_CTX *
ctx_cache(const char *member, int server, int cache)
{
	static char	 ca[PATH_MAX + 32], crl[PATH_MAX + 32],
			 cert[PATH_MAX + 64], key[PATH_MAX + 64];
	struct tls_opts	 o = { ca, cert, key, crl, server, cache };
	char		 err[1024];
	SSL_CTX		*ctx;

	snprintf(ca, sizeof(ca), "%s/network-ca.pem", pki_dir);
	snprintf(crl, sizeof(crl), "%s/network-ca.crl", pki_dir);
	snprintf(cert, sizeof(cert), "%s/%s/node.pem", pki_dir, member);
	snprintf(key, sizeof(key), "%s/%s/node.key", pki_dir, member);
	ctx = tls_ctx_new(&o, err, sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	return ctx;
}

static SSL_CTX *
ctx_of(const char *member, int server)
{
	return ctx_cache(member, server, 4096);
}

/* FRA serves; AUS's node certificate is reissued to lapse soon. */
static void
setup(void)
{
	char	 cmd[PATH_MAX + 128];

	pki_setup();
	snprintf(cmd, sizeof(cmd), "certs/mkpki --seconds %d --force member "
	    "%s AUS >/dev/null", AUS_SECONDS, pki_dir);
	ck_assert_int_eq(system(cmd), 0);
	srv_ctx = ctx_of("FRA", 1);
	cli_ctx = ctx_of("AUS", 0);
}

static void
teardown(void)
{
	SSL_CTX_free(srv_ctx);
	SSL_CTX_free(cli_ctx);
	pki_teardown();
}

/*
 * Runs a handshake between a new server SSL of sctx and a client SSL of
 * cli_ctx (offering sess, if any), then one byte server to client so the
 * client takes its TLS 1.3 ticket.  Returns 0 with *sp and *cp set, or -1
 * if the handshake failed (both freed).
 */
static int
handshake(SSL_CTX *sctx, SSL_SESSION *sess, SSL **sp, SSL **cp)
{
	BIO	*sb, *cb;
	SSL	*s, *c;
	int	 i, sdone = 0, cdone = 0, rc, e;
	char	 b;

	ck_assert_ptr_nonnull(s = SSL_new(sctx));
	ck_assert_ptr_nonnull(c = SSL_new(cli_ctx));
	ck_assert_int_eq(BIO_new_bio_pair(&sb, 0, &cb, 0), 1);
	SSL_set_bio(s, sb, sb);
	SSL_set_bio(c, cb, cb);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	if (sess != NULL)
		ck_assert_int_eq(SSL_set_session(c, sess), 1);
	for (i = 0; i < 50 && !(sdone && cdone); i++) {
		if (!cdone) {
			if ((rc = SSL_do_handshake(c)) == 1)
				cdone = 1;
			else if ((e = SSL_get_error(c, rc)) !=
			    SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				break;
		}
		if (!sdone) {
			if ((rc = SSL_do_handshake(s)) == 1)
				sdone = 1;
			else if ((e = SSL_get_error(s, rc)) !=
			    SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				break;
		}
	}
	if (!(sdone && cdone) || SSL_write(s, "x", 1) != 1 ||
	    SSL_read(c, &b, 1) != 1) {
		ERR_clear_error();
		SSL_free(s);
		SSL_free(c);
		return -1;
	}
	*sp = s;
	*cp = c;
	return 0;
}

/* Closes both ends in order: OpenSSL drops from the cache the session of
 * a connection freed without a close_notify sent. */
static void
hangup(SSL *s, SSL *c)
{
	(void)SSL_shutdown(s);
	(void)SSL_shutdown(c);
	ERR_clear_error();
	SSL_free(s);
	SSL_free(c);
}

START_TEST(test_resumed_until_the_certificate_lapses)
{
	SSL_SESSION	*sess;
	SSL		*s, *c;
	X509		*aus;
	char		 cn[64];

	/* Full handshake: verified, no resumption to check. */
	ck_assert_int_eq(handshake(srv_ctx, NULL, &s, &c), 0);
	ck_assert_int_eq(SSL_session_reused(s), 0);
	ck_assert_int_eq(tls_resumed_current(s), 0);
	ck_assert_int_eq(tls_peer_cn(s, cn, sizeof(cn)), 0);
	ck_assert_str_eq(cn, "AUS");
	ck_assert_ptr_nonnull(sess = SSL_get1_session(c));
	ck_assert_int_eq(SSL_SESSION_is_resumable(sess), 1);
	hangup(s, c);

	/* Resumed from the cache, and still current. */
	ck_assert_int_eq(handshake(srv_ctx, sess, &s, &c), 0);
	ck_assert_int_eq(SSL_session_reused(s), 1);
	ck_assert_int_eq(tls_resumed_current(s), 0);
	ck_assert_int_eq(tls_peer_cn(s, cn, sizeof(cn)), 0);
	ck_assert_str_eq(cn, "AUS");
	hangup(s, c);

	/* Once AUS's certificate has lapsed, OpenSSL still resumes (the
	 * session's own lifetime is hours), and tls_resumed_current must
	 * refuse it; a full handshake fails verification. */
	aus = cert_of("AUS");
	while (X509_cmp_current_time(X509_get0_notAfter(aus)) > 0)
		sleep(1);
	X509_free(aus);
	ck_assert_int_eq(handshake(srv_ctx, sess, &s, &c), 0);
	ck_assert_int_eq(SSL_session_reused(s), 1);
	ck_assert_int_eq(tls_resumed_current(s), -1);
	hangup(s, c);
	ck_assert_int_eq(handshake(srv_ctx, NULL, &s, &c), -1);
	SSL_SESSION_free(sess);
}
END_TEST

START_TEST(test_new_context_resumes_nothing)
{
	SSL_SESSION	*sess;
	SSL_CTX		*reloaded;
	SSL		*s, *c;

	ck_assert_int_eq(handshake(srv_ctx, NULL, &s, &c), 0);
	ck_assert_ptr_nonnull(sess = SSL_get1_session(c));
	hangup(s, c);

	/* SIGHUP builds new contexts from the files (reload.c): a session
	 * verified against the old trust store must not be resumed. */
	reloaded = ctx_of("FRA", 1);
	ck_assert_int_eq(handshake(reloaded, sess, &s, &c), 0);
	ck_assert_int_eq(SSL_session_reused(s), 0);
	hangup(s, c);
	SSL_CTX_free(reloaded);
	SSL_SESSION_free(sess);
}
END_TEST

START_TEST(test_no_cache_no_resumption)
{
	SSL_SESSION	*sess;
	SSL_CTX		*nocache;
	SSL		*s, *c;

	/* [limits] tls_session_cache = 0: no ticket, nothing resumed. */
	nocache = ctx_cache("FRA", 1, 0);
	ck_assert_int_eq(handshake(nocache, NULL, &s, &c), 0);
	ck_assert_ptr_nonnull(sess = SSL_get1_session(c));
	ck_assert_int_eq(SSL_SESSION_is_resumable(sess), 0);
	hangup(s, c);
	ck_assert_int_eq(handshake(nocache, sess, &s, &c), 0);
	ck_assert_int_eq(SSL_session_reused(s), 0);
	ck_assert_int_eq(SSL_CTX_sess_number(nocache), 0);
	hangup(s, c);
	SSL_CTX_free(nocache);
	SSL_SESSION_free(sess);
}
END_TEST

START_TEST(test_trim_keeps_the_verified_path)
{
	STACK_OF(X509)	*chain;
	SSL		*s, *c;
	int		 before;

	ck_assert_int_eq(handshake(srv_ctx, NULL, &s, &c), 0);
	ck_assert_ptr_nonnull(chain = SSL_get_peer_cert_chain(s));
	/* Besides its leaf (kept apart on the accept side), the client
	 * sent (OpenSSL's auto-chain) its copy of our CA. */
	before = sk_X509_num(chain);
	ck_assert_int_eq(before, 1);
	ck_assert_int_eq(tls_trim_peer_chain(s), 1);
	ck_assert_int_eq(sk_X509_num(chain), 0);
	ck_assert_ptr_nonnull(SSL_get0_peer_certificate(s));
	/* The verified path (our store's CA) is untouched. */
	ck_assert_int_eq(sk_X509_num(SSL_get0_verified_chain(s)), 2);
	ck_assert_int_eq(tls_trim_peer_chain(s), 0);
	hangup(s, c);
}
END_TEST

/* A queue of codes as libevent keeps one: an array ending in 0. */
struct fake_queue {
	const unsigned long	*codes;
	size_t			 next;
};

static unsigned long
fake_next(void *arg)
{
	struct fake_queue	*q = arg;

	return q->codes[q->next] == 0 ? 0 : q->codes[q->next++];
}

/* Every OpenSSL code becomes one "; "-separated entry; a code without a
 * library (libevent's copy of errno) is passed over; a short buffer still
 * takes the whole queue. */
START_TEST(test_errors_from_a_queue)
{
	const unsigned long	 codes[] = {
		ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED),
		104,	/* ECONNRESET, as libevent queues it */
		ERR_PACK(ERR_LIB_X509, 0, X509_R_CERT_ALREADY_IN_HASH_TABLE),
		0
	};
	struct fake_queue	 q = { codes, 0 };
	char			 buf[1024], one[256], want[600], small[12];
	size_t			 n;

	n = tls_errors_from(buf, sizeof(buf), fake_next, &q);
	ERR_error_string_n(codes[0], one, sizeof(one));
	snprintf(want, sizeof(want), "%s; ", one);
	ERR_error_string_n(codes[2], one, sizeof(one));
	strncat(want, one, sizeof(want) - strlen(want) - 1);
	ck_assert_str_eq(buf, want);
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_uint_eq(q.next, 3);

	q.next = 0;
	n = tls_errors_from(small, sizeof(small), fake_next, &q);
	ck_assert_uint_eq(n, sizeof(small) - 1);
	ck_assert_uint_eq(strlen(small), n);
	ck_assert_uint_eq(q.next, 3);

	q.codes = codes + 3;
	q.next = 0;
	ck_assert_uint_eq(tls_errors_from(buf, sizeof(buf), fake_next, &q), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* tls_errors() drains the thread's queue. */
START_TEST(test_errors_drain_the_thread_queue)
{
	char	 buf[1024];

	ERR_raise(ERR_LIB_PEM, PEM_R_NO_START_LINE);
	ERR_raise(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE);
	tls_errors(buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "no start line; "));
	ck_assert_ptr_nonnull(strstr(buf, "cert already in hash table"));
	ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

static Suite *
tls_suite(void)
{
	Suite	*su = suite_create("tls");
	TCase	*tc = tcase_create("accept");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_resumed_until_the_certificate_lapses);
	tcase_add_test(tc, test_new_context_resumes_nothing);
	tcase_add_test(tc, test_no_cache_no_resumption);
	tcase_add_test(tc, test_trim_keeps_the_verified_path);
	suite_add_tcase(su, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_errors_from_a_queue);
	tcase_add_test(tc, test_errors_drain_the_thread_queue);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner	*sr = srunner_create(tls_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
