// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_text_reader.c - the ftrace text reader: every §2.1/§2.2
 * format decoded from literal lines, the four input shapes, lost-events
 * markers, KVM's console messages and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tdxr/src.h"

struct rd {
	struct tdxr_strtab *st;
	struct tdxr_src *src;
	char path[64];
	char err[512];
	FILE *warn; /* where reader warnings go */
	char warnbuf[4096];
};

static void rd_open(struct rd *r, const char *text, bool strict)
{
	struct tdxr_src_opts o = {0};
	int fd;

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "/tmp/tdxr-test-XXXXXX");
	fd = mkstemp(r->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	r->st = tdxr_strtab_new();
	r->warn = fmemopen(r->warnbuf, sizeof(r->warnbuf) - 1, "w");
	setvbuf(r->warn, NULL, _IONBF, 0);
	o.st = r->st;
	o.strict = strict;
	o.err = r->warn;
	r->src = tdxr_src_open(r->path, &o, r->err, sizeof(r->err));
}

static void rd_close(struct rd *r)
{
	tdxr_src_close(r->src);
	tdxr_strtab_free(r->st);
	fclose(r->warn);
	unlink(r->path);
}

static const char *S(struct rd *r, uint64_t id)
{
	return tdxr_strtab_get(r->st, (uint32_t)id);
}

/* Reads one line of text as an event of @type and checks the header. */
static void one_event(struct rd *r, const char *text, unsigned int type, struct tdxr_event *ev)
{
	rd_open(r, text, true);
	assert_non_null(r->src);
	assert_int_equal(tdxr_src_next(r->src, ev), 1);
	assert_int_equal(ev->type, type);
}

#define TRACEFS_HEAD "       CPU 0/KVM-4712    [003] d..1.  8812.123456: "

static void test_tdx_seamcall_decodes_every_register(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	one_event(&r,
		  TRACEFS_HEAD
		  "tdx_seamcall: leaf TDH_VP_INIT (65558) rcx 0x1 rdx 0x2 r8 0x3 r9 0x4 "
		  "status 0xc0000b0800000001 out_rcx 0x8000000000000000 out_rdx 0x501 "
		  "out_r8 0x7 out_r9 0x8\n",
		  TDXR_EV_TDX_SEAMCALL, &ev);
	assert_string_equal(S(&r, EVF(&ev, TDX_SEAMCALL, leaf_name)), "TDH_VP_INIT");
	assert_int_equal(EVF(&ev, TDX_SEAMCALL, leaf), 65558);
	assert_int_equal(EVF(&ev, TDX_SEAMCALL, rcx), 1);
	assert_int_equal(EVF(&ev, TDX_SEAMCALL, r9), 4);
	assert_true(EVF(&ev, TDX_SEAMCALL, status) == 0xc0000b0800000001ull);
	assert_true(EVF(&ev, TDX_SEAMCALL, out_rcx) == 0x8000000000000000ull);
	assert_int_equal(EVF(&ev, TDX_SEAMCALL, out_rdx), 0x501);
	assert_int_equal(EVF(&ev, TDX_SEAMCALL, out_r9), 8);
	assert_int_equal(ev.cpu, 3);
	assert_int_equal(ev.tid, 4712);
	assert_string_equal(S(&r, ev.comm), "CPU 0/KVM");
	assert_true(ev.ts == 8812123456000ull);
	assert_int_equal(ev.line, 1);
	rd_close(&r);
}

static void test_kvm_tdx_sept_negative_ret(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	one_event(&r,
		  TRACEFS_HEAD
		  "kvm_tdx_sept: vm 4711 op remove_spte gfn 8a3f level 1 pfn 1234a ret -5\n",
		  TDXR_EV_KVM_TDX_SEPT, &ev);
	assert_int_equal((int32_t)EVF(&ev, KVM_TDX_SEPT, vm), 4711);
	assert_string_equal(S(&r, EVF(&ev, KVM_TDX_SEPT, op)), "remove_spte");
	assert_int_equal(EVF(&ev, KVM_TDX_SEPT, gfn), 0x8a3f);
	assert_int_equal((int32_t)EVF(&ev, KVM_TDX_SEPT, level), 1);
	assert_int_equal(EVF(&ev, KVM_TDX_SEPT, pfn), 0x1234a);
	assert_int_equal((int32_t)EVF(&ev, KVM_TDX_SEPT, ret), -5);
	rd_close(&r);
}

static void test_tdvmcall_and_done(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	one_event(&r,
		  TRACEFS_HEAD "kvm_tdx_tdvmcall: vm 7 vcpu 2 r10 0x0 r11 0x30 (#VE.RequestMMIO) "
			       "r12 0x4 r13 0x1 r14 0x800000fee000 r15 0xab\n",
		  TDXR_EV_KVM_TDX_TDVMCALL, &ev);
	assert_int_equal(EVF(&ev, KVM_TDX_TDVMCALL, vcpu), 2);
	assert_int_equal(EVF(&ev, KVM_TDX_TDVMCALL, r11), 0x30);
	assert_string_equal(S(&r, EVF(&ev, KVM_TDX_TDVMCALL, name)), "#VE.RequestMMIO");
	assert_int_equal(EVF(&ev, KVM_TDX_TDVMCALL, r14), 0x800000fee000ull);
	assert_int_equal(EVF(&ev, KVM_TDX_TDVMCALL, r15), 0xab);
	rd_close(&r);

	one_event(&r,
		  TRACEFS_HEAD
		  "kvm_tdx_tdvmcall_done: vm 7 vcpu 2 r11 0x0 status 0x8000000000000003 val 0x0\n",
		  TDXR_EV_KVM_TDX_TDVMCALL_DONE, &ev);
	assert_true(EVF(&ev, KVM_TDX_TDVMCALL_DONE, status) == 0x8000000000000003ull);
	rd_close(&r);
}

static void test_vm_bugged_caller_symbol(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	one_event(&r,
		  TRACEFS_HEAD "kvm_vm_bugged: vm 7099 caller tdx_track+0x7e/0x120 [kvm_intel]\n",
		  TDXR_EV_KVM_VM_BUGGED, &ev);
	assert_int_equal((int32_t)EVF(&ev, KVM_VM_BUGGED, vm), 7099);
	assert_string_equal(S(&r, EVF(&ev, KVM_VM_BUGGED, caller)),
			    "tdx_track+0x7e/0x120 [kvm_intel]");
	rd_close(&r);
}

static void test_spte_changed_patched_and_unpatched(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	one_event(&r,
		  TRACEFS_HEAD "kvm_tdp_mmu_spte_changed: as id 0 gfn 8a3f level 1 old_spte "
			       "8000000000000000 new_spte 860000001234ab37 mirror 1 vm 4711\n",
		  TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED, &ev);
	assert_true(EVF_HAS(&ev, KVM_TDP_MMU_SPTE_CHANGED, mirror));
	assert_int_equal((int32_t)EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, mirror), 1);
	assert_int_equal((int32_t)EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, vm), 4711);
	assert_true(EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte) == 0x860000001234ab37ull);
	rd_close(&r);

	one_event(&r,
		  TRACEFS_HEAD "kvm_tdp_mmu_spte_changed: as id 1 gfn 8a3f level 2 old_spte "
			       "8000000000000000 new_spte 8000000000000000\n",
		  TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED, &ev);
	assert_false(EVF_HAS(&ev, KVM_TDP_MMU_SPTE_CHANGED, mirror));
	assert_false(EVF_HAS(&ev, KVM_TDP_MMU_SPTE_CHANGED, vm));
	assert_int_equal(EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, as_id), 1);
	assert_int_equal(EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, level), 2);
	rd_close(&r);
}

static void test_kvm_entry_with_and_without_immediate_exit(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	one_event(&r,
		  TRACEFS_HEAD "kvm_entry: vcpu 3, rip 0xfff0 intr_info 0x80000030 error_code "
			       "0x00000000[immediate exit]\n",
		  TDXR_EV_KVM_ENTRY, &ev);
	assert_int_equal(EVF(&ev, KVM_ENTRY, vcpu_id), 3);
	assert_int_equal(EVF(&ev, KVM_ENTRY, rip), 0xfff0);
	assert_int_equal(EVF(&ev, KVM_ENTRY, intr_info), 0x80000030);
	assert_string_equal(S(&r, EVF(&ev, KVM_ENTRY, immediate_exit)), "[immediate exit]");
	rd_close(&r);
	/* Older kernels print only vcpu and rip. */
	one_event(&r, TRACEFS_HEAD "kvm_entry: vcpu 0, rip 0x0\n", TDXR_EV_KVM_ENTRY, &ev);
	assert_false(EVF_HAS(&ev, KVM_ENTRY, intr_info));
	rd_close(&r);
}

static void test_kvm_exit_symbolic_reasons(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	one_event(&r,
		  TRACEFS_HEAD
		  "kvm_exit: vcpu 1 reason EPT_MISCONFIG rip 0x0 info1 0x0000000000000000 "
		  "info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000 "
		  "requests 0x0000000000000000\n",
		  TDXR_EV_KVM_EXIT, &ev);
	assert_int_equal(EVF(&ev, KVM_EXIT, exit_reason), 49);
	assert_true(EVF_HAS(&ev, KVM_EXIT, requests));
	rd_close(&r);
	/* SVM reasons hold blanks; no requests field on older kernels. */
	one_event(&r,
		  TRACEFS_HEAD "kvm_exit: vcpu 0 reason PF excp rip 0xffffffff81000000 info1 "
			       "0x0000000000000004 info2 0x00000000fee00000 intr_info 0x00000000 "
			       "error_code 0x00000000\n",
		  TDXR_EV_KVM_EXIT, &ev);
	assert_string_equal(S(&r, EVF(&ev, KVM_EXIT, reason)), "PF excp");
	assert_int_equal(EVF(&ev, KVM_EXIT, exit_reason), UINT32_MAX);
	assert_false(EVF_HAS(&ev, KVM_EXIT, requests));
	assert_int_equal(EVF(&ev, KVM_EXIT, info2), 0xfee00000);
	rd_close(&r);
	one_event(&r,
		  TRACEFS_HEAD
		  "kvm_exit: vcpu 0 reason TDCALL rip 0x0 info1 0x0000000000000000 info2 "
		  "0x0000000000000000 intr_info 0x00000000 error_code 0x00000000 requests "
		  "0x0000000000000000\n",
		  TDXR_EV_KVM_EXIT, &ev);
	assert_int_equal(EVF(&ev, KVM_EXIT, exit_reason), 77);
	rd_close(&r);
}

static void test_upstream_kvm_events(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	one_event(&r,
		  TRACEFS_HEAD
		  "kvm_page_fault: vcpu 0 rip 0x0 address 0x0000800008a3f000 error_code 0x182\n",
		  TDXR_EV_KVM_PAGE_FAULT, &ev);
	assert_int_equal(EVF(&ev, KVM_PAGE_FAULT, address), 0x800008a3f000ull);
	assert_int_equal(EVF(&ev, KVM_PAGE_FAULT, error_code), 0x182);
	rd_close(&r);

	one_event(&r, TRACEFS_HEAD "kvm_mmio: mmio unsatisfied-read len 4 gpa 0xfee00000 val 0x0\n",
		  TDXR_EV_KVM_MMIO, &ev);
	assert_int_equal(EVF(&ev, KVM_MMIO, type), 0);
	assert_int_equal(EVF(&ev, KVM_MMIO, len), 4);
	rd_close(&r);
	one_event(&r, TRACEFS_HEAD "kvm_mmio: mmio write len 8 gpa 0x1000 val 0xdeadbeef\n",
		  TDXR_EV_KVM_MMIO, &ev);
	assert_int_equal(EVF(&ev, KVM_MMIO, type), 2);
	assert_int_equal(EVF(&ev, KVM_MMIO, val), 0xdeadbeef);
	rd_close(&r);

	one_event(&r, TRACEFS_HEAD "kvm_fast_mmio: fast mmio at gpa 0xfe003000\n",
		  TDXR_EV_KVM_FAST_MMIO, &ev);
	assert_int_equal(EVF(&ev, KVM_FAST_MMIO, gpa), 0xfe003000);
	rd_close(&r);

	one_event(&r, TRACEFS_HEAD "kvm_hypercall: nr 0xc a0 0x1000 a1 0x1 a2 0x10 a3 0x0\n",
		  TDXR_EV_KVM_HYPERCALL, &ev);
	assert_int_equal(EVF(&ev, KVM_HYPERCALL, nr), 12);
	assert_int_equal(EVF(&ev, KVM_HYPERCALL, a2), 0x10);
	rd_close(&r);

	one_event(&r, TRACEFS_HEAD "kvm_pio: pio_write at 0x3f8 size 1 count 1 val 0x41 \n",
		  TDXR_EV_KVM_PIO, &ev);
	assert_int_equal(EVF(&ev, KVM_PIO, rw), 1);
	assert_int_equal(EVF(&ev, KVM_PIO, port), 0x3f8);
	assert_int_equal(EVF(&ev, KVM_PIO, val), 0x41);
	rd_close(&r);
	one_event(&r, TRACEFS_HEAD "kvm_pio: pio_read at 0x60 size 2 count 4 val 0x1 (...)\n",
		  TDXR_EV_KVM_PIO, &ev);
	assert_int_equal(EVF(&ev, KVM_PIO, rw), 0);
	assert_int_equal(EVF(&ev, KVM_PIO, count), 4);
	assert_string_equal(S(&r, EVF(&ev, KVM_PIO, more)), "(...)");
	rd_close(&r);

	one_event(&r, TRACEFS_HEAD "kvm_userspace_exit: reason KVM_EXIT_MMIO (6)\n",
		  TDXR_EV_KVM_USERSPACE_EXIT, &ev);
	assert_int_equal(EVF(&ev, KVM_USERSPACE_EXIT, reason), 6);
	rd_close(&r);
	/* KVM_EXIT_MEMORY_FAULT has no symbol: printed raw. */
	one_event(&r, TRACEFS_HEAD "kvm_userspace_exit: reason 0x27 (39)\n",
		  TDXR_EV_KVM_USERSPACE_EXIT, &ev);
	assert_int_equal(EVF(&ev, KVM_USERSPACE_EXIT, reason), 39);
	rd_close(&r);
}

static void test_kvmmmu_events(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	one_event(&r,
		  TRACEFS_HEAD
		  "kvm_mmu_set_spte: gfn 8a3f spte 860000001234ab37 (rwxu) level 1 at 10c1f8\n",
		  TDXR_EV_KVM_MMU_SET_SPTE, &ev);
	assert_string_equal(S(&r, EVF(&ev, KVM_MMU_SET_SPTE, access)), "rwxu");
	assert_int_equal(EVF(&ev, KVM_MMU_SET_SPTE, sptep), 0x10c1f8);
	rd_close(&r);
	/* u == -1 prints nothing for the fourth flag. */
	one_event(&r,
		  TRACEFS_HEAD
		  "kvm_mmu_set_spte: gfn 10 spte 600000001234ab37 (r-x) level 2 at 10c1f8\n",
		  TDXR_EV_KVM_MMU_SET_SPTE, &ev);
	assert_string_equal(S(&r, EVF(&ev, KVM_MMU_SET_SPTE, access)), "r-x");
	assert_int_equal(EVF(&ev, KVM_MMU_SET_SPTE, level), 2);
	rd_close(&r);

	one_event(&r, TRACEFS_HEAD "kvm_mmu_spte_requested: gfn 8a3f pfn 1234a level 1\n",
		  TDXR_EV_KVM_MMU_SPTE_REQUESTED, &ev);
	assert_int_equal(EVF(&ev, KVM_MMU_SPTE_REQUESTED, pfn), 0x1234a);
	rd_close(&r);

	one_event(&r,
		  TRACEFS_HEAD "mark_mmio_spte: sptep:000000007a3b5e1c gfn fee00 access 0 gen 2a\n",
		  TDXR_EV_MARK_MMIO_SPTE, &ev);
	assert_int_equal(EVF(&ev, MARK_MMIO_SPTE, gfn), 0xfee00);
	assert_int_equal(EVF(&ev, MARK_MMIO_SPTE, gen), 0x2a);
	rd_close(&r);

	one_event(&r, TRACEFS_HEAD "handle_mmio_page_fault: addr:fee00000 gfn fee00 access 6\n",
		  TDXR_EV_HANDLE_MMIO_PAGE_FAULT, &ev);
	assert_int_equal(EVF(&ev, HANDLE_MMIO_PAGE_FAULT, addr), 0xfee00000);
	rd_close(&r);

	one_event(&r,
		  TRACEFS_HEAD
		  "kvm_mmu_prepare_zap_page: sp gen 0 gfn 8a200 l2 8-byte q0 direct wux !nxe "
		  "!ad root 0 sync\n",
		  TDXR_EV_KVM_MMU_PREPARE_ZAP_PAGE, &ev);
	assert_int_equal(EVF(&ev, KVM_MMU_PREPARE_ZAP_PAGE, gfn), 0x8a200);
	assert_int_equal(EVF(&ev, KVM_MMU_PREPARE_ZAP_PAGE, level), 2);
	assert_int_equal(EVF(&ev, KVM_MMU_PREPARE_ZAP_PAGE, direct), 1);
	assert_int_equal(EVF(&ev, KVM_MMU_PREPARE_ZAP_PAGE, root_count), 0);
	rd_close(&r);
}

/* ---- input shapes ---------------------------------------------------- */

static void expect_header(const char *text, int cpu, int tid, int tgid, const char *comm,
			  uint64_t ts)
{
	struct rd r;
	struct tdxr_event ev;

	rd_open(&r, text, true);
	assert_non_null(r.src);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_KVM_FAST_MMIO);
	assert_int_equal(ev.cpu, cpu);
	assert_int_equal(ev.tid, tid);
	assert_int_equal(ev.tgid, tgid);
	assert_string_equal(S(&r, ev.comm), comm);
	assert_true(ev.ts == ts);
	assert_int_equal(EVF(&ev, KVM_FAST_MMIO, gpa), 0x1000);
	rd_close(&r);
}

static void test_tracefs_with_irq_info_and_tgid(void **state)
{
	(void)state;
	expect_header("# tracer: nop\n#\n"
		      "       CPU 0/KVM-4712    (   4711) [001] d..1.   812.000100: kvm_fast_mmio: "
		      "fast mmio at gpa 0x1000\n",
		      1, 4712, 4711, "CPU 0/KVM", 812000100000ull);
	/* Unknown tgid prints dashes. */
	expect_header("          <idle>-0       (-------) [000] dNh2.    1.5: kvm_fast_mmio: fast "
		      "mmio at gpa 0x1000\n",
		      0, 0, -1, "<idle>", 1500000000ull);
}

static void test_tracefs_without_irq_info(void **state)
{
	(void)state;
	expect_header("           <...>-4712    [002]   812.000100: kvm_fast_mmio: fast mmio at "
		      "gpa 0x1000\n",
		      2, 4712, -1, "<...>", 812000100000ull);
}

static void test_trace_cmd_report(void **state)
{
	(void)state;
	expect_header("version = 6\ncpus=2\n"
		      " qemu-system-x86-4711  [001]   812.000100123: kvm_fast_mmio:        fast "
		      "mmio at gpa 0x1000\n",
		      1, 4711, -1, "qemu-system-x86", 812000100123ull);
}

static void test_console_latency_format(void **state)
{
	(void)state;
	expect_header("[  100.000001] Dumping ftrace buffer:\n"
		      "[  100.000002] ---------------------------------\n"
		      "[  100.000003] CPU 0/KV-4712      3d..1. 1234us+: kvm_fast_mmio: fast mmio "
		      "at gpa 0x1000\n",
		      3, 4712, -1, "CPU 0/KV", 1234000ull);
	/* CPU numbers of three digits glue to the pid column. */
	expect_header("[  100.000003] qemu-sys-4711  123d.h2.  5us : kvm_fast_mmio: fast mmio at "
		      "gpa 0x1000\n",
		      123, 4711, -1, "qemu-sys", 5000ull);
}

static void test_console_verbose_format(void **state)
{
	(void)state;
	expect_header(
		"[  100.000003]        CPU 0/KVM    4712   1 1 00000000 00000012 "
		"[0000000012345678] 2.500ms (+0.010ms): kvm_fast_mmio: fast mmio at gpa 0x1000\n",
		1, 4712, -1, "CPU 0/KVM", 2500000ull);
}

static void test_console_kvm_messages_become_log_events(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	rd_open(&r,
		"[  200.100000] kvm_intel: SEAMCALL TDH_MEM_PAGE_AUG failed: 0xc0000b0d00000001, "
		"entry 0x8000000000000000, level_state 0x400\n"
		"[  200.100001] some unrelated kernel message\n"
		"[  200.100002] kvm_intel: SEAMCALL (0x000000000000001c) failed: "
		"0xc000030000000001\n"
		"[  200.100003] kvm_intel: Guest access before accepting 0x8a3f000 on vCPU 3\n"
		"[  200.100004] kvm_intel: tdh_mng_key_freeid() failed. HKID 17 is leaked.\n"
		"[  200.100005] WARNING: CPU: 5 PID: 4711 at arch/x86/kvm/vmx/tdx.c:1783 "
		"tdx_sept_remove_private_spte+0x1a4/0x2c0 [kvm_intel]\n"
		"[  200.100006] WARNING: CPU: 5 PID: 4711 at mm/page_alloc.c:1 foo+0x1/0x2\n",
		true);
	assert_non_null(r.src);
	assert_int_equal(tdxr_src_format(r.src), TDXR_FMT_CONSOLE);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_LOG_SEAMCALL_FAILED);
	assert_int_equal(ev.line, 1);
	assert_string_equal(S(&r, EVF(&ev, LOG_SEAMCALL_FAILED, fn)), "TDH_MEM_PAGE_AUG");
	assert_int_equal(EVF(&ev, LOG_SEAMCALL_FAILED, leaf), 6);
	assert_true(EVF(&ev, LOG_SEAMCALL_FAILED, status) == 0xc0000b0d00000001ull);
	assert_true(EVF(&ev, LOG_SEAMCALL_FAILED, a1) == 0x8000000000000000ull);
	assert_int_equal(EVF(&ev, LOG_SEAMCALL_FAILED, a2), 0x400);
	assert_true(ev.ts == 200100000000ull);

	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.line, 3);
	assert_int_equal(EVF(&ev, LOG_SEAMCALL_FAILED, leaf), 28);
	assert_string_equal(S(&r, EVF(&ev, LOG_SEAMCALL_FAILED, fn)), "TDH_PHYMEM_PAGE_RECLAIM");

	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_LOG_ACCEPT_BEFORE);
	assert_int_equal(EVF(&ev, LOG_ACCEPT_BEFORE, gpa), 0x8a3f000);
	assert_int_equal(EVF(&ev, LOG_ACCEPT_BEFORE, vcpu), 3);

	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_LOG_HKID_LEAKED);
	assert_int_equal(EVF(&ev, LOG_HKID_LEAKED, hkid), 17);

	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_LOG_SPLAT);
	assert_string_equal(S(&r, EVF(&ev, LOG_SPLAT, file)), "arch/x86/kvm/vmx/tdx.c");
	assert_int_equal(EVF(&ev, LOG_SPLAT, srcline), 1783);
	assert_int_equal(ev.cpu, -1);
	assert_int_equal(ev.tid, 4711);
	/* the WARN in mm/ is a splat too (the model decides it is not KVM's) */
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_LOG_SPLAT);
	assert_string_equal(S(&r, EVF(&ev, LOG_SPLAT, file)), "mm/page_alloc.c");
	assert_int_equal(tdxr_src_next(r.src, &ev), 0);
	rd_close(&r);
}

static void test_console_messages_before_a_dump_follow_its_events(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	rd_open(&r,
		"[   10.000000] kvm_intel: SEAMCALL TDH_MNG_RD failed: 0x1\n"
		"[  800.000000] kvm_intel: SEAMCALL TDH_MEM_PAGE_REMOVE failed: "
		"0xc0000b0800000001\n"
		"[  800.000001] WARNING: CPU: 0 PID: 4711 at arch/x86/kvm/vmx/tdx.c:1783 f+0x1/0x2 "
		"[kvm_intel]\n"
		"[  800.000002] Dumping ftrace buffer:\n"
		"[  800.000003] ---------------------------------\n"
		"[  800.000004] qemu-sys-4711      0.....  520us : kvm_fast_mmio: fast mmio at gpa "
		"0x1000\n"
		"[  800.000005] ---------------------------------\n"
		"[  900.000000] kvm_intel: HKID 3 is leaked\n",
		true);
	assert_non_null(r.src);
	/* Far older than the dump: stays in file order. */
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.line, 1);
	/* The dump's event comes before the messages that triggered the dump. */
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_KVM_FAST_MMIO);
	assert_int_equal(ev.line, 6);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.line, 2);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.line, 3);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_LOG_HKID_LEAKED);
	assert_int_equal(tdxr_src_next(r.src, &ev), 0);
	rd_close(&r);
}

/* ---- real-world variants of ftrace text ----------------------------- */

/* The first event of @text: a kvm_mmio write of 0x42 at 0x20010. */
static void expect_mmio(const char *text, int cpu, int tid, const char *comm, uint64_t ts,
			unsigned int line)
{
	struct rd r;
	struct tdxr_event ev;

	rd_open(&r, text, true);
	assert_non_null(r.src);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_KVM_MMIO);
	assert_int_equal(ev.cpu, cpu);
	assert_int_equal(ev.tid, tid);
	assert_string_equal(S(&r, ev.comm), comm);
	assert_true(ev.ts == ts);
	assert_int_equal(ev.line, line);
	assert_int_equal(EVF(&ev, KVM_MMIO, gpa), 0x20010);
	assert_int_equal(EVF(&ev, KVM_MMIO, val), 0x42);
	assert_string_equal(r.warnbuf, "");
	rd_close(&r);
}

/* Lines captured on this machine (kvm_guest in a tracefs instance). */
#define REAL_MMIO_PAYLOAD "kvm_mmio: mmio write len 1 gpa 0x20010 val 0x42\n"

static void test_trace_cmd_report_instance_prefix_is_not_part_of_the_comm(void **state)
{
	(void)state;
	expect_mmio("cpus=2\n"
		    "txtcap9148:        kvm_guest-9244  [001] 18745.029328: kvm_mmio:             "
		    "mmio write len 1 gpa 0x20010 val 0x42\n",
		    1, 9244, "kvm_guest", 18745029328000ull, 2);
	/* -t: full nanoseconds. */
	expect_mmio("txtcap9148:        kvm_guest-9244  [001] 18745.029327893: kvm_mmio:     "
		    "mmio write len 1 gpa 0x20010 val 0x42\n",
		    1, 9244, "kvm_guest", 18745029327893ull, 1);
	/* Several inputs (host and guest files): the file name is the prefix. */
	expect_mmio("version = 6\n  host.dat: cpus=8\n guest.dat: cpus=2\n"
		    "  host.dat:        CPU 0/KVM-4712  [003] 18745.029328: " REAL_MMIO_PAYLOAD,
		    3, 4712, "CPU 0/KVM", 18745029328000ull, 4);
}

static void test_trace_cmd_report_latency_and_ts_diff_shapes(void **state)
{
	(void)state;
	/* trace-cmd report -l */
	expect_mmio("cpus=2\n"
		    "txtcap9148: kvm_gues-9244    1..... 18745.029328: kvm_mmio:             mmio "
		    "write len 1 gpa 0x20010 val 0x42\n",
		    1, 9244, "kvm_gues", 18745029328000ull, 2);
	/* trace-cmd report --ts-diff */
	expect_mmio("txtcap9148:        kvm_guest-9244  [001] 18745.029328: (+2)     kvm_mmio:  "
		    "           mmio write len 1 gpa 0x20010 val 0x42\n",
		    1, 9244, "kvm_guest", 18745029328000ull, 1);
	/* trace-cmd report --debug: "CPU N is empty", "CPU:N [SUBBUFFER START]" */
	expect_mmio("version = 7\ncpus=2\nCPU 0 is empty\n"
		    "txtcap9148: CPU:1 [SUBBUFFER START] [18745028691508:0x1000]\n"
		    "       kvm_guest-9244  [001] 18745.029328: " REAL_MMIO_PAYLOAD,
		    1, 9244, "kvm_guest", 18745029328000ull, 5);
	/* --debug: " [DELTA:0xOFFSET:SIZE]" after each event */
	expect_mmio("txtcap9148:        kvm_guest-9244  [001] 18745.029328: kvm_mmio:             "
		    "mmio write len 1 gpa 0x20010 val 0x42 [2174:0x3e8:32]\n",
		    1, 9244, "kvm_guest", 18745029328000ull, 1);
}

static void test_latency_format_option_in_a_tracefs_file(void **state)
{
	(void)state;
	expect_mmio("# tracer: nop\n#\n# nop latency trace v1.1.5 on 6.18.44-fc-v595\n"
		    "kvm_gues-9152      0..... 18744185392us : " REAL_MMIO_PAYLOAD,
		    0, 9152, "kvm_gues", 18744185392000ull, 4);
	/* latency-format + verbose */
	expect_mmio("       kvm_guest   11411   0 0 00000000 00000000 [462d8fe5a] 18838257.242ms "
		    "(+1.403ms): " REAL_MMIO_PAYLOAD,
		    0, 11411, "kvm_guest", 18838257242000ull, 1);
	/* pid of 7 digits, CPU of 3 */
	expect_mmio("kvm_gues-4194304 128d..1. 18744185392us+: " REAL_MMIO_PAYLOAD, 128, 4194304,
		    "kvm_gues", 18744185392000ull, 1);
}

static void test_counter_clocks_keep_raw_counts_with_a_warning(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	/* trace_clock counter */
	rd_open(&r,
		"       kvm_guest-9211    [000] .....           34: " REAL_MMIO_PAYLOAD
		"       kvm_guest-9211    [000] .....           39: " REAL_MMIO_PAYLOAD,
		true);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_true(ev.ts == 34);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_true(ev.ts == 39);
	assert_non_null(strstr(r.warnbuf, ":1: timestamps are clock counts, not seconds"));
	/* warned once */
	assert_null(strstr(strstr(r.warnbuf, "clock counts") + 1, "clock counts"));
	rd_close(&r);
	/* trace_clock x86-tsc: too large to be seconds */
	rd_open(&r, "       kvm_guest-9201    [001] ..... 48663815634525: " REAL_MMIO_PAYLOAD,
		true);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_true(ev.ts == 48663815634525ull);
	assert_int_equal(ev.type, TDXR_EV_KVM_MMIO);
	rd_close(&r);
	/* the ns clocks (global, mono, mono_raw, boot, tai) print seconds */
	expect_mmio("       kvm_guest-9230    [001] ..... 1795275871.501293: " REAL_MMIO_PAYLOAD, 1,
		    9230, "kvm_guest", 1795275871501293000ull, 1);
}

static void test_sym_offset_and_sym_addr_are_dropped_from_the_event_name(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	rd_open(&r,
		"          cap.sh-9148    [001] ...1. 18744.188424: "
		"tracing_mark_write+0x8a/0x170: hello marker\n",
		true);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_UNMODELLED);
	assert_string_equal(S(&r, ev.name), "tracing_mark_write");
	assert_string_equal(ev.raw, "hello marker");
	rd_close(&r);
	/* sym-addr, with and without sym-offset */
	rd_open(&r,
		"           <...>-22051   [000] ...1. 19455.605897: tracing_mark_write "
		"<ffffffff8149895a>: marker three\n"
		"           <...>-22051   [000] ...1. 19455.605897: tracing_mark_write+0x8a/0x170 "
		"<ffffffff8149895a>: marker three\n",
		true);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(tdxr_src_next(r.src, &ev), 1);
		assert_int_equal(ev.type, TDXR_EV_UNMODELLED);
		assert_string_equal(S(&r, ev.name), "tracing_mark_write");
		assert_string_equal(ev.raw, "marker three");
	}
	rd_close(&r);
}

static void test_function_tracer_lines_and_stack_traces(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	rd_open(&r,
		"# tracer: function\n"
		"     qemu-system-x86-4711    [002] ..... 100.000001: kvm_vcpu_ioctl "
		"<-__x64_sys_ioctl\n"
		"     qemu-system-x86-4711    [002] ..... 100.000002: vcpu_load\n"
		"       kvm_guest-11411   [000] ..... 18838.258645: <stack trace>\n"
		" => trace_event_raw_event_kvm_mmio\n"
		" => write_mmio\n"
		"       kvm_guest-11411   [000] ..... 18838.258646: " REAL_MMIO_PAYLOAD,
		true);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_UNMODELLED);
	assert_string_equal(S(&r, ev.name), "function");
	assert_string_equal(ev.raw, "kvm_vcpu_ioctl <-__x64_sys_ioctl");
	assert_int_equal(ev.tid, 4711);
	/* noprint-parent */
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_string_equal(S(&r, ev.name), "function");
	assert_string_equal(ev.raw, "vcpu_load");
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_KVM_MMIO);
	assert_int_equal(ev.line, 7);
	assert_int_equal(tdxr_src_next(r.src, &ev), 0);
	assert_string_equal(r.warnbuf, "");
	rd_close(&r);
}

/* @text must fail with an error holding @what. */
static void expect_rejected(const char *text, const char *what)
{
	struct rd r;
	struct tdxr_event ev;
	int ret;

	rd_open(&r, text, false);
	if (r.src) {
		while ((ret = tdxr_src_next(r.src, &ev)) == 1) {
		}
		assert_int_equal(ret, -1);
		assert_non_null(strstr(tdxr_src_error(r.src), what));
	} else {
		assert_non_null(strstr(r.err, what));
	}
	rd_close(&r);
}

static void test_unreadable_trace_options_are_rejected_naming_the_line(void **state)
{
	(void)state;
	/* options/raw */
	expect_rejected("# tracer: nop\n#\n9152 0 18744184769093 type: 82\n"
			"9148 1 18744188423515 # ffffffff8149895a hello marker\n",
			":3: ftrace output printed with the raw, hex or bin trace option");
	/* options/hex */
	expect_rejected("# tracer: nop\n000023c0 00000000 0000110c38798a45 type: 82\n\n",
			":2: ftrace output printed with the raw, hex or bin trace option");
	/* options/bin */
	expect_rejected("# tracer: nop\n\xc0\x23\x01\x01 type: 82\n", "binary data at byte offset");
	/* nocontext-info: no task, CPU or time columns */
	expect_rejected("# tracer: nop\n#\nkvm_fpu: load\n" REAL_MMIO_PAYLOAD,
			":3: event line without task, CPU and timestamp columns");
	/* function_graph */
	expect_rejected("# tracer: function_graph\n#\n# CPU  DURATION                  FUNCTION "
			"CALLS\n 1)   0.123 us    |  /* kvm_exit: reason EPT_VIOLATION */\n",
			":1: function_graph output");
}

static void test_trace_pipe_with_crlf_line_endings(void **state)
{
	(void)state;
	expect_mmio("# tracer: nop\r\n"
		    "       kvm_guest-9240    [001] ..... 18744.985356: kvm_mmio: mmio write len 1 "
		    "gpa 0x20010 val 0x42\r\n",
		    1, 9240, "kvm_guest", 18744985356000ull, 2);
}

static void test_comms_with_blanks_dashes_and_wide_columns(void **state)
{
	(void)state;
	expect_mmio(
		" kworker/u64:2-events_unbound-123456  [127] d..1. 1.000001: " REAL_MMIO_PAYLOAD,
		127, 123456, "kworker/u64:2-events_unbound", 1000001000ull, 1);
	expect_mmio("           <...>-4194304 (4194300) [1023] ..... 2.5: " REAL_MMIO_PAYLOAD, 1023,
		    4194304, "<...>", 2500000000ull, 1);
	expect_mmio("    CPU 12/KVM-99999   [000] .... 3.000000: " REAL_MMIO_PAYLOAD, 0, 99999,
		    "CPU 12/KVM", 3000000000ull, 1);
}

static void test_two_concatenated_captures_keep_file_order(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	rd_open(&r,
		"# tracer: nop\n#\n       kvm_guest-9152    [000] ..... "
		"18744.185392: " REAL_MMIO_PAYLOAD "# tracer: nop\n#\n       kvm_guest-9244    "
		"[001] .....   100.000001: " REAL_MMIO_PAYLOAD,
		true);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.tid, 9152);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.tid, 9244);
	assert_true(ev.ts == 100000001000ull);
	assert_int_equal(ev.line, 6);
	assert_int_equal(tdxr_src_next(r.src, &ev), 0);
	assert_non_null(strstr(r.warnbuf, ":4: a second capture starts here"));
	rd_close(&r);
}

static void test_lines_not_understood_are_warned_not_silently_skipped(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	rd_open(&r,
		"some pasted text\ndeadbeef cafe 1234 is no raw output\n"
		"       kvm_guest-9240    [001] ..... 1.5: " REAL_MMIO_PAYLOAD,
		true);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.line, 3);
	assert_non_null(strstr(r.warnbuf, ":1: line not understood, skipped: some pasted text"));
	assert_non_null(strstr(r.warnbuf, ":2: line not understood, skipped: deadbeef"));
	rd_close(&r);
}

/* ---- lost events and malformed input ------------------------------ */

static void test_three_lost_event_shapes_attach_to_next_event(void **state)
{
	struct rd r;
	struct tdxr_event ev;
	struct tdxr_src_stats st;
	const char *ev_line = "  qemu-1 [000]  1.000001: kvm_fast_mmio: fast mmio at gpa 0x1000\n";
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text),
		 "%sCPU:1 [LOST 12 EVENTS]\n%sCPU:0 [7 EVENTS DROPPED]\n%s"
		 "##### CPU 2 buffer started ####\n%s",
		 ev_line, ev_line, ev_line, ev_line);
	rd_open(&r, text, true);
	assert_non_null(r.src);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.lost_flags, 0);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.lost_flags, TDXR_LOST_COUNTED);
	assert_int_equal(ev.lost, 12);
	assert_int_equal(ev.line, 3);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.lost_flags, TDXR_LOST_COUNTED);
	assert_int_equal(ev.lost, 7);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.lost_flags, TDXR_LOST_UNKNOWN);
	assert_int_equal(tdxr_src_next(r.src, &ev), 0);
	tdxr_src_stats(r.src, &st);
	assert_int_equal(st.lost_records, 3);
	assert_int_equal(st.lost_events, 19);
	rd_close(&r);
}

static void test_malformed_payload_is_kept_unmodelled_with_a_warning(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	rd_open(&r,
		"  qemu-1 [000]  1.0: kvm_tdx_sept: vm 1 op set_spte gfn zz level 1 pfn 1 ret 0\n",
		false);
	assert_non_null(r.src);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_UNMODELLED);
	assert_string_equal(S(&r, ev.name), "kvm_tdx_sept");
	assert_non_null(strstr(ev.raw, "gfn zz"));
	assert_non_null(strstr(r.warnbuf, ":1: cannot parse kvm_tdx_sept: "));
	rd_close(&r);
}

static void test_malformed_payload_is_fatal_when_strict(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	rd_open(&r,
		"  qemu-1 [000]  1.0: kvm_fast_mmio: fast mmio at gpa 0x1000\n"
		"  qemu-1 [000]  1.1: kvm_pio: pio_write at 0x3f8 size one count 1 val 0x41\n",
		true);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(tdxr_src_next(r.src, &ev), -1);
	assert_non_null(strstr(tdxr_src_error(r.src), ":2: cannot parse kvm_pio: "));
	rd_close(&r);
}

static void test_truncated_last_line_and_trailing_text(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	rd_open(&r,
		"  qemu-1 [000]  1.0: kvm_fast_mmio: fast mmio at gpa 0x1000 extra\n"
		"  qemu-1 [000]  1.0: kvm_tdp_mmu_spte_changed: as id 0 gfn 8a3f level 1 old_sp",
		false);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_UNMODELLED);
	assert_int_equal(tdxr_src_next(r.src, &ev), 1);
	assert_int_equal(ev.type, TDXR_EV_UNMODELLED);
	assert_int_equal(ev.line, 2);
	assert_int_equal(tdxr_src_next(r.src, &ev), 0);
	rd_close(&r);
}

static void test_file_without_trace_lines_is_an_error(void **state)
{
	struct rd r;
	struct tdxr_event ev;

	(void)state;
	rd_open(&r, "hello\nworld\n", false);
	assert_non_null(r.src);
	assert_int_equal(tdxr_src_next(r.src, &ev), -1);
	assert_non_null(strstr(tdxr_src_error(r.src), "no trace events found"));
	rd_close(&r);
}

static void test_binary_garbage_is_rejected_with_offset(void **state)
{
	struct rd r;
	char text[64] = "# tracer: nop\nabc";

	(void)state;
	text[17] = 1; /* a control byte at offset 17 */
	text[18] = '\0';
	rd_open(&r, text, false);
	assert_null(r.src);
	assert_non_null(strstr(r.err, "binary data at byte offset 17"));
	rd_close(&r);
}

static void test_random_bytes_never_crash(void **state)
{
	(void)state;
	srand(1);
	for (int round = 0; round < 300; round++) {
		char text[2048];
		size_t n = (size_t)(rand() % 2000);
		struct rd r;
		struct tdxr_event ev;

		/* Mostly printable noise around real line fragments. */
		static const char *frag[] = {" [001] ",	 "1.5: ",	 "kvm_exit: ", "vcpu ",
					     "0x",	 "CPU:1 [LOST ", "\n",	       "qemu-1",
					     " reason ", "[  1.0] "};
		size_t k = 0;

		while (k < n) {
			if (rand() % 3 == 0) {
				const char *f = frag[rand() % 10];
				size_t l = strlen(f);

				if (k + l >= sizeof(text) - 1) {
					break;
				}
				memcpy(text + k, f, l);
				k += l;
			} else {
				text[k++] = (char)(32 + rand() % 95);
			}
		}
		text[k] = '\0';
		rd_open(&r, text, false);
		if (r.src) {
			int guard = 0;

			while (tdxr_src_next(r.src, &ev) == 1 && guard++ < 10000) {
			}
		}
		rd_close(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tdx_seamcall_decodes_every_register),
		cmocka_unit_test(test_kvm_tdx_sept_negative_ret),
		cmocka_unit_test(test_tdvmcall_and_done),
		cmocka_unit_test(test_vm_bugged_caller_symbol),
		cmocka_unit_test(test_spte_changed_patched_and_unpatched),
		cmocka_unit_test(test_kvm_entry_with_and_without_immediate_exit),
		cmocka_unit_test(test_kvm_exit_symbolic_reasons),
		cmocka_unit_test(test_upstream_kvm_events),
		cmocka_unit_test(test_kvmmmu_events),
		cmocka_unit_test(test_tracefs_with_irq_info_and_tgid),
		cmocka_unit_test(test_tracefs_without_irq_info),
		cmocka_unit_test(test_trace_cmd_report),
		cmocka_unit_test(test_console_latency_format),
		cmocka_unit_test(test_console_verbose_format),
		cmocka_unit_test(test_console_kvm_messages_become_log_events),
		cmocka_unit_test(test_console_messages_before_a_dump_follow_its_events),
		cmocka_unit_test(test_trace_cmd_report_instance_prefix_is_not_part_of_the_comm),
		cmocka_unit_test(test_trace_cmd_report_latency_and_ts_diff_shapes),
		cmocka_unit_test(test_latency_format_option_in_a_tracefs_file),
		cmocka_unit_test(test_counter_clocks_keep_raw_counts_with_a_warning),
		cmocka_unit_test(test_sym_offset_and_sym_addr_are_dropped_from_the_event_name),
		cmocka_unit_test(test_function_tracer_lines_and_stack_traces),
		cmocka_unit_test(test_unreadable_trace_options_are_rejected_naming_the_line),
		cmocka_unit_test(test_trace_pipe_with_crlf_line_endings),
		cmocka_unit_test(test_comms_with_blanks_dashes_and_wide_columns),
		cmocka_unit_test(test_two_concatenated_captures_keep_file_order),
		cmocka_unit_test(test_lines_not_understood_are_warned_not_silently_skipped),
		cmocka_unit_test(test_three_lost_event_shapes_attach_to_next_event),
		cmocka_unit_test(test_malformed_payload_is_kept_unmodelled_with_a_warning),
		cmocka_unit_test(test_malformed_payload_is_fatal_when_strict),
		cmocka_unit_test(test_truncated_last_line_and_trailing_text),
		cmocka_unit_test(test_file_without_trace_lines_is_an_error),
		cmocka_unit_test(test_binary_garbage_is_rejected_with_offset),
		cmocka_unit_test(test_random_bytes_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
