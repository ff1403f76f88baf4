// SPDX-License-Identifier: GPL-2.0
/*
 * cli/cmd_replay.c - `tdxr replay`: CI trace replay (docs/design.md §5).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report.h"

int cli_parse_profile(const char *s, int *out)
{
	if (strcmp(s, "auto") == 0) {
		*out = 0;
	} else if (strcmp(s, "6.16") == 0) {
		*out = 616;
	} else if (strcmp(s, "6.19") == 0) {
		*out = 619;
	} else {
		return -1;
	}
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"junit", required_argument, NULL, 'J'},
		{"html", required_argument, NULL, 'H'},
		{"fail-on", required_argument, NULL, 'F'},
		{"format", required_argument, NULL, 'f'},
		{"kernel-profile", required_argument, NULL, 'k'},
		{"strict", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rpl_opts o;
	struct rpl_result res;
	struct report_fail_on fail_on = {.sev = MDL_SEV_ERROR};
	const char *junit = NULL, *html = NULL;
	bool json = false;
	char err[1024];
	int c, ret;

	rpl_opts_init(&o);
	o.progress = true;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+jJ:H:F:f:k:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'J':
			junit = optarg;
			break;
		case 'H':
			html = optarg;
			break;
		case 'F':
			if (report_fail_on_parse(optarg, &fail_on) < 0) {
				return cli_usage_error(
					"replay",
					"--fail-on takes error, warning or finding kinds "
					"(KIND[,KIND...], `tdxr help replay`), not '%s'",
					optarg);
			}
			break;
		case 'f':
			if (tdxr_format_parse(optarg, &o.format) < 0) {
				return cli_usage_error("replay", "unknown format '%s'", optarg);
			}
			break;
		case 'k':
			if (cli_parse_profile(optarg, &o.kernel_profile) < 0) {
				return cli_usage_error(
					"replay",
					"--kernel-profile takes 6.16, 6.19 or auto, not '%s'",
					optarg);
			}
			break;
		case 's':
			o.strict = true;
			break;
		case 'h':
			cli_print_usage(stdout, "replay");
			return TDXR_EXIT_OK;
		default:
			return cli_usage_error("replay", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		return cli_usage_error("replay", "no INPUT given");
	}
	if (rpl_run(argv + optind, (unsigned int)(argc - optind), &o, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "tdxr replay: %s\n", err);
		rpl_result_free(&res);
		return TDXR_EXIT_USAGE;
	}
	if (json) {
		report_json(stdout, &res);
	} else {
		report_text(stdout, &res);
	}
	ret = report_count_failing(&res, &fail_on) ? TDXR_EXIT_FINDINGS : TDXR_EXIT_OK;
	if (junit && report_junit(junit, &res, &fail_on) < 0) {
		ret = TDXR_EXIT_USAGE;
	}
	if (html && report_html(html, argv + optind, &o, &res) < 0) {
		ret = TDXR_EXIT_USAGE;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "tdxr replay: write error on stdout\n");
		ret = TDXR_EXIT_USAGE;
	}
	rpl_result_free(&res);
	return ret;
}
