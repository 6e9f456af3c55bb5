/*
 * pocctl whoami (cmd_whoami.c): who this node is to the others.
 */
#ifndef POCCTL_CMD_WHOAMI_H
#define POCCTL_CMD_WHOAMI_H

struct ctx;

int	 cmd_whoami(struct ctx *, int, char **);

#endif
