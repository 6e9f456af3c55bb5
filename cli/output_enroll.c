/*
 * Federation printers (see output_enroll.h).  Times are the node's (Unix
 * ms) shown in local time; everything a member sent (names, reasons) goes
 * through term_oneline so it cannot move the terminal's cursor.
 */
#include <stdio.h>
#include <string.h>

#include "cli/i18n.h"
#include "cli/jsonout.h"
#include "cli/output_enroll.h"
#include "cli/render.h"
#include "cli/table.h"
#include "cli/term.h"
#include "dirrec.h"

/* "YYYY-MM-DD HH:MM" or "never". */
static const char *
output_enroll_time(int64_t ms, char *buf, size_t len)
{
	if (ms == 0) {
		snprintf(buf, len, "%s", _("never"));
		return buf;
	}
	return render_time_short(ms, buf, len);
}

/* What the request offers: name, serial, endpoints, networks, PoCs;
 * first the certificate it came with, in full, to compare with what the
 * member says it is. */
static void
output_enroll_record(const Poc__EnrollmentEntry *e)
{
	const Poc__DirectoryRecord	*r = e->record;
	char				 name[256], v[256];
	size_t				 i;

	printf("  %s: %s, serial %llu, %zu PoC%s\n", r->code,
	    term_oneline(r->name, name, sizeof(name)),
	    (unsigned long long)r->serial, r->n_pocs, r->n_pocs == 1 ? "" :
	    "s");
	printf("    certificate: %s\n", e->fingerprint);
	for (i = 0; i < r->n_endpoints; i++)
		printf("    endpoint:    %s\n", term_oneline(r->endpoints[i],
		    v, sizeof(v)));
	for (i = 0; i < r->n_networks; i++)
		printf("    network:     %s\n", term_oneline(r->networks[i],
		    v, sizeof(v)));
	for (i = 0; i < r->n_fingerprints; i++)
		printf("    fingerprint: %s\n", term_oneline(
		    r->fingerprints[i], v, sizeof(v)));
}

void
output_enroll_text(const Poc__OpEnrollments *e)
{
	struct table	 t;
	char		 rt[32], req[16], state[300], src[100];
	size_t		 i;

	if (e->n_entries == 0) {
		printf(_("no enrollment requests (enrollment is %s here)\n"),
		    e->policy);
		return;
	}
	table_init(&t, 6);
	table_row(&t, _("MEMBER"), _("STATE"), _("RECEIVED"), _("FROM"),
	    _("REQUESTS"), _("FINGERPRINT"));
	for (i = 0; i < e->n_entries; i++) {
		const Poc__EnrollmentEntry *x = e->entries[i];

		snprintf(req, sizeof(req), "%u", x->requests);
		if (x->reason[0] != '\0')
			snprintf(state, sizeof(state), "%s: %s", x->state,
			    x->reason);
		else if (x->decided_by[0] != '\0')
			snprintf(state, sizeof(state), "%s (%s)", x->state,
			    x->decided_by);
		else
			snprintf(state, sizeof(state), "%s", x->state);
		table_row(&t, x->member, term_oneline(state, state,
		    sizeof(state)), output_enroll_time(x->received_at, rt,
		    sizeof(rt)), term_oneline(x->source, src, sizeof(src)),
		    req, x->fingerprint);
	}
	table_print(&t, stdout);
	table_free(&t);
	printf("\n%s\n", _("Offered records:"));
	for (i = 0; i < e->n_entries; i++)
		if (e->entries[i]->record != NULL)
			output_enroll_record(e->entries[i]);
}

void
output_enroll_json(const Poc__OpEnrollments *e)
{
	jsonout_print_message(&e->base);
}

/* Where joining stands at upstream u, one line. */
static const char *
output_enroll_joining(const Poc__UpstreamStatus *u, char *buf, size_t len)
{
	char	 t[32], why[256];

	term_oneline(u->enrollment_reason, why, sizeof(why));
	if (strcmp(u->enrollment, "enrolled") == 0)
		snprintf(buf, len, _("enrolled (holds serial %llu)"),
		    (unsigned long long)u->own_serial_held);
	else if (strcmp(u->enrollment, "pending") == 0)
		snprintf(buf, len, _("pending at %s since %s: its operator "
		    "must approve"), u->member, output_enroll_time(
		    u->enrollment_since, t, sizeof(t)));
	else if (strcmp(u->enrollment, "refused") == 0)
		snprintf(buf, len, _("refused: %s"), why);
	else if (strcmp(u->enrollment, "approved") == 0)
		snprintf(buf, len, "%s", _("approved"));
	else if (strcmp(u->enrollment, "not_enrolled") == 0)
		snprintf(buf, len, "%s", _("not enrolled"));
	else
		snprintf(buf, len, "-");
	return buf;
}

void
output_enroll_text_status(const Poc__OpStatusReply *st)
{
	char	 ok[32], et[32], err[400], join[400];
	size_t	 i;

	/* One block per upstream: the lines are too long for a table. */
	for (i = 0; i < st->n_upstreams; i++) {
		const Poc__UpstreamStatus *u = st->upstreams[i];

		printf("\n%s %s%s%s%s\n", _("Upstream"), u->member,
		    u->endpoint[0] ? " (" : "", u->endpoint,
		    u->endpoint[0] ? ")" : "");
		printf("  %-14s %s\n", _("joining:"), output_enroll_joining(u,
		    join, sizeof(join)));
		printf("  %-14s %s\n", _("last success:"), output_enroll_time(
		    u->last_success, ok, sizeof(ok)));
		if (u->last_error_at != 0)
			printf("  %-14s %s  %s\n", _("last error:"),
			    output_enroll_time(u->last_error_at, et,
			    sizeof(et)), term_oneline(u->last_error, err,
			    sizeof(err)));
	}
	if (st->enrollments_refused_full != 0)
		printf(_("\nEnrollment here: %u request(s) REFUSED since start "
		    "because %u were pending (the most kept); approve or "
		    "reject the pending ones\n"), st->enrollments_refused_full,
		    st->enrollments_max_pending);
	if (st->enrollments_pending == 0)
		return;
	printf("\n");
	printf(_("Enrollment here: %s, %u request(s) pending; "
	    "pocctl directory pending lists them\n"), st->enrollment_policy,
	    st->enrollments_pending);
	for (i = 0; i < st->n_enrollments; i++)
		printf("  %-8s %s %s  %s %s\n", st->enrollments[i]->member,
		    _("since"), output_enroll_time(
		    st->enrollments[i]->received_at, ok, sizeof(ok)),
		    _("from"), term_oneline(st->enrollments[i]->source, err,
		    sizeof(err)));
}
