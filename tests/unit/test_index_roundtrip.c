// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_index_roundtrip.c - an index holds exactly what a
 * straight replay sees: every event (as the model resolved it), every
 * finding with its chain; a replay of the index finds the same; and
 * idx_seek to any seq gives the model a straight replay to that seq has
 * (byte-equal mdl_save), whatever the checkpoint spacing.
 *
 * Traces: tests/traces/ (*.trace), tests/scenarios/NAME/trace.txt, and, when
 * $TDXR_BIN has `synth`, a few synthetic traces.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tdxr/engine.h"
#include "tdxr/index.h"
#include "tdxr/print.h"

#define MAX_TRACES 64

static char *traces[MAX_TRACES];
static unsigned int nr_traces;
static char tmpdir[] = "/tmp/tdxr-idx-test-XXXXXX";

/* ---- what a straight replay saw ---- */

struct seen {
	char **lines;
	size_t nr, cap;
};

static char *render(const struct tdxr_event *ev, const struct tdxr_strtab *st)
{
	char fields[8192], name[128], *out = NULL;

	tdxr_event_fields(ev, st, fields, sizeof(fields));
	if (asprintf(&out,
		     "%llu %u:%u %llu cpu %d tid %d tgid %d vm %d vcpu %d comm '%s' lost %u/%u %s "
		     "%s raw '%s'",
		     (unsigned long long)ev->seq, ev->input, ev->line, (unsigned long long)ev->ts,
		     ev->cpu, ev->tid, ev->tgid, ev->vm, ev->vcpu, tdxr_strtab_get(st, ev->comm),
		     ev->lost_flags, ev->lost, tdxr_event_fullname(ev, st, name, sizeof(name)),
		     fields, ev->type == TDXR_EV_UNMODELLED && ev->raw ? ev->raw : "") < 0) {
		return NULL;
	}
	return out;
}

struct rec_ctx {
	struct seen *seen;
	const struct tdxr_strtab **st;
};

static const struct tdxr_strtab *rec_st;

static void record_after(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m)
{
	struct seen *s = ctx;

	(void)m;
	if (s->nr == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->lines = realloc(s->lines, s->cap * sizeof(char *));
		assert_non_null(s->lines);
	}
	s->lines[s->nr] = render(ev, rec_st);
	assert_non_null(s->lines[s->nr]);
	s->nr++;
}

/* rec_st must be the strtab the replay interns into: rpl_run creates it
 * before the first event; the hook reads it through this pointer. */
static struct rpl_result *rec_res;

static void record_after_res(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m)
{
	rec_st = rec_res->st;
	record_after(ctx, ev, m);
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		free(s->lines[i]);
	}
	free(s->lines);
	memset(s, 0, sizeof(*s));
}

static void straight_replay(const char *path, struct seen *seen, struct rpl_result *res)
{
	struct rpl_opts o;
	char *in[1] = {(char *)path};
	char err[1024];

	rpl_opts_init(&o);
	o.after = seen ? record_after_res : NULL;
	o.hook_ctx = seen;
	rec_res = res;
	assert_int_equal(rpl_run(in, 1, &o, res, err, sizeof(err)), 0);
}

static void model_blob_to(const char *path, uint64_t seq, void **blob, size_t *len)
{
	struct rpl_opts o;
	struct rpl_result res;
	char *in[1] = {(char *)path};
	char err[1024];

	rpl_opts_init(&o);
	if (seq == UINT64_MAX) {
		struct mdl_config cfg = {0};
		struct mdl_model *m = mdl_new(&cfg);

		assert_non_null(m);
		assert_int_equal(mdl_save(m, blob, len), 0);
		mdl_free(m);
		return;
	}
	o.stop_after_seq = seq;
	assert_int_equal(rpl_run(in, 1, &o, &res, err, sizeof(err)), 0);
	assert_int_equal(res.events, seq + 1);
	assert_int_equal(mdl_save(res.model, blob, len), 0);
	rpl_result_free(&res);
}

static void assert_findings_equal(const struct mdl_finding *a, const struct mdl_finding *b)
{
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->ts, b->ts);
	assert_int_equal(a->line, b->line);
	assert_int_equal(a->input, b->input);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->severity, b->severity);
	assert_int_equal(a->vm, b->vm);
	assert_int_equal(a->vcpu, b->vcpu);
	assert_int_equal(a->has_gfn, b->has_gfn);
	if (a->has_gfn) {
		assert_int_equal(a->gfn, b->gfn);
	}
	assert_string_equal(a->expected, b->expected);
	assert_string_equal(a->actual, b->actual);
	assert_string_equal(a->message, b->message);
	assert_int_equal(a->cause_seq, b->cause_seq);
	assert_int_equal(a->nr_chain, b->nr_chain);
	for (uint32_t i = 0; i < a->nr_chain && i < MDL_CHAIN_MAX; i++) {
		assert_int_equal(a->chain[i], b->chain[i]);
	}
}

static void build(const char *trace, const char *db, uint64_t k, unsigned int full_every)
{
	struct idx_build_opts o;
	char *in[1] = {(char *)trace};
	char err[1024];

	idx_build_opts_init(&o);
	o.checkpoint_every = k;
	o.full_every = full_every;
	if (idx_build(in, 1, db, &o, NULL, err, sizeof(err)) != 0) {
		fail_msg("idx_build %s: %s", trace, err);
	}
}

/* ---- tests ---- */

static void test_index_holds_exactly_the_replayed_events_and_findings(void **state)
{
	(void)state;
	for (unsigned int t = 0; t < nr_traces; t++) {
		struct seen seen = {0};
		struct rpl_result res;
		struct idx *ix;
		char db[512], err[1024];

		snprintf(db, sizeof(db), "%s/rt.db", tmpdir);
		straight_replay(traces[t], &seen, &res);
		build(traces[t], db, 64, 4);
		ix = idx_open(db, err, sizeof(err));
		if (!ix) {
			fail_msg("%s: %s", traces[t], err);
		}
		assert_int_equal(idx_nr_events(ix), res.events);
		assert_int_equal(idx_nr_events(ix), seen.nr);
		for (uint64_t s = 0; s < seen.nr; s++) {
			struct tdxr_event ev;
			char *line;

			assert_int_equal(idx_event(ix, s, &ev), 0);
			line = render(&ev, idx_strtab(ix));
			if (strcmp(line, seen.lines[s]) != 0) {
				fail_msg("%s seq %llu:\n index  %s\n replay %s", traces[t],
					 (unsigned long long)s, line, seen.lines[s]);
			}
			free(line);
		}
		{
			struct tdxr_event ev;

			assert_int_equal(idx_event(ix, seen.nr, &ev), -1);
		}
		assert_int_equal(idx_nr_findings(ix), res.nr_findings);
		for (size_t i = 0; i < res.nr_findings; i++) {
			struct mdl_finding f;

			assert_int_equal(idx_finding(ix, i, &f), 0);
			assert_findings_equal(&f, &res.findings[i]);
		}
		idx_close(ix);
		rpl_result_free(&res);
		seen_free(&seen);
	}
}

static void test_replay_of_the_index_finds_what_the_trace_gives(void **state)
{
	(void)state;
	for (unsigned int t = 0; t < nr_traces; t++) {
		struct rpl_result a, b;
		struct rpl_opts o;
		char db[512], err[1024];
		char *in[1] = {db};

		snprintf(db, sizeof(db), "%s/rp.db", tmpdir);
		build(traces[t], db, 1000, 0);
		straight_replay(traces[t], NULL, &a);
		rpl_opts_init(&o);
		if (rpl_run(in, 1, &o, &b, err, sizeof(err)) != 0) {
			fail_msg("replay of the index of %s: %s", traces[t], err);
		}
		assert_int_equal(a.events, b.events);
		assert_int_equal(a.errors, b.errors);
		assert_int_equal(a.warnings, b.warnings);
		assert_int_equal(a.nr_findings, b.nr_findings);
		for (size_t i = 0; i < a.nr_findings; i++) {
			assert_findings_equal(&a.findings[i], &b.findings[i]);
		}
		rpl_result_free(&a);
		rpl_result_free(&b);
	}
}

static void check_seek(struct idx *ix, const char *trace, uint64_t seq)
{
	const struct mdl_model *m = NULL;
	void *want, *got;
	size_t wlen, glen;

	if (idx_seek(ix, seq, &m) != 0) {
		fail_msg("%s: idx_seek(%lld) failed", trace, (long long)seq);
	}
	model_blob_to(trace, seq, &want, &wlen);
	assert_int_equal(mdl_save(m, &got, &glen), 0);
	if (wlen != glen || memcmp(want, got, wlen) != 0) {
		fail_msg("%s: idx_seek(%lld): model differs from a straight replay (%zu vs %zu "
			 "bytes)",
			 trace, (long long)seq, glen, wlen);
	}
	free(want);
	free(got);
}

static void test_seek_gives_the_model_of_a_straight_replay(void **state)
{
	(void)state;
	srand(12345);
	for (unsigned int t = 0; t < nr_traces; t++) {
		/* dense checkpoints with deltas, sparse ones, and none at all */
		static const uint64_t ks[] = {3, 50, 1u << 30};

		for (unsigned int k = 0; k < 3; k++) {
			char db[512], err[1024];
			struct idx *ix;
			uint64_t n;

			snprintf(db, sizeof(db), "%s/sk.db", tmpdir);
			build(traces[t], db, ks[k], 5);
			ix = idx_open(db, err, sizeof(err));
			if (!ix) {
				fail_msg("%s: %s", traces[t], err);
			}
			n = idx_nr_events(ix);
			check_seek(ix, traces[t], UINT64_MAX);
			if (n == 0) {
				idx_close(ix);
				continue;
			}
			check_seek(ix, traces[t], n - 1);
			check_seek(ix, traces[t], 0);
			for (int i = 0; i < 12; i++) {
				uint64_t s = (uint64_t)rand() % n;

				check_seek(ix, traces[t], s);
				/* stepping forward reuses the last model */
				if (s + 1 < n) {
					check_seek(ix, traces[t], s + 1);
				}
			}
			{
				const struct mdl_model *m = NULL;

				assert_int_equal(idx_seek(ix, n, &m), -1);
				assert_null(m);
			}
			idx_close(ix);
		}
	}
}

static void test_navigation_finds_neighbouring_events(void **state)
{
	(void)state;
	for (unsigned int t = 0; t < nr_traces; t++) {
		char db[512], err[1024];
		struct idx *ix;
		uint64_t n;

		snprintf(db, sizeof(db), "%s/nav.db", tmpdir);
		build(traces[t], db, 0, 0);
		ix = idx_open(db, err, sizeof(err));
		assert_non_null(ix);
		n = idx_nr_events(ix);
		/* Walk each vCPU forward from the start and compare with a scan. */
		for (uint64_t s = 0; s < n; s++) {
			struct tdxr_event ev, nx;
			uint64_t next = UINT64_MAX, got;

			assert_int_equal(idx_event(ix, s, &ev), 0);
			if (ev.vcpu < 0) {
				continue;
			}
			for (uint64_t j = s + 1; j < n; j++) {
				assert_int_equal(idx_event(ix, j, &nx), 0);
				if (nx.vcpu == ev.vcpu && nx.vm == ev.vm) {
					next = j;
					break;
				}
			}
			if (next == UINT64_MAX) {
				assert_int_equal(idx_next_vcpu(ix, s, 1, ev.vm, ev.vcpu, &got),
						 IDX_NONE);
			} else {
				assert_int_equal(idx_next_vcpu(ix, s, 1, ev.vm, ev.vcpu, &got),
						 IDX_FOUND);
				assert_int_equal(got, next);
				assert_int_equal(idx_next_vcpu(ix, next, -1, ev.vm, ev.vcpu, &got),
						 0);
				assert_int_equal(got, s);
			}
		}
		for (size_t i = 0; i < idx_nr_findings(ix); i++) {
			struct mdl_finding f;
			uint64_t got;

			assert_int_equal(idx_finding(ix, i, &f), 0);
			if (f.seq > 0) {
				assert_int_equal(idx_next_finding(ix, f.seq - 1, 1, &got), 0);
				assert_int_equal(got, f.seq);
			}
			if (f.has_gfn) {
				assert_int_equal(idx_next_gfn(ix, f.seq, -1, f.vm, f.gfn, &got) ==
								 0 ||
							 f.seq == 0,
						 1);
			}
		}
		idx_close(ix);
	}
}

/* ---- setup ---- */

static void add_trace(const char *p)
{
	if (nr_traces < MAX_TRACES) {
		traces[nr_traces++] = strdup(p);
	}
}

static void add_glob(const char *pattern)
{
	glob_t g;

	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			add_trace(g.gl_pathv[i]);
		}
		globfree(&g);
	}
}

static void add_synth(void)
{
	static const char *const scen[] = {"clean", "tlb-not-tracked", "busy-retry", "lost-events"};
	const char *bin = getenv("TDXR_BIN");
	char cmd[2048], out[600];

	if (!bin) {
		return;
	}
	snprintf(cmd, sizeof(cmd), "'%s' help synth >/dev/null 2>&1", bin);
	if (system(cmd) != 0) {
		return;
	}
	for (unsigned int i = 0; i < sizeof(scen) / sizeof(scen[0]); i++) {
		snprintf(out, sizeof(out), "%s/synth-%s.trace", tmpdir, scen[i]);
		snprintf(cmd, sizeof(cmd),
			 "'%s' synth -o '%s' --events 1500 --seed %u %s >/dev/null 2>&1", bin, out,
			 7 + i, scen[i]);
		if (system(cmd) == 0) {
			add_trace(out);
		}
	}
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir)) {
		return -1;
	}
	add_glob(TDXR_TESTS_DIR "/traces/*.trace");
	add_glob(TDXR_TESTS_DIR "/scenarios/*/trace.txt");
	add_synth();
	return nr_traces ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0) {
		return -1;
	}
	for (unsigned int i = 0; i < nr_traces; i++) {
		free(traces[i]);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_holds_exactly_the_replayed_events_and_findings),
		cmocka_unit_test(test_replay_of_the_index_finds_what_the_trace_gives),
		cmocka_unit_test(test_seek_gives_the_model_of_a_straight_replay),
		cmocka_unit_test(test_navigation_finds_neighbouring_events),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
