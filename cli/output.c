/*
 * pocctl's output layer: a text printer and a JSON printer behind one
 * table of functions (as bgpctl does), so that every command prints through
 * the same place and --json never misses a field.  The printers live with
 * the commands they serve (output_view.c, output_checks.c, output_dir.c,
 * output_audit.c, output_metrics.c); this file puts them in the two tables
 * and reports on stderr what is not a result (field errors, progress).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/i18n.h"
#include "cli/jsonout.h"
#include "cli/output.h"
#include "cli/output_audit.h"
#include "cli/output_cases.h"
#include "cli/output_checks.h"
#include "cli/output_dir.h"
#include "cli/output_enroll.h"
#include "cli/output_metrics.h"
#include "cli/output_view.h"
#include "cli/output_watch.h"
#include "cli/term.h"

#define OUTPUT_FIELD_ERROR	1024	/* bytes of one field error */

static const struct output output_text = {
	.status = output_view_text_status,
	.list = output_view_text_list,
	.message = output_view_text_message,
	.thread = output_view_text_thread,
	.queued = output_view_text_queued,
	.overdue = output_checks_text_overdue,
	.cases = output_cases_text,
	.more = output_cases_text_more,
	.campaigns = output_checks_text_campaigns,
	.dir_listing = output_dir_text_listing,
	.dir_changed = output_dir_text_changed,
	.dir_synced = output_dir_text_synced,
	.dir_export = output_dir_export,
	.who = output_dir_text_who,
	.enrollments = output_enroll_text,
	.audit_exported = output_audit_text_exported,
	.audit_check = output_audit_text_check,
	.audit_verify = output_audit_text_verify,
	.audit_witness = output_audit_text_witness,
	.audit_heads = output_audit_text_heads,
	.metrics = output_metrics,
	.metrics_down = output_metrics_down,
	.document = jsonout_print,
	.watch_event = output_watch_text_event,
};

static const struct output output_json = {
	.status = output_view_json_status,
	.list = output_view_json_list,
	.message = output_view_json_message,
	.thread = output_view_json_thread,
	.queued = output_view_json_queued,
	.overdue = NULL,
	.cases = output_cases_json,
	.more = output_cases_json_more,
	.campaigns = output_checks_json_campaigns,
	.dir_listing = output_dir_json_listing,
	.dir_changed = output_dir_json_changed,
	.dir_synced = output_dir_json_synced,
	.dir_export = output_dir_export,
	.who = output_dir_json_who,
	.enrollments = output_enroll_json,
	.audit_exported = output_audit_json_exported,
	.audit_check = output_audit_json_check,
	.audit_verify = output_audit_json_verify,
	.audit_witness = output_audit_json_witness,
	.audit_heads = output_audit_json_heads,
	.metrics = output_metrics,
	.metrics_down = output_metrics_down,
	.document = jsonout_print,
	.watch_event = output_watch_json_event,
};

/* Chooses the printer once, from --json. */
const struct output *
output_get(int json)
{
	return json ? &output_json : &output_text;
}

/* Lists field errors aligned on stderr with the hint to fix and retry. */
void
output_field_errors(const char *what, const char *retry,
    const Poc__FieldError *const *errs, size_t n)
{
	char	 f[256], m[OUTPUT_FIELD_ERROR];
	size_t	 i, w, width = 0;

	fflush(stdout);
	fprintf(stderr, _("%s: not sent: %zu problem(s) in %s\n"),
	    program_invocation_short_name, n, what);
	for (i = 0; i < n; i++) {
		term_oneline(errs[i]->field[0] ? errs[i]->field : "-", f,
		    sizeof(f));
		if ((w = term_width(f)) > width)
			width = w;
	}
	for (i = 0; i < n; i++) {
		term_oneline(errs[i]->field[0] ? errs[i]->field : "-", f,
		    sizeof(f));
		term_oneline(errs[i]->message, m, sizeof(m));
		fprintf(stderr, "  %s%*s  %s\n", f,
		    (int)(width - term_width(f)), "", m);
	}
	fprintf(stderr, ngettext("Fix this field and run '%s' again.\n",
	    "Fix these fields and run '%s' again.\n", n), retry);
}

static int	 progress_shown;

/* Draws "what: done/total (pct%)" over itself on stderr, on a terminal
 * only. */
void
output_progress(const char *what, size_t done, size_t total)
{
	if (!isatty(STDERR_FILENO))
		return;
	if (total > 0)
		fprintf(stderr, "\r\033[K%s: %zu/%zu (%zu%%)", what, done, total,
		    done * 100 / total);
	else
		fprintf(stderr, "\r\033[K%s: %zu", what, done);
	fflush(stderr);
	progress_shown = 1;
}

/* Clears the progress line, if one was drawn. */
void
output_progress_done(void)
{
	if (!progress_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress_shown = 0;
}
