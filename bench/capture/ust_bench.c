// SPDX-License-Identifier: GPL-2.0
/*
 * bench/capture/ust_bench.c - cost per event of tdxr_vmm:kvm_run_exit (the
 * generated provider: one struct argument) against a bare tracepoint with
 * the same payload (bare_tp.h), N events each, alternating rounds.
 *
 *   ust_bench N    prints "tdxr NS bare NS ratio R" (ns per event)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bare_tp.h"
#include "tdxr_vmm_tp.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	double tdxr = 0, bare = 0;

	for (int round = 0; round < 4; round++) {
		double t0 = now();

		for (unsigned long i = 0; i < n / 4; i++) {
			struct tdxr_vmm_kvm_run_exit e = {1, 0, 2, i, 1, 0x3f8, 1, 3, 0};

			lttng_ust_tracepoint(tdxr_vmm, kvm_run_exit, &e);
		}
		tdxr += now() - t0;
		t0 = now();
		for (unsigned long i = 0; i < n / 4; i++) {
			lttng_ust_tracepoint(tdxr_bare, kvm_run_exit, 1, 0, 2, i, 1, 0x3f8, 1, 3,
					     0);
		}
		bare += now() - t0;
	}
	printf("tdxr %.1f ns/event  bare %.1f ns/event  ratio %.2f  (%lu events each)\n",
	       tdxr / (double)n, bare / (double)n, tdxr / bare, n);
	return 0;
}
