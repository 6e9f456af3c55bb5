/*
 * The operator's view of the audit log: `pocctl audit export` pages
 * through the entries as stored (checking is pocctl's job, offline), and
 * `pocctl audit heads` lists the heads held as a witness of other
 * members' logs.
 */
#ifndef POC_CTL_AUDIT_H
#define POC_CTL_AUDIT_H

#include "ctl.h"

#define CTL_AUDIT_PAGE		1000	/* entries per reply by default */
#define CTL_AUDIT_PAGE_MAX	2000	/* ~300 bytes each: well below max_frame */

/* The handler of OpRequest.audit_export (control.c's table, see ctl.h). */
void	 ctl_audit_export(const char *op, const Poc__OpRequest *,
	    Poc__OpReply *);

/* Frees what ctl_audit_export put in rep, after it is sent. */
void	 ctl_audit_free(Poc__OpReply *);

/* The handler of OpRequest.audit_heads, and what frees its reply. */
void	 ctl_audit_heads(const char *op, const Poc__OpRequest *,
	    Poc__OpReply *);
void	 ctl_audit_heads_free(Poc__OpReply *);

#endif
