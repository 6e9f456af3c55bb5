/*
 * IODEF v2 (RFC 7970) out (interop_iodef.c): a case as one IODEF-Document.
 */
#ifndef POCCTL_INTEROP_IODEF_H
#define POCCTL_INTEROP_IODEF_H

#include <stddef.h>
#include <stdio.h>

#include "cli/interop.h"

int		 interop_iodef_write(FILE *, const struct interop_case *);

#endif
