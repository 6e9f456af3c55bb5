/*
 * Export and import by format (interop_convert.c): what the commands call.
 */
#ifndef POCCTL_INTEROP_CONVERT_H
#define POCCTL_INTEROP_CONVERT_H

#include <stddef.h>
#include <stdio.h>

#include "cli/interop.h"

/* Writes c in format f to fp; -1 on a write error. */
int		 interop_export(FILE *fp, enum interop_format f,
		    const struct interop_case *c);

/* Recognises the format of buf and fills imp; -1 with err if the input is
 * refused (unknown format, over a limit, malformed, wrong types). */
int		 interop_import(const char *buf, size_t len,
		    struct interop_import *imp, char *err, size_t errlen);

#endif
