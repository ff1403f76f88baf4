// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/klog_ops.c - what KVM was doing when a splat fired: the one
 * table of KVM functions and their operation (docs/design.md §5.1).
 *
 * The names come from the function definitions of arch/x86/kvm/vmx/tdx.c,
 * arch/x86/kvm/mmu/{mmu,tdp_mmu}.c, arch/x86/kvm/x86.c and
 * virt/kvm/{kvm_main,guest_memfd}.c as read in Linux 6.16.1 and 7.1.5 (the
 * generic KVM ones are older than TDX and in every kernel), and from the
 * out-of-tree TDX series that the 6.8 distribution "intel" kernels carry
 * (tdx_init_mem_region, tdx_td_finalizemr, the *_private_spte hooks).
 * `kernels` says where each TDX function was seen:
 *   "6.8-intel"   the out-of-tree series (v19 era, 2024) of those kernels
 *   "6.16"        upstream 6.16.1 (first upstream TDX host support)
 *   "7.1"         upstream 7.1.5 (after the 6.19 rework)
 *   "all"         generic KVM / core kernel, every kernel considered
 * A function absent from a listed kernel is simply not found there; the
 * table is a set of names, so entries of every era coexist.
 *
 * Rules of tdxr_klog_operation(): the innermost frame with an entry names
 * the operation (KVM's innermost function knows best what it was doing:
 * tdx_sept_remove_private_spte is a zap wherever it was called from).
 * Then context frames further out refine it:
 *   - a prefault context (KVM_PRE_FAULT_MEMORY, KVM_TDX_INIT_MEM_REGION)
 *     turns fault into prefault;
 *   - a teardown context (kvm_destroy_vm, process exit, HKID release)
 *     turns zap into teardown;
 *   - a memory-error context (memory_failure) turns zap into memory-error;
 *   - a dirty-log context turns zap into dirty-log.
 * With no entry at all the operation is unknown: nothing is guessed.
 */
#include <stdio.h>
#include <string.h>

#include "tdxr/klog.h"
#include "tdxr/tdx.h"

#define ALL "all"
#define I68 "6.8-intel"
#define U616 "6.16"
#define U71 "7.1"

static const struct tdxr_klog_fn fns[] = {
	/* fault: resolving a guest EPT violation */
	{"kvm_mmu_page_fault", TDXR_KLOG_OP_FAULT, false, ALL},
	{"kvm_mmu_do_page_fault", TDXR_KLOG_OP_FAULT, false, ALL},
	{"kvm_tdp_page_fault", TDXR_KLOG_OP_FAULT, false, ALL},
	{"direct_page_fault", TDXR_KLOG_OP_FAULT, false, ALL},
	{"kvm_tdp_mmu_map", TDXR_KLOG_OP_FAULT, false, ALL},
	{"tdp_mmu_map_handle_target_level", TDXR_KLOG_OP_FAULT, false, ALL},
	{"tdp_mmu_link_sp", TDXR_KLOG_OP_FAULT, false, ALL},
	{"set_external_spte_present", TDXR_KLOG_OP_FAULT, false, U616 " " U71},
	{"set_private_spte_present", TDXR_KLOG_OP_FAULT, false, I68},
	{"kvm_faultin_pfn", TDXR_KLOG_OP_FAULT, false, ALL},
	{"kvm_mmu_faultin_pfn", TDXR_KLOG_OP_FAULT, false, ALL},
	{"handle_ept_violation", TDXR_KLOG_OP_FAULT, false, ALL},
	{"__vmx_handle_ept_violation", TDXR_KLOG_OP_FAULT, false, U616 " " U71},
	{"tdx_handle_ept_violation", TDXR_KLOG_OP_FAULT, false, I68 " " U616 " " U71},
	{"tdx_sept_set_private_spte", TDXR_KLOG_OP_FAULT, false, I68 " " U616 " " U71},
	{"tdx_sept_link_private_spt", TDXR_KLOG_OP_FAULT, false, I68 " " U616 " " U71},
	{"tdx_mem_page_aug", TDXR_KLOG_OP_FAULT, false, I68 " " U616 " " U71},
	/* prefault: KVM_PRE_FAULT_MEMORY, KVM_TDX_INIT_MEM_REGION */
	{"kvm_arch_vcpu_pre_fault_memory", TDXR_KLOG_OP_PREFAULT, true, U616 " " U71},
	{"kvm_vcpu_pre_fault_memory", TDXR_KLOG_OP_PREFAULT, true, U616 " " U71},
	{"kvm_tdp_map_page", TDXR_KLOG_OP_PREFAULT, true, U616 " " U71},
	{"kvm_gmem_populate", TDXR_KLOG_OP_PREFAULT, true, U616 " " U71},
	{"tdx_gmem_post_populate", TDXR_KLOG_OP_PREFAULT, true, U616 " " U71},
	{"tdx_vcpu_init_mem_region", TDXR_KLOG_OP_PREFAULT, true, U616 " " U71},
	{"tdx_init_mem_region", TDXR_KLOG_OP_PREFAULT, true, I68},
	{"tdx_mem_page_add", TDXR_KLOG_OP_PREFAULT, false, U71},
	{"tdx_mem_page_record_premap_cnt", TDXR_KLOG_OP_PREFAULT, false, U616},
	{"tdx_extend_memory", TDXR_KLOG_OP_PREFAULT, true, I68},
	/* zap: unmapping while the VM lives */
	{"kvm_tdp_mmu_unmap_gfn_range", TDXR_KLOG_OP_ZAP, false, ALL},
	{"kvm_unmap_gfn_range", TDXR_KLOG_OP_ZAP, false, ALL},
	{"kvm_mmu_notifier_invalidate_range_start", TDXR_KLOG_OP_ZAP, false, ALL},
	{"kvm_mmu_unmap_gfn_range", TDXR_KLOG_OP_ZAP, false, ALL},
	{"kvm_gmem_punch_hole", TDXR_KLOG_OP_ZAP, false, U616 " " U71},
	{"kvm_gmem_invalidate_begin", TDXR_KLOG_OP_ZAP, false, U616 " " U71},
	{"kvm_arch_flush_shadow_memslot", TDXR_KLOG_OP_ZAP, false, ALL},
	{"kvm_mmu_zap_memslot", TDXR_KLOG_OP_ZAP, false, U616 " " U71},
	{"kvm_mmu_zap_memslot_leafs", TDXR_KLOG_OP_ZAP, false, U616 " " U71},
	{"kvm_mmu_zap_all_fast", TDXR_KLOG_OP_ZAP, false, ALL},
	{"kvm_arch_pre_set_memory_attributes", TDXR_KLOG_OP_ZAP, false, U616 " " U71},
	{"kvm_vm_set_mem_attributes", TDXR_KLOG_OP_ZAP, false, U616 " " U71},
	{"kvm_tdp_mmu_zap_leafs", TDXR_KLOG_OP_ZAP, false, ALL},
	{"tdp_mmu_zap_leafs", TDXR_KLOG_OP_ZAP, false, ALL},
	{"kvm_tdp_mmu_zap_sp", TDXR_KLOG_OP_ZAP, false, ALL},
	{"handle_removed_pt", TDXR_KLOG_OP_ZAP, false, ALL},
	{"remove_external_spte", TDXR_KLOG_OP_ZAP, false, U616},
	{"handle_removed_private_spte", TDXR_KLOG_OP_ZAP, false, I68},
	{"tdx_sept_remove_private_spte", TDXR_KLOG_OP_ZAP, false, I68 " " U616 " " U71},
	{"tdx_sept_zap_private_spte", TDXR_KLOG_OP_ZAP, false, I68 " " U616},
	{"tdx_sept_drop_private_spte", TDXR_KLOG_OP_ZAP, false, I68 " " U616},
	{"tdx_sept_free_private_spt", TDXR_KLOG_OP_ZAP, false, I68 " " U616 " " U71},
	{"tdx_track", TDXR_KLOG_OP_ZAP, false, I68 " " U616 " " U71},
	{"tdx_no_vcpus_enter_start", TDXR_KLOG_OP_ZAP, false, U616},
	/* split: huge page split/demote */
	{"tdp_mmu_split_huge_page", TDXR_KLOG_OP_SPLIT, false, ALL},
	{"tdp_mmu_split_huge_pages_root", TDXR_KLOG_OP_SPLIT, false, ALL},
	{"kvm_tdp_mmu_try_split_huge_pages", TDXR_KLOG_OP_SPLIT, false, ALL},
	{"kvm_mmu_try_split_huge_pages", TDXR_KLOG_OP_SPLIT, false, ALL},
	{"tdx_sept_split_private_spte", TDXR_KLOG_OP_SPLIT, false, "hugepage RFC"},
	/* teardown: VM destruction, TD page and HKID reclaim */
	{"kvm_destroy_vm", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"kvm_arch_destroy_vm", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"kvm_arch_pre_destroy_vm", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"kvm_put_kvm", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"kvm_vm_release", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"kvm_mmu_notifier_release", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"kvm_flush_shadow_all", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"kvm_mmu_uninit_tdp_mmu", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"kvm_destroy_vcpus", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"do_exit", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"do_group_exit", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"exit_mmap", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"__mmput", TDXR_KLOG_OP_TEARDOWN, true, ALL},
	{"tdx_mmu_release_hkid", TDXR_KLOG_OP_TEARDOWN, true, I68 " " U616 " " U71},
	{"tdx_vm_destroy", TDXR_KLOG_OP_TEARDOWN, true, U616 " " U71},
	{"tdx_vm_free", TDXR_KLOG_OP_TEARDOWN, true, I68},
	{"tdx_reclaim_td_control_pages", TDXR_KLOG_OP_TEARDOWN, false, U616 " " U71},
	{"tdx_reclaim_control_page", TDXR_KLOG_OP_TEARDOWN, false, U616 " " U71},
	{"tdx_reclaim_page", TDXR_KLOG_OP_TEARDOWN, false, I68 " " U616 " " U71},
	{"__tdx_reclaim_page", TDXR_KLOG_OP_TEARDOWN, false, U616 " " U71},
	{"tdx_vcpu_free", TDXR_KLOG_OP_TEARDOWN, false, I68 " " U616 " " U71},
	{"tdx_flush_vp", TDXR_KLOG_OP_TEARDOWN, false, I68 " " U616 " " U71},
	{"tdx_flush_vp_on_cpu", TDXR_KLOG_OP_TEARDOWN, false, I68 " " U616 " " U71},
	{"tdx_hkid_free", TDXR_KLOG_OP_TEARDOWN, false, U616 " " U71},
	/* vcpu-run: the KVM_RUN path, MMU load */
	{"kvm_arch_vcpu_ioctl_run", TDXR_KLOG_OP_VCPU_RUN, false, ALL},
	{"vcpu_run", TDXR_KLOG_OP_VCPU_RUN, false, ALL},
	{"vcpu_enter_guest", TDXR_KLOG_OP_VCPU_RUN, false, ALL},
	{"kvm_mmu_load", TDXR_KLOG_OP_VCPU_RUN, false, ALL},
	{"kvm_mmu_reload", TDXR_KLOG_OP_VCPU_RUN, false, ALL},
	{"mmu_alloc_direct_roots", TDXR_KLOG_OP_VCPU_RUN, false, ALL},
	{"kvm_tdp_mmu_get_vcpu_root_hpa", TDXR_KLOG_OP_VCPU_RUN, false, ALL},
	{"tdx_load_mmu_pgd", TDXR_KLOG_OP_VCPU_RUN, false, I68 " " U616 " " U71},
	{"tdx_vcpu_run", TDXR_KLOG_OP_VCPU_RUN, false, I68 " " U616 " " U71},
	{"tdx_vcpu_enter_exit", TDXR_KLOG_OP_VCPU_RUN, false, I68 " " U616 " " U71},
	{"tdx_vcpu_pre_run", TDXR_KLOG_OP_VCPU_RUN, false, U616 " " U71},
	{"tdx_handle_exit", TDXR_KLOG_OP_VCPU_RUN, false, I68 " " U616 " " U71},
	{"tdx_vcpu_load", TDXR_KLOG_OP_VCPU_RUN, false, I68 " " U616 " " U71},
	{"tdh_vp_rd_failed", TDXR_KLOG_OP_VCPU_RUN, false, U616 " " U71},
	{"tdh_vp_wr_failed", TDXR_KLOG_OP_VCPU_RUN, false, U616 " " U71},
	/* vcpu-setup / vm-setup: creation and TDX init ioctls */
	{"kvm_vm_ioctl_create_vcpu", TDXR_KLOG_OP_VCPU_SETUP, true, ALL},
	{"kvm_arch_vcpu_create", TDXR_KLOG_OP_VCPU_SETUP, true, ALL},
	{"tdx_vcpu_create", TDXR_KLOG_OP_VCPU_SETUP, false, I68 " " U616 " " U71},
	{"tdx_td_vcpu_init", TDXR_KLOG_OP_VCPU_SETUP, false, I68 " " U616 " " U71},
	{"tdx_vcpu_init", TDXR_KLOG_OP_VCPU_SETUP, false, U616 " " U71},
	{"kvm_dev_ioctl_create_vm", TDXR_KLOG_OP_VM_SETUP, true, ALL},
	{"kvm_create_vm", TDXR_KLOG_OP_VM_SETUP, true, ALL},
	{"kvm_arch_init_vm", TDXR_KLOG_OP_VM_SETUP, true, ALL},
	{"tdx_vm_init", TDXR_KLOG_OP_VM_SETUP, false, I68 " " U616 " " U71},
	{"tdx_td_init", TDXR_KLOG_OP_VM_SETUP, false, I68 " " U616 " " U71},
	{"__tdx_td_init", TDXR_KLOG_OP_VM_SETUP, false, I68 " " U616 " " U71},
	{"tdx_td_finalize", TDXR_KLOG_OP_VM_SETUP, false, U616 " " U71},
	{"tdx_td_finalizemr", TDXR_KLOG_OP_VM_SETUP, false, I68},
	{"tdx_do_tdh_mng_key_config", TDXR_KLOG_OP_VM_SETUP, false, U616 " " U71},
	{"tdx_get_capabilities", TDXR_KLOG_OP_VM_SETUP, false, I68 " " U616 " " U71},
	/* dirty-log */
	{"kvm_vm_ioctl_get_dirty_log", TDXR_KLOG_OP_DIRTY_LOG, true, ALL},
	{"kvm_vm_ioctl_clear_dirty_log", TDXR_KLOG_OP_DIRTY_LOG, true, ALL},
	{"kvm_mmu_slot_remove_write_access", TDXR_KLOG_OP_DIRTY_LOG, false, ALL},
	{"kvm_tdp_mmu_wrprot_slot", TDXR_KLOG_OP_DIRTY_LOG, false, ALL},
	{"kvm_tdp_mmu_clear_dirty_slot", TDXR_KLOG_OP_DIRTY_LOG, false, ALL},
	{"kvm_tdp_mmu_clear_dirty_pt_masked", TDXR_KLOG_OP_DIRTY_LOG, false, ALL},
	{"kvm_arch_mmu_enable_log_dirty_pt_masked", TDXR_KLOG_OP_DIRTY_LOG, false, ALL},
	{"vmx_flush_pml_buffer", TDXR_KLOG_OP_DIRTY_LOG, false, ALL},
	{"kvm_dirty_ring_reset", TDXR_KLOG_OP_DIRTY_LOG, true, ALL},
	/* mmio */
	{"handle_ept_misconfig", TDXR_KLOG_OP_MMIO, false, ALL},
	{"tdx_emulate_mmio", TDXR_KLOG_OP_MMIO, false, I68 " " U616 " " U71},
	{"tdx_mmio_read", TDXR_KLOG_OP_MMIO, false, U616 " " U71},
	{"tdx_mmio_write", TDXR_KLOG_OP_MMIO, false, U616 " " U71},
	{"tdx_complete_mmio_read", TDXR_KLOG_OP_MMIO, false, U616 " " U71},
	{"kvm_io_bus_read", TDXR_KLOG_OP_MMIO, false, ALL},
	{"kvm_io_bus_write", TDXR_KLOG_OP_MMIO, false, ALL},
	/* memory-error: MCE and poison */
	{"memory_failure", TDXR_KLOG_OP_MEMORY_ERROR, true, ALL},
	{"kvm_gmem_error_folio", TDXR_KLOG_OP_MEMORY_ERROR, true, U616 " " U71},
	{"kvm_gmem_error_page", TDXR_KLOG_OP_MEMORY_ERROR, true, I68},
	{"do_machine_check", TDXR_KLOG_OP_MEMORY_ERROR, true, ALL},
	{"kvm_machine_check", TDXR_KLOG_OP_MEMORY_ERROR, true, ALL},
	/* debug-access: host reads and writes of guest memory */
	{"kvm_read_guest", TDXR_KLOG_OP_DEBUG_ACCESS, false, ALL},
	{"kvm_write_guest", TDXR_KLOG_OP_DEBUG_ACCESS, false, ALL},
	{"kvm_read_guest_page", TDXR_KLOG_OP_DEBUG_ACCESS, false, ALL},
	{"kvm_write_guest_page", TDXR_KLOG_OP_DEBUG_ACCESS, false, ALL},
	{"kvm_vcpu_read_guest", TDXR_KLOG_OP_DEBUG_ACCESS, false, ALL},
	{"kvm_vcpu_write_guest", TDXR_KLOG_OP_DEBUG_ACCESS, false, ALL},
	{"kvm_arch_vcpu_ioctl_translate", TDXR_KLOG_OP_DEBUG_ACCESS, false, ALL},
};

const char *tdxr_klog_op_name(enum tdxr_klog_op op)
{
	static const char *const names[] = {
#define X(id, s) s,
		TDXR_KLOG_OPS(X)
#undef X
	};

	return (unsigned int)op < TDXR_KLOG_OP__COUNT ? names[op] : "unknown";
}

const struct tdxr_klog_fn *tdxr_klog_fn_lookup(const char *func, size_t len)
{
	/* "func.cold", "func.isra.0", "func.constprop.0": the compiler's
	 * clones are the function. */
	const char *dot = memchr(func, '.', len);

	if (dot) {
		len = (size_t)(dot - func);
	}
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		if (strncmp(fns[i].name, func, len) == 0 && fns[i].name[len] == '\0') {
			return &fns[i];
		}
	}
	return NULL;
}

/* What a context frame of operation @ctx makes of the site's @op. */
static enum tdxr_klog_op refine(enum tdxr_klog_op op, enum tdxr_klog_op ctx)
{
	switch (ctx) {
	case TDXR_KLOG_OP_PREFAULT:
		return op == TDXR_KLOG_OP_FAULT ? ctx : op;
	case TDXR_KLOG_OP_TEARDOWN:
	case TDXR_KLOG_OP_MEMORY_ERROR:
	case TDXR_KLOG_OP_DIRTY_LOG:
		return op == TDXR_KLOG_OP_ZAP ? ctx : op;
	default:
		return op;
	}
}

enum tdxr_klog_op tdxr_klog_operation(const char *const *funcs, unsigned int n)
{
	enum tdxr_klog_op op = TDXR_KLOG_OP_UNKNOWN;
	unsigned int i;

	/* 1. The innermost known frame names the operation. */
	for (i = 0; i < n; i++) {
		const struct tdxr_klog_fn *f = tdxr_klog_fn_lookup(funcs[i], strlen(funcs[i]));

		if (f) {
			op = f->op;
			break;
		}
	}
	/* 2. Context frames further out refine it. */
	for (i++; i < n && op != TDXR_KLOG_OP_UNKNOWN; i++) {
		const struct tdxr_klog_fn *f = tdxr_klog_fn_lookup(funcs[i], strlen(funcs[i]));

		if (f && f->context) {
			op = refine(op, f->op);
		}
	}
	return op;
}

/* ---- status values and the splat's strings ------------------------------ */

bool tdxr_klog_status(uint64_t v, char *name, size_t nlen, char *operand, size_t olen)
{
	const char *cls = tdxr_tdx_status_name(v), *op;
	uint32_t id = (uint32_t)v;

	snprintf(name, nlen, "%s", cls ? cls : "");
	if (!cls || id == 0) {
		snprintf(operand, olen, "%s", "");
	} else if ((op = tdxr_tdx_operand_name(id)) != NULL) {
		snprintf(operand, olen, "%s", op);
	} else {
		snprintf(operand, olen, "0x%x", id);
	}
	return cls != NULL;
}

bool tdxr_klog_is_sys_leaf(uint64_t leaf)
{
	const char *n = tdxr_seamcall_name(leaf);

	/* 52/53 (TDH.SYS.SHUTDOWN/UPDATE, runtime module update) are newer
	 * than the leaf table */
	return (n && strncmp(n, "TDH_SYS_", 8) == 0) || leaf == 52 || leaf == 53;
}

bool tdxr_klog_is_tdx_error(uint64_t v)
{
	char n[64], o[32];

	return (v >> 63) && tdxr_klog_status(v, n, sizeof(n), o, sizeof(o));
}

bool tdxr_klog_next_frame(const char **p, struct tdxr_klog_frame *fr)
{
	const char *s = *p, *e, *q, *plus, *lb;

	if (!s || !*s) {
		return false;
	}
	e = strstr(s, TDXR_KLOG_SEP);
	*p = e ? e + strlen(TDXR_KLOG_SEP) : s + strlen(s);
	if (!e) {
		e = s + strlen(s);
	}
	memset(fr, 0, sizeof(*fr));
	fr->reliable = true;
	if (strncmp(s, "? ", 2) == 0) {
		fr->reliable = false;
		s += 2;
	}
	lb = memchr(s, '[', (size_t)(e - s));
	q = lb ? lb : e;
	while (q > s && q[-1] == ' ') {
		q--;
	}
	plus = memchr(s, '+', (size_t)(q - s));
	snprintf(fr->func, sizeof(fr->func), "%.*s", (int)((plus ? plus : q) - s), s);
	if (plus) {
		snprintf(fr->offset, sizeof(fr->offset), "%.*s", (int)(q - plus - 1), plus + 1);
	}
	if (lb) {
		const char *rb = memchr(lb, ']', (size_t)(e - lb));

		snprintf(fr->module, sizeof(fr->module), "%.*s", (int)((rb ? rb : e) - lb - 1),
			 lb + 1);
	}
	return true;
}

bool tdxr_klog_ctx_get(const char *ctx, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = ctx; p && *p;) {
		const char *e = strstr(p, TDXR_KLOG_SEP);
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			snprintf(out, len, "%.*s", (int)(n - kl - 1), p + kl + 1);
			return true;
		}
		p = e ? e + strlen(TDXR_KLOG_SEP) : NULL;
	}
	if (len) {
		out[0] = '\0';
	}
	return false;
}
