// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/vm.c - the model object, its VMs and vCPUs, and the
 * per-gfn records.
 *
 * One struct mdl_vm per VM (docs/design.md §3), keyed by the VMM's tgid; the
 * anonymous VM (id -1) holds what belongs to no known VM and is adopted by
 * the first named VM when it is the only one. Physical pages (PAMT), threads
 * and TD control pages are host-wide and live in the model itself.
 */
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

struct mdl_model *mdl_new(const struct mdl_config *cfg)
{
	struct mdl_model *m = calloc(1, sizeof(*m));

	if (!m) {
		return NULL;
	}
	if (cfg) {
		m->g.profile_cfg = (cfg->kernel_profile == 616 || cfg->kernel_profile == 619)
					   ? (uint64_t)cfg->kernel_profile
					   : 0;
		m->g.gpaw_cfg = cfg->gpaw == 52 ? 52 : 48;
		m->g.check_every = cfg->check_every;
		m->st = cfg->st;
	} else {
		m->g.gpaw_cfg = 48;
	}
	m->g.profile = m->g.profile_cfg;
	mdl_tab_init(&m->pages, sizeof(struct mdl_page));
	mdl_tab_init(&m->tids, sizeof(struct mdl_tid));
	mdl_tab_init(&m->addrs, sizeof(struct mdl_addr));
	mdl_tab_init(&m->cpus, sizeof(struct mdl_cpu));
	if (cfg && cfg->track_changes) {
		m->track = calloc(1, sizeof(*m->track));
		if (!m->track || mdl_tab_track(&m->pages) < 0) {
			mdl_free(m);
			return NULL;
		}
	}
	return m;
}

void mdl_vm_free(struct mdl_vm *vm)
{
	if (!vm) {
		return;
	}
	mdl_tab_free(&vm->ents);
	free(vm->vcpus);
	free(vm);
}

void mdl_free(struct mdl_model *m)
{
	uint64_t i;

	if (!m) {
		return;
	}
	for (i = 0; i < m->nr_vms; i++) {
		mdl_vm_free(m->vms[i]);
	}
	free(m->vms);
	mdl_tab_free(&m->pages);
	mdl_tab_free(&m->tids);
	mdl_tab_free(&m->addrs);
	mdl_tab_free(&m->cpus);
	free(m->track);
	free(m);
}

void mdl_set_strtab(struct mdl_model *m, const struct tdxr_strtab *st)
{
	m->st = st;
}

/*
 * A GPA with bit 51 set exists only with GPAW 52 (5-level EPT, shared bit
 * 51): learn it from the first one a TD shows (docs/tdx.md §4.3).
 */
void mdl_vm_learn_gpaw(struct mdl_vm *vm, uint64_t gpa)
{
	if ((gpa & (1ull << 51)) && vm->s.top_level == 4) {
		vm->s.top_level = 5;
		vm->s.shared_gfn = 1ull << (51 - 12);
	}
}

uint64_t mdl_vm_gfn_of_gpa(const struct mdl_vm *vm, uint64_t gpa)
{
	return (gpa >> 12) & ~vm->s.shared_gfn & ((1ull << 40) - 1);
}

struct mdl_vm *mdl_vm_new_empty(void)
{
	struct mdl_vm *vm = calloc(1, sizeof(*vm));

	if (!vm) {
		return NULL;
	}
	mdl_tab_init(&vm->ents, sizeof(struct mdl_ent));
	return vm;
}

static struct mdl_vm *vm_get_slow(struct mdl_model *m, int32_t id, int *idx);

struct mdl_vm *mdl_vm_lookup(const struct mdl_model *m, int32_t id, int *idx)
{
	uint64_t i;

	for (i = 0; i < m->nr_vms; i++) {
		if (m->vms[i]->s.id == id) {
			if (idx) {
				*idx = (int)i;
			}
			return m->vms[i];
		}
	}
	return NULL;
}

static void vm_init_state(struct mdl_model *m, struct mdl_vm *vm, int32_t id)
{
	vm->s.id = id;
	vm->s.td_epoch = 1;
	vm->s.top_level = m->g.gpaw_cfg == 52 ? 5 : 4;
	vm->s.shared_gfn = 1ull << ((m->g.gpaw_cfg == 52 ? 51 : 47) - 12);
}

struct mdl_vm *mdl_vm_only(const struct mdl_model *m, int *idx)
{
	struct mdl_vm *only = NULL;
	uint64_t i;

	for (i = 0; i < m->nr_vms; i++) {
		if (m->vms[i]->s.folded) {
			continue;
		}
		if (only) {
			return NULL;
		}
		only = m->vms[i];
		if (idx) {
			*idx = (int)i;
		}
	}
	return only;
}

/*
 * A new TD in the same VMM process (KVM selftests, a confidential guest's
 * reset): what the model knew of the old one goes, its counts stay.
 * 0, or -1 when memory runs out (the old records then stay).
 */
int mdl_vm_reset(struct mdl_model *m, struct mdl_vm *vm)
{
	struct mdl_tab ents;
	struct mdl_vm_state s = vm->s;

	mdl_tab_init(&ents, sizeof(struct mdl_ent));
	if (m->track && mdl_tab_track(&ents) < 0) {
		return -1;
	}
	mdl_tab_free(&vm->ents);
	vm->ents = ents;
	memset(&vm->s, 0, sizeof(vm->s));
	vm_init_state(m, vm, (int32_t)s.id);
	vm->s.events = s.events;
	vm->s.errors = s.errors;
	vm->s.warnings = s.warnings;
	vm->s.nr_pages = s.nr_pages; /* its pages stay in the PAMT */
	vm->s.is_tdx = s.is_tdx;
	vm->s.below_valid = s.is_tdx; /* no records: the counts are whole */
	if (vm->nr_vcpus) {
		memset(vm->vcpus, 0, vm->nr_vcpus * sizeof(*vm->vcpus));
	}
	return 0;
}

/*
 * The VM of @id, created on first use. A named VM adopts the anonymous one
 * when that is the only VM so far (the trace started before any event said
 * which VM it was). An unnamed event goes to the only VM if there is one.
 */
struct mdl_vm *mdl_vm_get(struct mdl_model *m, int32_t id, int *idx)
{
	struct mdl_vm *vm;

	/* the common case: the same VM as the previous event */
	if (m->nr_vms && m->last_vm < m->nr_vms && m->vms[m->last_vm]->s.id == id && id != -1) {
		if (idx) {
			*idx = (int)m->last_vm;
		}
		return m->vms[m->last_vm];
	}
	vm = vm_get_slow(m, id, idx);
	if (vm && idx) {
		m->last_vm = (uint64_t)*idx;
	}
	return vm;
}

static struct mdl_vm *vm_get_slow(struct mdl_model *m, int32_t id, int *idx)
{
	struct mdl_vm *vm;

	if (id == -1 && (vm = mdl_vm_only(m, idx))) {
		return vm;
	}
	vm = mdl_vm_lookup(m, id, idx);
	if (vm) {
		return vm;
	}
	vm = mdl_vm_only(m, idx);
	if (id >= 0 && vm && vm->s.id < 0) {
		vm->s.id = id;
		return vm;
	}
	vm = mdl_vm_new_empty();
	if (vm && m->track && mdl_tab_track(&vm->ents) < 0) {
		mdl_vm_free(vm);
		vm = NULL;
	}
	if (vm) {
		vm_init_state(m, vm, id);
	}
	if (!vm || mdl_vm_push(m, vm) < 0) {
		mdl_vm_free(vm);
		return m->nr_vms ? m->vms[0] : NULL;
	}
	if (idx) {
		*idx = (int)m->nr_vms - 1;
	}
	return vm;
}

int mdl_vm_push(struct mdl_model *m, struct mdl_vm *vm)
{
	if (m->nr_vms == m->cap_vms) {
		uint64_t ncap = m->cap_vms ? m->cap_vms * 2 : 4;
		struct mdl_vm **n = realloc(m->vms, ncap * sizeof(*n));

		if (!n) {
			return -1;
		}
		m->vms = n;
		m->cap_vms = ncap;
	}
	m->vms[m->nr_vms++] = vm;
	return 0;
}

struct mdl_vcpu *mdl_vcpu_get(struct mdl_vm *vm, int32_t id)
{
	if (id < 0 || id > 4095) {
		return NULL;
	}
	if ((uint64_t)id >= vm->nr_vcpus) {
		uint64_t n = (uint64_t)id + 1, i;
		struct mdl_vcpu *v;

		if (n < vm->nr_vcpus * 2) {
			n = vm->nr_vcpus * 2;
		}
		v = realloc(vm->vcpus, n * sizeof(*v));
		if (!v) {
			return NULL;
		}
		for (i = vm->nr_vcpus; i < n; i++) {
			memset(&v[i], 0, sizeof(v[i]));
		}
		vm->vcpus = v;
		vm->nr_vcpus = n;
	}
	return &vm->vcpus[id];
}

struct mdl_ent *mdl_ent_find(const struct mdl_vm *vm, uint64_t gfn, int level, int as_id)
{
	return mdl_tab_find(&vm->ents, mdl_ent_key(gfn_align(gfn, level), level, as_id));
}

const struct mdl_ent *mdl_ent_peek(const struct mdl_vm *vm, uint64_t gfn, int level, int as_id)
{
	return mdl_tab_peek(&vm->ents, mdl_ent_key(gfn_align(gfn, level), level, as_id));
}

struct mdl_ent *mdl_ent_get(struct mdl_vm *vm, uint64_t gfn, int level, int as_id)
{
	bool created;
	struct mdl_ent *e;

	e = mdl_tab_get(&vm->ents, mdl_ent_key(gfn_align(gfn, level), level, as_id), &created);
	if (e && created) {
		e->spte[0] = SHADOW_NONPRESENT_VALUE;
		e->spte[1] = SHADOW_NONPRESENT_VALUE;
		e->sept = MDL_SEPT_UNKNOWN;
	}
	return e;
}

/* Sets @e's state, keeping the parent's count of non-FREE children. */
void mdl_sept_set_state(struct mdl_vm *vm, struct mdl_ent *e, int state)
{
	int level = mdl_ent_level(e);

	if (mdl_sept_nonfree(e->sept) != mdl_sept_nonfree(state) &&
	    (uint64_t)level < vm->s.top_level) {
		struct mdl_ent *p = mdl_ent_get(vm, mdl_ent_gfn(e), level + 1, 0);

		if (p) {
			if (mdl_sept_nonfree(state)) {
				p->children++;
			} else if (p->children) {
				p->children--;
			}
		}
	}
	e->sept = (uint8_t)state;
}

/* @seq established @e's state (and touched it). */
void mdl_ent_touch(struct mdl_ent *e, uint64_t seq)
{
	e->sync_seq = seq + 1;
	mdl_ent_note(e, seq);
}

/* @seq touched @e without establishing anything: chain history only. */
void mdl_ent_note(struct mdl_ent *e, uint64_t seq)
{
	if (e->nhist && mdl_ent_last_seq(e) == seq) {
		return;
	}
	e->hist[e->nhist % MDL_HIST] = seq;
	/* 0..MDL_HIST-1 while filling, then cycles in MDL_HIST..2*MDL_HIST-1:
	 * nhist % MDL_HIST is always the next slot */
	if (e->nhist < MDL_HIST) {
		e->nhist++;
	} else {
		e->nhist = (uint8_t)(MDL_HIST + (e->nhist - MDL_HIST + 1) % MDL_HIST);
	}
}

bool mdl_seq_uncertain(const struct mdl_model *m, uint64_t seq)
{
	return m->g.lost_seq1 && seq < m->g.lost_seq1;
}

/* Last touched before lost events: its next contradiction is re-learned. */
bool mdl_ent_uncertain(const struct mdl_model *m, const struct mdl_ent *e)
{
	return m->g.lost_seq1 && e->sync_seq && e->sync_seq - 1 < m->g.lost_seq1;
}

void mdl_profile_decide(struct mdl_model *m, int profile)
{
	if (!m->g.profile) {
		m->g.profile = (uint64_t)profile;
	}
}

int mdl_profile_of(const struct mdl_model *m)
{
	return (int)m->g.profile;
}

const char *mdl_profile_name(const struct mdl_model *m)
{
	return m->g.profile == 616 ? "6.16" : "6.19";
}

size_t mdl_memory(const struct mdl_model *m)
{
	size_t n = sizeof(*m) + m->cap_vms * sizeof(m->vms[0]);
	uint64_t i;

	n += m->pages.cap * m->pages.esz + m->tids.cap * m->tids.esz + m->addrs.cap * m->addrs.esz +
	     m->cpus.cap * m->cpus.esz;
	for (i = 0; i < m->nr_vms; i++) {
		const struct mdl_vm *vm = m->vms[i];

		n += sizeof(*vm) + vm->ents.cap * vm->ents.esz +
		     vm->nr_vcpus * sizeof(vm->vcpus[0]);
	}
	return n;
}

/* Consumers see the VMs that are not folded away, in order. */
unsigned int mdl_nr_vms(const struct mdl_model *m)
{
	unsigned int n = 0;
	uint64_t i;

	for (i = 0; i < m->nr_vms; i++) {
		n += !m->vms[i]->s.folded;
	}
	return n;
}

int mdl_vm_info(const struct mdl_model *m, unsigned int i, struct mdl_vm_info *out)
{
	const struct mdl_vm *vm = NULL;
	uint64_t j;

	memset(out, 0, sizeof(*out));
	for (j = 0; j < m->nr_vms && !vm; j++) {
		if (!m->vms[j]->s.folded && i-- == 0) {
			vm = m->vms[j];
		}
	}
	if (!vm) {
		return -1;
	}
	out->vm = vm->s.id >= 0 ? (int32_t)vm->s.id : -1;
	out->is_tdx = vm->s.is_tdx;
	out->events = vm->s.events;
	out->errors = vm->s.errors;
	out->warnings = vm->s.warnings;
	out->op_state = (int)vm->s.op_state;
	out->td_epoch = vm->s.td_epoch;
	for (j = 0; j < vm->nr_vcpus; j++) {
		out->nr_vcpus += vm->vcpus[j].known ? 1 : 0;
	}
	out->nr_entries = vm->ents.count;
	out->nr_pages = vm->s.nr_pages;
	return 0;
}

void mdl_coverage(const struct mdl_model *m, struct mdl_coverage *out)
{
	uint64_t i;

	memset(out, 0, sizeof(*out));
	out->sept_state = m->g.cov_sept;
	out->tlb_tracking = m->g.cov_tlb;
	out->mmio_flow = m->g.cov_mmio;
	out->mirror_tree_patched = m->g.cov_mirror_field;
	out->mirror_tree_inferred = m->g.cov_inferred;
	out->spte_checks = m->g.spte_changes != 0;
	out->seamcalls_seen = m->g.seamcalls != 0;
	for (i = 0; i < m->nr_vms; i++) {
		out->tdx_vm |= m->vms[i]->s.is_tdx != 0;
	}
	out->events = m->g.events;
	out->seamcalls = m->g.seamcalls;
	out->spte_changes = m->g.spte_changes;
	out->inferred_tree = m->g.inferred_tree;
	out->unknown_tree = m->g.unknown_tree;
	out->lost_markers = m->g.lost_markers;
	out->errors = m->g.errors;
	out->warnings = m->g.warnings;
}

const char *mdl_sept_state_name(int state)
{
	static const char *const names[MDL_SEPT__COUNT] = {
		[MDL_SEPT_UNKNOWN] = "UNKNOWN",	    [MDL_SEPT_FREE] = "FREE",
		[MDL_SEPT_NL_MAPPED] = "NL_MAPPED", [MDL_SEPT_NL_BLOCKED] = "NL_BLOCKED",
		[MDL_SEPT_MAPPED] = "MAPPED",	    [MDL_SEPT_BLOCKED] = "BLOCKED",
		[MDL_SEPT_PENDING] = "PENDING",	    [MDL_SEPT_PENDING_BLOCKED] = "PENDING_BLOCKED",
		[MDL_SEPT_NOT_FREE] = "NOT_FREE",
	};

	if (state < 0 || state >= MDL_SEPT__COUNT) {
		return "?";
	}
	return names[state];
}

const char *mdl_op_state_name(int op)
{
	switch (op) {
	case MDL_OP_UNINITIALIZED:
		return "UNINITIALIZED";
	case MDL_OP_INITIALIZED:
		return "INITIALIZED";
	case MDL_OP_RUNNABLE:
		return "RUNNABLE";
	case MDL_OP_TEARDOWN:
		return "TEARDOWN";
	default:
		return "UNKNOWN";
	}
}

const char *mdl_pamt_type_name(int type)
{
	switch (type) {
	case MDL_PAMT_NDA:
		return "NDA";
	case MDL_PAMT_REG:
		return "REG";
	case MDL_PAMT_SEPT:
		return "SEPT";
	case MDL_PAMT_CTRL:
		return "CTRL";
	default:
		return "UNKNOWN";
	}
}
