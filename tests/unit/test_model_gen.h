/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/unit/test_model_gen.h - the randomized trace generator shared by
 * test_model_random.c and test_model_changes_random.c.
 *
 * It follows KVM's call order (docs/tdx.md §1.5, §2.2) with its own small
 * bookkeeping (mapped gfns, linked page tables, vCPUs inside) and never
 * calls the model to decide what to emit: two TDs, several vCPUs, private
 * and shared faults, conversions, zaps with kicks, BUSY with the single
 * no-vCPU retry, MMIO, teardown; optionally one injected fault (enum inj).
 * generate() fills g->evs and returns their count.
 */
#ifndef TDXR_TEST_MODEL_GEN_H
#define TDXR_TEST_MODEL_GEN_H

#include "test_model_ev.h"

enum inj {
	INJ_NONE,
	INJ_STATUS_MISMATCH,
	INJ_SPTE_MISMATCH,
	INJ_MIRROR_DESYNC,
	INJ_REMOVE_NOT_BLOCKED,
	INJ_TLB_NOT_TRACKED,
	INJ_ALIAS,
	INJ_MMIO_SVE,
	INJ_PENDING_ACCESS,
	INJ_BUSY_RETRY,
	INJ_EPOCH_BUSY,
	INJ_RECLAIM,
	INJ_ZERO_STEP,
	INJ_KVM_BUG,
	INJ_LOST,
	INJ_ORDER,
	INJ__COUNT,
};

#define NPAGES 48
#define NVCPU 4
#define MAX_EVENTS 8192

struct gpage {
	uint64_t gfn;
	uint64_t pg;
	int state; /* 0 unmapped, 1 private, 2 shared */
	bool mmio; /* the MMIO gfn paired with it has its MMIO SPTE */
};

struct gvm {
	int32_t id;
	uint64_t tdr;
	int32_t host_tid;
	uint64_t next_page;
	bool in_guest[NVCPU];
	struct gpage pages[NPAGES];
	uint64_t linked[64];
	uint64_t sept_pages[64];
	unsigned int nr_linked;
	uint64_t freed_pages[64];
	unsigned int nr_freed;
};

struct gen {
	uint64_t rng;
	struct tdxr_event *evs;
	size_t n;
	uint64_t ts;
	bool patched;
	bool premap; /* 6.16-style KVM_TDX_INIT_MEM_REGION */
	struct tdxr_strtab *st;
	struct gvm vm[2];
	/* injection */
	enum inj inj;
	unsigned int inj_at; /* operation counter value to inject at */
	unsigned int ops;
	bool injected;
	size_t inj_idx; /* index of the event that reveals it */
	/* which events change the S-EPT or the mirror tree */
	uint8_t *critical;
};

static inline uint64_t rnd(struct gen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

static inline unsigned int rn(struct gen *g, unsigned int n)
{
	return (unsigned int)(rnd(g) % n);
}

static inline struct tdxr_event *add(struct gen *g, unsigned int type, int32_t tid,
				     const struct gvm *vm)
{
	struct tdxr_event *ev;

	if (g->n >= MAX_EVENTS) {
		g->n = MAX_EVENTS - 1; /* overwrite the last: never overflow */
	}
	ev = &g->evs[g->n];
	memset(ev, 0, sizeof(*ev));
	g->critical[g->n] = 0;
	g->n++;
	ev->type = (uint16_t)type;
	ev->tid = tid;
	ev->vm = -1;
	ev->vcpu = -1;
	ev->tgid = g->patched ? -1 : vm->id;
	ev->cpu = tid % 8;
	ev->ts = (g->ts += 1000);
	ev->fmask = 0xffff;
	return ev;
}

static inline bool inject_now(struct gen *g, enum inj what)
{
	if (g->inj == what && !g->injected && g->ops >= g->inj_at) {
		g->injected = true;
		return true;
	}
	return false;
}

static inline void mark(struct gen *g)
{
	g->inj_idx = g->n - 1;
}

static inline int32_t vtid(const struct gvm *vm, int v)
{
	return 10000 + vm->id % 1000 * 16 + v;
}

static inline size_t sc(struct gen *g, struct gvm *vm, int32_t tid, unsigned int leaf, uint64_t rcx,
			uint64_t rdx, uint64_t r8, uint64_t status, uint64_t orcx, uint64_t ordx,
			uint64_t or8)
{
	struct tdxr_event *ev = add(g, TDXR_EV_TDX_SEAMCALL, tid, vm);

	EVF(ev, TDX_SEAMCALL, leaf) = leaf;
	EVF(ev, TDX_SEAMCALL, rcx) = rcx;
	EVF(ev, TDX_SEAMCALL, rdx) = rdx;
	EVF(ev, TDX_SEAMCALL, r8) = r8;
	EVF(ev, TDX_SEAMCALL, status) = status;
	EVF(ev, TDX_SEAMCALL, out_rcx) = orcx;
	EVF(ev, TDX_SEAMCALL, out_rdx) = ordx;
	EVF(ev, TDX_SEAMCALL, out_r8) = or8;
	if (status == 0 &&
	    (leaf == TDH_MEM_PAGE_ADD || leaf == TDH_MEM_SEPT_ADD || leaf == TDH_MEM_PAGE_AUG ||
	     leaf == TDH_MEM_RANGE_BLOCK || leaf == TDH_MEM_PAGE_REMOVE)) {
		g->critical[g->n - 1] = 1;
	}
	return g->n - 1;
}

static inline size_t spte(struct gen *g, struct gvm *vm, int32_t tid, int mirror, uint64_t gfn,
			  int level, uint64_t old, uint64_t new_spte)
{
	struct tdxr_event *ev = add(g, TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED, tid, vm);

	EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, gfn) = gfn;
	EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, level) = (uint64_t)level;
	EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, old_spte) = old;
	EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte) = new_spte;
	if (g->patched) {
		EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, mirror) = (uint64_t)mirror;
		EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, vm) = (uint64_t)vm->id;
	} else {
		ev->fmask = (uint16_t)((1u << TDXR_F_KVM_TDP_MMU_SPTE_CHANGED_mirror) - 1);
	}
	g->critical[g->n - 1] = mirror && level == 1;
	return g->n - 1;
}

static inline void entry(struct gen *g, struct gvm *vm, int v)
{
	struct tdxr_event *ev = add(g, TDXR_EV_KVM_ENTRY, vtid(vm, v), vm);

	EVF(ev, KVM_ENTRY, vcpu_id) = (uint64_t)v;
	vm->in_guest[v] = true;
}

/* VP.ENTER returns (@status) then kvm_exit. */
static inline size_t vexit(struct gen *g, struct gvm *vm, int v, uint64_t status, uint64_t qual,
			   uint64_t ext, uint64_t gpa)
{
	struct tdxr_event *ev;
	size_t at;

	at = sc(g, vm, vtid(vm, v), TDH_VP_ENTER,
		0x40000000 + (uint64_t)vm->id * 0x10000 + (uint64_t)v * 0x1000, 0, 0, status, qual,
		ext, gpa);
	ev = add(g, TDXR_EV_KVM_EXIT, vtid(vm, v), vm);
	EVF(ev, KVM_EXIT, vcpu_id) = (uint64_t)v;
	EVF(ev, KVM_EXIT, exit_reason) =
		status & TDX_ERROR
			? 0xffffffffu
			: (uint32_t)(status == EXIT_REASON_TDCALL ? EXIT_REASON_EPT_MISCONFIG
								  : status);
	EVF(ev, KVM_EXIT, info1) = qual;
	EVF(ev, KVM_EXIT, info2) = ext;
	vm->in_guest[v] = false;
	return at;
}

static inline void page_fault(struct gen *g, struct gvm *vm, int v, uint64_t gpa)
{
	struct tdxr_event *ev = add(g, TDXR_EV_KVM_PAGE_FAULT, vtid(vm, v), vm);

	EVF(ev, KVM_PAGE_FAULT, vcpu_id) = (uint64_t)v;
	EVF(ev, KVM_PAGE_FAULT, address) = gpa;
	EVF(ev, KVM_PAGE_FAULT, error_code) = 2;
}

static inline void hook(struct gen *g, struct gvm *vm, int32_t tid, const char *op, uint64_t gfn,
			int ret)
{
	struct tdxr_event *ev = add(g, TDXR_EV_KVM_TDX_SEPT, tid, vm);

	EVF(ev, KVM_TDX_SEPT, vm) = (uint64_t)vm->id;
	EVF(ev, KVM_TDX_SEPT, op) = tdxr_strtab_intern(g->st, op, strlen(op));
	EVF(ev, KVM_TDX_SEPT, gfn) = gfn;
	EVF(ev, KVM_TDX_SEPT, level) = 1;
	EVF(ev, KVM_TDX_SEPT, ret) = (uint64_t)(int64_t)ret;
}

static inline uint64_t newpage(struct gvm *vm)
{
	if (vm->nr_freed && (vm->next_page & 0x3000) == 0x1000) {
		return vm->freed_pages[--vm->nr_freed];
	}
	vm->next_page += 0x1000;
	return vm->next_page;
}

static inline void link_tables(struct gen *g, struct gvm *vm, int32_t tid, uint64_t gfn)
{
	int level;
	unsigned int i;

	for (level = 4; level >= 2; level--) {
		uint64_t gg = gfn & ~((1ull << (9 * (level - 1))) - 1);
		uint64_t key = (gg << 3) | (uint64_t)level, pg;
		bool have = false;

		for (i = 0; i < vm->nr_linked; i++) {
			have |= vm->linked[i] == key;
		}
		if (have || vm->nr_linked >= 64) {
			continue;
		}
		pg = newpage(vm);
		if (rn(g, 8) == 0) { /* contention: the fault retries */
			sc(g, vm, tid, TDH_MEM_SEPT_ADD, (gg << 12) | (uint64_t)(level - 1),
			   vm->tdr, pg, (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE), 0, 0, 0);
		}
		sc(g, vm, tid, TDH_MEM_SEPT_ADD, (gg << 12) | (uint64_t)(level - 1), vm->tdr, pg, 0,
		   0, 0, 0);
		spte(g, vm, tid, 1, gg, level, TB_NONPRESENT, TB_NONLEAF_SPTE | pg);
		vm->sept_pages[vm->nr_linked] = pg;
		vm->linked[vm->nr_linked++] = key;
	}
}

static inline void set_spte_ev(struct gen *g, struct gvm *vm, int32_t tid, uint64_t gfn, uint64_t s)
{
	struct tdxr_event *ev = add(g, TDXR_EV_KVM_MMU_SET_SPTE, tid, vm);

	EVF(ev, KVM_MMU_SET_SPTE, gfn) = gfn;
	EVF(ev, KVM_MMU_SET_SPTE, spte) = s;
	EVF(ev, KVM_MMU_SET_SPTE, level) = 1;
}

/* A private fault of vCPU @v (already inside) on page @p. */
static inline void private_fault(struct gen *g, struct gvm *vm, int v, struct gpage *p)
{
	int32_t tid = vtid(vm, v);
	uint64_t pg = newpage(vm);
	size_t at;

	vexit(g, vm, v, EXIT_REASON_EPT_VIOLATION, 0x184, 1 /* ACCEPT */, p->gfn << 12);
	page_fault(g, vm, v, p->gfn << 12);
	link_tables(g, vm, tid, p->gfn);
	if (rn(g, 6) == 0) {
		sc(g, vm, tid, TDH_MEM_PAGE_AUG, p->gfn << 12, vm->tdr, pg,
		   (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE), 0, 0, 0);
	}
	if (!inject_now(g, INJ_MIRROR_DESYNC)) {
		sc(g, vm, tid, TDH_MEM_PAGE_AUG, p->gfn << 12, vm->tdr, pg, 0, 0, 0, 0);
		at = spte(g, vm, tid, 1, p->gfn, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
	} else {
		at = spte(g, vm, tid, 1, p->gfn, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
		mark(g);
	}
	(void)at;
	set_spte_ev(g, vm, tid, p->gfn, TB_LEAF_SPTE | pg);
	p->pg = pg;
	p->state = 1;
	if (inject_now(g, INJ_PENDING_ACCESS)) {
		entry(g, vm, v);
		vexit(g, vm, v, EXIT_REASON_EPT_VIOLATION, 0x81, 6, p->gfn << 12);
		g->inj_idx = g->n - 2;
	}
}

static inline void kick_all(struct gen *g, struct gvm *vm)
{
	int v;

	for (v = 0; v < NVCPU; v++) {
		if (vm->in_guest[v]) {
			vexit(g, vm, v, EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0, 0);
		}
	}
}

/* The removal hook of a private leaf (mmu_lock held for write). */
static inline void zap_private(struct gen *g, struct gvm *vm, struct gpage *p, bool runnable)
{
	int32_t tid = vm->host_tid;
	uint64_t gpa = p->gfn << 12, old = TB_LEAF_SPTE | p->pg;
	bool skip_block = false, skip_track = false;
	size_t at;

	if (inject_now(g, INJ_SPTE_MISMATCH)) {
		old += 0x1000;
		spte(g, vm, tid, 1, p->gfn, 1, old, TB_NONPRESENT);
		mark(g);
	} else {
		spte(g, vm, tid, 1, p->gfn, 1, old, TB_NONPRESENT);
	}
	if (runnable && inject_now(g, INJ_REMOVE_NOT_BLOCKED)) {
		skip_block = skip_track = true;
	} else if (runnable && inject_now(g, INJ_TLB_NOT_TRACKED)) {
		skip_track = true;
	}
	if (!skip_block) {
		if (inject_now(g, INJ_STATUS_MISMATCH)) {
			sc(g, vm, tid, TDH_MEM_RANGE_BLOCK, gpa, vm->tdr, 0,
			   (TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX), 0, 0, 0);
			mark(g);
			return;
		}
		if (rn(g, 5) == 0) {
			sc(g, vm, tid, TDH_MEM_RANGE_BLOCK, gpa, vm->tdr, 0,
			   (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE), 0, 0, 0);
			kick_all(g, vm);
			if (inject_now(g, INJ_BUSY_RETRY)) {
				entry(g, vm, 0);
				sc(g, vm, tid, TDH_MEM_RANGE_BLOCK, gpa, vm->tdr, 0, 0, 0, 0, 0);
				mark(g);
			} else {
				sc(g, vm, tid, TDH_MEM_RANGE_BLOCK, gpa, vm->tdr, 0, 0, 0, 0, 0);
			}
		} else {
			sc(g, vm, tid, TDH_MEM_RANGE_BLOCK, gpa, vm->tdr, 0, 0, 0, 0, 0);
		}
	}
	if (!skip_track && runnable) {
		if (rn(g, 6) == 0) {
			sc(g, vm, tid, TDH_MEM_TRACK, vm->tdr, 0, 0,
			   (TDX_OPERAND_BUSY | TDX_OPERAND_ID_TD_EPOCH), 0, 0, 0);
			kick_all(g, vm);
		}
		sc(g, vm, tid, TDH_MEM_TRACK, vm->tdr, 0, 0, 0, 0, 0, 0);
		kick_all(g, vm);
	}
	if (rn(g, 7) == 0 && !skip_block && !skip_track) {
		sc(g, vm, tid, TDH_MEM_PAGE_REMOVE, gpa, vm->tdr, 0,
		   (TDX_OPERAND_BUSY | TDX_OPERAND_ID_SEPT_TREE), 0, 0, 0);
		kick_all(g, vm);
	}
	at = sc(g, vm, tid, TDH_MEM_PAGE_REMOVE, gpa, vm->tdr, 0,
		skip_block   ? (TDX_GPA_RANGE_NOT_BLOCKED | TDX_OPERAND_ID_RCX)
		: skip_track ? (TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX)
			     : 0,
		skip_block || skip_track ? 0 : p->pg, 0, 0);
	if (skip_block || skip_track) {
		g->inj_idx = at;
		return;
	}
	sc(g, vm, tid, TDH_PHYMEM_PAGE_WBINVD, p->pg | (3ull << 46), 0, 0, 0, 0, 0, 0);
	hook(g, vm, tid, "remove_spte", p->gfn, 0);
	if (vm->nr_freed < 64) {
		vm->freed_pages[vm->nr_freed++] = p->pg;
	}
	if (inject_now(g, INJ_RECLAIM)) {
		sc(g, vm, tid, TDH_PHYMEM_PAGE_RECLAIM, p->pg, 0, 0,
		   (TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX), 0, 0, 0);
		mark(g);
	}
	p->state = 0;
}

static inline void shared_fault(struct gen *g, struct gvm *vm, int v, struct gpage *p)
{
	int32_t tid = vtid(vm, v);
	uint64_t gpa = (p->gfn | TB_SHARED_GFN) << 12;
	uint64_t s = 0x0600000000000b77ull | ((0x700000 + p->gfn) << 12);

	vexit(g, vm, v, EXIT_REASON_EPT_VIOLATION, 0x182, 0, gpa);
	page_fault(g, vm, v, gpa);
	spte(g, vm, tid, 0, p->gfn, 1, TB_NONPRESENT, s);
	set_spte_ev(g, vm, tid, p->gfn, s);
	p->pg = s;
	p->state = 2;
}

static inline void mmio_flow(struct gen *g, struct gvm *vm, int v, struct gpage *p)
{
	int32_t tid = vtid(vm, v);
	uint64_t gfn = 0xfe000 + (p - vm->pages);
	uint64_t gpa = (gfn | TB_SHARED_GFN) << 12;
	uint64_t s = (gfn << 12) | 0x10;
	struct tdxr_event *ev;
	bool sve = !p->mmio && inject_now(g, INJ_MMIO_SVE);

	if (!p->mmio) {
		vexit(g, vm, v, EXIT_REASON_EPT_VIOLATION, 0x181, 0, gpa);
		page_fault(g, vm, v, gpa);
		spte(g, vm, tid, 0, gfn, 1, TB_NONPRESENT, sve ? s | (1ull << 63) : s);
		ev = add(g, TDXR_EV_MARK_MMIO_SPTE, tid, vm);
		EVF(ev, MARK_MMIO_SPTE, gfn) = gfn;
		if (sve) {
			mark(g);
			return;
		}
		p->mmio = true;
		entry(g, vm, v);
	}
	vexit(g, vm, v, EXIT_REASON_TDCALL, 0, 0, 0);
	ev = add(g, TDXR_EV_KVM_TDX_TDVMCALL, tid, vm);
	EVF(ev, KVM_TDX_TDVMCALL, vm) = (uint64_t)vm->id;
	EVF(ev, KVM_TDX_TDVMCALL, vcpu) = (uint64_t)v;
	EVF(ev, KVM_TDX_TDVMCALL, r11) = 48;
	EVF(ev, KVM_TDX_TDVMCALL, r12) = 4;
	EVF(ev, KVM_TDX_TDVMCALL, r14) = gpa;
	ev = add(g, TDXR_EV_KVM_MMIO, tid, vm);
	EVF(ev, KVM_MMIO, gpa) = gfn << 12;
	EVF(ev, KVM_MMIO, len) = 4;
}

static inline void boot(struct gen *g, struct gvm *vm)
{
	int32_t tid = vm->host_tid;
	int i;

	sc(g, vm, tid, TDH_MNG_CREATE, vm->tdr, 0, 0, 0, 0, 0, 0);
	sc(g, vm, tid, TDH_MNG_INIT, vm->tdr, 0, 0, 0, 0, 0, 0);
	for (i = 0; i < NVCPU; i++) {
		uint64_t tdvpr = 0x40000000 + (uint64_t)vm->id * 0x10000 + (uint64_t)i * 0x1000;

		/* KVM_TDX_INIT_VCPU runs on the vCPU's own thread */
		sc(g, vm, vtid(vm, i), TDH_VP_CREATE, tdvpr, vm->tdr, 0, 0, 0, 0, 0);
		sc(g, vm, vtid(vm, i), TDH_VP_INIT, tdvpr, 0, 0, 0, 0, 0, 0);
	}
	/* the initial image: 4 pages */
	for (i = 0; i < 4; i++) {
		struct gpage *p = &vm->pages[i];
		uint64_t pg = newpage(vm);

		link_tables(g, vm, tid, p->gfn);
		if (g->premap) {
			spte(g, vm, tid, 1, p->gfn, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
			sc(g, vm, tid, TDH_MEM_PAGE_ADD, p->gfn << 12, vm->tdr, pg, 0, 0, 0, 0);
		} else {
			sc(g, vm, tid, TDH_MEM_PAGE_ADD, p->gfn << 12, vm->tdr, pg, 0, 0, 0, 0);
			spte(g, vm, tid, 1, p->gfn, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
		}
		sc(g, vm, tid, TDH_MR_EXTEND, p->gfn << 12, vm->tdr, 0, 0, 0, 0, 0);
		p->pg = pg;
		p->state = 1;
	}
	sc(g, vm, tid, TDH_MR_FINALIZE, vm->tdr, 0, 0, 0, 0, 0, 0);
}

static inline void teardown(struct gen *g, struct gvm *vm)
{
	int32_t tid = vm->host_tid;
	unsigned int i;
	int v;

	kick_all(g, vm);
	for (i = 0; i < NPAGES; i++) {
		struct gpage *p = &vm->pages[i];

		if (p->state == 1) {
			zap_private(g, vm, p, true);
		} else if (p->state == 2) {
			spte(g, vm, tid, 0, p->gfn, 1, p->pg, TB_NONPRESENT);
			p->state = 0;
		}
	}
	for (v = 0; v < NVCPU; v++) {
		sc(g, vm, tid, TDH_VP_FLUSH,
		   0x40000000 + (uint64_t)vm->id * 0x10000 + (uint64_t)v * 0x1000, 0, 0,
		   v ? TDX_VCPU_NOT_ASSOCIATED : 0, 0, 0, 0);
	}
	sc(g, vm, tid, TDH_MNG_VPFLUSHDONE, vm->tdr, 0, 0, 0, 0, 0, 0);
	sc(g, vm, tid, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0, 0, 0, 0);
	sc(g, vm, tid, TDH_MNG_KEY_FREEID, vm->tdr, 0, 0, 0, 0, 0, 0);
	for (i = vm->nr_linked; i-- > 0;) {
		uint64_t key = vm->linked[i];

		spte(g, vm, tid, 1, key >> 3, (int)(key & 7), TB_NONLEAF_SPTE | vm->sept_pages[i],
		     FROZEN_SPTE);
		sc(g, vm, tid, TDH_PHYMEM_PAGE_RECLAIM, vm->sept_pages[i], 0, 0, 0, 3, 0, 0);
	}
	sc(g, vm, tid, TDH_PHYMEM_PAGE_RECLAIM, vm->tdr, 0, 0, 0, 0, 0, 0);
}

static inline void one_op(struct gen *g, struct gvm *vm)
{
	int v = (int)rn(g, NVCPU);
	struct gpage *p = &vm->pages[rn(g, NPAGES)];
	unsigned int what = rn(g, 100);

	g->ops++;
	if (!vm->in_guest[v]) {
		entry(g, vm, v);
		if (inject_now(g, INJ_EPOCH_BUSY)) {
			sc(g, vm, vm->host_tid, TDH_MEM_TRACK, vm->tdr, 0, 0, 0, 0, 0, 0);
			sc(g, vm, vm->host_tid, TDH_MEM_TRACK, vm->tdr, 0, 0,
			   TDX_PREVIOUS_TLB_EPOCH_BUSY, 0, 0, 0);
			mark(g);
			return;
		}
		if (what < 10) {
			return;
		}
	}
	if (inject_now(g, INJ_ZERO_STEP)) {
		int i;

		for (i = 0; i < 6; i++) {
			if (i) {
				entry(g, vm, v);
			}
			vexit(g, vm, v, EXIT_REASON_EPT_VIOLATION, 0x184, 0,
			      (0x3f000ull + (uint64_t)v) << 12);
		}
		g->inj_idx = g->n - 2;
		return;
	}
	if (inject_now(g, INJ_KVM_BUG)) {
		struct tdxr_event *ev = add(g, TDXR_EV_KVM_VM_BUGGED, vm->host_tid, vm);

		EVF(ev, KVM_VM_BUGGED, vm) = (uint64_t)vm->id;
		mark(g);
		return;
	}
	if (inject_now(g, INJ_LOST)) {
		vexit(g, vm, v, EXIT_REASON_HLT, 0, 0, 0);
		g->evs[g->n - 2].lost_flags = TDXR_LOST_COUNTED;
		g->evs[g->n - 2].lost = 3;
		g->inj_idx = g->n - 2;
		return;
	}
	if (inject_now(g, INJ_ORDER)) {
		g->ts -= 5000000;
		vexit(g, vm, v, EXIT_REASON_HLT, 0, 0, 0);
		g->inj_idx = g->n - 2;
		g->ts += 10000000;
		return;
	}
	if (what < 40) {
		if (p->state == 0) {
			private_fault(g, vm, v, p);
		} else if (p->state == 2 && inject_now(g, INJ_ALIAS)) {
			/* a private fault over a shared mapping, no zap */
			uint64_t pg = newpage(vm);

			vexit(g, vm, v, EXIT_REASON_EPT_VIOLATION, 0x184, 1, p->gfn << 12);
			page_fault(g, vm, v, p->gfn << 12);
			link_tables(g, vm, vtid(vm, v), p->gfn);
			sc(g, vm, vtid(vm, v), TDH_MEM_PAGE_AUG, p->gfn << 12, vm->tdr, pg, 0, 0, 0,
			   0);
			spte(g, vm, vtid(vm, v), 1, p->gfn, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
			mark(g);
		} else {
			vexit(g, vm, v, EXIT_REASON_HLT, 0, 0, 0);
		}
	} else if (what < 55) {
		if (p->state == 1) {
			/* MapGPA private->shared: zap, then the shared fault */
			vexit(g, vm, v, EXIT_REASON_TDCALL, 0, 0, 0);
			zap_private(g, vm, p, true);
			if (p->state == 0) {
				entry(g, vm, v);
				shared_fault(g, vm, v, p);
			}
		} else if (p->state == 0) {
			shared_fault(g, vm, v, p);
		} else {
			vexit(g, vm, v, EXIT_REASON_HLT, 0, 0, 0);
		}
	} else if (what < 70) {
		if (p->state == 1) {
			zap_private(g, vm, p, true);
		} else if (p->state == 2) {
			spte(g, vm, vm->host_tid, 0, p->gfn, 1, p->pg, TB_NONPRESENT);
			p->state = 0;
		}
	} else if (what < 80) {
		mmio_flow(g, vm, v, p);
	} else {
		vexit(g, vm, v, what < 90 ? EXIT_REASON_HLT : EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0,
		      0);
	}
}

static inline size_t generate(struct gen *g, uint64_t seed, enum inj inj)
{
	unsigned int i, nops;
	int k;

	memset(g->vm, 0, sizeof(g->vm));
	g->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	g->n = 0;
	g->ts = 1000000000ull;
	g->patched = seed % 3 != 2;
	g->premap = seed % 2;
	g->inj = inj;
	g->injected = false;
	g->ops = 0;
	g->inj_idx = (size_t)-1;
	nops = 60 + rn(g, 60);
	g->inj_at = 5 + rn(g, nops - 10);
	for (k = 0; k < 2; k++) {
		struct gvm *vm = &g->vm[k];

		vm->id = 3000 + k * 17 + (int32_t)(seed % 5);
		vm->tdr = 0x10000000ull + (uint64_t)k * 0x1000000;
		vm->host_tid = 500 + k;
		vm->next_page = 0x100000000ull + (uint64_t)k * 0x10000000;
		for (i = 0; i < NPAGES; i++) {
			vm->pages[i].gfn =
				(i ? vm->pages[i - 1].gfn : 0x1000 + (uint64_t)k * 0x20000) + 1 +
				rn(g, 300);
		}
		boot(g, vm);
	}
	for (i = 0; i < nops; i++) {
		one_op(g, &g->vm[rn(g, 2)]);
	}
	/* injections that need a late chance */
	for (i = 0; i < 400 && inj && !g->injected; i++) {
		g->inj_at = 0;
		one_op(g, &g->vm[rn(g, 2)]);
	}
	teardown(g, &g->vm[0]);
	teardown(g, &g->vm[1]);
	return g->n;
}

static inline void dump_events(const struct tdxr_event *evs, size_t n)
{
	size_t i;
	unsigned int j;

	for (i = 0; i < n; i++) {
		fprintf(stderr, "%zu: type %u tid %d", i, evs[i].type, evs[i].tid);
		for (j = 0; j < 8; j++) {
			fprintf(stderr, " %llx", (unsigned long long)evs[i].f[j]);
		}
		fprintf(stderr, "\n");
	}
}

static inline struct gen *gen_new(void)
{
	struct gen *g = calloc(1, sizeof(*g));

	g->evs = calloc(MAX_EVENTS, sizeof(*g->evs));
	g->critical = calloc(MAX_EVENTS, 1);
	g->st = tdxr_strtab_new();
	return g;
}

static inline void gen_free(struct gen *g)
{
	free(g->evs);
	free(g->critical);
	tdxr_strtab_free(g->st);
	free(g);
}

#endif /* TDXR_TEST_MODEL_GEN_H */
