// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/save.c - the model as data: mdl_save(), mdl_load(),
 * mdl_clone().
 *
 * Blob layout (all integers LEB128 varints unless noted):
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   0       8     magic "TDXRMDL1"
 *   8       var   words in struct mdl_gstate, then each word
 *           var   four host tables: pages, tids, addrs, cpus
 *           var   nr_vms, then per VM: state words, nr_vcpus, each vCPU's
 *                 words, then its entry table
 *
 * A table is: log2(cap) (0 = none), count, then its elements in hash
 * order (tab_hash() of the key, a bijection: a stable order that does not
 * depend on the capacity or on the order of insertion), each as its slot's
 * distance from the key's home slot (linear probing) and the element as
 * words. Two saves of states that differ in a few elements thus differ in
 * a few places, the rest byte-equal (ckpt.c's deltas rely on it). Home
 * slots follow hash order (table.c), so loading writes the table front to
 * back, and the distances put every element back in its own slot:
 * save(load(save(m))) is byte-equal and a loaded model probes exactly like
 * the saved one. Elements are padding-free sequences of words (see
 * model_int.h). Every length is checked on load: a malformed blob gives
 * NULL, never a crash.
 */
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

#define MDL_MAGIC "TDXRMDL2"

_Static_assert(sizeof(struct mdl_ent) % 8 == 0, "mdl_ent words");
_Static_assert(sizeof(struct mdl_page) % 8 == 0, "mdl_page words");
_Static_assert(sizeof(struct mdl_tid) % 8 == 0, "mdl_tid words");
_Static_assert(sizeof(struct mdl_addr) % 8 == 0, "mdl_addr words");
_Static_assert(sizeof(struct mdl_cpu) % 8 == 0, "mdl_cpu words");
_Static_assert(sizeof(struct mdl_vcpu) % 8 == 0, "mdl_vcpu words");
_Static_assert(sizeof(struct mdl_vm_state) % 8 == 0, "vm state words");
_Static_assert(sizeof(struct mdl_gstate) % 8 == 0, "gstate words");

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void put_byte(struct wbuf *b, uint8_t v)
{
	if (b->len == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 4096;
		uint8_t *n = b->oom ? NULL : realloc(b->p, ncap);

		if (!n) {
			b->oom = true;
			return;
		}
		b->p = n;
		b->cap = ncap;
	}
	b->p[b->len++] = v;
}

static void put_u64(struct wbuf *b, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_byte(b, (uint8_t)v);
}

static void put_words(struct wbuf *b, const void *p, size_t size)
{
	const uint8_t *s = p;
	size_t i;

	for (i = 0; i < size; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		put_u64(b, w);
	}
}

struct tab_ref {
	uint64_t h; /* tab_hash(key) */
	uint64_t slot;
};

/* Occupied slots of @t in hash order, or NULL when memory runs out. */
static struct tab_ref *tab_sorted(const struct mdl_tab *t)
{
	struct tab_ref *r = malloc((t->count ? t->count : 1) * sizeof(*r));
	uint64_t i, n = 0;

	if (!r) {
		return NULL;
	}
	for (i = 0; i < t->cap && n < t->count; i++) {
		uint64_t k, j;
		struct tab_ref e;

		memcpy(&k, tab_slot(t, i), 8);
		if (!k) {
			continue;
		}
		e.h = tab_hash(k);
		e.slot = i;
		/* Slot order is hash order but for probe runs and the run that
		 * wraps around: an insertion sort of an almost sorted array. */
		for (j = n; j && r[j - 1].h > e.h; j--) {
			r[j] = r[j - 1];
		}
		r[j] = e;
		n++;
	}
	return r;
}

static void put_tab(struct wbuf *b, const struct mdl_tab *t)
{
	struct tab_ref *r;
	uint64_t i, mask = t->cap - 1;

	put_u64(b, t->cap ? t->lg + 1 : 0);
	put_u64(b, t->cap ? t->count : 0);
	if (!t->cap || !t->count) {
		return;
	}
	r = tab_sorted(t);
	if (!r) {
		b->oom = true;
		return;
	}
	for (i = 0; i < t->count; i++) {
		put_u64(b, (r[i].slot - (r[i].h >> (64 - t->lg))) & mask);
		put_words(b, tab_slot(t, r[i].slot), t->esz);
	}
	free(r);
}

int mdl_save(const struct mdl_model *m, void **blob, size_t *len)
{
	struct wbuf b = {0};
	uint64_t i, j;

	for (i = 0; i < 8; i++) {
		put_byte(&b, (uint8_t)MDL_MAGIC[i]);
	}
	put_u64(&b, sizeof(m->g) / 8);
	put_words(&b, &m->g, sizeof(m->g));
	put_tab(&b, &m->pages);
	put_tab(&b, &m->tids);
	put_tab(&b, &m->addrs);
	put_tab(&b, &m->cpus);
	put_u64(&b, m->nr_vms);
	for (i = 0; i < m->nr_vms; i++) {
		const struct mdl_vm *vm = m->vms[i];

		put_words(&b, &vm->s, sizeof(vm->s));
		put_u64(&b, vm->nr_vcpus);
		for (j = 0; j < vm->nr_vcpus; j++) {
			put_words(&b, &vm->vcpus[j], sizeof(vm->vcpus[j]));
		}
		put_tab(&b, &vm->ents);
	}
	if (b.oom) {
		free(b.p);
		*blob = NULL;
		*len = 0;
		return -12; /* -ENOMEM */
	}
	*blob = b.p;
	*len = b.len;
	return 0;
}

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static uint64_t get_u64(struct rbuf *r)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	while (!r->bad) {
		uint8_t c;

		if (r->off >= r->len || shift > 63) {
			r->bad = true;
			return 0;
		}
		c = r->p[r->off++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			return v;
		}
		shift += 7;
	}
	return 0;
}

static void get_words(struct rbuf *r, void *p, size_t size)
{
	uint8_t *d = p;
	size_t i;

	for (i = 0; i < size; i += 8) {
		uint64_t w = get_u64(r);

		memcpy(d + i, &w, 8);
	}
}

static int get_tab(struct rbuf *r, struct mdl_tab *t)
{
	uint64_t lg = get_u64(r), count = get_u64(r), i, mask, prev_h = 0, nfar = 0;
	uint64_t *far = NULL;
	int ret = 0;

	if (r->bad || lg > 40) {
		return -1;
	}
	if (!lg) {
		return count ? -1 : 0;
	}
	if (lg < 7) {
		return -1; /* tables start at 64 slots */
	}
	t->cap = 1ull << (lg - 1);
	t->lg = (unsigned int)(lg - 1);
	mask = t->cap - 1;
	/* tables grow at half load: a bigger cap is a corrupt blob */
	if (count > t->cap / 2 + 1 || count > r->len - r->off ||
	    (t->cap > 64 && t->cap > 4 * (count + MDL_EVENT_INSERTS))) {
		t->cap = 0;
		t->lg = 0;
		return -1;
	}
	t->slots = tab_alloc(t->cap, t->esz);
	if (!t->slots) {
		t->cap = 0;
		t->lg = 0;
		return -1;
	}
	far = malloc((count ? count : 1) * sizeof(*far));
	if (!far) {
		return -1;
	}
	for (i = 0; i < count; i++) {
		uint64_t d = get_u64(r), k, h, slot, k0;
		uint8_t *s;

		if (r->bad || d >= t->cap) {
			goto bad;
		}
		/* The key first: its hash tells the slot. */
		k = get_u64(r);
		h = tab_hash(k);
		if (r->bad || !(k & KEY_TAG) || (i && h <= prev_h)) {
			goto bad; /* not in hash order, or not a key */
		}
		prev_h = h;
		slot = ((h >> (64 - t->lg)) + d) & mask;
		s = tab_slot(t, slot);
		memcpy(&k0, s, 8);
		if (k0) {
			goto bad;
		}
		memcpy(s, &k, 8);
		if (d) {
			far[nfar++] = slot;
		}
		get_words(r, s + 8, t->esz - 8);
		if (r->bad) {
			goto bad;
		}
	}
	t->count = count;
	/*
	 * Every key must be reachable from its home slot, all slots between
	 * taken (keys are unique: they are in strict hash order). An element
	 * in its home slot is; the others were listed in @far.
	 */
	for (i = 0; i < nfar; i++) {
		uint64_t k;

		memcpy(&k, tab_slot(t, far[i]), 8);
		if (tab_find(t, k) != tab_slot(t, far[i])) {
			ret = -1;
			break;
		}
	}
	goto out;
bad:
	ret = -1;
out:
	free(far);
	return ret;
}

struct mdl_model *mdl_load(const void *blob, size_t len)
{
	struct rbuf r = {blob, len, 0, false};
	struct mdl_model *m;
	uint64_t nw, i, j, nvms;

	if (!blob || len < 8 || memcmp(blob, MDL_MAGIC, 8)) {
		return NULL;
	}
	r.off = 8;
	m = mdl_new(NULL);
	if (!m) {
		return NULL;
	}
	nw = get_u64(&r);
	if (nw != sizeof(m->g) / 8) {
		goto bad;
	}
	get_words(&r, &m->g, sizeof(m->g));
	if (get_tab(&r, &m->pages) || get_tab(&r, &m->tids) || get_tab(&r, &m->addrs) ||
	    get_tab(&r, &m->cpus)) {
		goto bad;
	}
	nvms = get_u64(&r);
	if (r.bad || nvms > r.len - r.off) {
		goto bad;
	}
	for (i = 0; i < nvms; i++) {
		struct mdl_vm *vm = vm_new_empty();
		uint64_t nv;

		if (!vm) {
			goto bad;
		}
		if (m->nr_vms == m->cap_vms) {
			uint64_t ncap = m->cap_vms ? m->cap_vms * 2 : 4;
			struct mdl_vm **n = realloc(m->vms, ncap * sizeof(*n));

			if (!n) {
				vm_free(vm);
				goto bad;
			}
			m->vms = n;
			m->cap_vms = ncap;
		}
		m->vms[m->nr_vms++] = vm;
		get_words(&r, &vm->s, sizeof(vm->s));
		nv = get_u64(&r);
		if (r.bad || nv > 4096 || nv > r.len - r.off) {
			goto bad;
		}
		if (nv) {
			vm->vcpus = calloc(nv, sizeof(*vm->vcpus));
			if (!vm->vcpus) {
				goto bad;
			}
			vm->nr_vcpus = nv;
		}
		for (j = 0; j < nv; j++) {
			get_words(&r, &vm->vcpus[j], sizeof(vm->vcpus[j]));
		}
		if (get_tab(&r, &vm->ents)) {
			goto bad;
		}
		if (vm->s.top_level < 4 || vm->s.top_level > 5) {
			goto bad;
		}
	}
	if (r.bad || r.off != r.len) {
		goto bad;
	}
	return m;
bad:
	mdl_free(m);
	return NULL;
}

struct mdl_model *mdl_clone(const struct mdl_model *src)
{
	struct mdl_model *m = calloc(1, sizeof(*m));
	uint64_t i;

	if (!m) {
		return NULL;
	}
	m->g = src->g;
	m->st = src->st;
	if (tab_copy(&m->pages, &src->pages) || tab_copy(&m->tids, &src->tids) ||
	    tab_copy(&m->addrs, &src->addrs) || tab_copy(&m->cpus, &src->cpus)) {
		goto bad;
	}
	if (src->nr_vms) {
		m->vms = calloc(src->nr_vms, sizeof(*m->vms));
		if (!m->vms) {
			goto bad;
		}
		m->cap_vms = src->nr_vms;
	}
	for (i = 0; i < src->nr_vms; i++) {
		const struct mdl_vm *s = src->vms[i];
		struct mdl_vm *vm = calloc(1, sizeof(*vm));

		if (!vm) {
			goto bad;
		}
		m->vms[m->nr_vms++] = vm;
		vm->s = s->s;
		if (tab_copy(&vm->ents, &s->ents)) {
			goto bad;
		}
		if (s->nr_vcpus) {
			vm->vcpus = malloc(s->nr_vcpus * sizeof(*vm->vcpus));
			if (!vm->vcpus) {
				goto bad;
			}
			memcpy(vm->vcpus, s->vcpus, s->nr_vcpus * sizeof(*vm->vcpus));
			vm->nr_vcpus = s->nr_vcpus;
		}
	}
	return m;
bad:
	mdl_free(m);
	return NULL;
}
