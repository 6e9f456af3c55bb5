/*
 * Fuzz target: pocd.conf as pocd reads it (daemon/config.c over
 * common/inifile.c): the file is hostile to the extent that a bad edit, a
 * truncated write or a wrong file named with -c must give errors, never
 * harm.
 *
 * Properties: what loads prints (`pocd -n`) as a config that loads again
 * and prints the same, so the printed form says exactly what is in force.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "fuzz.h"

static char	 fuzz_in[] = "/tmp/pocd-fuzz-config.XXXXXX";
static char	 fuzz_out[] = "/tmp/pocd-fuzz-config-n.XXXXXX";

/* Writes len bytes of data to path (truncating it). */
static void
fuzz_write(const char *path, const void *data, size_t len)
{
	FILE	*fp;

	FUZZ_ASSERT((fp = fopen(path, "w")) != NULL);
	FUZZ_ASSERT(fwrite(data, 1, len, fp) == len);
	FUZZ_ASSERT(fclose(fp) == 0);
}

/* Loads path into c with the parser's complaints (expected, one per bad
 * line) sent to /dev/null, so that the log keeps libFuzzer's own lines;
 * a crash inside still leaves its input as an artifact. */
static int
fuzz_load(struct config *c, const char *path)
{
	int	 saved, null, r;

	fflush(stderr);
	FUZZ_ASSERT((saved = dup(STDERR_FILENO)) != -1);
	FUZZ_ASSERT((null = open("/dev/null", O_WRONLY)) != -1);
	FUZZ_ASSERT(dup2(null, STDERR_FILENO) != -1);
	close(null);
	r = config_load(c, path);
	fflush(stderr);
	FUZZ_ASSERT(dup2(saved, STDERR_FILENO) != -1);
	close(saved);
	return r;
}

/* c as `pocd -n` prints it, in a malloc'd string. */
static char *
fuzz_print(const struct config *c, size_t *len)
{
	char	*s = NULL;
	FILE	*fp;

	FUZZ_ASSERT((fp = open_memstream(&s, len)) != NULL);
	config_print(c, fp);
	FUZZ_ASSERT(fclose(fp) == 0);
	return s;
}

static void
fuzz_cleanup(void)
{
	unlink(fuzz_in);
	unlink(fuzz_out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 ready;
	struct config	*c, *again;
	char		*p1, *p2;
	size_t		 l1, l2;
	int		 fd;

	if (!ready) {
		FUZZ_ASSERT((fd = mkstemp(fuzz_in)) != -1);
		close(fd);
		FUZZ_ASSERT((fd = mkstemp(fuzz_out)) != -1);
		close(fd);
		atexit(fuzz_cleanup);
		ready = 1;
	}
	FUZZ_ASSERT((c = calloc(1, sizeof(*c))) != NULL);
	FUZZ_ASSERT((again = calloc(1, sizeof(*again))) != NULL);
	fuzz_write(fuzz_in, data, size);
	if (fuzz_load(c, fuzz_in) == 0) {
		p1 = fuzz_print(c, &l1);
		fuzz_write(fuzz_out, p1, l1);
		FUZZ_ASSERT(fuzz_load(again, fuzz_out) == 0);
		p2 = fuzz_print(again, &l2);
		FUZZ_ASSERT(l1 == l2 && memcmp(p1, p2, l1) == 0);
		free(p1);
		free(p2);
	}
	free(c);
	free(again);
	return 0;
}
