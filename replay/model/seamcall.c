// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/seamcall.c - one tdx_seamcall event: dispatch per leaf,
 * the TD's op state and lifecycle (docs/tdx.md §7.2, §1.5d), the BUSY retry
 * rule of the removal path (§2.2, §8 scenario 1) and the KVM_BUG_ON
 * outcomes of §2.3 that are not S-EPT specific.
 *
 * The removal path (BLOCK, TRACK, REMOVE under mmu_lock for write) must
 * answer a BUSY with exactly one retry of the same call, with no vCPU in
 * the guest at the retry (KVM holds them out with wait_for_sept_zap and
 * kicks those already past it); a second BUSY is a KVM_BUG_ON. BUSY
 * anywhere else is normal.
 */
#include <stdio.h>

#include "model_int.h"

static bool removal_leaf(unsigned int leaf)
{
	return leaf == TDH_MEM_RANGE_BLOCK || leaf == TDH_MEM_TRACK || leaf == TDH_MEM_PAGE_REMOVE;
}

static uint64_t sc_gfn(const struct mdl_ctx *c, unsigned int leaf)
{
	if (leaf == TDH_MEM_TRACK) {
		return 0;
	}
	return vm_gfn_of_gpa(c->vm, EVF(c->ev, TDX_SEAMCALL, rcx));
}

static void busy_report(struct mdl_ctx *c, int sev, const char *actual, const char *fmt_leaf,
			const char *why)
{
	struct mdl_vm *vm = c->vm;
	struct mdl_report r = {
		.kind = MDL_FK_BUSY_RETRY,
		.severity = sev,
		.vcpu = -1,
		.cause = vm->s.busy_seq + 1,
		.expected = "one retry, vCPUs kept out",
		.actual = actual,
	};
	unsigned int leaf = (unsigned int)vm->s.busy_leaf;

	if (leaf != TDH_MEM_TRACK) {
		r.has_gfn = true;
		r.gfn = vm->s.busy_gfn;
		r.e = ent_find(vm, vm->s.busy_gfn, 1, 0);
		if (r.e && (r.e->flags & ENT_POISON) && r.e->poison_seq > vm->s.busy_seq) {
			return;
		}
	}
	if (vm->s.busy_entered) {
		r.extra[0] = vm->s.busy_entry_seq + 1;
	}
	mdl_report(c, &r, "%s (seq %llu) returned BUSY: %s", fmt_leaf,
		   (unsigned long long)vm->s.busy_seq, why);
}

/*
 * Checks the pending BUSY against the event in @c: a SEAMCALL on the same
 * thread is the retry or proves there was none. @final: the retry can no
 * longer come (end of trace, hook completed). Returns 1 when this event
 * was a retry that failed with BUSY again (KVM bugs the VM: no new retry).
 */
int sc_busy_check(struct mdl_ctx *c, bool final)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	unsigned int leaf, bleaf = (unsigned int)vm->s.busy_leaf;
	uint64_t i;

	if (!vm->s.busy_active) {
		return 0;
	}
	if (seq_uncertain(c->m, vm->s.busy_seq)) {
		vm->s.busy_active = 0;
		return 0;
	}
	if (final) {
		busy_report(c, MDL_SEV_WARNING, "no retry", leaf_name(bleaf),
			    "the removal path did not retry it");
		vm->s.busy_active = 0;
		return 0;
	}
	if (ev->type != TDXR_EV_TDX_SEAMCALL || (uint64_t)ev->tid != vm->s.busy_tid) {
		return 0;
	}
	leaf = (unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff);
	if (sc_irq_leaf(leaf)) {
		return 0; /* an IPI's, not the removal path's */
	}
	vm->s.busy_active = 0;
	if (leaf != bleaf || sc_gfn(c, leaf) != vm->s.busy_gfn) {
		busy_report(c, MDL_SEV_WARNING, "no retry", leaf_name(bleaf),
			    "the next SEAMCALL of the removal path is not its retry");
		return 0;
	}
	if (tdx_busy(EVF(ev, TDX_SEAMCALL, status))) {
		busy_report(c, MDL_SEV_ERROR, "retry BUSY too", leaf_name(bleaf),
			    "the single no-vCPU retry was BUSY too (KVM_BUG_ON)");
		return 1;
	}
	/*
	 * Only a vCPU still in the guest at the retry is wrong. One whose
	 * kvm_entry follows the BUSY may have passed the wait_for_sept_zap
	 * check before KVM set it: the kick forces it out before the retry.
	 */
	for (i = 0; i < vm->nr_vcpus; i++) {
		const struct mdl_vcpu *v = &vm->vcpus[i];
		bool after = v->entry_seq > vm->s.busy_seq;

		if (!v->in_guest || seq_uncertain(c->m, v->last_seq)) {
			continue;
		}
		vm->s.busy_entered = 1;
		vm->s.busy_entry_seq = v->entry_seq;
		busy_report(c, MDL_SEV_WARNING, after ? "vCPU entered" : "vCPU not kicked",
			    leaf_name(bleaf),
			    after ? "a vCPU entered the guest after it and is still inside at the "
				    "retry (wait_for_sept_zap not honoured)"
				  : "a vCPU was still in the guest at the retry (no "
				    "KVM_REQ_OUTSIDE_GUEST_MODE kick)");
		return 0;
	}
	return 0;
}

static void busy_start(struct mdl_ctx *c, unsigned int leaf)
{
	struct mdl_vm *vm = c->vm;

	vm->s.busy_active = 1;
	vm->s.busy_tid = (uint64_t)c->ev->tid;
	vm->s.busy_leaf = leaf;
	vm->s.busy_gfn = sc_gfn(c, leaf);
	vm->s.busy_seq = c->ev->seq;
	vm->s.busy_entered = 0;
	vm->s.busy_entry_seq = 0;
}

static void kvm_bug(struct mdl_ctx *c, unsigned int leaf, uint64_t status, const char *where)
{
	struct mdl_report r = {
		.kind = MDL_FK_KVM_BUG,
		.severity = -1,
		.vcpu = -2,
		.expected = "0x0000000000000000",
	};
	char act[64];

	if (c->reported) {
		return;
	}
	status_str(act, sizeof(act), status);
	r.actual = act;
	mdl_report(c, &r, "%s failed with %s: %s", leaf_name(leaf), act, where);
}

static void learn_tdr(struct mdl_ctx *c, uint64_t tdr)
{
	if (tdr && !c->vm->s.tdr && !c->guess) {
		c->vm->s.tdr = tdr & ~0xfffull;
	}
}

static void lifecycle_order(struct mdl_ctx *c, const char *what)
{
	struct mdl_report r = {
		.kind = MDL_FK_ORDER,
		.severity = -1,
		.vcpu = -1,
		.expected = "MNG.INIT -> MR.FINALIZE -> VP.ENTER",
		.actual = what,
	};

	if (!c->reported) {
		mdl_report(c, &r, "impossible TD lifecycle order: %s", what);
	}
}

void sc_handle(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	unsigned int leaf = (unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff);
	uint64_t status = EVF(ev, TDX_SEAMCALL, status);
	uint64_t rcx = EVF(ev, TDX_SEAMCALL, rcx);
	uint64_t rdx = EVF(ev, TDX_SEAMCALL, rdx);
	bool ok = status == TDX_SUCCESS;

	c->m->g.seamcalls++;
	vm_mark_tdx(vm);
	vm->s.seen_seamcall = 1;
	if (sc_busy_check(c, false) == 0 && removal_leaf(leaf) && tdx_busy(status) &&
	    vm->s.lifecycle < LIFE_BLOCKED) {
		busy_start(c, leaf);
	}
	if (leaf != TDH_VP_ENTER) {
		vm->s.sc_leaf = leaf;
		vm->s.sc_status = status;
		vm->s.sc_seq = ev->seq + 1;
	}

	switch (leaf) {
	case TDH_VP_ENTER:
		if (!c->guess) {
			epoch_vp_enter(c, status); /* see TDXR_EV_KVM_ENTRY */
		}
		break;
	case TDH_MEM_PAGE_AUG:
	case TDH_MEM_PAGE_ADD:
	case TDH_MEM_SEPT_ADD:
	case TDH_MEM_RANGE_BLOCK:
	case TDH_MEM_PAGE_REMOVE:
	case TDH_MEM_SEPT_REMOVE:
		learn_tdr(c, rdx);
		if (leaf == TDH_MEM_PAGE_AUG && ok && (rcx & 7)) {
			/* 6.16-6.19 hit KVM_BUG_ON before a huge AUG: this
			 * kernel maps private huge pages (S-EPT huge page
			 * series) */
			vm->s.huge_private = 1;
		}
		sept_mem_op(c, leaf, status);
		break;
	case TDH_MEM_TRACK:
		learn_tdr(c, rcx);
		epoch_track(c, status);
		if (status != TDX_SUCCESS && !tdx_busy(status) &&
		    (status & TDX_STATUS_MASK) != TDX_PREVIOUS_TLB_EPOCH_BUSY) {
			kvm_bug(c, leaf, status, "KVM_BUG_ON in tdx_track");
		}
		break;
	case TDH_PHYMEM_PAGE_RECLAIM:
		pamt_reclaim(c, status);
		break;
	case TDH_PHYMEM_PAGE_WBINVD:
		if (status != TDX_SUCCESS && (status & TDX_ERROR)) {
			kvm_bug(c, leaf, status, "KVM_BUG_ON after PAGE.REMOVE / TDR reclaim");
		}
		break;
	case TDH_MNG_CREATE:
		if (ok && ((vm->s.tdr && vm->s.tdr != (rcx & ~0xfffull)) ||
			   vm->s.lifecycle == LIFE_TEARDOWN || vm->s.tdr_reclaimed)) {
			/* another TD of the same process: nothing carries over */
			vm_reset(c->m, vm);
		}
		if (ok) {
			vm->s.tdr = rcx & ~0xfffull;
			vm->s.lifecycle = LIFE_HKID;
			vm->s.op_state = MDL_OP_UNINITIALIZED;
			pamt_set(c, rcx >> 12, MDL_PAMT_CTRL, c->vm_idx, 0, 0);
		}
		break;
	case TDH_MNG_ADDCX:
	case TDH_VP_CREATE:
	case TDH_VP_ADDCX:
		if (ok) {
			pamt_set(c, rcx >> 12, MDL_PAMT_CTRL, c->vm_idx, 0, 0);
		} else if (status & TDX_ERROR && leaf != TDH_MNG_ADDCX) {
			kvm_bug(c, leaf, status, "KVM_BUG_ON in tdx_td_vcpu_init");
		}
		/* RDX: the TDR for MNG.ADDCX and VP.CREATE, the TDVPR for VP.ADDCX */
		if (leaf != TDH_VP_ADDCX) {
			learn_tdr(c, rdx);
		}
		break;
	case TDH_VP_INIT:
		if (!ok && (status & TDX_ERROR)) {
			kvm_bug(c, leaf, status, "KVM_BUG_ON in tdx_td_vcpu_init");
		}
		break;
	case TDH_MNG_INIT:
		if (ok) {
			if (vm->s.op_state == MDL_OP_RUNNABLE) {
				lifecycle_order(c, "MNG.INIT of a RUNNABLE TD");
			}
			vm_set_initialized(vm, ev->seq);
			vm->s.td_epoch = 1;
		}
		break;
	case TDH_MR_EXTEND:
		if (!vm->s.op_state && ok) {
			vm_set_initialized(vm, ev->seq);
		}
		if (!ok && (status & TDX_ERROR) && !tdx_busy(status) && profile_of(c->m) != 616) {
			kvm_bug(c, leaf, status, "TDX_BUG_ON_2 in tdx_gmem_post_populate");
		}
		break;
	case TDH_MR_FINALIZE:
		learn_tdr(c, rcx);
		if (ok) {
			if (vm->s.op_state == MDL_OP_RUNNABLE) {
				lifecycle_order(c, "MR.FINALIZE of a RUNNABLE TD");
			}
			if (vm->s.nr_premap && !c->reported) {
				struct mdl_report r = {
					.kind = MDL_FK_MIRROR_DESYNC,
					.severity = -1,
					.vcpu = -1,
					.expected = "0 premapped",
					.actual = "premapped leaves left",
				};

				mdl_report(
					c, &r,
					"MR.FINALIZE with %llu premapped mirror leaves that never "
					"got PAGE.ADD (KVM must refuse while nr_premapped != 0)",
					(unsigned long long)vm->s.nr_premap);
			}
			vm->s.op_state = MDL_OP_RUNNABLE;
			vm->s.finalize_seq = ev->seq + 1;
		} else if (!tdx_busy(status) && (status & TDX_ERROR)) {
			kvm_bug(c, leaf, status, "KVM bugs the VM in tdx_td_finalize");
		}
		break;
	case TDH_VP_FLUSH:
		if (!ok && (status & TDX_STATUS_MASK) != TDX_VCPU_NOT_ASSOCIATED &&
		    (status & TDX_ERROR)) {
			kvm_bug(c, leaf, status, "KVM_BUG_ON in tdx_flush_vp_on_cpu");
		}
		break;
	case TDH_MNG_VPFLUSHDONE:
		learn_tdr(c, rcx);
		if (ok) {
			vm->s.lifecycle = LIFE_BLOCKED;
		} else if ((status & TDX_STATUS_MASK) != TDX_FLUSHVP_NOT_DONE &&
			   (status & TDX_ERROR)) {
			kvm_bug(c, leaf, status, "HKID leaked (tdx_mmu_release_hkid)");
		}
		break;
	case TDH_MNG_KEY_FREEID:
		learn_tdr(c, rcx);
		if (ok) {
			vm->s.lifecycle = LIFE_TEARDOWN;
		} else if (status & TDX_ERROR) {
			kvm_bug(c, leaf, status, "HKID leaked (tdx_mmu_release_hkid)");
		}
		break;
	case TDH_VP_RD:
	case TDH_VP_WR:
		if (!ok && (status & TDX_ERROR)) {
			kvm_bug(c, leaf, status, "KVM_BUG_ON in tdh_vp_rd/wr_failed");
		}
		break;
	default:
		break;
	}
}

/*
 * log:seamcall_failed, KVM's own console message. When the tdx_seamcall
 * of the same call was traced just before, it is the same problem; else
 * it is the only evidence and feeds the finding it implies.
 */
void sc_log_failed(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	uint64_t status = EVF(ev, LOG_SEAMCALL_FAILED, status);
	uint64_t cls = status & TDX_STATUS_MASK;
	int leaf = (int)(EVF(ev, LOG_SEAMCALL_FAILED, leaf) & 0xffff);
	struct mdl_report r = {.severity = -1, .vcpu = -1};
	char act[64];

	if (c->m->st) {
		const char *fn =
			tdxr_strtab_get(c->m->st, (uint32_t)EVF(ev, LOG_SEAMCALL_FAILED, fn));
		int l = fn && *fn ? leaf_by_name(fn) : -1;

		if (l >= 0) {
			leaf = l;
		}
	}
	if (vm->s.sc_seq && vm->s.sc_leaf == (uint64_t)leaf && vm->s.sc_status == status) {
		return; /* the traced call already told it */
	}
	if (vm->s.kvm_bug_reported || c->reported) {
		return;
	}
	status_str(act, sizeof(act), status);
	r.actual = act;
	r.expected = "0x0000000000000000";
	if (removal_leaf((unsigned int)leaf) && tdx_busy(status)) {
		r.kind = MDL_FK_BUSY_RETRY;
		r.severity = MDL_SEV_ERROR;
	} else if (leaf == TDH_MEM_PAGE_REMOVE && cls == TDX_GPA_RANGE_NOT_BLOCKED) {
		r.kind = MDL_FK_REMOVE_NOT_BLOCKED;
	} else if (cls == TDX_TLB_TRACKING_NOT_DONE) {
		r.kind = MDL_FK_TLB_NOT_TRACKED;
	} else if (cls == TDX_PREVIOUS_TLB_EPOCH_BUSY) {
		r.kind = MDL_FK_EPOCH_BUSY;
	} else if (leaf == TDH_PHYMEM_PAGE_RECLAIM && cls == TDX_PAGE_METADATA_INCORRECT) {
		r.kind = MDL_FK_RECLAIM;
	} else if (leaf == TDH_PHYMEM_PAGE_RECLAIM) {
		return; /* WARN only, the VM is not bugged */
	} else {
		r.kind = MDL_FK_KVM_BUG;
	}
	mdl_report(c, &r, "console: SEAMCALL %s failed: %s", leaf_name(leaf), act);
}
