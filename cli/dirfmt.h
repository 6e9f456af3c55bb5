/*
 * The directory's text formats in pocctl: records as JSON (with the
 * certificate and signature in base64, so a record survives the round trip
 * bit for bit), CSV (RFC 4180) and vCard 4.0 (RFC 6350) exports, weekly
 * hours ("Mon-Fri 09:00-17:00") and times on the command line.  Pure: no
 * I/O, so the unit tests cover every rule.
 */
#ifndef POCCTL_DIRFMT_H
#define POCCTL_DIRFMT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "proto/poc.pb-c.h"

/* A record as JSON: the proto field names, certificate and signature as
 * base64 strings. */
json_t	*dirfmt_record_json(const Poc__DirectoryRecord *);

/* A record from JSON as dirfmt_record_json writes it; keys in ignore
 * (NULL-terminated, may be NULL) are skipped.  NULL with "path: problem"
 * in err (paths under prefix). */
Poc__DirectoryRecord *dirfmt_record_from_json(const json_t *, const char *prefix,
	    const char *const *ignore, char *err, size_t errlen);

/* Parses "Mon-Fri 09:00-17:00, Sat 10:00-12:30" into weekly intervals
 * (malloc'd array of malloc'd messages).  0, or -1 with err set. */
int	 dirfmt_hours_parse(const char *s, Poc__DirectoryHours ***out,
	    size_t *n, char *err, size_t errlen);
void	 dirfmt_hours_free(Poc__DirectoryHours **, size_t n);

/* Formats p's hours as dirfmt_hours_parse reads them ("" if none). */
void	 dirfmt_hours_format(const Poc__DirectoryPoc *p, char *buf, size_t len);

/* A time on the command line, as timefmt_parse reads it: "now", RFC 3339
 * ("2026-03-29T01:30Z", "...+02:00"), "2026-03-29" (midnight UTC),
 * "+30d" / "+12h" / "-30m" from now, or Unix milliseconds.  0, or -1 if
 * it is none of these. */
int	 dirfmt_time_parse(const char *s, int64_t now_ms, int64_t *out);

/* The exports: one malloc'd string for the records given, NULL if out of
 * memory.  CSV: one row per PoC, RFC 4180 quoting, CRLF.  vCard: one card
 * per PoC, CRLF, RFC 6350 escaping and 75-octet folding. */
char	*dirfmt_csv(Poc__DirectoryRecord *const *r, size_t n);
char	*dirfmt_vcard(Poc__DirectoryRecord *const *r, size_t n);

/* RFC 6350 text-value escaping of s (backslash, comma, semicolon,
 * newline) into buf.  Returns buf. */
char	*dirfmt_vcard_escape(const char *s, char *buf, size_t len);

#endif
