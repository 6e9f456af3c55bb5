/*
 * The operator's directory requests (rows of ctl_handlers[] in control.c):
 * show, edit the own record, import, sync, and who.
 */
#ifndef POC_CTL_DIR_H
#define POC_CTL_DIR_H

#include "proto/poc.pb-c.h"

struct ctl;

void	 ctl_dir_show(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);
void	 ctl_dir_edit(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);
void	 ctl_dir_import(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);
void	 ctl_dir_sync(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);
void	 ctl_dir_who(struct ctl *, const Poc__OpRequest *, Poc__OpReply *);

/* Frees what the handlers above put in rep, after it is sent. */
void	 ctl_dir_free(Poc__OpReply *);

#endif
