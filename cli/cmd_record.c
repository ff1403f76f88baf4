// SPDX-License-Identifier: GPL-2.0
/*
 * cli/cmd_record.c - `tdxr record -o DIR [--kernel] [--vmm] -- COMMAND...`
 *
 * --kernel: a private tracefs instance (global tracing state untouched)
 *   with the §2.1/§2.2 events the running kernel has, trace_clock mono and
 *   a large buffer; a thread streams each CPU's raw pages (trace_pipe_raw)
 *   into DIR/.kernel/cpuN while COMMAND runs, so long runs do not
 *   overflow; at the end they are assembled into DIR/kernel.dat (trace.dat
 *   v6, tracer/ust/datw.c). The function tracer is never touched.
 * --vmm: an LTTng session (on the running lttng-sessiond, or on a private
 *   one started and stopped here) with a blocking channel enabling
 *   tdxr_vmm:* plus the vtid/vpid/procname contexts, writing CTF to
 *   DIR/vmm/; COMMAND runs with the VMM shim preloaded and
 *   LTTNG_UST_ALLOW_BLOCKING=1.
 * Neither flag: both. COMMAND's exit (or Ctrl-C, forwarded to it) ends
 * the capture; DIR/meta.json says what was captured and lost.
 *
 * Exit: COMMAND's exit status when the capture worked (128+N for a
 * signal), 2 when the capture could not be set up or saved.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lttng/lttng.h>
#include <tracefs.h>

#include "cli.h"
#include "report.h"
#include "datw.h"
#include "ust_session.h"
#include "tdxr/event.h"

#define MAX_EVENTS 256
#define MAX_CPUS 1024

struct kcap {
	struct tracefs_instance *inst;
	char name[64];
	int nr_cpus;
	int page;
	struct tracefs_cpu *tcpu[MAX_CPUS];
	int fd[MAX_CPUS]; /* DIR/.kernel/cpuN */
	pthread_t thread;
	bool thread_on;
	atomic_bool stop;
	int werr; /* first write error of the thread */
	char *enabled[MAX_EVENTS];
	unsigned int nr_enabled;
	char *missing[MAX_EVENTS];
	unsigned int nr_missing;
	char *systems[MAX_EVENTS]; /* systems whose formats go into kernel.dat */
	unsigned int nr_systems;
	uint64_t overrun, dropped;
};

struct vcap {
	char session[64];
	bool private_daemon;
	pid_t daemon;
	struct ust_session ust;
	uint64_t discarded, lost_packets;
};

static const char *dir_path;

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

/* ---- small file helpers ----------------------------------------------------- */

/* Reads a whole file; NULL on error. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		return NULL;
	}
	for (;;) {
		size_t r;

		if (n + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0) {
			break;
		}
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static bool list_has(char *const *l, unsigned int n, const char *s)
{
	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(l[i], s) == 0) {
			return true;
		}
	}
	return false;
}

static void list_add(char **l, unsigned int *n, const char *s)
{
	if (*n < MAX_EVENTS && !list_has(l, *n, s)) {
		l[*n] = strdup(s);
		if (l[*n]) {
			(*n)++;
		}
	}
}

static void list_free(char **l, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		free(l[i]);
	}
}

/* ---- kernel capture ------------------------------------------------------------ */

static bool event_exists(struct kcap *k, const char *sys, const char *ev)
{
	return tracefs_event_file_exists(k->inst, sys, ev, "enable");
}

/* Enables "system:event", "system:*" or "system"; records what is missing. */
static void enable_spec(struct kcap *k, const char *spec)
{
	char sys[128], ev[128];
	const char *colon = strchr(spec, ':');

	if (colon) {
		snprintf(sys, sizeof(sys), "%.*s", (int)(colon - spec), spec);
		snprintf(ev, sizeof(ev), "%s", colon + 1);
	} else {
		snprintf(sys, sizeof(sys), "%s", spec);
		snprintf(ev, sizeof(ev), "*");
	}
	if (strcmp(ev, "*") == 0) {
		char **evs = tracefs_system_events(NULL, sys);

		if (!evs || !evs[0] || tracefs_event_enable(k->inst, sys, NULL) < 0) {
			list_add(k->missing, &k->nr_missing, spec);
		} else {
			list_add(k->enabled, &k->nr_enabled, spec);
			list_add(k->systems, &k->nr_systems, sys);
		}
		tracefs_list_free(evs);
		return;
	}
	if (!event_exists(k, sys, ev) || tracefs_event_enable(k->inst, sys, ev) < 0) {
		list_add(k->missing, &k->nr_missing, spec);
		return;
	}
	list_add(k->enabled, &k->nr_enabled, spec);
	list_add(k->systems, &k->nr_systems, sys);
}

static void *kernel_reader(void *arg)
{
	struct kcap *k = arg;
	char *buf = malloc((size_t)k->page);

	if (!buf) {
		k->werr = ENOMEM;
		return NULL;
	}
	while (!atomic_load(&k->stop)) {
		bool any = false;

		for (int c = 0; c < k->nr_cpus; c++) {
			int n;

			if (!k->tcpu[c]) {
				continue;
			}
			/* Full pages only while running; the rest is flushed at the end. */
			while ((n = tracefs_cpu_read(k->tcpu[c], buf, true)) > 0) {
				if (write(k->fd[c], buf, (size_t)k->page) != k->page && !k->werr) {
					k->werr = errno ? errno : EIO;
				}
				any = true;
			}
		}
		if (!any) {
			struct timespec ts = {0, 20 * 1000 * 1000};

			nanosleep(&ts, NULL);
		}
	}
	free(buf);
	return NULL;
}

static int kernel_start(struct kcap *k, const char *events, unsigned long buffer_kb)
{
	const char *tdir;
	char path[PATH_MAX], val[32];

	if (tracefs_tracing_dir_is_mounted(true, &tdir) < 0 || !tracefs_tracing_dir()) {
		msg("--kernel: tracefs is not mounted and cannot be mounted");
		return -1;
	}
	snprintf(k->name, sizeof(k->name), "tdxr-record-%d", (int)getpid());
	k->inst = tracefs_instance_create(k->name);
	if (!k->inst) {
		msg("--kernel: cannot create the tracefs instance %s: %s", k->name,
		    strerror(errno));
		return -1;
	}
	if (tracefs_instance_file_write(k->inst, "trace_clock", "mono") < 0) {
		msg("--kernel: this kernel's trace_clock has no mono clock");
		return -1;
	}
	snprintf(val, sizeof(val), "%lu", buffer_kb);
	if (tracefs_instance_file_write(k->inst, "buffer_size_kb", val) < 0) {
		msg("warning: cannot set buffer_size_kb to %s", val);
	}
	tracefs_instance_file_write(k->inst, "tracing_on", "0");
	if (events) {
		char *copy = strdup(events), *save = NULL;

		for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t;
		     t = strtok_r(NULL, ",", &save)) {
			enable_spec(k, t);
		}
		free(copy);
	} else {
		for (unsigned int t = 1; t < TDXR_EV__COUNT; t++) {
			const struct tdxr_event_desc *d = tdxr_event_desc(t);
			char spec[128];

			if (strcmp(d->system, "tdx") != 0 && strcmp(d->system, "kvm") != 0 &&
			    strcmp(d->system, "kvmmmu") != 0) {
				continue;
			}
			snprintf(spec, sizeof(spec), "%s:%s", d->system, d->name);
			enable_spec(k, spec);
		}
	}
	if (k->nr_missing) {
		fprintf(stderr, "tdxr record: this kernel lacks %u event(s):", k->nr_missing);
		for (unsigned int i = 0; i < k->nr_missing; i++) {
			fprintf(stderr, " %s", k->missing[i]);
		}
		fputc('\n', stderr);
	}
	if (k->nr_enabled == 0) {
		msg("--kernel: none of the events exists in this kernel");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/.kernel", dir_path);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		msg("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	k->nr_cpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (k->nr_cpus > MAX_CPUS) {
		k->nr_cpus = MAX_CPUS;
	}
	for (int c = 0; c < k->nr_cpus; c++) {
		k->fd[c] = -1;
		k->tcpu[c] = tracefs_cpu_open(k->inst, c, true);
		if (!k->tcpu[c]) {
			continue; /* an offline CPU */
		}
		if (!k->page) {
			k->page = tracefs_cpu_read_size(k->tcpu[c]);
		}
		snprintf(path, sizeof(path), "%s/.kernel/cpu%d", dir_path, c);
		k->fd[c] = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (k->fd[c] < 0) {
			msg("cannot create %s: %s", path, strerror(errno));
			return -1;
		}
	}
	if (k->page <= 0) {
		msg("--kernel: cannot open any per-CPU trace_pipe_raw of the instance");
		return -1;
	}
	if (pthread_create(&k->thread, NULL, kernel_reader, k) != 0) {
		msg("cannot start the reader thread");
		return -1;
	}
	k->thread_on = true;
	if (tracefs_instance_file_write(k->inst, "tracing_on", "1") < 0) {
		msg("--kernel: cannot turn tracing on in the instance");
		return -1;
	}
	return 0;
}

static uint64_t stat_value(const char *stats, const char *key)
{
	const char *p = strstr(stats, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* Stops tracing, drains the buffers, writes kernel.dat. */
static int kernel_stop(struct kcap *k)
{
	struct trc_datw w = {0};
	struct trc_datw_fmt *fmts = NULL;
	unsigned int nr_fmts = 0, cap = 0;
	char path[PATH_MAX], *hp = NULL, *he = NULL, *pk = NULL, *cl = NULL;
	size_t hpl = 0, hel = 0, pkl = 0, cll = 0;
	int fds[MAX_CPUS], nfd = 0, out, r = -1;
	char *buf;
	const char *tdir = tracefs_tracing_dir();

	tracefs_instance_file_write(k->inst, "tracing_on", "0");
	atomic_store(&k->stop, true);
	if (k->thread_on) {
		pthread_join(k->thread, NULL);
		k->thread_on = false;
	}
	buf = malloc((size_t)k->page);
	for (int c = 0; buf && c < k->nr_cpus; c++) {
		char sp[64], *st;
		int n;

		if (!k->tcpu[c]) {
			continue;
		}
		while ((n = tracefs_cpu_flush(k->tcpu[c], buf)) > 0) {
			if (write(k->fd[c], buf, (size_t)k->page) != k->page && !k->werr) {
				k->werr = errno ? errno : EIO;
			}
		}
		snprintf(sp, sizeof(sp), "per_cpu/cpu%d/stats", c);
		st = tracefs_instance_file_read(k->inst, sp, NULL);
		if (st) {
			k->overrun += stat_value(st, "overrun: ");
			k->dropped += stat_value(st, "dropped events: ");
			free(st);
		}
	}
	free(buf);
	if (k->werr) {
		msg("writing the kernel's per-CPU data failed: %s", strerror(k->werr));
		return -1;
	}
	/* Metadata: headers, the formats of the systems enabled, printk, cmdlines. */
	snprintf(path, sizeof(path), "%s/events/header_page", tdir);
	hp = slurp(path, &hpl);
	snprintf(path, sizeof(path), "%s/events/header_event", tdir);
	he = slurp(path, &hel);
	snprintf(path, sizeof(path), "%s/printk_formats", tdir);
	pk = slurp(path, &pkl);
	snprintf(path, sizeof(path), "%s/saved_cmdlines", tdir);
	cl = slurp(path, &cll);
	if (!hp || !he) {
		msg("cannot read %s/events/header_page or header_event", tdir);
		goto out;
	}
	for (unsigned int i = 0; i < k->nr_systems; i++) {
		char **evs = tracefs_system_events(NULL, k->systems[i]);

		for (int j = 0; evs && evs[j]; j++) {
			size_t len;
			char *txt;

			snprintf(path, sizeof(path), "%s/events/%s/%s/format", tdir, k->systems[i],
				 evs[j]);
			txt = slurp(path, &len);
			if (!txt) {
				continue;
			}
			if (nr_fmts == cap) {
				struct trc_datw_fmt *nf;

				cap = cap ? cap * 2 : 64;
				nf = realloc(fmts, cap * sizeof(*nf));
				if (!nf) {
					free(txt);
					break;
				}
				fmts = nf;
			}
			fmts[nr_fmts++] = (struct trc_datw_fmt){k->systems[i], txt, len};
		}
		tracefs_list_free(evs);
	}
	for (int c = 0; c < k->nr_cpus; c++) {
		if (k->fd[c] >= 0) {
			fds[nfd++] = k->fd[c];
		}
	}
	w.page_size = (uint32_t)k->page;
	w.header_page = hp;
	w.header_page_len = hpl;
	w.header_event = he;
	w.header_event_len = hel;
	w.fmts = fmts;
	w.nr_fmts = nr_fmts;
	w.printk = pk;
	w.printk_len = pkl;
	w.cmdlines = cl;
	w.cmdlines_len = cll;
	w.nr_cpus = (unsigned int)nfd;
	w.cpu_fds = fds;
	snprintf(path, sizeof(path), "%s/kernel.dat", dir_path);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		msg("cannot create %s: %s", path, strerror(errno));
		goto out;
	} else {
		char err[256];

		if (trc_datw_write(out, &w, err, sizeof(err)) < 0) {
			msg("%s: %s", path, err);
			close(out);
			goto out;
		}
		if (close(out) != 0) {
			msg("%s: %s", path, strerror(errno));
			goto out;
		}
	}
	r = 0;
out:
	for (unsigned int i = 0; i < nr_fmts; i++) {
		free((char *)fmts[i].text);
	}
	free(fmts);
	free(hp);
	free(he);
	free(pk);
	free(cl);
	return r;
}

static void kernel_cleanup(struct kcap *k)
{
	char path[PATH_MAX];

	if (k->thread_on) {
		atomic_store(&k->stop, true);
		pthread_join(k->thread, NULL);
	}
	for (int c = 0; c < k->nr_cpus; c++) {
		if (k->tcpu[c]) {
			tracefs_cpu_close(k->tcpu[c]);
		}
		if (k->fd[c] >= 0) {
			close(k->fd[c]);
			snprintf(path, sizeof(path), "%s/.kernel/cpu%d", dir_path, c);
			unlink(path);
		}
	}
	if (dir_path) {
		snprintf(path, sizeof(path), "%s/.kernel", dir_path);
		rmdir(path);
	}
	if (k->inst) {
		tracefs_instance_file_write(k->inst, "tracing_on", "0");
		tracefs_instance_destroy(k->inst);
		tracefs_instance_free(k->inst);
	}
	list_free(k->enabled, k->nr_enabled);
	list_free(k->missing, k->nr_missing);
	list_free(k->systems, k->nr_systems);
}

/* ---- VMM capture (LTTng) ---------------------------------------------------------- */

static int vmm_start(struct vcap *v)
{
	static const enum lttng_event_context_type ctxs[] = {
		LTTNG_EVENT_CONTEXT_VTID, LTTNG_EVENT_CONTEXT_VPID, LTTNG_EVENT_CONTEXT_PROCNAME};
	char out[PATH_MAX + 16], e[256];

	if (!lttng_session_daemon_alive()) {
		pid_t pid = fork();

		if (pid < 0) {
			msg("--vmm: fork: %s", strerror(errno));
			return -1;
		}
		if (pid == 0) {
			int null = open("/dev/null", O_RDWR);

			if (null >= 0) {
				dup2(null, 1);
				dup2(null, 2);
			}
			/* In the foreground, so we can wait on its pid. */
			execlp("lttng-sessiond", "lttng-sessiond", "--no-kernel", "--quiet",
			       (char *)NULL);
			_exit(127);
		}
		v->daemon = pid;
		v->private_daemon = true;
		for (int i = 0; i < 100 && !lttng_session_daemon_alive(); i++) {
			struct timespec ts = {0, 50 * 1000 * 1000};
			int st;

			if (waitpid(pid, &st, WNOHANG) == pid) {
				v->daemon = 0;
				msg("--vmm: lttng-sessiond exited at start (status %d); is it "
				    "installed?",
				    st);
				return -1;
			}
			nanosleep(&ts, NULL);
		}
		if (!lttng_session_daemon_alive()) {
			msg("--vmm: the lttng-sessiond we started does not answer");
			return -1;
		}
	}
	snprintf(v->session, sizeof(v->session), "tdxr-record-%d", (int)getpid());
	if (dir_path[0] == '/') {
		snprintf(out, sizeof(out), "%.4000s/vmm", dir_path);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd))) {
			msg("getcwd: %s", strerror(errno));
			return -1;
		}
		if ((size_t)snprintf(out, sizeof(out), "%.2000s/%.2000s/vmm", cwd, dir_path) >=
		    sizeof(out)) {
			msg("path too long: %s", dir_path);
			return -1;
		}
	}
	v->ust.name = v->session;
	v->ust.out = out;
	v->ust.channel = "tdxr";
	v->ust.events = "tdxr_vmm:*";
	v->ust.subbuf_size = 4u << 20;
	v->ust.num_subbuf = 8;
	v->ust.ctxs = ctxs;
	v->ust.nr_ctxs = sizeof(ctxs) / sizeof(ctxs[0]);
	if (ust_session_start(&v->ust, e, sizeof(e)) < 0) {
		msg("--vmm: %s", e);
		return -1;
	}
	return 0;
}

static void vmm_stop(struct vcap *v)
{
	ust_session_stop(&v->ust, &v->discarded, &v->lost_packets);
}

static void vmm_cleanup(struct vcap *v)
{
	vmm_stop(v);
	if (v->private_daemon && v->daemon > 0) {
		int st;

		kill(v->daemon, SIGTERM);
		waitpid(v->daemon, &st, 0);
		v->daemon = 0;
	}
}

/* ---- COMMAND ------------------------------------------------------------------------- */

static volatile sig_atomic_t got_signal;
static volatile pid_t child_pid;

static void on_signal(int sig)
{
	got_signal = sig;
	if (child_pid > 0) {
		kill(child_pid, sig);
	}
}

static char *shim_path(void)
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

static int run_command(char **argv, const char *shim, int *status)
{
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	pid_t pid;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pid = fork();
	if (pid < 0) {
		msg("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Default actions, even when we were started with SIGINT ignored
		 * (a background job): Ctrl-C, passed on, must end COMMAND. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (shim) {
			const char *pre = getenv("LD_PRELOAD");
			char *v;

			if (asprintf(&v, "%s%s%s", shim, pre && *pre ? ":" : "", pre ? pre : "") <
			    0) {
				_exit(127);
			}
			setenv("LD_PRELOAD", v, 1);
			setenv("LTTNG_UST_ALLOW_BLOCKING", "1", 1);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "tdxr record: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR) {
			msg("waitpid: %s", strerror(errno));
			child_pid = 0;
			return -1;
		}
	}
	child_pid = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return 0;
}

/* ---- meta.json ------------------------------------------------------------------------- */

static void json_list(FILE *f, char *const *l, unsigned int n)
{
	fputc('[', f);
	for (unsigned int i = 0; i < n; i++) {
		if (i) {
			fputc(',', f);
		}
		json_str(f, l[i]);
	}
	fputc(']', f);
}

static int write_meta(const struct kcap *k, bool kernel, const struct vcap *v, bool vmm, char **cmd,
		      int status)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct utsname u;
	FILE *f;

	uname(&u);
	snprintf(path, sizeof(path), "%s/meta.json", dir_path);
	snprintf(tmp, sizeof(tmp), "%s/.meta.json.tmp", dir_path);
	f = fopen(tmp, "w");
	if (!f) {
		msg("cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "{\"schema\":1,\"tdxr_version\":\"%s\",\"kernel_release\":", TDXR_VERSION);
	json_str(f, u.release);
	fprintf(f, ",\"clock\":\"mono\",\"command\":[");
	for (int i = 0; cmd[i]; i++) {
		if (i) {
			fputc(',', f);
		}
		json_str(f, cmd[i]);
	}
	fprintf(f, "],\"command_status\":%d", status);
	if (kernel) {
		fprintf(f, ",\"kernel\":{\"file\":\"kernel.dat\",\"events_enabled\":");
		json_list(f, k->enabled, k->nr_enabled);
		fprintf(f, ",\"events_missing\":");
		json_list(f, k->missing, k->nr_missing);
		fprintf(f, ",\"buffer_page\":%d,\"lost\":{\"overrun\":%llu,\"dropped\":%llu}}",
			k->page, (unsigned long long)k->overrun, (unsigned long long)k->dropped);
	}
	if (vmm) {
		fprintf(f,
			",\"vmm\":{\"dir\":\"vmm\",\"events\":[\"tdxr_vmm:*\"],\"sessiond\":\"%s\","
			"\"lost\":{\"discarded_events\":%llu,\"lost_packets\":%llu}}",
			v->private_daemon ? "private" : "shared", (unsigned long long)v->discarded,
			(unsigned long long)v->lost_packets);
	}
	fprintf(f, "}\n");
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		msg("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- the command ----------------------------------------------------------------------- */

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
	static struct kcap k;
	struct vcap v = {0};
	bool kernel = false, vmm = false;
	const char *events = NULL;
	unsigned long buffer_kb = 65536;
	char *shim = NULL;
	int c, status = 0, ret = TDXR_EXIT_USAGE;

	opterr = 0;
	optind = 1;
	dir_path = NULL;
	while ((c = getopt_long(argc, argv, "+o:kve:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir_path = optarg;
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
	if (!dir_path) {
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
	if (mkdir(dir_path, 0755) < 0 && errno != EEXIST) {
		msg("cannot create %s: %s", dir_path, strerror(errno));
		return TDXR_EXIT_USAGE;
	}
	{
		char mp[PATH_MAX];
		struct stat sb;

		snprintf(mp, sizeof(mp), "%s/meta.json", dir_path);
		if (stat(mp, &sb) == 0) {
			msg("%s already holds a recording (meta.json): choose another -o DIR",
			    dir_path);
			return TDXR_EXIT_USAGE;
		}
	}
	memset(&k, 0, sizeof(k));
	if (vmm) {
		shim = shim_path();
		if (!shim || access(shim, R_OK) != 0) {
			msg("--vmm: cannot find libtdxr-vmm.so next to tdxr (set TDXR_VMM_SHIM)");
			goto out;
		}
		if (vmm_start(&v) < 0) {
			goto out;
		}
	}
	if (kernel && kernel_start(&k, events, buffer_kb) < 0) {
		goto out;
	}
	msg("recording into %s (%s%s%s%s%s); running %s", dir_path,
	    kernel ? "kernel: tracefs instance " : "", kernel ? k.name : "",
	    kernel && vmm ? ", " : "", vmm ? "vmm: LTTng session " : "", vmm ? v.session : "",
	    argv[optind]);
	if (run_command(argv + optind, vmm ? shim : NULL, &status) < 0) {
		goto out;
	}
	if (kernel && kernel_stop(&k) < 0) {
		goto out;
	}
	if (vmm) {
		vmm_stop(&v);
	}
	if (write_meta(&k, kernel, &v, vmm, argv + optind,
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) < 0) {
		goto out;
	}
	if (kernel && (k.overrun || k.dropped)) {
		msg("warning: the kernel buffer lost events (overrun %llu, dropped %llu)",
		    (unsigned long long)k.overrun, (unsigned long long)k.dropped);
	}
	if (vmm && (v.discarded || v.lost_packets)) {
		msg("warning: LTTng discarded %llu events, lost %llu packets",
		    (unsigned long long)v.discarded, (unsigned long long)v.lost_packets);
	}
	if (got_signal) {
		msg("interrupted; what was captured is saved");
	}
	msg("done. Replay with:\n  tdxr replay %s", dir_path);
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (kernel) {
		kernel_cleanup(&k);
	}
	if (vmm) {
		vmm_cleanup(&v);
	}
	free(shim);
	return ret;
}
