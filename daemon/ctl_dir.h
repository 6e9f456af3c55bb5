/*
 * The operator's directory requests (rows of control.c's table, see
 * ctl.h): show, edit the own record, import, sync, and who.
 */
#ifndef POC_CTL_DIR_H
#define POC_CTL_DIR_H

#include "ctl.h"

void	 ctl_dir_show(const char *op, const Poc__OpRequest *, Poc__OpReply *);
void	 ctl_dir_edit(const char *op, const Poc__OpRequest *, Poc__OpReply *);
void	 ctl_dir_import(const char *op, const Poc__OpRequest *,
	    Poc__OpReply *);
void	 ctl_dir_sync(const char *op, const Poc__OpRequest *, Poc__OpReply *);
void	 ctl_dir_who(const char *op, const Poc__OpRequest *, Poc__OpReply *);

/* Frees what the handlers above put in rep, after it is sent. */
void	 ctl_dir_free(Poc__OpReply *);

#endif
