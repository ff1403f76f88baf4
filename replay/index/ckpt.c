// SPDX-License-Identifier: GPL-2.0
/*
 * replay/index/ckpt.c - incremental model checkpoints.
 *
 * A checkpoint is an mdl_save() blob. It is stored either whole (a "full"
 * checkpoint, which becomes the base of those that follow) or as a delta
 * against the last full one. The delta is found with content-defined
 * chunking: the blob is cut where a rolling (gear) hash of the last bytes
 * hits a pattern, so an insertion early in the blob moves the cuts with
 * the data instead of changing every fixed-size chunk after it. Chunks of
 * the new blob found (same hash, same bytes) in the base become "copy"
 * ops, the rest "literal" ops:
 *
 *   op    := varint(len << 1 | 1) varint(zigzag(offset - expected))   copy
 *          | varint(len << 1) byte[len]                                literal
 *
 * where expected is where the previous copy ended. Deltas grow with the
 * distance from their base: once the deltas against a base add up to more
 * than the base itself, the next blob is stored whole (the bytes per
 * checkpoint are then within twice their minimum over fulls and deltas),
 * and so is a delta larger than half its blob.
 * Restoring is one read of the base and one of the delta, applied in one
 * pass (ckpt_apply), whatever the number of checkpoints in between.
 */
#include <stdlib.h>
#include <string.h>

#include "index_int.h"

#define CK_MIN 12
#define CK_MAX 1024
#define CK_MASK 0xf000000000000000ull /* ~28-byte chunks on average */
#define CK_SKIP 128		      /* >= 64: the rolling hash's window */

static uint64_t gear[256];
static bool gear_ready;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void gear_init(void)
{
	uint64_t x = 0x7464787220636b70ull;

	if (gear_ready) {
		return;
	}
	for (int i = 0; i < 256; i++) {
		gear[i] = splitmix(&x);
	}
	gear_ready = true;
}

/*
 * End of the chunk that starts at @start. The gear hash @h rolls over the
 * whole blob (it is never reset at a cut), so a cut depends only on the
 * 64 bytes before it: after a change the cuts fall in the same places
 * again 64 bytes later.
 */
static size_t next_cut(const uint8_t *p, size_t len, size_t start, uint64_t *h)
{
	size_t i, lim = len - start < CK_MAX ? len : start + CK_MAX;
	uint64_t x = *h;

	for (i = start; i < lim; i++) {
		x = (x << 1) + gear[p[i]];
		if (i + 1 - start >= CK_MIN && !(x & CK_MASK)) {
			i++;
			break;
		}
	}
	*h = x;
	return i;
}

static uint64_t chunk_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x6a09e667f3bcc909ull ^ n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9fb21c651e98df25ull;
		h ^= h >> 29;
	}
	for (; i < n; i++) {
		h = (h ^ p[i]) * 0x100000001b3ull;
	}
	h ^= h >> 32;
	return h ? h : 1;
}

struct ck_slot {
	uint64_t hash;	/* 0: empty */
	uint64_t where; /* offset << 16 | length */
};

struct ckpt_enc {
	uint8_t *base; /* owned copy of the last full blob */
	size_t baselen;
	struct ck_slot *slots; /* chunks of base by hash */
	size_t mask;	       /* slots - 1 */
	uint8_t *out;	       /* the last delta */
	size_t outcap;
	size_t spent; /* bytes of the deltas against base */
	bool force_full;
};

struct ckpt_enc *ckpt_enc_new(void)
{
	gear_init();
	return calloc(1, sizeof(struct ckpt_enc));
}

void ckpt_enc_free(struct ckpt_enc *c)
{
	if (!c) {
		return;
	}
	free(c->base);
	free(c->slots);
	free(c->out);
	free(c);
}

void ckpt_enc_reset(struct ckpt_enc *c)
{
	c->force_full = true;
}

static int set_base(struct ckpt_enc *c, const uint8_t *blob, size_t len)
{
	size_t want = 64, off = 0;
	uint64_t roll = 0;
	uint8_t *nb;

	/* At most len / CK_MIN chunks, about len / 28 in practice: the table
	 * keeps a free slot, and is under half full on average. */
	while (want < len / CK_MIN + 1) {
		want <<= 1;
	}
	nb = malloc(len ? len : 1);
	if (!nb) {
		return -1;
	}
	memcpy(nb, blob, len);
	free(c->base);
	c->base = nb;
	c->baselen = len;
	if (want != c->mask + 1 || !c->slots) {
		free(c->slots);
		c->slots = calloc(want, sizeof(*c->slots));
		if (!c->slots) {
			c->mask = 0;
			return -1;
		}
		c->mask = want - 1;
	} else {
		memset(c->slots, 0, want * sizeof(*c->slots));
	}
	while (off < len) {
		size_t n = next_cut(nb, len, off, &roll) - off;
		uint64_t h = chunk_hash(nb + off, n);
		size_t i = h & c->mask;

		while (c->slots[i].hash && c->slots[i].hash != h) {
			i = (i + 1) & c->mask;
		}
		if (!c->slots[i].hash) {
			c->slots[i].hash = h;
			c->slots[i].where = (uint64_t)off << 16 | n;
		}
		off += n;
	}
	return 0;
}

static const struct ck_slot *find(const struct ckpt_enc *c, const uint8_t *p, size_t n)
{
	uint64_t h = chunk_hash(p, n);
	size_t i = h & c->mask;

	while (c->slots[i].hash) {
		const struct ck_slot *s = &c->slots[i];

		if (s->hash == h && (s->where & 0xffff) == n &&
		    memcmp(c->base + (s->where >> 16), p, n) == 0) {
			return s;
		}
		i = (i + 1) & c->mask;
	}
	return NULL;
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

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (*p >= end) {
			return -1;
		}
		b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -1;
}

/* Appends a pending copy or literal op to c->out at *pos. */
static void emit(struct ckpt_enc *c, size_t *pos, bool copy, uint64_t off, size_t len,
		 const uint8_t *lit, uint64_t *expect)
{
	*pos += put_varint(c->out + *pos, ((uint64_t)len << 1) | (copy ? 1 : 0));
	if (copy) {
		int64_t d = (int64_t)(off - *expect);

		*pos += put_varint(c->out + *pos, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
		*expect = off + len;
	} else {
		memcpy(c->out + *pos, lit, len);
		*pos += len;
	}
}

int ckpt_enc_put(struct ckpt_enc *c, const void *blob, size_t len, bool *full, const void **out,
		 size_t *outlen)
{
	const uint8_t *b = blob;
	size_t off = 0, pos = 0, limit = len / 2;
	uint64_t expect = 0, roll = 0;
	/* the pending op: a copy [coff, coff + clen) or a literal [loff, loff + llen) */
	uint64_t coff = 0;
	size_t clen = 0, loff = 0, llen = 0;

	if (c->force_full || !c->base || c->baselen == 0 || len < 4096 || c->spent >= c->baselen) {
		goto whole;
	}
	if (c->outcap < limit + 64) {
		uint8_t *no = realloc(c->out, limit + 64);

		if (!no) {
			return -1;
		}
		c->out = no;
		c->outcap = limit + 64;
	}
	while (off < len) {
		size_t n, m = 0;
		const struct ck_slot *s;

		/* Most of a blob is what the base holds at the same place: while
		 * the bytes after a pending copy match the base, grow the copy a
		 * block at a time without cutting or hashing. The rolling hash
		 * only depends on the last 64 bytes, so it restarts from them. */
		while (clen && off + m + CK_SKIP <= len &&
		       coff + clen + m + CK_SKIP <= c->baselen &&
		       memcmp(b + off + m, c->base + coff + clen + m, CK_SKIP) == 0) {
			m += CK_SKIP;
		}
		if (m) {
			clen += m;
			off += m;
			roll = 0;
			for (size_t i = off - 64; i < off; i++) {
				roll = (roll << 1) + gear[b[i]];
			}
			continue;
		}
		n = next_cut(b, len, off, &roll) - off;
		s = find(c, b + off, n);

		/* Worst case an op costs 20 bytes of header plus its literal. */
		if (pos + llen + n + 40 > limit) {
			goto whole;
		}
		if (s) {
			if (llen) {
				emit(c, &pos, false, 0, llen, b + loff, &expect);
				llen = 0;
			}
			if (clen && coff + clen == s->where >> 16) {
				clen += n;
			} else {
				if (clen) {
					emit(c, &pos, true, coff, clen, NULL, &expect);
				}
				coff = s->where >> 16;
				clen = n;
			}
		} else {
			if (clen) {
				emit(c, &pos, true, coff, clen, NULL, &expect);
				clen = 0;
			}
			if (!llen) {
				loff = off;
			}
			llen += n;
		}
		off += n;
	}
	if (clen) {
		emit(c, &pos, true, coff, clen, NULL, &expect);
	}
	if (llen) {
		emit(c, &pos, false, 0, llen, b + loff, &expect);
	}
	*full = false;
	*out = c->out;
	*outlen = pos;
	c->spent += pos;
	return 0;
whole:
	if (set_base(c, b, len) < 0) {
		return -1;
	}
	c->force_full = false;
	c->spent = 0;
	*full = true;
	*out = blob;
	*outlen = len;
	return 0;
}

int ckpt_apply(const uint8_t *base, size_t baselen, const uint8_t *delta, size_t dlen, uint8_t *out,
	       size_t len)
{
	const uint8_t *p = delta, *end = delta + dlen;
	uint64_t expect = 0;
	size_t pos = 0;

	while (p < end) {
		uint64_t tag, n;

		if (get_varint(&p, end, &tag) < 0) {
			return -1;
		}
		n = tag >> 1;
		if (n > len - pos) {
			return -1;
		}
		if (tag & 1) {
			uint64_t z, off;

			if (get_varint(&p, end, &z) < 0) {
				return -1;
			}
			off = expect + (uint64_t)((int64_t)(z >> 1) ^ -(int64_t)(z & 1));
			if (off > baselen || n > baselen - off) {
				return -1;
			}
			memcpy(out + pos, base + off, n);
			expect = off + n;
		} else {
			if (n > (uint64_t)(end - p)) {
				return -1;
			}
			memcpy(out + pos, p, n);
			p += n;
		}
		pos += n;
	}
	return pos == len ? 0 : -1;
}
