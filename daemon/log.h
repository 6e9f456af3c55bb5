/*
 * pocd's logging: to stderr or syslog, with levels (syslog priorities).
 * The x variants do not append strerror(errno); fatal* exit the daemon and
 * are for start-up failures and broken invariants only.
 */
#ifndef POC_LOG_H
#define POC_LOG_H

#include <stdarg.h>
#include <syslog.h>

/* target: "stderr" or "syslog"; level: LOG_ERR .. LOG_DEBUG. */
void	log_init(const char *target, int level);
void	log_setlevel(int level);
int	log_level_parse(const char *name);	/* "info" -> LOG_INFO, -1 if unknown */
const char *log_level_name(int level);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
