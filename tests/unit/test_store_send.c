/*
 * Unit tests for daemon/store_send.c on a real database file: a send to
 * many queues every envelope and its case in one transaction, and a
 * failure at any envelope (an id already held, an envelope the store
 * cannot take) leaves nothing of the case: no message, no outbox row, no
 * case row.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "daemon/store.h"
#include "daemon/store_list.h"
#include "daemon/store_msg.h"
#include "daemon/store_send.h"

#include "db_fixture.h"

#define T0	1764040000000LL

static const char *const ids[] = {
	"11111111-1111-4111-8111-111111111111",
	"22222222-2222-4222-8222-222222222222",
	"33333333-3333-4333-8333-333333333333",
};
static const char *const to[] = { "FRA", "KEN", "DEU" };

static struct store	*st;
static Poc__Envelope	 env[3];
static Poc__Notification note = POC__NOTIFICATION__INIT;

static void
setup(void)
{
	size_t		 i;

	db_setup("test_store_send");
	st = db_store();
	note.summary = (char *)"advisory";
	for (i = 0; i < 3; i++) {
		poc__envelope__init(&env[i]);
		env[i].id = (char *)ids[i];
		/* FRA and KEN take the case's thread, DEU has its own */
		env[i].thread_id = (char *)ids[i == 1 ? 0 : i];
		env[i].sender = (char *)"AUS";
		env[i].recipient = (char *)to[i];
		env[i].created_at = T0;
		env[i].tlp = POC__TLP__GREEN;
		env[i].body_case = POC__ENVELOPE__BODY_NOTIFICATION;
		env[i].notification = &note;
	}
}

static void
teardown(void)
{
	store_close(st);
	db_teardown();
}

static void
fill_case(struct store_send_case *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", ids[0]);
	c->created_at = T0;
	c->kind = POC__ENVELOPE__BODY_NOTIFICATION;
	c->recipients = 3;
	snprintf(c->created_by, sizeof(c->created_by), "duty-officer");
}

/* Nothing of the case is in the store. */
static void
assert_nothing(void)
{
	struct store_send_case	 got, *latest;
	Poc__StoredMessage	*m = NULL;
	size_t			 i;

	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 0), 0);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 1), 0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(store_get(st, ids[i], &m), 0);
		ck_assert_int_eq(store_send_case_of(st, ids[i], &got), 0);
	}
	ck_assert_int_eq(store_send_cases_latest(st, 10, &latest), 0);
	free(latest);
}

START_TEST(test_all_queued)
{
	Poc__Envelope		*e[3] = { &env[0], &env[1], &env[2] };
	struct store_send_case	 c, got, *latest;
	struct store_outbox_row	*rows;
	char			(*eids)[64];
	size_t			 failed = 99, i;

	fill_case(&c);
	ck_assert_int_eq(store_send_many(st, &c, e, 3, NULL, 0, T0, &failed),
	    STORE_NEW);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 1), 3);
	for (i = 0; i < 3; i++) {
		/* each has its own outbox row, for its own recipient */
		ck_assert_int_eq(store_outbox_load(st, to[i], 0, 10, &rows), 1);
		ck_assert_str_eq(rows[0].id, ids[i]);
		store_outbox_rows_free(rows, 1);
		ck_assert_int_eq(store_send_case_of(st, env[i].thread_id,
		    &got), 1);
		ck_assert_str_eq(got.id, ids[0]);
		ck_assert_uint_eq(got.recipients, 3);
		ck_assert_str_eq(got.created_by, "duty-officer");
	}
	/* a case is found by a thread, not by an envelope's id in one */
	ck_assert_int_eq(store_send_case_of(st, ids[1], &got), 0);
	/* two threads on the wire, each once, in the order queued */
	ck_assert_int_eq(store_send_case_threads(st, ids[0], &eids), 2);
	ck_assert_str_eq(eids[0], ids[0]);
	ck_assert_str_eq(eids[1], ids[2]);
	free(eids);
	/* one case per party, two of them in the one thread */
	ck_assert_int_eq(db_int("SELECT count(*) FROM cases WHERE "
	    "thread_id = '11111111-1111-4111-8111-111111111111' AND "
	    "party IN ('FRA', 'KEN')"), 2);
	ck_assert_int_eq(db_int("SELECT count(*) FROM cases"), 3);
	ck_assert_int_eq(store_send_cases_latest(st, 10, &latest), 1);
	ck_assert_int_eq(latest[0].kind, POC__ENVELOPE__BODY_NOTIFICATION);
	free(latest);
	/* one delivery settles one envelope, the others stay queued */
	ck_assert_int_eq(store_outbox_delivered(st, "KEN", ids[1], T0 + 5), 0);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 1), 2);
}
END_TEST

/* The last envelope's id is already held (from another sender): the two
 * before it, already written inside the transaction, are undone. */
START_TEST(test_conflict_last_queues_nothing)
{
	Poc__Envelope		*e[3] = { &env[0], &env[1], &env[2] };
	Poc__Envelope		 in;
	struct store_send_case	 c;
	size_t			 failed = 99;

	in = env[2];
	in.sender = (char *)"KEN";
	in.recipient = (char *)"AUS";
	ck_assert_int_eq(store_put_incoming(st, &in, T0), STORE_NEW);
	fill_case(&c);
	ck_assert_int_eq(store_send_many(st, &c, e, 3, NULL, 0, T0, &failed),
	    STORE_CONFLICT);
	ck_assert_uint_eq(failed, 2);
	assert_nothing();
	ck_assert_int_eq(store_count(st, STORE_INBOX, 0), 1);
}
END_TEST

/* An envelope the store refuses in the middle (a recipient too long for
 * the outbox): STORE_ERROR at index 1, nothing stored. */
START_TEST(test_error_midway_queues_nothing)
{
	Poc__Envelope		*e[3] = { &env[0], &env[1], &env[2] };
	struct store_send_case	 c;
	char			 longname[200];
	size_t			 failed = 99;

	memset(longname, 'X', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	env[1].recipient = longname;
	fill_case(&c);
	ck_assert_int_eq(store_send_many(st, &c, e, 3, NULL, 0, T0, &failed),
	    STORE_ERROR);
	ck_assert_uint_eq(failed, 1);
	assert_nothing();
	/* and the store still works: the case goes through once fixed */
	env[1].recipient = (char *)to[1];
	ck_assert_int_eq(store_send_many(st, &c, e, 3, NULL, 0, T0, &failed),
	    STORE_NEW);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 1), 3);
}
END_TEST

/* The same case twice: the second is refused whole (its first id is
 * already held), and the first stays as it was. */
START_TEST(test_same_case_twice)
{
	Poc__Envelope		*e[3] = { &env[0], &env[1], &env[2] };
	struct store_send_case	 c;
	size_t			 failed = 99;

	fill_case(&c);
	ck_assert_int_eq(store_send_many(st, &c, e, 3, NULL, 0, T0, &failed),
	    STORE_NEW);
	ck_assert_int_ne(store_send_many(st, &c, e, 3, NULL, 0, T0, &failed),
	    STORE_NEW);
	ck_assert_int_eq(store_count(st, STORE_OUTBOX, 1), 3);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("store_send");
	TCase	*tc = tcase_create("store_send");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_all_queued);
	tcase_add_test(tc, test_conflict_last_queues_nothing);
	tcase_add_test(tc, test_error_midway_queues_nothing);
	tcase_add_test(tc, test_same_case_twice);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
