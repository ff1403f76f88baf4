// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_index_ckpt.c - the incremental checkpoint encoding
 * (replay/index/ckpt.c): any blob comes back byte for byte from its full
 * base and its delta; a small edit (bytes changed, inserted, removed) of
 * a big blob costs a small delta, wherever it is; an unrelated blob is
 * stored whole; a damaged delta is refused, never a crash. With real
 * model states (mdl_save): a few more events give a small delta, even
 * across a growth of the model's tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../replay/index/index_int.h"
#include "test_model_ev.h"

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Model-like content: varint-ish records, repetitive but not constant. */
static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)((rnd() % 4 == 0) ? rnd() : (i * 7) % 13);
	}
}

/* Encodes @next after @base was stored whole; checks the round trip and
 * returns the stored size (or SIZE_MAX when it was stored whole). */
static size_t roundtrip(struct ckpt_enc *c, const uint8_t *base, size_t blen, const uint8_t *next,
			size_t nlen)
{
	const void *out;
	size_t olen;
	bool full;
	uint8_t *back = malloc(nlen ? nlen : 1);

	assert_int_equal(ckpt_enc_put(c, base, blen, &full, &out, &olen), 0);
	assert_true(full);
	assert_int_equal(ckpt_enc_put(c, next, nlen, &full, &out, &olen), 0);
	if (full) {
		assert_ptr_equal(out, next);
		free(back);
		ckpt_enc_reset(c);
		return SIZE_MAX;
	}
	assert_int_equal(ckpt_apply(base, blen, out, olen, back, nlen), 0);
	assert_memory_equal(back, next, nlen);
	free(back);
	ckpt_enc_reset(c);
	return olen;
}

static void test_small_edits_give_small_deltas_that_restore_exactly(void **state)
{
	size_t n = 1 << 20;
	uint8_t *a = malloc(n), *b = malloc(n + 64);
	struct ckpt_enc *c = ckpt_enc_new();

	(void)state;
	assert_non_null(c);
	fill(a, n);
	for (int round = 0; round < 20; round++) {
		size_t at = rnd() % (n - 64), len, d;

		/* change 16 bytes */
		memcpy(b, a, n);
		for (int i = 0; i < 16; i++) {
			b[at + (size_t)i] ^= 0x5a;
		}
		d = roundtrip(c, a, n, b, n);
		assert_true(d < 4096);
		/* insert 40 bytes: everything after moves */
		memcpy(b, a, at);
		fill(b + at, 40);
		memcpy(b + at + 40, a + at, n - at);
		len = n + 40;
		d = roundtrip(c, a, n, b, len);
		assert_true(d < 4096);
		/* remove 24 bytes */
		memcpy(b, a, at);
		memcpy(b + at, a + at + 24, n - at - 24);
		d = roundtrip(c, a, n, b, n - 24);
		assert_true(d < 4096);
	}
	ckpt_enc_free(c);
	free(a);
	free(b);
}

static void test_unrelated_blob_is_stored_whole(void **state)
{
	size_t n = 200000;
	uint8_t *a = malloc(n), *b = malloc(n);
	struct ckpt_enc *c = ckpt_enc_new();

	(void)state;
	for (size_t i = 0; i < n; i++) {
		a[i] = (uint8_t)rnd();
		b[i] = (uint8_t)rnd();
	}
	assert_int_equal(roundtrip(c, a, n, b, n), SIZE_MAX);
	/* tiny blobs are never worth a delta */
	assert_int_equal(roundtrip(c, a, 100, a, 100), SIZE_MAX);
	ckpt_enc_free(c);
	free(a);
	free(b);
}

static void test_damaged_delta_is_refused(void **state)
{
	size_t n = 100000;
	uint8_t *a = malloc(n), *b = malloc(n), *back = malloc(n), *bad;
	struct ckpt_enc *c = ckpt_enc_new();
	const void *out;
	size_t olen;
	bool full;

	(void)state;
	fill(a, n);
	memcpy(b, a, n);
	b[n / 2] ^= 1;
	assert_int_equal(ckpt_enc_put(c, a, n, &full, &out, &olen), 0);
	assert_int_equal(ckpt_enc_put(c, b, n, &full, &out, &olen), 0);
	assert_false(full);
	bad = malloc(olen);
	/* truncated */
	memcpy(bad, out, olen);
	assert_int_equal(ckpt_apply(a, n, bad, olen - 1, back, n), -1);
	/* wrong length expected */
	assert_int_equal(ckpt_apply(a, n, bad, olen, back, n - 1), -1);
	/* against a shorter base: copies out of range */
	assert_int_equal(ckpt_apply(a, n / 4, bad, olen, back, n), -1);
	/* random garbage */
	for (int r = 0; r < 1000; r++) {
		for (size_t i = 0; i < olen; i++) {
			bad[i] = (uint8_t)rnd();
		}
		(void)ckpt_apply(a, n, bad, olen, back, n); /* must not crash */
	}
	free(bad);
	ckpt_enc_free(c);
	free(a);
	free(b);
	free(back);
}

/* Bytes stored for @next after @base, both mdl_save() blobs of @m. */
static size_t model_delta(struct ckpt_enc *c, const void *base, size_t blen, const void *next,
			  size_t nlen)
{
	size_t n = roundtrip(c, base, blen, next, nlen);

	assert_true(n != SIZE_MAX);
	return n;
}

static void test_few_model_changes_give_a_small_delta(void **state)
{
	struct ckpt_enc *c = ckpt_enc_new();
	void *b1, *b2;
	size_t l1, l2, d;
	struct tb t;
	int i;

	(void)state;
	tb_init_cfg(&t, 0, 0);
	tb_boot(&t, true);
	for (i = 0; i < 3000; i++) {
		tb_fault_private(&t, i % 4, 0x100000 + (uint64_t)i * 3, NULL);
	}
	assert_int_equal(mdl_save(t.m, &b1, &l1), 0);
	/* a few more pages, one zapped: a handful of records change */
	for (i = 0; i < 4; i++) {
		tb_fault_private(&t, i % 4, 0x200000 + (uint64_t)i, NULL);
	}
	tb_exit(&t, 1, 12, 0, 0);
	assert_int_equal(mdl_save(t.m, &b2, &l2), 0);
	assert_true(l2 > l1);
	d = model_delta(c, b1, l1, b2, l2);
	/* the new and touched records, not the 3000 pages' state */
	assert_true(d < 4096);
	assert_true(d * 50 < l2);
	free(b1);
	free(b2);
	ckpt_enc_free(c);
	tb_fini(&t);
}

static void test_model_delta_stays_small_across_table_growth(void **state)
{
	struct ckpt_enc *c = ckpt_enc_new();
	void *b1, *b2;
	size_t l1, l2, mem, d;
	struct tb t;
	int i = 0;

	(void)state;
	tb_init_cfg(&t, 0, 0);
	tb_boot(&t, true);
	for (; i < 1500; i++) {
		tb_fault_private(&t, i % 4, 0x100000 + (uint64_t)i * 5, NULL);
	}
	/* fault until a table doubles; save just before and just after */
	assert_int_equal(mdl_save(t.m, &b1, &l1), 0);
	mem = mdl_memory(t.m);
	for (; mdl_memory(t.m) == mem; i++) {
		free(b1);
		assert_int_equal(mdl_save(t.m, &b1, &l1), 0);
		tb_fault_private(&t, i % 4, 0x100000 + (uint64_t)i * 5, NULL);
	}
	assert_int_equal(mdl_save(t.m, &b2, &l2), 0);
	d = model_delta(c, b1, l1, b2, l2);
	/* elements keep their order: only their probe distances change */
	assert_true(d * 4 < l2);
	free(b1);
	free(b2);
	ckpt_enc_free(c);
	tb_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_edits_give_small_deltas_that_restore_exactly),
		cmocka_unit_test(test_unrelated_blob_is_stored_whole),
		cmocka_unit_test(test_damaged_delta_is_refused),
		cmocka_unit_test(test_few_model_changes_give_a_small_delta),
		cmocka_unit_test(test_model_delta_stays_small_across_table_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
