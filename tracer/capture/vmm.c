// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/capture/vmm.c - the VMM's events through LTTng-UST: a session on
 * the running lttng-sessiond, or on a private one started and stopped
 * here, with a blocking channel enabling tdxr_vmm:* plus the
 * vtid/vpid/procname contexts, writing CTF to DIR/vmm/. The traced VMM
 * runs with the shim (tracer/ust/shim.c) preloaded and
 * LTTNG_UST_ALLOW_BLOCKING=1 (trc_run_command).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lttng/lttng.h>

#include "tdxr/capture.h"
#include "ust_session.h"

struct trc_vmm {
	char session[64];
	char out[PATH_MAX + 16]; /* DIR/vmm, absolute */
	bool private_daemon;
	pid_t daemon; /* the private lttng-sessiond, 0 when none */
	struct ust_session ust;
	bool stopped;
	uint64_t discarded, lost_packets;
};

/* A private lttng-sessiond in the foreground, so we can wait on its pid. */
static int start_daemon(struct trc_vmm *v, char *err, size_t errlen)
{
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp("lttng-sessiond", "lttng-sessiond", "--no-kernel", "--quiet", (char *)NULL);
		_exit(127);
	}
	v->daemon = pid;
	v->private_daemon = true;
	for (int i = 0; i < 100 && !lttng_session_daemon_alive(); i++) {
		struct timespec ts = {0, 50 * 1000 * 1000};
		int st;

		if (waitpid(pid, &st, WNOHANG) == pid) {
			v->daemon = 0;
			snprintf(err, errlen,
				 "lttng-sessiond exited at start (status %d); is it installed?",
				 st);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	if (!lttng_session_daemon_alive()) {
		snprintf(err, errlen, "the lttng-sessiond we started does not answer");
		return -1;
	}
	return 0;
}

int trc_vmm_start(const char *dir, struct trc_vmm **out, char *err, size_t errlen)
{
	static const enum lttng_event_context_type ctxs[] = {
		LTTNG_EVENT_CONTEXT_VTID, LTTNG_EVENT_CONTEXT_VPID, LTTNG_EVENT_CONTEXT_PROCNAME};
	struct trc_vmm *v = calloc(1, sizeof(*v));
	char e[256];

	*out = v;
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!lttng_session_daemon_alive() && start_daemon(v, err, errlen) < 0) {
		return -1;
	}
	snprintf(v->session, sizeof(v->session), "tdxr-record-%d", (int)getpid());
	if (dir[0] == '/') {
		snprintf(v->out, sizeof(v->out), "%.4000s/vmm", dir);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd))) {
			snprintf(err, errlen, "getcwd: %s", strerror(errno));
			return -1;
		}
		if ((size_t)snprintf(v->out, sizeof(v->out), "%.2000s/%.2000s/vmm", cwd, dir) >=
		    sizeof(v->out)) {
			snprintf(err, errlen, "path too long: %s", dir);
			return -1;
		}
	}
	v->ust.name = v->session;
	v->ust.out = v->out;
	v->ust.channel = "tdxr";
	v->ust.events = "tdxr_vmm:*";
	v->ust.subbuf_size = 4u << 20;
	v->ust.num_subbuf = 8;
	v->ust.ctxs = ctxs;
	v->ust.nr_ctxs = sizeof(ctxs) / sizeof(ctxs[0]);
	if (trc_ust_session_start(&v->ust, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s", e);
		return -1;
	}
	return 0;
}

void trc_vmm_stop(struct trc_vmm *v)
{
	if (!v->stopped) {
		trc_ust_session_stop(&v->ust, &v->discarded, &v->lost_packets);
		v->stopped = true;
	}
}

void trc_vmm_get_info(const struct trc_vmm *v, struct trc_vmm_info *out)
{
	out->session = v->session;
	out->private_daemon = v->private_daemon;
	out->discarded = v->discarded;
	out->lost_packets = v->lost_packets;
}

void trc_vmm_free(struct trc_vmm *v)
{
	if (!v) {
		return;
	}
	trc_vmm_stop(v);
	if (v->private_daemon && v->daemon > 0) {
		int st;

		kill(v->daemon, SIGTERM);
		waitpid(v->daemon, &st, 0);
	}
	free(v);
}

char *trc_vmm_shim_path(void)
{
	const char *env = getenv("TDXR_VMM_SHIM");
	char self[PATH_MAX], *slash, *p;
	ssize_t n;

	if (env && *env) {
		return strdup(env);
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		return NULL;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash) {
		return NULL;
	}
	*slash = '\0';
	if (asprintf(&p, "%s/libtdxr-vmm.so", self) < 0) {
		return NULL;
	}
	if (access(p, R_OK) != 0) {
		free(p);
		if (asprintf(&p, "%s/../lib/tdxr/libtdxr-vmm.so", self) < 0) {
			return NULL;
		}
	}
	return p;
}
