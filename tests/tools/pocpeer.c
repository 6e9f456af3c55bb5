/*
 * pocpeer: a test tool that speaks pocd's peer protocol directly, as a
 * member node would, for the integration and attack tests.
 *
 *   pocpeer --connect HOST:PORT --ca F --cert F --key F [--crl F]
 *           [--expect-cn CODE] [--member CODE] [--version N] [--count N]
 *           [--timeout SEC] [--json] [--no-sign | --bad-sign] [--bad-at K]
 *           [--batch N [--bad-path-at K] [--bad-root-at K]] COMMAND [FILE]
 *
 *   hello      Hello exchange; prints the node's Hello as JSON.  The node
 *              sends its Hello as soon as TLS is up and answers a Hello it
 *              refuses with an Error, never with an "ok", so pocpeer then
 *              waits --timeout (default here 2 s) for such an Error: none,
 *              or envelopes the node delivers, means the Hello was taken.
 *   send FILE  Hello exchange, then the Envelope in FILE (JSON) sent
 *              --count times, one Receipt read after each and printed as
 *              one JSON line.  Envelopes the node delivers to us meanwhile
 *              are noted on stderr and left unanswered (it will retry).
 *              Each envelope is signed with --key (Envelope.signature)
 *              unless --no-sign (sent without one) or --bad-sign (a
 *              well-formed signature over other bytes) says otherwise.
 *   burst FILE Hello exchange, then --count envelopes made from FILE, each
 *              with an id of its own (and its own thread when FILE's is a
 *              new case), written all at once so that the node takes them
 *              in one batch; --bad-at K signs the K-th (from 1) over other
 *              bytes.  Prints the receipts in order, one JSON line each.
 *              --batch N signs them in batches of N instead (one root
 *              signature per N envelopes, docs/signatures.md; the last
 *              batch may be smaller), with two forgeries: --bad-path-at K
 *              flips a bit of the K-th envelope's inclusion path, and
 *              --bad-root-at K gives the K-th a real signature of this
 *              key over another root of the same size.
 *   raw FILE   TLS only: sends FILE's bytes as they are, then prints every
 *              frame that comes back as one JSON line, and "closed" when
 *              the node closes.
 *
 * Output is always JSON (--json is accepted for symmetry with pocctl).
 * Exit 0 when every hello/receipt expected came back (raw: when the node
 * answered or closed), 1 otherwise (the reason on stderr), 2 on usage.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <event2/buffer.h>

#include "conn.h"
#include "envsig.h"
#include "frame.h"
#include "pbjson.h"
#include "pbjson_parse.h"
#include "proto/poc.pb-c.h"
#include "tls.h"
#include "util.h"

#define PEER_MAX_FRAME	(64 * 1024 * 1024)	/* lets tests send oversize */
#define PEER_MAX_RAW	(256 * 1024 * 1024)
#define PEER_TIMEOUT	10000	/* ms */
#define PEER_HELLO_WAIT	2000	/* ms: hello's default --timeout */

struct peer_opts {
	const char	*connect;
	const char	*expect_cn;
	const char	*member;
	struct tls_opts	 tls;
	unsigned int	 version;
	unsigned long	 count;
	int		 timeout_ms;
	int		 sign;		/* PEER_SIGN_* */
	unsigned long	 bad_at;	/* burst: bad-sign this one (from 1) */
	unsigned long	 batch;		/* burst: batch size, 0 = single */
	unsigned long	 bad_path_at;	/* burst: forge this one's path */
	unsigned long	 bad_root_at;	/* burst: forge this one's root */
};

enum { PEER_SIGN = 0, PEER_SIGN_NONE = 1, PEER_SIGN_BAD = 2 };

/* Prints the usage and exits 2. */
static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: pocpeer --connect HOST:PORT --ca FILE --cert FILE --key FILE\n"
	    "               [--crl FILE] [--expect-cn CODE] [--member CODE]\n"
	    "               [--version N] [--count N] [--timeout SEC] [--json]\n"
	    "               [--no-sign | --bad-sign] [--bad-at K]\n"
	    "               [--batch N [--bad-path-at K] [--bad-root-at K]]\n"
	    "               hello | send FILE | burst FILE | raw FILE\n");
	exit(2);
}

/* Prints a message as one line of JSON on stdout. */
static void
peer_print(const ProtobufCMessage *m)
{
	json_t	*j;

	if ((j = pbjson_from_message(m, PBJSON_DEFAULTS)) == NULL)
		errx(1, "out of memory");
	json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	putchar('\n');
	fflush(stdout);
	json_decref(j);
}

/* The subject CN of the certificate in file, into cn; exits on failure. */
static void
peer_own_cn(const char *file, char *cn, size_t len)
{
	FILE	*fp;
	X509	*x;

	if ((fp = fopen(file, "r")) == NULL)
		err(1, "%s", file);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL)
		errx(1, "%s: not a PEM certificate", file);
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, (int)len) < 0)
		errx(1, "%s: certificate has no CN; give --member", file);
	X509_free(x);
}

/* Reads one PeerFrame; exits 1 naming the failure if none comes. */
static Poc__PeerFrame *
peer_recv(struct conn *c, const char *waiting_for)
{
	ProtobufCMessage	*m;
	char			 e[1536];

	if ((m = conn_recv(c, &poc__peer_frame__descriptor, e,
	    sizeof(e))) == NULL)
		errx(1, "waiting for %s: %s", waiting_for, e);
	return (Poc__PeerFrame *)m;
}

/* Prints an Error frame (stdout as JSON, stderr as text) and exits 1. */
static void __attribute__((noreturn))
peer_fail_error(const Poc__PeerFrame *f, const char *during)
{
	const ProtobufCEnumValue	*v;

	peer_print(&f->base);
	v = protobuf_c_enum_descriptor_get_value(
	    &poc__error__code__descriptor, f->error->code);
	errx(1, "%s: the node sent error %s: %s", during,
	    v != NULL ? v->name : "?", f->error->message);
}

/* Opens the TLS connection from the options; exits 1 on failure. */
static struct conn *
peer_connect(const struct peer_opts *o)
{
	struct conn	*c;
	char		 e[1536];

	c = conn_open(o->connect, &o->tls, o->expect_cn, o->timeout_ms,
	    PEER_MAX_FRAME, e, sizeof(e));
	if (c == NULL)
		errx(1, "%s", e);
	return c;
}

/* Sends our Hello and reads the node's; returns the node's frame (a
 * Hello) or exits 1. */
static Poc__PeerFrame *
peer_hello(struct conn *c, const struct peer_opts *o)
{
	Poc__PeerFrame	 f = POC__PEER_FRAME__INIT;
	Poc__Hello	 h = POC__HELLO__INIT;
	Poc__PeerFrame	*r;
	char		 cn[256], e[1536];

	if (o->member != NULL)
		snprintf(cn, sizeof(cn), "%s", o->member);
	else
		peer_own_cn(o->tls.cert_file, cn, sizeof(cn));
	h.protocol_version = o->version;
	h.member = cn;
	h.software = (char *)"pocpeer";
	f.kind_case = POC__PEER_FRAME__KIND_HELLO;
	f.hello = &h;
	if (conn_send(c, &f.base, e, sizeof(e)) == -1)
		errx(1, "sending hello: %s", e);
	r = peer_recv(c, "the node's hello");
	if (r->kind_case == POC__PEER_FRAME__KIND_ERROR)
		peer_fail_error(r, "hello");
	if (r->kind_case != POC__PEER_FRAME__KIND_HELLO) {
		peer_print(&r->base);
		errx(1, "hello: the node answered with frame kind %d, not a "
		    "hello", (int)r->kind_case);
	}
	return r;
}

/* 1 if a conn_recv() error is a timeout (conn.c words those "no answer"). */
static int
peer_timed_out(const char *e)
{
	return strstr(e, "no answer") != NULL;
}

/* hello: exchanges Hellos and waits for the node's verdict on ours. */
static int
peer_cmd_hello(const struct peer_opts *o)
{
	struct conn		*c = peer_connect(o);
	Poc__PeerFrame		*r = peer_hello(c, o);
	ProtobufCMessage	*m;
	char			 e[1536];

	peer_print(&r->hello->base);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	/* Our Hello is refused with an Error and a close, or taken in
	 * silence (or with the envelopes the node has queued for us). */
	m = conn_recv(c, &poc__peer_frame__descriptor, e, sizeof(e));
	if (m == NULL && !peer_timed_out(e))
		errx(1, "after the hello: %s", e);
	if (m != NULL) {
		r = (Poc__PeerFrame *)m;
		if (r->kind_case == POC__PEER_FRAME__KIND_ERROR)
			peer_fail_error(r, "hello");
		if (r->kind_case != POC__PEER_FRAME__KIND_ENVELOPE) {
			peer_print(&r->base);
			errx(1, "after the hello: unexpected frame kind %d",
			    (int)r->kind_case);
		}
		protobuf_c_message_free_unpacked(m, NULL);
	}
	conn_close(c);
	return 0;
}

/* Loads the Envelope of a JSON file ("-" = stdin); exits 1 on errors. */
static Poc__Envelope *
peer_load_envelope(const char *file)
{
	ProtobufCMessage	*m;
	json_error_t		 je;
	json_t			*j;
	char			 e[1024];

	if (strcmp(file, "-") == 0)
		j = json_loadf(stdin, 0, &je);
	else
		j = json_load_file(file, 0, &je);
	if (j == NULL)
		errx(1, "%s:%d:%d: %s", file, je.line, je.column, je.text);
	m = pbjson_to_message(j, &poc__envelope__descriptor, NULL, e,
	    sizeof(e));
	json_decref(j);
	if (m == NULL)
		errx(1, "%s: %s", file, e);
	return (Poc__Envelope *)m;
}

/* Signs e with the --key as a member node does, or not (--no-sign), or
 * wrongly (--bad-sign: a valid signature over other bytes). */
static void
peer_sign(const struct peer_opts *o, Poc__Envelope *e, uint8_t *sig)
{
	EVP_PKEY	*k;
	char		 err[512];

	if (e->signature.len != 0) {
		free(e->signature.data);
		e->signature.data = NULL;
		e->signature.len = 0;
	}
	if (o->sign == PEER_SIGN_NONE)
		return;
	if ((k = sig_key_load(o->tls.key_file, err, sizeof(err))) == NULL)
		errx(1, "%s", err);
	if (o->sign == PEER_SIGN_BAD)
		e->created_at++;
	if (envsig_sign(k, e, sig) == -1)
		errx(1, "cannot sign the envelope");
	if (o->sign == PEER_SIGN_BAD)
		e->created_at--;
	EVP_PKEY_free(k);
}

/* The next Receipt, passing over envelopes the node delivers to us
 * meanwhile (left unanswered: it will retry); exits 1 on an Error or any
 * other frame. */
static Poc__PeerFrame *
peer_recv_receipt(struct conn *c, const char *what)
{
	Poc__PeerFrame	*r;

	while ((r = peer_recv(c, what))->kind_case ==
	    POC__PEER_FRAME__KIND_ENVELOPE) {
		warnx("the node delivered envelope %s to us; not answered",
		    r->envelope->id);
		protobuf_c_message_free_unpacked(&r->base, NULL);
	}
	if (r->kind_case == POC__PEER_FRAME__KIND_ERROR)
		peer_fail_error(r, what);
	if (r->kind_case != POC__PEER_FRAME__KIND_RECEIPT) {
		peer_print(&r->base);
		errx(1, "%s: the node answered with frame kind %d", what,
		    (int)r->kind_case);
	}
	return r;
}

/* Reads receipt i (from 0) of n and prints it as a JSON line. */
static void
peer_print_receipt(struct conn *c, unsigned long i, unsigned long n)
{
	Poc__PeerFrame	*r;
	char		 what[64];

	snprintf(what, sizeof(what), "receipt %lu of %lu", i + 1, n);
	r = peer_recv_receipt(c, what);
	peer_print(&r->receipt->base);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

/* send: exchanges Hellos, then sends the envelope --count times, printing
 * each receipt. */
static int
peer_cmd_send(const struct peer_opts *o, const char *file)
{
	Poc__Envelope	*env = peer_load_envelope(file);
	Poc__PeerFrame	 f = POC__PEER_FRAME__INIT;
	uint8_t		 sig[SIG_MAX_LEN];
	Poc__PeerFrame	*r;
	struct conn	*c;
	unsigned long	 i;
	char		 e[1536];

	peer_sign(o, env, sig);
	c = peer_connect(o);
	r = peer_hello(c, o);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	f.kind_case = POC__PEER_FRAME__KIND_ENVELOPE;
	f.envelope = env;
	for (i = 0; i < o->count; i++) {
		if (conn_send(c, &f.base, e, sizeof(e)) == -1)
			errx(1, "sending envelope %lu of %lu: %s", i + 1,
			    o->count, e);
		peer_print_receipt(c, i, o->count);
	}
	conn_close(c);
	env->signature.data = NULL;	/* sig is on the stack */
	env->signature.len = 0;
	protobuf_c_message_free_unpacked(&env->base, NULL);
	return 0;
}

/* A real batch signature by key over a root that is not the batch's: the
 * forged root of --bad-root-at. */
static void
peer_forge_root(EVP_PKEY *k, uint64_t size, uint8_t *sig, size_t *siglen)
{
	uint8_t	 data[40];
	int	 i;

	for (i = 0; i < 8; i++)
		data[i] = (uint8_t)(size >> (56 - 8 * i));
	if (RAND_bytes(data + 8, 32) != 1 ||
	    sig_sign(k, SIG_CTX_BATCH, data, sizeof(data), sig, siglen) == -1)
		errx(1, "cannot forge a root signature");
}

/* Frames the n envelopes e[] (of --count, the first being number first,
 * from 1) signed as one batch, with the forgeries asked for, to out. */
static void
peer_frame_batch(const struct peer_opts *o, EVP_PKEY *k, Poc__Envelope **e,
    size_t n, unsigned long first, struct evbuffer *out)
{
	Poc__PeerFrame		 f = POC__PEER_FRAME__INIT;
	struct envsig_batch	*b;
	Poc__EnvelopeBatchProof	*p;
	ProtobufCBinaryData	 keep;
	uint8_t			 forged[SIG_MAX_LEN];
	size_t			 i, flen;

	if ((b = envsig_batch_sign(k, e, n)) == NULL)
		errx(1, "cannot sign a batch of %zu", n);
	f.kind_case = POC__PEER_FRAME__KIND_ENVELOPE;
	for (i = 0; i < n; i++) {
		p = e[i]->batch;
		keep = p->root_signature;
		if (first + i == o->bad_path_at) {
			if (p->n_path == 0)
				errx(1, "--bad-path-at %lu: a batch of one has "
				    "no path", o->bad_path_at);
			p->path[0].data[0] ^= 0x01;
		}
		if (first + i == o->bad_root_at) {
			peer_forge_root(k, n, forged, &flen);
			p->root_signature.data = forged;
			p->root_signature.len = flen;
		}
		f.envelope = e[i];
		if (frame_pack(out, PEER_MAX_FRAME, &f.base) != 0)
			errx(1, "cannot frame envelope %lu", first + i);
		if (first + i == o->bad_path_at)
			p->path[0].data[0] ^= 0x01;
		p->root_signature = keep;
	}
	envsig_batch_free(b);
}

/* The envelopes of a --batch burst: shallow copies of env with ids of
 * their own, framed a batch at a time. */
static void
peer_burst_batches(const struct peer_opts *o, const Poc__Envelope *env,
    char (*ids)[UUID_STR_LEN], int new_case, struct evbuffer *out)
{
	Poc__Envelope	*copy, **ptr;
	EVP_PKEY	*k;
	unsigned long	 i, n;
	char		 err[512];

	if ((k = sig_key_load(o->tls.key_file, err, sizeof(err))) == NULL)
		errx(1, "%s", err);
	if ((copy = calloc(o->count, sizeof(*copy))) == NULL ||
	    (ptr = calloc(o->count, sizeof(*ptr))) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < o->count; i++) {
		copy[i] = *env;
		copy[i].id = ids[i];
		if (new_case)
			copy[i].thread_id = ids[i];
		copy[i].signature.data = NULL;
		copy[i].signature.len = 0;
		copy[i].batch = NULL;
		ptr[i] = &copy[i];
	}
	for (i = 0; i < o->count; i += n) {
		n = o->count - i < o->batch ? o->count - i : o->batch;
		peer_frame_batch(o, k, ptr + i, n, i + 1, out);
	}
	free(ptr);
	free(copy);
	EVP_PKEY_free(k);
}

/* burst: exchanges Hellos, then writes --count envelopes made from FILE
 * in one go (see the top of the file) and prints their receipts. */
static int
peer_cmd_burst(const struct peer_opts *o, const char *file)
{
	Poc__Envelope	*env = peer_load_envelope(file);
	Poc__PeerFrame	 f = POC__PEER_FRAME__INIT;
	struct peer_opts one = *o;
	char		*id0 = env->id, *thread0 = env->thread_id;
	int		 new_case = strcmp(env->id, env->thread_id) == 0;
	char		(*ids)[UUID_STR_LEN];
	uint8_t		 sig[SIG_MAX_LEN];
	struct evbuffer	*out;
	Poc__PeerFrame	*r;
	struct conn	*c;
	unsigned long	 i;
	char		 e[1536];

	if ((out = evbuffer_new()) == NULL ||
	    (ids = calloc(o->count, sizeof(*ids))) == NULL)
		errx(1, "out of memory");
	f.kind_case = POC__PEER_FRAME__KIND_ENVELOPE;
	f.envelope = env;
	for (i = 0; i < o->count; i++)
		if (util_uuid_new(ids[i]) != 0)
			errx(1, "cannot make an envelope id");
	if (o->batch > 0) {
		free(env->signature.data);	/* FILE's, if any */
		env->signature.data = NULL;
		env->signature.len = 0;
		peer_burst_batches(o, env, ids, new_case, out);
	}
	for (i = 0; o->batch == 0 && i < o->count; i++) {
		env->id = ids[i];
		if (new_case)
			env->thread_id = ids[i];
		one.sign = i + 1 == o->bad_at ? PEER_SIGN_BAD : o->sign;
		peer_sign(&one, env, sig);
		if (frame_pack(out, PEER_MAX_FRAME, &f.base) != 0)
			errx(1, "cannot frame envelope %lu", i + 1);
		env->signature.data = NULL;	/* sig is on the stack */
		env->signature.len = 0;
	}
	env->id = id0;
	env->thread_id = thread0;
	c = peer_connect(o);
	r = peer_hello(c, o);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	if (conn_send_raw(c, evbuffer_pullup(out, -1), evbuffer_get_length(out),
	    e, sizeof(e)) == -1)
		errx(1, "sending %lu envelopes: %s", o->count, e);
	for (i = 0; i < o->count; i++) {
		peer_print_receipt(c, i, o->count);
	}
	conn_close(c);
	evbuffer_free(out);
	free(ids);
	protobuf_c_message_free_unpacked(&env->base, NULL);
	return 0;
}

/* Reads all of file ("-" = stdin) into memory; exits 1 on errors. */
static unsigned char *
peer_read_file(const char *file, size_t *lenp)
{
	unsigned char	*buf = NULL, *nb;
	size_t		 len = 0, cap = 0, n;
	FILE		*fp;

	fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (fp == NULL)
		err(1, "%s", file);
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > PEER_MAX_RAW)
				errx(1, "%s: larger than %d bytes", file,
				    PEER_MAX_RAW);
			if ((nb = realloc(buf, cap)) == NULL)
				err(1, "realloc");
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp))
		err(1, "%s", file);
	if (fp != stdin)
		fclose(fp);
	*lenp = len;
	return buf;
}

/* raw: sends the bytes of a file as they are and prints what comes back. */
static int
peer_cmd_raw(const struct peer_opts *o, const char *file)
{
	ProtobufCMessage	*m;
	unsigned char		*buf;
	struct conn		*c;
	size_t			 len;
	char			 e[1536];

	buf = peer_read_file(file, &len);
	c = peer_connect(o);
	if (conn_send_raw(c, buf, len, e, sizeof(e)) == -1)
		warnx("sending: %s", e);	/* the answer may still come */
	free(buf);
	for (;;) {
		m = conn_recv(c, &poc__peer_frame__descriptor, e, sizeof(e));
		if (m != NULL) {
			peer_print(m);
			protobuf_c_message_free_unpacked(m, NULL);
			continue;
		}
		/* A timeout, or a bad frame from the node ("sent a frame"),
		 * is a failure; anything else is the node hanging up. */
		if (peer_timed_out(e) || strstr(e, "sent a frame") != NULL) {
			conn_close(c);
			errx(1, "%s", e);
		}
		if (strstr(e, "connection closed by") == NULL)
			warnx("%s", e);
		printf("closed\n");
		break;
	}
	conn_close(c);
	return 0;
}

/* Parses a decimal number in [min, max] for option name; exits 2. */
static unsigned long
peer_number(const char *name, const char *s, unsigned long min,
    unsigned long max)
{
	unsigned long	 v;
	char		*end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    v < min || v > max) {
		warnx("--%s wants a number from %lu to %lu, not \"%s\"", name,
		    min, max, s);
		usage();
	}
	return v;
}

/* Parses --timeout SEC (fractions allowed) into ms; exits 2. */
static int
peer_timeout(const char *s)
{
	double	 sec;
	char	*end;

	errno = 0;
	sec = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(sec >= 0.001 &&
	    sec <= 3600)) {
		warnx("--timeout wants seconds from 0.001 to 3600, not \"%s\"",
		    s);
		usage();
	}
	return (int)(sec * 1000);
}

/* Parses the options and runs one command. */
int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "connect",	required_argument,	NULL, 'C' },
		{ "ca",		required_argument,	NULL, 'a' },
		{ "cert",	required_argument,	NULL, 'c' },
		{ "key",	required_argument,	NULL, 'k' },
		{ "crl",	required_argument,	NULL, 'r' },
		{ "expect-cn",	required_argument,	NULL, 'e' },
		{ "member",	required_argument,	NULL, 'm' },
		{ "version",	required_argument,	NULL, 'v' },
		{ "count",	required_argument,	NULL, 'n' },
		{ "timeout",	required_argument,	NULL, 't' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "no-sign",	no_argument,		NULL, 'N' },
		{ "bad-sign",	no_argument,		NULL, 'B' },
		{ "bad-at",	required_argument,	NULL, 'b' },
		{ "batch",	required_argument,	NULL, 'S' },
		{ "bad-path-at", required_argument,	NULL, 'P' },
		{ "bad-root-at", required_argument,	NULL, 'R' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct peer_opts	 o;
	const char		*cmd;
	int			 ch;

	memset(&o, 0, sizeof(o));
	o.version = 1;
	o.count = 1;
	o.timeout_ms = 0;		/* not given */
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			o.connect = optarg;
			break;
		case 'a':
			o.tls.ca_file = optarg;
			break;
		case 'c':
			o.tls.cert_file = optarg;
			break;
		case 'k':
			o.tls.key_file = optarg;
			break;
		case 'r':
			o.tls.crl_file = optarg;
			break;
		case 'e':
			o.expect_cn = optarg;
			break;
		case 'm':
			o.member = optarg;
			break;
		case 'v':
			o.version = (unsigned int)peer_number("version", optarg,
			    0, UINT32_MAX);
			break;
		case 'n':
			o.count = peer_number("count", optarg, 1, 1000000);
			break;
		case 't':
			o.timeout_ms = peer_timeout(optarg);
			break;
		case 'j':
			break;		/* output is JSON anyway */
		case 'N':
			o.sign = PEER_SIGN_NONE;
			break;
		case 'B':
			o.sign = PEER_SIGN_BAD;
			break;
		case 'b':
			o.bad_at = peer_number("bad-at", optarg, 1, 1000000);
			break;
		case 'S':
			o.batch = peer_number("batch", optarg, 1, 1000000);
			break;
		case 'P':
			o.bad_path_at = peer_number("bad-path-at", optarg, 1,
			    1000000);
			break;
		case 'R':
			o.bad_root_at = peer_number("bad-root-at", optarg, 1,
			    1000000);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || o.connect == NULL || o.tls.ca_file == NULL ||
	    o.tls.cert_file == NULL || o.tls.key_file == NULL)
		usage();
	cmd = argv[0];
	/* Forgeries need batches; batches are signed, and not --bad-at. */
	if ((o.bad_path_at != 0 || o.bad_root_at != 0) && o.batch == 0)
		usage();
	if (o.batch != 0 && (o.bad_at != 0 || o.sign != PEER_SIGN))
		usage();
	if (o.timeout_ms == 0)
		o.timeout_ms = strcmp(cmd, "hello") == 0 ? PEER_HELLO_WAIT :
		    PEER_TIMEOUT;
	if (strcmp(cmd, "hello") == 0 && argc == 1)
		return peer_cmd_hello(&o);
	if (strcmp(cmd, "send") == 0 && argc == 2)
		return peer_cmd_send(&o, argv[1]);
	if (strcmp(cmd, "burst") == 0 && argc == 2)
		return peer_cmd_burst(&o, argv[1]);
	if (strcmp(cmd, "raw") == 0 && argc == 2)
		return peer_cmd_raw(&o, argv[1]);
	usage();
}
