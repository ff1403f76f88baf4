// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/epoch.c - TLB epochs and vCPUs in the guest
 * (docs/tdx.md §7.4), and the zero-step counter (§7.5).
 *
 * The module keeps td_epoch and refcount[2] indexed by epoch parity; each
 * vCPU samples td_epoch when it enters. The model keeps, per vCPU, whether
 * it is in the guest and the epoch it entered with: from its kvm_entry
 * (emitted just before TDH.VP.ENTER) to its VP.ENTER return (or kvm_exit).
 * refcount[] is then the count of in-guest vCPUs per parity, computed on
 * demand from the vCPUs whose state is certain (not older than lost events).
 * td_epoch is relative: only differences and parities matter, so a trace
 * that starts mid-life simply starts at 1.
 */
#include <stdio.h>

#include "model_int.h"

static bool vcpu_certain(const struct mdl_model *m, const struct mdl_vcpu *v)
{
	return v->known && !mdl_seq_uncertain(m, v->last_seq);
}

/*
 * In-guest vCPUs whose epoch has @parity; *first gets the entry seq + 1 of
 * one of them (for the chain).
 */
static unsigned int refcount(const struct mdl_model *m, const struct mdl_vm *vm, uint64_t parity,
			     uint64_t *first)
{
	unsigned int n = 0;
	uint64_t i;

	*first = 0;
	for (i = 0; i < vm->nr_vcpus; i++) {
		const struct mdl_vcpu *v = &vm->vcpus[i];

		if (v->in_guest && vcpu_certain(m, v) && (v->epoch & 1) == parity) {
			if (!n) {
				*first = v->entry_seq + 1;
			}
			n++;
		}
	}
	return n;
}

/*
 * is_tlb_tracked(bepoch) of docs/tdx.md §7.4: true when bepoch < td_epoch - 1, or
 * bepoch == td_epoch - 1 and refcount[bepoch & 1] == 0. Uncertain when the
 * BLOCK itself predates lost events.
 */
bool mdl_epoch_tlb_tracked(const struct mdl_model *m, const struct mdl_vm *vm,
			   const struct mdl_ent *e, bool *certain, uint64_t *vseq)
{
	uint64_t first;

	*certain = e->block_seq && !mdl_seq_uncertain(m, e->block_seq) &&
		   !mdl_seq_uncertain(m, vm->s.epoch_seq);
	*vseq = 0;
	if (e->bepoch + 1 < vm->s.td_epoch) {
		return true;
	}
	if (e->bepoch + 1 == vm->s.td_epoch) {
		if (!refcount(m, vm, e->bepoch & 1, &first)) {
			return true;
		}
		*vseq = first;
		return false;
	}
	return false;
}

static struct mdl_vcpu *ctx_vcpu(struct mdl_ctx *c, int32_t id)
{
	struct mdl_vcpu *v = mdl_vcpu_get(c->vm, id);

	if (v) {
		v->known = 1;
		v->last_seq = c->ev->seq;
	}
	return v;
}

void mdl_epoch_kvm_entry(struct mdl_ctx *c)
{
	struct mdl_vm *vm = c->vm;
	int32_t id = (int32_t)EVF(c->ev, KVM_ENTRY, vcpu_id);
	struct mdl_vcpu *v = ctx_vcpu(c, id);

	if (!v) {
		return;
	}
	v->in_guest = 1;
	v->epoch = vm->s.td_epoch;
	v->entry_seq = c->ev->seq;
	mdl_busy_vcpu_entered(c);
}

static void zs_reset(struct mdl_vcpu *v)
{
	v->zs_count = 0;
	v->zs_reported = 0;
}

/* Was the fault on @gfn resolved since (a mapping exists now)? */
static bool zs_resolved(const struct mdl_vm *vm, uint64_t gfn)
{
	const struct mdl_ent *e = mdl_ent_find(vm, gfn, 1, 0);

	if (!e) {
		return false;
	}
	return spte_present(e->spte[TREE_MIRROR]) ||
	       (e->sept != MDL_SEPT_UNKNOWN && e->sept != MDL_SEPT_FREE);
}

/* A private-GPA EPT-violation exit of the event's vCPU on @gfn. */
void mdl_epoch_private_fault(struct mdl_ctx *c, uint64_t gfn)
{
	struct mdl_vcpu *v = mdl_vcpu_get(c->vm, c->ev->vcpu);

	if (!v) {
		return;
	}
	if (v->zs_count &&
	    (zs_resolved(c->vm, v->zs_gfn) || mdl_seq_uncertain(c->m, v->zs_first_seq))) {
		zs_reset(v);
	}
	/* Another thread removed mappings during the streak: an invalidation
	 * (e.g. a conversion) is in progress, which KVM's fault path answers
	 * with RET_PF_RETRY until it ends. The streak starts over here. */
	if (v->zs_count && c->vm->s.zap.seq > v->zs_first_seq &&
	    c->vm->s.zap.tid != (uint64_t)c->ev->tid) {
		zs_reset(v);
	}
	if (!v->zs_count) {
		v->zs_first_seq = c->ev->seq;
	}
	v->zs_count++;
	v->zs_gfn = gfn;
	if (v->zs_count >= 6 && !v->zs_reported) {
		struct mdl_report r = {
			.kind = MDL_FK_ZERO_STEP,
			.has_gfn = true,
			.gfn = gfn,
			.cause = v->zs_first_seq + 1,
			.expected = "< 6 exits",
			.actual = "6 exits",
		};

		v->zs_reported = 1;
		mdl_report(c, &r,
			   "vCPU %d took %llu consecutive private-GPA EPT-violation exits with no "
			   "successful mapping in between: zero-step mitigation likely engaged "
			   "(threshold 6)",
			   c->ev->vcpu, (unsigned long long)v->zs_count);
	}
}

/*
 * The event's vCPU left KVM_RUN for userspace (e.g. KVM_EXIT_MEMORY_FAULT
 * of an implicit conversion): KVM's local fault retry ended there, so its
 * streak of private EPT-violation exits starts over.
 */
void mdl_epoch_userspace_exit(struct mdl_ctx *c)
{
	int32_t id = c->ev->vcpu;

	if (id >= 0 && (uint64_t)id < c->vm->nr_vcpus) {
		zs_reset(&c->vm->vcpus[id]);
	}
}

/* A successful AUG/ADD by the event's thread resolves its vCPU's fault. */
void mdl_epoch_mapping_done(struct mdl_ctx *c)
{
	struct mdl_vcpu *v = mdl_vcpu_get(c->vm, c->ev->vcpu);

	if (v && c->ev->vcpu >= 0) {
		zs_reset(v);
	}
}

static void vcpu_exit(struct mdl_vcpu *v, uint64_t seq)
{
	v->in_guest = 0;
	v->exit_seq = seq;
}

/*
 * KVM's tdx_is_sept_violation_unexpected_pending(): extended exit
 * qualification type 6 and no PROT bit in the exit qualification. Any
 * other private EPT violation is handled as a normal fault.
 */
static bool pending_unexpected(uint64_t qual, uint64_t ext)
{
	return (ext & 0xf) == EXT_EXIT_QUAL_TYPE_PENDING && !(qual & EPT_VIOLATION_PROT_BITS);
}

static void report_pending_access(struct mdl_ctx *c, struct mdl_vcpu *v, bool has_gfn, uint64_t gfn,
				  const char *how)
{
	struct mdl_ent *e = has_gfn ? mdl_ent_get(c->vm, gfn, 1, 0) : NULL;
	struct mdl_report r = {
		.kind = MDL_FK_PENDING_ACCESS,
		.e = e,
		.has_gfn = has_gfn,
		.gfn = gfn,
		.expected = "ACCEPT (ext. qual. type 1)",
		.actual = "PENDING_EPT_VIOLATION (type 6)",
	};

	if (v && v->pend_seq && v->pend_seq - 1 >= v->entry_seq) {
		return; /* this exit was already reported */
	}
	/*
	 * An entry made uncertain by a loss is not judged on an exit of a
	 * vCPU that entered after the loss; with no known vCPU (a trace that
	 * starts mid-run), nothing says when it entered: not judged either.
	 */
	if (e && (e->flags & ENT_POISON) && (!v || e->poison_seq >= v->entry_seq)) {
		return;
	}
	if (v) {
		r.extra[0] = v->entry_seq + 1;
	}
	mdl_report(c, &r,
		   "guest access to PENDING gfn 0x%llx that is not a TDG.MEM.PAGE.ACCEPT (%s): KVM "
		   "kills the VM",
		   (unsigned long long)gfn, how);
	if (v) {
		v->pend_seq = c->ev->seq + 1;
	}
	if (e && e->sept != MDL_SEPT_PENDING) {
		mdl_sept_set_state(c->vm, e, MDL_SEPT_PENDING);
	}
}

void mdl_epoch_kvm_exit(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	int32_t id = (int32_t)EVF(ev, KVM_EXIT, vcpu_id);
	struct mdl_vcpu *v = ctx_vcpu(c, id);
	uint32_t reason = (uint32_t)EVF(ev, KVM_EXIT, exit_reason);

	if (!v) {
		return;
	}
	if (v->in_guest) {
		vcpu_exit(v, ev->seq);
	}
	if (!c->vm->s.is_tdx || c->vm->s.seen_vp_enter) {
		if (reason != EXIT_REASON_EPT_VIOLATION) {
			zs_reset(v);
		}
		return;
	}
	/* No VP.ENTER events: the exit carries what the module said. */
	if (reason == EXIT_REASON_EPT_VIOLATION &&
	    pending_unexpected(EVF(ev, KVM_EXIT, info1), EVF(ev, KVM_EXIT, info2))) {
		report_pending_access(c, v, false, 0, "kvm_exit");
	} else if (reason != EXIT_REASON_EPT_VIOLATION) {
		zs_reset(v);
	}
}

void mdl_epoch_vp_enter(struct mdl_ctx *c, uint64_t status)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	struct mdl_vcpu *v = ctx_vcpu(c, ev->vcpu);
	uint64_t gpa = EVF(ev, TDX_SEAMCALL, out_r8);
	uint64_t qual = EVF(ev, TDX_SEAMCALL, out_rcx);
	uint64_t ext = EVF(ev, TDX_SEAMCALL, out_rdx);
	uint32_t reason = (uint32_t)(status & 0xffff);
	bool priv;
	uint64_t gfn;

	vm->s.seen_vp_enter = 1;
	if (v && v->in_guest) {
		vcpu_exit(v, ev->seq);
	}
	if (status & TDX_ERROR) {
		MDL_CHECK(c, (status & TDX_SW_ERROR) == TDX_SW_ERROR,
			  MDL_R(.kind = MDL_FK_KVM_BUG, .extra = {v ? v->entry_seq + 1 : 0},
				.expected = "exit reason", .actual = "TDX_SW_ERROR"),
			  "TDH.VP.ENTER returned TDX_SW_ERROR 0x%016llx: KVM_BUG_ON in "
			  "tdx_handle_exit",
			  (unsigned long long)status);
		return;
	}
	/* FINALIZE may have been among events lost since (or in a loss
	 * whose record is still to come) */
	MDL_CHECK(c,
		  vm->s.op_state == MDL_OP_INITIALIZED && !mdl_seq_uncertain(c->m, vm->s.init_seq),
		  MDL_R(.kind = MDL_FK_ORDER, .expected = "RUNNABLE", .actual = "INITIALIZED"),
		  "TDH.VP.ENTER ran a vCPU of a TD that was never finalized (no TDH.MR.FINALIZE "
		  "since TDH.MNG.INIT)");
	if (vm->s.op_state != MDL_OP_RUNNABLE && vm->s.lifecycle < LIFE_BLOCKED) {
		vm->s.op_state = MDL_OP_RUNNABLE;
	}
	if (reason == EXIT_REASON_EPT_MISCONFIG) {
		c->m->g.cov_mmio = 1;
		mdl_report(c,
			   MDL_R(.kind = MDL_FK_MMIO_SUPPRESS_VE, .has_gfn = true,
				 .gfn = mdl_vm_gfn_of_gpa(vm, gpa),
				 .extra = {v ? v->entry_seq + 1 : 0},
				 .expected = "TDCALL (77) for #VE.RequestMMIO",
				 .actual = "EPT_MISCONFIG (49)"),
			   "TDH.VP.ENTER returned EPT_MISCONFIG for gpa 0x%llx: a TD MMIO access "
			   "must arrive as #VE (SVE clear), never as a misconfig exit; KVM_BUG_ON",
			   (unsigned long long)gpa);
		return;
	}
	if (reason != EXIT_REASON_EPT_VIOLATION) {
		if (v) {
			zs_reset(v);
		}
		return;
	}
	mdl_vm_learn_gpaw(vm, gpa);
	priv = !((gpa >> 12) & vm->s.shared_gfn);
	gfn = mdl_vm_gfn_of_gpa(vm, gpa);
	if (!priv) {
		MDL_CHECK(
			c, qual & EPT_VIOLATION_ACC_INSTR,
			MDL_R(.kind = MDL_FK_KVM_BUG, .has_gfn = true, .gfn = gfn,
			      .expected = "no instruction fetch",
			      .actual = "ACC_INSTR on shared GPA"),
			"EPT violation on shared gpa 0x%llx is an instruction fetch: KVM_BUG_ON in "
			"tdx_handle_ept_violation",
			(unsigned long long)gpa);
		return;
	}
	if (pending_unexpected(qual, ext)) {
		report_pending_access(c, v, true, gfn, "TDH.VP.ENTER exit");
		return;
	}
	mdl_epoch_private_fault(c, gfn);
}

void mdl_epoch_track(struct mdl_ctx *c, uint64_t status)
{
	struct mdl_vm *vm = c->vm;
	uint64_t first = 0;
	unsigned int busy_vcpus;
	char exp[64], act[64];

	c->m->g.cov_tlb = 1;
	if (tdx_busy(status)) {
		return;
	}
	busy_vcpus = refcount(c->m, vm, (vm->s.td_epoch - 1) & 1, &first);
	if ((status & TDX_STATUS_MASK) == TDX_PREVIOUS_TLB_EPOCH_BUSY && first &&
	    first == vm->s.nokick_entry_seq) {
		return; /* the same unkicked vCPU: already reported */
	}
	if ((status & TDX_STATUS_MASK) == TDX_PREVIOUS_TLB_EPOCH_BUSY) {
		struct mdl_report r = {
			.kind = MDL_FK_EPOCH_BUSY,
			.no_vcpu = true,
			.extra = {first},
			.expected = "TDX_SUCCESS",
			.actual = "PREVIOUS_TLB_EPOCH_BUSY",
		};

		if (vm->s.epoch_seq) {
			r.extra[1] = vm->s.epoch_seq + 1;
		}
		mdl_report(c, &r,
			   "TDH.MEM.TRACK returned PREVIOUS_TLB_EPOCH_BUSY: a vCPU that entered in "
			   "epoch %llu was not kicked out after the previous TRACK",
			   (unsigned long long)(vm->s.td_epoch - 1));
		return;
	}
	if (status != TDX_SUCCESS) {
		return;
	}
	MDL_CHECK(c, busy_vcpus && !mdl_seq_uncertain(c->m, vm->s.epoch_seq),
		  MDL_R(.kind = MDL_FK_STATUS_MISMATCH, .no_vcpu = true, .extra = {first},
			.expected = mdl_status_str(exp, sizeof(exp), TDX_PREVIOUS_TLB_EPOCH_BUSY),
			.actual = mdl_status_str(act, sizeof(act), status)),
		  "TDH.MEM.TRACK succeeded although %u vCPU(s) of epoch parity %llu are in the "
		  "guest in the model",
		  busy_vcpus, (unsigned long long)((vm->s.td_epoch - 1) & 1));
	vm->s.td_epoch++;
	vm->s.epoch_seq = c->ev->seq;
	mdl_zap_tracked(c);
}
