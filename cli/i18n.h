/*
 * Message catalogs for pocctl's labels and fixed statements.  The English
 * strings in the source are the msgids; catalogs for the other UN languages
 * (ar, zh, fr, ru, es) go under LOCALEDIR/LANG/LC_MESSAGES/pocctl.mo.
 * Free text written by people is never passed through here.
 */
#ifndef POCCTL_I18N_H
#define POCCTL_I18N_H

#include <libintl.h>

#ifndef LOCALEDIR
#define LOCALEDIR	"/usr/local/share/locale"
#endif

#define _(s)		gettext(s)
#define N_(s)		(s)		/* marks a msgid translated later */

#endif
