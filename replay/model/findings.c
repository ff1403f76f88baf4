// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/findings.c - building and emitting findings.
 *
 * mdl_report() is the one place a finding is made: it fills the record
 * from the event, builds the causal chain (the earlier events that touched
 * the same entry, the extra seqs the check names, then the event itself),
 * poisons the entry so what follows from the problem joins it instead of
 * becoming new findings, and counts it for the VM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

static const struct {
	const char *name;
	enum mdl_severity sev;
	const char *summary;
} kinds[MDL_FK__COUNT] = {
#define MDL_FINDING(id, nm, s, sum) [MDL_FK_##id] = {nm, MDL_SEV_##s, sum},
#include "tdxr/finding.def"
#undef MDL_FINDING
};

const char *mdl_finding_kind_name(unsigned int kind)
{
	return kind < MDL_FK__COUNT ? kinds[kind].name : "?";
}

enum mdl_severity mdl_finding_kind_severity(unsigned int kind)
{
	return kind < MDL_FK__COUNT ? kinds[kind].sev : MDL_SEV_ERROR;
}

const char *mdl_finding_kind_summary(unsigned int kind)
{
	return kind < MDL_FK__COUNT ? kinds[kind].summary : "";
}

int mdl_finding_kind_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < MDL_FK__COUNT; i++) {
		if (!strcmp(kinds[i].name, name)) {
			return (int)i;
		}
	}
	return -1;
}

const char *mdl_severity_name(unsigned int sev)
{
	return sev == MDL_SEV_ERROR ? "error" : "warning";
}

/* The kernel name of @leaf (include/tdxr/tdx.h), "SEAMCALL" if unknown. */
const char *mdl_leaf_name(unsigned int leaf)
{
	const char *nm = tdxr_seamcall_name(leaf);

	return nm ? nm : "SEAMCALL";
}

/* Leaf of "TDH_MEM_PAGE_AUG" (or dotted "TDH.MEM.PAGE.AUG"), -1 if none. */
int mdl_leaf_by_name(const char *name)
{
	return tdxr_seamcall_leaf(name, strlen(name));
}

const char *mdl_status_str(char *buf, size_t len, uint64_t st)
{
	snprintf(buf, len, "0x%016llx", (unsigned long long)st);
	return buf;
}

const char *mdl_hex_str(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%llx", (unsigned long long)v);
	return buf;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned int chain_add_ent(uint64_t *tmp, unsigned int n, const struct mdl_ent *e,
				  uint64_t self)
{
	unsigned int i, cnt;

	if (!e) {
		return n;
	}
	cnt = e->nhist < MDL_HIST ? e->nhist : MDL_HIST;
	for (i = 0; i < cnt; i++) {
		uint64_t s = e->hist[(uint8_t)(e->nhist - cnt + i) % MDL_HIST];

		if (s < self) {
			tmp[n++] = s;
		}
	}
	if ((e->flags & ENT_POISON) && e->poison_seq < self) {
		tmp[n++] = e->poison_seq;
	}
	if (e->block_seq && e->block_seq < self) {
		tmp[n++] = e->block_seq;
	}
	return n;
}

static __attribute__((format(printf, 3, 0))) void
mdl_vreport(struct mdl_ctx *c, const struct mdl_report *r, const char *fmt, va_list ap)
{
	const struct tdxr_event *ev = c->ev;
	struct mdl_finding f;
	uint64_t tmp[MDL_CHAIN_MAX + 3 * MDL_HIST + 16];
	unsigned int n = 0, i, out;
	int sev;

	if (c->quiet && r->kind != MDL_FK_LOST_EVENTS && r->kind != MDL_FK_ORDER) {
		c->reported = true;
		return;
	}
	/* A VM is bugged once and stays bugged (kvm->vm_bugged): every later
	 * KVM_BUG_ON of that VM is a consequence of the first. */
	if (r->kind == MDL_FK_KVM_BUG && c->vm && c->vm->s.kvm_bug_reported) {
		c->reported = true;
		return;
	}
	memset(&f, 0, sizeof(f));
	f.seq = ev->seq;
	f.ts = ev->ts;
	f.line = ev->line;
	f.input = ev->input;
	f.kind = (uint16_t)r->kind;
	sev = r->severity ? r->severity - 1 : (int)mdl_finding_kind_severity(r->kind);
	f.severity = (uint8_t)sev;
	f.vm = c->vm && c->vm->s.id >= 0 ? (int32_t)c->vm->s.id : -1;
	f.vcpu = r->no_vcpu ? -1 : ev->vcpu;
	f.has_gfn = r->has_gfn;
	f.gfn = r->gfn;
	snprintf(f.expected, sizeof(f.expected), "%s", r->expected ? r->expected : "");
	snprintf(f.actual, sizeof(f.actual), "%s", r->actual ? r->actual : "");
	vsnprintf(f.message, sizeof(f.message), fmt, ap);

	/* The chain: cause, entry history, extra seqs, then this event. */
	n = chain_add_ent(tmp, n, r->e, ev->seq);
	n = chain_add_ent(tmp, n, r->e2, ev->seq);
	for (i = 0; i < 6 && r->extra[i]; i++) {
		if (r->extra[i] - 1 < ev->seq) {
			tmp[n++] = r->extra[i] - 1;
		}
	}
	if (r->cause && r->cause - 1 < ev->seq) {
		tmp[n++] = r->cause - 1;
	}
	qsort(tmp, n, sizeof(tmp[0]), cmp_u64);
	out = 0;
	for (i = 0; i < n; i++) {
		if (out && tmp[out - 1] == tmp[i]) {
			continue;
		}
		tmp[out++] = tmp[i];
	}
	if (out > MDL_CHAIN_MAX - 1) {
		memmove(tmp, tmp + (out - (MDL_CHAIN_MAX - 1)),
			(MDL_CHAIN_MAX - 1) * sizeof(tmp[0]));
		out = MDL_CHAIN_MAX - 1;
	}
	memcpy(f.chain, tmp, out * sizeof(tmp[0]));
	f.chain[out++] = ev->seq;
	f.nr_chain = out;
	f.cause_seq = r->cause ? r->cause - 1 : f.chain[0];

	if (r->e) {
		r->e->flags |= ENT_POISON;
		r->e->poison_seq = ev->seq;
	}
	if (r->e2) {
		r->e2->flags |= ENT_POISON;
		r->e2->poison_seq = ev->seq;
	}
	if (sev == MDL_SEV_ERROR) {
		c->m->g.errors++;
		if (c->vm) {
			c->vm->s.errors++;
			if (!c->vm->s.has_err) {
				c->vm->s.has_err = 1;
				c->vm->s.first_err_seq = ev->seq;
			}
			c->vm->s.last_err_seq = ev->seq;
			c->vm->s.last_err_event = c->vm->s.events;
		}
	} else {
		c->m->g.warnings++;
		if (c->vm) {
			c->vm->s.warnings++;
		}
	}
	if (r->kind == MDL_FK_KVM_BUG && c->vm) {
		c->vm->s.kvm_bug_reported = 1;
	}
	c->reported = true;
	if (c->sink && c->sink->finding) {
		c->sink->finding(c->sink->ctx, &f);
	}
}

void mdl_report(struct mdl_ctx *c, const struct mdl_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mdl_vreport(c, r, fmt, ap);
	va_end(ap);
}

void mdl_check_report(struct mdl_ctx *c, const struct mdl_report *r, const char *fmt, ...)
{
	va_list ap;

	if (c->reported || (r->e && (r->e->flags & ENT_POISON)) ||
	    (r->e2 && (r->e2->flags & ENT_POISON))) {
		return;
	}
	va_start(ap, fmt);
	mdl_vreport(c, r, fmt, ap);
	va_end(ap);
}
