/*
 * Merkle trees (common/merkle.c): for every size 1..17 and every leaf,
 * the tree and paths built bottom-up equal RFC 9162's recursive
 * definition (computed here independently), each path leads to the root,
 * and a wrong index, a path one hash short or long, a
 * changed hash, or an inner node presented as a leaf does not.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "merkle.h"

#define MAXN	17
#define DOMAIN	"test leaf v1"

static uint8_t	leaves[MAXN][MERKLE_HASH_LEN];

/* Leaf i: the hash of the bytes "leaf i". */
static void
make_leaves(void)
{
	char	 s[32];
	int	 i, n;

	for (i = 0; i < MAXN; i++) {
		n = snprintf(s, sizeof(s), "leaf %d", i);
		ck_assert_int_eq(merkle_leaf(DOMAIN, (uint8_t *)s, (size_t)n,
		    leaves[i]), 0);
	}
}

/* The reference hashes, spelled out with SHA256() on one buffer. */
static void
ref_node(const uint8_t *l, const uint8_t *r, uint8_t *out)
{
	uint8_t	 b[1 + 2 * MERKLE_HASH_LEN];

	b[0] = 0x01;
	memcpy(b + 1, l, MERKLE_HASH_LEN);
	memcpy(b + 1 + MERKLE_HASH_LEN, r, MERKLE_HASH_LEN);
	SHA256(b, sizeof(b), out);
}

/* The largest power of two below n (n > 1). */
static size_t
split(size_t n)
{
	size_t	 k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

/* RFC 9162 MTH(D[lo:lo+n]). */
static void
ref_mth(size_t lo, size_t n, uint8_t *out)
{
	uint8_t	 l[MERKLE_HASH_LEN], r[MERKLE_HASH_LEN];
	size_t	 k;

	if (n == 1) {
		memcpy(out, leaves[lo], MERKLE_HASH_LEN);
		return;
	}
	k = split(n);
	ref_mth(lo, k, l);
	ref_mth(lo + k, n - k, r);
	ref_node(l, r, out);
}

/* RFC 9162 PATH(m, D[lo:lo+n]), appended to path; returns the count. */
static int
ref_path(size_t m, size_t lo, size_t n, uint8_t (*path)[MERKLE_HASH_LEN])
{
	size_t	 k;
	int	 c;

	if (n == 1)
		return 0;
	k = split(n);
	if (m < k) {
		c = ref_path(m, lo, k, path);
		ref_mth(lo + k, n - k, path[c]);
	} else {
		c = ref_path(m - k, lo + k, n - k, path);
		ref_mth(lo, k, path[c]);
	}
	return c + 1;
}

/* Pointers to the hashes of path, as merkle_root_from_path takes them. */
static void
ptrs(uint8_t (*path)[MERKLE_HASH_LEN], int n, const uint8_t **p)
{
	int	 i;

	for (i = 0; i < n; i++)
		p[i] = path[i];
}

/* Every size 1..17, every leaf: the same root and path as RFC 9162, and
 * the path leads back to the root. */
START_TEST(test_sizes_indices)
{
	uint8_t		 path[MERKLE_MAX_PATH + 1][MERKLE_HASH_LEN];
	uint8_t		 want[MERKLE_MAX_PATH + 1][MERKLE_HASH_LEN];
	uint8_t		 root[MERKLE_HASH_LEN], got[MERKLE_HASH_LEN];
	const uint8_t	*p[MERKLE_MAX_PATH + 1];
	struct merkle	*t;
	size_t		 n, i;
	int		 np, nw;

	make_leaves();
	for (n = 1; n <= MAXN; n++) {
		ck_assert_ptr_nonnull(t = merkle_new(
		    (const uint8_t (*)[MERKLE_HASH_LEN])leaves, n));
		ref_mth(0, n, root);
		ck_assert_mem_eq(merkle_root(t), root, MERKLE_HASH_LEN);
		for (i = 0; i < n; i++) {
			np = merkle_path(t, i, path);
			nw = ref_path(i, 0, n, want);
			ck_assert_int_eq(np, nw);
			ck_assert(np == 0 ||
			    memcmp(path, want, (size_t)np * MERKLE_HASH_LEN) ==
			    0);
			ptrs(path, np, p);
			ck_assert_msg(merkle_root_from_path(leaves[i], i, n, p,
			    (size_t)np, got) == 0, "size %zu leaf %zu", n, i);
			ck_assert_mem_eq(got, root, MERKLE_HASH_LEN);
		}
		ck_assert_int_eq(merkle_path(t, n, path), -1);
		merkle_free(t);
	}
}
END_TEST

/* A path for one index leads nowhere (or elsewhere) from another, with a
 * hash short or over, or with a bit changed. */
START_TEST(test_wrong)
{
	uint8_t		 path[MERKLE_MAX_PATH + 1][MERKLE_HASH_LEN];
	uint8_t		 root[MERKLE_HASH_LEN], got[MERKLE_HASH_LEN];
	const uint8_t	*p[MERKLE_MAX_PATH + 1];
	struct merkle	*t;
	size_t		 n, i, j;
	int		 np;

	make_leaves();
	for (n = 1; n <= MAXN; n++) {
		t = merkle_new((const uint8_t (*)[MERKLE_HASH_LEN])leaves, n);
		ck_assert_ptr_nonnull(t);
		memcpy(root, merkle_root(t), MERKLE_HASH_LEN);
		for (i = 0; i < n; i++) {
			np = merkle_path(t, i, path);
			ptrs(path, np, p);
			for (j = 0; j < n + 2; j++)	/* wrong index */
				ck_assert_msg(j == i ||
				    merkle_root_from_path(leaves[i], j, n, p,
				    (size_t)np, got) == -1 ||
				    memcmp(got, root, MERKLE_HASH_LEN) != 0,
				    "size %zu: leaf %zu passes as %zu", n, i, j);
			/* A path does not commit to the size: leaf 0 of 3
			 * has the path of leaf 0 of 4 whose last leaf is
			 * leaf 2's hash.  That is why the signature covers
			 * the size with the root (test_envsig.c). */
			/* Another leaf's bytes at this place. */
			ck_assert(merkle_root_from_path(leaves[(i + 1) % MAXN],
			    i, n, p, (size_t)np, got) == -1 ||
			    memcmp(got, root, MERKLE_HASH_LEN) != 0);
			if (np > 0) {		/* one short */
				ck_assert_int_eq(merkle_root_from_path(
				    leaves[i], i, n, p, (size_t)np - 1, got),
				    -1);
				path[np - 1][7] ^= 0x20;	/* a changed bit */
				ck_assert(merkle_root_from_path(leaves[i], i,
				    n, p, (size_t)np, got) == 0);
				ck_assert(memcmp(got, root,
				    MERKLE_HASH_LEN) != 0);
				path[np - 1][7] ^= 0x20;
			}
			p[np] = root;			/* one over */
			ck_assert_int_eq(merkle_root_from_path(leaves[i], i,
			    n, p, (size_t)np + 1, got), -1);
		}
		merkle_free(t);
	}
	ck_assert_ptr_null(merkle_new(
	    (const uint8_t (*)[MERKLE_HASH_LEN])leaves, 0));
	ck_assert_int_eq(merkle_root_from_path(leaves[0], 0, 0, p, 0, got),
	    -1);
}
END_TEST

/*
 * An inner node cannot pass for a leaf: whoever knows its two children
 * (left || right, 64 bytes) and offers them as a leaf's bytes at the
 * inner node's place, with the rest of its path, gets a leaf hash that is
 * not the node's (the 0x00 / 0x01 prefixes), so no root.  Tried for every
 * inner node that has a place at the bottom: the first leaf under it.
 */
START_TEST(test_leaf_as_node)
{
	uint8_t		 path[MERKLE_MAX_PATH + 1][MERKLE_HASH_LEN];
	uint8_t		 l[MERKLE_HASH_LEN], r[MERKLE_HASH_LEN];
	uint8_t		 two[2 * MERKLE_HASH_LEN], fake[MERKLE_HASH_LEN];
	uint8_t		 node[MERKLE_HASH_LEN], got[MERKLE_HASH_LEN];
	const uint8_t	*p[MERKLE_MAX_PATH + 1];
	struct merkle	*t;
	size_t		 n, i, k;
	int		 np;

	make_leaves();
	for (n = 2; n <= MAXN; n++) {
		t = merkle_new((const uint8_t (*)[MERKLE_HASH_LEN])leaves, n);
		ck_assert_ptr_nonnull(t);
		/* The pairs of leaves (2i, 2i+1) have inner nodes one level
		 * up, at index i of a tree whose bottom level is those. */
		for (i = 0; i + 1 < n; i += 2) {
			memcpy(l, leaves[i], MERKLE_HASH_LEN);
			memcpy(r, leaves[i + 1], MERKLE_HASH_LEN);
			memcpy(two, l, MERKLE_HASH_LEN);
			memcpy(two + MERKLE_HASH_LEN, r, MERKLE_HASH_LEN);
			ref_node(l, r, node);
			ck_assert_int_eq(merkle_leaf(DOMAIN, two, sizeof(two),
			    fake), 0);
			ck_assert(memcmp(fake, node, MERKLE_HASH_LEN) != 0);
			/* Leaf i's path without its first hash is the inner
			 * node's path; offered with the fake leaf at every
			 * index and size it might claim. */
			np = merkle_path(t, i, path);
			ck_assert_int_ge(np, 1);
			ptrs(path + 1, np - 1, p);
			for (k = 0; k < n; k++)
				ck_assert(merkle_root_from_path(fake, k, n, p,
				    (size_t)np - 1, got) == -1 ||
				    memcmp(got, merkle_root(t),
				    MERKLE_HASH_LEN) != 0);
			for (k = 1; k <= n; k++)
				ck_assert(merkle_root_from_path(fake, i / 2,
				    k, p, (size_t)np - 1, got) == -1 ||
				    memcmp(got, merkle_root(t),
				    MERKLE_HASH_LEN) != 0);
		}
		merkle_free(t);
	}
	/* And the node hash itself is no leaf hash of anything short. */
	ck_assert_int_eq(merkle_leaf(DOMAIN, NULL, 0, fake), 0);
	ref_node(leaves[0], leaves[1], node);
	ck_assert(memcmp(fake, node, MERKLE_HASH_LEN) != 0);
}
END_TEST

/* The leaf hash is SHA-256(0x00 || domain || 0x00 || bytes), the node
 * hash SHA-256(0x01 || left || right), as docs/signatures.md says. */
START_TEST(test_hash_spelled_out)
{
	uint8_t	 b[64], want[MERKLE_HASH_LEN], got[MERKLE_HASH_LEN];
	size_t	 n = 0;

	b[n++] = 0x00;
	memcpy(b + n, DOMAIN, sizeof(DOMAIN));	/* with its NUL */
	n += sizeof(DOMAIN);
	memcpy(b + n, "abc", 3);
	n += 3;
	SHA256(b, n, want);
	ck_assert_int_eq(merkle_leaf(DOMAIN, (const uint8_t *)"abc", 3, got),
	    0);
	ck_assert_mem_eq(got, want, MERKLE_HASH_LEN);
	make_leaves();
	ref_node(leaves[3], leaves[5], want);
	ck_assert_int_eq(merkle_node(leaves[3], leaves[5], got), 0);
	ck_assert_mem_eq(got, want, MERKLE_HASH_LEN);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("merkle");
	TCase	*tc = tcase_create("merkle");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_sizes_indices);
	tcase_add_test(tc, test_wrong);
	tcase_add_test(tc, test_leaf_as_node);
	tcase_add_test(tc, test_hash_spelled_out);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
