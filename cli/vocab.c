/*
 * pocctl's state vocabulary (vocab.h).  Before this table, the inbox said
 * "acked" where show and --json said "received", and the outbox said
 * "OVERDUE" where JSON said "delivered": one word per state now, chosen
 * here for every view.  The order of the rules is the order of the table:
 * the first that holds names the state.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/i18n.h"
#include "cli/vocab.h"

struct vocab_rule {
	const char	*word;		/* the state, also the msgid */
	int		 alarm;		/* shown in red */
	int		(*holds)(const Poc__StoredMessage *);
};

static int
vocab_rejected(const Poc__StoredMessage *sm)
{
	return strcmp(sm->state, "rejected") == 0;
}

/* Someone acknowledged it: we (incoming) or the recipient (outgoing). */
static int
vocab_acknowledged(const Poc__StoredMessage *sm)
{
	return sm->n_acknowledged_by > 0;
}

/* Past its acknowledgement deadline without an acknowledgement. */
static int
vocab_overdue(const Poc__StoredMessage *sm)
{
	return sm->overdue;
}

static int
vocab_stored(const Poc__StoredMessage *sm)
{
	(void)sm;
	return 1;
}

static const struct vocab_rule vocab_rules[] = {
	{ N_("rejected"),	1, vocab_rejected },
	{ N_("acknowledged"),	0, vocab_acknowledged },
	{ N_("overdue"),	1, vocab_overdue },
	/* Else where the node holds it: queued, delivered or received. */
	{ NULL,			0, vocab_stored },
};

/* The rule that names sm's state. */
static const struct vocab_rule *
vocab_rule_of(const Poc__StoredMessage *sm)
{
	size_t	 i;

	for (i = 0; !vocab_rules[i].holds(sm); i++)
		;
	return &vocab_rules[i];
}

const char *
vocab_state(const Poc__StoredMessage *sm)
{
	const struct vocab_rule	*r = vocab_rule_of(sm);

	return r->word != NULL ? r->word : sm->state;
}

const char *
vocab_state_text(const Poc__StoredMessage *sm, char *buf, size_t len)
{
	const char	*w = vocab_state(sm);

	if (strcmp(w, "queued") == 0 && sm->attempts > 0)
		snprintf(buf, len, ngettext("queued (%u attempt)",
		    "queued (%u attempts)", sm->attempts), sm->attempts);
	else
		snprintf(buf, len, "%s", w[0] != '\0' ? _(w) : "-");
	return buf;
}

int
vocab_state_alarm(const Poc__StoredMessage *sm)
{
	return vocab_rule_of(sm)->alarm;
}

/* The distance d (ms, > 0) in one unit a person reads at a glance. */
static void
vocab_span(int64_t d, char *buf, size_t len)
{
	long long	 s = (long long)(d / 1000);

	if (s < 60)
		snprintf(buf, len, _("%lld s"), s);
	else if (s < 3600)
		snprintf(buf, len, _("%lld min"), s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, len, _("%lld h"), s / 3600);
	else
		snprintf(buf, len, _("%lld d"), s / 86400);
}

const char *
vocab_when(int64_t ms, int64_t now, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 t;
	char		 at[32], span[32];

	if (ms == 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	t = (time_t)(ms / 1000);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(at, sizeof(at), "%Y-%m-%d %H:%MZ", &tm) == 0)
		snprintf(at, sizeof(at), "?");
	vocab_span(ms <= now ? now - ms : ms - now, span, sizeof(span));
	snprintf(buf, len, ms <= now ? _("%s, %s ago") : _("%s, in %s"), at,
	    span);
	return buf;
}
