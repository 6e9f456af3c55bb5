/*
 * pocctl's communication-check commands (cmd_checks.c): check, checks,
 * and the overdue lines under the inbox.
 */
#ifndef POCCTL_CMD_CHECKS_H
#define POCCTL_CMD_CHECKS_H

struct ctx;

int	 cmd_check(struct ctx *, int, char **);
int	 cmd_checks(struct ctx *, int, char **);

/* Prints the overdue outgoing cases and whom to try (after the inbox). */
void	 cmd_checks_overdue_hint(struct ctx *);

#endif
