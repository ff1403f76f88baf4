// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/seamcall.c - one tdx_seamcall event: dispatch per leaf,
 * the TD's op state and lifecycle (docs/tdx.md §7.2, §1.5d), the start of
 * a removal path's BUSY retry (busy.c judges it) and the KVM_BUG_ON
 * outcomes of §2.3 that are not S-EPT specific.
 */
#include <stdio.h>

#include "model_int.h"
#include "tdxr/klog.h"

static bool removal_leaf(unsigned int leaf)
{
	return leaf == TDH_MEM_RANGE_BLOCK || leaf == TDH_MEM_TRACK || leaf == TDH_MEM_PAGE_REMOVE;
}

static void kvm_bug(struct mdl_ctx *c, unsigned int leaf, uint64_t status, const char *where)
{
	char act[64];

	MDL_CHECK(c, true,
		  MDL_R(.kind = MDL_FK_KVM_BUG, .expected = "0x0000000000000000",
			.actual = mdl_status_str(act, sizeof(act), status)),
		  "%s failed with %s: %s", mdl_leaf_name(leaf), act, where);
}

static void learn_tdr(struct mdl_ctx *c, uint64_t tdr)
{
	if (tdr && !c->vm->s.tdr && !c->guess) {
		c->vm->s.tdr = tdr & ~0xfffull;
	}
}

static void lifecycle_order(struct mdl_ctx *c, const char *what)
{
	MDL_CHECK(c, true,
		  MDL_R(.kind = MDL_FK_ORDER, .no_vcpu = true,
			.expected = "MNG.INIT -> MR.FINALIZE -> VP.ENTER", .actual = what),
		  "impossible TD lifecycle order: %s", what);
}

void mdl_sc_handle(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	unsigned int leaf = (unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff);
	uint64_t status = EVF(ev, TDX_SEAMCALL, status);
	uint64_t rcx = EVF(ev, TDX_SEAMCALL, rcx);
	uint64_t rdx = EVF(ev, TDX_SEAMCALL, rdx);
	bool ok = status == TDX_SUCCESS;

	c->m->g.seamcalls++;
	mdl_vm_mark_tdx(vm);
	vm->s.seen_seamcall = 1;
	if (mdl_busy_check(c, false) == 0 && removal_leaf(leaf) && tdx_busy(status) &&
	    vm->s.lifecycle < LIFE_BLOCKED) {
		mdl_busy_start(c, leaf);
	}
	if (leaf != TDH_VP_ENTER) {
		vm->s.sc = (struct mdl_last_seamcall){
			.leaf = leaf, .status = status, .seq = ev->seq + 1};
	}

	switch (leaf) {
	case TDH_VP_ENTER:
		if (!c->guess) {
			mdl_epoch_vp_enter(c, status); /* see TDXR_EV_KVM_ENTRY */
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
		mdl_sept_mem_op(c, leaf, status);
		break;
	case TDH_MEM_TRACK:
		learn_tdr(c, rcx);
		mdl_epoch_track(c, status);
		if (status != TDX_SUCCESS && !tdx_busy(status) &&
		    (status & TDX_STATUS_MASK) != TDX_PREVIOUS_TLB_EPOCH_BUSY) {
			kvm_bug(c, leaf, status, "KVM_BUG_ON in tdx_track");
		}
		break;
	case TDH_PHYMEM_PAGE_RECLAIM:
		mdl_pamt_reclaim(c, status);
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
			mdl_vm_reset(c->m, vm);
		}
		if (ok) {
			vm->s.tdr = rcx & ~0xfffull;
			vm->s.lifecycle = LIFE_HKID;
			vm->s.op_state = MDL_OP_UNINITIALIZED;
			mdl_pamt_set(c, rcx >> 12, MDL_PAMT_CTRL, c->vm_idx, 0, 0);
		}
		break;
	case TDH_MNG_ADDCX:
	case TDH_VP_CREATE:
	case TDH_VP_ADDCX:
		if (ok) {
			mdl_pamt_set(c, rcx >> 12, MDL_PAMT_CTRL, c->vm_idx, 0, 0);
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
			mdl_vm_set_initialized(vm, ev->seq);
			vm->s.td_epoch = 1;
		}
		break;
	case TDH_MR_EXTEND:
		if (!vm->s.op_state && ok) {
			mdl_vm_set_initialized(vm, ev->seq);
		}
		if (!ok && (status & TDX_ERROR) && !tdx_busy(status) &&
		    mdl_profile_of(c->m) != 616) {
			kvm_bug(c, leaf, status, "TDX_BUG_ON_2 in tdx_gmem_post_populate");
		}
		break;
	case TDH_MR_FINALIZE:
		learn_tdr(c, rcx);
		if (ok) {
			if (vm->s.op_state == MDL_OP_RUNNABLE) {
				lifecycle_order(c, "MR.FINALIZE of a RUNNABLE TD");
			}
			MDL_CHECK(c, vm->s.nr_premap,
				  MDL_R(.kind = MDL_FK_MIRROR_DESYNC, .no_vcpu = true,
					.expected = "0 premapped",
					.actual = "premapped leaves left"),
				  "MR.FINALIZE with %llu premapped mirror leaves that never got "
				  "PAGE.ADD (KVM must refuse while nr_premapped != 0)",
				  (unsigned long long)vm->s.nr_premap);
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
void mdl_sc_log_failed(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	uint64_t status = EVF(ev, LOG_SEAMCALL_FAILED, status);
	uint64_t cls = status & TDX_STATUS_MASK;
	int leaf = (int)(EVF(ev, LOG_SEAMCALL_FAILED, leaf) & 0xffff);
	struct mdl_report r = {.no_vcpu = true};
	char act[64];

	if (c->m->st) {
		const char *fn =
			tdxr_strtab_get(c->m->st, (uint32_t)EVF(ev, LOG_SEAMCALL_FAILED, fn));
		int l = fn && *fn ? mdl_leaf_by_name(fn) : -1;

		if (l >= 0) {
			leaf = l;
		}
	}
	if (vm->s.sc.seq && vm->s.sc.leaf == (uint64_t)leaf && vm->s.sc.status == status) {
		return; /* the traced call already told it */
	}
	/* TDH.SYS.*: the host bringing the TDX module up, no VM involved: a
	 * platform failure, not a KVM_BUG_ON (the log account of tdxr/klog.h
	 * reports it as what it is). */
	if (tdxr_klog_is_sys_leaf((uint64_t)leaf)) {
		return;
	}
	if (vm->s.kvm_bug_reported || c->reported) {
		return;
	}
	mdl_status_str(act, sizeof(act), status);
	r.actual = act;
	r.expected = "0x0000000000000000";
	if (removal_leaf((unsigned int)leaf) && tdx_busy(status)) {
		r.kind = MDL_FK_BUSY_RETRY;
		r.severity = MDL_SEVERITY(MDL_SEV_ERROR);
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
	mdl_report(c, &r, "console: SEAMCALL %s failed: %s", mdl_leaf_name(leaf), act);
}
