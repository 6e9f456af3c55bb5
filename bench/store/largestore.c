/*
 * poclargestore: builds the store of a node that has run for a year, for
 * the large-store rows of the bench (bench/store/run.py), with pocd's own
 * store code, so that the file is what pocd would have written.
 *
 *	poclargestore [-n ENVELOPES] [-t THREADS] [-m MEMBERS] [-s SEED]
 *	    [-e EMPTY] DB PKIDIR OWN
 *
 * DB is the store of member OWN, made by pocd (its own record in it);
 * PKIDIR holds the network CA (network-ca.pem, network-ca.key) and
 * OWN/node.{pem,key}.  It adds:
 *
 * - MEMBERS - 1 other members (default 192, a directory of 193), each
 *   with a node certificate issued here by the network CA and a record
 *   signed with its key, two PoCs each;
 * - a year of cases: THREADS threads (default 50,000) opened by an
 *   assistance request or a notification, either way, with their
 *   acknowledgement, response, and status updates to about ENVELOPES
 *   envelopes in all (default 1,000,000), each signed by its sender's
 *   key, stored in the order of their times as a node would have;
 *   outgoing ones delivered (a few of the last hour still queued), their
 *   deadlines (those past and unacknowledged marked overdue when they
 *   passed) and case status rows kept as pocd keeps them;
 * - a weekly communication check of every member, with their replies.
 *
 * Member M001's key and certificate go to PKIDIR/M001/node.{key,pem}, so
 * that a load generator can speak to the node as that member; with -e,
 * a copy of the store as it is once the directory is in, before any
 * envelope, goes to EMPTY (the same node and directory, for reference).
 *
 * It prints one JSON line: envelopes, threads, members, seconds, bytes,
 * bytes per envelope.
 */
#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "daemon/store.h"
#include "daemon/store_checks.h"
#include "daemon/store_dir.h"
#include "common/dirrec.h"
#include "common/envsig.h"
#include "common/sig.h"
#include "common/util.h"
#include "daemon/store_msg.h"
#include "daemon/store_tx.h"

#define DAY_MS		86400000LL
#define YEAR_MS		(365 * DAY_MS)
#define BATCH		2000		/* envelopes per transaction */
#define MAX_MEMBERS	1000

/* A member: its code, key and certificate (DER). */
struct member {
	char		 code[16];
	EVP_PKEY	*key;
	uint8_t		*der;
	size_t		 derlen;
};

/* One envelope to store, ordered by time: message idx of thread. */
struct event {
	int64_t		 at;
	uint32_t	 thread;	/* >= nthreads: a check campaign */
	uint16_t	 idx;
	uint16_t	 target;	/* check: the member */
};

/* What a thread is. */
struct thread {
	char		 id[UUID_STR_LEN];	/* of the opening message */
	char		 req[UUID_STR_LEN];	/* same */
	uint16_t	 party;
	uint8_t		 out;		/* opened by us */
	uint8_t		 request;	/* else a notification */
	uint8_t		 urgency, tlp, exercise, acked, answered;
	uint16_t	 n;		/* messages */
};

static struct member	 members[MAX_MEMBERS];
static int		 nmembers;
static struct thread	*threads;
static uint64_t		 rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: the same store for the same seed. */
static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static int
rnd_pct(int pct)
{
	return (int)(rnd() % 100) < pct;
}

/* An id as a node would have made it at Unix time ms (util_uuid_new's
 * layout), with a random counter: the ids of a simulated year.  Only
 * this generator needs ids at a time other than now, so pocd does not
 * carry it. */
static void
uuid_at(char out[UUID_STR_LEN], int64_t ms)
{
	uint8_t	 b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		errx(1, "RAND_bytes failed");
	util_uuid_make(out, ms, (unsigned)b[2] << 8 | b[3], b);
}

/* A busy few and a long tail: member i with weight 1 / (i + 1). */
static int
rnd_member(void)
{
	double	 u = (double)rnd() / 4294967296.0;
	int	 m;

	/* Inverse of the harmonic weights, roughly: exp(u * ln(n)). */
	m = (int)exp(u * log((double)(nmembers - 1)));
	if (m < 1)
		m = 1;
	return m < nmembers ? m : nmembers - 1;
}

/* Issues code's node certificate from the network CA (one year). */
static void
member_make(struct member *m, const char *code, EVP_PKEY *cakey,
    X509 *cacert)
{
	X509		*x;
	X509_NAME	*n;
	uint8_t		*p;
	int		 len;

	snprintf(m->code, sizeof(m->code), "%s", code);
	if ((m->key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL)
		errx(1, "%s: key", code);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(rnd() & 0x7fffffff));
	X509_gmtime_adj(X509_getm_notBefore(x), -YEAR_MS / 1000 - 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), YEAR_MS / 1000);
	X509_set_pubkey(x, m->key);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)code, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(cacert));
	if (X509_sign(x, cakey, EVP_sha256()) == 0)
		errx(1, "%s: cannot sign the certificate", code);
	if ((len = i2d_X509(x, NULL)) <= 0 || (m->der = malloc((size_t)len)) ==
	    NULL)
		errx(1, "%s: der", code);
	p = m->der;
	i2d_X509(x, &p);
	m->derlen = (size_t)len;
	X509_free(x);
}

/* Writes m's key and certificate as PEM to DIR/CODE/node.{key,pem}. */
static void
member_save(const struct member *m, const char *dir)
{
	const uint8_t	*p = m->der;
	char		 path[4096];
	X509		*x;
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, m->code);
	if (mkdir(path, 0700) == -1 && access(path, W_OK) == -1)
		err(1, "%s", path);
	snprintf(path, sizeof(path), "%s/%s/node.key", dir, m->code);
	if ((fp = fopen(path, "w")) == NULL ||
	    PEM_write_PrivateKey(fp, m->key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(fp) != 0)
		errx(1, "%s: cannot write", path);
	snprintf(path, sizeof(path), "%s/%s/node.pem", dir, m->code);
	if ((x = d2i_X509(NULL, &p, (long)m->derlen)) == NULL ||
	    (fp = fopen(path, "w")) == NULL || PEM_write_X509(fp, x) != 1 ||
	    fclose(fp) != 0)
		errx(1, "%s: cannot write", path);
	X509_free(x);
}

/* Copies the committed store db to path (a file of its own, made anew). */
static void
store_copy(const char *db, const char *path)
{
	sqlite3	*h;
	char	*sql;

	if (unlink(path) == -1 && access(path, F_OK) == 0)
		err(1, "%s", path);
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    (sql = sqlite3_mprintf("VACUUM INTO %Q", path)) == NULL ||
	    sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
		errx(1, "%s: cannot copy the store: %s", path, sqlite3_errmsg(h));
	sqlite3_free(sql);
	sqlite3_close(h);
}

/* Marks overdue, at their deadline, the deadlines that passed without an
 * acknowledgement: a node that ran all year did so as each passed
 * (deadline.c), so its next start has none to catch up on. */
static void
deadlines_mark(struct store *st, int64_t now)
{
	struct store_deadline	*d;
	int			 n, i;

	do {
		if ((n = store_deadline_due(st, now, 1000, &d)) < 0 ||
		    store_begin(st) != 0)
			errx(1, "deadlines");
		for (i = 0; i < n; i++)
			if (store_deadline_mark(st, d[i].msg_id,
			    d[i].deadline_at) != 1)
				errx(1, "deadline %s", d[i].msg_id);
		free(d);
		if (store_commit(st) != 0)
			errx(1, "commit");
	} while (n == 1000);
}

/* Signs and stores m's directory record: two PoCs, one always there. */
static void
member_record(struct store *st, const struct member *m, const char *network,
    int64_t now)
{
	Poc__DirectoryRecord	 r = POC__DIRECTORY_RECORD__INIT;
	Poc__DirectoryPoc	 poc[2], *pocs[2];
	Poc__DirectoryChannel	 ch[3], *c0[2], *c1[1];
	Poc__DirectoryHours	 h[5], *hs[5];
	char			 name[64], ep[32], email[64], fp[65];
	char			*eps[1], *fps[1];
	char			*langs[] = { (char *)"en", (char *)"fr" };
	X509			*x;

	snprintf(name, sizeof(name), "Member %s", m->code);
	snprintf(ep, sizeof(ep), "127.0.0.1:9");
	snprintf(email, sizeof(email), "soc@%s.example", m->code);
	if ((x = sig_cert_from_der(m->der, m->derlen)) == NULL ||
	    sig_cert_fingerprint(x, fp) != 0)
		errx(1, "%s: fingerprint", m->code);
	X509_free(x);
	eps[0] = ep;
	fps[0] = fp;
	for (int i = 0; i < 3; i++)
		poc__directory_channel__init(&ch[i]);
	ch[0].kind = POC__DIRECTORY_CHANNEL__KIND__EMAIL;
	ch[0].value = email;
	ch[0].priority = 1;
	ch[1].kind = POC__DIRECTORY_CHANNEL__KIND__PHONE;
	ch[1].value = (char *)"+41 22 000 00 00";
	ch[1].priority = 2;
	ch[2].kind = POC__DIRECTORY_CHANNEL__KIND__EMAIL;
	ch[2].value = email;
	ch[2].priority = 1;
	c0[0] = &ch[0];
	c0[1] = &ch[1];
	c1[0] = &ch[2];
	for (int d = 0; d < 5; d++) {
		poc__directory_hours__init(&h[d]);
		h[d].day = (uint32_t)d + 1;	/* Monday to Friday */
		h[d].start = 9 * 60;
		h[d].end = 17 * 60;
		hs[d] = &h[d];
	}
	for (int i = 0; i < 2; i++) {
		poc__directory_poc__init(&poc[i]);
		pocs[i] = &poc[i];
		poc[i].organization = name;
		poc[i].languages = langs;
		poc[i].n_languages = 2;
	}
	poc[0].level = POC__DIRECTORY_POC__LEVEL__TECHNICAL;
	poc[0].role = (char *)"CERT duty desk";
	poc[0].name = (char *)"Duty officer";
	poc[0].channels = c0;
	poc[0].n_channels = 2;
	poc[0].always = 1;
	poc[1].level = POC__DIRECTORY_POC__LEVEL__POLICY;
	poc[1].role = (char *)"Cyber policy";
	poc[1].name = (char *)"Policy officer";
	poc[1].channels = c1;
	poc[1].n_channels = 1;
	poc[1].time_zone = (char *)"Europe/Paris";
	poc[1].hours = hs;
	poc[1].n_hours = 5;
	r.network = (char *)network;
	r.code = (char *)m->code;
	r.name = name;
	r.endpoints = eps;
	r.n_endpoints = 1;
	r.fingerprints = fps;
	r.n_fingerprints = 1;
	r.expires = now + YEAR_MS;
	r.serial = 1;
	r.signed_at = now - YEAR_MS;
	r.pocs = pocs;
	r.n_pocs = 2;
	r.certificate.data = m->der;
	r.certificate.len = m->derlen;
	if (dirrec_sign(&r, m->key) != 0)
		errx(1, "%s: cannot sign the record", m->code);
	if (store_dir_put(st, &r, "generator", now) != 1)
		errx(1, "%s: cannot store the record", m->code);
	free(r.signature.data);
}

static int
event_cmp(const void *a, const void *b)
{
	const struct event	*x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The status a thread's update idx carries: work, then an end for most
 * of the older cases. */
static int
status_of(const struct thread *t, int idx, int old)
{
	if (idx == t->n - 1 && old)
		return rnd_pct(80) ? POC__CASE_STATUS__RESOLVED :
		    rnd_pct(50) ? POC__CASE_STATUS__CLOSED :
		    POC__CASE_STATUS__WITHDRAWN;
	return idx < t->n / 2 ? POC__CASE_STATUS__IN_PROGRESS :
	    POC__CASE_STATUS__MITIGATED;
}

/* Fills, signs and stores one envelope of a case; 1 if it was outgoing
 * (and settled or queued here). */
static void
put_case(struct store *st, struct thread *t, const struct event *ev,
    int64_t now, int own, int64_t *counts)
{
	Poc__Envelope			 e = POC__ENVELOPE__INIT;
	Poc__AssistanceRequest		 req = POC__ASSISTANCE_REQUEST__INIT;
	Poc__Notification		 note = POC__NOTIFICATION__INIT;
	Poc__Acknowledgement		 ack = POC__ACKNOWLEDGEMENT__INIT;
	Poc__AssistanceResponse		 resp = POC__ASSISTANCE_RESPONSE__INIT;
	Poc__StatusUpdate		 upd = POC__STATUS_UPDATE__INIT;
	char				 id[UUID_STR_LEN], text[160];
	uint8_t				 sig[SIG_MAX_LEN];
	const struct member		*from;
	int				 out, idx = ev->idx;
	enum store_put			 r;

	/* Ids as their senders made them, at the event's time. */
	if (idx == 0) {
		uuid_at(t->id, ev->at);
		memcpy(id, t->id, sizeof(id));
		out = t->out;
	} else {
		uuid_at(id, ev->at);
		/* Replies go the other way; updates alternate. */
		out = idx <= 2 ? !t->out : (idx & 1) ? t->out : !t->out;
	}
	e.id = id;
	e.thread_id = t->id;
	e.in_reply_to = idx > 0 ? t->id : (char *)"";
	e.sender = members[out ? own : t->party].code;
	e.recipient = members[out ? t->party : own].code;
	e.created_at = ev->at - (out ? 0 : 200 + rnd() % 800);
	e.tlp = (Poc__Tlp)t->tlp;
	e.language = (char *)"en";
	e.exercise = t->exercise;
	snprintf(text, sizeof(text), "case %.8s, step %d: phishing "
	    "infrastructure hosted in %s", t->id, idx, members[t->party].code);
	if (idx == 0 && t->request) {
		req.summary = text;
		req.description = text;
		req.severity = POC__SEVERITY__MEDIUM + (int)(rnd() % 3);
		req.urgency = (Poc__Urgency)t->urgency;
		e.body_case = POC__ENVELOPE__BODY_ASSISTANCE_REQUEST;
		e.assistance_request = &req;
	} else if (idx == 0) {
		note.summary = text;
		note.description = text;
		note.urgency = (Poc__Urgency)t->urgency;
		e.body_case = POC__ENVELOPE__BODY_NOTIFICATION;
		e.notification = &note;
	} else if (idx == 1 && t->acked) {
		ack.ack_of = t->id;
		ack.acknowledged_by = (char *)"duty officer";
		ack.received_at = ev->at;
		e.body_case = POC__ENVELOPE__BODY_ACKNOWLEDGEMENT;
		e.acknowledgement = &ack;
	} else if (idx == 2 && t->request && t->answered) {
		resp.request_id = t->id;
		resp.decision = POC__ASSISTANCE_RESPONSE__DECISION__WILL_ASSIST;
		resp.note = text;
		e.body_case = POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE;
		e.assistance_response = &resp;
	} else {
		upd.status = (Poc__CaseStatus)status_of(t, idx,
		    ev->at < now - 30 * DAY_MS);
		upd.text = text;
		e.body_case = POC__ENVELOPE__BODY_STATUS_UPDATE;
		e.status_update = &upd;
	}
	from = &members[out ? own : t->party];
	if (envsig_sign(from->key, &e, sig) != 0)
		errx(1, "cannot sign %s", id);
	r = out ? store_put_outgoing_signed(st, &e, from->der, from->derlen,
	    ev->at) : store_put_incoming_signed(st, &e, from->der,
	    from->derlen, ev->at);
	if (r != STORE_NEW)
		errx(1, "cannot store %s (%d)", id, (int)r);
	counts[0]++;
	if (e.body_case == POC__ENVELOPE__BODY_STATUS_UPDATE &&
	    store_case_add(st, id, t->id, (int)upd.status, e.created_at,
	    e.sender) == -1)
		errx(1, "case %s", id);
	if (!out)
		return;
	if (idx == 0 && store_deadline_add(st, id, e.recipient, t->urgency,
	    ev->at + (5 - t->urgency) * 3600000LL) == -1)
		errx(1, "deadline %s", id);
	/* The last hour to the last member is still queued: it is down. */
	if (ev->at > now - 3600000 && t->party == nmembers - 1) {
		counts[1]++;
		return;
	}
	if (store_outbox_delivered(st, e.recipient, id, ev->at + 150) == -1)
		errx(1, "cannot settle %s", id);
}

/* One member's part of a weekly check: the check out, the reply back. */
static void
put_check(struct store *st, const struct event *ev, int own,
    struct store_check_campaign *c, char check_ids[][UUID_STR_LEN],
    int64_t *counts)
{
	Poc__Envelope			 e = POC__ENVELOPE__INIT;
	Poc__CommunicationCheck		 chk = POC__COMMUNICATION_CHECK__INIT;
	Poc__CheckReply			 rep = POC__CHECK_REPLY__INIT;
	char				 id[UUID_STR_LEN];
	uint8_t				 sig[SIG_MAX_LEN];
	const struct member		*m = &members[ev->target];
	int				 out = ev->idx == 0;

	uuid_at(id, ev->at);
	e.id = id;
	e.thread_id = out ? id : check_ids[ev->target];
	e.in_reply_to = out ? (char *)"" : check_ids[ev->target];
	e.sender = out ? members[own].code : members[ev->target].code;
	e.recipient = out ? members[ev->target].code : members[own].code;
	e.created_at = ev->at;
	e.tlp = POC__TLP__CLEAR;
	if (out) {
		chk.check_id = c->id;
		chk.reply_by = c->reply_by;
		e.body_case = POC__ENVELOPE__BODY_COMMUNICATION_CHECK;
		e.communication_check = &chk;
		memcpy(check_ids[ev->target], id, UUID_STR_LEN);
	} else {
		rep.check_id = c->id;
		rep.replied_by = (char *)"duty officer";
		e.body_case = POC__ENVELOPE__BODY_CHECK_REPLY;
		e.check_reply = &rep;
	}
	if (envsig_sign(out ? members[own].key : m->key, &e, sig) != 0)
		errx(1, "cannot sign %s", id);
	if ((out ? store_put_outgoing_signed(st, &e, members[own].der,
	    members[own].derlen, ev->at) : store_put_incoming_signed(st, &e,
	    m->der, m->derlen, ev->at)) != STORE_NEW)
		errx(1, "cannot store check %s", id);
	counts[0]++;
	if (out) {
		if (store_checks_target_add(st, c->id, m->code, id) == -1 ||
		    store_outbox_delivered(st, m->code, id, ev->at + 150) == -1)
			errx(1, "check target %s", m->code);
	} else if (store_checks_reply(st, c->id, m->code, ev->at,
	    "duty officer", id) != 1)
		errx(1, "check reply %s", m->code);
}

/* Bytes of the database and its WAL. */
static long long
file_bytes(const char *db)
{
	struct stat	 sb;
	char		 p[4096];
	long long	 n = 0;

	if (stat(db, &sb) == 0)
		n += sb.st_size;
	snprintf(p, sizeof(p), "%s-wal", db);
	if (stat(p, &sb) == 0)
		n += sb.st_size;
	return n;
}

static void
usage(void)
{
	fprintf(stderr, "usage: poclargestore [-n ENVELOPES] [-t THREADS] "
	    "[-m MEMBERS] [-s SEED] [-e EMPTY] DB PKIDIR OWN\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct store_check_campaign	 camp;
	struct event			*ev;
	struct timespec			 t0, t1;
	struct store			*st;
	EVP_PKEY			*cakey;
	X509				*cacert, *x;
	char				 errbuf[256], path[4096], code[16];
	char				 network[65];
	const char			*empty = NULL;
	char				 (*check_ids)[UUID_STR_LEN];
	long				 nenv = 1000000, nthr = 50000, nmem = 193;
	size_t				 nev = 0, cap, i;
	int64_t				 now = util_now_ms(), start, counts[2] = { 0 };
	int				 ch, own = 0, weeks = 52, w, k, inbatch = 0;

	while ((ch = getopt(argc, argv, "n:t:m:s:e:")) != -1) {
		switch (ch) {
		case 'e': empty = optarg; break;
		case 'n': nenv = strtol(optarg, NULL, 10); break;
		case 't': nthr = strtol(optarg, NULL, 10); break;
		case 'm': nmem = strtol(optarg, NULL, 10); break;
		case 's': rng ^= (uint64_t)strtoull(optarg, NULL, 10) *
		    0x9e3779b97f4a7c15ULL; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || nthr < 1 || nenv < 3 * nthr || nmem < 2 ||
	    nmem > MAX_MEMBERS)
		usage();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(path, sizeof(path), "%s/network-ca.key", argv[1]);
	if ((cakey = sig_key_load(path, errbuf, sizeof(errbuf))) == NULL)
		errx(1, "%s", errbuf);
	snprintf(path, sizeof(path), "%s/network-ca.pem", argv[1]);
	if ((cacert = sig_cert_load(path, errbuf, sizeof(errbuf))) == NULL ||
	    sig_cert_fingerprint(cacert, network) != 0)
		errx(1, "%s: %s", path, errbuf);
	/* Member 0 is the node itself, with its own key. */
	snprintf(members[0].code, sizeof(members[0].code), "%s", argv[2]);
	snprintf(path, sizeof(path), "%s/%s/node.key", argv[1], argv[2]);
	if ((members[0].key = sig_key_load(path, errbuf, sizeof(errbuf))) == NULL)
		errx(1, "%s", errbuf);
	snprintf(path, sizeof(path), "%s/%s/node.pem", argv[1], argv[2]);
	if ((x = sig_cert_load(path, errbuf, sizeof(errbuf))) == NULL ||
	    (k = sig_cert_to_der(x, &members[0].der)) < 0)
		errx(1, "%s: %s", path, errbuf);
	members[0].derlen = (size_t)k;
	X509_free(x);
	nmembers = (int)nmem;
	if ((st = store_open(argv[0], STORE_SYNC_NORMAL, errbuf, sizeof(errbuf))) ==
	    NULL)
		errx(1, "%s", errbuf);
	if (store_begin(st) != 0)
		errx(1, "begin");
	for (k = 1; k < nmembers; k++) {
		snprintf(code, sizeof(code), "M%03d", k);
		member_make(&members[k], code, cakey, cacert);
		member_record(st, &members[k], network, now);
	}
	if (store_commit(st) != 0)
		errx(1, "commit");
	member_save(&members[1], argv[1]);
	if (empty != NULL)
		store_copy(argv[0], empty);

	/* The threads and their times over the year. */
	if ((threads = calloc((size_t)nthr, sizeof(*threads))) == NULL)
		err(1, "calloc");
	cap = (size_t)nenv + (size_t)weeks * 2 * (size_t)nmembers + 16;
	if ((ev = calloc(cap, sizeof(*ev))) == NULL)
		err(1, "calloc");
	start = now - YEAR_MS;
	{
		long	 left = nenv - (long)weeks * 2 * (nmembers - 1);

		for (i = 0; i < (size_t)nthr; i++) {
			struct thread	*t = &threads[i];
			long		 avg = left / (nthr - (long)i);
			int64_t		 at;

			t->party = (uint16_t)rnd_member();
			t->out = rnd_pct(50);
			t->request = rnd_pct(40);
			t->urgency = (uint8_t)(rnd_pct(5) ? 4 : rnd_pct(16) ? 3 :
			    rnd_pct(50) ? 2 : 1);
			t->tlp = (uint8_t)(1 + rnd() % 4);
			t->exercise = rnd_pct(10);
			t->acked = !rnd_pct(1);
			t->answered = !rnd_pct(5);
			t->n = (uint16_t)(avg <= 3 ? avg : 3 + (long)(rnd() %
			    (uint32_t)(2 * (avg - 3) + 1)));
			if (t->n < 1)
				t->n = 1;
			if (t->n > left)
				t->n = (uint16_t)left;
			left -= t->n;
			at = start + (int64_t)((double)YEAR_MS * (double)i /
			    (double)nthr) + (int64_t)(rnd() % 3600000);
			for (k = 0; k < t->n; k++) {
				ev[nev].at = at;
				ev[nev].thread = (uint32_t)i;
				ev[nev].idx = (uint16_t)k;
				nev++;
				at += 60000 + (int64_t)(rnd() % (uint32_t)
				    (k < 3 ? 3600000 : 2 * 86400000));
				if (at > now)
					at = now - (int64_t)(rnd() % 1000);
			}
		}
	}
	for (w = 0; w < weeks; w++)
		for (k = 1; k < nmembers; k++) {
			int64_t	 at = start + w * 7 * DAY_MS + 36000000LL + k;

			ev[nev++] = (struct event){ at, (uint32_t)nthr +
			    (uint32_t)w, 0, (uint16_t)k };
			ev[nev++] = (struct event){ at + 600000 + (rnd() %
			    7200000), (uint32_t)nthr + (uint32_t)w, 1,
			    (uint16_t)k };
		}
	qsort(ev, nev, sizeof(*ev), event_cmp);
	if ((check_ids = calloc((size_t)nmembers, UUID_STR_LEN)) == NULL)
		err(1, "calloc");

	/* Stored in time order, in batches, as a node would have. */
	memset(&camp, 0, sizeof(camp));
	for (i = 0; i < nev; i++) {
		if (inbatch == 0 && store_begin(st) != 0)
			errx(1, "begin");
		if (ev[i].thread >= (uint32_t)nthr) {
			w = (int)(ev[i].thread - (uint32_t)nthr);
			if (ev[i].idx == 0 && ev[i].target == 1) {
				uuid_at(camp.id, ev[i].at);
				camp.created_at = ev[i].at;
				camp.reply_by = ev[i].at + DAY_MS;
				camp.scheduled = 1;
				snprintf(camp.created_by,
				    sizeof(camp.created_by), "schedule");
				if (store_checks_campaign_add(st, &camp) == -1)
					errx(1, "campaign");
			}
			put_check(st, &ev[i], own, &camp, check_ids, counts);
		} else
			put_case(st, &threads[ev[i].thread], &ev[i], now, own,
			    counts);
		if (++inbatch == BATCH || i + 1 == nev) {
			if (store_commit(st) != 0)
				errx(1, "commit");
			inbatch = 0;
		}
	}
	deadlines_mark(st, now);
	/* Its deadline and case rows are all written: a node that kept
	 * them would have looked this far (deadline.c). */
	if (store_dir_meta_set(st, "deadline_scan_seq",
	    store_messages_last_seq(st)) == -1 || store_dir_meta_set(st,
	    "case_scan_seq", store_messages_last_seq(st)) == -1)
		errx(1, "meta");
	store_close(st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("{\"envelopes\": %lld, \"queued\": %lld, \"threads\": %ld, "
	    "\"members\": %d, \"seconds\": %.1f, \"bytes\": %lld, "
	    "\"bytes_per_envelope\": %.0f}\n", (long long)counts[0],
	    (long long)counts[1], nthr, nmembers,
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec -
	    t0.tv_nsec) / 1e9, file_bytes(argv[0]),
	    (double)file_bytes(argv[0]) / (double)(counts[0] ? counts[0] : 1));
	return 0;
}
