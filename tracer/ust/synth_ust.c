// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/ust/synth_ust.c - tdxr-synth-ust, the CTF writer of
 * `tdxr synth --format ctf` (tracer/synth/out_ctf.c runs it under a
 * private lttng-sessiond):
 *
 *   tdxr-synth-ust SCENARIO EVENTS VCPUS VMS SEED GPAW MEM_MB PROFILE
 *
 * Runs the generator (trc_synth_run) and fires one tdxr_kernel tracepoint
 * per event, the kernel context (k_ts, k_cpu, k_tid, k_comm) in the
 * payload. Prints "RES events lines bytes lost injected seq line
 * marker_line vm" on stdout, or "ERR message" and exits 1.
 *
 * It needs LTTNG_UST_ALLOW_BLOCKING=1 before LTTng-UST starts (blocking
 * channels lose nothing): without it, it re-executes itself with it set.
 * It pins itself to one CPU, so the trace is one stream whose order is the
 * generator's (the CTF reader takes ts from k_ts, not LTTng's clock).
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synth.h"
#include "tdxr_kernel_emit.h"

static int sink(void *ctx, const struct trc_synth_ev *ev)
{
	struct tdxr_kernel_ctx k = {
		.ts = ev->ts,
		.cpu = ev->cpu,
		.tid = ev->tid,
		.comm = ev->comm,
	};

	(void)ctx;
	if (ev->type == TDXR_EV_UNMODELLED) {
		tdxr_kernel_emit_unmodelled(&k, ev->name, ev->payload);
		return 0;
	}
	return tdxr_kernel_emit(ev->type, &k, ev->f, ev->s) == 0 ? 0 : EINVAL;
}

int main(int argc, char **argv)
{
	struct trc_synth_opts o;
	struct trc_synth_result res;
	char err[512];
	int cpu;

	if (trc_synth_opts_from_argv(argc - 1, argv + 1, &o) < 0) {
		printf("ERR usage: tdxr-synth-ust SCENARIO EVENTS VCPUS VMS SEED GPAW MEM_MB "
		       "PROFILE\n");
		return 1;
	}
	if (!getenv("LTTNG_UST_ALLOW_BLOCKING")) {
		setenv("LTTNG_UST_ALLOW_BLOCKING", "1", 1);
		execv("/proc/self/exe", argv);
		printf("ERR cannot re-execute itself: %s\n", strerror(errno));
		return 1;
	}
	cpu = sched_getcpu();
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	if (trc_synth_run(&o, sink, NULL, &res, err, sizeof(err)) < 0) {
		printf("ERR %s\n", err);
		return 1;
	}
	printf("RES %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %d %" PRIu64 " %" PRIu64
	       " %" PRIu64 " %d\n",
	       res.events, res.lines, res.bytes, res.lost, res.injected ? 1 : 0, res.inj_seq,
	       res.inj_line, res.inj_marker_line, res.inj_vm);
	return fflush(stdout) == 0 ? 0 : 1;
}
