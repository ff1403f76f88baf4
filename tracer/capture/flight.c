// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/capture/flight.c - the flight recorder (`tdxr record --flight`):
 * arm, wait for a stop condition, save the ring as it stood.
 *
 * While armed tdxr adds no work to the traced host: the kernel writes its
 * events into the instance's overwrite-mode ring, the stop event's
 * `traceoff` trigger runs in the kernel, and this loop only wakes every
 * 50 ms (or on a /dev/kmsg record) to look at tracing_on, the clock and
 * the signal flag. Memory: the ring only.
 *
 * Steps:
 *  1. the main instance (trc_kernel_start, flight mode); with no @after
 *     the `traceoff` trigger goes on its stop event;
 *  2. with @after, a watch instance holding only the stop event, whose
 *     own `traceoff` tells us it fired; the main ring then runs until
 *     @after more events were written (entries + overrun of its CPUs);
 *  3. /dev/kmsg from its end, copied to DIR/kernel.log as it comes;
 *  4. wait: the trigger (tracing_on read 0), a KVM WARN, the duration,
 *     SIGINT/SIGTERM, or @check;
 *  5. tracing off, the ring drained to DIR/kernel.dat, the log closed.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tdxr/capture.h"

#define TICK_MS 50

/* Set by the handler, read by the loop. */
static volatile sig_atomic_t flight_signal;

static void on_signal(int sig)
{
	flight_signal = sig;
}

static double now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void note(const struct trc_flight_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(const struct trc_flight_opts *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!o->note) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->note(o->note_arg, line);
}

double trc_parse_duration(const char *s)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {{"", 1}, {"s", 1}, {"ms", 1e-3}, {"m", 60}, {"h", 3600}, {"d", 86400}};
	char *end;
	double v;

	if (!s || !*s) {
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v > 0) || !isfinite(v)) {
		return -1;
	}
	for (unsigned int i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			return v * units[i].mult;
		}
	}
	return -1;
}

int trc_parse_until(const char *spec, char *sys, size_t syslen, char *event, size_t evlen,
		    const char **filter, char *err, size_t errlen)
{
	static const char *const systems[] = {"tdx", "kvm", "kvmmmu"};
	const char *colon = strchr(spec, ':'), *slash, *e;
	size_t n;

	n = colon ? (size_t)(colon - spec) : strlen(spec);
	while (n && spec[n - 1] == ' ') {
		n--;
	}
	*filter = NULL;
	if (colon) {
		const char *f = colon + 1;

		f += strspn(f, " \t");
		*filter = *f ? f : NULL;
	}
	slash = memchr(spec, '/', n);
	e = slash ? slash + 1 : spec;
	if (n == 0 || (size_t)(spec + n - e) >= evlen ||
	    (slash && (size_t)(slash - spec) >= syslen) ||
	    strcspn(e, "*?[,. ") < (size_t)(spec + n - e)) {
		snprintf(err, errlen,
			 "--until takes one event, [SYSTEM/]EVENT[: FILTER] (e.g. "
			 "'kvm/kvm_userspace_exit: reason == 5'), not '%s'",
			 spec);
		return -1;
	}
	snprintf(event, evlen, "%.*s", (int)(spec + n - e), e);
	if (slash) {
		snprintf(sys, syslen, "%.*s", (int)(slash - spec), spec);
		return 0;
	}
	for (unsigned int i = 0; i < sizeof(systems) / sizeof(systems[0]); i++) {
		if (trc_kernel_has_event(systems[i], event)) {
			snprintf(sys, syslen, "%s", systems[i]);
			return 0;
		}
	}
	snprintf(err, errlen, "--until: no event '%s' in the tdx, kvm or kvmmmu systems", event);
	return -1;
}

struct flight {
	const struct trc_flight_opts *o;
	struct trc_flight_result *r;
	struct trc_kernel *k;	  /* the ring kept */
	struct trc_kernel *watch; /* @after: sees the stop event */
	struct trc_klog *log;
	uint64_t after_from; /* written count when the watch fired, +1 */
};

static int arm(struct flight *f, char *err, size_t errlen)
{
	const struct trc_flight_opts *o = f->o;
	struct trc_kernel_opts ko = {.dir = o->dir,
				     .events = o->events,
				     .buffer_kb = o->buffer_kb,
				     .flight = true,
				     .name_prefix = "tdxr-flight"};
	struct trc_kernel_info ki;
	char e[512];

	if (trc_kernel_start(&ko, &f->k, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s", e);
		return -1;
	}
	trc_kernel_get_info(f->k, &ki);
	snprintf(f->r->instance, sizeof(f->r->instance), "%s", ki.instance);
	if (ki.buffer_kb_refused) {
		note(o, "warning: cannot set buffer_size_kb to %lu", o->buffer_kb);
	}
	for (unsigned int i = 0; i < ki.nr_missing; i++) {
		note(o, "warning: this kernel lacks %s", ki.missing[i]);
	}
	if (o->until_event && !o->after &&
	    trc_kernel_stop_on(f->k, o->until_sys, o->until_event, o->until_filter, err, errlen) <
		    0) {
		return -1;
	}
	if (o->until_event && o->after) {
		char spec[256];
		struct trc_kernel_opts wo = {.dir = o->dir,
					     .events = spec,
					     .buffer_kb = 64,
					     .flight = true,
					     .name_prefix = "tdxr-flight-watch",
					     .scratch = ".watch"};

		snprintf(spec, sizeof(spec), "%s:%s", o->until_sys, o->until_event);
		if (trc_kernel_start(&wo, &f->watch, e, sizeof(e)) < 0) {
			snprintf(err, errlen, "the watch instance: %s", e);
			return -1;
		}
		if (trc_kernel_stop_on(f->watch, o->until_sys, o->until_event, o->until_filter, err,
				       errlen) < 0) {
			return -1;
		}
	}
	if (trc_klog_open(o->dir, &f->log, e, sizeof(e)) < 0) {
		trc_klog_close(f->log, e, sizeof(e));
		f->log = NULL;
		note(o, "warning: no kernel log (%s): no kernel.log%s", e,
		     o->warn_stop ? ", and a KVM WARN cannot stop the capture" : "");
	}
	return 0;
}

static void stopped(struct flight *f, enum trc_stop stop, const char *reason)
{
	f->r->stop = stop;
	f->r->reason = reason;
}

/* One look at every condition. true when one fired. */
static bool poll_once(struct flight *f, double deadline, char *err, size_t errlen, int *fail)
{
	const struct trc_flight_opts *o = f->o;
	struct pollfd p = {.fd = f->log ? trc_klog_fd(f->log) : -1, .events = POLLIN};
	char hit[512];

	poll(&p, f->log ? 1 : 0, TICK_MS);
	if (f->log) {
		int h = trc_klog_pump(f->log, hit, sizeof(hit), err, errlen);

		if (h < 0) {
			*fail = 1;
			return true;
		}
		if (h == 1 && o->warn_stop) {
			snprintf(f->r->detail, sizeof(f->r->detail), "%s", hit);
			stopped(f, TRC_STOP_WARN, "warn");
			return true;
		}
	}
	if (flight_signal) {
		snprintf(f->r->detail, sizeof(f->r->detail), "%s", strsignal(flight_signal));
		stopped(f, TRC_STOP_NONE, "signal");
		return true;
	}
	if (o->until_event && !o->after && !trc_kernel_is_on(f->k)) {
		snprintf(f->r->detail, sizeof(f->r->detail), "%s/%s%s%s", o->until_sys,
			 o->until_event, o->until_filter ? ": " : "",
			 o->until_filter ? o->until_filter : "");
		stopped(f, TRC_STOP_EVENT, "event");
		return true;
	}
	if (f->watch) {
		if (!f->after_from && !trc_kernel_is_on(f->watch)) {
			f->after_from = trc_kernel_written(f->k) + 1;
		}
		if (f->after_from && trc_kernel_written(f->k) + 1 >= f->after_from + o->after) {
			snprintf(f->r->detail, sizeof(f->r->detail), "%s/%s%s%s, then %llu events",
				 o->until_sys, o->until_event, o->until_filter ? ": " : "",
				 o->until_filter ? o->until_filter : "",
				 (unsigned long long)o->after);
			stopped(f, TRC_STOP_EVENT, "event");
			return true;
		}
	}
	if (o->check && o->check(o->check_arg, f->r->detail, sizeof(f->r->detail)) == 1) {
		stopped(f, TRC_STOP_FINDING, "finding");
		return true;
	}
	if (deadline > 0 && now_s(CLOCK_MONOTONIC) >= deadline) {
		snprintf(f->r->detail, sizeof(f->r->detail), "%g s", o->for_s);
		stopped(f, TRC_STOP_NONE, "duration");
		return true;
	}
	return false;
}

int trc_flight_run(const struct trc_flight_opts *o, struct trc_flight_result *r, char *err,
		   size_t errlen)
{
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	struct flight f = {.o = o, .r = r};
	struct trc_kernel_info ki;
	double deadline = 0, armed = now_s(CLOCK_REALTIME);
	int fail = 0, ret = -1;
	char e[512];

	memset(r, 0, sizeof(*r));
	flight_signal = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (arm(&f, err, errlen) < 0) {
		goto out;
	}
	if (o->for_s > 0) {
		deadline = now_s(CLOCK_MONOTONIC) + o->for_s;
	}
	note(o, "armed: tracefs instance %s%s%s", r->instance,
	     o->until_event ? ", stop event " : "", o->until_event ? o->until_event : "");
	while (!poll_once(&f, deadline, err, errlen, &fail)) {
	}
	if (fail) {
		goto out;
	}
	if (trc_kernel_stop(f.k, err, errlen) < 0) {
		goto out;
	}
	trc_kernel_get_info(f.k, &ki);
	r->entries = ki.entries;
	r->overrun = ki.overrun;
	if (f.log) {
		struct trc_klog *l = f.log;

		f.log = NULL;
		if (trc_klog_close(l, err, errlen) < 0) {
			goto out;
		}
		r->kernel_log = true;
	}
	{
		struct trc_meta m = {.kernel = f.k,
				     .flight = true,
				     .stop_reason = r->reason,
				     .stop_detail = r->detail[0] ? r->detail : NULL,
				     .until = o->until,
				     .buffer_kb = o->buffer_kb,
				     .armed_s = armed,
				     .stopped_s = now_s(CLOCK_REALTIME),
				     .kernel_log = r->kernel_log};

		if (trc_meta_write(o->dir, &m, err, errlen) < 0) {
			goto out;
		}
	}
	ret = 0;
out:
	trc_klog_close(f.log, e, sizeof(e));
	trc_kernel_free(f.watch);
	trc_kernel_free(f.k);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return ret;
}
