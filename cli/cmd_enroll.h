/*
 * pocctl's enrollment commands (cmd_enroll.c), reached through
 * `pocctl directory`: pending, approve CODE, reject CODE.
 */
#ifndef POCCTL_CMD_ENROLL_H
#define POCCTL_CMD_ENROLL_H

struct ctx;

int	 cmd_enroll_pending(struct ctx *, int, char **);
int	 cmd_enroll_approve(struct ctx *, int, char **);
int	 cmd_enroll_reject(struct ctx *, int, char **);

#endif
