// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_tdx_names.c - the words for TDX values (include/tdxr/tdx.h,
 * expanded from schema/tdx.def), which the CLI, the TUI and JSON all print:
 * status classes and operand ids (docs/tdx.md §3), SPTE bits (§4), leaves
 * (§2.1), S-EPT level/state (§3.2, §7.1). The statuses are built from the
 * table's constants; the values they stand for are checked once, here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tdxr/tdx.h"

static void test_status_names_class_and_operand_id(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(tdxr_seamcall_status_str(TDH_MEM_PAGE_REMOVE,
						     TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX,
						     buf, sizeof(buf)),
			    "TDX_TLB_TRACKING_NOT_DONE|RCX");
	assert_string_equal(tdxr_seamcall_status_str(TDH_MEM_RANGE_BLOCK,
						     TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE,
						     buf, sizeof(buf)),
			    "TDX_OPERAND_BUSY|SEPT_TREE");
	assert_string_equal(tdxr_seamcall_status_str(TDH_MEM_TRACK,
						     TDX_OPERAND_BUSY | TDX_OPERAND_ID_TD_EPOCH,
						     buf, sizeof(buf)),
			    "TDX_OPERAND_BUSY|TD_EPOCH");
	assert_string_equal(
		tdxr_seamcall_status_str(TDH_MEM_PAGE_AUG, TDX_SUCCESS, buf, sizeof(buf)),
		"TDX_SUCCESS");
	assert_string_equal(tdxr_seamcall_status_str(TDH_MEM_RANGE_BLOCK,
						     TDX_GPA_RANGE_ALREADY_BLOCKED, buf,
						     sizeof(buf)),
			    "TDX_GPA_RANGE_ALREADY_BLOCKED");
}

static void test_status_of_unknown_class_keeps_the_raw_value(void **state)
{
	char buf[128];

	(void)state;
	tdxr_seamcall_status_str(TDH_MEM_PAGE_AUG, 0xC0000B9900000000ull, buf, sizeof(buf));
	assert_string_equal(buf, "0xc0000b9900000000");
}

static void test_vp_enter_status_is_an_exit_reason(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(
		tdxr_seamcall_status_str(TDH_VP_ENTER, EXIT_REASON_EPT_VIOLATION, buf, sizeof(buf)),
		"exit 48 EPT_VIOLATION");
	assert_string_equal(
		tdxr_seamcall_status_str(TDH_VP_ENTER, EXIT_REASON_TDCALL, buf, sizeof(buf)),
		"exit 77 TDCALL");
	/* an error from VP.ENTER is a status, not an exit */
	assert_string_equal(tdxr_seamcall_status_str(TDH_VP_ENTER,
						     TDX_OPERAND_BUSY | TDX_OPERAND_ID_TD_EPOCH,
						     buf, sizeof(buf)),
			    "TDX_OPERAND_BUSY|TD_EPOCH");
}

/* The table's values are the upstream ones (docs/tdx.md §2.1, §3.1). */
static void test_table_values_are_the_kernel_and_module_ones(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(TDH_MEM_PAGE_AUG, 6);
	assert_int_equal(TDH_MEM_PAGE_REMOVE, 29);
	assert_int_equal(TDH_MEM_TRACK, 38);
	assert_true(TDX_OPERAND_BUSY == 0x8000020000000000ull);
	assert_true(TDX_EPT_ENTRY_STATE_INCORRECT == 0xc0000b0d00000000ull);
	assert_true(TDX_TLB_TRACKING_NOT_DONE == 0xc0000b0800000000ull);
	assert_true(TDX_OPERAND_ID_SEPT_TREE == 0x92);
	assert_true(FROZEN_SPTE == 0x80000000000005a0ull);
	assert_int_equal(EXIT_REASON_EPT_MISCONFIG, 49);
	/* the kernel's and the module's value of one name both decode */
	assert_string_equal(tdxr_tdx_status_str(0x6000000200000000ull, buf, sizeof(buf)),
			    "TDX_NON_RECOVERABLE_TD");
	assert_string_equal(tdxr_tdx_status_str(TDX_NON_RECOVERABLE_TD, buf, sizeof(buf)),
			    "TDX_NON_RECOVERABLE_TD");
	assert_string_equal(tdxr_tdx_status_str(0x8000FF00FFFF0000ull, buf, sizeof(buf)),
			    "TDX_SW_ERROR|0xffff0000");
	assert_string_equal(tdxr_tdx_status_str(TDX_EPT_WALK_FAILED | 0x44, buf, sizeof(buf)),
			    "TDX_EPT_WALK_FAILED|0x44");
}

static void test_leaf_names_in_both_spellings(void **state)
{
	(void)state;
	assert_string_equal(tdxr_seamcall_dotted_name(TDH_MEM_PAGE_AUG), "TDH.MEM.PAGE.AUG");
	assert_int_equal(tdxr_seamcall_leaf("TDH_MEM_PAGE_AUG", 16), TDH_MEM_PAGE_AUG);
	assert_int_equal(tdxr_seamcall_leaf("TDH.MEM.PAGE.AUG", 16), TDH_MEM_PAGE_AUG);
	assert_int_equal(tdxr_seamcall_leaf("TDH_MEM_PAGE_AU", 15), -1);
	assert_true(tdxr_seamcall_flags(TDH_MEM_PAGE_REMOVE) & TDXR_LF_SEPT);
	assert_true(tdxr_seamcall_flags(TDH_MR_EXTEND) & TDXR_LF_GPA);
	assert_false(tdxr_seamcall_flags(TDH_MR_EXTEND) & TDXR_LF_SEPT);
	assert_int_equal(tdxr_seamcall_flags(TDH_MEM_TRACK), 0);
	assert_int_equal(tdxr_vmx_exit_reason("EPT_VIOLATION"), EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(tdxr_vmx_exit_reason("HLT (0x0)"), EXIT_REASON_HLT);
	assert_int_equal(tdxr_vmx_exit_reason("0x99"), 0x99);
	assert_int_equal(tdxr_vmx_exit_reason("npf"), UINT32_MAX);
}

static void test_present_leaf_spte_decoded_bit_by_bit(void **state)
{
	char buf[200];

	(void)state;
	tdxr_spte_str(0x860000001234ab37ull, buf, sizeof(buf));
	assert_string_equal(buf, "RWX mt=WB A D present hw mw SVE=1 pfn=0x1234a");
}

static void test_large_page_and_partial_permissions(void **state)
{
	char buf[200];

	(void)state;
	/* R only, UC, PS, present, no SVE */
	tdxr_spte_str(0x0000000040000881ull, buf, sizeof(buf));
	assert_string_equal(buf, "R-- mt=UC PS present SVE=0 pfn=0x40000");
}

static void test_non_present_frozen_and_mmio_values(void **state)
{
	char buf[200];

	(void)state;
	assert_string_equal(tdxr_spte_str(0x8000000000000000ull, buf, sizeof(buf)),
			    "non-present SVE");
	assert_string_equal(tdxr_spte_str(0x80000000000005a0ull, buf, sizeof(buf)), "FROZEN");
	/* TD MMIO: RWX = 0, SVE = 0, gen low bits 3-10 = 0x12, gen high bit 52 set */
	tdxr_spte_str((1ull << 52) | (0x12ull << 3) | (0xfee00ull << 12), buf, sizeof(buf));
	assert_string_equal(buf, "MMIO (TD) gen=0x112 gfn=0xfee00 SVE=0");
	assert_int_equal(tdxr_spte_mmio_gen((1ull << 62) | (0xffull << 3)), (1u << 18) | 0xff);
}

static void test_leaf_names_and_level_state(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(tdxr_seamcall_name(29), "TDH_MEM_PAGE_REMOVE");
	assert_string_equal(tdxr_seamcall_name(65558), "TDH_VP_INIT"); /* version bits ignored */
	assert_null(tdxr_seamcall_name(44));
	assert_string_equal(tdxr_sept_level_state_str(0x100, buf, sizeof(buf)),
			    "level 0 (4K) state BLOCKED (1)");
	assert_string_equal(tdxr_level_name(1), "4K");
	assert_string_equal(tdxr_level_name(9), "L?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names_class_and_operand_id),
		cmocka_unit_test(test_status_of_unknown_class_keeps_the_raw_value),
		cmocka_unit_test(test_vp_enter_status_is_an_exit_reason),
		cmocka_unit_test(test_table_values_are_the_kernel_and_module_ones),
		cmocka_unit_test(test_leaf_names_in_both_spellings),
		cmocka_unit_test(test_present_leaf_spte_decoded_bit_by_bit),
		cmocka_unit_test(test_large_page_and_partial_permissions),
		cmocka_unit_test(test_non_present_frozen_and_mmio_values),
		cmocka_unit_test(test_leaf_names_and_level_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
