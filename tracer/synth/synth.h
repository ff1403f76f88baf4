/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracer/synth/synth.h - `tdxr synth`: an independent TD workload generator.
 *
 * It plays KVM and the TDX module together and writes what a kernel of the
 * chosen profile would emit (docs/design.md §2) as tracefs `trace` text, or the
 * same events as CTF through the tdxr_kernel LTTng-UST provider. It keeps
 * its own small bookkeeping (which S-EPT levels exist, which gfns are mapped
 * in which tree, who is in the guest) and never asks the replay model what
 * to write: a generator that shares the model's mistakes cannot catch them.
 *
 * Each scenario but `clean` injects one problem, once, as a buggy kernel, a
 * buggy TDX module, a buggy guest or a lossy tracer would produce it; the
 * scenario name is the finding kind (docs/design.md §4) the injection must raise
 * first, and the result says at which event (seq) and line it sits.
 */
#ifndef TRC_SYNTH_H
#define TRC_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(enum suffix, name, summary) - the names are docs/design.md §4 finding kinds. */
#define TRC_SYNTH_SCENARIOS(X)                                                                    \
	X(CLEAN, "clean", "no injected problem")                                                  \
	X(STATUS_MISMATCH, "status-mismatch",                                                     \
	  "module bug: PAGE.AUG on a FREE entry returns EPT_ENTRY_STATE_INCORRECT")               \
	X(SPTE_MISMATCH, "spte-mismatch",                                                         \
	  "kernel bug: a shared SPTE changed untraced; the zap shows another pfn")                \
	X(MIRROR_DESYNC, "mirror-desync",                                                         \
	  "kernel bug: mirror leaf written although PAGE.AUG returned BUSY")                      \
	X(REMOVE_NOT_BLOCKED, "remove-not-blocked", "kernel bug: removal path skips RANGE.BLOCK") \
	X(TLB_NOT_TRACKED, "tlb-not-tracked", "kernel bug: removal path skips MEM.TRACK")         \
	X(PRIVATE_SHARED_ALIAS, "private-shared-alias",                                           \
	  "kernel bug: MapGPA to shared does not zap the private leaves")                         \
	X(MMIO_SUPPRESS_VE, "mmio-suppress-ve", "guest bug: #VE.RequestMMIO names a private GPA") \
	X(PENDING_ACCESS, "pending-access",                                                       \
	  "guest touches an AUGed page without TDG.MEM.PAGE.ACCEPT")                              \
	X(BUSY_RETRY, "busy-retry",                                                               \
	  "kernel bug: BLOCK BUSY retried without kicking vCPUs, fails again")                    \
	X(EPOCH_BUSY, "epoch-busy", "kernel bug: MEM.TRACK issued twice before the kick")         \
	X(RECLAIM, "reclaim", "kernel bug: a TDCX page reclaimed twice at teardown")              \
	X(ZERO_STEP, "zero-step",                                                                 \
	  "kernel bug: AUG BUSY re-enters the guest instead of retrying locally")                 \
	X(LOST_EVENTS, "lost-events", "tracer lost events on one CPU")                            \
	X(ORDER, "order", "a timestamp goes backwards on one CPU")

enum trc_synth_scenario {
#define TRC_SCN_ENUM(id, name, summary) TRC_SCN_##id,
	TRC_SYNTH_SCENARIOS(TRC_SCN_ENUM)
#undef TRC_SCN_ENUM
		TRC_SCN__COUNT,
};

enum trc_synth_profile {
	TRC_PROFILE_616, /* 6.16-6.18: premapped pages, PAGE.ADD after the map */
	TRC_PROFILE_619, /* 6.19+: PAGE.ADD inside the mirror install */
};

/* --mem: RAM beyond 3 GiB is placed above 4 GiB, as firmware does. */
#define TRC_SYNTH_MAX_MEM_MB 65536u

struct trc_synth_opts {
	enum trc_synth_scenario scenario;
	uint64_t events;    /* approximate number of events before teardown */
	unsigned int vcpus; /* per VM, 1..64 */
	unsigned int vms;   /* 1..8 */
	uint64_t seed;
	unsigned int gpaw;   /* 48 or 52 */
	unsigned int mem_mb; /* guest RAM in MiB, 16..TRC_SYNTH_MAX_MEM_MB; 0: 2048 */
	enum trc_synth_profile profile;
};

struct trc_synth_result {
	uint64_t events; /* events written (lost ones not counted) */
	uint64_t lines;	 /* lines written, header included */
	uint64_t bytes;
	uint64_t lost; /* events dropped by a lost-events injection */
	bool injected;
	uint64_t inj_seq;	  /* 0-based seq of the event that reveals it */
	uint64_t inj_line;	  /* its 1-based line */
	uint64_t inj_marker_line; /* lost-events: the line of the marker */
	int inj_vm;		  /* the VM's tgid */
};

/* Name <-> scenario; parse returns -1 for an unknown name. */
const char *trc_synth_scenario_name(enum trc_synth_scenario s);
const char *trc_synth_scenario_summary(enum trc_synth_scenario s);
int trc_synth_scenario_parse(const char *name);

/*
 * Writes the trace to @fd (borrowed; a seekable file gets its header's
 * entry counts patched at the end). Returns 0, or -1 with a message in @err.
 * Same options => byte-identical output.
 */
int trc_synth_write(const struct trc_synth_opts *o, int fd, struct trc_synth_result *res, char *err,
		    size_t errlen);

/*
 * One generated event as values rather than text (the CTF path): exactly
 * the event trc_synth_write() prints as a line, with the same options.
 */
struct trc_synth_ev {
	unsigned int type; /* enum tdxr_event_type; TDXR_EV_UNMODELLED: name + payload */
	uint64_t ts;	   /* ns, as the line shows it (tracefs prints microseconds) */
	int cpu, tid;
	const char *comm;
	const uint64_t *f;    /* numbers, indexed like tdxr_event.f[] */
	const char *const *s; /* strings, indexed like tdxr_event.f[] */
	const char *name;     /* the event's name */
	const char *payload;  /* the line's payload text (used for UNMODELLED) */
};

/* Takes one event; returns 0, or an errno value that stops the run. */
typedef int (*trc_synth_sink_fn)(void *ctx, const struct trc_synth_ev *ev);

/*
 * Runs the generator of trc_synth_write() with the same options, handing
 * each event to @sink instead of writing text. The lost-events scenario
 * is text-only (a tracer's loss, not an event): -1 with a message.
 * res->lines and res->bytes are those of the text twin.
 */
int trc_synth_run(const struct trc_synth_opts *o, trc_synth_sink_fn sink, void *ctx,
		  struct trc_synth_result *res, char *err, size_t errlen);

/*
 * --format ctf: runs the generator in a helper linked with LTTng-UST
 * (@helper; it emits through the tdxr_kernel provider) under a private
 * lttng-sessiond, and writes the CTF trace into directory @out (which must
 * not exist, or be empty). Returns 0, -1 with a message in @err (then
 * nothing is left running), or 77 with the reason when LTTng cannot run
 * here (no lttng-sessiond, no private namespace).
 */
int trc_synth_ctf(const struct trc_synth_opts *o, const char *out, const char *helper,
		  struct trc_synth_result *res, char *err, size_t errlen);

/* The helper's side: argv of trc_synth_ctf's helper <-> options. */
int trc_synth_opts_to_argv(const struct trc_synth_opts *o, char buf[][24], char **argv, int max);
int trc_synth_opts_from_argv(int argc, char **argv, struct trc_synth_opts *o);

#endif /* TRC_SYNTH_H */
