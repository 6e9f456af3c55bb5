/*
 * Text from far away, made safe and made to fit on the operator's
 * terminal: free text that a remote sender wrote is printed as written
 * except that control characters (which could rewrite the operator's
 * screen) are shown as U+FFFD; widths are counted in terminal columns, not
 * bytes; colour only on a terminal that wants it.  Used by the message
 * renderings (render.c) and every printer of the output layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "cli/term.h"

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

/*
 * Writes s as written, except that control characters (C0 but tab and
 * newline, DEL, C1) become U+FFFD, and each line break is followed by
 * indent so that continuation lines stay in the value column.
 */
void
term_put(FILE *fp, const char *s, const char *indent)
{
	const unsigned char	*p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\n' || *p == '\r') {
			fputc('\n', fp);
			fputs(indent, fp);
		} else if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			fputs(REPLACEMENT, fp);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fputs(REPLACEMENT, fp);
			p++;
		} else
			fputc(*p, fp);
	}
}

/* Colour on fp only for a terminal, never with NO_COLOR set
 * (https://no-color.org) or TERM=dumb. */
int
term_use_color(FILE *fp)
{
	const char	*t = getenv("TERM");

	if (getenv("NO_COLOR") != NULL && getenv("NO_COLOR")[0] != '\0')
		return 0;
	if (t != NULL && strcmp(t, "dumb") == 0)
		return 0;
	return isatty(fileno(fp));
}

/* Length in bytes of the UTF-8 sequence that starts with byte c (1 for a
 * stray continuation byte, so that scanning always advances). */
static size_t
term_seqlen(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

/* Sanitizes s into one line in buf. */
const char *
term_oneline(const char *s, char *buf, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0, n, i;

	if (len == 0)
		return buf;
	while (*p != '\0') {
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			if (o + 1 >= len)
				break;
			buf[o++] = ' ';
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			if (o + 3 >= len)
				break;
			memcpy(buf + o, REPLACEMENT, 3);
			o += 3;
			p += *p == 0xc2 ? 2 : 1;
			continue;
		}
		n = term_seqlen(*p);
		for (i = 1; i < n; i++)
			if (p[i] == '\0')
				n = i;
		if (o + n >= len)
			break;
		memcpy(buf + o, p, n);
		o += n;
		p += n;
	}
	buf[o] = '\0';
	return buf;
}

/* Width of the character at s of n bytes: wcwidth where the locale knows
 * it, else one column per code point. */
static size_t
term_char_width(const char *s, size_t n)
{
	mbstate_t	 st;
	wchar_t		 wc;
	size_t		 r;
	int		 w;

	if (MB_CUR_MAX > 1) {
		memset(&st, 0, sizeof(st));
		r = mbrtowc(&wc, s, n, &st);
		if (r != (size_t)-1 && r != (size_t)-2 && r != 0 &&
		    (w = wcwidth(wc)) >= 0)
			return (size_t)w;
	}
	return 1;
}

/* Display columns of s. */
size_t
term_width(const char *s)
{
	size_t	 w = 0, n, i;

	while (*s != '\0') {
		n = term_seqlen((unsigned char)*s);
		for (i = 1; i < n; i++)
			if (s[i] == '\0')
				n = i;
		w += term_char_width(s, n);
		s += n;
	}
	return w;
}

/* Cuts s to width columns with "..." at the end. */
void
term_truncate(char *s, size_t width)
{
	size_t	 w = 0, cw, n, i, keep = width > 3 ? width - 3 : width;
	char	*cut = NULL, *p = s;

	if (term_width(s) <= width)
		return;
	while (*p != '\0') {
		n = term_seqlen((unsigned char)*p);
		for (i = 1; i < n; i++)
			if (p[i] == '\0')
				n = i;
		cw = term_char_width(p, n);
		if (w + cw > keep) {
			cut = p;
			break;
		}
		w += cw;
		p += n;
	}
	if (cut == NULL)
		return;
	if (width > 3)
		memcpy(cut, "...", 4);
	else
		*cut = '\0';
}
