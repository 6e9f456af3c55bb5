/*
 * pocctl verify: one message's signature, single or batch
 * (docs/signatures.md), checked here rather than on the node.
 *
 *   verify ID [--save FILE]	from what the node kept: the envelope as
 *				received (with its signature or batch proof)
 *				and the signer's certificate, which must
 *				chain to this operator's copy of the network
 *				CA and name the sender; --save writes both
 *				to an evidence file
 *   verify --offline FILE	from an evidence file alone, no node and no
 *     (--ca F | --cert F)	pocctl.conf: the file's certificate checked
 *				against the CA file F, or the sender's
 *				certificate F as the checker holds it
 *
 * The evidence file is one JSON object (docs/signatures.md):
 *	{"evidence": "pocd envelope v1", "id", "sender", "recipient",
 *	 "envelope": hex of the envelope packed as kept,
 *	 "signer_certificate": PEM}
 * A signature that does not verify exits 1.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_verify.h"
#include "cli/jsonout.h"
#include "envsig.h"
#include "sig.h"
#include "util.h"

#define VERIFY_EVIDENCE		"pocd envelope v1"
#define VERIFY_MAX_ENVELOPE	(16 * 1024 * 1024)

X509_STORE *
cmd_verify_cas(const char *ca)
{
	X509_STORE	*st;

	if ((st = X509_STORE_new()) == NULL)
		errx(1, "out of memory");
	if (X509_STORE_load_file(st, ca) != 1) {
		X509_STORE_free(st);
		errx(1, "%s: cannot load the network CA", ca);
	}
	return st;
}

/* Checks e's signature with cert: cert must chain to the CA file ca (if
 * given) and name the sender.  Returns 1, or 0 with why. */
static int
cmd_verify_envelope(const Poc__Envelope *e, X509 *cert, const char *ca,
    char *why, size_t whylen)
{
	X509_STORE	*st;
	int		 ok;

	if (ca == NULL)
		return sig_cert_check_cn(cert, e->sender, why, whylen) &&
		    envsig_verify(cert, e, why, whylen);
	st = cmd_verify_cas(ca);
	ok = sig_cert_check(cert, st, e->sender, why, whylen) &&
	    envsig_verify(cert, e, why, whylen);
	X509_STORE_free(st);
	return ok;
}

/* The PEM of cert (malloc'd); exits 1 on failure. */
static char *
cmd_verify_pem(X509 *cert)
{
	BIO	*b;
	char	*p, *s;
	long	 n;

	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509(b, cert) != 1 ||
	    (n = BIO_get_mem_data(b, &p)) <= 0 ||
	    (s = strndup(p, (size_t)n)) == NULL)
		errx(1, "cannot encode the signer certificate");
	BIO_free(b);
	return s;
}

/* Writes the evidence file of e, signed by cert; exits 1 on failure. */
static void
cmd_verify_save(const char *file, const Poc__Envelope *e, X509 *cert)
{
	uint8_t	*buf;
	size_t	 len;
	char	*pem;
	json_t	*j;
	FILE	*fp;

	len = poc__envelope__get_packed_size(e);
	if ((buf = malloc(len > 0 ? len : 1)) == NULL ||
	    poc__envelope__pack(e, buf) != len)
		errx(1, "cannot pack the envelope");
	pem = cmd_verify_pem(cert);
	if ((j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "evidence",
	    VERIFY_EVIDENCE, "id", e->id, "sender", e->sender, "recipient",
	    e->recipient, "envelope", jsonout_hex(buf, len),
	    "signer_certificate", pem)) == NULL)
		errx(1, "out of memory");
	if ((fp = fopen(file, "w")) == NULL)
		err(1, "%s", file);
	if (json_dumpf(j, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', fp) == EOF || fclose(fp) != 0)
		err(1, "%s", file);
	json_decref(j);
	free(pem);
	free(buf);
}

/* Checks one message fetched from the node (verify ID). */
static int
cmd_verify_stored(struct ctx *ctx, const char *id, const char *save)
{
	struct client_config	 cfg;
	struct output_audit_verify v;
	const Poc__StoredMessage *sm;
	struct client		*cl;
	Poc__OpReply		*r;
	X509			*cert = NULL;
	char			 why[512], fp[65];
	int			 ok = 0;

	client_config_load(&cfg, client_config_path(ctx->config));
	r = cmd_fetch(ctx, id, &cl, &sm);
	why[0] = '\0';
	fp[0] = '\0';
	if (sm->signer_cert.len == 0)
		snprintf(why, sizeof(why), "the node kept no signer "
		    "certificate%s%s", sm->signature_error[0] ? ": " : "",
		    sm->signature_error);
	else if ((cert = sig_cert_from_der(sm->signer_cert.data,
	    sm->signer_cert.len)) == NULL)
		snprintf(why, sizeof(why), "the signer certificate does not "
		    "decode");
	else
		ok = cmd_verify_envelope(sm->envelope, cert, cfg.ca, why,
		    sizeof(why));
	if (cert != NULL && sig_cert_fingerprint(cert, fp) == -1)
		fp[0] = '\0';
	if (save != NULL && cert != NULL)
		cmd_verify_save(save, sm->envelope, cert);
	v.id = sm->envelope->id;
	v.sender = sm->envelope->sender;
	v.verified = ok;
	v.node_verified = sm->signature_verified;
	v.fingerprint = fp;
	v.ca = cfg.ca;
	v.reason = why;
	ctx->out->audit_verify(&v);
	X509_free(cert);
	client_reply_free(r);
	client_close(cl);
	if (save != NULL && cert == NULL)
		errx(1, "%s: not written: %s", save, why);
	return ok ? 0 : 1;
}

/* Decodes lower-case or upper-case hex s (malloc'd in *out).  Returns the
 * length, or -1. */
static long
cmd_verify_unhex(const char *s, uint8_t **out)
{
	size_t	 n = strlen(s);

	*out = NULL;
	if (n % 2 != 0 || n / 2 > VERIFY_MAX_ENVELOPE ||
	    (*out = malloc(n / 2 + 1)) == NULL)
		return -1;
	if (util_unhex(s, *out, n / 2, UTIL_HEX_ANYCASE) == -1) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return (long)(n / 2);
}

/* A certificate from PEM text or a PEM file; NULL with err. */
static X509 *
cmd_verify_cert(const char *pem, const char *file, char *err, size_t errlen)
{
	X509	*c = NULL;
	BIO	*b;

	if (file != NULL)
		return sig_cert_load(file, err, errlen);
	if ((b = BIO_new_mem_buf(pem, -1)) != NULL)
		c = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (c == NULL)
		snprintf(err, errlen, "signer_certificate is not a PEM "
		    "certificate");
	return c;
}

/* verify --offline FILE: the evidence file alone.  Its envelope's own
 * sender and id are what is reported; the file's other keys are only
 * labels. */
static int
cmd_verify_offline(struct ctx *ctx, const char *file, const char *ca,
    const char *certfile)
{
	struct output_audit_verify v;
	Poc__Envelope	*e;
	json_error_t	 je;
	json_t		*j;
	const char	*kind, *hex, *pem = NULL;
	uint8_t		*buf;
	X509		*cert;
	long		 n;
	char		 why[512], fp[65];
	int		 ok;

	if ((ca == NULL) == (certfile == NULL))
		cmd_usage(ctx, "--offline wants --ca FILE (the network CA) or "
		    "--cert FILE (the sender's certificate), one of them");
	if ((j = json_load_file(file, JSON_REJECT_DUPLICATES, &je)) == NULL)
		errx(1, "%s:%d: %s", file, je.line, je.text);
	if (json_unpack_ex(j, &je, 0, "{s:s, s:s, s?:s}", "evidence", &kind,
	    "envelope", &hex, "signer_certificate", &pem) != 0)
		errx(1, "%s: not an evidence file of pocctl verify --save: %s",
		    file, je.text);
	if (strcmp(kind, VERIFY_EVIDENCE) != 0)
		errx(1, "%s: evidence of kind \"%s\", not \"%s\"", file, kind,
		    VERIFY_EVIDENCE);
	if ((n = cmd_verify_unhex(hex, &buf)) < 0 ||
	    (e = poc__envelope__unpack(NULL, (size_t)n, buf)) == NULL)
		errx(1, "%s: \"envelope\" is not a hex-encoded envelope", file);
	free(buf);
	if (certfile == NULL && pem == NULL)
		errx(1, "%s: no signer_certificate; give the sender's with "
		    "--cert FILE", file);
	if ((cert = cmd_verify_cert(pem, certfile, why, sizeof(why))) == NULL)
		errx(1, "%s: %s", certfile != NULL ? certfile : file, why);
	why[0] = '\0';
	ok = cmd_verify_envelope(e, cert, ca, why, sizeof(why));
	if (sig_cert_fingerprint(cert, fp) == -1)
		fp[0] = '\0';
	v.id = e->id;
	v.sender = e->sender;
	v.verified = ok;
	v.node_verified = ok;		/* no node: this check is all */
	v.fingerprint = fp;
	v.ca = ca != NULL ? ca : certfile;
	v.reason = why;
	ctx->out->audit_verify(&v);
	X509_free(cert);
	protobuf_c_message_free_unpacked(&e->base, NULL);
	json_decref(j);
	return ok ? 0 : 1;
}

/* pocctl verify ID [--save FILE] | --offline FILE (--ca F | --cert F) */
int
cmd_verify(struct ctx *ctx, int argc, char **argv)
{
	const char	*save = NULL, *offline = NULL, *ca = NULL;
	const char	*cert = NULL, *id = NULL;
	const struct cmd_opt opts[] = {
		{ "save", &save }, { "offline", &offline }, { "ca", &ca },
		{ "cert", &cert }, { NULL, NULL }
	};

	cmd_args(ctx, argc, argv, opts, &id, 0, 1);
	if (offline != NULL) {
		if (id != NULL || save != NULL)
			cmd_usage(ctx, "--offline FILE takes no message id "
			    "and no --save");
		return cmd_verify_offline(ctx, offline, ca, cert);
	}
	if (id == NULL)
		cmd_usage(ctx, "say which message: verify ID");
	if (ca != NULL || cert != NULL)
		cmd_usage(ctx, "--ca and --cert go with --offline; verify ID "
		    "uses pocctl.conf's ca");
	return cmd_verify_stored(ctx, id, save);
}
