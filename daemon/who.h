/*
 * "Whom do I contact now" (DESIGN.md "Directory"): the ranking of a
 * member's PoCs.  Pure: it reads a record and the node's last successful
 * checks and computes; the time-zone arithmetic uses the C library's zone
 * files, so daylight saving time is whatever the zone says it is.
 */
#ifndef POC_WHO_H
#define POC_WHO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto/poc.pb-c.h"

struct who_entry {
	const Poc__DirectoryPoc	*poc;
	size_t			 index;		/* in the record's pocs */
	int			 available;
	int64_t			 last_check;	/* Unix ms, 0 = never */
	int			 lang_match;
};

/* The civil time at at_ms in IANA zone tz.  Returns 0, or -1 if the zone
 * does not exist on this system. */
int	 who_localtime(const char *tz, int64_t at_ms, struct tm *out);

/* 1 if p can be reached at at_ms: 24/7, or inside one of its weekly
 * intervals in its own zone; 0 otherwise (also when its zone is unknown). */
int	 who_available(const Poc__DirectoryPoc *p, int64_t at_ms);

/* 1 if one of p's languages has the primary subtag of lang. */
int	 who_lang_match(const Poc__DirectoryPoc *p, const char *lang);

/*
 * Ranks r's PoCs for at_ms, best first, into out (at most max): the level
 * asked first (0 = none), then available, then the level order technical,
 * diplomatic, policy, then the most recent successful check, then the
 * language match (lang NULL or "" = none), then the record's order.
 * last_check holds r->n_pocs entries or is NULL.  Returns the count.
 */
size_t	 who_rank(const Poc__DirectoryRecord *r, const int64_t *last_check,
	    int level, int64_t at_ms, const char *lang, struct who_entry *out,
	    size_t max);

/* p's channels ordered by priority (1 first, 0 = unset last), stably, into
 * out (p->n_channels entries). */
void	 who_channels(const Poc__DirectoryPoc *p,
	    const Poc__DirectoryChannel **out);

#endif
