// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/capture/run.c - the command `tdxr record` traces: started with
 * the VMM shim preloaded, waited for, SIGINT/SIGTERM passed on to it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tdxr/capture.h"

/* Set by the handler, read by trc_run_command once waitpid returns. */
static volatile sig_atomic_t got_signal;
static volatile pid_t child_pid;

static void on_signal(int sig)
{
	got_signal = sig;
	if (child_pid > 0) {
		kill(child_pid, sig);
	}
}

static void exec_child(char **argv, const char *shim)
{
	/* Default actions, even when we were started with SIGINT ignored
	 * (a background job): Ctrl-C, passed on, must end COMMAND. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (shim) {
		const char *pre = getenv("LD_PRELOAD");
		char *v;

		if (asprintf(&v, "%s%s%s", shim, pre && *pre ? ":" : "", pre ? pre : "") < 0) {
			_exit(127);
		}
		setenv("LD_PRELOAD", v, 1);
		setenv("LTTNG_UST_ALLOW_BLOCKING", "1", 1);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "tdxr record: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int trc_run_command(char **argv, const char *shim, int *status, int *signal_seen, char *err,
		    size_t errlen)
{
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	pid_t pid;
	int r = 0;

	got_signal = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		r = -1;
		goto out;
	}
	if (pid == 0) {
		exec_child(argv, shim);
	}
	child_pid = pid;
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			r = -1;
			break;
		}
	}
	child_pid = 0;
out:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	*signal_seen = got_signal;
	return r;
}
