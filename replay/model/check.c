// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/check.c - the full invariant check (mdl_check, run every
 * mdl_config.check_every events in debug use) and the per-gfn view for
 * `tdxr explain` and the TUI (mdl_query_gfn).
 *
 * Invariants:
 *  - each table's count matches its occupied slots and every key is
 *    reachable from its probe start;
 *  - below[t] of an entry at level 2/3 equals the present leaves of tree
 *    t in the 512 entries under it (plus their own below counts);
 *  - children equals the non-FREE known S-EPT entries under it;
 *  - a PREMAP entry has a present mirror leaf; a blocked state has a
 *    block seq; the VM's page count matches the PAMT.
 */
#include <string.h>

#include "model_int.h"

static unsigned int check_tab(const struct mdl_tab *t)
{
	uint64_t i, n = 0;
	unsigned int bad = 0;

	for (i = 0; i < t->cap; i++) {
		uint64_t k;

		memcpy(&k, mdl_tab_slot(t, i), 8);
		if (!k) {
			continue;
		}
		n++;
		if (mdl_tab_peek(t, k) != mdl_tab_slot(t, i)) {
			bad++;
		}
	}
	return bad + (n != t->count);
}

static bool nonfree(int st)
{
	return st != MDL_SEPT_UNKNOWN && st != MDL_SEPT_FREE;
}

static unsigned int check_vm(const struct mdl_model *m, const struct mdl_vm *vm, uint64_t idx)
{
	unsigned int bad = check_tab(&vm->ents);
	uint64_t i, pages = 0;

	for (i = 0; i < vm->ents.cap; i++) {
		const struct mdl_ent *e = mdl_tab_slot(&vm->ents, i);
		int level, t;
		uint64_t j, exp[2] = {0, 0}, kids = 0;

		if (!e->key) {
			continue;
		}
		level = mdl_ent_level(e);
		if ((e->flags & ENT_PREMAP) && !spte_leaf(e->spte[TREE_MIRROR], level)) {
			bad++;
		}
		if (e->sept >= MDL_SEPT__COUNT) {
			bad++;
		}
		if (level < 2 || level > 3 || !vm->s.below_valid) {
			continue;
		}
		for (j = 0; j < 512; j++) {
			uint64_t g = mdl_ent_gfn(e) + (j << (9 * (level - 2)));
			const struct mdl_ent *ch =
				mdl_ent_peek(vm, g, level - 1, (int)((e->key >> 52) & 3));

			if (!ch) {
				continue;
			}
			for (t = 0; t < 2; t++) {
				exp[t] += spte_leaf(ch->spte[t], level - 1);
				if (level - 1 >= 2) {
					exp[t] += ch->below[t];
				}
			}
			kids += nonfree(ch->sept);
		}
		for (t = 0; t < 2; t++) {
			if (exp[t] != e->below[t]) {
				bad++;
			}
		}
		if (kids != e->children) {
			bad++;
		}
	}
	for (i = 0; i < m->pages.cap; i++) {
		const struct mdl_page *pg = mdl_tab_slot(&m->pages, i);

		if (pg->key && pg->owner == (int32_t)idx &&
		    (pg->type == MDL_PAMT_REG || pg->type == MDL_PAMT_SEPT)) {
			pages++;
		}
	}
	if (pages != vm->s.nr_pages) {
		bad++;
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].in_guest && !vm->vcpus[i].known) {
			bad++;
		}
	}
	return bad;
}

uint64_t mdl_check_failures(const struct mdl_model *m)
{
	return m->g.check_failures;
}

unsigned int mdl_check(const struct mdl_model *m)
{
	unsigned int bad = check_tab(&m->pages) + check_tab(&m->tids) + check_tab(&m->addrs) +
			   check_tab(&m->cpus);
	uint64_t i;

	for (i = 0; i < m->nr_vms; i++) {
		bad += check_vm(m, m->vms[i], i);
	}
	return bad;
}

int mdl_query_gfn(const struct mdl_model *m, int vm_id, uint64_t gfn, struct mdl_gfn_view *out)
{
	const struct mdl_vm *vm = mdl_vm_lookup(m, vm_id, NULL);
	const struct mdl_ent *leaf = NULL;
	uint64_t i;
	int l;

	memset(out, 0, sizeof(*out));
	out->pamt_owner = -1;
	if (!vm && vm_id < 0) {
		vm = mdl_vm_only(m, NULL);
	}
	if (!vm) {
		return -1;
	}
	gfn = mdl_vm_gfn_of_gpa(vm, gfn << 12);
	out->vm = vm->s.id >= 0 ? (int32_t)vm->s.id : -1;
	out->gfn = gfn;
	out->td_epoch = vm->s.td_epoch;
	out->op_state = (int)vm->s.op_state;
	for (l = 1; l <= MDL_LEVELS; l++) {
		const struct mdl_ent *e = mdl_ent_peek(vm, gfn, l, 0);

		if (!e) {
			continue;
		}
		out->known[0][l] = e->flags & ENT_KNOWN_DIRECT;
		out->known[1][l] = e->flags & ENT_KNOWN_MIRROR;
		out->spte[0][l] = e->spte[0];
		out->spte[1][l] = e->spte[1];
		if (!leaf && e->sept != MDL_SEPT_UNKNOWN) {
			leaf = e;
		}
	}
	if (!leaf) {
		leaf = mdl_ent_peek(vm, gfn, 1, 0);
	}
	if (leaf) {
		unsigned int cnt = leaf->nhist < MDL_HIST ? leaf->nhist : MDL_HIST;

		out->sept_level = mdl_ent_level(leaf);
		out->sept_state = leaf->sept;
		out->maybe_accepted = leaf->flags & ENT_MAYBE_ACC;
		out->uncertain = mdl_ent_uncertain(m, leaf);
		out->pfn = leaf->pfn;
		out->blocked = mdl_sept_is_blocked(leaf->sept);
		out->bepoch = leaf->bepoch;
		for (i = 0; i < cnt; i++) {
			out->hist[out->nr_hist++] =
				leaf->hist[(uint8_t)(leaf->nhist - cnt + i) % MDL_HIST];
		}
		if (leaf->pfn) {
			const struct mdl_page *pg = mdl_pamt_peek(m, leaf->pfn);

			if (pg) {
				out->pamt_type = pg->type;
				if (pg->owner >= 0 && (uint64_t)pg->owner < m->nr_vms) {
					out->pamt_owner = (int32_t)m->vms[pg->owner]->s.id;
				}
			}
		}
	}
	for (i = 0; i < vm->nr_vcpus && out->nr_vcpus < MDL_VIEW_VCPUS; i++) {
		const struct mdl_vcpu *v = &vm->vcpus[i];

		if (!v->known) {
			continue;
		}
		out->vcpu_id[out->nr_vcpus] = (int32_t)i;
		out->vcpu_in_guest[out->nr_vcpus] = v->in_guest;
		out->vcpu_epoch[out->nr_vcpus] = v->epoch;
		out->nr_vcpus++;
	}
	return 0;
}
