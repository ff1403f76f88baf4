// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_model_resolve.c - which VM and vCPU an event belongs to
 * (docs/design.md §3), and the model's reporting API: coverage, profile, the
 * per-VM summary and the gfn view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_model_ev.h"

static struct tdxr_event mk(unsigned int type, int32_t tid, int32_t tgid)
{
	struct tdxr_event ev;

	tb_ev(&ev, type, tid);
	ev.tgid = tgid;
	return ev;
}

static void test_thread_gets_vcpu_from_kvm_entry(void **state)
{
	struct tb t;
	struct tdxr_event ev;

	(void)state;
	tb_init(&t);
	tb_entry(&t, 5);
	ev = mk(TDXR_EV_KVM_PAGE_FAULT, TB_VCPU_TID(5), -1);
	EVF(&ev, KVM_PAGE_FAULT, vcpu_id) = 5;
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vcpu, 5);
	ev = mk(TDXR_EV_TDX_SEAMCALL, TB_VCPU_TID(5), -1);
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vcpu, 5);
	assert_int_equal(ev.vm, t.vm);
	tb_fini(&t);
}

static void test_tdr_names_the_vm_of_a_seamcall(void **state)
{
	struct tb t;
	struct tdxr_event ev;

	(void)state;
	tb_init(&t);
	/* the VM is named on thread 77, which then uses its TDR */
	tb_spte(&t, 77, 1, 0x10, 1, TB_NONPRESENT, TB_NONPRESENT | 0x1000);
	ev = mk(TDXR_EV_TDX_SEAMCALL, 77, -1);
	EVF(&ev, TDX_SEAMCALL, leaf) = 38;
	EVF(&ev, TDX_SEAMCALL, rcx) = t.tdr;
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vm, t.vm);
	/* another, unknown thread using the same TDR */
	ev = mk(TDXR_EV_TDX_SEAMCALL, 99, -1);
	EVF(&ev, TDX_SEAMCALL, leaf) = 7;
	EVF(&ev, TDX_SEAMCALL, rdx) = t.tdr;
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vm, t.vm);
	tb_fini(&t);
}

/* tdh_mng_key_config() passes the TDR in RCX; it runs on per-package
 * kworkers (smp_call_on_cpu), whose tgid is their own. */
static void test_key_config_on_a_kworker_belongs_to_the_td_of_its_rcx_tdr(void **state)
{
	struct tb t;
	struct tdxr_event ev;

	(void)state;
	tb_init(&t);
	tb_spte(&t, 77, 1, 0x10, 1, TB_NONPRESENT, TB_NONPRESENT | 0x1000);
	ev = mk(TDXR_EV_TDX_SEAMCALL, 77, -1);
	EVF(&ev, TDX_SEAMCALL, leaf) = 9; /* MNG.CREATE */
	EVF(&ev, TDX_SEAMCALL, rcx) = t.tdr;
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vm, t.vm);
	ev = mk(TDXR_EV_TDX_SEAMCALL, 99, 99);
	EVF(&ev, TDX_SEAMCALL, leaf) = 8; /* MNG.KEY.CONFIG */
	EVF(&ev, TDX_SEAMCALL, rcx) = t.tdr;
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vm, t.vm);
	tb_fini(&t);
}

static void test_second_td_gets_its_own_vm_before_it_is_named(void **state)
{
	struct tb t;
	struct tdxr_event ev;
	struct mdl_vm_info a, b;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	tb_spte(&t, TB_HOST_TID, 1, 0x10, 4, TB_NONPRESENT, TB_NONLEAF_SPTE);
	/* TD 2: MNG.CREATE on a new thread with a new TDR */
	ev = mk(TDXR_EV_TDX_SEAMCALL, 600, -1);
	EVF(&ev, TDX_SEAMCALL, leaf) = 9;
	EVF(&ev, TDX_SEAMCALL, rcx) = 0x20000000;
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vm, -1); /* not named yet: shown as unknown */
	mdl_apply(t.m, &ev, NULL);
	assert_int_equal(mdl_nr_vms(t.m), 2);
	/* named by its first vm-carrying event on that thread */
	t.vm = 5151;
	tb_spte(&t, 600, 1, 0x10, 4, TB_NONPRESENT, TB_NONLEAF_SPTE);
	assert_int_equal(mdl_nr_vms(t.m), 2);
	assert_int_equal(mdl_vm_info(t.m, 0, &a), 0);
	assert_int_equal(mdl_vm_info(t.m, 1, &b), 0);
	assert_int_equal(a.vm, 4242);
	assert_int_equal(b.vm, 5151);
	assert_true(a.is_tdx && b.is_tdx);
	tb_fini(&t);
}

static void test_tgid_column_names_the_vm(void **state)
{
	struct tb t;
	struct tdxr_event ev;

	(void)state;
	tb_init(&t);
	ev = mk(TDXR_EV_KVM_ENTRY, 7001, 7000);
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vm, 7000);
	ev = mk(TDXR_EV_KVM_ENTRY, 8001, 8000);
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vm, 8000);
	ev = mk(TDXR_EV_KVM_EXIT, 7001, -1);
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vm, 7000);
	tb_fini(&t);
}

static void test_single_vm_owns_unattributed_events(void **state)
{
	struct tb t;
	struct tdxr_event ev;

	(void)state;
	tb_init(&t);
	tb_entry(&t, 0);
	ev = mk(TDXR_EV_LOG_SPLAT, -1, -1);
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vm, t.vm);
	tb_fini(&t);
}

static void test_coverage_says_which_checks_ran(void **state)
{
	struct tb t;
	struct mdl_coverage cov;

	(void)state;
	tb_init(&t);
	mdl_coverage(t.m, &cov);
	assert_false(cov.sept_state || cov.tdx_vm || cov.spte_checks);
	tb_boot(&t, true);
	tb_fault_private(&t, 0, 0x2000, NULL);
	mdl_coverage(t.m, &cov);
	assert_true(cov.sept_state);
	assert_true(cov.tdx_vm);
	assert_true(cov.seamcalls_seen);
	assert_true(cov.spte_checks);
	assert_true(cov.mirror_tree_patched);
	assert_false(cov.tlb_tracking);
	assert_int_equal(cov.events, t.seq);
	tb_zap_private(&t, 0x2000, 0x201000);
	mdl_coverage(t.m, &cov);
	assert_true(cov.tlb_tracking);
	tb_fini(&t);
}

static void test_profile_is_decided_by_premap_behaviour(void **state)
{
	struct tb t;

	(void)state;
	tb_init(&t);
	assert_string_equal(mdl_profile_name(t.m), "6.19");
	tb_boot(&t, false);
	tb_link(&t, TB_HOST_TID, 0x100);
	tb_spte(&t, TB_HOST_TID, 1, 0x100, 1, TB_NONPRESENT, TB_LEAF_SPTE | 0x5000);
	assert_string_equal(mdl_profile_name(t.m), "6.16");
	tb_fini(&t);
	tb_init_cfg(&t, 616, 1);
	assert_string_equal(mdl_profile_name(t.m), "6.16");
	tb_fini(&t);
}

static void test_gfn_view_shows_both_trees_sept_and_epochs(void **state)
{
	struct tb t;
	struct mdl_gfn_view v;
	uint64_t pg;

	(void)state;
	tb_init(&t);
	tb_boot(&t, true);
	pg = tb_fault_private(&t, 0, 0x2000, NULL);
	tb_sc(&t, TDH_MEM_RANGE_BLOCK, 0x2000ull << 12, t.tdr, 0, 0);
	assert_int_equal(mdl_query_gfn(t.m, t.vm, 0x2000, &v), 0);
	assert_int_equal(v.gfn, 0x2000);
	assert_true(v.known[1][1]);
	assert_int_equal(v.spte[1][1], TB_LEAF_SPTE | pg);
	assert_true(v.known[1][2]);
	assert_int_equal(v.sept_state, MDL_SEPT_PENDING_BLOCKED);
	assert_true(v.blocked);
	assert_int_equal(v.bepoch, 1);
	assert_int_equal(v.pfn, pg >> 12);
	assert_true(v.nr_hist >= 2);
	assert_int_equal(v.nr_vcpus, 1);
	assert_string_equal(mdl_sept_state_name(v.sept_state), "PENDING_BLOCKED");
	assert_int_equal(mdl_query_gfn(t.m, 999, 0x2000, &v), -1);
	tb_fini(&t);
}

/* A vm field below -1 read from a trace (kvm_tdx_sept: vm -5) is no
 * provisional VM of the model's own: it names nothing, and the event goes
 * to the only VM as any unnamed event does. */
static void test_negative_vm_field_names_no_vm(void **state)
{
	struct tb t;
	struct tdxr_event ev;

	(void)state;
	tb_init(&t);
	tb_spte(&t, 77, 1, 0x10, 1, TB_NONPRESENT, TB_NONPRESENT | 0x1000);
	assert_int_equal(mdl_nr_vms(t.m), 1);
	ev = mk(TDXR_EV_KVM_TDX_SEPT, 99, -1);
	EVF(&ev, KVM_TDX_SEPT, vm) = (uint64_t)(int64_t)-5;
	EVF(&ev, KVM_TDX_SEPT, level) = 1;
	mdl_resolve(t.m, &ev);
	assert_int_equal(ev.vm, t.vm);
	assert_int_equal(mdl_apply(t.m, &ev, NULL), 0);
	assert_int_equal(mdl_nr_vms(t.m), 1);
	tb_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thread_gets_vcpu_from_kvm_entry),
		cmocka_unit_test(test_tdr_names_the_vm_of_a_seamcall),
		cmocka_unit_test(test_key_config_on_a_kworker_belongs_to_the_td_of_its_rcx_tdr),
		cmocka_unit_test(test_second_td_gets_its_own_vm_before_it_is_named),
		cmocka_unit_test(test_tgid_column_names_the_vm),
		cmocka_unit_test(test_single_vm_owns_unattributed_events),
		cmocka_unit_test(test_coverage_says_which_checks_ran),
		cmocka_unit_test(test_profile_is_decided_by_premap_behaviour),
		cmocka_unit_test(test_gfn_view_shows_both_trees_sept_and_epochs),
		cmocka_unit_test(test_negative_vm_field_names_no_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
