/*
 * Unit tests for cli/output_metrics.c (pocctl metrics): the exposition is well
 * formed line by line, label values that come from certificates and the
 * directory cannot break out of their quotes, and it ends with "# EOF".
 * The full format is checked against the reference parser in
 * tests/integration/61_ops_status_metrics.py.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/output_metrics.h"

/* Runs output_metrics(st) with stdout sent to a temporary file; returns
 * what it printed. */
static char *
metrics_text(const Poc__OpStatusReply *st)
{
	FILE	*tmp = tmpfile();
	char	*buf;
	long	 n;
	int	 saved;

	ck_assert_ptr_nonnull(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fileno(tmp), STDOUT_FILENO), 0);
	output_metrics(st);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	n = ftell(tmp);
	ck_assert_int_gt(n, 0);
	rewind(tmp);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, tmp), (size_t)n);
	fclose(tmp);
	return buf;
}

START_TEST(test_escaping_and_shape)
{
	Poc__OpStatusReply	 st = POC__OP_STATUS_REPLY__INIT;
	Poc__OpPeerStatus	 p = POC__OP_PEER_STATUS__INIT, *pp = &p;
	Poc__OpStatusCert	 c = POC__OP_STATUS_CERT__INIT, *cp = &c;
	char			*out, *line, *save = NULL;
	int			 samples = 0, eof = 0;

	st.member = (char *)"AUS";
	st.software = (char *)"pocd/0.1.0";
	st.started_at = 1000;
	st.now = 61000;
	st.n_peers = 1;
	st.peers = &pp;
	p.member = (char *)"FRA";
	p.queued = 3;
	p.oldest_queued_at = 31000;
	st.n_certificates = 1;
	st.certificates = &cp;
	c.role = (char *)"node";
	/* A subject a CA could write: quotes, a backslash, a newline. */
	c.subject = (char *)"/CN=AUS\"} 1\npocd_up 0\\";
	c.not_after = 2000000;
	st.overdue_tracked = 1;
	st.overdue_cases = 2;

	out = metrics_text(&st);
	ck_assert_ptr_nonnull(strstr(out, "pocd_up 1\n"));
	ck_assert_ptr_nonnull(strstr(out,
	    "pocd_outbox_queued{peer=\"FRA\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(out,
	    "pocd_outbox_oldest_age_seconds{peer=\"FRA\"} 30.000\n"));
	ck_assert_ptr_nonnull(strstr(out, "pocd_overdue_cases 2\n"));
	ck_assert_ptr_nonnull(strstr(out, "subject=\"/CN=AUS\\\"} 1\\npocd_up 0"
	    "\\\\\"} 2000.000\n"));
	ck_assert_ptr_null(strstr(out, "\npocd_up 0\n"));
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		ck_assert_int_eq(eof, 0);	/* nothing after # EOF */
		if (strcmp(line, "# EOF") == 0) {
			eof = 1;
			continue;
		}
		if (line[0] == '#') {
			ck_assert_msg(strncmp(line, "# HELP pocd_", 12) == 0 ||
			    strncmp(line, "# TYPE pocd_", 12) == 0, "%s", line);
			continue;
		}
		ck_assert_msg(strncmp(line, "pocd_", 5) == 0, "%s", line);
		samples++;
	}
	ck_assert_int_eq(eof, 1);
	ck_assert_int_ge(samples, 14);
	free(out);
}
END_TEST

/* Without overdue tracking the family is left out, not reported as 0. */
START_TEST(test_overdue_untracked)
{
	Poc__OpStatusReply	 st = POC__OP_STATUS_REPLY__INIT;
	char			*out;

	st.member = (char *)"KEN";
	st.software = (char *)"pocd/0.1.0";
	out = metrics_text(&st);
	ck_assert_ptr_null(strstr(out, "pocd_overdue_cases"));
	ck_assert_ptr_nonnull(strstr(out, "\n# EOF\n"));
	free(out);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("metrics");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 nf;

	tcase_add_test(tc, test_escaping_and_shape);
	tcase_add_test(tc, test_overdue_untracked);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
