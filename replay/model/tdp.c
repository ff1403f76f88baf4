// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/tdp.c - KVM's TDP MMU side: the mirror (private) and direct
 * (shared) trees of each VM and address space, fed by
 * kvm_tdp_mmu_spte_changed (docs/tdx.md §1.3-§1.5, §4).
 *
 * Each change is checked against the model (old_spte must be what the
 * model holds; hardware-updated bits masked in the direct tree), then
 * against the S-EPT (a mirror install follows its successful SEAMCALL; a
 * mirror removal is followed by BLOCK/TRACK/REMOVE, checked when the hook
 * completes), then for private/shared aliasing, then learned.
 *
 * The direct tree keeps one older root generation per gfn: a fast zap
 * starts a new root while the old root's zaps still stream in.
 */
#include <stdio.h>
#include <string.h>

#include "model_int.h"

static bool spte_nonpresent_value(uint64_t s)
{
	return !spte_present(s);
}

/*
 * Two present direct SPTEs are the same mapping when they point to the same
 * page (or table) at the same size. Everything else changes without a
 * kvm_tdp_mmu_spte_changed: the CPU's A/D bits (EPT 8/9, NPT 5/6), W from
 * fast page faults and dirty logging, access tracking's saved bits (EPT
 * 54-56), KVM's software bits.
 */
static bool direct_equal(uint64_t a, uint64_t b)
{
	return ((a ^ b) & (SPTE_PFN_MASK | SPTE_LARGE)) == 0;
}

/* Leaf presence changed at @level: keep the counts of the levels above. */
static void below_update(struct mdl_ctx *c, int tree, int as_id, uint64_t gfn, int level, int delta,
			 struct mdl_ent **alias)
{
	int l;

	for (l = level + 1; l <= 3; l++) {
		struct mdl_ent *p = mdl_ent_get(c->vm, gfn, l, as_id);

		if (!p) {
			return;
		}
		if (delta > 0) {
			p->below[tree]++;
		} else if (p->below[tree]) {
			p->below[tree]--;
		}
		if (alias && delta > 0 &&
		    (p->flags & (tree ? ENT_KNOWN_DIRECT : ENT_KNOWN_MIRROR)) &&
		    spte_leaf(p->spte[!tree], l)) {
			*alias = p;
		}
	}
}

/*
 * @e was touched before lost events: what the trees held there is stale.
 * Forget it (keeping the leaf counts above consistent) so it is re-learned.
 */
void mdl_tdp_forget(struct mdl_ctx *c, struct mdl_ent *e)
{
	int level = mdl_ent_level(e), t;

	for (t = 0; t < 2; t++) {
		if (spte_leaf(e->spte[t], level) && c->vm->s.is_tdx) {
			below_update(c, t, (int)((e->key >> 52) & 3), mdl_ent_gfn(e), level, -1,
				     NULL);
		}
		e->spte[t] = SHADOW_NONPRESENT_VALUE;
	}
	e->flags &= ~(ENT_KNOWN_DIRECT | ENT_KNOWN_MIRROR | ENT_KNOWN_PREV);
}

static void alias_check(struct mdl_ctx *c, int tree, int as_id, struct mdl_ent *e, uint64_t gfn,
			int level, struct mdl_ent *above)
{
	struct mdl_ent *other = above;
	char exp[64], act[64];

	if (!c->vm->s.is_tdx || c->reported) {
		return;
	}
	if (!other && spte_leaf(e->spte[!tree], level)) {
		other = e;
	}
	if (!other && level > 1 && e->below[!tree] && c->vm->s.below_valid) {
		other = e;
	}
	(void)as_id;
	if (!other) {
		return;
	}
	snprintf(exp, sizeof(exp), "no %s leaf", tree ? "direct" : "mirror");
	snprintf(act, sizeof(act), "%s leaf at level %d", tree ? "direct" : "mirror",
		 mdl_ent_level(other));
	MDL_CHECK(c, !mdl_ent_uncertain(c->m, other),
		  MDL_R(.kind = MDL_FK_PRIVATE_SHARED_ALIAS, .e = e,
			.e2 = other != e ? other : NULL, .has_gfn = true, .gfn = gfn,
			.expected = exp, .actual = act),
		  "gfn 0x%llx gets a present %s leaf (level %d) while the %s tree maps it too: "
		  "private/shared alias",
		  (unsigned long long)gfn, tree ? "mirror" : "direct", level,
		  tree ? "direct" : "mirror");
}

static void desync(struct mdl_ctx *c, struct mdl_ent *e, uint64_t gfn, const char *exp,
		   const char *act, const char *msg)
{
	MDL_CHECK(c, !mdl_ent_uncertain(c->m, e),
		  MDL_R(.kind = MDL_FK_MIRROR_DESYNC, .e = e, .has_gfn = true, .gfn = gfn,
			.expected = exp, .actual = act),
		  "gfn 0x%llx level %d: %s", (unsigned long long)gfn, mdl_ent_level(e), msg);
}

static void kvm_bug_ent(struct mdl_ctx *c, struct mdl_ent *e, uint64_t gfn, const char *exp,
			const char *act, const char *msg)
{
	MDL_CHECK(c, true,
		  MDL_R(.kind = MDL_FK_KVM_BUG, .e = e, .has_gfn = true, .gfn = gfn,
			.expected = exp, .actual = act),
		  "gfn 0x%llx level %d: %s", (unsigned long long)gfn, mdl_ent_level(e), msg);
}

static void tdp_zap_complete(struct mdl_ctx *c);

/* The removal hook of @gfn starts (its SPTE change or first SEAMCALL);
 * one in progress for another gfn is complete. */
static void zap_start(struct mdl_ctx *c, uint64_t gfn, int level)
{
	struct mdl_zap *z = &c->vm->s.zap;

	if (z->active) {
		tdp_zap_complete(c);
	}
	z->active = 1;
	z->tid = (uint64_t)c->ev->tid;
	z->gfn = gfn;
	z->level = (uint64_t)level;
	z->seq = c->ev->seq;
	z->stage = ZAP_SPTE;
}

/* A mirror install: its SEAMCALL came first (docs/tdx.md §5.4). */
static void mirror_install(struct mdl_ctx *c, struct mdl_ent *e, uint64_t gfn, int level,
			   uint64_t new_spte)
{
	struct mdl_vm *vm = c->vm;
	bool leaf = spte_leaf(new_spte, level);
	bool matched = vm->s.inst.active && vm->s.inst.tid == (uint64_t)c->ev->tid &&
		       vm->s.inst.gfn == gfn && vm->s.inst.level == (uint64_t)level;
	bool prefinal = vm->s.op_state == MDL_OP_INITIALIZED ||
			(vm->s.op_state == MDL_OP_UNKNOWN && !vm->s.seen_vp_enter);

	if (matched) {
		vm->s.inst.active = 0;
	}
	if (!vm->s.seen_seamcall) {
		return;
	}
	if (leaf && level > 1 && !vm->s.huge_private) {
		kvm_bug_ent(c, e, gfn, "4K private leaf", "huge leaf",
			    "private leaf above 4K: KVM_BUG_ON in the S-EPT set hook");
		return;
	}
	if (matched) {
		if (leaf && prefinal && e->sept == MDL_SEPT_MAPPED) {
			mdl_profile_decide(c->m, 619);
		}
		return;
	}
	if (leaf && prefinal && mdl_profile_of(c->m) != 619 &&
	    (e->sept == MDL_SEPT_FREE || e->sept == MDL_SEPT_UNKNOWN)) {
		/* 6.16: KVM_TDX_INIT_MEM_REGION premaps, PAGE.ADD follows. */
		mdl_profile_decide(c->m, 616);
		if (!(e->flags & ENT_PREMAP)) {
			e->flags |= ENT_PREMAP;
			vm->s.nr_premap++;
		}
		return;
	}
	if (leaf ? (e->sept == MDL_SEPT_PENDING || e->sept == MDL_SEPT_MAPPED ||
		    e->sept == MDL_SEPT_NOT_FREE)
		 : (e->sept == MDL_SEPT_NL_MAPPED || e->sept == MDL_SEPT_NOT_FREE)) {
		return;
	}
	if (e->sept == MDL_SEPT_UNKNOWN &&
	    (!vm->s.seen_install_op || (c->cpu && !c->cpu->seamcalls))) {
		return;
	}
	desync(c, e, gfn, leaf ? "PENDING/MAPPED" : "NL_MAPPED", mdl_sept_state_name(e->sept),
	       leaf ? "mirror leaf installed with no successful PAGE.AUG/PAGE.ADD for it"
		    : "mirror page table linked with no successful SEPT.ADD for it");
}

/*
 * A successful PAGE.AUG/PAGE.ADD/SEPT.ADD is followed on its thread by the
 * mirror SPTE it backs (the install writes it right after the SEAMCALL).
 * Called when another event on that thread shows it did not come.
 */
static void tdp_install_missing(struct mdl_ctx *c)
{
	struct mdl_vm *vm = c->vm;
	struct mdl_ent *e;
	int level = (int)vm->s.inst.level;

	vm->s.inst.active = 0;
	if (!vm->s.seen_spte || mdl_seq_uncertain(c->m, vm->s.inst.seq) ||
	    vm->s.lifecycle >= LIFE_BLOCKED) {
		return;
	}
	e = mdl_ent_find(vm, vm->s.inst.gfn, level, 0);
	/* Before FINALIZE under 6.16 the install (premap) precedes PAGE.ADD:
	 * a mirror SPTE never seen (lost, or before the trace) is unknown, not
	 * missing. AUG and SEPT.ADD always run inside the install. */
	if (e && !(e->flags & ENT_KNOWN_MIRROR) && level == 1 && mdl_profile_of(c->m) != 619 &&
	    vm->s.op_state != MDL_OP_RUNNABLE) {
		return;
	}
	if (!e || spte_present(e->spte[TREE_MIRROR]) ||
	    (e->sept == MDL_SEPT_FREE || e->sept == MDL_SEPT_UNKNOWN)) {
		return;
	}
	desync(c, e, vm->s.inst.gfn, "mirror SPTE present", "mirror SPTE not present",
	       "the S-EPT entry was mapped but its mirror SPTE was never installed");
}

/*
 * The removal hook of the mirror leaf in progress is complete: the S-EPT
 * entry must be FREE now (removal-before order, docs/tdx.md §5.4).
 */
static void tdp_zap_complete(struct mdl_ctx *c)
{
	struct mdl_vm *vm = c->vm;
	struct mdl_ent *e;

	if (!vm->s.zap.active) {
		return;
	}
	vm->s.zap.active = 0;
	if (vm->s.busy.active) {
		mdl_busy_check(c, true);
	}
	e = mdl_ent_find(vm, vm->s.zap.gfn, (int)vm->s.zap.level, 0);
	if (!e || vm->s.lifecycle >= LIFE_BLOCKED || !vm->s.seen_spte ||
	    mdl_seq_uncertain(c->m, vm->s.zap.seq)) {
		return;
	}
	/* A SEAMCALL of this hook already failed with a finding (e.g. TRACK's
	 * epoch-busy): the entry left mapped is its consequence, not news. */
	if (vm->s.has_err && vm->s.last_err_seq >= vm->s.zap.seq) {
		return;
	}
	if (e->sept != MDL_SEPT_UNKNOWN && e->sept != MDL_SEPT_FREE &&
	    !spte_present(e->spte[TREE_MIRROR])) {
		char act[64];

		snprintf(act, sizeof(act), "%s", mdl_sept_state_name(e->sept));
		desync(c, e, vm->s.zap.gfn, "FREE", act,
		       "mirror leaf removed but the S-EPT entry is still mapped after the removal "
		       "hook (no successful PAGE.REMOVE)");
	} else if (e->sept == MDL_SEPT_FREE && (e->flags & ENT_KNOWN_MIRROR) &&
		   spte_present(e->spte[TREE_MIRROR]) && vm->s.zap.stage == ZAP_REMOVED) {
		desync(c, e, vm->s.zap.gfn, "no mirror leaf", "mirror leaf present",
		       "S-EPT entry removed while the mirror leaf stays present (the mirror SPTE "
		       "was never zapped)");
	}
}

void mdl_tdp_apply_change(struct mdl_ctx *c, int tree, int as_id, uint64_t gfn, int level,
			  uint64_t old_spte, uint64_t new_spte)
{
	struct mdl_vm *vm = c->vm;
	struct mdl_ent *e = mdl_ent_get(vm, gfn, level, as_id);
	struct mdl_ent *alias = NULL;
	uint8_t known = tree ? ENT_KNOWN_MIRROR : ENT_KNOWN_DIRECT;
	bool was_leaf, is_leaf, install, removal, counted, complete_after = false;
	uint64_t model;
	char exp[64], act[64];

	if (!e) {
		return;
	}
	if (mdl_ent_uncertain(c->m, e)) {
		/* touched before lost events: re-learn both sides */
		mdl_tdp_forget(c, e);
		if (e->sept != MDL_SEPT_UNKNOWN) {
			mdl_sept_set_state(vm, e, MDL_SEPT_UNKNOWN);
		}
	}
	/* FROZEN only appears for the children of a removed table: the
	 * table is gone, so they are simply not present any more. */
	if (spte_frozen(old_spte)) {
		old_spte = SHADOW_NONPRESENT_VALUE;
	}
	model = e->spte[tree];
	if ((e->flags & known) && model != old_spte) {
		bool ok = false;

		if (tree == TREE_DIRECT) {
			if (direct_equal(model, old_spte)) {
				ok = true;
			} else if ((e->flags & ENT_KNOWN_PREV) && direct_equal(e->prev, old_spte)) {
				/* the older root's zap streaming in */
				e->flags &= ~ENT_KNOWN_PREV;
				mdl_ent_touch(e, c->ev->seq);
				return;
			} else if (!spte_present(old_spte) && spte_present(model)) {
				/* a new root over a still-mapped old one */
				e->prev = model;
				e->flags |= ENT_KNOWN_PREV;
				ok = true;
			} else if (!spte_present(old_spte) || !spte_present(model)) {
				ok = true; /* lockless paths, old roots */
			} else if (!spte_leaf(old_spte, level) || !spte_leaf(model, level)) {
				/* a table of another root (a nested guest's, a
				 * third generation, a stock kernel's mirror
				 * table): only two leaves of one gfn can clash */
				ok = true;
			}
		}
		MDL_CHECK(c, !ok && !mdl_ent_uncertain(c->m, e),
			  MDL_R(.kind = MDL_FK_SPTE_MISMATCH, .e = e, .has_gfn = true, .gfn = gfn,
				.expected = mdl_hex_str(exp, sizeof(exp), model),
				.actual = mdl_hex_str(act, sizeof(act), old_spte)),
			  "%s SPTE of gfn 0x%llx level %d as %d: old_spte %s recorded, the model "
			  "holds %s",
			  tree ? "mirror" : "direct", (unsigned long long)gfn, level, as_id, act,
			  exp);
	}
	/* the trace's old value says what the change is; the leaf counts
	 * follow the model (an unknown SPTE was never counted) */
	was_leaf = spte_leaf(old_spte, level);
	counted = (e->flags & known) && spte_leaf(e->spte[tree], level);
	is_leaf = spte_leaf(new_spte, level);
	install = !spte_present(old_spte) && spte_present(new_spte);
	removal = spte_present(old_spte) && !spte_present(new_spte);

	if (tree == TREE_MIRROR && vm->s.seen_seamcall) {
		if (spte_present(old_spte) && spte_present(new_spte) && old_spte != new_spte) {
			kvm_bug_ent(c, e, gfn, "non-present old SPTE", "present",
				    "mirror SPTE changed while present: KVM_BUG_ON(was_present) in "
				    "the external install");
		} else if (install) {
			mirror_install(c, e, gfn, level, new_spte);
		} else if (removal && was_leaf) {
			if (vm->s.lifecycle >= LIFE_TEARDOWN) {
				kvm_bug_ent(c, e, gfn, "HKID assigned", "HKID freed",
					    "mirror leaf removed after KEY.FREEID: "
					    "KVM_BUG_ON(!is_hkid_assigned) in the removal hook");
			}
			if (vm->s.zap.active && vm->s.zap.gfn == gfn &&
			    vm->s.zap.stage != ZAP_SPTE) {
				/* the hook's SEAMCALLs came first (a kernel
				 * that traces after the external update) */
				complete_after = true;
			} else {
				zap_start(c, gfn, level);
			}
			if (level > 1 && !vm->s.huge_private) {
				kvm_bug_ent(c, e, gfn, "4K private leaf", "huge leaf",
					    "private leaf above 4K removed: KVM_BUG_ON(level != "
					    "PG_LEVEL_4K)");
			}
		} else if (removal && !was_leaf &&
			   (vm->s.lifecycle == LIFE_HKID || vm->s.lifecycle == LIFE_BLOCKED ||
			    (vm->s.lifecycle == LIFE_UNKNOWN &&
			     vm->s.op_state == MDL_OP_RUNNABLE))) {
			kvm_bug_ent(c, e, gfn, "HKID freed", "HKID assigned",
				    "mirror page table removed while the TD's HKID is assigned: "
				    "the free hook hits KVM_BUG_ON(is_hkid_assigned) and leaks the "
				    "S-EPT page");
		}
	}

	/* MMIO in the direct tree of a TD. */
	if (tree == TREE_DIRECT && vm->s.is_tdx && spte_td_mmio(new_spte)) {
		c->m->g.cov_mmio = 1;
	}

	e->spte[tree] = spte_frozen(new_spte) ? SHADOW_NONPRESENT_VALUE : new_spte;
	e->flags |= known;
	if (tree == TREE_MIRROR && removal && was_leaf && (e->flags & ENT_PREMAP)) {
		/* 6.16: the hook's BLOCK fails on the FREE entry and KVM
		 * counts the premap down (tdx_is_sept_zap_err_due_to_premap). */
		e->flags &= ~ENT_PREMAP;
		e->flags |= ENT_PREMAP_GONE;
		if (vm->s.nr_premap) {
			vm->s.nr_premap--;
		}
	}
	if (counted != is_leaf && vm->s.is_tdx) {
		below_update(c, tree, as_id, gfn, level, is_leaf ? 1 : -1, is_leaf ? &alias : NULL);
	}
	if (is_leaf && !counted) {
		alias_check(c, tree, as_id, e, gfn, level, alias);
	}
	if (complete_after) {
		tdp_zap_complete(c);
	}
	vm->s.chg = (struct mdl_change){
		.gfn = gfn,
		.level = (uint64_t)level,
		.new_spte = new_spte,
		.seq = c->ev->seq,
		.tree = (uint64_t)tree,
	};
	mdl_ent_touch(e, c->ev->seq);
}

/* Which tree, for an unpatched trace (docs/design.md §2.1). -1: defer. */
static int infer_tree(struct mdl_ctx *c, int as_id, uint64_t gfn, int level, uint64_t old_spte,
		      uint64_t new_spte)
{
	struct mdl_vm *vm = c->vm;
	const struct mdl_ent *e;
	bool prefinal;

	if (!vm->s.is_tdx || as_id) {
		return TREE_DIRECT;
	}
	if (spte_td_mmio(new_spte) || spte_td_mmio(old_spte)) {
		return TREE_DIRECT;
	}
	e = mdl_ent_find(vm, gfn, level, as_id);
	if (spte_nonpresent_value(old_spte) && spte_present(new_spte)) {
		if (vm->s.inst.active && vm->s.inst.tid == (uint64_t)c->ev->tid &&
		    vm->s.inst.gfn == gfn && vm->s.inst.level == (uint64_t)level) {
			return TREE_MIRROR;
		}
		prefinal = vm->s.op_state == MDL_OP_INITIALIZED;
		if (prefinal && spte_leaf(new_spte, level)) {
			return TREE_MIRROR;
		}
		/* a private fault maps through the mirror root only */
		if (vm->s.fault.tid == (uint64_t)c->ev->tid &&
		    gfn_align(vm->s.fault.gfn, level) == gfn && vm->s.fault.is_private) {
			return TREE_MIRROR;
		}
		return TREE_DIRECT;
	}
	if (e) {
		bool m_eq = (e->flags & ENT_KNOWN_MIRROR) && e->spte[TREE_MIRROR] == old_spte;
		bool d_eq = (e->flags & ENT_KNOWN_DIRECT) &&
			    direct_equal(e->spte[TREE_DIRECT], old_spte);
		bool m_pr = (e->flags & ENT_KNOWN_MIRROR) && spte_present(e->spte[TREE_MIRROR]);
		bool d_pr = (e->flags & ENT_KNOWN_DIRECT) && spte_present(e->spte[TREE_DIRECT]);

		if (m_eq && !d_eq) {
			return TREE_MIRROR;
		}
		if (d_eq && !m_eq) {
			return TREE_DIRECT;
		}
		/* the zap targets a present SPTE: presence names the tree */
		if (spte_present(old_spte) && m_pr != d_pr) {
			return m_pr ? TREE_MIRROR : TREE_DIRECT;
		}
	}
	if (spte_present(old_spte) && !spte_present(new_spte)) {
		return -1;
	}
	return TREE_DIRECT;
}

/* Applies the deferred change: @mirror when BLOCK of its gfn followed. */
static void tdp_flush_inference(struct mdl_ctx *c, bool mirror)
{
	struct mdl_vm *vm = c->vm;

	if (!vm->s.pinf.active) {
		return;
	}
	vm->s.pinf.active = 0;
	c->m->g.inferred_tree++;
	mdl_tdp_apply_change(c, mirror ? TREE_MIRROR : TREE_DIRECT, (int)vm->s.pinf.as_id,
			     vm->s.pinf.gfn, (int)vm->s.pinf.level, vm->s.pinf.old_spte,
			     vm->s.pinf.new_spte);
}

void mdl_tdp_spte_changed(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	int as_id = (int)(int32_t)EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, as_id);
	int level = (int)(int32_t)EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, level);
	uint64_t gfn = EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, gfn);
	uint64_t old_spte = EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, old_spte);
	uint64_t new_spte = EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte);
	int32_t mirror = -1;
	int tree;

	if (level < 1 || level > MDL_LEVELS || as_id < 0 || as_id > 1) {
		return;
	}
	gfn &= (1ull << 40) - 1;
	gfn = gfn_align(gfn, level);
	c->m->g.spte_changes++;
	vm->s.seen_spte = 1;
	if (EVF_HAS(ev, KVM_TDP_MMU_SPTE_CHANGED, mirror)) {
		mirror = (int32_t)EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, mirror);
	}
	if (mirror >= 0) {
		tree = mirror ? TREE_MIRROR : TREE_DIRECT;
		c->m->g.cov_mirror_field = 1;
		if (mirror) {
			mdl_vm_mark_tdx(vm);
		}
	} else {
		if (vm->s.is_tdx) {
			c->m->g.cov_inferred = 1;
		}
		tree = infer_tree(c, as_id, gfn, level, old_spte, new_spte);
		if (tree < 0) {
			vm->s.pinf = (struct mdl_tree_wait){
				.active = 1,
				.tid = (uint64_t)ev->tid,
				.gfn = gfn,
				.level = (uint64_t)level,
				.as_id = (uint64_t)as_id,
				.old_spte = old_spte,
				.new_spte = new_spte,
				.seq = ev->seq,
			};
			return;
		}
		if (vm->s.is_tdx) {
			c->m->g.inferred_tree++;
		}
	}
	mdl_tdp_apply_change(c, tree, as_id, gfn, level, old_spte, new_spte);
}

/*
 * kvm_mmu_set_spte: a successful install at the target level. Without
 * kvm_tdp_mmu_spte_changed in the trace it is the only news of it.
 */
void mdl_tdp_set_spte(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	int level = (int)(int32_t)EVF(ev, KVM_MMU_SET_SPTE, level);
	uint64_t gfn = EVF(ev, KVM_MMU_SET_SPTE, gfn) & ((1ull << 40) - 1);
	uint64_t spte = EVF(ev, KVM_MMU_SET_SPTE, spte);
	struct mdl_ent *e;
	int tree;

	if (level < 1 || level > MDL_LEVELS || vm->s.seen_spte) {
		if (level >= 1 && level <= MDL_LEVELS) {
			e = mdl_ent_find(vm, gfn, level, 0);
			if (e) {
				mdl_ent_note(e, ev->seq);
			}
		}
		return;
	}
	tree = (vm->s.is_tdx && vm->s.fault.tid == (uint64_t)ev->tid && vm->s.fault.is_private)
		       ? TREE_MIRROR
		       : TREE_DIRECT;
	e = mdl_ent_get(vm, gfn, level, 0);
	if (!e) {
		return;
	}
	if (vm->s.is_tdx && spte_leaf(e->spte[tree], level) != spte_leaf(spte, level)) {
		below_update(c, tree, 0, gfn, level, spte_leaf(spte, level) ? 1 : -1, NULL);
	}
	e->spte[tree] = spte;
	e->flags |= tree ? ENT_KNOWN_MIRROR : ENT_KNOWN_DIRECT;
	mdl_ent_touch(e, ev->seq);
}

/* mark_mmio_spte: the change just before installed an MMIO SPTE. */
void mdl_tdp_mark_mmio(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	uint64_t gfn = EVF(ev, MARK_MMIO_SPTE, gfn) & ((1ull << 40) - 1);
	struct mdl_ent *e;

	c->m->g.cov_mmio |= vm->s.is_tdx != 0;
	if (vm->s.seen_spte && vm->s.chg.gfn == gfn_align(gfn, (int)vm->s.chg.level) &&
	    vm->s.chg.seq + 8 > ev->seq) {
		uint64_t s = vm->s.chg.new_spte;

		char act[64];

		e = mdl_ent_find(vm, gfn, (int)vm->s.chg.level, 0);
		MDL_CHECK(c, vm->s.is_tdx && e && ((s & SPTE_SVE) || (s & SPTE_RWX)),
			  MDL_R(.kind = MDL_FK_MMIO_SUPPRESS_VE, .e = e, .has_gfn = true,
				.gfn = gfn, .expected = "SVE=0 RWX=0",
				.actual = mdl_hex_str(act, sizeof(act), s)),
			  "TD MMIO SPTE %s for gfn 0x%llx has %s: the guest gets no #VE and the "
			  "access exits as EPT misconfig/violation",
			  act, (unsigned long long)gfn,
			  (s & SPTE_SVE) ? "suppress-#VE set" : "RWX set");
		if (e) {
			mdl_ent_note(e, ev->seq);
		}
		return;
	}
	/* No spte_changed: learn an MMIO SPTE at 4K. */
	e = mdl_ent_get(vm, gfn, 1, 0);
	if (!e) {
		return;
	}
	if (vm->s.is_tdx && spte_leaf(e->spte[TREE_DIRECT], 1)) {
		below_update(c, TREE_DIRECT, 0, gfn, 1, -1, NULL);
	}
	e->spte[TREE_DIRECT] = (gfn << 12) | (vm->s.is_tdx ? 0 : MMIO_VALUE_VMX);
	e->flags |= ENT_KNOWN_DIRECT;
	mdl_ent_touch(e, ev->seq);
}

/*
 * #VE.RequestMMIO (TDVMCALL r11 = 48) for @gpa (docs/tdx.md §4.2). Only a private GPA
 * is wrong (KVM answers INVALID_OPERAND). A shared one needs no MMIO SPTE
 * behind it: firmware (TDVF) issues the TDVMCALL directly, with no #VE, and
 * KVM checks nothing but the shared bit.
 */
void mdl_tdp_ve_request_mmio(struct mdl_ctx *c, uint64_t gpa)
{
	struct mdl_vm *vm = c->vm;
	uint64_t gfn;
	struct mdl_ent *e4k;
	struct mdl_report r;

	c->m->g.cov_mmio = 1;
	mdl_vm_mark_tdx(vm);
	mdl_vm_learn_gpaw(vm, gpa);
	if ((gpa >> 12) & vm->s.shared_gfn) {
		return;
	}
	gfn = mdl_vm_gfn_of_gpa(vm, gpa);
	e4k = mdl_ent_find(vm, gfn, 1, 0);
	memset(&r, 0, sizeof(r));
	r.kind = MDL_FK_MMIO_SUPPRESS_VE;
	r.has_gfn = true;
	r.gfn = gfn;
	r.e = e4k && !(e4k->flags & ENT_POISON) ? e4k : NULL;
	r.expected = "shared GPA";
	r.actual = "private GPA";
	mdl_report(c, &r,
		   "#VE.RequestMMIO for private gpa 0x%llx: MMIO must use a shared GPA "
		   "(TDVMCALL INVALID_OPERAND)",
		   (unsigned long long)gpa);
}

static bool removal_seamcall(const struct tdxr_event *ev)
{
	unsigned int leaf;

	if (ev->type != TDXR_EV_TDX_SEAMCALL) {
		return false;
	}
	leaf = (unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff);
	return leaf == TDH_MEM_RANGE_BLOCK || leaf == TDH_MEM_TRACK ||
	       leaf == TDH_MEM_PAGE_REMOVE || leaf == TDH_PHYMEM_PAGE_WBINVD;
}

/*
 * Step 4 of mdl_apply(): what the event (not an IPI's SEAMCALL) proves
 * finished on its thread. An unpatched removal waiting for its tree gets
 * it (a BLOCK of its gfn: mirror); the removal hook is complete unless
 * the event is part of it; an install whose mirror SPTE did not come is
 * judged.
 */
void mdl_tdp_thread_event(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	const struct mdl_vm_state *s = &c->vm->s;
	uint64_t tid = (uint64_t)ev->tid;

	if (s->pinf.active && tid == s->pinf.tid) {
		bool mirror = ev->type == TDXR_EV_TDX_SEAMCALL &&
			      (EVF(ev, TDX_SEAMCALL, leaf) & 0xffff) == TDH_MEM_RANGE_BLOCK &&
			      mdl_vm_gfn_of_gpa(c->vm, EVF(ev, TDX_SEAMCALL, rcx)) == s->pinf.gfn;

		tdp_flush_inference(c, mirror);
	}
	if (s->zap.active && tid == s->zap.tid && !removal_seamcall(ev) &&
	    ev->type != TDXR_EV_KVM_TDX_SEPT &&
	    !(ev->type == TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED &&
	      (EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, gfn) & ((1ull << 40) - 1)) == s->zap.gfn) &&
	    ev->type != TDXR_EV_LOG_SEAMCALL_FAILED && ev->type != TDXR_EV_UNMODELLED) {
		tdp_zap_complete(c);
	}
	if (s->inst.active && tid == s->inst.tid && ev->type != TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED &&
	    ev->type != TDXR_EV_KVM_TDX_SEPT && ev->type != TDXR_EV_UNMODELLED) {
		tdp_install_missing(c);
	}
}

/* A successful AUG/ADD/SEPT.ADD of @gfn at @level: its mirror SPTE is due. */
void mdl_install_expect(struct mdl_ctx *c, uint64_t gfn, int level)
{
	struct mdl_install *in = &c->vm->s.inst;

	in->active = 1;
	in->tid = (uint64_t)c->ev->tid;
	in->gfn = gfn;
	in->level = (uint64_t)level;
	in->seq = c->ev->seq;
}

/* BLOCK or PAGE.REMOVE of @gfn: part of its removal hook, or the start of
 * one (a kernel that traces the SPTE change after the external update). */
void mdl_zap_seamcall(struct mdl_ctx *c, uint64_t gfn, int level)
{
	const struct mdl_zap *z = &c->vm->s.zap;

	if (!z->active || z->gfn != gfn) {
		zap_start(c, gfn, level);
	}
}

/* BLOCK or PAGE.REMOVE of @gfn was applied: the hook's stage. */
void mdl_zap_seamcall_done(struct mdl_ctx *c, unsigned int leaf, uint64_t gfn)
{
	struct mdl_zap *z = &c->vm->s.zap;

	if (!z->active || z->gfn != gfn) {
		return;
	}
	if (leaf == TDH_MEM_RANGE_BLOCK) {
		z->stage = ZAP_BLOCKED;
		z->block_seq = c->ev->seq;
	} else if (leaf == TDH_MEM_PAGE_REMOVE) {
		z->stage = ZAP_REMOVED;
	}
}

/* A successful TRACK: a blocked hook's TLB tracking is done. */
void mdl_zap_tracked(struct mdl_ctx *c)
{
	struct mdl_zap *z = &c->vm->s.zap;

	if (z->active && z->stage == ZAP_BLOCKED) {
		z->stage = ZAP_TRACKED;
		z->track_seq = c->ev->seq;
	}
}

/* KVM's kvm_tdx_sept remove_spte for @gfn: the hook returned. */
void mdl_zap_hook_returned(struct mdl_ctx *c, uint64_t gfn)
{
	if (c->vm->s.zap.active && c->vm->s.zap.gfn == gfn) {
		tdp_zap_complete(c);
	}
}

/* Lost events: no hook in flight is trusted to continue. */
void mdl_tdp_drop(struct mdl_vm *vm)
{
	vm->s.zap.active = 0;
	vm->s.inst.active = 0;
	vm->s.pinf.active = 0;
}

/* The end of the trace: a removal waiting for its tree is taken as direct
 * (nothing followed); a hook cut by the end is not judged. */
void mdl_tdp_finish(struct mdl_ctx *c)
{
	tdp_flush_inference(c, false);
	c->vm->s.zap.active = 0;
}

/* Provisional VM @pv is folded into @vm: hooks @vm has none of go over. */
void mdl_tdp_fold(struct mdl_vm *vm, const struct mdl_vm *pv)
{
	if (!vm->s.inst.active && pv->s.inst.active) {
		vm->s.inst = pv->s.inst;
	}
	if (!vm->s.zap.active && pv->s.zap.active) {
		vm->s.zap = pv->s.zap;
	}
}
