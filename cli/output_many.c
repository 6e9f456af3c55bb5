/*
 * Sends to many, printed (see output_many.h).  The matrix answers what a
 * duty officer asks of a message sent to every member: who has it, who
 * has acknowledged it, who has answered, who is late.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/i18n.h"
#include "cli/jsonout.h"
#include "cli/output_many.h"
#include "cli/render.h"
#include "cli/table.h"
#include "cli/term.h"

void
output_many_text_queued(const Poc__OpQueued *q)
{
	struct table	 t;
	size_t		 i;

	printf(_("queued to %zu members as one case, %s\n"), q->n_to,
	    q->thread_id);
	table_init(&t, 2);
	table_row(&t, _("MEMBER"), _("ID"));
	for (i = 0; i < q->n_to; i++)
		table_row(&t, q->to[i]->recipient, q->to[i]->id);
	table_print(&t, stdout);
	table_free(&t);
}

/* A time cell: "-" for 0, else the short time. */
static const char *
output_many_time(int64_t ms, char *buf, size_t len)
{
	if (ms == 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	return render_time_short(ms, buf, len);
}

void
output_many_text_case(FILE *fp, const Poc__SendManyCase *c)
{
	struct table	 t;
	char		 tm[64], d[64], a[64], r[64], o[64], by[160];
	size_t		 i;

	fprintf(fp, _("Case to %u members: %s %s, sent %s by %s\n"),
	    c->recipients, c->kind, c->id,
	    render_time_short(c->created_at, tm, sizeof(tm)),
	    term_oneline(c->created_by, by, sizeof(by)));
	fprintf(fp, _("delivered %u, acknowledged %u, responded %u, "
	    "overdue %u, rejected %u\n\n"), c->delivered, c->acknowledged,
	    c->responded, c->overdue, c->rejected);
	table_init(&t, 7);
	table_row(&t, _("MEMBER"), _("DELIVERY"), _("DELIVERED"),
	    _("ACKNOWLEDGED"), _("RESPONDED"), _("OVERDUE"), _("ID"));
	for (i = 0; i < c->n_rows; i++) {
		const Poc__SendManyRow	*w = c->rows[i];
		char			 id[16];

		snprintf(id, sizeof(id), "%.8s", w->envelope_id);
		if (w->overdue)
			output_many_time(w->overdue_at ? w->overdue_at :
			    w->deadline_at, o, sizeof(o));
		else
			snprintf(o, sizeof(o), "-");
		table_row(&t, w->recipient, w->delivery,
		    output_many_time(w->delivered_at, d, sizeof(d)),
		    output_many_time(w->acknowledged_at, a, sizeof(a)),
		    output_many_time(w->responded_at, r, sizeof(r)), o, id);
		if (strcmp(w->delivery, "rejected") == 0)
			table_color(&t, 1, TERM_RED);
		if (w->overdue)
			table_color(&t, 5, TERM_RED);
	}
	table_print(&t, fp);
	table_free(&t);
}

void
output_many_text_cases(FILE *fp, Poc__SendManyCase *const *cs, size_t n)
{
	struct table	 t;
	char		 id[16], tm[64], v[6][16];
	size_t		 i;

	if (n == 0)
		return;
	table_init(&t, 9);
	table_row(&t, _("CASE-TO-MANY"), _("KIND"), _("SENT"), _("TO"),
	    _("DELIVERED"), _("ACKED"), _("RESPONDED"), _("OVERDUE"),
	    _("REJECTED"));
	for (i = 0; i < n; i++) {
		const Poc__SendManyCase	*c = cs[i];

		snprintf(id, sizeof(id), "%.8s", c->id);
		snprintf(v[0], sizeof(v[0]), "%u", c->recipients);
		snprintf(v[1], sizeof(v[1]), "%u", c->delivered);
		snprintf(v[2], sizeof(v[2]), "%u", c->acknowledged);
		snprintf(v[3], sizeof(v[3]), "%u", c->responded);
		snprintf(v[4], sizeof(v[4]), "%u", c->overdue);
		snprintf(v[5], sizeof(v[5]), "%u", c->rejected);
		table_row(&t, id, c->kind, render_time_short(c->created_at, tm,
		    sizeof(tm)), v[0], v[1], v[2], v[3], v[4], v[5]);
		if (c->overdue > 0)
			table_color(&t, 7, TERM_RED);
	}
	fputc('\n', fp);
	table_print(&t, fp);
	table_free(&t);
}

int
output_many_is_copy(const Poc__SendManyCase *c, const Poc__StoredMessage *sm,
    const char **first_id)
{
	size_t	 i;

	if (sm->envelope == NULL || strcmp(sm->direction, "out") != 0)
		return 0;
	for (i = 0; i < c->n_rows; i++)
		if (strcmp(c->rows[i]->envelope_id, sm->envelope->id) == 0)
			break;
	if (i == c->n_rows)
		return 0;
	if (*first_id == NULL) {
		*first_id = sm->envelope->id;
		return 0;
	}
	return strcmp(*first_id, sm->envelope->id) != 0;
}

json_t *
output_many_json_case(const Poc__SendManyCase *c)
{
	json_t	*j;

	if ((j = jsonout_message(&c->base)) == NULL)
		errx(1, "out of memory");
	return j;
}
