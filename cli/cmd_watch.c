/*
 * pocctl watch: the node's events as they happen (OpRequest.watch; see
 * daemon/ctl_watch.h), filtered here, printed one per line.
 *
 * The connection: the node sends a heartbeat every WATCH_HEARTBEAT_MS
 * when nothing happens, and pocctl answers each with a keepalive, which
 * keeps the connection within the node's idle timeout; three heartbeats
 * missed, or the connection lost (the node restarting), and pocctl
 * connects again, waiting 1, 2, 4 ... 30 s between attempts, and asks
 * for the events after the last one it printed, so that nothing that
 * happened meanwhile is missed or printed twice.  Ctrl-C ends it with
 * status 0: every line printed has been flushed.
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/cmd_watch.h"
#include "cli/i18n.h"
#include "evfmt.h"

#define WATCH_HEARTBEAT_MS	5000
#define WATCH_BACKOFF_MAX	30	/* seconds between attempts */

struct watch_filter {
	int		 min_urgency;	/* 0 = any */
	uint32_t	 kinds;		/* bit per NodeEvent.Kind, 0 = any */
	int		 exercise;	/* only exercise events */
	int		 real;		/* only real ones */
};

/* Ctrl-C or TERM: each line was flushed when printed, so stopping here
 * loses nothing. */
static void
cmd_watch_stop(int sig)
{
	(void)sig;
	_exit(0);
}

/* Parses --kind K[,K...] into a bit set; bad usage exits 2. */
static uint32_t
cmd_watch_kinds(const struct ctx *ctx, const char *arg)
{
	char		 buf[512], *p, *w;
	uint32_t	 set = 0;
	int		 k;

	if (strlen(arg) >= sizeof(buf))
		cmd_usage(ctx, "--kind: list too long");
	snprintf(buf, sizeof(buf), "%s", arg);
	for (p = buf; (w = strsep(&p, ",")) != NULL;) {
		if ((k = evfmt_kind_parse(w)) < 0 || k >= 32)
			cmd_usage(ctx, "--kind: unknown event \"%s\" (see "
			    "EVENTS in pocctl(1))", w);
		set |= 1u << k;
	}
	return set;
}

/* Whether ev passes the filter. */
static int
cmd_watch_pass(const struct watch_filter *f, const Poc__NodeEvent *ev)
{
	if (f->min_urgency && (int)ev->urgency < f->min_urgency)
		return 0;
	if (f->kinds && ((int)ev->kind >= 32 ||
	    !(f->kinds & (1u << ev->kind))))
		return 0;
	if ((f->exercise && !ev->exercise) || (f->real && ev->exercise))
		return 0;
	return 1;
}

/* Follows one connection until it is lost, from the backlog (first
 * time) or after *last_seq (resume); *last_seq follows what the node has
 * sent.  Returns 1 if it ever got the stream, 0 if not. */
static int
cmd_watch_follow(const struct ctx *ctx, struct client *cl, int backlog,
    int resume, uint64_t *last_seq, const struct watch_filter *f, char *err,
    size_t errlen)
{
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__WatchRequest	 wr = POC__WATCH_REQUEST__INIT;
	Poc__OpReply		*r;
	size_t			 i;
	int			 got = 0;

	req.kind_case = POC__OP_REQUEST__KIND_WATCH;
	req.watch = &wr;
	wr.after_seq = *last_seq;
	wr.resume = resume;
	wr.no_backlog = !backlog;
	wr.heartbeat_ms = WATCH_HEARTBEAT_MS;
	if (client_send(cl, &req, err, errlen) == -1)
		return 0;
	wr.after_seq = 0;
	wr.no_backlog = 0;
	wr.heartbeat_ms = 0;
	wr.keepalive = 1;
	while ((r = client_recv(cl, err, errlen)) != NULL) {
		if (r->kind_case != POC__OP_REPLY__KIND_WATCH)
			client_expect(r, POC__OP_REPLY__KIND_WATCH, NULL);
		got = 1;
		for (i = 0; i < r->watch->n_events; i++) {
			const Poc__NodeEvent	*ev = r->watch->events[i];

			if (!ev->backlog && ev->seq > *last_seq)
				*last_seq = ev->seq;
			if (cmd_watch_pass(f, ev))
				ctx->out->watch_event(ev);
		}
		/* A live update says how far the node has sent. */
		if (r->watch->live && r->watch->last_seq > *last_seq)
			*last_seq = r->watch->last_seq;
		if (r->watch->live && r->watch->n_events == 0 &&
		    client_send(cl, &req, err, errlen) == -1) {
			client_reply_free(r);
			break;
		}
		client_reply_free(r);
	}
	return got;
}

/* pocctl watch [--urgency U] [--kind K,...] [--exercise|--real]
 * [--no-backlog] */
int
cmd_watch(struct ctx *ctx, int argc, char **argv)
{
	const char		*urgency = NULL, *kinds = NULL;
	int			 no_backlog = 0, backoff = 1, timeout;
	struct watch_filter	 f;
	struct cmd_opt		 opts[] = {
		{ "urgency", &urgency },
		{ "kind", &kinds },
		{ NULL, NULL },
	};
	struct cmd_flag		 flags[] = {
		{ "exercise", &f.exercise },
		{ "real", &f.real },
		{ "no-backlog", &no_backlog },
		{ NULL, NULL },
	};
	struct client		*cl;
	struct sigaction	 sa;
	uint64_t		 last_seq = 0;
	char			 err[1536];
	int			 ever = 0;

	memset(&f, 0, sizeof(f));
	cmd_args_flags(ctx, argc, argv, opts, flags, NULL, 0, 0);
	if (urgency != NULL &&
	    (f.min_urgency = evfmt_urgency_parse(urgency)) < 0)
		cmd_usage(ctx, "--urgency wants ROUTINE, PRIORITY, IMMEDIATE "
		    "or FLASH, not \"%s\"", urgency);
	if (kinds != NULL)
		f.kinds = cmd_watch_kinds(ctx, kinds);
	if (f.exercise && f.real)
		cmd_usage(ctx, "--exercise and --real exclude each other");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cmd_watch_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A read waits at most three heartbeats. */
	timeout = ctx->timeout_ms > 3 * WATCH_HEARTBEAT_MS ? ctx->timeout_ms :
	    3 * WATCH_HEARTBEAT_MS;
	for (;;) {
		if ((cl = client_try_open(client_config_path(ctx->config),
		    timeout, err, sizeof(err))) == NULL) {
			if (!ever)
				errx(1, "%s", err);
		} else {
			if (cmd_watch_follow(ctx, cl, !ever && !no_backlog,
			    ever, &last_seq, &f, err, sizeof(err))) {
				ever = 1;
				backoff = 1;
			}
			client_close(cl);
			if (!ever)
				errx(1, "%s", err);
		}
		warnx("%s; connecting again in %d s", err, backoff);
		sleep((unsigned)backoff);
		if ((backoff *= 2) > WATCH_BACKOFF_MAX)
			backoff = WATCH_BACKOFF_MAX;
	}
}
