// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/synth/td.c - KVM and the TDX module, in the order KVM calls them.
 *
 * The bookkeeping is deliberately small and separate from replay/model:
 * which mirror/direct non-leaf SPTEs exist (with their KVM table page and,
 * for the mirror, the S-EPT page handed to the module), which gfns have a
 * leaf in which tree, and which vCPUs are in the guest. Order follows
 * docs/tdx.md §1.5: a mirror install traces its SPTE change after its
 * SEAMCALL, a removal traces it before BLOCK/TRACK/REMOVE; TDH.VP.ENTER's
 * event comes right after the exit, before kvm_exit (docs/design.md §2.1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "syn.h"

#define QUAL_READ 0x181 /* read, GLA valid, translated access */
#define QUAL_WRITE 0x182
#define EXT_ACCEPT 0x1	/* extended exit qualification: TDG.MEM.PAGE.ACCEPT */
#define EXT_PENDING 0x6 /* PENDING_EPT_VIOLATION */
#define INTR_RESCHED 0x800000fd
#define KVM_PFN_NOSLOT 0x8000000000000000ull
#define SPTE_ARCH_LEAF 0xf7 /* RWX, WB, IPAT, leaf: S-EPT entry in error regs */
#define SEPT_STATE_PENDING 2
#define SEPT_STATE_MAPPED 4

uint64_t trc_syn_host_page(struct syn_gen *g)
{
	uint64_t pa = g->host_next_pa;

	g->host_next_pa += 4096ull * (1 + trc_syn_below(g, 4));
	return pa;
}

/* Shifts are 64-bit: a 5-level SPTE spans 2^36 gfns. */
static size_t nl_count(const struct syn_vm *vm, unsigned int level)
{
	uint64_t n = (uint64_t)vm->gfn_space >> (9 * (level - 1));

	return n ? (size_t)n : 1;
}

static uint32_t nl_index(uint32_t gfn, unsigned int level)
{
	return (uint32_t)((uint64_t)gfn >> (9 * (level - 1)));
}

static uint32_t nl_gfn(uint32_t idx, unsigned int level)
{
	return (uint32_t)((uint64_t)idx << (9 * (level - 1)));
}

static uint32_t level_base(uint32_t gfn, unsigned int level)
{
	return (uint32_t)((uint64_t)gfn & ~((1ull << (9 * (level - 1))) - 1));
}

int trc_syn_vm_init(struct syn_gen *g, struct syn_vm *vm, unsigned int idx)
{
	uint64_t stride, shared0;

	vm->idx = idx;
	vm->pid = 2000 + 9000 * (int)idx + (int)trc_syn_below(g, 6000);
	vm->state = VM_RUNNING;
	trc_syn_thread_init(&vm->main, "qemu-system-x86", vm->pid, 0);
	vm->hkid = 5 + (int)idx * 3;
	vm->levels = g->o.gpaw == 52 ? 5 : 4;
	vm->shared_gpa = 1ull << (g->o.gpaw == 52 ? 51 : 47);
	vm->nr_vcpus = g->o.vcpus;
	vm->ram_pages = g->o.mem_mb ? g->o.mem_mb * 256u : SYN_RAM_PAGES;
	vm->gfn_space = SYN_LOW_SPACE;
	if (vm->ram_pages > SYN_LOW_RAM_PAGES) {
		/* a whole top-level-but-one table: the tree arrays stay exact */
		vm->gfn_space = (trc_syn_ram_gfn(vm, vm->ram_pages - 1) | 0x3ffffu) + 1;
	}
	/* guest_memfd and the VMM's memory of each VM on their own host pfns */
	stride = vm->gfn_space > 0x3ff000u ? (uint64_t)vm->gfn_space + 0x1000u : 0x400000ull;
	shared0 =
		0x2000000ull + 8 * stride > 0x8000000ull ? 0x2000000ull + 8 * stride : 0x8000000ull;
	vm->priv_base = 0x2000000ull + stride * idx + trc_syn_below(g, 0x1000) * 512ull;
	vm->shared_base = shared0 + stride * idx + trc_syn_below(g, 0x1000) * 512ull;
	vm->mmio_gen = 2 * (1 + trc_syn_below(g, 40));
	vm->page = calloc(vm->gfn_space, 1);
	vm->vcpus = calloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->page || !vm->vcpus) {
		return -1;
	}
	for (unsigned int l = 2; l <= vm->levels; l++) {
		vm->mir[l] = calloc(nl_count(vm, l), sizeof(struct syn_nl));
		vm->dir[l] = calloc(nl_count(vm, l), sizeof(struct syn_nl));
		if (!vm->mir[l] || !vm->dir[l]) {
			return -1;
		}
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct syn_vcpu *v = &vm->vcpus[i];
		unsigned int k = idx * vm->nr_vcpus + i;
		char comm[24];

		v->vm = vm;
		v->id = i;
		snprintf(comm, sizeof(comm), "CPU %u/KVM", i);
		trc_syn_thread_init(&v->thr, comm, vm->pid + 3 + (int)i,
				    1 + (int)(k % (g->ncpus - 2)));
	}
	return 0;
}

void trc_syn_vm_free(struct syn_vm *vm)
{
	for (unsigned int l = 0; l < 6; l++) {
		free(vm->mir[l]);
		free(vm->dir[l]);
	}
	free(vm->page);
	free(vm->vcpus);
}

static void seamcall(struct syn_gen *g, const struct syn_thread *t, uint64_t leaf, uint64_t rcx,
		     uint64_t rdx, uint64_t r8, uint64_t r9, uint64_t status, uint64_t ocx,
		     uint64_t odx, uint64_t o8)
{
	struct syn_sc c = {leaf, rcx, rdx, r8, r9, status, ocx, odx, o8, 0};

	trc_em_seamcall(g, t, &c);
}

/* ---- run loop ---------------------------------------------------------------- */

void trc_td_exit(struct syn_gen *g, struct syn_vcpu *v, uint64_t status, uint64_t qual,
		 uint64_t ext, uint64_t gpa, uint32_t intr, enum vmx_exit_reason reason)
{
	struct syn_sc c = {TDH_VP_ENTER, v->tdvpr, 0, 0, 0, status, qual, ext, gpa, intr};

	trc_em_seamcall(g, &v->thr, &c);
	v->in_guest = false;
	trc_em_exit(g, v, tdxr_vmx_exit_reason_name(reason), qual, ext, intr);
}

void trc_td_enter(struct syn_gen *g, struct syn_vcpu *v)
{
	trc_em_entry(g, v);
	v->in_guest = true;
}

unsigned int trc_td_kick_all(struct syn_gen *g, struct syn_vm *vm)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct syn_vcpu *v = &vm->vcpus[i];

		if (v->in_guest) {
			trc_td_exit(g, v, EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0, 0, INTR_RESCHED,
				    EXIT_REASON_EXTERNAL_INTERRUPT);
			v->kicked = true;
			n++;
		}
	}
	return n;
}

void trc_td_reenter_kicked(struct syn_gen *g, struct syn_vm *vm, const struct syn_vcpu *self)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct syn_vcpu *v = &vm->vcpus[i];

		if (v->kicked && v != self) {
			v->kicked = false;
			trc_td_enter(g, v);
		}
	}
}

void trc_td_vm_die(struct syn_gen *g, struct syn_vm *vm, struct syn_vcpu *self)
{
	/* KVM_REQ_VM_DEAD: every vCPU leaves KVM_RUN with -EIO */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct syn_vcpu *v = &vm->vcpus[i];

		if (v == self) {
			continue;
		}
		if (v->in_guest) {
			trc_td_exit(g, v, EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0, 0, INTR_RESCHED,
				    EXIT_REASON_EXTERNAL_INTERRUPT);
		} else if (v->halted) {
			trc_em_sched_switch(g, &g->idle[v->thr.cpu], "R", &v->thr);
			v->halted = false;
		}
		v->kicked = false;
		trc_em_userspace_exit(g, &v->thr, "error", -5);
	}
	if (self) {
		self->kicked = false;
		trc_em_userspace_exit(g, &self->thr, "error", -5);
	}
	vm->state = VM_DEAD;
}

/* ---- installs ------------------------------------------------------------------ */

/* Links the missing non-leaf SPTEs above @gfn, top level first. */
static void link_levels(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t,
			uint32_t gfn, bool mirror)
{
	struct syn_nl **tree = mirror ? vm->mir : vm->dir;

	for (unsigned int l = vm->levels; l >= 2; l--) {
		struct syn_nl *nl = &tree[l][nl_index(gfn, l)];
		uint32_t lg = level_base(gfn, l);

		if (nl->spt) {
			continue;
		}
		nl->spt = trc_syn_host_page(g);
		if (mirror) {
			nl->ext = trc_syn_host_page(g);
			seamcall(g, t, TDH_MEM_SEPT_ADD, ((uint64_t)lg << 12) | (l - 1), vm->tdr,
				 nl->ext, 0, 0, 0, 0, 0);
			trc_em_sept(g, t, vm->pid, "link_spt", lg, (int)l, nl->ext >> 12, 0);
		}
		trc_em_spte_changed(g, t, lg, (int)l, SHADOW_NONPRESENT_VALUE,
				    SPTE_NONLEAF_BITS | nl->spt, mirror, vm->pid);
	}
}

static uint64_t leaf_sptep(const struct syn_vm *vm, uint32_t gfn, bool mirror)
{
	const struct syn_nl *nl = &(mirror ? vm->mir : vm->dir)[2][nl_index(gfn, 2)];

	return nl->spt + 8ull * (gfn & 511);
}

static void install_leaf_trace(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t,
			       uint32_t gfn, uint64_t pfn, bool mirror)
{
	uint64_t spte = SPTE_LEAF_BITS | (pfn << 12);

	trc_em_spte_changed(g, t, gfn, 1, SHADOW_NONPRESENT_VALUE, spte, mirror, vm->pid);
	trc_em_set_spte(g, t, gfn, spte, 1, leaf_sptep(vm, gfn, mirror));
}

static void aug(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t, uint32_t gfn,
		uint64_t status, uint64_t ocx, uint64_t odx)
{
	seamcall(g, t, TDH_MEM_PAGE_AUG, (uint64_t)gfn << 12, vm->tdr,
		 trc_syn_priv_pfn(vm, gfn) << 12, 0, status, ocx, odx, 0);
}

bool trc_td_private_fault(struct syn_gen *g, struct syn_vcpu *v, uint32_t gfn,
			  enum syn_fault_mode m)
{
	struct syn_vm *vm = v->vm;
	const struct syn_thread *t = &v->thr;
	uint64_t gpa = (uint64_t)gfn << 12;
	uint64_t pfn = trc_syn_priv_pfn(vm, gfn);

	trc_td_exit(g, v, EXIT_REASON_EPT_VIOLATION, m == FM_DIRECT ? QUAL_WRITE : QUAL_READ,
		    m == FM_DIRECT ? 0 : EXT_ACCEPT, gpa, 0, EXIT_REASON_EPT_VIOLATION);
	/* private: the access is forced to a write (EPT_VIOLATION_ACC_WRITE) */
	trc_em_page_fault(g, v, gpa, 0x2);
	trc_em_spte_requested(g, t, gfn, pfn, 1);
	link_levels(g, vm, t, gfn, true);
	switch (m) {
	case FM_ZERO_STEP_BUSY:
		aug(g, vm, t, gfn, (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE), 0, 0);
		trc_em_sept(g, t, vm->pid, "set_spte", gfn, 1, pfn, -16);
		return true;
	case FM_STATUS_BUG:
		/* the module claims the FREE entry is in the wrong state */
		trc_syn_arm(g, vm);
		aug(g, vm, t, gfn, (TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX),
		    SHADOW_NONPRESENT_VALUE, 0);
		trc_em_vm_bugged(g, t, vm->pid,
				 "tdx_sept_set_private_spte+0x1d5/0x3f0 [kvm_intel]");
		trc_em_sept(g, t, vm->pid, "set_spte", gfn, 1, pfn, -5);
		return false;
	case FM_DESYNC_BUG:
		/* the hook fails, the mirror SPTE is written all the same */
		aug(g, vm, t, gfn, (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE), 0, 0);
		trc_em_sept(g, t, vm->pid, "set_spte", gfn, 1, pfn, -16);
		trc_syn_arm(g, vm);
		install_leaf_trace(g, vm, t, gfn, pfn, true);
		vm->page[gfn] |= PG_PRIV;
		return true;
	default:
		break;
	}
	if (trc_syn_chance(g, 15)) {
		/* contention: -EBUSY, RET_PF_RETRY, retried locally in KVM */
		aug(g, vm, t, gfn, (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE), 0, 0);
		trc_em_sept(g, t, vm->pid, "set_spte", gfn, 1, pfn, -16);
		trc_em_spte_requested(g, t, gfn, pfn, 1);
	}
	aug(g, vm, t, gfn, 0, 0, 0);
	trc_em_sept(g, t, vm->pid, "set_spte", gfn, 1, pfn, 0);
	install_leaf_trace(g, vm, t, gfn, pfn, true);
	vm->page[gfn] |= PG_PRIV | (m == FM_DIRECT ? PG_PENDING : 0);
	vm->mapped_priv++;
	return true;
}

void trc_td_shared_fault(struct syn_gen *g, struct syn_vcpu *v, uint32_t gfn, bool arm_leaf)
{
	struct syn_vm *vm = v->vm;
	uint64_t gpa = ((uint64_t)gfn << 12) | vm->shared_gpa;
	uint64_t pfn = trc_syn_shared_pfn(vm, gfn);

	trc_td_exit(g, v, EXIT_REASON_EPT_VIOLATION, QUAL_WRITE, 0, gpa, 0,
		    EXIT_REASON_EPT_VIOLATION);
	trc_em_page_fault(g, v, gpa, QUAL_WRITE);
	trc_em_spte_requested(g, &v->thr, gfn, pfn, 1);
	link_levels(g, vm, &v->thr, gfn, false);
	if (arm_leaf) {
		trc_syn_arm(g, vm);
	}
	install_leaf_trace(g, vm, &v->thr, gfn, pfn, false);
	vm->page[gfn] |= PG_SHARED;
}

static uint64_t mmio_spte(const struct syn_vm *vm, uint32_t gfn)
{
	uint64_t gen = vm->mmio_gen;

	/* TD MMIO SPTE: value 0 (RWX = 0, SVE = 0), generation, gfn */
	return ((uint64_t)gfn << 12) | ((gen & 0xff) << 3) | ((gen >> 8) << 52);
}

void trc_td_mmio_fault(struct syn_gen *g, struct syn_vcpu *v, uint32_t gfn, bool write)
{
	struct syn_vm *vm = v->vm;
	uint64_t gpa = ((uint64_t)gfn << 12) | vm->shared_gpa;
	uint64_t qual = write ? QUAL_WRITE : QUAL_READ;

	trc_td_exit(g, v, EXIT_REASON_EPT_VIOLATION, qual, 0, gpa, 0, EXIT_REASON_EPT_VIOLATION);
	trc_em_page_fault(g, v, gpa, qual);
	trc_em_spte_requested(g, &v->thr, gfn, KVM_PFN_NOSLOT, 1);
	link_levels(g, vm, &v->thr, gfn, false);
	trc_em_spte_changed(g, &v->thr, gfn, 1, SHADOW_NONPRESENT_VALUE, mmio_spte(vm, gfn), 0,
			    vm->pid);
	trc_em_mark_mmio(g, &v->thr, leaf_sptep(vm, gfn, false), gfn, vm->mmio_gen);
	vm->page[gfn] |= PG_MMIO;
	/* RET_PF_EMULATE: TDs never emulate, the guest retries and takes a #VE */
	trc_td_enter(g, v);
}

/* ---- removals ------------------------------------------------------------------ */

static void block(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t, uint32_t gfn,
		  uint64_t status)
{
	seamcall(g, t, TDH_MEM_RANGE_BLOCK, (uint64_t)gfn << 12, vm->tdr, 0, 0, status, 0, 0, 0);
}

static bool any_in_guest(const struct syn_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].in_guest) {
			return true;
		}
	}
	return false;
}

bool trc_td_zap_private(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t,
			uint32_t gfn, enum syn_zap_bug bug)
{
	uint64_t pfn = trc_syn_priv_pfn(vm, gfn);
	uint64_t pa = pfn << 12;
	uint64_t gpa = (uint64_t)gfn << 12;
	unsigned int state = (vm->page[gfn] & PG_PENDING) ? SEPT_STATE_PENDING : SEPT_STATE_MAPPED;
	const char *rm_caller = "tdx_sept_remove_private_spte+0x2a4/0x4c0 [kvm_intel]";

	/* tdp_mmu_set_spte(): the SPTE is written and traced first */
	trc_em_spte_changed(g, t, gfn, 1, SPTE_LEAF_BITS | pa, SHADOW_NONPRESENT_VALUE, 1, vm->pid);
	vm->page[gfn] &= (uint8_t) ~(PG_PRIV | PG_PENDING);
	vm->mapped_priv--;

	if (bug == ZB_BUSY_NO_KICK) {
		block(g, vm, t, gfn, (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE));
		/* retried at once, the vCPU holding the lock still inside */
		trc_syn_arm(g, vm);
		block(g, vm, t, gfn, (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE));
		trc_em_vm_bugged(g, t, vm->pid,
				 "tdx_sept_zap_private_spte+0x15c/0x3a0 [kvm_intel]");
		trc_em_sept(g, t, vm->pid, "remove_spte", gfn, 1, pfn, -5);
		return false;
	}
	if (bug != ZB_SKIP_BLOCK) {
		if (bug == ZB_NONE && any_in_guest(vm) && trc_syn_chance(g, 20)) {
			/* BUSY: wait_for_sept_zap, kick everyone out, retry once */
			block(g, vm, t, gfn, (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE));
			trc_td_kick_all(g, vm);
		}
		block(g, vm, t, gfn, 0);
	}
	if (bug != ZB_SKIP_TRACK) {
		seamcall(g, t, TDH_MEM_TRACK, vm->tdr, 0, 0, 0, 0, 0, 0, 0);
		if (bug == ZB_DOUBLE_TRACK) {
			trc_syn_arm(g, vm);
			seamcall(g, t, TDH_MEM_TRACK, vm->tdr, 0, 0, 0, TDX_PREVIOUS_TLB_EPOCH_BUSY,
				 0, 0, 0);
			trc_em_vm_bugged(g, t, vm->pid, "tdx_track+0x7e/0x120 [kvm_intel]");
			trc_em_sept(g, t, vm->pid, "remove_spte", gfn, 1, pfn, -5);
			return false;
		}
		trc_td_kick_all(g, vm);
	}
	if (bug == ZB_SKIP_BLOCK) {
		trc_syn_arm(g, vm);
		seamcall(g, t, TDH_MEM_PAGE_REMOVE, gpa, vm->tdr, 0, 0,
			 (TDX_GPA_RANGE_NOT_BLOCKED | TDX_OPERAND_ID_RCX), pa | SPTE_ARCH_LEAF,
			 (uint64_t)state << 8, 0);
		trc_em_vm_bugged(g, t, vm->pid, rm_caller);
		trc_em_sept(g, t, vm->pid, "remove_spte", gfn, 1, pfn, -5);
		return false;
	}
	if (bug == ZB_SKIP_TRACK) {
		/* the module leaves RCX/RDX zero for this error */
		trc_syn_arm(g, vm);
		seamcall(g, t, TDH_MEM_PAGE_REMOVE, gpa, vm->tdr, 0, 0,
			 (TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX), 0, 0, 0);
		trc_em_vm_bugged(g, t, vm->pid, rm_caller);
		trc_em_sept(g, t, vm->pid, "remove_spte", gfn, 1, pfn, -5);
		return false;
	}
	seamcall(g, t, TDH_MEM_PAGE_REMOVE, gpa, vm->tdr, 0, 0, 0, pa, 0, 0);
	seamcall(g, t, TDH_PHYMEM_PAGE_WBINVD, pa | ((uint64_t)vm->hkid << SYN_PHYS_BITS), 0, 0, 0,
		 0, 0, 0, 0);
	trc_em_sept(g, t, vm->pid, "remove_spte", gfn, 1, pfn, 0);
	return true;
}

void trc_td_zap_shared(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t,
		       uint32_t gfn, bool bad_pfn)
{
	uint64_t pfn = trc_syn_shared_pfn(vm, gfn);

	if (bad_pfn) {
		/* an earlier, untraced SPTE write moved the page elsewhere */
		pfn ^= 0x5a5;
		trc_syn_arm(g, vm);
	}
	trc_em_spte_changed(g, t, gfn, 1, SPTE_LEAF_BITS | (pfn << 12), SHADOW_NONPRESENT_VALUE, 0,
			    vm->pid);
	vm->page[gfn] &= (uint8_t)~PG_SHARED;
}

/* ---- TD build ------------------------------------------------------------------ */

static void init_mem_page(struct syn_gen *g, struct syn_vm *vm, uint32_t gfn, bool measure)
{
	const struct syn_thread *t = &vm->main;
	uint64_t pfn = trc_syn_priv_pfn(vm, gfn);
	uint64_t gpa = (uint64_t)gfn << 12;
	uint64_t src = trc_syn_host_page(g); /* the source page of the image */

	trc_em_spte_requested(g, t, gfn, pfn, 1);
	link_levels(g, vm, t, gfn, true);
	if (g->o.profile == TRC_PROFILE_619) {
		seamcall(g, t, TDH_MEM_PAGE_ADD, gpa, vm->tdr, pfn << 12, src, 0, 0, 0, 0);
		trc_em_sept(g, t, vm->pid, "set_spte", gfn, 1, pfn, 0);
		install_leaf_trace(g, vm, t, gfn, pfn, true);
	} else {
		/* 6.16: the hook only counts a premapped page */
		trc_em_sept(g, t, vm->pid, "set_spte", gfn, 1, pfn, 0);
		install_leaf_trace(g, vm, t, gfn, pfn, true);
		seamcall(g, t, TDH_MEM_PAGE_ADD, gpa, vm->tdr, pfn << 12, src, 0, 0, 0, 0);
	}
	if (measure) {
		for (unsigned int i = 0; i < 16; i++) {
			seamcall(g, t, TDH_MR_EXTEND, gpa + 256 * i, vm->tdr, 0, 0, 0, 0, 0, 0);
		}
	}
	vm->page[gfn] |= PG_PRIV | PG_FIXED;
	vm->mapped_priv++;
}

void trc_td_build(struct syn_gen *g, struct syn_vm *vm)
{
	const struct syn_thread *t = &vm->main;

	vm->tdr = trc_syn_host_page(g);
	seamcall(g, t, TDH_MNG_CREATE, vm->tdr, (uint64_t)vm->hkid, 0, 0, 0, 0, 0, 0);
	seamcall(g, t, TDH_MNG_KEY_CONFIG, vm->tdr, 0, 0, 0, 0, 0, 0, 0);
	for (unsigned int i = 0; i < SYN_NR_TDCS; i++) {
		vm->tdcs[i] = trc_syn_host_page(g);
		seamcall(g, t, TDH_MNG_ADDCX, vm->tdcs[i], vm->tdr, 0, 0, 0, 0, 0, 0);
	}
	seamcall(g, t, TDH_MNG_INIT, vm->tdr, trc_syn_host_page(g), 0, 0, 0, 0, 0, 0);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct syn_vcpu *v = &vm->vcpus[i];

		v->tdvpr = trc_syn_host_page(g);
		seamcall(g, t, TDH_VP_CREATE, v->tdvpr, vm->tdr, 0, 0, 0, 0, 0, 0);
		for (unsigned int j = 0; j < SYN_NR_TDCX; j++) {
			v->tdcx[j] = trc_syn_host_page(g);
			seamcall(g, t, TDH_VP_ADDCX, v->tdcx[j], v->tdvpr, 0, 0, 0, 0, 0, 0);
		}
		/* version 1 of TDH.VP.INIT: RAX 22 | 1 << 16 */
		seamcall(g, t, TDH_VP_INIT | (1u << 16), v->tdvpr, (uint64_t)SYN_HOB_GFN << 12, i,
			 0, 0, 0, 0, 0);
	}
	for (unsigned int i = 0; i < SYN_HOB_PAGES; i++) {
		init_mem_page(g, vm, SYN_HOB_GFN + i, false);
	}
	for (unsigned int i = 0; i < SYN_FW_PAGES; i++) {
		init_mem_page(g, vm, SYN_FW_GFN + i, true);
	}
	seamcall(g, t, TDH_MR_FINALIZE, vm->tdr, 0, 0, 0, 0, 0, 0, 0);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		trc_syn_delay(g, 20000);
		trc_td_enter(g, &vm->vcpus[i]);
	}
}

/* ---- teardown ------------------------------------------------------------------ */

static void reclaim(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t, uint64_t pa,
		    unsigned int type)
{
	seamcall(g, t, TDH_PHYMEM_PAGE_RECLAIM, pa, 0, 0, 0, 0, type, vm->tdr, 0);
}

/*
 * handle_removed_pt() after the SPTE at @level/@idx is zapped: the child
 * table's own children first (written FROZEN), then its S-EPT page.
 */
static void zap_nonleaf(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t,
			bool mirror, unsigned int level, uint32_t idx, bool top)
{
	struct syn_nl **tree = mirror ? vm->mir : vm->dir;
	struct syn_nl nl = tree[level][idx];
	uint32_t lg = nl_gfn(idx, level);

	trc_em_spte_changed(g, t, lg, (int)level, SPTE_NONLEAF_BITS | nl.spt,
			    top ? SHADOW_NONPRESENT_VALUE : FROZEN_SPTE, mirror, vm->pid);
	trc_em_zap_page(g, t, lg, (int)level - 1);
	if (level - 1 >= 2) {
		size_t n = nl_count(vm, level - 1);

		for (uint32_t c = idx * 512; c < idx * 512 + 512 && c < n; c++) {
			if (tree[level - 1][c].spt) {
				zap_nonleaf(g, vm, t, mirror, level - 1, c, false);
			}
		}
	}
	if (mirror) {
		reclaim(g, vm, t, nl.ext, PT_EPT);
		trc_em_sept(g, t, vm->pid, "free_spt", lg, (int)level - 1, nl.ext >> 12, 0);
	}
	tree[level][idx].spt = 0;
	tree[level][idx].ext = 0;
}

/* __tdp_mmu_zap_root(): a pass at the 1G level, then one at the root's. */
static void zap_root(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t, bool mirror)
{
	struct syn_nl **tree = mirror ? vm->mir : vm->dir;
	unsigned int passes[2] = {3, vm->levels};

	for (unsigned int p = 0; p < 2; p++) {
		unsigned int l = passes[p];

		for (uint32_t i = 0; i < nl_count(vm, l); i++) {
			if (tree[l][i].spt) {
				zap_nonleaf(g, vm, t, mirror, l, i, true);
			}
		}
	}
}

void trc_td_teardown(struct syn_gen *g, struct syn_vm *vm, bool double_reclaim)
{
	const struct syn_thread *t = &vm->main;

	/* the guest powers off through the ACPI PM port; QEMU stops the rest */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct syn_vcpu *v = &vm->vcpus[i];

		if (i == 0) {
			if (v->halted) {
				trc_em_sched_switch(g, &g->idle[v->thr.cpu], "R", &v->thr);
				v->halted = false;
				trc_em_tdvmcall_done(g, v, 12, 0, 0);
				trc_td_enter(g, v);
			}
			trc_td_exit(g, v, EXIT_REASON_TDCALL, 0xfc00, 0, 0, 0,
				    EXIT_REASON_IO_INSTRUCTION);
			trc_em_tdvmcall(g, v, 0, 30, "Instruction.IO", 2, 1, 0x604, 0x2000);
			trc_em_pio(g, &v->thr, true, 0x604, 2, 0x2000);
			trc_em_userspace_exit(g, &v->thr, "KVM_EXIT_IO", 2);
			continue;
		}
		if (v->halted) {
			trc_em_sched_switch(g, &g->idle[v->thr.cpu], "R", &v->thr);
			v->halted = false;
		} else if (v->in_guest) {
			trc_td_exit(g, v, EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0, 0, INTR_RESCHED,
				    EXIT_REASON_EXTERNAL_INTERRUPT);
		}
		trc_em_userspace_exit(g, &v->thr, "restart", -4);
	}
	trc_syn_delay(g, 3000000);
	/* exit_mmap(): the mmu notifier's release zaps the direct tree's leaves */
	for (uint32_t gfn = 0; gfn < vm->gfn_space; gfn++) {
		if (vm->page[gfn] & PG_SHARED) {
			trc_td_zap_shared(g, vm, t, gfn, false);
		} else if (vm->page[gfn] & PG_MMIO) {
			trc_em_spte_changed(g, t, gfn, 1, mmio_spte(vm, gfn),
					    SHADOW_NONPRESENT_VALUE, 0, vm->pid);
			vm->page[gfn] &= (uint8_t)~PG_MMIO;
		}
	}
	/* kvm_gmem_release(): private leaves go while the HKID is still valid */
	for (uint32_t gfn = 0; gfn < vm->gfn_space; gfn++) {
		if (vm->page[gfn] & PG_PRIV) {
			trc_td_zap_private(g, vm, t, gfn, ZB_NONE);
		}
	}
	/* tdx_mmu_release_hkid() */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct syn_vcpu *v = &vm->vcpus[i];

		seamcall(g, &g->idle[v->thr.cpu], TDH_VP_FLUSH, v->tdvpr, 0, 0, 0, 0, 0, 0, 0);
	}
	seamcall(g, t, TDH_MNG_VPFLUSHDONE, vm->tdr, 0, 0, 0, 0, 0, 0, 0);
	if (trc_syn_chance(g, 300)) {
		seamcall(g, t, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0, TDX_INTERRUPTED_RESUMABLE, 0, 0, 0);
		seamcall(g, t, TDH_PHYMEM_CACHE_WB, 1, 0, 0, 0, 0, 0, 0, 0);
	} else {
		seamcall(g, t, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0, 0, 0, 0, 0);
	}
	seamcall(g, t, TDH_MNG_KEY_FREEID, vm->tdr, 0, 0, 0, 0, 0, 0, 0);
	/* tdx_vcpu_free() */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct syn_vcpu *v = &vm->vcpus[i];

		for (unsigned int j = 0; j < SYN_NR_TDCX; j++) {
			reclaim(g, vm, t, v->tdcx[j], PT_TDCX);
		}
		if (double_reclaim && i == 0) {
			/* the same TDCX page freed twice: the module holds it as NDA */
			trc_syn_arm(g, vm);
			seamcall(g, t, TDH_PHYMEM_PAGE_RECLAIM, v->tdcx[0], 0, 0, 0,
				 (TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX), 0, 0, 0);
		}
		reclaim(g, vm, t, v->tdvpr, PT_TDVPR);
	}
	/* kvm_mmu_uninit_tdp_mmu(): the roots, S-EPT pages reclaimed */
	zap_root(g, vm, t, true);
	zap_root(g, vm, t, false);
	/* tdx_reclaim_td_control_pages() */
	for (unsigned int i = 0; i < SYN_NR_TDCS; i++) {
		reclaim(g, vm, t, vm->tdcs[i], PT_TDCX);
	}
	reclaim(g, vm, t, vm->tdr, PT_TDR);
	seamcall(g, t, TDH_PHYMEM_PAGE_WBINVD, vm->tdr, 0, 0, 0, 0, 0, 0, 0);
	vm->state = VM_GONE;
}
