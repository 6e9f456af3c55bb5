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
static int	 i18n_warned;	/* the missing catalog was reported */

/* The catalog directory compiled in (from PREFIX); kept as data so that
 * it can be read from the binary (tests/ops install check). */
const char	 i18n_compiled_dir[] = LOCALEDIR;

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
	snprintf(i18n_dir, sizeof(i18n_dir), "%s", i18n_compiled_dir);
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
	if (lang != NULL)
		i18n_check();
	return 0;
}

void
i18n_check(void)
{
	static const char *const langs[] = { "ar", "es", "fr", "ru", "zh" };
	const char	*want;
	char		 code[8], path[PATH_MAX + 64];
	struct stat	 sb;
	size_t		 i;

	if (i18n_warned || (want = getenv("LANGUAGE")) == NULL ||
	    want[0] == '\0')
		want = i18n_env();
	if (i18n_warned || want == NULL)
		return;
	/* The language: "fr" of fr, fr_CA.UTF-8 or fr:en. */
	snprintf(code, sizeof(code), "%.*s", (int)strcspn(want, "_-.@:"),
	    want);
	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		if (strcmp(code, langs[i]) == 0)
			break;
	if (i == sizeof(langs) / sizeof(langs[0]))
		return;		/* English, or a language without a catalog */
	snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/pocctl.mo", i18n_dir,
	    code);
	if (stat(path, &sb) == 0)
		return;
	i18n_warned = 1;
	fprintf(stderr, "pocctl: no %s catalog (%s is missing): messages "
	    "stay in English; install pocctl's catalogs ('make install' "
	    "with the PREFIX of this pocctl) or set POCCTL_LOCALEDIR\n",
	    code, path);
}

const char *
i18n_localedir(void)
{
	if (i18n_dir[0] == '\0')
		i18n_find_dir();
	return i18n_dir;
}
