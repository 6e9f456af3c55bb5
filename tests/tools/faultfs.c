/*
 * faultfs.so: an LD_PRELOAD shim for the reliability tests (tests only).
 *
 * It injects the disk faults a test asks for into one process (pocd) and
 * records, on one clock, when that process syncs files and writes to
 * sockets, so that a test can prove an ordering ("no receipt before the
 * commit's fsync returned") instead of inferring it from timing alone.
 *
 * Environment:
 *   FAULTFS_CTL   a control file, read again whenever its mtime or size
 *                 changes (the test rewrites it to switch faults on and
 *                 off while pocd runs); one directive a line:
 *                   hold_fsync MS SUFFIX   fsync/fdatasync of a file whose
 *                                          path ends in SUFFIX sleeps MS ms
 *                                          first (then really syncs)
 *                   fail_fsync SUFFIX      ... fails with EIO, not synced
 *                   fail_write SUFFIX      write/pwrite/writev to such a
 *                                          file fails with EIO
 *                   full_write SUFFIX      ... fails with ENOSPC
 *   FAULTFS_LOG   a file to which each event is appended as one line:
 *                   MONO_NS TID fsync_start|fsync_end|sock_write|fault FD
 *                   ARG PATH
 *                 MONO_NS is CLOCK_MONOTONIC (Python's time.monotonic_ns
 *                 reads the same clock); PATH is the file, or for a
 *                 socket "socket LPORT RPORT", its local and remote TCP
 *                 ports (0 if it has none), which tell the connection.
 *
 * The shim calls the real functions through dlsym(RTLD_NEXT) and uses the
 * raw system calls for its own I/O, so that it never recurses.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FAULTFS_RULES	16
#define FAULTFS_SUFFIX	64

enum faultfs_kind {
	FK_HOLD_FSYNC,
	FK_FAIL_FSYNC,
	FK_FAIL_WRITE,
	FK_FULL_WRITE
};

struct faultfs_rule {
	enum faultfs_kind	 kind;
	long			 ms;
	char			 suffix[FAULTFS_SUFFIX];
};

static pthread_mutex_t		 faultfs_mu = PTHREAD_MUTEX_INITIALIZER;
static struct faultfs_rule	 faultfs_rules[FAULTFS_RULES];
static int			 faultfs_nrules;
static struct timespec		 faultfs_mtime;
static off_t			 faultfs_size = -1;

static ssize_t	(*real_write)(int, const void *, size_t);
static ssize_t	(*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t	(*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t	(*real_writev)(int, const struct iovec *, int);
static ssize_t	(*real_send)(int, const void *, size_t, int);
static ssize_t	(*real_sendmsg)(int, const struct msghdr *, int);
static int	(*real_fsync)(int);
static int	(*real_fdatasync)(int);

static void *
faultfs_sym(const char *name)
{
	void	*p = dlsym(RTLD_NEXT, name);

	if (p == NULL)
		abort();
	return p;
}

/* Re-reads the control file if it changed; called with faultfs_mu held. */
static void
faultfs_reload(void)
{
	const char	*path = getenv("FAULTFS_CTL");
	struct stat	 sb;
	char		 buf[4096], *line, *save, word[32];
	ssize_t		 n;
	int		 fd;
	struct faultfs_rule	*r;

	if (path == NULL || syscall(SYS_stat, path, &sb) != 0) {
		faultfs_nrules = 0;
		faultfs_size = -1;
		return;
	}
	if (sb.st_size == faultfs_size &&
	    sb.st_mtim.tv_sec == faultfs_mtime.tv_sec &&
	    sb.st_mtim.tv_nsec == faultfs_mtime.tv_nsec)
		return;
	if ((fd = (int)syscall(SYS_open, path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
	syscall(SYS_close, fd);
	if (n < 0)
		return;
	buf[n] = '\0';
	faultfs_size = sb.st_size;
	faultfs_mtime = sb.st_mtim;
	faultfs_nrules = 0;
	for (line = strtok_r(buf, "\n", &save); line != NULL &&
	    faultfs_nrules < FAULTFS_RULES; line = strtok_r(NULL, "\n", &save)) {
		r = &faultfs_rules[faultfs_nrules];
		r->ms = 0;
		if (sscanf(line, "%31s", word) != 1)
			continue;
		if (strcmp(word, "hold_fsync") == 0 &&
		    sscanf(line, "%*s %ld %63s", &r->ms, r->suffix) == 2)
			r->kind = FK_HOLD_FSYNC;
		else if (strcmp(word, "fail_fsync") == 0 &&
		    sscanf(line, "%*s %63s", r->suffix) == 1)
			r->kind = FK_FAIL_FSYNC;
		else if (strcmp(word, "fail_write") == 0 &&
		    sscanf(line, "%*s %63s", r->suffix) == 1)
			r->kind = FK_FAIL_WRITE;
		else if (strcmp(word, "full_write") == 0 &&
		    sscanf(line, "%*s %63s", r->suffix) == 1)
			r->kind = FK_FULL_WRITE;
		else
			continue;
		faultfs_nrules++;
	}
}

/* The path of fd, or "socket", or "?". */
static void
faultfs_path(int fd, char *path, size_t len)
{
	char		 proc[64];
	struct stat	 sb;
	ssize_t		 n;

	if (syscall(SYS_fstat, fd, &sb) == 0 && S_ISSOCK(sb.st_mode)) {
		snprintf(path, len, "socket");
		return;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = syscall(SYS_readlink, proc, path, len - 1);
	if (n < 0)
		n = snprintf(path, len, "?");
	path[n] = '\0';
}

static int
faultfs_ends(const char *path, const char *suffix)
{
	size_t	 pl = strlen(path), sl = strlen(suffix);

	return pl >= sl && strcmp(path + pl - sl, suffix) == 0;
}

/* The first rule of one of the kinds (a bitmask) that matches path; its
 * copy in *out.  0 if none. */
static int
faultfs_match(const char *path, unsigned kinds, struct faultfs_rule *out)
{
	int	 i, found = 0;

	pthread_mutex_lock(&faultfs_mu);
	faultfs_reload();
	for (i = 0; i < faultfs_nrules && !found; i++)
		if ((kinds & (1u << faultfs_rules[i].kind)) &&
		    faultfs_ends(path, faultfs_rules[i].suffix)) {
			*out = faultfs_rules[i];
			found = 1;
		}
	pthread_mutex_unlock(&faultfs_mu);
	return found;
}

static void
faultfs_log(const char *event, int fd, long arg, const char *path)
{
	const char	*log = getenv("FAULTFS_LOG");
	struct timespec	 ts;
	char		 line[PATH_MAX + 128];
	int		 n, lfd;

	if (log == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof(line), "%lld %ld %s %d %ld %s\n",
	    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec,
	    (long)syscall(SYS_gettid), event, fd, arg, path);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	lfd = (int)syscall(SYS_open, log, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0644);
	if (lfd < 0)
		return;
	(void)syscall(SYS_write, lfd, line, (size_t)n);
	syscall(SYS_close, lfd);
}

/* Logs a write of len to socket fd with its ports (faultfs_log). */
static void
faultfs_log_sock(int fd, long len)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	char			 path[64];
	int			 port[2], i;

	for (i = 0; i < 2; i++) {
		sl = sizeof(ss);
		memset(&ss, 0, sizeof(ss));
		port[i] = 0;
		if ((i == 0 ? getsockname(fd, (struct sockaddr *)&ss, &sl) :
		    getpeername(fd, (struct sockaddr *)&ss, &sl)) != 0)
			continue;
		if (ss.ss_family == AF_INET)
			port[i] = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			port[i] = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	snprintf(path, sizeof(path), "socket %d %d", port[0], port[1]);
	faultfs_log("sock_write", fd, len, path);
}

/*
 * Before a write: a socket write is logged (the moment bytes leave for a
 * peer or an operator); a file write matching a fail rule fails.  Returns
 * 0 to go on with the real write, -1 (errno set) to fail it.
 */
static int
faultfs_before_write(int fd, size_t len)
{
	char			 path[PATH_MAX];
	struct faultfs_rule	 r;

	faultfs_path(fd, path, sizeof(path));
	if (strcmp(path, "socket") == 0) {
		faultfs_log_sock(fd, (long)len);
		return 0;
	}
	if (faultfs_match(path, 1u << FK_FAIL_WRITE | 1u << FK_FULL_WRITE,
	    &r)) {
		faultfs_log(r.kind == FK_FAIL_WRITE ? "fault_eio_write" :
		    "fault_enospc_write", fd, (long)len, path);
		errno = r.kind == FK_FAIL_WRITE ? EIO : ENOSPC;
		return -1;
	}
	return 0;
}

/* fsync and fdatasync: held, failed or passed through, and logged. */
static int
faultfs_sync(int fd, int (*real)(int))
{
	char			 path[PATH_MAX];
	struct faultfs_rule	 r;
	struct timespec		 ts;
	int			 rc, saved;

	faultfs_path(fd, path, sizeof(path));
	faultfs_log("fsync_start", fd, 0, path);
	if (faultfs_match(path, 1u << FK_FAIL_FSYNC, &r)) {
		faultfs_log("fault_eio_fsync", fd, 0, path);
		errno = EIO;
		return -1;
	}
	if (faultfs_match(path, 1u << FK_HOLD_FSYNC, &r) && r.ms > 0) {
		ts.tv_sec = r.ms / 1000;
		ts.tv_nsec = (r.ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
	rc = real(fd);
	saved = errno;
	faultfs_log("fsync_end", fd, rc, path);
	errno = saved;
	return rc;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	if (real_write == NULL)
		real_write = faultfs_sym("write");
	if (faultfs_before_write(fd, len) == -1)
		return -1;
	return real_write(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (real_pwrite == NULL)
		real_pwrite = faultfs_sym("pwrite");
	if (faultfs_before_write(fd, len) == -1)
		return -1;
	return real_pwrite(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	if (real_pwrite64 == NULL)
		real_pwrite64 = faultfs_sym("pwrite64");
	if (faultfs_before_write(fd, len) == -1)
		return -1;
	return real_pwrite64(fd, buf, len, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	size_t	 len = 0;
	int	 i;

	if (real_writev == NULL)
		real_writev = faultfs_sym("writev");
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (faultfs_before_write(fd, len) == -1)
		return -1;
	return real_writev(fd, iov, n);
}

ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	if (real_send == NULL)
		real_send = faultfs_sym("send");
	faultfs_log_sock(fd, (long)len);
	return real_send(fd, buf, len, flags);
}

ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	if (real_sendmsg == NULL)
		real_sendmsg = faultfs_sym("sendmsg");
	faultfs_log_sock(fd, (long)msg->msg_iovlen);
	return real_sendmsg(fd, msg, flags);
}

int
fsync(int fd)
{
	if (real_fsync == NULL)
		real_fsync = faultfs_sym("fsync");
	return faultfs_sync(fd, real_fsync);
}

int
fdatasync(int fd)
{
	if (real_fdatasync == NULL)
		real_fdatasync = faultfs_sym("fdatasync");
	return faultfs_sync(fd, real_fdatasync);
}
