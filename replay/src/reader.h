/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay/src/reader.h - the interface every reader implements: what a
 * reader gets of an input (struct tdxr_src, common to all), and what it
 * gives (struct tdxr_reader). Not a public header. src.c picks a reader
 * from the table (readers.h) and calls it only through this interface.
 */
#ifndef TDXR_READER_H
#define TDXR_READER_H

#include "tdxr/src.h"

/* An opened input: what every reader shares. A reader's own state is priv. */
struct tdxr_src {
	char *path;	      /* owned */
	int fd;		      /* owned, -1 when closed or a directory */
	enum tdxr_format fmt; /* detected or forced */
	struct tdxr_src_opts opts;
	struct tdxr_strtab *st; /* borrowed from opts */
	uint64_t total;		/* input size, 0 unknown (pipe) */
	uint64_t consumed;	/* bytes read so far (progress) */

	/* a lost-events record waiting for the next event */
	uint16_t pend_lost_flags;
	uint32_t pend_lost;

	struct tdxr_src_stats stats;
	char err[512];

	const struct tdxr_reader *rd;
	void *priv; /* the reader's own state, owned by it */
};

/*
 * What a reader is shown of an input before it is opened: a directory
 * (head NULL) or the first @n bytes of a file, already read from fd (a
 * pipe cannot be read twice: open() takes them as its first bytes).
 */
struct tdxr_sniff {
	const char *path;
	bool is_dir;
	const unsigned char *head;
	size_t n;
};

struct tdxr_reader {
	const char *name;
	unsigned int formats; /* bit (1u << TDXR_FMT_*) for each format it reads */
	/*
	 * The format of @in if this reader reads it, else TDXR_FMT_AUTO
	 * (then it may say why in @why, e.g. "binary data at byte offset N").
	 */
	enum tdxr_format (*sniff)(const struct tdxr_sniff *in, char *why, size_t whylen);
	/*
	 * Sets up s->priv for s->fmt. 0, or -1 with a message naming the file
	 * in @err; close() is called after a failed open too.
	 */
	int (*open)(struct tdxr_src *s, const struct tdxr_sniff *in, char *err, size_t errlen);
	/* As tdxr_src_next(): 1 event, 0 end, -1 error (message in s->err). */
	int (*next)(struct tdxr_src *s, struct tdxr_event *ev);
	/* Frees s->priv (NULL or half-built after a failed open). */
	void (*close)(struct tdxr_src *s);
};

#define TDXR_FMT_BIT(f) (1u << (f))

/*
 * Lost-events records (docs/design.md §2.2) take no seq: a reader notes one with
 * tdxr_src_add_lost() (@counted: n events lost; else an unknown number),
 * and tdxr_src_produce() attaches what is pending to the next event it
 * hands out and counts that event. Every reader goes through both.
 */
void tdxr_src_add_lost(struct tdxr_src *s, bool counted, uint64_t n);
void tdxr_src_produce(struct tdxr_src *s, struct tdxr_event *ev);

/* Is @dir/@name a regular file? */
bool tdxr_src_has_file(const char *dir, const char *name);

#endif /* TDXR_READER_H */
