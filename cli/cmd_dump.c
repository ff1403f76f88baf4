// SPDX-License-Identifier: GPL-2.0
/*
 * cli/cmd_dump.c - `tdxr dump`: the normalized events, one a line:
 *   seq input:line ts cpu tid vm vcpu system:event field=value ...
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tdxr/filter.h"
#include "tdxr/merge.h"
#include "tdxr/model.h"
#include "tdxr/print.h"

#define MAX_FILTERS 32

static int parse_seconds(const char *s, uint64_t *ns)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s || *end != '\0' || d < 0 || d > 1.8e10) {
		return -1;
	}
	*ns = (uint64_t)(d * 1e9 + 0.5);
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{"filter", required_argument, NULL, 'F'},
		{"begin", required_argument, NULL, 'b'},
		{"end", required_argument, NULL, 'e'},
		{"strict", no_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct tdxr_filter *filters[MAX_FILTERS];
	unsigned int nr_filters = 0;
	uint64_t begin = 0, end = UINT64_MAX;
	struct tdxr_src_opts so = {0};
	struct tdxr_merge *m = NULL;
	struct mdl_model *model = NULL;
	struct mdl_config mc = {0};
	struct tdxr_event ev;
	char err[1024];
	int c, r, ret = TDXR_EXIT_USAGE;
	static char line[16384];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+F:b:e:sf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (nr_filters == MAX_FILTERS) {
				ret = cli_usage_error("dump", "at most %d --filter options",
						      MAX_FILTERS);
				goto out;
			}
			filters[nr_filters] = tdxr_filter_compile(optarg, err, sizeof(err));
			if (!filters[nr_filters]) {
				ret = cli_usage_error("dump", "--filter '%s': %s", optarg, err);
				goto out;
			}
			nr_filters++;
			break;
		case 'b':
			if (parse_seconds(optarg, &begin) < 0) {
				ret = cli_usage_error("dump", "--begin takes seconds, not '%s'",
						      optarg);
				goto out;
			}
			break;
		case 'e':
			if (parse_seconds(optarg, &end) < 0) {
				ret = cli_usage_error("dump", "--end takes seconds, not '%s'",
						      optarg);
				goto out;
			}
			break;
		case 's':
			so.strict = true;
			break;
		case 'f':
			if (tdxr_format_parse(optarg, &so.format) < 0) {
				ret = cli_usage_error("dump", "unknown format '%s'", optarg);
				goto out;
			}
			break;
		case 'h':
			cli_print_usage(stdout, "dump");
			ret = TDXR_EXIT_OK;
			goto out;
		default:
			ret = cli_usage_error("dump", "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind >= argc) {
		ret = cli_usage_error("dump", "no INPUT given");
		goto out;
	}
	so.st = tdxr_strtab_new();
	if (!so.st) {
		fprintf(stderr, "tdxr dump: out of memory\n");
		goto out;
	}
	/* The model only resolves tid -> VM/vCPU here (docs/design.md §3). */
	mc.st = so.st;
	model = mdl_new(&mc);
	if (!model) {
		fprintf(stderr, "tdxr dump: out of memory\n");
		goto out;
	}
	m = tdxr_merge_open(argv + optind, (unsigned int)(argc - optind), &so, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "tdxr dump: %s\n", err);
		goto out;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	while ((r = tdxr_merge_next(m, &ev)) == 1) {
		char ts[32], name[96];
		bool pass = nr_filters == 0;

		mdl_resolve(model, &ev);
		if (ev.ts < begin || ev.ts > end) {
			continue;
		}
		for (unsigned int i = 0; i < nr_filters && !pass; i++) {
			pass = tdxr_filter_match(filters[i], &ev, so.st);
		}
		/* Lost-events records are shown whatever the filter says. */
		if (ev.lost_flags & TDXR_LOST_RECORD) {
			if (ev.lost_flags & TDXR_LOST_UNKNOWN) {
				printf("# lost: an unknown number of events before seq %llu\n",
				       (unsigned long long)ev.seq);
			} else {
				printf("# lost: %u events before seq %llu\n", ev.lost,
				       (unsigned long long)ev.seq);
			}
		}
		if (!pass) {
			continue;
		}
		tdxr_event_fields(&ev, so.st, line, sizeof(line));
		printf("%llu %u:%u %s %d %d %d %d %s %s\n", (unsigned long long)ev.seq, ev.input,
		       ev.line, tdxr_ts_str(ev.ts, ts, sizeof(ts)), ev.cpu, ev.tid, ev.vm, ev.vcpu,
		       tdxr_event_fullname(&ev, so.st, name, sizeof(name)), line);
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "tdxr dump: write error on stdout\n");
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "tdxr dump: %s\n", tdxr_merge_error(m));
		goto out;
	}
	ret = TDXR_EXIT_OK;
out:
	tdxr_merge_close(m);
	mdl_free(model);
	for (unsigned int i = 0; i < nr_filters; i++) {
		tdxr_filter_free(filters[i]);
	}
	tdxr_strtab_free(so.st);
	return ret;
}
