/*
 * The operator's side of communication checks (see ctl_checks.h): start a
 * campaign, and report one or list them.  The report is computed
 * when asked: checks_rules.c classifies each member from the store's
 * delivery and reply times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "checks_rules.h"
#include "ctl_checks.h"
#include "log.h"
#include "node.h"
#include "store.h"
#include "store_checks.h"
#include "util.h"
#include "validate.h"

#define CHECKS_LIST_DEFAULT	20

/* Frees one campaign message as built by checks_campaign_msg. */
static void
checks_campaign_free(Poc__CheckCampaign *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_targets; i++) {
		if (c->targets[i] == NULL)
			continue;
		free(c->targets[i]->member);
		free(c->targets[i]->envelope_id);
		free(c->targets[i]->delivery);
		free(c->targets[i]->replied_by);
		free(c->targets[i]->reply_id);
		free(c->targets[i]->reason);
		free(c->targets[i]);
	}
	free(c->targets);
	free(c->id);
	free(c->created_by);
	free(c);
}

/* Builds the report of one campaign (with targets if asked) at now_ms. */
static Poc__CheckCampaign *
checks_campaign_msg(const struct store_check_campaign *sc, int with_targets,
    int64_t now_ms)
{
	struct store_check_target	*t = NULL;
	Poc__CheckCampaign		*c;
	Poc__CheckTarget		*ct;
	int				 n = 0, i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	poc__check_campaign__init(c);
	c->id = strdup(sc->id);
	c->created_by = strdup(sc->created_by);
	c->created_at = sc->created_at;
	c->reply_by = sc->reply_by;
	c->scheduled = sc->scheduled != 0;
	c->now = now_ms;
	if (c->id == NULL || c->created_by == NULL)
		goto fail;
	if (!with_targets)
		return c;
	if ((n = store_checks_targets(env->store, sc->id, &t)) < 0)
		goto fail;
	if ((c->targets = calloc((size_t)n + 1, sizeof(*c->targets))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((ct = calloc(1, sizeof(*ct))) == NULL)
			goto fail;
		poc__check_target__init(ct);
		c->targets[c->n_targets++] = ct;
		ct->member = strdup(t[i].member);
		ct->envelope_id = strdup(t[i].envelope_id);
		ct->delivery = strdup(t[i].delivery);
		ct->replied_by = strdup(t[i].replied_by);
		ct->reply_id = strdup(t[i].reply_id);
		ct->reason = strdup(t[i].reason);
		if (ct->member == NULL || ct->envelope_id == NULL ||
		    ct->delivery == NULL || ct->replied_by == NULL ||
		    ct->reply_id == NULL || ct->reason == NULL)
			goto fail;
		/* delivered_at is the receipt's time, rejected ones too. */
		ct->delivered_at = strcmp(t[i].delivery, "delivered") == 0 ?
		    t[i].delivered_at : 0;
		ct->replied_at = t[i].replied_at;
		ct->result = (char *)checks_rules_strresult(
		    checks_rules_classify(sc->reply_by, t[i].delivery,
		    ct->delivered_at, t[i].replied_at, now_ms));
	}
	free(t);
	return c;
 fail:
	free(t);
	log_warn("checks: report");
	checks_campaign_free(c);
	return NULL;
}

/* Hands campaigns to the reply as OpReply.check_campaigns. */
static void
checks_reply_campaigns(Poc__OpReply *rep, Poc__CheckCampaign **cs, size_t n)
{
	Poc__CheckCampaigns	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		while (n > 0)
			checks_campaign_free(cs[--n]);
		free(cs);
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "out of memory");
		return;
	}
	poc__check_campaigns__init(r);
	r->campaigns = cs;
	r->n_campaigns = n;
	rep->kind_case = POC__OP_REPLY__KIND_CHECK_CAMPAIGNS;
	rep->check_campaigns = r;
}

/* Replies with the report of one stored campaign. */
static void
checks_reply_one(Poc__OpReply *rep, const struct store_check_campaign *sc)
{
	Poc__CheckCampaign	**cs;

	if ((cs = calloc(1, sizeof(*cs))) == NULL ||
	    (cs[0] = checks_campaign_msg(sc, 1, util_now_ms())) == NULL) {
		free(cs);
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read "
		    "the store");
		return;
	}
	checks_reply_campaigns(rep, cs, 1);
}

void
ctl_checks_start(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	const Poc__CheckStart		*cs = req->check_start;
	struct store_check_campaign	 c;
	const char			*by = op;
	int64_t				 within;
	char				 err[256];

	if (cs->all && cs->n_members > 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "give "
		    "members or all, not both");
		return;
	}
	if (!cs->all && cs->n_members == 0) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "give at "
		    "least one member, or all");
		return;
	}
	within = cs->reply_within;
	if (within == 0)
		within = env->conf.checks_reply_within;
	if (within < 1 || within > 31 * 86400) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "reply "
		    "within must be 1 second to 31 days");
		return;
	}
	if (checks_start_members(cs->members, cs->n_members, cs->all,
	    within * 1000, cs->exercise, by, &c, err, sizeof(err)) == -1) {
		log_info("operator %s: check refused: %s", by, err);
		ctl_error(rep, strncmp(err, "the store", 9) == 0 ?
		    POC__OP_ERROR__CODE__INTERNAL : POC__OP_ERROR__CODE__INVALID,
		    "%s", err);
		return;
	}
	checks_reply_one(rep, &c);
}

void
ctl_checks_query(const char *op, const Poc__OpRequest *req, Poc__OpReply *rep)
{
	const Poc__CheckQuery		*q = req->check_query;
	struct store_check_campaign	 sc, *all = NULL;
	Poc__CheckCampaign		**cs;
	int				 n, i, limit;
	int64_t				 now = util_now_ms();

	(void)op;
	if (q->list) {
		limit = q->limit > 0 && q->limit <= 10000 ? (int)q->limit :
		    CHECKS_LIST_DEFAULT;
		if ((n = store_checks_campaigns(env->store, limit, &all)) < 0) {
			ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL,
			    "cannot read the store");
			return;
		}
		if ((cs = calloc((size_t)n + 1, sizeof(*cs))) == NULL) {
			free(all);
			ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL,
			    "out of memory");
			return;
		}
		for (i = 0; i < n; i++)
			if ((cs[i] = checks_campaign_msg(&all[i], 1, now)) ==
			    NULL) {
				while (i > 0)
					checks_campaign_free(cs[--i]);
				free(cs);
				free(all);
				ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL,
				    "cannot read the store");
				return;
			}
		free(all);
		checks_reply_campaigns(rep, cs, (size_t)n);
		return;
	}
	if (q->campaign_id[0] != '\0' && (strlen(q->campaign_id) <
	    VALIDATE_ID_PREFIX_MIN || strlen(q->campaign_id) > 36)) {
		ctl_error(rep, POC__OP_ERROR__CODE__BAD_REQUEST, "give a "
		    "campaign id or at least its first %d characters",
		    VALIDATE_ID_PREFIX_MIN);
		return;
	}
	switch (store_checks_campaign_get(env->store, q->campaign_id, &sc)) {
	case 1:
		checks_reply_one(rep, &sc);
		return;
	case 0:
		if (q->campaign_id[0] == '\0')
			ctl_error(rep, POC__OP_ERROR__CODE__NOT_FOUND, "no "
			    "campaign yet (start one with 'pocctl check')");
		else
			ctl_error(rep, POC__OP_ERROR__CODE__NOT_FOUND, "no "
			    "campaign %s on this node", q->campaign_id);
		return;
	case 2:
		ctl_error(rep, POC__OP_ERROR__CODE__AMBIGUOUS, "%s matches "
		    "more than one campaign; give more characters",
		    q->campaign_id);
		return;
	default:
		ctl_error(rep, POC__OP_ERROR__CODE__INTERNAL, "cannot read "
		    "the store");
		return;
	}
}

void
ctl_checks_free(Poc__OpReply *rep)
{
	size_t	 i;

	if (rep->kind_case != POC__OP_REPLY__KIND_CHECK_CAMPAIGNS ||
	    rep->check_campaigns == NULL)
		return;
	for (i = 0; i < rep->check_campaigns->n_campaigns; i++)
		checks_campaign_free(rep->check_campaigns->campaigns[i]);
	free(rep->check_campaigns->campaigns);
	free(rep->check_campaigns);
	rep->check_campaigns = NULL;
}
