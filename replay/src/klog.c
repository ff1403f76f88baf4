// SPDX-License-Identifier: GPL-2.0
/*
 * replay/src/klog.c - kernel log lines of a text input into log:* events
 * (docs/design.md §5.1): messages (klog_tdx.c), splats (klog_splat.c), and the
 * rejoining of hard-wrapped lines.
 *
 * Per line, after tdxr_klog_strip():
 *  1. A line without a log prefix, in an input whose lines have them, may
 *     continue the one before (a terminal or a mail client wrapped it):
 *     the state before the previous line is restored and the joined line
 *     read instead; kept when the join reads as what the previous line
 *     was, else undone.
 *  2. The last message waits one line (for its continuation or, 6.2-6.5,
 *     its "additional output:" line); then it is sealed.
 *  3. An open splat takes its lines (frames, registers, context); lines of
 *     other messages interleaved in it are read as themselves; it ends at
 *     "---[ end trace", a new header, or 40 lines that are not its own;
 *     after its end marker it waits 3 lines for KVM's message (TDX_BUG_ON
 *     prints it after the WARN), whose status it takes.
 *  4. A KVM/TDX message, a splat header (or a call trace whose header was
 *     cut), else another kernel message (counted, never silently dropped).
 * Events leave in file order through a small queue (tdxr_klog_pop).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog_int.h"

enum kind { K_NONE, K_OTHER, K_MSG, K_SPLAT };

struct klog_rd *tdxr_klog_new(struct tdxr_src *s)
{
	struct klog_rd *k = calloc(1, sizeof(*k));

	if (!k) {
		return NULL;
	}
	k->s = s;
	k->st.open_msg = -1;
	k->st.open_splat = -1;
	return k;
}

void tdxr_klog_free(struct klog_rd *k)
{
	free(k);
}

static bool starts(const char *p, const char *e, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(e - p) >= n && memcmp(p, lit, n) == 0;
}

static unsigned int slot(const struct klog_state *st, unsigned int i)
{
	return (st->qhead + i) % KLOG_QUEUE;
}

/* Appends @ev; returns its slot. The caller keeps the queue below full. */
static int push(struct klog_rd *k, const struct tdxr_event *ev, bool sealed)
{
	struct klog_state *st = &k->st;
	unsigned int i = slot(st, st->qn);

	st->q[i] = *ev;
	st->q[i].input = (uint16_t)k->s->opts.input;
	st->sealed[i] = sealed;
	st->qn++;
	st->records++;
	return (int)i;
}

static void close_splat(struct klog_rd *k)
{
	struct klog_state *st = &k->st;

	if (st->sp.open && st->open_splat >= 0) {
		tdxr_klog_splat_event(&st->sp, k->s->st, &st->q[st->open_splat]);
		st->q[st->open_splat].input = (uint16_t)k->s->opts.input;
		st->sealed[st->open_splat] = true;
	}
	st->sp.open = false;
	st->open_splat = -1;
	st->closing = 0;
}

static bool header(const char *p, const char *e)
{
	return starts(p, e, "WARNING: ") || starts(p, e, "kernel BUG at ") ||
	       starts(p, e, "BUG: ") || starts(p, e, "general protection fault") ||
	       starts(p, e, "Oops: general protection fault");
}

static void take_status(struct klog_state *st, const struct tdxr_event *ev)
{
	if (ev->type != TDXR_EV_LOG_SEAMCALL_FAILED || !EVF_HAS(ev, LOG_SEAMCALL_FAILED, status)) {
		return;
	}
	st->has_last_status = true;
	st->last_status = EVF(ev, LOG_SEAMCALL_FAILED, status);
	st->last_status_at = st->nlogical;
	if (st->sp.open && !st->sp.has_msg_status) {
		st->sp.has_msg_status = true;
		st->sp.msg_status = st->last_status;
	}
}

static enum kind process(struct klog_rd *k, const char *p, const char *e, const struct klog_pfx *pf,
			 uint32_t line)
{
	struct klog_state *st = &k->st;
	struct tdxr_event ev;
	bool hdr;

	st->nlogical++;
	if (st->open_msg >= 0) {
		if (tdxr_klog_tdx_more_output(p, e, &st->q[st->open_msg])) {
			st->sealed[st->open_msg] = true;
			st->open_msg = -1;
			return K_MSG;
		}
		st->sealed[st->open_msg] = true;
		st->open_msg = -1;
	}
	if (p >= e) {
		return pf->log ? K_OTHER : K_NONE;
	}
	hdr = header(p, e);
	if (st->sp.open && (hdr || starts(p, e, "Dumping ftrace buffer:"))) {
		close_splat(k);
	}
	if (st->sp.open && st->closing == 0) {
		enum klog_take r = tdxr_klog_splat_feed(&st->sp, p, e, line, pf->caller);

		if (r == KLOG_TAKEN) {
			return K_SPLAT;
		}
		if (r == KLOG_ENDS) {
			st->closing = 3;
			return K_SPLAT;
		}
		if (++st->sp.quiet > 40) {
			close_splat(k);
		}
	}
	if (tdxr_klog_tdx_message(k->s, p, e, k->last_ts, &ev)) {
		ev.line = line;
		take_status(st, &ev);
		if (st->closing && ev.type == TDXR_EV_LOG_SEAMCALL_FAILED) {
			close_splat(k);
		}
		st->open_msg = push(k, &ev, false);
		return K_MSG;
	}
	if (st->closing && --st->closing == 0) {
		close_splat(k);
	}
	if (starts(p, e, "------------[ cut here ]------------")) {
		st->cut_line = line;
		return K_OTHER;
	}
	if (!hdr && st->cut_line && st->cut_line + 1 == line) {
		size_t n = (size_t)(e - p) < sizeof(st->cond) - 1 ? (size_t)(e - p)
								  : sizeof(st->cond) - 1;

		memcpy(st->cond, p, n);
		st->cond[n] = '\0';
		for (char *x = st->cond; (x = strchr(x, '|')) != NULL;) {
			*x = '/';
		}
		st->cond_line = line;
	}
	if (tdxr_klog_splat_start(&st->sp, p, e, line, k->last_ts, pf->caller) ||
	    (!st->sp.open &&
	     tdxr_klog_splat_headless(&st->sp, p, e, line, k->last_ts, pf->caller))) {
		tdxr_klog_event_init(&ev, TDXR_EV_LOG_SPLAT, k->last_ts);
		ev.line = line;
		st->open_splat = push(k, &ev, false);
		if (st->has_last_status && st->nlogical - st->last_status_at <= 3) {
			st->sp.has_msg_status = true;
			st->sp.msg_status = st->last_status;
		}
		if (st->cond_line && st->cond_line + 1 == line && st->cut_line + 2 == line &&
		    starts(p, e, "WARNING: ")) {
			snprintf(st->sp.cond, sizeof(st->sp.cond), "%s", st->cond);
		}
		return K_SPLAT;
	}
	if (pf->log) {
		st->lines_other++;
		return K_OTHER;
	}
	return K_NONE;
}

/* Joins the previous line and [p, e) with or without a blank. */
static size_t join(const struct klog_rd *k, const char *p, const char *e, bool blank, char *buf,
		   size_t cap)
{
	size_t n = k->prev_len, m = (size_t)(e - p);

	if (n + 1 + m + 1 > cap) {
		return 0;
	}
	memcpy(buf, k->prev, n);
	if (blank) {
		buf[n++] = ' ';
	}
	memcpy(buf + n, p, m);
	buf[n + m] = '\0';
	return n + m;
}

static void remember(struct klog_rd *k, const char *p, const char *e, const struct klog_pfx *pf,
		     uint32_t line, size_t raw_len)
{
	size_t n = (size_t)(e - p) < sizeof(k->prev) - 1 ? (size_t)(e - p) : sizeof(k->prev) - 1;

	memmove(k->prev, p, n);
	k->prev_len = n;
	k->prev_raw_len = raw_len;
	k->prev_line = line;
	k->prev_pf = *pf;
}

/* A line that cannot continue another: it starts a shape of its own. */
static bool starts_own(const char *p, const char *e)
{
	return header(p, e) || starts(p, e, "Call Trace:") || starts(p, e, "<TASK>") ||
	       starts(p, e, "</TASK>") || starts(p, e, "---[ end trace") || starts(p, e, "RIP: ") ||
	       starts(p, e, "CPU: ");
}

bool tdxr_klog_line(struct klog_rd *k, const char *p, const char *e, const struct klog_pfx *pf,
		    uint32_t lineno, size_t raw_len)
{
	enum kind kd;

	if (pf->has_ts) {
		k->last_ts = pf->ts;
	}
	if (pf->log) {
		k->lines_log++;
	}
	/* 1. a continuation of a hard-wrapped line */
	if (!pf->log && k->have_before && k->prev_line + 1 == lineno && p < e &&
	    !starts_own(p, e)) {
		struct klog_state *cur = &k->scratch;
		enum kind was;
		char buf[4096];
		/* a terminal wraps at its width, inside a word; a mail client
		 * at a blank, which it drops */
		bool blank_first = k->prev_raw_len < 78;

		*cur = k->st;
		for (int t = 0; t < 2; t++) {
			bool blank = t == 0 ? blank_first : !blank_first;
			size_t n = join(k, p, e, blank, buf, sizeof(buf));

			if (!n) {
				break;
			}
			k->st = k->before;
			was = process(k, k->prev, k->prev + k->prev_len, &k->prev_pf, k->prev_line);
			k->st = k->before;
			kd = process(k, buf, buf + n, &k->prev_pf, k->prev_line);
			if (kd != K_NONE && (kd == was || was == K_OTHER)) {
				k->lines_joined++;
				remember(k, buf, buf + n, &k->prev_pf, lineno, k->prev_raw_len);
				return true;
			}
		}
		k->st = *cur;
	}
	if (pf->log) {
		k->before = k->st;
		k->have_before = true;
	} else {
		k->have_before = false;
	}
	kd = process(k, p, e, pf, lineno);
	if (pf->log) {
		remember(k, p, e, pf, lineno, raw_len);
	}
	/* keep room: an open splat blocks the queue's head */
	if (k->st.qn >= KLOG_QUEUE - 4) {
		close_splat(k);
	}
	tdxr_klog_stats(k, &k->s->stats);
	return kd != K_NONE;
}

void tdxr_klog_stats(const struct klog_rd *k, struct tdxr_src_stats *out)
{
	if (!k) {
		return;
	}
	out->log_lines = k->lines_log;
	out->log_records = k->st.records;
	out->log_other = k->st.lines_other;
	out->log_joined = k->lines_joined;
}

void tdxr_klog_eof(struct klog_rd *k)
{
	struct klog_state *st = &k->st;

	if (st->open_msg >= 0) {
		st->sealed[st->open_msg] = true;
		st->open_msg = -1;
	}
	close_splat(k);
}

bool tdxr_klog_pop(struct klog_rd *k, struct tdxr_event *ev)
{
	struct klog_state *st = &k->st;

	if (st->qn == 0 || !st->sealed[st->qhead]) {
		return false;
	}
	*ev = st->q[st->qhead];
	st->qhead = (st->qhead + 1) % KLOG_QUEUE;
	st->qn--;
	/* slots are indices: the open ones keep theirs */
	k->have_before = false;
	return true;
}
