/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracer/ust/datw.h - writing a trace.dat (trace-cmd file format v6) from
 * tracefs metadata and raw per-CPU ring-buffer pages (trace_pipe_raw).
 *
 * libtracecmd reads trace.dat but does not write it; `tdxr record --kernel`
 * and the capture tests write it with this, so no trace-cmd binary and no
 * function-tracer control is needed. The result reads with `trace-cmd
 * report` and with tdxr's reader alike.
 */
#ifndef TRC_DATW_H
#define TRC_DATW_H

#include <stddef.h>
#include <stdint.h>

struct trc_datw_fmt {
	const char *system; /* event system ("kvm"); the ftrace system is not written */
	const char *text;   /* the event's format file */
	size_t len;
};

struct trc_datw {
	uint32_t page_size;	 /* ring-buffer page size */
	const char *header_page; /* events/header_page */
	size_t header_page_len;
	const char *header_event; /* events/header_event */
	size_t header_event_len;
	const struct trc_datw_fmt *fmts; /* grouped by system */
	unsigned int nr_fmts;
	const char *kallsyms; /* may be NULL */
	size_t kallsyms_len;
	const char *printk; /* printk_formats, may be NULL */
	size_t printk_len;
	const char *cmdlines; /* saved_cmdlines ("pid comm\n"...), may be NULL */
	size_t cmdlines_len;
	unsigned int nr_cpus;
	const int *cpu_fds; /* raw pages of each CPU, read from offset 0 to EOF */
};

/* Writes the whole file to @out_fd (positioned at 0). 0, or -1 with a message. */
int trc_datw_write(int out_fd, const struct trc_datw *w, char *err, size_t errlen);

#endif /* TRC_DATW_H */
