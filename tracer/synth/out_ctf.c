// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/synth/out_ctf.c - `tdxr synth --format ctf`: the generator's
 * events written as CTF through the tdxr_kernel LTTng-UST provider
 * (docs/design.md §2.4), under a private lttng-sessiond.
 *
 * tdxr itself never loads LTTng-UST (every tdxr command would register
 * with whatever session daemon runs). A helper, tdxr-synth-ust
 * (tracer/ust/synth_ust.c), runs trc_synth_run() and fires one tracepoint
 * per event, carrying k_ts, k_cpu, k_tid and k_comm in the payload. This
 * file runs it:
 *
 *   tdxr synth ── fork ─► manager: unshare -m, private tmpfs on
 *       │                 /var/run/lttng and /dev/shm, LTTNG_HOME in a
 *       │                 private run directory; lttng-sessiond (its
 *       │                 child, foreground: we wait on its pid); session
 *       │                 writing to OUT, one blocking channel,
 *       │                 tdxr_kernel:*; the helper with
 *       │                 LTTNG_UST_ALLOW_BLOCKING=1; stop, count
 *       │                 discards, destroy, SIGTERM the daemon, wait.
 *       └─ reads the manager's and the helper's report lines from a pipe,
 *          waits on the manager, removes the run directory.
 *
 * A parallel run has its own namespace (or, unprivileged, its own
 * per-user daemon under its own LTTNG_HOME), so runs never see each
 * other's events. Whatever fails, the daemon is stopped before the
 * manager exits, and the namespace (with its mounts) dies with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lttng/lttng.h>

#include "syn.h"
#include "ust_session.h"

#define CTF_SESSION "tdxr-synth"
#define CTF_CHANNEL "tdxr"

/* ---- the helper's command line ---------------------------------------------------- */

int trc_synth_opts_to_argv(const struct trc_synth_opts *o, char buf[][24], char **argv, int max)
{
	if (max < 9) {
		return -1;
	}
	argv[0] = (char *)trc_synth_scenario_name(o->scenario);
	snprintf(buf[0], 24, "%" PRIu64, o->events);
	snprintf(buf[1], 24, "%u", o->vcpus);
	snprintf(buf[2], 24, "%u", o->vms);
	snprintf(buf[3], 24, "%" PRIu64, o->seed);
	snprintf(buf[4], 24, "%u", o->gpaw);
	snprintf(buf[5], 24, "%u", o->mem_mb);
	snprintf(buf[6], 24, "%s", o->profile == TRC_PROFILE_616 ? "6.16" : "6.19");
	for (int i = 0; i < 7; i++) {
		argv[1 + i] = buf[i];
	}
	argv[8] = NULL;
	return 8;
}

static int arg_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-') {
		return -1;
	}
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end || *v > max ? -1 : 0;
}

int trc_synth_opts_from_argv(int argc, char **argv, struct trc_synth_opts *o)
{
	uint64_t v[6];
	int scn;

	if (argc != 8 || (scn = trc_synth_scenario_parse(argv[0])) < 0) {
		return -1;
	}
	if (arg_u64(argv[1], 1ull << 40, &v[0]) || arg_u64(argv[2], 64, &v[1]) ||
	    arg_u64(argv[3], 8, &v[2]) || arg_u64(argv[4], UINT64_MAX, &v[3]) ||
	    arg_u64(argv[5], 52, &v[4]) || arg_u64(argv[6], SYN_MAX_MEM_MB, &v[5])) {
		return -1;
	}
	memset(o, 0, sizeof(*o));
	o->scenario = (enum trc_synth_scenario)scn;
	o->events = v[0];
	o->vcpus = (unsigned int)v[1];
	o->vms = (unsigned int)v[2];
	o->seed = v[3];
	o->gpaw = (unsigned int)v[4];
	o->mem_mb = (unsigned int)v[5];
	if (strcmp(argv[7], "6.16") == 0) {
		o->profile = TRC_PROFILE_616;
	} else if (strcmp(argv[7], "6.19") == 0) {
		o->profile = TRC_PROFILE_619;
	} else {
		return -1;
	}
	return 0;
}

/* ---- the manager (a child process) --------------------------------------------------- */

struct mgr {
	int report;	 /* pipe to the parent: "ERR ...", "SKIP ..." lines */
	const char *run; /* private run directory */
	const char *out; /* absolute output directory */
	const char *helper;
	char **hargv;
	pid_t daemon;
	struct ust_session ust;
};

static void report(struct mgr *m, const char *kind, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n = snprintf(line, sizeof(line), "%s ", kind);

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++) {
		if (*p == '\n') {
			*p = ' ';
		}
	}
	n = (int)strlen(line);
	line[n++] = '\n';
	if (write(m->report, line, (size_t)n) < 0) {
		/* the parent is gone: nothing to tell */
	}
}

/* What a program we start sees: the default dispositions (SIG_IGN survives exec). */
static void default_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

/* The first line of the daemon's log, for messages. */
static void log_head(const struct mgr *m, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	buf[0] = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/sessiond.log", m->run) >= sizeof(path)) {
		return;
	}
	f = fopen(path, "r");
	if (!f) {
		return;
	}
	if (!fgets(buf, (int)len, f)) {
		buf[0] = '\0';
	}
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* A private mount namespace with its own LTTng run directory and /dev/shm. */
static int private_mounts(struct mgr *m)
{
	if (unshare(CLONE_NEWNS) < 0) {
		if (geteuid() == 0) {
			report(m, "SKIP", "cannot create a private mount namespace: %s",
			       strerror(errno));
			return -1;
		}
		return 0; /* unprivileged: a per-user daemon under our LTTNG_HOME */
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		report(m, "SKIP", "cannot make the mounts private: %s", strerror(errno));
		return -1;
	}
	mkdir("/var/run/lttng", 0755);
	if (mount("tmpfs", "/var/run/lttng", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
		report(m, "SKIP", "cannot mount a private /var/run/lttng: %s", strerror(errno));
		return -1;
	}
	if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0) {
		report(m, "SKIP", "cannot mount a private /dev/shm: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int start_daemon(struct mgr *m)
{
	char log[PATH_MAX], head[256];
	int st;

	if ((size_t)snprintf(log, sizeof(log), "%s/sessiond.log", m->run) >= sizeof(log)) {
		report(m, "ERR", "run directory path too long");
		return -1;
	}
	m->daemon = fork();
	if (m->daemon < 0) {
		report(m, "ERR", "fork: %s", strerror(errno));
		return -1;
	}
	if (m->daemon == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		default_signals();
		int null = open("/dev/null", O_RDONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (null >= 0) {
			dup2(null, 0);
		}
		/* In the foreground: it is our child, we wait on its pid. */
		execlp("lttng-sessiond", "lttng-sessiond", "--no-kernel", (char *)NULL);
		fprintf(stderr, "lttng-sessiond: %s\n", strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		if (waitpid(m->daemon, &st, WNOHANG) == m->daemon) {
			m->daemon = 0;
			log_head(m, head, sizeof(head));
			report(m, "SKIP", "lttng-sessiond does not start (%s %d): %s",
			       WIFEXITED(st) ? "exit" : "signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), head);
			return -1;
		}
		if (lttng_session_daemon_alive() == 1) {
			return 0;
		}
		sleep_ms(50);
	}
	report(m, "SKIP", "the private lttng-sessiond does not answer after 10 s");
	return -1;
}

static void stop_daemon(struct mgr *m)
{
	int st;

	if (m->daemon <= 0) {
		return;
	}
	kill(m->daemon, SIGTERM);
	for (int i = 0; i < 300; i++) {
		if (waitpid(m->daemon, &st, WNOHANG) == m->daemon) {
			m->daemon = 0;
			return;
		}
		sleep_ms(50);
	}
	kill(m->daemon, SIGKILL);
	waitpid(m->daemon, &st, 0);
	m->daemon = 0;
}

static int start_session(struct mgr *m)
{
	char err[256];

	m->ust.name = CTF_SESSION;
	m->ust.out = m->out;
	m->ust.channel = CTF_CHANNEL;
	m->ust.events = "tdxr_kernel:*";
	m->ust.subbuf_size = 1u << 20;
	m->ust.num_subbuf = 8;
	/* blocking, with LTTNG_UST_ALLOW_BLOCKING=1 in the helper */
	if (trc_ust_session_start(&m->ust, err, sizeof(err)) < 0) {
		report(m, "ERR", "lttng: %s", err);
		return -1;
	}
	return 0;
}

/* Stops the session (the data is then on disk); returns the events LTTng lost. */
static uint64_t stop_session(struct mgr *m)
{
	uint64_t discarded = 0, lost = 0;

	trc_ust_session_stop(&m->ust, &discarded, &lost);
	return discarded + lost;
}

static int run_helper(struct mgr *m)
{
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		report(m, "ERR", "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		default_signals();
		dup2(m->report, 1);
		setenv("LTTNG_UST_ALLOW_BLOCKING", "1", 1);
		/* Registration must finish before the first event, or it is not recorded. */
		setenv("LTTNG_UST_REGISTER_TIMEOUT", "30000", 1);
		execv(m->helper, m->hargv);
		report(m, "ERR", "cannot run %s: %s", m->helper, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			report(m, "ERR", "waitpid: %s", strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		report(m, "ERR", "%s %s %d", m->helper,
		       WIFEXITED(st) ? "exited" : "killed by signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		return -1;
	}
	return 0;
}

static int manage(struct mgr *m)
{
	char home[PATH_MAX];
	int r = 1;

	/* Ctrl-C reaches the whole group (the writer and the daemon stop): the
	 * manager itself stays to clean up, and may outlive its reader. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if ((size_t)snprintf(home, sizeof(home), "%s/home", m->run) >= sizeof(home) ||
	    mkdir(home, 0700) < 0 || setenv("LTTNG_HOME", home, 1) < 0) {
		report(m, "ERR", "%s: %s", home, strerror(errno));
		return 1;
	}
	if (private_mounts(m) < 0 || start_daemon(m) < 0) {
		stop_daemon(m);
		return 77;
	}
	if (start_session(m) == 0 && run_helper(m) == 0) {
		uint64_t lost = stop_session(m);

		if (lost) {
			report(m, "ERR", "LTTng discarded %" PRIu64 " events or packets", lost);
		} else {
			r = 0;
		}
	}
	stop_session(m);
	stop_daemon(m);
	return r;
}

/* ---- the parent -------------------------------------------------------------------- */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static int check_out(const char *out, char *abs, size_t len, char *err, size_t errlen)
{
	struct stat sb;
	char cwd[PATH_MAX];

	if (stat(out, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode)) {
			snprintf(err, errlen, "exists and is not a directory (CTF is a directory)");
			return -1;
		}
		/* an empty directory only: never write into an old trace */
		if (rmdir(out) < 0) {
			snprintf(err, errlen, "exists and is not empty (%s)", strerror(errno));
			return -1;
		}
	}
	if (out[0] == '/') {
		if ((size_t)snprintf(abs, len, "%s", out) >= len) {
			snprintf(err, errlen, "path too long");
			return -1;
		}
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)) || (size_t)snprintf(abs, len, "%s/%s", cwd, out) >= len) {
		snprintf(err, errlen, "cannot make the path absolute");
		return -1;
	}
	return 0;
}

/* Parses the helper's "RES ..." line into @res. */
static int parse_res(const char *l, struct trc_synth_result *res)
{
	unsigned long long ev, lines, bytes, lost, seq, line, mline;
	int inj, vm;

	if (sscanf(l, "RES %llu %llu %llu %llu %d %llu %llu %llu %d", &ev, &lines, &bytes, &lost,
		   &inj, &seq, &line, &mline, &vm) != 9) {
		return -1;
	}
	res->events = ev;
	res->lines = lines;
	res->bytes = bytes;
	res->lost = lost;
	res->injected = inj != 0;
	res->inj_seq = seq;
	res->inj_line = line;
	res->inj_marker_line = mline;
	res->inj_vm = vm;
	return 0;
}

int trc_synth_ctf(const struct trc_synth_opts *o, const char *out, const char *helper,
		  struct trc_synth_result *res, char *err, size_t errlen)
{
	char abs[PATH_MAX], run[PATH_MAX], buf[24][24], *hargv[12], msgs[8192];
	const char *tmp = getenv("TMPDIR");
	struct mgr m = {.helper = helper, .hargv = hargv};
	struct sigaction sa, old_int, old_term;
	size_t got = 0;
	bool have_res = false;
	int pfd[2], st, r = -1;
	pid_t pid;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	if (o->scenario == TRC_SCN_LOST_EVENTS) {
		snprintf(err, errlen,
			 "lost-events is ftrace-only: a CTF trace's losses are LTTng's own "
			 "discard counts, which a writer cannot inject");
		return -1;
	}
	if (access(helper, X_OK) < 0) {
		snprintf(err, errlen, "cannot run the CTF writer %s: %s", helper, strerror(errno));
		return -1;
	}
	if (check_out(out, abs, sizeof(abs), err, errlen) < 0) {
		return -1;
	}
	hargv[0] = (char *)helper;
	trc_synth_opts_to_argv(o, buf, hargv + 1, 11);
	snprintf(run, sizeof(run), "%s/tdxr-synth-ctf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(run)) {
		snprintf(err, errlen, "%s: %s", run, strerror(errno));
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto out_run;
	}
	m.report = pfd[1];
	m.run = run;
	m.out = abs;
	/* A signal now stops the writer; we wait for the manager's cleanup. */
	got_signal = 0;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		goto out_sig;
	}
	if (pid == 0) {
		close(pfd[0]);
		_exit(manage(&m));
	}
	close(pfd[1]);
	while ((n = read(pfd[0], msgs + got, sizeof(msgs) - 1 - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			break;
		}
		got += (size_t)n;
		if (got == sizeof(msgs) - 1) {
			char sink[512];

			/* keep draining so nobody blocks on a full pipe */
			while (read(pfd[0], sink, sizeof(sink)) > 0) {
			}
			break;
		}
	}
	msgs[got] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	err[0] = '\0';
	for (char *l = strtok(msgs, "\n"); l; l = strtok(NULL, "\n")) {
		if (strncmp(l, "RES ", 4) == 0) {
			have_res = parse_res(l, res) == 0;
		} else if (strncmp(l, "ERR ", 4) == 0 || strncmp(l, "SKIP ", 5) == 0) {
			if (!err[0]) {
				snprintf(err, errlen, "%s%s",
					 l[0] == 'S' ? "LTTng is not usable here: " : "",
					 strchr(l, ' ') + 1);
			}
		}
	}
	if (got_signal) {
		snprintf(err, errlen, "interrupted by signal %d", (int)got_signal);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		r = 77;
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && have_res) {
		r = 0;
	} else if (!err[0]) {
		snprintf(err, errlen, "the CTF writer failed (status 0x%x)", st);
	}
out_sig:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out_run:
	nftw(run, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return r;
}
