// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/capture/check.c - live checking for the flight recorder
 * (`--until-finding`): the model runs on the events as the kernel writes
 * them and the capture stops at the first finding of a severity.
 *
 * The events come from a second tracefs instance with the same events,
 * read through its trace_pipe (the kernel merges the CPUs in time order)
 * by the replay engine in live mode, on a thread of its own. The flight
 * ring is never read while armed, so the evidence does not depend on the
 * checker keeping up: when it falls behind, its own ring overwrites, the
 * kernel prints "CPU:N [LOST M EVENTS]" in the pipe, and the model reports
 * that as a lost-events warning (nothing ever blocks the kernel).
 *
 * The thread ends at a marker: at stop one is written into the instance's
 * trace_marker (a blocked trace_pipe read is not ended by tracing_on=0 on
 * 6.x kernels), and the hook that sees it ends the replay there.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tracefs.h>

#include "tdxr/capture.h"
#include "tdxr/engine.h"

#define TRC_END_MARK "tdxr: end of the live check"

struct trc_check {
	struct trc_kernel *k; /* owned: the instance read */
	char *pipe;	      /* its trace_pipe path (owned) */
	enum mdl_severity sev;
	pthread_t thread;
	bool thread_on;
	struct rpl_opts o;     /* the thread's; look() ends it at the marker */
	struct rpl_result res; /* written by the thread only */
	size_t seen;	       /* findings of res looked at (thread) */
	atomic_bool found;
	char what[512]; /* the finding, written once before found is set */
	char err[512];	/* the engine's error, read after the join */
};

/* After every event (on the thread): the first finding at or above sev. */
static void look(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m)
{
	struct trc_check *c = ctx;

	(void)m;
	if (ev && ev->type == TDXR_EV_UNMODELLED && ev->raw && strstr(ev->raw, TRC_END_MARK)) {
		c->o.stop_after_seq = ev->seq; /* rpl_run reads it after this hook */
	}
	for (; c->seen < c->res.nr_findings; c->seen++) {
		const struct mdl_finding *f = &c->res.findings[c->seen];

		if (f->severity >= c->sev && !atomic_load(&c->found)) {
			snprintf(c->what, sizeof(c->what), "%s (%s) at event %llu: %s",
				 mdl_finding_kind_name(f->kind),
				 f->severity == MDL_SEV_ERROR ? "error" : "warning",
				 (unsigned long long)f->seq, f->message);
			atomic_store(&c->found, true);
		}
	}
}

static void *checker(void *arg)
{
	struct trc_check *c = arg;
	const char *stall = getenv("TDXR_CHECK_STALL_MS");

	/* Test hook: a checker that falls behind from the start. */
	if (stall && atoi(stall) > 0) {
		struct timespec ts = {atoi(stall) / 1000, (long)(atoi(stall) % 1000) * 1000000L};

		nanosleep(&ts, NULL);
	}
	if (rpl_run(&c->pipe, 1, &c->o, &c->res, c->err, sizeof(c->err)) < 0) {
		if (!atomic_load(&c->found)) {
			snprintf(c->what, sizeof(c->what), "the live check stopped: %.450s",
				 c->err);
		}
	}
	look(c, NULL, NULL); /* findings of the end */
	return NULL;
}

int trc_check_start(const char *dir, const char *events, unsigned long buffer_kb,
		    enum mdl_severity sev, struct trc_check **out, char *err, size_t errlen)
{
	struct trc_check *c = calloc(1, sizeof(*c));
	struct trc_kernel_opts ko = {.dir = dir,
				     .events = events,
				     .buffer_kb = buffer_kb,
				     .flight = true,
				     .name_prefix = "tdxr-check",
				     .scratch = ".check"};
	struct trc_kernel_info ki;

	*out = c;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->sev = sev;
	rpl_opts_init(&c->o);
	c->o.live = true;
	c->o.after = look;
	c->o.hook_ctx = c;
	if (trc_kernel_start(&ko, &c->k, err, errlen) < 0) {
		return -1;
	}
	trc_kernel_get_info(c->k, &ki);
	if (asprintf(&c->pipe, "%s/instances/%s/trace_pipe", tracefs_tracing_dir(), ki.instance) <
	    0) {
		c->pipe = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (pthread_create(&c->thread, NULL, checker, c) != 0) {
		snprintf(err, errlen, "cannot start the checker thread");
		return -1;
	}
	c->thread_on = true;
	return 0;
}

int trc_check_poll(void *arg, char *what, size_t len)
{
	struct trc_check *c = arg;

	if (!atomic_load(&c->found)) {
		return 0;
	}
	snprintf(what, len, "%s", c->what);
	return 1;
}

void trc_check_free(struct trc_check *c, uint64_t *events)
{
	if (!c) {
		return;
	}
	if (c->thread_on) {
		struct timespec ts;

		trc_kernel_end_pipe(c->k);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		if (pthread_timedjoin_np(c->thread, NULL, &ts) != 0) {
			/* the marker never came through: give up on the thread */
			pthread_cancel(c->thread);
			pthread_join(c->thread, NULL);
		}
	}
	if (events) {
		*events = c->res.events;
	}
	rpl_result_free(&c->res);
	trc_kernel_free(c->k);
	free(c->pipe);
	free(c);
}
