// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/merge.c - k-way merge of inputs by timestamp.
 *
 * Each input keeps one look-ahead event (its head). next() hands out the
 * head with the smallest ts and refills it from that input only, so a
 * reader's borrowed ev->raw stays valid until the caller asks again.
 * With one input this is a plain pass-through.
 */
#include <stdlib.h>
#include <string.h>

#include "tdxr/merge.h"

struct merge_in {
	struct tdxr_src *src;	/* owned */
	struct tdxr_event head; /* the input's next event */
	bool has_head;
	bool primed;
};

struct tdxr_merge {
	struct merge_in *in; /* owned, n entries */
	unsigned int n;
	uint64_t seq;
	int last; /* input whose head was handed out last */
	char err[640];
};

struct tdxr_merge *tdxr_merge_open(char *const *paths, unsigned int n,
				   const struct tdxr_src_opts *o, char *err, size_t errlen)
{
	struct tdxr_merge *m = calloc(1, sizeof(*m));

	if (!m || !(m->in = calloc(n ? n : 1, sizeof(*m->in)))) {
		free(m);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->last = -1;
	for (unsigned int i = 0; i < n; i++) {
		struct tdxr_src_opts so = *o;

		so.input = i;
		m->in[i].src = tdxr_src_open(paths[i], &so, err, errlen);
		if (!m->in[i].src) {
			m->n = i;
			tdxr_merge_close(m);
			return NULL;
		}
	}
	m->n = n;
	return m;
}

static int refill(struct tdxr_merge *m, struct merge_in *in)
{
	int r = tdxr_src_next(in->src, &in->head);

	in->primed = true;
	if (r < 0) {
		snprintf(m->err, sizeof(m->err), "%s", tdxr_src_error(in->src));
		in->has_head = false;
		return -1;
	}
	in->has_head = r == 1;
	return 0;
}

int tdxr_merge_next(struct tdxr_merge *m, struct tdxr_event *ev)
{
	int best = -1;

	for (unsigned int i = 0; i < m->n; i++) {
		struct merge_in *in = &m->in[i];

		if (!in->primed || (int)i == m->last) {
			if (refill(m, in) < 0) {
				return -1;
			}
		}
	}
	m->last = -1;
	for (unsigned int i = 0; i < m->n; i++) {
		if (m->in[i].has_head && (best < 0 || m->in[i].head.ts < m->in[best].head.ts)) {
			best = (int)i;
		}
	}
	if (best < 0) {
		return 0;
	}
	*ev = m->in[best].head;
	ev->seq = m->seq++;
	m->last = best;
	return 1;
}

const char *tdxr_merge_error(const struct tdxr_merge *m)
{
	return m->err;
}

unsigned int tdxr_merge_nr_inputs(const struct tdxr_merge *m)
{
	return m->n;
}

struct tdxr_src *tdxr_merge_src(const struct tdxr_merge *m, unsigned int i)
{
	return i < m->n ? m->in[i].src : NULL;
}

void tdxr_merge_progress(const struct tdxr_merge *m, uint64_t *done, uint64_t *total)
{
	*done = 0;
	*total = 0;
	for (unsigned int i = 0; i < m->n; i++) {
		uint64_t d, t;

		tdxr_src_progress(m->in[i].src, &d, &t);
		*done += d;
		*total += t;
	}
}

void tdxr_merge_close(struct tdxr_merge *m)
{
	if (!m) {
		return;
	}
	for (unsigned int i = 0; i < m->n; i++) {
		tdxr_src_close(m->in[i].src);
	}
	free(m->in);
	free(m);
}
