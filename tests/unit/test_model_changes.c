// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_model_changes.c - incremental snapshots of the model
 * (mdl_save_changes / mdl_changes_clear / mdl_load_changes): a full save
 * followed by each changes blob in order rebuilds the tracking model byte
 * for byte at every point, across table growth, a second VM, a renamed
 * provisional VM, lost events and findings; the rebuilt model replays
 * like the original; a blob is small when little changed; only a
 * tracking model writes one; a blob that does not follow the state, or a
 * damaged one, is refused without a crash or a hang.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_model_ev.h"

/* The two TDs of the traces: VMM tgid, TDR, host thread, first vCPU and
 * first private gfn (another level-4 table for VM B). */
struct tvm {
	int32_t vm;
	uint64_t tdr;
	int32_t host_tid;
	int vcpu0;
	uint64_t gfn0;
};

static const struct tvm tvms[2] = {
	{4242, 0x10000000, TB_HOST_TID, 0, 0x100000},
	{4243, 0x20000000, 600, 8, 0x10000000},
};

#define NR_GFNS 8192
#define NR_VCPUS 4
#define PG_KEEP (~0ull) /* gfn left blocked by a failed REMOVE: not touched again */

/* A trace builder and its own bookkeeping of the private pages mapped. */
struct drv {
	struct tb t;
	uint64_t pg[2][NR_GFNS]; /* page behind tvms[k].gfn0 + i, 0 unmapped */
	unsigned int next[2];	 /* gfns gfn0 .. gfn0 + next - 1 were used */
	bool in_guest;		 /* VM A's last vCPU left inside */
};

static void use_vm(struct tb *t, int k)
{
	t->vm = tvms[k].vm;
	t->tdr = tvms[k].tdr;
	t->tid = tvms[k].host_tid;
}

static struct mdl_model *new_model(struct tdxr_strtab *st, unsigned int check, bool track)
{
	struct mdl_config cfg = {0};

	cfg.kernel_profile = 0;
	cfg.check_every = check;
	cfg.st = st;
	cfg.track_changes = track;
	return mdl_new(&cfg);
}

/* tb_init_cfg() with a model made with track_changes. */
static struct drv *drv_new(bool track)
{
	struct drv *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	tb_init_cfg(&d->t, 0, 0);
	mdl_free(d->t.m);
	d->t.m = new_model(d->t.st, 0, track);
	assert_non_null(d->t.m);
	return d;
}

static void drv_free(struct drv *d)
{
	tb_fini(&d->t);
	free(d);
}

/* A second builder on another model, at the same point of the trace. */
static struct drv *drv_twin(const struct drv *d, struct mdl_model *m)
{
	struct drv *c = malloc(sizeof(*c));

	assert_non_null(c);
	memcpy(c, d, sizeof(*c));
	c->t.m = m;
	mdl_set_strtab(m, c->t.st); /* shared: the same interned ids */
	return c;
}

static void twin_free(struct drv *c)
{
	assert_int_equal(mdl_check_failures(c->t.m), 0);
	assert_int_equal(mdl_check(c->t.m), 0);
	mdl_free(c->t.m);
	free(c);
}

static uint64_t gfn_of(int k, unsigned int i)
{
	return tvms[k].gfn0 + i;
}

static void fault_new(struct drv *d, int k, unsigned int n)
{
	struct tb *t = &d->t;
	unsigned int j;

	use_vm(t, k);
	for (j = 0; j < n && d->next[k] < NR_GFNS; j++) {
		unsigned int i = d->next[k]++;

		d->pg[k][i] = tb_fault_private(t, tvms[k].vcpu0 + (int)(i % NR_VCPUS), gfn_of(k, i),
					       NULL);
	}
}

/* Zaps every @stride-th mapped gfn of VM @k from @from on. */
static void zap_some(struct drv *d, int k, unsigned int from, unsigned int stride)
{
	struct tb *t = &d->t;
	unsigned int i;

	use_vm(t, k);
	for (i = from; i < d->next[k]; i += stride) {
		if (d->pg[k][i] && d->pg[k][i] != PG_KEEP) {
			tb_zap_private(t, gfn_of(k, i), d->pg[k][i]);
			d->pg[k][i] = 0;
		}
	}
}

/* Faults the zapped gfns of VM @k in [from, to) again (new pages). */
static void refault(struct drv *d, int k, unsigned int from, unsigned int to)
{
	struct tb *t = &d->t;
	unsigned int i;

	use_vm(t, k);
	for (i = from; i < to && i < d->next[k]; i++) {
		if (!d->pg[k][i]) {
			d->pg[k][i] = tb_fault_private(t, tvms[k].vcpu0 + (int)(i % NR_VCPUS),
						       gfn_of(k, i), NULL);
		}
	}
}

/* A BLOCK then a REMOVE without TRACK that fails: a finding. */
static void bad_remove(struct drv *d, int k)
{
	struct tb *t = &d->t;
	unsigned int i;

	fault_new(d, k, 1);
	i = d->next[k] - 1;
	use_vm(t, k);
	tb_sc(t, TDH_MEM_RANGE_BLOCK, gfn_of(k, i) << 12, t->tdr, 0, 0);
	tb_sc(t, TDH_MEM_PAGE_REMOVE, gfn_of(k, i) << 12, t->tdr, 0,
	      (TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX));
	d->pg[k][i] = PG_KEEP;
}

/* VM B's TD made on its own VMM thread (a provisional VM while another TD
 * exists), then named by the first event carrying its tgid. */
static void boot_b(struct drv *d)
{
	struct tb *t = &d->t;

	use_vm(t, 1);
	tb_boot(t, true);
	tb_spte(t, t->tid, 0, TB_SHARED_GFN | 0x20, 1, TB_NONPRESENT, TB_LEAF_SPTE | tb_page(t));
}

/* Point 0 of the traces: VM A finalized with @n private pages. */
static void build_base(struct drv *d, unsigned int n)
{
	use_vm(&d->t, 0);
	tb_boot(&d->t, true);
	fault_new(d, 0, n);
}

/*
 * The rounds between two snapshots. Rounds 0, 1, 3 and 6 make the tables
 * grow (more than 2000 gfns of VM A in all); 2 changes nothing; 4 is one
 * event; 5 changes records only through lookups of existing ones.
 */
static void round_events(struct drv *d, int r)
{
	struct tb *t = &d->t;

	if (d->in_guest) {
		use_vm(t, 0);
		tb_exit(t, NR_VCPUS - 1, EXIT_REASON_HLT, 0, 0);
		d->in_guest = false;
	}
	switch (r) {
	case 0:
		fault_new(d, 0, 700);
		zap_some(d, 0, 0, 5);
		use_vm(t, 0);
		tb_spte(t, TB_VCPU_TID(1), 0, TB_SHARED_GFN | 0xfeb00, 1, TB_NONPRESENT,
			0xfeb00ull << 12);
		tb_mark_mmio(t, 1, TB_SHARED_GFN | 0xfeb00);
		tb_entry(t, NR_VCPUS - 1);
		d->in_guest = true;
		break;
	case 1:
		boot_b(d);
		fault_new(d, 1, 300);
		fault_new(d, 0, 200);
		zap_some(d, 1, 3, 7);
		break;
	case 2:
		break;
	case 3:
		refault(d, 0, 0, 100);
		fault_new(d, 0, 600);
		t->lost_next = 5;
		fault_new(d, 0, 600);
		bad_remove(d, 1);
		zap_some(d, 0, 1000, 11);
		break;
	case 4:
		use_vm(t, 0);
		tb_sc(t, TDH_MEM_RANGE_BLOCK, gfn_of(0, 1) << 12, t->tdr, 0, 0);
		break;
	case 5:
		/* round 4's BLOCK, never completed, ends here: a desync on
		 * its gfn; spurious faults on mapped gfns only note them */
		bad_remove(d, 0);
		for (unsigned int i = 200; i < 260; i += 3) {
			if (d->pg[0][i] && d->pg[0][i] != PG_KEEP) {
				tb_page_fault(t, (int)(i % NR_VCPUS), gfn_of(0, i) << 12);
			}
		}
		zap_some(d, 1, 0, 2);
		refault(d, 1, 0, 50);
		use_vm(t, 1);
		tb_vm_bugged(t); /* VM B only gets zapped from now on */
		use_vm(t, 0);
		tb_entry(t, NR_VCPUS - 1);
		d->in_guest = true;
		break;
	case 6:
		fault_new(d, 0, 2100);
		bad_remove(d, 0);
		zap_some(d, 0, 2, 3);
		break;
	default:
		refault(d, 0, 0, 3000);
		zap_some(d, 1, 1, 4);
		break;
	}
}

#define NR_ROUNDS 6 /* rounds 0..5 between snapshots; 6.. replay further */

static void save(const struct mdl_model *m, void **blob, size_t *len)
{
	assert_int_equal(mdl_save(m, blob, len), 0);
	assert_non_null(*blob);
}

static void save_changes(const struct mdl_model *m, void **blob, size_t *len)
{
	*blob = NULL;
	assert_int_equal(mdl_save_changes(m, blob, len), 0);
	assert_non_null(*blob);
}

/* mdl_save(@m) is @exp byte for byte; says where it differs if not. */
static void assert_state(const struct mdl_model *m, const void *exp, size_t explen,
			 const char *what, int point)
{
	const uint8_t *e = exp;
	uint8_t *b;
	size_t len, i = 0;

	save(m, (void **)&b, &len);
	if (len == explen && !memcmp(b, exp, len)) {
		free(b);
		return;
	}
	while (i < len && i < explen && b[i] == e[i]) {
		i++;
	}
	fprintf(stderr, "%s, point %d: mdl_save %zu bytes, expected %zu, differs at byte %zu\n",
		what, point, len, explen, i);
	free(b);
	fail();
}

/* A tracking model's snapshots: the full save at point 0, then after
 * each round its changes blob and (to compare with) its full save. */
struct chain {
	void *full;
	size_t full_len;
	void *chg[NR_ROUNDS];
	size_t chg_len[NR_ROUNDS];
	void *exp[NR_ROUNDS];
	size_t exp_len[NR_ROUNDS];
};

static void chain_build(struct drv *d, struct chain *c)
{
	int r;

	build_base(d, 100);
	save(d->t.m, &c->full, &c->full_len);
	mdl_changes_clear(d->t.m);
	for (r = 0; r < NR_ROUNDS; r++) {
		round_events(d, r);
		save_changes(d->t.m, &c->chg[r], &c->chg_len[r]);
		save(d->t.m, &c->exp[r], &c->exp_len[r]);
	}
}

static void chain_free(struct chain *c)
{
	int r;

	free(c->full);
	for (r = 0; r < NR_ROUNDS; r++) {
		free(c->chg[r]);
		free(c->exp[r]);
	}
}

/* The model at point @upto (1..NR_ROUNDS rounds applied), from the chain. */
static struct mdl_model *chain_restore(const struct chain *c, int upto)
{
	struct mdl_model *m = mdl_load(c->full, c->full_len);
	int r;

	assert_non_null(m);
	for (r = 0; r < upto; r++) {
		assert_int_equal(mdl_load_changes(m, c->chg[r], c->chg_len[r]), 0);
		assert_state(m, c->exp[r], c->exp_len[r], "chain restore", r + 1);
	}
	return m;
}

static void test_full_save_then_chained_changes_restore_byte_equal(void **state)
{
	struct drv *d = drv_new(true);
	struct chain c;
	struct mdl_model *m;
	struct mdl_vm_info vi;
	void *chg, *exp;
	size_t chg_len, exp_len;
	int r;

	(void)state;
	chain_build(d, &c);
	/* the trace did what the test is about */
	assert_int_equal(mdl_nr_vms(d->t.m), 2);
	assert_int_equal(mdl_vm_info(d->t.m, 0, &vi), 0);
	assert_true(vi.nr_entries > 2000);
	assert_int_equal(mdl_vm_info(d->t.m, 1, &vi), 0);
	assert_int_equal(vi.vm, tvms[1].vm);
	assert_true(d->t.nf >= 2);

	m = mdl_load(c.full, c.full_len);
	assert_non_null(m);
	for (r = 0; r < NR_ROUNDS; r++) {
		assert_int_equal(mdl_load_changes(m, c.chg[r], c.chg_len[r]), 0);
		assert_state(m, c.exp[r], c.exp_len[r], "restored model", r + 1);
		assert_int_equal(mdl_check(m), 0);
	}
	/* the end of the trace is a change too */
	mdl_finish(d->t.m, NULL);
	save_changes(d->t.m, &chg, &chg_len);
	save(d->t.m, &exp, &exp_len);
	assert_int_equal(mdl_load_changes(m, chg, chg_len), 0);
	assert_state(m, exp, exp_len, "restored model after mdl_finish", NR_ROUNDS + 1);
	free(chg);
	free(exp);
	mdl_free(m);
	chain_free(&c);
	drv_free(d);
}

/* From creation on (no clear): the first blob applies to a new model. */
static void test_changes_since_creation_apply_to_a_new_model(void **state)
{
	struct drv *d = drv_new(true);
	struct mdl_model *m;
	void *chg, *exp;
	size_t chg_len, exp_len;

	(void)state;
	build_base(d, 300);
	round_events(d, 1);
	save_changes(d->t.m, &chg, &chg_len);
	save(d->t.m, &exp, &exp_len);
	m = new_model(NULL, 0, false);
	assert_non_null(m);
	assert_int_equal(mdl_load_changes(m, chg, chg_len), 0);
	assert_state(m, exp, exp_len, "new model", 1);
	mdl_free(m);
	free(chg);
	free(exp);
	drv_free(d);
}

static void test_restored_model_replays_like_the_original(void **state)
{
	struct drv *d = drv_new(true), *c2;
	struct chain c;
	void *ba, *bb;
	size_t la, lb;
	unsigned int i;
	int r;

	(void)state;
	chain_build(d, &c);
	c2 = drv_twin(d, chain_restore(&c, NR_ROUNDS));
	d->t.nf = 0;
	c2->t.nf = 0;
	for (r = NR_ROUNDS; r < NR_ROUNDS + 2; r++) {
		round_events(d, r);
		round_events(c2, r);
		save(d->t.m, &ba, &la);
		save(c2->t.m, &bb, &lb);
		assert_int_equal(la, lb);
		assert_memory_equal(ba, bb, la);
		free(ba);
		free(bb);
	}
	assert_true(d->t.nf >= 1);
	assert_int_equal(d->t.nf, c2->t.nf);
	for (i = 0; i < d->t.nf; i++) {
		assert_int_equal(d->t.f[i].seq, c2->t.f[i].seq);
		assert_int_equal(d->t.f[i].kind, c2->t.f[i].kind);
		assert_int_equal(d->t.f[i].cause_seq, c2->t.f[i].cause_seq);
		assert_int_equal(d->t.f[i].vm, c2->t.f[i].vm);
	}
	twin_free(c2);
	chain_free(&c);
	drv_free(d);
}

static void test_changes_are_small_when_little_changed(void **state)
{
	struct drv *d = drv_new(true);
	void *full, *chg;
	size_t full_len, chg_len, empty_len;

	(void)state;
	build_base(d, 4000);
	save(d->t.m, &full, &full_len);
	mdl_changes_clear(d->t.m);

	/* nothing happened */
	save_changes(d->t.m, &chg, &chg_len);
	empty_len = chg_len;
	free(chg);
	assert_true(empty_len * 100 < full_len);

	/* one event on one gfn */
	use_vm(&d->t, 0);
	tb_sc(&d->t, TDH_MEM_RANGE_BLOCK, gfn_of(0, 17) << 12, d->t.tdr, 0, 0);
	save_changes(d->t.m, &chg, &chg_len);
	assert_true(chg_len * 10 < full_len);
	assert_true(chg_len > empty_len);
	free(chg);

	/* and the tracking started over: nothing since */
	save_changes(d->t.m, &chg, &chg_len);
	assert_true(chg_len * 100 < full_len);
	free(chg);

	/* a whole fault on a gfn: still small */
	d->t.nf = 0;
	fault_new(d, 0, 1);
	save_changes(d->t.m, &chg, &chg_len);
	assert_true(chg_len * 10 < full_len);
	free(chg);
	free(full);
	drv_free(d);
}

/* mdl_check() and mdl_query_gfn() read the model: no change to write. */
static void test_reading_the_model_is_not_a_change(void **state)
{
	struct drv *d = drv_new(true);
	struct mdl_gfn_view v;
	void *full, *chg;
	size_t full_len, chg_len;

	(void)state;
	build_base(d, 4000);
	save(d->t.m, &full, &full_len);
	mdl_changes_clear(d->t.m);
	assert_int_equal(mdl_check(d->t.m), 0);
	assert_int_equal(mdl_query_gfn(d->t.m, tvms[0].vm, gfn_of(0, 17), &v), 0);
	save_changes(d->t.m, &chg, &chg_len);
	if (chg_len * 100 >= full_len) {
		fprintf(stderr,
			"after mdl_check + mdl_query_gfn only: changes %zu bytes, full save %zu\n",
			chg_len, full_len);
	}
	assert_true(chg_len * 100 < full_len);
	free(chg);
	free(full);
	drv_free(d);
}

static void test_untracked_model_refuses_save_changes(void **state)
{
	struct drv *u = drv_new(false), *d = drv_new(true);
	struct mdl_model *c;
	void *blob = NULL, *full;
	size_t len = 0, full_len;

	(void)state;
	build_base(u, 20);
	build_base(d, 20);

	assert_int_equal(mdl_save_changes(u->t.m, &blob, &len), -EINVAL);
	mdl_changes_clear(u->t.m); /* harmless */
	assert_int_equal(mdl_save_changes(u->t.m, &blob, &len), -EINVAL);

	c = mdl_clone(d->t.m);
	assert_non_null(c);
	assert_int_equal(mdl_save_changes(c, &blob, &len), -EINVAL);
	mdl_free(c);

	save(d->t.m, &full, &full_len);
	c = mdl_load(full, full_len);
	assert_non_null(c);
	assert_int_equal(mdl_save_changes(c, &blob, &len), -EINVAL);
	mdl_free(c);
	free(full);

	/* the tracking model itself does write one */
	save_changes(d->t.m, &blob, &len);
	free(blob);
	drv_free(u);
	drv_free(d);
}

/* Either refused, or (a blob that happens to hold everything) the state
 * the writer had: never a third state. */
static void assert_refused_or_exact(const struct chain *c, struct mdl_model *m, int blob, int rc)
{
	if (rc != 0) {
		assert_int_equal(rc, -1);
	} else {
		assert_state(m, c->exp[blob], c->exp_len[blob], "blob applied to another state",
			     blob + 1);
	}
}

static void test_changes_do_not_apply_to_another_state(void **state)
{
	struct drv *d = drv_new(true);
	struct chain c;
	struct mdl_model *m;
	int rc;

	(void)state;
	chain_build(d, &c);

	/* round 0 (blob 0) grew VM A's tables; blob 1 skips it */
	m = mdl_load(c.full, c.full_len);
	assert_non_null(m);
	rc = mdl_load_changes(m, c.chg[1], c.chg_len[1]);
	assert_refused_or_exact(&c, m, 1, rc);
	mdl_free(m);

	/* blob r applies to point r; round 3 grew the tables again, blob 4
	 * onto point 3 skips it */
	m = chain_restore(&c, 3);
	rc = mdl_load_changes(m, c.chg[4], c.chg_len[4]);
	assert_refused_or_exact(&c, m, 4, rc);
	mdl_free(m);

	/* every blob onto a new empty model */
	for (int r = 0; r < NR_ROUNDS; r++) {
		m = new_model(NULL, 0, false);
		assert_non_null(m);
		rc = mdl_load_changes(m, c.chg[r], c.chg_len[r]);
		assert_refused_or_exact(&c, m, r, rc);
		mdl_free(m);
	}

	/* a full save is not a changes blob, nor the reverse */
	m = mdl_load(c.full, c.full_len);
	assert_non_null(m);
	assert_int_equal(mdl_load_changes(m, c.exp[0], c.exp_len[0]), -1);
	mdl_free(m);
	assert_null(mdl_load(c.chg[0], c.chg_len[0]));

	chain_free(&c);
	drv_free(d);
}

/*
 * The chain in the wrong order where no table grew in between (point p is
 * blobs 0..p-1 applied): blob 5 onto point 4 (round 4's blob skipped),
 * blob 4 onto point 6 (an older blob). Neither follows the state: refused,
 * or the writer's state exactly, never a mix of two points. The last blob
 * applied twice may be taken (it leaves the same state).
 */
static void test_changes_out_of_order_are_refused(void **state)
{
	struct drv *d = drv_new(true);
	struct chain c;
	struct mdl_model *m;
	int rc;

	(void)state;
	chain_build(d, &c);
	m = chain_restore(&c, 4);
	rc = mdl_load_changes(m, c.chg[5], c.chg_len[5]);
	assert_refused_or_exact(&c, m, 5, rc);
	mdl_free(m);

	m = chain_restore(&c, 6);
	rc = mdl_load_changes(m, c.chg[4], c.chg_len[4]);
	assert_refused_or_exact(&c, m, 4, rc);
	mdl_free(m);

	m = chain_restore(&c, 6);
	rc = mdl_load_changes(m, c.chg[5], c.chg_len[5]); /* the same blob twice */
	assert_refused_or_exact(&c, m, 5, rc);
	mdl_free(m);
	chain_free(&c);
	drv_free(d);
}

/* ---- damaged blobs --------------------------------------------------- */

/* A small chain for the damage tests: point 0, then a round with growth,
 * a second (provisional, renamed) VM, lost events and a finding, then a
 * round of a few events. */
struct small {
	void *full;
	size_t full_len;
	void *chg[2];
	size_t chg_len[2];
	void *exp[2];
	size_t exp_len[2];
	struct mdl_model *base[2]; /* restored to point 0 and 1 */
};

static void small_build(struct small *s)
{
	struct drv *d = drv_new(true);
	int r;

	build_base(d, 40);
	save(d->t.m, &s->full, &s->full_len);
	mdl_changes_clear(d->t.m);
	fault_new(d, 0, 120);
	zap_some(d, 0, 0, 9);
	boot_b(d);
	d->t.lost_next = 2;
	fault_new(d, 1, 20);
	bad_remove(d, 1);
	save_changes(d->t.m, &s->chg[0], &s->chg_len[0]);
	save(d->t.m, &s->exp[0], &s->exp_len[0]);
	fault_new(d, 0, 3);
	zap_some(d, 1, 2, 5);
	save_changes(d->t.m, &s->chg[1], &s->chg_len[1]);
	save(d->t.m, &s->exp[1], &s->exp_len[1]);
	drv_free(d);

	s->base[0] = mdl_load(s->full, s->full_len);
	assert_non_null(s->base[0]);
	s->base[1] = mdl_clone(s->base[0]);
	assert_non_null(s->base[1]);
	assert_int_equal(mdl_load_changes(s->base[1], s->chg[0], s->chg_len[0]), 0);
	for (r = 0; r < 2; r++) {
		struct mdl_model *m = mdl_clone(s->base[r]);

		assert_non_null(m);
		assert_int_equal(mdl_load_changes(m, s->chg[r], s->chg_len[r]), 0);
		assert_state(m, s->exp[r], s->exp_len[r], "small chain", r + 1);
		mdl_free(m);
	}
}

static void small_free(struct small *s)
{
	for (int r = 0; r < 2; r++) {
		free(s->chg[r]);
		free(s->exp[r]);
		mdl_free(s->base[r]);
	}
	free(s->full);
}

/* What a model that accepted a blob must still do: 0, or -1 when
 * mdl_save() failed. */
static int still_usable(struct mdl_model *m)
{
	struct tdxr_event ev;
	struct mdl_gfn_view v;
	void *blob = NULL;
	size_t len;

	if (mdl_save(m, &blob, &len) || !blob) {
		return -1;
	}
	free(blob);
	mdl_check(m);
	memset(&ev, 0, sizeof(ev));
	ev.type = TDXR_EV_TDX_SEAMCALL;
	ev.seq = 1u << 20;
	ev.vm = -1;
	ev.vcpu = -1;
	ev.tid = TB_HOST_TID;
	ev.fmask = 0xffff;
	EVF(&ev, TDX_SEAMCALL, leaf) = 6; /* AUG of a new gfn */
	EVF(&ev, TDX_SEAMCALL, rcx) = (tvms[0].gfn0 + 5000) << 12;
	EVF(&ev, TDX_SEAMCALL, rdx) = tvms[0].tdr;
	EVF(&ev, TDX_SEAMCALL, r8) = 0x7000000;
	mdl_resolve(m, &ev);
	mdl_apply(m, &ev, NULL);
	mdl_query_gfn(m, tvms[0].vm, tvms[0].gfn0 + 3, &v);
	mdl_query_gfn(m, tvms[1].vm, tvms[1].gfn0 + 3, &v);
	mdl_finish(m, NULL);
	mdl_check(m);
	return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* One damaged blob onto a fresh copy of @base: 0 or -1, bounded time. */
static int try_blob(const struct mdl_model *base, const uint8_t *p, size_t len)
{
	struct mdl_model *m = mdl_clone(base);
	int rc, usable = 0;

	assert_non_null(m);
	alarm(20); /* a hang is a failure (SIGALRM ends the test) */
	rc = mdl_load_changes(m, p, len);
	if (rc == 0) {
		usable = still_usable(m);
	}
	alarm(0);
	mdl_free(m);
	if (rc != 0 && rc != -1) {
		fprintf(stderr, "mdl_load_changes returned %d\n", rc);
	}
	assert_true(rc == 0 || rc == -1);
	if (usable) {
		fprintf(stderr, "mdl_save failed after mdl_load_changes accepted a %zu-byte blob\n",
			len);
	}
	assert_int_equal(usable, 0);
	return rc;
}

static void test_malformed_changes_never_crash(void **state)
{
	struct small s;
	unsigned int accepted = 0, refused = 0;
	uint8_t *copy;
	int r;

	(void)state;
	small_build(&s);
	assert_int_equal(try_blob(s.base[0], (const uint8_t *)"garbage!", 8), -1);
	assert_int_equal(try_blob(s.base[0], (const uint8_t *)"", 0), -1);
	for (r = 0; r < 2; r++) {
		size_t len = s.chg_len[r], i;

		copy = malloc(len);
		assert_non_null(copy);
		/* every truncation */
		for (i = 0; i < len; i++) {
			memcpy(copy, s.chg[r], i);
			if (try_blob(s.base[r], copy, i)) {
				refused++;
			} else {
				accepted++;
			}
		}
		/* bytes changed at random: 1 to 4, sometimes to varint
		 * continuation or all-ones bytes (long or huge numbers) */
		for (i = 0; i < 3000; i++) {
			unsigned int n = 1 + (unsigned int)(rnd() % 4), j;

			memcpy(copy, s.chg[r], len);
			for (j = 0; j < n; j++) {
				size_t at = (size_t)(rnd() % len);
				uint64_t how = rnd() % 8;

				if (how == 0) {
					copy[at] = 0xff;
				} else if (how == 1) {
					copy[at] |= 0x80;
				} else if (how == 2) {
					copy[at] = 0;
				} else {
					copy[at] ^= (uint8_t)(1u << (rnd() % 8));
				}
			}
			if (try_blob(s.base[r], copy, len)) {
				refused++;
			} else {
				accepted++;
			}
		}
		free(copy);
	}
	/* the damage was seen at all */
	assert_true(refused > 0);
	fprintf(stderr, "damaged changes blobs: %u refused, %u accepted\n", refused, accepted);
	small_free(&s);
}

/* A cut blob is damaged: refused (a checkpoint must not restore a state
 * silently missing its end). */
static void test_truncated_changes_are_refused(void **state)
{
	struct small s;
	int r;

	(void)state;
	small_build(&s);
	for (r = 0; r < 2; r++) {
		for (size_t i = 0; i < s.chg_len[r]; i++) {
			int rc = try_blob(s.base[r], s.chg[r], i);

			if (rc != -1) {
				fprintf(stderr,
					"blob %d (%zu bytes) cut to %zu bytes was accepted\n", r,
					s.chg_len[r], i);
			}
			assert_int_equal(rc, -1);
		}
	}
	small_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_save_then_chained_changes_restore_byte_equal),
		cmocka_unit_test(test_changes_since_creation_apply_to_a_new_model),
		cmocka_unit_test(test_restored_model_replays_like_the_original),
		cmocka_unit_test(test_changes_are_small_when_little_changed),
		cmocka_unit_test(test_reading_the_model_is_not_a_change),
		cmocka_unit_test(test_untracked_model_refuses_save_changes),
		cmocka_unit_test(test_changes_do_not_apply_to_another_state),
		cmocka_unit_test(test_changes_out_of_order_are_refused),
		cmocka_unit_test(test_malformed_changes_never_crash),
		cmocka_unit_test(test_truncated_changes_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
