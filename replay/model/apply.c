// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/apply.c - mdl_apply(): one event into the model.
 *
 * Steps, per event:
 *  1. pick the VM (mdl_resolve() already set ev->vm) and count the event;
 *  2. a lost-events marker before it: one warning, and everything touched
 *     before it becomes uncertain (re-learned, not reported, on its next
 *     contradiction);
 *  3. per-CPU timestamp order;
 *  4. close what this event proves finished on its thread: an unpatched
 *     SPTE change waiting for its tree, a removal hook (mirror/S-EPT
 *     agreement), a BUSY waiting for its retry;
 *  5. the event's own rules (tdp.c, sept.c, epoch.c, seamcall.c, pamt.c).
 */
#include <stdio.h>
#include <string.h>

#include "model_int.h"

/* mdl_tab_reserve_slow() only when @n more inserts would grow @t: per event. */
static inline int mdl_tab_reserve(struct mdl_tab *t, uint64_t n)
{
	if (!mdl_tab_over(t->count + n, t->cap)) {
		return 0;
	}
	return mdl_tab_reserve_slow(t, n);
}

static const char *strtab_str(const struct mdl_model *m, uint64_t id)
{
	return m->st ? tdxr_strtab_get(m->st, (uint32_t)id) : "";
}

/* Events may be missing from here on: what was learned before is re-learned
 * on its next contradiction, contexts waiting for a follow-up are dropped. */
static void lost_forget(struct mdl_ctx *c)
{
	struct mdl_model *m = c->m;
	uint64_t i;

	m->g.lost_seq1 = c->ev->seq + 1;
	for (i = 0; i < m->nr_vms; i++) {
		struct mdl_vm *vm = m->vms[i];

		mdl_tdp_drop(vm);
		mdl_busy_drop(vm);
	}
}

static void lost_events(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_model *m = c->m;
	struct mdl_report r = {
		.kind = MDL_FK_LOST_EVENTS,
		.no_vcpu = true,
		.expected = "no loss",
	};
	char act[64];

	if (ev->lost_flags & TDXR_LOST_COUNTED) {
		snprintf(act, sizeof(act), "%u events lost", ev->lost);
	} else {
		snprintf(act, sizeof(act), "unknown loss");
	}
	r.actual = act;
	m->g.lost_markers++;
	mdl_report(c, &r,
		   "the trace lost events before this one (%s, cpu %d): state they could have "
		   "touched is re-learned",
		   act, ev->cpu);
	lost_forget(c);
}

static void order_check(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	uint64_t key = KEY_TAG | ((uint64_t)ev->input << 32) | (uint32_t)ev->cpu;
	struct mdl_cpu *cpu;

	if (ev->cpu < 0) {
		return;
	}
	{
		uint64_t *slot = &c->m->cpu_slot[ev->cpu & 15];

		cpu = *slot < c->m->cpus.cap ? mdl_tab_slot(&c->m->cpus, *slot) : NULL;
		if (!cpu || cpu->key != key) {
			cpu = mdl_tab_get(&c->m->cpus, key, NULL);
			if (!cpu) {
				return;
			}
			*slot = (uint64_t)((uint8_t *)cpu - c->m->cpus.slots) / c->m->cpus.esz;
		}
	}
	if (ev->ts < cpu->ts && !cpu->reported) {
		struct mdl_report r = {
			.kind = MDL_FK_ORDER,
			.no_vcpu = true,
			.expected = "non-decreasing ts",
			.actual = "ts went back",
		};

		cpu->reported = 1;
		mdl_report(c, &r,
			   "timestamp %llu.%09llu on cpu %d is earlier than the previous event of "
			   "that cpu (%llu.%09llu)",
			   (unsigned long long)(ev->ts / 1000000000ull),
			   (unsigned long long)(ev->ts % 1000000000ull), ev->cpu,
			   (unsigned long long)(cpu->ts / 1000000000ull),
			   (unsigned long long)(cpu->ts % 1000000000ull));
	}
	if (ev->ts > cpu->ts) {
		cpu->ts = ev->ts;
	}
	if (ev->lost_flags & TDXR_LOST_RECORD) {
		cpu->seamcalls = 0;
	}
	cpu->seamcalls += ev->type == TDXR_EV_TDX_SEAMCALL;
	c->cpu = cpu;
}

/* Events of a VM within which a finding can explain its KVM_BUG_ON. */
#define MDL_BUG_WINDOW 256

static void vm_bugged(struct mdl_ctx *c)
{
	struct mdl_vm *vm = c->vm;
	struct mdl_report r = {
		.kind = MDL_FK_KVM_BUG,
		.expected = "VM alive",
		.actual = "kvm_vm_bugged",
	};
	const char *caller = strtab_str(c->m, EVF(c->ev, KVM_VM_BUGGED, caller));

	/* KVM bugs the VM right after the path that failed: the chain starts
	 * at the VM's latest error finding when that is recent. */
	bool recent = vm->s.has_err && vm->s.events - vm->s.last_err_event <= MDL_BUG_WINDOW;

	if (recent) {
		r.cause = vm->s.last_err_seq + 1;
	}
	mdl_report(c, &r, "KVM bugged the VM (caller %s)%s", caller && *caller ? caller : "?",
		   recent ? "; it follows the finding at the start of its chain" : "");
}

static void tdvmcall(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;

	mdl_vm_mark_tdx(c->vm);
	if (EVF(ev, KVM_TDX_TDVMCALL, r10) == 0 &&
	    EVF(ev, KVM_TDX_TDVMCALL, r11) == EXIT_REASON_EPT_VIOLATION) {
		mdl_tdp_ve_request_mmio(c, EVF(ev, KVM_TDX_TDVMCALL, r14));
	}
}

static void page_fault(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	uint64_t gpa = EVF(ev, KVM_PAGE_FAULT, address);
	bool priv;
	uint64_t gfn;
	struct mdl_ent *e;

	if (vm->s.is_tdx) {
		mdl_vm_learn_gpaw(vm, gpa);
	}
	priv = vm->s.is_tdx && !((gpa >> 12) & vm->s.shared_gfn);
	gfn = mdl_vm_gfn_of_gpa(vm, gpa);

	vm->s.fault = (struct mdl_fault){
		.tid = (uint64_t)ev->tid,
		.gfn = gfn,
		.is_private = priv,
		.seq = ev->seq,
	};
	e = mdl_ent_find(vm, gfn, 1, 0);
	if (e) {
		mdl_ent_note(e, ev->seq);
	}
	if (priv && !vm->s.seen_vp_enter && vm->s.seen_seamcall) {
		mdl_epoch_private_fault(c, gfn);
	}
}

static void sept_hook(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	const char *op = strtab_str(c->m, EVF(ev, KVM_TDX_SEPT, op));
	uint64_t gfn = EVF(ev, KVM_TDX_SEPT, gfn) & ((1ull << 40) - 1);
	int32_t ret = (int32_t)EVF(ev, KVM_TDX_SEPT, ret);
	int level = (int)(int32_t)EVF(ev, KVM_TDX_SEPT, level);
	struct mdl_ent *e;

	mdl_vm_mark_tdx(vm);
	if (level < 1 || level > MDL_LEVELS) {
		return;
	}
	e = mdl_ent_get(vm, gfn, level, 0);
	if (!e) {
		return;
	}
	if (!strcmp(op, "remove_spte")) {
		mdl_zap_hook_returned(c, gfn_align(gfn, level));
		MDL_CHECK(c, ret,
			  MDL_R(.kind = MDL_FK_KVM_BUG, .e = e, .has_gfn = true, .gfn = gfn,
				.expected = "ret 0", .actual = "ret != 0"),
			  "remove_external_spte for gfn 0x%llx returned %d: KVM_BUG_ON(ret) in the "
			  "TDP MMU",
			  (unsigned long long)gfn, ret);
	} else if (!strcmp(op, "free_spt")) {
		MDL_CHECK(c, vm->s.lifecycle == LIFE_HKID || vm->s.lifecycle == LIFE_BLOCKED,
			  MDL_R(.kind = MDL_FK_KVM_BUG, .e = e, .has_gfn = true, .gfn = gfn,
				.expected = "HKID freed", .actual = "HKID assigned"),
			  "free_external_spt for gfn 0x%llx with the HKID assigned: KVM_BUG_ON, "
			  "S-EPT page leaked",
			  (unsigned long long)gfn);
	}
	mdl_ent_note(e, ev->seq);
}

static void log_accept_before(struct mdl_ctx *c)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_vm *vm = c->vm;
	uint64_t gfn = mdl_vm_gfn_of_gpa(vm, EVF(ev, LOG_ACCEPT_BEFORE, gpa));
	struct mdl_ent *e = mdl_ent_get(vm, gfn, 1, 0);
	struct mdl_vcpu *v = mdl_vcpu_get(vm, ev->vcpu);
	struct mdl_report r = {
		.kind = MDL_FK_PENDING_ACCESS,
		.e = e,
		.has_gfn = true,
		.gfn = gfn,
		.expected = "ACCEPT before access",
		.actual = "access to PENDING page",
	};

	if (!e) {
		return;
	}
	if (v && v->pend_seq && v->pend_seq - 1 >= v->entry_seq) {
		return;
	}
	if (e->flags & ENT_POISON) {
		return;
	}
	mdl_report(
		c, &r,
		"console: guest access before accepting gfn 0x%llx on vCPU %d (KVM kills the VM)",
		(unsigned long long)gfn, ev->vcpu);
	if (v) {
		v->pend_seq = ev->seq + 1;
	}
}

static void log_bug(struct mdl_ctx *c, const char *what)
{
	struct mdl_report r = {
		.kind = MDL_FK_KVM_BUG,
		.no_vcpu = true,
		.expected = "no WARN",
		.actual = what,
	};

	if (c->vm->s.kvm_bug_reported) {
		return;
	}
	if (c->vm->s.has_err && c->vm->s.events - c->vm->s.last_err_event <= MDL_BUG_WINDOW) {
		r.cause = c->vm->s.last_err_seq + 1;
	}
	mdl_report(c, &r, "console: %s", what);
}

/*
 * A splat in the console: KVM's KVM_BUG_ON/TDX_BUG_ON is a WARN in KVM's
 * MMU or TDX code (arch/x86/kvm/, virt/kvm/, or a kvm/kvm_intel frame
 * when the header has no file). Other splats, and WARNs of the TDX host
 * core (arch/x86/virt/vmx/tdx/, module init), are not.
 */
static void log_warn(struct mdl_ctx *c)
{
	const char *kind = strtab_str(c->m, EVF(c->ev, LOG_SPLAT, kind));
	const char *file = strtab_str(c->m, EVF(c->ev, LOG_SPLAT, file));
	const char *func = strtab_str(c->m, EVF(c->ev, LOG_SPLAT, func));
	const char *mod = strtab_str(c->m, EVF(c->ev, LOG_SPLAT, module));
	char what[64];

	if (!kind || strcmp(kind, "warn") != 0) {
		return;
	}
	if (file && *file) {
		if ((!strstr(file, "kvm/") || (!strstr(file, "tdx") && !strstr(file, "mmu")))) {
			return;
		}
	} else if (!mod || (strcmp(mod, "kvm") != 0 && strcmp(mod, "kvm_intel") != 0)) {
		return;
	}
	if (file && *file) {
		snprintf(what, sizeof(what), "WARN at %s:%d %s", file,
			 (int)(int32_t)EVF(c->ev, LOG_SPLAT, srcline), func ? func : "");
	} else {
		snprintf(what, sizeof(what), "WARN in %s", func && *func ? func : "?");
	}
	log_bug(c, what);
}

int mdl_apply(struct mdl_model *m, const struct tdxr_event *ev, const struct mdl_sink *sink)
{
	struct mdl_ctx c = {.m = m, .ev = ev, .sink = sink};
	struct mdl_vm *vm;

	int32_t want = ev->vm;
	bool irq = ev_irq_seamcall(ev);

	if ((const void *)ev == m->res_ev && ev->seq == m->res_seq && ev->tid == m->res_tid) {
		c.guess = m->res_guess;
		if (want == -1) {
			want = m->res_vm;
		}
	} else if (want == -1 && ev->tid > 0) {
		const struct mdl_tid *t = mdl_tab_find(&m->tids, KEY_TAG | (uint32_t)ev->tid);

		if (t && t->vm != -1) {
			want = t->vm;
		}
	}
	vm = mdl_vm_get(m, want, &c.vm_idx);
	if (!vm) {
		return 0;
	}
	c.vm = vm;
	c.quiet = want == -1 && vm->s.id == -1 && !mdl_vm_only(m, NULL);
	if (mdl_tab_reserve(&vm->ents, MDL_EVENT_INSERTS) ||
	    mdl_tab_reserve(&m->pages, MDL_EVENT_INSERTS) ||
	    mdl_tab_reserve(&m->cpus, MDL_EVENT_INSERTS)) {
		return -12; /* -ENOMEM: the event is not applied */
	}
	m->g.events++;
	vm->s.events++;
	/* Another CPU's loss began at a TDXR_LOST_WINDOW: until its record,
	 * anything may have changed at any moment, so nothing is trusted. */
	if (ev->lost_flags & TDXR_LOST_WINDOW) {
		m->g.lost_windows++;
	}
	if (ev->lost_flags & TDXR_LOST_RECORD) {
		if ((ev->lost_flags & TDXR_LOST_WINDOW_END) && m->g.lost_windows) {
			m->g.lost_windows--;
		}
		lost_events(&c);
	} else if (m->g.lost_windows) {
		lost_forget(&c);
	}
	order_check(&c);

	/* An IPI's SEAMCALL on a hook's thread is not part of the hook. */
	if (!irq) {
		mdl_tdp_thread_event(&c);
	}

	switch (ev->type) {
	case TDXR_EV_TDX_SEAMCALL:
		mdl_sc_handle(&c);
		break;
	case TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED:
		mdl_tdp_spte_changed(&c);
		break;
	case TDXR_EV_KVM_MMU_SET_SPTE:
		mdl_tdp_set_spte(&c);
		break;
	case TDXR_EV_MARK_MMIO_SPTE:
		mdl_tdp_mark_mmio(&c);
		break;
	/* A guessed VM's vCPU may be another VM's: its entries and exits
	 * count once its thread is placed. */
	case TDXR_EV_KVM_ENTRY:
		if (!c.guess) {
			mdl_epoch_kvm_entry(&c);
		}
		break;
	case TDXR_EV_KVM_EXIT:
		if (!c.guess) {
			mdl_epoch_kvm_exit(&c);
		}
		break;
	case TDXR_EV_KVM_PAGE_FAULT:
		page_fault(&c);
		break;
	case TDXR_EV_KVM_USERSPACE_EXIT:
	case TDXR_EV_VMM_KVM_RUN_EXIT:
		mdl_epoch_userspace_exit(&c);
		break;
	case TDXR_EV_KVM_TDX_SEPT:
		sept_hook(&c);
		break;
	case TDXR_EV_KVM_TDX_TDVMCALL:
		tdvmcall(&c);
		break;
	case TDXR_EV_KVM_VM_BUGGED:
		vm_bugged(&c);
		break;
	case TDXR_EV_LOG_SEAMCALL_FAILED:
		mdl_sc_log_failed(&c);
		break;
	case TDXR_EV_LOG_ACCEPT_BEFORE:
		log_accept_before(&c);
		break;
	case TDXR_EV_LOG_HKID_LEAKED:
		log_bug(&c, "HKID leaked");
		break;
	case TDXR_EV_LOG_SPLAT:
		log_warn(&c);
		break;
	case TDXR_EV_KVM_MMIO:
	case TDXR_EV_KVM_FAST_MMIO:
		if (vm->s.is_tdx) {
			m->g.cov_mmio = 1;
		}
		break;
	default:
		break;
	}
	if (m->g.check_every && m->g.events % m->g.check_every == 0) {
		m->g.check_failures += mdl_check(m);
	}
	return 0;
}

void mdl_finish(struct mdl_model *m, const struct mdl_sink *sink)
{
	struct tdxr_event ev;
	uint64_t i;

	memset(&ev, 0, sizeof(ev));
	ev.seq = m->g.events ? m->g.events - 1 : 0;
	ev.vm = -1;
	ev.vcpu = -1;
	ev.tid = -1;
	ev.cpu = -1;
	for (i = 0; i < m->nr_vms; i++) {
		struct mdl_ctx c = {
			.m = m, .ev = &ev, .sink = sink, .vm = m->vms[i], .vm_idx = (int)i};

		ev.vm = (int32_t)m->vms[i]->s.id;
		if (mdl_tab_reserve(&m->vms[i]->ents, MDL_EVENT_INSERTS) ||
		    mdl_tab_reserve(&m->pages, MDL_EVENT_INSERTS)) {
			return;
		}
		/* A hook or retry cut by the end of the trace is not judged. */
		mdl_tdp_finish(&c);
		mdl_busy_drop(m->vms[i]);
	}
}
