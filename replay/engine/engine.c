// SPDX-License-Identifier: GPL-2.0
/*
 * replay/engine/engine.c - the replay loop.
 *
 * For each merged event: resolve tid -> VM/vCPU (mdl_resolve), call the
 * before hook, apply it to the model, call the after hook. Findings are
 * copied out of the model's sink call into res->findings. Memory: the
 * model's state plus the findings; nothing grows with the trace itself.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tdxr/engine.h"

void rpl_opts_init(struct rpl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->stop_after_seq = UINT64_MAX;
}

static void keep_finding(void *ctx, const struct mdl_finding *f)
{
	struct rpl_result *res = ctx;

	if (f->severity == MDL_SEV_ERROR) {
		res->errors++;
	} else {
		res->warnings++;
	}
	if (res->nr_findings == RPL_MAX_FINDINGS) {
		res->dropped_findings++;
		return;
	}
	if (res->nr_findings == res->cap_findings) {
		size_t ncap = res->cap_findings ? res->cap_findings * 2 : 64;
		struct mdl_finding *nf = realloc(res->findings, ncap * sizeof(*nf));

		if (!nf) {
			res->dropped_findings++;
			return;
		}
		res->findings = nf;
		res->cap_findings = ncap;
	}
	res->findings[res->nr_findings++] = *f;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(struct tdxr_merge *mg, uint64_t events, double t0, bool last)
{
	uint64_t done, total;
	double dt = now_s() - t0;

	tdxr_merge_progress(mg, &done, &total);
	fprintf(stderr, "\rreplay: %.1f/%.1f MB, %llu events, %.2f M events/s%s",
		(double)done / 1e6, (double)total / 1e6, (unsigned long long)events,
		dt > 0 ? (double)events / dt / 1e6 : 0.0, last ? "\n" : "");
}

int rpl_run(char *const *inputs, unsigned int n, const struct rpl_opts *o, struct rpl_result *res,
	    char *err, size_t errlen)
{
	struct tdxr_src_opts so = {0};
	struct mdl_config mc = {0};
	struct mdl_sink sink = {keep_finding, res};
	struct tdxr_merge *mg = NULL;
	struct tdxr_event ev;
	bool show_progress = false;
	double t0 = now_s(), next_report = t0 + 0.5;
	int r, ret = -1;

	memset(res, 0, sizeof(*res));
	res->inputs = (char **)inputs;
	res->nr_inputs = n;
	res->st = o->st ? o->st : tdxr_strtab_new();
	res->st_borrowed = o->st != NULL;
	res->stats = calloc(n ? n : 1, sizeof(*res->stats));
	res->formats = calloc(n ? n : 1, sizeof(*res->formats));
	res->klog = tdxr_klog_acct_new();
	mc.kernel_profile = o->kernel_profile;
	mc.gpaw = o->gpaw;
	mc.st = res->st;
	mc.track_changes = o->track_changes;
	res->model = res->st ? mdl_new(&mc) : NULL;
	if (!res->st || !res->stats || !res->formats || !res->model || !res->klog) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	so.format = o->format;
	so.strict = o->strict;
	so.live = o->live;
	so.st = res->st;
	mg = tdxr_merge_open(inputs, n, &so, err, errlen);
	if (!mg) {
		return -1;
	}
	if (o->progress && isatty(STDERR_FILENO)) {
		uint64_t done, total;

		tdxr_merge_progress(mg, &done, &total);
		show_progress = total > (64u << 20);
	}
	while ((r = tdxr_merge_next(mg, &ev)) == 1) {
		mdl_resolve(res->model, &ev);
		if (o->before) {
			o->before(o->hook_ctx, &ev, res->model);
		}
		if (mdl_apply(res->model, &ev, &sink) < 0) {
			/* the model could not grow: its state would be wrong from here on */
			snprintf(err, errlen, "event %llu: out of memory in the model",
				 (unsigned long long)ev.seq);
			goto out;
		}
		tdxr_klog_acct_note(res->klog, &ev, res->st);
		if (o->after) {
			o->after(o->hook_ctx, &ev, res->model);
		}
		res->events++;
		if (show_progress && (res->events & 0xffff) == 0 && now_s() >= next_report) {
			progress(mg, res->events, t0, false);
			next_report = now_s() + 0.5;
		}
		if (ev.seq >= o->stop_after_seq) {
			break;
		}
		if ((res->events & 4095) == 0) {
			if (o->at) {
				atomic_store_explicit(o->at, ev.seq, memory_order_relaxed);
			}
			if (o->cancel && atomic_load_explicit(o->cancel, memory_order_relaxed)) {
				snprintf(err, errlen, "cancelled");
				goto out;
			}
		}
	}
	if (r < 0) {
		snprintf(err, errlen, "%s", tdxr_merge_error(mg));
		goto out;
	}
	if (r == 0) {
		mdl_finish(res->model, &sink);
	}
	if (show_progress) {
		progress(mg, res->events, t0, true);
	}
	ret = 0;
out:
	for (unsigned int i = 0; i < n; i++) {
		tdxr_merge_input_stats(mg, i, &res->stats[i]);
		res->formats[i] = tdxr_merge_input_format(mg, i);
	}
	tdxr_merge_close(mg);
	return ret;
}

void rpl_result_free(struct rpl_result *res)
{
	mdl_free(res->model);
	if (!res->st_borrowed) {
		tdxr_strtab_free(res->st);
	}
	free(res->findings);
	free(res->stats);
	free(res->formats);
	tdxr_klog_acct_free(res->klog);
	memset(res, 0, sizeof(*res));
}

uint64_t rpl_count_at_least(const struct rpl_result *res, enum mdl_severity sev)
{
	return sev == MDL_SEV_ERROR ? res->errors : res->errors + res->warnings;
}
