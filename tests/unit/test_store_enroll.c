/*
 * Unit tests for daemon/store_enroll.c on a real database file: a request
 * kept with its record bit for bit, repeated requests counted, decisions,
 * the pending list against the full one, a decision undone with the batch
 * it was part of, and the state rule of the schema; each decision's audit
 * entry (who, certificate, reason, digest of the record offered) in the
 * decision's transaction, chained with the rest of the log.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "audit.h"
#include "daemon/store.h"
#include "daemon/store_audit.h"
#include "daemon/store_enroll.h"

#include "daemon/store_tx.h"
#include "db_fixture.h"

#define T0	1764040000000LL
#define FP_AUS	"aa00000000000000000000000000000000000000000000000000000000000001"
#define FP_FRA	"ff00000000000000000000000000000000000000000000000000000000000002"

static struct store	*st;

static void
setup(void)
{

	db_setup("test_store_enroll");
	st = db_store();
}

static void
teardown(void)
{
	store_close(st);
	db_teardown();
}

/* A pending request of code with a small record of the given serial. */
static void
put(const char *code, const char *fp, uint64_t serial, int64_t at)
{
	struct store_enroll_row	 row;
	Poc__DirectoryRecord	 r = POC__DIRECTORY_RECORD__INIT;
	char			*fps[1] = { (char *)fp };
	uint8_t			 sig[4] = { 1, 2, 3, 4 };

	r.network = (char *)"net";
	r.code = (char *)code;
	r.name = (char *)code;
	r.fingerprints = fps;
	r.n_fingerprints = 1;
	r.serial = serial;
	r.signature.data = sig;
	r.signature.len = sizeof(sig);
	memset(&row, 0, sizeof(row));
	snprintf(row.code, sizeof(row.code), "%s", code);
	snprintf(row.fp, sizeof(row.fp), "%s", fp);
	snprintf(row.source, sizeof(row.source), "192.0.2.1:4000");
	snprintf(row.state, sizeof(row.state), "pending");
	row.received_at = row.last_seen = at;
	row.requests = 1;
	row.record = &r;
	ck_assert_int_eq(store_enroll_put(st, &row), 0);
}

START_TEST(test_request_kept)
{
	struct store_enroll_row	 row;

	ck_assert_int_eq(store_enroll_get(st, "AUS", &row), 0);
	put("AUS", FP_AUS, 1, T0);
	ck_assert_int_eq(store_enroll_get(st, "AUS", &row), 1);
	ck_assert_str_eq(row.fp, FP_AUS);
	ck_assert_str_eq(row.state, "pending");
	ck_assert_str_eq(row.source, "192.0.2.1:4000");
	ck_assert_int_eq(row.received_at, T0);
	ck_assert_uint_eq(row.record->serial, 1);
	ck_assert_uint_eq(row.record->signature.len, 4);
	ck_assert_uint_eq(row.record->signature.data[3], 4);
	store_enroll_row_clear(&row);

	ck_assert_int_eq(store_enroll_seen(st, "AUS", T0 + 5000,
	    "198.51.100.7:5000"), 0);
	ck_assert_int_eq(store_enroll_get(st, "AUS", &row), 1);
	ck_assert_uint_eq(row.requests, 2);
	ck_assert_int_eq(row.last_seen, T0 + 5000);
	ck_assert_int_eq(row.received_at, T0);
	ck_assert_str_eq(row.source, "198.51.100.7:5000");
	store_enroll_row_clear(&row);
}
END_TEST

START_TEST(test_decisions_and_lists)
{
	struct store_enroll_row	*rows, row;
	int			 n;

	put("FRA", FP_FRA, 3, T0 + 1);
	put("AUS", FP_AUS, 1, T0);
	ck_assert_int_eq(store_enroll_pending(st), 2);
	ck_assert_int_eq(store_enroll_decide(st, "FRA", "refused",
	    "unknown here", T0 + 10, "rita"), 0);
	ck_assert_int_eq(store_enroll_pending(st), 1);

	n = store_enroll_list(st, 0, &rows);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(rows[0].code, "AUS");
	store_enroll_rows_free(rows, n);

	/* All, oldest first. */
	n = store_enroll_list(st, 1, &rows);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(rows[0].code, "AUS");
	ck_assert_str_eq(rows[1].code, "FRA");
	ck_assert_str_eq(rows[1].state, "refused");
	ck_assert_str_eq(rows[1].reason, "unknown here");
	ck_assert_str_eq(rows[1].decided_by, "rita");
	ck_assert_int_eq(rows[1].decided_at, T0 + 10);
	ck_assert_uint_eq(rows[1].record->serial, 3);
	store_enroll_rows_free(rows, n);

	/* A state the schema does not know is refused, nothing changes. */
	ck_assert_int_eq(store_enroll_decide(st, "AUS", "maybe", "", T0, "x"),
	    -1);
	/* Nor is a decision on a request that is not there. */
	ck_assert_int_eq(store_enroll_decide(st, "KEN", "approved", "", T0,
	    "x"), -1);
	ck_assert_int_eq(store_enroll_get(st, "AUS", &row), 1);
	ck_assert_str_eq(row.state, "pending");
	store_enroll_row_clear(&row);
}
END_TEST

/* An approval is part of the batch that stores the record: undone with
 * it. */
START_TEST(test_decision_rolled_back)
{
	struct store_enroll_row	 row;

	put("AUS", FP_AUS, 1, T0);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_enroll_decide(st, "AUS", "approved", "",
	    T0 + 1, "rita"), 0);
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(store_enroll_get(st, "AUS", &row), 1);
	ck_assert_str_eq(row.state, "pending");
	ck_assert_int_eq(row.decided_at, 0);
	store_enroll_row_clear(&row);
	ck_assert_int_eq(store_enroll_pending(st), 1);
	/* Its audit entry went with it. */
	{
		Poc__AuditEntry	**a;

		ck_assert_int_eq(store_audit_load(st, 0, 10, &a), 0);
	}
}
END_TEST

/* Each decision is an audit entry, in the chain, with what was decided:
 * who, the member, the certificate, the reason, the record's digest. */
START_TEST(test_decision_audited)
{
	Poc__AuditEntry		**a;
	uint8_t			 h[AUDIT_HASH_LEN];
	int			 n;

	put("FRA", FP_FRA, 3, T0);
	put("AUS", FP_AUS, 1, T0);
	ck_assert_int_eq(store_enroll_decide(st, "FRA", "refused",
	    "unknown here", T0 + 10, "rita"), 0);
	ck_assert_int_eq(store_enroll_decide(st, "AUS", "approved", "",
	    T0 + 20, "policy"), 0);
	n = store_audit_load(st, 0, 10, &a);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(a[0]->kind, "enroll-rejected");
	ck_assert_str_eq(a[0]->message_id, "");
	ck_assert_str_eq(a[0]->peer, "FRA");
	ck_assert_str_eq(a[0]->detail, "by rita; certificate " FP_FRA
	    "; reason: unknown here");
	ck_assert_int_eq(a[0]->time, T0 + 10);
	ck_assert_str_eq(a[1]->kind, "enroll-approved");
	ck_assert_str_eq(a[1]->peer, "AUS");
	ck_assert_str_eq(a[1]->detail, "by policy; certificate " FP_AUS);
	/* Chained with the rest of the log (the hashes themselves are
	 * test_audit's), the digest of the record as the request keeps it. */
	ck_assert_int_eq(a[0]->seq, 1);
	ck_assert_int_eq(a[1]->seq, 2);
	ck_assert_uint_eq(a[1]->prev_hash.len, AUDIT_HASH_LEN);
	ck_assert_mem_eq(a[1]->prev_hash.data, a[0]->hash.data, AUDIT_HASH_LEN);
	{
		struct store_enroll_row	 row;
		uint8_t			*buf;
		size_t			 len;

		ck_assert_int_eq(store_enroll_get(st, "AUS", &row), 1);
		len = poc__directory_record__get_packed_size(row.record);
		ck_assert_ptr_nonnull(buf = malloc(len));
		poc__directory_record__pack(row.record, buf);
		ck_assert_int_eq(audit_sha256(buf, len, h), 0);
		free(buf);
		store_enroll_row_clear(&row);
	}
	ck_assert_mem_eq(a[1]->envelope_sha256.data, h, AUDIT_HASH_LEN);
	store_audit_entries_free(a, n);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("store_enroll");
	TCase	*tc = tcase_create("store_enroll");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_request_kept);
	tcase_add_test(tc, test_decisions_and_lists);
	tcase_add_test(tc, test_decision_rolled_back);
	tcase_add_test(tc, test_decision_audited);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
