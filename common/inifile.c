/*
 * INI files with line numbers (see inifile.h).
 *
 * inih does not tell its handler which line it is on, so the file is fed
 * through a reader that counts lines: inih calls the handler right after
 * reading the key's line, which makes "file:line: message" exact.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "inifile.h"

/*
 * A "[name]" line (blanks around it, a comment after it) is told to
 * f->section as inih reads it: the name as written between the brackets.
 * A line inih takes otherwise (the continuation of a value) reaches the
 * key handler as well, which refuses the key given twice.
 */
static void
inifile_header(struct inifile *f, const char *line)
{
	const char	*start = line, *end;
	char		 name[256];

	if (f->section == NULL)
		return;
	if (f->line == 1 && strncmp(start, "\xEF\xBB\xBF", 3) == 0)
		start += 3;		/* a UTF-8 BOM, as inih skips it */
	start += strspn(start, " \t\r\n");
	if (*start != '[' || (end = strchr(start + 1, ']')) == NULL ||
	    (size_t)(end - start - 1) >= sizeof(name))
		return;
	memcpy(name, start + 1, (size_t)(end - start - 1));
	name[end - start - 1] = '\0';
	f->section(f, name);
}

/*
 * inih reader: fgets that counts lines for the handler's messages.  A line
 * longer than inih's buffer would reach the handler cut, with its tail
 * read as another line; it is reported whole instead, and skipped.
 */
static char *
inifile_reader(char *str, int num, void *stream)
{
	struct inifile	*f = stream;
	char		*r, *line = NULL;
	size_t		 sz = 0, len;
	FILE		*mem;
	int		 c;

	if ((r = fgets(str, num, f->fp)) == NULL)
		return NULL;
	f->line++;
	len = strlen(str);
	if (len == 0 || str[len - 1] == '\n' || feof(f->fp)) {
		inifile_header(f, str);
		return r;
	}
	if ((mem = open_memstream(&line, &sz)) == NULL)
		return NULL;
	fputs(str, mem);
	while ((c = fgetc(f->fp)) != EOF && c != '\n')
		fputc(c, mem);
	fclose(mem);
	inifile_error(f, "line too long (%zu bytes, at most %d): \"%s\"",
	    strlen(line), num - 2, line);
	free(line);
	str[0] = '\n';
	str[1] = '\0';
	return str;
}

/* inih handler: the caller's, which reports its own errors; 1 keeps inih
 * from counting the line as one it could not parse. */
static int
inifile_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct inifile	*f = user;

	f->key(f, section, name, value);
	return 1;
}

int
inifile_parse(struct inifile *f)
{
	int	 r;

	f->line = 0;
	f->errors = 0;
	if ((f->fp = fopen(f->path, "r")) == NULL)
		return -1;
	r = ini_parse_stream(inifile_reader, f, inifile_handler, f);
	fclose(f->fp);
	f->fp = NULL;
	if (r > 0) {
		f->line = r;
		inifile_error(f, "syntax error (expected [section] or "
		    "key = value)");
	} else if (r < 0)
		inifile_error(f, "cannot read the file");
	f->line = 0;
	return 0;
}

void
inifile_verror(struct inifile *f, const char *fmt, va_list ap)
{
	char	 text[8192];
	int	 n;

	/* Line 0: a rule about the whole file (a required key missing). */
	if (f->line > 0)
		n = snprintf(text, sizeof(text), "%s:%d: ", f->path, f->line);
	else
		n = snprintf(text, sizeof(text), "%s: ", f->path);
	if (n < 0 || (size_t)n >= sizeof(text))
		n = 0;
	vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
	f->errors++;
	if (f->report != NULL)
		f->report(f, text);
	else
		fprintf(stderr, "%s\n", text);
}

void
inifile_error(struct inifile *f, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	inifile_verror(f, fmt, ap);
	va_end(ap);
}
