/*
 * SIGHUP: re-reads the configuration file and the certificate, key, CA and
 * CRL files it names, and puts them in force without closing the store or
 * the listeners.  A file with errors is refused as a whole and the running
 * configuration stays in force.
 */
#ifndef POC_RELOAD_H
#define POC_RELOAD_H

#include <stdint.h>

/* Records where the configuration came from and whether -d was given
 * (debug logging then survives reloads).  Called once at start-up. */
void	 reload_init(const char *path, int debug);

/* Descriptors kept beyond both listeners' connection caps: the store and
 * its WAL, logs, outgoing connections, the resolver. */
#define RELOAD_FD_RESERVE	128

/* Puts the [limits] of the configuration in force: those of new sessions
 * and the listeners' connection caps (at start-up, and by each reload).
 * -1 (logged) if the open-files limit cannot hold them all. */
int	 reload_limits(void);

/* Reloads (see above).  Returns 0 if the new configuration is in force,
 * -1 if it was refused (logged). */
int	 reload_run(void);

/* When the configuration in force was read (Unix ms), and how many
 * reloads succeeded and were refused since start. */
void	 reload_stats(int64_t *loaded_at, uint32_t *ok, uint32_t *failed);

#endif
