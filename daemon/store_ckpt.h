/*
 * The store's checkpoint thread (store_ckpt.c): WAL checkpoints off the
 * commit path.  Used by pocd.c (start, stop) and the group commit (due).
 */
#ifndef POC_STORE_CKPT_H
#define POC_STORE_CKPT_H

struct store;

/*
 * Moves WAL checkpoints off the commit path (store_ckpt.c): a thread with
 * its own connection checkpoints (PASSIVE) whenever a commit leaves pages
 * frames or more in the WAL.  pages <= 0 keeps SQLite's automatic
 * checkpoint inside commits.  Returns 0 or -1 (logged; the automatic one
 * stays).  store_close() stops the thread.
 *
 * store_checkpoint_due() is for the writer between its transactions (the
 * group commit, after a batch's receipts).  Once the thread has copied
 * all but the last few frames, it restarts the WAL, copying those few
 * (never waiting for a lock), so that a load that never pauses still lets
 * the WAL start again from its beginning; if the WAL has nevertheless
 * reached 8 times pages, it waits for the thread's round and copies the
 * rest, holding commits back for that long; otherwise it returns at once.
 */
int		 store_checkpoint_start(struct store *, int pages);
void		 store_checkpoint_due(struct store *);
void		 store_checkpoint_stop(struct store *);

#endif
