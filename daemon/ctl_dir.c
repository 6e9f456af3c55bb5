/*
 * The operator's directory requests (see ctl_dir.h).  Edits of the own
 * record are checked completely before the node signs and stores them; an
 * import is checked record by record (field rules, network, certificate,
 * pin, signature) and either every record is committed in one transaction
 * or, if any is bad, nothing is, with every problem named by its path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "ctl.h"
#include "ctl_dir.h"
#include "dirrec.h"
#include "directory.h"
#include "dirsync.h"
#include "log.h"
#include "node.h"
#include "store.h"
#include "store_dir.h"
#include "store_tx.h"
#include "util.h"
#include "validate.h"
#include "who.h"

#define CTL_DIR_MAX_IMPORT	10000

/* Reply storage that lives until the reply is sent (one request at a
 * time: pocd is single-threaded). */
static struct {
	struct validate_result	 vr;
	Poc__OpDirectoryChanged	 changed;
	Poc__OpDirectorySynced	 synced;
	Poc__OpDirectoryListing	 listing;
	Poc__OpWhoReply		 who;
	/* owned by the listing or who reply */
	struct store_dir_row	*rows;
	int			 nrows;
	Poc__DirectoryMember	*members;
	Poc__DirectoryMember	**memberp;
	Poc__WhoEntry		*entries;
	Poc__WhoEntry		**entryp;
	int64_t			*checks;
	Poc__DirectoryRecord	*record;
} cd;

/* 1 if r says its member belongs to regional network net (the names are
 * compared without regard to ASCII case: "OSCE" is "osce"). */
static int
ctl_dir_in_network(const Poc__DirectoryRecord *r, const char *net)
{
	size_t	 i;

	for (i = 0; i < r->n_networks; i++)
		if (strcasecmp(r->networks[i], net) == 0)
			return 1;
	return 0;
}

void
ctl_dir_show(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	const char	*want = req->directory_show->member;
	const char	*net = req->directory_show->network;
	int64_t		 now = util_now_ms();
	int		 i, k = 0;

	(void)op;
	if (want[0] != '\0' && !validate_member_code(want)) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "\"%.40s\" "
		    "is not a member code", want);
		return;
	}
	if ((cd.nrows = store_dir_list(env->store, &cd.rows)) < 0) {
		cd.nrows = 0;
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read "
		    "the directory");
		return;
	}
	cd.members = calloc((size_t)cd.nrows + 1, sizeof(*cd.members));
	cd.memberp = calloc((size_t)cd.nrows + 1, sizeof(*cd.memberp));
	if (cd.members == NULL || cd.memberp == NULL) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "out of memory");
		return;
	}
	for (i = 0; i < cd.nrows; i++) {
		Poc__DirectoryMember	*m = &cd.members[k];
		Poc__DirectoryRecord	*r = cd.rows[i].record;

		if (want[0] != '\0' && strcmp(want, cd.rows[i].code) != 0)
			continue;
		if (net[0] != '\0' && !ctl_dir_in_network(r, net))
			continue;
		poc__directory_member__init(m);
		m->record = r;
		m->stale = r->expires < now;
		m->own = strcmp(r->code, env->conf.member) == 0;
		m->received_at = cd.rows[i].received_at;
		if ((m->last_check = directory_last_checks(r)) == NULL) {
			ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL,
			    "out of memory");
			return;
		}
		m->n_last_check = r->n_pocs;
		cd.memberp[k++] = m;
	}
	if (want[0] != '\0' && k == 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__NOT_FOUND, "no record "
		    "of %s in this node's directory", want);
		return;
	}
	poc__op_directory_listing__init(&cd.listing);
	cd.listing.members = cd.memberp;
	cd.listing.n_members = (size_t)k;
	cd.listing.last_sync = directory_last_sync_ms();
	rep->kind_case = POC__OP_REPLY__KIND_DIRECTORY_LISTING;
	rep->directory_listing = &cd.listing;
}

void
ctl_dir_edit(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	const Poc__OpDirectoryEdit	*ed = req->directory_edit;
	uint64_t			 serial;

	(void)op;
	if (ed->record == NULL) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "no record");
		return;
	}
	memset(&cd.vr, 0, sizeof(cd.vr));
	if (ed->record->code[0] != '\0' &&
	    strcmp(ed->record->code, env->conf.member) != 0)
		validate_add(&cd.vr, "code", "only this node's own record (%s) "
		    "can be edited here", env->conf.member);
	if (cd.vr.total == 0 && directory_edit_own(ed->record, ed->base_serial,
	    &cd.vr, &serial) == 0) {
		poc__op_directory_changed__init(&cd.changed);
		cd.changed.code = env->conf.member;
		cd.changed.serial = serial;
		rep->kind_case = POC__OP_REPLY__KIND_DIRECTORY_CHANGED;
		rep->directory_changed = &cd.changed;
		return;
	}
	log_info("directory: edit of the own record refused: %s: %s",
	    cd.vr.err[0].field, cd.vr.err[0].message);
	ctl_invalid(rep, &cd.vr, "the record");
}

void
ctl_dir_import(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	const Poc__OpDirectoryImport	*im = req->directory_import;
	char				 path[32], err[300];
	size_t				 i, j;
	unsigned			 taken = 0, same = 0;
	int				 r;

	(void)op;
	memset(&cd.vr, 0, sizeof(cd.vr));
	if (im->n_records == 0 || im->n_records > CTL_DIR_MAX_IMPORT) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "%zu "
		    "records: give 1 to %d", im->n_records, CTL_DIR_MAX_IMPORT);
		return;
	}
	/* Every record is checked before anything is stored. */
	for (i = 0; i < im->n_records; i++) {
		const Poc__DirectoryRecord *rec = im->records[i];

		snprintf(path, sizeof(path), "records[%zu]", i);
		if (dirrec_validate(rec, path, 1, &cd.vr) != 0)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(im->records[j]->code, rec->code) == 0)
				validate_add(&cd.vr, path, "%s is also "
				    "records[%zu]", rec->code, j);
		if (directory_check(rec, err, sizeof(err)) != 0)
			validate_add(&cd.vr, path, "%s: %s", rec->code, err);
	}
	if (cd.vr.total > 0) {
		log_warnx("directory: import refused, %zu problem%s; first %s: "
		    "%s", cd.vr.total, cd.vr.total == 1 ? "" : "s",
		    cd.vr.err[0].field, cd.vr.err[0].message);
		ctl_invalid(rep, &cd.vr, "the file; nothing was imported");
		return;
	}
	/* One transaction: all records or none. */
	if (store_begin(env->store) != 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "the store "
		    "failed; nothing was imported");
		return;
	}
	for (i = 0; i < im->n_records; i++) {
		if (strcmp(im->records[i]->code, env->conf.member) == 0) {
			same++;		/* the own record is edited here only */
			continue;
		}
		if ((r = store_dir_put(env->store, im->records[i], "import",
		    util_now_ms())) < 0) {
			store_rollback(env->store);
			ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "the "
			    "store failed; nothing was imported");
			return;
		}
		if (r == 1)
			taken++;
		else
			same++;
	}
	if (store_commit(env->store) != 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "the store "
		    "failed; nothing was imported");
		return;
	}
	log_info("directory: import: %u record%s taken, %u not newer than "
	    "held", taken, taken == 1 ? "" : "s", same);
	poc__op_directory_changed__init(&cd.changed);
	cd.changed.taken = taken;
	cd.changed.unchanged = same;
	rep->kind_case = POC__OP_REPLY__KIND_DIRECTORY_CHANGED;
	rep->directory_changed = &cd.changed;
}

void
ctl_dir_sync(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	(void)op;
	(void)req;
	if (dirsync_upstreams() == 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "no "
		    "[upstream CODE] is configured");
		return;
	}
	poc__op_directory_synced__init(&cd.synced);
	cd.synced.upstreams = (uint32_t)dirsync_now();
	rep->kind_case = POC__OP_REPLY__KIND_DIRECTORY_SYNCED;
	rep->directory_synced = &cd.synced;
}

void
ctl_dir_who(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	const Poc__OpWho		*w = req->who;
	struct who_entry		*e;
	struct clock_own		 own;
	const Poc__DirectoryChannel	**ch;
	Poc__DirectoryPoc		*p;
	int64_t				 at = w->at != 0 ? w->at : util_now_ms();
	size_t				 i, j, n;
	int				 got;

	(void)op;
	if (!validate_member_code(w->member)) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "\"%.40s\" "
		    "is not a member code", w->member);
		return;
	}
	if (w->level < 0 || w->level > POC__DIRECTORY_POC__LEVEL__TECHNICAL) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "unknown "
		    "level %d", w->level);
		return;
	}
	if ((got = store_dir_get(env->store, w->member, &cd.record,
	    NULL)) != 1) {
		if (got == 0)
			ctl_error(rep, POC__OP_ERROR__CODE__NOT_FOUND, "no "
			    "record of %s in this node's directory",
			    w->member);
		else
			ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL,
			    "cannot read the directory");
		return;
	}
	n = cd.record->n_pocs;
	cd.checks = directory_last_checks(cd.record);
	e = calloc(n + 1, sizeof(*e));
	cd.entries = calloc(n + 1, sizeof(*cd.entries));
	cd.entryp = calloc(n + 1, sizeof(*cd.entryp));
	if (cd.checks == NULL || e == NULL || cd.entries == NULL ||
	    cd.entryp == NULL) {
		free(e);
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "out of memory");
		return;
	}
	n = who_rank(cd.record, cd.checks, w->level, at, w->language, e, n);
	for (i = 0; i < n; i++) {
		p = (Poc__DirectoryPoc *)e[i].poc;
		/* Channels best first: the record is ours to reorder. */
		if ((ch = calloc(p->n_channels + 1, sizeof(*ch))) != NULL) {
			who_channels(p, ch);
			for (j = 0; j < p->n_channels; j++)
				p->channels[j] = (Poc__DirectoryChannel *)ch[j];
			free(ch);
		}
		poc__who_entry__init(&cd.entries[i]);
		cd.entries[i].member = cd.record->code;
		cd.entries[i].poc = p;
		cd.entries[i].available = e[i].available;
		cd.entries[i].last_check = e[i].last_check;
		cd.entries[i].language_match = e[i].lang_match;
		cd.entryp[i] = &cd.entries[i];
	}
	free(e);
	poc__op_who_reply__init(&cd.who);
	cd.who.entries = cd.entryp;
	cd.who.n_entries = n;
	cd.who.stale = cd.record->expires < util_now_ms();
	cd.who.at = at;
	/* "Now" is this node's clock; if most peers find it wrong, the
	 * answer says by how much (the operator may ask again with --at). */
	if (w->at == 0 && clock_own(&own))
		cd.who.own_clock_offset = own.offset_ms;
	rep->kind_case = POC__OP_REPLY__KIND_WHO;
	rep->who = &cd.who;
}

void
ctl_dir_free(Poc__OpReply *rep)
{
	int	 i;

	(void)rep;
	if (cd.members != NULL)
		for (i = 0; i < cd.nrows; i++)
			free(cd.members[i].last_check);
	free(cd.members);
	free(cd.memberp);
	store_dir_rows_free(cd.rows, cd.nrows);
	free(cd.entries);
	free(cd.entryp);
	free(cd.checks);
	if (cd.record != NULL)
		poc__directory_record__free_unpacked(cd.record, NULL);
	memset(&cd, 0, sizeof(cd));
}
