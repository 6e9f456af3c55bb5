/*
 * Aligned text tables and label/value pairs for pocctl's text printers
 * (table.c):
 *
 *	struct table	 t;
 *
 *	table_init(&t, 3);
 *	table_row(&t, _("ID"), _("STATE"), _("SUMMARY"));
 *	table_row(&t, id, state, summary);
 *	table_color(&t, 1, TERM_RED);
 *	table_print(&t, stdout);
 *	table_free(&t);
 */
#ifndef POCCTL_TABLE_H
#define POCCTL_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* A table of text cells, row 0 the headers. */
struct table {
	size_t	  ncols, nrows, cap;
	char	**cells;		/* nrows * ncols, owned */
	const char **colors;		/* SGR per cell or NULL */
};

void	 table_init(struct table *, size_t ncols);

/* Appends a row of ncols strings (NULL = ""), each copied as one line. */
void	 table_row(struct table *, ...);

/* Colours cell col of the last row with SGR sequence sgr ("" = none);
 * shown only on a terminal that wants colour. */
void	 table_color(struct table *, size_t col, const char *sgr);

/* Prints the rows, the last column cut to the terminal's width. */
void	 table_print(struct table *, FILE *);

void	 table_free(struct table *);

/* Columns available on stdout: the terminal's width, else 100. */
size_t	 table_columns(void);

/* Prints "Label:  value" lines aligned, from label, value, ..., NULL. */
void	 table_pairs(FILE *, const char *label, ...);

#endif
