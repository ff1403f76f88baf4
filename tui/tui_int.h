/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tui/tui_int.h - the TUI's internals.
 *
 * One struct tui holds the whole session: the index (the only data
 * source), the cursor, the filter, the search, the marks, the views and the
 * long-running jobs.
 *
 * Threads. struct tui belongs to the ncurses thread: only it reads or
 * writes the struct, and only it calls ncurses. Three workers exist,
 * and none touches struct tui:
 *   - the seeker (state.c) answers "model state after seq N" on its own
 *     struct idx (a handle is one thread's); requests and answers pass
 *     through struct tui_seeker under its mutex;
 *   - the explainer (findings.c) replays the index up to a finding
 *     (rpl_explain_finding, its own SQLite handle); its result passes
 *     through struct tui_explainer under its mutex, its progress and
 *     cancel flag are atomics;
 *   - the first indexing of a trace (open.c) runs idx_build() before
 *     struct tui exists; the UI thread shares only two atomics with it
 *     (cancel, done).
 *
 * Views follow tig: a view is a vtable (draw / request / close) over a
 * rectangle of stdscr. The four panes are always there; help and explain
 * are overlays drawn over the lower panes, one at a time.
 *
 * Long work (filtering, searching, loading findings) is a job: a step
 * function that runs for a few milliseconds between two key reads, so the
 * UI never blocks and Esc / C-c cancels it.
 */
#ifndef TDXR_TUI_INT_H
#define TDXR_TUI_INT_H

#include <curses.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tdxr/event.h"
#include "tdxr/filter.h"
#include "tdxr/index.h"
#include "tdxr/model.h"
#include "tui.h"

enum tui_req {
	TUI_REQ_NONE,
#define TUI_KEY(req, k1, k2, keys, help) TUI_REQ_##req,
#include "keys.def"
#undef TUI_KEY
	TUI_REQ__COUNT,
};

struct tui_key_desc {
	enum tui_req req;
	int key1, key2;
	const char *keys;
	const char *help;
};
extern const struct tui_key_desc tui_keys[];
extern const unsigned int tui_nr_keys;

/* The request bound to @key, TUI_REQ_NONE if none. */
enum tui_req tui_key_req(int key);

struct tui_rect {
	int y, x, h, w;
};

struct tui;
struct tui_view;

struct tui_view_ops {
	const char *name;
	/* Draws into @r of stdscr (title line included). */
	void (*draw)(struct tui *t, struct tui_view *v, const struct tui_rect *r);
	/* Handles @req when the view has focus; false: not handled here. */
	bool (*request)(struct tui *t, struct tui_view *v, enum tui_req req);
	/* Frees priv (may be NULL). */
	void (*close)(struct tui *t, struct tui_view *v);
};

struct tui_view {
	const struct tui_view_ops *ops; /* NULL: slot unused */
	int line;			/* selected line (or first line shown, for text panes) */
	int top;			/* first line shown */
	int height;			/* body lines at the last draw (paging) */
	int nr_lines;			/* body lines the last draw had to show */
	void *priv;			/* owned by the view */
};

enum tui_pane_id {
	TUI_PANE_LIST,
	TUI_PANE_FINDINGS,
	TUI_PANE_DETAIL,
	TUI_PANE_STATE,
	TUI_PANE__COUNT,
};

extern const struct tui_view_ops tui_list_ops, tui_findings_ops, tui_detail_ops, tui_state_ops,
	tui_help_ops, tui_explain_ops;

enum tui_job_id {
	TUI_JOB_FINDINGS, /* load the findings' seq/severity (list markers) */
	TUI_JOB_FILTER,	  /* compute the visibility bitmap */
	TUI_JOB_SEARCH,	  /* scan for the next search match */
	TUI_JOB_EXPLAIN,  /* wait for the explain thread (findings.c) */
	TUI_JOB__COUNT,
};

struct tui_job {
	bool active;
	const char *what; /* "filter", shown with its progress */
	/* Works until @deadline (ns, CLOCK_MONOTONIC); 1 done, 0 more to do. */
	int (*step)(struct tui *t, struct tui_job *j, uint64_t deadline);
	/* Esc / C-c: undo what a partial run left (may be NULL). */
	void (*cancel)(struct tui *t, struct tui_job *j);
	uint64_t done, total; /* progress */
	uint64_t pos;	      /* next seq / index to look at */
	int dir;	      /* search direction */
};

/* One finding, compact: what the event list needs to mark a row. */
struct tui_fmark {
	uint64_t seq;
	uint32_t idx; /* index for idx_finding() */
	uint8_t severity;
	uint8_t kind;
};

struct tui {
	struct idx *ix;		      /* owned */
	const struct tdxr_strtab *st; /* borrowed from ix */
	uint64_t nr_events;
	size_t nr_findings;
	const char *title;	/* borrowed: the input's name */
	const char *index_path; /* borrowed: the index's path (explain replays it) */

	/* cursor */
	uint64_t cur;	    /* the selected seq (may be filtered out) */
	int cur_row;	    /* its row in the list pane */
	bool fresh;	    /* no move yet: ] may land on seq 0 */
	uint64_t prev_jump; /* where the last jump started ('') */

	/* visibility: filter and VM choice (f, v) */
	struct tdxr_filter *filter; /* owned, NULL = none */
	char filter_text[512];
	struct tdxr_filter *vm_filter; /* owned, NULL = every VM */
	int vm;			       /* VM shown, meaningful with vm_filter */
	uint64_t *vis;		       /* owned bitmap, NULL = all visible */
	uint64_t vis_scanned;	       /* bits below this seq are valid */
	struct idx_scan *filter_scan;  /* owned: the filter job's scan */

	/* search (/ ? n N): highlights, never hides */
	bool has_search;
	regex_t search_re; /* owned when has_search */
	char search_text[256];
	int search_dir; /* +1 for /, -1 for ? */

	/* findings, sorted by seq (list markers) */
	struct tui_fmark *fm; /* owned */
	size_t nr_fm;	      /* loaded so far */
	bool fm_sorted;	      /* all loaded and sorted by seq */

	/* state pane: the gfn at the cursor and the model after cur */
	bool has_gfn;
	uint64_t gfn;
	int gfn_vm;
	uint64_t gfn_from;	   /* seq the gfn was taken from */
	struct tui_seeker *seeker; /* owned: the seek thread (state.c) */
	uint64_t state_seq;	   /* seq of the last request */
	bool state_posted;	   /* a request for state_seq was sent */
	bool state_ready;	   /* gview (or state_rc) is for state_seq */
	int state_rc;		   /* 0, or -1: the seek failed */
	char state_err[512];	   /* then why (idx_error) */
	unsigned int state_nr_vms;
	struct mdl_gfn_view gview;

	/* marks m/' */
	uint64_t marks[26];
	uint32_t marks_set;

	/* views */
	struct tui_view panes[TUI_PANE__COUNT];
	struct tui_view overlay; /* help or explain; ops NULL = none */
	int focus;		 /* enum tui_pane_id, or -1: the overlay */
	struct tui_rect list_rect;

	struct tui_job jobs[TUI_JOB__COUNT];
	struct tui_explainer *explainer; /* owned: the explain job's thread */

	/* input */
	FILE *script; /* owned, NULL = interactive */
	unsigned int script_line;
	char script_la[1024]; /* the next script line, read ahead */
	bool script_has_la;
	int pending[512]; /* keys queued from a script line */
	unsigned int nr_pending, pending_pos;
	FILE *timing; /* owned, per-key latency log */
	bool colors;
	bool quit;
	char msg[256]; /* status message, one shot */
	bool msg_error;
};

/* ---- tui.c -------------------------------------------------------------- */
uint64_t tui_now_ns(void);
void tui_msg(struct tui *t, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Next key, from the script or the terminal (ERR on timeout). */
int tui_getkey(struct tui *t, int timeout_ms);
/* Reads a line at the bottom row after @prompt. false: cancelled. */
bool tui_prompt(struct tui *t, const char *prompt, char *buf, size_t len);
/* Moves the cursor to @seq (clamped), centering it if @center. */
void tui_goto(struct tui *t, uint64_t seq, bool center);
void tui_job_start(struct tui *t, enum tui_job_id id);
void tui_job_cancel(struct tui *t, enum tui_job_id id);
bool tui_jobs_busy(const struct tui *t);
void tui_draw(struct tui *t);
/* Text-safe draw: clipped to @w columns, control chars replaced. */
void tui_put(int y, int x, int w, const char *s, attr_t attr);
void tui_title(const struct tui_rect *r, const char *text, bool focused);

enum tui_color {
	TUI_C_NONE,
	TUI_C_ERROR = 1,
	TUI_C_WARN,
	TUI_C_TITLE,
	TUI_C_MATCH,
	TUI_C_DIM,
};
attr_t tui_attr(const struct tui *t, enum tui_color c);

/* ---- detail.c ---------------------------------------------------------- */
/* The lines of a text pane (detail, state), rebuilt at every draw. */
#define TUI_TEXT_LINES 64
#define TUI_TEXT_W 256
struct tui_text {
	char line[TUI_TEXT_LINES][TUI_TEXT_W];
	int n;
};
void tui_text_add(struct tui_text *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Draws @x into @r below its title, long lines wrapped with an indent;
 * scrolled by v->top. */
void tui_text_draw(struct tui_view *v, const struct tui_rect *r, const struct tui_text *x);
/* j/k, PgUp/PgDn, g/G scroll a text pane (detail, state, help). */
bool tui_scroll_request(struct tui_view *v, enum tui_req req);

/* ---- list.c ------------------------------------------------------------- */
bool tui_visible(const struct tui *t, uint64_t seq);
/* Next visible seq after (dir > 0) / before (dir < 0) @from. */
bool tui_vis_next(const struct tui *t, uint64_t from, int dir, uint64_t *out);
/* Recomputes visibility after the filter or the VM changed. */
void tui_vis_reset(struct tui *t);
/* "system:event field=value ..." (what search matches). */
void tui_event_text(const struct tui *t, const struct tdxr_event *ev, char *buf, size_t len);
bool tui_search_match(const struct tui *t, const struct tdxr_event *ev);
/* The gfn an event touches (GFN/GPA roles, SEAMCALL GPA operands). */
bool tui_event_gfn(const struct tdxr_event *ev, uint64_t *gfn);
int tui_filter_step(struct tui *t, struct tui_job *j, uint64_t deadline);
void tui_filter_cancel(struct tui *t, struct tui_job *j);
int tui_search_step(struct tui *t, struct tui_job *j, uint64_t deadline);
/* Moves the cursor by @n visible rows (negative: up). */
void tui_move(struct tui *t, long n);

/* ---- findings.c --------------------------------------------------------- */
int tui_findings_step(struct tui *t, struct tui_job *j, uint64_t deadline);
/* Index in t->fm of the first finding at or after @seq (t->nr_fm: none;
 * always t->nr_fm until the findings are loaded and sorted). */
size_t tui_fm_first(const struct tui *t, uint64_t seq);
/* The finding marker of @seq: the most severe one, NULL when none. */
const struct tui_fmark *tui_finding_at(const struct tui *t, uint64_t seq);
/* Starts the explain job of finding @idx (report order); the view opens
 * when it is done. */
void tui_explain_open(struct tui *t, size_t idx);
int tui_explain_step(struct tui *t, struct tui_job *j, uint64_t deadline);
void tui_explain_cancel(struct tui *t, struct tui_job *j);

/* ---- state.c ------------------------------------------------------------ */
/* Starts / stops the seek thread on its own handle of @index_path. */
int tui_seeker_start(struct tui *t, const char *index_path, char *err, size_t errlen);
void tui_seeker_stop(struct tui *t);
/* Asks for the state at the cursor (once per seq); takes a ready answer. */
void tui_state_update(struct tui *t);
/* True while the state pane waits for the seek thread. */
bool tui_state_pending(const struct tui *t);
/* Takes the seek thread's answer if it came; true: redraw. */
bool tui_state_poll(struct tui *t);
/* Blocks until the state at the cursor is there (scripted mode). */
void tui_state_wait(struct tui *t);

/* ---- open.c ------------------------------------------------------------- */
/*
 * Opens @o->input as an index, or builds/reuses the index of a trace (with
 * a progress screen when ncurses is up); @path receives the index's path.
 * NULL + @err on failure.
 */
struct idx *tui_open_index(const struct tui_opts *o, bool screen, char *path, size_t pathlen,
			   char *err, size_t errlen);

#endif /* TDXR_TUI_INT_H */
