/*
 * RFC 2350 team descriptions (interop_rfc2350.c).
 */
#ifndef POCCTL_INTEROP_RFC2350_H
#define POCCTL_INTEROP_RFC2350_H

#include <stddef.h>
#include <stdio.h>

#include "cli/interop.h"

/* Writes member record r as an RFC 2350 team description (plain text);
 * -1 on a write error. */
int		 interop_rfc2350_write(FILE *, const Poc__DirectoryRecord *r);

#endif
