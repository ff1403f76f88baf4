// SPDX-License-Identifier: GPL-2.0
/*
 * cli/cmd_synth.c - `tdxr synth SCENARIO -o OUT`: a synthetic TD trace,
 * optionally with one injected problem (tracer/synth/synth.h).
 *
 * --format ctf writes the same events as a CTF directory OUT through the
 * tdxr_kernel LTTng-UST provider, under a private lttng-sessiond
 * (tracer/synth/out_ctf.c; the writer is tdxr-synth-ust next to tdxr, or
 * $TDXR_SYNTH_UST). Lines and bytes are then those of the ftrace twin.
 *
 * stderr gets "injected KIND at seq S line L"; with --json stdout gets
 * {"scenario":..,"seed":..,"events":..,"lines":..,"bytes":..,"lost":..,
 *  "injected":{"kind":..,"seq":..,"line":..,"vm":..[,"marker_line":..]}|null}
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "synth.h"

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-') {
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max) {
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * tdxr-synth-ust: $TDXR_SYNTH_UST, else next to this binary (the build
 * tree), else in ../lib/tdxr/ beside it (an installed tdxr).
 */
static void helper_path(char *buf, size_t len)
{
	const char *env = getenv("TDXR_SYNTH_UST");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		snprintf(buf, len, "tdxr-synth-ust");
		return;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash) {
		*slash = '\0';
	}
	snprintf(buf, len, "%.*s/tdxr-synth-ust", (int)(len - 32), self);
	if (access(buf, X_OK) != 0) {
		snprintf(buf, len, "%.*s/../lib/tdxr/tdxr-synth-ust", (int)(len - 32), self);
	}
}

static void list_scenarios(FILE *f)
{
	for (int i = 0; i < TRC_SCN__COUNT; i++) {
		fprintf(f, "  %-21s %s\n", trc_synth_scenario_name(i),
			trc_synth_scenario_summary(i));
	}
}

int cmd_synth(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"events", required_argument, NULL, 'n'},
		{"vcpus", required_argument, NULL, 'c'},
		{"vms", required_argument, NULL, 'm'},
		{"seed", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"gpaw", required_argument, NULL, 'g'},
		{"mem", required_argument, NULL, 'M'},
		{"kernel-profile", required_argument, NULL, 'k'},
		{"json", no_argument, NULL, 'j'},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct trc_synth_opts o = {
		.scenario = TRC_SCN_CLEAN,
		.events = 20000,
		.vcpus = 2,
		.vms = 1,
		.seed = 1,
		.gpaw = 48,
		.profile = TRC_PROFILE_619,
	};
	struct trc_synth_result res;
	const char *out = NULL;
	bool json = false;
	bool ctf = false;
	char err[512];
	uint64_t v;
	int c, fd, scn;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:n:c:m:s:f:g:M:k:jlh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, 1ull << 40, &o.events)) {
				return cli_usage_error("synth", "--events takes a count, not '%s'",
						       optarg);
			}
			break;
		case 'c':
			if (parse_u64(optarg, 64, &v) || v < 1) {
				return cli_usage_error("synth", "--vcpus takes 1..64, not '%s'",
						       optarg);
			}
			o.vcpus = (unsigned int)v;
			break;
		case 'm':
			if (parse_u64(optarg, 8, &v) || v < 1) {
				return cli_usage_error("synth", "--vms takes 1..8, not '%s'",
						       optarg);
			}
			o.vms = (unsigned int)v;
			break;
		case 's':
			if (parse_u64(optarg, UINT64_MAX, &o.seed)) {
				return cli_usage_error("synth", "--seed takes a number, not '%s'",
						       optarg);
			}
			break;
		case 'f':
			if (strcmp(optarg, "ftrace") == 0 || strcmp(optarg, "ctf") == 0) {
				ctf = strcmp(optarg, "ctf") == 0;
				break;
			}
			return cli_usage_error("synth", "--format takes ftrace or ctf, not '%s'",
					       optarg);
		case 'g':
			if (strcmp(optarg, "48") && strcmp(optarg, "52")) {
				return cli_usage_error("synth", "--gpaw takes 48 or 52, not '%s'",
						       optarg);
			}
			o.gpaw = (unsigned int)atoi(optarg);
			break;
		case 'M':
			if (parse_u64(optarg, TRC_SYNTH_MAX_MEM_MB, &v) || v < 16) {
				return cli_usage_error("synth",
						       "--mem takes 16..%u (MiB), not '%s'",
						       TRC_SYNTH_MAX_MEM_MB, optarg);
			}
			o.mem_mb = (unsigned int)v;
			break;
		case 'k':
			if (strcmp(optarg, "6.16") == 0) {
				o.profile = TRC_PROFILE_616;
			} else if (strcmp(optarg, "6.19") == 0) {
				o.profile = TRC_PROFILE_619;
			} else {
				return cli_usage_error(
					"synth", "--kernel-profile takes 6.16 or 6.19, not '%s'",
					optarg);
			}
			break;
		case 'j':
			json = true;
			break;
		case 'l':
			list_scenarios(stdout);
			return TDXR_EXIT_OK;
		case 'h':
			cli_print_usage(stdout, "synth");
			list_scenarios(stdout);
			return TDXR_EXIT_OK;
		default:
			return cli_usage_error("synth", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1) {
		return cli_usage_error("synth", "expected one SCENARIO");
	}
	scn = trc_synth_scenario_parse(argv[optind]);
	if (scn < 0) {
		fprintf(stderr, "tdxr synth: unknown scenario '%s'; scenarios:\n", argv[optind]);
		list_scenarios(stderr);
		return TDXR_EXIT_USAGE;
	}
	o.scenario = (enum trc_synth_scenario)scn;
	if (!out) {
		return cli_usage_error("synth", "-o OUT is required");
	}
	if (ctf) {
		char helper[PATH_MAX];
		int r;

		if (strcmp(out, "-") == 0) {
			return cli_usage_error("synth", "--format ctf writes a directory: -o - is "
							"not possible");
		}
		helper_path(helper, sizeof(helper));
		r = trc_synth_ctf(&o, out, helper, &res, err, sizeof(err));
		if (r) {
			fprintf(stderr, "tdxr synth: %s: %s\n", out, err);
			return TDXR_EXIT_USAGE;
		}
		goto done;
	}
	if (strcmp(out, "-") == 0) {
		if (json) {
			return cli_usage_error("synth",
					       "--json writes to stdout: -o - cannot share it");
		}
		fd = STDOUT_FILENO;
	} else {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "tdxr synth: %s: %s\n", out, strerror(errno));
			return TDXR_EXIT_USAGE;
		}
	}
	if (trc_synth_write(&o, fd, &res, err, sizeof(err))) {
		fprintf(stderr, "tdxr synth: %s: %s\n", out, err);
		if (fd != STDOUT_FILENO) {
			close(fd);
		}
		return TDXR_EXIT_USAGE;
	}
	if (fd != STDOUT_FILENO && close(fd)) {
		fprintf(stderr, "tdxr synth: %s: %s\n", out, strerror(errno));
		return TDXR_EXIT_USAGE;
	}
done:
	if (res.injected) {
		fprintf(stderr, "injected %s at seq %" PRIu64 " line %" PRIu64 "\n",
			trc_synth_scenario_name(o.scenario), res.inj_seq, res.inj_line);
	} else if (o.scenario != TRC_SCN_CLEAN) {
		fprintf(stderr, "tdxr synth: %s: the injection did not happen\n", out);
		return TDXR_EXIT_USAGE;
	}
	if (json) {
		printf("{\"scenario\":\"%s\",\"seed\":%" PRIu64 ",\"kernel_profile\":\"%s\","
		       "\"events\":%" PRIu64 ",\"lines\":%" PRIu64 ",\"bytes\":%" PRIu64
		       ",\"lost\":%" PRIu64 ",\"injected\":",
		       trc_synth_scenario_name(o.scenario), o.seed,
		       o.profile == TRC_PROFILE_616 ? "6.16" : "6.19", res.events, res.lines,
		       res.bytes, res.lost);
		if (res.injected) {
			printf("{\"kind\":\"%s\",\"seq\":%" PRIu64 ",\"line\":%" PRIu64
			       ",\"vm\":%d",
			       trc_synth_scenario_name(o.scenario), res.inj_seq, res.inj_line,
			       res.inj_vm);
			if (res.inj_marker_line) {
				printf(",\"marker_line\":%" PRIu64, res.inj_marker_line);
			}
			printf("}}\n");
		} else {
			printf("null}\n");
		}
	}
	return TDXR_EXIT_OK;
}
