/*
 * pocctl's output layer: every result goes through one table of printers,
 * text (for people) or JSON (for scripts), chosen once by --json (as
 * bgpctl does).  Commands never print results themselves.
 *
 * Below the table sit the printers of each group of commands
 * (output_view.c, output_checks.c, output_dir.c, output_audit.c,
 * output_metrics.c), and below them the text and JSON primitives (table.c,
 * term.c, jsonout.c); output.c itself only fills the two tables and holds
 * what goes to stderr (field errors, progress).
 */
#ifndef POCCTL_OUTPUT_H
#define POCCTL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cli/output_audit.h"
#include "proto/poc.pb-c.h"

struct output {
	/* pocctl status */
	void	(*status)(const Poc__OpStatusReply *);
	/* pocctl inbox / outbox */
	void	(*list)(const Poc__OpMessages *, Poc__OpList__Box);
	/* pocctl show */
	void	(*message)(const Poc__StoredMessage *);
	/* pocctl thread: the messages in the order given */
	void	(*thread)(const Poc__OpMessages *);
	/* pocctl send/ack/respond/check-reply: "queued ID", with the thread
	 * if asked */
	void	(*queued)(const Poc__OpQueued *, int with_thread);
	/* Under the inbox: the overdue outgoing cases and whom to try; NULL
	 * in JSON, whose messages carry their deadline keys. */
	void	(*overdue)(const Poc__OpMessages *, int more);

	/* pocctl cases: one line per case */
	void	(*cases)(const Poc__OpCaseList *);
	/* Under a full page of a listing (cmd: inbox, outbox, cases):
	 * how to ask for the next, older page (before = the last cursor) */
	void	(*more)(const char *cmd, int64_t before);

	/* pocctl check, checks: campaigns in full, or one line each */
	void	(*campaigns)(const Poc__CheckCampaigns *, int list);

	/* pocctl directory show, and what edit/set/poc/import changed */
	void	(*dir_listing)(const Poc__OpDirectoryListing *);
	void	(*dir_changed)(const Poc__OpDirectoryChanged *);
	/* pocctl directory sync */
	void	(*dir_synced)(const Poc__OpDirectorySynced *);
	/* pocctl directory export: format json, csv or vcard */
	void	(*dir_export)(Poc__DirectoryRecord *const *, size_t,
		    const char *format);
	/* pocctl directory pending/approve/reject */
	void	(*enrollments)(const Poc__OpEnrollments *);
	/* pocctl who MEMBER */
	void	(*who)(const Poc__OpWhoReply *, const char *member);

	/* pocctl audit export --out FILE, audit verify, verify */
	void	(*audit_exported)(const char *file, size_t entries);
	void	(*audit_check)(const struct output_audit_check *);
	void	(*audit_verify)(const struct output_audit_verify *);
	/* pocctl audit verify --witness, audit heads */
	void	(*audit_witness)(const struct output_audit_witness *);
	void	(*audit_heads)(const Poc__OpAuditHeadList *);

	/* pocctl metrics: OpenMetrics text; metrics_down for atexit(3),
	 * "pocd_up 0" unless metrics printed */
	void	(*metrics)(const Poc__OpStatusReply *);
	void	(*metrics_down)(void);

	/* A JSON document whatever --json says (a template, the own
	 * record) */
	void	(*document)(const json_t *);

	/* pocctl watch: one event, as it comes */
	void	(*watch_event)(const Poc__NodeEvent *);
};

/* The text printer (json = 0) or the JSON printer (json = 1). */
const struct output	*output_get(int json);

/* Reports a template rejected field by field on stderr: what names the
 * input ("FILE" or "standard input"), retry the command to suggest. */
void	 output_field_errors(const char *what, const char *retry,
	    const Poc__FieldError *const *errs, size_t n);

/*
 * Progress of a long operation (directory import or sync, a check
 * campaign), for people watching a terminal:
 *
 *	for (i = 0; i < n; i++) {
 *		output_progress(_("importing"), i + 1, n);
 *		...
 *	}
 *	output_progress_done();
 *
 * output_progress() redraws one line on stderr ("importing: 12/40 (30%)";
 * total 0 = unknown: "importing: 12"), and only when stderr is a
 * terminal, so scripts and --json output never see it.
 * output_progress_done() erases the line; call it before printing the
 * result or an error.
 */
void	 output_progress(const char *what, size_t done, size_t total);
void	 output_progress_done(void);

#endif
