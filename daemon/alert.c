/*
 * The [alert] command's runner (see alert.h).
 *
 * One alert_run per command running: the child, the pipe its standard
 * input is written to (non-blocking, as the loop allows), the pipe its
 * output is read from (the first bytes are kept for the log), and its
 * timeout.  The child is reaped on SIGCHLD (libevent's signal event, so
 * on the loop), by its own pid only.  A timed-out command is killed with
 * its whole process group (it runs in one of its own), so that a script's
 * children (curl, sendmail) go with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "alert.h"
#include "events.h"
#include "evfmt.h"
#include "log.h"
#include "node.h"
#include "store_events.h"
#include "util.h"

#define ALERT_ARGS_MAX		16
#define ALERT_ENV_MAX		24
#define ALERT_OUTPUT_KEEP	200	/* bytes of the command's output logged */
#define ALERT_RETRY_CAP_MS	(6 * 3600 * 1000LL)
#define ALERT_INPUT_MAX		(64 * 1024)

struct alert_run {
	LIST_ENTRY(alert_run)	 entry;
	pid_t			 pid;
	uint64_t		 seq;
	int			 attempts;	/* before this run */
	char			 what[96];	/* for the log */
	struct event		*timer;
	struct event		*in_ev;
	struct event		*out_ev;
	int			 in_fd, out_fd;
	char			*input;
	size_t			 inlen, inoff;
	char			 out[ALERT_OUTPUT_KEEP + 1];
	size_t			 outlen;
	int			 timed_out;
};

static LIST_HEAD(, alert_run) alert_runs = LIST_HEAD_INITIALIZER(alert_runs);
static int		 alert_nrunning;
static struct event	*alert_chld_ev;
static struct event	*alert_retry_ev;
static int64_t		 alert_retry_at;	/* armed for, 0 = not */
static struct {
	uint32_t	 run, failed, timed_out, given_up;
} alert_stats;

static int	alert_wants(const Poc__NodeEvent *);
static void	alert_event(const Poc__NodeEvent *);
static int	alert_wants_all(void);
static void	alert_kick(void);

static const struct events_sub alert_sub = {
	.wants_alert = alert_wants,
	.event = alert_event,
	.wants_all = alert_wants_all,
};

/* Which events need a person, by kind; arrivals from [alert] urgency up
 * (a request or notification without an urgency counts as ROUTINE). */
static int
alert_wants(const Poc__NodeEvent *ev)
{
	int	 u;

	if (env->conf.alert_command[0] == '\0')
		return 0;
	switch (ev->kind) {
	case POC__NODE_EVENT__KIND__ARRIVAL:
		u = ev->urgency == POC__URGENCY__URGENCY_UNSPECIFIED ?
		    POC__URGENCY__ROUTINE : (int)ev->urgency;
		return u >= env->conf.alert_urgency;
	case POC__NODE_EVENT__KIND__ACKNOWLEDGED:
	case POC__NODE_EVENT__KIND__RESPONDED:
		/* to one of ours (events.c leaves the case empty if not) */
		return ev->case_id[0] != '\0';
	case POC__NODE_EVENT__KIND__CHECK_RECEIVED:
	case POC__NODE_EVENT__KIND__DELIVERY_REJECTED:
	case POC__NODE_EVENT__KIND__DELIVERY_FAILING:
	case POC__NODE_EVENT__KIND__OVERDUE:
	case POC__NODE_EVENT__KIND__CERT_EXPIRING:
	case POC__NODE_EVENT__KIND__RECORD_EXPIRING:
	case POC__NODE_EVENT__KIND__ENROLLMENT_WAITING:
	case POC__NODE_EVENT__KIND__AUDIT_CONFLICT:
		return 1;
	default:
		return 0;
	}
}

/* Only the events raised as alerts matter here. */
static int
alert_wants_all(void)
{
	return 0;
}

/* A new event was committed: if it alerts, run it. */
static void
alert_event(const Poc__NodeEvent *ev)
{
	if (ev->alert)
		alert_kick();
}

static void
alert_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	alert_retry_at = 0;
	alert_kick();
}

/* Runs the alert loop again at at_ms (if earlier than already armed). */
static void
alert_retry_arm(int64_t at_ms)
{
	struct timeval	 tv;
	int64_t		 now = util_now_ms();

	if (alert_retry_at != 0 && alert_retry_at <= at_ms)
		return;
	alert_retry_at = at_ms;
	tv = util_ms_timeval(at_ms > now ? at_ms - now : 0);
	evtimer_add(alert_retry_ev, &tv);
}

/* Copies s into an environment entry NAME=value, with control characters
 * (a peer's text may hold newlines) made blanks.  NULL if out of memory. */
static char *
alert_env(const char *name, const char *s)
{
	char	*e, *p;

	if (asprintf(&e, "%s=%s", name, s != NULL ? s : "") == -1)
		return NULL;
	for (p = e + strlen(name) + 1; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return e;
}

/* The environment of a run: a few of pocd's own (PATH, HOME, LANG, TZ)
 * and the POCD_* variables of ev.  Returns the count, entries to free. */
static int
alert_envp(const Poc__NodeEvent *ev, char **envp)
{
	static const char *const keep[] = { "PATH", "HOME", "LANG", "TZ" };
	char		 title[600], seq[32];
	const char	*v;
	size_t		 i;
	int		 n = 0;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if ((v = getenv(keep[i])) != NULL)
			envp[n++] = alert_env(keep[i], v);
	if (getenv("PATH") == NULL)
		envp[n++] = alert_env("PATH", "/usr/bin:/bin");
	snprintf(title, sizeof(title), "%s%s%s%s%s%s%s: %.400s",
	    ev->exercise ? "EXERCISE " : "", evfmt_kind_name(ev->kind),
	    ev->urgency ? " " : "", evfmt_urgency_name(ev->urgency),
	    ev->peer[0] ? " (" : "", ev->peer, ev->peer[0] ? ")" : "",
	    ev->summary);
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)ev->seq);
	envp[n++] = alert_env("POCD_MEMBER", env->conf.member);
	envp[n++] = alert_env("POCD_ALERT_KIND", evfmt_kind_name(ev->kind));
	envp[n++] = alert_env("POCD_ALERT_TITLE", title);
	envp[n++] = alert_env("POCD_EVENT_SEQ", seq);
	envp[n++] = alert_env("POCD_CASE_ID", ev->case_id);
	envp[n++] = alert_env("POCD_MESSAGE_ID", ev->message_id);
	envp[n++] = alert_env("POCD_PEER", ev->peer);
	envp[n++] = alert_env("POCD_URGENCY", evfmt_urgency_name(ev->urgency));
	envp[n++] = alert_env("POCD_EXERCISE", ev->exercise ? "1" : "0");
	envp[n] = NULL;
	return n;
}

/* Splits [alert] args on blanks into argv after the command.  Returns
 * argc; buf holds the words. */
static int
alert_argv(char *buf, size_t len, char **argv)
{
	char	*p, *w;
	int	 n = 0;

	snprintf(buf, len, "%s", env->conf.alert_args);
	argv[n++] = env->conf.alert_command;
	for (p = buf; n < ALERT_ARGS_MAX + 1 &&
	    (w = strsep(&p, " \t")) != NULL;)
		if (*w != '\0')
			argv[n++] = w;
	argv[n] = NULL;
	return n;
}

/* In the child: standard input, output and error, its own process group,
 * default signals, no other descriptor of pocd's (outgoing connections
 * are not all close-on-exec), then the command.  Only async-signal-safe
 * calls; maxfd is found before the fork. */
static void __attribute__((noreturn))
alert_child(int in_fd, int out_fd, char **argv, char **envp, int maxfd)
{
	sigset_t	 none;
	int		 sig, fd;

	(void)setpgid(0, 0);
	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in_fd, STDIN_FILENO) == -1 ||
	    dup2(out_fd, STDOUT_FILENO) == -1 ||
	    dup2(out_fd, STDERR_FILENO) == -1)
		_exit(127);
	if (close_range(STDERR_FILENO + 1, ~0U, 0) == -1)
		for (fd = STDERR_FILENO + 1; fd < maxfd; fd++)
			(void)close(fd);
	execve(argv[0], argv, envp);
	_exit(127);
}

static void	alert_in_cb(evutil_socket_t, short, void *);
static void	alert_out_cb(evutil_socket_t, short, void *);
static void	alert_timeout_cb(evutil_socket_t, short, void *);

/* Closes what is left of r's pipes and frees it. */
static void
alert_run_free(struct alert_run *r)
{
	if (r->timer != NULL)
		event_free(r->timer);
	if (r->in_ev != NULL)
		event_free(r->in_ev);
	if (r->out_ev != NULL)
		event_free(r->out_ev);
	if (r->in_fd != -1)
		close(r->in_fd);
	if (r->out_fd != -1)
		close(r->out_fd);
	free(r->input);
	free(r);
}

/* Sets up r's pipes and events and starts the command.  0 or -1. */
static int
alert_spawn(struct alert_run *r, const Poc__NodeEvent *ev)
{
	char		*argv[ALERT_ARGS_MAX + 2], *envp[ALERT_ENV_MAX];
	char		 args[sizeof(env->conf.alert_args)];
	int		 in[2] = { -1, -1 }, out[2] = { -1, -1 };
	int		 nenv, i, rc = -1, maxfd;
	struct timeval	 tv = { env->conf.alert_timeout, 0 };

	(void)alert_argv(args, sizeof(args), argv);
	nenv = alert_envp(ev, envp);
	for (i = 0; i < nenv; i++)
		if (envp[i] == NULL)
			goto done;
	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1) {
		log_warn("alert: pipe");
		goto done;
	}
	/* The loop's ends only are non-blocking; the child's stay as a
	 * program expects them. */
	if (fcntl(in[1], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(out[0], F_SETFL, O_NONBLOCK) == -1) {
		log_warn("alert: fcntl");
		goto done;
	}
	r->in_fd = in[1];
	r->out_fd = out[0];
	r->timer = evtimer_new(env->base, alert_timeout_cb, r);
	r->in_ev = event_new(env->base, r->in_fd, EV_WRITE | EV_PERSIST,
	    alert_in_cb, r);
	r->out_ev = event_new(env->base, r->out_fd, EV_READ | EV_PERSIST,
	    alert_out_cb, r);
	if (r->timer == NULL || r->in_ev == NULL || r->out_ev == NULL) {
		log_warnx("alert: cannot set up events");
		goto done;
	}
	if ((maxfd = (int)sysconf(_SC_OPEN_MAX)) <= 0 || maxfd > 65536)
		maxfd = 65536;
	if ((r->pid = fork()) == -1) {
		log_warn("alert: fork");
		goto done;
	}
	if (r->pid == 0)
		alert_child(in[0], out[1], argv, envp, maxfd);
	/* Its own group from here on whoever runs first, so that the
	 * timeout's kill(-pid) reaches it. */
	(void)setpgid(r->pid, r->pid);
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = in[1] = out[0] = -1;
	evtimer_add(r->timer, &tv);
	event_add(r->in_ev, NULL);
	event_add(r->out_ev, NULL);
	rc = 0;
 done:
	for (i = 0; i < nenv; i++)
		free(envp[i]);
	for (i = 0; i < 2; i++) {
		if (in[i] != -1 && in[i] != r->in_fd)
			close(in[i]);
		if (out[i] != -1 && out[i] != r->out_fd)
			close(out[i]);
	}
	return rc;
}

/* Writes what the pipe takes of the event's JSON; closes it when all is
 * written, or when the command stopped reading (EPIPE). */
static void
alert_in_cb(evutil_socket_t fd, short what, void *arg)
{
	struct alert_run	*r = arg;
	ssize_t			 n;

	(void)what;
	while (r->inoff < r->inlen) {
		n = write(fd, r->input + r->inoff, r->inlen - r->inoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1) {
			log_debug("alert %s: standard input: %s", r->what,
			    strerror(errno));
			break;
		}
		r->inoff += (size_t)n;
	}
	event_del(r->in_ev);
	close(r->in_fd);
	r->in_fd = -1;
}

/* Keeps the first bytes the command prints, drops the rest. */
static void
alert_out_cb(evutil_socket_t fd, short what, void *arg)
{
	struct alert_run	*r = arg;
	char			 buf[4096];
	ssize_t			 n;
	size_t			 take;

	(void)what;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		take = ALERT_OUTPUT_KEEP - r->outlen;
		if ((size_t)n < take)
			take = (size_t)n;
		memcpy(r->out + r->outlen, buf, take);
		r->outlen += take;
		r->out[r->outlen] = '\0';
	}
	event_del(r->out_ev);
	close(r->out_fd);
	r->out_fd = -1;
}

/* The command ran past [alert] timeout: kill its process group. */
static void
alert_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct alert_run	*r = arg;

	(void)fd;
	(void)what;
	r->timed_out = 1;
	log_warnx("alert %s: the command ran more than %d s; killing it",
	    r->what, env->conf.alert_timeout);
	if (kill(-r->pid, SIGKILL) == -1 && kill(r->pid, SIGKILL) == -1)
		log_warn("alert %s: kill %ld", r->what, (long)r->pid);
}

/* Records how r ended and frees it. */
static void
alert_finish(struct alert_run *r, int status)
{
	char		 why[300], *p;
	int64_t		 now = util_now_ms(), delay;
	int		 attempts = r->attempts + 1, rc;

	LIST_REMOVE(r, entry);
	alert_nrunning--;
	if (r->out_fd != -1)	/* what it printed before it exited */
		alert_out_cb(r->out_fd, EV_READ, r);
	for (p = r->out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (!r->timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		alert_stats.run++;
		log_info("alert %s: done", r->what);
		rc = store_events_alert_set(env->store, r->seq,
		    STORE_ALERT_DONE, attempts, now, "");
	} else {
		if (r->timed_out) {
			alert_stats.timed_out++;
			snprintf(why, sizeof(why), "timed out after %d s",
			    env->conf.alert_timeout);
		} else {
			alert_stats.failed++;
			if (WIFEXITED(status))
				snprintf(why, sizeof(why), "exit status %d%s%s",
				    WEXITSTATUS(status), r->outlen ? ": " : "",
				    r->out);
			else
				snprintf(why, sizeof(why), "killed by signal "
				    "%d", WIFSIGNALED(status) ?
				    WTERMSIG(status) : 0);
		}
		if (attempts >= env->conf.alert_attempts) {
			alert_stats.given_up++;
			log_warnx("alert %s: %s; given up after %d attempts",
			    r->what, why, attempts);
			rc = store_events_alert_set(env->store, r->seq,
			    STORE_ALERT_GIVEN_UP, attempts, now, why);
		} else {
			delay = (int64_t)env->conf.alert_retry * 1000 <<
			    (attempts - 1 < 16 ? attempts - 1 : 16);
			if (delay > ALERT_RETRY_CAP_MS)
				delay = ALERT_RETRY_CAP_MS;
			log_warnx("alert %s: %s; again in %lld s", r->what, why,
			    (long long)(delay / 1000));
			rc = store_events_alert_set(env->store, r->seq,
			    STORE_ALERT_PENDING, attempts, now + delay, why);
			alert_retry_arm(now + delay);
		}
	}
	if (rc != 0)
		log_warnx("alert %s: cannot record the outcome; it may run "
		    "again", r->what);
	alert_run_free(r);
}

/* SIGCHLD: reap our commands that exited (by pid: nothing else's). */
static void
alert_chld_cb(evutil_socket_t fd, short what, void *arg)
{
	struct alert_run	*r, *next;
	int			 status;
	pid_t			 p;

	(void)fd;
	(void)what;
	(void)arg;
	for (r = LIST_FIRST(&alert_runs); r != NULL; r = next) {
		next = LIST_NEXT(r, entry);
		while ((p = waitpid(r->pid, &status, WNOHANG)) == -1 &&
		    errno == EINTR)
			;
		if (p == r->pid)
			alert_finish(r, status);
	}
	alert_kick();
}

/* Whether the alert of event seq is running now. */
static int
alert_running(uint64_t seq)
{
	struct alert_run	*r;

	LIST_FOREACH(r, &alert_runs, entry)
		if (r->seq == seq)
			return 1;
	return 0;
}

/* Starts one run of the PENDING alert e. */
static void
alert_start(const struct store_event *e)
{
	struct alert_run	*r;
	json_t			*j;
	char			*in;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("alert");
		return;
	}
	r->in_fd = r->out_fd = -1;
	r->seq = e->ev->seq;
	r->attempts = e->attempts;
	snprintf(r->what, sizeof(r->what), "#%llu %s%s%s",
	    (unsigned long long)r->seq, evfmt_kind_name(e->ev->kind),
	    e->ev->message_id[0] ? " " : "", e->ev->message_id);
	if ((j = evfmt_json(e->ev)) == NULL ||
	    (in = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		log_warnx("alert %s: cannot make its JSON", r->what);
		free(r);
		return;
	}
	json_decref(j);
	r->inlen = strlen(in);
	if (r->inlen > ALERT_INPUT_MAX)
		r->inlen = ALERT_INPUT_MAX;
	in[r->inlen++] = '\n';	/* in place of the NUL */
	r->input = in;
	if (alert_spawn(r, e->ev) == -1) {
		log_warnx("alert %s: cannot start %s; again at the next alert "
		    "or in %d s", r->what, env->conf.alert_command,
		    env->conf.alert_retry);
		alert_retry_arm(util_now_ms() + env->conf.alert_retry * 1000LL);
		alert_run_free(r);
		return;
	}
	LIST_INSERT_HEAD(&alert_runs, r, entry);
	alert_nrunning++;
	log_info("alert %s: running %s (pid %ld, attempt %d)", r->what,
	    env->conf.alert_command, (long)r->pid, r->attempts + 1);
}

/* Starts PENDING alerts that are due, up to [alert] max_running. */
static void
alert_kick(void)
{
	struct store_event	*e;
	int64_t			 next;
	int			 n, i, room;

	if (env->conf.alert_command[0] == '\0')
		return;
	room = env->conf.alert_max_running - alert_nrunning;
	if (room <= 0)
		return;
	/* Those running are still PENDING: ask for enough to skip them. */
	n = store_events_alerts_due(env->store, util_now_ms(),
	    room + alert_nrunning, &e);
	if (n < 0) {
		log_warnx("alert: cannot read pending alerts; again in %d s",
		    env->conf.alert_retry);
		alert_retry_arm(util_now_ms() + env->conf.alert_retry * 1000LL);
		return;
	}
	/* One committed but not yet on disk waits: its announcement kicks
	 * this again (events.h). */
	for (i = 0; i < n && alert_nrunning < env->conf.alert_max_running;
	    i++)
		if (e[i].ev->seq <= events_last_durable() &&
		    !alert_running(e[i].ev->seq))
			alert_start(&e[i]);
	store_events_free(e, n);
	/* Those waiting for their retry: the loop comes back for the
	 * first (a slot freed by an exit comes back sooner). */
	if ((next = store_events_alert_next(env->store)) > util_now_ms())
		alert_retry_arm(next);
}

int
alert_init(void)
{
	int	 n;

	if (env->conf.alert_command[0] != '\0' &&
	    access(env->conf.alert_command, X_OK) == -1) {
		log_warn("[alert] command %s", env->conf.alert_command);
		return -1;
	}
	alert_chld_ev = evsignal_new(env->base, SIGCHLD, alert_chld_cb, NULL);
	alert_retry_ev = evtimer_new(env->base, alert_retry_cb, NULL);
	if (alert_chld_ev == NULL || alert_retry_ev == NULL ||
	    evsignal_add(alert_chld_ev, NULL) == -1)
		return -1;
	events_subscribe(&alert_sub);
	if ((n = store_events_alerts_pending(env->store)) > 0)
		log_info("alert: %d alert%s pending from before the start", n,
		    n == 1 ? "" : "s");
	alert_kick();
	return 0;
}

void
alert_shutdown(void)
{
	struct alert_run	*r;

	/* A command still running is left to finish; its alert stays
	 * PENDING and runs again at the next start. */
	while ((r = LIST_FIRST(&alert_runs)) != NULL) {
		LIST_REMOVE(r, entry);
		alert_run_free(r);
	}
	alert_nrunning = 0;
	if (alert_chld_ev != NULL)
		event_free(alert_chld_ev);
	if (alert_retry_ev != NULL)
		event_free(alert_retry_ev);
	alert_chld_ev = alert_retry_ev = NULL;
}

void
alert_status_fill(Poc__OpStatusReply *st)
{
	int	 n;

	st->alert_configured = env->conf.alert_command[0] != '\0';
	n = store_events_alerts_pending(env->store);
	st->alerts_pending = n > 0 ? (uint32_t)n : 0;
	st->alerts_run = alert_stats.run;
	st->alerts_failed = alert_stats.failed;
	st->alerts_timed_out = alert_stats.timed_out;
	st->alerts_given_up = alert_stats.given_up;
	st->alerts_running = (uint32_t)alert_nrunning;
}
