/*
 * Merkle trees of SHA-256 hashes as RFC 6962 / RFC 9162 define them, for
 * batch signatures (docs/signatures.md): any number of leaves, not only
 * powers of two; leaf and inner-node hashes are domain-separated, so a
 * leaf can never pass for an inner node.
 *
 *	leaf = SHA-256(0x00 || domain || 0x00 || bytes)
 *	node = SHA-256(0x01 || left || right)
 *
 * The tree of n leaves splits at k, the largest power of two below n: its
 * left subtree holds leaves [0, k), its right subtree [k, n).
 */
#ifndef POC_MERKLE_H
#define POC_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_LEN		32
#define MERKLE_MAX_LEAVES	(1u << 20)	/* a batch is far smaller */
#define MERKLE_MAX_PATH		20		/* log2(MERKLE_MAX_LEAVES) */

struct merkle;

/* The hash of a leaf's bytes under domain (a NUL-free string).  Returns 0,
 * or -1 if the digest failed. */
int	 merkle_leaf(const char *domain, const uint8_t *data, size_t len,
	    uint8_t out[MERKLE_HASH_LEN]);

/* The hash of an inner node over its two children.  0 or -1. */
int	 merkle_node(const uint8_t left[MERKLE_HASH_LEN],
	    const uint8_t right[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN]);

/* Builds the tree over n (1..MERKLE_MAX_LEAVES) leaf hashes, copied.
 * NULL on a bad n or out of memory. */
struct merkle	*merkle_new(const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n);
void		 merkle_free(struct merkle *);

/* The root hash (borrowed from the tree). */
const uint8_t	*merkle_root(const struct merkle *);

/* Writes leaf index's inclusion path, leaf to root, to path (room for
 * MERKLE_MAX_PATH hashes).  Returns the number of hashes, or -1 for an
 * index out of range. */
int		 merkle_path(const struct merkle *, size_t index,
		    uint8_t (*path)[MERKLE_HASH_LEN]);

/* The root that leaf, at index of a tree of size leaves, leads to along
 * path (npath pointers to MERKLE_HASH_LEN bytes each), by RFC 9162 section 2.1.3.2.  Returns 0 with the
 * root, or -1 if index, size and path do not fit together. */
int		 merkle_root_from_path(const uint8_t leaf[MERKLE_HASH_LEN],
		    uint64_t index, uint64_t size,
		    const uint8_t *const *path, size_t npath,
		    uint8_t root[MERKLE_HASH_LEN]);

#endif
