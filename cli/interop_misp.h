/*
 * MISP events (interop_misp.c): a case out as one event, indicators in
 * from an event's attributes.
 */
#ifndef POCCTL_INTEROP_MISP_H
#define POCCTL_INTEROP_MISP_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/interop.h"

int		 interop_misp_write(FILE *, const struct interop_case *);
int		 interop_misp_read(const json_t *, struct interop_import *,
		    char *err, size_t errlen);

#endif
