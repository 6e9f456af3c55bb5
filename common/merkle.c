/*
 * Merkle trees for batch signatures (see merkle.h).
 *
 * The tree is built bottom-up, a level at a time: neighbours are paired
 * and a last node without a partner moves up unchanged.  That gives the
 * same tree as RFC 9162's recursive split at the largest power of two
 * (tests/unit/test_merkle.c checks it against the recursive definition),
 * in n - 1 node hashes for every path of the batch at once.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "merkle.h"
#include "sha256.h"

struct merkle {
	size_t		  nlevels;
	size_t		  size[MERKLE_MAX_PATH + 1];	/* nodes per level */
	uint8_t		(*level[MERKLE_MAX_PATH + 1])[MERKLE_HASH_LEN];
};

/* SHA-256 of prefix || a || b || c (b, c may be empty).  0 or -1. */
static int
merkle_hash(uint8_t prefix, const void *a, size_t alen, const void *b,
    size_t blen, const void *c, size_t clen, uint8_t out[MERKLE_HASH_LEN])
{
	EVP_MD_CTX	*md;
	unsigned int	 n = 0;
	int		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(md, sha256_md(), NULL) == 1 &&
	    EVP_DigestUpdate(md, &prefix, 1) == 1 &&
	    EVP_DigestUpdate(md, a, alen) == 1 &&
	    (blen == 0 || EVP_DigestUpdate(md, b, blen) == 1) &&
	    (clen == 0 || EVP_DigestUpdate(md, c, clen) == 1) &&
	    EVP_DigestFinal_ex(md, out, &n) == 1 && n == MERKLE_HASH_LEN;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

int
merkle_leaf(const char *domain, const uint8_t *data, size_t len,
    uint8_t out[MERKLE_HASH_LEN])
{
	/* The domain's NUL ends it, so no domain is a prefix of another's
	 * bytes. */
	return merkle_hash(0x00, domain, strlen(domain) + 1, data, len, NULL,
	    0, out);
}

int
merkle_node(const uint8_t left[MERKLE_HASH_LEN],
    const uint8_t right[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN])
{
	return merkle_hash(0x01, left, MERKLE_HASH_LEN, right,
	    MERKLE_HASH_LEN, NULL, 0, out);
}

void
merkle_free(struct merkle *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nlevels; i++)
		free(t->level[i]);
	free(t);
}

struct merkle *
merkle_new(const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n)
{
	struct merkle	*t;
	size_t		 l, i, up;

	if (n == 0 || n > MERKLE_MAX_LEAVES ||
	    (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	for (l = 0; ; l++) {
		t->size[l] = n;
		if ((t->level[l] = malloc(n * MERKLE_HASH_LEN)) == NULL)
			goto fail;
		t->nlevels = l + 1;
		if (l == 0)
			memcpy(t->level[0], leaves, n * MERKLE_HASH_LEN);
		else {
			for (i = 0; i + 1 < t->size[l - 1]; i += 2)
				if (merkle_node(t->level[l - 1][i],
				    t->level[l - 1][i + 1],
				    t->level[l][i / 2]) == -1)
					goto fail;
			if (i < t->size[l - 1])	/* the odd one out moves up */
				memcpy(t->level[l][i / 2],
				    t->level[l - 1][i], MERKLE_HASH_LEN);
		}
		if (n == 1)
			break;
		up = (n + 1) / 2;
		n = up;
	}
	return t;
 fail:
	merkle_free(t);
	return NULL;
}

const uint8_t *
merkle_root(const struct merkle *t)
{
	return t->level[t->nlevels - 1][0];
}

int
merkle_path(const struct merkle *t, size_t index,
    uint8_t (*path)[MERKLE_HASH_LEN])
{
	size_t	 l, sib;
	int	 n = 0;

	if (index >= t->size[0])
		return -1;
	for (l = 0; l + 1 < t->nlevels; l++, index /= 2) {
		sib = index ^ 1;
		/* A last node without a sibling has nothing on this level. */
		if (sib < t->size[l])
			memcpy(path[n++], t->level[l][sib], MERKLE_HASH_LEN);
	}
	return n;
}

/*
 * RFC 9162 section 2.1.3.2: fn is the node's index on its level, sn the
 * last index there.  A right child (odd fn) or a last node without a
 * sibling (fn == sn) takes the path hash on its left; a last node without
 * a sibling first climbs past the levels where it has none.  The path must
 * end exactly at the root (sn == 0), no hash short or over.
 */
int
merkle_root_from_path(const uint8_t leaf[MERKLE_HASH_LEN], uint64_t index,
    uint64_t size, const uint8_t *const *path, size_t npath,
    uint8_t root[MERKLE_HASH_LEN])
{
	uint64_t	 fn = index, sn;
	uint8_t		 r[MERKLE_HASH_LEN];
	size_t		 i;

	if (size == 0 || size > MERKLE_MAX_LEAVES || index >= size ||
	    npath > MERKLE_MAX_PATH)
		return -1;
	sn = size - 1;
	memcpy(r, leaf, MERKLE_HASH_LEN);
	for (i = 0; i < npath; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) == 1 || fn == sn) {
			if (merkle_node(path[i], r, r) == -1)
				return -1;
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (merkle_node(r, path[i], r) == -1)
			return -1;
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return -1;
	memcpy(root, r, MERKLE_HASH_LEN);
	return 0;
}
