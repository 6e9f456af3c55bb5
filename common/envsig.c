/*
 * Envelope signatures over canonical bytes (see envsig.h), single or by
 * batch (docs/signatures.md has the construction).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envsig.h"
#include "merkle.h"

/* The proofs of one signed batch, owned here (envsig_batch_sign). */
struct envsig_batch {
	size_t				  n;
	Poc__Envelope			**e;
	Poc__EnvelopeBatchProof		 *proof;	/* n */
	ProtobufCBinaryData		 *path;		/* n * MERKLE_MAX_PATH */
	uint8_t				(*hash)[MERKLE_HASH_LEN]; /* as path */
	uint8_t				  sig[SIG_MAX_LEN];
	size_t				  siglen;
};

int
envsig_canonical(const Poc__Envelope *e, uint8_t **out, size_t *len)
{
	Poc__Envelope	 c = *e;	/* shallow: only the proofs differ */
	uint8_t		*buf;
	size_t		 n;

	*out = NULL;
	*len = 0;
	c.signature.data = NULL;
	c.signature.len = 0;
	c.batch = NULL;
	n = protobuf_c_message_get_packed_size(&c.base);
	if ((buf = malloc(n > 0 ? n : 1)) == NULL)
		return -1;
	if (protobuf_c_message_pack(&c.base, buf) != n) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

int
envsig_sign(EVP_PKEY *key, Poc__Envelope *e, uint8_t *sig)
{
	uint8_t	*buf;
	size_t	 len, siglen;
	int	 r;

	if (envsig_canonical(e, &buf, &len) == -1)
		return -1;
	r = sig_sign(key, SIG_CTX_ENVELOPE, buf, len, sig, &siglen);
	free(buf);
	if (r == -1)
		return -1;
	e->signature.data = sig;
	e->signature.len = siglen;
	return 0;
}

int
envsig_leaf(const Poc__Envelope *e, uint8_t leaf[32])
{
	uint8_t	*buf;
	size_t	 len;
	int	 r;

	if (envsig_canonical(e, &buf, &len) == -1)
		return -1;
	r = merkle_leaf(ENVSIG_LEAF_DOMAIN, buf, len, leaf);
	free(buf);
	return r;
}

/* What a batch signature covers: the tree size (8 bytes, big-endian) and
 * the root, so that a root cannot be presented for a tree of another
 * size. */
static void
envsig_root_data(uint64_t size, const uint8_t root[32], uint8_t out[40])
{
	int	 i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(size >> (56 - 8 * i));
	memcpy(out + 8, root, 32);
}

void
envsig_batch_free(struct envsig_batch *b)
{
	size_t	 i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		if (b->e[i]->batch == &b->proof[i])
			b->e[i]->batch = NULL;
	free(b->e);
	free(b->proof);
	free(b->path);
	free(b->hash);
	free(b);
}

struct envsig_batch *
envsig_batch_sign(EVP_PKEY *key, Poc__Envelope **e, size_t n)
{
	struct envsig_batch	*b;
	struct merkle		*t = NULL;
	uint8_t			(*leaf)[MERKLE_HASH_LEN] = NULL, data[40];
	size_t			 i, j;
	int			 np;

	if (n == 0 || n > MERKLE_MAX_LEAVES ||
	    (b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->n = n;
	if ((b->e = calloc(n, sizeof(*b->e))) == NULL ||
	    (b->proof = calloc(n, sizeof(*b->proof))) == NULL ||
	    (b->path = calloc(n * MERKLE_MAX_PATH, sizeof(*b->path))) == NULL ||
	    (b->hash = calloc(n * MERKLE_MAX_PATH, sizeof(*b->hash))) == NULL ||
	    (leaf = calloc(n, sizeof(*leaf))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		b->e[i] = e[i];
		if (e[i]->signature.len != 0 || e[i]->batch != NULL ||
		    envsig_leaf(e[i], leaf[i]) == -1)
			goto fail;
	}
	if ((t = merkle_new((const uint8_t (*)[MERKLE_HASH_LEN])leaf, n)) ==
	    NULL)
		goto fail;
	envsig_root_data(n, merkle_root(t), data);
	if (sig_sign(key, SIG_CTX_BATCH, data, sizeof(data), b->sig,
	    &b->siglen) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		Poc__EnvelopeBatchProof	*p = &b->proof[i];

		poc__envelope_batch_proof__init(p);
		if ((np = merkle_path(t, i, &b->hash[i * MERKLE_MAX_PATH])) < 0)
			goto fail;
		p->leaf_index = i;
		p->tree_size = n;
		p->n_path = (size_t)np;
		p->path = &b->path[i * MERKLE_MAX_PATH];
		for (j = 0; j < (size_t)np; j++) {
			p->path[j].data = b->hash[i * MERKLE_MAX_PATH + j];
			p->path[j].len = MERKLE_HASH_LEN;
		}
		p->root_signature.data = b->sig;
		p->root_signature.len = b->siglen;
	}
	for (i = 0; i < n; i++)
		e[i]->batch = &b->proof[i];
	merkle_free(t);
	free(leaf);
	return b;
 fail:
	merkle_free(t);
	free(leaf);
	b->n = 0;		/* no envelope points at a proof yet */
	envsig_batch_free(b);
	return NULL;
}

int
envsig_batch_root(const Poc__Envelope *e, uint8_t root[32], char *why,
    size_t whylen)
{
	const Poc__EnvelopeBatchProof	*p = e->batch;
	const uint8_t			*path[MERKLE_MAX_PATH];
	uint8_t				 leaf[MERKLE_HASH_LEN];
	size_t				 i;

	if (p == NULL) {
		snprintf(why, whylen, "no batch proof");
		return 0;
	}
	if (e->signature.len != 0) {
		snprintf(why, whylen, "batch proof: the envelope has a single "
		    "signature too");
		return 0;
	}
	if (p->tree_size == 0 || p->tree_size > MERKLE_MAX_LEAVES ||
	    p->leaf_index >= p->tree_size) {
		snprintf(why, whylen, "batch proof: leaf %llu of a tree of %llu "
		    "is out of range", (unsigned long long)p->leaf_index,
		    (unsigned long long)p->tree_size);
		return 0;
	}
	if (p->root_signature.len == 0 ||
	    p->root_signature.len > SIG_MAX_LEN) {
		snprintf(why, whylen, "batch proof: no root signature, or one "
		    "longer than %d bytes", SIG_MAX_LEN);
		return 0;
	}
	if (p->n_path > MERKLE_MAX_PATH) {
		snprintf(why, whylen, "batch proof: path of %zu hashes",
		    p->n_path);
		return 0;
	}
	for (i = 0; i < p->n_path; i++) {
		if (p->path[i].len != MERKLE_HASH_LEN) {
			snprintf(why, whylen, "batch proof: path hash %zu is "
			    "%zu bytes, not %d", i, p->path[i].len,
			    MERKLE_HASH_LEN);
			return 0;
		}
		path[i] = p->path[i].data;
	}
	if (envsig_leaf(e, leaf) == -1) {
		snprintf(why, whylen, "out of memory");
		return 0;
	}
	if (merkle_root_from_path(leaf, p->leaf_index, p->tree_size, path,
	    p->n_path, root) == -1) {
		snprintf(why, whylen, "batch proof: the path does not fit leaf "
		    "%llu of a tree of %llu", (unsigned long long)p->leaf_index,
		    (unsigned long long)p->tree_size);
		return 0;
	}
	return 1;
}

int
envsig_root_verify(X509 *cert, uint64_t size, const uint8_t root[32],
    const uint8_t *sig, size_t siglen)
{
	uint8_t	 data[40];

	envsig_root_data(size, root, data);
	return sig_verify(cert, SIG_CTX_BATCH, data, sizeof(data), sig,
	    siglen);
}

int
envsig_verify(X509 *cert, const Poc__Envelope *e, char *why, size_t whylen)
{
	uint8_t	*buf, root[MERKLE_HASH_LEN];
	size_t	 len;
	int	 ok;

	if (e->batch == NULL && e->signature.len == 0) {
		snprintf(why, whylen, "no signature");
		return 0;
	}
	if (e->signature.len > SIG_MAX_LEN) {
		snprintf(why, whylen, "signature longer than %d bytes",
		    SIG_MAX_LEN);
		return 0;
	}
	if (cert == NULL) {
		snprintf(why, whylen, "no certificate of the signer");
		return 0;
	}
	if (e->batch != NULL) {
		if (!envsig_batch_root(e, root, why, whylen))
			return 0;
		ok = envsig_root_verify(cert, e->batch->tree_size, root,
		    e->batch->root_signature.data,
		    e->batch->root_signature.len);
		if (!ok)
			snprintf(why, whylen, "batch signature does not verify "
			    "with the sender's certificate (the root or its "
			    "signature is not the sender's)");
		return ok;
	}
	if (envsig_canonical(e, &buf, &len) == -1) {
		snprintf(why, whylen, "out of memory");
		return 0;
	}
	ok = sig_verify(cert, SIG_CTX_ENVELOPE, buf, len, e->signature.data,
	    e->signature.len);
	free(buf);
	if (!ok)
		snprintf(why, whylen, "signature does not verify with the "
		    "sender's certificate");
	return ok;
}
