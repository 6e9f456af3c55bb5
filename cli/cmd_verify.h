/*
 * pocctl verify (cmd_verify.c): one message's signature checked in the
 * client, from what the node kept, or from an evidence file without any
 * node.
 */
#ifndef POCCTL_CMD_VERIFY_H
#define POCCTL_CMD_VERIFY_H

#include <openssl/x509_vfy.h>

struct ctx;

int	 cmd_verify(struct ctx *, int, char **);

/* The network CA file ca as a store (X509_STORE_free it); exits 1 if it
 * does not load.  Shared with audit verify --witness. */
X509_STORE *cmd_verify_cas(const char *ca);

#endif
