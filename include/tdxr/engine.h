/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/engine.h - the replay engine: inputs -> merged events -> model ->
 * findings. What `tdxr replay`, `explain` and `index` drive.
 */
#ifndef TDXR_ENGINE_H
#define TDXR_ENGINE_H

#include <stdatomic.h>
#include <stdio.h>

#include "tdxr/klog.h"
#include "tdxr/merge.h"
#include "tdxr/model.h"

struct rpl_opts {
	enum tdxr_format format; /* AUTO by default */
	int kernel_profile;	 /* 0 auto, 616, 619 */
	int gpaw;		 /* 0 auto */
	bool strict;
	bool progress;		 /* a progress line on stderr (TTY, big input) */
	uint64_t stop_after_seq; /* stop after this seq (UINT64_MAX: never) */
	bool track_changes;	 /* the model tracks changes (mdl_save_changes) */
	bool live;		 /* inputs grow while read: tdxr_src_opts.live */
	/* borrowed, optional: intern strings here (hooks can then read them
	 * while the replay runs); NULL: rpl_run makes its own (res->st) */
	struct tdxr_strtab *st;

	/* Optional, for a replay on another thread (the TUI's explain):
	 * setting *cancel stops it (rpl_run fails with "cancelled"); *at
	 * follows the seq of the event replayed. Both are looked at every
	 * 4096 events. */
	const atomic_bool *cancel;
	atomic_uint_least64_t *at;

	/* Optional per-event hooks (explain, index): called around mdl_apply. */
	void (*before)(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m);
	void (*after)(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m);
	void *hook_ctx;
};

struct rpl_result {
	char **inputs; /* borrowed paths */
	unsigned int nr_inputs;
	struct tdxr_strtab *st; /* strings of every event (owned unless
				       * the caller passed rpl_opts.st) */
	bool st_borrowed;
	struct mdl_model *model; /* owned: the state at the end */
	uint64_t events;
	struct mdl_finding *findings; /* owned, in report order */
	size_t nr_findings;
	size_t cap_findings;
	uint64_t dropped_findings; /* beyond RPL_MAX_FINDINGS */
	uint64_t errors, warnings;
	struct tdxr_src_stats *stats; /* owned, one per input */
	struct tdxr_klog_acct *klog;  /* owned: what the kernel log lines say */
	enum tdxr_format *formats;    /* owned, one per input */
};

#define RPL_MAX_FINDINGS 1000000

void rpl_opts_init(struct rpl_opts *o);

/*
 * Replays @inputs. Returns 0, or -1 with a one-line message naming the
 * input (and line/offset) in @err: unusable input. @res is filled in both
 * cases (free it with rpl_result_free()).
 */
int rpl_run(char *const *inputs, unsigned int n, const struct rpl_opts *o, struct rpl_result *res,
	    char *err, size_t errlen);

void rpl_result_free(struct rpl_result *res);

/* Findings at or above @sev. */
uint64_t rpl_count_at_least(const struct rpl_result *res, enum mdl_severity sev);

#endif /* TDXR_ENGINE_H */
