/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/capture.h - capturing a recording directory (tracer/capture/,
 * library tdxr_capture): what `tdxr record` runs; the CLI only parses
 * options and prints.
 *
 * A recording directory DIR holds (docs/capture.md):
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

#include "tdxr/finding.h"

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
	const char *scratch;	 /* per-CPU files go to DIR/SCRATCH/cpuN; NULL: ".kernel" */
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

/* Writes "tdxr: end of the live check" into the instance (trace_marker). */
void trc_kernel_end_pipe(struct trc_kernel *k);

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

/* ---- the kernel log ---------------------------------------------------------- */

struct trc_klog; /* opaque: /dev/kmsg from arming on, copied to DIR/kernel.log */

/* Opens /dev/kmsg at its end and DIR/kernel.log for writing. */
int trc_klog_open(const char *dir, struct trc_klog **out, char *err, size_t errlen);

/* The descriptor to poll for new records. */
int trc_klog_fd(const struct trc_klog *l);

/*
 * Copies the records that came since the last call to kernel.log as
 * "[SECONDS.MICROS] message" lines. Returns 1 when one of them is a
 * KVM/TDX WARN or BUG (its first line copied to @hit), 0 when none, -1 on
 * a write error.
 */
int trc_klog_pump(struct trc_klog *l, char *hit, size_t hitlen, char *err, size_t errlen);

/* Copies what remains, closes kernel.log (0, or -1 on a write error); NULL is fine. */
int trc_klog_close(struct trc_klog *l, char *err, size_t errlen);

/* Whether a /dev/kmsg message line is a KVM/TDX WARN or BUG header. */
bool trc_klog_is_kvm_warn(const char *msg);

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

/* ---- the flight recorder ------------------------------------------------------ */

/*
 * `tdxr record --flight`: armed on a running host, the kernel's events go
 * round a private overwrite-mode ring until a stop condition fires; then
 * the ring is saved as it stood (DIR/kernel.dat), with the kernel log
 * since arming (DIR/kernel.log) and why it stopped (DIR/meta.json).
 *
 * Stop conditions, whichever comes first:
 *  - the stop event: the kernel's `traceoff` trigger on SYS/EVENT with
 *    the filter freezes the ring in the kernel at the event (with @after,
 *    a watch instance sees the event and the ring runs @after more events);
 *  - a KVM/TDX WARN or BUG on /dev/kmsg;
 *  - @for_s seconds;
 *  - SIGINT or SIGTERM;
 *  - @check returning 1 (live checking).
 */
struct trc_flight_opts {
	const char *dir;	 /* existing, empty of a recording (borrowed) */
	const char *events;	 /* as trc_kernel_opts.events */
	unsigned long buffer_kb; /* per-CPU ring */
	const char *until_sys;	 /* the stop event; NULL: none */
	const char *until_event;
	const char *until_filter; /* kernel filter text, NULL or "": every occurrence */
	const char *until;	  /* the --until text, for meta.json */
	uint64_t after;		  /* events recorded after the stop event (0: stop at it) */
	double for_s;		  /* seconds, 0: no limit */
	bool warn_stop;		  /* a KVM/TDX WARN on /dev/kmsg stops it */
	/* Optional: called about every 50 ms while armed; returns 1 to stop,
	 * with what it found in @what. */
	int (*check)(void *arg, char *what, size_t len);
	void *check_arg;
	/* Optional: progress and warnings, one line each ("armed: ..."). */
	void (*note)(void *arg, const char *line);
	void *note_arg;
};

struct trc_flight_result {
	enum trc_stop stop; /* which condition fired (the exit code) */
	const char *reason; /* "event" "warn" "duration" "signal" "finding" */
	char detail[512];   /* the WARN line, the signal, the finding */
	uint64_t entries;   /* events saved */
	uint64_t overrun;   /* events the ring overwrote (the lost start) */
	bool kernel_log;    /* DIR/kernel.log was written */
	char instance[64];  /* the tracefs instance used (removed at return) */
};

/* ---- live checking (--until-finding) ---- */

struct trc_check; /* opaque: a checker instance and the model on its own thread */

/*
 * Starts checking: an instance with @events (as trc_kernel_opts) whose
 * trace_pipe the replay engine reads live. Per-CPU scratch goes to
 * DIR/.check (unused: the pipe is the reader).
 */
int trc_check_start(const char *dir, const char *events, unsigned long buffer_kb,
		    enum mdl_severity sev, struct trc_check **out, char *err, size_t errlen);

/* trc_flight_opts.check for @arg a trc_check: 1 once a finding at or above sev came. */
int trc_check_poll(void *arg, char *what, size_t len);

/* Ends the checker; *events (may be NULL) gets the events it checked. NULL is fine. */
void trc_check_free(struct trc_check *c, uint64_t *events);

/*
 * Arms, waits for a stop condition, saves kernel.dat, kernel.log and
 * meta.json, removes the instances. 0, or -1 with @err (setup or save
 * failed).
 */
int trc_flight_run(const struct trc_flight_opts *o, struct trc_flight_result *r, char *err,
		   size_t errlen);

/* "30", "1.5s", "500ms", "10m", "2h", "1d" as seconds; -1 when malformed. */
double trc_parse_duration(const char *s);

/*
 * Splits "[SYSTEM/]EVENT[: FILTER]" (the -F grammar's head): @sys gets the
 * system (looked up among tdx, kvm, kvmmmu when not given), @event the
 * name, *filter points into @spec after the colon (NULL when none).
 * 0, or -1 with why in @err.
 */
int trc_parse_until(const char *spec, char *sys, size_t syslen, char *event, size_t evlen,
		    const char **filter, char *err, size_t errlen);

#endif /* TDXR_CAPTURE_H */
