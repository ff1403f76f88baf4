// SPDX-License-Identifier: GPL-2.0
/*
 * tui/tui.c - `tdxr tui`: session setup, the key loop, the prompt, the
 * scripted mode and the screen layout.
 *
 * The loop (interactive):
 *   1. draw every pane into stdscr (the state pane seeks the model to the
 *      cursor through the index), one doupdate();
 *   2. wait for a key: forever when idle, not at all while a job runs;
 *   3. handle every key already typed (so held keys never lag), then give
 *      the running jobs one slice of ~20 ms; back to 1.
 * Scripted mode (TDXR_TUI_SCRIPT=FILE) replaces the terminal by /dev/null
 * and the keyboard by the file; between two script lines jobs run to the
 * end, unless the next line cancels them (Esc, C-c), which then sees one
 * slice of the job first.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui_int.h"

#define TUI_SLICE_NS (20ull * 1000 * 1000)
#define TUI_KEY_EOF (-2)

const struct tui_key_desc tui_keys[] = {
#define TUI_KEY(req, k1, k2, keys, help) {TUI_REQ_##req, k1, k2, keys, help},
#include "keys.def"
#undef TUI_KEY
};
const unsigned int tui_nr_keys = sizeof(tui_keys) / sizeof(tui_keys[0]);

static volatile sig_atomic_t tui_sigint, tui_sigterm;

static void on_signal(int sig)
{
	if (sig == SIGINT) {
		tui_sigint = 1;
	} else {
		tui_sigterm = 1;
	}
}

enum tui_req tui_key_req(int key)
{
	if (key == '\r') {
		key = '\n';
	}
	for (unsigned int i = 0; i < tui_nr_keys; i++) {
		if (tui_keys[i].key1 == key || (tui_keys[i].key2 && tui_keys[i].key2 == key)) {
			return tui_keys[i].req;
		}
	}
	return TUI_REQ_NONE;
}

uint64_t tui_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void tui_msg(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_error = error;
}

attr_t tui_attr(const struct tui *t, enum tui_color c)
{
	if (t->colors && c != TUI_C_NONE) {
		attr_t extra = (c == TUI_C_ERROR || c == TUI_C_TITLE) ? A_BOLD : 0;

		return COLOR_PAIR(c) | extra;
	}
	switch (c) {
	case TUI_C_ERROR:
	case TUI_C_WARN:
		return A_BOLD;
	case TUI_C_TITLE:
		return A_REVERSE;
	case TUI_C_MATCH:
		return A_UNDERLINE;
	case TUI_C_DIM:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

void tui_put(int y, int x, int w, const char *s, attr_t attr)
{
	char buf[1024];
	int n = 0;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS) {
		return;
	}
	if (x + w > COLS) {
		w = COLS - x;
	}
	if (w > (int)sizeof(buf) - 1) {
		w = (int)sizeof(buf) - 1;
	}
	for (; s[n] && n < w; n++) {
		unsigned char c = (unsigned char)s[n];

		buf[n] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	buf[n] = '\0';
	if (attr) {
		attron(attr);
	}
	mvaddnstr(y, x, buf, n);
	if (attr) {
		attroff(attr);
	}
}

void tui_title(const struct tui_rect *r, const char *text, bool focused)
{
	char buf[1024];
	int w = r->w < (int)sizeof(buf) - 1 ? r->w : (int)sizeof(buf) - 1;

	/* '=' marks the focused pane, '-' the others: readable without colour */
	snprintf(buf, sizeof(buf), "%c%c %s ", focused ? '=' : '-', focused ? '=' : '-', text);
	for (int n = (int)strlen(buf); n < w; n++) {
		buf[n] = focused ? '=' : '-';
	}
	buf[w] = '\0';
	tui_put(r->y, r->x, r->w, buf, A_REVERSE | (focused ? A_BOLD : 0));
}

/* ---- jobs ---------------------------------------------------------------- */

void tui_job_start(struct tui *t, enum tui_job_id id)
{
	struct tui_job *j;

	if ((unsigned int)id >= TUI_JOB__COUNT) {
		return;
	}
	j = &t->jobs[id];
	j->active = true;
	j->done = 0;
	switch (id) {
	case TUI_JOB_FINDINGS:
		j->what = "loading findings";
		j->step = tui_findings_step;
		j->cancel = NULL;
		j->total = t->nr_findings;
		break;
	case TUI_JOB_FILTER:
		j->what = "filtering";
		j->step = tui_filter_step;
		j->cancel = tui_filter_cancel;
		j->total = t->nr_events;
		break;
	case TUI_JOB_SEARCH:
		j->what = "searching";
		j->step = tui_search_step;
		j->cancel = NULL;
		j->total = j->dir > 0 ? t->nr_events - j->pos : j->pos + 1;
		break;
	case TUI_JOB_EXPLAIN:
		j->what = "explaining";
		j->step = tui_explain_step;
		j->cancel = tui_explain_cancel;
		j->total = 0; /* set by tui_explain_open */
		break;
	default:
		j->active = false;
	}
}

void tui_job_cancel(struct tui *t, enum tui_job_id id)
{
	struct tui_job *j = &t->jobs[id];

	if (!j->active) {
		return;
	}
	j->active = false;
	if (j->cancel) {
		j->cancel(t, j);
	}
}

bool tui_jobs_busy(const struct tui *t)
{
	for (int i = 0; i < TUI_JOB__COUNT; i++) {
		if (t->jobs[i].active) {
			return true;
		}
	}
	return false;
}

/* Runs the active jobs until @deadline. */
static void jobs_run(struct tui *t, uint64_t deadline)
{
	for (int i = 0; i < TUI_JOB__COUNT; i++) {
		struct tui_job *j = &t->jobs[i];

		if (j->active && j->step(t, j, deadline) != 0) {
			j->active = false;
		}
	}
}

static bool cancel_jobs(struct tui *t)
{
	bool any = false;

	/* loading findings is not the user's operation: it keeps going */
	for (int i = TUI_JOB_FILTER; i < TUI_JOB__COUNT; i++) {
		if (t->jobs[i].active) {
			tui_msg(t, false, "%s cancelled", t->jobs[i].what);
			tui_job_cancel(t, (enum tui_job_id)i);
			any = true;
		}
	}
	return any;
}

/* ---- layout and drawing -------------------------------------------------- */

/*
 * Rows, top to bottom: the event list (about 40 %), detail and state side
 * by side (stacked below 100 columns), findings, status. Overlays cover
 * everything below the list.
 */
static void layout(struct tui *t, struct tui_rect *r, struct tui_rect *lower)
{
	int rows = LINES - 1, cols = COLS;
	int list_h, find_h, mid_h, y;

	find_h = rows >= 30 ? 5 : 3;
	list_h = rows * 2 / 5;
	if (list_h < 4) {
		list_h = 4;
	}
	mid_h = rows - list_h - find_h;
	if (mid_h < 2) {
		mid_h = 2;
	}
	r[TUI_PANE_LIST] = (struct tui_rect){0, 0, list_h, cols};
	y = list_h;
	*lower = (struct tui_rect){y, 0, rows - y, cols};
	if (cols >= 100) {
		int dw = cols * 11 / 20;

		r[TUI_PANE_DETAIL] = (struct tui_rect){y, 0, mid_h, dw};
		r[TUI_PANE_STATE] = (struct tui_rect){y, dw, mid_h, cols - dw};
	} else {
		int dh = mid_h / 2;

		r[TUI_PANE_DETAIL] = (struct tui_rect){y, 0, dh, cols};
		r[TUI_PANE_STATE] = (struct tui_rect){y + dh, 0, mid_h - dh, cols};
	}
	y += mid_h;
	r[TUI_PANE_FINDINGS] = (struct tui_rect){y, 0, rows - y, cols};
	t->list_rect = r[TUI_PANE_LIST];
}

static void draw_status(struct tui *t)
{
	char left[512], right[300];
	int y = LINES - 1;
	size_t n;

	n = (size_t)snprintf(left, sizeof(left), " %s  seq %llu/%llu", t->title,
			     (unsigned long long)t->cur, (unsigned long long)t->nr_events);
	if (t->filter && n < sizeof(left)) {
		n += (size_t)snprintf(left + n, sizeof(left) - n, "  filter: %s", t->filter_text);
	}
	if (t->vm_filter && n < sizeof(left)) {
		n += (size_t)snprintf(left + n, sizeof(left) - n, "  vm %d", t->vm);
	}
	if (t->has_search && n < sizeof(left)) {
		n += (size_t)snprintf(left + n, sizeof(left) - n, "  %c%s",
				      t->search_dir > 0 ? '/' : '?', t->search_text);
	}
	right[0] = '\0';
	for (int i = 0; i < TUI_JOB__COUNT; i++) {
		const struct tui_job *j = &t->jobs[i];

		if (j->active && j->total) {
			snprintf(right, sizeof(right), "[%s %llu%% - Esc cancels] ", j->what,
				 (unsigned long long)(j->done * 100 / j->total));
			break;
		}
	}
	if (!right[0] && t->msg[0]) {
		snprintf(right, sizeof(right), "%s ", t->msg);
	}
	if (!right[0]) {
		snprintf(right, sizeof(right), "h: help ");
	}
	move(y, 0);
	clrtoeol();
	tui_put(y, 0, COLS, left, A_NORMAL);
	{
		int rw = (int)strlen(right);
		int x = COLS - rw;

		if (x < (int)strlen(left) + 1) {
			x = (int)strlen(left) + 1;
		}
		if (x < COLS / 3) {
			x = COLS / 3;
		}
		tui_put(y, x, COLS - x, right,
			t->msg_error && !tui_jobs_busy(t) ? tui_attr(t, TUI_C_ERROR) : A_BOLD);
	}
}

void tui_draw(struct tui *t)
{
	struct tui_rect r[TUI_PANE__COUNT], lower;

	erase();
	if (LINES < 6 || COLS < 20) {
		tui_put(0, 0, COLS, "terminal too small", A_BOLD);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	layout(t, r, &lower);
	tui_state_update(t);
	for (int i = 0; i < TUI_PANE__COUNT; i++) {
		struct tui_view *v = &t->panes[i];

		if (t->overlay.ops && i != TUI_PANE_LIST) {
			continue;
		}
		v->ops->draw(t, v, &r[i]);
	}
	if (t->overlay.ops) {
		t->overlay.ops->draw(t, &t->overlay, &lower);
	}
	draw_status(t);
	wnoutrefresh(stdscr);
	doupdate();
}

static int save_screen(const char *path)
{
	FILE *f = fopen(path, "w");
	char *line;

	if (!f) {
		return -1;
	}
	line = malloc((size_t)COLS + 1);
	if (!line) {
		fclose(f);
		return -1;
	}
	for (int y = 0; y < LINES; y++) {
		int n = mvinnstr(y, 0, line, COLS);

		if (n < 0) {
			n = 0;
		}
		line[n] = '\0';
		while (n > 0 && line[n - 1] == ' ') {
			line[--n] = '\0';
		}
		fprintf(f, "%s\n", line);
	}
	free(line);
	return fclose(f) ? -1 : 0;
}

/* ---- input --------------------------------------------------------------- */

struct key_name {
	const char *name;
	int key;
};

static const struct key_name key_names[] = {
	{"KEY_NPAGE", KEY_NPAGE},
	{"NPage", KEY_NPAGE},
	{"PgDn", KEY_NPAGE},
	{"KEY_PPAGE", KEY_PPAGE},
	{"PPage", KEY_PPAGE},
	{"PgUp", KEY_PPAGE},
	{"KEY_UP", KEY_UP},
	{"Up", KEY_UP},
	{"KEY_DOWN", KEY_DOWN},
	{"Down", KEY_DOWN},
	{"KEY_LEFT", KEY_LEFT},
	{"KEY_RIGHT", KEY_RIGHT},
	{"KEY_HOME", KEY_HOME},
	{"Home", KEY_HOME},
	{"KEY_END", KEY_END},
	{"End", KEY_END},
	{"KEY_ENTER", '\n'},
	{"Enter", '\n'},
	{"KEY_F1", KEY_F(1)},
	{"F1", KEY_F(1)},
	{"Tab", '\t'},
	{"Esc", 27},
	{"Escape", 27},
	{"C-c", 3},
	{"C-l", 12},
	{"Space", ' '},
	{"KEY_BACKSPACE", KEY_BACKSPACE},
};

static bool is_cancel_line(const char *s)
{
	return !strcmp(s, "Esc") || !strcmp(s, "Escape") || !strcmp(s, "C-c");
}

/* Reads the next meaningful script line into @buf; false at EOF. */
static bool script_read(struct tui *t, char *buf, size_t len)
{
	while (fgets(buf, (int)len, t->script)) {
		size_t n = strlen(buf);

		t->script_line++;
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
			buf[--n] = '\0';
		}
		if (n == 0 || buf[0] == '#') {
			continue;
		}
		return true;
	}
	return false;
}

static bool script_next_line(struct tui *t, char *buf, size_t len)
{
	if (t->script_has_la) {
		t->script_has_la = false;
		snprintf(buf, len, "%s", t->script_la);
		return true;
	}
	return script_read(t, buf, len);
}

static bool script_peek_cancel(struct tui *t)
{
	if (!t->script_has_la) {
		t->script_has_la = script_read(t, t->script_la, sizeof(t->script_la));
	}
	return t->script_has_la && is_cancel_line(t->script_la);
}

/* Queues the keys of one script line (see the file comment of tui.h). */
static void script_queue(struct tui *t, const char *line)
{
	size_t n = strlen(line);

	t->nr_pending = 0;
	t->pending_pos = 0;
	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		if (!strcmp(line, key_names[i].name)) {
			t->pending[t->nr_pending++] = key_names[i].key;
			return;
		}
	}
	for (size_t i = 0; i < n && t->nr_pending < 510; i++) {
		t->pending[t->nr_pending++] = (unsigned char)line[i];
	}
	/* a prompt line (":1234", "/re", "?re", "fEXPR") ends with Enter */
	if (n > 1 && strchr(":/?f", line[0])) {
		t->pending[t->nr_pending++] = '\n';
	}
}

int tui_getkey(struct tui *t, int timeout_ms)
{
	int key;

	if (t->pending_pos < t->nr_pending) {
		return t->pending[t->pending_pos++];
	}
	if (t->script) {
		char line[1024];

		if (!script_next_line(t, line, sizeof(line))) {
			return TUI_KEY_EOF;
		}
		script_queue(t, line);
		return t->pending_pos < t->nr_pending ? t->pending[t->pending_pos++] : ERR;
	}
	timeout(timeout_ms);
	key = getch();
	if (tui_sigint) {
		tui_sigint = 0;
		return 3;
	}
	return key;
}

bool tui_prompt(struct tui *t, const char *prompt, char *buf, size_t len)
{
	size_t n = 0;
	int y = LINES - 1;

	buf[0] = '\0';
	curs_set(1);
	for (;;) {
		int key;

		move(y, 0);
		clrtoeol();
		tui_put(y, 0, COLS, prompt, A_BOLD);
		tui_put(y, (int)strlen(prompt), COLS - (int)strlen(prompt), buf, A_NORMAL);
		move(y, (int)(strlen(prompt) + n) < COLS ? (int)(strlen(prompt) + n) : COLS - 1);
		refresh();
		key = tui_getkey(t, -1);
		if (key == ERR || key == KEY_RESIZE) {
			continue;
		}
		if (key == '\n' || key == '\r' || key == KEY_ENTER) {
			break;
		}
		if (key == 27 || key == 3 || key == TUI_KEY_EOF) {
			curs_set(0);
			return false;
		}
		if (key == KEY_BACKSPACE || key == 127 || key == 8) {
			if (n) {
				buf[--n] = '\0';
			}
			continue;
		}
		if (key == 21) { /* C-u */
			n = 0;
			buf[0] = '\0';
			continue;
		}
		if (key >= 0x20 && key < 0x7f && n + 1 < len) {
			buf[n++] = (char)key;
			buf[n] = '\0';
		}
	}
	curs_set(0);
	return true;
}

/* ---- requests ------------------------------------------------------------ */

void tui_goto(struct tui *t, uint64_t seq, bool center)
{
	if (!t->nr_events) {
		return;
	}
	if (seq >= t->nr_events) {
		seq = t->nr_events - 1;
	}
	t->cur = seq;
	t->fresh = false;
	if (center) {
		t->cur_row = (t->list_rect.h - 1) / 2;
	}
	t->panes[TUI_PANE_DETAIL].top = 0;
}

static void jump(struct tui *t, uint64_t seq)
{
	t->prev_jump = t->cur;
	tui_goto(t, seq, true);
}

static void set_filter(struct tui *t, const char *expr)
{
	char err[256];
	struct tdxr_filter *f = NULL;

	if (expr[0]) {
		f = tdxr_filter_compile(expr, err, sizeof(err));
		if (!f) {
			tui_msg(t, true, "filter: %s", err);
			return;
		}
	}
	tdxr_filter_free(t->filter);
	t->filter = f;
	snprintf(t->filter_text, sizeof(t->filter_text), "%.*s", (int)sizeof(t->filter_text) - 1,
		 expr);
	tui_vis_reset(t);
	tui_msg(t, false, f ? "filter set" : "filter cleared");
}

static void set_vm(struct tui *t, bool all, int vm)
{
	tdxr_filter_free(t->vm_filter);
	t->vm_filter = NULL;
	if (!all) {
		char expr[64], err[128];

		snprintf(expr, sizeof(expr), "vm == %d || vm < 0", vm);
		t->vm_filter = tdxr_filter_compile(expr, err, sizeof(err));
		t->vm = vm;
	}
	tui_vis_reset(t);
}

/* v: all VMs -> the first -> the next ... -> all again. */
static void cycle_vm(struct tui *t)
{
	const struct mdl_model *m = NULL;
	unsigned int n, i, pick = 0;
	struct mdl_vm_info vi;
	bool found = false;

	/* the VMs of the whole trace: the model after the last event */
	tui_msg(t, false, "listing the VMs (seeking to the end)...");
	tui_draw(t);
	if (idx_seek(t->ix, t->nr_events ? t->nr_events - 1 : UINT64_MAX, &m) != 0) {
		tui_msg(t, true, "cannot list the VMs: %s", idx_error(t->ix));
		return;
	}
	n = mdl_nr_vms(m);
	if (n < 2) {
		tui_msg(t, false, "the trace has %u VM%s: nothing to pick", n, n == 1 ? "" : "s");
		return;
	}
	if (t->vm_filter) {
		for (i = 0; i < n; i++) {
			if (mdl_vm_info(m, i, &vi) == 0 && vi.vm == t->vm) {
				pick = i + 1;
				found = true;
				break;
			}
		}
		if (!found) {
			pick = 0;
		}
	}
	while (pick < n && (mdl_vm_info(m, pick, &vi) != 0 || vi.vm < 0)) {
		pick++;
	}
	if (pick >= n) {
		set_vm(t, true, 0);
		tui_msg(t, false, "showing all %u VMs", n);
	} else {
		set_vm(t, false, vi.vm);
		tui_msg(t, false, "showing vm %d (%u of %u)%s", vi.vm, pick + 1, n,
			vi.is_tdx ? ", a TD" : "");
	}
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	while (*s == ' ') {
		s++;
	}
	if (!*s || *s == '-') {
		return false;
	}
	errno = 0;
	*out = strtoull(s, &end, 0);
	while (*end == ' ') {
		end++;
	}
	return !errno && !*end;
}

static void command(struct tui *t, const char *cmd)
{
	uint64_t seq;
	int w, h;
	char arg[512];

	/* screen commands keep the message: it is part of the screen */
	if (strncmp(cmd, "save-screen ", 12) && strncmp(cmd, "resize ", 7)) {
		t->msg[0] = '\0';
	}
	if (parse_u64(cmd, &seq)) {
		if (seq >= t->nr_events) {
			tui_msg(t, true, "seq %llu out of range (0..%llu)", (unsigned long long)seq,
				(unsigned long long)(t->nr_events ? t->nr_events - 1 : 0));
			return;
		}
		jump(t, seq);
	} else if (sscanf(cmd, "resize %d %d", &w, &h) == 2) {
		if (w < 1 || h < 1 || w > 1000 || h > 1000) {
			tui_msg(t, true, "resize: bad size %dx%d", w, h);
			return;
		}
		resizeterm(h, w);
	} else if (sscanf(cmd, "save-screen %511[^\n]", arg) == 1) {
		tui_state_wait(t); /* a saved screen is a settled one */
		tui_draw(t);
		if (save_screen(arg)) {
			tui_msg(t, true, "save-screen %s: %s", arg, strerror(errno));
		}
	} else if (!strcmp(cmd, "vm all")) {
		set_vm(t, true, 0);
	} else if (sscanf(cmd, "vm %d", &w) == 1) {
		set_vm(t, false, w);
	} else if (!strncmp(cmd, "filter", 6) && (cmd[6] == ' ' || !cmd[6])) {
		set_filter(t, cmd[6] ? cmd + 7 : "");
	} else if (!strcmp(cmd, "q") || !strcmp(cmd, "quit")) {
		t->quit = true;
	} else if (cmd[0]) {
		tui_msg(t, true, "unknown command :%s", cmd);
	}
}

static void search_start(struct tui *t, int dir)
{
	struct tui_job *j = &t->jobs[TUI_JOB_SEARCH];

	if (!t->has_search) {
		tui_msg(t, true, "no search yet (/ or ?)");
		return;
	}
	if ((dir > 0 && t->cur + 1 >= t->nr_events) || (dir < 0 && t->cur == 0)) {
		tui_msg(t, true, "search hit %s: %s", dir > 0 ? "the end" : "the start",
			t->search_text);
		return;
	}
	tui_job_cancel(t, TUI_JOB_SEARCH);
	j->dir = dir;
	j->pos = dir > 0 ? t->cur + 1 : t->cur - 1;
	tui_job_start(t, TUI_JOB_SEARCH);
}

static void new_search(struct tui *t, int dir)
{
	char buf[256];
	int rc;

	if (!tui_prompt(t, dir > 0 ? "/" : "?", buf, sizeof(buf))) {
		return;
	}
	if (!buf[0]) {
		search_start(t, dir); /* empty: repeat the last one */
		return;
	}
	if (t->has_search) {
		regfree(&t->search_re);
		t->has_search = false;
	}
	rc = regcomp(&t->search_re, buf, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc) {
		char e[128];

		regerror(rc, &t->search_re, e, sizeof(e));
		tui_msg(t, true, "search: %s", e);
		return;
	}
	t->has_search = true;
	t->search_dir = dir;
	snprintf(t->search_text, sizeof(t->search_text), "%s", buf);
	search_start(t, dir);
}

static void nav(struct tui *t, int rc, uint64_t seq, const char *what)
{
	if (rc == IDX_FOUND) {
		jump(t, seq);
	} else if (rc == IDX_NONE) {
		tui_msg(t, true, "no %s", what);
	} else {
		tui_msg(t, true, "%s", idx_error(t->ix));
	}
}

static int focus_order[] = {TUI_PANE_LIST, TUI_PANE_FINDINGS, TUI_PANE_DETAIL, TUI_PANE_STATE};

static struct tui_view *focused(struct tui *t)
{
	if (t->focus < 0) {
		return t->overlay.ops ? &t->overlay : &t->panes[TUI_PANE_LIST];
	}
	return &t->panes[t->focus];
}

static void close_overlay(struct tui *t)
{
	if (t->overlay.ops && t->overlay.ops->close) {
		t->overlay.ops->close(t, &t->overlay);
	}
	memset(&t->overlay, 0, sizeof(t->overlay));
	if (t->focus < 0) {
		t->focus = TUI_PANE_LIST;
	}
}

/* Without the loaded markers: does any finding sit at seq 0? */
static bool first_finding_is_at_0(struct tui *t)
{
	struct mdl_finding f;

	for (size_t i = 0; i < t->nr_findings && i < 64; i++) {
		if (idx_finding(t->ix, i, &f) == 0 && f.seq == 0) {
			return true;
		}
	}
	return false;
}

static void handle_req(struct tui *t, enum tui_req req);

static void handle_key(struct tui *t, int key)
{
	struct tui_view *v;
	enum tui_req req;

	if (key == KEY_RESIZE || key == ERR) {
		return;
	}
	if (key == TUI_KEY_EOF) {
		t->quit = true;
		return;
	}
	req = tui_key_req(key);
	if (req == TUI_REQ_NONE) {
		tui_msg(t, true, "key %s is not bound (h: help)",
			keyname(key) ? keyname(key) : "?");
		return;
	}
	if (req != TUI_REQ_PROMPT) {
		t->msg[0] = '\0'; /* a message lives until the next key */
	}
	v = focused(t);
	if (v->ops->request && v->ops->request(t, v, req)) {
		return;
	}
	handle_req(t, req);
}

static void handle_req(struct tui *t, enum tui_req req)
{
	struct tdxr_event ev;
	uint64_t seq;
	int rc;

	switch (req) {
	case TUI_REQ_DOWN:
		tui_move(t, 1);
		break;
	case TUI_REQ_UP:
		tui_move(t, -1);
		break;
	case TUI_REQ_PGDN:
		tui_move(t, t->list_rect.h > 2 ? t->list_rect.h - 2 : 1);
		break;
	case TUI_REQ_PGUP:
		tui_move(t, -(t->list_rect.h > 2 ? t->list_rect.h - 2 : 1));
		break;
	case TUI_REQ_FIRST:
		t->prev_jump = t->cur;
		if (tui_visible(t, 0) || !tui_vis_next(t, 0, 1, &seq)) {
			seq = 0;
		}
		tui_goto(t, seq, false);
		t->cur_row = 0;
		break;
	case TUI_REQ_LAST:
		t->prev_jump = t->cur;
		seq = t->nr_events ? t->nr_events - 1 : 0;
		if (!tui_visible(t, seq) && !tui_vis_next(t, seq, -1, &seq)) {
			seq = t->nr_events ? t->nr_events - 1 : 0;
		}
		tui_goto(t, seq, false);
		t->cur_row = t->list_rect.h;
		break;
	case TUI_REQ_PROMPT: {
		char buf[600];

		if (tui_prompt(t, ":", buf, sizeof(buf))) {
			command(t, buf);
		}
		break;
	}
	case TUI_REQ_SEARCH_FWD:
		new_search(t, 1);
		break;
	case TUI_REQ_SEARCH_BACK:
		new_search(t, -1);
		break;
	case TUI_REQ_SEARCH_NEXT:
		search_start(t, t->search_dir);
		break;
	case TUI_REQ_SEARCH_PREV:
		search_start(t, -t->search_dir);
		break;
	case TUI_REQ_FILTER: {
		char buf[512];

		if (tui_prompt(t, "filter (-F grammar, empty clears): ", buf, sizeof(buf))) {
			set_filter(t, buf);
		}
		break;
	}
	case TUI_REQ_VM:
		cycle_vm(t);
		break;
	case TUI_REQ_GFN_NEXT:
	case TUI_REQ_GFN_PREV:
		if (!t->has_gfn) {
			tui_msg(t, true, "no gfn selected (move to an event that touches one)");
			break;
		}
		rc = idx_next_gfn(t->ix, t->cur, req == TUI_REQ_GFN_NEXT ? 1 : -1, t->gfn_vm,
				  t->gfn, &seq);
		nav(t, rc, seq,
		    req == TUI_REQ_GFN_NEXT ? "later event on this gfn"
					    : "earlier event on this gfn");
		break;
	case TUI_REQ_VCPU_NEXT:
	case TUI_REQ_VCPU_PREV:
		if (idx_event(t->ix, t->cur, &ev) != 0 || ev.vcpu < 0) {
			tui_msg(t, true, "no vCPU at seq %llu", (unsigned long long)t->cur);
			break;
		}
		rc = idx_next_vcpu(t->ix, t->cur, req == TUI_REQ_VCPU_NEXT ? 1 : -1, ev.vm, ev.vcpu,
				   &seq);
		nav(t, rc, seq,
		    req == TUI_REQ_VCPU_NEXT ? "later event of this vCPU"
					     : "earlier event of this vCPU");
		break;
	case TUI_REQ_FINDING_NEXT:
	case TUI_REQ_FINDING_PREV:
		/* fresh from opening, the cursor is "before" seq 0: ] may land on it */
		if (req == TUI_REQ_FINDING_NEXT && t->fresh && t->cur == 0 &&
		    (tui_finding_at(t, 0) || (!t->fm_sorted && first_finding_is_at_0(t)))) {
			jump(t, 0);
			break;
		}
		rc = idx_next_finding(t->ix, t->cur, req == TUI_REQ_FINDING_NEXT ? 1 : -1, &seq);
		nav(t, rc, seq, req == TUI_REQ_FINDING_NEXT ? "later finding" : "earlier finding");
		break;
	case TUI_REQ_MARK_SET:
	case TUI_REQ_MARK_GOTO: {
		int c = tui_getkey(t, -1);

		if (req == TUI_REQ_MARK_GOTO && c == '\'') {
			jump(t, t->prev_jump);
		} else if (c >= 'a' && c <= 'z') {
			if (req == TUI_REQ_MARK_SET) {
				t->marks[c - 'a'] = t->cur;
				t->marks_set |= 1u << (c - 'a');
				tui_msg(t, false, "mark %c at seq %llu", c,
					(unsigned long long)t->cur);
			} else if (t->marks_set & (1u << (c - 'a'))) {
				jump(t, t->marks[c - 'a']);
			} else {
				tui_msg(t, true, "mark %c is not set", c);
			}
		} else {
			tui_msg(t, true, "marks are a-z");
		}
		break;
	}
	case TUI_REQ_ENTER: {
		const struct tui_fmark *fm = tui_finding_at(t, t->cur);

		if (fm) {
			tui_explain_open(t, fm->idx);
		} else {
			tui_msg(t, true, "no finding at seq %llu (] finds one)",
				(unsigned long long)t->cur);
		}
		break;
	}
	case TUI_REQ_FOCUS: {
		int n = (int)(sizeof(focus_order) / sizeof(focus_order[0]));
		int i;

		if (t->overlay.ops) {
			t->focus = t->focus < 0 ? TUI_PANE_LIST : -1;
			break;
		}
		for (i = 0; i < n && focus_order[i] != t->focus; i++) {
		}
		t->focus = focus_order[(i + 1) % n];
		break;
	}
	case TUI_REQ_HELP:
		close_overlay(t);
		t->overlay.ops = &tui_help_ops;
		t->focus = -1;
		break;
	case TUI_REQ_CANCEL:
		if (!cancel_jobs(t)) {
			tui_msg(t, false, "nothing to cancel");
		}
		break;
	case TUI_REQ_REDRAW:
		clearok(curscr, TRUE);
		break;
	case TUI_REQ_CLOSE:
		if (t->overlay.ops) {
			close_overlay(t);
		} else {
			t->quit = true;
		}
		break;
	case TUI_REQ_QUIT:
		t->quit = true;
		break;
	default:
		break;
	}
}

/* ---- the loops ----------------------------------------------------------- */

/* "TOTAL_MS<TAB>KEY<TAB>SCREEN_MS": all done (state pane included), and
 * the first full screen (the state pane possibly still seeking). */
static void log_timing(struct tui *t, const char *what, uint64_t start, uint64_t screen_ns)
{
	if (t->timing) {
		double total = (double)(tui_now_ns() - start) / 1e6;

		fprintf(t->timing, "%.3f\t%s\t%.3f\n", total, what,
			screen_ns ? (double)screen_ns / 1e6 : total);
	}
}

static void run_interactive(struct tui *t)
{
	while (!t->quit && !tui_sigterm) {
		bool busy = tui_jobs_busy(t);
		bool seeking = tui_state_pending(t);
		int key = tui_getkey(t, busy ? 0 : seeking ? 15 : 250);
		bool got = key != ERR;

		if (got) {
			handle_key(t, key);
			/* drain what is already typed before the next draw */
			for (int i = 0; i < 256 && !t->quit; i++) {
				key = tui_getkey(t, 0);
				if (key == ERR) {
					break;
				}
				handle_key(t, key);
			}
		}
		if (t->quit) {
			break;
		}
		if (tui_jobs_busy(t)) {
			jobs_run(t, tui_now_ns() + TUI_SLICE_NS);
		}
		if (got || busy || (seeking && tui_state_poll(t))) {
			tui_draw(t);
		}
	}
}

static void run_script(struct tui *t)
{
	char line[1024];

	while (!t->quit && !tui_sigterm) {
		uint64_t start, screen_ns;

		if (script_peek_cancel(t)) {
			jobs_run(t, tui_now_ns() + TUI_SLICE_NS / 10);
		} else {
			while (tui_jobs_busy(t) && !tui_sigint) {
				jobs_run(t, tui_now_ns() + TUI_SLICE_NS);
			}
		}
		if (tui_sigint) {
			tui_sigint = 0;
			cancel_jobs(t);
		}
		if (!script_next_line(t, line, sizeof(line))) {
			break;
		}
		start = tui_now_ns();
		script_queue(t, line);
		while (t->pending_pos < t->nr_pending && !t->quit) {
			handle_key(t, t->pending[t->pending_pos++]);
		}
		if (!script_peek_cancel(t)) {
			while (tui_jobs_busy(t) && !tui_sigint) {
				jobs_run(t, tui_now_ns() + TUI_SLICE_NS);
			}
		}
		tui_draw(t);
		screen_ns = tui_now_ns() - start;
		if (tui_state_pending(t)) {
			tui_state_wait(t);
			tui_draw(t);
		}
		log_timing(t, line, start, screen_ns);
	}
}

static void init_colors(struct tui *t)
{
	if (!has_colors() || start_color() == ERR) {
		return;
	}
	use_default_colors();
	init_pair(TUI_C_ERROR, COLOR_RED, -1);
	init_pair(TUI_C_WARN, COLOR_YELLOW, -1);
	init_pair(TUI_C_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(TUI_C_MATCH, COLOR_BLACK, COLOR_CYAN);
	init_pair(TUI_C_DIM, COLOR_BLUE, -1);
	t->colors = true;
}

static void tui_free(struct tui *t)
{
	tui_job_cancel(t, TUI_JOB_EXPLAIN);
	if (t->overlay.ops && t->overlay.ops->close) {
		t->overlay.ops->close(t, &t->overlay);
	}
	for (int i = 0; i < TUI_PANE__COUNT; i++) {
		if (t->panes[i].ops && t->panes[i].ops->close) {
			t->panes[i].ops->close(t, &t->panes[i]);
		}
	}
	idx_scan_close(t->filter_scan);
	tdxr_filter_free(t->filter);
	tdxr_filter_free(t->vm_filter);
	free(t->vis);
	free(t->fm);
	if (t->has_search) {
		regfree(&t->search_re);
	}
	tui_seeker_stop(t);
	idx_close(t->ix);
	if (t->script) {
		fclose(t->script);
	}
	if (t->timing) {
		fclose(t->timing);
	}
}

int tui_main(const struct tui_opts *o, char *err, size_t errlen)
{
	uint64_t t0 = tui_now_ns();
	struct tui t;
	SCREEN *scr = NULL;
	FILE *out = NULL, *in = NULL;
	struct sigaction sa;
	const char *term = getenv("TERM");
	const char *base;
	char ixpath[4096];
	int ret = 2;

	memset(&t, 0, sizeof(t));
	t.focus = TUI_PANE_LIST;
	t.fresh = true;
	if (access(o->input, R_OK) != 0) {
		snprintf(err, errlen, "%s: %s", o->input, strerror(errno));
		return 2;
	}
	if (o->script) {
		t.script = fopen(o->script, "r");
		if (!t.script) {
			snprintf(err, errlen, "%s: %s", o->script, strerror(errno));
			return 2;
		}
	} else if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen,
			 "needs a terminal (or TDXR_TUI_SCRIPT=FILE for scripted keys)");
		return 2;
	}
	if (o->timing) {
		t.timing = fopen(o->timing, "w");
		if (!t.timing) {
			snprintf(err, errlen, "%s: %s", o->timing, strerror(errno));
			goto end;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (t.script) {
		out = fopen("/dev/null", "w");
		in = fopen("/dev/null", "r");
		if (!out || !in) {
			snprintf(err, errlen, "/dev/null: %s", strerror(errno));
			goto end;
		}
		scr = newterm(term && *term ? term : "xterm", out, in);
		if (!scr) {
			scr = newterm("vt100", out, in);
		}
	} else {
		scr = newterm(NULL, stdout, stdin);
	}
	if (!scr) {
		snprintf(err, errlen, "cannot initialise the terminal (TERM=%s)", term ? term : "");
		goto end;
	}
	if (t.script) {
		resizeterm(24, 80);
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	init_colors(&t);

	t.ix = tui_open_index(o, !t.script, ixpath, sizeof(ixpath), err, errlen);
	if (!t.ix || tui_seeker_start(&t, ixpath, err, errlen) != 0) {
		goto end;
	}
	base = strrchr(o->input, '/');
	t.title = base ? base + 1 : o->input;
	t.index_path = ixpath;
	/*
	 * One read transaction for the whole session: without it SQLite takes
	 * and drops its file lock (and stats the journal) at every statement,
	 * which is most of the cost of reading one event.
	 */
	if (idx_begin_read(t.ix) != IDX_FOUND) {
		snprintf(err, errlen, "%s", idx_error(t.ix));
		goto end;
	}
	t.st = idx_strtab(t.ix);
	t.nr_events = idx_nr_events(t.ix);
	t.nr_findings = idx_nr_findings(t.ix);
	t.panes[TUI_PANE_LIST].ops = &tui_list_ops;
	t.panes[TUI_PANE_FINDINGS].ops = &tui_findings_ops;
	t.panes[TUI_PANE_DETAIL].ops = &tui_detail_ops;
	t.panes[TUI_PANE_STATE].ops = &tui_state_ops;
	if (t.nr_findings) {
		tui_job_start(&t, TUI_JOB_FINDINGS);
		jobs_run(&t, tui_now_ns() + TUI_SLICE_NS);
	}
	tui_draw(&t);
	{
		uint64_t screen_ns = tui_now_ns() - t0;

		if (t.script) {
			tui_state_wait(&t);
			tui_draw(&t);
		}
		log_timing(&t, "first-screen", t0, screen_ns);
	}
	if (t.script) {
		run_script(&t);
	} else {
		run_interactive(&t);
	}
	ret = 0;
end:
	if (scr) {
		endwin();
		delscreen(scr);
	}
	if (out) {
		fclose(out);
	}
	if (in) {
		fclose(in);
	}
	tui_free(&t);
	return ret;
}
