// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/sept.c - the TDX module's Secure-EPT entries and the
 * SEAMCALLs that change them (docs/tdx.md §7.1-§7.3).
 *
 * For each S-EPT SEAMCALL the model first predicts the status its own
 * module would return (op-state gate, PAMT page, walk, entry state, TLB
 * tracking), then compares it with the recorded status, then learns from
 * the recorded outcome: the trace is the truth, the model follows it.
 * Unknown entries predict nothing and are established by the first
 * successful operation; BUSY is contention and changes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "model_int.h"

bool mdl_sept_is_blocked(int st)
{
	return st == MDL_SEPT_BLOCKED || st == MDL_SEPT_PENDING_BLOCKED ||
	       st == MDL_SEPT_NL_BLOCKED;
}

static bool sept_leaf_state(int st)
{
	return st == MDL_SEPT_MAPPED || st == MDL_SEPT_BLOCKED || st == MDL_SEPT_PENDING ||
	       st == MDL_SEPT_PENDING_BLOCKED;
}

/*
 * The walk to @level: every entry above it must be NL_MAPPED. Returns 1
 * when all are known mapped, 0 when one is known FREE (EPT_WALK_FAILED),
 * -1 when the model cannot tell.
 */
static int sept_walk(const struct mdl_model *m, const struct mdl_vm *vm, uint64_t gfn, int level)
{
	int l, ret = 1;
	const struct mdl_ent *parent;

	/* A mapped parent table implies its own parents (SEPT.REMOVE needs
	 * a table's entries all FREE): one lookup on the hot path. */
	if ((uint64_t)level < vm->s.top_level) {
		parent = mdl_ent_find(vm, gfn, level + 1, 0);
		if (parent && parent->sept == MDL_SEPT_NL_MAPPED && !mdl_ent_uncertain(m, parent)) {
			return 1;
		}
	}
	for (l = (int)vm->s.top_level; l > level; l--) {
		const struct mdl_ent *p = mdl_ent_find(vm, gfn, l, 0);

		if (!p || p->sept == MDL_SEPT_UNKNOWN || mdl_ent_uncertain(m, p)) {
			ret = -1;
			continue;
		}
		if (p->sept == MDL_SEPT_FREE) {
			return ret < 0 ? -1 : 0;
		}
		if (p->sept != MDL_SEPT_NL_MAPPED) {
			ret = -1;
		}
	}
	return ret;
}

static void sept_learn_parents(struct mdl_vm *vm, uint64_t gfn, int level, uint64_t seq)
{
	int l;

	for (l = level + 1; (uint64_t)l <= vm->s.top_level; l++) {
		struct mdl_ent *p = mdl_ent_get(vm, gfn, l, 0);

		if (!p) {
			return;
		}
		if (p->sept != MDL_SEPT_NL_MAPPED && p->sept != MDL_SEPT_NL_BLOCKED) {
			mdl_sept_set_state(vm, p, MDL_SEPT_NL_MAPPED);
			mdl_ent_touch(p, seq);
		}
	}
}

struct sept_pred {
	uint64_t status; /* PRED_UNKNOWN: no opinion */
	bool class_only; /* only bits 63:32 are certain */
	bool walk_ok;	 /* all parents known NL_MAPPED */
	bool tracked;	 /* is_tlb_tracked(bepoch) */
	bool tracked_certain;
	uint64_t vcpu_seq; /* entry seq of a vCPU keeping the epoch busy */
};

static void predict(struct mdl_ctx *c, unsigned int leaf, struct mdl_ent *e, uint64_t gfn,
		    int level, uint64_t page, struct sept_pred *p)
{
	struct mdl_vm *vm = c->vm;
	uint64_t op = vm->s.op_state;
	int st = mdl_ent_uncertain(c->m, e) ? MDL_SEPT_UNKNOWN : e->sept;
	int walk;

	memset(p, 0, sizeof(*p));
	p->status = PRED_UNKNOWN;
	if (vm->s.lifecycle >= LIFE_BLOCKED) {
		return;
	}
	switch (leaf) {
	case TDH_MEM_PAGE_ADD:
		if (op && op != MDL_OP_INITIALIZED) {
			p->status = TDX_OP_STATE_INCORRECT;
			return;
		}
		break;
	case TDH_MEM_PAGE_AUG:
		if (op && op != MDL_OP_INITIALIZED && op != MDL_OP_RUNNABLE) {
			p->status = TDX_OP_STATE_INCORRECT;
			return;
		}
		break;
	default:
		if (op == MDL_OP_UNINITIALIZED) {
			p->status = TDX_OP_STATE_INCORRECT;
			return;
		}
		break;
	}
	if (leaf == TDH_MEM_PAGE_ADD || leaf == TDH_MEM_PAGE_AUG || leaf == TDH_MEM_SEPT_ADD) {
		const struct mdl_page *pg = mdl_pamt_find(c->m, page >> 12);

		if (pg && pg->type != MDL_PAMT_NDA && pg->type != MDL_PAMT_UNKNOWN &&
		    !mdl_seq_uncertain(c->m, pg->seq)) {
			p->status = TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_R8;
			p->class_only = true;
			return;
		}
	}
	walk = sept_walk(c->m, vm, gfn, level);
	p->walk_ok = walk == 1;
	if (walk == 0) {
		p->status = TDX_EPT_WALK_FAILED | TDX_OPERAND_ID_RCX;
		return;
	}
	/* A known non-FREE entry implies its parents exist. */
	if (walk < 0 && !mdl_sept_nonfree(st)) {
		return;
	}
	switch (leaf) {
	case TDH_MEM_SEPT_ADD:
	case TDH_MEM_PAGE_AUG:
	case TDH_MEM_PAGE_ADD:
		if (st == MDL_SEPT_FREE) {
			p->status = TDX_SUCCESS;
		} else if (mdl_sept_nonfree(st)) {
			p->status = TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX;
		}
		break;
	case TDH_MEM_RANGE_BLOCK:
		if (st == MDL_SEPT_NL_MAPPED || st == MDL_SEPT_MAPPED || st == MDL_SEPT_PENDING) {
			p->status = TDX_SUCCESS;
		} else if (mdl_sept_is_blocked(st)) {
			p->status = TDX_GPA_RANGE_ALREADY_BLOCKED | TDX_OPERAND_ID_RCX;
		} else if (st == MDL_SEPT_FREE) {
			p->status = TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX;
		}
		break;
	case TDH_MEM_PAGE_REMOVE:
	case TDH_MEM_SEPT_REMOVE: {
		bool nl = leaf == TDH_MEM_SEPT_REMOVE;
		bool ok_state = nl ? (st == MDL_SEPT_NL_MAPPED || st == MDL_SEPT_NL_BLOCKED)
				   : sept_leaf_state(st);

		if (st == MDL_SEPT_UNKNOWN || st == MDL_SEPT_NOT_FREE) {
			break;
		}
		if (!ok_state) {
			p->status = TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX;
			break;
		}
		if (op == MDL_OP_RUNNABLE) {
			if (!mdl_sept_is_blocked(st)) {
				p->status = TDX_GPA_RANGE_NOT_BLOCKED | TDX_OPERAND_ID_RCX;
				break;
			}
			p->tracked = mdl_epoch_tlb_tracked(c->m, vm, e, &p->tracked_certain,
							   &p->vcpu_seq);
			if (!p->tracked_certain) {
				break;
			}
			if (!p->tracked) {
				p->status = TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX;
				break;
			}
		} else if (op != MDL_OP_INITIALIZED) {
			break;
		}
		if (nl && e->children) {
			p->status = TDX_EPT_PAGE_NOT_FREE | TDX_OPERAND_ID_RCX;
			break;
		}
		p->status = TDX_SUCCESS;
		break;
	}
	default:
		break;
	}
}

/* Learns the recorded outcome of a non-BUSY call. */
static void learn(struct mdl_ctx *c, unsigned int leaf, struct mdl_ent *e, uint64_t gfn, int level,
		  uint64_t page, uint64_t status, const struct sept_pred *p)
{
	struct mdl_vm *vm = c->vm;
	const struct tdxr_event *ev = c->ev;
	uint64_t cls = status & TDX_STATUS_MASK;
	int st = e->sept;

	if (status == TDX_SUCCESS) {
		switch (leaf) {
		case TDH_MEM_PAGE_AUG:
		case TDH_MEM_PAGE_ADD:
		case TDH_MEM_SEPT_ADD:
			if (leaf == TDH_MEM_SEPT_ADD) {
				mdl_sept_set_state(vm, e, MDL_SEPT_NL_MAPPED);
			} else if (leaf == TDH_MEM_PAGE_AUG) {
				mdl_sept_set_state(vm, e, MDL_SEPT_PENDING);
				e->flags |= ENT_MAYBE_ACC;
			} else {
				mdl_sept_set_state(vm, e, MDL_SEPT_MAPPED);
				e->flags &= ~ENT_MAYBE_ACC;
			}
			if (e->flags & ENT_PREMAP) {
				e->flags &= ~ENT_PREMAP;
				if (vm->s.nr_premap) {
					vm->s.nr_premap--;
				}
			}
			e->pfn = page >> 12;
			e->block_seq = 0;
			mdl_pamt_set(c, page >> 12,
				     leaf == TDH_MEM_SEPT_ADD ? MDL_PAMT_SEPT : MDL_PAMT_REG,
				     c->vm_idx, gfn, level);
			if (!p->walk_ok) {
				sept_learn_parents(vm, gfn, level, ev->seq);
			}
			if (p->status == TDX_SUCCESS) {
				e->flags &= ~ENT_POISON;
			}
			mdl_install_expect(c, gfn, level);
			vm->s.seen_install_op = 1;
			if (leaf == TDH_MEM_PAGE_ADD && !vm->s.op_state) {
				mdl_vm_set_initialized(vm, ev->seq);
			}
			if (leaf != TDH_MEM_SEPT_ADD) {
				mdl_epoch_mapping_done(c);
			}
			break;
		case TDH_MEM_RANGE_BLOCK:
			if (st == MDL_SEPT_MAPPED) {
				mdl_sept_set_state(vm, e, MDL_SEPT_BLOCKED);
			} else if (st == MDL_SEPT_NL_MAPPED) {
				mdl_sept_set_state(vm, e, MDL_SEPT_NL_BLOCKED);
			} else if (st == MDL_SEPT_PENDING) {
				mdl_sept_set_state(vm, e, MDL_SEPT_PENDING_BLOCKED);
			} else if (level > 1 && spte_present(e->spte[TREE_MIRROR]) &&
				   !spte_leaf(e->spte[TREE_MIRROR], level)) {
				mdl_sept_set_state(vm, e, MDL_SEPT_NL_BLOCKED);
			} else {
				mdl_sept_set_state(vm, e, MDL_SEPT_PENDING_BLOCKED);
				e->flags |= ENT_MAYBE_ACC;
			}
			e->bepoch = vm->s.td_epoch;
			e->block_seq = ev->seq;
			if (!p->walk_ok) {
				sept_learn_parents(vm, gfn, level, ev->seq);
			}
			break;
		case TDH_MEM_PAGE_REMOVE:
		case TDH_MEM_SEPT_REMOVE: {
			uint64_t pfn = e->pfn;

			if (leaf == TDH_MEM_PAGE_REMOVE && EVF(ev, TDX_SEAMCALL, out_rcx)) {
				pfn = EVF(ev, TDX_SEAMCALL, out_rcx) >> 12;
			}
			mdl_sept_set_state(vm, e, MDL_SEPT_FREE);
			e->flags &= ~(ENT_MAYBE_ACC | ENT_PREMAP);
			e->block_seq = 0;
			e->pfn = 0;
			if (pfn) {
				mdl_pamt_set(c, pfn, MDL_PAMT_NDA, -1, 0, 0);
			}
			if (!p->walk_ok) {
				sept_learn_parents(vm, gfn, level, ev->seq);
			}
			/* Only INITIALIZED lets an unblocked leaf go. */
			if (!vm->s.op_state && (st == MDL_SEPT_MAPPED || st == MDL_SEPT_PENDING)) {
				mdl_vm_set_initialized(vm, ev->seq);
			}
			break;
		}
		default:
			break;
		}
		return;
	}
	switch (cls) {
	case TDX_EPT_ENTRY_STATE_INCORRECT:
		if (leaf == TDH_MEM_PAGE_AUG || leaf == TDH_MEM_PAGE_ADD ||
		    leaf == TDH_MEM_SEPT_ADD) {
			if (!mdl_sept_nonfree(st)) {
				mdl_sept_set_state(vm, e, MDL_SEPT_NOT_FREE);
			}
		} else if (leaf == TDH_MEM_RANGE_BLOCK || leaf == TDH_MEM_PAGE_REMOVE) {
			if (!(leaf == TDH_MEM_PAGE_REMOVE &&
			      (st == MDL_SEPT_NL_MAPPED || st == MDL_SEPT_NL_BLOCKED))) {
				mdl_sept_set_state(vm, e, MDL_SEPT_FREE);
			}
			e->flags &= ~ENT_PREMAP_GONE;
		}
		break;
	case TDX_GPA_RANGE_ALREADY_BLOCKED:
		if (!mdl_sept_is_blocked(st)) {
			mdl_sept_set_state(
				vm, e, level > 1 ? MDL_SEPT_NL_BLOCKED : MDL_SEPT_PENDING_BLOCKED);
			e->flags |= ENT_MAYBE_ACC;
		}
		break;
	case TDX_GPA_RANGE_NOT_BLOCKED:
		if (mdl_sept_is_blocked(st) || !mdl_sept_nonfree(st) || st == MDL_SEPT_NOT_FREE) {
			mdl_sept_set_state(vm, e, MDL_SEPT_PENDING);
			e->flags |= ENT_MAYBE_ACC;
		}
		if (!vm->s.op_state) {
			vm->s.op_state = MDL_OP_RUNNABLE;
		}
		break;
	case TDX_TLB_TRACKING_NOT_DONE:
		if (!mdl_sept_is_blocked(st)) {
			mdl_sept_set_state(vm, e, MDL_SEPT_PENDING_BLOCKED);
			e->flags |= ENT_MAYBE_ACC;
		}
		if (!vm->s.op_state) {
			vm->s.op_state = MDL_OP_RUNNABLE;
		}
		break;
	case TDX_EPT_WALK_FAILED:
		mdl_sept_set_state(vm, e, MDL_SEPT_FREE);
		break;
	default:
		break;
	}
}

/* Does KVM treat a non-BUSY failure of @leaf as KVM_BUG_ON (docs/tdx.md §2.3)? */
static bool kvm_bugs_on_failure(const struct mdl_model *m, unsigned int leaf)
{
	switch (leaf) {
	case TDH_MEM_PAGE_AUG:
	case TDH_MEM_SEPT_ADD:
	case TDH_MEM_RANGE_BLOCK:
	case TDH_MEM_PAGE_REMOVE:
		return true;
	case TDH_MEM_PAGE_ADD:
		return mdl_profile_of(m) != 616;
	default:
		return false;
	}
}

/*
 * The 6.16 "premap" special case: BLOCK of a never-ADDed mirror leaf. KVM's
 * own test (tdx_is_sept_zap_err_due_to_premap), which needs no premap seen:
 * the TD is not RUNNABLE (unknown counts as maybe not), the status is
 * exactly EPT_ENTRY_STATE_INCORRECT|RCX, and the entry BLOCK reports in
 * RCX is not a leaf with RWX set. KVM then returns 0, no KVM_BUG_ON.
 */
static bool premap_zap(const struct mdl_ctx *c, const struct mdl_ent *e, unsigned int leaf,
		       uint64_t status)
{
	uint64_t entry = EVF(c->ev, TDX_SEAMCALL, out_rcx);
	bool last = mdl_ent_level(e) == 1 || (entry & SPTE_LARGE);

	return leaf == TDH_MEM_RANGE_BLOCK && mdl_profile_of(c->m) != 619 &&
	       c->vm->s.op_state != MDL_OP_RUNNABLE &&
	       status == (TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX) &&
	       !(last && (entry & SPTE_RWX));
}

static void report_remove_checks(struct mdl_ctx *c, struct mdl_ent *e, uint64_t gfn, int level,
				 uint64_t status, const struct sept_pred *p, int st)
{
	struct mdl_vm *vm = c->vm;
	uint64_t cls = status & TDX_STATUS_MASK;
	struct mdl_report r = {
		.e = e,
		.has_gfn = true,
		.gfn = gfn,
		.no_vcpu = true,
	};
	char act[64];

	if (vm->s.op_state == MDL_OP_RUNNABLE && sept_leaf_state(st) && !mdl_sept_is_blocked(st)) {
		r.kind = MDL_FK_REMOVE_NOT_BLOCKED;
		r.expected = "BLOCKED";
		snprintf(act, sizeof(act), "%s%s", mdl_sept_state_name(st),
			 (e->flags & ENT_MAYBE_ACC) ? "|MAPPED" : "");
		r.actual = act;
		mdl_report(c, &r,
			   "PAGE.REMOVE of gfn 0x%llx level %d without RANGE.BLOCK while the TD is "
			   "RUNNABLE (entry %s)",
			   (unsigned long long)gfn, level, act);
		return;
	}
	if (vm->s.op_state == MDL_OP_RUNNABLE && mdl_sept_is_blocked(st) && p->tracked_certain &&
	    !p->tracked) {
		r.kind = MDL_FK_TLB_NOT_TRACKED;
		r.cause = e->block_seq + 1;
		if (p->vcpu_seq) {
			r.extra[0] = p->vcpu_seq;
			vm->s.nokick_entry_seq = p->vcpu_seq;
		}
		if (vm->s.epoch_seq && vm->s.epoch_seq > e->block_seq) {
			r.extra[1] = vm->s.epoch_seq + 1;
		}
		r.expected = "TRACK + all block-epoch vCPUs exited";
		if (e->bepoch >= vm->s.td_epoch) {
			r.actual = "no TRACK after BLOCK";
			mdl_report(c, &r,
				   "PAGE.REMOVE of gfn 0x%llx after RANGE.BLOCK (seq %llu) with no "
				   "TDH.MEM.TRACK in between (bepoch %llu, TD epoch %llu)",
				   (unsigned long long)gfn, (unsigned long long)e->block_seq,
				   (unsigned long long)e->bepoch,
				   (unsigned long long)vm->s.td_epoch);
		} else {
			r.actual = "vCPU still in guest";
			mdl_report(c, &r,
				   "PAGE.REMOVE of gfn 0x%llx while a vCPU that entered in block "
				   "epoch %llu is still in the guest (entered at seq %llu; no kick "
				   "after TRACK)",
				   (unsigned long long)gfn, (unsigned long long)e->bepoch,
				   (unsigned long long)(p->vcpu_seq ? p->vcpu_seq - 1 : 0));
		}
		return;
	}
	if (cls == TDX_GPA_RANGE_NOT_BLOCKED) {
		r.kind = MDL_FK_REMOVE_NOT_BLOCKED;
		r.expected = "BLOCKED";
		r.actual = "GPA_RANGE_NOT_BLOCKED";
		mdl_report(c, &r,
			   "PAGE.REMOVE of gfn 0x%llx level %d returned GPA_RANGE_NOT_BLOCKED: the "
			   "entry was not blocked",
			   (unsigned long long)gfn, level);
	} else if (cls == TDX_TLB_TRACKING_NOT_DONE) {
		r.kind = MDL_FK_TLB_NOT_TRACKED;
		r.cause = e->block_seq ? e->block_seq + 1 : 0;
		r.expected = "TRACK + all block-epoch vCPUs exited";
		r.actual = "TLB_TRACKING_NOT_DONE";
		mdl_report(c, &r,
			   "PAGE.REMOVE of gfn 0x%llx returned TLB_TRACKING_NOT_DONE: removal "
			   "after BLOCK without a completed TRACK",
			   (unsigned long long)gfn);
	}
}

void mdl_sept_mem_op(struct mdl_ctx *c, unsigned int leaf, uint64_t status)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	uint64_t rcx = EVF(ev, TDX_SEAMCALL, rcx);
	uint64_t page = EVF(ev, TDX_SEAMCALL, r8);
	struct sept_pred p;
	struct mdl_ent *e;
	uint64_t gfn;
	int level, st;
	bool poisoned, uncertain;
	char exp[64], act[64];

	level = leaf == TDH_MEM_PAGE_ADD ? 1 : (int)(rcx & 7) + 1;
	if (level > MDL_LEVELS) {
		return;
	}
	if (level == 5 && vm->s.top_level == 4) {
		vm->s.top_level = 5;
		vm->s.shared_gfn = 1ull << (51 - 12);
	}
	gfn = gfn_align(mdl_vm_gfn_of_gpa(vm, rcx), level);
	e = mdl_ent_get(vm, gfn, level, 0);
	if (!e) {
		return;
	}
	c->m->g.cov_sept = 1;
	if (leaf == TDH_MEM_RANGE_BLOCK || leaf == TDH_MEM_PAGE_REMOVE) {
		c->m->g.cov_tlb |= vm->s.seen_vp_enter != 0;
	}
	st = mdl_ent_uncertain(c->m, e) ? MDL_SEPT_UNKNOWN : e->sept;
	poisoned = e->flags & ENT_POISON;
	uncertain = mdl_ent_uncertain(c->m, e);
	if (uncertain) {
		/* touched before lost events: what the trees held is stale */
		mdl_tdp_forget(c, e);
	}
	predict(c, leaf, e, gfn, level, page, &p);

	/* The removal hook in progress follows BLOCK/REMOVE of its gfn. */
	if (leaf == TDH_MEM_RANGE_BLOCK || leaf == TDH_MEM_PAGE_REMOVE) {
		mdl_zap_seamcall(c, gfn, level);
	}

	/* A BUSY ADD is contention: KVM returns -EBUSY, the leaf stays
	 * premapped for a retry; MR.FINALIZE and the zap check the rest. */
	if (leaf == TDH_MEM_PAGE_ADD && status != TDX_SUCCESS && !tdx_busy(status) &&
	    (e->flags & ENT_PREMAP) && !poisoned) {
		struct mdl_report r = {
			.kind = MDL_FK_MIRROR_DESYNC,
			.e = e,
			.has_gfn = true,
			.gfn = gfn,
			.no_vcpu = true,
			.expected = "MAPPED",
			.actual = "FREE",
		};

		mdl_report(c, &r,
			   "PAGE.ADD of premapped gfn 0x%llx failed (0x%016llx): the mirror leaf "
			   "stays present over a FREE S-EPT entry",
			   (unsigned long long)gfn, (unsigned long long)status);
		poisoned = true;
	}
	if (tdx_busy(status)) {
		mdl_ent_note(e, ev->seq);
		return;
	}

	if ((leaf == TDH_MEM_PAGE_REMOVE || leaf == TDH_MEM_SEPT_REMOVE) && !poisoned &&
	    !uncertain) {
		report_remove_checks(c, e, gfn, level, status, &p, st);
	}
	if (p.status != PRED_UNKNOWN && !uncertain) {
		bool match = status == p.status ||
			     (p.class_only &&
			      (status & TDX_STATUS_MASK) == (p.status & TDX_STATUS_MASK));

		MDL_CHECK(c, !match && !premap_zap(c, e, leaf, status),
			  MDL_R(.kind = MDL_FK_STATUS_MISMATCH, .e = e, .has_gfn = true, .gfn = gfn,
				.expected = mdl_status_str(exp, sizeof(exp), p.status),
				.actual = mdl_status_str(act, sizeof(act), status)),
			  "%s gfn 0x%llx level %d: the model's TDX module returns %s for an entry "
			  "in state %s%s, the trace recorded %s",
			  mdl_leaf_name(leaf), (unsigned long long)gfn, level, exp,
			  mdl_sept_state_name(st), (e->flags & ENT_MAYBE_ACC) ? "|MAPPED" : "",
			  act);
	}
	MDL_CHECK(c,
		  status != TDX_SUCCESS && (status & TDX_ERROR) && !uncertain &&
			  kvm_bugs_on_failure(c->m, leaf) && !premap_zap(c, e, leaf, status),
		  MDL_R(.kind = MDL_FK_KVM_BUG, .e = e, .has_gfn = true, .gfn = gfn,
			.expected = "0x0000000000000000",
			.actual = mdl_status_str(act, sizeof(act), status)),
		  "%s of gfn 0x%llx level %d failed with %s (entry %s): KVM treats this as "
		  "KVM_BUG_ON",
		  mdl_leaf_name(leaf), (unsigned long long)gfn, level, act,
		  mdl_sept_state_name(st));

	learn(c, leaf, e, gfn, level, page, status, &p);
	mdl_ent_touch(e, ev->seq);

	if (leaf == TDH_MEM_RANGE_BLOCK || leaf == TDH_MEM_PAGE_REMOVE) {
		mdl_zap_seamcall_done(c, leaf, gfn);
	}
}
