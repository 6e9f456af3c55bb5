/*
 * pocctl's printers for communication checks and deadlines: the campaign
 * report (text and JSON), and the deadline lines that inbox/outbox/show add
 * to outgoing requests and notifications (due, overdue, whom to try next).
 * Reached the output layer through struct output (campaigns) and the
 * output_deadline_* calls of output.c.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/i18n.h"
#include "cli/output.h"
#include "cli/render.h"
#include "cli/term.h"
#include "pbjson.h"
#include "util.h"

/* A table cell: one sanitized line, cut to width columns. */
static void
checks_cell(FILE *fp, const char *s, size_t width, int last)
{
	char	 buf[512];
	size_t	 w;

	term_oneline(s != NULL && s[0] ? s : "-", buf, sizeof(buf));
	term_truncate(buf, width);
	fputs(buf, fp);
	if (last) {
		fputc('\n', fp);
		return;
	}
	for (w = term_width(buf); w < width + 2; w++)
		fputc(' ', fp);
}

/* Counts of each result, "1 replied, 1 silent". */
static void
checks_summary(FILE *fp, const Poc__CheckCampaign *c)
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
		fprintf(fp, "%s%zu %s", first ? "" : ", ", n, _(names[j]));
		first = 0;
	}
	fprintf(fp, "%s\n", first ? _("no member") : "");
}

/* One campaign: its header, then one row per member. */
static void
checks_text_one(const Poc__CheckCampaign *c)
{
	const Poc__CheckTarget	*t;
	char			 t1[64], t2[64], id[16];
	size_t			 i;

	printf("%s %s  %s %s%s%s\n", _("Campaign"), c->id, _("by"),
	    c->created_by, c->scheduled ? " " : "",
	    c->scheduled ? _("(scheduled)") : "");
	printf("%s %s   %s %s\n", _("Sent"),
	    util_fmt_time(c->created_at, t1, sizeof(t1)), _("reply by"),
	    util_fmt_time(c->reply_by, t2, sizeof(t2)));
	checks_summary(stdout, c);
	if (c->n_targets == 0)
		return;
	checks_cell(stdout, _("MEMBER"), 8, 0);
	checks_cell(stdout, _("RESULT"), 8, 0);
	checks_cell(stdout, _("NODE REACHED"), 20, 0);
	checks_cell(stdout, _("REPLIED"), 20, 0);
	checks_cell(stdout, _("CHECK"), 8, 0);
	checks_cell(stdout, _("BY / REASON"), 40, 1);
	for (i = 0; i < c->n_targets; i++) {
		t = c->targets[i];
		snprintf(id, sizeof(id), "%.8s", t->envelope_id);
		checks_cell(stdout, t->member, 8, 0);
		checks_cell(stdout, _(t->result), 8, 0);
		checks_cell(stdout, t->delivered_at ? util_fmt_time(
		    t->delivered_at, t1, sizeof(t1)) :
		    strcmp(t->delivery, "rejected") == 0 ? _("refused") :
		    _("not yet"), 20, 0);
		checks_cell(stdout, t->replied_at ? util_fmt_time(
		    t->replied_at, t2, sizeof(t2)) : "-", 20, 0);
		checks_cell(stdout, id, 8, 0);
		checks_cell(stdout, t->replied_at ? t->replied_by : t->reason,
		    40, 1);
	}
}

/* Campaigns: in full one after the other, or one line each (list). */
static void
checks_text(const Poc__CheckCampaigns *cs, int list)
{
	const Poc__CheckCampaign	*c;
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
			checks_text_one(cs->campaigns[i]);
		}
		return;
	}
	checks_cell(stdout, _("CAMPAIGN"), 8, 0);
	checks_cell(stdout, _("SENT"), 20, 0);
	checks_cell(stdout, _("REPLY BY"), 20, 0);
	checks_cell(stdout, _("BY"), 16, 0);
	checks_cell(stdout, _("RESULTS"), 50, 1);
	for (i = 0; i < cs->n_campaigns; i++) {
		c = cs->campaigns[i];
		snprintf(id, sizeof(id), "%.8s", c->id);
		checks_cell(stdout, id, 8, 0);
		checks_cell(stdout, util_fmt_time(c->created_at, t1,
		    sizeof(t1)), 20, 0);
		checks_cell(stdout, util_fmt_time(c->reply_by, t2, sizeof(t2)),
		    20, 0);
		checks_cell(stdout, c->created_by, 16, 0);
		checks_summary(stdout, c);
	}
}

/* JSON: one campaign object, or an array with list. */
static void
checks_json(const Poc__CheckCampaigns *cs, int list)
{
	json_t	*j, *a;
	size_t	 i;

	if (!list && cs->n_campaigns == 1) {
		if ((j = pbjson_from_message(&cs->campaigns[0]->base,
		    PBJSON_DEFAULTS)) == NULL)
			errx(1, "out of memory");
		output_json(j);
		json_decref(j);
		return;
	}
	if ((a = json_array()) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < cs->n_campaigns; i++) {
		if ((j = pbjson_from_message(&cs->campaigns[i]->base,
		    PBJSON_DEFAULTS)) == NULL)
			errx(1, "out of memory");
		json_array_append_new(a, j);
	}
	output_json(a);
	json_decref(a);
}

void
output_campaigns(const Poc__CheckCampaigns *cs, int list, int json)
{
	if (json)
		checks_json(cs, list);
	else
		checks_text(cs, list);
}

/* "TECHNICAL Jane Doe (CERT-FR), EMAIL soc@cert.fr" for a contact. */
static const char *
deadline_contact_line(const Poc__DeadlineContact *c, char *buf, size_t len)
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
deadline_case_text(FILE *fp, const Poc__StoredMessage *sm)
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

void
output_deadline_text(FILE *fp, const Poc__StoredMessage *sm)
{
	char	 t[64], t2[64], line[1024];
	size_t	 i;

	deadline_case_text(fp, sm);
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
		    _("Then:    "), deadline_contact_line(sm->next_contacts[i],
		    line, sizeof(line)));
}

void
output_deadline_hints(FILE *fp, const Poc__OpMessages *ms)
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
			fputc('\n', fp);
		first = 0;
		fprintf(fp, "%s %.8s %s %s, %s %s: ", _("OVERDUE"),
		    sm->envelope->id, _("to"), sm->envelope->recipient,
		    _("due"), util_fmt_time(sm->deadline_at, t, sizeof(t)));
		if (sm->n_next_contacts > 0)
			fprintf(fp, "%s %s\n", _("try"), deadline_contact_line(
			    sm->next_contacts[0], line, sizeof(line)));
		else
			fprintf(fp, "%s\n", _("no PoC in the directory"));
	}
}

void
output_deadline_json(json_t *j, const Poc__StoredMessage *sm)
{
	json_t	*a, *c;
	size_t	 i;

	if ((a = json_array()) == NULL)
		errx(1, "out of memory");
	json_object_set_new(j, "deadline_at", json_integer(sm->deadline_at));
	json_object_set_new(j, "overdue_at", json_integer(sm->overdue_at));
	json_object_set_new(j, "overdue", json_boolean(sm->overdue));
	json_object_set_new(j, "escalation_step",
	    json_integer(sm->escalation_step));
	for (i = 0; i < sm->n_next_contacts; i++) {
		if ((c = pbjson_from_message(&sm->next_contacts[i]->base,
		    PBJSON_DEFAULTS)) == NULL)
			errx(1, "out of memory");
		json_array_append_new(a, c);
	}
	json_object_set_new(j, "next_contacts", a);
	if ((a = json_array()) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < sm->n_case_history; i++) {
		if ((c = pbjson_from_message(&sm->case_history[i]->base,
		    PBJSON_DEFAULTS)) == NULL)
			errx(1, "out of memory");
		json_array_append_new(a, c);
	}
	json_object_set_new(j, "case_status", json_string(sm->case_status ?
	    protobuf_c_enum_descriptor_get_value(&poc__case_status__descriptor,
	    sm->case_status) != NULL ? protobuf_c_enum_descriptor_get_value(
	    &poc__case_status__descriptor, sm->case_status)->name : "" : ""));
	json_object_set_new(j, "case_history", a);
}
