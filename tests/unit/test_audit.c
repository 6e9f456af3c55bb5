/*
 * The audit log: the chain of common/audit.c (every change, insertion or
 * deletion is caught at the right entry, also through the JSON export
 * form), and its use by the store (daemon/store_msg.c, store_audit.c):
 * every state change appends exactly one entry, in the same transaction,
 * so a failed append leaves no message behind and a duplicate adds none;
 * re-signing after a key rotation touches only queued envelopes.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "audit.h"
#include "daemon/store.h"
#include "daemon/store_audit.h"
#include "daemon/store_msg.h"
#include "daemon/store_sig.h"

#define NCHAIN	6

#define ID1	"11111111-1111-4111-8111-111111111111"
#define ID2	"22222222-2222-4222-8222-222222222222"
#define ID3	"33333333-3333-4333-8333-333333333333"

static struct audit_entry	 chain[NCHAIN];
static char			 ids[NCHAIN][40];

/* Builds a valid chain of NCHAIN entries. */
static void
chain_build(void)
{
	static const char *const kinds[] = { "queued", "delivered", "received" };
	int	 i;

	for (i = 0; i < NCHAIN; i++) {
		memset(&chain[i], 0, sizeof(chain[i]));
		snprintf(ids[i], sizeof(ids[i]), "id-%d", i);
		chain[i].time = 1700000000000 + i;
		chain[i].kind = kinds[i % 3];
		chain[i].message_id = ids[i];
		chain[i].peer = "FRA";
		chain[i].detail = "";
		ck_assert_int_eq(audit_sha256(ids[i], strlen(ids[i]),
		    chain[i].envelope_sha256), 0);
		ck_assert_int_eq(audit_entry_chain(&chain[i],
		    i > 0 ? &chain[i - 1] : NULL), 0);
	}
}

/* The seq of the first entry that does not check, or 0 if all do. */
static int64_t
chain_first_broken(const struct audit_entry *c, int n)
{
	char	 why[256];
	int	 i;

	for (i = 0; i < n; i++)
		if (!audit_entry_check(&c[i], i > 0 ? &c[i - 1] : NULL, why,
		    sizeof(why)))
			return i > 0 ? c[i - 1].seq + 1 : 1;
	return 0;
}

START_TEST(test_chain_ok)
{
	chain_build();
	ck_assert_int_eq(chain[0].seq, 1);
	ck_assert_int_eq(chain[NCHAIN - 1].seq, NCHAIN);
	ck_assert_int_eq(chain_first_broken(chain, NCHAIN), 0);
}
END_TEST

/* Each field, changed in entry 3, breaks the chain at entry 3. */
START_TEST(test_tamper_each_field)
{
	int	 f;

	for (f = 0; f < 8; f++) {
		chain_build();
		switch (f) {
		case 0:
			chain[2].time++;
			break;
		case 1:
			chain[2].kind = "rejected";
			break;
		case 2:
			chain[2].message_id = "id-x";
			break;
		case 3:
			chain[2].peer = "KEN";
			break;
		case 4:
			chain[2].detail = "x";
			break;
		case 5:
			chain[2].envelope_sha256[7] ^= 1;
			break;
		case 6:
			chain[2].prev_hash[0] ^= 1;
			break;
		case 7:
			chain[2].hash[31] ^= 1;
			break;
		}
		ck_assert_msg(chain_first_broken(chain, NCHAIN) == 3,
		    "field %d: broken at %lld", f,
		    (long long)chain_first_broken(chain, NCHAIN));
	}
}
END_TEST

/* Rewriting an entry's hash to match its new content moves the break to
 * the next entry, whose prev_hash no longer matches. */
START_TEST(test_tamper_rehash)
{
	chain_build();
	chain[2].detail = "rewritten";
	ck_assert_int_eq(audit_entry_hash(&chain[2], chain[2].hash), 0);
	ck_assert_int_eq(chain_first_broken(chain, NCHAIN), 4);
}
END_TEST

/* Deleting or swapping entries is caught by seq and prev_hash. */
START_TEST(test_delete_reorder)
{
	struct audit_entry	 c[NCHAIN], t;

	chain_build();
	memcpy(c, chain, sizeof(c));
	memmove(&c[2], &c[3], sizeof(c[0]) * (NCHAIN - 3));	/* drop #3 */
	ck_assert_int_eq(chain_first_broken(c, NCHAIN - 1), 3);
	memcpy(c, chain, sizeof(c));
	t = c[3];
	c[3] = c[4];
	c[4] = t;
	ck_assert_int_eq(chain_first_broken(c, NCHAIN), 4);
	memcpy(c, chain, sizeof(c));
	ck_assert_int_eq(chain_first_broken(&c[1], NCHAIN - 1), 1);
}
END_TEST

/* The JSON form carries every field; a changed line breaks there. */
START_TEST(test_json_roundtrip)
{
	struct audit_entry	 back[NCHAIN];
	json_t			*j[NCHAIN];
	char			 err[256];
	int			 i;

	chain_build();
	for (i = 0; i < NCHAIN; i++) {
		ck_assert_ptr_nonnull(j[i] = audit_entry_to_json(&chain[i]));
		ck_assert_int_eq(audit_entry_from_json(j[i], &back[i], err,
		    sizeof(err)), 0);
	}
	ck_assert_int_eq(chain_first_broken(back, NCHAIN), 0);
	json_object_set_new(j[4], "peer", json_string("NZL"));
	ck_assert_int_eq(audit_entry_from_json(j[4], &back[4], err,
	    sizeof(err)), 0);
	ck_assert_int_eq(chain_first_broken(back, NCHAIN), 5);
	/* Malformed hashes and missing fields are refused. */
	json_object_set_new(j[1], "hash", json_string("ABCD"));
	ck_assert_int_eq(audit_entry_from_json(j[1], &back[1], err,
	    sizeof(err)), -1);
	json_object_del(j[2], "kind");
	ck_assert_int_eq(audit_entry_from_json(j[2], &back[2], err,
	    sizeof(err)), -1);
	for (i = 0; i < NCHAIN; i++)
		json_decref(j[i]);
}
END_TEST

/* The export line written directly is the JSON line jansson writes, and
 * reads back as the same entry; anything else is left to JSON. */
START_TEST(test_line_fast_path)
{
	static const char *const refused[] = {
		"{\"seq\": 1,\"time\":2,",		/* a space */
		"{\"seq\":01,",			/* a leading zero */
		"{\"seq\":-0,",
		"{\"time\":2,\"seq\":1,",		/* another order */
	};
	struct audit_entry	 back, odd;
	json_t			*j;
	char			 line[8192], *js, copy[8192], err[256];
	size_t			 i;
	int			 n;

	chain_build();
	for (i = 0; i < NCHAIN; i++) {
		ck_assert_int_gt(n = audit_entry_line(&chain[i], line,
		    sizeof(line)), 0);
		ck_assert_ptr_nonnull(j = audit_entry_to_json(&chain[i]));
		ck_assert_ptr_nonnull(js = json_dumps(j,
		    JSON_COMPACT | JSON_PRESERVE_ORDER));
		ck_assert_uint_eq(strlen(js) + 1, (size_t)n);
		ck_assert_int_eq(memcmp(js, line, strlen(js)), 0);
		ck_assert_int_eq(line[n - 1], '\n');
		free(js);
		json_decref(j);
		ck_assert_int_eq(audit_entry_from_line(line, (size_t)n, &back),
		    1);
		ck_assert_int_eq(back.seq, chain[i].seq);
		ck_assert_str_eq(back.kind, chain[i].kind);
		ck_assert_str_eq(back.message_id, chain[i].message_id);
		ck_assert_str_eq(back.peer, chain[i].peer);
		ck_assert_str_eq(back.detail, chain[i].detail);
		ck_assert(audit_entry_check(&back, i > 0 ? &chain[i - 1] : NULL,
		    err, sizeof(err)));
	}
	/* Strings JSON escapes, or that are not ASCII, take the JSON path. */
	odd = chain[0];
	odd.detail = "say \"hi\"";
	ck_assert_int_eq(audit_entry_line(&odd, line, sizeof(line)), 0);
	odd.detail = "caf\xc3\xa9";
	ck_assert_int_eq(audit_entry_line(&odd, line, sizeof(line)), 0);
	odd.detail = "tab\there";
	ck_assert_int_eq(audit_entry_line(&odd, line, sizeof(line)), 0);
	/* Lines the writer does not make are left untouched to JSON. */
	n = audit_entry_line(&chain[1], line, sizeof(line));
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(copy, sizeof(copy), "%s%s", refused[i],
		    strchr(line, ',') + 1);
		if (i == 3)	/* the same fields, seq and time swapped */
			snprintf(copy, sizeof(copy), "{\"time\":%lld,\"seq\":%lld%s",
			    (long long)chain[1].time, (long long)chain[1].seq,
			    strstr(line, ",\"kind\""));
		ck_assert_int_eq(audit_entry_from_line(copy, strlen(copy),
		    &back), 0);
	}
	/* No newline, a truncated hash, trailing bytes. */
	ck_assert_int_eq(audit_entry_from_line(line, (size_t)n - 1, &back), 0);
	memcpy(copy, line, (size_t)n);
	memcpy(copy + n - 4, "\"}\n", 3);
	ck_assert_int_eq(audit_entry_from_line(copy, (size_t)n - 1, &back), 0);
	memcpy(copy, line, (size_t)n - 1);
	memcpy(copy + n - 1, " \n", 2);
	ck_assert_int_eq(audit_entry_from_line(copy, (size_t)n + 1, &back), 0);
}
END_TEST

/* ------------------------------------------------------------ the store */

static char	 tmpdir[PATH_MAX];
static char	 dbpath[PATH_MAX + 16];

static void
setup(void)
{
	const char	*t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_audit.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/pocd.db", tmpdir);
}

static void
teardown(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char		 p[PATH_MAX + 32];
	size_t		 i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]);
		unlink(p);
	}
	rmdir(tmpdir);
}

static struct store *
open_store(void)
{
	struct store	*st;
	char		 err[256];

	st = store_open(dbpath, STORE_SYNC_FULL, err, sizeof(err));
	ck_assert_msg(st != NULL, "store_open: %s", err);
	return st;
}

static void
raw_exec(const char *sql)
{
	sqlite3	*db;
	char	*msg = NULL;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
	    "%s: %s", sql, msg);
	sqlite3_close(db);
}

static long long
raw_int(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	long long	 v = -1;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static Poc__Notification	 t_notif;

static Poc__Envelope
env_notification(const char *id, const char *sender, const char *recipient)
{
	Poc__Envelope	 e = POC__ENVELOPE__INIT;

	poc__notification__init(&t_notif);
	t_notif.summary = (char *)"Scanning from a host in your network";
	e.id = (char *)id;
	e.thread_id = (char *)id;
	e.sender = (char *)sender;
	e.recipient = (char *)recipient;
	e.created_at = 1700000000000;
	e.tlp = POC__TLP__AMBER;
	e.body_case = POC__ENVELOPE__BODY_NOTIFICATION;
	e.notification = &t_notif;
	return e;
}

/* Loads the store's log into chain-checkable entries; returns the count
 * and the seq of the first broken entry in *broken (0 if none). */
static int
store_chain(struct store *st, Poc__AuditEntry ***ap, int64_t *broken)
{
	struct audit_entry	 e[16];
	Poc__AuditEntry		**a;
	char			 why[256];
	int			 n, i;

	n = store_audit_load(st, 0, 16, &a);
	ck_assert_int_ge(n, 0);
	*broken = 0;
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(a[i]->hash.len, AUDIT_HASH_LEN);
		e[i].seq = a[i]->seq;
		e[i].time = a[i]->time;
		e[i].kind = a[i]->kind;
		e[i].message_id = a[i]->message_id;
		e[i].peer = a[i]->peer;
		e[i].detail = a[i]->detail;
		memcpy(e[i].envelope_sha256, a[i]->envelope_sha256.data, 32);
		memcpy(e[i].prev_hash, a[i]->prev_hash.data, 32);
		memcpy(e[i].hash, a[i]->hash.data, 32);
		if (*broken == 0 && !audit_entry_check(&e[i], i > 0 ?
		    &e[i - 1] : NULL, why, sizeof(why)))
			*broken = a[i]->seq;
	}
	*ap = a;
	return n;
}

START_TEST(test_store_appends)
{
	static const uint8_t	 der[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	struct store		*st = open_store();
	Poc__Envelope		 out = env_notification(ID1, "AUS", "FRA");
	Poc__Envelope		 in = env_notification(ID2, "FRA", "AUS");
	Poc__Envelope		 rej = env_notification(ID3, "AUS", "FRA");
	Poc__AuditEntry		**a;
	uint8_t			*got, digest[AUDIT_HASH_LEN], buf[512];
	size_t			 glen, len;
	int64_t			 broken;
	int			 n;

	ck_assert_int_eq(store_put_outgoing(st, &out, 1000), STORE_NEW);
	ck_assert_int_eq(store_put_incoming_signed(st, &in, der, sizeof(der),
	    2000), STORE_NEW);
	/* A duplicate and a conflict are not new entries. */
	ck_assert_int_eq(store_put_incoming_signed(st, &in, der, sizeof(der),
	    2500), STORE_DUPLICATE);
	ck_assert_int_eq(store_put_incoming(st, &out, 2600), STORE_CONFLICT);
	ck_assert_int_eq(store_outbox_delivered(st, "FRA", ID1, 3000), 0);
	ck_assert_int_eq(store_put_outgoing(st, &rej, 4000), STORE_NEW);
	ck_assert_int_eq(store_outbox_rejected(st, "FRA", ID3, "no such case",
	    5000), 0);

	n = store_chain(st, &a, &broken);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(broken, 0);
	ck_assert_str_eq(a[0]->kind, "queued");
	ck_assert_str_eq(a[0]->message_id, ID1);
	ck_assert_str_eq(a[0]->peer, "FRA");
	ck_assert_str_eq(a[1]->kind, "received");
	ck_assert_str_eq(a[1]->peer, "FRA");
	ck_assert_int_eq(a[1]->time, 2000);
	ck_assert_str_eq(a[2]->kind, "delivered");
	ck_assert_str_eq(a[3]->kind, "queued");
	ck_assert_str_eq(a[4]->kind, "rejected");
	ck_assert_str_eq(a[4]->detail, "no such case");
	/* The digest is of the envelope's packed bytes, also when settled. */
	len = poc__envelope__pack(&out, buf);
	ck_assert_int_eq(audit_sha256(buf, len, digest), 0);
	ck_assert_mem_eq(a[0]->envelope_sha256.data, digest, 32);
	ck_assert_mem_eq(a[2]->envelope_sha256.data, digest, 32);
	store_audit_entries_free(a, n);

	/* The signer certificate is kept with the received message only. */
	ck_assert_int_eq(store_signer_get(st, ID2, &got, &glen), 1);
	ck_assert_int_eq(glen, sizeof(der));
	ck_assert_mem_eq(got, der, sizeof(der));
	free(got);
	ck_assert_int_eq(store_signer_get(st, ID1, &got, &glen), 0);

	/* Paging. */
	ck_assert_int_eq(store_audit_load(st, 3, 10, &a), 2);
	ck_assert_int_eq(a[0]->seq, 4);
	store_audit_entries_free(a, 2);
	store_close(st);
}
END_TEST

/* A row changed behind the node's back is found at that row. */
START_TEST(test_store_tamper)
{
	struct store		*st = open_store();
	Poc__Envelope		 out = env_notification(ID1, "AUS", "FRA");
	Poc__Envelope		 in = env_notification(ID2, "FRA", "AUS");
	Poc__AuditEntry		**a;
	int64_t			 broken;
	int			 n;

	ck_assert_int_eq(store_put_outgoing(st, &out, 1000), STORE_NEW);
	ck_assert_int_eq(store_put_incoming(st, &in, 2000), STORE_NEW);
	ck_assert_int_eq(store_outbox_delivered(st, "FRA", ID1, 3000), 0);
	raw_exec("UPDATE audit SET peer = 'KEN' WHERE seq = 2");
	n = store_chain(st, &a, &broken);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(broken, 2);
	store_audit_entries_free(a, n);
	store_close(st);
}
END_TEST

/* The append is in the change's transaction: when it fails, the message
 * is not stored either, and the outbox row stays queued. */
START_TEST(test_store_atomic)
{
	struct store	*st = open_store();
	Poc__Envelope	 out = env_notification(ID1, "AUS", "FRA");
	Poc__Envelope	 in = env_notification(ID2, "FRA", "AUS");

	ck_assert_int_eq(store_put_outgoing(st, &out, 1000), STORE_NEW);
	raw_exec("CREATE TRIGGER no_audit BEFORE INSERT ON audit "
	    "BEGIN SELECT RAISE(ABORT, 'injected'); END");
	ck_assert_int_eq(store_put_incoming(st, &in, 2000), STORE_ERROR);
	ck_assert_int_eq(store_outbox_delivered(st, "FRA", ID1, 3000), -1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages WHERE id = '"
	    ID2 "'"), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM outbox"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM messages WHERE "
	    "state = 'queued'"), 1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM audit"), 1);
	raw_exec("DROP TRIGGER no_audit");
	ck_assert_int_eq(store_put_incoming(st, &in, 2000), STORE_NEW);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM audit"), 2);
	store_close(st);
}
END_TEST

/* A stand-in signer: a fixed "signature" that differs from none. */
static int
fake_sign(Poc__Envelope *e, uint8_t *sig)
{
	memcpy(sig, "new-signature", 13);
	e->signature.data = sig;
	e->signature.len = 13;
	return 0;
}

static int
fail_sign(Poc__Envelope *e, uint8_t *sig)
{
	(void)e;
	(void)sig;
	return -1;
}

/* Re-signing touches only what is still queued, records each, keeps the
 * new signer, and is all or nothing. */
START_TEST(test_store_resign)
{
	static const uint8_t	 der[] = { 0x30, 0x03, 0x02, 0x01, 0x07 };
	struct store		*st = open_store();
	Poc__Envelope		 a = env_notification(ID1, "AUS", "FRA");
	Poc__Envelope		 b = env_notification(ID3, "AUS", "FRA");
	Poc__StoredMessage	*m;
	Poc__AuditEntry		**ae;
	uint8_t			*got;
	size_t			 glen;
	int64_t			 broken;
	int			 n;

	ck_assert_int_eq(store_put_outgoing(st, &a, 1000), STORE_NEW);
	ck_assert_int_eq(store_put_outgoing(st, &b, 1100), STORE_NEW);
	ck_assert_int_eq(store_outbox_delivered(st, "FRA", ID1, 1200), 0);
	ck_assert_int_eq(store_resign_queued(st, fail_sign, der, sizeof(der),
	    1300), -1);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM audit"), 3);
	ck_assert_int_eq(store_resign_queued(st, fake_sign, der, sizeof(der),
	    1400), 1);
	ck_assert_int_eq(store_get(st, ID3, &m), 1);
	ck_assert_uint_eq(m->envelope->signature.len, 13);
	ck_assert_mem_eq(m->envelope->signature.data, "new-signature", 13);
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(store_get(st, ID1, &m), 1);
	ck_assert_uint_eq(m->envelope->signature.len, 0);
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(store_signer_get(st, ID3, &got, &glen), 1);
	ck_assert_mem_eq(got, der, sizeof(der));
	free(got);
	n = store_chain(st, &ae, &broken);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(broken, 0);
	ck_assert_str_eq(ae[3]->kind, "resigned");
	ck_assert_str_eq(ae[3]->message_id, ID3);
	store_audit_entries_free(ae, n);
	store_close(st);
}
END_TEST

/* The kept signature verdict (messages.sig_verified, ctl_sig.c): set
 * for an envelope received with its signer, by a later full check, and
 * cleared whenever the envelope or its signer changes. */
START_TEST(test_store_sig_verdict)
{
	static const uint8_t	 der[] = { 0x30, 0x03, 0x02, 0x01, 0x07 };
	struct store		*st = open_store();
	Poc__Envelope		 in = env_notification(ID1, "FRA", "AUS");
	Poc__Envelope		 plain = env_notification(ID2, "NZL", "AUS");
	Poc__Envelope		 out = env_notification(ID3, "AUS", "FRA");
	Poc__StoredMessage	*m;
	int64_t			 seq;

	ck_assert_int_eq(store_put_incoming_signed(st, &in, der, sizeof(der),
	    1000), STORE_NEW);
	ck_assert_int_eq(store_put_incoming(st, &plain, 1050), STORE_NEW);
	ck_assert_int_eq(store_put_outgoing_signed(st, &out, der, sizeof(der),
	    1100), STORE_NEW);
	ck_assert_int_eq(store_get(st, ID1, &m), 1);
	ck_assert(m->signature_verified);
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(store_get(st, ID2, &m), 1);
	ck_assert(!m->signature_verified);
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(store_get(st, ID3, &m), 1);
	ck_assert(!m->signature_verified);
	seq = m->seq;
	protobuf_c_message_free_unpacked(&m->base, NULL);
	ck_assert_int_eq(store_sig_verified(st, &seq, 1), 0);
	ck_assert_int_eq(raw_int("SELECT sig_verified FROM messages"
	    " WHERE id = '" ID3 "'"), 1);
	/* Signed again: the verdict was about other bytes. */
	ck_assert_int_eq(store_resign_queued(st, fake_sign, der, sizeof(der),
	    1200), 1);
	ck_assert_int_eq(raw_int("SELECT sig_verified FROM messages"
	    " WHERE id = '" ID3 "'"), 0);
	/* Whoever changes the bytes: the trigger is in the schema. */
	ck_assert_int_eq(raw_int("SELECT sig_verified FROM messages"
	    " WHERE id = '" ID1 "'"), 1);
	raw_exec("UPDATE messages SET envelope = x'00' WHERE id = '" ID1 "'");
	ck_assert_int_eq(raw_int("SELECT sig_verified FROM messages"
	    " WHERE id = '" ID1 "'"), 0);
	store_close(st);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite	*s = suite_create("audit");
	TCase	*tc;

	tc = tcase_create("chain");
	tcase_add_test(tc, test_chain_ok);
	tcase_add_test(tc, test_tamper_each_field);
	tcase_add_test(tc, test_tamper_rehash);
	tcase_add_test(tc, test_delete_reorder);
	tcase_add_test(tc, test_json_roundtrip);
	tcase_add_test(tc, test_line_fast_path);
	suite_add_tcase(s, tc);

	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_store_appends);
	tcase_add_test(tc, test_store_tamper);
	tcase_add_test(tc, test_store_atomic);
	tcase_add_test(tc, test_store_resign);
	tcase_add_test(tc, test_store_sig_verdict);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(audit_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
