/*
 * The printers of the directory commands and who (cmd_dir.c), in text for
 * people and JSON for scripts, and the directory export in the format
 * asked.  JSON keys are the proto field names; certificates and
 * signatures are in base64 (dirfmt.c).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/dirfmt.h"
#include "cli/interop_rfc2350.h"
#include "cli/jsonout.h"
#include "cli/output_dir.h"
#include "dirrec.h"
#include "util.h"

/* The channels of p, best first as the node sent them. */
static void
output_dir_channels(const Poc__DirectoryPoc *p, const char *indent)
{
	size_t	 i;

	for (i = 0; i < p->n_channels; i++) {
		printf("%s%-16s %s", indent,
		    dirrec_kind_name(p->channels[i]->kind),
		    p->channels[i]->value);
		if (p->channels[i]->priority != 0)
			printf("  (priority %u)", p->channels[i]->priority);
		putchar('\n');
	}
}

/* Availability and hours of p, one line. */
static void
output_dir_hours(const Poc__DirectoryPoc *p, char *buf, size_t len)
{
	char	 h[2048];

	dirfmt_hours_format(p, h, sizeof(h));
	if (p->always)
		snprintf(buf, len, "24/7%s%s", p->time_zone[0] ? ", zone " : "",
		    p->time_zone);
	else
		snprintf(buf, len, "%s (%s)", h[0] ? h : "no hours",
		    p->time_zone[0] ? p->time_zone : "no zone");
}

/* "TECHNICAL  Jane Doe, Analyst, CERT-FR": level, name, role and
 * organization of p, after the number the caller printed. */
static void
output_dir_poc_name(const Poc__DirectoryPoc *p)
{
	printf("%-10s %s", dirrec_level_name(p->level), p->name);
	if (p->role[0] != '\0')
		printf(", %s", p->role);
	if (p->organization[0] != '\0')
		printf(", %s", p->organization);
	putchar('\n');
}

/* PoC number idx of a listing, with its last successful check. */
static void
output_dir_poc_text(const Poc__DirectoryPoc *p, size_t idx, int64_t last)
{
	char	 t[32], hours[2200];
	size_t	 i;

	printf("  %zu. ", idx);
	output_dir_poc_name(p);
	output_dir_hours(p, hours, sizeof(hours));
	printf("       hours: %s\n", hours);
	if (p->n_languages > 0) {
		printf("       languages:");
		for (i = 0; i < p->n_languages; i++)
			printf(" %s", p->languages[i]);
		putchar('\n');
	}
	printf("       last successful check: %s\n",
	    util_fmt_time(last, t, sizeof(t)));
	output_dir_channels(p, "       ");
}

/* Per member: the record's header, networks, endpoints, fingerprints,
 * then its PoCs numbered (the numbers 'poc remove' takes). */
void
output_dir_text_listing(const Poc__OpDirectoryListing *l)
{
	char	 t[32], t2[32];
	size_t	 i, k;

	for (i = 0; i < l->n_members; i++) {
		const Poc__DirectoryMember	*dm = l->members[i];
		const Poc__DirectoryRecord	*r = dm->record;

		printf("%s%s  %s  serial %llu  expires %s%s%s\n", i ? "\n" : "",
		    r->code, r->name, (unsigned long long)r->serial,
		    util_fmt_time(r->expires, t, sizeof(t)),
		    dm->stale ? "  STALE" : "", dm->own ? "  (this node)" : "");
		if (r->n_networks > 0) {
			printf("  networks:");
			for (k = 0; k < r->n_networks; k++)
				printf(" %s", r->networks[k]);
			putchar('\n');
		}
		for (k = 0; k < r->n_endpoints; k++)
			printf("  endpoint:    %s\n", r->endpoints[k]);
		for (k = 0; k < r->n_fingerprints; k++)
			printf("  fingerprint: %s\n", r->fingerprints[k]);
		printf("  signed %s, received %s\n",
		    util_fmt_time(r->signed_at, t, sizeof(t)),
		    util_fmt_time(dm->received_at, t2, sizeof(t2)));
		if (r->n_pocs == 0)
			printf("  no PoCs\n");
		for (k = 0; k < r->n_pocs; k++)
			output_dir_poc_text(r->pocs[k], k + 1,
			    k < dm->n_last_check ? dm->last_check[k] : 0);
	}
	if (l->n_members == 0)
		printf("no records\n");
	printf("%slast sync: %s\n", l->n_members ? "\n" : "",
	    util_fmt_time(l->last_sync, t, sizeof(t)));
}

/* The members as {"members": [{record, stale, own, received_at,
 * last_check}], "last_sync"}. */
void
output_dir_json_listing(const Poc__OpDirectoryListing *l)
{
	size_t	 i, k;
	json_t	*o, *a, *m;

	o = json_object();
	a = json_array();
	for (i = 0; i < l->n_members; i++) {
		const Poc__DirectoryMember *dm = l->members[i];

		m = json_object();
		json_object_set_new(m, "record",
		    dirfmt_record_json(dm->record));
		json_object_set_new(m, "stale", json_boolean(dm->stale));
		json_object_set_new(m, "own", json_boolean(dm->own));
		json_object_set_new(m, "received_at",
		    json_integer(dm->received_at));
		json_object_set_new(m, "last_check", json_array());
		for (k = 0; k < dm->n_last_check; k++)
			json_array_append_new(json_object_get(m,
			    "last_check"),
			    json_integer(dm->last_check[k]));
		json_array_append_new(a, m);
	}
	json_object_set_new(o, "members", a);
	json_object_set_new(o, "last_sync", json_integer(l->last_sync));
	jsonout_print(o);
	json_decref(o);
}

/* The own record's new serial, or what an import took. */
void
output_dir_text_changed(const Poc__OpDirectoryChanged *c)
{
	if (c->code[0] != '\0')
		printf("own record %s is now serial %llu (signed)\n", c->code,
		    (unsigned long long)c->serial);
	else
		printf("imported: %u record%s taken, %u not newer than held\n",
		    c->taken, c->taken == 1 ? "" : "s", c->unchanged);
}

void
output_dir_json_changed(const Poc__OpDirectoryChanged *c)
{
	jsonout_print_message(&c->base);
}

/* How many upstreams a sync was started with. */
void
output_dir_text_synced(const Poc__OpDirectorySynced *s)
{
	printf("sync started with %u upstream%s (see 'pocctl directory' for "
	    "the last sync time)\n", s->upstreams, s->upstreams == 1 ? "" : "s");
}

void
output_dir_json_synced(const Poc__OpDirectorySynced *s)
{
	jsonout_print_message(&s->base);
}

/* member's PoCs best first, each with its availability, hours, last
 * check and channels. */
void
output_dir_text_who(const Poc__OpWhoReply *w, const char *member)
{
	char	 t[32], hours[2200];
	size_t	 i;

	printf("Whom to contact at %s, at %s, best first%s:\n", member,
	    util_fmt_time(w->at, t, sizeof(t)),
	    w->stale ? " (the record is STALE: past its expiry)" : "");
	if (w->own_clock_offset != 0) {
		char	 t2[32];
		int64_t	 a = w->own_clock_offset < 0 ? -w->own_clock_offset :
			     w->own_clock_offset;

		/* The peers' time, to ask again with --at. */
		printf("WARNING: this node's clock is about %lldh %02lldm %s "
		    "most of its peers' clocks, so \"now\" above may be "
		    "wrong; at the peers' time (about %s) ask with --at\n",
		    (long long)(a / 3600000), (long long)(a / 60000 % 60),
		    w->own_clock_offset > 0 ? "ahead of" : "behind",
		    util_fmt_time(w->at - w->own_clock_offset, t2,
		    sizeof(t2)));
	}
	if (w->n_entries == 0)
		printf("  the record lists no PoCs\n");
	for (i = 0; i < w->n_entries; i++) {
		const Poc__WhoEntry	*e = w->entries[i];
		const Poc__DirectoryPoc	*p = e->poc;

		printf("%zu. ", i + 1);
		output_dir_poc_name(p);
		output_dir_hours(p, hours, sizeof(hours));
		printf("   %s; %s\n", e->available ? "AVAILABLE" :
		    "not available", hours);
		printf("   last successful check: %s%s\n",
		    util_fmt_time(e->last_check, t, sizeof(t)),
		    e->language_match ? "; speaks the language asked" : "");
		output_dir_channels(p, "   ");
	}
}

void
output_dir_json_who(const Poc__OpWhoReply *w, const char *member)
{
	(void)member;
	jsonout_print_message(&w->base);
}

/* The records as JSON ({"records": [...]}, what 'directory import'
 * reads), CSV, vCard 4.0 or an RFC 2350 description of the first,
 * whatever --json says. */
void
output_dir_export(Poc__DirectoryRecord *const *recs, size_t n,
    const char *format)
{
	json_t	*o, *a;
	char	*s;
	size_t	 i;

	if (strcmp(format, "json") == 0) {
		o = json_object();
		a = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(a, dirfmt_record_json(recs[i]));
		json_object_set_new(o, "records", a);
		jsonout_print(o);
		json_decref(o);
		return;
	}
	if (strcmp(format, "rfc2350") == 0) {
		if (n > 0 && interop_rfc2350_write(stdout, recs[0]) == -1)
			err(1, "export");
		return;
	}
	s = strcmp(format, "csv") == 0 ? dirfmt_csv(recs, n) :
	    dirfmt_vcard(recs, n);
	if (s == NULL)
		err(1, "export");
	fputs(s, stdout);
	free(s);
}
