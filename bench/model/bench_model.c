// SPDX-License-Identifier: GPL-2.0
/*
 * bench/model/bench_model.c - events/s of mdl_apply() over an in-memory
 * array of realistic TD events, and bytes of model state per mapped page.
 *
 * The array is built up front (not timed) by a small generator in KVM's
 * call order: private faults (kvm_entry, VP.ENTER exit, kvm_exit,
 * kvm_page_fault, SEPT.ADD when a table is missing, PAGE.AUG, the mirror
 * SPTE change, kvm_mmu_set_spte), zaps (SPTE change, BLOCK, TRACK, the
 * kick, PAGE.REMOVE, WBINVD), HLT exits and the TD MMIO flow, on 8 vCPUs
 * over a 1 GiB working set. One core, one model.
 *
 * Usage: bench_model [EVENTS]   (default 10,000,000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tdxr/event.h"
#include "tdxr/model.h"

#define NVCPU 8
#ifndef WSET
#define WSET (1u << 18) /* gfns: 1 GiB */
#endif
#define TDR 0x10000000ull
#define LEAF 0x8600000000000b37ull
#define NONLEAF 0x8000000000000907ull
#define NP 0x8000000000000000ull

static struct tdxr_event *evs;
static size_t n, cap;
static uint64_t rng = 88172645463325252ull;
static uint8_t *mapped; /* per gfn: 0 no, else page index */
static uint64_t *pages;
static uint8_t *linked2; /* per 2M region */
static uint64_t next_page = 0x100000000ull;
static uint64_t ts = 1000000000ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct tdxr_event *add(unsigned int type, int32_t tid, int vcpu)
{
	struct tdxr_event *ev = &evs[n++];

	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)type;
	ev->tid = tid;
	ev->cpu = tid % 16;
	ev->ts = (ts += 700);
	ev->vm = 4242;
	ev->vcpu = vcpu;
	ev->tgid = 4242;
	ev->fmask = 0xffff;
	return ev;
}

static void sc(int32_t tid, int vcpu, unsigned int leaf, uint64_t rcx, uint64_t rdx, uint64_t r8,
	       uint64_t st, uint64_t orcx, uint64_t ordx, uint64_t or8)
{
	struct tdxr_event *ev = add(TDXR_EV_TDX_SEAMCALL, tid, vcpu);

	EVF(ev, TDX_SEAMCALL, leaf) = leaf;
	EVF(ev, TDX_SEAMCALL, rcx) = rcx;
	EVF(ev, TDX_SEAMCALL, rdx) = rdx;
	EVF(ev, TDX_SEAMCALL, r8) = r8;
	EVF(ev, TDX_SEAMCALL, status) = st;
	EVF(ev, TDX_SEAMCALL, out_rcx) = orcx;
	EVF(ev, TDX_SEAMCALL, out_rdx) = ordx;
	EVF(ev, TDX_SEAMCALL, out_r8) = or8;
}

static void spte(int32_t tid, int vcpu, int mirror, uint64_t gfn, int level, uint64_t old,
		 uint64_t nw)
{
	struct tdxr_event *ev = add(TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED, tid, vcpu);

	EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, gfn) = gfn;
	EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, level) = (uint64_t)level;
	EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, old_spte) = old;
	EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte) = nw;
	EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, mirror) = (uint64_t)mirror;
	EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, vm) = 4242;
}

static bool in_guest[NVCPU];

static void entry(int v)
{
	struct tdxr_event *ev = add(TDXR_EV_KVM_ENTRY, 100 + v, v);

	EVF(ev, KVM_ENTRY, vcpu_id) = (uint64_t)v;
	in_guest[v] = true;
}

static void vexit(int v, uint64_t st, uint64_t qual, uint64_t ext, uint64_t gpa)
{
	struct tdxr_event *ev;

	sc(100 + v, v, 0, 0x30000000 + (uint64_t)v * 0x1000, 0, 0, st, qual, ext, gpa);
	ev = add(TDXR_EV_KVM_EXIT, 100 + v, v);
	EVF(ev, KVM_EXIT, vcpu_id) = (uint64_t)v;
	EVF(ev, KVM_EXIT, exit_reason) = st == 77 ? 49 : (uint32_t)st;
	EVF(ev, KVM_EXIT, info1) = qual;
	EVF(ev, KVM_EXIT, info2) = ext;
	in_guest[v] = false;
}

static void fault(int v, uint64_t gfn)
{
	int32_t tid = 100 + v;
	struct tdxr_event *ev;
	uint64_t pg;

	if (!in_guest[v]) {
		entry(v);
	}
	vexit(v, 48, 0x184, 1, gfn << 12);
	ev = add(TDXR_EV_KVM_PAGE_FAULT, tid, v);
	EVF(ev, KVM_PAGE_FAULT, vcpu_id) = (uint64_t)v;
	EVF(ev, KVM_PAGE_FAULT, address) = gfn << 12;
	if (!linked2[gfn >> 9]) {
		pg = (next_page += 0x1000);
		sc(tid, v, 3, ((gfn & ~511ull) << 12) | 1, TDR, pg, 0, 0, 0, 0);
		spte(tid, v, 1, gfn & ~511ull, 2, NP, NONLEAF | pg);
		linked2[gfn >> 9] = 1;
	}
	pg = pages[gfn] ? pages[gfn] : (pages[gfn] = (next_page += 0x1000));
	sc(tid, v, 6, gfn << 12, TDR, pg, 0, 0, 0, 0);
	spte(tid, v, 1, gfn, 1, NP, LEAF | pg);
	ev = add(TDXR_EV_KVM_MMU_SET_SPTE, tid, v);
	EVF(ev, KVM_MMU_SET_SPTE, gfn) = gfn;
	EVF(ev, KVM_MMU_SET_SPTE, spte) = LEAF | pg;
	EVF(ev, KVM_MMU_SET_SPTE, level) = 1;
	mapped[gfn] = 1;
	entry(v);
}

static void zap(uint64_t gfn)
{
	int v;

	spte(50, -1, 1, gfn, 1, LEAF | pages[gfn], NP);
	sc(50, -1, 7, gfn << 12, TDR, 0, 0, 0, 0, 0);
	sc(50, -1, 38, TDR, 0, 0, 0, 0, 0, 0);
	for (v = 0; v < NVCPU; v++) {
		if (in_guest[v]) {
			vexit(v, 1, 0, 0, 0);
		}
	}
	sc(50, -1, 29, gfn << 12, TDR, 0, 0, pages[gfn], 0, 0);
	sc(50, -1, 41, pages[gfn] | (3ull << 46), 0, 0, 0, 0, 0, 0);
	mapped[gfn] = 0;
}

static void mmio(int v)
{
	uint64_t gpa = ((1ull << 47) | 0xfeb00000ull) + (rnd() % 16) * 4;
	struct tdxr_event *ev;

	if (!in_guest[v]) {
		entry(v);
	}
	vexit(v, 77, 0, 0, 0);
	ev = add(TDXR_EV_KVM_TDX_TDVMCALL, 100 + v, v);
	EVF(ev, KVM_TDX_TDVMCALL, vm) = 4242;
	EVF(ev, KVM_TDX_TDVMCALL, vcpu) = (uint64_t)v;
	EVF(ev, KVM_TDX_TDVMCALL, r11) = 48;
	EVF(ev, KVM_TDX_TDVMCALL, r12) = 4;
	EVF(ev, KVM_TDX_TDVMCALL, r14) = gpa;
	ev = add(TDXR_EV_KVM_MMIO, 100 + v, v);
	EVF(ev, KVM_MMIO, gpa) = gpa & ~(1ull << 47);
	entry(v);
}

static void generate(size_t target)
{
	uint64_t gfn;

	cap = target + 64;
	evs = malloc(cap * sizeof(*evs));
	mapped = calloc(WSET, 1);
	pages = calloc(WSET, sizeof(*pages));
	linked2 = calloc(WSET >> 9, 1);
	if (!evs || !mapped || !pages || !linked2) {
		fprintf(stderr, "bench_model: out of memory\n");
		exit(2);
	}
	sc(50, -1, 9, TDR, 0, 0, 0, 0, 0, 0);
	sc(50, -1, 21, TDR, 0, 0, 0, 0, 0, 0);
	for (gfn = 4; gfn >= 3; gfn--) { /* levels 4, 3 cover the set */
		uint64_t pg = (next_page += 0x1000);

		sc(50, -1, 3, (uint64_t)(gfn - 1), TDR, pg, 0, 0, 0, 0);
		spte(50, -1, 1, 0, (int)gfn, NP, NONLEAF | pg);
	}
	sc(50, -1, 17, TDR, 0, 0, 0, 0, 0, 0);
	while (n + 40 < target) {
		unsigned int what = (unsigned int)(rnd() % 100);
		int v = (int)(rnd() % NVCPU);

		gfn = rnd() % WSET;
		if (what < 45) {
			if (!mapped[gfn]) {
				fault(v, gfn);
			} else {
				zap(gfn);
			}
		} else if (what < 60) {
			if (mapped[gfn]) {
				zap(gfn);
			}
		} else if (what < 85) {
			if (!in_guest[v]) {
				entry(v);
			}
			vexit(v, 12, 0, 0, 0);
			entry(v);
		} else {
			mmio(v);
		}
	}
}

/* CPU time of this thread: the figure does not depend on what else the
 * machine runs; wall time is printed too. */
static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double wall(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static unsigned long findings;

static void sink_fn(void *ctx, const struct mdl_finding *f)
{
	(void)ctx;
	if (findings++ < 3) {
		fprintf(stderr, "unexpected finding seq %llu %s: %s\n", (unsigned long long)f->seq,
			mdl_finding_kind_name(f->kind), f->message);
	}
}

int main(int argc, char **argv)
{
	size_t target = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000;
	struct mdl_config cfg = {0};
	struct mdl_sink sink = {sink_fn, NULL};
	struct mdl_model *m;
	struct mdl_vm_info info;
	void *blob;
	size_t len, i;
	double t0, t1, t2, t3, w0, w1, save_ms, load_ms, clone_ms;
	uint64_t mapped_pages = 0, g;

	generate(target);
	m = mdl_new(&cfg);
	w0 = wall();
	t0 = now();
	for (i = 0; i < n; i++) {
		evs[i].seq = i;
		mdl_apply(m, &evs[i], &sink);
	}
	t1 = now();
	w1 = wall();
	mdl_finish(m, &sink);
	mdl_free(m);

	/* resolve + apply, as the engine calls them */
	m = mdl_new(&cfg);
	t2 = now();
	for (i = 0; i < n; i++) {
		evs[i].vm = -1;
		evs[i].vcpu = -1;
		mdl_resolve(m, &evs[i]);
		mdl_apply(m, &evs[i], &sink);
	}
	t3 = now();
	for (g = 0; g < WSET; g++) {
		mapped_pages += pages[g] != 0;
	}
	mdl_vm_info(m, 0, &info);
	{
		struct mdl_model *l, *cl;
		double s0, s1, s2, s3;

		s0 = now();
		if (mdl_save(m, &blob, &len)) {
			return 2;
		}
		s1 = now();
		l = mdl_load(blob, len);
		s2 = now();
		cl = mdl_clone(m);
		s3 = now();
		if (!l || !cl) {
			return 2;
		}
		save_ms = (s1 - s0) * 1e3;
		load_ms = (s2 - s1) * 1e3;
		clone_ms = (s3 - s2) * 1e3;
		mdl_free(l);
		mdl_free(cl);
	}
	printf("events                  %zu\n", n);
	printf("apply_events_per_sec    %.0f\n", (double)n / (t1 - t0));
	printf("resolve_apply_per_sec   %.0f\n", (double)n / (t3 - t2));
	printf("ns_per_event            %.1f (cpu time)\n", (t1 - t0) * 1e9 / (double)n);
	printf("apply_wall_events_per_sec %.0f (wall clock, machine load included)\n",
	       (double)n / (w1 - w0));
	printf("pages_touched           %llu\n", (unsigned long long)mapped_pages);
	printf("model_entries           %llu\n", (unsigned long long)info.nr_entries);
	printf("state_bytes_per_page    %.1f (in memory: mdl_memory() %zu bytes, tables <= 3/4 "
	       "full)\n",
	       (double)mdl_memory(m) / (double)mapped_pages, mdl_memory(m));
	printf("saved_bytes_per_page    %.1f (mdl_save blob %zu bytes)\n",
	       (double)len / (double)mapped_pages, len);
	printf("save_ms                 %.1f (whole state)\n", save_ms);
	printf("load_ms                 %.1f\n", load_ms);
	printf("clone_ms                %.1f\n", clone_ms);
	printf("findings                %lu\n", findings);
	free(blob);
	mdl_free(m);
	free(evs);
	return findings ? 1 : 0;
}
