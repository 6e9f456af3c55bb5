/*
 * The printers of pocctl's read-only views (cmd_view.c) and of "queued"
 * (cmd_send.c): status, inbox/outbox listings, show, thread, in text and
 * in JSON.  Text: aligned tables (table.c) and the message renderings of
 * render.c.  JSON: a message is the envelope as pbjson renders it with
 * every field, plus the node-local keys at the top level; this is the same
 * shape `pocctl send` reads.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/i18n.h"
#include "cli/jsonout.h"
#include "cli/output_audit.h"
#include "cli/output_checks.h"
#include "cli/output_enroll.h"
#include "cli/output_many.h"
#include "cli/output_view.h"
#include "cli/render.h"
#include "cli/table.h"
#include "cli/term.h"
#include "cli/vocab.h"

#define OUTPUT_CELL	1024	/* bytes of a digest in a listing */
#define OUTPUT_EXPIRY_WARN 30	/* days before a certificate's end to warn */

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
void
output_view_text_status(const Poc__OpStatusReply *st)
{
	struct table	 t;
	char		 up[160], since[64], in[16], out[16], q[16];
	char		 conf[160];
	char		 o[64], nt[64], member[128], software[256], age[64];
	char		 peers[64], overdue[32], dsync[128], camp[128];
	char		 exp[64], left[64], alerts[160], conns[96], store[320];
	char		 skews[512], skewsc[512 + 32], audit[800];
	size_t		 sl = 0;
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
	if (st->alert_configured)
		snprintf(alerts, sizeof(alerts), _("%u pending, %u running, "
		    "%u run, %u failed, %u timed out, %u given up"),
		    st->alerts_pending, st->alerts_running, st->alerts_run,
		    st->alerts_failed, st->alerts_timed_out,
		    st->alerts_given_up);
	else
		snprintf(alerts, sizeof(alerts), _("no [alert] command"));
	snprintf(conns, sizeof(conns), _("peer %u of %u, operator %u of %u"),
	    st->peer_connections, st->max_peer_connections,
	    st->operator_connections, st->max_operator_connections);
	if (st->store_error[0] != '\0')
		snprintf(store, sizeof(store), "%s%s (%s)%s",
		    color ? TERM_RED : "", st->store_error,
		    render_time_short(st->store_error_at, o, sizeof(o)),
		    color ? TERM_RESET : "");
	else if (st->store_bytes_free >= 0)
		snprintf(store, sizeof(store), _("writes commit; %lld MiB free"),
		    (long long)(st->store_bytes_free >> 20));
	else
		snprintf(store, sizeof(store), "%s", _("writes commit"));
	skews[0] = '\0';
	for (i = 0; i < st->n_clock_skew && sl < sizeof(skews) - 1; i++) {
		const Poc__OpClockSkew	*k = st->clock_skew[i];
		int64_t			 a = k->skew_ms < 0 ? -k->skew_ms :
					     k->skew_ms;
		int			 w;

		if (a <= st->clock_tolerance)
			continue;
		w = snprintf(skews + sl, sizeof(skews) - sl, "%s%s %s %s",
		    sl ? ", " : "", k->member, text_duration(a, o,
		    sizeof(o)), k->skew_ms > 0 ? _("ahead") : _("behind"));
		if (w < 0)
			break;
		sl += (size_t)w;
	}
	if (sl >= sizeof(skews))
		sl = sizeof(skews) - 1;
	if (st->own_clock_offset != 0) {
		/* This node's clock first: it is the likely culprit. */
		char	 own[256];

		if (st->own_clock_offset > 0)
			snprintf(own, sizeof(own), _("THIS NODE's clock is %s "
			    "ahead of most peers' (%u of %u)"), text_duration(
			    st->own_clock_offset, o, sizeof(o)),
			    st->own_clock_votes, st->own_clock_peers);
		else
			snprintf(own, sizeof(own), _("THIS NODE's clock is %s "
			    "behind most peers' (%u of %u)"), text_duration(
			    -st->own_clock_offset, o, sizeof(o)),
			    st->own_clock_votes, st->own_clock_peers);
		if (sl > 0 && strlen(own) + 2 < sizeof(own))
			strcat(own, "; ");
		if (strlen(own) + sl < sizeof(skews)) {
			memmove(skews + strlen(own), skews, sl + 1);
			memcpy(skews, own, strlen(own));
			sl += strlen(own);
		}
	}
	if (skews[0] == '\0')
		snprintf(skewsc, sizeof(skewsc), "%s",
		    _("peers within tolerance"));
	else
		snprintf(skewsc, sizeof(skewsc), "%s%s%s", color ? TERM_RED :
		    "", skews, color ? TERM_RESET : "");
	table_pairs(stdout,
	    _("Member"), term_oneline(st->member, member, sizeof(member)),
	    _("Software"), term_oneline(st->software, software,
	    sizeof(software)),
	    _("Uptime"), up,
	    _("Configuration"), conf,
	    _("Log level"), st->log_level[0] ? st->log_level : "-",
	    _("Inbox"), in,
	    _("Outbox queued"), out,
	    _("Connected peers"), peers,
	    _("Connections"), conns,
	    _("Store"), store,
	    _("Audit log"), output_audit_status(st, color, audit,
	    sizeof(audit)),
	    _("Clocks"), skewsc,
	    _("Overdue cases"), overdue,
	    _("Alerts"), alerts,
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
	output_enroll_text_status(st);	/* upstreams, joining */
	output_many_text_cases(stdout, st->cases_to_many,
	    st->n_cases_to_many);
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
void
output_view_text_list(const Poc__OpMessages *ms, Poc__OpList__Box box)
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
		    vocab_state_text(sm, st, sizeof(st)),
		    render_digest(e, dg, sizeof(dg)));
		table_color(&t, 4, render_tlp_color(e->tlp));
		if (e->exercise)
			table_color(&t, 7, TERM_EXERCISE);
		if (vocab_state_alarm(sm))
			table_color(&t, 6, TERM_RED);
	}
	table_print(&t, stdout);
	table_free(&t);
	output_checks_text_overdue(ms, 0);
}

/* The signature line under a message: verified by the node from what it
 * kept, or why not. */
static void
output_view_signature_text(FILE *fp, const Poc__StoredMessage *sm)
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

void
output_view_text_message(const Poc__StoredMessage *sm)
{
	render_message(stdout, sm);
	output_checks_deadline_text(stdout, sm);
	output_view_signature_text(stdout, sm);
	if (sm->clock_ahead)
		printf("%s\n", _("Date:              AHEAD of this node's "
		    "clock when received (the sender's clock is wrong?); kept, "
		    "not used for the case's order"));
	if (sm->reply_by_here != 0) {
		char	 t[32];

		printf(_("Reply by here:     %s on this node's clock (the "
		    "sender's clock is off; its reply_by is on it)\n"),
		    render_time_short(sm->reply_by_here, t, sizeof(t)));
	}
}

/* Compact blocks separated by blank lines. */
void
output_view_text_thread(const Poc__OpMessages *ms)
{
	const char	*first = NULL;
	size_t		 i, shown = 0;

	/* A case sent to many: its matrix, then its message once, then the
	 * answers. */
	if (ms->to_many != NULL) {
		output_many_text_case(stdout, ms->to_many);
		putchar('\n');
	}
	for (i = 0; i < ms->n_messages; i++) {
		if (ms->to_many != NULL && output_many_is_copy(ms->to_many,
		    ms->messages[i], &first))
			continue;
		if (shown++ > 0)
			putchar('\n');
		render_block(stdout, ms->messages[i]);
	}
}

void
output_view_text_queued(const Poc__OpQueued *q, int with_thread)
{
	if (q->n_to > 0)
		output_many_text_queued(q);
	else if (with_thread)
		printf(_("queued %s (thread %s)\n"), q->id, q->thread_id);
	else
		printf(_("queued %s\n"), q->id);
}

/* The signature keys of a message (node-local, beside the envelope):
 * what the node's check said, the signature and the signer's certificate
 * (DER, hex), so that the case can be checked again elsewhere. */
static void
output_view_signature_json(json_t *j, const Poc__StoredMessage *sm)
{
	json_object_set_new(j, "signature_verified",
	    json_boolean(sm->signature_verified));
	json_object_set_new(j, "signature_error",
	    jsonout_str(sm->signature_error));
	json_object_set_new(j, "signature", sm->envelope != NULL ?
	    jsonout_hex(sm->envelope->signature.data,
	    sm->envelope->signature.len) : json_string(""));
	json_object_set_new(j, "signer_certificate",
	    jsonout_hex(sm->signer_cert.data, sm->signer_cert.len));
	json_object_set_new(j, "clock_ahead", json_boolean(sm->clock_ahead));
	if (sm->reply_by_here != 0)
		json_object_set_new(j, "reply_by_here",
		    json_integer(sm->reply_by_here));
}

/* A stored message as JSON: the envelope's fields (every one) with the
 * node-local keys beside them (direction, state, received_at, ...). */
static json_t *
output_view_message_json(const Poc__StoredMessage *sm)
{
	json_t	*j, *a;
	size_t	 i;

	j = sm->envelope != NULL ? jsonout_message(&sm->envelope->base) :
	    json_object();
	if (j == NULL || (a = json_array()) == NULL)
		errx(1, "out of memory");
	json_object_set_new(j, "cursor", json_integer(sm->seq));
	json_object_set_new(j, "direction", jsonout_str(sm->direction));
	json_object_set_new(j, "state", jsonout_str(vocab_state(sm)));
	json_object_set_new(j, "received_at", json_integer(sm->received_at));
	json_object_set_new(j, "delivered_at", json_integer(sm->delivered_at));
	json_object_set_new(j, "reason", jsonout_str(sm->reason));
	json_object_set_new(j, "attempts", json_integer(sm->attempts));
	json_object_set_new(j, "next_attempt_at",
	    json_integer(sm->next_attempt_at));
	/* The people who acknowledged, each with the ack's id and time. */
	for (i = 0; i < sm->n_acks; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:I}", "by",
		    jsonout_str(sm->acks[i]->by), "id",
		    jsonout_str(sm->acks[i]->id), "at",
		    (json_int_t)sm->acks[i]->at));
	json_object_set_new(j, "acknowledged_by", a);
	json_object_set_new(j, "acked_at", json_integer(sm->acked_at));
	json_object_set_new(j, "answered_at", json_integer(sm->answered_at));
	output_checks_deadline_json(j, sm);
	output_view_signature_json(j, sm);
	return j;
}

void
output_view_json_status(const Poc__OpStatusReply *st)
{
	jsonout_print_message(&st->base);
}

/* Prints the messages as one JSON array; for a case sent to many, an
 * object of its matrix ("to_many") and that array ("messages"). */
void
output_view_json_thread(const Poc__OpMessages *ms)
{
	json_t	*a, *o;
	size_t	 i;

	if ((a = json_array()) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < ms->n_messages; i++)
		json_array_append_new(a,
		    output_view_message_json(ms->messages[i]));
	if (ms->to_many != NULL) {
		if ((o = json_object()) == NULL)
			errx(1, "out of memory");
		json_object_set_new(o, "to_many",
		    output_many_json_case(ms->to_many));
		json_object_set_new(o, "messages", a);
		a = o;
	}
	jsonout_print(a);
	json_decref(a);
}

void
output_view_json_list(const Poc__OpMessages *ms, Poc__OpList__Box box)
{
	(void)box;
	output_view_json_thread(ms);
}

void
output_view_json_message(const Poc__StoredMessage *sm)
{
	json_t	*j = output_view_message_json(sm);

	jsonout_print(j);
	json_decref(j);
}

void
output_view_json_queued(const Poc__OpQueued *q, int with_thread)
{
	(void)with_thread;
	jsonout_print_message(&q->base);
}
