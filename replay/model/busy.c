// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/busy.c - the BUSY retry rule of the removal path
 * (docs/tdx.md §2.2, §8 scenario 1): the one file that writes struct
 * mdl_busy.
 *
 * The removal path (BLOCK, TRACK, REMOVE under mmu_lock for write) must
 * answer a BUSY with exactly one retry of the same call, with no vCPU in
 * the guest at the retry (KVM holds them out with wait_for_sept_zap and
 * kicks those already past it); a second BUSY is a KVM_BUG_ON. BUSY
 * anywhere else is normal.
 */
#include "model_int.h"

static uint64_t sc_gfn(const struct mdl_ctx *c, unsigned int leaf)
{
	if (leaf == TDH_MEM_TRACK) {
		return 0;
	}
	return mdl_vm_gfn_of_gpa(c->vm, EVF(c->ev, TDX_SEAMCALL, rcx));
}

static void busy_report(struct mdl_ctx *c, int sev, const char *actual, const char *fmt_leaf,
			const char *why)
{
	struct mdl_vm *vm = c->vm;
	struct mdl_report r = {
		.kind = MDL_FK_BUSY_RETRY,
		.severity = MDL_SEVERITY(sev),
		.no_vcpu = true,
		.cause = vm->s.busy.seq + 1,
		.expected = "one retry, vCPUs kept out",
		.actual = actual,
	};
	unsigned int leaf = (unsigned int)vm->s.busy.leaf;

	if (leaf != TDH_MEM_TRACK) {
		r.has_gfn = true;
		r.gfn = vm->s.busy.gfn;
		r.e = mdl_ent_find(vm, vm->s.busy.gfn, 1, 0);
		if (r.e && (r.e->flags & ENT_POISON) && r.e->poison_seq > vm->s.busy.seq) {
			return;
		}
	}
	if (vm->s.busy.entered) {
		r.extra[0] = vm->s.busy.entry_seq + 1;
	}
	mdl_report(c, &r, "%s (seq %llu) returned BUSY: %s", fmt_leaf,
		   (unsigned long long)vm->s.busy.seq, why);
}

/*
 * Checks the pending BUSY against the event in @c: a SEAMCALL on the same
 * thread is the retry or proves there was none. @final: the retry can no
 * longer come (end of trace, hook completed). Returns 1 when this event
 * was a retry that failed with BUSY again (KVM bugs the VM: no new retry).
 */
int mdl_busy_check(struct mdl_ctx *c, bool final)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	unsigned int leaf, bleaf = (unsigned int)vm->s.busy.leaf;
	uint64_t i;

	if (!vm->s.busy.active) {
		return 0;
	}
	if (mdl_seq_uncertain(c->m, vm->s.busy.seq)) {
		vm->s.busy.active = 0;
		return 0;
	}
	if (final) {
		busy_report(c, MDL_SEV_WARNING, "no retry", mdl_leaf_name(bleaf),
			    "the removal path did not retry it");
		vm->s.busy.active = 0;
		return 0;
	}
	if (ev->type != TDXR_EV_TDX_SEAMCALL || (uint64_t)ev->tid != vm->s.busy.tid) {
		return 0;
	}
	leaf = (unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff);
	if (sc_irq_leaf(leaf)) {
		return 0; /* an IPI's, not the removal path's */
	}
	vm->s.busy.active = 0;
	if (leaf != bleaf || sc_gfn(c, leaf) != vm->s.busy.gfn) {
		busy_report(c, MDL_SEV_WARNING, "no retry", mdl_leaf_name(bleaf),
			    "the next SEAMCALL of the removal path is not its retry");
		return 0;
	}
	if (tdx_busy(EVF(ev, TDX_SEAMCALL, status))) {
		busy_report(c, MDL_SEV_ERROR, "retry BUSY too", mdl_leaf_name(bleaf),
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
		bool after = v->entry_seq > vm->s.busy.seq;

		if (!v->in_guest || mdl_seq_uncertain(c->m, v->last_seq)) {
			continue;
		}
		vm->s.busy.entered = 1;
		vm->s.busy.entry_seq = v->entry_seq;
		busy_report(c, MDL_SEV_WARNING, after ? "vCPU entered" : "vCPU not kicked",
			    mdl_leaf_name(bleaf),
			    after ? "a vCPU entered the guest after it and is still inside at the "
				    "retry (wait_for_sept_zap not honoured)"
				  : "a vCPU was still in the guest at the retry (no "
				    "KVM_REQ_OUTSIDE_GUEST_MODE kick)");
		return 0;
	}
	return 0;
}

void mdl_busy_start(struct mdl_ctx *c, unsigned int leaf)
{
	struct mdl_vm *vm = c->vm;

	vm->s.busy.active = 1;
	vm->s.busy.tid = (uint64_t)c->ev->tid;
	vm->s.busy.leaf = leaf;
	vm->s.busy.gfn = sc_gfn(c, leaf);
	vm->s.busy.seq = c->ev->seq;
	vm->s.busy.entered = 0;
	vm->s.busy.entry_seq = 0;
}

/* A vCPU entered the guest (kvm_entry): the first since the BUSY is named
 * in its finding, if one follows. */
void mdl_busy_vcpu_entered(struct mdl_ctx *c)
{
	struct mdl_busy *b = &c->vm->s.busy;

	if (b->active && !b->entered) {
		b->entered = 1;
		b->entry_seq = c->ev->seq;
	}
}

/* Lost events or the end of the trace: the retry is not judged. */
void mdl_busy_drop(struct mdl_vm *vm)
{
	vm->s.busy.active = 0;
}
