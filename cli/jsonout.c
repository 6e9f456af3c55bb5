/*
 * The JSON side of pocctl's output layer: values are printed indented
 * with their keys in the order they were set, so that scripts and people
 * reading --json output see the proto's field order; protobuf messages go
 * through pbjson with every field, defaults included, so a field is never
 * missing because it happens to be zero.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/jsonout.h"
#include "pbjson.h"
#include "util.h"

/* Dumps a JSON value to stdout, two-space indented, keys in order. */
void
jsonout_print(const json_t *j)
{
	if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == -1)
		errx(1, "cannot write JSON to standard output");
	putchar('\n');
}

/* One line per value, as an export file holds them. */
int
jsonout_line(FILE *fp, const json_t *j)
{
	char	*s;
	int	 r;

	/* One write per line: json_dumpf() writes each token on its own,
	 * the most of an audit export's time. */
	if ((s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		return -1;
	r = fputs(s, fp) == EOF || fputc('\n', fp) == EOF ? -1 : 0;
	free(s);
	return r;
}

/* pbjson with defaults; the only failure is memory. */
json_t *
jsonout_message(const ProtobufCMessage *m)
{
	json_t	*j;

	if ((j = pbjson_from_message(m, PBJSON_DEFAULTS)) == NULL)
		errx(1, "out of memory");
	return j;
}

/* Prints a protobuf message as JSON with every field. */
void
jsonout_print_message(const ProtobufCMessage *m)
{
	json_t	*j = jsonout_message(m);

	jsonout_print(j);
	json_decref(j);
}

/* jansson refuses strings that are not UTF-8: those become "". */
json_t *
jsonout_str(const char *s)
{
	json_t	*j;

	if ((j = json_string(s != NULL ? s : "")) == NULL)
		j = json_string("");
	return j;
}

/* Two digits per byte, lower case. */
json_t *
jsonout_hex(const uint8_t *p, size_t len)
{
	json_t	*j;
	char	*s;

	if ((s = malloc(2 * len + 1)) == NULL)
		errx(1, "out of memory");
	util_hex(p, len, s);
	j = json_string(s);
	free(s);
	return j;
}
