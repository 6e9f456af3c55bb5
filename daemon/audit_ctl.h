/*
 * The operator's view of the audit log: `pocctl audit export` pages
 * through the entries as stored (checking is pocctl's job, offline).
 */
#ifndef POC_AUDIT_CTL_H
#define POC_AUDIT_CTL_H

#include "proto/poc.pb-c.h"

struct ctl;

#define AUDIT_CTL_PAGE		1000	/* entries per reply by default */
#define AUDIT_CTL_PAGE_MAX	2000	/* ~300 bytes each: well below max_frame */

/* The control handler of OpRequest.audit_export (control.c's table). */
void	 audit_ctl_export(struct ctl *, const Poc__OpRequest *,
	    Poc__OpReply *);

/* Frees what audit_ctl_export put in the reply, after it is sent. */
void	 audit_ctl_free(Poc__AuditEntries *);

#endif
