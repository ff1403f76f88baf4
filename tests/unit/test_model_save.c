// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_model_save.c - the model as data: save/load round trips
 * are byte-exact and replay identically, clones are independent, and a
 * malformed blob is refused without a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/resource.h>

#include "test_model_ev.h"
/* only for the sizes of the state words a hand-made blob must carry */
#include "../../replay/model/model_int.h"

/* A TD mid-life: mapped pages, a blocked entry, a vCPU inside. */
static void build(struct tb *t)
{
	uint64_t pg;
	int i;

	tb_boot(t, true);
	for (i = 0; i < 20; i++) {
		pg = tb_fault_private(t, i % 3, 0x1000 + (uint64_t)i * 7, NULL);
		if (i % 4 == 3) {
			tb_exit(t, i % 3, EXIT_REASON_HLT, 0, 0);
			tb_zap_private(t, 0x1000 + (uint64_t)i * 7, pg);
		}
	}
	tb_spte(t, TB_VCPU_TID(1), 0, 0xfeb00, 1, TB_NONPRESENT, 0xfeb00ull << 12);
	tb_mark_mmio(t, 1, 0xfeb00);
	tb_entry(t, 2);
	tb_sc(t, TDH_MEM_RANGE_BLOCK, (0x1000ull + 7) << 12, t->tdr, 0, 0);
}

/* The continuation: a TRACK-less REMOVE (a finding) and more faults. */
static void more(struct tb *t)
{
	int i;

	tb_sc(t, TDH_MEM_PAGE_REMOVE, (0x1000ull + 7) << 12, t->tdr, 0,
	      (TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX));
	for (i = 0; i < 5; i++) {
		tb_fault_private(t, 0, 0x9000 + (uint64_t)i, NULL);
	}
	tb_spte(t, TB_VCPU_TID(0), 0, 0x9001, 1, TB_NONPRESENT, TB_LEAF_SPTE);
}

static void save(struct mdl_model *m, void **blob, size_t *len)
{
	assert_int_equal(mdl_save(m, blob, len), 0);
	assert_non_null(*blob);
}

static void test_save_load_save_is_byte_equal(void **state)
{
	struct tb t;
	void *b1, *b2;
	size_t l1, l2;
	struct mdl_model *m2;

	(void)state;
	tb_init(&t);
	build(&t);
	save(t.m, &b1, &l1);
	m2 = mdl_load(b1, l1);
	assert_non_null(m2);
	save(m2, &b2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	assert_int_equal(mdl_check(m2), 0);
	free(b1);
	free(b2);
	mdl_free(m2);
	tb_fini(&t);
}

static void test_loaded_model_replays_identically(void **state)
{
	struct tb a, b;
	void *blob, *ba, *bb;
	size_t len, la, lb;
	unsigned int i;

	(void)state;
	tb_init(&a);
	build(&a);
	save(a.m, &blob, &len);
	tb_init(&b);
	mdl_free(b.m);
	b.m = mdl_load(blob, len);
	assert_non_null(b.m);
	mdl_set_strtab(b.m, b.st);
	b.seq = a.seq;
	b.ts = a.ts;
	b.next_page = a.next_page;
	memcpy(b.linked, a.linked, sizeof(a.linked));
	b.nr_linked = a.nr_linked;
	a.nf = 0;
	more(&a);
	more(&b);
	assert_int_equal(a.nf, b.nf);
	assert_true(a.nf >= 1);
	for (i = 0; i < a.nf; i++) {
		assert_int_equal(a.f[i].seq, b.f[i].seq);
		assert_int_equal(a.f[i].kind, b.f[i].kind);
		assert_int_equal(a.f[i].cause_seq, b.f[i].cause_seq);
	}
	save(a.m, &ba, &la);
	save(b.m, &bb, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(ba, bb, la);
	free(blob);
	free(ba);
	free(bb);
	tb_fini(&a);
	tb_fini(&b);
}

static void test_clone_is_independent_and_equal(void **state)
{
	struct tb t;
	struct mdl_model *c;
	void *b1, *b2;
	size_t l1, l2;

	(void)state;
	tb_init(&t);
	build(&t);
	c = mdl_clone(t.m);
	assert_non_null(c);
	save(t.m, &b1, &l1);
	save(c, &b2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	free(b2);
	more(&t);
	save(c, &b2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	free(b1);
	free(b2);
	mdl_free(c);
	tb_fini(&t);
}

static void test_malformed_blobs_are_refused_without_crash(void **state)
{
	struct tb t;
	void *blob;
	size_t len, i;
	uint8_t *copy;
	unsigned int loaded = 0;

	(void)state;
	tb_init(&t);
	build(&t);
	save(t.m, &blob, &len);
	assert_null(mdl_load(blob, 0));
	assert_null(mdl_load("garbage!", 8));
	for (i = 0; i < len; i++) {
		assert_null(mdl_load(blob, i));
	}
	copy = malloc(len);
	for (i = 0; i < len; i++) {
		struct mdl_model *m;

		memcpy(copy, blob, len);
		copy[i] ^= (uint8_t)(0x5a + i);
		m = mdl_load(copy, len);
		if (m) {
			struct tdxr_event ev;
			struct mdl_gfn_view v;

			loaded++;
			/* A loaded blob must be usable whatever it holds. */
			memset(&ev, 0, sizeof(ev));
			ev.type = TDXR_EV_TDX_SEAMCALL;
			ev.vm = t.vm;
			ev.vcpu = -1;
			ev.tid = TB_HOST_TID;
			EVF(&ev, TDX_SEAMCALL, leaf) = 29;
			EVF(&ev, TDX_SEAMCALL, rcx) = (0x1000ull + 7) << 12;
			mdl_resolve(m, &ev);
			mdl_apply(m, &ev, NULL);
			mdl_query_gfn(m, t.vm, 0x1007, &v);
			mdl_finish(m, NULL);
			mdl_check(m);
			mdl_free(m);
		}
	}
	(void)loaded;
	free(copy);
	free(blob);
	tb_fini(&t);
}

static void test_state_is_compact_per_mapped_page(void **state)
{
	struct tb t;
	void *blob;
	size_t len;
	int i;

	(void)state;
	tb_init_cfg(&t, 0, 0);
	tb_boot(&t, true);
	for (i = 0; i < 4096; i++) {
		tb_fault_private(&t, i % 4, 0x100000 + (uint64_t)i, NULL);
	}
	save(t.m, &blob, &len);
	/* well under a kilobyte per mapped page, whatever the layout */
	assert_true(len / 4096 < 256);
	free(blob);
	tb_fini(&t);
}

static void test_memory_follows_pages_not_trace_length(void **state)
{
	struct tb t;
	size_t after_one = 0;
	uint64_t base;
	int cycle, i;

	(void)state;
	tb_init_cfg(&t, 0, 0);
	tb_boot(&t, true);
	tb_link(&t, TB_HOST_TID, 0x3000);
	base = t.next_page;
	for (cycle = 0; cycle < 40; cycle++) {
		uint64_t pg[64];

		for (i = 0; i < 64; i++) {
			pg[i] = tb_fault_private(&t, i % 4, 0x3000 + (uint64_t)i, NULL);
			tb_exit(&t, i % 4, EXIT_REASON_HLT, 0, 0);
		}
		for (i = 0; i < 64; i++) {
			tb_zap_private(&t, 0x3000 + (uint64_t)i, pg[i]);
		}
		t.next_page = base; /* the same pages again */
		if (!cycle) {
			after_one = mdl_memory(t.m);
		}
	}
	assert_int_equal(t.nf, 0);
	assert_int_equal(mdl_memory(t.m), after_one);
	tb_fini(&t);
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static long max_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * A blob whose entry table claims millions of elements in a few MB of
 * zeros: refused before the table is sized by the claim (which would
 * commit a GB of slots for a 4 MB blob).
 */
static void test_blob_claiming_more_elements_than_it_holds_allocates_nothing_big(void **state)
{
	const uint64_t count = 1ull << 22, lg = 23;
	size_t cap = 4096 + (size_t)count, n = 0;
	uint8_t *b = calloc(1, cap);
	long rss0 = max_rss_kb();

	(void)state;
	assert_non_null(b);
	memcpy(b, "TDXRMDL2", 8);
	n = 8;
	n += put_varint(b + n, sizeof(struct mdl_gstate) / 8);
	n += sizeof(struct mdl_gstate) / 8; /* zero words */
	n += 4 * 2;			    /* four empty host tables: "0 0" */
	n += put_varint(b + n, 1);	    /* one VM */
	n += sizeof(struct mdl_vm_state) / 8;
	n += 1;				/* no vCPUs */
	n += put_varint(b + n, lg + 1); /* 2^23 slots of 128 bytes */
	n += put_varint(b + n, count);
	n += (size_t)count; /* one zero byte per claimed element */
	assert_true(n <= cap);
	assert_null(mdl_load(b, n));
	/* nothing near the 1 GiB the claim would have sized */
	assert_true(max_rss_kb() - rss0 < 256 * 1024);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_load_save_is_byte_equal),
		cmocka_unit_test(test_loaded_model_replays_identically),
		cmocka_unit_test(test_clone_is_independent_and_equal),
		cmocka_unit_test(test_malformed_blobs_are_refused_without_crash),
		cmocka_unit_test(test_state_is_compact_per_mapped_page),
		cmocka_unit_test(test_memory_follows_pages_not_trace_length),
		cmocka_unit_test(
			test_blob_claiming_more_elements_than_it_holds_allocates_nothing_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
