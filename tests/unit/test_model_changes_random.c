// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_model_changes_random.c - incremental snapshots
 * (mdl_save_changes / mdl_load_changes) against randomized traces.
 *
 * A model made with track_changes follows a generated trace (the event
 * generator of test_model_gen.h: two TDs, injected faults, mutations,
 * garbage events). At random points it writes a full snapshot
 * or the changes since the previous one; a second model follows only
 * those blobs. After each snapshot both must save byte-equal (a slot
 * written through a pointer that did not mark it touched shows up here),
 * and a clone of the restored model fed the same events must stay equal
 * to the original too (state that a snapshot misses but replay needs).
 * mdl_check() and mdl_query_gfn() on the original must not change that.
 *
 * A mismatch names the seed, the event, the first differing byte of the
 * two saves and what lies there (table, element key, field).
 *
 * Environment: MCR_SEEDS / MCR_GARBAGE_SEEDS override the seed counts,
 * MCR_SEED=s runs one trace seed, MCR_VERBOSE prints each snapshot,
 * MCR_STATS the totals, TB_DUMP=s the events of trace seed s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_model_gen.h"
/* only to name the element and field where two saves differ */
#include "../../replay/model/model_int.h"

/* ---- naming a byte of a saved model (diagnostics) --------------------- */

struct fld {
	const char *name;
	size_t off, size;
};

/* clang-format off */
#define FLD(type, f) {#f, offsetof(struct type, f), sizeof(((struct type *)0)->f)}
/* clang-format on */

static const struct fld ent_flds[] = {
	FLD(mdl_ent, key),	 FLD(mdl_ent, spte),	   FLD(mdl_ent, sept),
	FLD(mdl_ent, flags),	 FLD(mdl_ent, nhist),	   FLD(mdl_ent, children),
	FLD(mdl_ent, sync_seq),	 FLD(mdl_ent, hist),	   FLD(mdl_ent, below),
	FLD(mdl_ent, prev),	 FLD(mdl_ent, pfn),	   FLD(mdl_ent, bepoch),
	FLD(mdl_ent, block_seq), FLD(mdl_ent, poison_seq), {NULL, 0, 0},
};

static const struct fld page_flds[] = {
	FLD(mdl_page, key),  FLD(mdl_page, gfn),   FLD(mdl_page, seq), FLD(mdl_page, owner),
	FLD(mdl_page, type), FLD(mdl_page, level), {NULL, 0, 0},
};

/* The fields of @f that overlap word @w, "a/b" (or "word N"). */
static void word_name(char *out, size_t n, const struct fld *f, uint64_t w)
{
	size_t len = 0;

	out[0] = 0;
	for (; f && f->name; f++) {
		if (f->off < w * 8 + 8 && f->off + f->size > w * 8 && len + 32 < n) {
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "/" : "",
						f->name);
		}
	}
	if (!len) {
		snprintf(out, n, "word %llu", (unsigned long long)w);
	}
}

struct blob_rd {
	const uint8_t *p;
	size_t len, off, target;
	char *out;
	size_t n;
	bool done;
};

static uint64_t brd_u64(struct blob_rd *r)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	while (r->off < r->len && shift < 64) {
		uint8_t c = r->p[r->off++];

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			return v;
		}
		shift += 7;
	}
	r->done = true;
	if (!r->out[0]) {
		snprintf(r->out, r->n, "past the end of a truncated blob");
	}
	return 0;
}

/* @nw words named by @f; says which when the target byte is in one. */
static void brd_words(struct blob_rd *r, const char *what, uint64_t nw, const struct fld *f)
{
	uint64_t w;

	for (w = 0; w < nw && !r->done; w++) {
		size_t at = r->off;
		uint64_t v = brd_u64(r);
		char name[96];

		if (!r->done && r->target >= at && r->target < r->off) {
			word_name(name, sizeof(name), f, w);
			/* a cut message is still a useful one */
			if (snprintf(r->out, r->n, "%s, %s (value here 0x%llx)", what, name,
				     (unsigned long long)v) >= (int)r->n) {
				r->out[r->n - 1] = '\0';
			}
			r->done = true;
		}
	}
}

static void brd_tab(struct blob_rd *r, const char *what, uint64_t esz, const struct fld *f)
{
	size_t at = r->off;
	uint64_t lg = brd_u64(r), count = brd_u64(r), i;
	char el[160];

	if (!r->done && r->target < r->off) {
		snprintf(r->out, r->n, "%s: header (log2 cap + 1 = %llu, count %llu)", what,
			 (unsigned long long)lg, (unsigned long long)count);
		r->done = true;
		return;
	}
	(void)at;
	for (i = 0; i < count && !r->done; i++) {
		size_t start = r->off;
		uint64_t d = brd_u64(r), key;
		size_t kat = r->off;

		key = brd_u64(r);
		snprintf(el, sizeof(el), "%s element %llu (key 0x%llx, probe distance %llu)", what,
			 (unsigned long long)i, (unsigned long long)key, (unsigned long long)d);
		if (!r->done && r->target >= start && r->target < r->off) {
			snprintf(r->out, r->n, "%s, %s", el, r->target < kat ? "distance" : "key");
			r->done = true;
			return;
		}
		r->off = kat;
		brd_words(r, el, esz / 8, f);
	}
}

/* Names what lies at byte @target of a full blob (mdl_save). */
static void blob_locate(const void *blob, size_t len, size_t target, char *out, size_t n)
{
	struct blob_rd r = {blob, len, 8, target, out, n, false};
	uint64_t nw, nvms, i, nv;
	char what[64];

	out[0] = 0;
	if (target < 8) {
		snprintf(out, n, "magic");
		return;
	}
	nw = brd_u64(&r);
	brd_words(&r, "global state", nw, NULL);
	brd_tab(&r, "pages", sizeof(struct mdl_page), page_flds);
	brd_tab(&r, "tids", sizeof(struct mdl_tid), NULL);
	brd_tab(&r, "addrs", sizeof(struct mdl_addr), NULL);
	brd_tab(&r, "cpus", sizeof(struct mdl_cpu), NULL);
	nvms = brd_u64(&r);
	for (i = 0; i < nvms && !r.done; i++) {
		snprintf(what, sizeof(what), "vm[%llu] state", (unsigned long long)i);
		brd_words(&r, what, sizeof(struct mdl_vm_state) / 8, NULL);
		nv = brd_u64(&r);
		snprintf(what, sizeof(what), "vm[%llu] vcpus", (unsigned long long)i);
		brd_words(&r, what, nv * (sizeof(struct mdl_vcpu) / 8), NULL);
		snprintf(what, sizeof(what), "vm[%llu] ents", (unsigned long long)i);
		brd_tab(&r, what, sizeof(struct mdl_ent), ent_flds);
	}
	if (!out[0]) {
		snprintf(out, n, "a VM count or table header");
	}
}

/* ---- snapshots along the trace ---------------------------------------- */

struct chk {
	struct gen *g;
	uint64_t seed;
	uint64_t rng; /* the schedule's own generator (not the trace's) */
	unsigned int max_gap;
	struct mdl_model *orig; /* tracks changes */
	struct mdl_model *rest; /* follows the blobs only */
	struct mdl_model *fork; /* a restored copy fed the events itself */
	unsigned int fork_left; /* snapshots it lives on */
	size_t fork_from;
	bool verbose;
	/* statistics */
	unsigned long snaps, fulls, forks, checks, queries, findings;
	size_t chg_bytes, full_bytes;
};

static uint64_t srnd(struct chk *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

static void count_sink(void *ctx, const struct mdl_finding *f)
{
	struct chk *c = ctx;

	(void)f;
	c->findings++;
}

static void feed(struct chk *c, struct mdl_model *m, const struct tdxr_event *src, size_t i)
{
	struct mdl_sink sink = {count_sink, c};
	struct tdxr_event ev = *src;

	ev.seq = i;
	ev.line = (uint32_t)i + 1;
	mdl_resolve(m, &ev);
	mdl_apply(m, &ev, m == c->orig ? &sink : NULL);
}

/* mdl_save(@m) must equal mdl_save(orig) byte for byte. */
static void expect_equal(struct chk *c, const struct mdl_model *m, const char *what, size_t at)
{
	void *a, *b;
	size_t la, lb, i, n;

	assert_int_equal(mdl_save(c->orig, &a, &la), 0);
	assert_int_equal(mdl_save(m, &b, &lb), 0);
	if (la != lb || memcmp(a, b, la)) {
		char wa[256], wb[256];

		n = la < lb ? la : lb;
		for (i = 0; i < n && ((uint8_t *)a)[i] == ((uint8_t *)b)[i]; i++) {
		}
		blob_locate(a, la, i, wa, sizeof(wa));
		blob_locate(b, lb, i, wb, sizeof(wb));
		fail_msg("seed %llu: %s model differs from the original after event %zu: first "
			 "differing byte at offset %zu (lengths %zu / %zu)\n  original: %s\n  "
			 "%s: %s",
			 (unsigned long long)c->seed, what, at, i, la, lb, wa, what, wb);
	}
	free(a);
	free(b);
}

/* The views of a few gfns of every VM agree between orig and @m. */
static void expect_same_views(struct chk *c, const struct mdl_model *m, size_t at)
{
	unsigned int k, j;

	for (k = 0; k < 2; k++) {
		for (j = 0; j < 4; j++) {
			const struct gvm *vm = &c->g->vm[k];
			uint64_t gfn = vm->pages[srnd(c) % NPAGES].gfn;
			struct mdl_gfn_view va, vb;
			int ra, rb;

			memset(&va, 0, sizeof(va));
			memset(&vb, 0, sizeof(vb));
			ra = mdl_query_gfn(c->orig, vm->id, gfn, &va);
			rb = mdl_query_gfn(m, vm->id, gfn, &vb);
			if (ra != rb || memcmp(&va, &vb, sizeof(va))) {
				fail_msg("seed %llu: view of vm %d gfn 0x%llx differs after event "
					 "%zu",
					 (unsigned long long)c->seed, vm->id,
					 (unsigned long long)gfn, at);
			}
		}
	}
}

static void snapshot(struct chk *c, size_t at)
{
	void *blob;
	size_t len;

	c->snaps++;
	if (c->fork) {
		expect_equal(c, c->fork, "forked (restored, then fed the events)", at);
		if (!--c->fork_left) {
			mdl_free(c->fork);
			c->fork = NULL;
		}
	}
	if (srnd(c) % 8 == 0) {
		c->fulls++;
		assert_int_equal(mdl_save(c->orig, &blob, &len), 0);
		mdl_changes_clear(c->orig);
		mdl_free(c->rest);
		c->rest = mdl_load(blob, len);
		assert_non_null(c->rest);
		mdl_set_strtab(c->rest, c->g->st);
		c->full_bytes += len;
	} else {
		int ret;

		assert_int_equal(mdl_save_changes(c->orig, &blob, &len), 0);
		ret = mdl_load_changes(c->rest, blob, len);
		if (ret) {
			fail_msg("seed %llu: mdl_load_changes after event %zu returned %d",
				 (unsigned long long)c->seed, at, ret);
		}
		c->chg_bytes += len;
	}
	if (c->verbose) {
		fprintf(stderr, "seed %llu snapshot after %zu: %s %zu bytes\n",
			(unsigned long long)c->seed, at,
			memcmp(blob, "TDXRCHG1", 8) ? "full" : "changes", len);
	}
	free(blob);
	expect_equal(c, c->rest, "restored", at);
	if (srnd(c) % 4 == 0) {
		expect_same_views(c, c->rest, at);
	}
	if (!c->fork && srnd(c) % 3 == 0) {
		c->forks++;
		c->fork = mdl_clone(c->rest);
		assert_non_null(c->fork);
		c->fork_left = 1 + (unsigned int)(srnd(c) % 3);
		c->fork_from = at + 1;
	}
}

/* Read-only calls on the original between snapshots. */
static void probe(struct chk *c)
{
	unsigned int what = (unsigned int)(srnd(c) % 32);
	struct mdl_gfn_view v;
	struct mdl_vm_info vi;
	struct mdl_coverage cov;

	if (what == 0) {
		c->checks++;
		assert_int_equal(mdl_check(c->orig), 0);
	} else if (what < 4) {
		const struct gvm *vm = &c->g->vm[srnd(c) % 2];
		uint64_t gfn = vm->pages[srnd(c) % NPAGES].gfn;

		c->queries++;
		switch (what) {
		case 1:
			mdl_query_gfn(c->orig, vm->id, gfn, &v);
			break;
		case 2: /* its shared alias, an MMIO gfn, or a VM never seen */
			mdl_query_gfn(c->orig, vm->id, gfn | TB_SHARED_GFN, &v);
			mdl_query_gfn(c->orig, vm->id, 0xfe000 + srnd(c) % NPAGES, &v);
			mdl_query_gfn(c->orig, -1, gfn, &v);
			break;
		default:
			mdl_coverage(c->orig, &cov);
			(void)mdl_memory(c->orig);
			(void)mdl_check_failures(c->orig);
			if (mdl_nr_vms(c->orig)) {
				mdl_vm_info(c->orig, (unsigned int)(srnd(c) % mdl_nr_vms(c->orig)),
					    &vi);
			}
			break;
		}
	}
}

static void run_stream(struct chk *c, const struct tdxr_event *evs, size_t n)
{
	static const int profiles[] = {0, 616, 619};
	struct mdl_config cfg = {
		.st = c->g->st,
		.track_changes = true,
		.kernel_profile = profiles[c->seed / 5 % 3],
		.gpaw = c->seed % 7 == 3 ? 52 : 0,
		.check_every = c->seed % 11 == 5 ? 50 : 0,
	};
	struct mdl_config plain = cfg;
	struct mdl_sink sink = {count_sink, c};
	struct mdl_model *fin;
	unsigned int gap;
	size_t i;

	c->orig = mdl_new(&cfg);
	assert_non_null(c->orig);
	/* The first changes are "since the model was made". */
	plain.track_changes = false;
	c->rest = mdl_new(&plain);
	assert_non_null(c->rest);
	c->fork = NULL;
	expect_equal(c, c->rest, "new", 0);
	gap = 1 + (unsigned int)(srnd(c) % c->max_gap);
	for (i = 0; i < n; i++) {
		feed(c, c->orig, &evs[i], i);
		if (c->fork) {
			feed(c, c->fork, &evs[i], i);
		}
		probe(c);
		if (!--gap) {
			snapshot(c, i);
			gap = 1 + (unsigned int)(srnd(c) % c->max_gap);
		}
	}
	/* The end of the trace: what mdl_finish() writes is snapshotted too,
	 * and a restored copy finishes the same way. */
	snapshot(c, n);
	fin = mdl_clone(c->rest);
	assert_non_null(fin);
	mdl_finish(c->orig, &sink);
	mdl_finish(fin, NULL);
	if (c->fork) {
		mdl_finish(c->fork, NULL);
	}
	snapshot(c, n);
	expect_equal(c, fin, "restored and finished", n);
	assert_int_equal(mdl_check(c->orig), 0);
	assert_int_equal(mdl_check(c->rest), 0);
	assert_int_equal(mdl_check_failures(c->orig), 0);
	mdl_free(fin);
	mdl_free(c->fork);
	mdl_free(c->rest);
	mdl_free(c->orig);
	c->fork = c->rest = c->orig = NULL;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

static void chk_init(struct chk *c, struct gen *g, uint64_t seed)
{
	static const unsigned int gaps[] = {1, 3, 16, 64, 400};

	c->g = g;
	c->seed = seed;
	c->rng = seed * 0xd1b54a32d192ed03ull + 7;
	c->max_gap = gaps[seed % 5];
	c->verbose = getenv("MCR_VERBOSE") != NULL;
}

static void print_stats(const char *name, const struct chk *c, unsigned long seeds)
{
	if (getenv("MCR_STATS")) {
		fprintf(stderr,
			"%s: %lu seeds, %lu snapshots (%lu full), %lu forks, %lu checks, %lu "
			"queries, %lu findings, %zu change bytes, %zu full bytes\n",
			name, seeds, c->snaps, c->fulls, c->forks, c->checks, c->queries,
			c->findings, c->chg_bytes, c->full_bytes);
	}
}

/* Fewer seeds under ASan (about 4x slower): the normal build runs all. */
#if defined(__SANITIZE_ADDRESS__)
#define MCR_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MCR_SANITIZED 1
#endif
#endif
#ifdef MCR_SANITIZED
#define TRACE_SEEDS 120
#define GARBAGE_SEEDS 8
#else
#define TRACE_SEEDS 320
#define GARBAGE_SEEDS 24
#endif

/*
 * Clean traces, traces with each kind of fault injected, and mutated
 * ones (an event dropped, duplicated or swapped with the next).
 */
static void test_changes_replay_generated_traces_byte_equal(void **state)
{
	struct gen *g = gen_new();
	struct tdxr_event *mut = calloc(MAX_EVENTS + 1, sizeof(*mut));
	unsigned long nseeds = env_ul("MCR_SEEDS", TRACE_SEEDS), one = env_ul("MCR_SEED", 0);
	struct chk c;
	uint64_t seed, first = one ? one : 1, last = one ? one : nseeds;

	(void)state;
	memset(&c, 0, sizeof(c));
	for (seed = first; seed <= last; seed++) {
		unsigned int kind = (unsigned int)(seed % 4);
		enum inj inj =
			kind == 1 || kind == 2
				? (enum inj)(1 + (seed / 4 * 2 + kind - 1) % (INJ__COUNT - 1))
				: INJ_NONE;
		size_t n = generate(g, seed, inj), at, m = n;
		const struct tdxr_event *evs = g->evs;

		if (getenv("TB_DUMP") && strtoull(getenv("TB_DUMP"), NULL, 0) == seed) {
			dump_events(g->evs, n);
		}
		chk_init(&c, g, seed);
		if (kind == 3) {
			at = (size_t)(g->rng % n);
			switch (seed / 4 % 3) {
			case 0: /* drop */
				memcpy(mut, g->evs, at * sizeof(*mut));
				memcpy(mut + at, g->evs + at + 1, (n - at - 1) * sizeof(*mut));
				m = n - 1;
				break;
			case 1: /* duplicate */
				memcpy(mut, g->evs, (at + 1) * sizeof(*mut));
				memcpy(mut + at + 1, g->evs + at, (n - at) * sizeof(*mut));
				m = n + 1;
				break;
			default: /* swap with the next */
				memcpy(mut, g->evs, n * sizeof(*mut));
				if (at + 1 < n) {
					struct tdxr_event tmp = mut[at];

					mut[at] = mut[at + 1];
					mut[at + 1] = tmp;
				}
				break;
			}
			evs = mut;
		}
		run_stream(&c, evs, m);
	}
	print_stats("traces", &c, (unsigned long)(last - first + 1));
	assert_true(c.snaps > c.fulls && c.fulls > 0 && c.forks > 0 && c.findings > 0);
	free(mut);
	gen_free(g);
}

/* Arbitrary field values in every event type (as test_model_random.c's
 * garbage test): many VMs, odd pages, every error path. */
static void test_changes_replay_garbage_events_byte_equal(void **state)
{
	struct gen *g = gen_new();
	unsigned long nseeds = env_ul("MCR_GARBAGE_SEEDS", GARBAGE_SEEDS);
	struct chk c;
	uint64_t seed;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(g->vm, 0, sizeof(g->vm));
	for (seed = 1; seed <= nseeds; seed++) {
		size_t i, n = 3000 + seed * 97 % 3000;

		g->rng = 12345 + seed;
		for (i = 0; i < n; i++) {
			struct tdxr_event *ev = &g->evs[i];
			unsigned int j;

			memset(ev, 0, sizeof(*ev));
			ev->type = (uint16_t)rn(g, TDXR_EV__COUNT + 2);
			ev->tid = (int32_t)rn(g, 12) - 1;
			ev->tgid = rn(g, 4) ? -1 : (int32_t)rn(g, 4);
			ev->vm = rn(g, 3) ? -1 : (int32_t)rn(g, 5) - 1;
			ev->vcpu = -1;
			ev->cpu = (int32_t)rn(g, 6) - 1;
			ev->ts = rnd(g) % 1000000;
			ev->fmask = (uint16_t)rnd(g);
			ev->lost_flags = rn(g, 500) ? 0 : 1;
			for (j = 0; j < TDXR_MAX_FIELDS; j++) {
				switch (rn(g, 4)) {
				case 0:
					ev->f[j] = rn(g, 8);
					break;
				case 1:
					ev->f[j] = rnd(g);
					break;
				case 2:
					ev->f[j] = (rnd(g) & 0xfff000) | rn(g, 6);
					break;
				default:
					ev->f[j] = TB_LEAF_SPTE | (rnd(g) & 0xfff000);
					break;
				}
			}
			if (ev->type == TDXR_EV_TDX_SEAMCALL) {
				static const uint64_t leaves[] = {0,  2,  3,  6,  7,  9,  17, 19,
								  20, 21, 28, 29, 30, 38, 41};

				ev->f[TDXR_F_TDX_SEAMCALL_leaf] = leaves[rn(g, 15)];
			}
		}
		chk_init(&c, g, 100000 + seed);
		/* query the VM ids the garbage uses */
		g->vm[0].id = (int32_t)(seed % 4);
		g->vm[1].id = -1;
		run_stream(&c, g->evs, n);
	}
	print_stats("garbage", &c, nseeds);
	assert_true(c.snaps > c.fulls && c.forks > 0);
	gen_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes_replay_generated_traces_byte_equal),
		cmocka_unit_test(test_changes_replay_garbage_events_byte_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
