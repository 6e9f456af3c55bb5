/*
 * Unit tests for daemon/store_checks.c on a real database file: campaigns
 * and their targets, a reply recorded once, and the deadline queries (a
 * deadline is pending until it passes or the recipient acknowledges; it is
 * marked overdue once; an acknowledgement from anyone else does not count).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "daemon/store.h"
#include "daemon/store_checks.h"
#include "daemon/store_msg.h"
#include "daemon/store_tx.h"

#define ID_REQ	"11111111-1111-4111-8111-111111111111"
#define ID_ACK	"22222222-2222-4222-8222-222222222222"
#define ID_ACK2	"33333333-3333-4333-8333-333333333333"
#define ID_CHK	"44444444-4444-4444-8444-444444444444"
#define ID_CAMP	"55555555-5555-4555-8555-555555555555"
#define T0	1764040000000LL

static char		 tmpdir[PATH_MAX];
static char		 dbpath[PATH_MAX + 16];
static struct store	*st;

static void
setup(void)
{
	const char	*t = getenv("TMPDIR");
	char		 err[256];

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_store_checks.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/pocd.db", tmpdir);
	st = store_open(dbpath, STORE_SYNC_NORMAL, err, sizeof(err));
	ck_assert_msg(st != NULL, "store_open: %s", err);
}

static void
teardown(void)
{
	static const char	*const sfx[] = { "", "-wal", "-shm" };
	char			 p[PATH_MAX + 32];
	size_t			 i;

	store_close(st);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]);
		unlink(p);
	}
	rmdir(tmpdir);
}

/* An envelope from `from` to `to` with the given body kind. */
static void
put(const char *id, const char *from, const char *to, int out,
    Poc__Envelope__BodyCase kind, const char *ref)
{
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__AssistanceRequest	 ar = POC__ASSISTANCE_REQUEST__INIT;
	Poc__Acknowledgement	 ack = POC__ACKNOWLEDGEMENT__INIT;
	Poc__CommunicationCheck	 cc = POC__COMMUNICATION_CHECK__INIT;

	e.id = (char *)id;
	e.thread_id = (char *)(ref != NULL ? ref : id);
	e.sender = (char *)from;
	e.recipient = (char *)to;
	e.created_at = T0;
	e.tlp = POC__TLP__GREEN;
	e.body_case = kind;
	ar.summary = (char *)"x";
	ar.urgency = POC__URGENCY__FLASH;
	e.assistance_request = &ar;
	if (kind == POC__ENVELOPE__BODY_ACKNOWLEDGEMENT) {
		ack.ack_of = (char *)ref;
		e.acknowledgement = &ack;
	}
	if (kind == POC__ENVELOPE__BODY_COMMUNICATION_CHECK) {
		cc.check_id = (char *)ID_CAMP;
		cc.reply_by = T0 + 1000;
		e.communication_check = &cc;
	}
	ck_assert_int_eq(out ? store_put_outgoing(st, &e, T0) :
	    store_put_incoming(st, &e, T0), STORE_NEW);
}

START_TEST(test_deadline_lifecycle)
{
	struct store_outbox_row	*rows;
	struct store_deadline	*due, d;
	int64_t			 at, seq;

	put(ID_REQ, "AUS", "FRA", 1, POC__ENVELOPE__BODY_ASSISTANCE_REQUEST,
	    NULL);
	/* the request has no deadline row yet */
	ck_assert_int_eq(store_deadline_missing(st, 0, 10, &rows), 1);
	ck_assert_str_eq(rows[0].id, ID_REQ);
	seq = rows[0].seq;
	store_outbox_rows_free(rows, 1);
	/* nothing after the last message looked at */
	ck_assert_int_eq(store_deadline_missing(st, seq, 10, &rows), 0);
	free(rows);
	ck_assert_int_eq(store_deadline_add(st, ID_REQ, "FRA", 4, T0 + 2000),
	    0);
	ck_assert_int_eq(store_deadline_missing(st, 0, 10, &rows), 0);
	free(rows);
	ck_assert_int_eq(store_deadline_next(st, &at), 1);
	ck_assert_int_eq(at, T0 + 2000);
	/* not due before its time */
	ck_assert_int_eq(store_deadline_due(st, T0 + 1999, 10, &due), 0);
	free(due);
	ck_assert_int_eq(store_deadline_due(st, T0 + 2000, 10, &due), 1);
	ck_assert_str_eq(due[0].msg_id, ID_REQ);
	ck_assert_str_eq(due[0].recipient, "FRA");
	free(due);
	/* marked once, with its time */
	ck_assert_int_eq(store_deadline_mark(st, ID_REQ, T0 + 2500), 1);
	ck_assert_int_eq(store_deadline_mark(st, ID_REQ, T0 + 9999), 0);
	ck_assert_int_eq(store_deadline_get(st, ID_REQ, &d), 1);
	ck_assert_int_eq(d.overdue_at, T0 + 2500);
	ck_assert_int_eq(d.acked, 0);
	ck_assert_int_eq(store_deadline_overdue_count(st), 1);
	ck_assert_int_eq(store_deadline_next(st, &at), 0);
	/* an acknowledgement from someone other than the recipient is not
	 * one */
	put(ID_ACK2, "KEN", "AUS", 0, POC__ENVELOPE__BODY_ACKNOWLEDGEMENT,
	    ID_REQ);
	ck_assert_int_eq(store_deadline_overdue_count(st), 1);
	/* the recipient's acknowledgement ends it */
	put(ID_ACK, "FRA", "AUS", 0, POC__ENVELOPE__BODY_ACKNOWLEDGEMENT,
	    ID_REQ);
	ck_assert_int_eq(store_deadline_get(st, ID_REQ, &d), 1);
	ck_assert_int_eq(d.acked, 1);
	ck_assert_int_eq(store_deadline_overdue_count(st), 0);
	ck_assert_int_eq(store_deadline_get(st, ID_ACK, &d), 0);
}
END_TEST

START_TEST(test_acked_before_deadline)
{
	struct store_deadline	*due;
	int64_t			 at;

	put(ID_REQ, "AUS", "FRA", 1, POC__ENVELOPE__BODY_ASSISTANCE_REQUEST,
	    NULL);
	ck_assert_int_eq(store_deadline_add(st, ID_REQ, "FRA", 4, T0 + 2000),
	    0);
	put(ID_ACK, "FRA", "AUS", 0, POC__ENVELOPE__BODY_ACKNOWLEDGEMENT,
	    ID_REQ);
	ck_assert_int_eq(store_deadline_due(st, T0 + 5000, 10, &due), 0);
	free(due);
	ck_assert_int_eq(store_deadline_next(st, &at), 0);
	ck_assert_int_eq(store_deadline_overdue_count(st), 0);
}
END_TEST

/* deadlines.settled of id, read from the file (WAL: the store's
 * commits are visible to another connection). */
static int
settled(const char *id)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int		 v = -1;

	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT settled FROM deadlines"
	    " WHERE msg_id = ?1", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* The recipient's acknowledgement settles the deadline row, in its own
 * transaction or, if it came first, when the row is added; another
 * member's does not. */
START_TEST(test_deadline_settled)
{
	int64_t	 at;

	put(ID_REQ, "AUS", "FRA", 1, POC__ENVELOPE__BODY_ASSISTANCE_REQUEST,
	    NULL);
	ck_assert_int_eq(store_deadline_add(st, ID_REQ, "FRA", 4, T0 + 2000),
	    0);
	ck_assert_int_eq(settled(ID_REQ), 0);
	put(ID_ACK2, "KEN", "AUS", 0, POC__ENVELOPE__BODY_ACKNOWLEDGEMENT,
	    ID_REQ);
	ck_assert_int_eq(settled(ID_REQ), 0);
	ck_assert_int_eq(store_deadline_next(st, &at), 1);
	put(ID_ACK, "FRA", "AUS", 0, POC__ENVELOPE__BODY_ACKNOWLEDGEMENT,
	    ID_REQ);
	ck_assert_int_eq(settled(ID_REQ), 1);
	ck_assert_int_eq(store_deadline_next(st, &at), 0);
	/* acknowledged before its row was added (a restart between) */
	put(ID_CHK, "AUS", "FRA", 1, POC__ENVELOPE__BODY_ASSISTANCE_REQUEST,
	    NULL);
	put(ID_CAMP, "FRA", "AUS", 0, POC__ENVELOPE__BODY_ACKNOWLEDGEMENT,
	    ID_CHK);
	ck_assert_int_eq(store_deadline_add(st, ID_CHK, "FRA", 4, T0 + 3000),
	    0);
	ck_assert_int_eq(settled(ID_CHK), 1);
	ck_assert_int_eq(store_deadline_next(st, &at), 0);
}
END_TEST

START_TEST(test_campaign)
{
	struct store_check_campaign	 c, got, *list;
	struct store_check_target	*t;
	int				 n;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", ID_CAMP);
	c.created_at = T0;
	c.reply_by = T0 + 1000;
	snprintf(c.created_by, sizeof(c.created_by), "alice");
	ck_assert_int_eq(store_checks_last(st, 0), 0);
	ck_assert_int_eq(store_checks_campaign_get(st, "", &got), 0);
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_checks_campaign_add(st, &c), 0);
	put(ID_CHK, "AUS", "FRA", 1, POC__ENVELOPE__BODY_COMMUNICATION_CHECK,
	    NULL);
	ck_assert_int_eq(store_checks_target_add(st, ID_CAMP, "FRA", ID_CHK),
	    0);
	ck_assert_int_eq(store_commit(st), 0);

	ck_assert_int_eq(store_checks_last(st, 0), T0);
	ck_assert_int_eq(store_checks_last(st, 1), 0);	/* not scheduled */
	ck_assert_int_eq(store_checks_campaign_get(st, "", &got), 1);
	ck_assert_str_eq(got.id, ID_CAMP);
	ck_assert_int_eq(store_checks_campaign_get(st, "5555", &got), 1);
	ck_assert_str_eq(got.created_by, "alice");
	ck_assert_int_eq(store_checks_campaign_get(st, "6666", &got), 0);
	ck_assert_int_eq(store_checks_campaigns(st, 10, &list), 1);
	free(list);

	n = store_checks_targets(st, ID_CAMP, &t);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(t[0].member, "FRA");
	ck_assert_str_eq(t[0].delivery, "queued");
	ck_assert_int_eq(t[0].replied_at, 0);
	free(t);
	/* the receipt: delivered */
	ck_assert_int_eq(store_outbox_delivered(st, "FRA", ID_CHK, T0 + 10), 0);
	/* a reply from a member that was not asked is not taken */
	ck_assert_int_eq(store_checks_reply(st, ID_CAMP, "KEN", T0 + 20, "x",
	    ID_ACK), 0);
	ck_assert_int_eq(store_checks_reply(st, ID_CAMP, "FRA", T0 + 20,
	    "bob", ID_ACK), 1);
	/* a resend changes nothing */
	ck_assert_int_eq(store_checks_reply(st, ID_CAMP, "FRA", T0 + 99,
	    "eve", ID_ACK2), 2);
	n = store_checks_targets(st, ID_CAMP, &t);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(t[0].delivery, "delivered");
	ck_assert_int_eq(t[0].delivered_at, T0 + 10);
	ck_assert_int_eq(t[0].replied_at, T0 + 20);
	ck_assert_str_eq(t[0].replied_by, "bob");
	ck_assert_str_eq(t[0].reply_id, ID_ACK);
	free(t);
}
END_TEST

/* A campaign whose envelope fails is rolled back with its batch. */
START_TEST(test_campaign_rollback)
{
	struct store_check_campaign	 c, got;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", ID_CAMP);
	c.created_at = T0;
	c.reply_by = T0 + 1000;
	ck_assert_int_eq(store_begin(st), 0);
	ck_assert_int_eq(store_checks_campaign_add(st, &c), 0);
	/* the same campaign id twice fails inside the batch */
	ck_assert_int_eq(store_checks_campaign_add(st, &c), -1);
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(store_checks_campaign_get(st, "", &got), 0);
	ck_assert_int_eq(store_checks_last(st, 0), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("store_checks");
	TCase	*tc = tcase_create("store_checks");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_deadline_lifecycle);
	tcase_add_test(tc, test_acked_before_deadline);
	tcase_add_test(tc, test_deadline_settled);
	tcase_add_test(tc, test_campaign);
	tcase_add_test(tc, test_campaign_rollback);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
