/*
 * pocctl cases: one line per case, for the person on duty: who it is
 * with, how urgent and how sensitive, when it last moved, whether an
 * acknowledgement is late, and the command to run next.  The node decides
 * the next step (ctl_cases.c) as a keyword; the words for people are
 * here, translated.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include "cli/i18n.h"
#include "cli/jsonout.h"
#include "cli/output_cases.h"
#include "cli/render.h"
#include "cli/table.h"
#include "cli/term.h"
#include "util.h"

/* The next step: the pocctl command to run on the case, or what to wait
 * for. */
static const struct {
	const char	*key;
	const char	*cmd;		/* "CMD ID" */
	const char	*text;		/* when there is no command */
} output_cases_steps[] = {
	{ "acknowledge",	"ack",		NULL },
	{ "respond",		"respond",	NULL },
	{ "escalate",		"show",		NULL },	/* whom to try next */
	{ "update",		"update",	NULL },
	{ "await-ack",		NULL,		N_("await ack") },
	{ "await-response",	NULL,		N_("await response") },
	{ "none",		NULL,		"-" },
};

/* "ack 1a2b3c4d" (to run with pocctl) or "await ack". */
static const char *
output_cases_step(const Poc__CaseSummary *c, const char *id, char *buf,
    size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(output_cases_steps) /
	    sizeof(output_cases_steps[0]); i++) {
		if (strcmp(c->next_step, output_cases_steps[i].key) != 0)
			continue;
		if (output_cases_steps[i].cmd != NULL)
			snprintf(buf, len, "%s %s", output_cases_steps[i].cmd,
			    id);
		else
			snprintf(buf, len, "%s", _(output_cases_steps[i].text));
		return buf;
	}
	snprintf(buf, len, "%s", c->next_step[0] ? c->next_step : "-");
	return buf;
}

/* How long ago: "45s", "12m", "3h", "2d". */
static const char *
output_cases_age(int64_t ms, int64_t now, char *buf, size_t len)
{
	int64_t	 s = now > ms ? (now - ms) / 1000 : 0;

	if (ms == 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, _("%llds ago"), (long long)s);
	else if (s < 3600)
		snprintf(buf, len, _("%lldm ago"), (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, len, _("%lldh ago"), (long long)(s / 3600));
	else
		snprintf(buf, len, _("%lldd ago"), (long long)(s / 86400));
	return buf;
}

/* The case's status word: the latest StatusUpdate's, else OPEN. */
static const char *
output_cases_status(const Poc__CaseSummary *c, char *buf, size_t len)
{
	if (c->status == POC__CASE_STATUS__CASE_STATUS_UNSPECIFIED)
		return "OPEN";
	return render_enum(&poc__case_status__descriptor, (int)c->status, buf,
	    len);
}

void
output_cases_text(const Poc__OpCaseList *cl)
{
	struct table	 t;
	char		 id[16], st[32], at[64], next[128], with[80];
	const char	*tlp, *urg;
	int64_t		 now = util_now_ms();
	size_t		 i;

	if (cl->n_cases == 0) {
		printf("%s\n", _("no cases"));
		return;
	}
	/* What to do comes first; the age last, where a narrow terminal
	 * cuts. */
	table_init(&t, 9);
	table_row(&t, _("ID"), _("STATUS"), _("NEXT"), _("WITH"), _("KIND"),
	    _("URGENCY"), _("TLP"), _("OVERDUE"), _("LAST"));
	for (i = 0; i < cl->n_cases; i++) {
		const Poc__CaseSummary		*c = cl->cases[i];
		const Poc__StoredMessage	*m = c->opening;
		const Poc__Envelope		*e;

		if (m == NULL || (e = m->envelope) == NULL)
			continue;
		snprintf(id, sizeof(id), "%.8s", e->id);
		/* Which way the case runs: to them (ours) or from them. */
		snprintf(with, sizeof(with), "%s%s",
		    strcmp(m->direction, "out") == 0 ? "->" : "<-",
		    strcmp(m->direction, "out") == 0 ? e->recipient :
		    e->sender);
		tlp = render_tlp(e->tlp);
		urg = render_urgency(e);
		table_row(&t, id, output_cases_status(c, st, sizeof(st)),
		    output_cases_step(c, id, next, sizeof(next)), with,
		    render_kind_short(e), urg[0] ? urg : "-",
		    tlp[0] ? tlp : "-", c->overdue ? _("OVERDUE") : "-",
		    output_cases_age(c->last_at, now, at, sizeof(at)));
		table_color(&t, 6, render_tlp_color(e->tlp));
		if (c->overdue)
			table_color(&t, 7, TERM_RED);
		if (e->exercise)
			table_color(&t, 0, TERM_EXERCISE);
	}
	table_print(&t, stdout);
	table_free(&t);
}

void
output_cases_json(const Poc__OpCaseList *cl)
{
	json_t	*a, *j;
	char	 st[32];
	size_t	 i;

	if ((a = json_array()) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < cl->n_cases; i++) {
		const Poc__CaseSummary		*c = cl->cases[i];
		const Poc__StoredMessage	*m = c->opening;
		const Poc__Envelope		*e;

		if (m == NULL || (e = m->envelope) == NULL)
			continue;
		if ((j = json_object()) == NULL)
			errx(1, "out of memory");
		json_object_set_new(j, "cursor", json_integer(c->last_seq));
		json_object_set_new(j, "id", jsonout_str(e->id));
		json_object_set_new(j, "thread_id", jsonout_str(e->thread_id));
		json_object_set_new(j, "status",
		    jsonout_str(output_cases_status(c, st, sizeof(st))));
		json_object_set_new(j, "direction", jsonout_str(m->direction));
		json_object_set_new(j, "party", jsonout_str(
		    strcmp(m->direction, "out") == 0 ? e->recipient :
		    e->sender));
		json_object_set_new(j, "kind",
		    jsonout_str(render_kind_short(e)));
		json_object_set_new(j, "urgency",
		    jsonout_str(render_urgency(e)));
		json_object_set_new(j, "tlp", jsonout_str(render_tlp(e->tlp)));
		json_object_set_new(j, "exercise",
		    json_boolean(e->exercise));
		json_object_set_new(j, "last_activity",
		    json_integer(c->last_at));
		json_object_set_new(j, "messages", json_integer(c->messages));
		json_object_set_new(j, "acked_at", json_integer(m->acked_at));
		json_object_set_new(j, "answered_at",
		    json_integer(m->answered_at));
		json_object_set_new(j, "overdue", json_boolean(c->overdue));
		json_object_set_new(j, "next_step", jsonout_str(c->next_step));
		json_array_append_new(a, j);
	}
	jsonout_print(a);
	json_decref(a);
}

void
output_cases_text_more(const char *cmd, int64_t before)
{
	printf(_("(more: pocctl %s --before %lld)\n"), cmd, (long long)before);
}

void
output_cases_json_more(const char *cmd, int64_t before)
{
	(void)cmd;
	(void)before;
}
