// SPDX-License-Identifier: GPL-2.0
/*
 * tui/open.c - from `tdxr tui INPUT` to an open index.
 *
 * An INDEX.db opens as it is. A trace gets its index beside it
 * (TRACE.tdxr.db), or in $TMPDIR when that directory is not writable, or
 * where --index says. An existing index is reused when it is up to date:
 * it opens, it indexes exactly this one input, and it is newer than the
 * trace. Otherwise it is built by idx_build() in a worker thread while the
 * ncurses thread shows a progress screen (bytes read from the input's
 * file position in /proc/self/fdinfo, events, elapsed time) and turns Esc
 * or C-c into idx_build's cancel flag; idx_build leaves no half index.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui_int.h"

struct build_job {
	char *inputs[1]; /* borrowed */
	const char *out; /* borrowed */
	struct idx_build_opts opts;
	atomic_int cancel; /* set by the UI thread, read by the builder */
	atomic_bool done;
	int rc;
	char err[512];
};

static void *build_worker(void *arg)
{
	struct build_job *b = arg;

	b->rc = idx_build(b->inputs, 1, b->out, &b->opts, NULL, b->err, sizeof(b->err));
	atomic_store(&b->done, true);
	return NULL;
}

/* The file position of our descriptor open on @real (0 if none). */
static uint64_t input_pos(const char *real)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	uint64_t pos = 0;

	if (!d) {
		return 0;
	}
	while ((de = readdir(d))) {
		char p[300], link[PATH_MAX], buf[128];
		ssize_t n;
		FILE *f;

		if (de->d_name[0] == '.') {
			continue;
		}
		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0) {
			continue;
		}
		link[n] = '\0';
		if (strcmp(link, real) != 0) {
			continue;
		}
		snprintf(p, sizeof(p), "/proc/self/fdinfo/%s", de->d_name);
		f = fopen(p, "r");
		if (!f) {
			continue;
		}
		while (fgets(buf, sizeof(buf), f)) {
			if (!strncmp(buf, "pos:", 4)) {
				uint64_t v = strtoull(buf + 4, NULL, 10);

				pos = v > pos ? v : pos;
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
	return pos;
}

static void draw_progress(const char *input, const char *out, uint64_t done, uint64_t total,
			  double secs, bool cancelling)
{
	char buf[PATH_MAX + 64];
	int y = LINES / 2 - 3, w = COLS - 4, bar = COLS - 12;
	int pct = total ? (int)(done * 100 / total) : 0;

	if (pct > 100) {
		pct = 100;
	}
	erase();
	snprintf(buf, sizeof(buf), "Indexing %s", input);
	tui_put(y, 2, w, buf, A_BOLD);
	snprintf(buf, sizeof(buf), "into %s", out);
	tui_put(y + 1, 2, w, buf, A_NORMAL);
	snprintf(buf, sizeof(buf), "%3d%%  %.1f of %.1f MB read  %.1f s", pct, (double)done / 1e6,
		 (double)total / 1e6, secs);
	tui_put(y + 3, 2, w, buf, A_NORMAL);
	if (bar > 0) {
		int fill = bar * pct / 100;

		mvaddch(y + 4, 2, '[');
		for (int i = 0; i < bar; i++) {
			addch(i < fill ? '#' : '.');
		}
		addch(']');
	}
	tui_put(y + 6, 2, w, cancelling ? "cancelling..." : "Esc or C-c cancels", A_BOLD);
	refresh();
}

static int build_with_screen(const char *input, const char *out, int profile, char *err,
			     size_t errlen)
{
	struct build_job *b = calloc(1, sizeof(*b));
	char real[PATH_MAX];
	struct stat st;
	pthread_t th;
	uint64_t t0 = tui_now_ns(), total = 0;
	int rc;

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!realpath(input, real)) {
		snprintf(real, sizeof(real), "%s", input);
	}
	if (stat(input, &st) == 0) {
		total = (uint64_t)st.st_size;
	}
	b->inputs[0] = (char *)input;
	b->out = out;
	idx_build_opts_init(&b->opts);
	b->opts.progress = false;
	atomic_init(&b->cancel, 0);
	b->opts.cancel = &b->cancel;
	b->opts.replay.kernel_profile = profile;
	atomic_init(&b->done, false);
	if (pthread_create(&th, NULL, build_worker, b) != 0) {
		snprintf(err, errlen, "cannot start the indexing thread");
		free(b);
		return -1;
	}
	while (!atomic_load(&b->done)) {
		int key;

		draw_progress(input, out, input_pos(real), total, (double)(tui_now_ns() - t0) / 1e9,
			      atomic_load(&b->cancel) != 0);
		timeout(100);
		key = getch();
		if (key == 27 || key == 3) {
			atomic_store(&b->cancel, 1);
		}
	}
	pthread_join(th, NULL);
	rc = b->rc;
	if (rc != 0) {
		snprintf(err, errlen, "%s", b->err[0] ? b->err : "indexing failed");
	}
	free(b);
	return rc;
}

static bool dir_writable(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash) {
		return access(".", W_OK) == 0;
	}
	if (slash == dir) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	return access(dir, W_OK) == 0;
}

/* The index path of trace @input: beside it, else in $TMPDIR. */
static void index_path_of(const char *input, char *out, size_t len)
{
	char real[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	const char *base;
	uint64_t h = 1469598103934665603ull;

	if (dir_writable(input)) {
		snprintf(out, len, "%s.tdxr.db", input);
		return;
	}
	if (!realpath(input, real)) {
		snprintf(real, sizeof(real), "%s", input);
	}
	for (const char *p = real; *p; p++) {
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	}
	base = strrchr(real, '/');
	if (snprintf(out, len, "%s/%s-%016llx.tdxr.db", tmp && *tmp ? tmp : "/tmp",
		     base ? base + 1 : real, (unsigned long long)h) >= (int)len) {
		snprintf(out, len, "/tmp/tdxr-%016llx.tdxr.db", (unsigned long long)h);
	}
}

static bool older(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec < b->st_mtim.tv_sec ||
	       (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec < b->st_mtim.tv_nsec);
}

/*
 * An up-to-date index of @input at @path, or NULL: newer than the trace,
 * and newer than this tdxr (a rebuilt tdxr may write its checkpoints
 * differently), of exactly this one input.
 */
static struct idx *reuse(const char *input, const char *path)
{
	struct stat si, sx, se;
	char e[256], a[PATH_MAX], b[PATH_MAX];
	struct idx *ix;
	const char *in0;

	if (stat(input, &si) != 0 || stat(path, &sx) != 0) {
		return NULL;
	}
	if (older(&sx, &si) || (stat("/proc/self/exe", &se) == 0 && older(&sx, &se))) {
		return NULL;
	}
	ix = idx_open(path, e, sizeof(e));
	if (!ix) {
		return NULL;
	}
	in0 = idx_nr_inputs(ix) == 1 ? idx_input_path(ix, 0) : NULL;
	if (!in0 || !realpath(input, a) || !realpath(in0, b) || strcmp(a, b) != 0) {
		/* a relative path recorded elsewhere: compare the names */
		const char *x = in0 ? strrchr(in0, '/') : NULL, *y = strrchr(input, '/');

		if (!in0 || strcmp(x ? x + 1 : in0, y ? y + 1 : input) != 0) {
			idx_close(ix);
			return NULL;
		}
	}
	return ix;
}

struct idx *tui_open_index(const struct tui_opts *o, bool screen, char *path, size_t pathlen,
			   char *err, size_t errlen)
{
	char e[512];
	struct idx *ix;
	int rc;

	if (access(o->input, R_OK) != 0) {
		snprintf(err, errlen, "%s: %s", o->input, strerror(errno));
		return NULL;
	}
	if (idx_is_index_file(o->input)) {
		snprintf(path, pathlen, "%s", o->input);
		ix = idx_open(o->input, e, sizeof(e));
		if (!ix) {
			snprintf(err, errlen, "%s", e);
		}
		return ix;
	}
	if (o->index_path) {
		snprintf(path, pathlen, "%s", o->index_path);
	} else {
		index_path_of(o->input, path, pathlen);
	}
	ix = reuse(o->input, path);
	if (ix) {
		return ix;
	}
	if (screen) {
		rc = build_with_screen(o->input, path, o->kernel_profile, e, sizeof(e));
	} else {
		struct idx_build_opts bo;
		char *inputs[1] = {(char *)o->input};

		idx_build_opts_init(&bo);
		bo.progress = false;
		bo.replay.kernel_profile = o->kernel_profile;
		rc = idx_build(inputs, 1, path, &bo, NULL, e, sizeof(e));
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s", e);
		return NULL;
	}
	ix = idx_open(path, e, sizeof(e));
	if (!ix) {
		snprintf(err, errlen, "%s", e);
	}
	return ix;
}
