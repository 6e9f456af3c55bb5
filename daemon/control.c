/*
 * The operator listener (see control.h).  The operator is whoever holds a
 * certificate of this node's operator CA; its CN is the operator's name,
 * handed to every handler, logged with every change it makes and recorded
 * in its acknowledgements.
 *
 * This file owns the connections only.  Each kind of OpRequest has a
 * handler in one of the ctl_*.c files (see ctl.h), chosen from a table
 * indexed by the oneof case, with the function that frees its reply once
 * the reply is sent.
 */
#include <stdlib.h>
#include <sys/queue.h>
#include <unistd.h>

#include "control.h"
#include "ctl.h"
#include "ctl_audit.h"
#include "ctl_checks.h"
#include "ctl_dir.h"
#include "ctl_cases.h"
#include "ctl_enroll.h"
#include "ctl_msg.h"
#include "ctl_status.h"
#include "ctl_watch.h"
#include "log.h"
#include "node.h"
#include "store_sync.h"
#include "session.h"

/* One operator connection. */
struct control_conn {
	LIST_ENTRY(control_conn)	 entry;
	struct session			*s;
};

static LIST_HEAD(, control_conn) conns = LIST_HEAD_INITIALIZER(conns);

static const struct {
	const char	*name;
	ctl_handler_fn	*fn;
	ctl_free_fn	*free;
} control_handlers[] = {
	[POC__OP_REQUEST__KIND_STATUS] = { "status", ctl_status_show,
	    ctl_status_free },
	[POC__OP_REQUEST__KIND_SEND] = { "send", ctl_msg_send, ctl_msg_free },
	[POC__OP_REQUEST__KIND_LIST] = { "list", ctl_msg_list, ctl_msg_free },
	[POC__OP_REQUEST__KIND_SHOW] = { "show", ctl_msg_show, ctl_msg_free },
	[POC__OP_REQUEST__KIND_THREAD] = { "thread", ctl_msg_thread,
	    ctl_msg_free },
	[POC__OP_REQUEST__KIND_CASES] = { "cases", ctl_cases_list,
	    ctl_cases_free },
	[POC__OP_REQUEST__KIND_DIRECTORY_SHOW] = { "directory_show",
	    ctl_dir_show, ctl_dir_free },
	[POC__OP_REQUEST__KIND_DIRECTORY_EDIT] = { "directory_edit",
	    ctl_dir_edit, ctl_dir_free },
	[POC__OP_REQUEST__KIND_DIRECTORY_IMPORT] = { "directory_import",
	    ctl_dir_import, ctl_dir_free },
	[POC__OP_REQUEST__KIND_DIRECTORY_SYNC] = { "directory_sync",
	    ctl_dir_sync, ctl_dir_free },
	[POC__OP_REQUEST__KIND_WHO] = { "who", ctl_dir_who, ctl_dir_free },
	[POC__OP_REQUEST__KIND_ENROLL_LIST] = { "enroll_list",
	    ctl_enroll_list, ctl_enroll_free },
	[POC__OP_REQUEST__KIND_ENROLL_DECIDE] = { "enroll_decide",
	    ctl_enroll_decide, ctl_enroll_free },
	[POC__OP_REQUEST__KIND_CHECK_START] = { "check_start",
	    ctl_checks_start, ctl_checks_free },
	[POC__OP_REQUEST__KIND_CHECK_QUERY] = { "check_query",
	    ctl_checks_query, ctl_checks_free },
	[POC__OP_REQUEST__KIND_AUDIT_EXPORT] = { "audit_export",
	    ctl_audit_export, ctl_audit_free },
	[POC__OP_REQUEST__KIND_AUDIT_HEADS] = { "audit_heads",
	    ctl_audit_heads, ctl_audit_heads_free },
};

#define NCONTROL_HANDLERS \
	(sizeof(control_handlers) / sizeof(control_handlers[0]))

static void	control_frame_cb(struct session *, ProtobufCMessage *, void *);
static void	control_bad_frame_cb(struct session *, enum frame_status,
		    void *);
static void	control_closed_cb(struct session *, const char *, void *);
static void	control_ready_cb(struct session *, void *);

static const struct session_cb control_session_cb = {
	.ready = control_ready_cb,
	.frame = control_frame_cb,
	.bad_frame = control_bad_frame_cb,
	.closed = control_closed_cb,
};

static void
control_ready_cb(struct session *s, void *arg)
{
	(void)arg;
	log_debug("operator %s connected from %s", session_cn(s),
	    session_addr(s));
}

static void
control_frame_cb(struct session *s, ProtobufCMessage *m, void *arg)
{
	Poc__OpRequest	*req = (Poc__OpRequest *)m;
	Poc__OpReply	 rep = POC__OP_REPLY__INIT;
	int		 k = (int)req->kind_case;

	(void)arg;
	ctl_reset();
	/* What the answer reads must be on disk: the group commit's last
	 * batches may still be syncing (store_sync.h). */
	store_sync_settle(env->store);
	if (req->kind_case == POC__OP_REQUEST__KIND_WATCH) {
		/* A stream, not one reply: it needs the connection. */
		ctl_watch_request(s, session_cn(s), req);
		protobuf_c_message_free_unpacked(m, NULL);
		return;
	}
	if (k <= 0 || (size_t)k >= NCONTROL_HANDLERS ||
	    control_handlers[k].fn == NULL) {
		ctl_error(&rep, POC__OP_ERROR__CODE__BAD_REQUEST, "unknown "
		    "request; is pocctl newer than pocd?");
		session_send(s, &rep.base);
	} else {
		log_debug("operator %s: %s", session_cn(s),
		    control_handlers[k].name);
		control_handlers[k].fn(session_cn(s), req, &rep);
		session_send(s, &rep.base);
		control_handlers[k].free(&rep);
	}
	protobuf_c_message_free_unpacked(m, NULL);
}

static void
control_bad_frame_cb(struct session *s, enum frame_status st, void *arg)
{
	Poc__OpReply	 rep = POC__OP_REPLY__INIT;

	(void)arg;
	log_warnx("operator %s (%s): %s; closing", session_cn(s),
	    session_addr(s), frame_strstatus(st));
	ctl_reset();
	ctl_error(&rep, POC__OP_ERROR__CODE__BAD_REQUEST, "%s",
	    frame_strstatus(st));
	if (session_send(s, &rep.base) == 0)
		session_close_after_flush(s, frame_strstatus(st));
}

static void
control_closed_cb(struct session *s, const char *reason, void *arg)
{
	struct control_conn	*c = arg;

	log_debug("operator %s (%s): %s", session_cn(s)[0] ? session_cn(s) :
	    "?", session_addr(s), reason);
	if (session_cn(s)[0] == '\0')
		log_warnx("operator listener: %s refused: %s", session_addr(s),
		    reason);
	ctl_watch_forget(s);
	LIST_REMOVE(c, entry);
	free(c);
}

void
control_accept(int fd, const char *addr)
{
	struct control_conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control_accept");
		close(fd);
		return;
	}
	LIST_INSERT_HEAD(&conns, c, entry);
	c->s = session_accept(env->base, env->op_ctx, fd, addr, &env->limits,
	    &poc__op_request__descriptor, &control_session_cb, c);
	if (c->s == NULL) {
		LIST_REMOVE(c, entry);
		free(c);
	}
}

void
control_close_all(void)
{
	struct control_conn	*c;

	while ((c = LIST_FIRST(&conns)) != NULL)
		session_close(c->s, "node shutting down");
}
