// SPDX-License-Identifier: GPL-2.0
/*
 * bench/capture/src_bench.c - a reader alone: tdxr_src_open + next() over
 * every event of one input, nothing else (no merge, no model, no output).
 *
 *   src_bench INPUT     prints "N events in S s (M ev/s)"
 */
#include <stdio.h>
#include <time.h>

#include "tdxr/src.h"

int main(int argc, char **argv)
{
	struct tdxr_src_opts o = {.format = TDXR_FMT_AUTO};
	struct timespec t0, t1;
	struct tdxr_event ev;
	struct tdxr_src *s;
	unsigned long n = 0;
	char err[1024];
	double secs;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: src_bench INPUT\n");
		return 2;
	}
	o.st = tdxr_strtab_new();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s = tdxr_src_open(argv[1], &o, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "src_bench: %s\n", err);
		return 2;
	}
	while ((r = tdxr_src_next(s, &ev)) == 1) {
		n++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r < 0) {
		fprintf(stderr, "src_bench: %s\n", tdxr_src_error(s));
	}
	tdxr_src_close(s);
	tdxr_strtab_free(o.st);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%lu events in %.3f s (%.2f M ev/s)\n", n, secs, (double)n / secs / 1e6);
	return r < 0 ? 1 : 0;
}
