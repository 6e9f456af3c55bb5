/*
 * The operations part of `pocctl status` and `pocctl metrics`: overdue
 * cases (deadline.c), last directory sync (directory.c) and check
 * campaign (checks.c), the certificates in force
 * and their expiry, the log level and reload counters (OpStatusReply
 * fields 10-29).
 */
#ifndef POC_STATUS_H
#define POC_STATUS_H

#include "proto/poc.pb-c.h"

/* Fills the operations fields of st.  Returns 0, or -1 if out of memory
 * (st is then left without certificates). */
int	 status_ops_fill(Poc__OpStatusReply *st);

/* Frees what status_ops_fill allocated, after the reply is packed. */
void	 status_ops_free(Poc__OpStatusReply *st);

#endif
