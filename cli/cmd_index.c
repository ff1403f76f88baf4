// SPDX-License-Identifier: GPL-2.0
/*
 * cli/cmd_index.c - `tdxr index -o INDEX.db INPUT...`: replay once and
 * write the SQLite index (docs/design.md §6, docs/index.md). Ctrl-C cancels and
 * removes the partial file; an existing INDEX.db is replaced only by a
 * complete, verified one.
 */
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "tdxr/index.h"

/* set by the SIGINT/SIGTERM handler (a lock-free atomic: signal-safe) */
static atomic_int index_cancel;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&index_cancel, 1);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9') {
		return -1;
	}
	v = strtoull(s, &end, 0);
	if (*end || v == 0) {
		return -1;
	}
	*out = v;
	return 0;
}

int cmd_index(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"kernel-profile", required_argument, NULL, 'p'},
		{"checkpoint-every", required_argument, NULL, 'k'},
		{"full-every", required_argument, NULL, 'F'},
		{"strict", no_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct idx_build_opts o;
	struct rpl_result res;
	struct sigaction sa, old_int, old_term;
	const char *out = NULL;
	bool quiet = false;
	char err[1024];
	uint64_t v;
	struct stat sb;
	int c, r;

	idx_build_opts_init(&o);
	o.progress = true;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:f:p:k:F:sqh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			if (tdxr_format_parse(optarg, &o.replay.format) < 0) {
				return cli_usage_error("index", "unknown format '%s'", optarg);
			}
			break;
		case 'p':
			if (cli_parse_profile(optarg, &o.replay.kernel_profile) < 0) {
				return cli_usage_error(
					"index",
					"--kernel-profile takes 6.16, 6.19 or auto, not '%s'",
					optarg);
			}
			break;
		case 'k':
			if (parse_u64(optarg, &o.checkpoint_every) < 0) {
				return cli_usage_error(
					"index",
					"--checkpoint-every takes a positive count, not '%s'",
					optarg);
			}
			break;
		case 'F':
			if (parse_u64(optarg, &v) < 0 || v > 1000000) {
				return cli_usage_error(
					"index", "--full-every takes a positive count, not '%s'",
					optarg);
			}
			o.full_every = (unsigned int)v;
			break;
		case 's':
			o.replay.strict = true;
			break;
		case 'q':
			quiet = true;
			o.progress = false;
			break;
		case 'h':
			cli_print_usage(stdout, "index");
			return TDXR_EXIT_OK;
		default:
			return cli_usage_error("index", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!out) {
		return cli_usage_error("index", "-o INDEX.db is required");
	}
	if (optind >= argc) {
		return cli_usage_error("index", "no INPUT given");
	}
	for (int i = optind; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && stat(out, &sb) == 0 && strcmp(argv[i], out) == 0) {
			return cli_usage_error("index", "%s is both an input and the output", out);
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	o.cancel = &index_cancel;
	r = idx_build(argv + optind, (unsigned int)(argc - optind), out, &o, &res, err,
		      sizeof(err));
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (r < 0) {
		fprintf(stderr, "tdxr index: %s\n", err);
		rpl_result_free(&res);
		return atomic_load(&index_cancel) ? 130 : TDXR_EXIT_USAGE;
	}
	if (!quiet) {
		fprintf(stderr, "tdxr index: %s: %llu events, %llu errors, %llu warnings\n", out,
			(unsigned long long)res.events, (unsigned long long)res.errors,
			(unsigned long long)res.warnings);
	}
	rpl_result_free(&res);
	return TDXR_EXIT_OK;
}
