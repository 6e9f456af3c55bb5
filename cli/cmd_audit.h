/*
 * pocctl's audit and signature commands (cmd_audit.c): audit export,
 * audit verify, verify.
 */
#ifndef POCCTL_CMD_AUDIT_H
#define POCCTL_CMD_AUDIT_H

struct ctx;

int	 cmd_audit(struct ctx *, int, char **);
int	 cmd_verify(struct ctx *, int, char **);

#endif
