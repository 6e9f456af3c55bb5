/*
 * pocctl's operations commands (cmd_ops.c): metrics.
 */
#ifndef POCCTL_CMD_OPS_H
#define POCCTL_CMD_OPS_H

struct ctx;

int	 cmd_metrics(struct ctx *, int, char **);

#endif
