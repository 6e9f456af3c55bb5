/*
 * Times people write and read: RFC 3339 ("2026-12-05T02:10:00Z",
 * "2026-12-05T03:10:00.250+01:00"), times relative to now ("+4h", "+2d",
 * "-30m") and Unix milliseconds, one parser for templates (through
 * pbjson.c) and for command-line flags.
 */
#ifndef POC_TIMEFMT_H
#define POC_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_RFC3339_LEN	32	/* "2026-12-05T02:10:00.123Z" and NUL */

/*
 * Parses s into Unix milliseconds (UTC):
 *   - RFC 3339: YYYY-MM-DDTHH:MM[:SS[.fraction]] then Z or +hh:mm/-hh:mm
 *     ('t', 'z' and a space for 'T' are accepted as RFC 3339 allows;
 *     seconds may be left out, a fraction beyond milliseconds is cut);
 *   - a date YYYY-MM-DD (midnight UTC);
 *   - "now", or +N / -N followed by s, m, h or d: relative to now_ms;
 *   - digits only: Unix milliseconds.
 * Returns 0, or -1 with err saying what is wrong and what would do (the
 * caller names the field).
 */
int	 timefmt_parse(const char *s, int64_t now_ms, int64_t *out,
	    char *err, size_t errlen);

/* Formats ms as RFC 3339 in UTC: "2026-12-05T02:10:00Z", with ".123"
 * before the Z when ms is not a whole second.  Returns buf. */
const char *timefmt_rfc3339(int64_t ms, char *buf, size_t len);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
int64_t	 timefmt_days(int64_t y, int m, int d);

/* 1 if y is a leap year of the Gregorian calendar. */
int	 timefmt_leap(int64_t y);

#endif
