/*
 * pocctl's directory commands (cmd_dir.c): directory (show, own, edit,
 * set, poc, import, export, sync) and who.
 */
#ifndef POCCTL_CMD_DIR_H
#define POCCTL_CMD_DIR_H

struct ctx;

int	 cmd_directory(struct ctx *, int, char **);
int	 cmd_who(struct ctx *, int, char **);

#endif
