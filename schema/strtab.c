// SPDX-License-Identifier: GPL-2.0
/*
 * schema/strtab.c - interned strings: an open-addressing hash over one
 * growing byte arena. Offsets, not pointers, so growth never dangles.
 */
#include "tdxr/strtab.h"

#include <stdlib.h>
#include <string.h>

struct tdxr_strtab {
	char *bytes; /* owned: NUL-terminated strings back to back */
	size_t nbytes;
	size_t capbytes;
	uint32_t *off; /* owned: id -> offset in bytes */
	uint32_t nr;   /* ids in use (id 0 = "") */
	uint32_t capnr;
	uint32_t *hash; /* owned: slots hold id + 1, 0 = empty */
	uint32_t hmask;
};

static uint32_t str_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

struct tdxr_strtab *tdxr_strtab_new(void)
{
	struct tdxr_strtab *st = calloc(1, sizeof(*st));

	if (!st) {
		return NULL;
	}
	st->capbytes = 4096;
	st->bytes = malloc(st->capbytes);
	st->capnr = 256;
	st->off = malloc(st->capnr * sizeof(*st->off));
	st->hmask = 511;
	st->hash = calloc(st->hmask + 1, sizeof(*st->hash));
	if (!st->bytes || !st->off || !st->hash) {
		tdxr_strtab_free(st);
		return NULL;
	}
	st->bytes[0] = '\0';
	st->nbytes = 1;
	st->off[0] = 0;
	st->nr = 1;
	return st;
}

void tdxr_strtab_free(struct tdxr_strtab *st)
{
	if (!st) {
		return;
	}
	free(st->bytes);
	free(st->off);
	free(st->hash);
	free(st);
}

static int grow_hash(struct tdxr_strtab *st)
{
	uint32_t nmask = st->hmask * 2 + 1;
	uint32_t *nh = calloc((size_t)nmask + 1, sizeof(*nh));

	if (!nh) {
		return -1;
	}
	for (uint32_t id = 1; id < st->nr; id++) {
		const char *s = st->bytes + st->off[id];
		uint32_t i = str_hash(s, strlen(s)) & nmask;

		while (nh[i]) {
			i = (i + 1) & nmask;
		}
		nh[i] = id + 1;
	}
	free(st->hash);
	st->hash = nh;
	st->hmask = nmask;
	return 0;
}

uint32_t tdxr_strtab_intern(struct tdxr_strtab *st, const char *s, size_t len)
{
	uint32_t i;

	if (len == 0) {
		return 0;
	}
	i = str_hash(s, len) & st->hmask;
	while (st->hash[i]) {
		uint32_t id = st->hash[i] - 1;
		const char *t = st->bytes + st->off[id];

		if (strncmp(t, s, len) == 0 && t[len] == '\0') {
			return id;
		}
		i = (i + 1) & st->hmask;
	}
	if (st->nr >= st->hmask || st->nbytes + len + 1 > TDXR_STRTAB_MAX_BYTES) {
		return 0;
	}
	if (st->nbytes + len + 1 > st->capbytes) {
		size_t ncap = st->capbytes * 2;
		char *nb;

		while (ncap < st->nbytes + len + 1) {
			ncap *= 2;
		}
		nb = realloc(st->bytes, ncap);
		if (!nb) {
			return 0;
		}
		st->bytes = nb;
		st->capbytes = ncap;
	}
	if (st->nr == st->capnr) {
		uint32_t *no = realloc(st->off, (size_t)st->capnr * 2 * sizeof(*no));

		if (!no) {
			return 0;
		}
		st->off = no;
		st->capnr *= 2;
	}
	memcpy(st->bytes + st->nbytes, s, len);
	st->bytes[st->nbytes + len] = '\0';
	st->off[st->nr] = (uint32_t)st->nbytes;
	st->nbytes += len + 1;
	st->hash[i] = st->nr + 1;
	st->nr++;
	if (st->nr * 2 > st->hmask && grow_hash(st) < 0) {
		/* The table still works, only slower: keep the string. */
	}
	return st->nr - 1;
}

const char *tdxr_strtab_get(const struct tdxr_strtab *st, uint32_t id)
{
	if (!st || id >= st->nr) {
		return "";
	}
	return st->bytes + st->off[id];
}

uint32_t tdxr_strtab_count(const struct tdxr_strtab *st)
{
	return st->nr;
}
