// SPDX-License-Identifier: GPL-2.0
/*
 * cli/cmd_record.c - `tdxr record -o DIR [--kernel] [--vmm] -- COMMAND...`:
 * the options and the messages; the capture itself is tracer/capture
 * (include/tdxr/capture.h).
 *
 * --kernel: a private tracefs instance with the schema's events, streamed
 *   while COMMAND runs and saved as DIR/kernel.dat.
 * --vmm: an LTTng-UST session writing DIR/vmm/; COMMAND runs with the VMM
 *   shim preloaded.
 * Neither flag: both. COMMAND's exit (or Ctrl-C, forwarded to it) ends
 * the capture; DIR/meta.json says what was captured and lost.
 *
 * Exit: COMMAND's exit status when the capture worked (128+N for a
 * signal), 2 when the capture could not be set up or saved.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "tdxr/capture.h"

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tdxr record: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* What the started kernel capture could not have. */
static void report_kernel_start(const struct trc_kernel *k, unsigned long buffer_kb)
{
	struct trc_kernel_info ki;

	trc_kernel_get_info(k, &ki);
	if (ki.buffer_kb_refused) {
		msg("warning: cannot set buffer_size_kb to %lu", buffer_kb);
	}
	if (ki.nr_missing) {
		fprintf(stderr, "tdxr record: this kernel lacks %u event(s):", ki.nr_missing);
		for (unsigned int i = 0; i < ki.nr_missing; i++) {
			fprintf(stderr, " %s", ki.missing[i]);
		}
		fputc('\n', stderr);
	}
}

/* An existing DIR must not hold a finished recording. */
static int make_dir(const char *dir)
{
	char mp[PATH_MAX];
	struct stat sb;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		msg("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(mp, sizeof(mp), "%s/meta.json", dir);
	if (stat(mp, &sb) == 0) {
		msg("%s already holds a recording (meta.json): choose another -o DIR", dir);
		return -1;
	}
	return 0;
}

/* The recording of COMMAND: start, run, stop, meta.json. Returns the exit code. */
static int record_command(const char *dir, bool kernel, bool vmm, const char *events,
			  unsigned long buffer_kb, char **cmd)
{
	struct trc_kernel_opts ko = {.dir = dir, .events = events, .buffer_kb = buffer_kb};
	struct trc_kernel *k = NULL;
	struct trc_vmm *v = NULL;
	struct trc_kernel_info ki = {0};
	struct trc_vmm_info vi = {0};
	char *shim = NULL, err[512];
	int status = 0, sig = 0, ret = TDXR_EXIT_USAGE;

	if (vmm) {
		shim = trc_vmm_shim_path();
		if (!shim || access(shim, R_OK) != 0) {
			msg("--vmm: cannot find libtdxr-vmm.so next to tdxr (set TDXR_VMM_SHIM)");
			goto out;
		}
		if (trc_vmm_start(dir, &v, err, sizeof(err)) < 0) {
			msg("--vmm: %s", err);
			goto out;
		}
		trc_vmm_get_info(v, &vi);
	}
	if (kernel) {
		if (trc_kernel_start(&ko, &k, err, sizeof(err)) < 0) {
			msg("--kernel: %s", err);
			goto out;
		}
		report_kernel_start(k, buffer_kb);
		trc_kernel_get_info(k, &ki);
	}
	msg("recording into %s (%s%s%s%s%s); running %s", dir,
	    kernel ? "kernel: tracefs instance " : "", kernel ? ki.instance : "",
	    kernel && vmm ? ", " : "", vmm ? "vmm: LTTng session " : "", vmm ? vi.session : "",
	    cmd[0]);
	if (trc_run_command(cmd, vmm ? shim : NULL, &status, &sig, err, sizeof(err)) < 0) {
		msg("%s", err);
		goto out;
	}
	if (kernel && trc_kernel_stop(k, err, sizeof(err)) < 0) {
		msg("%s", err);
		goto out;
	}
	if (vmm) {
		trc_vmm_stop(v);
	}
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	{
		struct trc_meta m = {.kernel = k, .vmm = v, .command = cmd, .command_status = ret};

		if (trc_meta_write(dir, &m, err, sizeof(err)) < 0) {
			msg("%s", err);
			ret = TDXR_EXIT_USAGE;
			goto out;
		}
	}
	if (kernel) {
		trc_kernel_get_info(k, &ki);
		if (ki.overrun || ki.dropped) {
			msg("warning: the kernel buffer lost events (overrun %llu, dropped %llu)",
			    (unsigned long long)ki.overrun, (unsigned long long)ki.dropped);
		}
	}
	if (vmm) {
		trc_vmm_get_info(v, &vi);
		if (vi.discarded || vi.lost_packets) {
			msg("warning: LTTng discarded %llu events, lost %llu packets",
			    (unsigned long long)vi.discarded, (unsigned long long)vi.lost_packets);
		}
	}
	if (sig) {
		msg("interrupted; what was captured is saved");
	}
	msg("done. Replay with:\n  tdxr replay %s", dir);
out:
	trc_kernel_free(k);
	trc_vmm_free(v);
	free(shim);
	return ret;
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"kernel", no_argument, NULL, 'k'},
		{"vmm", no_argument, NULL, 'v'},
		{"events", required_argument, NULL, 'e'},
		{"buffer-kb", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool kernel = false, vmm = false;
	const char *events = NULL, *dir = NULL;
	unsigned long buffer_kb = 65536;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:kve:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'k':
			kernel = true;
			break;
		case 'v':
			vmm = true;
			break;
		case 'e':
			events = optarg;
			break;
		case 'b': {
			char *end;

			buffer_kb = strtoul(optarg, &end, 10);
			if (*end || buffer_kb < 64) {
				return cli_usage_error("record",
						       "--buffer-kb takes a size >= 64, not '%s'",
						       optarg);
			}
			break;
		}
		case 'h':
			cli_print_usage(stdout, "record");
			return TDXR_EXIT_OK;
		default:
			return cli_usage_error("record", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!dir) {
		return cli_usage_error("record", "-o DIR is required");
	}
	if (optind >= argc) {
		return cli_usage_error("record",
				       "no COMMAND given (tdxr record -o DIR -- COMMAND...)");
	}
	if (!kernel && !vmm) {
		kernel = vmm = true;
	}
	if (events && !kernel) {
		return cli_usage_error("record",
				       "--events selects kernel events: it needs --kernel");
	}
	if (make_dir(dir) < 0) {
		return TDXR_EXIT_USAGE;
	}
	return record_command(dir, kernel, vmm, events, buffer_kb, argv + optind);
}
