// SPDX-License-Identifier: GPL-2.0
/*
 * tui/findings.c - the findings pane, the explain view (a finding's causal
 * chain, each step selectable) and the job that loads the findings'
 * seq/severity for the event list's markers.
 *
 * The pane lists findings in report order and reads them from the index a
 * screenful at a time; selecting one moves the event list there. The
 * markers need every finding's seq, so a job copies them into a compact
 * array (16 bytes each) and sorts it by seq.
 */
#include <stdlib.h>
#include <string.h>

#include "tdxr/print.h"
#include "tui_int.h"

static int fm_cmp(const void *a, const void *b)
{
	const struct tui_fmark *x = a, *y = b;

	if (x->seq != y->seq) {
		return x->seq < y->seq ? -1 : 1;
	}
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int tui_findings_step(struct tui *t, struct tui_job *j, uint64_t deadline)
{
	struct mdl_finding f;

	if (!t->fm) {
		t->fm = calloc(t->nr_findings ? t->nr_findings : 1, sizeof(*t->fm));
		if (!t->fm) {
			tui_msg(t, true, "findings: out of memory");
			return 1;
		}
	}
	while (j->pos < t->nr_findings) {
		size_t i = j->pos++;

		if (idx_finding(t->ix, i, &f) == 0) {
			t->fm[t->nr_fm++] = (struct tui_fmark){
				.seq = f.seq,
				.idx = (uint32_t)i,
				.severity = f.severity,
				.kind = (uint8_t)f.kind,
			};
		}
		j->done = j->pos;
		if ((i & 63) == 63 && tui_now_ns() > deadline) {
			return 0;
		}
	}
	qsort(t->fm, t->nr_fm, sizeof(*t->fm), fm_cmp);
	t->fm_sorted = true;
	return 1;
}

size_t tui_fm_first(const struct tui *t, uint64_t seq)
{
	size_t lo = 0, hi = t->nr_fm;

	if (!t->fm_sorted) {
		return t->nr_fm;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->fm[mid].seq < seq) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

const struct tui_fmark *tui_finding_at(const struct tui *t, uint64_t seq)
{
	const struct tui_fmark *best = NULL;

	for (size_t i = tui_fm_first(t, seq); i < t->nr_fm && t->fm[i].seq == seq; i++) {
		if (!best || t->fm[i].severity > best->severity) {
			best = &t->fm[i];
		}
	}
	return best;
}

/* ---- the findings pane --------------------------------------------------- */

static void findings_draw(struct tui *t, struct tui_view *v, const struct tui_rect *r)
{
	char title[128], row[600], gfn[32], vcpu[24];
	int h = r->h - 1;

	v->height = h;
	v->nr_lines = (int)t->nr_findings;
	snprintf(title, sizeof(title), "findings %zu%s", t->nr_findings,
		 t->nr_findings ? " (Tab here, Enter explains)" : "");
	tui_title(r, title, t->focus == TUI_PANE_FINDINGS);
	if (!t->nr_findings) {
		tui_put(r->y + 1, r->x, r->w, "  none: the model agrees with this trace", A_NORMAL);
		return;
	}
	if (v->line >= (int)t->nr_findings) {
		v->line = (int)t->nr_findings - 1;
	}
	if (v->line < v->top) {
		v->top = v->line;
	}
	if (v->line >= v->top + h) {
		v->top = v->line - h + 1;
	}
	for (int i = 0; i < h && v->top + i < (int)t->nr_findings; i++) {
		struct mdl_finding f;
		int n = v->top + i;
		bool sel = n == v->line && t->focus == TUI_PANE_FINDINGS;
		attr_t a;

		if (idx_finding(t->ix, (size_t)n, &f) != 0) {
			continue;
		}
		if (f.has_gfn) {
			snprintf(gfn, sizeof(gfn), " gfn 0x%llx", (unsigned long long)f.gfn);
		} else {
			gfn[0] = '\0';
		}
		if (f.vcpu >= 0) {
			snprintf(vcpu, sizeof(vcpu), " vcpu %d", f.vcpu);
		} else {
			vcpu[0] = '\0';
		}
		snprintf(row, sizeof(row), "%c%c seq %llu [%s] %s%s%s: %s", sel ? '>' : ' ',
			 f.severity == MDL_SEV_ERROR ? 'E' : 'W', (unsigned long long)f.seq,
			 mdl_severity_name(f.severity), mdl_finding_kind_name(f.kind), gfn, vcpu,
			 f.message);
		a = tui_attr(t, f.severity == MDL_SEV_ERROR ? TUI_C_ERROR : TUI_C_WARN);
		tui_put(r->y + 1 + i, r->x, r->w, row, sel ? (a | A_REVERSE) : a);
	}
}

static void findings_select(struct tui *t, struct tui_view *v, int line)
{
	struct mdl_finding f;

	if (!t->nr_findings) {
		return;
	}
	if (line < 0) {
		line = 0;
	}
	if (line >= (int)t->nr_findings) {
		line = (int)t->nr_findings - 1;
	}
	v->line = line;
	if (idx_finding(t->ix, (size_t)line, &f) == 0) {
		tui_goto(t, f.seq, true);
	}
}

static bool findings_request(struct tui *t, struct tui_view *v, enum tui_req req)
{
	int page = v->height > 1 ? v->height - 1 : 1;

	switch (req) {
	case TUI_REQ_DOWN:
		findings_select(t, v, v->line + 1);
		return true;
	case TUI_REQ_UP:
		findings_select(t, v, v->line - 1);
		return true;
	case TUI_REQ_PGDN:
		findings_select(t, v, v->line + page);
		return true;
	case TUI_REQ_PGUP:
		findings_select(t, v, v->line - page);
		return true;
	case TUI_REQ_FIRST:
		findings_select(t, v, 0);
		return true;
	case TUI_REQ_LAST:
		findings_select(t, v, (int)t->nr_findings - 1);
		return true;
	case TUI_REQ_ENTER:
		if (t->nr_findings) {
			tui_explain_open(t, (size_t)v->line);
		}
		return true;
	default:
		return false;
	}
}

const struct tui_view_ops tui_findings_ops = {
	.name = "findings",
	.draw = findings_draw,
	.request = findings_request,
	.close = NULL,
};

/* ---- the explain view ---------------------------------------------------- */

struct explain {
	struct mdl_finding f;
	size_t idx;
	uint64_t steps[MDL_CHAIN_MAX + 1];
	unsigned int nr_steps;
};

void tui_explain_open(struct tui *t, size_t idx)
{
	struct explain *e = calloc(1, sizeof(*e));

	if (!e) {
		return;
	}
	if (idx_finding(t->ix, idx, &e->f) != 0) {
		free(e);
		tui_msg(t, true, "cannot read finding %zu", idx);
		return;
	}
	e->idx = idx;
	for (unsigned int i = 0; i < e->f.nr_chain && i < MDL_CHAIN_MAX; i++) {
		e->steps[e->nr_steps++] = e->f.chain[i];
	}
	if (!e->nr_steps || e->steps[e->nr_steps - 1] != e->f.seq) {
		e->steps[e->nr_steps++] = e->f.seq;
	}
	if (t->overlay.ops && t->overlay.ops->close) {
		t->overlay.ops->close(t, &t->overlay);
	}
	memset(&t->overlay, 0, sizeof(t->overlay));
	t->overlay.ops = &tui_explain_ops;
	t->overlay.priv = e;
	t->overlay.line = (int)e->nr_steps - 1; /* the finding itself: the cursor stays */
	t->focus = -1;
}

#define EXPLAIN_HEAD 5

static void explain_draw(struct tui *t, struct tui_view *v, const struct tui_rect *r)
{
	struct explain *e = v->priv;
	const struct mdl_finding *f = &e->f;
	char buf[1200], text[900], gfn[32];
	int y = r->y + 1, h = r->h - 1 - EXPLAIN_HEAD;
	attr_t sev = tui_attr(t, f->severity == MDL_SEV_ERROR ? TUI_C_ERROR : TUI_C_WARN);

	snprintf(buf, sizeof(buf), "explain: [%s] %s at seq %llu (j/k walk the chain, q closes)",
		 mdl_severity_name(f->severity), mdl_finding_kind_name(f->kind),
		 (unsigned long long)f->seq);
	tui_title(r, buf, t->focus < 0);
	for (int i = y; i < r->y + r->h; i++) {
		move(i, r->x);
		clrtoeol();
	}
	tui_put(y++, r->x, r->w, f->message, sev);
	snprintf(buf, sizeof(buf), "expected: %s", f->expected[0] ? f->expected : "-");
	tui_put(y++, r->x, r->w, buf, A_NORMAL);
	snprintf(buf, sizeof(buf), "actual:   %s", f->actual[0] ? f->actual : "-");
	tui_put(y++, r->x, r->w, buf, A_NORMAL);
	if (f->has_gfn) {
		snprintf(gfn, sizeof(gfn), "0x%llx", (unsigned long long)f->gfn);
	} else {
		snprintf(gfn, sizeof(gfn), "none");
	}
	snprintf(buf, sizeof(buf),
		 "vm %d  vcpu %d  gfn %s  input %u line %u  first cause: seq %llu", f->vm, f->vcpu,
		 gfn, f->input, f->line, (unsigned long long)f->cause_seq);
	tui_put(y++, r->x, r->w, buf, A_NORMAL);
	snprintf(buf, sizeof(buf), "causal chain, %u step%s, oldest first:", e->nr_steps,
		 e->nr_steps == 1 ? "" : "s");
	tui_put(y++, r->x, r->w, buf, A_BOLD);
	v->height = h > 0 ? h : 1;
	v->nr_lines = (int)e->nr_steps;
	if (v->line < v->top) {
		v->top = v->line;
	}
	if (v->line >= v->top + v->height) {
		v->top = v->line - v->height + 1;
	}
	for (int i = 0; i < h && v->top + i < (int)e->nr_steps; i++) {
		int n = v->top + i;
		uint64_t s = e->steps[n];
		struct tdxr_event ev;
		const char *tag = s == f->seq ? "finding" : s == f->cause_seq ? "cause" : "";

		if (idx_event(t->ix, s, &ev) == 0) {
			tui_event_text(t, &ev, text, sizeof(text));
		} else {
			snprintf(text, sizeof(text), "<unreadable>");
		}
		snprintf(buf, sizeof(buf), "%c %2d. seq %-8llu %-7s %s", n == v->line ? '>' : ' ',
			 n + 1, (unsigned long long)s, tag, text);
		tui_put(y + i, r->x, r->w, buf, n == v->line ? A_REVERSE : A_NORMAL);
	}
}

static void explain_select(struct tui *t, struct tui_view *v, int line)
{
	struct explain *e = v->priv;

	if (line < 0) {
		line = 0;
	}
	if (line >= (int)e->nr_steps) {
		line = (int)e->nr_steps - 1;
	}
	v->line = line;
	tui_goto(t, e->steps[line], true);
}

static bool explain_request(struct tui *t, struct tui_view *v, enum tui_req req)
{
	struct explain *e = v->priv;

	switch (req) {
	case TUI_REQ_DOWN:
		explain_select(t, v, v->line + 1);
		return true;
	case TUI_REQ_UP:
		explain_select(t, v, v->line - 1);
		return true;
	case TUI_REQ_FIRST:
	case TUI_REQ_PGUP:
		explain_select(t, v, 0);
		return true;
	case TUI_REQ_LAST:
	case TUI_REQ_PGDN:
		explain_select(t, v, (int)e->nr_steps - 1);
		return true;
	case TUI_REQ_ENTER:
		explain_select(t, v, v->line);
		return true;
	default:
		return false;
	}
}

static void explain_close(struct tui *t, struct tui_view *v)
{
	(void)t;
	free(v->priv);
	v->priv = NULL;
}

const struct tui_view_ops tui_explain_ops = {
	.name = "explain",
	.draw = explain_draw,
	.request = explain_request,
	.close = explain_close,
};
