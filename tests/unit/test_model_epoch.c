// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_model_epoch.c - TLB epochs and in-guest vCPUs
 * (docs/tdx.md §7.4), TRACK, and the zero-step counter (§7.5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_model_ev.h"

#define EPOCH_BUSY TDX_PREVIOUS_TLB_EPOCH_BUSY
#define TLB_NOT_DONE_RCX (TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX)

static uint64_t td_epoch(struct tb *t)
{
	struct mdl_vm_info info;

	assert_int_equal(mdl_vm_info(t->m, 0, &info), 0);
	return info.td_epoch;
}

static void test_mng_init_sets_epoch_one_and_track_increments_it(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	assert_int_equal(td_epoch(&t), 1);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	assert_int_equal(td_epoch(&t), 3);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_track_busy_on_epoch_lock_keeps_epoch(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, (TDX_OPERAND_BUSY | TDX_OPERAND_ID_TD_EPOCH));
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	assert_int_equal(td_epoch(&t), 2);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_vcpu_in_guest_from_entry_to_vp_enter_return(void **state)
{
	struct tb t;
	struct mdl_gfn_view v;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_entry(&t, 2);
	assert_int_equal(mdl_query_gfn(t.m, t.vm, 0, &v), 0);
	assert_int_equal(v.nr_vcpus, 1);
	assert_true(v.vcpu_in_guest[0]);
	assert_int_equal(v.vcpu_epoch[0], 1);
	tb_vp_enter(&t, 2, EXIT_REASON_HLT, 0, 0, 0);
	assert_int_equal(mdl_query_gfn(t.m, t.vm, 0, &v), 0);
	assert_false(v.vcpu_in_guest[0]);
	tb_fini(&t);
}

static void test_track_with_previous_epoch_vcpu_inside_is_epoch_busy(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_entry(&t, 0);			  /* enters in epoch 1 */
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0); /* epoch 2, vCPU 0 not kicked */
	s = tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, EPOCH_BUSY);
	assert_int_equal(t.nf, 1);
	assert_int_equal(t.f[0].kind, MDL_FK_EPOCH_BUSY);
	assert_int_equal(t.f[0].seq, s);
	assert_true(t.f[0].nr_chain >= 2);
	tb_fini(&t);
}

static void test_track_success_with_previous_epoch_vcpu_inside_is_mismatch(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_entry(&t, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 1);
	tb_fini(&t);
}

static void test_remove_after_block_without_track_is_tlb_not_tracked(void **state)
{
	struct tb t;
	uint64_t pg, blk, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	blk = tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	s = tb_sc(&t, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0, TLB_NOT_DONE_RCX);
	assert_int_equal(t.nf, 1);
	assert_int_equal(t.f[0].kind, MDL_FK_TLB_NOT_TRACKED);
	assert_int_equal(t.f[0].seq, s);
	assert_int_equal(t.f[0].cause_seq, blk);
	tb_fini(&t);
}

static void test_remove_with_block_epoch_vcpu_inside_is_tlb_not_tracked(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_entry(&t, 1); /* vCPU 1 inside in epoch 1 */
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0); /* TRACK, but no kick */
	s = tb_sc(&t, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0, 0);
	assert_int_equal(t.nf, 1);
	assert_int_equal(t.f[0].kind, MDL_FK_TLB_NOT_TRACKED);
	assert_int_equal(t.f[0].seq, s);
	tb_fini(&t);
}

static void test_remove_after_track_and_kick_is_tracked(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_entry(&t, 1);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	tb_vp_enter(&t, 0, EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0, 0);
	tb_vp_enter(&t, 1, EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0, 0);
	tb_entry(&t, 1); /* re-enters in the new epoch */
	tb_sc_out(&t, TB_HOST_TID, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0, 0, pg, 0, 0);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_block_two_epochs_back_is_tracked_even_with_vcpu_inside(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0); /* bepoch 1 */
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);		      /* epoch 2 */
	tb_entry(&t, 0);					      /* inside, epoch 2 */
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);		      /* epoch 3 */
	/* bepoch 1 < td_epoch - 1: tracked whatever is inside. */
	tb_sc_out(&t, TB_HOST_TID, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0, 0, pg, 0, 0);
	assert_int_equal(tb_count(&t, MDL_FK_TLB_NOT_TRACKED), 0);
	assert_int_equal(tb_count(&t, MDL_FK_STATUS_MISMATCH), 0);
	tb_fini(&t);
}

static void test_six_private_exits_without_mapping_is_zero_step(void **state)
{
	struct tb t;
	uint64_t s = 0, first = 0;
	int i;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	for (i = 0; i < 6; i++) {
		uint64_t e = tb_entry(&t, 0);

		s = tb_vp_enter(&t, 0, EXIT_REASON_EPT_VIOLATION, 0x184, 0, 0x5000ull << 12);
		if (!i) {
			first = e;
		}
	}
	assert_int_equal(t.nf, 1);
	assert_int_equal(t.f[0].kind, MDL_FK_ZERO_STEP);
	assert_int_equal(t.f[0].severity, MDL_SEV_WARNING);
	assert_int_equal(t.f[0].seq, s);
	assert_int_equal(t.f[0].cause_seq, first + 1);
	tb_fini(&t);
}

static void test_private_exits_resolved_by_aug_are_not_zero_step(void **state)
{
	struct tb t;
	int i;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	for (i = 0; i < 10; i++) {
		tb_fault_private(&t, 0, 0x5000 + i, NULL);
	}
	/* Exits on a gfn another vCPU already mapped also resolve. */
	for (i = 0; i < 10; i++) {
		tb_entry(&t, 1);
		tb_vp_enter(&t, 1, EXIT_REASON_EPT_VIOLATION, 0x184, 0, (0x5000ull + i) << 12);
	}
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_shared_exits_do_not_count_for_zero_step(void **state)
{
	struct tb t;
	int i;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	for (i = 0; i < 10; i++) {
		tb_entry(&t, 0);
		tb_vp_enter(&t, 0, EXIT_REASON_EPT_VIOLATION, 0x182, 0,
			    (TB_SHARED_GFN | 0x9000) << 12);
	}
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mng_init_sets_epoch_one_and_track_increments_it),
		cmocka_unit_test(test_track_busy_on_epoch_lock_keeps_epoch),
		cmocka_unit_test(test_vcpu_in_guest_from_entry_to_vp_enter_return),
		cmocka_unit_test(test_track_with_previous_epoch_vcpu_inside_is_epoch_busy),
		cmocka_unit_test(test_track_success_with_previous_epoch_vcpu_inside_is_mismatch),
		cmocka_unit_test(test_remove_after_block_without_track_is_tlb_not_tracked),
		cmocka_unit_test(test_remove_with_block_epoch_vcpu_inside_is_tlb_not_tracked),
		cmocka_unit_test(test_remove_after_track_and_kick_is_tracked),
		cmocka_unit_test(test_block_two_epochs_back_is_tracked_even_with_vcpu_inside),
		cmocka_unit_test(test_six_private_exits_without_mapping_is_zero_step),
		cmocka_unit_test(test_private_exits_resolved_by_aug_are_not_zero_step),
		cmocka_unit_test(test_shared_exits_do_not_count_for_zero_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
