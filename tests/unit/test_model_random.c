// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_model_random.c - randomized traces against the model.
 *
 * The generator follows KVM's call order (docs/tdx.md §1.5, §2.2) with its
 * own small bookkeeping (mapped gfns, linked page tables, vCPUs inside)
 * and never calls the model to decide what to emit: two TDs, several
 * vCPUs, private and shared faults, conversions, zaps with kicks, BUSY
 * with the single no-vCPU retry, MMIO, teardown.
 *
 *  1. every clean trace gives zero error findings;
 *  2. each fault kind injected once gives exactly that finding at the
 *     injected event (100% detection required);
 *  3. mutations (drop / duplicate / swap one event, truncate) never crash;
 *     dropping or duplicating an S-EPT-changing event is always detected,
 *     and a truncated clean trace stays clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_model_gen.h"

static const unsigned int inj_kind[INJ__COUNT] = {
	[INJ_STATUS_MISMATCH] = MDL_FK_STATUS_MISMATCH,
	[INJ_SPTE_MISMATCH] = MDL_FK_SPTE_MISMATCH,
	[INJ_MIRROR_DESYNC] = MDL_FK_MIRROR_DESYNC,
	[INJ_REMOVE_NOT_BLOCKED] = MDL_FK_REMOVE_NOT_BLOCKED,
	[INJ_TLB_NOT_TRACKED] = MDL_FK_TLB_NOT_TRACKED,
	[INJ_ALIAS] = MDL_FK_PRIVATE_SHARED_ALIAS,
	[INJ_MMIO_SVE] = MDL_FK_MMIO_SUPPRESS_VE,
	[INJ_PENDING_ACCESS] = MDL_FK_PENDING_ACCESS,
	[INJ_BUSY_RETRY] = MDL_FK_BUSY_RETRY,
	[INJ_EPOCH_BUSY] = MDL_FK_EPOCH_BUSY,
	[INJ_RECLAIM] = MDL_FK_RECLAIM,
	[INJ_ZERO_STEP] = MDL_FK_ZERO_STEP,
	[INJ_KVM_BUG] = MDL_FK_KVM_BUG,
	[INJ_LOST] = MDL_FK_LOST_EVENTS,
	[INJ_ORDER] = MDL_FK_ORDER,
};

struct run {
	struct tb_finding f[TB_MAX_FINDINGS];
	unsigned int nf;
	unsigned int errors;
};

static void run_sink(void *ctx, const struct mdl_finding *f)
{
	struct run *r = ctx;

	if (getenv("TB_VERBOSE")) {
		fprintf(stderr, "  seq %llu %s: %s\n", (unsigned long long)f->seq,
			mdl_finding_kind_name(f->kind), f->message);
	}
	r->errors += f->severity == MDL_SEV_ERROR;
	if (r->nf < TB_MAX_FINDINGS) {
		r->f[r->nf].seq = f->seq;
		r->f[r->nf].kind = f->kind;
		r->f[r->nf].severity = f->severity;
		r->nf++;
	}
}

static void replay(struct gen *g, const struct tdxr_event *evs, size_t n, struct run *r)
{
	struct mdl_config cfg = {.st = g->st};
	struct mdl_sink sink = {run_sink, r};
	struct mdl_model *m = mdl_new(&cfg);
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++) {
		struct tdxr_event ev = evs[i];

		ev.seq = i;
		ev.line = (uint32_t)i + 1;
		mdl_resolve(m, &ev);
		if (getenv("TB_TRACE_RESOLVE")) {
			fprintf(stderr, "%zu: type %u tid %d -> vm %d vcpu %d\n", i, ev.type,
				ev.tid, ev.vm, ev.vcpu);
		}
		mdl_apply(m, &ev, &sink);
	}
	mdl_finish(m, &sink);
	assert_int_equal(mdl_check(m), 0);
	mdl_free(m);
}

#define CLEAN_SEEDS 600

static void test_clean_random_traces_have_no_errors(void **state)
{
	struct gen *g = gen_new();
	struct run r;
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= CLEAN_SEEDS; seed++) {
		size_t n = generate(g, seed, INJ_NONE);

		if (getenv("TB_DUMP") && atoi(getenv("TB_DUMP")) == (int)seed) {
			dump_events(g->evs, n);
		}
		replay(g, g->evs, n, &r);
		if (r.errors || r.nf) {
			fprintf(stderr, "seed %llu: %u findings, first %s at %llu\n",
				(unsigned long long)seed, r.nf, mdl_finding_kind_name(r.f[0].kind),
				(unsigned long long)r.f[0].seq);
		}
		assert_int_equal(r.nf, 0);
	}
	gen_free(g);
}

static void test_each_injected_fault_is_found_at_its_event(void **state)
{
	struct gen *g = gen_new();
	struct run r;
	uint64_t seed;
	unsigned int inj, done = 0;

	(void)state;
	for (seed = 1; seed <= 30; seed++) {
		for (inj = 1; inj < INJ__COUNT; inj++) {
			size_t n = generate(g, seed * 31 + inj, (enum inj)inj);
			unsigned int i;
			bool found = false;

			if (!g->injected) {
				continue; /* no opportunity in this trace */
			}
			replay(g, g->evs, n, &r);
			for (i = 0; i < r.nf; i++) {
				found |= r.f[i].kind == inj_kind[inj] && r.f[i].seq == g->inj_idx;
			}
			if (!found) {
				fprintf(stderr,
					"seed %llu injection %s at %zu not found (%u findings)\n",
					(unsigned long long)(seed * 31 + inj),
					mdl_finding_kind_name(inj_kind[inj]), g->inj_idx, r.nf);
				for (i = 0; i < r.nf && i < 5; i++) {
					fprintf(stderr, "  %s at %llu\n",
						mdl_finding_kind_name(r.f[i].kind),
						(unsigned long long)r.f[i].seq);
				}
			}
			assert_true(found);
			done++;
		}
	}
	/* every kind got its chances */
	assert_true(done >= 30 * (INJ__COUNT - 1) * 8 / 10);
	gen_free(g);
}

static void test_mutated_traces_never_crash_and_lost_state_is_found(void **state)
{
	struct gen *g = gen_new();
	struct tdxr_event *mut = calloc(MAX_EVENTS + 1, sizeof(*mut));
	struct run r;
	uint64_t seed;
	unsigned int detected = 0, critical = 0;

	(void)state;
	for (seed = 1000; seed < 1000 + 400; seed++) {
		size_t n = generate(g, seed, INJ_NONE), at, i;
		unsigned int kind = (unsigned int)(seed % 4);

		at = (size_t)(g->rng % n);
		if (getenv("TB_SEEDS")) {
			fprintf(stderr, "mutation seed %llu kind %u at %zu type %u\n",
				(unsigned long long)seed, kind, at, g->evs[at].type);
		}
		switch (kind) {
		case 0: /* drop */
			memcpy(mut, g->evs, at * sizeof(*mut));
			memcpy(mut + at, g->evs + at + 1, (n - at - 1) * sizeof(*mut));
			if (getenv("TB_DUMP") && atoi(getenv("TB_DUMP")) == (int)seed) {
				dump_events(mut, n - 1);
			}
			replay(g, mut, n - 1, &r);
			break;
		case 1: /* duplicate */
			memcpy(mut, g->evs, (at + 1) * sizeof(*mut));
			memcpy(mut + at + 1, g->evs + at, (n - at) * sizeof(*mut));
			replay(g, mut, n + 1, &r);
			break;
		case 2: /* swap with the next */
			memcpy(mut, g->evs, n * sizeof(*mut));
			if (at + 1 < n) {
				struct tdxr_event tmp = mut[at];

				mut[at] = mut[at + 1];
				mut[at + 1] = tmp;
			}
			replay(g, mut, n, &r);
			break;
		default: /* truncate: a clean prefix stays clean */
			replay(g, g->evs, at, &r);
			assert_int_equal(r.errors, 0);
			break;
		}
		if (kind <= 1 && g->critical[at]) {
			critical++;
			detected += r.nf > 0;
			if (!r.nf) {
				fprintf(stderr, "seed %llu: %s of event %zu (type %u) undetected\n",
					(unsigned long long)seed, kind ? "duplicate" : "drop", at,
					g->evs[at].type);
			}
			assert_true(r.nf > 0);
		}
		/* the same mutation announced as lost events: a warning */
		if (kind == 0 && at < n - 1) {
			memcpy(mut, g->evs, at * sizeof(*mut));
			memcpy(mut + at, g->evs + at + 1, (n - at - 1) * sizeof(*mut));
			mut[at].lost_flags = TDXR_LOST_COUNTED;
			mut[at].lost = 1;
			replay(g, mut, n - 1, &r);
			for (i = 0; i < r.nf; i++) {
				if (r.f[i].kind == MDL_FK_LOST_EVENTS) {
					break;
				}
			}
			assert_true(i < r.nf);
		}
	}
	assert_int_equal(detected, critical);
	free(mut);
	gen_free(g);
}

/* Arbitrary field values in every event type: never a crash, the model
 * stays consistent, save/load still round-trips. */
static void test_garbage_events_never_crash(void **state)
{
	struct gen *g = gen_new();
	struct mdl_config cfg = {.st = g->st, .check_every = 5000};
	struct mdl_model *m = mdl_new(&cfg), *m2;
	struct run r;
	struct mdl_sink sink = {run_sink, &r};
	uint64_t i;
	void *blob;
	size_t len;

	(void)state;
	memset(&r, 0, sizeof(r));
	g->rng = 12345;
	for (i = 0; i < 200000; i++) {
		struct tdxr_event ev;
		unsigned int j;

		memset(&ev, 0, sizeof(ev));
		ev.seq = i;
		ev.type = (uint16_t)rn(g, TDXR_EV__COUNT + 2);
		ev.tid = (int32_t)rn(g, 12) - 1;
		ev.tgid = rn(g, 4) ? -1 : (int32_t)rn(g, 4);
		ev.vm = rn(g, 3) ? -1 : (int32_t)rn(g, 5) - 1;
		ev.vcpu = -1;
		ev.cpu = (int32_t)rn(g, 6) - 1;
		ev.ts = rnd(g) % 1000000;
		ev.fmask = (uint16_t)rnd(g);
		ev.lost_flags = rn(g, 500) ? 0 : 1;
		for (j = 0; j < TDXR_MAX_FIELDS; j++) {
			switch (rn(g, 4)) {
			case 0:
				ev.f[j] = rn(g, 8);
				break;
			case 1:
				ev.f[j] = rnd(g);
				break;
			case 2:
				ev.f[j] = (rnd(g) & 0xfff000) | rn(g, 6);
				break;
			default:
				ev.f[j] = TB_LEAF_SPTE | (rnd(g) & 0xfff000);
				break;
			}
		}
		if (ev.type == TDXR_EV_TDX_SEAMCALL) {
			static const uint64_t leaves[] = {0,  2,  3,  6,  7,  9,  17, 19,
							  20, 21, 28, 29, 30, 38, 41};

			ev.f[TDXR_F_TDX_SEAMCALL_leaf] = leaves[rn(g, 15)];
		}
		mdl_resolve(m, &ev);
		mdl_apply(m, &ev, &sink);
	}
	mdl_finish(m, &sink);
	assert_int_equal(mdl_check(m), 0);
	assert_int_equal(mdl_check_failures(m), 0);
	assert_int_equal(mdl_save(m, &blob, &len), 0);
	m2 = mdl_load(blob, len);
	assert_non_null(m2);
	assert_int_equal(mdl_check(m2), 0);
	free(blob);
	mdl_free(m2);
	mdl_free(m);
	gen_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_random_traces_have_no_errors),
		cmocka_unit_test(test_each_injected_fault_is_found_at_its_event),
		cmocka_unit_test(test_mutated_traces_never_crash_and_lost_state_is_found),
		cmocka_unit_test(test_garbage_events_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
