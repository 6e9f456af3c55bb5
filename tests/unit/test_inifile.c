/*
 * inifile: keys reach the handler with their line numbers, section
 * headers (with keys or without) the section handler, errors name
 * "file:line" (or only the file for a rule about the whole file), a line
 * inih cannot parse is reported once the file is read, and a file that
 * cannot be opened is the caller's to report.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inifile.h"

/* What the handler and the reporter saw. */
struct seen {
	char	 keys[8][64];	/* "line section.name=value" */
	int	 nkeys;
	char	 errs[8][1024];
	int	 nerrs;
};

static void
key_cb(struct inifile *f, const char *section, const char *name,
    const char *value)
{
	struct seen	*s = f->arg;

	if (s->nkeys < 8)
		snprintf(s->keys[s->nkeys++], sizeof(s->keys[0]), "%d %s.%s=%s",
		    f->line, section, name, value);
	if (strcmp(name, "bad") == 0)
		inifile_error(f, "bad key %s", value);
}

static void
report_cb(struct inifile *f, const char *text)
{
	struct seen	*s = f->arg;

	if (s->nerrs < 8)
		snprintf(s->errs[s->nerrs++], sizeof(s->errs[0]), "%s", text);
}

/* Writes text to a new temporary file; returns its name (static). */
static const char *
write_tmp(const char *text)
{
	static char	 path[64];
	FILE		*fp;
	int		 fd;

	snprintf(path, sizeof(path), "/tmp/test_inifile.XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Sets f up to parse path into s with the test's handler and reporter. */
static void
setup_parse(struct inifile *f, struct seen *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->key = key_cb;
	f->report = report_cb;
	f->arg = s;
}

START_TEST(test_lines)
{
	struct seen	 s;
	struct inifile	 f;
	const char	*path = write_tmp("# comment\n[a]\nx = 1\n\n[b]\n"
	    "bad = 2\ny = 3\n");
	char		 want[128];

	setup_parse(&f, &s, path);
	ck_assert_int_eq(inifile_parse(&f), 0);
	ck_assert_int_eq(s.nkeys, 3);
	ck_assert_str_eq(s.keys[0], "3 a.x=1");
	ck_assert_str_eq(s.keys[1], "6 b.bad=2");
	ck_assert_str_eq(s.keys[2], "7 b.y=3");
	ck_assert_int_eq(f.errors, 1);
	ck_assert_int_eq(s.nerrs, 1);
	snprintf(want, sizeof(want), "%s:6: bad key 2", path);
	ck_assert_str_eq(s.errs[0], want);
	/* After the file, errors are about the whole of it. */
	ck_assert_int_eq(f.line, 0);
	inifile_error(&f, "%s is required", "z");
	snprintf(want, sizeof(want), "%s: z is required", path);
	ck_assert_str_eq(s.errs[1], want);
	ck_assert_int_eq(f.errors, 2);
	unlink(path);
}
END_TEST

/* The first line inih cannot parse is reported after the keys around it
 * have been handled. */
/* Records "line [section]" as a key line, so that the order shows. */
static void
section_cb(struct inifile *f, const char *section)
{
	struct seen	*s = f->arg;

	if (s->nkeys < 8)
		snprintf(s->keys[s->nkeys++], sizeof(s->keys[0]), "%d [%s]",
		    f->line, section);
}

/* Every header, empty sections included, in file order with the keys. */
START_TEST(test_sections)
{
	struct seen	 s;
	struct inifile	 f;
	const char	*path = write_tmp("\xEF\xBB\xBF[a]\n\n  [empty one] ; c\n"
	    "[b]\nx = 1\n[c]\n; only a comment\n[not closed\n");

	setup_parse(&f, &s, path);
	f.section = section_cb;
	ck_assert_int_eq(inifile_parse(&f), 0);
	unlink(path);
	ck_assert_int_eq(s.nkeys, 5);
	ck_assert_str_eq(s.keys[0], "1 [a]");
	ck_assert_str_eq(s.keys[1], "3 [empty one]");
	ck_assert_str_eq(s.keys[2], "4 [b]");
	ck_assert_str_eq(s.keys[3], "5 b.x=1");
	ck_assert_str_eq(s.keys[4], "6 [c]");
	/* "[not closed" is inih's syntax error, no section. */
	ck_assert_int_eq(s.nerrs, 1);
}
END_TEST

START_TEST(test_syntax_error)
{
	struct seen	 s;
	struct inifile	 f;
	const char	*path = write_tmp("[a]\nx = 1\nnot a key\nbad = 4\n"
	    "also not one\n");
	char		 want[160];

	setup_parse(&f, &s, path);
	ck_assert_int_eq(inifile_parse(&f), 0);
	ck_assert_int_eq(s.nkeys, 2);
	ck_assert_int_eq(s.nerrs, 2);
	snprintf(want, sizeof(want), "%s:4: bad key 4", path);
	ck_assert_str_eq(s.errs[0], want);
	snprintf(want, sizeof(want), "%s:3: syntax error (expected [section] "
	    "or key = value)", path);
	ck_assert_str_eq(s.errs[1], want);
	ck_assert_int_eq(f.errors, 2);
	ck_assert_int_eq(f.line, 0);
	unlink(path);
}
END_TEST

/* A line longer than inih's buffer is reported whole, once, and skipped:
 * its tail is not read as a line of its own, the next line is. */
START_TEST(test_long_line)
{
	struct seen	 s;
	struct inifile	 f;
	char		 text[512], value[301], want[700];
	const char	*path;

	memset(value, 'x', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	snprintf(text, sizeof(text), "[a]\nlong = %s\ny = 3\n", value);
	path = write_tmp(text);
	setup_parse(&f, &s, path);
	ck_assert_int_eq(inifile_parse(&f), 0);
	ck_assert_int_eq(s.nkeys, 1);
	ck_assert_str_eq(s.keys[0], "3 a.y=3");
	ck_assert_int_eq(s.nerrs, 1);
	ck_assert_int_eq(f.errors, 1);
	snprintf(want, sizeof(want), "%s:2: line too long (307 bytes, at most "
	    "198): \"long = %s\"", path, value);
	ck_assert_str_eq(s.errs[0], want);
	unlink(path);
}
END_TEST

/* A file that cannot be opened: -1 and errno, nothing reported. */
START_TEST(test_cannot_open)
{
	struct seen	 s;
	struct inifile	 f;

	setup_parse(&f, &s, "/nonexistent/pocd.conf");
	errno = 0;
	ck_assert_int_eq(inifile_parse(&f), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(s.nerrs, 0);
	ck_assert_int_eq(f.errors, 0);
}
END_TEST

static Suite *
inifile_suite(void)
{
	Suite	*su = suite_create("inifile");
	TCase	*tc = tcase_create("inifile");

	tcase_add_test(tc, test_lines);
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_cannot_open);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner	*sr = srunner_create(inifile_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
