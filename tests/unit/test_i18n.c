/*
 * Unit tests for pocctl's six UN languages: with the catalogs compiled
 * from po/LL.po (build/locale), every label, enum value, title and fixed
 * statement of every template renders in Arabic, Chinese, French, Russian
 * and Spanish, and none falls back to English.  English (the msgids) is
 * rendered first and each other language is compared against it.
 */
#include <check.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/i18n.h"
#include "cli/render.h"

static const char *const langs[] = { "ar", "zh", "fr", "ru", "es" };

/* Oneof members of the envelope's body, i.e. the template kinds. */
static const char *const kinds[] = {
	"assistance_request", "assistance_response", "notification",
	"acknowledgement", "status_update", "communication_check",
	"check_reply",
};

/* Labels that are the same in every language by design. */
static const char *const same[] = { "TLP", NULL };

/* Words spelled the same in English and in one language: checked to be
 * that language's word, not a missing translation. */
static const struct {
	const char	*lang, *word;
} same_in[] = {
	{ "fr", "Description" }, { "fr", "Nature" }, { "fr", "Contact" },
	{ "fr", "Note" }, { "fr", "Configuration" }, { "fr", "NOTIFICATION" },
	{ "fr", "ROUTINE" }, { "fr", "FINANCE" }, { "fr", "FLASH" },
	{ "es", "ELECTORAL" }, { "es", "FAX" },
};

/* Points pocctl at the catalogs of this build tree: the test binary is
 * B/tests/test_i18n, the catalogs are B/locale. */
static void
use_build_catalogs(void)
{
	char	 exe[PATH_MAX], dir[PATH_MAX + 16];
	ssize_t	 n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	/* dirname twice: B/tests/test_i18n -> B */
	snprintf(dir, sizeof(dir), "%s/locale", dirname(dirname(exe)));
	ck_assert_int_eq(access(dir, R_OK), 0);
	setenv("POCCTL_LOCALEDIR", dir, 1);
}

static const char	*cur_lang = "en";

static int
is_same(const char *s)
{
	size_t	 i;

	for (i = 0; same[i] != NULL; i++)
		if (strcmp(s, same[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(same_in) / sizeof(same_in[0]); i++)
		if (strcmp(cur_lang, same_in[i].lang) == 0 &&
		    strcmp(s, same_in[i].word) == 0)
			return 1;
	return 0;
}

/* A label or title for (member, field), copied so that a later gettext
 * call cannot change it. */
static char *
label_copy(const char *member, const char *field)
{
	const char	*l = render_field_label(member, field);

	return l != NULL ? strdup(l) : NULL;
}

/* Every envelope and body field label, every kind title and statement:
 * present in English and different from English in each language. */
START_TEST(test_template_labels)
{
	const ProtobufCMessageDescriptor	*ed;
	const ProtobufCFieldDescriptor		*bf;
	const ProtobufCMessageDescriptor	*bd;
	char					*en, *tr;
	size_t					 i, k, n = 0;

	use_build_catalogs();
	cur_lang = langs[_i];
	ed = &poc__envelope__descriptor;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		bf = protobuf_c_message_descriptor_get_field_by_name(ed,
		    kinds[k]);
		ck_assert_ptr_nonnull(bf);
		bd = bf->descriptor;
		for (i = 0; i < bd->n_fields; i++) {
			ck_assert_int_eq(i18n_init("en"), 0);
			if ((en = label_copy(kinds[k], bd->fields[i].name)) ==
			    NULL)
				continue;	/* unavailable, withheld */
			ck_assert_int_eq(i18n_init(langs[_i]), 0);
			tr = label_copy(kinds[k], bd->fields[i].name);
			ck_assert_ptr_nonnull(tr);
			ck_assert_msg(strcmp(en, tr) != 0 || is_same(en),
			    "%s: label of %s.%s is English: %s", langs[_i],
			    kinds[k], bd->fields[i].name, tr);
			free(en);
			free(tr);
			n++;
		}
		ck_assert_int_eq(i18n_init("en"), 0);
		en = strdup(render_member_title(kinds[k]));
		ck_assert_int_eq(i18n_init(langs[_i]), 0);
		ck_assert_msg(strcmp(en, render_member_title(kinds[k])) != 0 ||
		    is_same(en),
		    "%s: title of %s is English", langs[_i], kinds[k]);
		free(en);
	}
	for (i = 0; i < ed->n_fields; i++) {
		ck_assert_int_eq(i18n_init("en"), 0);
		if ((en = label_copy(NULL, ed->fields[i].name)) == NULL)
			continue;
		ck_assert_int_eq(i18n_init(langs[_i]), 0);
		tr = label_copy(NULL, ed->fields[i].name);
		ck_assert_msg(strcmp(en, tr) != 0 || is_same(en),
		    "%s: envelope label %s is English", langs[_i], tr);
		free(en);
		free(tr);
		n++;
	}
	ck_assert_uint_gt(n, 40);
}
END_TEST

/* Every named value of the enums the renderings show. */
START_TEST(test_enum_values)
{
	static const ProtobufCEnumDescriptor *const enums[] = {
		&poc__severity__descriptor, &poc__urgency__descriptor,
		&poc__sector__descriptor, &poc__case_status__descriptor,
		&poc__assistance_request__assistance_type__descriptor,
		&poc__assistance_response__decision__descriptor,
	};
	char		 buf[32], *en;
	const char	*tr;
	size_t		 e, i;

	use_build_catalogs();
	cur_lang = langs[_i];
	for (e = 0; e < sizeof(enums) / sizeof(enums[0]); e++)
		for (i = 0; i < enums[e]->n_values; i++) {
			if (enums[e]->values[i].value == 0)
				continue;
			ck_assert_int_eq(i18n_init("en"), 0);
			en = strdup(render_enum(enums[e],
			    enums[e]->values[i].value, buf, sizeof(buf)));
			ck_assert_str_eq(en, enums[e]->values[i].name);
			ck_assert_int_eq(i18n_init(langs[_i]), 0);
			tr = render_enum(enums[e], enums[e]->values[i].value,
			    buf, sizeof(buf));
			ck_assert_msg(strcmp(en, tr) != 0 || is_same(en),
			    "%s: %s.%s is "
			    "English", langs[_i], enums[e]->name, en);
			free(en);
		}
}
END_TEST

/* Renders sm into a new string. */
static char *
render_str(const Poc__StoredMessage *sm)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	render_message(fp, sm);
	fclose(fp);
	return buf;
}

/* The text before the first ':' of each line, as a list of lines. */
static int
has_english_label(const char *en, const char *tr, char *which, size_t len)
{
	const char	*p = en, *c, *e;
	char		 label[128];

	while (*p != '\0') {
		e = strchr(p, '\n');
		c = strchr(p, ':');
		if (c != NULL && (e == NULL || c < e) && c > p &&
		    (size_t)(c - p) < sizeof(label) && p[0] != ' ') {
			snprintf(label, sizeof(label), "%.*s:", (int)(c - p),
			    p);
			label[c - p] = '\0';
			if (is_same(label)) {
				if (e == NULL)
					break;
				p = e + 1;
				continue;
			}
			label[c - p] = ':';
			if (
			    strstr(tr, label) != NULL) {
				snprintf(which, len, "%s", label);
				return 1;
			}
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	return 0;
}

/* One case rendered in full: a notification and its acknowledgement; no
 * English label, statement or title is left. */
START_TEST(test_render_case)
{
	Poc__Envelope		 e = POC__ENVELOPE__INIT;
	Poc__Envelope		 a = POC__ENVELOPE__INIT;
	Poc__Notification	 n = POC__NOTIFICATION__INIT;
	Poc__Acknowledgement	 ack = POC__ACKNOWLEDGEMENT__INIT;
	Poc__StoredMessage	 sm = POC__STORED_MESSAGE__INIT;
	Poc__StoredMessage	 sa = POC__STORED_MESSAGE__INIT;
	Poc__Sector		 sectors[] = { POC__SECTOR__ENERGY };
	char			*en1, *en2, *tr1, *tr2, which[160];

	use_build_catalogs();
	cur_lang = langs[_i];
	e.id = e.thread_id = (char *)"5e6f7a8b-0000-4000-8000-000000000002";
	e.sender = (char *)"KEN";
	e.recipient = (char *)"AUS";
	e.created_at = 1764043200000LL;
	e.tlp = POC__TLP__AMBER;
	e.language = (char *)"en";
	e.body_case = POC__ENVELOPE__BODY_NOTIFICATION;
	e.notification = &n;
	n.summary = (char *)"Botnet C2 hosted in AUS address space";
	n.severity = POC__SEVERITY__HIGH;
	n.urgency = POC__URGENCY__PRIORITY;
	n.n_sectors = 1;
	n.sectors = sectors;
	n.requested_action = (char *)"Take down the C2 server";
	sm.envelope = &e;
	sm.direction = (char *)"in";
	sm.state = (char *)"received";
	sm.received_at = 1764043260000LL;

	a = e;
	a.id = (char *)"1a2b3c4d-0000-4000-8000-000000000001";
	a.in_reply_to = e.id;
	a.body_case = POC__ENVELOPE__BODY_ACKNOWLEDGEMENT;
	a.acknowledgement = &ack;
	ack.ack_of = e.id;
	ack.received_at = sm.received_at;
	ack.acknowledged_by = (char *)"duty-officer";
	sa = sm;
	sa.envelope = &a;

	ck_assert_int_eq(i18n_init("en"), 0);
	en1 = render_str(&sm);
	en2 = render_str(&sa);
	ck_assert_ptr_nonnull(strstr(en1, "Notice is not attribution"));
	ck_assert_ptr_nonnull(strstr(en2, "Receipt is not concurrence"));

	ck_assert_int_eq(i18n_init(langs[_i]), 0);
	tr1 = render_str(&sm);
	tr2 = render_str(&sa);
	ck_assert_msg(!has_english_label(en1, tr1, which, sizeof(which)),
	    "%s: notification label %s left in English:\n%s", langs[_i],
	    which, tr1);
	ck_assert_msg(!has_english_label(en2, tr2, which, sizeof(which)),
	    "%s: acknowledgement label %s left in English:\n%s", langs[_i],
	    which, tr2);
	ck_assert_msg(strstr(tr1, "Notice is not attribution") == NULL,
	    "%s: para 30(d) statement in English", langs[_i]);
	ck_assert_msg(strstr(tr2, "Receipt is not concurrence") == NULL,
	    "%s: para 30(c) statement in English", langs[_i]);
	ck_assert_msg(strstr(tr1, "30") != NULL && strstr(tr2, "30") != NULL,
	    "%s: the statements lost their paragraph", langs[_i]);
	ck_assert_msg(strstr(tr1, "NOTIFICATION\n") == NULL ||
	    strcmp(langs[_i], "fr") == 0, "%s: title in English", langs[_i]);
	ck_assert_msg(strstr(tr1, "ENERGY") == NULL && strstr(tr1, "HIGH") ==
	    NULL, "%s: enum values in English:\n%s", langs[_i], tr1);
	/* Free text stays as written. */
	ck_assert_ptr_nonnull(strstr(tr1, "Take down the C2 server"));
	ck_assert_ptr_nonnull(strstr(tr1, "Botnet C2 hosted in AUS"));
	free(en1);
	free(en2);
	free(tr1);
	free(tr2);
}
END_TEST

/* --lang rejects what is not a language tag; the environment's
 * language is used when its locale is not installed. */
START_TEST(test_init)
{
	use_build_catalogs();
	ck_assert_int_eq(i18n_init("fr;rm -rf"), -1);
	ck_assert_int_eq(i18n_init(""), -1);
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "ru_RU.UTF-8", 1);
	ck_assert_int_eq(i18n_init(NULL), 0);
	ck_assert_str_eq(render_member_title("notification"),
	    "УВЕДОМЛЕНИЕ");
	setenv("LANG", "C", 1);
	unsetenv("LANGUAGE");
	ck_assert_int_eq(i18n_init(NULL), 0);
	ck_assert_str_eq(render_member_title("notification"), "NOTIFICATION");
}
END_TEST

static Suite *
i18n_suite(void)
{
	Suite	*s = suite_create("i18n");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_template_labels, 0,
	    sizeof(langs) / sizeof(langs[0]));
	tcase_add_loop_test(tc, test_enum_values, 0,
	    sizeof(langs) / sizeof(langs[0]));
	tcase_add_loop_test(tc, test_render_case, 0,
	    sizeof(langs) / sizeof(langs[0]));
	tcase_add_test(tc, test_init);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(i18n_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
