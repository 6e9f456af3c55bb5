/*
 * Human rendering of messages for pocctl (show, thread, listings).
 *
 * The body of each kind is rendered from a table {field, label, formatter}
 * that reads the field through the protobuf-c descriptor, so a new field is
 * one table row.  Para 77(b) templates work with missing information: a
 * field named in `unavailable` reads "unknown to the sender", one named in
 * `withheld` reads "withheld by the sender", and an empty field named in
 * neither is left out.  Notifications and acknowledgements always end with
 * the statement of para 30(d) and 30(c) respectively.
 *
 * Labels and statements go through gettext (English msgids); free text is
 * printed through term.c, which defuses terminal control characters.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/i18n.h"
#include "cli/render.h"
#include "cli/term.h"
#include "cli/vocab.h"
#include "util.h"

/* Returns a newly allocated rendering of field f of m, or NULL if empty. */
typedef char	*(*render_fmt)(const ProtobufCMessage *,
		    const ProtobufCFieldDescriptor *);

struct render_field {
	const char	*name;		/* proto field name */
	const char	*label;		/* msgid */
	render_fmt	 fmt;
};

struct render_kind {
	Poc__Envelope__BodyCase		 body;
	const char			*member;	/* oneof member name */
	const char			*shortname;	/* for tables */
	const char			*title;		/* msgid */
	const struct render_field	*fields;
	const char			*statement;	/* msgid or NULL */
};

/* One "Label:  value" line before alignment. */
struct render_line {
	const char	*label;		/* translated */
	char		*value;		/* owned; may hold newlines */
	const char	*color;		/* SGR for the value, or NULL */
};

struct render_lines {
	struct render_line	*v;
	size_t			 n, cap;
};

static char	*render_fmt_text(const ProtobufCMessage *,
		    const ProtobufCFieldDescriptor *);
static char	*render_fmt_time(const ProtobufCMessage *,
		    const ProtobufCFieldDescriptor *);
static char	*render_fmt_enum(const ProtobufCMessage *,
		    const ProtobufCFieldDescriptor *);
static char	*render_fmt_enums(const ProtobufCMessage *,
		    const ProtobufCFieldDescriptor *);
static char	*render_fmt_indicators(const ProtobufCMessage *,
		    const ProtobufCFieldDescriptor *);

static const struct render_field request_fields[] = {
	{ "summary",		N_("Summary"),		render_fmt_text },
	{ "description",	N_("Description"),	render_fmt_text },
	{ "severity",		N_("Severity"),		render_fmt_enum },
	{ "urgency",		N_("Urgency"),		render_fmt_enum },
	{ "sectors",		N_("Sectors"),		render_fmt_enums },
	{ "observed_since",	N_("Observed since"),	render_fmt_time },
	{ "indicators",		N_("Indicators"),	render_fmt_indicators },
	{ "assistance_types",	N_("Assistance types"),	render_fmt_enums },
	{ "respond_by",		N_("Respond by"),	render_fmt_time },
	{ "contact",		N_("Contact"),		render_fmt_text },
	{ NULL, NULL, NULL }
};

static const struct render_field response_fields[] = {
	{ "request_id",		N_("In response to"),	render_fmt_text },
	{ "decision",		N_("Decision"),		render_fmt_enum },
	{ "timeframe",		N_("Timeframe"),	render_fmt_text },
	{ "nature",		N_("Nature"),		render_fmt_text },
	{ "scope",		N_("Scope"),		render_fmt_text },
	{ "terms",		N_("Terms"),		render_fmt_text },
	{ "contact",		N_("Contact"),		render_fmt_text },
	{ "note",		N_("Note"),		render_fmt_text },
	{ NULL, NULL, NULL }
};

static const struct render_field notification_fields[] = {
	{ "summary",		N_("Summary"),		render_fmt_text },
	{ "description",	N_("Description"),	render_fmt_text },
	{ "severity",		N_("Severity"),		render_fmt_enum },
	{ "urgency",		N_("Urgency"),		render_fmt_enum },
	{ "sectors",		N_("Sectors"),		render_fmt_enums },
	{ "activity_since",	N_("Activity since"),	render_fmt_time },
	{ "indicators",		N_("Indicators"),	render_fmt_indicators },
	{ "requested_action",	N_("Requested action"),	render_fmt_text },
	{ NULL, NULL, NULL }
};

static const struct render_field ack_fields[] = {
	{ "ack_of",		N_("Acknowledgement of"), render_fmt_text },
	{ "received_at",	N_("Received at"),	render_fmt_time },
	{ "acknowledged_by",	N_("Acknowledged by"),	render_fmt_text },
	{ "note",		N_("Note"),		render_fmt_text },
	{ NULL, NULL, NULL }
};

static const struct render_field update_fields[] = {
	{ "status",		N_("Status"),		render_fmt_enum },
	{ "text",		N_("Text"),		render_fmt_text },
	{ NULL, NULL, NULL }
};

static const struct render_field check_fields[] = {
	{ "check_id",		N_("Check"),		render_fmt_text },
	{ "reply_by",		N_("Reply by"),		render_fmt_time },
	{ NULL, NULL, NULL }
};

static const struct render_field check_reply_fields[] = {
	{ "check_id",		N_("Check"),		render_fmt_text },
	{ "replied_by",		N_("Replied by"),	render_fmt_text },
	{ NULL, NULL, NULL }
};

static const struct render_kind render_kinds[] = {
	{ POC__ENVELOPE__BODY_ASSISTANCE_REQUEST, "assistance_request",
	  "request", N_("ASSISTANCE REQUEST"), request_fields, NULL },
	{ POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE, "assistance_response",
	  "response", N_("ASSISTANCE RESPONSE"), response_fields, NULL },
	{ POC__ENVELOPE__BODY_NOTIFICATION, "notification",
	  "notification", N_("NOTIFICATION"), notification_fields,
	  N_("Notice is not attribution (UN GGE 2021 report, para 30(d)).") },
	{ POC__ENVELOPE__BODY_ACKNOWLEDGEMENT, "acknowledgement",
	  "ack", N_("ACKNOWLEDGEMENT"), ack_fields,
	  N_("Receipt is not concurrence (UN GGE 2021 report, para 30(c)).") },
	{ POC__ENVELOPE__BODY_STATUS_UPDATE, "status_update",
	  "update", N_("STATUS UPDATE"), update_fields, NULL },
	{ POC__ENVELOPE__BODY_COMMUNICATION_CHECK, "communication_check",
	  "check", N_("COMMUNICATION CHECK"), check_fields, NULL },
	{ POC__ENVELOPE__BODY_CHECK_REPLY, "check_reply",
	  "check-reply", N_("CHECK REPLY"), check_reply_fields, NULL },
};

/* Labels of the envelope's own fields, for template help (the full view
 * prints the same msgids). */
static const struct render_field envelope_fields[] = {
	{ "id",			N_("Id"),		NULL },
	{ "thread_id",		N_("Thread"),		NULL },
	{ "in_reply_to",	N_("In reply to"),	NULL },
	{ "sender",		N_("From"),		NULL },
	{ "recipient",		N_("To"),		NULL },
	{ "created_at",		N_("Created"),		NULL },
	{ "tlp",		N_("TLP"),		NULL },
	{ "language",		N_("Language"),		NULL },
	{ "exercise",		N_("Exercise"),		NULL },
	{ NULL, NULL, NULL }
};

/* Label of field in a field table, or NULL. */
static const char *
render_label_in(const struct render_field *t, const char *field)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, field) == 0)
			return _(t->label);
	return NULL;
}

/* Translated label of a body field, or of an envelope field if member is
 * NULL. */
const char *
render_field_label(const char *member, const char *field)
{
	size_t	 i;

	if (member == NULL)
		return render_label_in(envelope_fields, field);
	for (i = 0; i < sizeof(render_kinds) / sizeof(render_kinds[0]); i++)
		if (strcmp(render_kinds[i].member, member) == 0)
			return render_label_in(render_kinds[i].fields, field);
	return NULL;
}

/* Translated title of a body kind by oneof member name, or NULL. */
const char *
render_member_title(const char *member)
{
	size_t	 i;

	for (i = 0; i < sizeof(render_kinds) / sizeof(render_kinds[0]); i++)
		if (strcmp(render_kinds[i].member, member) == 0)
			return _(render_kinds[i].title);
	return NULL;
}

/* Translated fixed statement of a body kind (para 30(c), 30(d)), or NULL. */
const char *
render_statement(const char *member)
{
	size_t	 i;

	for (i = 0; i < sizeof(render_kinds) / sizeof(render_kinds[0]); i++)
		if (strcmp(render_kinds[i].member, member) == 0)
			return render_kinds[i].statement != NULL ?
			    _(render_kinds[i].statement) : NULL;
	return NULL;
}

/* The table entry for the body kind of e, or NULL. */
static const struct render_kind *
render_kind_of(const Poc__Envelope *e)
{
	size_t	 i;

	if (e == NULL)
		return NULL;
	for (i = 0; i < sizeof(render_kinds) / sizeof(render_kinds[0]); i++)
		if (render_kinds[i].body == e->body_case)
			return &render_kinds[i];
	return NULL;
}

/* The body message of e, found through the envelope's descriptor. */
static const ProtobufCMessage *
render_body(const Poc__Envelope *e, const struct render_kind *k)
{
	const ProtobufCFieldDescriptor	*f;

	f = protobuf_c_message_descriptor_get_field_by_name(
	    &poc__envelope__descriptor, k->member);
	if (f == NULL)
		return NULL;
	return *(ProtobufCMessage * const *)(const void *)
	    ((const char *)e + f->offset);
}

/* Where field f lives inside message m. */
static const void *
render_field_ptr(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	return (const char *)m + f->offset;
}

/* The element count of repeated field f of m. */
static size_t
render_field_count(const ProtobufCMessage *m,
    const ProtobufCFieldDescriptor *f)
{
	return *(const size_t *)(const void *)
	    ((const char *)m + f->quantifier_offset);
}

/* 1 if name is one of the strings of the repeated field list of m. */
static int
render_named_in(const ProtobufCMessage *m, const char *list, const char *name)
{
	const ProtobufCFieldDescriptor	*f;
	char * const			*v;
	size_t				 i, n;

	f = protobuf_c_message_descriptor_get_field_by_name(m->descriptor,
	    list);
	if (f == NULL || f->label != PROTOBUF_C_LABEL_REPEATED)
		return 0;
	n = render_field_count(m, f);
	v = *(char * const * const *)render_field_ptr(m, f);
	for (i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

/* strdup that exits on failure. */
static char *
render_strdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL) {
		perror("pocctl: strdup");
		exit(1);
	}
	return p;
}

/* A string field, or NULL if empty. */
static char *
render_fmt_text(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	const char	*s = *(char * const *)render_field_ptr(m, f);

	return s != NULL && s[0] != '\0' ? render_strdup(s) : NULL;
}

/* A Unix ms field as UTC time with its age, or NULL if 0. */
static char *
render_fmt_time(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	int64_t	 v = *(const int64_t *)render_field_ptr(m, f);
	char	 buf[96];

	return v != 0 ? render_strdup(vocab_when(v, util_now_ms(), buf,
	    sizeof(buf))) : NULL;
}

/* An enum field by value name, or NULL if not given. */
static char *
render_fmt_enum(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	int	 v = *(const int *)render_field_ptr(m, f);
	char	 buf[32];

	return v != 0 ? render_strdup(render_enum(f->descriptor, v, buf,
	    sizeof(buf))) : NULL;
}

/* A repeated enum as "HEALTH, ENERGY". */
static char *
render_fmt_enums(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	const int	*v = *(const int * const *)render_field_ptr(m, f);
	size_t		 i, n = render_field_count(m, f), sz = 0;
	char		*out = NULL, buf[32];
	FILE		*fp;

	if (n == 0)
		return NULL;
	if ((fp = open_memstream(&out, &sz)) == NULL) {
		perror("pocctl: open_memstream");
		exit(1);
	}
	for (i = 0; i < n; i++)
		fprintf(fp, "%s%s", i ? ", " : "",
		    render_enum(f->descriptor, v[i], buf, sizeof(buf)));
	fclose(fp);
	return out;
}

/* Indicators one per line: "TYPE value — note". */
static char *
render_fmt_indicators(const ProtobufCMessage *m,
    const ProtobufCFieldDescriptor *f)
{
	Poc__Indicator * const	*v;
	size_t			 i, n = render_field_count(m, f), sz = 0;
	char			*out = NULL, buf[32];
	FILE			*fp;

	if (n == 0)
		return NULL;
	v = *(Poc__Indicator * const * const *)render_field_ptr(m, f);
	if ((fp = open_memstream(&out, &sz)) == NULL) {
		perror("pocctl: open_memstream");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		fprintf(fp, "%s%s %s", i ? "\n" : "",
		    v[i]->type ? render_enum(&poc__indicator__type__descriptor,
		    v[i]->type, buf, sizeof(buf)) : "?", v[i]->value);
		if (v[i]->note[0] != '\0')
			fprintf(fp, " \xe2\x80\x94 %s", v[i]->note);
	}
	fclose(fp);
	return out;
}

/* Appends one line; takes ownership of value. */
static void
render_lines_add(struct render_lines *l, const char *label, char *value)
{
	struct render_line	*nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((nv = reallocarray(l->v, l->cap, sizeof(*nv))) == NULL) {
			perror("pocctl: reallocarray");
			exit(1);
		}
		l->v = nv;
	}
	l->v[l->n].label = label;
	l->v[l->n].value = value;
	l->v[l->n].color = NULL;
	l->n++;
}

static void
render_lines_addf(struct render_lines *l, const char *label,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Adds a line whose value is formatted like printf. */
static void
render_lines_addf(struct render_lines *l, const char *label,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1) {
		perror("pocctl: vasprintf");
		exit(1);
	}
	va_end(ap);
	render_lines_add(l, label, s);
}

static void
render_lines_free(struct render_lines *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].value);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Prints the lines as "Label:  value", values aligned in one column. */
static void
render_lines_print(FILE *fp, const struct render_lines *l, const char *indent)
{
	size_t	 i, w, width = 0;
	char	*cont;

	for (i = 0; i < l->n; i++)
		if ((w = term_width(l->v[i].label) + 1) > width)
			width = w;
	if (asprintf(&cont, "%s%*s", indent, (int)width + 2, "") == -1) {
		perror("pocctl: asprintf");
		exit(1);
	}
	for (i = 0; i < l->n; i++) {
		w = term_width(l->v[i].label) + 1;
		fprintf(fp, "%s%s:%*s", indent, l->v[i].label,
		    (int)(width - w + 2), "");
		if (l->v[i].color != NULL && l->v[i].color[0] != '\0') {
			fputs(l->v[i].color, fp);
			term_put(fp, l->v[i].value, cont);
			fputs(TERM_RESET, fp);
		} else
			term_put(fp, l->v[i].value, cont);
		fputc('\n', fp);
	}
	free(cont);
}

/* Adds the body fields of e from its kind's table. */
static void
render_body_lines(struct render_lines *l, const Poc__Envelope *e,
    const struct render_kind *k)
{
	const ProtobufCMessage		*body;
	const ProtobufCFieldDescriptor	*f;
	const struct render_field	*rf;
	char				*v;

	if ((body = render_body(e, k)) == NULL)
		return;
	for (rf = k->fields; rf->name != NULL; rf++) {
		f = protobuf_c_message_descriptor_get_field_by_name(
		    body->descriptor, rf->name);
		if (f == NULL)
			continue;
		if ((v = rf->fmt(body, f)) == NULL) {
			if (render_named_in(body, "unavailable", rf->name))
				v = render_strdup(_("unknown to the sender"));
			else if (render_named_in(body, "withheld", rf->name))
				v = render_strdup(_("withheld by the sender"));
			else
				continue;
		}
		render_lines_add(l, _(rf->label), v);
	}
}

/*
 * "Acknowledged by": one line per acknowledgement of sm, the person with
 * the acknowledgement's short id and time ("Jane Doe (ack 1a2b3c4d,
 * 2026-12-05 02:10Z, 3 h ago)"); the ids alone from a node too old to
 * report the people.
 */
static void
render_acked_line(struct render_lines *l, const Poc__StoredMessage *sm)
{
	size_t	 i, sz = 0;
	char	*out = NULL, t[96];
	FILE	*fp;

	if (sm->n_acknowledged_by == 0 && sm->n_acks == 0)
		return;
	if ((fp = open_memstream(&out, &sz)) == NULL) {
		perror("pocctl: open_memstream");
		exit(1);
	}
	for (i = 0; i < sm->n_acks; i++)
		fprintf(fp, "%s%s (%s %.8s, %s)", i ? "\n" : "",
		    sm->acks[i]->by[0] ? sm->acks[i]->by : "?", _("ack"),
		    sm->acks[i]->id, vocab_when(sm->acks[i]->at,
		    util_now_ms(), t, sizeof(t)));
	for (i = 0; sm->n_acks == 0 && i < sm->n_acknowledged_by; i++)
		fprintf(fp, "%s%s %.8s", i ? "\n" : "", _("ack"),
		    sm->acknowledged_by[i]);
	fclose(fp);
	render_lines_add(l, _("Acknowledged by"), out);
}

/* The state word (vocab.c), then the time or reason that goes with it. */
static void
render_state_line(struct render_lines *l, const Poc__StoredMessage *sm)
{
	char	 w[128], t[96];
	int64_t	 now = util_now_ms();

	render_lines_addf(l, _("State"), "%s", vocab_state_text(sm, w,
	    sizeof(w)));
	if (vocab_state_alarm(sm))
		l->v[l->n - 1].color = TERM_RED;
	if (sm->received_at != 0)
		render_lines_addf(l, _("Arrived"), "%s",
		    vocab_when(sm->received_at, now, t, sizeof(t)));
	if (sm->delivered_at != 0)
		render_lines_addf(l, _("Delivered at"), "%s",
		    vocab_when(sm->delivered_at, now, t, sizeof(t)));
	if (strcmp(sm->state, "queued") == 0 && sm->next_attempt_at != 0)
		render_lines_addf(l, _("Next try"), "%s",
		    vocab_when(sm->next_attempt_at, now, t, sizeof(t)));
	if (sm->reason[0] != '\0')
		render_lines_addf(l, _("Reason"), "%s", sm->reason);
}

/* Title, banner, envelope lines, body lines, acknowledgements, statement. */
void
render_message(FILE *fp, const Poc__StoredMessage *sm)
{
	const Poc__Envelope		*e = sm->envelope;
	const struct render_kind	*k = render_kind_of(e);
	struct render_lines		 l = { NULL, 0, 0 };
	char				 t[96];
	int				 color;

	if (e == NULL)
		return;
	color = term_use_color(fp);
	fprintf(fp, "%s\n", render_kind_title(e));
	if (e->exercise)
		fprintf(fp, "%s%s%s\n", color ? TERM_EXERCISE : "",
		    _("*** EXERCISE ***"), color ? TERM_RESET : "");
	render_lines_addf(&l, _("Id"), "%s", e->id);
	render_lines_addf(&l, _("Thread"), "%s", e->thread_id);
	if (e->in_reply_to[0] != '\0')
		render_lines_addf(&l, _("In reply to"), "%s", e->in_reply_to);
	render_lines_addf(&l, _("From"), "%s", e->sender);
	render_lines_addf(&l, _("To"), "%s", e->recipient);
	render_lines_addf(&l, _("Created"), "%s",
	    vocab_when(e->created_at, util_now_ms(), t, sizeof(t)));
	if (e->tlp != POC__TLP__TLP_UNSPECIFIED) {
		render_lines_addf(&l, _("TLP"), "%s", render_tlp(e->tlp));
		if (color)
			l.v[l.n - 1].color = render_tlp_color(e->tlp);
	}
	if (e->language[0] != '\0')
		render_lines_addf(&l, _("Language"), "%s", e->language);
	render_state_line(&l, sm);
	if (k != NULL)
		render_body_lines(&l, e, k);
	render_acked_line(&l, sm);
	render_lines_print(fp, &l, "");
	render_lines_free(&l);
	if (k != NULL && k->statement != NULL)
		fprintf(fp, "\n%s\n", _(k->statement));
}

/* Header line with time, parties, kind, short id and state; then the body
 * indented. */
void
render_block(FILE *fp, const Poc__StoredMessage *sm)
{
	const Poc__Envelope		*e = sm->envelope;
	const struct render_kind	*k = render_kind_of(e);
	struct render_lines		 l = { NULL, 0, 0 };
	char				 t[64], st[128];

	if (e == NULL)
		return;
	if (e->exercise)
		fprintf(fp, "%s ", _("[EXERCISE]"));
	fprintf(fp, "%s  ", render_time_short(e->created_at, t, sizeof(t)));
	term_put(fp, e->sender, "");
	fputs(" -> ", fp);
	term_put(fp, e->recipient, "");
	fprintf(fp, "  %s  %.8s  %s", render_kind_title(e), e->id,
	    vocab_state_text(sm, st, sizeof(st)));
	if (e->tlp != POC__TLP__TLP_UNSPECIFIED)
		fprintf(fp, "  TLP:%s", render_tlp(e->tlp));
	fputc('\n', fp);
	if (k != NULL)
		render_body_lines(&l, e, k);
	render_acked_line(&l, sm);
	render_lines_print(fp, &l, "    ");
	render_lines_free(&l);
	if (k != NULL && k->statement != NULL)
		fprintf(fp, "    %s\n", _(k->statement));
}

/* The SGR sequence for a TLP label: RED bold red, AMBER yellow, GREEN
 * green, else "". */
const char *
render_tlp_color(Poc__Tlp tlp)
{
	switch (tlp) {
	case POC__TLP__RED:
		return TERM_RED;
	case POC__TLP__AMBER:
	case POC__TLP__AMBER_STRICT:
		return TERM_AMBER;
	case POC__TLP__GREEN:
		return TERM_GREEN;
	default:
		return "";
	}
}

/* The short kind used in tables. */
const char *
render_kind_short(const Poc__Envelope *e)
{
	const struct render_kind	*k = render_kind_of(e);

	return k != NULL ? k->shortname : "?";
}

/* The translated kind title. */
const char *
render_kind_title(const Poc__Envelope *e)
{
	const struct render_kind	*k = render_kind_of(e);

	return k != NULL ? _(k->title) : _("MESSAGE WITHOUT BODY");
}

/* The (translated) value name of an enum value. */
const char *
render_enum(const ProtobufCEnumDescriptor *d, int value, char *buf,
    size_t len)
{
	const ProtobufCEnumValue	*v;

	if (value == 0)
		return "";
	if (d != NULL && (v = protobuf_c_enum_descriptor_get_value(d,
	    value)) != NULL)
		return _(v->name);
	snprintf(buf, len, "%d", value);
	return buf;
}

/* TLP 2.0 label text of a Tlp value. */
const char *
render_tlp(Poc__Tlp tlp)
{
	switch (tlp) {
	case POC__TLP__CLEAR:
		return "CLEAR";
	case POC__TLP__GREEN:
		return "GREEN";
	case POC__TLP__AMBER:
		return "AMBER";
	case POC__TLP__AMBER_STRICT:
		return "AMBER+STRICT";
	case POC__TLP__RED:
		return "RED";
	default:
		return "";
	}
}

/* The urgency of requests and notifications, "" for other kinds. */
const char *
render_urgency(const Poc__Envelope *e)
{
	Poc__Urgency	 u = POC__URGENCY__URGENCY_UNSPECIFIED;
	char		 buf[32];
	const char	*s;

	if (e->body_case == POC__ENVELOPE__BODY_ASSISTANCE_REQUEST)
		u = e->assistance_request->urgency;
	else if (e->body_case == POC__ENVELOPE__BODY_NOTIFICATION)
		u = e->notification->urgency;
	s = render_enum(&poc__urgency__descriptor, u, buf, sizeof(buf));
	return s == buf ? "?" : s;
}

/* Minutes-precision UTC time for tables. */
const char *
render_time_short(int64_t ms, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 t;

	if (ms == 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	t = (time_t)(ms / 1000);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%MZ", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

/* The SUMMARY column: the summary, or what the message does in a few words. */
const char *
render_digest(const Poc__Envelope *e, char *buf, size_t len)
{
	const char	*ex = e->exercise ? _("[EXERCISE]") : "";
	const char	*sep = e->exercise ? " " : "";
	char		*s = NULL, b1[32], t[64];
	int		 r = -1;

	switch (e->body_case) {
	case POC__ENVELOPE__BODY_ASSISTANCE_REQUEST:
		r = asprintf(&s, "%s%s%s", ex, sep,
		    e->assistance_request->summary);
		break;
	case POC__ENVELOPE__BODY_NOTIFICATION:
		r = asprintf(&s, "%s%s%s", ex, sep, e->notification->summary);
		break;
	case POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE:
		r = asprintf(&s, "%s%s%s %s %.8s", ex, sep, render_enum(
		    &poc__assistance_response__decision__descriptor,
		    e->assistance_response->decision, b1, sizeof(b1)),
		    _("re"), e->assistance_response->request_id);
		break;
	case POC__ENVELOPE__BODY_ACKNOWLEDGEMENT:
		r = asprintf(&s, "%s%s%s %.8s%s%s", ex, sep, _("ack of"),
		    e->acknowledgement->ack_of,
		    e->acknowledgement->note[0] ? ": " : "",
		    e->acknowledgement->note);
		break;
	case POC__ENVELOPE__BODY_STATUS_UPDATE:
		r = asprintf(&s, "%s%s%s%s%s", ex, sep, render_enum(
		    &poc__case_status__descriptor, e->status_update->status,
		    b1, sizeof(b1)), e->status_update->text[0] ? ": " : "",
		    e->status_update->text);
		break;
	case POC__ENVELOPE__BODY_COMMUNICATION_CHECK:
		r = asprintf(&s, "%s%s%s %.8s, %s %s", ex, sep, _("check"),
		    e->communication_check->check_id, _("reply by"),
		    render_time_short(e->communication_check->reply_by, t,
		    sizeof(t)));
		break;
	case POC__ENVELOPE__BODY_CHECK_REPLY:
		r = asprintf(&s, "%s%s%s %.8s%s%s", ex, sep,
		    _("reply to check"), e->check_reply->check_id,
		    e->check_reply->replied_by[0] ? ": " : "",
		    e->check_reply->replied_by);
		break;
	default:
		r = asprintf(&s, "%s%s", ex, sep);
		break;
	}
	if (r == -1) {
		perror("pocctl: asprintf");
		exit(1);
	}
	term_oneline(s, buf, len);
	free(s);
	return buf;
}

