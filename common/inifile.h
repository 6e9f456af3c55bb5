/*
 * INI files for pocd.conf and pocctl.conf: inih underneath, read through a
 * reader that counts lines, so that each key reaches the caller's handler
 * with its line number and every error names "file:line".
 *
 * The caller fills in path, key (and section, report, arg) and calls
 * inifile_parse(); its handler checks the key and its value and says what
 * is wrong with inifile_error().  What the keys are, and what to say about
 * one that is unknown, stays with the caller.
 */
#ifndef POC_INIFILE_H
#define POC_INIFILE_H

#include <stdarg.h>
#include <stdio.h>

struct inifile;

/* One "name = value" line of [section]. */
typedef void inifile_key_fn(struct inifile *, const char *section,
    const char *name, const char *value);
/* One error, formatted as "file:line: message" (or "file: message"). */
typedef void inifile_report_fn(struct inifile *, const char *text);
/* One "[section]" line, keys or none: a section without keys reaches
 * the key handler never, so only this says that it is there. */
typedef void inifile_section_fn(struct inifile *, const char *section);

struct inifile {
	const char		*path;	/* for messages */
	inifile_key_fn		*key;
	inifile_section_fn	*section;/* NULL: not told */
	inifile_report_fn	*report;/* NULL: a line on stderr */
	void			*arg;	/* the caller's */
	int			 line;	/* of the key being handled; 0 when
					 * the error is about the whole file */
	int			 errors;/* inifile_error() calls so far */
	FILE			*fp;
};

/*
 * Opens f->path and hands every key to f->key, and every section header
 * to f->section (before the keys under it), in file order.  A line that
 * is neither [section] nor key = value is reported after the whole file
 * (inih names the first such line when it is done).  Returns 0 once the
 * file has been read, f->errors counting what was wrong in it (f->line is
 * 0 again), or -1 if it cannot be opened (errno set, nothing reported).
 */
int	 inifile_parse(struct inifile *f);

/* Reports an error at f->line and counts it. */
void	 inifile_error(struct inifile *f, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 inifile_verror(struct inifile *f, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

#endif
