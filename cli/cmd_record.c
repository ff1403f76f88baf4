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
 *
 * `tdxr record --flight -o DIR [--until SPEC] ...`: the flight recorder
 * (trc_flight_run); the exit code says which stop condition fired.
 */
#include <errno.h>
#include <fcntl.h>
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

static void print_note(void *arg, const char *line)
{
	if (!*(const bool *)arg) {
		msg("%s", line);
	}
}

struct flight_args {
	const char *until, *for_s, *after, *pid_file, *until_finding;
	bool quiet;
};

/* Writes the pid file: "PID\n". */
static int write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
		msg("cannot write the pid file %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The flight recorder: options checked, armed, the result told. Returns the exit code. */
static int record_flight(const char *dir, const char *events, unsigned long buffer_kb,
			 const struct flight_args *a)
{
	struct trc_flight_opts o = {.dir = dir,
				    .events = events,
				    .buffer_kb = buffer_kb,
				    .warn_stop = true,
				    .until = a->until,
				    .note = print_note,
				    .note_arg = (void *)&a->quiet};
	struct trc_flight_result r;
	struct trc_check *chk = NULL;
	enum mdl_severity sev = MDL_SEV_ERROR;
	char sys[64], ev[128], err[1024];
	int ret;

	if (a->until_finding) {
		if (strcmp(a->until_finding, "warning") == 0) {
			sev = MDL_SEV_WARNING;
		} else if (strcmp(a->until_finding, "error") != 0) {
			return cli_usage_error("record",
					       "--until-finding takes error or warning, not '%s'",
					       a->until_finding);
		}
	}

	if (a->for_s && (o.for_s = trc_parse_duration(a->for_s)) < 0) {
		return cli_usage_error("record",
				       "--for takes a duration (30, 30s, 500ms, 10m, 2h), not '%s'",
				       a->for_s);
	}
	if (a->after) {
		char *end;

		o.after = strtoull(a->after, &end, 10);
		if (*end || !*a->after || !a->until) {
			return cli_usage_error("record",
					       "--after takes a count of events and needs --until");
		}
	}
	if (a->until) {
		if (trc_parse_until(a->until, sys, sizeof(sys), ev, sizeof(ev), &o.until_filter,
				    err, sizeof(err)) < 0) {
			return cli_usage_error("record", "%s", err);
		}
		o.until_sys = sys;
		o.until_event = ev;
	} else if (trc_kernel_has_event("kvm", "kvm_vm_bugged")) {
		o.until_sys = "kvm";
		o.until_event = "kvm_vm_bugged";
		o.until = "kvm/kvm_vm_bugged";
	}
	if (make_dir(dir) < 0) {
		return TDXR_EXIT_USAGE;
	}
	if (a->pid_file && write_pid_file(a->pid_file) < 0) {
		return TDXR_EXIT_USAGE;
	}
	if (a->until_finding) {
		if (trc_check_start(dir, events, buffer_kb, sev, &chk, err, sizeof(err)) < 0) {
			msg("--until-finding: %s", err);
			trc_check_free(chk, NULL);
			if (a->pid_file) {
				unlink(a->pid_file);
			}
			return TDXR_EXIT_USAGE;
		}
		o.check = trc_check_poll;
		o.check_arg = chk;
	}
	ret = trc_flight_run(&o, &r, err, sizeof(err));
	if (chk) {
		uint64_t checked = 0;

		trc_check_free(chk, &checked);
		if (!a->quiet) {
			msg("live check: %llu events checked", (unsigned long long)checked);
		}
	}
	if (ret < 0) {
		msg("%s", err);
		ret = TDXR_EXIT_USAGE;
	} else {
		if (!a->quiet) {
			msg("stopped (%s%s%s): %llu events saved, %llu overwritten before; in %s",
			    r.reason, r.detail[0] ? ": " : "", r.detail,
			    (unsigned long long)r.entries, (unsigned long long)r.overrun, dir);
			msg("done. Replay with:\n  tdxr replay %s", dir);
		}
		ret = (int)r.stop;
	}
	if (a->pid_file) {
		unlink(a->pid_file);
	}
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
		{"flight", no_argument, NULL, 'F'},
		{"until", required_argument, NULL, 'U'},
		{"for", required_argument, NULL, 'D'},
		{"after", required_argument, NULL, 'A'},
		{"quiet", no_argument, NULL, 'q'},
		{"pid-file", required_argument, NULL, 'P'},
		{"until-finding", required_argument, NULL, 'X'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct flight_args fa = {0};
	bool kernel = false, vmm = false, flight = false;
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
		case 'F':
			flight = true;
			break;
		case 'U':
			fa.until = optarg;
			break;
		case 'D':
			fa.for_s = optarg;
			break;
		case 'A':
			fa.after = optarg;
			break;
		case 'q':
			fa.quiet = true;
			break;
		case 'P':
			fa.pid_file = optarg;
			break;
		case 'X':
			fa.until_finding = optarg;
			break;
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
	if (flight) {
		if (optind < argc) {
			return cli_usage_error("record",
					       "--flight takes no COMMAND: it records the "
					       "whole host until a stop condition");
		}
		if (vmm) {
			return cli_usage_error("record", "--flight records the kernel only");
		}
		return record_flight(dir, events, buffer_kb, &fa);
	}
	if (fa.until || fa.for_s || fa.after || fa.quiet || fa.pid_file || fa.until_finding) {
		return cli_usage_error("record",
				       "--until, --after, --for, --until-finding, --quiet "
				       "and --pid-file go with --flight");
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
