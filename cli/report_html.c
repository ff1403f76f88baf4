// SPDX-License-Identifier: GPL-2.0
/*
 * cli/report_html.c - `tdxr replay --html FILE`: one self-contained page a
 * CI job keeps as an artifact (issue 18). No script, no font, no request:
 * a Content-Security-Policy of default-src 'none' says so to the browser.
 *
 * The page holds the summary and coverage line, every finding (up to
 * HTML_MAX_LISTED) with its causal chain, and, for the first
 * HTML_MAX_DRAWN findings (kvm-bug first, then errors, then warnings), a
 * timeline in inline SVG of what the model held around it (`explain
 * --html`: the explained finding and its first cause only, with the
 * account and the gfn's history from tdxr/explain.h):
 *
 *   S-EPT    the gfn's S-EPT state after each event (colour per state)
 *   mirror   a present mirror leaf at the gfn, at any level
 *   direct   a present direct (shared) leaf at the gfn
 *   vCPU N   in the guest or not (the model's in-guest state)
 *   events   one tick per drawn event: the chain's dots, the finding's
 *            red line, the first cause's dashed line
 *
 * Algorithm:
 *   1. rank the findings and pick those drawn;
 *   2. give each a window of seqs: [first cause or chain start, the finding
 *      + HTML_AFTER_SEQ], for its VM and gfn;
 *   3. replay the inputs again with an after-event hook (the model state
 *      after each event is what the lanes show), stopping after the last
 *      window; the hook keeps, per window, the events on the gfn and the
 *      vCPU entries and exits of its VM: the chain's events, the first
 *      cause and the finding always, of the others the first HTML_HEAD
 *      and the last HTML_TAIL (a ring), so both ends of a long window
 *      show; what is not kept is counted and said;
 *   4. write the page.
 * A window's events are kept in seq order, so x is the event's rank in its
 * window, not its time: bursts stay readable.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tdxr/explain.h"
#include "tdxr/index.h"
#include "tdxr/print.h"

#define HTML_MAX_DRAWN 60
#define HTML_MAX_LISTED 2000
#define HTML_HEAD 80
#define HTML_TAIL 160
#define HTML_PINNED (MDL_CHAIN_MAX + 2)
#define HTML_MAX_POINTS (HTML_HEAD + HTML_TAIL + HTML_PINNED)
#define HTML_AFTER_SEQ 64
#define HTML_MAX_VCPU_LANES 8

/* What one lane cell shows after one event. */
struct html_point {
	uint64_t seq;
	uint32_t line;
	uint16_t type;
	bool on_gfn;	   /* the event names the gfn (else a vCPU event) */
	bool failed;	   /* a SEAMCALL with a non-zero status */
	int8_t sept_state; /* enum mdl_sept_state */
	bool maybe_accepted;
	bool mirror, direct;
	uint8_t nr_vcpus;
	int32_t vcpu_id[HTML_MAX_VCPU_LANES];
	bool in_guest[HTML_MAX_VCPU_LANES];
	char label[96]; /* "system:event field=value ..." (cut) */
};

struct html_window {
	const struct mdl_finding *f; /* borrowed from the result */
	int32_t vm;		     /* the VM and gfn drawn: the finding's, or */
	uint64_t gfn;		     /* those of the finding at its first cause */
	uint64_t first, last;	     /* seq range */
	struct html_point *pts;	     /* owned: head, pinned, then the tail ring */
	size_t nr_pts;		     /* after finish_window(): all, in seq order */
	size_t nr_head, nr_pinned, nr_tail, tail_next;
	uint64_t not_drawn; /* events in range not kept (cap) */
};

struct html_ctx {
	struct html_window *win; /* sorted by first */
	size_t nr_win;
	size_t next;	/* first window not yet started */
	size_t *active; /* indexes of started, unfinished windows */
	size_t nr_active;
	const struct tdxr_strtab *st;
};

static int rank(const struct mdl_finding *f)
{
	if (f->kind == MDL_FK_KVM_BUG) {
		return 0;
	}
	return f->severity == MDL_SEV_ERROR ? 1 : 2;
}

static int by_rank(const void *a, const void *b)
{
	const struct mdl_finding *x = *(const struct mdl_finding *const *)a;
	const struct mdl_finding *y = *(const struct mdl_finding *const *)b;

	if (rank(x) != rank(y)) {
		return rank(x) - rank(y);
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_first(const void *a, const void *b)
{
	const struct html_window *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* A finding with no gfn (a kvm-bug) is drawn at its first cause's gfn. */
static bool cause_gfn(const struct rpl_result *res, const struct mdl_finding *fd, int32_t *vm,
		      uint64_t *gfn)
{
	for (size_t i = 0; i < res->nr_findings; i++) {
		const struct mdl_finding *c = &res->findings[i];

		if (c->seq == fd->cause_seq && c->has_gfn) {
			*vm = c->vm;
			*gfn = c->gfn;
			return true;
		}
	}
	return false;
}

static bool in_chain(const struct mdl_finding *fd, uint64_t seq)
{
	for (uint32_t i = 0; i < fd->nr_chain && i < MDL_CHAIN_MAX; i++) {
		if (fd->chain[i] == seq) {
			return true;
		}
	}
	return false;
}

/* Events every timeline of @fd shows, however long its window. */
static bool pinned(const struct mdl_finding *fd, uint64_t seq)
{
	return seq == fd->seq || seq == fd->cause_seq || in_chain(fd, seq);
}

static int by_seq(const void *a, const void *b)
{
	const struct html_point *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Head, pinned and tail into one run in seq order (step 3's end). */
static void finish_window(struct html_window *w)
{
	size_t n = w->nr_head;

	memmove(&w->pts[n], &w->pts[HTML_HEAD], w->nr_pinned * sizeof(*w->pts));
	n += w->nr_pinned;
	memmove(&w->pts[n], &w->pts[HTML_HEAD + HTML_PINNED], w->nr_tail * sizeof(*w->pts));
	n += w->nr_tail;
	qsort(w->pts, n, sizeof(*w->pts), by_seq);
	w->nr_pts = n;
}

static bool is_vcpu_event(const struct tdxr_event *ev)
{
	if (ev->type == TDXR_EV_KVM_ENTRY || ev->type == TDXR_EV_KVM_EXIT) {
		return true;
	}
	return ev->type == TDXR_EV_TDX_SEAMCALL && (EVF(ev, TDX_SEAMCALL, leaf) & 0xffff) == 0;
}

static void keep_point(struct html_ctx *c, struct html_window *w, const struct tdxr_event *ev,
		       bool on_gfn, const struct mdl_model *m)
{
	struct mdl_gfn_view v;
	struct html_point *p;
	char name[64], fields[96];

	if (pinned(w->f, ev->seq) && w->nr_pinned < HTML_PINNED) {
		p = &w->pts[HTML_HEAD + w->nr_pinned++];
	} else if (w->nr_head < HTML_HEAD) {
		p = &w->pts[w->nr_head++];
	} else {
		p = &w->pts[HTML_HEAD + HTML_PINNED + w->tail_next];
		w->tail_next = (w->tail_next + 1) % HTML_TAIL;
		if (w->nr_tail == HTML_TAIL) {
			w->not_drawn++;
		} else {
			w->nr_tail++;
		}
	}
	memset(p, 0, sizeof(*p));
	p->seq = ev->seq;
	p->line = ev->line;
	p->type = ev->type;
	p->on_gfn = on_gfn;
	if (ev->type == TDXR_EV_TDX_SEAMCALL) {
		p->failed = EVF(ev, TDX_SEAMCALL, status) != 0;
	}
	tdxr_event_fields(ev, c->st, fields, sizeof(fields));
	snprintf(p->label, sizeof(p->label), "%.40s %.54s",
		 tdxr_event_fullname(ev, c->st, name, sizeof(name)), fields);
	if (mdl_query_gfn(m, w->vm, w->gfn, &v) == 0) {
		p->sept_state = (int8_t)v.sept_state;
		p->maybe_accepted = v.maybe_accepted;
		for (int l = 1; l <= MDL_LEVELS; l++) {
			p->mirror |= v.known[1][l] && (v.spte[1][l] & (1ull << 11));
			p->direct |= v.known[0][l] && (v.spte[0][l] & (1ull << 11));
		}
		p->nr_vcpus = (uint8_t)(v.nr_vcpus < HTML_MAX_VCPU_LANES ? v.nr_vcpus
									 : HTML_MAX_VCPU_LANES);
		for (unsigned int i = 0; i < p->nr_vcpus; i++) {
			p->vcpu_id[i] = v.vcpu_id[i];
			p->in_guest[i] = v.vcpu_in_guest[i];
		}
	}
}

static void after_event(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m)
{
	struct html_ctx *c = ctx;
	uint64_t gfn = 0;
	int level;
	bool has_gfn = false, gfn_done = false;

	while (c->next < c->nr_win && c->win[c->next].first <= ev->seq) {
		c->active[c->nr_active++] = c->next++;
	}
	for (size_t i = 0; i < c->nr_active;) {
		struct html_window *w = &c->win[c->active[i]];
		bool on_gfn;

		if (ev->seq > w->last) {
			c->active[i] = c->active[--c->nr_active];
			continue;
		}
		i++;
		if (!gfn_done) {
			has_gfn = idx_event_gfn(ev, 0, &gfn, &level);
			gfn_done = true;
		}
		on_gfn = has_gfn && gfn == w->gfn && (ev->vm < 0 || w->vm < 0 || ev->vm == w->vm);
		if (on_gfn || ev->seq == w->f->seq || ev->seq == w->f->cause_seq ||
		    (is_vcpu_event(ev) && (w->vm < 0 || ev->vm == w->vm) && ev->seq <= w->f->seq)) {
			keep_point(c, w, ev, on_gfn, m);
		}
	}
}

static const char *sept_colour(int state)
{
	switch (state) {
	case MDL_SEPT_FREE:
		return "#d9d9d9";
	case MDL_SEPT_MAPPED:
		return "#4caf50";
	case MDL_SEPT_PENDING:
		return "#ffd54f";
	case MDL_SEPT_BLOCKED:
	case MDL_SEPT_PENDING_BLOCKED:
		return "#ff9800";
	case MDL_SEPT_NL_MAPPED:
		return "#81c784";
	case MDL_SEPT_NL_BLOCKED:
		return "#ffb74d";
	case MDL_SEPT_NOT_FREE:
		return "#90a4ae";
	default:
		return "#ffffff";
	}
}

/* Pixels per event: wide for a few events, 4 for a full window. */
static int cell_width(const struct html_window *w)
{
	int cw = w->nr_pts ? 720 / (int)w->nr_pts : 24;

	return cw < 4 ? 4 : cw > 24 ? 24 : cw;
}

/* One lane: a cell per point, filled where @kind's state holds. */
/* The fill of lane @kind at @p (vCPU lanes: @vcpu's in-guest), NULL: none. */
static const char *lane_fill(const struct html_point *p, int kind, int32_t vcpu)
{
	switch (kind) {
	case 0:
		return sept_colour(p->sept_state);
	case 1:
		return p->mirror ? "#3f51b5" : NULL;
	case 2:
		return p->direct ? "#009688" : NULL;
	default:
		for (unsigned int k = 0; k < p->nr_vcpus; k++) {
			if (p->vcpu_id[k] == vcpu && p->in_guest[k]) {
				return "#8d6e63";
			}
		}
		return NULL;
	}
}

/*
 * One lane at @y: one rect per run of points with the same fill (a page
 * of thousands of findings stays small), titled with its seqs and, for
 * the S-EPT lane, the state.
 */
static void lane(FILE *f, const struct html_window *w, int y, const char *name, int kind,
		 int32_t vcpu)
{
	const int x0 = 90, cw = cell_width(w);

	fprintf(f, "<text x=\"2\" y=\"%d\" class=\"ln\">", y + 11);
	report_markup_str(f, name);
	fputs("</text>\n", f);
	for (size_t i = 0, j; i < w->nr_pts; i = j) {
		const struct html_point *p = &w->pts[i];
		const char *fill = lane_fill(p, kind, vcpu);

		for (j = i + 1; j < w->nr_pts; j++) {
			const struct html_point *q = &w->pts[j];

			if (lane_fill(q, kind, vcpu) != fill ||
			    (kind == 0 && q->maybe_accepted != p->maybe_accepted)) {
				break;
			}
		}
		if (!fill) {
			continue;
		}
		fprintf(f,
			"<rect x=\"%zu\" y=\"%d\" width=\"%zu\" height=\"14\" fill=\"%s\">"
			"<title>seq %" PRIu64 "-%" PRIu64,
			x0 + i * cw, y, (j - i) * cw, fill, p->seq, w->pts[j - 1].seq);
		if (kind == 0) {
			fprintf(f, ": %s%s", mdl_sept_state_name(p->sept_state),
				p->maybe_accepted ? " (maybe accepted)" : "");
		}
		fputs("</title></rect>", f);
	}
	fputc('\n', f);
}

static void timeline(FILE *f, const struct html_window *w)
{
	const struct mdl_finding *fd = w->f;
	const int x0 = 90, cw = cell_width(w);
	int32_t vcpus[HTML_MAX_VCPU_LANES];
	unsigned int nr_vcpus = 0;
	int lanes, height, width;

	/* The vCPU lanes: every vCPU the model knew in the window. */
	for (size_t i = 0; i < w->nr_pts; i++) {
		for (unsigned int k = 0; k < w->pts[i].nr_vcpus; k++) {
			bool seen = false;

			for (unsigned int j = 0; j < nr_vcpus; j++) {
				seen |= vcpus[j] == w->pts[i].vcpu_id[k];
			}
			if (!seen && nr_vcpus < HTML_MAX_VCPU_LANES) {
				vcpus[nr_vcpus++] = w->pts[i].vcpu_id[k];
			}
		}
	}
	lanes = 3 + (int)nr_vcpus;
	height = 20 * lanes + 48;
	width = x0 + (int)w->nr_pts * cw + 10;
	fprintf(f,
		"<svg class=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"data-finding=\"%" PRIu64 "\" role=\"img\" aria-label=\"timeline of gfn 0x%" PRIx64
		"\">\n",
		width + 120 < 300 ? 300 : width + 120, height, fd->seq, w->gfn);
	lane(f, w, 0, "S-EPT", 0, -1);
	lane(f, w, 20, "mirror", 1, -1);
	lane(f, w, 40, "direct", 2, -1);
	for (unsigned int j = 0; j < nr_vcpus; j++) {
		char name[24];

		snprintf(name, sizeof(name), "vCPU %d", vcpus[j]);
		lane(f, w, 60 + 20 * (int)j, name, 3, vcpus[j]);
	}
	/* Event ticks: chain events as dots, the first cause and the finding. */
	for (size_t i = 0; i < w->nr_pts; i++) {
		const struct html_point *p = &w->pts[i];
		int x = x0 + (int)i * cw + cw / 2, y = 20 * lanes + 8;
		const char *cls = p->failed ? "ev bad" : "ev";

		if (p->seq == fd->cause_seq && p->seq != fd->seq) {
			fprintf(f,
				"<line class=\"cause\" x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\"/>"
				"<text x=\"%d\" y=\"%d\" class=\"mk cause\" text-anchor=\"end\">"
				"first cause</text>\n",
				x, x, y + 30, x - 3, y + 30);
		}
		if (p->seq == fd->seq) {
			fprintf(f,
				"<line class=\"finding\" x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\"/>"
				"<text x=\"%d\" y=\"%d\" class=\"mk\">%s</text>\n",
				x, x, y + 18, x + 3, y + 18, mdl_finding_kind_name(fd->kind));
		}
		if (!p->on_gfn && p->seq != fd->seq && p->seq != fd->cause_seq) {
			continue;
		}
		fprintf(f,
			"<circle class=\"%s%s\" cx=\"%d\" cy=\"%d\" r=\"%d\"><title>seq %" PRIu64,
			cls, in_chain(fd, p->seq) ? " chain" : "", x, y,
			in_chain(fd, p->seq) ? 3 : 2, p->seq);
		if (p->line) {
			fprintf(f, " line %u", p->line);
		}
		fputs(": ", f);
		report_markup_str(f, p->label);
		fputs("</title></circle>", f);
	}
	fputs("\n</svg>\n", f);
}

static void finding_block(FILE *f, const struct rpl_result *res, const struct mdl_finding *fd,
			  const struct html_window *w)
{
	fprintf(f, "<section class=\"finding %s\" id=\"f%" PRIu64 "\">\n<h3>",
		mdl_severity_name(fd->severity), fd->seq);
	report_markup_str(f, mdl_finding_kind_name(fd->kind));
	fprintf(f, " <small>seq %" PRIu64, fd->seq);
	if (fd->line) {
		fprintf(f, ", line %u", fd->line);
	}
	if (res->nr_inputs > 1) {
		fprintf(f, ", input %u", fd->input);
	}
	if (fd->has_gfn) {
		fprintf(f, ", gfn 0x%" PRIx64, fd->gfn);
	} else if (w) {
		fprintf(f, ", drawn at its first cause's gfn 0x%" PRIx64, w->gfn);
	}
	if (fd->vcpu >= 0) {
		fprintf(f, ", vCPU %d", fd->vcpu);
	}
	fputs("</small></h3>\n<p>", f);
	report_markup_str(f, fd->message);
	fputs("</p>\n<table class=\"kv\"><tr><th>expected</th><td>", f);
	report_markup_str(f, fd->expected);
	fputs("</td></tr><tr><th>actual</th><td>", f);
	report_markup_str(f, fd->actual);
	fprintf(f, "</td></tr><tr><th>first cause</th><td>seq %" PRIu64 "%s</td></tr>",
		fd->cause_seq, fd->cause_seq == fd->seq ? " (the finding itself)" : "");
	fputs("<tr><th>causal chain</th><td>", f);
	for (uint32_t i = 0; i < fd->nr_chain && i < MDL_CHAIN_MAX; i++) {
		fprintf(f, "%s%s%" PRIu64 "%s", i ? " &rarr; " : "",
			fd->chain[i] == fd->cause_seq ? "<b>" : "", fd->chain[i],
			fd->chain[i] == fd->cause_seq ? "</b>" : "");
	}
	fputs("</td></tr></table>\n", f);
	if (w) {
		timeline(f, w);
		if (w->not_drawn) {
			fprintf(f,
				"<p class=\"cap\">%" PRIu64 " events of this window are not drawn: "
				"its first %d, its last %d and "
				"its chain are.</p>\n",
				w->not_drawn, HTML_HEAD, HTML_TAIL);
		}
	}
	fputs("</section>\n", f);
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	"style-src 'unsafe-inline'; img-src data:\">\n"
	"<title>tdxr replay report</title>\n<style>\n"
	"body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}\n"
	"h1{font-size:1.4em}h3{margin:.2em 0}small{color:#555;font-weight:normal}\n"
	".finding{border-left:4px solid #999;padding:.3em .8em;margin:1em 0;background:#fafafa}\n"
	".finding.error{border-color:#d32f2f}.finding.warning{border-color:#f9a825}\n"
	"table.kv th{text-align:left;padding-right:1em;vertical-align:top;color:#555}\n"
	"table.list{border-collapse:collapse}table.list td,table.list th{padding:2px 8px;"
	"border-bottom:1px solid #eee;text-align:left}\n"
	"svg.tl{display:block;margin:.5em 0;background:#fff;border:1px solid #ddd}\n"
	".ln{font:11px monospace;fill:#333}.mk{font:10px sans-serif;fill:#b71c1c}\n"
	"line.finding{stroke:#d32f2f;stroke-width:2}line.cause{stroke:#6a1b9a;stroke-width:2;"
	"stroke-dasharray:4 3}\n"
	"circle.ev{fill:#607d8b}circle.bad{fill:#d32f2f}circle.chain{stroke:#000;stroke-width:1}\n"
	".cap{color:#777;font-size:.9em}code{background:#eee;padding:0 3px}\n"
	".legend span{display:inline-block;padding:0 6px;margin-right:4px;border:1px solid #ccc}\n"
	"</style></head><body>\n";

/* The table of every finding (up to HTML_MAX_LISTED, the rest counted). */
static void all_findings(FILE *f, const struct rpl_result *res)
{
	fputs("<h2>All findings</h2>\n<table class=\"list\"><tr><th>seq</th><th>line</th>"
	      "<th>severity</th><th>kind</th><th>gfn</th><th>first "
	      "cause</th><th>message</th></tr>\n",
	      f);
	for (size_t i = 0; i < res->nr_findings && i < HTML_MAX_LISTED; i++) {
		const struct mdl_finding *fd = &res->findings[i];

		fprintf(f, "<tr><td>%" PRIu64 "</td><td>%u</td><td>%s</td><td>", fd->seq, fd->line,
			mdl_severity_name(fd->severity));
		report_markup_str(f, mdl_finding_kind_name(fd->kind));
		if (fd->has_gfn) {
			fprintf(f, "</td><td>0x%" PRIx64, fd->gfn);
		} else {
			fputs("</td><td>", f);
		}
		fprintf(f, "</td><td>%" PRIu64 "</td><td>", fd->cause_seq);
		report_markup_str(f, fd->message);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (res->nr_findings > HTML_MAX_LISTED || res->dropped_findings) {
		fprintf(f, "<p class=\"cap\">%" PRIu64 " more findings are not listed.</p>\n",
			(uint64_t)(res->nr_findings > HTML_MAX_LISTED
					   ? res->nr_findings - HTML_MAX_LISTED
					   : 0) +
				res->dropped_findings);
	}
}

/* `explain --html`: the explanation's account and history, as a table. */
static void explanation_block(FILE *f, const struct rpl_explanation *x)
{
	fputs("<h2>Account</h2>\n<p id=\"account\">", f);
	report_markup_str(f, x->account ? x->account : "");
	fputs("</p>\n<h2>History of the gfn</h2>\n<table class=\"list\" id=\"history\">"
	      "<tr><th>seq</th><th>line</th><th>event</th><th>fields</th><th>before</th>"
	      "<th>after</th></tr>\n",
	      f);
	for (size_t i = 0; i < x->nr_steps; i++) {
		const struct rpl_explain_step *h = &x->steps[i];

		fprintf(f, "<tr%s><td>%" PRIu64 "</td><td>%u</td><td>",
			h->in_chain ? " class=\"chain\"" : "", h->ev.seq, h->ev.line);
		report_markup_str(f, h->name);
		fputs("</td><td><code>", f);
		report_markup_str(f, h->fields);
		fputs("</code></td><td>", f);
		report_markup_str(f, h->before);
		fputs("</td><td>", f);
		report_markup_str(f, h->after);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

int report_html(const char *path, char *const *inputs, const struct rpl_opts *o,
		const struct rpl_result *res, const struct rpl_explanation *x)
{
	const struct mdl_finding **order = NULL;
	struct html_ctx c = {0};
	struct rpl_result again;
	struct rpl_opts o2 = *o;
	size_t nr_drawn;
	char cov[1024], err[1024];
	FILE *f;
	int ret = -1;

	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "tdxr: --html %s: cannot write: %m\n", path);
		return -1;
	}
	order = calloc(res->nr_findings ? res->nr_findings : 1, sizeof(*order));
	c.win = calloc(HTML_MAX_DRAWN, sizeof(*c.win));
	c.active = calloc(HTML_MAX_DRAWN, sizeof(*c.active));
	if (!order || !c.win || !c.active) {
		fprintf(stderr, "tdxr: --html: out of memory\n");
		goto end;
	}
	/* 1-2: rank, pick, and give each drawn finding its window. */
	for (size_t i = 0; i < res->nr_findings; i++) {
		order[i] = &res->findings[i];
	}
	qsort(order, res->nr_findings, sizeof(*order), by_rank);
	nr_drawn = 0;
	for (size_t i = 0; i < res->nr_findings && nr_drawn < HTML_MAX_DRAWN; i++) {
		const struct mdl_finding *fd = order[i];
		struct html_window *w = &c.win[nr_drawn];

		if (x && fd->seq != x->finding.seq && fd->seq != x->cause.seq) {
			continue; /* explain --html: its finding and first cause */
		}
		w->vm = fd->vm;
		w->gfn = fd->gfn;
		if (!fd->has_gfn && !cause_gfn(res, fd, &w->vm, &w->gfn)) {
			continue;
		}
		w->f = fd;
		w->first = fd->nr_chain ? fd->chain[0] : fd->seq;
		w->first = fd->cause_seq < w->first ? fd->cause_seq : w->first;
		w->last = fd->seq + HTML_AFTER_SEQ;
		w->pts = calloc(HTML_MAX_POINTS, sizeof(*w->pts));
		if (!w->pts) {
			fprintf(stderr, "tdxr: --html: out of memory\n");
			goto end;
		}
		nr_drawn++;
	}
	c.nr_win = nr_drawn;
	qsort(c.win, c.nr_win, sizeof(*c.win), by_first);

	/* 3: the model again, the lanes read after each event of a window. */
	if (c.nr_win) {
		uint64_t stop = 0;

		for (size_t i = 0; i < c.nr_win; i++) {
			stop = c.win[i].last > stop ? c.win[i].last : stop;
		}
		o2.after = after_event;
		o2.hook_ctx = &c;
		o2.progress = false;
		o2.stop_after_seq = stop;
		o2.st = tdxr_strtab_new();
		c.st = o2.st;
		if (!o2.st) {
			fprintf(stderr, "tdxr: --html: out of memory\n");
			goto end;
		}
		if (rpl_run(inputs, res->nr_inputs, &o2, &again, err, sizeof(err)) < 0) {
			fprintf(stderr, "tdxr: --html: %s\n", err);
		}
		rpl_result_free(&again);
		tdxr_strtab_free(o2.st);
		for (size_t i = 0; i < c.nr_win; i++) {
			finish_window(&c.win[i]);
		}
	}

	/* 4: the page. */
	fputs(html_head, f);
	fprintf(f, "<h1>tdxr %s report</h1>\n<p>", x ? "explain" : "replay");
	for (unsigned int i = 0; i < res->nr_inputs; i++) {
		fputs(i ? ", " : "inputs: ", f);
		fputs("<code>", f);
		report_markup_str(f, res->inputs[i]);
		fputs("</code>", f);
	}
	fprintf(f,
		"</p>\n<p id=\"summary\"><b>%" PRIu64 " events, %" PRIu64 " errors, %" PRIu64
		" warnings</b>; kernel profile %s</p>\n<p id=\"coverage\">",
		res->events, res->errors, res->warnings, mdl_profile_name(res->model));
	report_coverage(cov, sizeof(cov), res);
	report_markup_str(f, cov);
	fputs("</p>\n<p class=\"legend\">S-EPT: ", f);
	for (int s = MDL_SEPT_UNKNOWN; s < MDL_SEPT__COUNT; s++) {
		fprintf(f, "<span style=\"background:%s\">%s</span>", sept_colour(s),
			mdl_sept_state_name(s));
	}
	fputs(" &nbsp; mirror leaf <span style=\"background:#3f51b5;color:#fff\">present</span>"
	      " direct leaf <span style=\"background:#009688;color:#fff\">present</span>"
	      " vCPU <span style=\"background:#8d6e63;color:#fff\">in guest</span></p>\n",
	      f);
	if (!res->nr_findings) {
		fputs("<p>No findings.</p>\n", f);
	}
	if (x) {
		explanation_block(f, x);
	}
	fprintf(f, "<h2>Findings drawn (%zu of %zu)</h2>\n", c.nr_win, res->nr_findings);
	if (!x && res->nr_findings > c.nr_win) {
		fprintf(f,
			"<p class=\"cap\">At most %d findings with a gfn (their own or their first "
			"cause's) are drawn, kvm-bug first, then "
			"errors, then warnings; the others are listed below.</p>\n",
			HTML_MAX_DRAWN);
	}
	for (size_t i = 0; i < res->nr_findings; i++) {
		for (size_t k = 0; k < c.nr_win; k++) {
			if (c.win[k].f == order[i]) {
				finding_block(f, res, order[i], &c.win[k]);
			}
		}
	}
	if (!x) {
		all_findings(f, res);
	}
	fputs("<p class=\"cap\">Generated by tdxr " TDXR_VERSION ".</p>\n</body></html>\n", f);
	ret = 0;
end:
	if (fclose(f) != 0 && ret == 0) {
		fprintf(stderr, "tdxr: --html %s: write error\n", path);
		ret = -1;
	}
	for (size_t i = 0; c.win && i < c.nr_win; i++) {
		free(c.win[i].pts);
	}
	free(c.win);
	free(c.active);
	free(order);
	return ret;
}
