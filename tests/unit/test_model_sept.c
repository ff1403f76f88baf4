// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_model_sept.c - the S-EPT rules of docs/tdx.md §7.2-§7.3,
 * one test per rule, each a short hand-written event sequence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_model_ev.h"

#define STATE_INCORRECT_RCX (TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX)
#define WALK_FAILED_RCX (TDX_EPT_WALK_FAILED | TDX_OPERAND_ID_RCX)
#define ALREADY_BLOCKED_RCX (TDX_GPA_RANGE_ALREADY_BLOCKED | TDX_OPERAND_ID_RCX)
#define OP_STATE_INCORRECT TDX_OP_STATE_INCORRECT
#define BUSY_SEPT (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE)
#define BUSY_RCX (TDX_OPERAND_BUSY | TDX_OPERAND_ID_RCX)

static int sept_state(struct tb *t, uint64_t gfn)
{
	struct mdl_gfn_view v;

	assert_int_equal(mdl_query_gfn(t->m, t->vm, gfn, &v), 0);
	return v.sept_state;
}

static void test_clean_td_lifecycle_has_no_findings(void **state)
{
	struct tb t;
	uint64_t pg[3];
	int i;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	for (i = 0; i < 3; i++) {
		pg[i] = tb_fault_private(&t, i % 2, 0x1000 + i, NULL);
	}
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	for (i = 0; i < 3; i++) {
		tb_zap_private(&t, 0x1000 + i, pg[i]);
	}
	assert_int_equal(t.nf, 0);
	assert_int_equal(mdl_check(t.m), 0);
	tb_fini(&t);
}

static void test_aug_on_free_entry_makes_it_pending(void **state)
{
	struct tb t;
	struct mdl_gfn_view v;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	assert_int_equal(mdl_query_gfn(t.m, t.vm, 0x2000, &v), 0);
	assert_int_equal(v.sept_state, MDL_SEPT_PENDING);
	assert_true(v.maybe_accepted);
	assert_int_equal(v.pamt_type, MDL_PAMT_REG);
	assert_int_equal(v.pamt_owner, t.vm);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_aug_on_pending_entry_is_state_incorrect_and_kvm_bug(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	s = tb_sc(&t, TDH_MEM_PAGE_AUG, 0x2000ull << 12, t.tdr, tb_page(&t), STATE_INCORRECT_RCX);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 0);
	assert_int_equal(tb_count(&t, MDL_FK_KVM_BUG), 1);
	assert_int_equal(tb_find(&t, MDL_FK_KVM_BUG)->seq, s);
	tb_fini(&t);
}

static void test_aug_success_on_pending_entry_is_status_mismatch(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	s = tb_sc(&t, TDH_MEM_PAGE_AUG, 0x2000ull << 12, t.tdr, tb_page(&t), 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	assert_int_equal(tb_find(&t, MDL_FK_STATUS_MISMATCH)->seq, s);
	tb_fini(&t);
}

static void test_aug_under_removed_page_table_is_ept_walk_failed(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x3000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_zap_private(&t, 0x3000, pg);
	/* SEPT.REMOVE of the level-2 table (BLOCK, TRACK, SEPT.REMOVE). */
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, (0x3000ull << 12) | 1, t.tdr, 0, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MEM_SEPT_REMOVE, (0x3000ull << 12) | 1, t.tdr, 0, 0);
	assert_int_equal(t.nf, 0);
	s = tb_sc(&t, TDH_MEM_PAGE_AUG, 0x3001ull << 12, t.tdr, tb_page(&t), 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	assert_int_equal(tb_find(&t, MDL_FK_STATUS_MISMATCH)->seq, s);
	tb_fini(&t);
}

static void test_aug_recorded_walk_failed_matches_missing_parent(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x3000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, (0x3000ull << 12) | 1, t.tdr, 0, ALREADY_BLOCKED_RCX);
	tb_fini(&t);
	/* A parent known FREE predicts EPT_WALK_FAILED|RCX. */
	tb_init(&t);
	tb_boot(&t, true);
	tb_link(&t, TB_HOST_TID, 0x5000);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, (0x5000ull << 12) | 1, t.tdr, 0, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MEM_SEPT_REMOVE, (0x5000ull << 12) | 1, t.tdr, 0, 0);
	assert_int_equal(t.nf, 0);
	tb_sc(&t, TDH_MEM_PAGE_AUG, 0x5000ull << 12, t.tdr, tb_page(&t), WALK_FAILED_RCX);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 0);
	assert_int_equal(tb_count(&t, MDL_FK_KVM_BUG), 1);
	tb_fini(&t);
}

static void test_block_of_blocked_entry_is_already_blocked(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	assert_int_equal(sept_state(&t, 0x2000), MDL_SEPT_PENDING_BLOCKED);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, ALREADY_BLOCKED_RCX);
	assert_int_equal(t.nf, 0);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	tb_fini(&t);
}

static void test_block_of_free_entry_is_state_incorrect(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_zap_private(&t, 0x2000, pg);
	assert_int_equal(sept_state(&t, 0x2000), MDL_SEPT_FREE);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	tb_fini(&t);
}

static void test_status_with_wrong_operand_id_is_status_mismatch(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_zap_private(&t, 0x2000, pg);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0,
	      (TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RDX));
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	tb_fini(&t);
}

static void test_sept_add_on_linked_entry_is_state_incorrect(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_link(&t, TB_HOST_TID, 0x8000);
	tb_sc(&t, TDH_MEM_SEPT_ADD, (0x8000ull << 12) | 1, t.tdr, tb_page(&t), 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	tb_fini(&t);
}

static void test_sept_add_with_page_in_use_is_page_metadata_incorrect(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	/* The guest page is REG: it cannot become an S-EPT page. */
	tb_sc(&t, TDH_MEM_SEPT_ADD, (0x40000ull << 12) | 1, t.tdr, pg, 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	tb_fini(&t);
}

static void test_page_add_after_finalize_is_op_state_incorrect(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_link(&t, TB_HOST_TID, 0x100);
	tb_sc(&t, TDH_MEM_PAGE_ADD, 0x100ull << 12, t.tdr, tb_page(&t), OP_STATE_INCORRECT);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 0);
	tb_sc(&t, TDH_MEM_PAGE_ADD, 0x101ull << 12, t.tdr, tb_page(&t), 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	tb_fini(&t);
}

static void test_page_add_before_finalize_makes_it_mapped(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, false);
	tb_link(&t, TB_HOST_TID, 0x100);
	pg = tb_page(&t);
	tb_sc(&t, TDH_MEM_PAGE_ADD, 0x100ull << 12, t.tdr, pg, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x100, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
	assert_int_equal(sept_state(&t, 0x100), MDL_SEPT_MAPPED);
	assert_string_equal(mdl_profile_name(t.m), "6.19");
	tb_sc(&t, TDH_MR_FINALIZE, t.tdr, 0, 0, 0);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_remove_without_block_in_runnable_td_is_remove_not_blocked(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	s = tb_sc(&t, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0,
		  (TDX_GPA_RANGE_NOT_BLOCKED | TDX_OPERAND_ID_RCX));
	assert_int_equal(t.nf, 1);
	assert_int_equal(t.f[0].kind, MDL_FK_REMOVE_NOT_BLOCKED);
	assert_int_equal(t.f[0].seq, s);
	tb_fini(&t);
}

static void test_remove_without_block_before_finalize_is_allowed(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, false);
	tb_link(&t, TB_HOST_TID, 0x100);
	pg = tb_page(&t);
	tb_sc(&t, TDH_MEM_PAGE_ADD, 0x100ull << 12, t.tdr, pg, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x100, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
	tb_spte(&t, TB_HOST_TID, 1, 0x100, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc_out(&t, TB_HOST_TID, TDH_MEM_PAGE_REMOVE, 0x100ull << 12, t.tdr, 0, 0, pg, 0, 0);
	tb_sc(&t, TDH_PHYMEM_PAGE_WBINVD, pg, 0, 0, 0);
	assert_int_equal(t.nf, 0);
	assert_int_equal(sept_state(&t, 0x100), MDL_SEPT_FREE);
	tb_fini(&t);
}

static void test_unknown_entries_are_established_silently(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	/* Mid-life: no boot; the first calls establish the state. */
	tb_entry(&t, 0);
	tb_vp_enter(&t, 0, EXIT_REASON_HLT, 0, 0, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x7000, 1, TB_LEAF_SPTE | 0x99000, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x7000ull << 12, t.tdr, 0, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	tb_sc_out(&t, TB_HOST_TID, TDH_MEM_PAGE_REMOVE, 0x7000ull << 12, t.tdr, 0, 0, 0x99000, 0,
		  0);
	assert_int_equal(t.nf, 0);
	assert_int_equal(sept_state(&t, 0x7000), MDL_SEPT_FREE);
	tb_fini(&t);
}

static void test_busy_is_never_a_status_mismatch(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	/* AUG of the same (PENDING) entry losing the tree lock: contention. */
	tb_sc(&t, TDH_MEM_PAGE_AUG, 0x2000ull << 12, t.tdr, tb_page(&t), BUSY_SEPT);
	tb_sc(&t, TDH_MEM_SEPT_ADD, (0x2000ull << 12) | 1, t.tdr, tb_page(&t), BUSY_RCX);
	tb_vp_enter(&t, 1, (TDX_OPERAND_BUSY | TDX_OPERAND_ID_TD_EPOCH), 0, 0, 0);
	assert_int_equal(t.nf, 0);
	assert_int_equal(sept_state(&t, 0x2000), MDL_SEPT_PENDING);
	tb_fini(&t);
}

static void test_vp_enter_implies_runnable_mid_life(void **state)
{
	struct tb t;
	struct mdl_vm_info info;

	(void)state;
	tb_init(&t);
	tb_entry(&t, 3);
	tb_vp_enter(&t, 3, EXIT_REASON_TDCALL, 0, 0, 0);
	assert_int_equal(mdl_vm_info(t.m, 0, &info), 0);
	assert_int_equal(info.op_state, MDL_OP_RUNNABLE);
	assert_true(info.is_tdx);
	assert_int_equal(info.vm, t.vm);
	tb_fini(&t);
}

static void test_finalize_and_vp_enter_out_of_order_is_order(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, false);
	tb_entry(&t, 0);
	tb_vp_enter(&t, 0, EXIT_REASON_HLT, 0, 0, 0);
	assert_int_equal(tb_count(&t, MDL_FK_ORDER), 1);
	tb_fini(&t);
}

static void test_sept_remove_with_live_children_is_ept_page_not_free(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x3000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, (0x3000ull << 12) | 1, t.tdr, 0, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MEM_SEPT_REMOVE, (0x3000ull << 12) | 1, t.tdr, 0,
	      (TDX_EPT_PAGE_NOT_FREE | TDX_OPERAND_ID_RCX));
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 0);
	tb_sc(&t, TDH_MEM_SEPT_REMOVE, (0x3000ull << 12) | 1, t.tdr, 0, 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	tb_fini(&t);
}

static void test_aug_before_mng_init_is_op_state_incorrect(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_sc(&t, TDH_MNG_CREATE, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MEM_PAGE_AUG, 0x10ull << 12, t.tdr, tb_page(&t), 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	tb_fini(&t);
}

static void test_reclaim_before_key_freeid_is_lifecycle_state_incorrect(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_link(&t, TB_HOST_TID, 0x100);
	tb_sc(&t, TDH_PHYMEM_PAGE_RECLAIM, 0x201000, 0, 0, 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	tb_fini(&t);
}

static void test_gpaw_52_is_learned_from_a_level_5_sept_add(void **state)
{
	struct tb t;
	struct mdl_gfn_view v;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_sc(&t, TDH_MEM_SEPT_ADD, 4, t.tdr, tb_page(&t), 0); /* tdx level 4: 5-level EPT */
	/* bit 47 is an ordinary gfn bit now, bit 51 the shared bit */
	tb_entry(&t, 0);
	tb_vp_enter(&t, 0, EXIT_REASON_EPT_VIOLATION, 0x184, 0, 1ull << 47);
	assert_int_equal(mdl_query_gfn(t.m, t.vm, 1ull << 35, &v), 0);
	assert_int_equal(v.gfn, 1ull << 35);
	tb_fini(&t);
}

static void test_gpaw_52_is_learned_from_a_shared_bit_51_gpa(void **state)
{
	struct tb t;
	struct mdl_gfn_view v;
	int i;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_entry(&t, 0);
	tb_vp_enter(&t, 0, EXIT_REASON_EPT_VIOLATION, 0x182, 0, (1ull << 51) | 0xfeb00000);
	/* bit 47 is then part of a private gfn: 6 such exits are zero-step */
	for (i = 0; i < 6; i++) {
		tb_entry(&t, 0);
		tb_vp_enter(&t, 0, EXIT_REASON_EPT_VIOLATION, 0x184, 0, 1ull << 47);
	}
	assert_int_equal(tb_count(&t, MDL_FK_ZERO_STEP), 1);
	assert_int_equal(t.f[0].gfn, 1ull << 35);
	assert_int_equal(mdl_query_gfn(t.m, t.vm, 1ull << 35, &v), 0);
	tb_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_td_lifecycle_has_no_findings),
		cmocka_unit_test(test_aug_on_free_entry_makes_it_pending),
		cmocka_unit_test(test_aug_on_pending_entry_is_state_incorrect_and_kvm_bug),
		cmocka_unit_test(test_aug_success_on_pending_entry_is_status_mismatch),
		cmocka_unit_test(test_aug_under_removed_page_table_is_ept_walk_failed),
		cmocka_unit_test(test_aug_recorded_walk_failed_matches_missing_parent),
		cmocka_unit_test(test_block_of_blocked_entry_is_already_blocked),
		cmocka_unit_test(test_block_of_free_entry_is_state_incorrect),
		cmocka_unit_test(test_status_with_wrong_operand_id_is_status_mismatch),
		cmocka_unit_test(test_sept_add_on_linked_entry_is_state_incorrect),
		cmocka_unit_test(test_sept_add_with_page_in_use_is_page_metadata_incorrect),
		cmocka_unit_test(test_page_add_after_finalize_is_op_state_incorrect),
		cmocka_unit_test(test_page_add_before_finalize_makes_it_mapped),
		cmocka_unit_test(test_remove_without_block_in_runnable_td_is_remove_not_blocked),
		cmocka_unit_test(test_remove_without_block_before_finalize_is_allowed),
		cmocka_unit_test(test_unknown_entries_are_established_silently),
		cmocka_unit_test(test_busy_is_never_a_status_mismatch),
		cmocka_unit_test(test_vp_enter_implies_runnable_mid_life),
		cmocka_unit_test(test_finalize_and_vp_enter_out_of_order_is_order),
		cmocka_unit_test(test_sept_remove_with_live_children_is_ept_page_not_free),
		cmocka_unit_test(test_aug_before_mng_init_is_op_state_incorrect),
		cmocka_unit_test(test_reclaim_before_key_freeid_is_lifecycle_state_incorrect),
		cmocka_unit_test(test_gpaw_52_is_learned_from_a_level_5_sept_add),
		cmocka_unit_test(test_gpaw_52_is_learned_from_a_shared_bit_51_gpa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
