/*
 * The directory in the store (store_dir.c): member records as their signed
 * packed bytes, the node's own last successful check of each PoC, and the
 * directory's small facts (last sync).  Durability as in store.h.
 */
#ifndef POC_STORE_DIR_H
#define POC_STORE_DIR_H

#include <stddef.h>
#include <stdint.h>

#include "proto/poc.pb-c.h"

struct store;

/* The record held for code: 1 and *out (free with
 * poc__directory_record__free_unpacked), 0 if none, -1 on error. */
int	 store_dir_get(struct store *, const char *code,
	    Poc__DirectoryRecord **out, int64_t *received_at);

/* Stores r (already verified) if its serial is higher than the one held
 * and it is of the same network.  Returns 1 if stored, 0 if not newer, -1
 * on error. */
int	 store_dir_put(struct store *, const Poc__DirectoryRecord *r,
	    const char *via, int64_t now_ms);

struct store_dir_row {
	char			 code[64];
	uint64_t		 serial;
	int64_t			 received_at;
	Poc__DirectoryRecord	*record;	/* owned */
};

/* Every record, by code.  Returns the count (rows freed with
 * store_dir_rows_free), or -1. */
int	 store_dir_list(struct store *, struct store_dir_row **rows);
void	 store_dir_rows_free(struct store_dir_row *, int n);

/* The last successful check of one PoC (key: level and name), 0 if none;
 * and recording one (kept if older than what is held). */
int64_t	 store_dir_check_get(struct store *, const char *code,
	    const char *poc);
int	 store_dir_check_set(struct store *, const char *code,
	    const char *poc, int64_t at_ms);

/* A named integer (e.g. "last_sync"); get returns 0 if unset. */
int	 store_dir_meta_set(struct store *, const char *key, int64_t v);
int64_t	 store_dir_meta_get(struct store *, const char *key);

#endif
