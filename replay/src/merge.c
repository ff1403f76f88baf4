// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/merge.c - k-way merge of inputs by timestamp.
 *
 * Each input keeps one look-ahead event (its head); the head with the
 * smallest ts goes next.
 *
 * A lost-events record comes just before the next event of the CPU that
 * lost them, but the loss began right after that CPU's previous event:
 * events of other CPUs in between were recorded while it was missing.
 * So merged events pass through a delay line of MERGE_DELAY events; when
 * a record arrives, the event right after its CPU's previous one (or the
 * oldest held, when that is further back) gets TDXR_LOST_WINDOW, so the
 * model stops trusting what the lost events may have changed from there.
 * Payload text (ev->raw) is copied into the line and stays valid until
 * the caller asks again.
 */
#include <stdlib.h>
#include <string.h>

#include "tdxr/merge.h"

#define MERGE_DELAY 8192u

struct delay_slot {
	struct tdxr_event ev;
	char *raw; /* owned copy of ev.raw */
	size_t rawcap;
};

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
	int last;	       /* input whose head was handed out last */
	struct delay_slot *dl; /* owned ring of MERGE_DELAY */
	unsigned int dl_first, dl_n;
	bool eof;
	char err[640];
};

struct tdxr_merge *tdxr_merge_open(char *const *paths, unsigned int n,
				   const struct tdxr_src_opts *o, char *err, size_t errlen)
{
	struct tdxr_merge *m = calloc(1, sizeof(*m));

	if (!m || !(m->in = calloc(n ? n : 1, sizeof(*m->in))) ||
	    !(m->dl = calloc(MERGE_DELAY, sizeof(*m->dl)))) {
		if (m) {
			free(m->in);
		}
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

/*
 * A vCPU leaving the guest: TDH.VP.ENTER's return (leaf 0) or kvm_exit.
 * Inputs printed in microseconds tie where the kernel's nanoseconds did
 * not; a kick's exit and the removal it let through often share one, so
 * on a tie across inputs the exit goes first (both orders fit the
 * timestamps; this is the one a healthy kernel's kick gives). Inputs
 * keep their own order.
 */
static bool merge_is_exit(const struct tdxr_event *ev)
{
	return ev->type == TDXR_EV_KVM_EXIT ||
	       (ev->type == TDXR_EV_TDX_SEAMCALL && (EVF(ev, TDX_SEAMCALL, leaf) & 0xffff) == 0);
}

/* The next event by ts, unnumbered. 1, 0 at the end, -1 on error. */
static int merge_pull(struct tdxr_merge *m, struct tdxr_event *ev)
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
		const struct tdxr_event *h = &m->in[i].head;

		if (!m->in[i].has_head) {
			continue;
		}
		if (best < 0 || h->ts < m->in[best].head.ts ||
		    (h->ts == m->in[best].head.ts && merge_is_exit(h) &&
		     !merge_is_exit(&m->in[best].head))) {
			best = (int)i;
		}
	}
	if (best < 0) {
		return 0;
	}
	*ev = m->in[best].head;
	m->last = best;
	return 1;
}

static struct delay_slot *dl_at(struct tdxr_merge *m, unsigned int i)
{
	return &m->dl[(m->dl_first + i) % MERGE_DELAY];
}

/* Flags where the loss @i (the newest held) records may have begun. */
static void dl_place_loss(struct tdxr_merge *m, unsigned int i)
{
	struct tdxr_event *rec = &dl_at(m, i)->ev;
	unsigned int q = 0;

	for (unsigned int j = i; j-- > 0;) {
		const struct tdxr_event *p = &dl_at(m, j)->ev;

		if (p->cpu == rec->cpu && p->input == rec->input) {
			q = j + 1;
			break;
		}
	}
	if (q < i) {
		dl_at(m, q)->ev.lost_flags |= TDXR_LOST_WINDOW;
		rec->lost_flags |= TDXR_LOST_WINDOW_END;
	}
}

/* Takes the event merge_pull() left in the next free slot. */
static int dl_push(struct tdxr_merge *m)
{
	struct delay_slot *s = dl_at(m, m->dl_n);
	const struct tdxr_event *ev = &s->ev;

	if (ev->raw) {
		size_t len = strlen(ev->raw) + 1;

		if (len > s->rawcap) {
			char *n = realloc(s->raw, len);

			if (!n) {
				snprintf(m->err, sizeof(m->err), "out of memory");
				return -1;
			}
			s->raw = n;
			s->rawcap = len;
		}
		memcpy(s->raw, ev->raw, len);
		s->ev.raw = s->raw;
	}
	m->dl_n++;
	if (ev->cpu >= 0 && (ev->lost_flags & TDXR_LOST_RECORD)) {
		dl_place_loss(m, m->dl_n - 1);
	}
	return 0;
}

int tdxr_merge_next(struct tdxr_merge *m, struct tdxr_event *ev)
{
	while (!m->eof && m->dl_n < MERGE_DELAY) {
		int r = merge_pull(m, &dl_at(m, m->dl_n)->ev);

		if (r < 0) {
			return -1;
		}
		if (r == 0) {
			m->eof = true;
		} else if (dl_push(m) < 0) {
			return -1;
		}
	}
	if (!m->dl_n) {
		return 0;
	}
	*ev = dl_at(m, 0)->ev;
	m->dl_first = (m->dl_first + 1) % MERGE_DELAY;
	m->dl_n--;
	ev->seq = m->seq++;
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
	if (m->dl) {
		for (unsigned int i = 0; i < MERGE_DELAY; i++) {
			free(m->dl[i].raw);
		}
	}
	free(m->dl);
	free(m->in);
	free(m);
}
