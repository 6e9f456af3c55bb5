/*
 * The node's store: one SQLite file in WAL mode holding every envelope sent
 * and received, the outbox, checks, the directory and the audit log.  All
 * SQL of pocd lives in store_sql.c (statements, prepared once from a table)
 * and store_schema.c (migrations); store.c is the machinery they run on,
 * declared here: open, close, the schema version and health.  Each subject
 * has its own header: store_msg.h (messages, the outbox), store_list.h
 * (listings, cases), store_tx.h (batches), store_ckpt.h (checkpoints),
 * store_checks.h, store_dir.h, store_enroll.h, store_audit.h,
 * store_sig.h, store_events.h, store_send.h.
 *
 * Durability: each function that changes state runs in one transaction and
 * returns only after COMMIT (synchronous=FULL by default), so a caller may
 * send a receipt or tell the operator "queued" as soon as it returns 0.
 * When the caller has opened a batch with store_begin(), the functions join
 * it instead, and the batch becomes durable at store_commit().
 */
#ifndef POC_STORE_H
#define POC_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "proto/poc.pb-c.h"

#include "store_health.h"	/* struct store_health */
#include "store_schema.h"	/* store_schema_latest() */

struct store;

enum store_sync {
	STORE_SYNC_FULL = 0,	/* fsync on every commit (default) */
	STORE_SYNC_NORMAL = 1,	/* WAL fsync at checkpoints only */
};

/* Opens (creating if needed) and migrates the database at path.  NULL on
 * failure with the reason in err. */
struct store	*store_open(const char *path, enum store_sync, char *err,
		    size_t errlen);
void		 store_close(struct store *);		/* NULL is a no-op */

int		 store_schema_version(struct store *);
/* The store's health (struct store_health, store_health.h) as operators
 * see it: the last write failure until a commit succeeds again, how much
 * space is left, how many transactions failed since start. */
void		 store_health_get(struct store *, struct store_health *);
/* The last failure was an fsync of a commit: it failed, but a crash
 * before the next commit may let recovery find it committed. */
int		 store_health_unsynced(struct store *);
/* Free bytes on the store's file system, -1 if unknown. */
int64_t		 store_bytes_free(struct store *);

#endif
