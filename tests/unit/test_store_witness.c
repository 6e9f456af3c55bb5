/*
 * Unit tests for daemon/store_witness.c and the audit head of
 * daemon/store_audit.c on a real database file: a held head kept bit for
 * bit with its certificate, replaced by a longer one, conflicts kept
 * beside it (once each, capped), the listing's order, and the head of
 * our own log read outside a transaction only.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "daemon/store.h"
#include "daemon/store_audit.h"
#include "daemon/store_tx.h"
#include "daemon/store_witness.h"

#include "db_fixture.h"

#define T0	1764040000000LL

static struct store	*st;
static const uint8_t	 cert[] = { 0x30, 0x82, 0x01, 0x02, 0x03 };

static void
setup(void)
{
	db_setup("test_store_witness");
	st = db_store();
}

static void
teardown(void)
{
	store_close(st);
	db_teardown();
}

/* A head of member's log: count entries, hash all fill, a fake signature. */
static struct audit_head
head_of(const char *member, int64_t count, uint8_t fill)
{
	struct audit_head	 h;

	memset(&h, 0, sizeof(h));
	snprintf(h.member, sizeof(h.member), "%s", member);
	h.count = count;
	memset(h.last_hash, fill, AUDIT_HASH_LEN);
	h.time = T0 + count;
	h.siglen = 71;
	memset(h.sig, fill ^ 0x5a, h.siglen);
	return h;
}

START_TEST(test_latest)
{
	struct audit_head	 h = head_of("AUS", 5, 0x01), g;
	uint8_t			*c = NULL;
	size_t			 clen = 0;

	ck_assert_int_eq(store_witness_latest(st, "AUS", &g, &c, &clen), 0);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(store_witness_put(st, &h, cert, sizeof(cert), T0), 0);
	ck_assert_int_eq(store_witness_latest(st, "AUS", &g, &c, &clen), 1);
	ck_assert_int_eq(memcmp(&g, &h, sizeof(h)), 0);
	ck_assert_uint_eq(clen, sizeof(cert));
	ck_assert_int_eq(memcmp(c, cert, clen), 0);
	free(c);
	/* A longer head takes its place: one latest per member. */
	h = head_of("AUS", 9, 0x02);
	ck_assert_int_eq(store_witness_put(st, &h, cert, sizeof(cert), T0), 0);
	ck_assert_int_eq(store_witness_latest(st, "AUS", &g, NULL, NULL), 1);
	ck_assert_int_eq(g.count, 9);
	ck_assert_int_eq(db_int("SELECT count(*) FROM witness_heads"), 1);
	ck_assert_int_eq(store_witness_latest(st, "FRA", &g, NULL, NULL), 0);
}
END_TEST

START_TEST(test_conflicts)
{
	struct audit_head	 h = head_of("AUS", 9, 0x02), c;
	Poc__HeldAuditHead	**l;
	int64_t			 n;
	int			 i, k;

	ck_assert_int_eq(store_witness_put(st, &h, cert, sizeof(cert), T0), 0);
	c = head_of("AUS", 4, 0x03);
	ck_assert_int_eq(store_witness_conflict(st, &c, cert, sizeof(cert),
	    T0 + 1, "shorter"), 1);
	/* The same head again is kept once. */
	ck_assert_int_eq(store_witness_conflict(st, &c, cert, sizeof(cert),
	    T0 + 2, "shorter"), 0);
	ck_assert_int_eq(store_witness_conflicts(st, "AUS", &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(store_witness_conflicts(st, "FRA", &n), 0);
	ck_assert_int_eq(n, 0);
	/* The latest is untouched by its conflicts. */
	ck_assert_int_eq(store_witness_latest(st, "AUS", &c, NULL, NULL), 1);
	ck_assert_int_eq(c.count, 9);
	/* The listing: by member, the latest first. */
	h = head_of("FRA", 3, 0x04);
	ck_assert_int_eq(store_witness_put(st, &h, cert, sizeof(cert), T0), 0);
	ck_assert_int_eq(k = store_witness_list(st, "", &l), 3);
	ck_assert_str_eq(l[0]->head->member, "AUS");
	ck_assert_str_eq(l[0]->conflict, "");
	ck_assert_int_eq(l[0]->head->count, 9);
	ck_assert_uint_eq(l[0]->head->signature.len, 71);
	ck_assert_uint_eq(l[0]->head->signer_cert.len, sizeof(cert));
	ck_assert_str_eq(l[1]->conflict, "shorter");
	ck_assert_str_eq(l[2]->head->member, "FRA");
	store_witness_list_free(l, k);
	ck_assert_int_eq(k = store_witness_list(st, "FRA", &l), 1);
	store_witness_list_free(l, k);
	/* A member that keeps contradicting itself fills no disk. */
	for (i = 0; i < STORE_WITNESS_MAX_CONFLICTS + 10; i++) {
		c = head_of("AUS", 1, (uint8_t)(0x10 + i));
		(void)store_witness_conflict(st, &c, cert, sizeof(cert), T0,
		    "fork");
	}
	ck_assert_int_eq(store_witness_conflicts(st, "AUS", &n), 0);
	ck_assert_int_eq(n, STORE_WITNESS_MAX_CONFLICTS);
	ck_assert_int_eq(store_witness_conflicts(st, "", &n), 0);
	ck_assert_int_eq(n, STORE_WITNESS_MAX_CONFLICTS);
}
END_TEST

START_TEST(test_own_head)
{
	uint8_t		 hash[AUDIT_HASH_LEN], at[AUDIT_HASH_LEN];
	uint8_t		 zero[AUDIT_HASH_LEN] = { 0 };
	uint8_t		 env[] = "envelope bytes";
	int64_t		 count;

	ck_assert_int_eq(store_audit_head(st, &count, hash), 0);
	ck_assert_int_eq(count, 0);
	ck_assert_int_eq(memcmp(hash, zero, sizeof(zero)), 0);
	ck_assert_int_eq(store_audit_hash_at(st, 1, at), 0);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_audit_append(st, "queued", "m1", "FRA", "",
	    env, sizeof(env), T0), 0);
	ck_assert_int_eq(store_audit_append(st, "delivered", "m1", "FRA", "",
	    env, sizeof(env), T0 + 1), 0);
	/* Not inside a transaction: a head must name committed entries. */
	ck_assert_int_eq(store_audit_head(st, &count, hash), -1);
	ck_assert_int_eq(store_commit(st), 0);
	ck_assert_int_eq(store_audit_head(st, &count, hash), 0);
	ck_assert_int_eq(count, 2);
	ck_assert_int_eq(store_audit_hash_at(st, 2, at), 1);
	ck_assert_int_eq(memcmp(at, hash, sizeof(at)), 0);
	ck_assert_int_eq(store_audit_hash_at(st, 1, at), 1);
	ck_assert_int_ne(memcmp(at, hash, sizeof(at)), 0);
	ck_assert_int_eq(store_audit_hash_at(st, 3, at), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("store_witness");
	TCase	*tc = tcase_create("store_witness");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_latest);
	tcase_add_test(tc, test_conflicts);
	tcase_add_test(tc, test_own_head);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
