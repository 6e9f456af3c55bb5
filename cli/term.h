/*
 * Text safe and fitted for the operator's terminal (term.c): one-line
 * copies and printing with control characters defused, display widths in
 * columns, cutting to a width, and whether to colour.
 */
#ifndef POCCTL_TERM_H
#define POCCTL_TERM_H

#include <stddef.h>
#include <stdio.h>

/* SGR colour sequences, used only when term_use_color() says so. */
#define TERM_RED	"\033[1;31m"
#define TERM_AMBER	"\033[33m"
#define TERM_GREEN	"\033[32m"
#define TERM_EXERCISE	"\033[1;35m"
#define TERM_RESET	"\033[0m"

/* 1 if fp is a terminal and neither NO_COLOR nor TERM=dumb is set. */
int		 term_use_color(FILE *fp);

/* Writes s as written but with control characters (C0 but tab and
 * newline, DEL, C1) as U+FFFD; each line break is followed by indent. */
void		 term_put(FILE *fp, const char *s, const char *indent);

/* Copies s into buf as one line: newlines and tabs become spaces, other
 * control characters U+FFFD; cut on a character boundary if too long. */
const char	*term_oneline(const char *s, char *buf, size_t len);

/* Display width of a UTF-8 string in terminal columns. */
size_t		 term_width(const char *s);

/* Cuts s in place so that it is at most width columns, ending with "..."
 * when something was cut. */
void		 term_truncate(char *s, size_t width);

#endif
