/*
 * STIX 2.1 bundles (interop_stix.c): a case out as a bundle, indicators in
 * from a bundle's objects.
 */
#ifndef POCCTL_INTEROP_STIX_H
#define POCCTL_INTEROP_STIX_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/interop.h"

int		 interop_stix_write(FILE *, const struct interop_case *);
int		 interop_stix_read(const json_t *, struct interop_import *,
		    char *err, size_t errlen);

#endif
