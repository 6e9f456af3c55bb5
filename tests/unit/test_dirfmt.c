/*
 * pocctl's directory formats: vCard 4.0 (one card per PoC, CRLF, RFC 6350
 * escaping, 75-octet folding that never splits a UTF-8 character), CSV
 * (RFC 4180 quoting), weekly hours, command-line times, and records as
 * JSON surviving the round trip bit for bit (so signatures still verify).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cli/dirfmt.h"
#include "dirrec.h"

static Poc__DirectoryRecord *
sample(void)
{
	static const char *js =
	    "{\"network\":\"aa\",\"code\":\"FRA\",\"name\":\"France; \\\"ANSSI\\\"\","
	    "\"serial\":7,\"expires\":1900000000000,"
	    "\"pocs\":[{\"level\":\"TECHNICAL\",\"name\":\"Zo\\u00e9 \\u00c9lodie "
	    "Dupont-Lefebvre de la Tour d'Auvergne, CERT-FR permanence\","
	    "\"role\":\"Duty, officer\",\"organization\":\"ANSSI\","
	    "\"channels\":[{\"kind\":\"EMAIL\",\"value\":\"cert@ssi.gouv.fr\","
	    "\"priority\":1},{\"kind\":\"PHONE\",\"value\":\"+33 1 71 75 84 68\","
	    "\"priority\":2}],\"always\":true,\"time_zone\":\"Europe/Paris\","
	    "\"languages\":[\"fr\",\"en\"]},"
	    "{\"level\":\"POLICY\",\"name\":\"Directeur\",\"channels\":"
	    "[{\"kind\":\"FAX\",\"value\":\"+33 1 00\"}],\"time_zone\":"
	    "\"Europe/Paris\",\"hours\":[{\"day\":1,\"start\":540,\"end\":1020}]}],"
	    "\"certificate\":\"AQID\",\"signature\":\"BAUGBw==\"}";
	json_error_t		 je;
	json_t			*j = json_loads(js, 0, &je);
	char			 err[256];
	Poc__DirectoryRecord	*r;

	ck_assert_msg(j != NULL, "%s", je.text);
	r = dirfmt_record_from_json(j, "", NULL, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	json_decref(j);
	return r;
}

START_TEST(test_json_roundtrip)
{
	Poc__DirectoryRecord	*r = sample(), *back;
	json_t			*j;
	uint8_t			*a, *b;
	size_t			 na, nb;
	char			 err[256];

	ck_assert_uint_eq(r->certificate.len, 3);
	ck_assert_uint_eq(r->signature.len, 4);
	ck_assert_int_eq(r->signature.data[3], 7);
	j = dirfmt_record_json(r);
	back = dirfmt_record_from_json(j, "", NULL, err, sizeof(err));
	ck_assert_msg(back != NULL, "%s", err);
	na = poc__directory_record__get_packed_size(r);
	nb = poc__directory_record__get_packed_size(back);
	ck_assert_uint_eq(na, nb);
	a = malloc(na);
	b = malloc(nb);
	poc__directory_record__pack(r, a);
	poc__directory_record__pack(back, b);
	ck_assert_int_eq(memcmp(a, b, na), 0);
	free(a);
	free(b);
	/* Bad base64 and unknown keys name their path. */
	json_object_set_new(j, "signature", json_string("!!!!"));
	ck_assert_ptr_null(dirfmt_record_from_json(j, "records[3]", NULL, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "records[3].signature: expected base64");
	json_object_set_new(j, "signature", json_string("AAAA"));
	json_object_set_new(j, "colour", json_string("blue"));
	ck_assert_ptr_null(dirfmt_record_from_json(j, "records[3]", NULL, err,
	    sizeof(err)));
	ck_assert_msg(strncmp(err, "records[3].colour", 17) == 0, "%s", err);
	json_decref(j);
	poc__directory_record__free_unpacked(back, NULL);
	poc__directory_record__free_unpacked(r, NULL);
}
END_TEST

START_TEST(test_vcard)
{
	Poc__DirectoryRecord	*r = sample();
	char			*v, *p, *line, *save, buf[64];
	int			 cards = 0, begins = 0;

	v = dirfmt_vcard(&r, 1);
	ck_assert_ptr_nonnull(v);
	/* Every line ends in CRLF and has at most 75 octets; continuation
	 * lines start with a space and never with a UTF-8 continuation
	 * byte after it. */
	for (p = v; *p != '\0'; ) {
		char *eol = strstr(p, "\r\n");

		ck_assert_ptr_nonnull(eol);
		ck_assert_int_le(eol - p, 75);
		if (*p == ' ')
			ck_assert_int_ne((unsigned char)p[1] & 0xc0, 0x80);
		ck_assert_ptr_null(memchr(p, '\n', (size_t)(eol - p)));
		p = eol + 2;
	}
	/* Unfolded, the long FN is intact and escaped. */
	p = strdup(v);
	for (line = p; (line = strstr(line, "\r\n ")) != NULL; )
		memmove(line, line + 3, strlen(line + 3) + 1);
	ck_assert_ptr_nonnull(strstr(p, "FN:Zo\xc3\xa9 \xc3\x89lodie "
	    "Dupont-Lefebvre de la Tour d'Auvergne\\, CERT-FR permanence\r\n"));
	ck_assert_ptr_nonnull(strstr(p, "TITLE:Duty\\, officer\r\n"));
	ck_assert_ptr_nonnull(strstr(p, "X-POCD-MEMBER-NAME:France\\; "
	    "\"ANSSI\"\r\n"));
	ck_assert_ptr_nonnull(strstr(p, "EMAIL;PREF=1:cert@ssi.gouv.fr\r\n"));
	ck_assert_ptr_nonnull(strstr(p, "TEL;VALUE=text;TYPE=voice;PREF=2:"
	    "+33 1 71 75 84 68\r\n"));
	ck_assert_ptr_nonnull(strstr(p, "TEL;VALUE=text;TYPE=fax:+33 1 00\r\n"));
	ck_assert_ptr_nonnull(strstr(p, "ROLE:POLICY\r\n"));
	ck_assert_ptr_nonnull(strstr(p, "X-POCD-HOURS:Mon 09:00-17:00\r\n"));
	for (line = strtok_r(p, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save)) {
		begins += strcmp(line, "BEGIN:VCARD") == 0;
		cards += strcmp(line, "END:VCARD") == 0;
	}
	ck_assert_int_eq(begins, 2);	/* one card per PoC */
	ck_assert_int_eq(cards, 2);
	free(p);
	free(v);
	ck_assert_str_eq(dirfmt_vcard_escape("a\\b,c;d\ne", buf, sizeof(buf)),
	    "a\\\\b\\,c\\;d\\ne");
	poc__directory_record__free_unpacked(r, NULL);
}
END_TEST

START_TEST(test_csv)
{
	Poc__DirectoryRecord	*r = sample();
	char			*c;
	static const char head[] = "member,member_name,level,name,role,"
	    "organization,always,time_zone,hours,languages,channels\r\n";

	c = dirfmt_csv(&r, 1);
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(strncmp(c, head, sizeof(head) - 1) == 0, "%s", c);
	/* Quotes doubled, fields with commas or quotes quoted. */
	ck_assert_ptr_nonnull(strstr(c, "\r\nFRA,\"France; \"\"ANSSI\"\"\","
	    "TECHNICAL,\"Zo\xc3\xa9"));
	ck_assert_ptr_nonnull(strstr(c, ",\"Duty, officer\",ANSSI,yes,"
	    "Europe/Paris,,fr en,EMAIL:cert@ssi.gouv.fr (1); PHONE:+33 1 71 75 "
	    "84 68 (2)\r\n"));
	ck_assert_ptr_nonnull(strstr(c, ",POLICY,Directeur,,,no,Europe/Paris,"
	    "Mon 09:00-17:00,,FAX:+33 1 00\r\n"));
	free(c);
	poc__directory_record__free_unpacked(r, NULL);
}
END_TEST

START_TEST(test_hours)
{
	Poc__DirectoryHours	**h;
	Poc__DirectoryPoc	 p = POC__DIRECTORY_POC__INIT;
	size_t			 n;
	char			 err[200], buf[200];

	ck_assert_int_eq(dirfmt_hours_parse("Mon-Fri 09:00-17:30, Sat "
	    "10:00-24:00", &h, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(h[0]->day, 1);
	ck_assert_uint_eq(h[4]->day, 5);
	ck_assert_uint_eq(h[4]->end, 17 * 60 + 30);
	ck_assert_uint_eq(h[5]->day, 6);
	ck_assert_uint_eq(h[5]->end, 1440);
	p.hours = h;
	p.n_hours = n;
	dirfmt_hours_format(&p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Mon-Fri 09:00-17:30, Sat 10:00-24:00");
	/* A gap breaks the range. */
	h[2]->start = 600;
	dirfmt_hours_format(&p, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Mon-Tue 09:00-17:30, Wed 10:00-17:30, Thu-Fri "
	    "09:00-17:30, Sat 10:00-24:00");
	dirfmt_hours_free(h, n);
	ck_assert_int_eq(dirfmt_hours_parse("Fri-Mon 09:00-17:00", &h, &n, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(dirfmt_hours_parse("Mon 17:00-09:00", &h, &n, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(dirfmt_hours_parse("Mon 09:60-10:00", &h, &n, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(dirfmt_hours_parse("Xyz 09:00-10:00", &h, &n, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(dirfmt_hours_parse("Mon", &h, &n, err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(test_time)
{
	int64_t	 t;

	ck_assert_int_eq(dirfmt_time_parse("2026-03-29T01:30Z", 0, &t), 0);
	ck_assert_int_eq(t, 1774747800000LL);
	ck_assert_int_eq(dirfmt_time_parse("2026-03-29T01:30:15Z", 0, &t), 0);
	ck_assert_int_eq(t, 1774747815000LL);
	ck_assert_int_eq(dirfmt_time_parse("2026-03-29", 0, &t), 0);
	ck_assert_int_eq(t, 1774742400000LL);
	ck_assert_int_eq(dirfmt_time_parse("+2d", 1000, &t), 0);
	ck_assert_int_eq(t, 1000 + 2 * 86400000LL);
	ck_assert_int_eq(dirfmt_time_parse("now", 42, &t), 0);
	ck_assert_int_eq(t, 42);
	ck_assert_int_eq(dirfmt_time_parse("1774747800000", 0, &t), 0);
	ck_assert_int_eq(t, 1774747800000LL);
	ck_assert_int_eq(dirfmt_time_parse("yesterday", 0, &t), -1);
	ck_assert_int_eq(dirfmt_time_parse("2026-13-01", 0, &t), -1);
	ck_assert_int_eq(dirfmt_time_parse("+3w", 0, &t), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dirfmt");
	TCase	*tc = tcase_create("dirfmt");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_json_roundtrip);
	tcase_add_test(tc, test_vcard);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_hours);
	tcase_add_test(tc, test_time);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
