/*
 * Choosing the format (see interop_convert.h): a case out through the
 * writer of the format asked for, and an import file to the reader of the
 * format it turns out to be, after the limits that keep hostile input
 * away from the parsers.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/interop.h"
#include "cli/interop_convert.h"
#include "cli/interop_iodef.h"
#include "cli/interop_iodef_read.h"
#include "cli/interop_misp.h"
#include "cli/interop_stix.h"

int
interop_export(FILE *fp, enum interop_format f, const struct interop_case *c)
{
	int	 r;

	switch (f) {
	case INTEROP_MISP:
		r = interop_misp_write(fp, c);
		break;
	case INTEROP_STIX:
		r = interop_stix_write(fp, c);
		break;
	case INTEROP_IODEF:
		r = interop_iodef_write(fp, c);
		break;
	default:
		return -1;
	}
	if (fflush(fp) != 0 || ferror(fp))
		return -1;
	return r;
}

/* The deepest nesting of arrays and objects in JSON text, counted before
 * parsing so that a hostile depth never reaches the parser; strings are
 * skipped.  Stops counting past INTEROP_DEPTH_MAX. */
static int
interop_json_depth(const char *s, size_t len)
{
	int	 depth = 0, max = 0, in_str = 0;
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
			continue;
		}
		switch (s[i]) {
		case '"':
			in_str = 1;
			break;
		case '[':
		case '{':
			if (++depth > max && (max = depth) > INTEROP_DEPTH_MAX)
				return max;
			break;
		case ']':
		case '}':
			depth--;
			break;
		}
	}
	return max;
}

int
interop_import(const char *buf, size_t len, struct interop_import *imp,
    char *err, size_t errlen)
{
	json_error_t	 je;
	json_t		*j, *ev;
	const char	*type;
	size_t		 i;
	int		 r;

	memset(imp, 0, sizeof(*imp));
	if (len > INTEROP_INPUT_MAX) {
		snprintf(err, errlen, "larger than the %u MiB an import may "
		    "be (INTEROP_INPUT_MAX): refused", INTEROP_INPUT_MAX >> 20);
		return -1;
	}
	for (i = 0; i < len && strchr(" \t\r\n", buf[i]) != NULL; i++)
		;
	if (i + 3 < len && memcmp(buf + i, "\xef\xbb\xbf", 3) == 0)
		i += 3;		/* a UTF-8 byte order mark */
	if (i < len && buf[i] == '<') {
		imp->format = INTEROP_IODEF;
		return interop_iodef_read(buf, len, imp, err, errlen);
	}
	if (i == len || buf[i] != '{') {
		snprintf(err, errlen, "neither a JSON object (MISP, STIX) nor "
		    "an XML document (IODEF)");
		return -1;
	}
	if (interop_json_depth(buf, len) > INTEROP_DEPTH_MAX) {
		snprintf(err, errlen, "JSON nested deeper than %d levels "
		    "(INTEROP_DEPTH_MAX): refused", INTEROP_DEPTH_MAX);
		return -1;
	}
	if ((j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(err, errlen, "line %d column %d: not valid JSON: %s",
		    je.line, je.column, je.text);
		return -1;
	}
	if ((ev = json_object_get(j, "Event")) != NULL) {
		imp->format = INTEROP_MISP;
		r = interop_misp_read(j, imp, err, errlen);
	} else if (json_is_string(json_object_get(j, "type")) &&
	    (type = json_string_value(json_object_get(j, "type"))) != NULL &&
	    strcmp(type, "bundle") == 0) {
		imp->format = INTEROP_STIX;
		r = interop_stix_read(j, imp, err, errlen);
	} else {
		snprintf(err, errlen, "a JSON object that is neither a MISP "
		    "event (no \"Event\") nor a STIX bundle (\"type\" is not "
		    "\"bundle\")");
		r = -1;
	}
	json_decref(j);
	if (r == -1)
		interop_import_free(imp);
	return r;
}
