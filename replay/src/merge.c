// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/merge.c - k-way merge of inputs by timestamp.
 *
 * A `tdxr record` directory is expanded into its parts (kernel.dat, vmm/:
 * tdxr_src_record_parts()), each read as an input of its own: the directory
 * and its parts given one by one merge alike. Events keep the index of the
 * input the user gave (ev->input); a part is an input here in all else.
 *
 * Each part keeps one look-ahead event (its head); the head with the
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
	unsigned int part; /* the merge_in it came from */
};

/* One part: an input, or one part of a record directory. */
struct merge_in {
	struct tdxr_src *src;	/* owned */
	struct tdxr_event head; /* the part's next event */
	bool has_head;
	bool primed;
	unsigned int input; /* index of the input given */
	bool spare;	    /* one of several parts of a record directory: an
			     * error before its first event is a warning */
};

struct tdxr_merge {
	struct merge_in *in; /* owned, n entries */
	unsigned int n;
	unsigned int nr_inputs; /* inputs given */
	char **paths;		/* borrowed, nr_inputs */
	bool *is_record;	/* owned, nr_inputs */
	FILE *warn;
	uint64_t seq;
	int last;	       /* input whose head was handed out last */
	struct delay_slot *dl; /* owned ring of MERGE_DELAY */
	unsigned int delay;    /* events held: MERGE_DELAY, 1 when live */
	unsigned int dl_first, dl_n;
	bool eof;
	char err[640];
};

/* Opens @path as the part m->n of input @input. */
static int add_part(struct tdxr_merge *m, const char *path, unsigned int input, bool spare,
		    const struct tdxr_src_opts *o, char *err, size_t errlen)
{
	struct tdxr_src_opts so = *o;
	struct merge_in *in = &m->in[m->n];

	so.input = input;
	in->src = tdxr_src_open(path, &so, err, errlen);
	if (!in->src) {
		return -1;
	}
	in->input = input;
	in->spare = spare;
	m->n++;
	return 0;
}

struct tdxr_merge *tdxr_merge_open(char *const *paths, unsigned int n,
				   const struct tdxr_src_opts *o, char *err, size_t errlen)
{
	struct tdxr_merge *m = calloc(1, sizeof(*m));
	size_t cap = (size_t)(n ? n : 1) * TDXR_RECORD_MAX_PARTS;

	if (!m || !(m->in = calloc(cap, sizeof(*m->in))) ||
	    !(m->is_record = calloc(n ? n : 1, sizeof(*m->is_record))) ||
	    !(m->dl = calloc(MERGE_DELAY, sizeof(*m->dl)))) {
		if (m) {
			free(m->in);
			free(m->is_record);
		}
		free(m);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->last = -1;
	m->delay = o->live ? 1 : MERGE_DELAY;
	m->paths = (char **)paths;
	m->nr_inputs = n;
	m->warn = o->err ? o->err : stderr;
	for (unsigned int i = 0; i < n; i++) {
		char *parts[TDXR_RECORD_MAX_PARTS];
		int np = tdxr_src_record_parts(paths[i], parts, m->warn, err, errlen);
		struct tdxr_src_opts po = *o;
		int r = 0;

		if (np < 0) {
			goto fail;
		}
		if (np == 0) {
			if (add_part(m, paths[i], i, false, o, err, errlen) < 0) {
				goto fail;
			}
			continue;
		}
		m->is_record[i] = true;
		po.format = TDXR_FMT_AUTO;
		/* Each part is read by its content, as any input of a directory. */
		if (o->format != TDXR_FMT_AUTO && o->format != TDXR_FMT_CTF) {
			snprintf(err, errlen, "%s: --format %s given, but it is a directory",
				 paths[i], tdxr_format_name(o->format));
			r = -1;
		}
		for (int k = 0; k < np; k++) {
			if (r == 0 && add_part(m, parts[k], i, np > 1, &po, err, errlen) < 0) {
				r = -1;
			}
			free(parts[k]);
		}
		if (r < 0) {
			goto fail;
		}
	}
	return m;
fail:
	tdxr_merge_close(m);
	return NULL;
}

static int refill(struct tdxr_merge *m, struct merge_in *in)
{
	int r = tdxr_src_next(in->src, &in->head);

	in->primed = true;
	if (r < 0) {
		struct tdxr_src_stats st;

		in->has_head = false;
		tdxr_src_stats(in->src, &st);
		if (in->spare && st.events == 0) {
			/* A part with nothing in it (a VMM that never ran a
			 * vCPU): the other parts still read. */
			fprintf(m->warn, "%s: warning: %s\n", m->paths[in->input],
				tdxr_src_error(in->src));
			in->spare = false;
			return 0;
		}
		snprintf(m->err, sizeof(m->err), "%s", tdxr_src_error(in->src));
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

/* The next event by ts, unnumbered, its part in *part. 1, 0 at the end, -1 on error. */
static int merge_pull(struct tdxr_merge *m, struct tdxr_event *ev, unsigned int *part)
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
	*part = (unsigned int)best;
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
	unsigned int part = dl_at(m, i)->part;
	unsigned int q = 0;

	for (unsigned int j = i; j-- > 0;) {
		const struct tdxr_event *p = &dl_at(m, j)->ev;

		if (p->cpu == rec->cpu && dl_at(m, j)->part == part) {
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
	while (!m->eof && m->dl_n < m->delay) {
		struct delay_slot *slot = dl_at(m, m->dl_n);
		int r = merge_pull(m, &slot->ev, &slot->part);

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
	return m->nr_inputs;
}

void tdxr_merge_input_stats(const struct tdxr_merge *m, unsigned int i, struct tdxr_src_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int k = 0; k < m->n; k++) {
		struct tdxr_src_stats st;

		if (m->in[k].input != i) {
			continue;
		}
		tdxr_src_stats(m->in[k].src, &st);
		out->lines += st.lines;
		out->events += st.events;
		out->bad_payloads += st.bad_payloads;
		out->lost_records += st.lost_records;
		out->lost_events += st.lost_events;
		out->trailing_lost |= st.trailing_lost;
		out->has_tgid |= st.has_tgid;
	}
}

enum tdxr_format tdxr_merge_input_format(const struct tdxr_merge *m, unsigned int i)
{
	if (i >= m->nr_inputs || m->is_record[i]) {
		return TDXR_FMT_CTF; /* a record directory reads as a directory input */
	}
	for (unsigned int k = 0; k < m->n; k++) {
		if (m->in[k].input == i) {
			return tdxr_src_format(m->in[k].src);
		}
	}
	return TDXR_FMT_AUTO;
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
	free(m->is_record);
	free(m);
}
