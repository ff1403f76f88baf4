// SPDX-License-Identifier: GPL-2.0
/*
 * tui/list.c - the event list pane, visibility (filter, VM choice) and the
 * filter and search jobs.
 *
 * Visibility is a bitmap over seqs (1.25 MB for 10 M events), filled by the
 * filter job in slices; bits at or above vis_scanned are not known yet and
 * read as hidden, so a half-done filter shows what it found so far. The
 * cursor may sit on a hidden seq (a jump landed there); it is drawn with a
 * '~' marker among the visible rows.
 *
 * Row markers, so the list reads without colour: column 0 '>' cursor,
 * column 1 'E' error / 'W' warning finding, column 2 '*' search match or
 * '~' hidden by the filter.
 */
#include <stdlib.h>
#include <string.h>

#include "tdxr/print.h"
#include "tui_int.h"

#define ROWS_MAX 512

bool tui_visible(const struct tui *t, uint64_t seq)
{
	if (seq >= t->nr_events) {
		return false;
	}
	if (!t->vis) {
		return true;
	}
	return seq < t->vis_scanned && ((t->vis[seq >> 6] >> (seq & 63)) & 1);
}

bool tui_vis_next(const struct tui *t, uint64_t from, int dir, uint64_t *out)
{
	uint64_t s, limit;

	if (!t->vis) {
		if (dir > 0) {
			if (from + 1 >= t->nr_events) {
				return false;
			}
			*out = from + 1;
		} else {
			if (from == 0 || !t->nr_events) {
				return false;
			}
			*out = from - 1 < t->nr_events ? from - 1 : t->nr_events - 1;
		}
		return true;
	}
	limit = t->vis_scanned;
	if (dir > 0) {
		s = from + 1;
		while (s < limit) {
			uint64_t w = t->vis[s >> 6] >> (s & 63);

			if (w) {
				s += (uint64_t)__builtin_ctzll(w);
				if (s >= limit) {
					return false;
				}
				*out = s;
				return true;
			}
			s = (s | 63) + 1;
		}
		return false;
	}
	if (from == 0) {
		return false;
	}
	s = from - 1;
	if (s >= limit) {
		if (!limit) {
			return false;
		}
		s = limit - 1;
	}
	for (;;) {
		uint64_t w = t->vis[s >> 6] & (~0ull >> (63 - (s & 63)));

		if (w) {
			*out = (s & ~63ull) + 63 - (uint64_t)__builtin_clzll(w);
			return true;
		}
		if (s < 64) {
			return false;
		}
		s = (s & ~63ull) - 1;
	}
}

void tui_vis_reset(struct tui *t)
{
	tui_job_cancel(t, TUI_JOB_FILTER);
	idx_scan_close(t->filter_scan);
	t->filter_scan = NULL;
	free(t->vis);
	t->vis = NULL;
	t->vis_scanned = 0;
	if (!t->filter && !t->vm_filter) {
		return;
	}
	t->vis = calloc((t->nr_events + 63) / 64 + 1, sizeof(uint64_t));
	if (!t->vis) {
		tui_msg(t, true, "filter: out of memory");
		return;
	}
	t->jobs[TUI_JOB_FILTER].pos = 0;
	tui_job_start(t, TUI_JOB_FILTER);
}

/* The filter job stops on an index error: a half-applied filter would
 * lie, so it is dropped and the error shown. Returns 1 (the job is done). */
static int filter_failed(struct tui *t, struct tui_job *j)
{
	tui_msg(t, true, "filter: %s", idx_error(t->ix));
	tui_filter_cancel(t, j);
	return 1;
}

/*
 * One sequential scan of (seq, type, vm) decides most events without
 * reading them: the VM choice is the vm column, and a filter that can
 * never select the type skips the event. Only the rest are read whole and
 * matched. A gap in the scan (a damaged index) falls back to reading the
 * events whole, which names the damage.
 */
int tui_filter_step(struct tui *t, struct tui_job *j, uint64_t deadline)
{
	struct idx_scan_row row;
	struct tdxr_event ev;
	unsigned int n = 0;
	int rc;

	if (!t->filter_scan) {
		t->filter_scan = idx_scan_open(t->ix, j->pos);
		if (!t->filter_scan) {
			return filter_failed(t, j);
		}
	}
	while (j->pos < t->nr_events) {
		uint64_t s = j->pos;
		bool ok;

		if (t->filter_scan) {
			rc = idx_scan_next(t->filter_scan, &row);
			if (rc == IDX_ERR) {
				return filter_failed(t, j);
			}
			if (rc == IDX_NONE || row.seq != s) {
				idx_scan_close(t->filter_scan);
				t->filter_scan = NULL;
			}
		}
		if (t->filter_scan) {
			ok = !t->vm_filter || row.vm == t->vm || row.vm < 0;
			if (ok && t->filter) {
				ok = tdxr_filter_wants_type(t->filter, row.type);
				if (ok && idx_event(t->ix, s, &ev) != 0) {
					return filter_failed(t, j);
				}
				ok = ok && tdxr_filter_match(t->filter, &ev, t->st);
			}
		} else {
			/* a gap in the scan: read the event itself */
			if (idx_event(t->ix, s, &ev) != 0) {
				return filter_failed(t, j);
			}
			ok = (!t->filter || tdxr_filter_match(t->filter, &ev, t->st)) &&
			     (!t->vm_filter || tdxr_filter_match(t->vm_filter, &ev, t->st));
		}
		if (ok) {
			t->vis[s >> 6] |= 1ull << (s & 63);
		}
		j->pos++;
		t->vis_scanned = j->pos;
		j->done = j->pos;
		if ((++n & 1023) == 0 && tui_now_ns() > deadline) {
			return 0;
		}
	}
	idx_scan_close(t->filter_scan);
	t->filter_scan = NULL;
	if (!tui_visible(t, t->cur)) {
		uint64_t next;

		/* land on the nearest visible event at or after the cursor */
		if (tui_vis_next(t, t->cur, 1, &next) || tui_vis_next(t, t->cur, -1, &next)) {
			tui_goto(t, next, false);
		} else {
			tui_msg(t, true, "the filter hides every event");
		}
	}
	return 1;
}

void tui_filter_cancel(struct tui *t, struct tui_job *j)
{
	(void)j;
	idx_scan_close(t->filter_scan);
	t->filter_scan = NULL;
	/* a half-applied filter would lie: drop it */
	tdxr_filter_free(t->filter);
	t->filter = NULL;
	t->filter_text[0] = '\0';
	tdxr_filter_free(t->vm_filter);
	t->vm_filter = NULL;
	free(t->vis);
	t->vis = NULL;
	t->vis_scanned = 0;
}

void tui_event_text(const struct tui *t, const struct tdxr_event *ev, char *buf, size_t len)
{
	size_t n;

	tdxr_event_fullname(ev, t->st, buf, len);
	n = strlen(buf);
	if (n + 1 < len) {
		buf[n++] = ' ';
		tdxr_event_fields(ev, t->st, buf + n, len - n);
	}
}

bool tui_search_match(const struct tui *t, const struct tdxr_event *ev)
{
	char text[1024];

	if (!t->has_search) {
		return false;
	}
	tui_event_text(t, ev, text, sizeof(text));
	return regexec(&t->search_re, text, 0, NULL, 0) == 0;
}

int tui_search_step(struct tui *t, struct tui_job *j, uint64_t deadline)
{
	struct tdxr_event ev;
	unsigned int n = 0;

	for (;;) {
		uint64_t s = j->pos;

		if (s >= t->nr_events) {
			tui_msg(t, true, "search hit %s: %s", j->dir > 0 ? "the end" : "the start",
				t->search_text);
			return 1;
		}
		if (tui_visible(t, s) && idx_event(t->ix, s, &ev) == 0 &&
		    tui_search_match(t, &ev)) {
			tui_goto(t, s, true);
			return 1;
		}
		j->done++;
		if (j->dir > 0) {
			j->pos++;
		} else if (j->pos == 0) {
			j->pos = UINT64_MAX; /* ends the search on the next turn */
		} else {
			j->pos--;
		}
		if ((++n & 255) == 0 && tui_now_ns() > deadline) {
			return 0;
		}
	}
}

bool tui_event_gfn(const struct tdxr_event *ev, uint64_t *gfn)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(ev->type);
	int i;

	if (ev->type == TDXR_EV_TDX_SEAMCALL) {
		unsigned int leaf = (unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff);

		switch (leaf) {
		case 2:
		case 3:
		case 6:
		case 7:
		case 29:
		case 30:
			*gfn = EVF(ev, TDX_SEAMCALL, rcx) >> 12;
			break;
		case 0:
			if (!EVF(ev, TDX_SEAMCALL, out_r8)) {
				return false;
			}
			*gfn = EVF(ev, TDX_SEAMCALL, out_r8) >> 12;
			break;
		default:
			return false;
		}
		/* the shared bit (GPAW 48: gpa bit 47) is not part of the gfn */
		*gfn &= ~(1ull << 35);
		return true;
	}
	if (!d) {
		return false;
	}
	i = tdxr_event_field_by_role(ev->type, TDXR_FR_GFN);
	if (i >= 0 && ((ev->fmask >> i) & 1)) {
		*gfn = ev->f[i];
		return true;
	}
	i = tdxr_event_field_by_role(ev->type, TDXR_FR_GPA);
	if (i >= 0 && ((ev->fmask >> i) & 1)) {
		*gfn = (ev->f[i] >> 12) & ~(1ull << 35) & ~(1ull << 39);
		return true;
	}
	return false;
}

void tui_move(struct tui *t, long n)
{
	uint64_t s = t->cur, next;
	long moved = 0;
	int dir = n > 0 ? 1 : -1;

	while (moved != n && tui_vis_next(t, s, dir, &next)) {
		s = next;
		moved += dir;
	}
	if (s == t->cur) {
		return;
	}
	tui_goto(t, s, false);
	t->cur_row += (int)moved;
	if (t->cur_row < 0) {
		t->cur_row = 0;
	}
	if (t->cur_row > t->list_rect.h - 2) {
		t->cur_row = t->list_rect.h - 2;
	}
}

/* One row of the list: markers, seq, time, cpu, vcpu, event, fields. */
static void draw_row(struct tui *t, int y, int w, uint64_t seq, bool is_cur, int seqw)
{
	struct tdxr_event ev;
	const struct tui_fmark *fm;
	char name[96], fields[768], ts[32], row[1100], vcpu[16];
	bool match;
	attr_t attr = A_NORMAL;

	if (idx_event(t->ix, seq, &ev) != 0) {
		snprintf(row, sizeof(row), "%c   %*llu  <unreadable event>", is_cur ? '>' : ' ',
			 seqw, (unsigned long long)seq);
		tui_put(y, 0, w, row, is_cur ? A_REVERSE : tui_attr(t, TUI_C_ERROR));
		return;
	}
	fm = tui_finding_at(t, seq);
	match = tui_search_match(t, &ev);
	tdxr_event_fullname(&ev, t->st, name, sizeof(name));
	if (w < 100) {
		char *colon = strchr(name, ':');

		if (colon) {
			memmove(name, colon + 1, strlen(colon));
		}
	}
	tdxr_event_fields(&ev, t->st, fields, sizeof(fields));
	tdxr_ts_str(ev.ts, ts, sizeof(ts));
	if (ev.vcpu >= 0) {
		snprintf(vcpu, sizeof(vcpu), "%d", ev.vcpu);
	} else {
		snprintf(vcpu, sizeof(vcpu), "-");
	}
	snprintf(row, sizeof(row), "%c%c%c %*llu %s %3d %4s %-*s %s", is_cur ? '>' : ' ',
		 fm ? (fm->severity == MDL_SEV_ERROR ? 'E' : 'W') : ' ',
		 match ? '*' : (!tui_visible(t, seq) ? '~' : ' '), seqw, (unsigned long long)seq,
		 ts, ev.cpu, vcpu, w < 100 ? 16 : 28, name, fields);
	if (fm) {
		attr = tui_attr(t, fm->severity == MDL_SEV_ERROR ? TUI_C_ERROR : TUI_C_WARN);
	} else if (match) {
		attr = tui_attr(t, TUI_C_MATCH);
	}
	if (is_cur) {
		attr |= A_REVERSE;
		move(y, 0);
		attron(attr);
		hline(' ', w);
		attroff(attr);
	}
	tui_put(y, 0, w, row, attr);
}

static void list_draw(struct tui *t, struct tui_view *v, const struct tui_rect *r)
{
	uint64_t above[ROWS_MAX], below[ROWS_MAX], s;
	int h = r->h - 1, na = 0, nb = 0, row, seqw = 1;
	char title[256];

	v->height = h;
	for (uint64_t n = t->nr_events; n >= 10; n /= 10) {
		seqw++;
	}
	if (h > ROWS_MAX) {
		h = ROWS_MAX;
	}
	snprintf(title, sizeof(title), "events %llu%s%s", (unsigned long long)t->nr_events,
		 t->vis ? (t->vis_scanned < t->nr_events ? " (filtering...)" : " (filtered)") : "",
		 t->nr_findings ? "" : ", no findings");
	tui_title(r, title, t->focus == TUI_PANE_LIST);
	if (!t->nr_events || h <= 0) {
		tui_put(r->y + 1, 0, r->w, "  (no events)", A_NORMAL);
		return;
	}
	for (s = t->cur; na < h - 1 && tui_vis_next(t, s, -1, &s);) {
		above[na++] = s;
	}
	for (s = t->cur; nb < h - 1 && tui_vis_next(t, s, 1, &s);) {
		below[nb++] = s;
	}
	row = t->cur_row;
	if (row > na) {
		row = na;
	}
	if (row > h - 1) {
		row = h - 1;
	}
	if (nb < h - 1 - row) {
		row = h - 1 - nb < na ? h - 1 - nb : na;
	}
	if (row < 0) {
		row = 0;
	}
	t->cur_row = row;
	for (int i = 0; i < row; i++) {
		draw_row(t, r->y + 1 + row - 1 - i, r->w, above[i], false, seqw);
	}
	draw_row(t, r->y + 1 + row, r->w, t->cur, true, seqw);
	for (int i = 0; i < nb && row + 1 + i < h; i++) {
		draw_row(t, r->y + 2 + row + i, r->w, below[i], false, seqw);
	}
}

const struct tui_view_ops tui_list_ops = {
	.name = "events",
	.draw = list_draw,
	.request = NULL,
	.close = NULL,
};
