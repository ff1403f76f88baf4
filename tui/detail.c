// SPDX-License-Identifier: GPL-2.0
/*
 * tui/detail.c - the detail pane: every field of the event at the cursor,
 * with the raw values decoded (include/tdxr/tdx.h): SPTEs bit by bit, SEAMCALL
 * leaves and statuses with their operand ids, the S-EPT entry and
 * level/state a failed S-EPT SEAMCALL returns, levels, exit reasons. The
 * findings revealed at this event follow. Focused, j/k scroll it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdxr/tdx.h"
#include "tdxr/print.h"
#include "tdxr/strtab.h"
#include "tdxr/klog.h"
#include "tui_int.h"

void tui_text_add(struct tui_text *x, const char *fmt, ...)
{
	va_list ap;

	if (x->n >= TUI_TEXT_LINES) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(x->line[x->n++], TUI_TEXT_W, fmt, ap);
	va_end(ap);
}

#define WRAP_INDENT 6

void tui_text_draw(struct tui_view *v, const struct tui_rect *r, const struct tui_text *x)
{
	/* wrapped rows: a piece of a line each, broken at a blank if possible */
	static struct {
		int line, off, len;
	} rows[TUI_TEXT_LINES * 8];
	int nr = 0, w = r->w > WRAP_INDENT + 8 ? r->w : WRAP_INDENT + 8;

	for (int i = 0; i < x->n; i++) {
		const char *s = x->line[i];
		int len = (int)strlen(s), off = 0;

		do {
			int avail = off ? w - WRAP_INDENT : w, n = len - off;

			if (n > avail) {
				n = avail;
				for (int k = avail; k > avail / 2; k--) {
					if (s[off + k] == ' ') {
						n = k;
						break;
					}
				}
			}
			if (nr < (int)(sizeof(rows) / sizeof(rows[0]))) {
				rows[nr].line = i;
				rows[nr].off = off;
				rows[nr].len = n;
				nr++;
			}
			off += n;
			while (off < len && s[off] == ' ') {
				off++;
			}
		} while (off < len);
	}
	v->nr_lines = nr;
	v->height = r->h - 1;
	if (v->top > nr - v->height) {
		v->top = nr - v->height;
	}
	if (v->top < 0) {
		v->top = 0;
	}
	for (int i = 0; i < v->height && v->top + i < nr; i++) {
		int k = v->top + i, ind = rows[k].off ? WRAP_INDENT : 0;

		tui_put(r->y + 1 + i, r->x + ind,
			rows[k].len < r->w - ind ? rows[k].len : r->w - ind,
			x->line[rows[k].line] + rows[k].off, A_NORMAL);
	}
}

static bool is_sept_leaf(unsigned int leaf)
{
	return tdxr_seamcall_flags(leaf) & TDXR_LF_SEPT;
}

/* The decoded meaning of field @i of @ev, or "" when the raw value says it all. */
static void decode_field(const struct tdxr_event *ev, unsigned int i,
			 const struct tdxr_field_desc *fd, char *buf, size_t len)
{
	uint64_t v = ev->f[i];
	uint64_t leaf = ev->type == TDXR_EV_TDX_SEAMCALL ? EVF(ev, TDX_SEAMCALL, leaf) : 0;
	unsigned int l16 = (unsigned int)(leaf & 0xffff);
	const char *s;

	buf[0] = '\0';
	switch (fd->role) {
	case TDXR_FR_SPTE:
	case TDXR_FR_OLD_SPTE:
	case TDXR_FR_NEW_SPTE:
		tdxr_spte_str(v, buf, len);
		return;
	case TDXR_FR_STATUS:
		if (ev->type == TDXR_EV_TDX_SEAMCALL) {
			tdxr_seamcall_status_str(leaf, v, buf, len);
		}
		return;
	case TDXR_FR_LEAF:
		s = tdxr_seamcall_name(v);
		snprintf(buf, len, "%s%s", s ? s : "unknown leaf",
			 (v >> 16) ? " (version bits set)" : "");
		return;
	case TDXR_FR_LEVEL:
		snprintf(buf, len, "%s", tdxr_level_name((int)(int64_t)v));
		return;
	case TDXR_FR_GPA:
		snprintf(buf, len, "gfn 0x%llx%s", (unsigned long long)((v >> 12) & ~(1ull << 35)),
			 (v & (1ull << 47)) ? ", shared bit 47 set" : "");
		return;
	case TDXR_FR_EXIT_REASON:
		s = tdxr_vmx_exit_reason_name((unsigned int)v);
		snprintf(buf, len, "%s", s ? s : "");
		return;
	case TDXR_FR_MIRROR:
		snprintf(buf, len, "%s",
			 (int64_t)v == 1   ? "mirror tree"
			 : (int64_t)v == 0 ? "direct tree"
					   : "tree unknown");
		return;
	default:
		break;
	}
	if (ev->type != TDXR_EV_TDX_SEAMCALL) {
		return;
	}
	if (i == TDXR_F_TDX_SEAMCALL_rcx && is_sept_leaf(l16)) {
		snprintf(buf, len, "gpa 0x%llx (gfn 0x%llx) tdx level %llu",
			 (unsigned long long)(v & ~0xfffull), (unsigned long long)(v >> 12),
			 (unsigned long long)(v & 7));
	} else if (i == TDXR_F_TDX_SEAMCALL_rdx && is_sept_leaf(l16)) {
		snprintf(buf, len, "TDR");
	} else if (l16 == TDH_VP_ENTER && i == TDXR_F_TDX_SEAMCALL_rcx) {
		snprintf(buf, len, "TDVPR");
	} else if (l16 == TDH_VP_ENTER && i == TDXR_F_TDX_SEAMCALL_out_rcx) {
		snprintf(buf, len, "exit qualification");
	} else if (l16 == TDH_VP_ENTER && i == TDXR_F_TDX_SEAMCALL_out_r8 && v) {
		snprintf(buf, len, "gpa (gfn 0x%llx)", (unsigned long long)(v >> 12));
	} else if (is_sept_leaf(l16) && (EVF(ev, TDX_SEAMCALL, status) >> 63)) {
		if (i == TDXR_F_TDX_SEAMCALL_out_rcx) {
			snprintf(buf, len, "S-EPT entry");
		} else if (i == TDXR_F_TDX_SEAMCALL_out_rdx) {
			tdxr_sept_level_state_str(v, buf, len);
		}
	} else if (l16 == TDH_MEM_PAGE_REMOVE && i == TDXR_F_TDX_SEAMCALL_out_rcx && v) {
		snprintf(buf, len, "removed page (pfn 0x%llx)", (unsigned long long)(v >> 12));
	}
}

/* A splat's variable parts (tdxr/klog.h): context items, then the call trace. */
static void splat_detail(struct tui *t, const struct tdxr_event *ev, struct tui_text *d)
{
	const char *ctx = tdxr_strtab_get(t->st, (uint32_t)EVF(ev, LOG_SPLAT, ctx));
	const char *trace = tdxr_strtab_get(t->st, (uint32_t)EVF(ev, LOG_SPLAT, trace));
	struct tdxr_klog_frame fr;

	for (const char *p = ctx; p && *p;) {
		const char *e = strstr(p, TDXR_KLOG_SEP);
		int n = e ? (int)(e - p) : (int)strlen(p);

		tui_text_add(d, "%.*s", n, p);
		p = e ? e + strlen(TDXR_KLOG_SEP) : NULL;
	}
	tui_text_add(d, "call trace:");
	for (const char *p = trace; tdxr_klog_next_frame(&p, &fr);) {
		tui_text_add(d, "  %s%s%s%s%s%s%s", fr.reliable ? "" : "? ", fr.func,
			     fr.offset[0] ? "+" : "", fr.offset, fr.module[0] ? " [" : "",
			     fr.module, fr.module[0] ? "]" : "");
	}
}

static void build(struct tui *t, struct tui_text *d)
{
	const struct tdxr_event_desc *desc;
	struct tdxr_event ev;
	char name[96], ts[32], val[64], dec[160];

	d->n = 0;
	if (!t->nr_events) {
		return;
	}
	if (idx_event(t->ix, t->cur, &ev) != 0) {
		tui_text_add(d, "seq %llu: unreadable", (unsigned long long)t->cur);
		return;
	}
	tdxr_event_fullname(&ev, t->st, name, sizeof(name));
	tui_text_add(d, "seq %llu  %s", (unsigned long long)ev.seq, name);
	tui_text_add(d, "ts %s  cpu %d  tid %d (%s)", tdxr_ts_str(ev.ts, ts, sizeof(ts)), ev.cpu,
		     ev.tid, tdxr_strtab_get(t->st, ev.comm));
	tui_text_add(d, "vm %d  vcpu %d  input %u line %u", ev.vm, ev.vcpu, ev.input, ev.line);
	if (ev.lost_flags & TDXR_LOST_WINDOW) {
		tui_text_add(d, "another CPU's lost events may begin here");
	}
	if (ev.lost_flags & TDXR_LOST_RECORD) {
		tui_text_add(d, "lost events before this one: %s%u",
			     (ev.lost_flags & TDXR_LOST_UNKNOWN) ? "unknown number, at least " : "",
			     ev.lost);
	}
	desc = tdxr_event_desc(ev.type);
	if (ev.type == TDXR_EV_UNMODELLED || !desc) {
		tui_text_add(d, "raw: %s", ev.raw ? ev.raw : "");
	} else {
		for (unsigned int i = 0; i < desc->nr_fields && i < TDXR_MAX_FIELDS; i++) {
			const struct tdxr_field_desc *fd = &desc->fields[i];

			if (!((ev.fmask >> i) & 1)) {
				tui_text_add(d, "%-10s (absent)", fd->name);
				continue;
			}
			if (ev.type == TDXR_EV_LOG_SPLAT &&
			    (i == TDXR_F_LOG_SPLAT_trace || i == TDXR_F_LOG_SPLAT_ctx)) {
				continue; /* one line each below */
			}
			switch (fd->type) {
			case TDXR_FT_U64:
				snprintf(val, sizeof(val), "0x%llx", (unsigned long long)ev.f[i]);
				break;
			case TDXR_FT_U32:
				if (fd->role == TDXR_FR_VCPU || fd->role == TDXR_FR_EXIT_REASON) {
					snprintf(val, sizeof(val), "%u", (unsigned int)ev.f[i]);
				} else {
					snprintf(val, sizeof(val), "0x%x", (unsigned int)ev.f[i]);
				}
				break;
			case TDXR_FT_S64:
			case TDXR_FT_S32:
				snprintf(val, sizeof(val), "%lld", (long long)(int64_t)ev.f[i]);
				break;
			case TDXR_FT_STR:
				snprintf(val, sizeof(val), "\"%s\"",
					 tdxr_strtab_get(t->st, (uint32_t)ev.f[i]));
				break;
			default:
				snprintf(val, sizeof(val), "?");
			}
			decode_field(&ev, i, fd, dec, sizeof(dec));
			if (dec[0]) {
				tui_text_add(d, "%-10s %-18s %s", fd->name, val, dec);
			} else {
				tui_text_add(d, "%-10s %s", fd->name, val);
			}
		}
	}
	if (ev.type == TDXR_EV_LOG_SPLAT) {
		splat_detail(t, &ev, d);
	}
	/* the findings revealed here */
	for (size_t i = tui_fm_first(t, ev.seq); i < t->nr_fm && t->fm[i].seq == ev.seq; i++) {
		struct mdl_finding f;

		if (idx_finding(t->ix, t->fm[i].idx, &f) != 0) {
			continue;
		}
		tui_text_add(d, "%s %s: %s", f.severity == MDL_SEV_ERROR ? "ERROR" : "WARNING",
			     mdl_finding_kind_name(f.kind), f.message);
		if (f.expected[0] || f.actual[0]) {
			tui_text_add(d, "  expected %s, actual %s", f.expected, f.actual);
		}
	}
}

static void detail_draw(struct tui *t, struct tui_view *v, const struct tui_rect *r)
{
	struct tui_text *d = v->priv;

	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d) {
			return;
		}
		v->priv = d;
	}
	build(t, d);
	tui_text_draw(v, r, d);
	tui_title(r, v->top ? "detail (scrolled)" : "detail", t->focus == TUI_PANE_DETAIL);
}

/* j/k, PgUp/PgDn scroll a text pane; shared by detail, state and help. */
bool tui_scroll_request(struct tui_view *v, enum tui_req req)
{
	int page = v->height > 1 ? v->height - 1 : 1;

	switch (req) {
	case TUI_REQ_DOWN:
		v->top++;
		break;
	case TUI_REQ_UP:
		v->top--;
		break;
	case TUI_REQ_PGDN:
		v->top += page;
		break;
	case TUI_REQ_PGUP:
		v->top -= page;
		break;
	case TUI_REQ_FIRST:
		v->top = 0;
		break;
	case TUI_REQ_LAST:
		v->top = v->nr_lines;
		break;
	default:
		return false;
	}
	if (v->top > v->nr_lines - v->height) {
		v->top = v->nr_lines - v->height;
	}
	if (v->top < 0) {
		v->top = 0;
	}
	return true;
}

static bool detail_request(struct tui *t, struct tui_view *v, enum tui_req req)
{
	(void)t;
	return tui_scroll_request(v, req);
}

static void detail_close(struct tui *t, struct tui_view *v)
{
	(void)t;
	free(v->priv);
	v->priv = NULL;
}

const struct tui_view_ops tui_detail_ops = {
	.name = "detail",
	.draw = detail_draw,
	.request = detail_request,
	.close = detail_close,
};
