/*
 * IODEF v2 (RFC 7970) in (interop_iodef_read.c): indicators from an
 * IODEF-Document, with external entities and DTDs refused.
 */
#ifndef POCCTL_INTEROP_IODEF_READ_H
#define POCCTL_INTEROP_IODEF_READ_H

#include <stddef.h>
#include <stdio.h>

#include "cli/interop.h"

int		 interop_iodef_read(const char *buf, size_t len,
		    struct interop_import *, char *err, size_t errlen);

#endif
