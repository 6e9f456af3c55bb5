/*
 * `pocctl watch` output (see output_watch.h).  Each line is flushed at
 * once: the reader is a person or a pipe waiting for it.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/i18n.h"
#include "cli/jsonout.h"
#include "cli/output_watch.h"
#include "cli/render.h"
#include "cli/term.h"
#include "evfmt.h"

#define WATCH_TEXT_WIDTH	400	/* bytes of summary and detail shown */

/* TIME  KIND  URGENCY  TLP  MEMBER  ID  [EXERCISE] SUMMARY; DETAIL, in
 * columns as wide as their longest value (a member code: 8). */
void
output_watch_text_event(const Poc__NodeEvent *ev)
{
	static int	 header;
	char		 t[64], peer[40], id[16], sum[WATCH_TEXT_WIDTH];
	char		 det[WATCH_TEXT_WIDTH], line[WATCH_TEXT_WIDTH * 2 + 64];
	int		 color = term_use_color(stdout);
	const char	*sgr = "";

	if (!header) {
		printf("%-17s  %-18s  %-9s  %-12s  %-8s  %-8s  %s\n", _("TIME"),
		    _("KIND"), _("URGENCY"), _("TLP"), _("MEMBER"), _("ID"),
		    _("SUMMARY"));
		header = 1;
	}
	snprintf(id, sizeof(id), "%.8s", ev->message_id[0] ?
	    ev->message_id : "-");
	term_oneline(ev->summary, sum, sizeof(sum));
	term_oneline(ev->detail, det, sizeof(det));
	snprintf(line, sizeof(line), "%s%s%s%s%s", ev->exercise ?
	    _("[EXERCISE]") : "", ev->exercise ? " " : "", sum,
	    sum[0] && det[0] ? "; " : "", det);
	term_truncate(line, 100);
	if (color && (ev->kind == POC__NODE_EVENT__KIND__OVERDUE ||
	    ev->kind == POC__NODE_EVENT__KIND__DELIVERY_FAILING ||
	    ev->kind == POC__NODE_EVENT__KIND__DELIVERY_REJECTED ||
	    ev->urgency == POC__URGENCY__FLASH))
		sgr = TERM_RED;
	else if (color && ev->exercise)
		sgr = TERM_EXERCISE;
	printf("%-17s  %s%-18s%s  %-9s  %-12s  %-8s  %-8s  %s\n",
	    render_time_short(ev->at, t, sizeof(t)), sgr,
	    evfmt_kind_name(ev->kind), sgr[0] ? TERM_RESET : "",
	    ev->urgency ? _(evfmt_urgency_name(ev->urgency)) : "-",
	    ev->tlp ? render_tlp(ev->tlp) : "-",
	    ev->peer[0] ? term_oneline(ev->peer, peer, sizeof(peer)) : "-",
	    id, line);
	if (fflush(stdout) == EOF)
		err(1, "standard output");
}

void
output_watch_json_event(const Poc__NodeEvent *ev)
{
	json_t	*j;

	if ((j = evfmt_json(ev)) == NULL)
		errx(1, "out of memory");
	if (jsonout_line(stdout, j) == -1 || fflush(stdout) == EOF)
		err(1, "standard output");
	json_decref(j);
}
