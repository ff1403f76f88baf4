// SPDX-License-Identifier: GPL-2.0
/*
 * replay/engine/explain.c - the post-mortem of one finding
 * (tdxr/explain.h): the target and its first cause, the gfn's history
 * with the model state around each event, the account.
 *
 * The history is taken by the second replay's hooks: before an involved
 * event the gfn's state is kept as text, after it the step is recorded.
 * Everything is rendered to text here, while the string table and the
 * model are alive, so the result stands alone.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdxr/explain.h"
#include "tdxr/print.h"
#include "tdxr/tdx.h"

/* The second replay's state. */
struct explainer {
	struct rpl_explanation *x;
	struct tdxr_strtab *st; /* the 2nd replay's strings */
	char pending_before[256];
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool in_chain(const struct rpl_explanation *x, uint64_t seq)
{
	return bsearch(&seq, x->chain, x->nr_chain, sizeof(seq), cmp_u64) != NULL;
}

/* The gfn an event is about, if any (shared bit stripped). */
static bool event_gfn(const struct tdxr_event *ev, uint64_t *gfn)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(ev->type);

	if (ev->type == TDXR_EV_TDX_SEAMCALL) {
		switch (EVF(ev, TDX_SEAMCALL, leaf) & 0xffff) {
		case TDH_MEM_PAGE_ADD:
		case TDH_MEM_SEPT_ADD:
		case TDH_MEM_PAGE_AUG:
		case TDH_MEM_RANGE_BLOCK:
		case TDH_MR_EXTEND:
		case TDH_MEM_PAGE_REMOVE:
		case TDH_MEM_SEPT_REMOVE:
			*gfn = (EVF(ev, TDX_SEAMCALL, rcx) >> 12) & ~((1ull << 35) | (1ull << 39));
			return true;
		default:
			return false;
		}
	}
	for (unsigned int i = 0; i < d->nr_fields; i++) {
		if (!((ev->fmask >> i) & 1)) {
			continue;
		}
		if (d->fields[i].role == TDXR_FR_GFN) {
			*gfn = ev->f[i];
			return true;
		}
		if (d->fields[i].role == TDXR_FR_GPA) {
			*gfn = (ev->f[i] >> 12) & ~((1ull << 35) | (1ull << 39));
			return true;
		}
	}
	return false;
}

static void state_str(const struct mdl_model *m, const struct rpl_explanation *x, char *buf,
		      size_t len)
{
	struct mdl_gfn_view v;
	char mirror[48] = "-", direct[48] = "-";

	if (!x->has_gfn || mdl_query_gfn(m, x->vm, x->gfn, &v) < 0) {
		snprintf(buf, len, "-");
		return;
	}
	for (int l = 1; l <= MDL_LEVELS; l++) {
		if (v.known[1][l] && v.spte[1][l] != 0x8000000000000000ull) {
			snprintf(mirror, sizeof(mirror), "L%d 0x%" PRIx64, l, v.spte[1][l]);
			break;
		}
	}
	for (int l = 1; l <= MDL_LEVELS; l++) {
		if (v.known[0][l] && v.spte[0][l] != 0x8000000000000000ull) {
			snprintf(direct, sizeof(direct), "L%d 0x%" PRIx64, l, v.spte[0][l]);
			break;
		}
	}
	snprintf(buf, len, "S-EPT %s%s, mirror %s, direct %s, td_epoch %" PRIu64 "%s",
		 mdl_sept_state_name(v.sept_state), v.maybe_accepted ? "|MAPPED?" : "", mirror,
		 direct, v.td_epoch, v.uncertain ? " (uncertain)" : "");
	if (v.blocked) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, ", bepoch %" PRIu64, v.bepoch);
	}
}

static bool involved(const struct rpl_explanation *x, const struct tdxr_event *ev)
{
	uint64_t g;

	if (in_chain(x, ev->seq)) {
		return true;
	}
	if (!x->has_gfn || (x->vm >= 0 && ev->vm >= 0 && ev->vm != x->vm)) {
		return false;
	}
	return event_gfn(ev, &g) && g == x->gfn;
}

static void hook_before(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m)
{
	struct explainer *e = ctx;

	if (involved(e->x, ev)) {
		state_str(m, e->x, e->pending_before, sizeof(e->pending_before));
	}
}

static void phrase(const struct explainer *e, struct rpl_explain_step *h);

static void hook_after(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m)
{
	struct explainer *e = ctx;
	struct rpl_explanation *x = e->x;
	struct rpl_explain_step *h;

	if (!involved(x, ev)) {
		return;
	}
	/* Keep the last RPL_EXPLAIN_STEPS, but never push a chain event out
	 * for a non-chain one: drop the oldest non-chain entry instead. */
	if (x->nr_steps == RPL_EXPLAIN_STEPS) {
		size_t drop = 0;

		while (drop < RPL_EXPLAIN_STEPS && x->steps[drop].in_chain) {
			drop++;
		}
		if (drop == RPL_EXPLAIN_STEPS) {
			drop = 0;
		}
		memmove(&x->steps[drop], &x->steps[drop + 1],
			(RPL_EXPLAIN_STEPS - drop - 1) * sizeof(x->steps[0]));
		x->nr_steps--;
	}
	h = &x->steps[x->nr_steps++];
	h->ev = *ev;
	h->ev.raw = NULL;
	h->in_chain = in_chain(x, ev->seq);
	tdxr_event_fullname(ev, e->st, h->name, sizeof(h->name));
	tdxr_event_fields(ev, e->st, h->fields, sizeof(h->fields));
	snprintf(h->before, sizeof(h->before), "%s", e->pending_before);
	state_str(m, x, h->after, sizeof(h->after));
	phrase(e, h);
}

/* The gfn's TD epoch right after @h (from its state string), or -1. */
static long long after_epoch(const struct rpl_explain_step *h)
{
	const char *p = strstr(h->after, "td_epoch ");

	return p ? strtoll(p + 9, NULL, 10) : -1;
}

/*
 * h->phrase: a short phrase for one event of the account, or "" for events
 * that add nothing to the story (the fault's bookkeeping events).
 */
static void phrase(const struct explainer *e, struct rpl_explain_step *h)
{
	const struct tdxr_event *ev = &h->ev;
	char *buf = h->phrase, st[64];
	size_t len = sizeof(h->phrase);
	const char *nm;
	uint64_t status;

	buf[0] = '\0';
	switch (ev->type) {
	case TDXR_EV_TDX_SEAMCALL: {
		unsigned int leaf = (unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff);

		status = EVF(ev, TDX_SEAMCALL, status);
		nm = tdxr_seamcall_name(leaf);
		if (status != 0 && leaf != TDH_VP_ENTER) {
			snprintf(buf, len, "%s at line %u got %s", nm ? nm : "a SEAMCALL", ev->line,
				 tdxr_tdx_status_str(status, st, sizeof(st)));
			break;
		}
		switch (leaf) {
		case TDH_MEM_PAGE_ADD:
			snprintf(buf, len, "was added (PAGE.ADD) at line %u", ev->line);
			break;
		case TDH_MEM_SEPT_ADD:
			snprintf(buf, len, "got an S-EPT page (SEPT.ADD) at line %u", ev->line);
			break;
		case TDH_MEM_PAGE_AUG:
			snprintf(buf, len, "was AUGed at line %u", ev->line);
			break;
		case TDH_MEM_RANGE_BLOCK:
			snprintf(buf, len, "was BLOCKed at line %u (epoch %lld)", ev->line,
				 after_epoch(h));
			break;
		case TDH_MEM_TRACK:
			snprintf(buf, len, "TDH.MEM.TRACK ran at line %u (epoch now %lld)",
				 ev->line, after_epoch(h));
			break;
		case TDH_MEM_PAGE_REMOVE:
			snprintf(buf, len, "was REMOVEd at line %u", ev->line);
			break;
		case TDH_VP_ENTER:
			if (h->in_chain) {
				snprintf(buf, len, "vCPU %d left the guest at line %u", ev->vcpu,
					 ev->line);
			}
			break;
		default:
			if (h->in_chain) {
				snprintf(buf, len, "%s at line %u", nm ? nm : "a SEAMCALL",
					 ev->line);
			}
		}
		break;
	}
	case TDXR_EV_KVM_VM_BUGGED:
		snprintf(buf, len, "KVM bugged the VM at line %u (%s)", ev->line,
			 tdxr_strtab_get(e->st, (uint32_t)EVF(ev, KVM_VM_BUGGED, caller)));
		break;
	case TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED: {
		uint64_t o = EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, old_spte);
		uint64_t n = EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte);
		const char *tree = !EVF_HAS(ev, KVM_TDP_MMU_SPTE_CHANGED, mirror)   ? ""
				   : EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, mirror) == 1 ? "mirror "
										    : "direct ";

		if (!(o & (1ull << 11)) && (n & (1ull << 11))) {
			snprintf(buf, len, "its %sSPTE was installed at line %u", tree, ev->line);
		} else if ((o & (1ull << 11)) && !(n & (1ull << 11))) {
			snprintf(buf, len, "its %sSPTE was zapped at line %u", tree, ev->line);
		} else if (h->in_chain) {
			snprintf(buf, len,
				 "its %sSPTE changed 0x%" PRIx64 " -> 0x%" PRIx64 " at line %u",
				 tree, o, n, ev->line);
		}
		break;
	}
	case TDXR_EV_KVM_TDX_SEPT:
		if ((int32_t)EVF(ev, KVM_TDX_SEPT, ret) != 0) {
			snprintf(buf, len, "the %s hook failed (%d) at line %u",
				 tdxr_strtab_get(e->st, (uint32_t)EVF(ev, KVM_TDX_SEPT, op)),
				 (int32_t)EVF(ev, KVM_TDX_SEPT, ret), ev->line);
		}
		break;
	case TDXR_EV_LOG_SEAMCALL_FAILED:
		snprintf(buf, len, "the console logged SEAMCALL %s failed: %s at line %u",
			 tdxr_strtab_get(e->st, (uint32_t)EVF(ev, LOG_SEAMCALL_FAILED, fn)),
			 tdxr_tdx_status_str(EVF(ev, LOG_SEAMCALL_FAILED, status), st, sizeof(st)),
			 ev->line);
		break;
	case TDXR_EV_LOG_SPLAT:
		snprintf(buf, len, "the kernel logged a %s splat in %s at line %u",
			 tdxr_strtab_get(e->st, (uint32_t)EVF(ev, LOG_SPLAT, kind)),
			 tdxr_strtab_get(e->st, (uint32_t)EVF(ev, LOG_SPLAT, func)), ev->line);
		break;
	case TDXR_EV_LOG_ACCEPT_BEFORE:
		snprintf(buf, len, "the guest touched it before accepting it (line %u)", ev->line);
		break;
	case TDXR_EV_KVM_MMU_SET_SPTE:
	case TDXR_EV_KVM_MMU_SPTE_REQUESTED:
		break; /* the fault's bookkeeping: the SPTE change tells it */
	default:
		if (h->in_chain) {
			snprintf(buf, len, "%s at line %u", h->name, ev->line);
		}
	}
}

/*
 * One paragraph: "gfn 0x8a3f was AUGed at line 25; ...; was BLOCKed at
 * line 35 (epoch 7); TDH_MEM_PAGE_REMOVE at line 36 got
 * TDX_TLB_TRACKING_NOT_DONE|RCX; KVM bugged the VM at line 37." followed
 * by the model's verdict on the first cause. Longer ones are cut at
 * ACCOUNT_MAX - 1 bytes.
 */
#define ACCOUNT_MAX 8192

static void account(const struct rpl_explanation *x, char *buf, size_t len)
{
	size_t pos = 0;
	bool first = true;

	buf[0] = '\0';
	if (x->has_gfn) {
		pos += (size_t)snprintf(buf + pos, len - pos, "gfn 0x%" PRIx64 " ", x->gfn);
	}
	for (size_t i = 0; i < x->nr_steps && pos < len - 1; i++) {
		const char *p = x->steps[i].phrase;

		if (!p[0]) {
			continue;
		}
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", first ? "" : "; ", p);
		first = false;
	}
	if (pos < len - 1) {
		pos += (size_t)snprintf(buf + pos, len - pos, "%s", first ? "" : ". ");
	}
	if (pos < len - 1) {
		pos += (size_t)snprintf(buf + pos, len - pos, "First cause: %s at line %u: %s.",
					mdl_finding_kind_name(x->cause.kind), x->cause.line,
					x->cause.message);
	}
	if (pos < len - 1 && !x->cause_is_finding) {
		snprintf(buf + pos, len - pos, " It led to %s at line %u.",
			 mdl_finding_kind_name(x->finding.kind), x->finding.line);
	}
}

static const struct mdl_finding *pick_target(const struct rpl_result *res,
					     const struct rpl_explain_target *t)
{
	switch (t->pick) {
	case RPL_EXPLAIN_SEQ:
		for (size_t i = 0; i < res->nr_findings; i++) {
			if (res->findings[i].seq == t->seq) {
				return &res->findings[i];
			}
		}
		return NULL;
	case RPL_EXPLAIN_INDEX:
		return t->index < res->nr_findings ? &res->findings[t->index] : NULL;
	case RPL_EXPLAIN_DEFAULT:
		break;
	}
	for (size_t i = 0; i < res->nr_findings; i++) {
		if (res->findings[i].kind == MDL_FK_KVM_BUG) {
			return &res->findings[i];
		}
	}
	for (size_t i = 0; i < res->nr_findings; i++) {
		if (res->findings[i].severity == MDL_SEV_ERROR) {
			return &res->findings[i];
		}
	}
	return NULL;
}

const struct mdl_finding *rpl_explain_cause(const struct mdl_finding *findings, size_t n,
					    const struct mdl_finding *f)
{
	for (size_t i = 0; i < n; i++) {
		if (findings[i].seq == f->cause_seq && findings[i].seq < f->seq) {
			return &findings[i];
		}
	}
	return f;
}

/* x->chain: both chains and both seqs, sorted, each seq once. */
static int make_chain(struct rpl_explanation *x)
{
	size_t n = 0;

	x->chain = calloc(2 * MDL_CHAIN_MAX + 2, sizeof(uint64_t));
	if (!x->chain) {
		return -1;
	}
	for (uint32_t i = 0; i < x->finding.nr_chain && i < MDL_CHAIN_MAX; i++) {
		x->chain[n++] = x->finding.chain[i];
	}
	for (uint32_t i = 0; i < x->cause.nr_chain && i < MDL_CHAIN_MAX; i++) {
		x->chain[n++] = x->cause.chain[i];
	}
	x->chain[n++] = x->finding.seq;
	x->chain[n++] = x->cause.seq;
	qsort(x->chain, n, sizeof(uint64_t), cmp_u64);
	x->nr_chain = 0;
	for (size_t i = 0; i < n; i++) {
		if (!x->nr_chain || x->chain[x->nr_chain - 1] != x->chain[i]) {
			x->chain[x->nr_chain++] = x->chain[i];
		}
	}
	return 0;
}

int rpl_explain_finding(char *const *inputs, unsigned int n, const struct rpl_opts *o,
			const struct mdl_finding *finding, const struct mdl_finding *cause,
			struct rpl_explanation **out, char *err, size_t errlen)
{
	struct rpl_explanation *x = calloc(1, sizeof(*x));
	struct explainer e = {.x = x};
	struct rpl_opts o2 = *o;
	struct rpl_result res = {0};
	int ret = -1;

	*out = NULL;
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	x->found = true;
	x->finding = *finding;
	x->cause = *cause;
	x->cause_is_finding = cause == finding;
	x->vm = finding->vm;
	x->has_gfn = finding->has_gfn || cause->has_gfn;
	x->gfn = finding->has_gfn ? finding->gfn : cause->gfn;
	x->steps = calloc(RPL_EXPLAIN_STEPS, sizeof(*x->steps));
	x->account = malloc(ACCOUNT_MAX);
	e.st = tdxr_strtab_new();
	if (!x->steps || !x->account || !e.st || make_chain(x) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Second pass, up to the target, with the state hooks. */
	o2.st = e.st;
	o2.before = hook_before;
	o2.after = hook_after;
	o2.hook_ctx = &e;
	o2.stop_after_seq = finding->seq;
	if (rpl_run(inputs, n, &o2, &res, err, errlen) < 0) {
		goto out;
	}
	account(x, x->account, ACCOUNT_MAX);
	*out = x;
	x = NULL;
	ret = 0;
out:
	rpl_result_free(&res);
	tdxr_strtab_free(e.st);
	rpl_explanation_free(x);
	return ret;
}

int rpl_explain(char *const *inputs, unsigned int n, const struct rpl_opts *o,
		const struct rpl_explain_target *target, struct rpl_explanation **out, char *err,
		size_t errlen)
{
	return rpl_explain_keep(inputs, n, o, target, out, NULL, err, errlen);
}

int rpl_explain_keep(char *const *inputs, unsigned int n, const struct rpl_opts *o,
		     const struct rpl_explain_target *target, struct rpl_explanation **out,
		     struct rpl_result *first, char *err, size_t errlen)
{
	struct rpl_opts o1 = *o;
	struct rpl_result res = {0};
	const struct mdl_finding *f;
	int ret = -1;

	*out = NULL;
	o1.st = NULL;
	o1.before = NULL;
	o1.after = NULL;
	o1.hook_ctx = NULL;
	o1.stop_after_seq = UINT64_MAX;
	if (rpl_run(inputs, n, &o1, &res, err, errlen) < 0) {
		goto out;
	}
	f = pick_target(&res, target);
	if (!f) {
		*out = calloc(1, sizeof(**out));
		if (!*out) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		(*out)->events = res.events;
		ret = 0;
		goto out;
	}
	o1.progress = false;
	if (rpl_explain_finding(inputs, n, &o1, f,
				rpl_explain_cause(res.findings, res.nr_findings, f), out, err,
				errlen) < 0) {
		goto out;
	}
	(*out)->events = res.events;
	ret = 0;
out:
	if (first && ret == 0) {
		*first = res; /* handed over: the caller frees it */
	} else {
		rpl_result_free(&res);
	}
	return ret;
}

void rpl_explanation_free(struct rpl_explanation *x)
{
	if (!x) {
		return;
	}
	/* the kernel-log account (issue 15) frees x->log here */
	free(x->chain);
	free(x->steps);
	free(x->account);
	free(x);
}

void rpl_finding_line(char *buf, size_t len, const struct mdl_finding *f, unsigned int nr_inputs)
{
	char where[64], gfn[40] = "", vcpu[24] = "";

	if (f->line && nr_inputs > 1) {
		snprintf(where, sizeof(where), "line %u:%u", f->input, f->line);
	} else if (f->line) {
		snprintf(where, sizeof(where), "line %u", f->line);
	} else {
		snprintf(where, sizeof(where), "input %u", f->input);
	}
	if (f->has_gfn) {
		snprintf(gfn, sizeof(gfn), " gfn 0x%" PRIx64, f->gfn);
	}
	if (f->vcpu >= 0) {
		snprintf(vcpu, sizeof(vcpu), " vcpu %d", f->vcpu);
	}
	snprintf(buf, len, "%s seq %" PRIu64 " [%s] %s%s%s: %s", where, f->seq,
		 mdl_severity_name(f->severity), mdl_finding_kind_name(f->kind), gfn, vcpu,
		 f->message);
}
