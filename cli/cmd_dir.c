/*
 * pocctl's directory commands: `directory` (show, own, edit, set, poc,
 * import, export, sync) and `who`.  Changes to the own record are made
 * here on a copy of the record as the node holds it and sent whole with
 * the serial they were made on; the node re-checks, bumps the serial and
 * signs, and refuses the change if the record changed in between.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_dir.h"
#include "cli/cmd_enroll.h"
#include "cli/dirfmt.h"
#include "cli/i18n.h"
#include "dirrec.h"
#include "util.h"
#include "validate.h"

#define CMD_DIR_MAX_ARGS	DIRREC_MAX_LIST

/* One round trip; the reply must be of kind want. */
static Poc__OpReply *
cmd_dir_call(struct ctx *ctx, Poc__OpRequest *req, Poc__OpReply__KindCase want,
    const char *arg)
{
	Poc__OpReply	*r;

	r = cmd_call(ctx, req);
	if (r->kind_case == POC__OP_REPLY__KIND_ERROR &&
	    r->error->code == POC__OP_ERROR__CODE__NOT_FOUND)
		errx(1, "%s", r->error->message);
	client_expect(r, want, arg);
	return r;
}

/* The listing of one member ("" = all), of one regional network if net
 * is not NULL. */
static Poc__OpReply *
cmd_dir_listing_net(struct ctx *ctx, const char *member, const char *net)
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__OpDirectoryShow	 sh = POC__OP_DIRECTORY_SHOW__INIT;

	sh.member = (char *)member;
	if (net != NULL)
		sh.network = (char *)net;
	req.kind_case = POC__OP_REQUEST__KIND_DIRECTORY_SHOW;
	req.directory_show = &sh;
	return cmd_dir_call(ctx, &req, POC__OP_REPLY__KIND_DIRECTORY_LISTING,
	    NULL);
}

static Poc__OpReply *
cmd_dir_listing(struct ctx *ctx, const char *member)
{
	return cmd_dir_listing_net(ctx, member, NULL);
}

/* This node's own record, as held (borrowed from *reply). */
static const Poc__DirectoryRecord *
cmd_dir_own(struct ctx *ctx, Poc__OpReply **reply)
{
	struct client_config	 cfg;

	client_config_load(&cfg, client_config_path(ctx->config));
	*reply = cmd_dir_listing(ctx, cfg.member);
	if ((*reply)->directory_listing->n_members != 1)
		errx(1, "the node has no own record");
	return (*reply)->directory_listing->members[0]->record;
}

/* Sends an edit of the own record made on serial base. */
static int
cmd_dir_send_edit(struct ctx *ctx, Poc__DirectoryRecord *r, uint64_t base)
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__OpDirectoryEdit	 ed = POC__OP_DIRECTORY_EDIT__INIT;
	Poc__OpReply		*rep;

	ed.record = r;
	ed.base_serial = base;
	req.kind_case = POC__OP_REQUEST__KIND_DIRECTORY_EDIT;
	req.directory_edit = &ed;
	rep = cmd_dir_call(ctx, &req, POC__OP_REPLY__KIND_DIRECTORY_CHANGED,
	    NULL);
	ctx->out->dir_changed(rep->directory_changed);
	client_reply_free(rep);
	return 0;
}

/* pocctl directory [show] [MEMBER] [--network NAME] */
static int
cmd_dir_show(struct ctx *ctx, int argc, char **argv)
{
	const char	*pos[1] = { "" }, *net = NULL;
	struct cmd_opt	 opts[] = { { "network", &net }, { NULL, NULL } };
	Poc__OpReply	*r;

	cmd_args(ctx, argc, argv, opts, pos, 0, 1);
	if (pos[0][0] != '\0' && !validate_member_code(pos[0]))
		cmd_usage(ctx, "\"%s\" is not a member code", pos[0]);
	if (net != NULL && (net[0] == '\0' || strlen(net) > 128))
		cmd_usage(ctx, "--network: a regional network's name, as "
		    "records list it (e.g. OSCE)");
	r = cmd_dir_listing_net(ctx, pos[0], net);
	ctx->out->dir_listing(r->directory_listing);
	client_reply_free(r);
	return 0;
}

/* pocctl directory own: the own record as JSON, to edit and give back to
 * 'directory edit'. */
static int
cmd_dir_ownjson(struct ctx *ctx, int argc, char **argv)
{
	const Poc__DirectoryRecord	*r;
	Poc__OpReply			*rep;
	json_t				*j;

	cmd_args(ctx, argc, argv, NULL, NULL, 0, 0);
	r = cmd_dir_own(ctx, &rep);
	j = dirfmt_record_json(r);
	json_object_del(j, "certificate");
	json_object_del(j, "signature");
	json_object_del(j, "signed_at");
	json_object_del(j, "network");
	ctx->out->document(j);
	json_decref(j);
	client_reply_free(rep);
	return 0;
}

/* pocctl directory edit FILE: the own record's fields from JSON. */
static int
cmd_dir_edit(struct ctx *ctx, int argc, char **argv)
{
	static const char *const ignore[] = { "network", "code", "signed_at",
	    NULL };
	const char		*pos[1];
	json_t			*j;
	json_error_t		 je;
	Poc__DirectoryRecord	*r;
	char			 err[512];

	cmd_args(ctx, argc, argv, NULL, pos, 1, 1);
	if (strcmp(pos[0], "-") == 0)
		j = json_loadf(stdin, JSON_REJECT_DUPLICATES, &je);
	else
		j = json_load_file(pos[0], JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		errx(1, "%s: line %d, column %d: %s", pos[0], je.line,
		    je.column, je.text);
	if ((r = dirfmt_record_from_json(j, "", ignore, err,
	    sizeof(err))) == NULL)
		errx(1, "%s: %s", pos[0], err);
	json_decref(j);
	cmd_dir_send_edit(ctx, r, r->serial);
	poc__directory_record__free_unpacked(r, NULL);
	return 0;
}

/* pocctl directory set FIELD VALUE... */
static int
cmd_dir_set(struct ctx *ctx, int argc, char **argv)
{
	const char			*pos[CMD_DIR_MAX_ARGS + 1] = { NULL };
	const Poc__DirectoryRecord	*cur;
	Poc__DirectoryRecord		 r;
	Poc__OpReply			*rep;
	int64_t				 t;
	int				 n;

	cmd_args(ctx, argc, argv, NULL, pos, 1, CMD_DIR_MAX_ARGS + 1);
	for (n = 0; n < CMD_DIR_MAX_ARGS + 1 && pos[n] != NULL; n++)
		;
	cur = cmd_dir_own(ctx, &rep);
	r = *cur;
	if (strcmp(pos[0], "name") == 0) {
		if (n != 2)
			cmd_usage(ctx, "set name wants one value");
		r.name = (char *)pos[1];
	} else if (strcmp(pos[0], "expires") == 0) {
		if (n != 2 || dirfmt_time_parse(pos[1], util_now_ms(), &t) != 0)
			cmd_usage(ctx, "set expires wants one time: "
			    "2027-11-25, 2027-11-25T00:00Z, +365d");
		r.expires = t;
	} else if (strcmp(pos[0], "endpoint") == 0 ||
	    strcmp(pos[0], "endpoints") == 0) {
		r.endpoints = (char **)(pos + 1);
		r.n_endpoints = (size_t)(n - 1);
	} else if (strcmp(pos[0], "networks") == 0) {
		r.networks = (char **)(pos + 1);
		r.n_networks = (size_t)(n - 1);
	} else if (strcmp(pos[0], "fingerprints") == 0) {
		r.fingerprints = (char **)(pos + 1);
		r.n_fingerprints = (size_t)(n - 1);
	} else
		cmd_usage(ctx, "unknown field \"%s\" (name, endpoint, "
		    "networks, fingerprints, expires)", pos[0]);
	cmd_dir_send_edit(ctx, &r, cur->serial);
	client_reply_free(rep);
	return 0;
}

/* A --channel KIND:VALUE[:PRIORITY] argument; c->value points into *buf
 * (malloc'd, the caller frees it). */
static void
cmd_dir_channel(struct ctx *ctx, const char *arg, Poc__DirectoryChannel *c,
    char **buf)
{
	char		*s, *colon, *prio, *end;
	long		 p;

	poc__directory_channel__init(c);
	if ((*buf = s = strdup(arg)) == NULL)
		err(1, NULL);
	if ((colon = strchr(s, ':')) == NULL ||
	    (c->kind = dirrec_kind_parse((*colon = '\0', s))) == 0)
		cmd_usage(ctx, "--channel wants KIND:VALUE[:PRIORITY], KIND "
		    "one of EMAIL, PHONE, FAX, SECURE_MESSAGING, OTHER, not "
		    "\"%s\"", arg);
	c->value = colon + 1;
	/* A trailing ":N" is the priority (values may hold ':' too). */
	if ((prio = strrchr(c->value, ':')) != NULL && prio[1] != '\0') {
		errno = 0;
		p = strtol(prio + 1, &end, 10);
		if (errno == 0 && *end == '\0' && p >= 0 && p <= 100) {
			*prio = '\0';
			c->priority = (uint32_t)p;
		}
	}
}

/* pocctl directory poc add ... | poc remove N|NAME */
static int
cmd_dir_poc(struct ctx *ctx, int argc, char **argv)
{
	const Poc__DirectoryRecord	*cur;
	Poc__DirectoryRecord		 r;
	Poc__DirectoryPoc		 np = POC__DIRECTORY_POC__INIT;
	Poc__DirectoryPoc		*pocs[DIRREC_MAX_POCS + 1];
	Poc__DirectoryChannel		 ch[DIRREC_MAX_CHANNELS];
	Poc__DirectoryChannel		*chp[DIRREC_MAX_CHANNELS];
	char				*langs[DIRREC_MAX_LIST], *l, *save;
	char				*bufs[DIRREC_MAX_CHANNELS + 1];
	char				*langbuf = NULL;
	char				 errbuf[256];
	Poc__OpReply			*rep;
	size_t				 i, k, nch = 0, nl = 0;
	int				 a, add;
	long				 idx;

	if (argc < 2 || (strcmp(argv[1], "add") != 0 &&
	    strcmp(argv[1], "remove") != 0))
		cmd_usage(ctx, "directory poc add ... | poc remove N|NAME");
	add = strcmp(argv[1], "add") == 0;
	/* Repeated options (--channel): parsed here, globals left to
	 * cmd_args. */
	for (a = 2; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (strcmp(o, "--json") == 0) {
			ctx->json = 1;
			continue;
		}
		if (strcmp(o, "-c") == 0 && v != NULL) {
			ctx->config = v;
			a++;
			continue;
		}
		if (!add)
			break;
		if (strcmp(o, "--always") == 0) {
			np.always = 1;
			continue;
		}
		if (v == NULL)
			cmd_usage(ctx, "%s needs a value", o);
		a++;
		if (strcmp(o, "--level") == 0) {
			if ((np.level = dirrec_level_parse(v)) == 0)
				cmd_usage(ctx, "--level: POLICY, DIPLOMATIC or "
				    "TECHNICAL, not \"%s\"", v);
		} else if (strcmp(o, "--name") == 0)
			np.name = (char *)v;
		else if (strcmp(o, "--role") == 0)
			np.role = (char *)v;
		else if (strcmp(o, "--org") == 0)
			np.organization = (char *)v;
		else if (strcmp(o, "--tz") == 0)
			np.time_zone = (char *)v;
		else if (strcmp(o, "--hours") == 0) {
			dirfmt_hours_free(np.hours, np.n_hours);
			if (dirfmt_hours_parse(v, &np.hours, &np.n_hours,
			    errbuf, sizeof(errbuf)) != 0)
				cmd_usage(ctx, "--hours: %s", errbuf);
		} else if (strcmp(o, "--lang") == 0) {
			free(langbuf);
			nl = 0;
			if ((langbuf = l = strdup(v)) == NULL)
				err(1, NULL);
			for (l = strtok_r(l, ", ", &save); l != NULL &&
			    nl < DIRREC_MAX_LIST; l = strtok_r(NULL, ", ",
			    &save))
				langs[nl++] = l;
		} else if (strcmp(o, "--channel") == 0) {
			if (nch == DIRREC_MAX_CHANNELS)
				cmd_usage(ctx, "at most %d channels",
				    DIRREC_MAX_CHANNELS);
			cmd_dir_channel(ctx, v, &ch[nch], &bufs[nch]);
			chp[nch] = &ch[nch];
			nch++;
		} else
			cmd_usage(ctx, "unknown option %s", o);
	}
	/* What cmd_args does last, for a --json seen here. */
	ctx->out = output_get(ctx->json);
	np.channels = chp;
	np.n_channels = nch;
	np.languages = langs;
	np.n_languages = nl;
	cur = cmd_dir_own(ctx, &rep);
	r = *cur;
	if (cur->n_pocs > DIRREC_MAX_POCS)
		errx(1, "the own record has too many PoCs");
	for (i = 0; i < cur->n_pocs; i++)
		pocs[i] = cur->pocs[i];
	if (add) {
		if (a != argc)
			cmd_usage(ctx, "unexpected argument \"%s\"", argv[a]);
		if (cur->n_pocs == DIRREC_MAX_POCS)
			errx(1, "the record has %d PoCs already",
			    DIRREC_MAX_POCS);
		pocs[cur->n_pocs] = &np;
		r.n_pocs = cur->n_pocs + 1;
	} else {
		if (a != argc - 1)
			cmd_usage(ctx, "poc remove wants one N (from 'pocctl "
			    "directory') or NAME");
		errno = 0;
		idx = strtol(argv[a], &l, 10);
		for (k = cur->n_pocs, i = 0; i < cur->n_pocs; i++)
			if ((errno == 0 && *l == '\0' && idx == (long)i + 1) ||
			    strcmp(cur->pocs[i]->name, argv[a]) == 0) {
				if (k != cur->n_pocs)
					errx(1, "\"%s\" names more than one PoC; "
					    "give its number", argv[a]);
				k = i;
			}
		if (k == cur->n_pocs)
			errx(1, "no PoC \"%s\" in the own record", argv[a]);
		memmove(pocs + k, pocs + k + 1,
		    (cur->n_pocs - k - 1) * sizeof(*pocs));
		r.n_pocs = cur->n_pocs - 1;
	}
	r.pocs = pocs;
	cmd_dir_send_edit(ctx, &r, cur->serial);
	client_reply_free(rep);
	dirfmt_hours_free(np.hours, np.n_hours);
	for (i = 0; i < nch; i++)
		free(bufs[i]);
	free(langbuf);
	return 0;
}

/* pocctl directory import FILE: every record checked here for its shape,
 * then by the node for every rule; any problem and nothing is imported. */
static int
cmd_dir_import(struct ctx *ctx, int argc, char **argv)
{
	const char		*pos[1];
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__OpDirectoryImport	 im = POC__OP_DIRECTORY_IMPORT__INIT;
	Poc__DirectoryRecord	**recs;
	Poc__OpReply		*rep;
	json_t			*j, *arr;
	json_error_t		 je;
	char			 path[32], e[512];
	size_t			 i, n, bad = 0;

	cmd_args(ctx, argc, argv, NULL, pos, 1, 1);
	if ((j = json_load_file(pos[0], JSON_REJECT_DUPLICATES, &je)) == NULL)
		errx(1, "%s: line %d, column %d: %s; nothing was imported",
		    pos[0], je.line, je.column, je.text);
	if (json_is_object(j) && (arr = json_object_get(j, "records")) != NULL)
		;
	else if (json_is_array(j))
		arr = j;
	else
		errx(1, "%s: expected {\"records\": [...]} as 'pocctl directory "
		    "export' writes; nothing was imported", pos[0]);
	if (!json_is_array(arr) || (n = json_array_size(arr)) == 0)
		errx(1, "%s: records: expected a non-empty array; nothing was "
		    "imported", pos[0]);
	if ((recs = calloc(n, sizeof(*recs))) == NULL)
		err(1, NULL);
	for (i = 0; i < n; i++) {
		output_progress(_("checking records"), i + 1, n);
		snprintf(path, sizeof(path), "records[%zu]", i);
		recs[i] = dirfmt_record_from_json(json_array_get(arr, i), path,
		    NULL, e, sizeof(e));
		if (recs[i] == NULL) {
			fprintf(stderr, "  %s\n", e);
			bad++;
		}
	}
	json_decref(j);
	output_progress_done();
	if (bad > 0)
		errx(1, "%s: %zu bad record%s; nothing was imported", pos[0],
		    bad, bad == 1 ? "" : "s");
	im.records = recs;
	im.n_records = n;
	req.kind_case = POC__OP_REQUEST__KIND_DIRECTORY_IMPORT;
	req.directory_import = &im;
	/* The node checks every signature and commits all or nothing. */
	output_progress(_("importing records (one transaction)"), 0, n);
	rep = cmd_dir_call(ctx, &req, POC__OP_REPLY__KIND_DIRECTORY_CHANGED,
	    NULL);
	output_progress_done();
	ctx->out->dir_changed(rep->directory_changed);
	client_reply_free(rep);
	for (i = 0; i < n; i++)
		poc__directory_record__free_unpacked(recs[i], NULL);
	free(recs);
	return 0;
}

/* pocctl directory export [--format json|csv|vcard|rfc2350] [MEMBER] */
static int
cmd_dir_export(struct ctx *ctx, int argc, char **argv)
{
	const char		*pos[1] = { "" }, *format = "json";
	struct cmd_opt		 opts[] = { { "format", &format },
				    { NULL, NULL } };
	Poc__DirectoryRecord	**recs;
	Poc__OpReply		*rep;
	size_t			 i, n;

	cmd_args(ctx, argc, argv, opts, pos, 0, 1);
	if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "vcard") != 0 && strcmp(format, "rfc2350") != 0)
		cmd_usage(ctx, "--format: json, csv, vcard or rfc2350, not "
		    "\"%s\"", format);
	if (strcmp(format, "rfc2350") == 0 && pos[0][0] == '\0')
		cmd_usage(ctx, "--format rfc2350 describes one member: give "
		    "its code");
	if (pos[0][0] != '\0' && !validate_member_code(pos[0]))
		cmd_usage(ctx, "\"%s\" is not a member code", pos[0]);
	rep = cmd_dir_listing(ctx, pos[0]);
	n = rep->directory_listing->n_members;
	if (n == 0 && strcmp(format, "rfc2350") == 0)
		errx(1, "no member %s in the directory", pos[0]);
	if ((recs = calloc(n + 1, sizeof(*recs))) == NULL)
		err(1, NULL);
	for (i = 0; i < n; i++)
		recs[i] = rep->directory_listing->members[i]->record;
	ctx->out->dir_export(recs, n, format);
	free(recs);
	client_reply_free(rep);
	return 0;
}

/* The node's last directory sync (Unix ms, node clock) and its clock. */
static void
cmd_dir_last_sync(struct client *cl, int64_t *last, int64_t *now)
{
	Poc__OpReply	*r;

	r = client_status(cl);
	*last = r->status->last_directory_sync;
	*now = r->status->now;
	client_reply_free(r);
}

/*
 * pocctl directory sync [--wait]: starts a pull from every upstream; with
 * --wait, stays (progress on a terminal) until the node records a finished
 * sync, within --timeout.
 */
static int
cmd_dir_sync(struct ctx *ctx, int argc, char **argv)
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__OpDirectorySync	 sy = POC__OP_DIRECTORY_SYNC__INIT;
	Poc__OpReply		*rep;
	struct client		*cl;
	const char		*pos[1] = { NULL };
	struct timespec		 pause = { 0, 200 * 1000 * 1000 };
	int64_t			 start, last, now, waited = 0;
	int			 wait, i, j;

	/* --wait is a flag; cmd_args knows only options with a value. */
	wait = 0;
	for (i = j = 1; i < argc; i++)
		if (strcmp(argv[i], "--wait") == 0)
			wait = 1;
		else
			argv[j++] = argv[i];
	argv[j] = NULL;
	cmd_args(ctx, j, argv, NULL, pos, 0, 0);
	cl = cmd_open(ctx);
	if (wait)
		cmd_dir_last_sync(cl, &last, &start);
	req.kind_case = POC__OP_REQUEST__KIND_DIRECTORY_SYNC;
	req.directory_sync = &sy;
	rep = client_call(cl, &req);
	client_expect(rep, POC__OP_REPLY__KIND_DIRECTORY_SYNCED, NULL);
	while (wait) {
		output_progress(_("waiting for the upstreams (ms)"),
		    (size_t)waited, 0);
		cmd_dir_last_sync(cl, &last, &now);
		if (last >= start)
			break;
		if (waited >= client_timeout_ms(cl)) {
			output_progress_done();
			errx(1, "no sync finished within %d s; see 'pocctl "
			    "status' and the node's log for the upstreams' "
			    "errors, or give a longer --timeout",
			    client_timeout_ms(cl) / 1000);
		}
		nanosleep(&pause, NULL);
		waited += 200;
	}
	output_progress_done();
	ctx->out->dir_synced(rep->directory_synced);
	client_reply_free(rep);
	client_close(cl);
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(struct ctx *, int, char **);
} cmd_dir_subs[] = {
	{ "show", cmd_dir_show },
	{ "own", cmd_dir_ownjson },
	{ "edit", cmd_dir_edit },
	{ "set", cmd_dir_set },
	{ "poc", cmd_dir_poc },
	{ "import", cmd_dir_import },
	{ "export", cmd_dir_export },
	{ "sync", cmd_dir_sync },
	{ "pending", cmd_enroll_pending },
	{ "approve", cmd_enroll_approve },
	{ "reject", cmd_enroll_reject },
};

int
cmd_directory(struct ctx *ctx, int argc, char **argv)
{
	size_t	 i;

	if (argc >= 2 && argv[1][0] != '-')
		for (i = 0; i < sizeof(cmd_dir_subs) / sizeof(cmd_dir_subs[0]);
		    i++)
			if (strcmp(argv[1], cmd_dir_subs[i].name) == 0)
				return cmd_dir_subs[i].fn(ctx, argc - 1,
				    argv + 1);
	/* "directory", "directory MEMBER", "directory --json" */
	return cmd_dir_show(ctx, argc, argv);
}

/* pocctl who MEMBER [--level L] [--at TIME] [--lang xx] */
int
cmd_who(struct ctx *ctx, int argc, char **argv)
{
	const char	*pos[1], *level = NULL, *at = NULL, *lang = NULL;
	struct cmd_opt	 opts[] = { { "level", &level }, { "at", &at },
			    { NULL, NULL } };
	char		*args[64];
	Poc__OpRequest	 req = POC__OP_REQUEST__INIT;
	Poc__OpWho	 w = POC__OP_WHO__INIT;
	Poc__OpReply	*rep;
	int		 i, n = 0;

	/* --lang here is the PoC language wanted (any BCP 47 tag), not the
	 * interface language cmd_args would take it for. */
	for (i = 0; i < argc && n < 63; i++) {
		if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			lang = argv[++i];
		else if (strncmp(argv[i], "--lang=", 7) == 0)
			lang = argv[i] + 7;
		else
			args[n++] = argv[i];
	}
	args[n] = NULL;
	cmd_args(ctx, n, args, opts, pos, 1, 1);
	if (!validate_member_code(pos[0]))
		cmd_usage(ctx, "\"%s\" is not a member code", pos[0]);
	w.member = (char *)pos[0];
	if (level != NULL && (w.level = dirrec_level_parse(level)) == 0)
		cmd_usage(ctx, "--level: POLICY, DIPLOMATIC or TECHNICAL, not "
		    "\"%s\"", level);
	if (at != NULL && dirfmt_time_parse(at, util_now_ms(), &w.at) != 0)
		cmd_usage(ctx, "--at: a time such as 2026-03-29T01:30Z (UTC), "
		    "not \"%s\"", at);
	if (lang != NULL) {
		if (strlen(lang) > 35)
			cmd_usage(ctx, "--lang: a language tag such as fr");
		w.language = (char *)lang;
	}
	req.kind_case = POC__OP_REQUEST__KIND_WHO;
	req.who = &w;
	rep = cmd_dir_call(ctx, &req, POC__OP_REPLY__KIND_WHO, NULL);
	ctx->out->who(rep->who, pos[0]);
	client_reply_free(rep);
	return 0;
}
