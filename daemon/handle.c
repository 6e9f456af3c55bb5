/*
 * Incoming envelopes (see handle.h).
 *
 * Order matters for safety: identity before content (a stranger's fields
 * are not even looked at), content before state (nothing invalid reaches
 * the store), the signature before any hook or store (it may be checked
 * on another thread, handle_verify, but its verdict is taken on the loop,
 * handle_verified, before anything acts on the envelope), and the receipt
 * only after the commit, so "accepted" always means "on disk".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "handle.h"
#include "log.h"
#include "msgsig.h"
#include "node.h"
#include "sig.h"
#include "store.h"
#include "util.h"
#include "validate.h"

/* Per-kind hook, run after validation and before the store. */
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
	[POC__ENVELOPE__BODY_STATUS_UPDATE] = { "status_update", NULL },
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

enum handle_result
handle_check(const char *peer, const Poc__Envelope *e, Poc__Receipt *r,
    char *reason, size_t reasonlen)
{
	struct validate_result	 vr;

	reason[0] = '\0';
	r->envelope_id = (char *)(e->id != NULL ? e->id : "");
	r->status = POC__RECEIPT__STATUS__REJECTED;
	r->reason = reason;

	/* Identity: the member a peer speaks for is its certificate's CN. */
	if (strcmp(e->sender, peer) != 0) {
		snprintf(reason, reasonlen, "sender \"%.64s\" does not match "
		    "the certificate of %s", e->sender, peer);
		log_warnx("peer %s: envelope %.64s refused: %s", peer,
		    r->envelope_id, reason);
		return HANDLE_IDENTITY;
	}
	if (validate_envelope(e, &vr) != 0) {
		snprintf(reason, reasonlen, "%s: %s (%zu problem%s)",
		    vr.err[0].field, vr.err[0].message, vr.total,
		    vr.total == 1 ? "" : "s");
		log_warnx("peer %s: envelope %.64s refused: %s", peer,
		    util_uuid_valid(e->id) ? e->id : "(bad id)", reason);
		if (!util_uuid_valid(e->id))
			r->envelope_id = (char *)"";
		return HANDLE_RECEIPT;
	}
	if (strcmp(e->recipient, env->conf.member) != 0) {
		snprintf(reason, reasonlen, "recipient is %s, this node is %s",
		    e->recipient, env->conf.member);
		log_warnx("peer %s: envelope %s refused: %s", peer, e->id,
		    reason);
		return HANDLE_RECEIPT;
	}
	return HANDLE_STORE;	/* the signature is handle_verify()'s */
}

/* The sender's own signature, by the key of this session's certificate,
 * so that the message stays provable without it.  Runs on any thread. */
int
handle_verify(X509 *peer_cert, const Poc__Envelope *e, char *why,
    size_t whylen)
{
	why[0] = '\0';
	return msgsig_check_received(e->sender, peer_cert, e, why, whylen);
}

enum handle_result
handle_verified(const char *peer, const Poc__Envelope *e, int ok,
    const char *why, Poc__Receipt *r, char *reason, size_t reasonlen)
{
	reason[0] = '\0';
	r->envelope_id = e->id;
	r->status = POC__RECEIPT__STATUS__REJECTED;
	r->reason = reason;
	if (!ok) {
		snprintf(reason, reasonlen, "%s", why);
		log_warnx("peer %s: envelope %s refused: %s", peer, e->id,
		    reason);
		return HANDLE_RECEIPT;
	}
	/* Only now that the sender is proven may the kind's hook act. */
	if (handlers[e->body_case].fn != NULL)
		handlers[e->body_case].fn(peer, e);
	return HANDLE_STORE;
}

/* The store step of a checked envelope (joins a batch if one is open). */
enum handle_result
handle_store(const char *peer, X509 *peer_cert, const Poc__Envelope *e,
    Poc__Receipt *r, char *reason, size_t reasonlen)
{
	enum store_put		 put;
	uint8_t			*der = NULL;
	int			 derlen;

	reason[0] = '\0';
	r->envelope_id = e->id;
	r->status = POC__RECEIPT__STATUS__REJECTED;
	r->reason = reason;
	/* handle_check verified the signature with peer_cert; keep it (no
	 * second verification: that was half the receive path's CPU). */
	if (peer_cert == NULL ||
	    (derlen = sig_cert_to_der(peer_cert, &der)) <= 0) {
		log_warnx("peer %s: envelope %s: its signer's certificate is "
		    "not at hand; no receipt, the sender will retry",
		    peer, e->id);
		return HANDLE_FAILED;
	}
	put = store_put_incoming_signed(env->store, e, der, (size_t)derlen,
	    util_now_ms());
	free(der);
	switch (put) {
	case STORE_NEW:
		r->status = POC__RECEIPT__STATUS__ACCEPTED;
		log_debug("peer %s: %s %s accepted", peer,
		    handle_kind_name(e->body_case), e->id);
		return HANDLE_RECEIPT;
	case STORE_DUPLICATE:
		r->status = POC__RECEIPT__STATUS__DUPLICATE;
		log_debug("peer %s: %s is a duplicate", peer, e->id);
		return HANDLE_RECEIPT;
	case STORE_CONFLICT:
		snprintf(reason, reasonlen, "id %s is already used by another "
		    "message", e->id);
		log_warnx("peer %s: envelope refused: %s", peer, reason);
		return HANDLE_RECEIPT;
	case STORE_ERROR:
		break;
	}
	log_warnx("peer %s: envelope %s not stored (store failure); no "
	    "receipt, the sender will retry", peer, e->id);
	return HANDLE_FAILED;
}
