/*
 * Known vectors of the id derivations (common/threadid.c, common/msgid.c),
 * computed apart from them, from docs/directory.md and docs/guarantees.md,
 * with Python's hashlib (as tests/integration/tb.py's bound_thread and
 * bound_id).  Shared by test_ids.c and test_validate.c.
 */
#ifndef POC_TEST_IDVEC_H
#define POC_TEST_IDVEC_H

/* A nonce, the thread it makes for AUS and for KEN. */
#define NONCE		"000102030405060708090a0b0c0d0e0f"
#define AUS_THREAD	"6233eee7-64a4-8122-d990-b7c617d0e140"
#define KEN_THREAD	"16d885a9-e32a-89e3-d3d7-2846cc8c166b"

/* The message ids the nonce makes for AUS and for KEN with the head
 * 0a1b2c3d. */
#define AUS_ID		"0a1b2c3d-e6e6-8aa9-fead-3dfa245bd517"
#define KEN_ID		"0a1b2c3d-0418-8257-f4ff-a8b44c1b718d"

#endif
