// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/save.c - the model as data: mdl_save(), mdl_load(),
 * mdl_clone().
 *
 * Blob layout (all integers LEB128 varints unless noted):
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   0       8     magic MDL_MAGIC ("TDXRMDL3"; the digit changes with the layout)
 *   8       var   words in struct mdl_gstate, then each word
 *           var   four host tables: pages, tids, addrs, cpus
 *           var   nr_vms, then per VM: state words, nr_vcpus, each vCPU's
 *                 words, then its entry table
 *
 * A table is: log2(cap) + 1 (0: no table), count, then its elements in hash
 * order (mdl_tab_hash() of the key, a bijection: a stable order that does not
 * depend on the capacity or on the order of insertion), each as its slot's
 * distance from the key's home slot (linear probing) and the element as
 * words: two saves of states that differ in a few elements differ in a
 * few places, the rest byte-equal. Home slots follow hash order
 * (table.c), so loading writes the table front to back, and the
 * distances put every element back in its own slot:
 * save(load(save(m))) is byte-equal and a loaded model probes exactly like
 * the saved one. Elements are padding-free sequences of words (see
 * model_int.h). Every length is checked on load: a malformed blob gives
 * NULL, never a crash.
 */
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

#define MDL_MAGIC "TDXRMDL3"

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
	uint64_t h; /* mdl_tab_hash(key) */
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

		memcpy(&k, mdl_tab_slot(t, i), 8);
		if (!k) {
			continue;
		}
		e.h = mdl_tab_hash(k);
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
		put_words(b, mdl_tab_slot(t, r[i].slot), t->esz);
	}
	free(r);
}

/* nr_vms, then each VM: state words, vCPUs, and its entries by @put_ents. */
static void put_vms(struct wbuf *b, const struct mdl_model *m,
		    void (*put_ents)(struct wbuf *b, const struct mdl_tab *t))
{
	uint64_t i, j;

	put_u64(b, m->nr_vms);
	for (i = 0; i < m->nr_vms; i++) {
		const struct mdl_vm *vm = m->vms[i];

		put_words(b, &vm->s, sizeof(vm->s));
		put_u64(b, vm->nr_vcpus);
		for (j = 0; j < vm->nr_vcpus; j++) {
			put_words(b, &vm->vcpus[j], sizeof(vm->vcpus[j]));
		}
		put_ents(b, &vm->ents);
	}
}

static void put_magic(struct wbuf *b, const char *magic)
{
	for (int i = 0; i < 8; i++) {
		put_byte(b, (uint8_t)magic[i]);
	}
}

/* Hands the buffer over: 0, or -ENOMEM when it ran out of memory. */
static int wbuf_done(struct wbuf *b, void **blob, size_t *len)
{
	if (b->oom) {
		free(b->p);
		*blob = NULL;
		*len = 0;
		return -12; /* -ENOMEM */
	}
	*blob = b->p;
	*len = b->len;
	return 0;
}

int mdl_save(const struct mdl_model *m, void **blob, size_t *len)
{
	struct wbuf b = {0};

	put_magic(&b, MDL_MAGIC);
	put_u64(&b, sizeof(m->g) / 8);
	put_words(&b, &m->g, sizeof(m->g));
	put_tab(&b, &m->pages);
	put_tab(&b, &m->tids);
	put_tab(&b, &m->addrs);
	put_tab(&b, &m->cpus);
	put_vms(&b, m, put_tab);
	return wbuf_done(&b, blob, len);
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

	/* Fast path: room for the longest encoding of every word, so no
	 * bounds check per byte (an element is mostly small words and a few
	 * SPTEs of ten bytes). */
	if (!r->bad && r->len - r->off >= size / 8 * 10) {
		const uint8_t *q = r->p + r->off;

		for (i = 0; i < size; i += 8) {
			uint64_t w = *q & 0x7f;
			unsigned int shift = 7;

			while (*q++ & 0x80) {
				if (shift > 63) {
					r->bad = true;
					return;
				}
				w |= (uint64_t)(*q & 0x7f) << shift;
				shift += 7;
			}
			memcpy(d + i, &w, 8);
		}
		r->off = (size_t)(q - r->p);
		return;
	}
	for (i = 0; i < size; i += 8) {
		uint64_t w = get_u64(r);

		memcpy(d + i, &w, 8);
	}
}

static int get_tab(struct rbuf *r, struct mdl_tab *t)
{
	uint64_t lg = get_u64(r), count = get_u64(r), i, mask, prev_h = 0, nfar = 0, hi = 0;
	uint64_t *far = NULL;
	bool zero;
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
	/* tables grow at 3/4 load (a fuller one is a corrupt blob) and
	 * start 3/8 full */
	/* An element takes at least its distance and a byte per word: a count
	 * the blob cannot hold must not size the table (a damaged checkpoint
	 * would commit gigabytes before failing). */
	if (mdl_tab_over(count, t->cap) || count > (r->len - r->off) / (1 + t->esz / 8) ||
	    (t->cap > 64 && t->cap > 4 * (count + MDL_EVENT_INSERTS))) {
		t->cap = 0;
		t->lg = 0;
		return -1;
	}
	/* Slots [0, hi) are set: the ones between elements are zeroed as the
	 * elements come, front to back (one pass over the table, not two). */
	t->slots = mdl_tab_alloc_raw(t->cap, t->esz, &zero);
	if (!t->slots) {
		t->cap = 0;
		t->lg = 0;
		return -1;
	}
	far = malloc((count ? count : 1) * sizeof(*far));
	if (!far) {
		goto bad;
	}
	for (i = 0; i < count; i++) {
		uint64_t d = get_u64(r), k, h, slot, k0;
		uint8_t *s;

		if (r->bad || d >= t->cap) {
			goto bad;
		}
		/* The key first: its hash tells the slot. */
		k = get_u64(r);
		h = mdl_tab_hash(k);
		if (r->bad || !(k & KEY_TAG) || (i && h <= prev_h)) {
			goto bad; /* not in hash order, or not a key */
		}
		prev_h = h;
		slot = ((h >> (64 - t->lg)) + d) & mask;
		s = mdl_tab_slot(t, slot);
		if (slot >= hi) {
			if (!zero) {
				memset(mdl_tab_slot(t, hi), 0, (size_t)((slot + 1 - hi) * t->esz));
			}
			hi = slot + 1;
		}
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
	if (!zero) {
		memset(mdl_tab_slot(t, hi), 0, (size_t)((t->cap - hi) * t->esz));
	}
	hi = t->cap;
	/*
	 * Every key must be reachable from its home slot, all slots between
	 * taken (keys are unique: they are in strict hash order). An element
	 * in its home slot is; the others were listed in @far.
	 */
	for (i = 0; i < nfar; i++) {
		uint64_t k;

		memcpy(&k, mdl_tab_slot(t, far[i]), 8);
		if (mdl_tab_peek(t, k) != mdl_tab_slot(t, far[i])) {
			ret = -1;
			break;
		}
	}
	goto out;
bad:
	ret = -1;
	if (!zero && hi < t->cap) {
		memset(mdl_tab_slot(t, hi), 0, (size_t)((t->cap - hi) * t->esz));
	}
out:
	free(far);
	return ret;
}

/*
 * A VM's state words and its vCPUs, over what @vm holds (nothing for a
 * new VM; vCPUs only ever come, so there are never fewer). 0 or -1.
 */
static int get_vm(struct rbuf *r, struct mdl_vm *vm)
{
	uint64_t nv, j;

	get_words(r, &vm->s, sizeof(vm->s));
	nv = get_u64(r);
	if (r->bad || nv > 4096 || nv > r->len - r->off || nv < vm->nr_vcpus) {
		return -1;
	}
	if (nv != vm->nr_vcpus) {
		struct mdl_vcpu *v = realloc(vm->vcpus, nv * sizeof(*v));

		if (!v) {
			return -1;
		}
		vm->vcpus = v;
		vm->nr_vcpus = nv;
	}
	for (j = 0; j < nv; j++) {
		get_words(r, &vm->vcpus[j], sizeof(vm->vcpus[j]));
	}
	return r->bad ? -1 : 0;
}

struct mdl_model *mdl_load(const void *blob, size_t len)
{
	struct rbuf r = {blob, len, 0, false};
	struct mdl_model *m;
	uint64_t nw, i, nvms;

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
		struct mdl_vm *vm = mdl_vm_new_empty();

		if (!vm || mdl_vm_push(m, vm) < 0) {
			mdl_vm_free(vm);
			goto bad;
		}
		if (get_vm(&r, vm) < 0 || get_tab(&r, &vm->ents) || vm->s.top_level < 4 ||
		    vm->s.top_level > 5) {
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
	if (mdl_tab_copy(&m->pages, &src->pages) || mdl_tab_copy(&m->tids, &src->tids) ||
	    mdl_tab_copy(&m->addrs, &src->addrs) || mdl_tab_copy(&m->cpus, &src->cpus)) {
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
		if (mdl_tab_copy(&vm->ents, &s->ents)) {
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

/* ---- incremental snapshots ----------------------------------------------
 *
 * Changes blob layout (varints, as above):
 *
 *   magic CHG_MAGIC ("TDXRCHG2")
 *   g.events of the state the changes apply to (the last snapshot's)
 *   words in struct mdl_gstate, then each word
 *   tids, addrs, cpus: whole, as in a full blob (they are small)
 *   pages: a tracked table
 *   nr_vms, then per VM: state words, nr_vcpus, each vCPU's words, its
 *   entry table as a tracked table
 *
 * A tracked table is 0 and the whole table as in a full blob when it was
 * laid out anew since the last snapshot (it grew, or is new); else 1,
 * log2(cap) + 1, count, the number of touched slots, then each touched
 * slot as its distance from the previous one (the first: from slot 0) and
 * its element as words. Applied over the previous state, slots land where
 * they were: the restored tables are the tracking model's, slot for slot.
 */
#define CHG_MAGIC "TDXRCHG2"

static void put_tracked(struct wbuf *b, const struct mdl_tab *t)
{
	const struct mdl_tab_track *k = t->trk;
	uint64_t w, nw, n = 0, prev = 0;

	if (!k || k->relaid || !t->cap) {
		put_u64(b, 0);
		put_tab(b, t);
		return;
	}
	nw = t->cap / 64;
	for (w = 0; w < nw; w++) {
		n += (uint64_t)__builtin_popcountll(k->bits[w]);
	}
	put_u64(b, 1);
	put_u64(b, t->lg + 1);
	put_u64(b, t->count);
	put_u64(b, n);
	for (w = 0; w < nw; w++) {
		uint64_t bits = k->bits[w];

		while (bits) {
			uint64_t slot = w * 64 + (uint64_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			put_u64(b, slot - prev);
			put_words(b, mdl_tab_slot(t, slot), t->esz);
			prev = slot;
		}
	}
}

static void clear_tracked(const struct mdl_tab *t)
{
	struct mdl_tab_track *k = t->trk;

	if (k) {
		memset(k->bits, 0, mdl_tab_track_words(t->cap) * sizeof(*k->bits));
		k->relaid = false;
	}
}

void mdl_changes_clear(const struct mdl_model *m)
{
	uint64_t i;

	if (!m->track) {
		return;
	}
	m->track->from_events = m->g.events;
	clear_tracked(&m->pages);
	for (i = 0; i < m->nr_vms; i++) {
		clear_tracked(&m->vms[i]->ents);
	}
}

int mdl_save_changes(const struct mdl_model *m, void **blob, size_t *len)
{
	struct wbuf b = {0};
	int r;

	*blob = NULL;
	*len = 0;
	if (!m->track) {
		return -22; /* -EINVAL */
	}
	put_magic(&b, CHG_MAGIC);
	put_u64(&b, m->track->from_events);
	put_u64(&b, sizeof(m->g) / 8);
	put_words(&b, &m->g, sizeof(m->g));
	put_tab(&b, &m->tids);
	put_tab(&b, &m->addrs);
	put_tab(&b, &m->cpus);
	put_tracked(&b, &m->pages);
	put_vms(&b, m, put_tracked);
	r = wbuf_done(&b, blob, len);
	if (r == 0) {
		mdl_changes_clear(m); /* the next changes start here */
	}
	return r;
}

/* Replaces @t by the whole table that follows. */
static int get_whole(struct rbuf *r, struct mdl_tab *t)
{
	uint64_t esz = t->esz;

	mdl_tab_free(t);
	mdl_tab_init(t, esz);
	return get_tab(r, t);
}

static int get_tracked(struct rbuf *r, struct mdl_tab *t)
{
	uint64_t mode = get_u64(r), lg, count, n, i, slot = 0, used;
	uint64_t *put = NULL;
	int ret = -1;

	if (r->bad) {
		return -1;
	}
	if (mode == 0) {
		return get_whole(r, t);
	}
	lg = get_u64(r);
	count = get_u64(r);
	n = get_u64(r);
	/* Only over the same layout, and a table that keeps empty slots
	 * (lookups stop at one). */
	if (r->bad || mode != 1 || !t->cap || lg != t->lg + 1u || mdl_tab_over(count, t->cap) ||
	    count < t->count || n > count || n > r->len - r->off) {
		return -1;
	}
	put = malloc((n ? n : 1) * sizeof(*put));
	if (!put) {
		return -1;
	}
	used = t->count;
	for (i = 0; i < n; i++) {
		uint64_t d = get_u64(r), k, old;
		uint8_t *s;

		if (r->bad || d >= t->cap || (i && !d) || slot + d >= t->cap) {
			goto out;
		}
		slot += d;
		s = mdl_tab_slot(t, slot);
		memcpy(&old, s, 8);
		k = get_u64(r);
		/* a slot keeps its key; an empty one takes a new key */
		if (r->bad || !(k & KEY_TAG) || (old && old != k)) {
			goto out;
		}
		if (!old && ++used > count) {
			goto out;
		}
		memcpy(s, &k, 8);
		get_words(r, s + 8, t->esz - 8);
		if (r->bad) {
			goto out;
		}
		put[i] = slot;
	}
	if (used != count) {
		goto out;
	}
	t->count = count;
	/* Every key put must be found where it was put (once all are in:
	 * a probe run may wrap around to lower slots). */
	for (i = 0; i < n; i++) {
		uint64_t k;

		memcpy(&k, mdl_tab_slot(t, put[i]), 8);
		if (mdl_tab_peek(t, k) != mdl_tab_slot(t, put[i])) {
			goto out;
		}
	}
	ret = 0;
out:
	free(put);
	return ret;
}

int mdl_load_changes(struct mdl_model *m, const void *blob, size_t len)
{
	struct rbuf r = {blob, len, 0, false};
	uint64_t nw, i, nvms;

	if (!blob || len < 8 || memcmp(blob, CHG_MAGIC, 8)) {
		return -1;
	}
	r.off = 8;
	/* changes follow the state they were taken against, no other */
	if (get_u64(&r) != m->g.events || r.bad) {
		return -1;
	}
	nw = get_u64(&r);
	if (r.bad || nw != sizeof(m->g) / 8) {
		return -1;
	}
	get_words(&r, &m->g, sizeof(m->g));
	if (r.bad || get_whole(&r, &m->tids) || get_whole(&r, &m->addrs) ||
	    get_whole(&r, &m->cpus) || get_tracked(&r, &m->pages)) {
		return -1;
	}
	nvms = get_u64(&r);
	/* VMs are only ever added */
	if (r.bad || nvms < m->nr_vms || nvms > r.len - r.off) {
		return -1;
	}
	for (i = 0; i < nvms; i++) {
		struct mdl_vm *vm;

		if (i == m->nr_vms) {
			vm = mdl_vm_new_empty();
			if (!vm || mdl_vm_push(m, vm) < 0) {
				mdl_vm_free(vm);
				return -1;
			}
		}
		vm = m->vms[i];
		/* a VM added since the last snapshot brings its whole table */
		if (get_vm(&r, vm) < 0 || get_tracked(&r, &vm->ents) || vm->s.top_level < 4 ||
		    vm->s.top_level > 5) {
			return -1;
		}
	}
	if (r.bad || r.off != r.len) {
		return -1;
	}
	/* Caches start cold, as after mdl_load(). */
	m->last_vm = 0;
	m->res_ev = NULL;
	m->res_seq = 0;
	m->res_tid = 0;
	m->res_vm = 0;
	m->res_guess = false;
	memset(m->cpu_slot, 0, sizeof(m->cpu_slot));
	return 0;
}
