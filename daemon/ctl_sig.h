/*
 * The signature of listed messages (ctl_sig.c): pages, threads and cases
 * say whether each message's kept signature verifies, from its kept
 * verdict and a check of its certificate, where `show` runs the whole
 * check (msgsig_annotate).
 */
#ifndef POC_CTL_SIG_H
#define POC_CTL_SIG_H

#include <stddef.h>

#include "proto/poc.pb-c.h"

/* Sets signature_verified, signer_cert and signature_error of m[0..n-1]
 * (read from the store, so signature_verified holds the kept verdict),
 * and keeps the verdicts of the messages it had to check in full. */
void	 ctl_sig_annotate(Poc__StoredMessage **m, size_t n);

#endif
