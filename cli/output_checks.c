/*
 * pocctl's printers for communication checks and deadlines: the campaign
 * report (text and JSON), and the deadline lines that inbox/outbox/show add
 * to outgoing requests and notifications (due, overdue, whom to try next).
 * The campaign and overdue printers are entries of the output table
 * (output.c); the deadline lines and keys are part of a message's view
 * (output_view.c).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/i18n.h"
#include "cli/jsonout.h"
#include "cli/output_checks.h"
#include "cli/render.h"
#include "cli/term.h"
#include "util.h"

/* A column of the fixed-width tables below. */
struct output_checks_col {
	const char	*label;		/* msgid */
	size_t		 width;		/* columns */
};

/* One row per target of a campaign. */
static const struct output_checks_col output_checks_target_cols[] = {
	{ N_("MEMBER"), 8 },
	{ N_("RESULT"), 8 },
	{ N_("NODE REACHED"), 20 },
	{ N_("REPLIED"), 20 },
	{ N_("CHECK"), 8 },
	{ N_("BY / REASON"), 40 },
};

/* One row per campaign (--list); the results end the line. */
static const struct output_checks_col output_checks_list_cols[] = {
	{ N_("CAMPAIGN"), 8 },
	{ N_("SENT"), 20 },
	{ N_("REPLY BY"), 20 },
	{ N_("BY"), 16 },
	{ N_("RESULTS"), 50 },
};

#define OUTPUT_CHECKS_NCOLS(c)	(sizeof(c) / sizeof((c)[0]))

/* A table cell: one sanitized line, cut to width columns. */
static void
output_checks_cell(const char *s, size_t width, int last)
{
	char	 buf[512];
	size_t	 w;

	term_oneline(s != NULL && s[0] ? s : "-", buf, sizeof(buf));
	term_truncate(buf, width);
	fputs(buf, stdout);
	if (last) {
		putchar('\n');
		return;
	}
	for (w = term_width(buf); w < width + 2; w++)
		putchar(' ');
}

/* The first n cells of a row of ncols columns (the line ends after the
 * last column only). */
static void
output_checks_row(const struct output_checks_col *cols, size_t ncols,
    const char *const *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		output_checks_cell(v[i], cols[i].width, i + 1 == ncols);
}

/* The header line of a table. */
static void
output_checks_header(const struct output_checks_col *cols, size_t ncols)
{
	size_t	 i;

	for (i = 0; i < ncols; i++)
		output_checks_cell(_(cols[i].label), cols[i].width,
		    i + 1 == ncols);
}

/* Counts of each result, "1 replied, 1 silent". */
static void
output_checks_summary(const Poc__CheckCampaign *c)
{
	static const char *const names[] = { "replied", "late", "reached",
	    "pending", "silent" };
	size_t	 i, j, n;
	int	 first = 1;

	for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
		for (i = n = 0; i < c->n_targets; i++)
			if (strcmp(c->targets[i]->result, names[j]) == 0)
				n++;
		if (n == 0)
			continue;
		printf("%s%zu %s", first ? "" : ", ", n, _(names[j]));
		first = 0;
	}
	printf("%s\n", first ? _("no member") : "");
}

/* One campaign: its header, then one row per member. */
static void
output_checks_text_one(const Poc__CheckCampaign *c)
{
	const Poc__CheckTarget	*t;
	const char		*v[OUTPUT_CHECKS_NCOLS(
				    output_checks_target_cols)];
	char			 t1[64], t2[64], id[16];
	size_t			 i;

	printf("%s %s  %s %s%s%s\n", _("Campaign"), c->id, _("by"),
	    c->created_by, c->scheduled ? " " : "",
	    c->scheduled ? _("(scheduled)") : "");
	printf("%s %s   %s %s\n", _("Sent"),
	    util_fmt_time(c->created_at, t1, sizeof(t1)), _("reply by"),
	    util_fmt_time(c->reply_by, t2, sizeof(t2)));
	output_checks_summary(c);
	if (c->n_targets == 0)
		return;
	output_checks_header(output_checks_target_cols,
	    OUTPUT_CHECKS_NCOLS(output_checks_target_cols));
	for (i = 0; i < c->n_targets; i++) {
		t = c->targets[i];
		snprintf(id, sizeof(id), "%.8s", t->envelope_id);
		v[0] = t->member;
		v[1] = _(t->result);
		v[2] = t->delivered_at ? util_fmt_time(t->delivered_at, t1,
		    sizeof(t1)) : strcmp(t->delivery, "rejected") == 0 ?
		    _("refused") : _("not yet");
		v[3] = t->replied_at ? util_fmt_time(t->replied_at, t2,
		    sizeof(t2)) : "-";
		v[4] = id;
		v[5] = t->replied_at ? t->replied_by : t->reason;
		output_checks_row(output_checks_target_cols,
		    OUTPUT_CHECKS_NCOLS(output_checks_target_cols), v,
		    OUTPUT_CHECKS_NCOLS(output_checks_target_cols));
	}
}

/* Campaigns: in full one after the other, or one line each (list). */
void
output_checks_text_campaigns(const Poc__CheckCampaigns *cs, int list)
{
	const Poc__CheckCampaign	*c;
	const char			*v[4];
	char				 t1[64], t2[64], id[16];
	size_t				 i;

	if (cs->n_campaigns == 0) {
		printf("%s\n", _("no campaign yet"));
		return;
	}
	if (!list) {
		for (i = 0; i < cs->n_campaigns; i++) {
			if (i > 0)
				putchar('\n');
			output_checks_text_one(cs->campaigns[i]);
		}
		return;
	}
	output_checks_header(output_checks_list_cols,
	    OUTPUT_CHECKS_NCOLS(output_checks_list_cols));
	for (i = 0; i < cs->n_campaigns; i++) {
		c = cs->campaigns[i];
		snprintf(id, sizeof(id), "%.8s", c->id);
		v[0] = id;
		v[1] = util_fmt_time(c->created_at, t1, sizeof(t1));
		v[2] = util_fmt_time(c->reply_by, t2, sizeof(t2));
		v[3] = c->created_by;
		output_checks_row(output_checks_list_cols,
		    OUTPUT_CHECKS_NCOLS(output_checks_list_cols), v, 4);
		output_checks_summary(c);
	}
}

/* JSON: one campaign object, or an array with list. */
void
output_checks_json_campaigns(const Poc__CheckCampaigns *cs, int list)
{
	json_t	*a;
	size_t	 i;

	if (!list && cs->n_campaigns == 1) {
		jsonout_print_message(&cs->campaigns[0]->base);
		return;
	}
	if ((a = json_array()) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < cs->n_campaigns; i++)
		json_array_append_new(a,
		    jsonout_message(&cs->campaigns[i]->base));
	jsonout_print(a);
	json_decref(a);
}

/* "TECHNICAL Jane Doe (CERT-FR), EMAIL soc@cert.fr" for a contact. */
static const char *
output_checks_contact_line(const Poc__DeadlineContact *c, char *buf, size_t len)
{
	char	 tmp[1024];

	snprintf(tmp, sizeof(tmp), "%s %s%s%s%s, %s %s%s", c->level, c->name,
	    c->organization[0] ? " (" : "", c->organization,
	    c->organization[0] ? ")" : "", c->channel_kind, c->channel_value,
	    c->available ? "" : _(" [outside working hours]"));
	return term_oneline(tmp, buf, len);
}

/* The case lifecycle: the current status, then each change with its time. */
static void
output_checks_case_text(FILE *fp, const Poc__StoredMessage *sm)
{
	const Poc__DeadlineCaseChange	*c;
	char				 t[64], st[32], who[128];
	size_t				 i;

	if (sm->n_case_history == 0)
		return;
	c = sm->case_history[sm->n_case_history - 1];
	fprintf(fp, "%s %s %s %s\n", _("Case status:"), render_enum(
	    &poc__case_status__descriptor, c->status, st, sizeof(st)),
	    _("since"), util_fmt_time(c->changed_at, t, sizeof(t)));
	for (i = 0; i < sm->n_case_history; i++) {
		c = sm->case_history[i];
		fprintf(fp, "  %s  %-12s %s %s\n",
		    util_fmt_time(c->changed_at, t, sizeof(t)),
		    render_enum(&poc__case_status__descriptor, c->status, st,
		    sizeof(st)), _("by"), term_oneline(c->member, who,
		    sizeof(who)));
	}
}

/* The case status and history, then the deadline: due, or overdue with
 * whom to try next. */
void
output_checks_deadline_text(FILE *fp, const Poc__StoredMessage *sm)
{
	char	 t[64], t2[64], line[1024];
	size_t	 i;

	output_checks_case_text(fp, sm);
	if (sm->deadline_at == 0)
		return;
	if (!sm->overdue) {
		fprintf(fp, "%s %s%s\n", _("Acknowledgement due:"),
		    util_fmt_time(sm->deadline_at, t, sizeof(t)),
		    sm->n_acknowledged_by > 0 ? _(" (acknowledged)") : "");
		return;
	}
	fprintf(fp, "%s %s (%s %s)\n", _("OVERDUE: not acknowledged by"),
	    util_fmt_time(sm->deadline_at, t, sizeof(t)), _("flagged"),
	    sm->overdue_at ? util_fmt_time(sm->overdue_at, t2, sizeof(t2)) :
	    _("now"));
	if (sm->n_next_contacts == 0) {
		fprintf(fp, "%s %s\n", _("Escalate: the directory names no PoC "
		    "of"), sm->envelope->recipient);
		return;
	}
	for (i = 0; i < sm->n_next_contacts; i++)
		fprintf(fp, "%s %s\n", i == 0 ? _("Try next:") :
		    _("Then:    "), output_checks_contact_line(
		    sm->next_contacts[i], line, sizeof(line)));
}

/* One line per overdue message of ms, with the first PoC to try. */
void
output_checks_text_overdue(const Poc__OpMessages *ms, int more)
{
	const Poc__StoredMessage	*sm;
	char				 line[1024], t[64];
	size_t				 i;
	int				 first = 1;

	for (i = 0; i < ms->n_messages; i++) {
		sm = ms->messages[i];
		if (sm == NULL || sm->envelope == NULL || !sm->overdue)
			continue;
		if (first)
			putchar('\n');
		first = 0;
		printf("%s %.8s %s %s, %s %s: ", _("OVERDUE"),
		    sm->envelope->id, _("to"), sm->envelope->recipient,
		    _("due"), util_fmt_time(sm->deadline_at, t, sizeof(t)));
		if (sm->n_next_contacts > 0)
			printf("%s %s\n", _("try"), output_checks_contact_line(
			    sm->next_contacts[0], line, sizeof(line)));
		else
			printf("%s\n", _("no PoC in the directory"));
	}
	if (more && !first)
		printf("%s\n", _("... more overdue: pocctl outbox --overdue"));
}

/* The deadline and case keys of a message's JSON. */
void
output_checks_deadline_json(json_t *j, const Poc__StoredMessage *sm)
{
	json_t	*a;
	size_t	 i;

	if ((a = json_array()) == NULL)
		errx(1, "out of memory");
	json_object_set_new(j, "deadline_at", json_integer(sm->deadline_at));
	json_object_set_new(j, "overdue_at", json_integer(sm->overdue_at));
	json_object_set_new(j, "overdue", json_boolean(sm->overdue));
	json_object_set_new(j, "escalation_step",
	    json_integer(sm->escalation_step));
	for (i = 0; i < sm->n_next_contacts; i++) {
		json_array_append_new(a,
		    jsonout_message(&sm->next_contacts[i]->base));
	}
	json_object_set_new(j, "next_contacts", a);
	if ((a = json_array()) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < sm->n_case_history; i++) {
		json_array_append_new(a,
		    jsonout_message(&sm->case_history[i]->base));
	}
	json_object_set_new(j, "case_status", json_string(sm->case_status ?
	    protobuf_c_enum_descriptor_get_value(&poc__case_status__descriptor,
	    sm->case_status) != NULL ? protobuf_c_enum_descriptor_get_value(
	    &poc__case_status__descriptor, sm->case_status)->name : "" : ""));
	json_object_set_new(j, "case_history", a);
}
