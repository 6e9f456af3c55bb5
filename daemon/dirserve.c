/*
 * Directory replication by pull (DESIGN.md "Directory"), the serving
 * side: any member that passed the peer listener's checks (certificate,
 * Hello, pinned fingerprint) may ask for the digest (code -> serial of
 * every record held) and then for records by code.  A registry is simply
 * a node that others pull from; every node answers the same way.
 *
 * Records go out as they were signed, so the puller checks each one on
 * its own (dirsync.c) and a node can forward records but not forge them.
 * This side keeps no state between requests: each answer is read from
 * the store when asked.  An enrolling connection never gets here for a
 * fetch (peer.c, enroll.c).
 */
#include <stdlib.h>

#include "dirserve.h"
#include "node.h"
#include "peer.h"
#include "store_dir.h"
#include "validate.h"

/* Answers a digest request: every record held, with its serial. */
static void
dirserve_digest(struct peer *p)
{
	Poc__PeerFrame			 f = POC__PEER_FRAME__INIT;
	Poc__DirectoryDigest		 d = POC__DIRECTORY_DIGEST__INIT;
	Poc__DirectoryDigestEntry	*e = NULL, **ep = NULL;
	struct store_dir_row		*rows;
	int				 n, i;

	if ((n = store_dir_list(env->store, &rows)) < 0) {
		peer_fail(p, POC__ERROR__CODE__INTERNAL, "cannot read the "
		    "directory");
		return;
	}
	if ((e = calloc((size_t)n + 1, sizeof(*e))) == NULL ||
	    (ep = calloc((size_t)n + 1, sizeof(*ep))) == NULL) {
		free(e);
		store_dir_rows_free(rows, n);
		peer_fail(p, POC__ERROR__CODE__INTERNAL, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		poc__directory_digest_entry__init(&e[i]);
		e[i].code = rows[i].code;
		e[i].serial = rows[i].serial;
		ep[i] = &e[i];
	}
	d.entries = ep;
	d.n_entries = (size_t)n;
	f.kind_case = POC__PEER_FRAME__KIND_DIRECTORY_DIGEST;
	f.directory_digest = &d;
	(void)peer_send_frame(p, &f);	/* on failure p is closed */
	free(ep);
	free(e);
	store_dir_rows_free(rows, n);
}

/* Answers a fetch: the records asked for that are held, as they were
 * signed, as many as fit in a frame (the rest wait for the next sync). */
static void
dirserve_fetch(struct peer *p, const Poc__DirectoryFetch *fe)
{
	Poc__PeerFrame		 f = POC__PEER_FRAME__INIT;
	Poc__DirectoryRecords	 rs = POC__DIRECTORY_RECORDS__INIT;
	Poc__DirectoryRecord	**r;
	size_t			 i, n = 0, size = 64;

	if (fe->n_codes > DIRSERVE_MAX_FETCH) {
		peer_fail(p, POC__ERROR__CODE__PROTOCOL, "fetch of too many "
		    "codes");
		return;
	}
	if ((r = calloc(fe->n_codes + 1, sizeof(*r))) == NULL) {
		peer_fail(p, POC__ERROR__CODE__INTERNAL, "out of memory");
		return;
	}
	for (i = 0; i < fe->n_codes; i++) {
		if (!validate_member_code(fe->codes[i]) ||
		    store_dir_get(env->store, fe->codes[i], &r[n], NULL) != 1)
			continue;
		size += poc__directory_record__get_packed_size(r[n]) + 8;
		if (size > env->conf.max_frame) {
			poc__directory_record__free_unpacked(r[n], NULL);
			break;
		}
		n++;
	}
	rs.records = r;
	rs.n_records = n;
	f.kind_case = POC__PEER_FRAME__KIND_DIRECTORY_RECORDS;
	f.directory_records = &rs;
	(void)peer_send_frame(p, &f);	/* on failure p is closed */
	for (i = 0; i < n; i++)
		poc__directory_record__free_unpacked(r[i], NULL);
	free(r);
}

void
dirserve_request(struct peer *p, const Poc__PeerFrame *f)
{
	if (f->kind_case == POC__PEER_FRAME__KIND_DIRECTORY_DIGEST_REQUEST)
		dirserve_digest(p);
	else
		dirserve_fetch(p, f->directory_fetch);
}
