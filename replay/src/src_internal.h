/* SPDX-License-Identifier: GPL-2.0 */
/* replay/src/src_internal.h - what the readers share; not a public header. */
#ifndef TDXR_SRC_INTERNAL_H
#define TDXR_SRC_INTERNAL_H

#include "tdxr/src.h"

struct tdxr_src {
	char *path;	      /* owned */
	int fd;		      /* owned, -1 when closed */
	enum tdxr_format fmt; /* detected or forced */
	struct tdxr_src_opts opts;
	struct tdxr_strtab *st; /* borrowed from opts */
	uint64_t total;		/* input size, 0 unknown (pipe) */
	uint64_t consumed;	/* bytes handed out as lines */

	/* text readers: one line buffer */
	char *buf; /* owned, cap + 1 bytes */
	size_t cap, start, end;
	bool eof;
	bool skipping; /* inside an over-long line */
	uint32_t lineno;
	uint16_t names[128]; /* known event names, hashed */

	/* a lost-events record waiting for the next event */
	uint16_t pend_lost_flags;
	uint32_t pend_lost;

	/* console: KVM messages held back around an ftrace dump (text.c) */
#define TDXR_HOLD_MAX 256
	struct tdxr_event held[TDXR_HOLD_MAX];
	unsigned int held_head, nheld, nready;
	struct tdxr_event stash; /* a trace event waiting behind held ones */
	bool has_stash;
	bool at_eof;
	int dump_state; /* 0 none, 1 header seen, 2 inside */
	bool dump_ended;

	/* text: what was warned about once (text.c) */
	uint32_t nunknown;  /* lines not understood and skipped */
	bool concat_warned; /* a second "# tracer:" header seen */
	bool ticks_warned;  /* timestamps without a dot seen */

	struct tdxr_src_stats stats;
	char err[512];

	/* other formats plug in here */
	int (*next)(struct tdxr_src *s, struct tdxr_event *ev);
	void (*close)(struct tdxr_src *s);
	void *priv;
};

/*
 * Lost-events records (DESIGN.md §2.2) take no seq: a reader notes one with
 * tdxr_src_add_lost() (@counted: n events lost; else an unknown number),
 * and tdxr_src_produce() attaches what is pending to the next event it
 * hands out and counts that event. Every reader goes through both.
 */
void tdxr_src_add_lost(struct tdxr_src *s, bool counted, uint64_t n);
void tdxr_src_produce(struct tdxr_src *s, struct tdxr_event *ev);

void tdxr_text_init(struct tdxr_src *s);
int tdxr_text_alloc(struct tdxr_src *s);
int tdxr_text_next(struct tdxr_src *s, struct tdxr_event *ev);

/* Binary readers (dat.c, ctf.c): set s->next/close/priv; -1 with a message. */
int tdxr_dat_open(struct tdxr_src *s, char *err, size_t errlen);
int tdxr_ctf_open(struct tdxr_src *s, char *err, size_t errlen);
/* A directory: CTF trace(s) below it, or a `tdxr record` directory (ctf.c). */
int tdxr_dir_open(struct tdxr_src *s, char *err, size_t errlen);
/* replay/index/src_index.c: a tdxr index as a source (TDXR_FMT_INDEX). */
int tdxr_index_src_init(struct tdxr_src *s, char *err, size_t errlen);

#endif /* TDXR_SRC_INTERNAL_H */
