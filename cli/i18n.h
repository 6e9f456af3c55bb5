/*
 * Message catalogs for pocctl's labels and fixed statements.  The English
 * strings in the source are the msgids; catalogs for the other UN languages
 * (ar, zh, fr, ru, es) are po/LL.po, compiled at build time into
 * LOCALEDIR/LL/LC_MESSAGES/pocctl.mo.  Free text written by people is never
 * passed through here.
 */
#ifndef POCCTL_I18N_H
#define POCCTL_I18N_H

#include <libintl.h>

#ifndef LOCALEDIR
#define LOCALEDIR	"/usr/local/share/locale"
#endif

#define _(s)		gettext(s)
#define N_(s)		(s)		/* marks a msgid translated later */

/* The six UN languages pocctl has catalogs for (en is the source). */
#define I18N_LANGS	"ar, en, es, fr, ru, zh"

/*
 * Sets up the locale and the catalogs.  lang ("fr", from --lang) wins over
 * the environment; otherwise LANGUAGE, LC_ALL, LC_MESSAGES and LANG are
 * honoured.  When the locale the environment names is not installed (or
 * is C), C.UTF-8 is used with LANGUAGE set to its language, so that a
 * catalog is still found.  The catalogs are looked up in
 * $POCCTL_LOCALEDIR, else in "locale" next to the executable (the build
 * tree), else in LOCALEDIR.  May be called again to change the language.
 * Returns 0, or -1 if lang is not a language tag.
 */
int		 i18n_init(const char *lang);

/* msgids used only at run time (enum value names, states): msgids.c. */
extern const char *const i18n_extra_msgids[];

/* The directory the catalogs are read from. */
const char	*i18n_localedir(void);

/* The catalog directory compiled in (LOCALEDIR, from PREFIX). */
extern const char i18n_compiled_dir[];

/* Says once on stderr if the catalog of the language in force is one
 * pocctl has (I18N_LANGS) but is missing from the catalog directory, so
 * that a wrong install does not leave pocctl in English without a word.
 * i18n_init calls it for --lang; pocctl calls it before a command. */
void		 i18n_check(void);

#endif
