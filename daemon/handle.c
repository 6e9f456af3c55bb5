/*
 * The effects of incoming envelopes, by kind (see handle.h).  Each runs
 * inside the receive path's transaction, after the envelope's row: the
 * writes of checks.c, directory.c and deadline.c join it (the store nests
 * them as savepoints) instead of committing on their own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "clock.h"
#include "deadline.h"
#include "handle.h"
#include "log.h"
#include "node.h"
#include "store.h"
#include "store_msg.h"
#include "util.h"

/* Per-kind effect, run after the envelope's row, in its transaction. */
typedef void (*handle_fn)(const char *peer, const Poc__Envelope *);

static void	handle_reference(const char *, const char *, const char *,
		    const char *);
static void	handle_acknowledgement(const char *, const Poc__Envelope *);
static void	handle_response(const char *, const Poc__Envelope *);

static const struct {
	const char	*name;
	handle_fn	 fn;
} handlers[] = {
	[POC__ENVELOPE__BODY_ASSISTANCE_REQUEST] = { "assistance_request", NULL },
	[POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE] = { "assistance_response",
	    handle_response },
	[POC__ENVELOPE__BODY_NOTIFICATION] = { "notification", NULL },
	[POC__ENVELOPE__BODY_ACKNOWLEDGEMENT] = { "acknowledgement",
	    handle_acknowledgement },
	[POC__ENVELOPE__BODY_STATUS_UPDATE] = { "status_update",
	    deadline_case_received },
	[POC__ENVELOPE__BODY_COMMUNICATION_CHECK] = { "communication_check",
	    NULL },
	[POC__ENVELOPE__BODY_CHECK_REPLY] = { "check_reply",
	    checks_reply_received },
};

#define NHANDLERS	(sizeof(handlers) / sizeof(handlers[0]))

const char *
handle_kind_name(int body_case)
{
	if (body_case < 0 || (size_t)body_case >= NHANDLERS ||
	    handlers[body_case].name == NULL)
		return "unknown";
	return handlers[body_case].name;
}

/* A reply names a message of ours: it should be one we sent to that peer.
 * A mismatch is logged, not refused: the peer's act is still a record. */
static void
handle_reference(const char *peer, const char *what, const char *id,
    const char *ref)
{
	Poc__StoredMessage	*m = NULL;

	if (store_get(env->store, ref, &m) != 1 || m == NULL ||
	    strcmp(m->envelope->id, ref) != 0) {
		log_warnx("%s from %s (%s) refers to unknown message %s", what,
		    peer, id, ref);
	} else if (strcmp(m->direction, "out") != 0 ||
	    strcmp(m->envelope->recipient, peer) != 0) {
		log_warnx("%s from %s (%s) refers to %s, which was not sent "
		    "to %s", what, peer, id, ref, peer);
	}
	if (m != NULL)
		protobuf_c_message_free_unpacked(&m->base, NULL);
}

static void
handle_acknowledgement(const char *peer, const Poc__Envelope *e)
{
	handle_reference(peer, "acknowledgement", e->id,
	    e->acknowledgement->ack_of);
}

static void
handle_response(const char *peer, const Poc__Envelope *e)
{
	handle_reference(peer, "assistance response", e->id,
	    e->assistance_response->request_id);
}

void
handle_effects(const char *peer, const Poc__Envelope *e)
{
	int64_t	 now = util_now_ms();

	if (clock_in_future(e->created_at, now))
		log_warnx("peer %s: envelope %s is dated %lld s ahead of our "
		    "clock (beyond clock_tolerance): stored and flagged; its "
		    "date is not used for the case's order", peer, e->id,
		    (long long)((e->created_at - now) / 1000));
	if (e->body_case >= 0 && (size_t)e->body_case < NHANDLERS &&
	    handlers[e->body_case].fn != NULL)
		handlers[e->body_case].fn(peer, e);
}
