// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/pamt.c - the TDX module's PAMT: who owns each physical page
 * (NDA free, REG guest page, S-EPT page, TD control page), and
 * TDH.PHYMEM.PAGE.RECLAIM (docs/tdx.md §1.5d, §7.3, §8 scenario 9).
 *
 * Pages are host-wide, so the table lives in the model; each VM counts the
 * guest and S-EPT pages it owns, which is what must be gone when its TDR
 * is reclaimed.
 */
#include <stdio.h>

#include "model_int.h"

struct mdl_page *mdl_pamt_find(const struct mdl_model *m, uint64_t pfn)
{
	return mdl_tab_find(&m->pages, pfn | KEY_TAG);
}

const struct mdl_page *mdl_pamt_peek(const struct mdl_model *m, uint64_t pfn)
{
	return mdl_tab_peek(&m->pages, pfn | KEY_TAG);
}

static bool pamt_counted(int type)
{
	return type == MDL_PAMT_REG || type == MDL_PAMT_SEPT;
}

void mdl_pamt_set(struct mdl_ctx *c, uint64_t pfn, int type, int owner, uint64_t gfn, int level)
{
	struct mdl_model *m = c->m;
	struct mdl_page *pg = mdl_tab_get(&m->pages, pfn | KEY_TAG, NULL);

	if (!pg) {
		return;
	}
	if (pamt_counted(pg->type) && pg->owner >= 0 && (uint64_t)pg->owner < m->nr_vms &&
	    m->vms[pg->owner]->s.nr_pages) {
		m->vms[pg->owner]->s.nr_pages--;
	}
	pg->type = (uint8_t)type;
	pg->owner = owner;
	pg->gfn = gfn;
	pg->level = (uint8_t)level;
	pg->seq = c->ev->seq;
	if (pamt_counted(type) && owner >= 0 && (uint64_t)owner < m->nr_vms) {
		m->vms[owner]->s.nr_pages++;
	}
}

/*
 * At the TDR's reclaim every page the TD owned must be gone: guest pages
 * removed, S-EPT pages reclaimed. Reports once per VM.
 */
void mdl_pamt_teardown_check(struct mdl_ctx *c)
{
	struct mdl_vm *vm = c->vm;
	struct mdl_report r = {
		.kind = MDL_FK_RECLAIM,
		.no_vcpu = true,
		.expected = "0 pages",
		.actual = NULL,
	};
	uint64_t i, first_gfn = 0, first_seq = 0;
	bool have = false;
	char act[64];

	if (!vm->s.nr_pages || c->reported || mdl_seq_uncertain(c->m, 0)) {
		return;
	}
	for (i = 0; i < c->m->pages.cap; i++) {
		const struct mdl_page *pg = mdl_tab_slot(&c->m->pages, i);

		if (pg->key && pamt_counted(pg->type) && pg->owner == c->vm_idx &&
		    (!have || pg->seq < first_seq)) {
			have = true;
			first_gfn = pg->gfn;
			first_seq = pg->seq;
		}
	}
	if (!have) {
		return;
	}
	snprintf(act, sizeof(act), "%llu pages", (unsigned long long)vm->s.nr_pages);
	r.actual = act;
	r.has_gfn = true;
	r.gfn = first_gfn;
	r.extra[0] = first_seq + 1;
	mdl_report(c, &r,
		   "TD torn down with %llu guest/S-EPT pages never removed or reclaimed (first: "
		   "gfn 0x%llx, seq %llu)",
		   (unsigned long long)vm->s.nr_pages, (unsigned long long)first_gfn,
		   (unsigned long long)first_seq);
}

void mdl_pamt_reclaim(struct mdl_ctx *c, uint64_t status)
{
	const struct tdxr_event *ev = c->ev;
	uint64_t pa = EVF(ev, TDX_SEAMCALL, rcx);
	uint64_t pfn = (pa & ((1ull << 52) - 1)) >> 12;
	struct mdl_page *pg = mdl_pamt_find(c->m, pfn);
	uint64_t cls = status & TDX_STATUS_MASK;
	bool nda = pg && pg->type == MDL_PAMT_NDA && !mdl_seq_uncertain(c->m, pg->seq);
	bool is_tdr = c->vm->s.tdr && (c->vm->s.tdr >> 12) == pfn;
	char act[64];

	if (tdx_busy(status)) {
		return;
	}
	if (nda || cls == TDX_PAGE_METADATA_INCORRECT) {
		struct mdl_report r = {
			.kind = MDL_FK_RECLAIM,
			.no_vcpu = true,
			.expected = nda ? "REG/SEPT/CTRL page" : "owned page",
			.actual = act,
		};

		if (pg && pg->gfn && pg->type != MDL_PAMT_CTRL) {
			r.has_gfn = true;
			r.gfn = pg->gfn;
		}
		if (pg) {
			r.extra[0] = pg->seq + 1;
		}
		mdl_status_str(act, sizeof(act), status);
		mdl_report(c, &r,
			   "PHYMEM.PAGE.RECLAIM of pfn 0x%llx, a page the %s holds as NDA (already "
			   "removed/reclaimed or never added); status %s",
			   (unsigned long long)pfn, nda ? "model" : "module", act);
	} else if (status == TDX_SUCCESS && pg && pg->owner >= 0 &&
		   (uint64_t)pg->owner < c->m->nr_vms && pg->type != MDL_PAMT_UNKNOWN &&
		   !mdl_seq_uncertain(c->m, pg->seq) &&
		   c->m->vms[pg->owner]->s.lifecycle != LIFE_UNKNOWN &&
		   c->m->vms[pg->owner]->s.lifecycle != LIFE_TEARDOWN && !c->reported) {
		char exp[24];
		struct mdl_report r = {
			.kind = MDL_FK_STATUS_MISMATCH,
			.no_vcpu = true,
			.expected = exp,
			.actual = "0x0000000000000000",
			.extra = {pg->seq + 1},
		};

		mdl_status_str(exp, sizeof(exp), TDX_LIFECYCLE_STATE_INCORRECT);
		mdl_report(c, &r,
			   "PHYMEM.PAGE.RECLAIM of pfn 0x%llx succeeded although its TD is not in "
			   "TEARDOWN (KEY.FREEID not seen): the module returns "
			   "LIFECYCLE_STATE_INCORRECT",
			   (unsigned long long)pfn);
	} else if (status == TDX_SUCCESS && pg && pg->owner >= 0 &&
		   (uint64_t)pg->owner != (uint64_t)c->vm_idx &&
		   (uint64_t)pg->owner < c->m->nr_vms) {
		/* Owned by another VM: the resolver was wrong, follow. */
	} else if (cls == TDX_LIFECYCLE_STATE_INCORRECT || cls == TDX_TD_ASSOCIATED_PAGES_EXIST) {
		if (is_tdr && cls == TDX_TD_ASSOCIATED_PAGES_EXIST) {
			mdl_pamt_teardown_check(c);
		}
	}
	if (status == TDX_SUCCESS) {
		if (is_tdr) {
			c->vm->s.tdr_reclaimed = 1;
			mdl_pamt_set(c, pfn, MDL_PAMT_NDA, -1, 0, 0);
			mdl_pamt_teardown_check(c);
			return;
		}
		mdl_pamt_set(c, pfn, MDL_PAMT_NDA, -1, 0, 0);
	}
}
