/*
 * Directory formats for pocctl (see dirfmt.h).
 */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "dirfmt.h"
#include "dirrec.h"
#include "pbjson.h"
#include "pbjson_parse.h"
#include "timefmt.h"

#define VCARD_LINE_MAX	75	/* octets per physical line, CRLF excluded */

static const char *const dirfmt_days[] = {
	"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

/* Base64 of len bytes (malloc'd), or NULL. */
static char *
dirfmt_b64(const uint8_t *p, size_t len)
{
	char	*s;

	if (len > 1 << 20 || (s = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)s, p, (int)len);
	return s;
}

/* Decodes base64 s into *out (malloc'd).  0, or -1 if s is not base64. */
static int
dirfmt_unb64(const char *s, ProtobufCBinaryData *out)
{
	size_t	 n = strlen(s), pad = 0;
	int	 r;

	out->data = NULL;
	out->len = 0;
	if (n == 0)
		return 0;
	if (n % 4 != 0 || n > 1 << 20)
		return -1;
	if (s[n - 1] == '=')
		pad++;
	if (s[n - 2] == '=')
		pad++;
	if ((out->data = malloc(n / 4 * 3)) == NULL)
		return -1;
	r = EVP_DecodeBlock(out->data, (const unsigned char *)s, (int)n);
	if (r < 0 || (size_t)r < pad) {
		free(out->data);
		out->data = NULL;
		return -1;
	}
	out->len = (size_t)r - pad;
	return 0;
}

json_t *
dirfmt_record_json(const Poc__DirectoryRecord *r)
{
	json_t	*j;
	char	*c, *s;

	if ((j = pbjson_from_message(&r->base, 0)) == NULL)
		return NULL;
	c = dirfmt_b64(r->certificate.data, r->certificate.len);
	s = dirfmt_b64(r->signature.data, r->signature.len);
	if (c == NULL || s == NULL) {
		free(c);
		free(s);
		json_decref(j);
		return NULL;
	}
	if (r->certificate.len > 0)
		json_object_set_new(j, "certificate", json_string(c));
	if (r->signature.len > 0)
		json_object_set_new(j, "signature", json_string(s));
	free(c);
	free(s);
	return j;
}

Poc__DirectoryRecord *
dirfmt_record_from_json(const json_t *j, const char *prefix,
    const char *const *ignore, char *err, size_t errlen)
{
	static const char *const bytes[] = { "certificate", "signature", NULL };
	Poc__DirectoryRecord	*r;
	ProtobufCBinaryData	 b[2];
	const json_t		*v;
	json_t			*c;
	char			 e[256];
	size_t			 i;

	if (!json_is_object(j)) {
		snprintf(err, errlen, "%s: expected an object", prefix);
		return NULL;
	}
	/* pbjson has no bytes: those fields, and the ones to ignore, are
	 * taken out of a shallow copy before it parses the rest. */
	if ((c = json_copy((json_t *)j)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; bytes[i] != NULL; i++)
		json_object_del(c, bytes[i]);
	for (i = 0; ignore != NULL && ignore[i] != NULL; i++)
		json_object_del(c, ignore[i]);
	r = (Poc__DirectoryRecord *)pbjson_to_message(c,
	    &poc__directory_record__descriptor, NULL, e, sizeof(e));
	json_decref(c);
	if (r == NULL) {
		snprintf(err, errlen, "%s%s%s", prefix, prefix[0] ? "." : "", e);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		b[i].data = NULL;
		b[i].len = 0;
		if ((v = json_object_get(j, bytes[i])) == NULL)
			continue;
		if (!json_is_string(v) ||
		    dirfmt_unb64(json_string_value(v), &b[i]) != 0) {
			snprintf(err, errlen, "%s%s%s: expected base64", prefix,
			    prefix[0] ? "." : "", bytes[i]);
			free(b[0].data);
			poc__directory_record__free_unpacked(r, NULL);
			return NULL;
		}
	}
	/* pbjson allocates with the default allocator, as free_unpacked
	 * frees, so the bytes can be handed over. */
	r->certificate = b[0];
	r->signature = b[1];
	return r;
}

/* Parses "HH:MM" (24:00 allowed as an end) into minutes. */
static int
dirfmt_hhmm(const char *s, size_t n, unsigned *out)
{
	unsigned	 h, m;

	if (n != 5 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	*out = h * 60 + m;
	return 0;
}

static int
dirfmt_day(const char *s, size_t n)
{
	int	 d;

	for (d = 1; d <= 7; d++)
		if (n == 3 && strncasecmp(s, dirfmt_days[d], 3) == 0)
			return d;
	return -1;
}

void
dirfmt_hours_free(Poc__DirectoryHours **h, size_t n)
{
	size_t	 i;

	for (i = 0; h != NULL && i < n; i++)
		free(h[i]);
	free(h);
}

int
dirfmt_hours_parse(const char *s, Poc__DirectoryHours ***out, size_t *n,
    char *err, size_t errlen)
{
	Poc__DirectoryHours	**v = NULL, **nv, *h;
	const char		*p = s, *end, *sp, *dash;
	unsigned		 start, stop;
	int			 d0, d1, d;
	size_t			 cnt = 0;

	*out = NULL;
	*n = 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == ',' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		end = p + strcspn(p, ",;");
		/* "Mon-Fri 09:00-17:00" or "Sat 10:00-12:00" */
		if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
			goto bad;
		dash = memchr(p, '-', (size_t)(sp - p));
		d0 = dirfmt_day(p, (size_t)((dash ? dash : sp) - p));
		d1 = dash ? dirfmt_day(dash + 1, (size_t)(sp - dash - 1)) : d0;
		while (*sp == ' ')
			sp++;
		dash = memchr(sp, '-', (size_t)(end - sp));
		if (d0 < 0 || d1 < 0 || d1 < d0 || dash == NULL ||
		    dirfmt_hhmm(sp, (size_t)(dash - sp), &start) != 0 ||
		    dirfmt_hhmm(dash + 1, (size_t)(end - dash - 1), &stop) != 0 ||
		    start >= stop)
			goto bad;
		for (d = d0; d <= d1; d++) {
			if (cnt >= DIRREC_MAX_HOURS) {
				snprintf(err, errlen, "more than %d intervals",
				    DIRREC_MAX_HOURS);
				goto fail;
			}
			if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL ||
			    (h = malloc(sizeof(*h))) == NULL) {
				if (nv != NULL)
					v = nv;
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			v = nv;
			poc__directory_hours__init(h);
			h->day = (uint32_t)d;
			h->start = start;
			h->end = stop;
			v[cnt++] = h;
		}
		p = end;
	}
	*out = v;
	*n = cnt;
	return 0;
bad:
	snprintf(err, errlen, "\"%.*s\": want DAY[-DAY] HH:MM-HH:MM, days Mon "
	    "to Sun, e.g. \"Mon-Fri 09:00-17:00\"", (int)(end - p), p);
fail:
	dirfmt_hours_free(v, cnt);
	return -1;
}

void
dirfmt_hours_format(const Poc__DirectoryPoc *p, char *buf, size_t len)
{
	const Poc__DirectoryHours	*h, *last;
	size_t				 i, j, o = 0;
	int				 w;

	buf[0] = '\0';
	for (i = 0; i < p->n_hours && o < len; i = j) {
		h = p->hours[i];
		/* Consecutive days with the same interval read as a range. */
		for (j = i + 1; j < p->n_hours && p->hours[j]->day ==
		    p->hours[j - 1]->day + 1 && p->hours[j]->start == h->start &&
		    p->hours[j]->end == h->end; j++)
			;
		last = p->hours[j - 1];
		w = snprintf(buf + o, len - o, "%s%s%s%s %02u:%02u-%02u:%02u",
		    i ? ", " : "", h->day <= 7 ? dirfmt_days[h->day] : "?",
		    j - i > 1 ? "-" : "", j - i > 1 && last->day <= 7 ?
		    dirfmt_days[last->day] : "", h->start / 60, h->start % 60,
		    h->end / 60, h->end % 60);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

int
dirfmt_time_parse(const char *s, int64_t now_ms, int64_t *out)
{
	/* The one time parser (common/timefmt.c), as for templates. */
	return timefmt_parse(s, now_ms, out, NULL, 0);
}

/* ------------------------------------------------------------------ CSV */

/* One CSV field, quoted when RFC 4180 requires it. */
static void
dirfmt_csv_field(FILE *f, const char *s, int last)
{
	const char	*p;

	if (strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', f);
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else
		fputs(s, f);
	fputs(last ? "\r\n" : ",", f);
}

/* p's channels as "EMAIL:a@b.org (1); PHONE:+33 1 ..." */
static void
dirfmt_channels(const Poc__DirectoryPoc *p, char *buf, size_t len)
{
	size_t	 i, o = 0;
	int	 w;

	buf[0] = '\0';
	for (i = 0; i < p->n_channels && o < len; i++) {
		w = snprintf(buf + o, len - o, "%s%s:%s", i ? "; " : "",
		    dirrec_kind_name(p->channels[i]->kind),
		    p->channels[i]->value);
		if (w < 0)
			break;
		o += (size_t)w;
		if (p->channels[i]->priority != 0 && o < len) {
			w = snprintf(buf + o, len - o, " (%u)",
			    p->channels[i]->priority);
			if (w > 0)
				o += (size_t)w;
		}
	}
}

static void
dirfmt_join(char *const *v, size_t n, const char *sep, char *buf, size_t len)
{
	size_t	 i, o = 0;
	int	 w;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++) {
		w = snprintf(buf + o, len - o, "%s%s", i ? sep : "", v[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

char *
dirfmt_csv(Poc__DirectoryRecord *const *r, size_t n)
{
	static const char *const head[] = { "member", "member_name", "level",
	    "name", "role", "organization", "always", "time_zone", "hours",
	    "languages", "channels", NULL };
	char	*out = NULL, buf[8192];
	size_t	 size = 0, i, k;
	FILE	*f;

	if ((f = open_memstream(&out, &size)) == NULL)
		return NULL;
	for (k = 0; head[k] != NULL; k++)
		dirfmt_csv_field(f, head[k], head[k + 1] == NULL);
	for (i = 0; i < n; i++)
		for (k = 0; k < r[i]->n_pocs; k++) {
			const Poc__DirectoryPoc *p = r[i]->pocs[k];

			dirfmt_csv_field(f, r[i]->code, 0);
			dirfmt_csv_field(f, r[i]->name, 0);
			dirfmt_csv_field(f, dirrec_level_name(p->level), 0);
			dirfmt_csv_field(f, p->name, 0);
			dirfmt_csv_field(f, p->role, 0);
			dirfmt_csv_field(f, p->organization, 0);
			dirfmt_csv_field(f, p->always ? "yes" : "no", 0);
			dirfmt_csv_field(f, p->time_zone, 0);
			dirfmt_hours_format(p, buf, sizeof(buf));
			dirfmt_csv_field(f, buf, 0);
			dirfmt_join(p->languages, p->n_languages, " ", buf,
			    sizeof(buf));
			dirfmt_csv_field(f, buf, 0);
			dirfmt_channels(p, buf, sizeof(buf));
			dirfmt_csv_field(f, buf, 1);
		}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---------------------------------------------------------------- vCard */

char *
dirfmt_vcard_escape(const char *s, char *buf, size_t len)
{
	size_t	 o = 0;

	for (; *s != '\0' && o + 3 < len; s++) {
		switch (*s) {
		case '\\':
		case ',':
		case ';':
			buf[o++] = '\\';
			buf[o++] = *s;
			break;
		case '\n':
			buf[o++] = '\\';
			buf[o++] = 'n';
			break;
		case '\r':
			break;
		default:
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* Writes one content line folded at 75 octets (RFC 6350 3.2), never
 * inside a UTF-8 sequence, each physical line ending in CRLF. */
static void
dirfmt_vcard_line(FILE *f, const char *line)
{
	size_t	 n = strlen(line), room = VCARD_LINE_MAX, take;

	for (;;) {
		take = n <= room ? n : room;
		/* Back off to the start of a UTF-8 sequence. */
		while (take < n && take > 0 &&
		    ((unsigned char)line[take] & 0xc0) == 0x80)
			take--;
		fwrite(line, 1, take, f);
		fputs("\r\n", f);
		line += take;
		n -= take;
		if (n == 0)
			break;
		fputc(' ', f);
		room = VCARD_LINE_MAX - 1;
	}
}

static void __attribute__((format(printf, 2, 3)))
dirfmt_vcard_linef(FILE *f, const char *fmt, ...)
{
	char	 line[8192];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dirfmt_vcard_line(f, line);
}

/* The vCard property of a channel kind. */
static void
dirfmt_vcard_channel(FILE *f, const Poc__DirectoryChannel *c)
{
	char	 pref[16] = "", v[600];

	if (c->priority >= 1 && c->priority <= 100)
		snprintf(pref, sizeof(pref), ";PREF=%u", c->priority);
	dirfmt_vcard_escape(c->value, v, sizeof(v));
	switch (c->kind) {
	case POC__DIRECTORY_CHANNEL__KIND__EMAIL:
		dirfmt_vcard_linef(f, "EMAIL%s:%s", pref, v);
		break;
	case POC__DIRECTORY_CHANNEL__KIND__PHONE:
		dirfmt_vcard_linef(f, "TEL;VALUE=text;TYPE=voice%s:%s", pref, v);
		break;
	case POC__DIRECTORY_CHANNEL__KIND__FAX:
		dirfmt_vcard_linef(f, "TEL;VALUE=text;TYPE=fax%s:%s", pref, v);
		break;
	case POC__DIRECTORY_CHANNEL__KIND__SECURE_MESSAGING:
		dirfmt_vcard_linef(f, "X-POCD-SECURE-MESSAGING%s:%s", pref, v);
		break;
	default:
		dirfmt_vcard_linef(f, "X-POCD-OTHER%s:%s", pref, v);
		break;
	}
}

char *
dirfmt_vcard(Poc__DirectoryRecord *const *r, size_t n)
{
	char	*out = NULL, a[600], b[600], h[2048], e[4200];
	size_t	 size = 0, i, k, c;
	FILE	*f;

	if ((f = open_memstream(&out, &size)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		for (k = 0; k < r[i]->n_pocs; k++) {
			const Poc__DirectoryPoc *p = r[i]->pocs[k];

			dirfmt_vcard_line(f, "BEGIN:VCARD");
			dirfmt_vcard_line(f, "VERSION:4.0");
			dirfmt_vcard_line(f, "KIND:individual");
			dirfmt_vcard_linef(f, "FN:%s",
			    dirfmt_vcard_escape(p->name, a, sizeof(a)));
			if (p->organization[0] != '\0')
				dirfmt_vcard_linef(f, "ORG:%s",
				    dirfmt_vcard_escape(p->organization, a,
				    sizeof(a)));
			if (p->role[0] != '\0')
				dirfmt_vcard_linef(f, "TITLE:%s",
				    dirfmt_vcard_escape(p->role, a, sizeof(a)));
			dirfmt_vcard_linef(f, "ROLE:%s",
			    dirrec_level_name(p->level));
			for (c = 0; c < p->n_channels; c++)
				dirfmt_vcard_channel(f, p->channels[c]);
			for (c = 0; c < p->n_languages; c++)
				dirfmt_vcard_linef(f, "LANG;PREF=%zu:%s", c + 1,
				    p->languages[c]);
			if (p->time_zone[0] != '\0')
				dirfmt_vcard_linef(f, "TZ;VALUE=text:%s",
				    dirfmt_vcard_escape(p->time_zone, a,
				    sizeof(a)));
			dirfmt_vcard_linef(f, "X-POCD-MEMBER:%s",
			    dirfmt_vcard_escape(r[i]->code, a, sizeof(a)));
			dirfmt_vcard_linef(f, "X-POCD-MEMBER-NAME:%s",
			    dirfmt_vcard_escape(r[i]->name, b, sizeof(b)));
			dirfmt_vcard_linef(f, "X-POCD-24-7:%s",
			    p->always ? "true" : "false");
			dirfmt_hours_format(p, h, sizeof(h));
			if (h[0] != '\0')
				dirfmt_vcard_linef(f, "X-POCD-HOURS:%s",
				    dirfmt_vcard_escape(h, e, sizeof(e)));
			dirfmt_vcard_line(f, "END:VCARD");
		}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
