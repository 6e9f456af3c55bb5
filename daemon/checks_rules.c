/*
 * Pure rules of communication checks and deadlines (see checks_rules.h).
 */
#include <string.h>

#include "checks_rules.h"
#include "proto/poc.pb-c.h"

#define RULES_ESCALATION_MAX	1000
#define RULES_TIME_MAX		(INT64_MAX / 4)	/* far beyond any real date */

const char *
checks_rules_strresult(enum check_result r)
{
	switch (r) {
	case CHECK_PENDING:
		return "pending";
	case CHECK_REACHED:
		return "reached";
	case CHECK_REPLIED:
		return "replied";
	case CHECK_LATE:
		return "late";
	case CHECK_SILENT:
		return "silent";
	}
	return "?";
}

enum check_result
checks_rules_classify(int64_t reply_by, const char *delivery,
    int64_t delivered_at, int64_t replied_at, int64_t now_ms)
{
	if (replied_at > 0)
		return replied_at <= reply_by ? CHECK_REPLIED : CHECK_LATE;
	if (delivery != NULL && strcmp(delivery, "rejected") == 0)
		return CHECK_SILENT;
	if (now_ms > reply_by)
		return CHECK_SILENT;
	if (delivered_at > 0 && delivery != NULL &&
	    strcmp(delivery, "delivered") == 0)
		return CHECK_REACHED;
	return CHECK_PENDING;
}

int64_t
checks_rules_period(int urgency, const struct deadline_periods *p)
{
	int	 s;

	switch (urgency) {
	case POC__URGENCY__FLASH:
		s = p->flash;
		break;
	case POC__URGENCY__IMMEDIATE:
		s = p->immediate;
		break;
	case POC__URGENCY__PRIORITY:
		s = p->priority;
		break;
	case POC__URGENCY__ROUTINE:
		s = p->routine;
		break;
	default:
		s = p->none;
		break;
	}
	return s > 0 ? (int64_t)s * 1000 : 1000;
}

int64_t
checks_rules_deadline(int urgency, int64_t created_at,
    const struct deadline_periods *p)
{
	if (created_at <= 0 || created_at > RULES_TIME_MAX)
		return 0;
	return created_at + checks_rules_period(urgency, p);
}

unsigned
checks_rules_escalation(int64_t deadline_at, int64_t period_ms,
    int64_t now_ms)
{
	int64_t	 n;

	if (deadline_at <= 0 || period_ms <= 0 || now_ms <= deadline_at)
		return 0;
	n = (now_ms - deadline_at) / period_ms;
	return n > RULES_ESCALATION_MAX ? RULES_ESCALATION_MAX : (unsigned)n;
}
