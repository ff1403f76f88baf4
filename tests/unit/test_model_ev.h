/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/unit/test_model_ev.h - a tiny trace builder for the model tests:
 * each helper builds one struct tdxr_event the way the kernel would emit
 * it, resolves and applies it, and records the findings.
 *
 * The helpers follow KVM's call order (docs/tdx.md §1.5) with their own
 * bookkeeping (which page tables are linked); they never ask the model.
 */
#ifndef TEST_MODEL_EV_H
#define TEST_MODEL_EV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdxr/event.h"
#include "tdxr/model.h"
#include "tdxr/strtab.h"
#include "tdxr/tdx.h"

#define TB_MAX_FINDINGS 256
/* Typical TD SPTEs (docs/tdx.md §4.1): a leaf is RWX, WB, A, D, present,
 * host- and MMU-writable, SVE; a non-leaf RWX, A, present, SVE. */
#define TB_LEAF_SPTE                                                                          \
	(SPTE_SVE | SPTE_MMU_WRITABLE | SPTE_HOST_WRITABLE | SPTE_PRESENT | SPTE_D | SPTE_A | \
	 ((uint64_t)EPT_MT_WB << SPTE_MT_SHIFT) | SPTE_RWX)
#define TB_NONLEAF_SPTE (SPTE_SVE | SPTE_PRESENT | SPTE_A | SPTE_RWX)
#define TB_NONPRESENT SHADOW_NONPRESENT_VALUE
#define TB_SHARED_GFN (1ull << 35) /* GPAW 48: shared bit 47 */
#define TB_HOST_TID 500
#define TB_VCPU_TID(v) (1000 + (v))

struct tb_finding {
	uint64_t seq;
	unsigned int kind;
	unsigned int severity;
	bool has_gfn;
	uint64_t gfn;
	uint64_t cause_seq;
	unsigned int nr_chain;
	int32_t vm;
};

struct tb {
	struct mdl_model *m;
	struct tdxr_strtab *st;
	uint64_t seq;
	uint64_t ts;
	int32_t vm;   /* VMM tgid of the events built */
	int32_t tid;  /* thread of host-side events */
	bool patched; /* spte_changed carries mirror/vm */
	uint64_t tdr;
	uint64_t next_page;
	unsigned int nf;
	struct tb_finding f[TB_MAX_FINDINGS];
	/* the builder's own bookkeeping: linked page tables (gfn >> 9) */
	uint64_t linked[4096];
	unsigned int nr_linked;
	uint16_t lost_next;
};

static void tb_sink(void *ctx, const struct mdl_finding *f)
{
	struct tb *t = ctx;

	if (getenv("TB_VERBOSE")) {
		fprintf(stderr, "  finding seq %llu %s [%s] gfn 0x%llx: %s\n",
			(unsigned long long)f->seq, mdl_finding_kind_name(f->kind),
			mdl_severity_name(f->severity), (unsigned long long)f->gfn, f->message);
	}
	if (t->nf < TB_MAX_FINDINGS) {
		struct tb_finding *x = &t->f[t->nf++];

		x->seq = f->seq;
		x->kind = f->kind;
		x->severity = f->severity;
		x->has_gfn = f->has_gfn;
		x->gfn = f->gfn;
		x->cause_seq = f->cause_seq;
		x->nr_chain = f->nr_chain;
		x->vm = f->vm;
	}
}

static inline void tb_init_cfg(struct tb *t, int profile, unsigned int check)
{
	struct mdl_config cfg = {0};

	memset(t, 0, sizeof(*t));
	t->st = tdxr_strtab_new();
	cfg.kernel_profile = profile;
	cfg.check_every = check;
	cfg.st = t->st;
	t->m = mdl_new(&cfg);
	t->vm = 4242;
	t->tid = TB_HOST_TID;
	t->patched = true;
	t->tdr = 0x10000000;
	t->next_page = 0x200000;
	t->ts = 1000000000ull;
}

static inline void tb_init(struct tb *t)
{
	tb_init_cfg(t, 0, 1);
}

static inline void tb_fini(struct tb *t)
{
	/* every test ran the invariant check after every event */
	if (mdl_check_failures(t->m) || mdl_check(t->m)) {
		fprintf(stderr, "model invariant check failed\n");
		abort();
	}
	mdl_free(t->m);
	tdxr_strtab_free(t->st);
}

static inline uint64_t tb_emit(struct tb *t, struct tdxr_event *ev)
{
	static const struct mdl_sink *sinkp;
	struct mdl_sink sink = {tb_sink, t};

	(void)sinkp;
	ev->seq = t->seq++;
	ev->ts = (t->ts += 1000);
	ev->line = (uint32_t)ev->seq + 1;
	ev->cpu = ev->tid % 4;
	ev->tgid = -1;
	if (t->lost_next) {
		ev->lost_flags = 1;
		ev->lost = t->lost_next;
		t->lost_next = 0;
	}
	mdl_resolve(t->m, ev);
	mdl_apply(t->m, ev, &sink);
	return ev->seq;
}

static inline void tb_ev(struct tdxr_event *ev, unsigned int type, int32_t tid)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)type;
	ev->tid = tid;
	ev->vm = -1;
	ev->vcpu = -1;
	ev->fmask = 0xffff;
}

/* tdx_seamcall with inputs and outputs. */
static inline uint64_t tb_sc_out(struct tb *t, int32_t tid, unsigned int leaf, uint64_t rcx,
				 uint64_t rdx, uint64_t r8, uint64_t status, uint64_t orcx,
				 uint64_t ordx, uint64_t or8)
{
	struct tdxr_event ev;

	tb_ev(&ev, TDXR_EV_TDX_SEAMCALL, tid);
	EVF(&ev, TDX_SEAMCALL, leaf) = leaf;
	EVF(&ev, TDX_SEAMCALL, rcx) = rcx;
	EVF(&ev, TDX_SEAMCALL, rdx) = rdx;
	EVF(&ev, TDX_SEAMCALL, r8) = r8;
	EVF(&ev, TDX_SEAMCALL, status) = status;
	EVF(&ev, TDX_SEAMCALL, out_rcx) = orcx;
	EVF(&ev, TDX_SEAMCALL, out_rdx) = ordx;
	EVF(&ev, TDX_SEAMCALL, out_r8) = or8;
	return tb_emit(t, &ev);
}

static inline uint64_t tb_sc(struct tb *t, unsigned int leaf, uint64_t rcx, uint64_t rdx,
			     uint64_t r8, uint64_t status)
{
	return tb_sc_out(t, t->tid, leaf, rcx, rdx, r8, status, 0, 0, 0);
}

static inline uint64_t tb_spte_as(struct tb *t, int32_t tid, int mirror, int as_id, uint64_t gfn,
				  int level, uint64_t old, uint64_t new_spte)
{
	struct tdxr_event ev;

	tb_ev(&ev, TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED, tid);
	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, as_id) = (uint64_t)as_id;
	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, gfn) = gfn;
	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, level) = (uint64_t)level;
	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, old_spte) = old;
	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte) = new_spte;
	if (t->patched) {
		EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, mirror) = (uint64_t)mirror;
		EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, vm) = (uint64_t)t->vm;
	} else {
		ev.fmask = (uint16_t)((1u << TDXR_F_KVM_TDP_MMU_SPTE_CHANGED_mirror) - 1);
		ev.tgid = -1;
	}
	return tb_emit(t, &ev);
}

static inline uint64_t tb_spte(struct tb *t, int32_t tid, int mirror, uint64_t gfn, int level,
			       uint64_t old, uint64_t new_spte)
{
	return tb_spte_as(t, tid, mirror, 0, gfn, level, old, new_spte);
}

static inline uint64_t tb_entry(struct tb *t, int vcpu)
{
	struct tdxr_event ev;

	tb_ev(&ev, TDXR_EV_KVM_ENTRY, TB_VCPU_TID(vcpu));
	EVF(&ev, KVM_ENTRY, vcpu_id) = (uint64_t)vcpu;
	ev.vm = t->vm;
	return tb_emit(t, &ev);
}

static inline uint64_t tb_exit(struct tb *t, int vcpu, uint32_t reason, uint64_t info1,
			       uint64_t info2)
{
	struct tdxr_event ev;

	tb_ev(&ev, TDXR_EV_KVM_EXIT, TB_VCPU_TID(vcpu));
	EVF(&ev, KVM_EXIT, vcpu_id) = (uint64_t)vcpu;
	EVF(&ev, KVM_EXIT, exit_reason) = reason;
	EVF(&ev, KVM_EXIT, info1) = info1;
	EVF(&ev, KVM_EXIT, info2) = info2;
	ev.vm = t->vm;
	return tb_emit(t, &ev);
}

/* TDH.VP.ENTER returning @status (an exit reason or an error). */
static inline uint64_t tb_vp_enter(struct tb *t, int vcpu, uint64_t status, uint64_t qual,
				   uint64_t ext, uint64_t gpa)
{
	return tb_sc_out(t, TB_VCPU_TID(vcpu), TDH_VP_ENTER, 0x30000000 + vcpu * 0x1000, 0, 0,
			 status, qual, ext, gpa);
}

static inline uint64_t tb_page_fault(struct tb *t, int vcpu, uint64_t gpa)
{
	struct tdxr_event ev;

	tb_ev(&ev, TDXR_EV_KVM_PAGE_FAULT, TB_VCPU_TID(vcpu));
	EVF(&ev, KVM_PAGE_FAULT, vcpu_id) = (uint64_t)vcpu;
	EVF(&ev, KVM_PAGE_FAULT, address) = gpa;
	EVF(&ev, KVM_PAGE_FAULT, error_code) = 2;
	return tb_emit(t, &ev);
}

static inline uint64_t tb_sept_hook(struct tb *t, int32_t tid, const char *op, uint64_t gfn,
				    int level, int ret)
{
	struct tdxr_event ev;

	tb_ev(&ev, TDXR_EV_KVM_TDX_SEPT, tid);
	EVF(&ev, KVM_TDX_SEPT, vm) = (uint64_t)t->vm;
	EVF(&ev, KVM_TDX_SEPT, op) = tdxr_strtab_intern(t->st, op, strlen(op));
	EVF(&ev, KVM_TDX_SEPT, gfn) = gfn;
	EVF(&ev, KVM_TDX_SEPT, level) = (uint64_t)level;
	EVF(&ev, KVM_TDX_SEPT, ret) = (uint64_t)(int64_t)ret;
	return tb_emit(t, &ev);
}

static inline uint64_t tb_tdvmcall(struct tb *t, int vcpu, uint64_t r10, uint64_t r11, uint64_t r12,
				   uint64_t r13, uint64_t r14)
{
	struct tdxr_event ev;

	tb_ev(&ev, TDXR_EV_KVM_TDX_TDVMCALL, TB_VCPU_TID(vcpu));
	EVF(&ev, KVM_TDX_TDVMCALL, vm) = (uint64_t)t->vm;
	EVF(&ev, KVM_TDX_TDVMCALL, vcpu) = (uint64_t)vcpu;
	EVF(&ev, KVM_TDX_TDVMCALL, r10) = r10;
	EVF(&ev, KVM_TDX_TDVMCALL, r11) = r11;
	EVF(&ev, KVM_TDX_TDVMCALL, r12) = r12;
	EVF(&ev, KVM_TDX_TDVMCALL, r13) = r13;
	EVF(&ev, KVM_TDX_TDVMCALL, r14) = r14;
	return tb_emit(t, &ev);
}

static inline uint64_t tb_mark_mmio(struct tb *t, int vcpu, uint64_t gfn)
{
	struct tdxr_event ev;

	tb_ev(&ev, TDXR_EV_MARK_MMIO_SPTE, TB_VCPU_TID(vcpu));
	EVF(&ev, MARK_MMIO_SPTE, gfn) = gfn;
	return tb_emit(t, &ev);
}

static inline uint64_t tb_vm_bugged(struct tb *t)
{
	struct tdxr_event ev;
	const char *c = "tdx_track+0x7e/0x120 [kvm_intel]";

	tb_ev(&ev, TDXR_EV_KVM_VM_BUGGED, t->tid);
	EVF(&ev, KVM_VM_BUGGED, vm) = (uint64_t)t->vm;
	EVF(&ev, KVM_VM_BUGGED, caller) = tdxr_strtab_intern(t->st, c, strlen(c));
	return tb_emit(t, &ev);
}

/* ---- KVM call sequences ------------------------------------------------ */

static inline uint64_t tb_page(struct tb *t)
{
	t->next_page += 0x1000;
	return t->next_page;
}

/* MNG.CREATE, MNG.INIT (and MR.FINALIZE when @finalize). */
static inline void tb_boot(struct tb *t, bool finalize)
{
	tb_sc(t, TDH_MNG_CREATE, t->tdr, 0, 0, 0);
	tb_sc(t, TDH_MNG_INIT, t->tdr, 0, 0, 0);
	if (finalize) {
		tb_sc(t, TDH_MR_FINALIZE, t->tdr, 0, 0, 0);
	}
}

static inline bool tb_is_linked(struct tb *t, uint64_t key)
{
	unsigned int i;

	for (i = 0; i < t->nr_linked; i++) {
		if (t->linked[i] == key) {
			return true;
		}
	}
	return false;
}

/* SEPT.ADD + mirror link for levels 4..2 that the builder has not linked. */
static inline void tb_link(struct tb *t, int32_t tid, uint64_t gfn)
{
	int level;

	for (level = 4; level >= 2; level--) {
		uint64_t g = gfn & ~((1ull << (9 * (level - 1))) - 1);
		uint64_t key = (g << 3) | (uint64_t)level;
		uint64_t pg;

		if (tb_is_linked(t, key)) {
			continue;
		}
		pg = tb_page(t);
		tb_sc_out(t, tid, TDH_MEM_SEPT_ADD, (g << 12) | (uint64_t)(level - 1), t->tdr, pg,
			  0, 0, 0, 0);
		tb_spte(t, tid, 1, g, level, TB_NONPRESENT, TB_NONLEAF_SPTE | pg);
		if (t->nr_linked < 4096) {
			t->linked[t->nr_linked++] = key;
		}
	}
}

/* A private fault of @vcpu on @gfn, from its exit to the mirror leaf. */
static inline uint64_t tb_fault_private(struct tb *t, int vcpu, uint64_t gfn, uint64_t *aug_seq)
{
	int32_t tid = TB_VCPU_TID(vcpu);
	uint64_t pg, s;

	tb_entry(t, vcpu);
	tb_vp_enter(t, vcpu, 48, 0x184, 0, gfn << 12);
	tb_exit(t, vcpu, 48, 0x184, 0);
	tb_page_fault(t, vcpu, gfn << 12);
	tb_link(t, tid, gfn);
	pg = tb_page(t);
	s = tb_sc_out(t, tid, TDH_MEM_PAGE_AUG, gfn << 12, t->tdr, pg, 0, 0, 0, 0);
	if (aug_seq) {
		*aug_seq = s;
	}
	tb_spte(t, tid, 1, gfn, 1, TB_NONPRESENT, TB_LEAF_SPTE | pg);
	return pg;
}

/* The removal hook of a mirror leaf: SPTE change, BLOCK, TRACK, REMOVE. */
static inline void tb_zap_private(struct tb *t, uint64_t gfn, uint64_t pg)
{
	tb_spte(t, t->tid, 1, gfn, 1, TB_LEAF_SPTE | pg, TB_NONPRESENT);
	tb_sc(t, TDH_MEM_RANGE_BLOCK, gfn << 12, t->tdr, 0, 0);
	tb_sc(t, TDH_MEM_TRACK, t->tdr, 0, 0, 0);
	tb_sc_out(t, t->tid, TDH_MEM_PAGE_REMOVE, gfn << 12, t->tdr, 0, 0, pg, 0, 0);
	tb_sc(t, TDH_PHYMEM_PAGE_WBINVD, pg | (5ull << 46), 0, 0, 0);
}

static inline unsigned int tb_count(const struct tb *t, unsigned int kind)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->nf; i++) {
		n += t->f[i].kind == kind;
	}
	return n;
}

static inline unsigned int tb_errors(const struct tb *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->nf; i++) {
		n += t->f[i].severity == MDL_SEV_ERROR;
	}
	return n;
}

/* The first finding of @kind, or NULL. */
static inline const struct tb_finding *tb_find(const struct tb *t, unsigned int kind)
{
	unsigned int i;

	for (i = 0; i < t->nf; i++) {
		if (t->f[i].kind == kind) {
			return &t->f[i];
		}
	}
	return NULL;
}

static inline void tb_dump(const struct tb *t)
{
	unsigned int i;

	for (i = 0; i < t->nf; i++) {
		fprintf(stderr, "finding %u: seq %llu %s gfn 0x%llx\n", i,
			(unsigned long long)t->f[i].seq, mdl_finding_kind_name(t->f[i].kind),
			(unsigned long long)t->f[i].gfn);
	}
}

#endif /* TEST_MODEL_EV_H */
