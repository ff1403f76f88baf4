/* SPDX-License-Identifier: GPL-2.0 */
/* replay/src/src_internal.h - what the readers share; not a public header. */
#ifndef TDXR_SRC_INTERNAL_H
#define TDXR_SRC_INTERNAL_H

#include "tdxr/src.h"

struct tdxr_src {
	char *path;                   /* owned */
	int fd;                       /* owned, -1 when closed */
	enum tdxr_format fmt;         /* detected or forced */
	struct tdxr_src_opts opts;
	struct tdxr_strtab *st;       /* borrowed from opts */
	uint64_t total;               /* input size, 0 unknown (pipe) */
	uint64_t consumed;            /* bytes handed out as lines */

	/* text readers: one line buffer */
	char *buf;                    /* owned, cap + 1 bytes */
	size_t cap, start, end;
	bool eof;
	bool skipping;                /* inside an over-long line */
	uint32_t lineno;
	uint16_t names[128];          /* known event names, hashed */

	/* a lost-events record waiting for the next event */
	uint16_t pend_lost_flags;
	uint32_t pend_lost;

	struct tdxr_src_stats stats;
	char err[512];

	/* other formats plug in here */
	int (*next)(struct tdxr_src *s, struct tdxr_event *ev);
	void (*close)(struct tdxr_src *s);
	void *priv;
};

void tdxr_text_init(struct tdxr_src *s);
int tdxr_text_alloc(struct tdxr_src *s);
int tdxr_text_next(struct tdxr_src *s, struct tdxr_event *ev);


#endif /* TDXR_SRC_INTERNAL_H */
