/*
 * The operator's send (daemon/ctl_msg.c) into a real store: the envelope,
 * its outbox entry and its acknowledgement deadline commit in one
 * transaction, or nothing is queued and the operator is told so.
 *
 * The fault: the test's own connection adds a trigger that makes every
 * deadline insert leave a deferred foreign-key violation, so the send's
 * COMMIT fails after each statement succeeded.  A send that committed the
 * envelope first and its deadline afterwards would leave a queued
 * notification that is never overdue; this one must leave nothing.
 * Signatures are real (certs/mkpki).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>
#include <sqlite3.h>

#include "daemon/ctl_msg.h"
#include "daemon/msgsig.h"
#include "daemon/node.h"
#include "daemon/store.h"
#include "daemon/store_dir.h"

#include "db_fixture.h"
#include "pki_fixture.h"

#define ID_NOTE		"99999999-9999-4999-8999-999999999999"

/* FRA's directory record, so that FRA is a member one may write to. */
static void
seed(void)
{
	Poc__DirectoryRecord	 r = POC__DIRECTORY_RECORD__INIT;

	r.network = (char *)"net";
	r.code = (char *)"FRA";
	r.serial = 1;
	ck_assert_int_eq(store_dir_put(env->store, &r, "test", 1), 1);
}

static void
setup(void)
{
	char		 err[256], key[PATH_MAX + 32], cert[PATH_MAX + 32];

	pki_setup();
	db_setup("test_ctl_msg");
	snprintf(env->conf.member, sizeof(env->conf.member), "AUS");
	env->conf.deadline_flash = 15 * 60;
	ck_assert_ptr_nonnull(env->base = event_base_new());
	env->store = db_store();
	snprintf(key, sizeof(key), "%s/AUS/node.key", pki_dir);
	snprintf(cert, sizeof(cert), "%s/AUS/node.pem", pki_dir);
	ck_assert_msg(msgsig_init(key, cert, err, sizeof(err)) == 0,
	    "msgsig_init: %s", err);
	seed();
}

static void
teardown(void)
{
	msgsig_shutdown();
	store_close(env->store);
	event_base_free(env->base);
	db_teardown();
	pki_teardown();
}

/* Sends a FLASH notification to FRA as operator "duty"; returns the kind
 * of the reply, its error text in why (if any). */
static int
send_note(char *why, size_t whylen)
{
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__Notification	 no = POC__NOTIFICATION__INIT;
	Poc__OpSend		 s = POC__OP_SEND__INIT;
	Poc__OpRequest		 req = POC__OP_REQUEST__INIT;
	Poc__OpReply		 rep = POC__OP_REPLY__INIT;
	int			 kind;

	e.id = (char *)ID_NOTE;
	e.recipient = (char *)"FRA";
	e.tlp = POC__TLP__GREEN;
	e.language = (char *)"en";
	no.summary = (char *)"Phishing wave";
	no.urgency = POC__URGENCY__FLASH;
	e.body_case = POC__ENVELOPE__BODY_NOTIFICATION;
	e.notification = &no;
	s.envelope = &e;
	req.kind_case = POC__OP_REQUEST__KIND_SEND;
	req.send = &s;
	ctl_msg_send("duty", &req, &rep);
	kind = rep.kind_case;
	why[0] = '\0';
	if (kind == POC__OP_REPLY__KIND_ERROR)
		snprintf(why, whylen, "%s", rep.error->message);
	ctl_msg_free(&rep);
	return kind;
}

START_TEST(test_send_and_deadline_commit_together)
{
	char	 why[512];

	/* Every deadline insert leaves a deferred foreign-key violation:
	 * the statements succeed, the send's COMMIT fails. */
	db_exec("CREATE TABLE t_gate (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE t_bad (ref INTEGER REFERENCES t_gate (id)"
	    " DEFERRABLE INITIALLY DEFERRED);"
	    "CREATE TRIGGER t_commit_fails AFTER INSERT ON deadlines"
	    " BEGIN INSERT INTO t_bad VALUES (1); END;");
	ck_assert_int_eq(send_note(why, sizeof(why)),
	    POC__OP_REPLY__KIND_ERROR);
	ck_assert_msg(strstr(why, "not queued") != NULL, "%s", why);
	/* Nothing of it: no message, no outbox entry, no deadline. */
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages"), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM outbox"), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deadlines"), 0);

	/* The fault is gone: the operator sends again, and the envelope
	 * is queued with its deadline in the same commit. */
	db_exec("DROP TRIGGER t_commit_fails; DROP TABLE t_bad;"
	    " DROP TABLE t_gate;");
	ck_assert_int_eq(send_note(why, sizeof(why)),
	    POC__OP_REPLY__KIND_QUEUED);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = '"
	    ID_NOTE "' AND direction = 'out'"), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM outbox"), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deadlines WHERE msg_id = '"
	    ID_NOTE "'"), 1);
	/* The deadline is the FLASH period after the envelope's creation. */
	ck_assert_int_eq(db_int("SELECT d.deadline_at - m.created_at FROM deadlines d"
	    " JOIN messages m ON m.id = d.msg_id"), 15 * 60 * 1000LL);
}
END_TEST

static Suite *
ctl_msg_suite(void)
{
	Suite	*s = suite_create("ctl_msg");
	TCase	*tc = tcase_create("send");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_send_and_deadline_commit_together);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(ctl_msg_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
