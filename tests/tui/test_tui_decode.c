// SPDX-License-Identifier: GPL-2.0
/*
 * tests/tui/test_tui_decode.c - the detail pane's decoders (tui/decode.h)
 * against TDX_FACTS §3 (status codes, operand ids) and §4 (SPTE bits).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"

static void test_status_names_class_and_operand_id(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(tui_status_str(29, 0xC0000B0800000001ull, buf, sizeof(buf)),
			    "TDX_TLB_TRACKING_NOT_DONE | RCX");
	assert_string_equal(tui_status_str(7, 0x8000020000000092ull, buf, sizeof(buf)),
			    "TDX_OPERAND_BUSY | S-EPT tree");
	assert_string_equal(tui_status_str(38, 0x80000200000000a9ull, buf, sizeof(buf)),
			    "TDX_OPERAND_BUSY | TD epoch");
	assert_string_equal(tui_status_str(6, 0, buf, sizeof(buf)), "TDX_SUCCESS");
	assert_string_equal(tui_status_str(7, 0x00000B0700000000ull, buf, sizeof(buf)),
			    "TDX_GPA_RANGE_ALREADY_BLOCKED");
}

static void test_status_of_unknown_class_keeps_the_raw_value(void **state)
{
	char buf[128];

	(void)state;
	tui_status_str(6, 0xC0000B9900000000ull, buf, sizeof(buf));
	assert_non_null(strstr(buf, "0xc0000b9900000000"));
	assert_non_null(strstr(buf, "unknown"));
}

static void test_vp_enter_status_is_an_exit_reason(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(tui_status_str(0, 48, buf, sizeof(buf)), "exit 48 EPT_VIOLATION");
	assert_string_equal(tui_status_str(0, 77, buf, sizeof(buf)), "exit 77 TDCALL");
	/* an error from VP.ENTER is a status, not an exit */
	assert_string_equal(tui_status_str(0, 0x8000020000000000ull | 0xa9, buf, sizeof(buf)),
			    "TDX_OPERAND_BUSY | TD epoch");
}

static void test_present_leaf_spte_decoded_bit_by_bit(void **state)
{
	char buf[200];

	(void)state;
	tui_spte_str(0x860000001234ab37ull, buf, sizeof(buf));
	assert_string_equal(buf, "RWX mt=WB A D present hw mw SVE=1 pfn=0x1234a");
}

static void test_large_page_and_partial_permissions(void **state)
{
	char buf[200];

	(void)state;
	/* R only, UC, PS, present, no SVE */
	tui_spte_str(0x0000000040000881ull, buf, sizeof(buf));
	assert_string_equal(buf, "R-- mt=UC PS present SVE=0 pfn=0x40000");
}

static void test_non_present_frozen_and_mmio_values(void **state)
{
	char buf[200];

	(void)state;
	assert_string_equal(tui_spte_str(0x8000000000000000ull, buf, sizeof(buf)),
			    "non-present SVE");
	assert_string_equal(tui_spte_str(0x80000000000005a0ull, buf, sizeof(buf)), "FROZEN");
	/* TD MMIO: RWX = 0, SVE = 0, gen low bits 3-10 = 0x12, gen high bit 52 set */
	tui_spte_str((1ull << 52) | (0x12ull << 3) | (0xfee00ull << 12), buf, sizeof(buf));
	assert_string_equal(buf, "MMIO (TD) gen=0x112 gfn=0xfee00 SVE=0");
	assert_int_equal(tui_spte_mmio_gen((1ull << 62) | (0xffull << 3)), (1u << 18) | 0xff);
}

static void test_leaf_names_and_level_state(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(tui_leaf_name(29), "TDH.MEM.PAGE.REMOVE");
	assert_string_equal(tui_leaf_name(65558), "TDH.VP.INIT"); /* version bits ignored */
	assert_null(tui_leaf_name(44));
	assert_string_equal(tui_level_state_str(0x100, buf, sizeof(buf)),
			    "level 0 (4K) state BLOCKED (1)");
	assert_string_equal(tui_level_name(1), "4K");
	assert_string_equal(tui_level_name(9), "L?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names_class_and_operand_id),
		cmocka_unit_test(test_status_of_unknown_class_keeps_the_raw_value),
		cmocka_unit_test(test_vp_enter_status_is_an_exit_reason),
		cmocka_unit_test(test_present_leaf_spte_decoded_bit_by_bit),
		cmocka_unit_test(test_large_page_and_partial_permissions),
		cmocka_unit_test(test_non_present_frozen_and_mmio_values),
		cmocka_unit_test(test_leaf_names_and_level_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
