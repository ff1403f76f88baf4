// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_explain.c - rpl_explain() (tdxr/explain.h): the target
 * and its first cause, the chain, the history and the account of the
 * bundled KVM_BUG_ON trace; the same explanation from the trace, from
 * its index, and from a finding read out of the index (what the TUI
 * does); nothing to explain; a bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tdxr/explain.h"
#include "tdxr/index.h"

#define TRACE TDXR_TESTS_DIR "/traces/td-tlb-not-tracked.trace"
#define CLEAN TDXR_TESTS_DIR "/scenarios/td-recreated-in-same-process-is-clean/trace.txt"

static char dir[] = "/tmp/tdxr-explain-test-XXXXXX";
static char db[600];

static struct rpl_explanation *explain(const char *input, enum rpl_explain_pick pick, uint64_t seq,
				       size_t index)
{
	struct rpl_explain_target t = {.pick = pick, .seq = seq, .index = index};
	struct rpl_explanation *x = NULL;
	char *in[1] = {(char *)input}, err[1024];
	struct rpl_opts o;

	rpl_opts_init(&o);
	if (rpl_explain(in, 1, &o, &t, &x, err, sizeof(err)) != 0) {
		fail_msg("rpl_explain(%s): %s", input, err);
	}
	assert_non_null(x);
	return x;
}

static bool chain_has(const struct rpl_explanation *x, uint64_t seq)
{
	for (size_t i = 0; i < x->nr_chain; i++) {
		if (x->chain[i] == seq) {
			return true;
		}
	}
	return false;
}

/* Two explanations say the same words. */
static void assert_same(const struct rpl_explanation *a, const struct rpl_explanation *b)
{
	assert_int_equal(a->found, b->found);
	assert_int_equal(a->finding.seq, b->finding.seq);
	assert_string_equal(a->finding.message, b->finding.message);
	assert_int_equal(a->cause.seq, b->cause.seq);
	assert_string_equal(a->cause.message, b->cause.message);
	assert_int_equal(a->cause_is_finding, b->cause_is_finding);
	assert_int_equal(a->nr_chain, b->nr_chain);
	assert_memory_equal(a->chain, b->chain, a->nr_chain * sizeof(uint64_t));
	assert_int_equal(a->nr_steps, b->nr_steps);
	for (size_t i = 0; i < a->nr_steps; i++) {
		assert_int_equal(a->steps[i].ev.seq, b->steps[i].ev.seq);
		assert_int_equal(a->steps[i].ev.line, b->steps[i].ev.line);
		assert_string_equal(a->steps[i].name, b->steps[i].name);
		assert_string_equal(a->steps[i].fields, b->steps[i].fields);
		assert_string_equal(a->steps[i].before, b->steps[i].before);
		assert_string_equal(a->steps[i].after, b->steps[i].after);
		assert_string_equal(a->steps[i].phrase, b->steps[i].phrase);
	}
	assert_string_equal(a->account, b->account);
}

static void test_default_explains_the_kvm_bug_from_its_first_cause(void **state)
{
	struct rpl_explanation *x = explain(TRACE, RPL_EXPLAIN_DEFAULT, 0, 0);
	uint64_t prev = 0;
	size_t in_chain = 0;

	(void)state;
	assert_true(x->found);
	assert_true(x->events > 0);
	assert_string_equal(mdl_finding_kind_name(x->finding.kind), "kvm-bug");
	assert_string_equal(mdl_finding_kind_name(x->cause.kind), "tlb-not-tracked");
	assert_false(x->cause_is_finding);
	assert_int_equal(x->cause.seq, x->finding.cause_seq);
	assert_true(x->cause.seq < x->finding.seq);
	assert_true(x->has_gfn);
	assert_int_equal(x->gfn, 0x8a3f);
	assert_null(x->log); /* the kernel-log account is not computed yet */
	/* the chain: sorted, each seq once, both findings in it */
	for (size_t i = 0; i < x->nr_chain; i++) {
		assert_true(i == 0 || x->chain[i] > prev);
		prev = x->chain[i];
	}
	assert_true(chain_has(x, x->finding.seq));
	assert_true(chain_has(x, x->cause.seq));
	/* the history: in seq order, ends at the finding, flags the chain */
	assert_true(x->nr_steps > 0 && x->nr_steps <= RPL_EXPLAIN_STEPS);
	assert_int_equal(x->steps[x->nr_steps - 1].ev.seq, x->finding.seq);
	for (size_t i = 0; i < x->nr_steps; i++) {
		const struct rpl_explain_step *h = &x->steps[i];

		assert_true(i == 0 || h->ev.seq > x->steps[i - 1].ev.seq);
		assert_int_equal(h->in_chain, chain_has(x, h->ev.seq));
		assert_null(h->ev.raw);
		assert_true(h->name[0] != '\0');
		in_chain += h->in_chain;
	}
	assert_int_equal(in_chain, x->nr_chain);
	/* the account: the steps' phrases in order, then the verdict */
	assert_true(strncmp(x->account, "gfn 0x8a3f was AUGed at line 25; ", 33) == 0);
	assert_non_null(strstr(x->account, "was BLOCKed at line 35"));
	assert_non_null(strstr(x->account, ". First cause: tlb-not-tracked at line 36: "));
	assert_non_null(strstr(x->account, " It led to kvm-bug at line 37."));
	rpl_explanation_free(x);
}

static void test_target_by_seq_and_by_report_index(void **state)
{
	struct rpl_explanation *d = explain(TRACE, RPL_EXPLAIN_DEFAULT, 0, 0);
	struct rpl_explanation *c = explain(TRACE, RPL_EXPLAIN_SEQ, d->cause.seq, 0);
	struct rpl_explanation *i0 = explain(TRACE, RPL_EXPLAIN_INDEX, 0, 0);
	struct rpl_explanation *none = explain(TRACE, RPL_EXPLAIN_SEQ, 1, 0);
	struct rpl_explanation *past = explain(TRACE, RPL_EXPLAIN_INDEX, 0, 1000);

	(void)state;
	/* the first cause explained by itself is its own first cause */
	assert_true(c->found);
	assert_int_equal(c->finding.seq, d->cause.seq);
	assert_true(c->cause_is_finding);
	assert_null(strstr(c->account, "It led to"));
	/* report order: the tlb-not-tracked finding comes first */
	assert_true(i0->found);
	assert_int_equal(i0->finding.seq, d->cause.seq);
	assert_same(i0, c);
	/* no finding there */
	assert_false(none->found);
	assert_false(past->found);
	assert_int_equal(none->events, d->events);
	rpl_explanation_free(d);
	rpl_explanation_free(c);
	rpl_explanation_free(i0);
	rpl_explanation_free(none);
	rpl_explanation_free(past);
}

/*
 * The TUI's way: the index as the input, the finding and its first cause
 * read out of the index, only the second replay. The same words as the
 * trace gives `tdxr explain`.
 */
static void test_index_and_trace_give_the_same_explanation(void **state)
{
	struct rpl_explanation *t = explain(TRACE, RPL_EXPLAIN_DEFAULT, 0, 0);
	struct rpl_explanation *i = explain(db, RPL_EXPLAIN_DEFAULT, 0, 0);
	struct rpl_explanation *v = NULL;
	struct mdl_finding f, cf;
	const struct mdl_finding *cause = &f;
	char *in[1] = {db}, err[1024];
	struct idx *ix = idx_open(db, err, sizeof(err));
	struct rpl_opts o;
	size_t at, k;

	(void)state;
	assert_same(t, i);
	assert_non_null(ix);
	assert_int_equal(idx_finding_at(ix, t->finding.seq, &k, &f), IDX_FOUND);
	if (f.cause_seq < f.seq && idx_finding_at(ix, f.cause_seq, &at, &cf) == IDX_FOUND) {
		cause = rpl_explain_cause(&cf, 1, &f);
	}
	assert_true(cause != &f);
	rpl_opts_init(&o);
	idx_replay_opts(ix, &o);
	if (rpl_explain_finding(in, 1, &o, &f, cause, &v, err, sizeof(err)) != 0) {
		fail_msg("rpl_explain_finding: %s", err);
	}
	assert_int_equal(v->events, 0);
	assert_same(t, v);
	idx_close(ix);
	rpl_explanation_free(t);
	rpl_explanation_free(i);
	rpl_explanation_free(v);
}

static void test_clean_trace_has_nothing_to_explain(void **state)
{
	struct rpl_explanation *x = explain(CLEAN, RPL_EXPLAIN_DEFAULT, 0, 0);

	(void)state;
	assert_false(x->found);
	assert_true(x->events > 0);
	assert_null(x->steps);
	assert_null(x->account);
	rpl_explanation_free(x);
	rpl_explanation_free(NULL);
}

static void test_bad_input_is_an_error_naming_it(void **state)
{
	struct rpl_explain_target t = {.pick = RPL_EXPLAIN_DEFAULT};
	struct rpl_explanation *x = (struct rpl_explanation *)1;
	char p[700], *in[1] = {p}, err[1024] = "";
	struct rpl_opts o;
	FILE *f;

	(void)state;
	snprintf(p, sizeof(p), "%s/bad.trace", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("this is not a trace\n", f);
	fclose(f);
	rpl_opts_init(&o);
	assert_int_equal(rpl_explain(in, 1, &o, &t, &x, err, sizeof(err)), -1);
	assert_null(x);
	if (!strstr(err, p)) {
		fail_msg("message '%s' does not name %s", err, p);
	}
}

static int setup(void **state)
{
	struct idx_build_opts o;
	char *in[1] = {TRACE}, err[1024];

	(void)state;
	if (!mkdtemp(dir)) {
		return -1;
	}
	snprintf(db, sizeof(db), "%s/t.db", dir);
	idx_build_opts_init(&o);
	return idx_build(in, 1, db, &o, NULL, err, sizeof(err));
}

static int teardown(void **state)
{
	char cmd[700];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_explains_the_kvm_bug_from_its_first_cause),
		cmocka_unit_test(test_target_by_seq_and_by_report_index),
		cmocka_unit_test(test_index_and_trace_give_the_same_explanation),
		cmocka_unit_test(test_clean_trace_has_nothing_to_explain),
		cmocka_unit_test(test_bad_input_is_an_error_naming_it),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
