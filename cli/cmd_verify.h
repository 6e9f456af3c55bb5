/*
 * pocctl verify (cmd_verify.c): one message's signature checked in the
 * client, from what the node kept, or from an evidence file without any
 * node.
 */
#ifndef POCCTL_CMD_VERIFY_H
#define POCCTL_CMD_VERIFY_H

struct ctx;

int	 cmd_verify(struct ctx *, int, char **);

#endif
