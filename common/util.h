/*
 * Small helpers shared by pocd and pocctl: ids, clocks, UTF-8, strings.
 */
#ifndef POC_UTIL_H
#define POC_UTIL_H

#include <sys/time.h>

#include <stddef.h>
#include <stdint.h>

#define UUID_STR_LEN	37	/* 36 characters and NUL */

/* Writes a new UUID in lower-case canonical form, time-ordered within a
 * cycle of 17.5 minutes and random in its first 8 characters as a whole
 * (util.c).  Returns 0, or -1 if the CSPRNG failed. */
int	 util_uuid_new(char out[UUID_STR_LEN]);

/* The layout of util_uuid_new for an id made at Unix time ms with
 * counter seq (12 bits): writes ms and seq into the first 4 of the 16
 * random bytes b, sets the version and variant bits, and formats b into
 * out. */
void	 util_uuid_make(char out[UUID_STR_LEN], int64_t ms, unsigned seq,
	    uint8_t b[16]);

/* The 16 bytes b as a UUID in lower-case canonical form (8-4-4-4-12);
 * the caller has set the version and variant bits it wants. */
void	 util_uuid_format(char out[UUID_STR_LEN], const uint8_t b[16]);

/* 1 if s is a canonical UUID (8-4-4-4-12 hex, any version), else 0. */
int	 util_uuid_valid(const char *s);

/* Lower-case hex of the n bytes at b into out (2 * n + 1 bytes, NUL
 * included). */
void	 util_hex(const uint8_t *b, size_t n, char *out);

/* For util_unhex*: accept 'A'-'F' as well (input a person may have typed
 * or another tool made); without it only lower-case digits are hex, the
 * one form pocd writes, so that a value has one spelling. */
#define UTIL_HEX_ANYCASE	0x01

/* Parses s, exactly 2 * n hex digits and its NUL, into n bytes at out.
 * Returns 0, or -1 if s is NULL, of another length, or not hex. */
int	 util_unhex(const char *s, uint8_t *out, size_t n, unsigned flags);

/* Parses the 2 * n hex digits at s into n bytes at out; what follows them
 * is not looked at (nor past a NUL before them).  0, or -1. */
int	 util_unhex_at(const char *s, uint8_t *out, size_t n, unsigned flags);

/* Wall clock in Unix milliseconds (for stored timestamps only). */
int64_t	 util_now_ms(void);

/* Monotonic clock in milliseconds (for timers and durations). */
int64_t	 util_mono_ms(void);

/* A delay in milliseconds as a struct timeval for libevent's timers; a
 * negative delay is 0 (the timer fires on the next loop). */
struct timeval util_ms_timeval(int64_t ms);

/* 1 if the len bytes at s are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF) without NUL bytes, else 0. */
int	 util_utf8_valid(const char *s, size_t len);

/* Formats Unix ms as "2026-11-25 03:47:05Z" (UTC); "-" for 0. */
const char *util_fmt_time(int64_t ms, char *buf, size_t len);

/* Splits "host:port" or "[v6]:port" into host and port.  Returns 0 or -1. */
int	 util_split_hostport(const char *s, char *host, size_t hostlen,
	    char *port, size_t portlen);

/* Formats an error message into err for a caller that reports it; err may
 * be NULL (or errlen 0) when the caller does not want the text. */
void	 util_seterr(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
