/*
 * Times people write and read (timefmt.h).  The RFC 3339 reader is written
 * out rather than left to strptime(3), which ignores offsets and fractions
 * and accepts out-of-range fields; the arithmetic is the days-from-civil
 * algorithm so that no time zone of the process is ever consulted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "util.h"

#define TIMEFMT_YEAR_MIN	1970
#define TIMEFMT_YEAR_MAX	9999
#define TIMEFMT_REL_MAX_MS	(INT64_C(100) * 366 * 86400000)	/* a century */
#define TIMEFMT_FORMS \
	"RFC 3339 (2026-12-05T02:10:00Z, 2026-12-05T03:10+01:00), a date " \
	"(2026-12-05), +4h / +2d / -30m from now, or Unix milliseconds"

int
timefmt_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in month m (1..12) of year y. */
static int
timefmt_mdays(int64_t y, int m)
{
	static const int	 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };

	return m == 2 && timefmt_leap(y) ? 29 : days[m - 1];
}

/* Howard Hinnant's days_from_civil. */
int64_t
timefmt_days(int64_t y, int m, int d)
{
	int64_t		 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads exactly n digits at *p into v and advances *p; -1 if not digits. */
static int
timefmt_digits(const char **p, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

/* "+4h", "-30m", "+2d", "+90s": now_ms plus or minus the span. */
static int
timefmt_relative(const char *s, int64_t now_ms, int64_t *out, char *err,
    size_t errlen)
{
	char		*end;
	long long	 v;
	int64_t		 unit;

	errno = 0;
	v = strtoll(s + 1, &end, 10);
	if (s[1] < '0' || s[1] > '9' || errno != 0 || end[0] == '\0' ||
	    end[1] != '\0') {
		util_seterr(err, errlen, "\"%.40s\" is not a relative time "
		    "(+N or -N then s, m, h or d, e.g. +4h)", s);
		return -1;
	}
	switch (*end) {
	case 's':
		unit = 1000;
		break;
	case 'm':
		unit = 60000;
		break;
	case 'h':
		unit = 3600000;
		break;
	case 'd':
		unit = 86400000;
		break;
	default:
		util_seterr(err, errlen, "\"%.40s\": unknown unit '%c' (s, m, "
		    "h or d)", s, *end);
		return -1;
	}
	if (v > TIMEFMT_REL_MAX_MS / unit) {
		util_seterr(err, errlen, "\"%.40s\" is more than a century "
		    "away", s);
		return -1;
	}
	*out = now_ms + (s[0] == '-' ? -1 : 1) * (int64_t)v * unit;
	return 0;
}

/* The RFC 3339 date-time or the bare date at s. */
static int
timefmt_rfc3339_parse(const char *s, int64_t *out, char *err, size_t errlen)
{
	const char	*p = s;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, oh, om;
	int		 i, sign, off = 0;

	if (timefmt_digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    timefmt_digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    timefmt_digits(&p, 2, &d) == -1)
		goto syntax;
	if (y < TIMEFMT_YEAR_MIN || y > TIMEFMT_YEAR_MAX) {
		util_seterr(err, errlen, "year %d is out of range (%d..%d)",
		    y, TIMEFMT_YEAR_MIN, TIMEFMT_YEAR_MAX);
		return -1;
	}
	if (mo < 1 || mo > 12) {
		util_seterr(err, errlen, "month %02d does not exist in "
		    "\"%.40s\"", mo, s);
		return -1;
	}
	if (d < 1 || d > timefmt_mdays(y, mo)) {
		util_seterr(err, errlen, "day %02d does not exist in "
		    "%04d-%02d (\"%.40s\")", d, y, mo, s);
		return -1;
	}
	if (*p == '\0')
		goto done;
	if (*p != 'T' && *p != 't' && *p != ' ')
		goto syntax;
	p++;
	if (timefmt_digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    timefmt_digits(&p, 2, &mi) == -1)
		goto syntax;
	if (*p == ':') {
		p++;
		if (timefmt_digits(&p, 2, &sec) == -1)
			goto syntax;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				goto syntax;
			/* Milliseconds: the first three digits, the rest cut. */
			for (i = 0; *p >= '0' && *p <= '9'; p++, i++)
				if (i < 3)
					ms = ms * 10 + (*p - '0');
			for (; i < 3; i++)
				ms *= 10;
		}
	}
	/* RFC 3339 allows a leap second, 60; Unix time does not count it. */
	if (h > 23 || mi > 59 || sec > 60) {
		util_seterr(err, errlen, "time of day %02d:%02d:%02d is out "
		    "of range in \"%.40s\"", h, mi, sec, s);
		return -1;
	}
	if (sec == 60)
		sec = 59, ms = 999;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (timefmt_digits(&p, 2, &oh) == -1 || *p++ != ':' ||
		    timefmt_digits(&p, 2, &om) == -1)
			goto syntax;
		if (oh > 23 || om > 59) {
			util_seterr(err, errlen, "offset %c%02d:%02d is out "
			    "of range (-23:59..+23:59)", sign < 0 ? '-' : '+',
			    oh, om);
			return -1;
		}
		off = sign * (oh * 60 + om);
	} else {
		util_seterr(err, errlen, "\"%.40s\" has no time zone: end it "
		    "with Z (UTC) or an offset such as +01:00", s);
		return -1;
	}
	if (*p != '\0')
		goto syntax;
 done:
	*out = ((timefmt_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    (int64_t)off * 60) * 1000) + ms;
	return 0;
 syntax:
	util_seterr(err, errlen, "\"%.40s\" is not a time: use " TIMEFMT_FORMS,
	    s);
	return -1;
}

int
timefmt_parse(const char *s, int64_t now_ms, int64_t *out, char *err,
    size_t errlen)
{
	const char	*p;
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0') {
		util_seterr(err, errlen, "empty: use " TIMEFMT_FORMS);
		return -1;
	}
	if (strcmp(s, "now") == 0) {
		*out = now_ms;
		return 0;
	}
	if (s[0] == '+' || s[0] == '-')
		return timefmt_relative(s, now_ms, out, err, errlen);
	for (p = s; *p >= '0' && *p <= '9'; p++)
		;
	if (*p != '\0')
		return timefmt_rfc3339_parse(s, out, err, errlen);
	/* Digits only: Unix milliseconds. */
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0) {
		util_seterr(err, errlen, "%.40s is out of range", s);
		return -1;
	}
	*out = v;
	return 0;
}

const char *
timefmt_rfc3339(int64_t ms, char *buf, size_t len)
{
	int64_t		 days, secs, z, era, doe, yoe, y, doy, mp;
	int		 m, d, frac;

	/* Floor division, so that times before 1970 come out right too. */
	secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	frac = (int)(ms - secs * 1000);
	days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	secs -= days * 86400;
	/* Howard Hinnant's civil_from_days. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	if (frac != 0)
		snprintf(buf, len, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ",
		    y, m, d, (int)(secs / 3600), (int)(secs % 3600 / 60),
		    (int)(secs % 60), frac);
	else
		snprintf(buf, len, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ",
		    y, m, d, (int)(secs / 3600), (int)(secs % 3600 / 60),
		    (int)(secs % 60));
	return buf;
}
