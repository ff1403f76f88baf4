// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_model_findings.c - one test (at least) per finding kind
 * of docs/design.md §4, plus "each problem once" and the unknown/lost rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_model_ev.h"

#define BUSY_SEPT (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE)

static void expect_one(const struct tb *t, unsigned int kind, uint64_t seq)
{
	if (t->nf != 1 || t->f[0].kind != kind || t->f[0].seq != seq) {
		tb_dump(t);
	}
	assert_int_equal(t->nf, 1);
	assert_int_equal(t->f[0].kind, kind);
	assert_int_equal(t->f[0].seq, seq);
}

static void test_kind_names_follow_design(void **state)
{
	(void)state;
	assert_string_equal(mdl_finding_kind_name(MDL_FK_STATUS_MISMATCH), "status-mismatch");
	assert_string_equal(mdl_finding_kind_name(MDL_FK_ORDER), "order");
	assert_int_equal(mdl_finding_kind_lookup("tlb-not-tracked"), MDL_FK_TLB_NOT_TRACKED);
	assert_int_equal(mdl_finding_kind_severity(MDL_FK_ZERO_STEP), MDL_SEV_WARNING);
	assert_int_equal(mdl_finding_kind_severity(MDL_FK_KVM_BUG), MDL_SEV_ERROR);
	assert_string_equal(mdl_severity_name(MDL_SEV_ERROR), "error");
	assert_int_equal(MDL_FK__COUNT, 15);
}

static void test_mirror_old_spte_differing_from_model_is_spte_mismatch(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	s = tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | (pg + 0x1000), TB_NONPRESENT);
	assert_int_equal(tb_count(&t, MDL_FK_SPTE_MISMATCH), 1);
	assert_int_equal(tb_find(&t, MDL_FK_SPTE_MISMATCH)->seq, s);
	tb_fini(&t);
}

static void test_direct_spte_ignores_hardware_ad_bits(void **state)
{
	struct tb t;
	uint64_t v = TB_LEAF_SPTE | 0x77000;

	(void)state;
	tb_init(&t);
	tb_spte(&t, TB_HOST_TID, 0, 0x300, 1, TB_NONPRESENT, v & ~0x300ull);
	tb_spte(&t, TB_HOST_TID, 0, 0x300, 1, v, TB_NONPRESENT);
	assert_int_equal(t.nf, 0);
	tb_spte(&t, TB_HOST_TID, 0, 0x300, 1, TB_NONPRESENT, v);
	tb_spte(&t, TB_HOST_TID, 0, 0x300, 1, v + 0x5000, TB_NONPRESENT);
	assert_int_equal(tb_count(&t, MDL_FK_SPTE_MISMATCH), 1);
	tb_fini(&t);
}

static void test_non_tdx_vm_clean_trace_has_no_findings(void **state)
{
	struct tb t;
	uint64_t i;

	(void)state;
	tb_init(&t);
	t.patched = false;
	for (i = 0; i < 64; i++) {
		uint64_t v = 0x0600000000000b77ull | ((0x1000 + i) << 12);

		tb_entry(&t, (int)(i % 4));
		tb_exit(&t, (int)(i % 4), EXIT_REASON_EPT_VIOLATION, 0x181, 0);
		tb_page_fault(&t, (int)(i % 4), i << 12);
		tb_spte_as(&t, TB_VCPU_TID(i % 4), 0, (int)(i & 1), i, 1, TB_NONPRESENT, v);
	}
	/* A fast zap: a new root maps gfn 0..7 while the old root zaps. */
	for (i = 0; i < 8; i++) {
		uint64_t v = 0x0600000000000b77ull | ((0x1000 + i) << 12);

		tb_spte_as(&t, 2000, 0, (int)(i & 1), i, 1, TB_NONPRESENT, v);
		tb_spte_as(&t, 2001, 0, (int)(i & 1), i, 1, v, TB_NONPRESENT);
	}
	tb_mark_mmio(&t, 0, 0xfee00);
	assert_int_equal(t.nf, 0);
	assert_int_equal(mdl_check(t.m), 0);
	tb_fini(&t);
}

static void test_mirror_leaf_without_aug_is_mirror_desync(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	/* vCPU 1 has run (its CPU traced SEAMCALLs), then installs a leaf
	 * with no AUG before it */
	tb_fault_private(&t, 1, 0x3000, NULL);
	s = tb_spte(&t, TB_VCPU_TID(1), 1, 0x2001, 1, TB_NONPRESENT, TB_LEAF_SPTE | 0x123000);
	expect_one(&t, MDL_FK_MIRROR_DESYNC, s);
	tb_fini(&t);
}

/* ftrace starts (or loses events) between an AUG and its mirror install:
 * the CPU has traced no SEAMCALL yet, so the AUG may be before the trace. */
static void test_install_before_any_seamcall_on_its_cpu_is_not_judged(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	tb_spte(&t, TB_VCPU_TID(1), 1, 0x2001, 1, TB_NONPRESENT, TB_LEAF_SPTE | 0x123000);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_removal_hook_leaving_sept_mapped_is_mirror_desync(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	/* The mirror leaf goes, the hook issues no S-EPT removal at all. */
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	s = tb_sept_hook(&t, TB_HOST_TID, "remove_spte", 0x2000, 1, 0);
	expect_one(&t, MDL_FK_MIRROR_DESYNC, s);
	tb_fini(&t);
}

static void test_premap_without_page_add_is_fine_until_add_fails_6_16(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init_cfg(&t, 0, 1);
	tb_boot(&t, false);
	tb_link(&t, TB_HOST_TID, 0x100);
	pg = tb_page(&t);
	tb_spte(&t, TB_HOST_TID, 1, 0x100, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
	assert_string_equal(mdl_profile_name(t.m), "6.16");
	assert_int_equal(t.nf, 0);
	/* PAGE_METADATA_INCORRECT|R8: the target page is not free */
	s = tb_sc(&t, TDH_MEM_PAGE_ADD, 0x100ull << 12, t.tdr, pg,
		  (TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_R8));
	expect_one(&t, MDL_FK_MIRROR_DESYNC, s);
	tb_fini(&t);
}

static void test_premap_page_add_busy_then_retry_is_clean_6_16(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init_cfg(&t, 616, 1);
	tb_boot(&t, false);
	tb_link(&t, TB_HOST_TID, 0x100);
	pg = tb_page(&t);
	tb_spte(&t, TB_HOST_TID, 1, 0x100, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
	/* -EBUSY to userspace, the leaf stays premapped; the retry adds it */
	tb_sc(&t, TDH_MEM_PAGE_ADD, 0x100ull << 12, t.tdr, pg, BUSY_SEPT);
	tb_sc(&t, TDH_MEM_PAGE_ADD, 0x100ull << 12, t.tdr, pg, 0);
	tb_sc(&t, TDH_MR_EXTEND, 0x100ull << 12, t.tdr, 0, 0);
	tb_sc(&t, TDH_MR_FINALIZE, t.tdr, 0, 0, 0);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_premap_add_busy_then_finalize_is_mirror_desync_6_16(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init_cfg(&t, 616, 1);
	tb_boot(&t, false);
	tb_link(&t, TB_HOST_TID, 0x100);
	pg = tb_page(&t);
	tb_spte(&t, TB_HOST_TID, 1, 0x100, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
	tb_sc(&t, TDH_MEM_PAGE_ADD, 0x100ull << 12, t.tdr, pg, BUSY_SEPT);
	s = tb_sc(&t, TDH_MR_FINALIZE, t.tdr, 0, 0, 0);
	expect_one(&t, MDL_FK_MIRROR_DESYNC, s);
	tb_fini(&t);
}

static void test_premap_under_forced_6_19_profile_is_mirror_desync(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init_cfg(&t, 619, 1);
	tb_boot(&t, false);
	tb_link(&t, TB_HOST_TID, 0x100);
	pg = tb_page(&t);
	s = tb_spte(&t, TB_HOST_TID, 1, 0x100, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
	expect_one(&t, MDL_FK_MIRROR_DESYNC, s);
	tb_fini(&t);
}

static void test_premapped_zap_block_state_incorrect_is_accepted_6_16(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init_cfg(&t, 616, 1);
	tb_boot(&t, false);
	tb_link(&t, TB_HOST_TID, 0x100);
	pg = tb_page(&t);
	tb_spte(&t, TB_HOST_TID, 1, 0x100, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
	tb_spte(&t, TB_HOST_TID, 1, 0x100, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x100ull << 12, t.tdr, 0,
	      (TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX));
	tb_sc(&t, TDH_MR_FINALIZE, t.tdr, 0, 0, 0);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_present_leaves_in_both_trees_is_private_shared_alias(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	s = tb_spte(&t, TB_VCPU_TID(1), 0, 0x2000, 1, TB_NONPRESENT, TB_LEAF_SPTE | 0x777000);
	expect_one(&t, MDL_FK_PRIVATE_SHARED_ALIAS, s);
	tb_fini(&t);
}

static void test_direct_huge_leaf_over_mirror_leaf_is_alias(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2005, NULL);
	s = tb_spte(&t, TB_VCPU_TID(1), 0, 0x2000, 2, TB_NONPRESENT,
		    TB_LEAF_SPTE | 0x80 | 0x40000000);
	expect_one(&t, MDL_FK_PRIVATE_SHARED_ALIAS, s);
	tb_fini(&t);
}

static void test_td_mmio_flow_is_clean(void **state)
{
	struct tb t;
	uint64_t gfn = 0xfeb00;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_entry(&t, 0);
	tb_vp_enter(&t, 0, EXIT_REASON_EPT_VIOLATION, 0x181, 0, (gfn | TB_SHARED_GFN) << 12);
	tb_exit(&t, 0, EXIT_REASON_EPT_VIOLATION, 0x181, 0);
	tb_page_fault(&t, 0, (gfn | TB_SHARED_GFN) << 12);
	tb_spte(&t, TB_VCPU_TID(0), 0, gfn, 1, TB_NONPRESENT, gfn << 12 | 0x18);
	tb_mark_mmio(&t, 0, gfn);
	tb_entry(&t, 0);
	tb_vp_enter(&t, 0, EXIT_REASON_TDCALL, 0, 0, 0);
	tb_exit(&t, 0, EXIT_REASON_EPT_MISCONFIG, 0, 0); /* EPT_MISCONFIG printed for the TDCALL */
	tb_tdvmcall(&t, 0, 0, 48, 4, 0, (gfn | TB_SHARED_GFN) << 12);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_td_mmio_spte_with_sve_is_mmio_suppress_ve(void **state)
{
	struct tb t;
	uint64_t gfn = 0xfeb00, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_spte(&t, TB_VCPU_TID(0), 0, gfn, 1, TB_NONPRESENT, (1ull << 63) | gfn << 12 | 0x18);
	s = tb_mark_mmio(&t, 0, gfn);
	expect_one(&t, MDL_FK_MMIO_SUPPRESS_VE, s);
	tb_fini(&t);
}

static void test_vp_enter_ept_misconfig_is_mmio_suppress_ve(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_entry(&t, 0);
	s = tb_vp_enter(&t, 0, EXIT_REASON_EPT_MISCONFIG, 0, 0, (0xfeb00 | TB_SHARED_GFN) << 12);
	expect_one(&t, MDL_FK_MMIO_SUPPRESS_VE, s);
	tb_fini(&t);
}

static void test_ve_request_mmio_for_private_gpa_is_mmio_suppress_ve(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	s = tb_tdvmcall(&t, 0, 0, 48, 4, 0, 0xfeb00ull << 12);
	expect_one(&t, MDL_FK_MMIO_SUPPRESS_VE, s);
	tb_fini(&t);
}

/* Firmware (TDVF) issues the TDVMCALL directly: no #VE, no MMIO SPTE. */
static void test_ve_request_mmio_on_shared_gpa_without_mmio_spte_is_clean(void **state)
{
	struct tb t;
	uint64_t gfn = 0xfeb00, v = TB_LEAF_SPTE | 0x4000;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_spte(&t, TB_VCPU_TID(0), 0, gfn, 1, TB_NONPRESENT, v);
	tb_spte(&t, TB_HOST_TID, 0, gfn, 1, v, TB_NONPRESENT);
	tb_tdvmcall(&t, 0, 0, 48, 4, 0, (gfn | TB_SHARED_GFN) << 12);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_pending_ept_violation_exit_is_pending_access(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	tb_entry(&t, 0);
	s = tb_vp_enter(&t, 0, EXIT_REASON_EPT_VIOLATION, 0x81, 6, 0x2000ull << 12);
	tb_exit(&t, 0, EXIT_REASON_EPT_VIOLATION, 0x81, 6);
	expect_one(&t, MDL_FK_PENDING_ACCESS, s);
	assert_int_equal(t.f[0].gfn, 0x2000);
	tb_fini(&t);
}

static void test_busy_block_retried_once_without_entry_is_clean(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, BUSY_SEPT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, (TDX_OPERAND_BUSY | TDX_OPERAND_ID_TD_EPOCH));
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0, BUSY_SEPT);
	tb_sc_out(&t, TB_HOST_TID, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0, 0, pg, 0, 0);
	tb_sc(&t, TDH_PHYMEM_PAGE_WBINVD, pg, 0, 0, 0);
	tb_sept_hook(&t, TB_HOST_TID, "remove_spte", 0x2000, 1, 0);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_busy_block_with_vcpu_entry_before_retry_is_busy_retry(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, BUSY_SEPT);
	tb_entry(&t, 1);
	s = tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	expect_one(&t, MDL_FK_BUSY_RETRY, s);
	assert_int_equal(t.f[0].severity, MDL_SEV_WARNING);
	tb_fini(&t);
}

static void test_busy_retry_that_is_busy_again_is_busy_retry_error(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, BUSY_SEPT);
	s = tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, BUSY_SEPT);
	tb_vm_bugged(&t);
	assert_int_equal(t.nf, 2);
	assert_int_equal(t.f[0].kind, MDL_FK_BUSY_RETRY);
	assert_int_equal(t.f[0].severity, MDL_SEV_ERROR);
	assert_int_equal(t.f[0].seq, s);
	assert_int_equal(t.f[1].kind, MDL_FK_KVM_BUG);
	assert_int_equal(t.f[1].cause_seq, s);
	tb_fini(&t);
}

static void test_busy_block_not_retried_is_busy_retry(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, BUSY_SEPT);
	s = tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	assert_int_equal(tb_count(&t, MDL_FK_BUSY_RETRY), 1);
	assert_int_equal(tb_find(&t, MDL_FK_BUSY_RETRY)->seq, s);
	tb_fini(&t);
}

static void test_reclaim_of_removed_page_is_reclaim(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_zap_private(&t, 0x2000, pg);
	s = tb_sc(&t, TDH_PHYMEM_PAGE_RECLAIM, pg, 0, 0,
		  (TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX));
	expect_one(&t, MDL_FK_RECLAIM, s);
	tb_fini(&t);
}

static void test_teardown_leaving_guest_pages_is_reclaim(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_sc(&t, TDH_MNG_VPFLUSHDONE, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MNG_KEY_FREEID, t.tdr, 0, 0, 0);
	s = tb_sc(&t, TDH_PHYMEM_PAGE_RECLAIM, t.tdr, 0, 0, 0);
	assert_int_equal(tb_count(&t, MDL_FK_RECLAIM), 1);
	assert_int_equal(tb_find(&t, MDL_FK_RECLAIM)->seq, s);
	tb_fini(&t);
}

static void test_clean_teardown_reclaims_everything(void **state)
{
	struct tb t;
	uint64_t pg;
	unsigned int i;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_zap_private(&t, 0x2000, pg);
	tb_sc(&t, TDH_VP_FLUSH, 0x30000000, 0, 0, TDX_VCPU_NOT_ASSOCIATED);
	tb_sc(&t, TDH_MNG_VPFLUSHDONE, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MNG_KEY_FREEID, t.tdr, 0, 0, 0);
	/* The S-EPT pages the builder linked: 0x201000.. */
	for (i = 0; i < 3; i++) {
		tb_spte(&t, TB_HOST_TID, 1, 0x2000 & ~((1ull << (9 * (3 - i))) - 1), 4 - (int)i,
			TB_NONLEAF_SPTE | (0x201000 + i * 0x1000), TB_NONPRESENT);
	}
	for (i = 0; i < 3; i++) {
		tb_sc(&t, TDH_PHYMEM_PAGE_RECLAIM, 0x201000 + i * 0x1000, 0, 0, 0);
	}
	tb_sc(&t, TDH_PHYMEM_PAGE_RECLAIM, t.tdr, 0, 0, 0);
	if (t.nf) {
		tb_dump(&t);
	}
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
}

static void test_mirror_page_table_zap_with_hkid_is_kvm_bug(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_link(&t, TB_HOST_TID, 0x2000);
	s = tb_spte(&t, TB_HOST_TID, 1, 0x2000 & ~511ull, 2, TB_NONLEAF_SPTE | 0x203000,
		    FROZEN_SPTE);
	expect_one(&t, MDL_FK_KVM_BUG, s);
	tb_fini(&t);
}

static void test_vm_bugged_is_always_reported_with_earliest_cause(void **state)
{
	struct tb t;
	uint64_t pg, first, s;

	(void)state;
	tb_init(&t);
	s = tb_vm_bugged(&t);
	expect_one(&t, MDL_FK_KVM_BUG, s);
	assert_int_equal(t.f[0].cause_seq, s);
	tb_fini(&t);

	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	first = tb_sc(&t, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0,
		      (TDX_GPA_RANGE_NOT_BLOCKED | TDX_OPERAND_ID_RCX));
	tb_sc(&t, TDH_PHYMEM_PAGE_WBINVD, pg, 0, 0, 0);
	tb_vm_bugged(&t);
	assert_int_equal(t.nf, 2);
	assert_int_equal(t.f[1].kind, MDL_FK_KVM_BUG);
	assert_int_equal(t.f[1].cause_seq, first);
	tb_fini(&t);
}

static void test_a_vm_is_bugged_once_later_bugs_join_the_first(void **state)
{
	struct tb t;
	uint64_t pg, first, bug;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	first = tb_sc(&t, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0,
		      (TDX_GPA_RANGE_NOT_BLOCKED | TDX_OPERAND_ID_RCX));
	/* tdx.c bugs the VM, the hook returns -EIO, tdp_mmu.c bugs it again. */
	bug = tb_vm_bugged(&t);
	tb_sept_hook(&t, TB_HOST_TID, "remove_spte", 0x2000, 1, -5);
	tb_vm_bugged(&t);
	assert_int_equal(tb_count(&t, MDL_FK_KVM_BUG), 1);
	assert_int_equal(tb_find(&t, MDL_FK_KVM_BUG)->seq, bug);
	assert_int_equal(tb_find(&t, MDL_FK_KVM_BUG)->cause_seq, first);
	tb_fini(&t);
}

static void test_one_problem_is_reported_once(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	/* REMOVE without BLOCK fails; the hook's desync and the kernel's
	 * KVM_BUG_ON follow from it and join its chain. */
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0,
	      (TDX_GPA_RANGE_NOT_BLOCKED | TDX_OPERAND_ID_RCX));
	tb_sept_hook(&t, TB_HOST_TID, "remove_spte", 0x2000, 1, -5);
	tb_sc(&t, TDH_MEM_PAGE_AUG, 0x2000ull << 12, t.tdr, tb_page(&t),
	      (TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX));
	assert_int_equal(t.nf, 1);
	assert_int_equal(t.f[0].kind, MDL_FK_REMOVE_NOT_BLOCKED);
	tb_fini(&t);
}

static void test_lost_events_warn_once_and_relearn(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	/* The zap's BLOCK/TRACK/REMOVE were lost. */
	t.lost_next = 17;
	pg = tb_fault_private(&t, 1, 0x2000, NULL);
	tb_exit(&t, 1, EXIT_REASON_HLT, 0, 0);
	tb_zap_private(&t, 0x2000, pg);
	assert_int_equal(t.nf, 1);
	assert_int_equal(t.f[0].kind, MDL_FK_LOST_EVENTS);
	assert_int_equal(t.f[0].severity, MDL_SEV_WARNING);
	tb_fini(&t);
}

static void test_timestamp_going_back_on_a_cpu_is_order(void **state)
{
	struct tb t;
	uint64_t s;

	(void)state;
	tb_init(&t);
	tb_entry(&t, 0);
	t.ts -= 1000000;
	s = tb_entry(&t, 4); /* same cpu: tid % 4 */
	tb_entry(&t, 0);
	t.ts -= 1000000;
	tb_entry(&t, 4);
	expect_one(&t, MDL_FK_ORDER, s);
	tb_fini(&t);
}

static void test_unpatched_trace_infers_the_mirror_tree(void **state)
{
	struct tb t;
	uint64_t pg;
	struct mdl_gfn_view v;
	struct mdl_coverage cov;

	(void)state;
	tb_init(&t);
	t.patched = false;
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	assert_int_equal(mdl_query_gfn(t.m, t.vm, 0x2000, &v), 0);
	assert_true(v.known[1][1]);
	assert_int_equal(v.spte[1][1], TB_LEAF_SPTE | pg);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_zap_private(&t, 0x2000, pg);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	assert_int_equal(mdl_query_gfn(t.m, t.vm, 0x2000, &v), 0);
	assert_int_equal(v.spte[1][1], TB_NONPRESENT);
	assert_int_equal(t.nf, 0);
	mdl_coverage(t.m, &cov);
	assert_true(cov.mirror_tree_inferred);
	assert_false(cov.mirror_tree_patched);
	tb_fini(&t);
}

static void test_busy_retry_with_vcpu_not_kicked_is_busy_retry(void **state)
{
	struct tb t;
	uint64_t pg, s;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_entry(&t, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, BUSY_SEPT);
	s = tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	expect_one(&t, MDL_FK_BUSY_RETRY, s);
	tb_fini(&t);
}

static void test_unkicked_vcpu_is_reported_once(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_entry(&t, 0);
	tb_spte(&t, TB_HOST_TID, 1, 0x2000, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MEM_PAGE_REMOVE, 0x2000ull << 12, t.tdr, 0,
	      (TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX));
	tb_sc(&t, TDH_MEM_TRACK, t.tdr, 0, 0, TDX_PREVIOUS_TLB_EPOCH_BUSY);
	assert_int_equal(t.nf, 1);
	assert_int_equal(t.f[0].kind, MDL_FK_TLB_NOT_TRACKED);
	tb_fini(&t);
}

static void test_frozen_children_of_a_removed_table_are_gone(void **state)
{
	struct tb t;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_exit(&t, 0, EXIT_REASON_HLT, 0, 0);
	tb_zap_private(&t, 0x2000, pg);
	tb_sc(&t, TDH_MNG_VPFLUSHDONE, t.tdr, 0, 0, 0);
	tb_sc(&t, TDH_MNG_KEY_FREEID, t.tdr, 0, 0, 0);
	/* teardown: the level-2 table goes, its children are frozen */
	tb_spte(&t, TB_HOST_TID, 1, 0x2000 & ~511ull, 2, TB_NONLEAF_SPTE | 0x203000, TB_NONPRESENT);
	tb_spte(&t, TB_HOST_TID, 1, 0x2001, 1, TB_NONPRESENT, FROZEN_SPTE);
	assert_int_equal(t.nf, 0);
	tb_fini(&t);
	/* a new table later: its child starts non-present again */
	tb_init(&t);
	t.patched = true;
	tb_spte(&t, TB_HOST_TID, 1, 0x2001, 1, TB_NONPRESENT, FROZEN_SPTE);
	tb_spte(&t, TB_HOST_TID, 1, 0x2001, 1, TB_NONPRESENT, TB_LEAF_SPTE | 0x5000);
	assert_int_equal(tb_count(&t, MDL_FK_SPTE_MISMATCH), 0);
	tb_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names_follow_design),
		cmocka_unit_test(test_mirror_old_spte_differing_from_model_is_spte_mismatch),
		cmocka_unit_test(test_direct_spte_ignores_hardware_ad_bits),
		cmocka_unit_test(test_non_tdx_vm_clean_trace_has_no_findings),
		cmocka_unit_test(test_mirror_leaf_without_aug_is_mirror_desync),
		cmocka_unit_test(test_install_before_any_seamcall_on_its_cpu_is_not_judged),
		cmocka_unit_test(test_removal_hook_leaving_sept_mapped_is_mirror_desync),
		cmocka_unit_test(test_premap_without_page_add_is_fine_until_add_fails_6_16),
		cmocka_unit_test(test_premap_page_add_busy_then_retry_is_clean_6_16),
		cmocka_unit_test(test_premap_add_busy_then_finalize_is_mirror_desync_6_16),
		cmocka_unit_test(test_premap_under_forced_6_19_profile_is_mirror_desync),
		cmocka_unit_test(test_premapped_zap_block_state_incorrect_is_accepted_6_16),
		cmocka_unit_test(test_present_leaves_in_both_trees_is_private_shared_alias),
		cmocka_unit_test(test_direct_huge_leaf_over_mirror_leaf_is_alias),
		cmocka_unit_test(test_td_mmio_flow_is_clean),
		cmocka_unit_test(test_td_mmio_spte_with_sve_is_mmio_suppress_ve),
		cmocka_unit_test(test_vp_enter_ept_misconfig_is_mmio_suppress_ve),
		cmocka_unit_test(test_ve_request_mmio_for_private_gpa_is_mmio_suppress_ve),
		cmocka_unit_test(test_ve_request_mmio_on_shared_gpa_without_mmio_spte_is_clean),
		cmocka_unit_test(test_pending_ept_violation_exit_is_pending_access),
		cmocka_unit_test(test_busy_block_retried_once_without_entry_is_clean),
		cmocka_unit_test(test_busy_block_with_vcpu_entry_before_retry_is_busy_retry),
		cmocka_unit_test(test_busy_retry_that_is_busy_again_is_busy_retry_error),
		cmocka_unit_test(test_busy_block_not_retried_is_busy_retry),
		cmocka_unit_test(test_busy_retry_with_vcpu_not_kicked_is_busy_retry),
		cmocka_unit_test(test_unkicked_vcpu_is_reported_once),
		cmocka_unit_test(test_frozen_children_of_a_removed_table_are_gone),
		cmocka_unit_test(test_reclaim_of_removed_page_is_reclaim),
		cmocka_unit_test(test_teardown_leaving_guest_pages_is_reclaim),
		cmocka_unit_test(test_clean_teardown_reclaims_everything),
		cmocka_unit_test(test_mirror_page_table_zap_with_hkid_is_kvm_bug),
		cmocka_unit_test(test_vm_bugged_is_always_reported_with_earliest_cause),
		cmocka_unit_test(test_a_vm_is_bugged_once_later_bugs_join_the_first),
		cmocka_unit_test(test_one_problem_is_reported_once),
		cmocka_unit_test(test_lost_events_warn_once_and_relearn),
		cmocka_unit_test(test_timestamp_going_back_on_a_cpu_is_order),
		cmocka_unit_test(test_unpatched_trace_infers_the_mirror_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
