/*
 * The receive path (daemon/receive.c) through a real group commit into a
 * real store: a CheckReply's effects (the reply recorded on its check,
 * the directory's last-checked time of the member's PoCs) commit in the
 * batch's transaction after the envelope's row, or not at all.
 *
 * The fault: the test's own connection adds a trigger that makes every
 * message insert leave a deferred foreign-key violation, so the batch's
 * COMMIT fails (the store's usual failure injection, by trigger).  Then
 * nothing of the reply may be left, the sender hears no receipt, and its
 * resend is recorded exactly once.  Signatures are real (certs/mkpki).
 *
 * Threads are scoped per member: FRA may add to a thread it has a part in
 * (or a new one), not to AUS's case with KEN, whose id it may have learnt,
 * nor to KEN's part of a case AUS sent to both in one thread.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>
#include <sqlite3.h>

#include "daemon/gcommit.h"
#include "daemon/node.h"
#include "daemon/receive.h"
#include "daemon/store.h"
#include "daemon/store_checks.h"
#include "daemon/store_dir.h"
#include "daemon/store_msg.h"
#include "daemon/store_tx.h"
#include "envsig.h"
#include "msgid.h"

#include "db_fixture.h"
#include "pki_fixture.h"

#define ID_CAMP		"55555555-5555-4555-8555-555555555555"
#define ID_CHECK	"66666666-6666-4666-8666-666666666666"
#define ID_REPLY	"77777777-7777-4777-8777-777777777777"
#define ID_NOTE		"88888888-8888-4888-8888-888888888888"
#define ID_KEN_CASE	"99999999-9999-4999-8999-999999999999"
#define ID_FRA_CASE	"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define ID_UPDATE	"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
#define ID_SHARED	"cccccccc-cccc-4ccc-8ccc-cccccccccccc"
#define ID_KEN_SHARE	"dddddddd-dddd-4ddd-8ddd-dddddddddddd"
#define ID_OPEN		"eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"
#define ID_NEW_THREAD	"ffffffff-ffff-4fff-8fff-ffffffffffff"
#define ID_OPEN2	"12121212-1212-4212-8212-121212121212"
/* Two nonces of FRA's and the threads they make for FRA (threadid.h;
 * computed apart with Python's hashlib). */
#define NONCE_A		"000102030405060708090a0b0c0d0e0f"
#define FRA_THREAD_A	"b08bfa70-d68c-8d90-dca4-53feb7c7b07b"
#define NONCE_B		"0f0e0d0c0b0a09080706050403020100"
#define FRA_THREAD_B	"ab16f0fc-65d0-8db1-c2be-1d4e5f0d3d1b"
#define T0		1764040000000LL

/* What the receive path said to the connection (the test's owner). */
struct conn {
	int	 receipts;
	int	 status;		/* of the last receipt */
	char	 id[64];		/* its envelope id */
	char	 reason[256];		/* its reason */
	int	 fails;
};

static int
t_receipt(void *owner, const Poc__Receipt *r)
{
	struct conn	*c = owner;

	c->receipts++;
	c->status = r->status;
	snprintf(c->id, sizeof(c->id), "%s", r->envelope_id);
	snprintf(c->reason, sizeof(c->reason), "%s", r->reason);
	return 0;
}

static void
t_fail(void *owner, Poc__Error__Code code, const char *why)
{
	struct conn	*c = owner;

	(void)code;
	(void)why;
	c->fails++;
}

static const struct receive_cb t_cb = {
	.receipt = t_receipt,
	.fail = t_fail,
};

static void	head(Poc__Envelope *, const char *, const char *,
		    const char *, const char *, const char *, int64_t);

/* AUS's CommunicationCheck to FRA, stored as sent (the reply answers it
 * in its thread). */
static void
check_sent(void)
{
	Poc__Envelope			 e;
	Poc__CommunicationCheck		 cc = POC__COMMUNICATION_CHECK__INIT;

	head(&e, ID_CHECK, ID_CHECK, "", "AUS", "FRA", T0);
	cc.check_id = (char *)ID_CAMP;
	e.body_case = POC__ENVELOPE__BODY_COMMUNICATION_CHECK;
	e.communication_check = &cc;
	ck_assert_int_eq(store_put_outgoing(env->store, &e, T0), STORE_NEW);
}

/* FRA's directory record (one PoC) and AUS's campaign checking FRA. */
static void
seed(void)
{
	Poc__DirectoryRecord		 r = POC__DIRECTORY_RECORD__INIT;
	Poc__DirectoryPoc		 p = POC__DIRECTORY_POC__INIT, *pp[1];
	struct store_check_campaign	 c;

	p.level = POC__DIRECTORY_POC__LEVEL__TECHNICAL;
	p.name = (char *)"Duty officer";
	pp[0] = &p;
	r.network = (char *)"net";
	r.code = (char *)"FRA";
	r.serial = 1;
	r.n_pocs = 1;
	r.pocs = pp;
	ck_assert_int_eq(store_dir_put(env->store, &r, "test", T0), 1);

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", ID_CAMP);
	c.created_at = T0;
	c.reply_by = T0 + 60000;
	snprintf(c.created_by, sizeof(c.created_by), "test");
	ck_assert_int_eq(store_begin(env->store), 0);
	ck_assert_int_eq(store_checks_campaign_add(env->store, &c), 0);
	ck_assert_int_eq(store_checks_target_add(env->store, ID_CAMP, "FRA",
	    ID_CHECK), 0);
	ck_assert_int_eq(store_commit(env->store), 0);
	check_sent();
}

static void
setup(void)
{
	static struct gc_bounds	 b = { 100, 1 << 20, 0 };

	pki_setup();
	db_setup("test_receive");
	snprintf(env->conf.member, sizeof(env->conf.member), "AUS");
	ck_assert_ptr_nonnull(env->base = event_base_new());
	env->store = db_store();
	ck_assert_int_eq(gc_init(env->base, env->store, &b), 0);
	/* Two signature threads: the verdicts cross threads as in pocd. */
	ck_assert_int_eq(receive_init(&t_cb, 2), 0);
	seed();
}

static void
teardown(void)
{
	receive_shutdown();
	gc_shutdown();
	store_close(env->store);
	event_base_free(env->base);
	db_teardown();
	pki_teardown();
}

/* A frame as pocd decodes it (owned), holding e signed by FRA. */
static Poc__PeerFrame *
frame_of(Poc__Envelope *e)
{
	Poc__PeerFrame	 f = POC__PEER_FRAME__INIT;
	EVP_PKEY	*k = key_of("FRA");
	uint8_t		 sig[SIG_MAX_LEN], buf[8192];
	size_t		 n;

	e->signature.len = 0;
	e->signature.data = NULL;
	ck_assert_int_eq(envsig_sign(k, e, sig), 0);
	EVP_PKEY_free(k);
	f.kind_case = POC__PEER_FRAME__KIND_ENVELOPE;
	f.envelope = e;
	n = poc__peer_frame__get_packed_size(&f);
	ck_assert_uint_le(n, sizeof(buf));
	ck_assert_uint_eq(poc__peer_frame__pack(&f, buf), n);
	return poc__peer_frame__unpack(NULL, n, buf);
}

/* Initialises e with its header fields (TLP GREEN, English). */
static void
head(Poc__Envelope *e, const char *id, const char *thread,
    const char *reply_to, const char *sender, const char *recipient,
    int64_t at)
{
	poc__envelope__init(e);
	e->id = (char *)id;
	e->thread_id = (char *)thread;
	e->in_reply_to = (char *)reply_to;
	e->sender = (char *)sender;
	e->recipient = (char *)recipient;
	e->created_at = at;
	e->tlp = POC__TLP__GREEN;
	e->language = (char *)"en";
}

/* FRA's CheckReply to the campaign. */
static Poc__PeerFrame *
reply_frame(void)
{
	Poc__Envelope	 e;
	Poc__CheckReply	 cr = POC__CHECK_REPLY__INIT;

	head(&e, ID_REPLY, ID_CHECK, ID_CHECK, "FRA", "AUS", T0 + 1000);
	cr.check_id = (char *)ID_CAMP;
	cr.replied_by = (char *)"Duty officer";
	e.body_case = POC__ENVELOPE__BODY_CHECK_REPLY;
	e.check_reply = &cr;
	return frame_of(&e);
}

/* e: a Notification no (both initialised here) opening case id. */
static void
notification(Poc__Envelope *e, Poc__Notification *no, const char *id,
    const char *sender, const char *recipient, int64_t at)
{
	head(e, id, id, "", sender, recipient, at);
	poc__notification__init(no);
	no->summary = (char *)"Phishing wave";
	e->body_case = POC__ENVELOPE__BODY_NOTIFICATION;
	e->notification = no;
}

/* A Notification from FRA, to share the CheckReply's batch. */
static Poc__PeerFrame *
note_frame(void)
{
	Poc__Envelope		 e;
	Poc__Notification	 no;

	notification(&e, &no, ID_NOTE, "FRA", "AUS", T0 + 2000);
	return frame_of(&e);
}

/* Submits f from the connection c as FRA, as pocd's serving side does
 * (which frees a frame the receive path did not take: one refused by its
 * fields, answered at once). */
static void
receive(struct conn *c, Poc__PeerFrame *f)
{
	X509	*cert = cert_of("FRA");

	ck_assert_ptr_nonnull(f);
	if (receive_envelope(c, "FRA", cert, f) == 0) {
		ck_assert_int_gt(c->receipts, 0);
		protobuf_c_message_free_unpacked(&f->base, NULL);
	}
	X509_free(cert);
}

/* Traces of the reply: its row, its audit entry, its check, the PoC's
 * last check. */
static long long
n_reply_rows(void)
{
	return db_int("SELECT count(*) FROM messages WHERE id = '" ID_REPLY "'");
}

static long long
n_reply_audit(void)
{
	return db_int("SELECT count(*) FROM audit WHERE message_id = '" ID_REPLY
	    "' AND kind = 'received'");
}

static long long
replied_at(void)
{
	return db_int("SELECT replied_at FROM check_targets WHERE campaign_id = '"
	    ID_CAMP "' AND member = 'FRA' AND reply_id IN ('', '" ID_REPLY
	    "')");
}

static long long
last_checked(void)
{
	return db_int("SELECT coalesce(max(last_check), 0) FROM "
	    "directory_checks WHERE code = 'FRA'");
}

START_TEST(test_reply_effects_commit_with_the_batch)
{
	struct conn	 c = { 0 };
	long long	 at;

	/* Every message insert leaves a deferred foreign-key violation:
	 * the statements succeed, the batch's COMMIT fails. */
	db_exec("CREATE TABLE t_gate (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE t_bad (ref INTEGER REFERENCES t_gate (id)"
	    " DEFERRABLE INITIALLY DEFERRED);"
	    "CREATE TRIGGER t_commit_fails AFTER INSERT ON messages"
	    " BEGIN INSERT INTO t_bad VALUES (1); END;");
	receive(&c, reply_frame());
	receive(&c, note_frame());
	ck_assert_int_eq(gc_pending(), 2);
	gc_flush();
	ck_assert_int_eq(gc_pending(), 0);

	/* No receipt: the connection is failed, the sender will retry. */
	ck_assert_int_eq(c.receipts, 0);
	ck_assert_int_eq(c.fails, 2);
	/* And no trace of the reply or of its effects. */
	ck_assert_int_eq(n_reply_rows(), 0);
	ck_assert_int_eq(n_reply_audit(), 0);
	ck_assert_int_eq(replied_at(), 0);
	ck_assert_int_eq(last_checked(), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE "
	    "id != '" ID_CHECK "'"), 0);

	/* The fault is gone; the sender resends on a new connection. */
	db_exec("DROP TRIGGER t_commit_fails; DROP TABLE t_bad;"
	    " DROP TABLE t_gate;");
	memset(&c, 0, sizeof(c));
	receive(&c, reply_frame());
	gc_flush();
	ck_assert_int_eq(c.fails, 0);
	ck_assert_int_eq(c.receipts, 1);
	ck_assert_str_eq(c.id, ID_REPLY);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__ACCEPTED);
	ck_assert_int_eq(n_reply_rows(), 1);
	ck_assert_int_eq(n_reply_audit(), 1);
	ck_assert_int_gt(at = replied_at(), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM check_targets WHERE "
	    "reply_id = '" ID_REPLY "'"), 1);
	ck_assert_int_eq(last_checked(), at);

	/* Once: a second resend is a duplicate and changes nothing. */
	receive(&c, reply_frame());
	gc_flush();
	ck_assert_int_eq(c.receipts, 2);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__DUPLICATE);
	ck_assert_int_eq(n_reply_rows(), 1);
	ck_assert_int_eq(n_reply_audit(), 1);
	ck_assert_int_eq(replied_at(), at);
	ck_assert_int_eq(last_checked(), at);
}
END_TEST

/* A write that fails half-way in the lean batch (its message row in, its
 * audit entry refused) spoils it: the batch is written again with a
 * savepoint per write, so the other envelope is stored once, with its
 * event, and the failed one not at all. */
START_TEST(test_half_write_redone)
{
	struct conn	 c = { 0 };

	db_exec("CREATE TRIGGER t_half AFTER INSERT ON audit"
	    " WHEN new.message_id = '" ID_REPLY "'"
	    " BEGIN SELECT RAISE(ABORT, 'injected'); END;");
	receive(&c, reply_frame());
	receive(&c, note_frame());
	gc_flush();
	ck_assert_int_eq(c.receipts, 1);
	ck_assert_str_eq(c.id, ID_NOTE);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__ACCEPTED);
	ck_assert_int_eq(c.fails, 1);	/* the sender will resend it */
	ck_assert_int_eq(n_reply_rows(), 0);
	ck_assert_int_eq(replied_at(), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = '"
	    ID_NOTE "'"), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM audit WHERE "
	    "message_id = '" ID_NOTE "'"), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM events WHERE "
	    "message_id = '" ID_NOTE "'"), 1);
}
END_TEST

/* A reply whose signature is not FRA's is refused before the batch's
 * transaction: REJECTED at once, and none of its effects. */
START_TEST(test_bad_signature_no_effects)
{
	struct conn	 c = { 0 };
	Poc__PeerFrame	*f = reply_frame();
	X509		*aus = cert_of("AUS");

	/* Checked against AUS's certificate: the signature is not its. */
	ck_assert_int_eq(receive_envelope(&c, "FRA", aus, f), 1);
	X509_free(aus);
	gc_flush();
	ck_assert_int_eq(c.receipts, 1);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__REJECTED);
	ck_assert_int_eq(n_reply_rows(), 0);
	ck_assert_int_eq(replied_at(), 0);
	ck_assert_int_eq(last_checked(), 0);
}
END_TEST

/* AUS's notification to member opening case id (stored as sent). */
static void
case_with(const char *member, const char *id)
{
	Poc__Envelope		 e;
	Poc__Notification	 no;

	notification(&e, &no, id, "AUS", member, T0);
	ck_assert_int_eq(store_put_outgoing(env->store, &e, T0), STORE_NEW);
}

/* FRA's StatusUpdate CLOSED id in thread, answering reply_to. */
static Poc__PeerFrame *
status_frame(const char *id, const char *thread, const char *reply_to)
{
	Poc__Envelope		 e;
	Poc__StatusUpdate	 su = POC__STATUS_UPDATE__INIT;

	head(&e, id, thread, reply_to, "FRA", "AUS", T0 + 3000);
	su.status = POC__CASE_STATUS__CLOSED;
	e.body_case = POC__ENVELOPE__BODY_STATUS_UPDATE;
	e.status_update = &su;
	return frame_of(&e);
}

/* FRA's StatusUpdate CLOSED in thread, as a reply to it. */
static Poc__PeerFrame *
update_frame(const char *thread)
{
	return status_frame(ID_UPDATE, thread, thread);
}

/* FRA knows the id of AUS's case with KEN: its StatusUpdate in that
 * thread is refused, and the case is not touched; the same update in
 * AUS's case with FRA is taken. */
START_TEST(test_thread_of_another_member)
{
	struct conn	 c = { 0 };

	case_with("KEN", ID_KEN_CASE);
	case_with("FRA", ID_FRA_CASE);
	receive(&c, update_frame(ID_KEN_CASE));
	gc_flush();
	ck_assert_int_eq(c.receipts, 1);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__REJECTED);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = '"
	    ID_UPDATE "'"), 0);
	ck_assert_int_eq(db_int("SELECT messages * 10 + status FROM cases "
	    "WHERE thread_id = '" ID_KEN_CASE "'"), 10);

	receive(&c, update_frame(ID_FRA_CASE));
	gc_flush();
	ck_assert_int_eq(c.receipts, 2);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__ACCEPTED);
	ck_assert_int_eq(db_int("SELECT messages * 10 + status FROM cases "
	    "WHERE thread_id = '" ID_FRA_CASE "'"),
	    20 + POC__CASE_STATUS__CLOSED);
}
END_TEST

/* AUS's notification id to member in thread (a case sent to many). */
static void
shared_case_with(const char *member, const char *id, const char *thread)
{
	Poc__Envelope		 e;
	Poc__Notification	 no;

	notification(&e, &no, id, "AUS", member, T0);
	e.thread_id = (char *)thread;
	ck_assert_int_eq(store_put_outgoing(env->store, &e, T0), STORE_NEW);
}

/* FRA's Notification id opening a case in thread (not its id), with
 * nonce. */
static Poc__PeerFrame *
opening_frame(const char *id, const char *thread, const char *nonce)
{
	Poc__Envelope		 e;
	Poc__Notification	 no;

	notification(&e, &no, id, "FRA", "AUS", T0 + 4000);
	e.thread_id = (char *)thread;
	e.thread_nonce = (char *)nonce;
	return frame_of(&e);
}

/* The receipt status of frame f (a new connection each). */
static int
receipt_of(Poc__PeerFrame *f)
{
	struct conn	 c = { 0 };

	receive(&c, f);
	gc_flush();
	ck_assert_int_eq(c.receipts, 1);
	return c.status;
}

/* messages * 10 + status of the case of ID_SHARED with party. */
static long long
shared_case(const char *party)
{
	char	 sql[200];

	snprintf(sql, sizeof(sql), "SELECT messages * 10 + status FROM cases "
	    "WHERE thread_id = '" ID_SHARED "' AND party = '%s'", party);
	return db_int(sql);
}

/*
 * AUS sent one case to KEN and FRA in one thread.  FRA, a co-recipient,
 * knows the thread and KEN's part: its update answering KEN's envelope is
 * refused, an envelope opening a case in the shared thread (or in KEN's
 * own) is refused (not a thread FRA's nonce makes), a reply in a thread
 * not held here is refused (it would take the thread before its case's
 * envelope arrives), and its update answering its own envelope joins the
 * case with FRA only.  A new case in a thread FRA's nonce makes is taken
 * as a case of its own; the store's rules still hold for such a thread:
 * opened once, and not where another member holds it.
 */
START_TEST(test_shared_thread_kept_apart)
{
	shared_case_with("KEN", ID_SHARED, ID_SHARED);
	shared_case_with("FRA", ID_FRA_CASE, ID_SHARED);
	case_with("KEN", ID_KEN_CASE);
	ck_assert_int_eq(shared_case("KEN"), 10);
	ck_assert_int_eq(shared_case("FRA"), 10);

	ck_assert_int_eq(receipt_of(status_frame(ID_UPDATE, ID_SHARED,
	    ID_SHARED)), POC__RECEIPT__STATUS__REJECTED);
	ck_assert_int_eq(receipt_of(opening_frame(ID_OPEN, ID_SHARED, "")),
	    POC__RECEIPT__STATUS__REJECTED);
	ck_assert_int_eq(receipt_of(opening_frame(ID_OPEN, ID_SHARED,
	    NONCE_A)), POC__RECEIPT__STATUS__REJECTED);
	ck_assert_int_eq(receipt_of(opening_frame(ID_OPEN, ID_KEN_CASE, "")),
	    POC__RECEIPT__STATUS__REJECTED);
	ck_assert_int_eq(receipt_of(status_frame(ID_UPDATE, ID_NEW_THREAD,
	    ID_OPEN2)), POC__RECEIPT__STATUS__REJECTED);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id IN ('"
	    ID_UPDATE "', '" ID_OPEN "')"), 0);
	ck_assert_int_eq(shared_case("KEN"), 10);
	ck_assert_int_eq(shared_case("FRA"), 10);

	ck_assert_int_eq(receipt_of(status_frame(ID_UPDATE, ID_SHARED,
	    ID_FRA_CASE)), POC__RECEIPT__STATUS__ACCEPTED);
	ck_assert_int_eq(shared_case("FRA"), 20 + POC__CASE_STATUS__CLOSED);
	ck_assert_int_eq(shared_case("KEN"), 10);

	ck_assert_int_eq(receipt_of(opening_frame(ID_OPEN, FRA_THREAD_A,
	    NONCE_A)), POC__RECEIPT__STATUS__ACCEPTED);
	ck_assert_int_eq(db_int("SELECT count(*) FROM cases WHERE thread_id = '"
	    FRA_THREAD_A "' AND party = 'FRA'"), 1);
	/* its resend is a duplicate, not a second opening */
	ck_assert_int_eq(receipt_of(opening_frame(ID_OPEN, FRA_THREAD_A,
	    NONCE_A)), POC__RECEIPT__STATUS__DUPLICATE);
	/* a second opening in it is refused by the store */
	ck_assert_int_eq(receipt_of(opening_frame(ID_OPEN2, FRA_THREAD_A,
	    NONCE_A)), POC__RECEIPT__STATUS__REJECTED);
	/* as is an opening where another member holds the thread */
	shared_case_with("KEN", ID_KEN_SHARE, FRA_THREAD_B);
	ck_assert_int_eq(receipt_of(opening_frame(ID_OPEN2, FRA_THREAD_B,
	    NONCE_B)), POC__RECEIPT__STATUS__REJECTED);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = '"
	    ID_OPEN2 "'"), 0);
}
END_TEST

/* The receipt of FRA's notification id (its id_nonce nonce, if any),
 * made at `at`, into c. */
static void
note_receipt(struct conn *c, const char *id, const char *nonce, int64_t at)
{
	Poc__Envelope		 e;
	Poc__Notification	 no;

	memset(c, 0, sizeof(*c));
	notification(&e, &no, id, "FRA", "AUS", at);
	e.id_nonce = (char *)nonce;
	receive(c, frame_of(&e));
	gc_flush();
	ck_assert_int_eq(c->receipts, 1);
}

/*
 * DUPLICATE only for the same envelope from the same sender: other
 * content under the id is REJECTED and the first kept.  An id bound to
 * another member (msgid.h) is REJECTED, one bound to FRA taken
 * (docs/guarantees.md "Message ids").
 */
START_TEST(test_id_held_or_bound)
{
	struct conn	 c;
	char		 id[UUID_STR_LEN], n[MSGID_NONCE_HEX + 1];
	long long	 held;

	note_receipt(&c, ID_NOTE, "", T0);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__ACCEPTED);
	note_receipt(&c, ID_NOTE, "", T0);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__DUPLICATE);
	note_receipt(&c, ID_NOTE, "", T0 + 1);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__REJECTED);
	ck_assert_ptr_nonnull(strstr(c.reason, "is held here with other "
	    "content from FRA"));
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages WHERE id = '"
	    ID_NOTE "'"), 1);

	held = db_int("SELECT count(*) FROM messages");
	ck_assert_int_eq(msgid_new("KEN", id, n), 0);
	note_receipt(&c, id, n, T0);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__REJECTED);
	ck_assert_ptr_nonnull(strstr(c.reason, "is not the id that FRA's "
	    "id_nonce makes"));
	note_receipt(&c, id, "", T0);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__REJECTED);
	ck_assert_int_eq(db_int("SELECT count(*) FROM messages"), held);
	ck_assert_int_eq(msgid_new("FRA", id, n), 0);
	note_receipt(&c, id, n, T0);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__ACCEPTED);
	note_receipt(&c, id, n, T0);
	ck_assert_int_eq(c.status, POC__RECEIPT__STATUS__DUPLICATE);
}
END_TEST

static Suite *
receive_suite(void)
{
	Suite	*s = suite_create("receive");
	TCase	*tc = tcase_create("ordering");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reply_effects_commit_with_the_batch);
	tcase_add_test(tc, test_half_write_redone);
	tcase_add_test(tc, test_bad_signature_no_effects);
	tcase_add_test(tc, test_thread_of_another_member);
	tcase_add_test(tc, test_shared_thread_kept_apart);
	tcase_add_test(tc, test_id_held_or_bound);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(receive_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
