/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * instrumentation/events/tdxr.h - LTTng probes for the tdxr kernel events
 * (tdx:tdx_seamcall, kvm:kvm_tdx_sept, kvm:kvm_tdx_tdvmcall,
 * kvm:kvm_tdx_tdvmcall_done, kvm:kvm_vm_bugged and the patched
 * kvmmmu:kvm_tdp_mmu_spte_changed), as added to Linux 6.16.1 (and 7.1) by the
 * tdxr kernel-patch/ series.
 *
 * Event and field names are those of the ftrace events; the symbolic
 * names ftrace prints with __print_symbolic are string fields here
 * (leaf_name, op, name), next to the numbers they come from. The caller
 * of kvm_vm_bugged is an address (ftrace prints it with %pS).
 */
#if !defined(LTTNG_TRACE_TDXR_H) || defined(TRACE_HEADER_MULTI_READ)
#define LTTNG_TRACE_TDXR_H

#include <lttng/tracepoint-event.h>
#include <linux/kvm_host.h>
#include <asm/tdx.h>

#undef TRACE_SYSTEM
#define TRACE_SYSTEM tdxr

#ifndef ONCE_LTTNG_TDXR_H
#define ONCE_LTTNG_TDXR_H

/*
 * SEAMCALL leaf names by leaf & 0xffff, as tdx_seamcall prints them: the
 * leaves the kernel calls (TDH_* of arch/x86/virt/vmx/tdx/tdx.h).
 */
static inline const char *tdxr_lttng_leaf_name(u64 leaf)
{
	static const char * const names[] = {
		[0] = "TDH_VP_ENTER",		[1] = "TDH_MNG_ADDCX",
		[2] = "TDH_MEM_PAGE_ADD",	[3] = "TDH_MEM_SEPT_ADD",
		[4] = "TDH_VP_ADDCX",		[6] = "TDH_MEM_PAGE_AUG",
		[7] = "TDH_MEM_RANGE_BLOCK",	[8] = "TDH_MNG_KEY_CONFIG",
		[9] = "TDH_MNG_CREATE",		[10] = "TDH_VP_CREATE",
		[11] = "TDH_MNG_RD",		[16] = "TDH_MR_EXTEND",
		[17] = "TDH_MR_FINALIZE",	[18] = "TDH_VP_FLUSH",
		[19] = "TDH_MNG_VPFLUSHDONE",	[20] = "TDH_MNG_KEY_FREEID",
		[21] = "TDH_MNG_INIT",		[22] = "TDH_VP_INIT",
		[24] = "TDH_PHYMEM_PAGE_RDMD",	[26] = "TDH_VP_RD",
		[28] = "TDH_PHYMEM_PAGE_RECLAIM",	[29] = "TDH_MEM_PAGE_REMOVE",
		[31] = "TDH_SYS_KEY_CONFIG",	[33] = "TDH_SYS_INIT",
		[34] = "TDH_SYS_RD",		[35] = "TDH_SYS_LP_INIT",
		[36] = "TDH_SYS_TDMR_INIT",	[38] = "TDH_MEM_TRACK",
		[40] = "TDH_PHYMEM_CACHE_WB",	[41] = "TDH_PHYMEM_PAGE_WBINVD",
		[43] = "TDH_VP_WR",		[45] = "TDH_SYS_CONFIG",
	};
	u64 nr = leaf & 0xffff;

	if (nr < ARRAY_SIZE(names) && names[nr])
		return names[nr];
	return "";
}

/* S-EPT hook names by the op of kvm_tdx_sept (KVM_TDX_SEPT_*). */
static inline const char *tdxr_lttng_sept_op(int op)
{
	static const char * const names[] = {
		"link_spt", "set_spte", "remove_spte", "free_spt",
	};

	if (op >= 0 && op < (int)ARRAY_SIZE(names))
		return names[op];
	return "";
}

/* GHCI name of a TDVMCALL, as kvm_tdx_tdvmcall prints it. */
static inline const char *tdxr_lttng_tdvmcall_name(u64 r10, u64 r11)
{
	if (r10)
		return "KVM_HYPERCALL";
	switch (r11) {
	case EXIT_REASON_CPUID:
		return "Instruction.CPUID";
	case EXIT_REASON_HLT:
		return "Instruction.HLT";
	case EXIT_REASON_IO_INSTRUCTION:
		return "Instruction.IO";
	case EXIT_REASON_MSR_READ:
		return "Instruction.RDMSR";
	case EXIT_REASON_MSR_WRITE:
		return "Instruction.WRMSR";
	case EXIT_REASON_EPT_VIOLATION:
		return "#VE.RequestMMIO";
	case TDVMCALL_GET_TD_VM_CALL_INFO:
		return "GetTdVmCallInfo";
	case TDVMCALL_MAP_GPA:
		return "MapGPA";
	case TDVMCALL_GET_QUOTE:
		return "GetQuote";
	case TDVMCALL_REPORT_FATAL_ERROR:
		return "ReportFatalError";
	case TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT:
		return "SetupEventNotifyInterrupt";
	default:
		return "";
	}
}

#endif /* ONCE_LTTNG_TDXR_H */

LTTNG_TRACEPOINT_EVENT(tdx_seamcall,
	TP_PROTO(u64 fn, const struct tdx_module_args *in,
		 const struct tdx_module_args *out, u64 status),
	TP_ARGS(fn, in, out, status),

	TP_FIELDS(
		ctf_string(leaf_name, tdxr_lttng_leaf_name(fn))
		ctf_integer(u64, leaf, fn)
		ctf_integer_hex(u64, rcx, in->rcx)
		ctf_integer_hex(u64, rdx, in->rdx)
		ctf_integer_hex(u64, r8, in->r8)
		ctf_integer_hex(u64, r9, in->r9)
		ctf_integer_hex(u64, status, status)
		ctf_integer_hex(u64, out_rcx, out ? out->rcx : 0)
		ctf_integer_hex(u64, out_rdx, out ? out->rdx : 0)
		ctf_integer_hex(u64, out_r8, out ? out->r8 : 0)
		ctf_integer_hex(u64, out_r9, out ? out->r9 : 0)
	)
)

LTTNG_TRACEPOINT_EVENT(kvm_tdx_sept,
	TP_PROTO(struct kvm *kvm, int op, gfn_t gfn, int level,
		 kvm_pfn_t pfn, int ret),
	TP_ARGS(kvm, op, gfn, level, pfn, ret),

	TP_FIELDS(
		ctf_integer(int, vm, kvm->creator_tgid)
		ctf_string(op, tdxr_lttng_sept_op(op))
		ctf_integer_hex(u64, gfn, gfn)
		ctf_integer(int, level, level)
		ctf_integer_hex(u64, pfn, pfn)
		ctf_integer(int, ret, ret)
	)
)

LTTNG_TRACEPOINT_EVENT(kvm_tdx_tdvmcall,
	TP_PROTO(struct kvm_vcpu *vcpu, const struct tdx_module_args *regs),
	TP_ARGS(vcpu, regs),

	TP_FIELDS(
		ctf_integer(int, vm, vcpu->kvm->creator_tgid)
		ctf_integer(unsigned int, vcpu, vcpu->vcpu_id)
		ctf_integer_hex(u64, r10, regs->r10)
		ctf_integer_hex(u64, r11, regs->r11)
		ctf_string(name, tdxr_lttng_tdvmcall_name(regs->r10, regs->r11))
		ctf_integer_hex(u64, r12, regs->r12)
		ctf_integer_hex(u64, r13, regs->r13)
		ctf_integer_hex(u64, r14, regs->r14)
		ctf_integer_hex(u64, r15, regs->r15)
	)
)

LTTNG_TRACEPOINT_EVENT(kvm_tdx_tdvmcall_done,
	TP_PROTO(struct kvm_vcpu *vcpu, u64 r11, u64 status, u64 val),
	TP_ARGS(vcpu, r11, status, val),

	TP_FIELDS(
		ctf_integer(int, vm, vcpu->kvm->creator_tgid)
		ctf_integer(unsigned int, vcpu, vcpu->vcpu_id)
		ctf_integer_hex(u64, r11, r11)
		ctf_integer_hex(u64, status, status)
		ctf_integer_hex(u64, val, val)
	)
)

LTTNG_TRACEPOINT_EVENT(kvm_vm_bugged,
	TP_PROTO(struct kvm *kvm, unsigned long caller),
	TP_ARGS(kvm, caller),

	TP_FIELDS(
		ctf_integer(int, vm, kvm->creator_tgid)
		ctf_integer_hex(unsigned long, caller, caller)
	)
)

LTTNG_TRACEPOINT_EVENT(kvm_tdp_mmu_spte_changed,
	TP_PROTO(struct kvm *kvm, int as_id, gfn_t gfn, int level, u64 old_spte,
		 u64 new_spte, bool mirror),
	TP_ARGS(kvm, as_id, gfn, level, old_spte, new_spte, mirror),

	TP_FIELDS(
		ctf_integer(int, as_id, as_id)
		ctf_integer_hex(u64, gfn, gfn)
		ctf_integer(int, level, level)
		ctf_integer_hex(u64, old_spte, old_spte)
		ctf_integer_hex(u64, new_spte, new_spte)
		ctf_integer(int, mirror, mirror)
		ctf_integer(int, vm, kvm->creator_tgid)
	)
)

#endif /* LTTNG_TRACE_TDXR_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH instrumentation/events
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tdxr

/* This part must be outside protection */
#include <lttng/define_trace.h>
