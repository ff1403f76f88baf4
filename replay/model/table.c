// SPDX-License-Identifier: GPL-2.0
/*
 * replay/model/table.c - the model's hash tables.
 *
 * Open addressing with linear probing over fixed-size elements whose first
 * word is the key (0 = empty). Nothing is ever deleted: the model keeps a
 * record for each gfn, page and thread it has seen, so memory follows what
 * the trace touched, not its length. Lookups are the hot path of
 * mdl_apply(); growth is the only allocation.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "model_int.h"

/*
 * The home slot of a key is the top log2(cap) bits of its hash: slot
 * order then follows hash order whatever the capacity, which lets
 * mdl_save() write a table in a stable order (hash order, see save.c) and
 * mdl_load() place it back front to back.
 */
static inline uint64_t tab_home(const struct mdl_tab *t, uint64_t key)
{
	return mdl_tab_hash(key) >> (64 - t->lg);
}

/* Slot arrays at least this big are kept for reuse (tab_pool). */
#define TAB_BIG (4ull << 20)

/*
 * The big slot arrays of freed models are kept for the next model of the
 * same shape: a reader that restores, clones and frees models of one
 * trace (idx_seek) then reuses memory instead of having the kernel fault
 * in and zero fresh pages each time (huge pages would fault less, but
 * their compaction stalls for hundreds of ms now and then). Bounded;
 * arrays outgrown by a growing table are freed, not kept.
 */
#define TAB_POOL 16
#define TAB_POOL_BYTES (384ull << 20)

static struct {
	void *p;
	size_t sz;
} tab_pool[TAB_POOL];
static size_t tab_pool_bytes;
static pthread_mutex_t tab_pool_mu = PTHREAD_MUTEX_INITIALIZER;

static void *pool_take(size_t sz)
{
	void *p = NULL;

	pthread_mutex_lock(&tab_pool_mu);
	for (int i = 0; i < TAB_POOL; i++) {
		if (tab_pool[i].p && tab_pool[i].sz == sz) {
			p = tab_pool[i].p;
			tab_pool[i].p = NULL;
			tab_pool_bytes -= sz;
			break;
		}
	}
	pthread_mutex_unlock(&tab_pool_mu);
	return p;
}

/* Big arrays are mapped, not malloc'd (see mdl_tab_alloc_raw). */
static void slots_release(void *p, size_t sz)
{
	if (p && sz >= TAB_BIG) {
		munmap(p, sz);
	} else {
		free(p);
	}
}

static void pool_put(void *p, size_t sz)
{
	pthread_mutex_lock(&tab_pool_mu);
	if (sz >= TAB_BIG && tab_pool_bytes + sz <= TAB_POOL_BYTES) {
		for (int i = 0; i < TAB_POOL; i++) {
			if (!tab_pool[i].p) {
				tab_pool[i].p = p;
				tab_pool[i].sz = sz;
				tab_pool_bytes += sz;
				p = NULL;
				break;
			}
		}
	}
	pthread_mutex_unlock(&tab_pool_mu);
	slots_release(p, sz);
}

/*
 * Cache-line aligned, not zeroed: an element never straddles more lines
 * than its size needs. A big array comes from the pool, or is mapped with
 * its pages populated up front: the kernel zeroes them in one go, which
 * costs a fraction of faulting them in one by one (tens of MB for a big
 * TD's tables, on every checkpoint restore); *zero then says it is zeroed.
 */
uint8_t *mdl_tab_alloc_raw(uint64_t n, uint64_t esz, bool *zero)
{
	void *p = NULL;
	size_t sz;

	*zero = false;
	if (n > (1ull << 40) / esz) {
		return NULL;
	}
	sz = (size_t)(n * esz);
	if (sz >= TAB_BIG) {
		p = pool_take(sz);
		if (p) {
			return p;
		}
		p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED) {
			return NULL;
		}
		*zero = true;
		return p;
	}
	if (posix_memalign(&p, 64, sz)) {
		return NULL;
	}
	return p;
}

/* Zeroed. */
uint8_t *mdl_tab_alloc(uint64_t n, uint64_t esz)
{
	bool zero;
	uint8_t *p = mdl_tab_alloc_raw(n, esz, &zero);

	if (p && !zero) {
		memset(p, 0, (size_t)(n * esz));
	}
	return p;
}

void mdl_tab_init(struct mdl_tab *t, uint64_t esz)
{
	memset(t, 0, sizeof(*t));
	t->esz = esz;
}

int mdl_tab_track(struct mdl_tab *t)
{
	struct mdl_tab_track *k = calloc(1, sizeof(*k));

	if (!k) {
		return -1;
	}
	k->bits = calloc(mdl_tab_track_words(t->cap), sizeof(*k->bits));
	if (!k->bits) {
		free(k);
		return -1;
	}
	k->relaid = true;
	free(t->trk ? t->trk->bits : NULL);
	free(t->trk);
	t->trk = k;
	return 0;
}

void mdl_tab_free(struct mdl_tab *t)
{
	if (t->trk) {
		free(t->trk->bits);
		free(t->trk);
		t->trk = NULL;
	}
	if (t->slots) {
		pool_put(t->slots, (size_t)(t->cap * t->esz));
	}
	t->slots = NULL;
	t->cap = 0;
	t->lg = 0;
	t->count = 0;
}

/* The slot of @key, or UINT64_MAX when it is not there. */
static inline uint64_t tab_index(const struct mdl_tab *t, uint64_t key)
{
	uint64_t mask, i;

	if (!t->cap) {
		return UINT64_MAX;
	}
	mask = t->cap - 1;
	for (i = tab_home(t, key);; i = (i + 1) & mask) {
		uint64_t k;

		memcpy(&k, t->slots + i * t->esz, sizeof(k));
		if (k == key) {
			return i;
		}
		if (!k) {
			return UINT64_MAX;
		}
	}
}

void *mdl_tab_find(const struct mdl_tab *t, uint64_t key)
{
	uint64_t i = tab_index(t, key);

	if (i == UINT64_MAX) {
		return NULL;
	}
	mdl_tab_touch(t, i);
	return mdl_tab_slot(t, i);
}

void *mdl_tab_peek(const struct mdl_tab *t, uint64_t key)
{
	uint64_t i = tab_index(t, key);

	return i == UINT64_MAX ? NULL : mdl_tab_slot(t, i);
}

/* Places an element at its probe position; the table has room. */
static void tab_place(struct mdl_tab *t, const uint8_t *elem)
{
	uint64_t key, mask = t->cap - 1, i;

	memcpy(&key, elem, sizeof(key));
	for (i = tab_home(t, key);; i = (i + 1) & mask) {
		uint8_t *s = t->slots + i * t->esz;
		uint64_t k;

		memcpy(&k, s, sizeof(k));
		if (!k) {
			memcpy(s, elem, t->esz);
			return;
		}
	}
}

static int tab_grow(struct mdl_tab *t)
{
	uint64_t ncap = t->cap ? t->cap * 2 : 64, i;
	struct mdl_tab old = *t;
	uint64_t *bits = NULL;

	if (t->trk) {
		bits = calloc(mdl_tab_track_words(ncap), sizeof(*bits));
		if (!bits) {
			return -1;
		}
	}
	t->slots = mdl_tab_alloc(ncap, t->esz);
	if (!t->slots) {
		t->slots = old.slots;
		free(bits);
		return -1;
	}
	if (t->trk) {
		/* a new layout: the next snapshot holds the whole table */
		free(t->trk->bits);
		t->trk->bits = bits;
		t->trk->relaid = true;
	}
	t->cap = ncap;
	t->lg = old.lg ? old.lg + 1 : 6;
	for (i = 0; i < old.cap; i++) {
		uint8_t *s = old.slots + i * old.esz;
		uint64_t k;

		memcpy(&k, s, sizeof(k));
		if (k) {
			tab_place(t, s);
		}
	}
	slots_release(old.slots, (size_t)(old.cap * old.esz));
	return 0;
}

int mdl_tab_reserve_slow(struct mdl_tab *t, uint64_t n)
{
	while (mdl_tab_over(t->count + n, t->cap)) {
		if (tab_grow(t)) {
			return -1;
		}
	}
	return 0;
}

void *mdl_tab_get(struct mdl_tab *t, uint64_t key, bool *created)
{
	uint64_t mask, i;

	if (created) {
		*created = false;
	}
	if (mdl_tab_over(t->count + 1, t->cap) && tab_grow(t)) {
		if (t->count + 1 >= t->cap) {
			return NULL; /* out of memory and full */
		}
	}
	mask = t->cap - 1;
	for (i = tab_home(t, key);; i = (i + 1) & mask) {
		uint8_t *s = t->slots + i * t->esz;
		uint64_t k;

		memcpy(&k, s, sizeof(k));
		if (k == key) {
			mdl_tab_touch(t, i);
			return s;
		}
		if (!k) {
			memset(s, 0, t->esz);
			memcpy(s, &key, sizeof(key));
			mdl_tab_touch(t, i);
			t->count++;
			if (created) {
				*created = true;
			}
			return s;
		}
	}
}

int mdl_tab_copy(struct mdl_tab *dst, const struct mdl_tab *src)
{
	bool zero;

	*dst = *src;
	dst->slots = NULL;
	dst->trk = NULL; /* a copy does not track */
	if (!src->cap) {
		return 0;
	}
	dst->slots = mdl_tab_alloc_raw(src->cap, src->esz, &zero);
	if (!dst->slots) {
		dst->cap = 0;
		dst->lg = 0;
		dst->count = 0;
		return -1;
	}
	memcpy(dst->slots, src->slots, src->cap * src->esz);
	return 0;
}
