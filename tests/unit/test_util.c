/*
 * util: the milliseconds-to-timeval conversion the daemon's timers share,
 * the ids a node makes, and the one hex and UUID formatting of the tree.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

START_TEST(test_ms_timeval)
{
	struct timeval	 tv;

	tv = util_ms_timeval(1500);
	ck_assert_int_eq(tv.tv_sec, 1);
	ck_assert_int_eq(tv.tv_usec, 500000);
	tv = util_ms_timeval(999);
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 999000);
	tv = util_ms_timeval(7200000);
	ck_assert_int_eq(tv.tv_sec, 7200);
	ck_assert_int_eq(tv.tv_usec, 0);
	tv = util_ms_timeval(0);
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 0);
}
END_TEST

/* A deadline already passed fires at once instead of never. */
START_TEST(test_ms_timeval_negative)
{
	struct timeval	 tv = util_ms_timeval(-1500);

	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 0);
}
END_TEST

/* New ids are UUIDs (version 8, RFC 9562 variant) that the validation
 * accepts; those one thread makes sort in the order it made them (the
 * store's B-trees take them at one place), and a burst of them (a send
 * to every member) still differs in the 8 characters of a short id. */
#define UUID_BURST	2000
START_TEST(test_uuid_new)
{
	static char	 id[UUID_BURST][UUID_STR_LEN];
	int		 i, j;

	for (i = 0; i < UUID_BURST; i++) {
		ck_assert_int_eq(util_uuid_new(id[i]), 0);
		ck_assert(util_uuid_valid(id[i]));
		ck_assert_int_eq(id[i][14], '8');
		ck_assert(strchr("89ab", id[i][19]) != NULL);
	}
	for (i = 1; i < UUID_BURST; i++) {
		/* across the wrap of the 17.5-minute cycle, once */
		if (strcmp(id[i - 1], id[i]) >= 0)
			ck_assert(id[i - 1][0] == 'f' && id[i][0] == '0');
		for (j = i - 1; j >= 0 && i - j < 256; j--)
			ck_assert(strncmp(id[i], id[j], 8) != 0);
	}
}
END_TEST

/* Two lower-case digits per byte, high nibble first, and the NUL right
 * after them: nothing past 2 * n + 1 bytes is written. */
START_TEST(test_hex)
{
	static const uint8_t	 b[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char			 out[2 * sizeof(b) + 2];

	memset(out, 'X', sizeof(out));
	util_hex(b, sizeof(b), out);
	ck_assert_str_eq(out, "00017f80abff");
	ck_assert_int_eq(out[2 * sizeof(b) + 1], 'X');
	memset(out, 'X', sizeof(out));
	util_hex(b, 0, out);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(out[1], 'X');
}
END_TEST

/* Every byte value goes through hex and back unchanged. */
START_TEST(test_unhex_roundtrip)
{
	uint8_t	 b[256], back[256];
	char	 hex[2 * 256 + 1];
	int	 i;

	for (i = 0; i < 256; i++)
		b[i] = (uint8_t)i;
	util_hex(b, sizeof(b), hex);
	ck_assert_int_eq(util_unhex(hex, back, sizeof(back), 0), 0);
	ck_assert_mem_eq(b, back, sizeof(b));
}
END_TEST

/* util_unhex takes exactly 2 * n digits: shorter, longer and odd lengths
 * are refused, and so is NULL; nothing is written past n bytes. */
START_TEST(test_unhex_length)
{
	uint8_t	 out[4];

	memset(out, 0xee, sizeof(out));
	ck_assert_int_eq(util_unhex("0a1b", out, 2, 0), 0);
	ck_assert_int_eq(out[0], 0x0a);
	ck_assert_int_eq(out[1], 0x1b);
	ck_assert_int_eq(out[2], 0xee);
	ck_assert_int_eq(util_unhex("", out, 0, 0), 0);
	ck_assert_int_eq(util_unhex("0a1", out, 2, 0), -1);	/* odd */
	ck_assert_int_eq(util_unhex("0a1", out, 1, 0), -1);
	ck_assert_int_eq(util_unhex("0a", out, 2, 0), -1);	/* short */
	ck_assert_int_eq(util_unhex("0a1b2c", out, 2, 0), -1);	/* long */
	ck_assert_int_eq(util_unhex("0a", out, 0, 0), -1);
	ck_assert_int_eq(util_unhex(NULL, out, 2, 0), -1);
}
END_TEST

/* Only 0-9 and a-f are digits; A-F only with UTIL_HEX_ANYCASE (what a
 * person typed), so that what pocd reads back has one spelling. */
START_TEST(test_unhex_digits)
{
	static const char *const bad[] = {
		"0g", "g0", "0 ", " 0", "-1", "0x", "/0", "0:", "@0", "`0",
		"G0", "0\xc3",
	};
	uint8_t		 out[2];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(util_unhex(bad[i], out, 1, 0) == -1, "%s", bad[i]);
		ck_assert_msg(util_unhex(bad[i], out, 1,
		    UTIL_HEX_ANYCASE) == -1, "%s", bad[i]);
	}
	ck_assert_int_eq(util_unhex("9f", out, 1, 0), 0);
	ck_assert_int_eq(out[0], 0x9f);
	ck_assert_int_eq(util_unhex("AB", out, 1, 0), -1);
	ck_assert_int_eq(util_unhex("aB", out, 1, 0), -1);
	ck_assert_int_eq(util_unhex("Fa", out, 1, 0), -1);
	ck_assert_int_eq(util_unhex("AbCd", out, 2, UTIL_HEX_ANYCASE), 0);
	ck_assert_int_eq(out[0], 0xab);
	ck_assert_int_eq(out[1], 0xcd);
	ck_assert_int_eq(util_unhex("FF00", out, 2, UTIL_HEX_ANYCASE), 0);
	ck_assert_int_eq(out[0], 0xff);
	ck_assert_int_eq(out[1], 0x00);
}
END_TEST

/* util_unhex_at reads the 2 * n digits at s and no further: what follows
 * them is not looked at, and a NUL among them ends the reading (a buffer
 * of exactly that size is not overrun under ASan). */
START_TEST(test_unhex_at)
{
	uint8_t	 out[2];
	char	*s;

	ck_assert_int_eq(util_unhex_at("beefZZ", out, 2, 0), 0);
	ck_assert_int_eq(out[0], 0xbe);
	ck_assert_int_eq(out[1], 0xef);
	ck_assert_int_eq(util_unhex_at("be", out, 2, 0), -1);
	ck_assert_int_eq(util_unhex_at("b", out, 1, 0), -1);
	ck_assert_int_eq(util_unhex_at("bE", out, 1, 0), -1);
	ck_assert_int_eq(util_unhex_at("bE", out, 1, UTIL_HEX_ANYCASE), 0);
	ck_assert_ptr_nonnull(s = malloc(2));
	memcpy(s, "a", 2);
	ck_assert_int_eq(util_unhex_at(s, out, 2, 0), -1);
	free(s);
}
END_TEST

/* 16 bytes in the canonical 8-4-4-4-12 form, lower case, bits as the
 * caller set them. */
START_TEST(test_uuid_format)
{
	static const uint8_t	 b[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	char			 out[UUID_STR_LEN + 1];

	memset(out, 'X', sizeof(out));
	util_uuid_format(out, b);
	ck_assert_str_eq(out, "00112233-4455-6677-8899-aabbccddeeff");
	ck_assert_int_eq(out[UUID_STR_LEN], 'X');
	ck_assert(util_uuid_valid(out));
}
END_TEST

/* util_uuid_make puts ms (mod 2^20) and the 12-bit counter in the first
 * 32 bits and sets version 8 and the RFC 9562 variant; the other bytes
 * are the caller's. */
START_TEST(test_uuid_make)
{
	uint8_t	 b[16];
	char	 out[UUID_STR_LEN];

	memset(b, 0xff, sizeof(b));
	util_uuid_make(out, 0x123456789LL, 0xabc, b);
	/* 0x56789 << 12 | 0xabc */
	ck_assert_str_eq(out, "56789abc-ffff-8fff-bfff-ffffffffffff");
	memset(b, 0x00, sizeof(b));
	util_uuid_make(out, 0, 0x1fff, b);
	ck_assert_str_eq(out, "00000fff-0000-8000-8000-000000000000");
}
END_TEST

static Suite *
util_suite(void)
{
	Suite	*s = suite_create("util");
	TCase	*tc = tcase_create("util");

	tcase_add_test(tc, test_ms_timeval);
	tcase_add_test(tc, test_ms_timeval_negative);
	tcase_add_test(tc, test_uuid_new);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_unhex_roundtrip);
	tcase_add_test(tc, test_unhex_length);
	tcase_add_test(tc, test_unhex_digits);
	tcase_add_test(tc, test_unhex_at);
	tcase_add_test(tc, test_uuid_format);
	tcase_add_test(tc, test_uuid_make);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(util_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
