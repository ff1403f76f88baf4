// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/resolve.c - which VM and vCPU an event belongs to
 * (DESIGN.md §3).
 *
 * In order of trust: the event's own vm/vcpu fields; the thread (a thread
 * belongs to the VM of the vm-carrying events it emits, and to the vCPU of
 * its kvm_entry/kvm_exit); the TDR or TDVPR a SEAMCALL names; the tgid
 * column; the only VM. Learning happens here too, so `tdxr dump` shows the
 * same attribution as replay.
 */
#include "model_int.h"

static int32_t event_vm_field(const struct tdxr_event *ev)
{
	switch (ev->type) {
	case TDXR_EV_KVM_TDX_SEPT:
		return (int32_t)EVF(ev, KVM_TDX_SEPT, vm);
	case TDXR_EV_KVM_TDX_TDVMCALL:
		return (int32_t)EVF(ev, KVM_TDX_TDVMCALL, vm);
	case TDXR_EV_KVM_TDX_TDVMCALL_DONE:
		return (int32_t)EVF(ev, KVM_TDX_TDVMCALL_DONE, vm);
	case TDXR_EV_KVM_VM_BUGGED:
		return (int32_t)EVF(ev, KVM_VM_BUGGED, vm);
	case TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED:
		if (EVF_HAS(ev, KVM_TDP_MMU_SPTE_CHANGED, vm)) {
			return (int32_t)EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, vm);
		}
		return -1;
	default:
		return -1;
	}
}

static int32_t event_vcpu_field(const struct tdxr_event *ev)
{
	switch (ev->type) {
	case TDXR_EV_KVM_ENTRY:
		return (int32_t)EVF(ev, KVM_ENTRY, vcpu_id);
	case TDXR_EV_KVM_EXIT:
		return (int32_t)EVF(ev, KVM_EXIT, vcpu_id);
	case TDXR_EV_KVM_PAGE_FAULT:
		return (int32_t)EVF(ev, KVM_PAGE_FAULT, vcpu_id);
	case TDXR_EV_KVM_TDX_TDVMCALL:
		return (int32_t)EVF(ev, KVM_TDX_TDVMCALL, vcpu);
	case TDXR_EV_KVM_TDX_TDVMCALL_DONE:
		return (int32_t)EVF(ev, KVM_TDX_TDVMCALL_DONE, vcpu);
	case TDXR_EV_LOG_ACCEPT_BEFORE:
		return (int32_t)EVF(ev, LOG_ACCEPT_BEFORE, vcpu);
	case TDXR_EV_VMM_KVM_RUN_EXIT:
		return (int32_t)EVF(ev, VMM_KVM_RUN_EXIT, vcpu);
	case TDXR_EV_VMM_KVM_RUN_ENTER:
		return (int32_t)EVF(ev, VMM_KVM_RUN_ENTER, vcpu);
	default:
		return -1;
	}
}

/* The TD-scoped operand of a SEAMCALL: TDR (vcpu -1) or TDVPR. */
static uint64_t seamcall_td_operand(const struct tdxr_event *ev, bool *tdvpr)
{
	unsigned int leaf = (unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff);

	*tdvpr = false;
	switch (leaf) {
	case TDH_VP_ENTER:
	case TDH_VP_FLUSH:
	case TDH_VP_INIT:
	case TDH_VP_RD:
	case TDH_VP_WR:
		*tdvpr = true;
		return EVF(ev, TDX_SEAMCALL, rcx);
	case TDH_MEM_PAGE_ADD:
	case TDH_MEM_SEPT_ADD:
	case TDH_MEM_PAGE_AUG:
	case TDH_MEM_RANGE_BLOCK:
	case TDH_MEM_PAGE_REMOVE:
	case TDH_MEM_SEPT_REMOVE:
	case TDH_MR_EXTEND:
	case TDH_MNG_ADDCX:
	case TDH_VP_CREATE:
	case TDH_MNG_KEY_CONFIG:
		return EVF(ev, TDX_SEAMCALL, rdx);
	case TDH_MEM_TRACK:
	case TDH_MR_FINALIZE:
	case TDH_MNG_VPFLUSHDONE:
	case TDH_MNG_KEY_FREEID:
	case TDH_MNG_INIT:
	case TDH_MNG_CREATE:
	case TDH_MNG_RD:
		return EVF(ev, TDX_SEAMCALL, rcx);
	default:
		return 0;
	}
}

static uint64_t addr_key(uint64_t pa)
{
	return KEY_TAG | (pa & ((1ull << 52) - 1) & ~0xfffull);
}

/* Renames VM @from (a provisional one) to @to, with the maps. */
static void vm_rename(struct mdl_model *m, int32_t from, int32_t to)
{
	struct mdl_vm *vm = vm_lookup(m, from, NULL);
	uint64_t i;

	if (!vm || vm_lookup(m, to, NULL)) {
		return;
	}
	vm->s.id = to;
	for (i = 0; i < m->tids.cap; i++) {
		struct mdl_tid *t = tab_slot(&m->tids, i);

		if (t->key && t->vm == from) {
			t->vm = to;
		}
	}
	for (i = 0; i < m->addrs.cap; i++) {
		struct mdl_addr *a = tab_slot(&m->addrs, i);

		if (a->key && a->vm == from) {
			a->vm = to;
		}
	}
}

static bool any_td_with_other_tdr(const struct mdl_model *m, uint64_t tdr)
{
	uint64_t i;

	for (i = 0; i < m->nr_vms; i++) {
		if (m->vms[i]->s.tdr && m->vms[i]->s.tdr != (tdr & ~0xfffull)) {
			return true;
		}
	}
	return false;
}

void mdl_resolve(struct mdl_model *m, struct tdxr_event *ev)
{
	int32_t vm = ev->vm >= 0 ? ev->vm : event_vm_field(ev);
	int32_t vcpu = event_vcpu_field(ev);
	bool own_vm = vm >= 0, named = vm >= 0, tdvpr = false;
	bool seamcall = ev->type == TDXR_EV_TDX_SEAMCALL;
	struct mdl_tid *t = NULL;
	struct mdl_addr *a = NULL;
	uint64_t op = 0;

	if (ev->tid > 0) {
		t = tab_find(&m->tids, KEY_TAG | (uint32_t)ev->tid);
	}
	if (seamcall) {
		op = seamcall_td_operand(ev, &tdvpr);
		if (op) {
			a = tab_find(&m->addrs, addr_key(op));
		}
		/* the TD operand is more specific than the thread */
		if (vm < 0 && a && a->vm != -1) {
			vm = a->vm;
			own_vm = true; /* a thread using a TD's TDR/TDVPR is its */
		}
		if (vcpu < 0 && tdvpr && a && a->vcpu >= 0 && (!t || t->vcpu < 0)) {
			vcpu = a->vcpu;
		}
	}
	if (vm < 0 && ev->tgid > 0) {
		vm = ev->tgid;
		own_vm = named = true;
	}
	if (vm < 0 && t && t->vm != -1) {
		vm = t->vm;
	}
	if (vm < 0 && seamcall && op && !a && !tdvpr && any_td_with_other_tdr(m, op)) {
		/* a new TD on a thread we cannot place yet: provisional VM */
		m->g.next_anon++;
		vm = -1 - (int32_t)m->g.next_anon;
		own_vm = true;
	}
	if (vm < 0 && seamcall &&
	    (EVF(ev, TDX_SEAMCALL, leaf) & 0xffff) == TDH_PHYMEM_PAGE_RECLAIM) {
		const struct mdl_page *pg =
			pamt_find(m, (EVF(ev, TDX_SEAMCALL, rcx) & ((1ull << 52) - 1)) >> 12);

		if (pg && pg->owner >= 0 && (uint64_t)pg->owner < m->nr_vms) {
			vm = (int32_t)m->vms[pg->owner]->s.id;
		}
	}
	if (vm == -1 && m->nr_vms == 1) {
		vm = (int32_t)m->vms[0]->s.id;
	} else if (vm == -1 && !m->nr_vms) {
		/* the first VM, not named yet: provisional until named */
		m->g.next_anon++;
		vm = -1 - (int32_t)m->g.next_anon;
		own_vm = true;
	}
	/* A named event on a thread of a provisional VM names that VM. */
	if (named && !vm_lookup(m, vm, NULL)) {
		if (t && t->vm < -1) {
			vm_rename(m, t->vm, vm);
		} else if (m->nr_vms == 1 && m->vms[0]->s.id < -1) {
			vm_rename(m, (int32_t)m->vms[0]->s.id, vm);
		}
	}
	if (vcpu < 0 && t && t->vcpu >= 0 && (t->vm == -1 || t->vm == vm)) {
		vcpu = t->vcpu;
	}

	/* Learn. */
	if (ev->tid > 0 &&
	    (own_vm || ev->type == TDXR_EV_KVM_ENTRY || ev->type == TDXR_EV_KVM_EXIT)) {
		if (!t) {
			t = tab_get(&m->tids, KEY_TAG | (uint32_t)ev->tid, NULL);
			if (t) {
				t->vm = -1;
				t->vcpu = -1;
			}
		}
		if (t) {
			if (own_vm) {
				t->vm = vm;
			}
			if (ev->type == TDXR_EV_KVM_ENTRY || ev->type == TDXR_EV_KVM_EXIT) {
				t->vcpu = vcpu;
				if (t->vm == -1 && vm != -1) {
					t->vm = vm;
				}
			}
		}
	}
	if (op && vm != -1 && (!a || a->vm == -1 || (tdvpr && vcpu >= 0))) {
		if (!a) {
			a = tab_get(&m->addrs, addr_key(op), NULL);
			if (a) {
				a->vcpu = -1;
			}
		}
		if (a) {
			a->vm = vm;
			if (tdvpr && vcpu >= 0) {
				a->vcpu = vcpu;
			}
		}
	}
	if (vm != -1 && !vm_lookup(m, vm, NULL)) {
		vm_get(m, vm, NULL);
	}
	/* Provisional VMs are internal: consumers see "unknown". */
	m->res_ev = ev;
	m->res_seq = ev->seq;
	m->res_tid = ev->tid;
	m->res_vm = vm;
	ev->vm = vm < -1 ? -1 : vm;
	ev->vcpu = vcpu;
}
