/*
 * What an envelope received from a peer does on this node besides being
 * stored: one handler per body kind, from a table indexed by the oneof
 * case.  The receive path (receive.c) runs it once per new envelope,
 * inside the transaction that stores the envelope and after its row, so
 * an effect commits with the envelope or not at all.
 */
#ifndef POC_HANDLE_H
#define POC_HANDLE_H

#include "proto/poc.pb-c.h"

/* The effects of e, from the member peer, just stored (new) in the open
 * transaction: a CheckReply's reply and the directory's last-checked
 * time, a StatusUpdate's case change, the reference of an
 * acknowledgement or response checked (logged).  A failed effect is
 * logged; the envelope stays stored. */
void		 handle_effects(const char *peer, const Poc__Envelope *e);

/* The oneof member name of a body kind ("assistance_request"). */
const char	*handle_kind_name(int body_case);

#endif
