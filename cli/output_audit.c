/*
 * The printers of pocctl's audit and signature commands (cmd_audit.c):
 * where an export went, whether an export's hash chain holds (and where
 * it broke), whether the log still holds a head a witness kept, the heads
 * this node keeps as a witness, whether a message's signature verified
 * here.  The export's lines themselves are the log as stored and are
 * written by the command.  Times in RFC 3339, UTC.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "audithead.h"
#include "cli/i18n.h"
#include "cli/jsonout.h"
#include "cli/output_audit.h"
#include "cli/table.h"
#include "cli/term.h"
#include "timefmt.h"
#include "util.h"

/* "exported N audit entries to FILE" */
void
output_audit_text_exported(const char *file, size_t entries)
{
	printf("exported %zu audit entr%s to %s\n", entries,
	    entries == 1 ? "y" : "ies", file);
}

void
output_audit_json_exported(const char *file, size_t entries)
{
	json_t	*j;

	if ((j = json_pack("{s:s, s:I}", "file", file, "entries",
	    (json_int_t)entries)) == NULL)
		errx(1, "out of memory");
	jsonout_print(j);
	json_decref(j);
}

/* "FILE: ok: ..." or "FILE: BROKEN at seq N (line L): why" */
void
output_audit_text_check(const struct output_audit_check *c)
{
	if (c->reason == NULL)
		printf("%s: ok: %zu entr%s, chain intact; last hash %s\n",
		    c->file, c->entries, c->entries == 1 ? "y" : "ies",
		    c->entries > 0 ? c->last_hash : "-");
	else
		printf("%s: BROKEN at seq %lld (line %zu): %s\n", c->file,
		    (long long)c->broken_seq, c->line, c->reason);
}

void
output_audit_json_check(const struct output_audit_check *c)
{
	json_t	*j;

	if (c->reason == NULL)
		j = json_pack("{s:b, s:s, s:I, s:s}", "ok", 1, "file",
		    c->file, "entries", (json_int_t)c->entries, "last_hash",
		    c->last_hash);
	else
		j = json_pack("{s:b, s:s, s:I, s:I, s:I, s:s}", "ok", 0,
		    "file", c->file, "entries", (json_int_t)c->entries,
		    "broken_seq", (json_int_t)c->broken_seq, "line",
		    (json_int_t)c->line, "reason", c->reason);
	if (j == NULL)
		errx(1, "out of memory");
	jsonout_print(j);
	json_decref(j);
}

/* "ID: signature verified: ..." or "ID: signature NOT VERIFIED: why" */
void
output_audit_text_verify(const struct output_audit_verify *v)
{
	if (v->verified)
		printf("%s: signature verified: signed by %s's node key "
		    "(certificate %s, issued by the network CA in %s)\n",
		    v->id, v->sender, v->fingerprint, v->ca);
	else
		printf("%s: signature NOT VERIFIED: %s\n", v->id, v->reason);
}

void
output_audit_json_verify(const struct output_audit_verify *v)
{
	json_t	*j;

	if ((j = json_pack("{s:s, s:s, s:b, s:b, s:s, s:s}", "id", v->id,
	    "sender", v->sender, "verified", v->verified, "node_verified",
	    v->node_verified, "signer_fingerprint", v->fingerprint, "reason",
	    v->verified ? "" : v->reason)) == NULL)
		errx(1, "out of memory");
	jsonout_print(j);
	json_decref(j);
}

/* "FILE: MEMBER's head of N entries signed T: ok, the log holds it" */
void
output_audit_text_witness(const struct output_audit_witness *w)
{
	char	 t[TIMEFMT_RFC3339_LEN];

	timefmt_rfc3339(w->time, t, sizeof(t));
	if (w->reason == NULL)
		printf("%s: ok: the log (%lld entries) holds %s's head of "
		    "%lld entries signed %s\n", w->file,
		    (long long)w->entries, w->member, (long long)w->count, t);
	else
		printf("%s: CONTRADICTED: %s's head of %lld entries signed "
		    "%s: %s\n", w->file, w->member, (long long)w->count, t,
		    w->reason);
}

void
output_audit_json_witness(const struct output_audit_witness *w)
{
	char	 t[TIMEFMT_RFC3339_LEN];
	json_t	*j;

	if ((j = json_pack("{s:b, s:s, s:s, s:I, s:s, s:I, s:s}", "ok",
	    w->reason == NULL, "witness_file", w->file, "member", w->member,
	    "count", (json_int_t)w->count, "time", timefmt_rfc3339(w->time, t,
	    sizeof(t)), "entries", (json_int_t)w->entries, "reason",
	    w->reason != NULL ? w->reason : "")) == NULL)
		errx(1, "out of memory");
	jsonout_print(j);
	json_decref(j);
}

/* One line per head held: member, entries, when signed and received,
 * the start of its hash, and whether it is the latest or contradicts it. */
void
output_audit_text_heads(const Poc__OpAuditHeadList *l)
{
	struct table	 t;
	char		 signed_at[TIMEFMT_RFC3339_LEN];
	char		 got[TIMEFMT_RFC3339_LEN], n[24], hex[65], why[400];
	size_t		 i;

	if (l->n_heads == 0) {
		printf("%s\n", "no audit heads held (no peer has sent one "
		    "yet)");
		return;
	}
	table_init(&t, 6);
	table_row(&t, "MEMBER", "ENTRIES", "SIGNED", "RECEIVED",
	    "LAST-HASH", "STATE");
	for (i = 0; i < l->n_heads; i++) {
		const Poc__HeldAuditHead	*h = l->heads[i];
		const Poc__AuditHead		*a = h->head;

		if (a == NULL)
			continue;
		snprintf(n, sizeof(n), "%lld", (long long)a->count);
		hex[0] = '\0';
		if (a->last_hash.len == AUDIT_HASH_LEN)
			util_hex(a->last_hash.data, 8, hex);
		if (h->conflict[0] != '\0')
			snprintf(why, sizeof(why), "%s: %s", "CONFLICT",
			    h->conflict);
		else
			snprintf(why, sizeof(why), "%s", "latest");
		table_row(&t, a->member, n, timefmt_rfc3339(a->time, signed_at,
		    sizeof(signed_at)), timefmt_rfc3339(h->received_at, got,
		    sizeof(got)), hex, term_oneline(why, why, sizeof(why)));
		if (h->conflict[0] != '\0')
			table_color(&t, 5, TERM_RED);
	}
	table_print(&t, stdout);
	table_free(&t);
}

/* A JSON array: each head as audithead_to_json writes it (what `audit
 * heads --out` exports), with when it came and its conflict. */
void
output_audit_json_heads(const Poc__OpAuditHeadList *l)
{
	struct audit_head	 h;
	char			 t[TIMEFMT_RFC3339_LEN], why[256];
	json_t			*a, *j;
	size_t			 i;

	if ((a = json_array()) == NULL)
		errx(1, "out of memory");
	for (i = 0; i < l->n_heads; i++) {
		const Poc__HeldAuditHead	*x = l->heads[i];

		if (audithead_from_pb(x->head, &h, why, sizeof(why)) == -1) {
			warnx("the node sent a malformed head: %s", why);
			continue;
		}
		if ((j = audithead_to_json(&h, x->head->signer_cert.data,
		    x->head->signer_cert.len)) == NULL ||
		    json_object_set_new(j, "received_at", json_string(
		    timefmt_rfc3339(x->received_at, t, sizeof(t)))) == -1 ||
		    json_object_set_new(j, "conflict",
		    json_string(x->conflict)) == -1 ||
		    json_array_append_new(a, j) == -1)
			errx(1, "out of memory");
	}
	jsonout_print(a);
	json_decref(a);
}

const char *
output_audit_status(const Poc__OpStatusReply *st, int color, char *buf,
    size_t len)
{
	char	 t[TIMEFMT_RFC3339_LEN], why[512];

	if (st->audit_alarm[0] != '\0') {
		snprintf(buf, len, _("%sCUT OR ROLLED BACK, says witness %s "
		    "(%s): %s%s"), color ? TERM_RED : "", st->audit_alarm_from,
		    timefmt_rfc3339(st->audit_alarm_at, t, sizeof(t)),
		    term_oneline(st->audit_alarm, why, sizeof(why)),
		    color ? TERM_RESET : "");
		return buf;
	}
	if (st->audit_head_at == 0)
		snprintf(buf, len, "%s", _("no head signed yet"));
	else
		snprintf(buf, len, _("head of %lld entries signed %s"),
		    (long long)st->audit_head_count,
		    timefmt_rfc3339(st->audit_head_at, t, sizeof(t)));
	if (st->witness_conflicts > 0) {
		size_t	 n = strlen(buf);

		snprintf(buf + n, len - n, _("; %s%u contradicting heads held "
		    "of others%s"), color ? TERM_RED : "",
		    st->witness_conflicts, color ? TERM_RESET : "");
	}
	return buf;
}
