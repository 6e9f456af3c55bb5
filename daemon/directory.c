/*
 * The directory (see directory.h): this node's own signed record, the
 * trust rules every other record passes before it is stored, and the
 * lookups the rest of pocd makes (pinned fingerprints, endpoints, the next
 * PoC to try).
 *
 * Trust: a record is authoritative for its own member only.  It must be of
 * this network, carry a node certificate that chains to the network CA
 * (with its CRL) and names the record's code, that certificate must be one
 * the record pins, and the signature over the record must verify with it.
 * Then it replaces the held record only if its serial is higher (also
 * enforced in the SQL).  So a relay can forward a record but not forge or
 * roll it back, and a leaked CA key alone cannot speak for a member whose
 * record pins its own fingerprints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "dirrec.h"
#include "directory.h"
#include "log.h"
#include "msgsig.h"
#include "node.h"
#include "sig.h"
#include "store_dir.h"
#include "util.h"
#include "who.h"

#define DAY_MS		(86400LL * 1000)

/*
 * The node key and certificate are msgsig.c's, asked for each time they
 * are needed: a node certificate rotated by SIGHUP (reload.c) is then the
 * one that signs the own record, is carried in it and must stay pinned
 * in it, without a restart.
 */
static struct {
	char		 network[65];		/* network CA fingerprint */
	int64_t		 last_sync;
} dir;

/* The node certificate in use now: its DER (malloc'd) and fingerprint.
 * 0, or -1 (logged). */
static int
directory_own_cert(uint8_t **der, size_t *derlen, char fp[65])
{
	if (msgsig_own_der(der, derlen) != 0 ||
	    msgsig_own_fingerprint(fp) != 0) {
		free(*der);
		*der = NULL;
		log_warnx("directory: the node certificate is not loaded or "
		    "does not encode");
		return -1;
	}
	return 0;
}

const char *
directory_network(void)
{
	return dir.network;
}

int64_t
directory_last_sync_ms(void)
{
	return dir.last_sync;
}

void
directory_set_last_sync(int64_t ms)
{
	dir.last_sync = ms;
	if (store_dir_meta_set(env->store, "last_sync", ms) != 0)
		log_warnx("directory: cannot record the last sync time");
}

void
directory_poc_key(const Poc__DirectoryPoc *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s", dirrec_level_name(p->level), p->name);
}

/* The trust store of the peer listener: network CA and CRL, as reloaded
 * on SIGHUP. */
static X509_STORE *
directory_ca(void)
{
	return SSL_CTX_get_cert_store(env->peer_ctx);
}

int
directory_check(const Poc__DirectoryRecord *r, char *err, size_t errlen)
{
	struct validate_result	*vr;
	int			 ok;

	if ((vr = calloc(1, sizeof(*vr))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ok = dirrec_validate(r, "", 1, vr) == 0;
	if (!ok)
		snprintf(err, errlen, "%s: %s", vr->err[0].field,
		    vr->err[0].message);
	free(vr);
	if (!ok)
		return -1;
	if (!dirrec_verify(r, directory_ca(), dir.network, err, errlen))
		return -1;
	return 0;
}

int
directory_take(const Poc__DirectoryRecord *r, const char *via, char *err,
    size_t errlen)
{
	int	 res;

	if (directory_check(r, err, errlen) != 0) {
		log_warnx("directory: record of %.32s (serial %llu) via %s "
		    "refused: %s", validate_member_code(r->code) ? r->code :
		    "?", (unsigned long long)r->serial, via, err);
		return -1;
	}
	if (strcmp(r->code, env->conf.member) == 0) {
		snprintf(err, errlen, "this node's own record is edited here "
		    "only");
		return 0;
	}
	if ((res = store_dir_put(env->store, r, via, util_now_ms())) < 0) {
		snprintf(err, errlen, "the store failed");
		return -1;
	}
	if (res == 1)
		log_info("directory: %s serial %llu taken via %s", r->code,
		    (unsigned long long)r->serial, via);
	else
		snprintf(err, errlen, "serial %llu is not newer than the one "
		    "held", (unsigned long long)r->serial);
	return res;
}

int
directory_peers(struct directory_peer **out)
{
	struct store_dir_row	*rows;
	struct directory_peer	*v;
	int			 n, i, k = 0;

	*out = NULL;
	if ((n = store_dir_list(env->store, &rows)) < 0)
		return -1;
	if ((v = calloc((size_t)n + 1, sizeof(*v))) == NULL) {
		store_dir_rows_free(rows, n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].code, env->conf.member) == 0)
			continue;
		snprintf(v[k].member, sizeof(v[k].member), "%s", rows[i].code);
		if (rows[i].record->n_endpoints > 0)
			snprintf(v[k].endpoint, sizeof(v[k].endpoint), "%s",
			    rows[i].record->endpoints[0]);
		k++;
	}
	store_dir_rows_free(rows, n);
	*out = v;
	return k;
}

int
directory_known(const char *member)
{
	Poc__DirectoryRecord	*r;
	int			 n;

	n = store_dir_get(env->store, member, &r, NULL);
	if (r != NULL)
		poc__directory_record__free_unpacked(r, NULL);
	return n == 1;
}

int
directory_shared_threads(const char *member)
{
	Poc__DirectoryRecord	*r;
	int			 ok = 0;

	if (store_dir_get(env->store, member, &r, NULL) == 1) {
		ok = r->shared_threads != 0;
		poc__directory_record__free_unpacked(r, NULL);
	}
	return ok;
}

int
directory_pinned(const char *member, const char *fp)
{
	Poc__DirectoryRecord	*r;
	int			 ok = 0;

	if (fp == NULL || fp[0] == '\0')
		return 0;
	if (store_dir_get(env->store, member, &r, NULL) == 1) {
		ok = dirrec_pinned(r, fp);
		poc__directory_record__free_unpacked(r, NULL);
	}
	return ok;
}

int
directory_endpoint(const char *member, char *buf, size_t len)
{
	Poc__DirectoryRecord	*r;
	int			 res = -1;

	if (store_dir_get(env->store, member, &r, NULL) != 1)
		return -1;
	if (r->n_endpoints > 0 && (size_t)snprintf(buf, len, "%s",
	    r->endpoints[0]) < len)
		res = 0;
	poc__directory_record__free_unpacked(r, NULL);
	return res;
}

/* Signs r as this node with the node key in use (network, code,
 * certificate, signed_at set here, serial by the caller), checks it as any
 * other node would, and stores it. */
static int
directory_sign_store(Poc__DirectoryRecord *r, struct validate_result *vr)
{
	uint8_t	*der;
	size_t	 derlen;
	char	 err[256], fp[65];
	int	 res;

	if (directory_own_cert(&der, &derlen, fp) != 0) {
		validate_add(vr, "certificate", "the node certificate is not "
		    "loaded");
		return -1;
	}
	r->network = dir.network;
	r->code = env->conf.member;
	/* What this release takes (receive.c), said in every record it
	 * signs; a record signed by an older node lacks it. */
	r->shared_threads = 1;
	r->certificate.data = der;
	r->certificate.len = derlen;
	r->signed_at = util_now_ms();
	if (msgsig_key_get() == NULL || dirrec_sign(r, msgsig_key_get()) != 0) {
		validate_add(vr, "signature", "cannot sign with the node key");
		free(der);
		r->certificate.data = NULL;
		r->certificate.len = 0;
		return -1;
	}
	if (dirrec_validate(r, "", 1, vr) != 0 ||
	    !dirrec_verify(r, directory_ca(), dir.network, err, sizeof(err))) {
		if (vr->total == 0)
			validate_add(vr, "record", "%s", err);
		res = -1;
	} else if ((res = store_dir_put(env->store, r, "self",
	    util_now_ms())) != 1) {
		validate_add(vr, "record", "the store failed or holds a newer "
		    "serial");
		res = -1;
	} else
		res = 0;
	free(r->signature.data);
	r->signature.data = NULL;
	r->signature.len = 0;
	free(der);
	r->certificate.data = NULL;
	r->certificate.len = 0;
	return res;
}

int
directory_edit_own(const Poc__DirectoryRecord *in, uint64_t base_serial,
    struct validate_result *vr, uint64_t *serial)
{
	Poc__DirectoryRecord	*cur = NULL, r = POC__DIRECTORY_RECORD__INIT;
	char			 fp[65];

	if (msgsig_own_fingerprint(fp) != 0) {
		validate_add(vr, "certificate", "the node certificate is not "
		    "loaded");
		return -1;
	}
	if (store_dir_get(env->store, env->conf.member, &cur, NULL) != 1) {
		validate_add(vr, "record", "this node has no own record");
		return -1;
	}
	if (base_serial != 0 && base_serial != cur->serial) {
		validate_add(vr, "serial", "the record changed (serial %llu, "
		    "edited %llu); show it again and redo the change",
		    (unsigned long long)cur->serial,
		    (unsigned long long)base_serial);
		goto fail;
	}
	r.name = in->name;
	r.n_networks = in->n_networks;
	r.networks = in->networks;
	r.n_endpoints = in->n_endpoints;
	r.endpoints = in->endpoints;
	r.n_fingerprints = in->n_fingerprints;
	r.fingerprints = in->fingerprints;
	r.expires = in->expires;
	r.n_pocs = in->n_pocs;
	r.pocs = in->pocs;
	r.serial = cur->serial + 1;
	r.code = env->conf.member;
	if (dirrec_validate(&r, "", 0, vr) != 0)
		goto fail;
	if (!dirrec_pinned(&r, fp)) {
		validate_add(vr, "fingerprints", "must include this node's "
		    "certificate %s (it signs the record)", fp);
		goto fail;
	}
	if (directory_sign_store(&r, vr) != 0)
		goto fail;
	*serial = r.serial;
	log_info("directory: own record %s is now serial %llu",
	    env->conf.member, (unsigned long long)r.serial);
	poc__directory_record__free_unpacked(cur, NULL);
	return 0;
fail:
	poc__directory_record__free_unpacked(cur, NULL);
	return -1;
}

/*
 * At start-up and after a SIGHUP that changed the node certificate: the
 * own record exists, is of this network, pins and carries the node
 * certificate in use, is signed with its key, and lists the configured
 * endpoint.  A new certificate (key rotation) is added to the pinned
 * fingerprints, keeping the old ones until the operator removes them.
 */
static int
directory_own_renew(void)
{
	Poc__DirectoryRecord	*cur = NULL, r = POC__DIRECTORY_RECORD__INIT;
	struct validate_result	*vr;
	char			*fps[DIRREC_MAX_LIST + 1], *eps[DIRREC_MAX_LIST + 1];
	char			 fp[65];
	uint8_t			*der = NULL;
	size_t			 i, nfp = 0, nep = 0, derlen;
	int			 n, change = 0, res = -1;

	if ((vr = calloc(1, sizeof(*vr))) == NULL)
		return -1;
	if (directory_own_cert(&der, &derlen, fp) != 0)
		goto out;
	if ((n = store_dir_get(env->store, env->conf.member, &cur, NULL)) < 0)
		goto out;
	if (n == 1 && strcmp(cur->network, dir.network) == 0 &&
	    cur->n_fingerprints < DIRREC_MAX_LIST &&
	    cur->n_endpoints < DIRREC_MAX_LIST) {
		r = *cur;
		r.signature.len = 0;
		r.signature.data = NULL;
		for (i = 0; i < cur->n_fingerprints; i++)
			fps[nfp++] = cur->fingerprints[i];
		for (i = 0; i < cur->n_endpoints; i++)
			eps[nep++] = cur->endpoints[i];
		if (!dirrec_pinned(cur, fp)) {
			fps[nfp++] = fp;
			change = 1;
			log_info("directory: node certificate %s is new; "
			    "pinning it in the own record", fp);
		}
		if (!cur->shared_threads) {
			change = 1;
			log_info("directory: the own record now says this "
			    "node takes shared threads");
		}
		if (derlen != cur->certificate.len ||
		    memcmp(der, cur->certificate.data, derlen) != 0)
			change = 1;
		if (env->conf.endpoint[0] != '\0') {
			for (i = 0; i < nep; i++)
				if (strcmp(eps[i], env->conf.endpoint) == 0)
					break;
			if (i == nep) {
				/* The configured endpoint goes first. */
				memmove(eps + 1, eps, nep * sizeof(*eps));
				eps[0] = env->conf.endpoint;
				nep++;
				change = 1;
			}
		}
		if (!change) {
			res = 0;
			goto out;
		}
		r.serial = cur->serial + 1;
	} else {
		if (n == 1)
			log_warnx("directory: the own record is of another "
			    "network or full; making a new one");
		r.name = env->conf.member;
		fps[nfp++] = fp;
		if (env->conf.endpoint[0] != '\0')
			eps[nep++] = env->conf.endpoint;
		else
			log_warnx("directory: [node] endpoint is not set; the "
			    "own record has no endpoint, so no member can "
			    "reach this node");
		r.expires = util_now_ms() +
		    (int64_t)env->conf.record_lifetime * DAY_MS;
		r.serial = n == 1 ? cur->serial + 1 : 1;
	}
	r.fingerprints = fps;
	r.n_fingerprints = nfp;
	r.endpoints = eps;
	r.n_endpoints = nep;
	if (directory_sign_store(&r, vr) != 0) {
		log_warnx("directory: cannot sign the own record: %s: %s",
		    vr->err[0].field, vr->err[0].message);
		goto out;
	}
	log_info("directory: own record %s signed with certificate "
	    "%.16s..., serial %llu", env->conf.member, fp,
	    (unsigned long long)r.serial);
	res = 0;
out:
	if (cur != NULL)
		poc__directory_record__free_unpacked(cur, NULL);
	free(der);
	free(vr);
	return res;
}

int
directory_init(void)
{
	X509	*ca;
	char	 err[512];

	if ((ca = sig_cert_load(env->conf.peer.ca, err, sizeof(err))) == NULL ||
	    sig_cert_fingerprint(ca, dir.network) != 0) {
		X509_free(ca);
		log_warnx("directory: network CA: %s", err);
		return -1;
	}
	X509_free(ca);
	dir.last_sync = store_dir_meta_get(env->store, "last_sync");
	if (directory_own_renew() != 0)
		return -1;
	log_info("directory: network %.16s...", dir.network);
	return 0;
}

int
directory_rotated(void)
{
	if (directory_own_renew() != 0) {
		log_warnx("directory: the own record could not be renewed for "
		    "the new node certificate; members will not take it "
		    "until it is (restart pocd)");
		return -1;
	}
	return 0;
}

void
directory_shutdown(void)
{
	memset(&dir, 0, sizeof(dir));
}

int64_t *
directory_last_checks(const Poc__DirectoryRecord *r)
{
	int64_t	*v;
	char	 key[200];
	size_t	 i;

	if ((v = calloc(r->n_pocs + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < r->n_pocs; i++) {
		directory_poc_key(r->pocs[i], key, sizeof(key));
		v[i] = store_dir_check_get(env->store, r->code, key);
	}
	return v;
}

/* Fills out from the ranked PoC w of record r. */
static void
directory_contact_fill(struct directory_contact *out,
    const Poc__DirectoryRecord *r, const struct who_entry *w)
{
	const Poc__DirectoryChannel	**ch = NULL;
	const Poc__DirectoryPoc		*p = w->poc;

	memset(out, 0, sizeof(*out));
	snprintf(out->member, sizeof(out->member), "%s", r->code);
	snprintf(out->level, sizeof(out->level), "%s",
	    dirrec_level_name(p->level));
	snprintf(out->name, sizeof(out->name), "%s", p->name);
	snprintf(out->role, sizeof(out->role), "%s", p->role);
	snprintf(out->organization, sizeof(out->organization), "%s",
	    p->organization);
	if (p->n_channels > 0 &&
	    (ch = calloc(p->n_channels, sizeof(*ch))) != NULL) {
		who_channels(p, ch);
		snprintf(out->channel_kind, sizeof(out->channel_kind), "%s",
		    dirrec_kind_name(ch[0]->kind));
		snprintf(out->channel_value, sizeof(out->channel_value), "%s",
		    ch[0]->value);
	}
	out->available = w->available;
	out->last_check = w->last_check;
	free(ch);
}

int
directory_contacts(const char *member, int64_t at_ms, int skip,
    struct directory_contact *out, int max)
{
	Poc__DirectoryRecord		*r;
	struct who_entry		*w;
	int64_t				*checks;
	size_t				 n;
	int				 res, got, i;

	if (member == NULL || skip < 0 || out == NULL || max < 0)
		return -1;
	if ((got = store_dir_get(env->store, member, &r, NULL)) != 1)
		return got;
	checks = directory_last_checks(r);
	w = calloc(r->n_pocs + 1, sizeof(*w));
	if (checks == NULL || w == NULL) {
		res = -1;
		goto out;
	}
	/* One ranking for all of them. */
	n = who_rank(r, checks, 0, at_ms, NULL, w, r->n_pocs);
	for (i = 0; i < max && (size_t)skip + (size_t)i < n; i++)
		directory_contact_fill(&out[i], r, &w[skip + i]);
	res = i;
out:
	free(w);
	free(checks);
	poc__directory_record__free_unpacked(r, NULL);
	return res;
}

int
directory_next_contact(const char *member, int64_t at_ms, int skip,
    struct directory_contact *out)
{
	return directory_contacts(member, at_ms, skip, out, 1);
}

int
directory_mark_checked(const char *member, int64_t at_ms)
{
	Poc__DirectoryRecord	*r;
	char			 key[200];
	size_t			 i;
	int			 res = 0, got;

	if ((got = store_dir_get(env->store, member, &r, NULL)) != 1) {
		if (got == 0)
			log_warnx("directory: check of %s recorded, but it has "
			    "no record here", member);
		return got == 0 ? 0 : -1;
	}
	for (i = 0; i < r->n_pocs; i++) {
		directory_poc_key(r->pocs[i], key, sizeof(key));
		if (store_dir_check_set(env->store, r->code, key, at_ms) != 0)
			res = -1;
	}
	poc__directory_record__free_unpacked(r, NULL);
	return res;
}
