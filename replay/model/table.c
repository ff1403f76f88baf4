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
	return tab_hash(key) >> (64 - t->lg);
}

/* Big tables ask for huge pages: fewer page faults when a model is
 * cloned or loaded, fewer TLB misses when it is probed. */
#define TAB_HUGE (2ull << 20)

/* Zeroed, cache-line aligned: an element never straddles more lines
 * than its size needs. */
uint8_t *tab_alloc(uint64_t n, uint64_t esz)
{
	void *p = NULL;
	size_t sz;

	if (n > (1ull << 40) / esz) {
		return NULL;
	}
	sz = (size_t)(n * esz);
	if (sz >= 2 * TAB_HUGE) {
		if (posix_memalign(&p, TAB_HUGE, sz)) {
			return NULL;
		}
		madvise(p, sz, MADV_HUGEPAGE); /* a hint: failure is fine */
	} else if (posix_memalign(&p, 64, sz)) {
		return NULL;
	}
	memset(p, 0, sz);
	return p;
}

void tab_init(struct mdl_tab *t, uint64_t esz)
{
	memset(t, 0, sizeof(*t));
	t->esz = esz;
}

void tab_free(struct mdl_tab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = 0;
	t->lg = 0;
	t->count = 0;
}

void *tab_find(const struct mdl_tab *t, uint64_t key)
{
	uint64_t mask, i;

	if (!t->cap) {
		return NULL;
	}
	mask = t->cap - 1;
	for (i = tab_home(t, key);; i = (i + 1) & mask) {
		uint8_t *s = t->slots + i * t->esz;
		uint64_t k;

		memcpy(&k, s, sizeof(k));
		if (k == key) {
			return s;
		}
		if (!k) {
			return NULL;
		}
	}
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

	t->slots = tab_alloc(ncap, t->esz);
	if (!t->slots) {
		t->slots = old.slots;
		return -1;
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
	free(old.slots);
	return 0;
}

int tab_reserve_slow(struct mdl_tab *t, uint64_t n)
{
	while ((t->count + n) * 2 > t->cap) {
		if (tab_grow(t)) {
			return -1;
		}
	}
	return 0;
}

void *tab_get(struct mdl_tab *t, uint64_t key, bool *created)
{
	uint64_t mask, i;

	if (created) {
		*created = false;
	}
	if ((t->count + 1) * 2 > t->cap && tab_grow(t)) {
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
			return s;
		}
		if (!k) {
			memset(s, 0, t->esz);
			memcpy(s, &key, sizeof(key));
			t->count++;
			if (created) {
				*created = true;
			}
			return s;
		}
	}
}

int tab_copy(struct mdl_tab *dst, const struct mdl_tab *src)
{
	*dst = *src;
	dst->slots = NULL;
	if (!src->cap) {
		return 0;
	}
	dst->slots = tab_alloc(src->cap, src->esz);
	if (!dst->slots) {
		dst->cap = 0;
		dst->lg = 0;
		dst->count = 0;
		return -1;
	}
	memcpy(dst->slots, src->slots, src->cap * src->esz);
	return 0;
}
