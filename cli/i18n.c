/*
 * pocctl's language set-up (see i18n.h).  gettext only honours LANGUAGE
 * when the locale is not "C", and a container or a fresh server often has
 * no locale but C and C.UTF-8 installed; so when the wanted language's
 * locale is missing, pocctl runs in C.UTF-8 (UTF-8 output, wide-character
 * widths right) and names the language through LANGUAGE.
 */
#include <ctype.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/i18n.h"

static char	 i18n_dir[PATH_MAX];

/* 1 if s looks like a language tag or locale name: fr, zh_CN, pt-BR,
 * fr_FR.UTF-8, sr@latin. */
static int
i18n_valid(const char *s)
{
	size_t	 i;

	if (s == NULL || !isalpha((unsigned char)s[0]) || strlen(s) > 64)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_-.@", s[i]) ==
		    NULL)
			return 0;
	return 1;
}

/* The first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set. */
static const char *
i18n_env(void)
{
	static const char *const vars[] = {
		"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"
	};
	const char	*v;
	size_t		 i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((v = getenv(vars[i])) != NULL && v[0] != '\0')
			return v;
	return NULL;
}

/* Chooses the catalog directory once. */
static void
i18n_find_dir(void)
{
	struct stat	 sb;
	const char	*e;
	char		 exe[PATH_MAX], *slash;
	ssize_t		 n;

	if ((e = getenv("POCCTL_LOCALEDIR")) != NULL && e[0] != '\0') {
		snprintf(i18n_dir, sizeof(i18n_dir), "%s", e);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(i18n_dir, sizeof(i18n_dir),
			    "%s/locale", exe) < sizeof(i18n_dir) &&
			    stat(i18n_dir, &sb) == 0 && S_ISDIR(sb.st_mode))
				return;
		}
	}
	snprintf(i18n_dir, sizeof(i18n_dir), "%s", LOCALEDIR);
}

/* Sets the locale from the environment, or for lang. */
int
i18n_init(const char *lang)
{
	const char	*want, *cur;
	char		 code[65];
	size_t		 n;

	if (lang != NULL && !i18n_valid(lang))
		return -1;
	if (i18n_dir[0] == '\0')
		i18n_find_dir();
	if (lang != NULL)
		setenv("LANGUAGE", lang, 1);
	cur = setlocale(LC_ALL, "");
	want = lang != NULL ? lang : i18n_env();
	if (want != NULL && i18n_valid(want) && strcmp(want, "C") != 0 &&
	    strcmp(want, "POSIX") != 0 && (cur == NULL ||
	    strcmp(setlocale(LC_MESSAGES, NULL), "C") == 0 ||
	    strcmp(setlocale(LC_MESSAGES, NULL), "POSIX") == 0)) {
		/* The locale asked for is not installed: keep its language
		 * through LANGUAGE, in a UTF-8 locale that always exists. */
		if (getenv("LANGUAGE") == NULL || getenv("LANGUAGE")[0] ==
		    '\0') {
			n = strcspn(want, ".@");
			snprintf(code, sizeof(code), "%.*s", (int)n, want);
			setenv("LANGUAGE", code, 1);
		}
		setlocale(LC_ALL, "C.UTF-8");
	}
	bindtextdomain("pocctl", i18n_dir);
	bind_textdomain_codeset("pocctl", "UTF-8");
	textdomain("pocctl");
	return 0;
}

const char *
i18n_localedir(void)
{
	if (i18n_dir[0] == '\0')
		i18n_find_dir();
	return i18n_dir;
}
