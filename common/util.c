/*
 * Small helpers shared by pocd and pocctl.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "util.h"

static const char	util_hex_digits[] = "0123456789abcdef";

void
util_hex(const uint8_t *b, size_t n, char *out)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = util_hex_digits[b[i] >> 4];
		out[2 * i + 1] = util_hex_digits[b[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* The value of hex digit c (upper case too if anycase), or -1. */
static int
util_hex_digit(char c, int anycase)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (anycase && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
util_unhex_at(const char *s, uint8_t *out, size_t n, unsigned flags)
{
	size_t	 i;
	int	 hi, lo, anycase = (flags & UTIL_HEX_ANYCASE) != 0;

	for (i = 0; i < n; i++) {
		/* A NUL is no digit, so nothing past a short string is read. */
		if ((hi = util_hex_digit(s[2 * i], anycase)) == -1 ||
		    (lo = util_hex_digit(s[2 * i + 1], anycase)) == -1)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
util_unhex(const char *s, uint8_t *out, size_t n, unsigned flags)
{
	if (s == NULL || strlen(s) != 2 * n)
		return -1;
	return util_unhex_at(s, out, n, flags);
}

void
util_uuid_format(char out[UUID_STR_LEN], const uint8_t b[16])
{
	static const int	 dash[] = { 4, 6, 8, 10 };
	size_t			 i, k = 0, o = 0;

	for (i = 0; i < 16; i++) {
		if (k < 4 && (int)i == dash[k]) {
			out[o++] = '-';
			k++;
		}
		out[o++] = util_hex_digits[b[i] >> 4];
		out[o++] = util_hex_digits[b[i] & 0x0f];
	}
	out[o] = '\0';
}

void
util_uuid_make(char out[UUID_STR_LEN], int64_t ms, unsigned seq,
    uint8_t b[16])
{
	uint32_t	 head = (uint32_t)(ms & 0xfffff) << 12 | (seq & 0xfff);

	b[0] = (uint8_t)(head >> 24);
	b[1] = (uint8_t)(head >> 16);
	b[2] = (uint8_t)(head >> 8);
	b[3] = (uint8_t)head;
	b[6] = (b[6] & 0x0f) | 0x80;	/* version 8 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 9562 variant */
	util_uuid_format(out, b);
}

/*
 * A time-ordered UUID (RFC 9562 version 8, the custom layout; variant
 * 10): the first 32 bits are the Unix time in ms modulo 2^20 (a cycle of
 * 17.5 minutes) and a 12-bit counter, the rest (90 bits) from the CSPRNG.
 *
 * Ids made close in time are close as keys, so the store's B-trees keyed
 * by an id (the messages' id and thread, the cases) take a commit's new
 * keys in one or two leaf pages instead of a page each, as random ids
 * did (docs/performance.md).  A UUIDv7 would do that too, but its first
 * 8 characters (the short id pocctl shows and accepts) are the same for
 * 65 seconds; here they are as spread as random ones: the counter starts
 * at a random value below 0x800 each new millisecond and counts the ids
 * one thread makes within it (carried into the next millisecond past
 * 0xfff, or if the clock steps back), so they still sort in the order it
 * made them.
 */
int
util_uuid_new(char out[UUID_STR_LEN])
{
	static _Thread_local int64_t	 last_ms;
	static _Thread_local unsigned	 seq;
	uint8_t				 b[16];
	int64_t				 ms = util_now_ms();

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	if (ms > last_ms)
		seq = (unsigned)(b[2] & 0x07) << 8 | b[3];
	else if (++seq > 0xfff) {
		ms = last_ms + 1;
		seq = (unsigned)(b[2] & 0x07) << 8 | b[3];
	} else
		ms = last_ms;
	last_ms = ms;
	util_uuid_make(out, ms, seq, b);
	return 0;
}

int
util_uuid_valid(const char *s)
{
	size_t	 i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	}
	return 1;
}

int64_t
util_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct timeval
util_ms_timeval(int64_t ms)
{
	struct timeval	 tv = { 0, 0 };

	if (ms > 0) {
		tv.tv_sec = (time_t)(ms / 1000);
		tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	}
	return tv;
}

/* Per RFC 3629: rejects overlong forms, surrogates, code points above
 * U+10FFFF and, since our strings are C strings, NUL. */
int
util_utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	unsigned int		 cp, min;

	while (i < len) {
		unsigned char	 c = s[i];

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1; cp = c & 0x1f; min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2; cp = c & 0x0f; min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

const char *
util_fmt_time(int64_t ms, char *buf, size_t len)
{
	time_t		 t;
	struct tm	 tm;

	if (ms <= 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	t = (time_t)(ms / 1000);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

int
util_split_hostport(const char *s, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char	*colon, *h = s;
	size_t		 hl;

	if (s == NULL || *s == '\0')
		return -1;
	if (*s == '[') {
		const char	*end = strchr(s, ']');

		if (end == NULL || end[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || strchr(s, ':') != colon)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostlen || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= portlen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	snprintf(port, portlen, "%s", colon + 1);
	return 0;
}

void
util_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
