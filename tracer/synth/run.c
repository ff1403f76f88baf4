// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/synth/run.c - the workload: vCPU run loops, conversions, device
 * I/O, host noise, the one injection of the scenario, and teardown.
 *
 * Scheduling: all vCPUs sit in the guest; each step picks one (or a host
 * task) and plays one episode: its TD exit, KVM's handling, its re-entry.
 * A removal kicks the other vCPUs out on their own CPUs, so exits of
 * several CPUs interleave with the zapping thread's SEAMCALLs. One global
 * clock keeps every CPU's timestamps monotonic (ftrace merges by time).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "syn.h"

#define TDVMCALL_MAP_GPA 0x10001
#define TDVMCALL_INVALID_OPERAND 0x8000000000000000ull
#define VE_REQUEST_MMIO 48

static const struct {
	const char *name;
	const char *summary;
} scenarios[] = {
#define TRC_SCN_ROW(id, name, summary) {name, summary},
	TRC_SYNTH_SCENARIOS(TRC_SCN_ROW)
#undef TRC_SCN_ROW
};

const char *trc_synth_scenario_name(enum trc_synth_scenario s)
{
	return (unsigned int)s < TRC_SCN__COUNT ? scenarios[s].name : "?";
}

const char *trc_synth_scenario_summary(enum trc_synth_scenario s)
{
	return (unsigned int)s < TRC_SCN__COUNT ? scenarios[s].summary : "?";
}

int trc_synth_scenario_parse(const char *name)
{
	for (int i = 0; i < TRC_SCN__COUNT; i++) {
		if (strcmp(scenarios[i].name, name) == 0) {
			return i;
		}
	}
	return -1;
}

/* ---- picking pages -------------------------------------------------------------- */

/* A private, unmapped RAM page: the guest's accept order, then random. */
static bool pick_unmapped_private(struct syn_gen *g, struct syn_vm *vm, uint32_t *gfn)
{
	while (vm->accept_cursor < vm->ram_pages) {
		uint32_t c = trc_syn_ram_gfn(vm, vm->accept_cursor++);

		if (vm->page[c] == 0) {
			*gfn = c;
			return true;
		}
	}
	for (int i = 0; i < 16; i++) {
		uint32_t c = trc_syn_ram_gfn(vm, trc_syn_below(g, vm->ram_pages));

		if (vm->page[c] == 0) {
			*gfn = c;
			return true;
		}
	}
	return false;
}

/* A mapped (and accepted) private RAM page that is not part of the image. */
static bool pick_mapped_private(struct syn_gen *g, struct syn_vm *vm, uint32_t *gfn)
{
	uint32_t hi = vm->accept_cursor ? vm->accept_cursor : 1;

	for (int i = 0; i < 64; i++) {
		uint32_t c = trc_syn_ram_gfn(vm, trc_syn_below(g, hi));

		if ((vm->page[c] & (PG_PRIV | PG_PENDING | PG_FIXED)) == PG_PRIV) {
			*gfn = c;
			return true;
		}
	}
	return false;
}

static struct syn_vm *pick_running_vm(struct syn_gen *g)
{
	unsigned int n = 0;
	unsigned int k;

	for (unsigned int i = 0; i < g->o.vms; i++) {
		n += g->vms[i].state == VM_RUNNING;
	}
	if (!n) {
		return NULL;
	}
	k = trc_syn_below(g, n);
	for (unsigned int i = 0; i < g->o.vms; i++) {
		if (g->vms[i].state == VM_RUNNING && k-- == 0) {
			return &g->vms[i];
		}
	}
	return NULL;
}

/* ---- episodes ------------------------------------------------------------------- */

static void ep_extint(struct syn_gen *g, struct syn_vcpu *v)
{
	trc_td_exit(g, v, EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0, 0, 0x800000ec,
		    EXIT_REASON_EXTERNAL_INTERRUPT);
	trc_td_enter(g, v);
}

static void ep_cpuid(struct syn_gen *g, struct syn_vcpu *v)
{
	uint32_t leaf =
		trc_syn_chance(g, 500) ? trc_syn_below(g, 0x20) : 0x80000000u + trc_syn_below(g, 9);

	trc_td_exit(g, v, EXIT_REASON_TDCALL, 0xfc00, 0, 0, 0, EXIT_REASON_CPUID);
	trc_em_tdvmcall(g, v, 0, 10, "Instruction.CPUID", leaf, 0, 0, 0);
	trc_em_tdvmcall_done(g, v, 10, 0, 0);
	trc_td_enter(g, v);
}

static void ep_hlt(struct syn_gen *g, struct syn_vcpu *v)
{
	trc_td_exit(g, v, EXIT_REASON_TDCALL, 0xfc00, 0, 0, 0, EXIT_REASON_HLT);
	trc_em_tdvmcall(g, v, 0, 12, "Instruction.HLT", 0, 0, 0, 0);
	trc_em_sched_switch(g, &v->thr, "S", &g->idle[v->thr.cpu]);
	v->halted = true;
	trc_syn_delay(g, 20000 + trc_syn_below(g, 300000));
}

static void ep_wake(struct syn_gen *g, struct syn_vcpu *v)
{
	struct syn_vm *vm = v->vm;

	trc_em_accept_irq(g, &vm->main, v->id, 34 + trc_syn_below(g, 8));
	trc_em_sched_wakeup(g, &vm->main, &v->thr);
	trc_em_sched_switch(g, &g->idle[v->thr.cpu], "R", &v->thr);
	v->halted = false;
	trc_em_tdvmcall_done(g, v, 12, 0, 0);
	trc_td_enter(g, v);
}

static void ep_pio(struct syn_gen *g, struct syn_vcpu *v)
{
	uint32_t ch = 0x20 + trc_syn_below(g, 0x5f);

	trc_td_exit(g, v, EXIT_REASON_TDCALL, 0xfc00, 0, 0, 0, EXIT_REASON_IO_INSTRUCTION);
	trc_em_tdvmcall(g, v, 0, 30, "Instruction.IO", 1, 1, 0x3f8, ch);
	trc_em_pio(g, &v->thr, true, 0x3f8, 1, ch);
	trc_em_userspace_exit(g, &v->thr, "KVM_EXIT_IO", 2);
	trc_syn_delay(g, 3000 + trc_syn_below(g, 10000));
	trc_em_tdvmcall_done(g, v, 30, 0, 0);
	trc_td_enter(g, v);
}

/* #VE.RequestMMIO for @gpa (shared bit included). */
static void mmio_call(struct syn_gen *g, struct syn_vcpu *v, uint64_t gpa, unsigned int kind)
{
	struct syn_vm *vm = v->vm;
	uint64_t addr = gpa & ~vm->shared_gpa;
	uint64_t val = trc_syn_rand(g) & 0xffffffffu;
	bool write = kind != 2;

	/* the #VE handler's TDCALL; KVM maps leaf 48 to EPT_MISCONFIG */
	trc_td_exit(g, v, EXIT_REASON_TDCALL, 0xfc00, 0, 0, 0, EXIT_REASON_EPT_MISCONFIG);
	trc_em_tdvmcall(g, v, 0, VE_REQUEST_MMIO, "#VE.RequestMMIO", 4, write, gpa,
			write ? val : 0);
	if (kind == 0) {
		/* ioeventfd: handled in the kernel */
		trc_em_fast_mmio(g, &v->thr, addr);
		trc_em_tdvmcall_done(g, v, VE_REQUEST_MMIO, 0, 0);
	} else if (kind == 1) {
		trc_em_mmio(g, &v->thr, "write", 4, addr, val);
		trc_em_userspace_exit(g, &v->thr, "KVM_EXIT_MMIO", 6);
		trc_syn_delay(g, 2000 + trc_syn_below(g, 8000));
		trc_em_tdvmcall_done(g, v, VE_REQUEST_MMIO, 0, 0);
	} else {
		trc_em_mmio(g, &v->thr, "unsatisfied-read", 4, addr, 0);
		trc_em_userspace_exit(g, &v->thr, "KVM_EXIT_MMIO", 6);
		trc_syn_delay(g, 2000 + trc_syn_below(g, 8000));
		trc_em_mmio(g, &v->thr, "read", 4, addr, val);
		trc_em_tdvmcall_done(g, v, VE_REQUEST_MMIO, 0, val);
	}
	trc_td_enter(g, v);
}

static void ep_mmio(struct syn_gen *g, struct syn_vcpu *v)
{
	struct syn_vm *vm = v->vm;
	uint32_t gfn = SYN_MMIO_GFN + trc_syn_below(g, SYN_MMIO_PAGES);
	unsigned int kind = trc_syn_below(g, 3);
	uint64_t gpa = ((uint64_t)gfn << 12 | (trc_syn_below(g, 256) * 4)) | vm->shared_gpa;

	if (!(vm->page[gfn] & PG_MMIO)) {
		trc_td_mmio_fault(g, v, gfn, kind != 2);
	}
	mmio_call(g, v, gpa, kind);
}

static bool ep_private_fault(struct syn_gen *g, struct syn_vcpu *v)
{
	uint32_t gfn;

	if (!pick_unmapped_private(g, v->vm, &gfn)) {
		return false;
	}
	trc_td_private_fault(g, v, gfn, FM_ACCEPT);
	trc_td_enter(g, v);
	return true;
}

static bool ep_shared_fault(struct syn_gen *g, struct syn_vcpu *v)
{
	struct syn_vm *vm = v->vm;

	for (uint32_t i = 0; i < vm->conv_n; i++) {
		uint32_t gfn = vm->conv_gfn + i;

		if ((vm->page[gfn] & (PG_SHARED_ATTR | PG_SHARED)) == PG_SHARED_ATTR) {
			trc_td_shared_fault(g, v, gfn, false);
			trc_td_enter(g, v);
			return true;
		}
	}
	return false;
}

/*
 * MapGPA of [gfn, gfn + n) from @v, then the VMM's KVM_SET_MEMORY_ATTRIBUTES
 * on the same thread, which zaps the mappings of the old attribute.
 * @skip_zap: the private-shared-alias bug (private leaves stay).
 * @bad_spte: the spte-mismatch bug (the first direct zap shows another pfn).
 */
static void map_gpa(struct syn_gen *g, struct syn_vcpu *v, uint32_t gfn, uint32_t n, bool to_shared,
		    bool skip_zap, bool bad_spte)
{
	struct syn_vm *vm = v->vm;
	uint64_t gpa = ((uint64_t)gfn << 12) | (to_shared ? vm->shared_gpa : 0);

	trc_td_exit(g, v, EXIT_REASON_TDCALL, 0xfc00, 0, 0, 0, EXIT_REASON_TDCALL);
	trc_em_tdvmcall(g, v, 0, TDVMCALL_MAP_GPA, "MapGPA", gpa, (uint64_t)n << 12, 0, 0);
	trc_em_userspace_exit(g, &v->thr, "KVM_EXIT_HYPERCALL", 3);
	trc_syn_delay(g, 5000 + trc_syn_below(g, 20000));
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *pg = &vm->page[gfn + i];

		if (to_shared) {
			if ((*pg & PG_PRIV) && !skip_zap) {
				trc_td_zap_private(g, vm, &v->thr, gfn + i, ZB_NONE);
			}
			*pg |= PG_SHARED_ATTR;
		} else {
			if (*pg & PG_SHARED) {
				trc_td_zap_shared(g, vm, &v->thr, gfn + i, bad_spte);
				bad_spte = false;
			}
			*pg &= (uint8_t)~PG_SHARED_ATTR;
		}
	}
	trc_td_reenter_kicked(g, vm, v);
	trc_em_tdvmcall_done(g, v, TDVMCALL_MAP_GPA, 0, 0);
	trc_td_enter(g, v);
	if (to_shared) {
		vm->conv_gfn = gfn;
		vm->conv_n = n;
	} else {
		vm->conv_n = 0;
	}
}

/* A fresh range of RAM the guest shares (a bounce buffer). */
static bool pick_share_range(struct syn_gen *g, struct syn_vm *vm, uint32_t *gfn, uint32_t *n)
{
	uint32_t len = 16u << trc_syn_below(g, 4);
	uint32_t hi = vm->accept_cursor;
	uint32_t start;

	/* mostly memory the guest has touched: the conversion zaps something */
	if (hi < 4 * len || trc_syn_chance(g, 100)) {
		hi = vm->ram_pages;
	}
	start = trc_syn_ram_gfn(vm, trc_syn_below(g, hi / len) * len);

	for (uint32_t i = 0; i < len; i++) {
		if (vm->page[start + i] & (PG_FIXED | PG_SHARED_ATTR)) {
			return false;
		}
	}
	*gfn = start;
	*n = len;
	return true;
}

static void ep_convert(struct syn_gen *g, struct syn_vcpu *v)
{
	struct syn_vm *vm = v->vm;
	uint32_t gfn, n;

	if (vm->conv_n) {
		map_gpa(g, v, vm->conv_gfn, vm->conv_n, false, false, false);
	} else if (pick_share_range(g, vm, &gfn, &n)) {
		map_gpa(g, v, gfn, n, true, false, false);
	} else {
		ep_extint(g, v);
	}
}

static void vcpu_episode(struct syn_gen *g, struct syn_vcpu *v)
{
	uint32_t r = trc_syn_below(g, 1000);

	if (v->halted) {
		ep_wake(g, v);
	} else if (r < 300) {
		ep_extint(g, v);
	} else if (r < 420) {
		ep_cpuid(g, v);
	} else if (r < 480) {
		ep_hlt(g, v);
	} else if (r < 540) {
		ep_pio(g, v);
	} else if (r < 700) {
		ep_mmio(g, v);
	} else if (r < 900) {
		if (!ep_private_fault(g, v)) {
			ep_extint(g, v);
		}
	} else if (r < 970) {
		if (!ep_shared_fault(g, v)) {
			ep_convert(g, v);
		}
	} else {
		ep_convert(g, v);
	}
}

/* The VMM punches a hole in guest_memfd (balloon, free page reporting). */
static void host_punch_hole(struct syn_gen *g, struct syn_vm *vm, enum syn_zap_bug bug,
			    uint32_t only_gfn)
{
	uint32_t hi = vm->accept_cursor > 256 ? vm->accept_cursor : vm->ram_pages;
	uint32_t start =
		bug == ZB_NONE ? trc_syn_ram_gfn(vm, trc_syn_below(g, hi / 64) * 64) : only_gfn;
	uint32_t n = bug == ZB_NONE ? 64 : 1;
	bool zapped = false;

	for (uint32_t gfn = start; gfn < start + n; gfn++) {
		if ((vm->page[gfn] & (PG_PRIV | PG_FIXED)) != PG_PRIV) {
			continue;
		}
		zapped = true;
		if (!trc_td_zap_private(g, vm, &vm->main, gfn, bug)) {
			trc_td_vm_die(g, vm, NULL);
			return;
		}
	}
	if (zapped) {
		trc_td_reenter_kicked(g, vm, NULL);
	}
}

static void host_noise(struct syn_gen *g)
{
	struct syn_thread *kw = &g->kworker;
	struct syn_vm *vm = pick_running_vm(g);

	if (vm && trc_syn_chance(g, 500)) {
		/* a posted interrupt to a running vCPU: no exit */
		trc_em_accept_irq(g, &vm->main, trc_syn_below(g, vm->nr_vcpus),
				  34 + trc_syn_below(g, 8));
		return;
	}
	trc_em_sched_switch(g, &g->idle[kw->cpu], "R", kw);
	trc_syn_delay(g, 1000 + trc_syn_below(g, 20000));
	trc_em_sched_switch(g, kw, "I", &g->idle[kw->cpu]);
}

/* ---- the injection --------------------------------------------------------------- */

static struct syn_vcpu *pick_vcpu(struct syn_gen *g, struct syn_vm *vm)
{
	for (unsigned int tries = 0; tries < 4 * vm->nr_vcpus; tries++) {
		struct syn_vcpu *v = &vm->vcpus[trc_syn_below(g, vm->nr_vcpus)];

		if (v->in_guest) {
			return v;
		}
	}
	return NULL;
}

/* Returns true once the problem is in place (or armed in the tracer). */
static bool try_inject(struct syn_gen *g)
{
	struct syn_vm *vm = &g->vms[0];
	struct syn_vcpu *v;
	uint32_t gfn, n;

	if (vm->state != VM_RUNNING) {
		return true;
	}
	v = pick_vcpu(g, vm);
	switch (g->o.scenario) {
	case TRC_SCN_CLEAN:
	case TRC_SCN_RECLAIM:
	case TRC_SCN__COUNT:
		return true;
	case TRC_SCN_LOST_EVENTS:
		/*
		 * The ring buffer of vCPU 0's CPU overflows in the middle of
		 * one of its own episodes (a fault or an MMIO call, which
		 * touch no other CPU): the marker comes with its next event,
		 * before any other CPU's event can depend on what was lost.
		 */
		v = &vm->vcpus[0];
		if (!v->in_guest) {
			return false;
		}
		g->inj_vm = vm->pid;
		g->lost_cpu = v->thr.cpu;
		g->lost_n = g->lost_left = 2 + trc_syn_below(g, 3);
		if (!ep_private_fault(g, v)) {
			ep_mmio(g, v);
		}
		return true;
	case TRC_SCN_ORDER:
		g->inj_vm = vm->pid;
		g->glitch_cpu = vm->vcpus[0].thr.cpu;
		return true;
	default:
		break;
	}
	if (!v) {
		return false;
	}
	switch (g->o.scenario) {
	case TRC_SCN_STATUS_MISMATCH:
		/*
		 * An entry the trace has shown FREE: the VMM punches the page
		 * out, the guest accepts it again, and AUG fails as if the
		 * FREE entry were in the wrong state.
		 */
		if (!pick_mapped_private(g, vm, &gfn)) {
			return false;
		}
		if (!trc_td_zap_private(g, vm, &vm->main, gfn, ZB_NONE)) {
			return true;
		}
		trc_td_reenter_kicked(g, vm, NULL);
		trc_syn_delay(g, 20000);
		if (!trc_td_private_fault(g, v, gfn, FM_STATUS_BUG)) {
			trc_td_vm_die(g, vm, v);
		}
		return true;
	case TRC_SCN_MIRROR_DESYNC:
		if (!pick_unmapped_private(g, vm, &gfn)) {
			return false;
		}
		trc_td_private_fault(g, v, gfn, FM_DESYNC_BUG);
		trc_td_enter(g, v);
		vm->state = VM_FROZEN;
		return true;
	case TRC_SCN_PENDING_ACCESS:
		if (!pick_unmapped_private(g, vm, &gfn)) {
			return false;
		}
		/* a direct access (no ACCEPT): AUG leaves the page PENDING */
		trc_td_private_fault(g, v, gfn, FM_DIRECT);
		trc_td_enter(g, v);
		trc_syn_delay(g, 3000);
		trc_syn_arm(g, vm);
		trc_td_exit(g, v, EXIT_REASON_EPT_VIOLATION, 0x181, 6, (uint64_t)gfn << 12, 0,
			    EXIT_REASON_EPT_VIOLATION);
		/* "Guest access before accepting": kvm_vm_dead() */
		trc_td_vm_die(g, vm, v);
		return true;
	case TRC_SCN_ZERO_STEP:
		if (!pick_unmapped_private(g, vm, &gfn)) {
			return false;
		}
		for (int i = 0; i < 5; i++) {
			trc_td_private_fault(g, v, gfn, FM_ZERO_STEP_BUSY);
			trc_td_enter(g, v);
		}
		trc_syn_arm(g, vm);
		trc_td_private_fault(g, v, gfn, FM_ACCEPT);
		trc_td_enter(g, v);
		return true;
	case TRC_SCN_MMIO_SUPPRESS_VE:
		if (!pick_mapped_private(g, vm, &gfn)) {
			return false;
		}
		trc_td_exit(g, v, EXIT_REASON_TDCALL, 0xfc00, 0, 0, 0, EXIT_REASON_EPT_MISCONFIG);
		trc_syn_arm(g, vm);
		trc_em_tdvmcall(g, v, 0, VE_REQUEST_MMIO, "#VE.RequestMMIO", 4, 0,
				(uint64_t)gfn << 12, 0);
		trc_em_tdvmcall_done(g, v, VE_REQUEST_MMIO, TDVMCALL_INVALID_OPERAND, 0);
		trc_td_enter(g, v);
		return true;
	case TRC_SCN_SPTE_MISMATCH:
		if (vm->conv_n) {
			map_gpa(g, v, vm->conv_gfn, vm->conv_n, false, false, false);
		}
		if (!pick_share_range(g, vm, &gfn, &n)) {
			return false;
		}
		map_gpa(g, v, gfn, n, true, false, false);
		trc_td_shared_fault(g, v, gfn, false);
		trc_td_enter(g, v);
		trc_td_shared_fault(g, v, gfn + 1, false);
		trc_td_enter(g, v);
		map_gpa(g, v, gfn, n, false, false, true);
		return true;
	case TRC_SCN_PRIVATE_SHARED_ALIAS:
		if (vm->conv_n) {
			map_gpa(g, v, vm->conv_gfn, vm->conv_n, false, false, false);
		}
		if (!pick_mapped_private(g, vm, &gfn)) {
			return false;
		}
		map_gpa(g, v, gfn, 1, true, true, false);
		/* the guest touches the shared alias: a direct-tree leaf appears */
		trc_td_shared_fault(g, v, gfn, true);
		vm->state = VM_FROZEN;
		return true;
	case TRC_SCN_REMOVE_NOT_BLOCKED:
	case TRC_SCN_TLB_NOT_TRACKED:
	case TRC_SCN_BUSY_RETRY:
	case TRC_SCN_EPOCH_BUSY: {
		enum syn_zap_bug bug = g->o.scenario == TRC_SCN_REMOVE_NOT_BLOCKED ? ZB_SKIP_BLOCK
				       : g->o.scenario == TRC_SCN_TLB_NOT_TRACKED  ? ZB_SKIP_TRACK
				       : g->o.scenario == TRC_SCN_BUSY_RETRY	   ? ZB_BUSY_NO_KICK
									     : ZB_DOUBLE_TRACK;

		if (!pick_mapped_private(g, vm, &gfn)) {
			return false;
		}
		host_punch_hole(g, vm, bug, gfn);
		return true;
	}
	default:
		return true;
	}
}

/* ---- driver --------------------------------------------------------------------- */

static bool any_running(const struct syn_gen *g)
{
	for (unsigned int i = 0; i < g->o.vms; i++) {
		if (g->vms[i].state == VM_RUNNING) {
			return true;
		}
	}
	return false;
}

static void step(struct syn_gen *g)
{
	uint32_t r = trc_syn_below(g, 1000);
	struct syn_vm *vm = pick_running_vm(g);

	if (!vm) {
		return;
	}
	trc_syn_delay(g, 500 + trc_syn_below(g, 12000)); /* guest time between exits */
	if (r < 15) {
		host_noise(g);
	} else if (r < 17) {
		host_punch_hole(g, vm, ZB_NONE, 0);
	} else {
		vcpu_episode(g, &vm->vcpus[trc_syn_below(g, vm->nr_vcpus)]);
	}
}

static int check_opts(const struct trc_synth_opts *o, char *err, size_t errlen)
{
	if ((unsigned int)o->scenario >= TRC_SCN__COUNT) {
		snprintf(err, errlen, "unknown scenario");
		return -1;
	}
	if (o->vcpus < 1 || o->vcpus > 64) {
		snprintf(err, errlen, "--vcpus must be 1..64");
		return -1;
	}
	if (o->vms < 1 || o->vms > 8) {
		snprintf(err, errlen, "--vms must be 1..8");
		return -1;
	}
	if (o->mem_mb && (o->mem_mb < 16 || o->mem_mb > SYN_MAX_MEM_MB)) {
		snprintf(err, errlen, "--mem must be 16..%u (MiB)", SYN_MAX_MEM_MB);
		return -1;
	}
	if (o->gpaw != 48 && o->gpaw != 52) {
		snprintf(err, errlen, "--gpaw must be 48 or 52");
		return -1;
	}
	return 0;
}

static int synth_run(const struct trc_synth_opts *o, int fd, trc_synth_sink_fn sink, void *ctx,
		     struct trc_synth_result *res, char *err, size_t errlen)
{
	struct syn_gen *g;
	int ret = -1;
	bool inj_done;
	uint64_t budget;

	memset(res, 0, sizeof(*res));
	if (check_opts(o, err, errlen)) {
		return -1;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	g->o = *o;
	g->fd = fd;
	g->sink = sink;
	g->sink_ctx = ctx;
	g->cap = 4u << 20;
	g->buf = malloc(g->cap);
	g->vms = calloc(o->vms, sizeof(*g->vms));
	g->rng = o->seed * 0x2545f4914f6cdd1dull + 0x7464787273796e74ull;
	g->lost_cpu = -1;
	g->glitch_cpu = -1;
	g->inj_vm = -1;
	g->ncpus = o->vcpus * o->vms + 2;
	if (g->ncpus < 4) {
		g->ncpus = 4;
	}
	if (g->ncpus > SYN_MAX_CPUS) {
		g->ncpus = SYN_MAX_CPUS;
	}
	g->ts = (700 + trc_syn_below(g, 300)) * 1000000000ull + trc_syn_below(g, 1000000000);
	g->host_next_pa = 0x100000000ull + (uint64_t)trc_syn_below(g, 0x10000) * 4096;
	if (!g->buf || !g->vms) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (unsigned int c = 0; c < g->ncpus; c++) {
		trc_syn_thread_init(&g->idle[c], "<idle>", 0, (int)c);
	}
	{
		char comm[24];

		snprintf(comm, sizeof(comm), "kworker/%u:1", g->ncpus - 1);
		trc_syn_thread_init(&g->kworker, comm, 180 + (int)trc_syn_below(g, 300),
				    (int)g->ncpus - 1);
	}
	for (unsigned int i = 0; i < o->vms; i++) {
		if (trc_syn_vm_init(g, &g->vms[i], i)) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	trc_syn_out_header(g);
	for (unsigned int i = 0; i < o->vms; i++) {
		trc_td_build(g, &g->vms[i]);
	}
	budget = o->events > g->seq ? o->events - g->seq : 0;
	g->inj_at = g->seq + budget * (30 + trc_syn_below(g, 40)) / 100;
	inj_done = false;
	for (;;) {
		bool pending = g->lost_left || g->lost_marker || g->glitch_cpu >= 0;

		if (!inj_done && g->seq >= g->inj_at) {
			inj_done = try_inject(g);
		}
		if (!any_running(g) || g->werr) {
			break;
		}
		if (g->seq >= o->events && inj_done && !pending) {
			break;
		}
		if (g->seq >= o->events + o->events / 2 + 1000000) {
			break; /* no chance to inject: reported by the caller */
		}
		step(g);
	}
	for (unsigned int i = 0; i < o->vms; i++) {
		if (g->vms[i].state == VM_RUNNING) {
			trc_td_teardown(g, &g->vms[i], o->scenario == TRC_SCN_RECLAIM && i == 0);
		}
	}
	if (g->lost_marker || g->lost_left) {
		/* the lost run reached the end of the trace */
		char *p = g->buf + g->len;

		p = PUT_LIT(p, "CPU:");
		p = put_u(p, (uint64_t)g->lost_cpu);
		p = PUT_LIT(p, " [LOST ");
		p = put_u(p, g->lost_n - g->lost_left);
		p = PUT_LIT(p, " EVENTS]\n");
		g->len = (size_t)(p - g->buf);
		g->line++;
		g->inj_marker_line = g->line;
	}
	if (trc_syn_out_flush(g) == 0) {
		trc_syn_out_patch_header(g);
	}
	if (g->werr) {
		snprintf(err, errlen, "%s: %s", sink ? "emit" : "write", strerror(g->werr));
		goto out;
	}
	res->events = g->seq;
	res->lines = g->line;
	res->bytes = g->bytes;
	res->lost = g->lost_total;
	res->injected = g->injected;
	res->inj_seq = g->inj_seq;
	res->inj_line = g->inj_line;
	res->inj_marker_line = g->inj_marker_line;
	res->inj_vm = g->inj_vm;
	ret = 0;
out:
	if (g->vms) {
		for (unsigned int i = 0; i < o->vms; i++) {
			trc_syn_vm_free(&g->vms[i]);
		}
	}
	free(g->vms);
	free(g->buf);
	free(g);
	return ret;
}

int trc_synth_write(const struct trc_synth_opts *o, int fd, struct trc_synth_result *res, char *err,
		    size_t errlen)
{
	return synth_run(o, fd, NULL, NULL, res, err, errlen);
}

int trc_synth_run(const struct trc_synth_opts *o, trc_synth_sink_fn sink, void *ctx,
		  struct trc_synth_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	if (o->scenario == TRC_SCN_LOST_EVENTS) {
		snprintf(err, errlen,
			 "lost-events is ftrace-only: a CTF trace's losses are LTTng's own "
			 "discard counts, which a writer cannot inject");
		return -1;
	}
	return synth_run(o, -1, sink, ctx, res, err, errlen);
}
