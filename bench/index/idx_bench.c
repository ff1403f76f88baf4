// SPDX-License-Identifier: GPL-2.0
/*
 * bench/index/idx_bench.c - the measurements bench/index/run.sh needs that
 * the CLI does not give:
 *
 *   idx_bench replay TRACE...        plain replay (rpl_run), wall seconds
 *   idx_bench seek INDEX.db N [SEED] N idx_seek to random seqs on one open
 *                                    index: p50/p99/max ms, plus the first
 *                                    seek after idx_open (to the last
 *                                    event: the biggest state, so the
 *                                    process's one-time cost of touching
 *                                    fresh memory is counted there, not
 *                                    spread over the random ones), then 30
 *                                    steps forward and 30 back from a
 *                                    random seq (one event each): p50/p99 ms
 *
 * Built by run.sh against the build directory's libtdxr.a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tdxr/engine.h"
#include "tdxr/index.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	char err[1024];

	if (argc >= 3 && strcmp(argv[1], "replay") == 0) {
		struct rpl_opts o;
		struct rpl_result res;
		double t0 = now_s();

		rpl_opts_init(&o);
		if (rpl_run(argv + 2, (unsigned int)(argc - 2), &o, &res, err, sizeof(err)) < 0) {
			fprintf(stderr, "idx_bench: %s\n", err);
			return 2;
		}
		printf("replay_s %.3f events %llu\n", now_s() - t0, (unsigned long long)res.events);
		rpl_result_free(&res);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "seek") == 0) {
		unsigned int n = (unsigned int)atoi(argv[3]);
		uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 0) : 88172645463325252ull;
		double t0 = now_s(), t_open, first, *ms = calloc(n ? n : 1, sizeof(double));
		struct idx *ix = idx_open(argv[2], err, sizeof(err));
		const struct mdl_model *m;
		uint64_t ne;

		if (!ix || !ms) {
			fprintf(stderr, "idx_bench: %s\n", ix ? "out of memory" : err);
			return 2;
		}
		t_open = now_s() - t0;
		ne = idx_nr_events(ix);
		t0 = now_s();
		if (idx_seek(ix, ne - 1, &m) < 0) {
			fprintf(stderr, "idx_bench: seek failed\n");
			return 2;
		}
		first = (now_s() - t0) * 1e3;
		for (unsigned int i = 0; i < n; i++) {
			uint64_t s = rnd(&seed) % ne;

			t0 = now_s();
			if (idx_seek(ix, s, &m) < 0) {
				fprintf(stderr, "idx_bench: seek to %llu failed\n",
					(unsigned long long)s);
				return 2;
			}
			ms[i] = (now_s() - t0) * 1e3;
		}
		qsort(ms, n, sizeof(double), cmp_double);
		for (int dir = 1; dir >= -1; dir -= 2) {
			double st[30];
			uint64_t s = rnd(&seed) % ne;

			if (s < 31) {
				s = 31;
			}
			if (s + 31 > ne) {
				s = ne - 31;
			}
			idx_seek(ix, s, &m);
			for (int i = 0; i < 30; i++) {
				s += (uint64_t)(int64_t)dir;
				t0 = now_s();
				if (idx_seek(ix, s, &m) < 0) {
					fprintf(stderr, "idx_bench: step to %llu failed\n",
						(unsigned long long)s);
					return 2;
				}
				st[i] = (now_s() - t0) * 1e3;
			}
			qsort(st, 30, sizeof(double), cmp_double);
			printf("step_%s_p50_ms %.1f step_%s_p99_ms %.1f ", dir > 0 ? "fwd" : "back",
			       st[15], dir > 0 ? "fwd" : "back", st[29]);
		}
		printf("events %llu open_ms %.1f first_seek_ms %.1f seek_p50_ms %.1f seek_p99_ms "
		       "%.1f seek_max_ms %.1f\n",
		       (unsigned long long)ne, t_open * 1e3, first, n ? ms[n / 2] : 0,
		       n ? ms[(size_t)(n * 0.99)] : 0, n ? ms[n - 1] : 0);
		free(ms);
		idx_close(ix);
		return 0;
	}
	fprintf(stderr, "usage: idx_bench replay TRACE... | idx_bench seek INDEX.db N [SEED]\n");
	return 2;
}
