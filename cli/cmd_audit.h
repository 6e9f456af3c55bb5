/*
 * pocctl's audit commands (cmd_audit.c): audit export, audit verify,
 * audit heads.
 */
#ifndef POCCTL_CMD_AUDIT_H
#define POCCTL_CMD_AUDIT_H

struct ctx;

int	 cmd_audit(struct ctx *, int, char **);

#endif
