/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/src.h - trace sources: one reader per input format, each turning
 * its input into struct tdxr_event, one at a time, in constant memory.
 */
#ifndef TDXR_SRC_H
#define TDXR_SRC_H

#include <stdbool.h>
#include <stdio.h>

#include "tdxr/event.h"
#include "tdxr/strtab.h"

enum tdxr_format {
	TDXR_FMT_AUTO,
	TDXR_FMT_FTRACE,    /* tracefs trace/trace_pipe, trace-cmd report */
	TDXR_FMT_CONSOLE,   /* console/dmesg log with an ftrace_dump_on_oops dump */
	TDXR_FMT_TRACE_DAT, /* trace-cmd's binary trace.dat */
	TDXR_FMT_CTF,	    /* an LTTng CTF directory */
	TDXR_FMT_INDEX,	    /* a tdxr SQLite index */
};

const char *tdxr_format_name(enum tdxr_format f);
/* Parses "auto", "ftrace", "console", "trace.dat"/"dat", "ctf", "index". */
int tdxr_format_parse(const char *s, enum tdxr_format *out);

struct tdxr_src_opts {
	enum tdxr_format format; /* AUTO: detect by content */
	bool strict;		 /* a payload that does not parse is fatal */
	struct tdxr_strtab *st;	 /* borrowed: interned strings go here */
	FILE *err;		 /* borrowed: where warnings go (NULL: stderr) */
	unsigned int input;	 /* index stamped into each event */
	/* Events as they arrive (a growing file, a pipe): the merge holds no
	 * delay line, so a loss is flagged at its record only. */
	bool live;
};

struct tdxr_src;

/*
 * Opens @path. On failure returns NULL and writes a one-line message that
 * names the file (and offset) into @err.
 */
struct tdxr_src *tdxr_src_open(const char *path, const struct tdxr_src_opts *o, char *err,
			       size_t errlen);

/*
 * Reads the next event into @ev (seq is left 0: the merger numbers).
 * Returns 1 for an event, 0 at the end, -1 on an error that stops this input
 * (message in tdxr_src_error()).
 */
int tdxr_src_next(struct tdxr_src *s, struct tdxr_event *ev);

const char *tdxr_src_error(const struct tdxr_src *s);
const char *tdxr_src_path(const struct tdxr_src *s);
enum tdxr_format tdxr_src_format(const struct tdxr_src *s);

/* Progress: bytes consumed so far and the input's size (0 if unknown). */
void tdxr_src_progress(const struct tdxr_src *s, uint64_t *done, uint64_t *total);

/* Counters, valid at any time. */
struct tdxr_src_stats {
	uint64_t lines;	       /* text lines read */
	uint64_t events;       /* events produced */
	uint64_t bad_payloads; /* known events kept as unmodelled */
	uint64_t lost_records; /* lost-events markers seen */
	uint64_t lost_events;  /* events they counted */
	bool trailing_lost;    /* a marker after the last event */
	bool has_tgid;	       /* the text had the (tgid) column */
	/* kernel log lines (docs/design.md §5.1): none dropped without a count */
	uint64_t log_lines;   /* lines with a kernel-log prefix */
	uint64_t log_records; /* log:* events made */
	uint64_t log_other;   /* kernel messages not about KVM/TDX */
	uint64_t log_joined;  /* hard-wrapped lines rejoined */
};
void tdxr_src_stats(const struct tdxr_src *s, struct tdxr_src_stats *out);

void tdxr_src_close(struct tdxr_src *s);

/*
 * A `tdxr record -o DIR` directory (it holds meta.json) is its parts:
 * DIR/kernel.dat, DIR/vmm/ (a CTF trace) and DIR/kernel.log (the kernel
 * log of a flight recording, text), each an input of its own that
 * tdxr_merge_open() merges like inputs given separately, in this order. A
 * vmm/ that holds no trace is left out with a warning on @warn (NULL:
 * stderr); an empty kernel.log (nothing logged) is left out. Returns the number of parts, each a strdup()ed path in @parts
 * (at most TDXR_RECORD_MAX_PARTS; @parts NULL: only counted, no warning);
 * 0 when @path is not a record directory; -1 with a message in @err (also
 * for a directory that looks like an unfinished recording).
 */
#define TDXR_RECORD_MAX_PARTS 4
int tdxr_src_record_parts(const char *path, char **parts, FILE *warn, char *err, size_t errlen);

/*
 * Decodes the payload text of a known event (@type != UNMODELLED) into
 * ev->f[] / ev->fmask, computing derived fields. Returns 0, or -1 with a
 * static reason in *why. Used by the text readers and the schema tests.
 */
int tdxr_decode_payload(unsigned int type, const char *payload, size_t len, struct tdxr_event *ev,
			struct tdxr_strtab *st, const char **why);

/* Computes the derived fields (TDXR_FF_DERIVED) of @ev from its other
 * fields; every reader calls it after filling them. */
void tdxr_derive_fields(unsigned int type, struct tdxr_event *ev, struct tdxr_strtab *st);

#endif /* TDXR_SRC_H */
