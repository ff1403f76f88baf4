// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/capture/kernel.c - the kernel's events through a private tracefs
 * instance, saved as DIR/kernel.dat (trace.dat v6, tracer/ust/datw.c).
 *
 * The instance has its own events, clock (mono, so the kernel's events
 * merge with LTTng's) and ring: global tracing state is never changed and
 * the function tracer is never touched (docs/capture.md).
 *
 * Two modes:
 *  - streaming (record COMMAND): a thread copies each CPU's full pages
 *    from trace_pipe_raw into DIR/.kernel/cpuN while the command runs, so
 *    a long run does not overflow the ring;
 *  - flight: the ring runs in overwrite mode and nothing is read while
 *    armed (tdxr adds no work of its own to the traced host); at stop the
 *    pages are drained in one go. When the ring wrapped, its first page
 *    carries the kernel's missed-events flag: the reader turns that into a
 *    lost-events record, not an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "datw.h"
#include "tdxr/capture.h"
#include "tdxr/event.h"

#define MAX_EVENTS 256
#define MAX_CPUS 1024

struct trc_kernel {
	struct tracefs_instance *inst; /* owned: destroyed by trc_kernel_free */
	char name[64];
	char dir[PATH_MAX - 128]; /* room for "/SCRATCH/cpuN" in PATH_MAX */
	char scratch[32];	  /* DIR/SCRATCH holds the per-CPU files */
	bool flight;
	int nr_cpus;
	int page;
	struct tracefs_cpu *tcpu[MAX_CPUS]; /* owned; NULL for an offline CPU */
	int fd[MAX_CPUS];		    /* DIR/.kernel/cpuN, -1 when none */
	pthread_t thread;		    /* streaming mode: the page copier */
	bool thread_on;
	atomic_bool stop;
	int werr; /* first write error of the thread (written by it, read after join) */
	char *enabled[MAX_EVENTS];
	unsigned int nr_enabled;
	char *missing[MAX_EVENTS];
	unsigned int nr_missing;
	char *systems[MAX_EVENTS]; /* systems whose formats go into kernel.dat */
	unsigned int nr_systems;
	char *trigger_file; /* events/SYS/EVENT/trigger holding our traceoff, or NULL */
	char *trigger_text; /* what we wrote there ("traceoff if ...") */
	bool buffer_kb_refused;
	uint64_t overrun, dropped, entries;
};

/* ---- small helpers -------------------------------------------------------------- */

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

static uint64_t stat_value(const char *stats, const char *key)
{
	const char *p = strstr(stats, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* ---- events ------------------------------------------------------------------------ */

bool trc_kernel_has_event(const char *sys, const char *event)
{
	return tracefs_event_file_exists(NULL, sys, event, "enable");
}

/* Enables "system:event", "system:*" or "system"; records what is missing. */
static void enable_spec(struct trc_kernel *k, const char *spec)
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
	if (!tracefs_event_file_exists(k->inst, sys, ev, "enable") ||
	    tracefs_event_enable(k->inst, sys, ev) < 0) {
		list_add(k->missing, &k->nr_missing, spec);
		return;
	}
	list_add(k->enabled, &k->nr_enabled, spec);
	list_add(k->systems, &k->nr_systems, sys);
}

static void enable_events(struct trc_kernel *k, const char *events)
{
	if (events) {
		char *copy = strdup(events), *save = NULL;

		for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t;
		     t = strtok_r(NULL, ",", &save)) {
			enable_spec(k, t);
		}
		free(copy);
		return;
	}
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

/* ---- streaming ------------------------------------------------------------------------- */

static void *page_copier(void *arg)
{
	struct trc_kernel *k = arg;
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

/* ---- start ------------------------------------------------------------------------------ */

/* 1. the instance, its clock and ring; 2. the events; 3. per-CPU pipes and
 * files; 4. (streaming) the copier thread; 5. tracing on. */
int trc_kernel_start(const struct trc_kernel_opts *o, struct trc_kernel **out, char *err,
		     size_t errlen)
{
	struct trc_kernel *k = calloc(1, sizeof(*k));
	const char *tdir;
	char path[PATH_MAX], val[32];

	*out = k;
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int c = 0; c < MAX_CPUS; c++) {
		k->fd[c] = -1;
	}
	k->flight = o->flight;
	if (strlen(o->dir) >= sizeof(k->dir)) {
		snprintf(err, errlen, "path too long: %s", o->dir);
		return -1;
	}
	memcpy(k->dir, o->dir, strlen(o->dir) + 1);
	snprintf(k->scratch, sizeof(k->scratch), "%s", o->scratch ? o->scratch : ".kernel");
	if (tracefs_tracing_dir_is_mounted(true, &tdir) < 0 || !tracefs_tracing_dir()) {
		snprintf(err, errlen, "tracefs is not mounted and cannot be mounted");
		return -1;
	}
	snprintf(k->name, sizeof(k->name), "%s-%d", o->name_prefix ? o->name_prefix : "tdxr-record",
		 (int)getpid());
	k->inst = tracefs_instance_create(k->name);
	if (!k->inst) {
		snprintf(err, errlen, "cannot create the tracefs instance %s: %s", k->name,
			 strerror(errno));
		return -1;
	}
	if (tracefs_instance_file_write(k->inst, "trace_clock", "mono") < 0) {
		snprintf(err, errlen, "this kernel's trace_clock has no mono clock");
		return -1;
	}
	snprintf(val, sizeof(val), "%lu", o->buffer_kb);
	if (tracefs_instance_file_write(k->inst, "buffer_size_kb", val) < 0) {
		k->buffer_kb_refused = true;
	}
	tracefs_instance_file_write(k->inst, "tracing_on", "0");
	/* A new instance overwrites by default; say so, whatever a distro changed. */
	tracefs_option_enable(k->inst, TRACEFS_OPTION_OVERWRITE);
	enable_events(k, o->events);
	if (k->nr_enabled == 0) {
		snprintf(err, errlen, "none of the events exists in this kernel");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", k->dir, k->scratch);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	k->nr_cpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (k->nr_cpus > MAX_CPUS) {
		k->nr_cpus = MAX_CPUS;
	}
	for (int c = 0; c < k->nr_cpus; c++) {
		k->tcpu[c] = tracefs_cpu_open(k->inst, c, true);
		if (!k->tcpu[c]) {
			continue; /* an offline CPU */
		}
		if (!k->page) {
			k->page = tracefs_cpu_read_size(k->tcpu[c]);
		}
		snprintf(path, sizeof(path), "%s/%s/cpu%d", k->dir, k->scratch, c);
		k->fd[c] = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (k->fd[c] < 0) {
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
			return -1;
		}
	}
	if (k->page <= 0) {
		snprintf(err, errlen, "cannot open any per-CPU trace_pipe_raw of the instance");
		return -1;
	}
	if (!k->flight) {
		if (pthread_create(&k->thread, NULL, page_copier, k) != 0) {
			snprintf(err, errlen, "cannot start the reader thread");
			return -1;
		}
		k->thread_on = true;
	}
	if (tracefs_instance_file_write(k->inst, "tracing_on", "1") < 0) {
		snprintf(err, errlen, "cannot turn tracing on in the instance");
		return -1;
	}
	return 0;
}

/* ---- the stop trigger ----------------------------------------------------------------------- */

int trc_kernel_stop_on(struct trc_kernel *k, const char *sys, const char *event, const char *filter,
		       char *err, size_t errlen)
{
	char spec[256], *path, *elog;
	int fd, r = 0;
	size_t len;

	if (!tracefs_event_file_exists(k->inst, sys, event, "trigger")) {
		snprintf(err, errlen, "this kernel has no event %s/%s", sys, event);
		return -1;
	}
	snprintf(spec, sizeof(spec), "%s:%s", sys, event);
	enable_spec(k, spec);
	/*
	 * A trigger without a condition runs before the event is written:
	 * traceoff would then keep the stop event itself out of the ring. A
	 * condition defers it until after the write (the kernel's "post
	 * call" triggers), so an always-true one is given when none is.
	 */
	free(k->trigger_text);
	if (asprintf(&k->trigger_text, "traceoff if %s",
		     filter && *filter ? filter : "common_pid >= 0") < 0) {
		k->trigger_text = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	path = tracefs_event_get_file(k->inst, sys, event, "trigger");
	if (!path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	tracefs_instance_file_clear(k->inst, "error_log");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	len = strlen(k->trigger_text);
	if (fd < 0 || write(fd, k->trigger_text, len) != (ssize_t)len) {
		int e = errno;

		elog = tracefs_error_last(k->inst);
		snprintf(err, errlen, "the kernel refused the trigger '%s' on %s/%s: %s%s%s",
			 k->trigger_text, sys, event, strerror(e), elog ? ": " : "",
			 elog ? elog : "");
		free(elog);
		r = -1;
	}
	if (fd >= 0) {
		close(fd);
	}
	if (r == 0) {
		k->trigger_file = path;
	} else {
		tracefs_put_tracing_file(path);
	}
	return r;
}

bool trc_kernel_is_on(struct trc_kernel *k)
{
	char *v = tracefs_instance_file_read(k->inst, "tracing_on", NULL);
	bool on = v && v[0] == '1';

	free(v);
	return on;
}

uint64_t trc_kernel_written(struct trc_kernel *k)
{
	uint64_t n = 0;

	for (int c = 0; c < k->nr_cpus; c++) {
		char sp[64], *st;

		if (!k->tcpu[c]) {
			continue;
		}
		snprintf(sp, sizeof(sp), "per_cpu/cpu%d/stats", c);
		st = tracefs_instance_file_read(k->inst, sp, NULL);
		if (st) {
			n += stat_value(st, "entries: ") + stat_value(st, "overrun: ");
			free(st);
		}
	}
	return n;
}

void trc_kernel_end_pipe(struct trc_kernel *k)
{
	tracefs_instance_file_write(k->inst, "trace_marker", "tdxr: end of the live check\n");
}

/* ---- stop and save ------------------------------------------------------------------------ */

/* The metadata of kernel.dat: headers, the formats of the systems enabled, printk, cmdlines. */
static int write_dat(struct trc_kernel *k, char *err, size_t errlen)
{
	struct trc_datw w = {0};
	struct trc_datw_fmt *fmts = NULL;
	unsigned int nr_fmts = 0, cap = 0;
	char path[PATH_MAX], *hp = NULL, *he = NULL, *pk = NULL, *cl = NULL;
	size_t hpl = 0, hel = 0, pkl = 0, cll = 0;
	int fds[MAX_CPUS], nfd = 0, out, r = -1;
	const char *tdir = tracefs_tracing_dir();

	snprintf(path, sizeof(path), "%s/events/header_page", tdir);
	hp = slurp(path, &hpl);
	snprintf(path, sizeof(path), "%s/events/header_event", tdir);
	he = slurp(path, &hel);
	snprintf(path, sizeof(path), "%s/printk_formats", tdir);
	pk = slurp(path, &pkl);
	snprintf(path, sizeof(path), "%s/saved_cmdlines", tdir);
	cl = slurp(path, &cll);
	if (!hp || !he) {
		snprintf(err, errlen, "cannot read %s/events/header_page or header_event", tdir);
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
	snprintf(path, sizeof(path), "%s/kernel.dat", k->dir);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		goto out;
	} else {
		char e[256];

		if (trc_datw_write(out, &w, e, sizeof(e)) < 0) {
			snprintf(err, errlen, "%s: %s", path, e);
			close(out);
			goto out;
		}
		if (close(out) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
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

/* 1. tracing off; 2. the copier joined; 3. every page left drained to the
 * per-CPU files, the loss counters read; 4. kernel.dat written. */
int trc_kernel_stop(struct trc_kernel *k, char *err, size_t errlen)
{
	char *buf;

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
		/* Counted before the drain: reading empties "entries". */
		snprintf(sp, sizeof(sp), "per_cpu/cpu%d/stats", c);
		st = tracefs_instance_file_read(k->inst, sp, NULL);
		if (st) {
			k->overrun += stat_value(st, "overrun: ");
			k->dropped += stat_value(st, "dropped events: ");
			k->entries += stat_value(st, "entries: ");
			free(st);
		}
		while ((n = tracefs_cpu_flush(k->tcpu[c], buf)) > 0) {
			if (write(k->fd[c], buf, (size_t)k->page) != k->page && !k->werr) {
				k->werr = errno ? errno : EIO;
			}
		}
	}
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(buf);
	if (k->werr) {
		snprintf(err, errlen, "writing the kernel's per-CPU data failed: %s",
			 strerror(k->werr));
		return -1;
	}
	return write_dat(k, err, errlen);
}

void trc_kernel_get_info(const struct trc_kernel *k, struct trc_kernel_info *out)
{
	out->instance = k->name;
	out->enabled = k->enabled;
	out->nr_enabled = k->nr_enabled;
	out->missing = k->missing;
	out->nr_missing = k->nr_missing;
	out->buffer_kb_refused = k->buffer_kb_refused;
	out->page = k->page;
	out->overrun = k->overrun;
	out->dropped = k->dropped;
	out->entries = k->entries;
}

void trc_kernel_free(struct trc_kernel *k)
{
	char path[PATH_MAX];

	if (!k) {
		return;
	}
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
			snprintf(path, sizeof(path), "%s/%s/cpu%d", k->dir, k->scratch, c);
			unlink(path);
		}
	}
	if (k->dir[0]) {
		snprintf(path, sizeof(path), "%s/%s", k->dir, k->scratch);
		rmdir(path);
	}
	if (k->inst) {
		tracefs_instance_file_write(k->inst, "tracing_on", "0");
		if (k->trigger_file) {
			/* "!TRIGGER" removes it; an instance with triggers cannot go. */
			char *rm = NULL;
			int fd = open(k->trigger_file, O_WRONLY | O_TRUNC | O_CLOEXEC);

			if (fd >= 0 && asprintf(&rm, "!%s", k->trigger_text) > 0) {
				if (write(fd, rm, strlen(rm)) < 0) {
					/* the instance removal below says whether it mattered */
				}
			}
			free(rm);
			if (fd >= 0) {
				close(fd);
			}
		}
		tracefs_event_disable(k->inst, NULL, NULL);
		tracefs_instance_destroy(k->inst);
		tracefs_instance_free(k->inst);
	}
	if (k->trigger_file) {
		tracefs_put_tracing_file(k->trigger_file);
	}
	free(k->trigger_text);
	list_free(k->enabled, k->nr_enabled);
	list_free(k->missing, k->nr_missing);
	list_free(k->systems, k->nr_systems);
	free(k);
}
