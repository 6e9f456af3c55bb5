/*
 * The printers of pocctl's audit and signature commands (cmd_audit.c):
 * where an export went, whether an export's hash chain holds (and where
 * it broke), whether a message's signature verified here.  The export's
 * lines themselves are the log as stored and are written by the command.
 */
#include <err.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/jsonout.h"
#include "cli/output_audit.h"

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
