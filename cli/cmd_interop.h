/*
 * pocctl's interoperability commands (cmd_interop.c): a case out to MISP,
 * STIX 2.1 or IODEF v2, and a template filled from one of them.
 */
#ifndef POCCTL_CMD_INTEROP_H
#define POCCTL_CMD_INTEROP_H

#include <jansson.h>

struct ctx;

int	 cmd_export(struct ctx *, int, char **);
/* Fills template t (body member) from the MISP, STIX or IODEF file; lists
 * what it could not map on stderr; exits 1 if the file is refused. */
void	 cmd_template_from(json_t *t, const char *member, const char *file);

#endif
