/*
 * The who ranking (see who.h).  Working hours are weekly intervals in the
 * PoC's own IANA zone: the instant asked is converted to that zone's civil
 * time with the C library (TZ set for the call and restored after), so
 * transitions into and out of daylight saving time are the zone file's, not
 * ours.  pocd is single-threaded, so changing TZ for one call is safe.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dirrec.h"
#include "who.h"

int
who_localtime(const char *tz, int64_t at_ms, struct tm *out)
{
	char	*saved = NULL, *old;
	time_t	 t;
	int	 ok;

	if (tz == NULL || !dirrec_tz_valid(tz))
		return -1;
	if ((old = getenv("TZ")) != NULL && (saved = strdup(old)) == NULL)
		return -1;
	t = (time_t)(at_ms >= 0 ? at_ms / 1000 : (at_ms - 999) / 1000);
	if (setenv("TZ", tz, 1) != 0) {
		free(saved);
		return -1;
	}
	tzset();
	ok = localtime_r(&t, out) != NULL;
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	return ok ? 0 : -1;
}

int
who_available(const Poc__DirectoryPoc *p, int64_t at_ms)
{
	struct tm	 tm;
	unsigned	 day, minute;
	size_t		 i;

	if (p->always)
		return 1;
	if (p->n_hours == 0 || who_localtime(p->time_zone, at_ms, &tm) != 0)
		return 0;
	day = tm.tm_wday == 0 ? 7 : (unsigned)tm.tm_wday;
	minute = (unsigned)(tm.tm_hour * 60 + tm.tm_min);
	for (i = 0; i < p->n_hours; i++)
		if (p->hours[i]->day == day && p->hours[i]->start <= minute &&
		    minute < p->hours[i]->end)
			return 1;
	return 0;
}

/* Length of the primary language subtag of s. */
static size_t
who_primary_len(const char *s)
{
	size_t	 n = strcspn(s, "-_");

	return n;
}

int
who_lang_match(const Poc__DirectoryPoc *p, const char *lang)
{
	size_t	 i, n;

	if (lang == NULL || lang[0] == '\0')
		return 0;
	n = who_primary_len(lang);
	for (i = 0; i < p->n_languages; i++)
		if (who_primary_len(p->languages[i]) == n &&
		    strncasecmp(p->languages[i], lang, n) == 0)
			return 1;
	return 0;
}

/* Technical first, then diplomatic, then policy. */
static int
who_level_rank(int level)
{
	switch (level) {
	case POC__DIRECTORY_POC__LEVEL__TECHNICAL:
		return 0;
	case POC__DIRECTORY_POC__LEVEL__DIPLOMATIC:
		return 1;
	case POC__DIRECTORY_POC__LEVEL__POLICY:
		return 2;
	default:
		return 3;
	}
}

/* <0 if a ranks before b. */
static int
who_cmp(const struct who_entry *a, const struct who_entry *b, int level)
{
	int	 la, lb;

	if (level != 0) {
		la = (int)a->poc->level == level;
		lb = (int)b->poc->level == level;
		if (la != lb)
			return lb - la;
	}
	if (a->available != b->available)
		return b->available - a->available;
	la = who_level_rank(a->poc->level);
	lb = who_level_rank(b->poc->level);
	if (la != lb)
		return la - lb;
	if (a->last_check != b->last_check)
		return a->last_check > b->last_check ? -1 : 1;
	if (a->lang_match != b->lang_match)
		return b->lang_match - a->lang_match;
	return a->index < b->index ? -1 : a->index > b->index;
}

size_t
who_rank(const Poc__DirectoryRecord *r, const int64_t *last_check, int level,
    int64_t at_ms, const char *lang, struct who_entry *out, size_t max)
{
	struct who_entry	 e;
	size_t			 i, j, n = 0;

	for (i = 0; i < r->n_pocs; i++) {
		e.poc = r->pocs[i];
		e.index = i;
		e.available = who_available(r->pocs[i], at_ms);
		e.last_check = last_check != NULL ? last_check[i] : 0;
		e.lang_match = who_lang_match(r->pocs[i], lang);
		/* Insertion keeps equal keys in record order (stable). */
		for (j = n; j > 0 && who_cmp(&e, &out[j - 1], level) < 0; j--)
			if (j < max)
				out[j] = out[j - 1];
		if (j < max) {
			out[j] = e;
			if (n < max)
				n++;
		}
	}
	return n;
}

void
who_channels(const Poc__DirectoryPoc *p, const Poc__DirectoryChannel **out)
{
	const Poc__DirectoryChannel	*c;
	size_t				 i, j;
	unsigned			 pc, pj;

	for (i = 0; i < p->n_channels; i++) {
		c = p->channels[i];
		pc = c->priority == 0 ? ~0u : c->priority;
		for (j = i; j > 0; j--) {
			pj = out[j - 1]->priority == 0 ? ~0u :
			    out[j - 1]->priority;
			if (pj <= pc)
				break;
			out[j] = out[j - 1];
		}
		out[j] = c;
	}
}
