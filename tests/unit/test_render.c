/*
 * Unit tests for cli/render.c: the human rendering of messages.  Each test
 * renders into a memory stream and checks what an operator must see: the
 * fixed statements of para 30(c) and 30(d), "unknown"/"withheld" for
 * fields named so (para 77(b)), the exercise banner, indicator lines, and
 * that control characters in free text cannot reach the terminal.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/render.h"
#include "cli/vocab.h"
#include "cli/term.h"

#define ID1	"1a2b3c4d-0000-4000-8000-000000000001"
#define ID2	"5e6f7a8b-0000-4000-8000-000000000002"

/* Renders sm (full or compact) into a new string. */
static char *
render_to_string(const Poc__StoredMessage *sm, int compact)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	fp = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(fp);
	if (compact)
		render_block(fp, sm);
	else
		render_message(fp, sm);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

/* The line of text that starts with label followed by ':'. */
static const char *
line_of(const char *text, const char *label)
{
	const char	*p = text;
	size_t		 n = strlen(label);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, label, n) == 0 && p[n] == ':')
			return p;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return NULL;
}

/* 1 if the line starting at line contains s before its end. */
static int
line_has(const char *line, const char *s)
{
	const char	*end = strchr(line, '\n');
	const char	*hit = strstr(line, s);

	return hit != NULL && (end == NULL || hit < end);
}

static char *withheld_str[] = { (char *)"requested_action" };

START_TEST(test_notification)
{
	Poc__StoredMessage	 sm = POC__STORED_MESSAGE__INIT;
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__Notification	 n = POC__NOTIFICATION__INIT;
	Poc__Indicator		 i1 = POC__INDICATOR__INIT;
	Poc__Indicator		 i2 = POC__INDICATOR__INIT;
	Poc__Indicator		*inds[2] = { &i1, &i2 };
	Poc__Sector		 sectors[2] = { POC__SECTOR__FINANCE,
				    POC__SECTOR__ENERGY };
	char			*unavail[] = { (char *)"activity_since" };
	char			*text;
	const char		*l, *stmt, *hdr;

	e.id = (char *)ID1;
	e.thread_id = (char *)ID1;
	e.sender = (char *)"KEN";
	e.recipient = (char *)"AUS";
	e.created_at = 1795578425000LL;		/* 2026-11-25 03:47:05Z */
	e.tlp = POC__TLP__AMBER_STRICT;
	e.language = (char *)"en";
	e.exercise = 1;
	e.body_case = POC__ENVELOPE__BODY_NOTIFICATION;
	e.notification = &n;
	n.summary = (char *)"Botnet C2 in AUS address space";
	n.description = (char *)"Line one\nLine two";
	n.severity = POC__SEVERITY__MEDIUM;
	n.urgency = POC__URGENCY__IMMEDIATE;
	n.n_sectors = 2;
	n.sectors = sectors;
	i1.type = POC__INDICATOR__TYPE__IPV4;
	i1.value = (char *)"203.0.113.9";
	i1.note = (char *)"C2";
	i2.type = POC__INDICATOR__TYPE__DOMAIN;
	i2.value = (char *)"bad.example";
	n.n_indicators = 2;
	n.indicators = inds;
	n.n_unavailable = 1;
	n.unavailable = unavail;
	n.n_withheld = 1;
	n.withheld = withheld_str;
	sm.envelope = &e;
	sm.direction = (char *)"in";
	sm.state = (char *)"received";
	sm.received_at = 1795578430000LL;

	text = render_to_string(&sm, 0);
	ck_assert_msg(strncmp(text, "NOTIFICATION\n", 13) == 0, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "\n*** EXERCISE ***\n"));
	ck_assert_ptr_nonnull((l = line_of(text, "Id")));
	ck_assert(line_has(l, ID1));
	ck_assert_ptr_nonnull((l = line_of(text, "Created")));
	/* UTC to the minute, then the age (test_when). */
	ck_assert(line_has(l, "2026-11-25 03:47Z, "));
	ck_assert_ptr_nonnull((l = line_of(text, "TLP")));
	ck_assert(line_has(l, "AMBER+STRICT"));
	ck_assert_ptr_nonnull((l = line_of(text, "State")));
	ck_assert(line_has(l, "received"));
	ck_assert_ptr_nonnull((l = line_of(text, "Severity")));
	ck_assert(line_has(l, "MEDIUM"));
	ck_assert_ptr_nonnull((l = line_of(text, "Sectors")));
	ck_assert(line_has(l, "FINANCE, ENERGY"));
	/* Para 77(b): unknown and withheld are said, not left out. */
	ck_assert_ptr_nonnull((l = line_of(text, "Activity since")));
	ck_assert(line_has(l, "unknown to the sender"));
	ck_assert_ptr_nonnull((l = line_of(text, "Requested action")));
	ck_assert(line_has(l, "withheld by the sender"));
	/* Indicators one per line, continuation aligned with the values. */
	ck_assert_ptr_nonnull((l = line_of(text, "Indicators")));
	ck_assert(line_has(l, "IPV4 203.0.113.9 \xe2\x80\x94 C2"));
	l = strchr(l, '\n') + 1;
	ck_assert_msg(line_has(l, "DOMAIN bad.example"), "%s", text);
	ck_assert(!line_has(l, "\xe2\x80\x94"));	/* no note, no dash */
	ck_assert_int_eq(strstr(l, "DOMAIN") - l,
	    strstr(line_of(text, "Indicators"), "IPV4") -
	    line_of(text, "Indicators"));
	/* Free text as written, its second line indented. */
	ck_assert_ptr_nonnull((l = line_of(text, "Description")));
	ck_assert(line_has(l, "Line one"));
	ck_assert(line_has(strchr(l, '\n') + 1, "Line two"));
	/* Empty and not named: left out. */
	ck_assert_ptr_null(line_of(text, "In reply to"));
	ck_assert_ptr_null(line_of(text, "Acknowledged by"));
	/* Para 30(d), at the very end. */
	stmt = "Notice is not attribution (UN GGE 2021 report, para 30(d)).\n";
	ck_assert_ptr_nonnull(strstr(text, stmt));
	ck_assert_str_eq(text + strlen(text) - strlen(stmt), stmt);
	ck_assert_ptr_null(strstr(text, "Receipt is not concurrence"));
	free(text);

	/* The compact block carries the same statement and annotations. */
	text = render_to_string(&sm, 1);
	hdr = "[EXERCISE] 2026-11-25 03:47Z  KEN -> AUS  NOTIFICATION  1a2b3c4d";
	ck_assert_msg(strncmp(text, hdr, strlen(hdr)) == 0, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "unknown to the sender"));
	ck_assert_ptr_nonnull(strstr(text, "withheld by the sender"));
	ck_assert_ptr_nonnull(strstr(text, "Notice is not attribution"));
	free(text);
}
END_TEST

START_TEST(test_acknowledgement)
{
	Poc__StoredMessage	 sm = POC__STORED_MESSAGE__INIT;
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__Acknowledgement	 a = POC__ACKNOWLEDGEMENT__INIT;
	char			*text;
	const char		*l, *stmt;

	e.id = (char *)ID2;
	e.thread_id = (char *)ID1;
	e.in_reply_to = (char *)ID1;
	e.sender = (char *)"AUS";
	e.recipient = (char *)"KEN";
	e.created_at = 1795578500000LL;
	e.tlp = POC__TLP__GREEN;
	e.body_case = POC__ENVELOPE__BODY_ACKNOWLEDGEMENT;
	e.acknowledgement = &a;
	a.ack_of = (char *)ID1;
	a.received_at = 1795578430000LL;
	a.acknowledged_by = (char *)"duty-officer";
	sm.envelope = &e;
	sm.direction = (char *)"out";
	sm.state = (char *)"delivered";
	sm.delivered_at = 1795578501000LL;

	text = render_to_string(&sm, 0);
	ck_assert_msg(strncmp(text, "ACKNOWLEDGEMENT\n", 16) == 0, "%s", text);
	ck_assert_ptr_null(strstr(text, "EXERCISE"));
	ck_assert_ptr_nonnull((l = line_of(text, "In reply to")));
	ck_assert(line_has(l, ID1));
	ck_assert_ptr_nonnull((l = line_of(text, "Acknowledgement of")));
	ck_assert(line_has(l, ID1));
	ck_assert_ptr_nonnull((l = line_of(text, "Received at")));
	ck_assert(line_has(l, "2026-11-25 03:47Z, "));
	ck_assert_ptr_nonnull((l = line_of(text, "Acknowledged by")));
	ck_assert(line_has(l, "duty-officer"));
	ck_assert_ptr_nonnull((l = line_of(text, "State")));
	ck_assert(line_has(l, "delivered"));
	ck_assert_ptr_nonnull((l = line_of(text, "Delivered at")));
	ck_assert(line_has(l, "2026-11-25 03:48Z, "));
	ck_assert_ptr_null(line_of(text, "Note"));
	ck_assert_ptr_null(line_of(text, "Language"));
	/* Values start in one column. */
	ck_assert_int_eq(strstr(line_of(text, "Id"), ID2) -
	    line_of(text, "Id"), strstr(line_of(text, "Acknowledgement of"),
	    ID1) - line_of(text, "Acknowledgement of"));
	/* Para 30(c), at the very end. */
	stmt = "Receipt is not concurrence (UN GGE 2021 report, para 30(c)).\n";
	ck_assert_str_eq(text + strlen(text) - strlen(stmt), stmt);
	ck_assert_ptr_null(strstr(text, "Notice is not attribution"));
	free(text);

	text = render_to_string(&sm, 1);
	ck_assert_ptr_nonnull(strstr(text, "Receipt is not concurrence"));
	free(text);
}
END_TEST

START_TEST(test_request_digest_and_state)
{
	Poc__StoredMessage	 sm = POC__STORED_MESSAGE__INIT;
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__AssistanceRequest	 r = POC__ASSISTANCE_REQUEST__INIT;
	Poc__AssistanceResponse	 p = POC__ASSISTANCE_RESPONSE__INIT;
	Poc__Acknowledgement	 a = POC__ACKNOWLEDGEMENT__INIT;
	char			*acks[] = { (char *)ID2 };
	Poc__StoredAck		 ack = POC__STORED_ACK__INIT;
	Poc__StoredAck		*ackp[] = { &ack };
	char			 buf[256], *text;

	e.id = (char *)ID1;
	e.body_case = POC__ENVELOPE__BODY_ASSISTANCE_REQUEST;
	e.assistance_request = &r;
	r.summary = (char *)"Ransomware\non SCADA";
	r.urgency = POC__URGENCY__FLASH;
	ck_assert_str_eq(render_kind_short(&e), "request");
	ck_assert_str_eq(render_urgency(&e), "FLASH");
	ck_assert_str_eq(render_digest(&e, buf, sizeof(buf)),
	    "Ransomware on SCADA");
	e.exercise = 1;
	ck_assert_str_eq(render_digest(&e, buf, sizeof(buf)),
	    "[EXERCISE] Ransomware on SCADA");

	ack.id = (char *)ID2;
	ack.by = (char *)"Jane Doe";
	ack.at = 1795578430000LL;
	sm.envelope = &e;
	sm.direction = (char *)"in";
	sm.state = (char *)"received";
	ck_assert_str_eq(vocab_state_text(&sm, buf, sizeof(buf)), "received");
	sm.n_acknowledged_by = 1;
	sm.acknowledged_by = acks;
	/* One word in every view: "acknowledged", as in --json (the table
	 * said "acked" where show and JSON said "received"). */
	ck_assert_str_eq(vocab_state_text(&sm, buf, sizeof(buf)),
	    "acknowledged");
	ck_assert_str_eq(vocab_state(&sm), "acknowledged");
	text = render_to_string(&sm, 0);
	ck_assert_ptr_nonnull(line_of(text, "Acknowledged by"));
	ck_assert(line_has(line_of(text, "Acknowledged by"), "ack 5e6f7a8b"));
	free(text);
	/* With the people (a node that reports them): who, ack, when. */
	sm.n_acks = 1;
	sm.acks = ackp;
	text = render_to_string(&sm, 0);
	ck_assert(line_has(line_of(text, "Acknowledged by"),
	    "Jane Doe (ack 5e6f7a8b, 2026-11-25 03:47Z, "));
	sm.n_acks = 0;
	ck_assert_ptr_null(strstr(text, "para 30"));
	free(text);
	sm.direction = (char *)"out";
	sm.state = (char *)"queued";
	sm.attempts = 3;
	sm.n_acknowledged_by = 0;
	ck_assert_str_eq(vocab_state_text(&sm, buf, sizeof(buf)),
	    "queued (3 attempts)");
	ck_assert_str_eq(vocab_state(&sm), "queued");
	sm.n_acknowledged_by = 1;

	e.exercise = 0;
	e.body_case = POC__ENVELOPE__BODY_ASSISTANCE_RESPONSE;
	e.assistance_response = &p;
	p.request_id = (char *)ID1;
	p.decision = POC__ASSISTANCE_RESPONSE__DECISION__WILL_ASSIST;
	ck_assert_str_eq(render_kind_short(&e), "response");
	ck_assert_str_eq(render_urgency(&e), "");
	ck_assert_str_eq(render_digest(&e, buf, sizeof(buf)),
	    "WILL_ASSIST re 1a2b3c4d");
	e.body_case = POC__ENVELOPE__BODY_ACKNOWLEDGEMENT;
	e.acknowledgement = &a;
	a.ack_of = (char *)ID1;
	ck_assert_str_eq(render_kind_short(&e), "ack");
	ck_assert_str_eq(render_digest(&e, buf, sizeof(buf)),
	    "ack of 1a2b3c4d");
}
END_TEST

START_TEST(test_text_helpers)
{
	char	 buf[64];
	char	 s[] = "abcdefghijklmnopqrstuvwxyz";
	char	 u[] = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";

	/* Escape, bell and C1 CSI become U+FFFD; newline and tab spaces. */
	ck_assert_str_eq(term_oneline("a\x1b[2Jb\tc\nd\x07\xc2\x9b", buf,
	    sizeof(buf)),
	    "a\xef\xbf\xbd[2Jb c d\xef\xbf\xbd\xef\xbf\xbd");
	/* Cut on a character boundary when the buffer is short. */
	term_oneline(u, buf, 4);
	ck_assert_str_eq(buf, "\xc3\xa9");
	ck_assert_uint_eq(term_width("abc"), 3);
	ck_assert_uint_eq(term_width(u), 6);
	term_truncate(s, 10);
	ck_assert_str_eq(s, "abcdefg...");
	term_truncate(s, 20);
	ck_assert_str_eq(s, "abcdefg...");
	term_truncate(u, 5);
	ck_assert_str_eq(u, "\xc3\xa9\xc3\xa9...");
	ck_assert_str_eq(render_time_short(0, buf, sizeof(buf)), "-");
	ck_assert_str_eq(render_time_short(1795578425000LL, buf, sizeof(buf)),
	    "2026-11-25 03:47Z");
	ck_assert_str_eq(render_tlp(POC__TLP__AMBER_STRICT), "AMBER+STRICT");
	ck_assert_str_eq(render_tlp(POC__TLP__TLP_UNSPECIFIED), "");
}
END_TEST

START_TEST(test_control_chars_in_free_text)
{
	Poc__StoredMessage	 sm = POC__STORED_MESSAGE__INIT;
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__StatusUpdate	 u = POC__STATUS_UPDATE__INIT;
	char			*text;

	e.id = (char *)ID1;
	e.body_case = POC__ENVELOPE__BODY_STATUS_UPDATE;
	e.status_update = &u;
	u.status = POC__CASE_STATUS__IN_PROGRESS;
	u.text = (char *)"ok\x1b]0;owned\x07 fine\r\nnext";
	sm.envelope = &e;
	text = render_to_string(&sm, 0);
	ck_assert_ptr_null(strchr(text, '\x1b'));
	ck_assert_ptr_null(strchr(text, '\x07'));
	ck_assert_ptr_null(strchr(text, '\r'));
	ck_assert(line_has(line_of(text, "Status"), "IN_PROGRESS"));
	ck_assert(line_has(line_of(text, "Text"), "ok\xef\xbf\xbd]0;owned"));
	free(text);
}
END_TEST

/* Times with their age or the time left, in the unit read at a glance. */
START_TEST(test_when)
{
	const int64_t	 t = 1796436600000LL;	/* 2026-12-05 02:10Z */
	char		 buf[96];

	ck_assert_str_eq(vocab_when(t, t + 3 * 3600000 + 59000, buf,
	    sizeof(buf)), "2026-12-05 02:10Z, 3 h ago");
	ck_assert_str_eq(vocab_when(t, t - 4 * 3600000 + 1000, buf,
	    sizeof(buf)), "2026-12-05 02:10Z, in 3 h");
	ck_assert_str_eq(vocab_when(t, t + 42000, buf, sizeof(buf)),
	    "2026-12-05 02:10Z, 42 s ago");
	ck_assert_str_eq(vocab_when(t, t + 30 * 60000, buf, sizeof(buf)),
	    "2026-12-05 02:10Z, 30 min ago");
	ck_assert_str_eq(vocab_when(t, t + 3 * 86400000LL, buf, sizeof(buf)),
	    "2026-12-05 02:10Z, 3 d ago");
	ck_assert_str_eq(vocab_when(t, t, buf, sizeof(buf)),
	    "2026-12-05 02:10Z, 0 s ago");
	ck_assert_str_eq(vocab_when(0, t, buf, sizeof(buf)), "-");
}
END_TEST

static Suite *
render_suite(void)
{
	Suite	*s = suite_create("render");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_notification);
	tcase_add_test(tc, test_acknowledgement);
	tcase_add_test(tc, test_request_digest_and_state);
	tcase_add_test(tc, test_when);
	tcase_add_test(tc, test_text_helpers);
	tcase_add_test(tc, test_control_chars_in_free_text);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(render_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
