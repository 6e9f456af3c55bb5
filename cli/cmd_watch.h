/*
 * pocctl watch (cmd_watch.c): follow the node's events live.
 */
#ifndef POCCTL_CMD_WATCH_H
#define POCCTL_CMD_WATCH_H

struct ctx;

int	 cmd_watch(struct ctx *, int, char **);

#endif
