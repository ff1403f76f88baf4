// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/synth/emit.c - one formatter per event.
 *
 * Each writes exactly the TP_printk text of schema/events.def (print_fmt
 * column) for the §2.1 and §2.2 events, and the upstream formats for the
 * unmodelled noise (kvm_apic_accept_irq, sched_switch, sched_wakeup).
 * Latency flags: "d..1." inside the vCPU run loop (IRQs off, preemption
 * off), "....." in process context, "d..2." for the scheduler.
 */
#include "syn.h"

#define FL_RUN "d..1."
#define FL_PROC "....."
#define FL_SCHED "d..2."

/* The tracepoint's %s: the kernel name of leaf & 0xffff. */
static const char *leaf_name(uint64_t leaf)
{
	const char *nm = tdxr_seamcall_name(leaf);

	return nm ? nm : "UNKNOWN";
}

void trc_em_seamcall(struct syn_gen *g, const struct syn_thread *t, const struct syn_sc *c)
{
	/* VP.ENTER's event is emitted by tdx_vcpu_run() with IRQs still off */
	char *p = SYN_BEGIN(g, t, (c->leaf & 0xffff) == TDH_VP_ENTER ? FL_RUN : FL_PROC,
			    "tdx_seamcall");

	SYN_TYPE(g, TDX_SEAMCALL);
	SYN_S(g, TDX_SEAMCALL, leaf_name, leaf_name(c->leaf));
	SYN_U(g, TDX_SEAMCALL, leaf, c->leaf);
	SYN_U(g, TDX_SEAMCALL, rcx, c->rcx);
	SYN_U(g, TDX_SEAMCALL, rdx, c->rdx);
	SYN_U(g, TDX_SEAMCALL, r8, c->r8);
	SYN_U(g, TDX_SEAMCALL, r9, c->r9);
	SYN_U(g, TDX_SEAMCALL, status, c->status);
	SYN_U(g, TDX_SEAMCALL, out_rcx, c->ocx);
	SYN_U(g, TDX_SEAMCALL, out_rdx, c->odx);
	SYN_U(g, TDX_SEAMCALL, out_r8, c->o8);
	SYN_U(g, TDX_SEAMCALL, out_r9, c->o9);
	p = PUT_LIT(p, "leaf ");
	p = put_str(p, leaf_name(c->leaf));
	p = PUT_LIT(p, " (");
	p = put_u(p, c->leaf);
	p = PUT_LIT(p, ") rcx 0x");
	p = put_hex(p, c->rcx);
	p = PUT_LIT(p, " rdx 0x");
	p = put_hex(p, c->rdx);
	p = PUT_LIT(p, " r8 0x");
	p = put_hex(p, c->r8);
	p = PUT_LIT(p, " r9 0x");
	p = put_hex(p, c->r9);
	p = PUT_LIT(p, " status 0x");
	p = put_hexw(p, c->status, 16);
	p = PUT_LIT(p, " out_rcx 0x");
	p = put_hex(p, c->ocx);
	p = PUT_LIT(p, " out_rdx 0x");
	p = put_hex(p, c->odx);
	p = PUT_LIT(p, " out_r8 0x");
	p = put_hex(p, c->o8);
	p = PUT_LIT(p, " out_r9 0x");
	p = put_hex(p, c->o9);
	trc_syn_ev_end(g, p);
}

void trc_em_sept(struct syn_gen *g, const struct syn_thread *t, int vm, const char *op,
		 uint64_t gfn, int level, uint64_t pfn, int ret)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_tdx_sept");

	SYN_TYPE(g, KVM_TDX_SEPT);
	SYN_U(g, KVM_TDX_SEPT, vm, (int64_t)vm);
	SYN_S(g, KVM_TDX_SEPT, op, op);
	SYN_U(g, KVM_TDX_SEPT, gfn, gfn);
	SYN_U(g, KVM_TDX_SEPT, level, (int64_t)level);
	SYN_U(g, KVM_TDX_SEPT, pfn, pfn);
	SYN_U(g, KVM_TDX_SEPT, ret, (int64_t)ret);
	p = PUT_LIT(p, "vm ");
	p = put_d(p, vm);
	p = PUT_LIT(p, " op ");
	p = put_str(p, op);
	p = PUT_LIT(p, " gfn ");
	p = put_hex(p, gfn);
	p = PUT_LIT(p, " level ");
	p = put_d(p, level);
	p = PUT_LIT(p, " pfn ");
	p = put_hex(p, pfn);
	p = PUT_LIT(p, " ret ");
	p = put_d(p, ret);
	trc_syn_ev_end(g, p);
}

void trc_em_tdvmcall(struct syn_gen *g, const struct syn_vcpu *v, uint64_t r10, uint64_t r11,
		     const char *name, uint64_t r12, uint64_t r13, uint64_t r14, uint64_t r15)
{
	char *p = SYN_BEGIN(g, &v->thr, FL_PROC, "kvm_tdx_tdvmcall");

	SYN_TYPE(g, KVM_TDX_TDVMCALL);
	SYN_U(g, KVM_TDX_TDVMCALL, vm, (int64_t)v->vm->pid);
	SYN_U(g, KVM_TDX_TDVMCALL, vcpu, v->id);
	SYN_U(g, KVM_TDX_TDVMCALL, r10, r10);
	SYN_U(g, KVM_TDX_TDVMCALL, r11, r11);
	SYN_S(g, KVM_TDX_TDVMCALL, name, name);
	SYN_U(g, KVM_TDX_TDVMCALL, r12, r12);
	SYN_U(g, KVM_TDX_TDVMCALL, r13, r13);
	SYN_U(g, KVM_TDX_TDVMCALL, r14, r14);
	SYN_U(g, KVM_TDX_TDVMCALL, r15, r15);
	p = PUT_LIT(p, "vm ");
	p = put_d(p, v->vm->pid);
	p = PUT_LIT(p, " vcpu ");
	p = put_u(p, v->id);
	p = PUT_LIT(p, " r10 0x");
	p = put_hex(p, r10);
	p = PUT_LIT(p, " r11 0x");
	p = put_hex(p, r11);
	p = PUT_LIT(p, " (");
	p = put_str(p, name);
	p = PUT_LIT(p, ") r12 0x");
	p = put_hex(p, r12);
	p = PUT_LIT(p, " r13 0x");
	p = put_hex(p, r13);
	p = PUT_LIT(p, " r14 0x");
	p = put_hex(p, r14);
	p = PUT_LIT(p, " r15 0x");
	p = put_hex(p, r15);
	trc_syn_ev_end(g, p);
}

void trc_em_tdvmcall_done(struct syn_gen *g, const struct syn_vcpu *v, uint64_t r11,
			  uint64_t status, uint64_t val)
{
	char *p = SYN_BEGIN(g, &v->thr, FL_PROC, "kvm_tdx_tdvmcall_done");

	SYN_TYPE(g, KVM_TDX_TDVMCALL_DONE);
	SYN_U(g, KVM_TDX_TDVMCALL_DONE, vm, (int64_t)v->vm->pid);
	SYN_U(g, KVM_TDX_TDVMCALL_DONE, vcpu, v->id);
	SYN_U(g, KVM_TDX_TDVMCALL_DONE, r11, r11);
	SYN_U(g, KVM_TDX_TDVMCALL_DONE, status, status);
	SYN_U(g, KVM_TDX_TDVMCALL_DONE, val, val);
	p = PUT_LIT(p, "vm ");
	p = put_d(p, v->vm->pid);
	p = PUT_LIT(p, " vcpu ");
	p = put_u(p, v->id);
	p = PUT_LIT(p, " r11 0x");
	p = put_hex(p, r11);
	p = PUT_LIT(p, " status 0x");
	p = put_hex(p, status);
	p = PUT_LIT(p, " val 0x");
	p = put_hex(p, val);
	trc_syn_ev_end(g, p);
}

void trc_em_vm_bugged(struct syn_gen *g, const struct syn_thread *t, int vm, const char *caller)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_vm_bugged");

	SYN_TYPE(g, KVM_VM_BUGGED);
	SYN_U(g, KVM_VM_BUGGED, vm, (int64_t)vm);
	SYN_S(g, KVM_VM_BUGGED, caller, caller);
	p = PUT_LIT(p, "vm ");
	p = put_d(p, vm);
	p = PUT_LIT(p, " caller ");
	p = put_str(p, caller);
	trc_syn_ev_end(g, p);
}

void trc_em_spte_changed(struct syn_gen *g, const struct syn_thread *t, uint64_t gfn, int level,
			 uint64_t old_spte, uint64_t new_spte, int mirror, int vm)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_tdp_mmu_spte_changed");

	SYN_TYPE(g, KVM_TDP_MMU_SPTE_CHANGED);
	SYN_U(g, KVM_TDP_MMU_SPTE_CHANGED, as_id, 0);
	SYN_U(g, KVM_TDP_MMU_SPTE_CHANGED, gfn, gfn);
	SYN_U(g, KVM_TDP_MMU_SPTE_CHANGED, level, (int64_t)level);
	SYN_U(g, KVM_TDP_MMU_SPTE_CHANGED, old_spte, old_spte);
	SYN_U(g, KVM_TDP_MMU_SPTE_CHANGED, new_spte, new_spte);
	SYN_U(g, KVM_TDP_MMU_SPTE_CHANGED, mirror, (int64_t)mirror);
	SYN_U(g, KVM_TDP_MMU_SPTE_CHANGED, vm, (int64_t)vm);
	p = PUT_LIT(p, "as id 0 gfn ");
	p = put_hex(p, gfn);
	p = PUT_LIT(p, " level ");
	p = put_d(p, level);
	p = PUT_LIT(p, " old_spte ");
	p = put_hex(p, old_spte);
	p = PUT_LIT(p, " new_spte ");
	p = put_hex(p, new_spte);
	p = PUT_LIT(p, " mirror ");
	p = put_d(p, mirror);
	p = PUT_LIT(p, " vm ");
	p = put_d(p, vm);
	trc_syn_ev_end(g, p);
}

void trc_em_entry(struct syn_gen *g, const struct syn_vcpu *v)
{
	char *p = SYN_BEGIN(g, &v->thr, FL_RUN, "kvm_entry");

	SYN_TYPE(g, KVM_ENTRY);
	SYN_U(g, KVM_ENTRY, vcpu_id, v->id);
	SYN_U(g, KVM_ENTRY, rip, 0);
	SYN_U(g, KVM_ENTRY, intr_info, 0);
	SYN_U(g, KVM_ENTRY, error_code, 0);
	SYN_S(g, KVM_ENTRY, immediate_exit, ""); /* "%s": empty unless immediate */
	p = PUT_LIT(p, "vcpu ");
	p = put_u(p, v->id);
	p = PUT_LIT(p, ", rip 0x0 intr_info 0x00000000 error_code 0x00000000");
	trc_syn_ev_end(g, p);
}

void trc_em_exit(struct syn_gen *g, const struct syn_vcpu *v, const char *reason, uint64_t info1,
		 uint64_t info2, uint32_t intr_info)
{
	char *p = SYN_BEGIN(g, &v->thr, FL_RUN, "kvm_exit");

	SYN_TYPE(g, KVM_EXIT);
	SYN_U(g, KVM_EXIT, vcpu_id, v->id);
	SYN_S(g, KVM_EXIT, reason, reason);
	SYN_U(g, KVM_EXIT, rip, 0);
	SYN_U(g, KVM_EXIT, info1, info1);
	SYN_U(g, KVM_EXIT, info2, info2);
	SYN_U(g, KVM_EXIT, intr_info, intr_info);
	SYN_U(g, KVM_EXIT, error_code, 0);
	SYN_U(g, KVM_EXIT, requests, 0);
	p = PUT_LIT(p, "vcpu ");
	p = put_u(p, v->id);
	p = PUT_LIT(p, " reason ");
	p = put_str(p, reason);
	p = PUT_LIT(p, " rip 0x0 info1 0x");
	p = put_hexw(p, info1, 16);
	p = PUT_LIT(p, " info2 0x");
	p = put_hexw(p, info2, 16);
	p = PUT_LIT(p, " intr_info 0x");
	p = put_hexw(p, intr_info, 8);
	p = PUT_LIT(p, " error_code 0x00000000 requests 0x0000000000000000");
	trc_syn_ev_end(g, p);
}

void trc_em_page_fault(struct syn_gen *g, const struct syn_vcpu *v, uint64_t gpa, uint64_t err)
{
	char *p = SYN_BEGIN(g, &v->thr, FL_PROC, "kvm_page_fault");

	SYN_TYPE(g, KVM_PAGE_FAULT);
	SYN_U(g, KVM_PAGE_FAULT, vcpu_id, v->id);
	SYN_U(g, KVM_PAGE_FAULT, rip, 0);
	SYN_U(g, KVM_PAGE_FAULT, address, gpa);
	SYN_U(g, KVM_PAGE_FAULT, error_code, err);
	p = PUT_LIT(p, "vcpu ");
	p = put_u(p, v->id);
	p = PUT_LIT(p, " rip 0x0 address 0x");
	p = put_hexw(p, gpa, 16);
	p = PUT_LIT(p, " error_code 0x");
	p = put_hex(p, err);
	trc_syn_ev_end(g, p);
}

void trc_em_mmio(struct syn_gen *g, const struct syn_thread *t, const char *type, unsigned int len,
		 uint64_t gpa, uint64_t val)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_mmio");

	SYN_TYPE(g, KVM_MMIO);
	SYN_S(g, KVM_MMIO, type_name, type);
	SYN_U(g, KVM_MMIO, len, len);
	SYN_U(g, KVM_MMIO, gpa, gpa);
	SYN_U(g, KVM_MMIO, val, val);
	p = PUT_LIT(p, "mmio ");
	p = put_str(p, type);
	p = PUT_LIT(p, " len ");
	p = put_u(p, len);
	p = PUT_LIT(p, " gpa 0x");
	p = put_hex(p, gpa);
	p = PUT_LIT(p, " val 0x");
	p = put_hex(p, val);
	trc_syn_ev_end(g, p);
}

void trc_em_fast_mmio(struct syn_gen *g, const struct syn_thread *t, uint64_t gpa)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_fast_mmio");

	SYN_TYPE(g, KVM_FAST_MMIO);
	SYN_U(g, KVM_FAST_MMIO, gpa, gpa);
	p = PUT_LIT(p, "fast mmio at gpa 0x");
	p = put_hex(p, gpa);
	trc_syn_ev_end(g, p);
}

void trc_em_pio(struct syn_gen *g, const struct syn_thread *t, bool write, unsigned int port,
		int size, uint32_t val)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_pio");

	SYN_TYPE(g, KVM_PIO);
	SYN_S(g, KVM_PIO, rw_name, write ? "write" : "read");
	SYN_U(g, KVM_PIO, port, port);
	SYN_U(g, KVM_PIO, size, (int64_t)size);
	SYN_U(g, KVM_PIO, count, 1);
	SYN_U(g, KVM_PIO, val, val);
	SYN_S(g, KVM_PIO, more, ""); /* "(...)" only when count > 1 */
	p = write ? PUT_LIT(p, "pio_write at 0x") : PUT_LIT(p, "pio_read at 0x");
	p = put_hex(p, port);
	p = PUT_LIT(p, " size ");
	p = put_d(p, size);
	p = PUT_LIT(p, " count 1 val 0x");
	p = put_hex(p, val);
	*p++ = ' '; /* "%s": "(...)" only when count > 1 */
	trc_syn_ev_end(g, p);
}

void trc_em_userspace_exit(struct syn_gen *g, const struct syn_thread *t, const char *reason,
			   int nr)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_userspace_exit");

	SYN_TYPE(g, KVM_USERSPACE_EXIT);
	SYN_S(g, KVM_USERSPACE_EXIT, reason_name, reason);
	SYN_U(g, KVM_USERSPACE_EXIT, reason, (int64_t)nr);
	p = PUT_LIT(p, "reason ");
	p = put_str(p, reason);
	p = PUT_LIT(p, " (");
	p = put_d(p, nr);
	*p++ = ')';
	trc_syn_ev_end(g, p);
}

void trc_em_set_spte(struct syn_gen *g, const struct syn_thread *t, uint64_t gfn, uint64_t spte,
		     int level, uint64_t sptep)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_mmu_set_spte");

	SYN_TYPE(g, KVM_MMU_SET_SPTE);
	SYN_U(g, KVM_MMU_SET_SPTE, gfn, gfn);
	SYN_U(g, KVM_MMU_SET_SPTE, spte, spte);
	SYN_U(g, KVM_MMU_SET_SPTE, level, (int64_t)level);
	SYN_U(g, KVM_MMU_SET_SPTE, sptep, sptep);
	p = PUT_LIT(p, "gfn ");
	p = put_hex(p, gfn);
	p = PUT_LIT(p, " spte ");
	p = put_hex(p, spte);
	*p++ = ' ';
	*p++ = '(';
	*p++ = (spte & 1) ? 'r' : '-';
	*p++ = (spte & 2) ? 'w' : '-';
	*p++ = (spte & 4) ? 'x' : '-';
	*p++ = (spte & 1) ? 'u' : '-'; /* shadow_user_mask is R for EPT */
	memcpy(g->rec_buf, p - 4, 4);
	g->rec_buf[4] = '\0';
	SYN_S(g, KVM_MMU_SET_SPTE, access, g->rec_buf);
	p = PUT_LIT(p, ") level ");
	p = put_d(p, level);
	p = PUT_LIT(p, " at ");
	p = put_hex(p, sptep);
	trc_syn_ev_end(g, p);
}

void trc_em_spte_requested(struct syn_gen *g, const struct syn_thread *t, uint64_t gfn,
			   uint64_t pfn, int level)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_mmu_spte_requested");

	SYN_TYPE(g, KVM_MMU_SPTE_REQUESTED);
	SYN_U(g, KVM_MMU_SPTE_REQUESTED, gfn, gfn);
	SYN_U(g, KVM_MMU_SPTE_REQUESTED, pfn, pfn);
	SYN_U(g, KVM_MMU_SPTE_REQUESTED, level, (int64_t)level);
	p = PUT_LIT(p, "gfn ");
	p = put_hex(p, gfn);
	p = PUT_LIT(p, " pfn ");
	p = put_hex(p, pfn);
	p = PUT_LIT(p, " level ");
	p = put_d(p, level);
	trc_syn_ev_end(g, p);
}

void trc_em_mark_mmio(struct syn_gen *g, const struct syn_thread *t, uint64_t sptep, uint64_t gfn,
		      unsigned int gen)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "mark_mmio_spte");

	SYN_TYPE(g, MARK_MMIO_SPTE);
	SYN_U(g, MARK_MMIO_SPTE, sptep, (sptep * 0x9e3779b1u) & 0xffffffffu);
	SYN_U(g, MARK_MMIO_SPTE, gfn, gfn);
	SYN_U(g, MARK_MMIO_SPTE, access, 0);
	SYN_U(g, MARK_MMIO_SPTE, gen, gen);
	/* %p prints a hashed pointer: 32 significant bits, 16 digits */
	p = PUT_LIT(p, "sptep:");
	p = put_hexw(p, (sptep * 0x9e3779b1u) & 0xffffffffu, 16);
	p = PUT_LIT(p, " gfn ");
	p = put_hex(p, gfn);
	p = PUT_LIT(p, " access 0 gen ");
	p = put_hex(p, gen);
	trc_syn_ev_end(g, p);
}

void trc_em_zap_page(struct syn_gen *g, const struct syn_thread *t, uint64_t gfn, int level)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_mmu_prepare_zap_page");

	SYN_TYPE(g, KVM_MMU_PREPARE_ZAP_PAGE);
	SYN_U(g, KVM_MMU_PREPARE_ZAP_PAGE, mmu_valid_gen, 0);
	SYN_U(g, KVM_MMU_PREPARE_ZAP_PAGE, gfn, gfn);
	SYN_U(g, KVM_MMU_PREPARE_ZAP_PAGE, level, (int64_t)level);
	SYN_U(g, KVM_MMU_PREPARE_ZAP_PAGE, gpte_size, 8);
	SYN_U(g, KVM_MMU_PREPARE_ZAP_PAGE, quadrant, 0);
	/* the role flags after "q%u", as one string */
	SYN_S(g, KVM_MMU_PREPARE_ZAP_PAGE, role, " direct wux nxe ad root 0 sync");
	p = PUT_LIT(p, "sp gen 0 gfn ");
	p = put_hex(p, gfn);
	p = PUT_LIT(p, " l");
	p = put_d(p, level);
	p = PUT_LIT(p, " 8-byte q0 direct wux nxe ad root 0 sync");
	trc_syn_ev_end(g, p);
}

void trc_em_accept_irq(struct syn_gen *g, const struct syn_thread *t, unsigned int apicid,
		       unsigned int vec)
{
	char *p = SYN_BEGIN(g, t, FL_PROC, "kvm_apic_accept_irq");

	p = PUT_LIT(p, "apicid ");
	p = put_hex(p, apicid);
	p = PUT_LIT(p, " vec ");
	p = put_u(p, vec);
	p = PUT_LIT(p, " (Fixed|edge)");
	trc_syn_ev_end(g, p);
}

void trc_em_sched_switch(struct syn_gen *g, const struct syn_thread *prev, const char *state,
			 const struct syn_thread *next)
{
	char *p = SYN_BEGIN(g, prev, FL_SCHED, "sched_switch");
	const char *pc = prev->tid ? prev->comm : "swapper";
	const char *nc = next->tid ? next->comm : "swapper";

	p = PUT_LIT(p, "prev_comm=");
	p = put_str(p, pc);
	if (!prev->tid) {
		*p++ = '/';
		p = put_u(p, (uint64_t)prev->cpu);
	}
	p = PUT_LIT(p, " prev_pid=");
	p = put_d(p, prev->tid);
	p = PUT_LIT(p, " prev_prio=120 prev_state=");
	p = put_str(p, state);
	p = PUT_LIT(p, " ==> next_comm=");
	p = put_str(p, nc);
	if (!next->tid) {
		*p++ = '/';
		p = put_u(p, (uint64_t)next->cpu);
	}
	p = PUT_LIT(p, " next_pid=");
	p = put_d(p, next->tid);
	p = PUT_LIT(p, " next_prio=120");
	trc_syn_ev_end(g, p);
}

void trc_em_sched_wakeup(struct syn_gen *g, const struct syn_thread *waker,
			 const struct syn_thread *woken)
{
	char *p = SYN_BEGIN(g, waker, "d..3.", "sched_wakeup");

	p = PUT_LIT(p, "comm=");
	p = put_str(p, woken->comm);
	p = PUT_LIT(p, " pid=");
	p = put_d(p, woken->tid);
	p = PUT_LIT(p, " prio=120 target_cpu=");
	*p++ = (char)('0' + (woken->cpu / 100) % 10);
	*p++ = (char)('0' + (woken->cpu / 10) % 10);
	*p++ = (char)('0' + woken->cpu % 10);
	trc_syn_ev_end(g, p);
}
