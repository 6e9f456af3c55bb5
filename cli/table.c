/*
 * Aligned text for people: tables whose columns are two spaces apart and
 * whose last column is cut to the terminal's width (other columns give way
 * first, down to a few characters each), cells optionally coloured, and
 * "Label:  value" pairs.  Every cell is one sanitized line (term.c).
 */
#include <sys/ioctl.h>

#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/table.h"
#include "cli/term.h"

#define TABLE_CELL	1024	/* bytes in one cell */
#define TABLE_MINLAST	12	/* columns the last column gets at least */
#define TABLE_MINCOL	6	/* columns another column keeps at least */

/* Starts an empty table of ncols columns. */
void
table_init(struct table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

/* Appends a row of ncols strings; each is copied as one sanitized line. */
void
table_row(struct table *t, ...)
{
	va_list		 ap;
	const char	*s;
	char		 buf[TABLE_CELL], **nc;
	const char	**nco;
	size_t		 i;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		nc = reallocarray(t->cells, t->cap * t->ncols, sizeof(*nc));
		if (nc == NULL)
			err(1, "reallocarray");
		t->cells = nc;
		nco = reallocarray(t->colors, t->cap * t->ncols,
		    sizeof(*nco));
		if (nco == NULL)
			err(1, "reallocarray");
		t->colors = nco;
	}
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		s = va_arg(ap, const char *);
		term_oneline(s != NULL ? s : "", buf, sizeof(buf));
		if ((t->cells[t->nrows * t->ncols + i] = strdup(buf)) == NULL)
			err(1, "strdup");
		t->colors[t->nrows * t->ncols + i] = NULL;
	}
	va_end(ap);
	t->nrows++;
}

/* Colours cell col of the last row with SGR sequence sgr ("" = none);
 * shown only on a terminal without NO_COLOR. */
void
table_color(struct table *t, size_t col, const char *sgr)
{
	if (t->nrows > 0 && col < t->ncols && sgr != NULL && sgr[0] != '\0')
		t->colors[(t->nrows - 1) * t->ncols + col] = sgr;
}

/* Writes one cell, in its colour when colour is on. */
static void
table_put(FILE *fp, const char *c, const char *sgr, int color)
{
	if (color && sgr != NULL)
		fprintf(fp, "%s%s%s", sgr, c, TERM_RESET);
	else
		fputs(c, fp);
}

/* Prints the table with columns two spaces apart, the last column cut so
 * that each line fits in the terminal. */
void
table_print(struct table *t, FILE *fp)
{
	size_t		 w[16], i, j, used = 0, cols = table_columns(), pad;
	char		*c;
	const char	*sgr;
	int		 color = term_use_color(fp);

	if (t->ncols == 0 || t->ncols > sizeof(w) / sizeof(w[0]))
		return;
	for (j = 0; j < t->ncols; j++) {
		w[j] = 0;
		for (i = 0; i < t->nrows; i++) {
			c = t->cells[i * t->ncols + j];
			if (term_width(c) > w[j])
				w[j] = term_width(c);
		}
		if (j + 1 < t->ncols)
			used += w[j] + 2;
	}
	/* Too wide for the terminal: narrow the widest other columns, one
	 * column at a time, down to TABLE_MINCOL each. */
	while (used + TABLE_MINLAST > cols) {
		size_t	 wide = 0;

		for (j = 1; j + 1 < t->ncols; j++)
			if (w[j] > w[wide])
				wide = j;
		if (t->ncols < 2 || w[wide] <= TABLE_MINCOL)
			break;
		w[wide]--;
		used--;
	}
	if (used + TABLE_MINLAST < cols)
		w[t->ncols - 1] = cols - used;
	else
		w[t->ncols - 1] = TABLE_MINLAST;
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++) {
			c = t->cells[i * t->ncols + j];
			sgr = t->colors[i * t->ncols + j];
			if (j + 1 == t->ncols) {
				term_truncate(c, w[j]);
				table_put(fp, c, sgr, color);
				fputc('\n', fp);
				break;
			}
			term_truncate(c, w[j]);
			pad = w[j] - term_width(c) + 2;
			table_put(fp, c, sgr, color);
			fprintf(fp, "%*s", (int)pad, "");
		}
	}
}

/* Frees the cells; t can be filled again after table_init. */
void
table_free(struct table *t)
{
	size_t	 i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->colors);
	memset(t, 0, sizeof(*t));
}

/* The width to fit tables to. */
size_t
table_columns(void)
{
	struct winsize	 ws;

	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 100;
}

/* Prints "Label:  value" pairs (label, value, ..., NULL) aligned. */
void
table_pairs(FILE *fp, const char *label, ...)
{
	va_list		 ap;
	const char	*l, *v;
	size_t		 width = 0, w;

	va_start(ap, label);
	for (l = label; l != NULL; l = va_arg(ap, const char *)) {
		(void)va_arg(ap, const char *);
		if ((w = term_width(l) + 1) > width)
			width = w;
	}
	va_end(ap);
	va_start(ap, label);
	for (l = label; l != NULL; l = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		w = term_width(l) + 1;
		fprintf(fp, "%s:%*s%s\n", l, (int)(width - w + 2), "", v);
	}
	va_end(ap);
}
