/*
 * pocctl's output layer: a text printer and a JSON printer behind one
 * table of functions (as bgpctl does), so that every command prints through
 * the same place and --json never misses a field.
 *
 * Text: aligned tables whose last column is cut to the terminal width, and
 * the message renderings of render.c.  JSON: message objects are the
 * envelope as pbjson renders it with every field, plus the node-local keys
 * at the top level; this is the same shape `pocctl send` reads.
 */
#include <sys/ioctl.h>

#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/i18n.h"
#include "cli/output.h"
#include "cli/render.h"
#include "cli/term.h"
#include "pbjson.h"

#define OUTPUT_CELL	1024	/* bytes in one table cell */
#define OUTPUT_MINLAST	12	/* columns the last column gets at least */
#define OUTPUT_EXPIRY_WARN 30	/* days before a certificate's end to warn */
#define OUTPUT_MINCOL	6	/* columns another column keeps at least */

/* A table of text cells, row 0 the headers. */
struct table {
	size_t	  ncols, nrows, cap;
	char	**cells;		/* nrows * ncols, owned */
	const char **colors;		/* SGR per cell or NULL */
};

static void
table_init(struct table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

/* Appends a row of ncols strings; each is copied as one sanitized line. */
static void
table_row(struct table *t, ...)
{
	va_list		 ap;
	const char	*s;
	char		 buf[OUTPUT_CELL], **nc;
	const char	**nco;
	size_t		 i;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		nc = reallocarray(t->cells, t->cap * t->ncols, sizeof(*nc));
		if (nc == NULL)
			err(1, "reallocarray");
		t->cells = nc;
		nco = reallocarray(t->colors, t->cap * t->ncols,
		    sizeof(*nco));
		if (nco == NULL)
			err(1, "reallocarray");
		t->colors = nco;
	}
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		s = va_arg(ap, const char *);
		term_oneline(s != NULL ? s : "", buf, sizeof(buf));
		if ((t->cells[t->nrows * t->ncols + i] = strdup(buf)) == NULL)
			err(1, "strdup");
		t->colors[t->nrows * t->ncols + i] = NULL;
	}
	va_end(ap);
	t->nrows++;
}

/* Colours cell col of the last row with SGR sequence sgr ("" = none);
 * shown only on a terminal without NO_COLOR. */
static void
table_color(struct table *t, size_t col, const char *sgr)
{
	if (t->nrows > 0 && col < t->ncols && sgr != NULL && sgr[0] != '\0')
		t->colors[(t->nrows - 1) * t->ncols + col] = sgr;
}

/* Writes one cell, in its colour when colour is on. */
static void
table_put(FILE *fp, const char *c, const char *sgr, int color)
{
	if (color && sgr != NULL)
		fprintf(fp, "%s%s%s", sgr, c, TERM_RESET);
	else
		fputs(c, fp);
}

/* Prints the table with columns two spaces apart, the last column cut so
 * that each line fits in the terminal. */
static void
table_print(struct table *t, FILE *fp)
{
	size_t		 w[16], i, j, used = 0, cols = output_columns(), pad;
	char		*c;
	const char	*sgr;
	int		 color = term_use_color(fp);

	if (t->ncols == 0 || t->ncols > sizeof(w) / sizeof(w[0]))
		return;
	for (j = 0; j < t->ncols; j++) {
		w[j] = 0;
		for (i = 0; i < t->nrows; i++) {
			c = t->cells[i * t->ncols + j];
			if (term_width(c) > w[j])
				w[j] = term_width(c);
		}
		if (j + 1 < t->ncols)
			used += w[j] + 2;
	}
	/* Too wide for the terminal: narrow the widest other columns, one
	 * column at a time, down to OUTPUT_MINCOL each. */
	while (used + OUTPUT_MINLAST > cols) {
		size_t	 wide = 0;

		for (j = 1; j + 1 < t->ncols; j++)
			if (w[j] > w[wide])
				wide = j;
		if (t->ncols < 2 || w[wide] <= OUTPUT_MINCOL)
			break;
		w[wide]--;
		used--;
	}
	if (used + OUTPUT_MINLAST < cols)
		w[t->ncols - 1] = cols - used;
	else
		w[t->ncols - 1] = OUTPUT_MINLAST;
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++) {
			c = t->cells[i * t->ncols + j];
			sgr = t->colors[i * t->ncols + j];
			if (j + 1 == t->ncols) {
				term_truncate(c, w[j]);
				table_put(fp, c, sgr, color);
				fputc('\n', fp);
				break;
			}
			term_truncate(c, w[j]);
			pad = w[j] - term_width(c) + 2;
			table_put(fp, c, sgr, color);
			fprintf(fp, "%*s", (int)pad, "");
		}
	}
}

static void
table_free(struct table *t)
{
	size_t	 i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->colors);
	memset(t, 0, sizeof(*t));
}

/* The width to fit tables to. */
size_t
output_columns(void)
{
	struct winsize	 ws;

	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 100;
}

/* Prints "Label:  value" pairs (label, value, ..., NULL) aligned. */
static void
text_pairs(FILE *fp, const char *label, ...)
{
	va_list		 ap;
	const char	*l, *v;
	size_t		 width = 0, w;

	va_start(ap, label);
	for (l = label; l != NULL; l = va_arg(ap, const char *)) {
		(void)va_arg(ap, const char *);
		if ((w = term_width(l) + 1) > width)
			width = w;
	}
	va_end(ap);
	va_start(ap, label);
	for (l = label; l != NULL; l = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		w = term_width(l) + 1;
		fprintf(fp, "%s:%*s%s\n", l, (int)(width - w + 2), "", v);
	}
	va_end(ap);
}

/* Formats a duration in ms as "3d 4h 5m", "4h 5m" or "5m 6s". */
static const char *
text_duration(int64_t ms, char *buf, size_t len)
{
	int64_t	 s = ms > 0 ? ms / 1000 : 0;

	if (s >= 86400)
		snprintf(buf, len, _("%lldd %lldh %lldm"),
		    (long long)(s / 86400), (long long)(s % 86400 / 3600),
		    (long long)(s % 3600 / 60));
	else if (s >= 3600)
		snprintf(buf, len, _("%lldh %lldm"), (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, _("%lldm %llds"), (long long)(s / 60),
		    (long long)(s % 60));
	return buf;
}

/* "2026-11-25 04:10Z (5m 3s ago)", or "never" for 0. */
static const char *
text_when(int64_t ms, int64_t now, char *buf, size_t len)
{
	char	 t[64], d[64];

	if (ms == 0) {
		snprintf(buf, len, "%s", _("never"));
		return buf;
	}
	snprintf(buf, len, _("%s (%s ago)"), render_time_short(ms, t,
	    sizeof(t)), text_duration(now - ms, d, sizeof(d)));
	return buf;
}

/* Label lines, one row per peer, one row per certificate, and a warning
 * for each certificate within OUTPUT_EXPIRY_WARN days of its end. */
static void
text_status(const Poc__OpStatusReply *st)
{
	struct table	 t;
	char		 up[160], since[64], in[16], out[16], q[16];
	char		 conf[160];
	char		 o[64], nt[64], member[128], software[256], age[64];
	char		 peers[64], overdue[32], dsync[128], camp[128];
	char		 exp[64], left[64];
	size_t		 i, connected = 0;
	int64_t		 days;
	int		 color = term_use_color(stdout);

	snprintf(up, sizeof(up), "%s (%s %s)",
	    text_duration(st->now - st->started_at, since, sizeof(since)),
	    _("since"), render_time_short(st->started_at, o, sizeof(o)));
	snprintf(in, sizeof(in), "%u", st->inbox);
	snprintf(out, sizeof(out), "%u", st->outbox_queued);
	for (i = 0; i < st->n_peers; i++)
		connected += st->peers[i]->connected != 0;
	snprintf(peers, sizeof(peers), _("%zu of %zu"), connected,
	    st->n_peers);
	if (st->overdue_tracked)
		snprintf(overdue, sizeof(overdue), "%s%u%s",
		    color && st->overdue_cases ? TERM_RED : "",
		    st->overdue_cases,
		    color && st->overdue_cases ? TERM_RESET : "");
	else
		snprintf(overdue, sizeof(overdue), "-");
	snprintf(conf, sizeof(conf), _("loaded %s (%u reloads, %u refused)"),
	    render_time_short(st->config_loaded_at, o, sizeof(o)), st->reloads,
	    st->reload_failures);
	text_pairs(stdout,
	    _("Member"), term_oneline(st->member, member, sizeof(member)),
	    _("Software"), term_oneline(st->software, software,
	    sizeof(software)),
	    _("Uptime"), up,
	    _("Configuration"), conf,
	    _("Log level"), st->log_level[0] ? st->log_level : "-",
	    _("Inbox"), in,
	    _("Outbox queued"), out,
	    _("Connected peers"), peers,
	    _("Overdue cases"), overdue,
	    _("Directory sync"), text_when(st->last_directory_sync, st->now,
	    dsync, sizeof(dsync)),
	    _("Check campaign"), text_when(st->last_check_campaign, st->now,
	    camp, sizeof(camp)),
	    NULL);
	putchar('\n');
	if (st->n_peers == 0)
		printf("%s\n", _("no peers configured"));
	else {
		table_init(&t, 7);
		table_row(&t, _("MEMBER"), _("ENDPOINT"), _("CONNECTED"),
		    _("QUEUED"), _("OLDEST"), _("NEXT-TRY"), _("LAST-ERROR"));
		for (i = 0; i < st->n_peers; i++) {
			const Poc__OpPeerStatus	*p = st->peers[i];

			snprintf(q, sizeof(q), "%u", p->queued);
			/* The oldest queued message by its age, the next
			 * retry by the time left: what someone on duty asks. */
			if (p->oldest_queued_at != 0)
				text_duration(st->now - p->oldest_queued_at,
				    age, sizeof(age));
			else
				snprintf(age, sizeof(age), "-");
			if (p->next_attempt_at > st->now)
				snprintf(nt, sizeof(nt), _("in %s"),
				    text_duration(p->next_attempt_at - st->now,
				    o, sizeof(o)));
			else
				snprintf(nt, sizeof(nt), "-");
			table_row(&t, p->member, p->endpoint,
			    p->connected ? _("yes") : _("no"), q, age, nt,
			    p->last_error[0] ? p->last_error : "-");
			if (!p->connected)
				table_color(&t, 2, TERM_AMBER);
			if (p->last_error[0])
				table_color(&t, 6, TERM_RED);
		}
		table_print(&t, stdout);
		table_free(&t);
	}
	if (st->n_certificates == 0)
		return;
	putchar('\n');
	table_init(&t, 4);
	table_row(&t, _("CERTIFICATE"), _("EXPIRES"), _("LEFT"), _("SUBJECT"));
	for (i = 0; i < st->n_certificates; i++) {
		const Poc__OpStatusCert	*c = st->certificates[i];

		days = (c->not_after - st->now) / 86400000;
		if (c->not_after <= st->now)
			snprintf(left, sizeof(left), "%s", _("EXPIRED"));
		else
			snprintf(left, sizeof(left), _("%lld days"),
			    (long long)days);
		table_row(&t, c->role, render_time_short(c->not_after, exp,
		    sizeof(exp)), left, c->subject);
		if (c->not_after - st->now < OUTPUT_EXPIRY_WARN * 86400000LL)
			table_color(&t, 2, TERM_RED);
	}
	table_print(&t, stdout);
	table_free(&t);
	for (i = 0; i < st->n_certificates; i++) {
		const Poc__OpStatusCert	*c = st->certificates[i];

		if (c->not_after - st->now >= OUTPUT_EXPIRY_WARN * 86400000LL)
			continue;
		fflush(stdout);
		fprintf(stderr, _("%s: warning: the %s certificate (%s) "
		    "expires %s: issue a new one (certs/mkpki) and reload "
		    "with 'systemctl reload pocd'\n"),
		    program_invocation_short_name, c->role, c->subject,
		    render_time_short(c->not_after, exp, sizeof(exp)));
	}
}

/* One row per message, with the time and party that matter for the box. */
static void
text_list(const Poc__OpMessages *ms, Poc__OpList__Box box)
{
	struct table	 t;
	int		 inbox = box == POC__OP_LIST__BOX__INBOX;
	char		 id[16], tm[64], st[128], dg[OUTPUT_CELL];
	const char	*tlp, *urg;
	size_t		 i;

	if (ms->n_messages == 0) {
		printf("%s\n", inbox ? _("inbox is empty") :
		    _("outbox is empty"));
		return;
	}
	table_init(&t, 8);
	table_row(&t, _("ID"), _("TIME"), inbox ? _("FROM") : _("TO"),
	    _("KIND"), _("TLP"), _("URGENCY"), _("STATE"), _("SUMMARY"));
	for (i = 0; i < ms->n_messages; i++) {
		const Poc__StoredMessage	*sm = ms->messages[i];
		const Poc__Envelope		*e = sm->envelope;

		if (e == NULL)
			continue;
		snprintf(id, sizeof(id), "%.8s", e->id);
		tlp = render_tlp(e->tlp);
		urg = render_urgency(e);
		table_row(&t, id, render_time_short(inbox ? sm->received_at :
		    e->created_at, tm, sizeof(tm)),
		    inbox ? e->sender : e->recipient, render_kind_short(e),
		    tlp[0] ? tlp : "-", urg[0] ? urg : "-",
		    render_state(sm, st, sizeof(st)),
		    render_digest(e, dg, sizeof(dg)));
		table_color(&t, 4, render_tlp_color(e->tlp));
		if (e->exercise)
			table_color(&t, 7, TERM_EXERCISE);
		if (strcmp(sm->state, "rejected") == 0)
			table_color(&t, 6, TERM_RED);
	}
	table_print(&t, stdout);
	table_free(&t);
	output_deadline_hints(stdout, ms);
}

/* The signature line under a message: verified by the node from what it
 * kept, or why not. */
static void
output_signature_text(FILE *fp, const Poc__StoredMessage *sm)
{
	if (sm->envelope == NULL)
		return;
	if (sm->signature_verified)
		fprintf(fp, _("Signature:         verified, by %s's node key\n"),
		    sm->envelope->sender);
	else
		fprintf(fp, _("Signature:         NOT VERIFIED: %s\n"),
		    sm->signature_error[0] ? sm->signature_error : "-");
}

static void
text_message(const Poc__StoredMessage *sm)
{
	render_message(stdout, sm);
	output_deadline_text(stdout, sm);
	output_signature_text(stdout, sm);
}

/* Compact blocks separated by blank lines. */
static void
text_thread(const Poc__OpMessages *ms)
{
	size_t	 i;

	for (i = 0; i < ms->n_messages; i++) {
		if (i > 0)
			putchar('\n');
		render_block(stdout, ms->messages[i]);
	}
}

static void
text_queued(const Poc__OpQueued *q, int with_thread)
{
	if (with_thread)
		printf(_("queued %s (thread %s)\n"), q->id, q->thread_id);
	else
		printf(_("queued %s\n"), q->id);
}

/* Dumps a JSON value to stdout, two-space indented, keys in order. */
void
output_json(const json_t *j)
{
	if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == -1)
		errx(1, "cannot write JSON to standard output");
	putchar('\n');
}

/* A JSON string for s; "" if s is not valid UTF-8 (jansson refuses it). */
static json_t *
json_str(const char *s)
{
	json_t	*j;

	if ((j = json_string(s != NULL ? s : "")) == NULL)
		j = json_string("");
	return j;
}

/* Builds the JSON of a stored message: envelope fields, then the node-local
 * keys. */
/* Lower-case hex of len bytes as a JSON string. */
static json_t *
output_hex(const uint8_t *p, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	json_t			*j;
	char			*s;
	size_t			 i;

	if ((s = malloc(2 * len + 1)) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 0xf];
	}
	s[2 * len] = '\0';
	j = json_string(s);
	free(s);
	return j;
}

/* The signature keys of a message (node-local, beside the envelope):
 * what the node's check said, the signature and the signer's certificate
 * (DER, hex), so that the case can be checked again elsewhere. */
static void
output_signature_json(json_t *j, const Poc__StoredMessage *sm)
{
	json_object_set_new(j, "signature_verified",
	    json_boolean(sm->signature_verified));
	json_object_set_new(j, "signature_error", json_str(sm->signature_error));
	json_object_set_new(j, "signature", sm->envelope != NULL ?
	    output_hex(sm->envelope->signature.data,
	    sm->envelope->signature.len) : json_string(""));
	json_object_set_new(j, "signer_certificate",
	    output_hex(sm->signer_cert.data, sm->signer_cert.len));
}

json_t *
output_message_json(const Poc__StoredMessage *sm)
{
	json_t	*j, *a;
	size_t	 i;

	if (sm->envelope != NULL)
		j = pbjson_from_message(&sm->envelope->base, PBJSON_DEFAULTS);
	else
		j = json_object();
	if (j == NULL || (a = json_array()) == NULL)
		errx(1, "out of memory");
	json_object_set_new(j, "direction", json_str(sm->direction));
	json_object_set_new(j, "state", json_str(sm->state));
	json_object_set_new(j, "received_at", json_integer(sm->received_at));
	json_object_set_new(j, "delivered_at", json_integer(sm->delivered_at));
	json_object_set_new(j, "reason", json_str(sm->reason));
	json_object_set_new(j, "attempts", json_integer(sm->attempts));
	json_object_set_new(j, "next_attempt_at",
	    json_integer(sm->next_attempt_at));
	for (i = 0; i < sm->n_acknowledged_by; i++)
		json_array_append_new(a, json_str(sm->acknowledged_by[i]));
	json_object_set_new(j, "acknowledged_by", a);
	output_deadline_json(j, sm);
	output_signature_json(j, sm);
	return j;
}

/* Prints a protobuf message as JSON with every field. */
static void
json_print_message(const ProtobufCMessage *m)
{
	json_t	*j;

	if ((j = pbjson_from_message(m, PBJSON_DEFAULTS)) == NULL)
		errx(1, "out of memory");
	output_json(j);
	json_decref(j);
}

static void
json_status(const Poc__OpStatusReply *st)
{
	json_print_message(&st->base);
}

/* Prints the messages as one JSON array. */
static void
json_messages(const Poc__OpMessages *ms)
{
	json_t	*a;
	size_t	 i;

	if ((a = json_array()) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < ms->n_messages; i++)
		json_array_append_new(a, output_message_json(ms->messages[i]));
	output_json(a);
	json_decref(a);
}

static void
json_list(const Poc__OpMessages *ms, Poc__OpList__Box box)
{
	(void)box;
	json_messages(ms);
}

static void
json_message(const Poc__StoredMessage *sm)
{
	json_t	*j = output_message_json(sm);

	output_json(j);
	json_decref(j);
}

static void
json_queued(const Poc__OpQueued *q, int with_thread)
{
	(void)with_thread;
	json_print_message(&q->base);
}

static const struct output output_text = {
	.status = text_status,
	.list = text_list,
	.message = text_message,
	.thread = text_thread,
	.queued = text_queued,
};

static const struct output output_jsonp = {
	.status = json_status,
	.list = json_list,
	.message = json_message,
	.thread = json_messages,
	.queued = json_queued,
};

/* Chooses the printer once, from --json. */
const struct output *
output_get(int json)
{
	return json ? &output_jsonp : &output_text;
}

/* Lists field errors aligned on stderr with the hint to fix and retry. */
void
output_field_errors(const char *what, const char *retry,
    const Poc__FieldError *const *errs, size_t n)
{
	char	 f[256], m[OUTPUT_CELL];
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
