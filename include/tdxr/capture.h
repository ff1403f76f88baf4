/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/capture.h - capturing a recording directory (tracer/capture/,
 * library tdxr_capture): what `tdxr record` runs; the CLI only parses
 * options and prints.
 *
 * A recording directory DIR holds (docs/design.md, "Capture"):
 *   kernel.dat  the kernel's events, trace.dat v6 (trc_kernel_*)
 *   vmm/        the VMM shim's events, CTF through LTTng-UST (trc_vmm_*)
 *   kernel.log  the kernel log from arming to stop (flight recorder)
 *   meta.json   what was captured and lost; written last (trc_meta_write)
 *
 * Errors are values: every function that can fail returns -1 and puts
 * the reason in @err; nothing here prints or exits.
 *
 * Concurrency: a trc_kernel owns one reader thread (streaming mode only)
 * that touches nothing but its per-CPU files; all calls come from one
 * thread.
 */
#ifndef TDXR_CAPTURE_H
#define TDXR_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- kernel events through a private tracefs instance ---------------------- */

struct trc_kernel; /* opaque; trc_kernel_start allocates, trc_kernel_free frees */

struct trc_kernel_opts {
	const char *dir;	 /* the recording directory, existing (borrowed) */
	const char *events;	 /* "SYS:EVENT,SYS:*,SYS" or NULL: the schema's events */
	unsigned long buffer_kb; /* per-CPU ring size */
	/*
	 * false: tracing_on at start, a thread streams each CPU's full pages
	 * into DIR/.kernel/cpuN so nothing is overwritten (record COMMAND).
	 * true (flight recorder): the ring overwrites its oldest pages and
	 * nothing is read until trc_kernel_stop, which saves the ring as it
	 * stood; memory is the ring only.
	 */
	bool flight;
	const char *name_prefix; /* instance name is PREFIX-PID; NULL: "tdxr-record" */
};

/* What a started capture enabled and, after stop, lost. Borrowed from @k. */
struct trc_kernel_info {
	const char *instance; /* tracefs instance name */
	char *const *enabled; /* the specs enabled */
	unsigned int nr_enabled;
	char *const *missing; /* the specs this kernel lacks */
	unsigned int nr_missing;
	bool buffer_kb_refused;	   /* buffer_size_kb could not be set */
	int page;		   /* ring-buffer page size */
	uint64_t overrun, dropped; /* per_cpu/cpuN/stats, summed at stop */
	uint64_t entries;	   /* events in the ring at stop (flight) */
};

/*
 * Creates the instance (trace_clock mono, buffer_kb, the events), opens
 * the per-CPU pipes and turns tracing on. On error *out may still hold a
 * half-built capture: trc_kernel_free it (that removes the instance).
 */
int trc_kernel_start(const struct trc_kernel_opts *o, struct trc_kernel **out, char *err,
		     size_t errlen);

/*
 * Installs the kernel's `traceoff` trigger on SYS/EVENT with @filter
 * (kernel filter syntax; NULL or "" for every occurrence), so the ring
 * freezes in the kernel at that event, the event itself recorded. The
 * event is enabled when it was not. 0, or -1 with the kernel's reason.
 */
int trc_kernel_stop_on(struct trc_kernel *k, const char *sys, const char *event, const char *filter,
		       char *err, size_t errlen);

/* tracing_on of the instance: false once a trigger (or we) turned it off. */
bool trc_kernel_is_on(struct trc_kernel *k);

/* Events written into the ring so far (entries + overrun of every CPU). */
uint64_t trc_kernel_written(struct trc_kernel *k);

/* Turns tracing off, saves what the ring holds as DIR/kernel.dat. */
int trc_kernel_stop(struct trc_kernel *k, char *err, size_t errlen);

void trc_kernel_get_info(const struct trc_kernel *k, struct trc_kernel_info *out);

/* Removes the instance and the temporary files; NULL is fine. */
void trc_kernel_free(struct trc_kernel *k);

/* Whether SYS/EVENT exists in this kernel's tracefs. */
bool trc_kernel_has_event(const char *sys, const char *event);

/* ---- VMM events through LTTng-UST ------------------------------------------- */

struct trc_vmm; /* opaque */

struct trc_vmm_info {
	const char *session;   /* LTTng session name */
	bool private_daemon;   /* we started lttng-sessiond */
	uint64_t discarded;    /* events LTTng discarded */
	uint64_t lost_packets; /* packets LTTng lost */
};

/* Starts an LTTng-UST session writing DIR/vmm (a private sessiond if none runs). */
int trc_vmm_start(const char *dir, struct trc_vmm **out, char *err, size_t errlen);

/* Stops the session (the data is on disk) and collects the loss counts. */
void trc_vmm_stop(struct trc_vmm *v);

void trc_vmm_get_info(const struct trc_vmm *v, struct trc_vmm_info *out);

/* Stops what runs and the private sessiond; NULL is fine. */
void trc_vmm_free(struct trc_vmm *v);

/* The VMM shim's path: $TDXR_VMM_SHIM, else next to the running binary. Owned by the caller. */
char *trc_vmm_shim_path(void);

/* ---- the traced command ------------------------------------------------------ */

/*
 * Runs @argv to its end, with @shim (may be NULL) preloaded and
 * LTTNG_UST_ALLOW_BLOCKING=1. SIGINT/SIGTERM received meanwhile are passed
 * on to it; *signal_seen says which came (0: none). *status is waitpid's.
 */
int trc_run_command(char **argv, const char *shim, int *status, int *signal_seen, char *err,
		    size_t errlen);

/* ---- meta.json ----------------------------------------------------------------- */

/* Why a flight recording stopped; the values are `tdxr record` exit codes. */
enum trc_stop {
	TRC_STOP_NONE = 0,    /* --for elapsed, or SIGINT/SIGTERM */
	TRC_STOP_EVENT = 3,   /* the --until event's traceoff trigger fired */
	TRC_STOP_WARN = 4,    /* a KVM/TDX WARN or BUG on /dev/kmsg */
	TRC_STOP_FINDING = 5, /* --until-finding: the model found one */
};

struct trc_meta {
	const struct trc_kernel *kernel; /* NULL: no kernel capture */
	const struct trc_vmm *vmm;	 /* NULL: no VMM capture */
	char **command;			 /* NULL-terminated; NULL in flight mode */
	int command_status;
	/* Flight mode only (flight true). */
	bool flight;
	const char *stop_reason; /* "event" "warn" "duration" "signal" "finding" */
	const char *stop_detail; /* the event spec, WARN line, signal name, finding; may be NULL */
	const char *until;	 /* the --until spec, or NULL */
	unsigned long buffer_kb;
	double armed_s, stopped_s; /* CLOCK_REALTIME seconds */
	bool kernel_log;	   /* kernel.log was written */
};

/* Writes DIR/meta.json (atomically, through a temporary file). */
int trc_meta_write(const char *dir, const struct trc_meta *m, char *err, size_t errlen);

#endif /* TDXR_CAPTURE_H */
