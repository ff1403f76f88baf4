// SPDX-License-Identifier: GPL-2.0
/*
 * tui/findings.c - the findings pane, the explain view (the library's
 * explanation of a finding: first cause, causal chain with each step
 * selectable, account) and the job that loads the findings'
 * seq/severity for the event list's markers.
 *
 * The pane lists findings in report order and reads them from the index a
 * screenful at a time; selecting one moves the event list there. The
 * markers need every finding's seq, so a job copies them into a compact
 * array (16 bytes each) and sorts it by seq.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tdxr/explain.h"
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

/*
 * The view renders the library's explanation (tdxr/explain.h) of the
 * finding, computed by replaying the index up to it (rpl_explain_finding,
 * with the finding and its first cause read from the index): the same
 * words as `tdxr explain`. Its rows are the causal chain's events; j/k
 * walk them.
 */
struct explain {
	struct rpl_explanation *x; /* owned */
	size_t *rows;		   /* owned: indexes into x->steps of the chain */
	unsigned int nr_rows;
};

static void explain_free(struct explain *e)
{
	if (e) {
		rpl_explanation_free(e->x);
		free(e->rows);
		free(e);
	}
}

/*
 * The replay up to the finding runs on a thread of its own (a big trace
 * takes seconds): the explain job waits for it a slice at a time, so keys
 * still work and Esc cancels it; then the view opens.
 */
struct tui_explainer {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* signalled when done */
	bool done;	   /* under mu */
	int rc;
	char err[1024];
	struct rpl_explanation *x; /* the result, taken by the job */
	atomic_bool cancel;
	atomic_uint_least64_t at; /* progress: the seq replayed */
	struct mdl_finding f, cf;
	bool own_cause; /* f is its own first cause (else cf) */
	struct rpl_opts o;
	char *inputs[1]; /* borrowed: the index's path */
};

static void *explainer_main(void *arg)
{
	struct tui_explainer *ex = arg;
	struct rpl_explanation *x = NULL;
	int rc =
		rpl_explain_finding(ex->inputs, 1, &ex->o, &ex->f, ex->own_cause ? &ex->f : &ex->cf,
				    &x, ex->err, sizeof(ex->err));

	pthread_mutex_lock(&ex->mu);
	ex->rc = rc;
	ex->x = x;
	ex->done = true;
	pthread_cond_broadcast(&ex->cv);
	pthread_mutex_unlock(&ex->mu);
	return NULL;
}

static void explainer_free(struct tui_explainer *ex)
{
	pthread_join(ex->th, NULL);
	rpl_explanation_free(ex->x);
	pthread_mutex_destroy(&ex->mu);
	pthread_cond_destroy(&ex->cv);
	free(ex);
}

/* The finding's first cause, read from the index: 0 (ex->own_cause or
 * ex->cf set), or -1 (idx_error). */
static int explain_cause(struct tui *t, struct tui_explainer *ex)
{
	const struct mdl_finding *f = &ex->f;
	size_t at;
	int r = IDX_NONE;

	ex->own_cause = true;
	if (f->cause_seq < f->seq) {
		r = idx_finding_at(t->ix, f->cause_seq, &at, &ex->cf);
	}
	if (r == IDX_ERR) {
		return -1;
	}
	if (r == IDX_FOUND) {
		ex->own_cause = rpl_explain_cause(&ex->cf, 1, f) == f;
	}
	return 0;
}

void tui_explain_open(struct tui *t, size_t idx)
{
	struct tui_explainer *ex;
	pthread_condattr_t ca;

	tui_job_cancel(t, TUI_JOB_EXPLAIN);
	ex = calloc(1, sizeof(*ex));
	if (!ex) {
		tui_msg(t, true, "explain: out of memory");
		return;
	}
	if (idx_finding(t->ix, idx, &ex->f) != 0 || explain_cause(t, ex) < 0) {
		free(ex);
		tui_msg(t, true, "cannot read finding %zu: %s", idx, idx_error(t->ix));
		return;
	}
	rpl_opts_init(&ex->o);
	ex->o.format = TDXR_FMT_INDEX;
	idx_replay_opts(t->ix, &ex->o);
	ex->o.cancel = &ex->cancel;
	ex->o.at = &ex->at;
	ex->inputs[0] = (char *)t->index_path;
	atomic_init(&ex->cancel, false);
	atomic_init(&ex->at, 0);
	pthread_mutex_init(&ex->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ex->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&ex->th, NULL, explainer_main, ex) != 0) {
		pthread_mutex_destroy(&ex->mu);
		pthread_cond_destroy(&ex->cv);
		free(ex);
		tui_msg(t, true, "explain: cannot start its thread");
		return;
	}
	t->explainer = ex;
	tui_job_start(t, TUI_JOB_EXPLAIN);
	t->jobs[TUI_JOB_EXPLAIN].total = ex->f.seq + 1;
}

/* Opens the view on @x (taken). */
static void explain_show(struct tui *t, struct rpl_explanation *x)
{
	struct explain *e = calloc(1, sizeof(*e));

	if (e) {
		e->x = x;
		e->rows = calloc(x->nr_steps ? x->nr_steps : 1, sizeof(*e->rows));
	}
	if (!e || !e->rows) {
		free(e);
		rpl_explanation_free(x);
		tui_msg(t, true, "explain: out of memory");
		return;
	}
	for (size_t i = 0; i < x->nr_steps; i++) {
		if (x->steps[i].in_chain) {
			e->rows[e->nr_rows++] = i;
		}
	}
	if (t->overlay.ops && t->overlay.ops->close) {
		t->overlay.ops->close(t, &t->overlay);
	}
	memset(&t->overlay, 0, sizeof(t->overlay));
	t->overlay.ops = &tui_explain_ops;
	t->overlay.priv = e;
	/* the finding itself, the last step: the cursor stays */
	t->overlay.line = e->nr_rows ? (int)e->nr_rows - 1 : 0;
	t->focus = -1;
}

int tui_explain_step(struct tui *t, struct tui_job *j, uint64_t deadline)
{
	struct tui_explainer *ex = t->explainer;
	struct timespec ts = {(time_t)(deadline / 1000000000u), (long)(deadline % 1000000000u)};
	bool done;

	if (!ex) {
		return 1;
	}
	pthread_mutex_lock(&ex->mu);
	while (!ex->done && pthread_cond_timedwait(&ex->cv, &ex->mu, &ts) == 0) {
	}
	done = ex->done;
	pthread_mutex_unlock(&ex->mu);
	j->done = atomic_load_explicit(&ex->at, memory_order_relaxed);
	if (!done) {
		return 0;
	}
	t->explainer = NULL;
	if (ex->rc == 0) {
		explain_show(t, ex->x);
		ex->x = NULL;
	} else {
		tui_msg(t, true, "explain: %s", ex->err);
	}
	explainer_free(ex);
	return 1;
}

void tui_explain_cancel(struct tui *t, struct tui_job *j)
{
	(void)j;
	if (t->explainer) {
		atomic_store(&t->explainer->cancel, true);
		explainer_free(t->explainer);
		t->explainer = NULL;
	}
}

#define WRAP_IND 2

/*
 * Draws @s from row @y in @w columns, broken at blanks, continuation rows
 * indented by two (one blank dropped per break: joining the rows with
 * single blanks gives @s back). At most @max rows; returns the rows it
 * takes (drawn or not: @draw false only counts).
 */
static int put_wrapped(int y, int x, int w, int max, const char *s, attr_t a, bool draw)
{
	char row[1024];
	int len = (int)strlen(s), off = 0, n = 0;

	if (w < WRAP_IND + 8) {
		w = WRAP_IND + 8;
	}
	while (n < max) {
		int ind = off ? WRAP_IND : 0, avail = w - ind, k = len - off;

		if (k > avail) {
			k = avail;
			for (int b = avail; b > avail / 2; b--) {
				if (s[off + b] == ' ') {
					k = b;
					break;
				}
			}
		}
		if (draw) {
			snprintf(row, sizeof(row), "%*s%.*s", ind, "", k, s + off);
			tui_put(y + n, x, w, row, a);
		}
		n++;
		off += k;
		if (off < len && s[off] == ' ') {
			off++;
		}
		if (off >= len) {
			break;
		}
	}
	return n;
}

static void explain_draw(struct tui *t, struct tui_view *v, const struct tui_rect *r)
{
	struct explain *e = v->priv;
	const struct rpl_explanation *x = e->x;
	const struct mdl_finding *f = &x->finding;
	char buf[1200], gfn[32];
	int y = r->y + 1, end = r->y + r->h, acc, rows;
	attr_t sev = tui_attr(t, f->severity == MDL_SEV_ERROR ? TUI_C_ERROR : TUI_C_WARN);

	snprintf(buf, sizeof(buf), "explain: [%s] %s at seq %llu (j/k walk the chain, q closes)",
		 mdl_severity_name(f->severity), mdl_finding_kind_name(f->kind),
		 (unsigned long long)f->seq);
	tui_title(r, buf, t->focus < 0);
	for (int i = y; i < end; i++) {
		move(i, r->x);
		clrtoeol();
	}
	y += put_wrapped(y, r->x, r->w, 2, f->message, sev, true);
	snprintf(buf, sizeof(buf), "expected: %s", f->expected[0] ? f->expected : "-");
	tui_put(y++, r->x, r->w, buf, A_NORMAL);
	snprintf(buf, sizeof(buf), "actual:   %s", f->actual[0] ? f->actual : "-");
	tui_put(y++, r->x, r->w, buf, A_NORMAL);
	/* the gfn whose history the account tells (the finding's, else its
	 * first cause's) */
	if (x->has_gfn) {
		snprintf(gfn, sizeof(gfn), "0x%llx", (unsigned long long)x->gfn);
	} else {
		snprintf(gfn, sizeof(gfn), "none");
	}
	snprintf(buf, sizeof(buf), "vm %d  vcpu %d  gfn %s  input %u line %u", f->vm, f->vcpu, gfn,
		 f->input, f->line);
	tui_put(y++, r->x, r->w, buf, A_NORMAL);
	if (x->cause_is_finding) {
		snprintf(buf, sizeof(buf), "first cause: (the finding itself)");
	} else {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "first cause: ");

		rpl_finding_line(buf + n, sizeof(buf) - n, &x->cause, 1);
	}
	y += put_wrapped(y, r->x, r->w, 3, buf, A_NORMAL, true);
	snprintf(buf, sizeof(buf), "causal chain, %u step%s, oldest first:", e->nr_rows,
		 e->nr_rows == 1 ? "" : "s");
	tui_put(y++, r->x, r->w, buf, A_BOLD);
	/* the account goes below the rows; the rows keep at least 3 lines */
	rows = end - y;
	acc = put_wrapped(0, 0, r->w, 64, x->account, A_NORMAL, false);
	if (acc > rows - 3) {
		acc = rows - 3 > 1 ? rows - 3 : 1;
	}
	rows -= acc;
	v->height = rows > 0 ? rows : 1;
	v->nr_lines = (int)e->nr_rows;
	if (v->line < v->top) {
		v->top = v->line;
	}
	if (v->line >= v->top + v->height) {
		v->top = v->line - v->height + 1;
	}
	for (int i = 0; i < rows && v->top + i < (int)e->nr_rows; i++) {
		int n = v->top + i;
		const struct rpl_explain_step *h = &x->steps[e->rows[n]];
		uint64_t s = h->ev.seq;
		const char *tag = s == f->seq ? "finding" : s == x->cause.seq ? "cause" : "";

		snprintf(buf, sizeof(buf), "%c %2d. seq %-8llu %-7s %s %s",
			 n == v->line ? '>' : ' ', n + 1, (unsigned long long)s, tag, h->name,
			 h->fields);
		tui_put(y + i, r->x, r->w, buf, n == v->line ? A_REVERSE : A_NORMAL);
	}
	snprintf(buf, sizeof(buf), "account: %s", x->account);
	put_wrapped(y + rows, r->x, r->w, acc, buf, A_NORMAL, true);
}

static void explain_select(struct tui *t, struct tui_view *v, int line)
{
	struct explain *e = v->priv;

	if (!e->nr_rows) {
		return;
	}
	if (line < 0) {
		line = 0;
	}
	if (line >= (int)e->nr_rows) {
		line = (int)e->nr_rows - 1;
	}
	v->line = line;
	tui_goto(t, e->x->steps[e->rows[line]].ev.seq, true);
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
		explain_select(t, v, (int)e->nr_rows - 1);
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
	explain_free(v->priv);
	v->priv = NULL;
}

const struct tui_view_ops tui_explain_ops = {
	.name = "explain",
	.draw = explain_draw,
	.request = explain_request,
	.close = explain_close,
};
