// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/resolve.c - which VM and vCPU an event belongs to
 * (docs/design.md §3).
 *
 * In order of trust: the event's own vm/vcpu fields; the thread (a thread
 * belongs to the VM of the vm-carrying events it emits, and to the vCPU of
 * its kvm_entry/kvm_exit); the TDR or TDVPR a SEAMCALL names; the tgid
 * column; the only VM. Learning happens here too, so `tdxr dump` shows the
 * same attribution as replay.
 *
 * "The only VM" is a guess: a trace that starts while several VMs run
 * names one of them first, and until another is named every unplaced
 * event would land in it. A guess attributes its event and teaches
 * nothing (no thread, TDR or TDVPR binding, no TDR of the VM: apply.c
 * and seamcall.c see m->res_guess), so a wrong one does not outlive its
 * event. SEAMCALLs KVM issues from an IPI (sc_irq_leaf) run on whatever
 * task the CPU was running: they are placed by their TDVPR only and never
 * bind that task.
 */
#include <string.h>

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
	case TDH_VP_ADDCX: /* rcx: the TDCX page */
		*tdvpr = true;
		return EVF(ev, TDX_SEAMCALL, rdx);
	case TDH_MEM_PAGE_ADD:
	case TDH_MEM_SEPT_ADD:
	case TDH_MEM_PAGE_AUG:
	case TDH_MEM_RANGE_BLOCK:
	case TDH_MEM_PAGE_REMOVE:
	case TDH_MEM_SEPT_REMOVE:
	case TDH_MR_EXTEND:
	case TDH_MNG_ADDCX:
	case TDH_VP_CREATE:
		return EVF(ev, TDX_SEAMCALL, rdx);
	case TDH_MNG_KEY_CONFIG:
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

/*
 * Folds provisional VM @pv into @to, named by now but already known from
 * other threads: what @pv learned of its threads, TDR, TDVPRs and pages
 * goes to @to, with its records @to does not have and the hooks in
 * progress @to has none of (a provisional VM lives for a few events: the
 * SEAMCALL before its hook's named event). @pv keeps no binding, so
 * nothing reaches it.
 */
static void vm_fold(struct mdl_model *m, struct mdl_vm *pv, int pv_idx, int32_t to)
{
	int to_idx;
	struct mdl_vm *vm = mdl_vm_lookup(m, to, &to_idx);
	uint64_t i;

	struct mdl_vm_state *s = &vm->s;
	const struct mdl_vm_state *p = &pv->s;

	if (!s->tdr) {
		s->tdr = p->tdr;
	}
	for (i = 0; i < pv->ents.cap; i++) {
		const struct mdl_ent *pe = mdl_tab_slot(&pv->ents, i);
		struct mdl_ent *e;
		bool created;

		if (!pe->key) {
			continue;
		}
		e = mdl_tab_get(&vm->ents, pe->key, &created);
		if (e && created) {
			memcpy(e, pe, sizeof(*e));
			s->below_valid = 0; /* records its parents did not count */
			if (pe->flags & ENT_PREMAP) {
				s->nr_premap++;
			}
		}
	}
	if (!s->op_state) {
		s->op_state = p->op_state;
		s->init_seq = p->init_seq;
		s->lifecycle = p->lifecycle;
	}
	if (!s->epoch_seq && p->epoch_seq) {
		s->td_epoch = p->td_epoch;
		s->epoch_seq = p->epoch_seq;
	}
	s->seen_seamcall |= p->seen_seamcall;
	s->seen_install_op |= p->seen_install_op;
	s->seen_vp_enter |= p->seen_vp_enter;
	s->seen_spte |= p->seen_spte;
	mdl_tdp_fold(vm, pv);
	if (pv->s.is_tdx) {
		mdl_vm_mark_tdx(vm);
	}
	for (i = 0; i < m->pages.cap; i++) {
		struct mdl_page *pg = mdl_tab_slot(&m->pages, i);

		if (pg->key && pg->owner == pv_idx) {
			mdl_tab_touch(&m->pages, i);
			pg->owner = to_idx;
		}
	}
	s->nr_pages += p->nr_pages;
	s->events += p->events;
	s->errors += p->errors;
	s->warnings += p->warnings;
	pv->s.nr_pages = 0;
	pv->s.events = pv->s.errors = pv->s.warnings = 0;
	pv->s.tdr = 0;
	pv->s.folded = 1;
}

/* Renames VM @from (a provisional one) to @to, with the maps. */
static void vm_rename(struct mdl_model *m, int32_t from, int32_t to)
{
	int idx;
	struct mdl_vm *vm = mdl_vm_lookup(m, from, &idx);
	uint64_t i;

	if (!vm) {
		return;
	}
	if (mdl_vm_lookup(m, to, NULL)) {
		vm_fold(m, vm, idx, to);
	} else {
		vm->s.id = to;
	}
	for (i = 0; i < m->tids.cap; i++) {
		struct mdl_tid *t = mdl_tab_slot(&m->tids, i);

		if (t->key && t->vm == from) {
			t->vm = to;
		}
	}
	for (i = 0; i < m->addrs.cap; i++) {
		struct mdl_addr *a = mdl_tab_slot(&m->addrs, i);

		if (a->key && a->vm == from) {
			a->vm = to;
		}
	}
}

/* The VM whose TDR is @tdr, as its own SEAMCALLs taught it. */
static bool vm_of_tdr(const struct mdl_model *m, uint64_t tdr, int32_t *id)
{
	uint64_t i;

	for (i = 0; i < m->nr_vms; i++) {
		if (m->vms[i]->s.tdr == (tdr & ~0xfffull)) {
			*id = (int32_t)m->vms[i]->s.id;
			return true;
		}
	}
	return false;
}

void mdl_resolve(struct mdl_model *m, struct tdxr_event *ev)
{
	/* a negative vm field read from a trace names no VM (ids below -1
	 * are the model's own provisional VMs) */
	int32_t vm = ev->vm >= 0 ? ev->vm : event_vm_field(ev) < 0 ? -1 : event_vm_field(ev);
	int32_t vcpu = event_vcpu_field(ev);
	bool own_vm = vm >= 0, named = vm >= 0, tdvpr = false, guess = false;
	bool seamcall = ev->type == TDXR_EV_TDX_SEAMCALL;
	bool irq = ev_irq_seamcall(ev);
	struct mdl_tid *t = NULL;
	struct mdl_addr *a = NULL;
	struct mdl_vm *only;
	uint64_t op = 0;

	if (ev->tid > 0) {
		t = mdl_tab_find(&m->tids, KEY_TAG | (uint32_t)ev->tid);
	}
	if (seamcall) {
		op = seamcall_td_operand(ev, &tdvpr);
		if (op) {
			a = mdl_tab_find(&m->addrs, addr_key(op));
		}
		/* the TD operand is more specific than the thread, but for
		 * VP.ENTER, which only a vCPU's own thread issues: a thread
		 * named by its events since is right where the TDVPR was bound
		 * by a guess (a trace that starts with several TDs running) */
		if (vm < 0 && a && a->vm != -1 &&
		    !((EVF(ev, TDX_SEAMCALL, leaf) & 0xffff) == TDH_VP_ENTER && t && t->vm >= 0 &&
		      t->vm != a->vm)) {
			vm = a->vm;
			own_vm = !irq; /* a thread using a TD's TDR/TDVPR is its */
		}
		if (irq) {
			t = NULL; /* the interrupted task says nothing */
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
	if (vm == -1 && seamcall && op && !a && !tdvpr) {
		/* A TDR no binding names, on a thread we cannot place: its TD,
		 * or a TD not seen yet (a provisional VM until named: never
		 * the only VM by default, whose TDR this may not be). */
		if (!vm_of_tdr(m, op, &vm)) {
			m->g.next_anon++;
			vm = -1 - (int32_t)m->g.next_anon;
		}
		own_vm = true;
	}
	if (vm < 0 && seamcall &&
	    (EVF(ev, TDX_SEAMCALL, leaf) & 0xffff) == TDH_PHYMEM_PAGE_RECLAIM) {
		const struct mdl_page *pg =
			mdl_pamt_find(m, (EVF(ev, TDX_SEAMCALL, rcx) & ((1ull << 52) - 1)) >> 12);

		if (pg && pg->owner >= 0 && (uint64_t)pg->owner < m->nr_vms) {
			vm = (int32_t)m->vms[pg->owner]->s.id;
		}
	}
	if (vm == -1 && (only = mdl_vm_only(m, NULL))) {
		vm = (int32_t)only->s.id;
		guess = true;
	} else if (vm == -1 && !m->nr_vms) {
		/* the first VM, not named yet: provisional until named */
		m->g.next_anon++;
		vm = -1 - (int32_t)m->g.next_anon;
		own_vm = true;
	}
	/* A named event on a thread of a provisional VM names that VM (or
	 * folds it into the VM of that name, known from other threads). */
	if (named && t && t->vm < -1) {
		vm_rename(m, t->vm, vm);
	} else if (named && !mdl_vm_lookup(m, vm, NULL) && (only = mdl_vm_only(m, NULL)) &&
		   only->s.id < -1) {
		vm_rename(m, (int32_t)only->s.id, vm);
	}
	if (vcpu < 0 && t && t->vcpu >= 0 && (t->vm == -1 || t->vm == vm)) {
		vcpu = t->vcpu;
	}

	/* Learn. */
	if (ev->tid > 0 && !irq &&
	    (own_vm || ev->type == TDXR_EV_KVM_ENTRY || ev->type == TDXR_EV_KVM_EXIT)) {
		if (!t) {
			t = mdl_tab_get(&m->tids, KEY_TAG | (uint32_t)ev->tid, NULL);
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
				if (t->vm == -1 && vm != -1 && !guess) {
					t->vm = vm;
				}
			}
		}
	}
	if (op && vm != -1 && !guess && (!a || a->vm == -1 || (tdvpr && vcpu >= 0))) {
		if (!a) {
			a = mdl_tab_get(&m->addrs, addr_key(op), NULL);
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
	if (vm != -1 && !mdl_vm_lookup(m, vm, NULL)) {
		mdl_vm_get(m, vm, NULL);
	}
	/* Provisional VMs are internal: consumers see "unknown". */
	m->res_ev = ev;
	m->res_seq = ev->seq;
	m->res_tid = ev->tid;
	m->res_vm = vm;
	m->res_guess = guess;
	ev->vm = vm < -1 ? -1 : vm;
	ev->vcpu = vcpu;
}
