/*
 * The table of pocctl's commands (cmd_table.c), for main.
 */
#ifndef POCCTL_CMD_TABLE_H
#define POCCTL_CMD_TABLE_H

#include <stdio.h>

struct cmd;

/* The command called name, or NULL. */
const struct cmd *cmd_table_find(const char *name);

/* Prints the overall usage and the list of commands on fp. */
void	 cmd_table_usage(FILE *fp);

#endif
