/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay/src/klog_int.h - the kernel-log part of the text reader; not a
 * public header. klog_prefix.c strips a line's prefix, klog_tdx.c reads
 * KVM's and the TDX host's messages, klog_splat.c assembles splats,
 * klog.c ties them into the reader (docs/design.md §5.1).
 */
#ifndef TDXR_KLOG_INT_H
#define TDXR_KLOG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "reader.h"
#include "tdxr/klog.h"

/* ---- prefixes (klog_prefix.c) ------------------------------------------ */

struct klog_pfx {
	bool log;    /* a kernel-log prefix was found (time, journal, level...) */
	bool has_ts; /* a printk time: ts holds it in ns */
	uint64_t ts;
	int caller; /* printk caller id: T<n> >= 0, C<n> as -2 - n; -1 none */
	bool cut;   /* a pager cut the line ('>' at its end) */
};

/*
 * Strips whatever prefixes [b, e) has: mail quoting and indentation,
 * syslog "<N>", printk time, dmesg -T time, caller id, journal and
 * rsyslog headers; trailing blanks and CR at the end. Returns the start of
 * the message, *e_out its end.
 */
const char *tdxr_klog_strip(const char *b, const char *e, const char **e_out, struct klog_pfx *pf);

/* ---- a splat being assembled (klog_splat.c) ------------------------------ */

#define KLOG_MAX_REGS 24
#define KLOG_MAX_FRAMES 64

struct klog_splat {
	bool open;
	uint32_t line, end_line;
	uint64_t ts;
	int type;	     /* enum tdxr_klog_splat_type */
	int caller;	     /* printk caller id of its lines, -1 unknown */
	bool header_cut;     /* built from a call trace alone */
	bool in_trace;	     /* inside "Call Trace:" */
	bool trace_done;     /* a frame list ended (end marker / </TASK>) */
	bool regs_done;	     /* a second register set is not ours */
	unsigned int quiet;  /* lines since the last one of ours */
	unsigned int nlines; /* lines of ours */
	char file[160];
	int srcline;
	char func[128], offset[40], module[64];
	int cpu, pid;
	char comm[40], tainted[40], release[80], hardware[200], cond[200];
	char rip_func[128], rip_offset[40], rip_module[64];
	struct {
		char name[8];
		uint64_t v;
	} regs[KLOG_MAX_REGS];
	unsigned int nregs;
	struct tdxr_klog_frame frames[KLOG_MAX_FRAMES];
	unsigned int nframes;
	bool frames_cut; /* more frames than kept */
	/* a TDX status told by the message before the splat */
	bool has_msg_status;
	uint64_t msg_status;
};

/* ---- the kernel-log state of one text source (klog.c) -------------------- */

#define KLOG_QUEUE 64

/* What one line can change: snapshotted before each log line so that a
 * hard-wrapped continuation can undo it and read the joined line. */
struct klog_state {
	struct klog_splat sp;
	unsigned int closing; /* lines left to wait for the splat's message */
	/* Events made but not handed out yet, in file order; an event is
	 * sealed once nothing can change it (a message waits one line for a
	 * continuation or its "additional output:", a splat for its end). */
	struct tdxr_event q[KLOG_QUEUE];
	bool sealed[KLOG_QUEUE];
	unsigned int qhead, qn;
	int open_msg;		 /* queue slot of the last message, unsealed, -1 */
	int open_splat;		 /* queue slot reserved for the open splat, -1 */
	uint64_t last_status;	 /* status of the last SEAMCALL failure */
	uint64_t last_status_at; /* nlogical of it */
	bool has_last_status;
	uint64_t nlogical; /* logical lines: a rejoined line counts once */
	uint32_t cut_line; /* "------------[ cut here ]------------" */
	uint32_t cond_line;
	char cond[200];	      /* the line after it: 7.0's WARN condition */
	uint64_t lines_other; /* kernel messages not about KVM/TDX */
	uint64_t records;     /* log:* events made */
};

struct klog_rd {
	struct tdxr_src *s; /* borrowed: the source (strtab, path, input) */
	struct klog_state st;
	struct klog_state before;  /* st before the previous log line */
	struct klog_state scratch; /* st while a join is tried */
	bool have_before;
	uint64_t last_ts;      /* printk time of the last line that had one */
	uint64_t lines_log;    /* lines with a kernel-log prefix */
	uint64_t lines_joined; /* continuation lines rejoined */
	/* the previous log line, for rejoining hard-wrapped ones */
	char prev[2048];
	size_t prev_len;
	size_t prev_raw_len; /* with its prefix: a terminal wraps at a column */
	uint32_t prev_line;
	struct klog_pfx prev_pf;
};

struct klog_rd *tdxr_klog_new(struct tdxr_src *s);
void tdxr_klog_free(struct klog_rd *k);

/*
 * Offers one line (already stripped by tdxr_klog_strip) to the log reader.
 * Returns true when it is kernel-log text that it took (an event may be
 * queued), false when the caller should read it as trace text.
 */
bool tdxr_klog_line(struct klog_rd *k, const char *p, const char *e, const struct klog_pfx *pf,
		    uint32_t lineno, size_t raw_len);
/* The log_* counters of tdxr_src_stats. */
void tdxr_klog_stats(const struct klog_rd *k, struct tdxr_src_stats *out);
/* End of input: everything open is sealed. */
void tdxr_klog_eof(struct klog_rd *k);
/* The next sealed event, in file order; false if none. */
bool tdxr_klog_pop(struct klog_rd *k, struct tdxr_event *ev);

/* klog_tdx.c: a KVM/TDX message into @ev; false if not one. */
bool tdxr_klog_tdx_message(struct tdxr_src *s, const char *p, const char *e, uint64_t ts,
			   struct tdxr_event *ev);
/* "tdx: additional output: rcx 0x..., rdx 0x..." of the 6.2-6.5 message:
 * fills a1/a2 of the failure @ev; false if not that line. */
bool tdxr_klog_tdx_more_output(const char *p, const char *e, struct tdxr_event *ev);
void tdxr_klog_event_init(struct tdxr_event *ev, unsigned int type, uint64_t ts);

/* klog_splat.c */
enum klog_take { KLOG_NOT_MINE, KLOG_TAKEN, KLOG_ENDS };
/* A splat header at [p, e)? Starts @sp (cleared) if so. */
bool tdxr_klog_splat_start(struct klog_splat *sp, const char *p, const char *e, uint32_t line,
			   uint64_t ts, int caller);
/* A line while @sp is open: part of it, not (interleaved), or its end. */
enum klog_take tdxr_klog_splat_feed(struct klog_splat *sp, const char *p, const char *e,
				    uint32_t line, int caller);
/* A call-trace line with no splat open ("Call Trace:" or a frame)? */
bool tdxr_klog_splat_headless(struct klog_splat *sp, const char *p, const char *e, uint32_t line,
			      uint64_t ts, int caller);
/* The finished splat as a log:splat event. */
void tdxr_klog_splat_event(struct klog_splat *sp, struct tdxr_strtab *st, struct tdxr_event *ev);
/* Whether [p, e) looks like a line of a splat (frame, registers...). */
bool tdxr_klog_splat_line_shape(const char *p, const char *e);

#endif /* TDXR_KLOG_INT_H */
