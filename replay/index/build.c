// SPDX-License-Identifier: GPL-2.0
/*
 * replay/index/build.c - `tdxr index`: one replay, written to SQLite.
 *
 * The engine's after hook hands each event to a writer thread, which
 * loads them a batch at a time (one INSERT ... SELECT from the batch as a
 * virtual table, rows.c; one big transaction, journal and sync off: the
 * file is a temporary one until it is complete), and, every K events, a
 * model checkpoint (take_checkpoint). When
 * the replay is done: strings, findings, inputs, meta, then the indexes,
 * a check that the row counts match meta, and a rename over the
 * final name. Any failure or cancel unlinks the temporary; an existing
 * index under the final name is never opened for writing.
 *
 * With TDXR_INDEX_PROFILE set in the environment, the time of each phase
 * (and, for the load, of mdl_save, checkpoint encoding and the writer's
 * inserts) is printed on stderr: see bench/index/run.sh for the figures.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index_int.h"
#include "tdxr/print.h"

#define IDX_DEFAULT_K 8192
#define IDX_DEFAULT_FULL_EVERY 512
/* A full checkpoint once the changes since the last one reach this share of it. */
#define IDX_FULL_RATIO_PCT 25
/*
 * Changes may take at most this many bytes per event on average before
 * checkpoints are spaced further apart. With full checkpoints at a
 * quarter (IDX_FULL_RATIO_PCT), checkpoints then stay within ~5x that.
 */
#define IDX_CHANGE_BYTES_PER_EVENT 12

void idx_build_opts_init(struct idx_build_opts *o)
{
	memset(o, 0, sizeof(*o));
	rpl_opts_init(&o->replay);
}

/*
 * The replay thread copies events into batches; a writer thread inserts
 * them, so parsing and modelling overlap with SQLite's work. A batch that
 * ends with a checkpoint carries the blob taken in the replay thread
 * right after its last event (mdl_save, or mdl_save_changes: see
 * take_checkpoint); the writer only stores it.
 */
#define BATCH_EVENTS 4096
#define NR_BATCHES 4

struct batch {
	size_t n;
	struct tdxr_event ev[BATCH_EVENTS];
	size_t rawoff[BATCH_EVENTS]; /* offset into raw, SIZE_MAX for none */
	char *raw;
	size_t rawlen, rawcap;
	void *blob;	/* checkpoint after the last event, or NULL: */
	size_t bloblen; /* mdl_save() or mdl_save_changes() */
	uint64_t base;	/* checkpoints.base */
	struct batch *next;
};

struct bld {
	sqlite3 *db;
	sqlite3_stmt *ins_rows; /* INSERT INTO events ... SELECT ... FROM tdxr_rows */
	struct idx_rows rows;	/* the writer's batch as rows (rows.c) */
	int64_t rowid_max;	/* the highest seq written, -1 before the first */
	sqlite3_stmt *ins_extra, *ins_ckpt;
	struct rpl_opts ro; /* the engine reads stop_after_seq each event */
	const struct idx_build_opts *o;
	int gpaw;
	uint64_t k, next_ckpt;
	unsigned int full_every;
	uint64_t nr_events, nr_extra, nr_ckpt, ckpt_bytes;
	struct idx_thread *thr; /* threads by ctx */
	size_t nr_thr, cap_thr;
	uint32_t *thash; /* ctx + 1 by hash, 0 empty */
	size_t thmask;
	bool failed; /* writer side (and before/after the run) */
	char err[512];

	/* the hand-off between the replay thread and the writer thread */
	pthread_t writer;
	bool writer_running, sync_init;
	pthread_mutex_t mu;
	pthread_cond_t cv_full, cv_free;
	struct batch *full_head, *full_tail, *free_list, *cur;
	bool done;	    /* no more batches (under mu) */
	bool writer_failed; /* copy of failed for the replay thread (under mu) */
	bool stop;	    /* replay thread: stop the engine */
	bool oom;	    /* replay thread ran out of memory */
	/* replay thread: the chain of checkpoints since the last full one */
	uint64_t nr_taken, last_ckpt, full_len, chain_bytes, chain_n;
	uint64_t chg_avg;      /* bytes of a changes checkpoint, moving average */
	uint64_t nr_events_in; /* events handed over (replay thread) */

	/* progress */
	bool progress;
	double t0, next_report;
	uint64_t total_bytes;
	int fds[64];
	unsigned int nr_fds;
	bool prof; /* TDXR_INDEX_PROFILE: phase times on stderr */
	double prof_t, t_save, t_write, t_wait;
	bool fds_found;
	char *const *inputs;
	unsigned int nr_inputs;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* With TDXR_INDEX_PROFILE set: how long each phase took, on stderr. */
static void prof_mark(struct bld *b, const char *phase)
{
	double t = now_s();

	if (b->prof) {
		fprintf(stderr, "index profile: %-14s %7.3f s", phase, t - b->prof_t);
		if (strcmp(phase, "replay+write") == 0) {
			fprintf(stderr,
				" (replay thread: checkpoints %.3f, waited %.3f;"
				" writer: inserts %.3f)",
				b->t_save, b->t_wait, b->t_write);
		}
		fputc('\n', stderr);
	}
	b->prof_t = t;
}

static void bld_fail(struct bld *b, const char *what)
{
	if (!b->failed) {
		snprintf(b->err, sizeof(b->err), "%s: %s", what,
			 b->db ? sqlite3_errmsg(b->db) : "out of memory");
		b->failed = true;
	}
}

/* ---- progress: bytes read, from the readers' file positions ---- */

static void find_input_fds(struct bld *b)
{
	char real[PATH_MAX], link[PATH_MAX], p[64];
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	b->fds_found = true;
	if (!d) {
		return;
	}
	while ((de = readdir(d)) && b->nr_fds < 64) {
		ssize_t n;
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.') {
			continue;
		}
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0) {
			continue;
		}
		link[n] = '\0';
		for (unsigned int i = 0; i < b->nr_inputs; i++) {
			if (realpath(b->inputs[i], real) && strcmp(real, link) == 0) {
				b->fds[b->nr_fds++] = fd;
				break;
			}
		}
	}
	closedir(d);
}

static uint64_t bytes_done(struct bld *b)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < b->nr_fds; i++) {
		char p[64], buf[256];
		FILE *f;

		snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", b->fds[i]);
		f = fopen(p, "r");
		if (!f) {
			continue;
		}
		while (fgets(buf, sizeof(buf), f)) {
			if (strncmp(buf, "pos:", 4) == 0) {
				sum += strtoull(buf + 4, NULL, 10);
				break;
			}
		}
		fclose(f);
	}
	return sum;
}

static void show_progress(struct bld *b, bool last)
{
	double dt = now_s() - b->t0;
	uint64_t done = last ? b->total_bytes : bytes_done(b);
	double mbs = dt > 0 ? (double)done / 1e6 / dt : 0;
	double eta =
		mbs > 0 && b->total_bytes > done ? (double)(b->total_bytes - done) / 1e6 / mbs : 0;

	if (done > b->total_bytes) {
		done = b->total_bytes;
	}
	fprintf(stderr, "\rindex: %llu events, %.1f/%.1f MB, %.1f MB/s, ETA %.0f s   %s",
		(unsigned long long)b->nr_events_in, (double)done / 1e6,
		(double)b->total_bytes / 1e6, mbs, eta, last ? "\n" : "");
}

/* ---- the hook ---- */

static void bind_u64(sqlite3_stmt *st, int col, uint64_t v)
{
	sqlite3_bind_int64(st, col, (sqlite3_int64)v);
}

static uint64_t thread_hash(const struct idx_thread *t)
{
	uint64_t h = ((uint64_t)(uint32_t)t->tid << 32 | t->comm) * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)(uint32_t)t->tgid << 16 | t->input) * 0xc2b2ae3d27d4eb4full;
	return h ^ (h >> 29);
}

static bool thread_eq(const struct idx_thread *a, const struct idx_thread *b)
{
	return a->tid == b->tid && a->comm == b->comm && a->tgid == b->tgid && a->input == b->input;
}

static int thread_grow(struct bld *b)
{
	size_t ncap = b->cap_thr ? b->cap_thr * 2 : 64;
	size_t nmask = ncap * 2 - 1;
	struct idx_thread *nt = realloc(b->thr, ncap * sizeof(*nt));
	uint32_t *nh;

	if (!nt) {
		return -1;
	}
	b->thr = nt;
	nh = calloc(nmask + 1, sizeof(*nh));
	if (!nh) {
		return -1;
	}
	for (size_t i = 0; i < b->nr_thr; i++) {
		size_t j = thread_hash(&b->thr[i]) & nmask;

		while (nh[j]) {
			j = (j + 1) & nmask;
		}
		nh[j] = (uint32_t)i + 1;
	}
	free(b->thash);
	b->thash = nh;
	b->thmask = nmask;
	b->cap_thr = ncap;
	return 0;
}

/* The ctx of the event's thread; -1 when memory runs out. */
static int64_t thread_ctx(struct bld *b, const struct tdxr_event *ev)
{
	struct idx_thread t = {ev->tid, ev->comm, ev->tgid, ev->input};
	size_t j;

	if (b->nr_thr == b->cap_thr && thread_grow(b) < 0) {
		return -1;
	}
	j = thread_hash(&t) & b->thmask;
	while (b->thash[j]) {
		if (thread_eq(&b->thr[b->thash[j] - 1], &t)) {
			return b->thash[j] - 1;
		}
		j = (j + 1) & b->thmask;
	}
	b->thr[b->nr_thr] = t;
	b->thash[j] = (uint32_t)++b->nr_thr;
	return (int64_t)b->nr_thr - 1;
}

static sqlite3_stmt *prep(struct bld *b, const char *sql);

static void row_set(struct idx_row *r, int col, int64_t v)
{
	r->v[col] = v;
	r->set |= 1u << col;
}

/* The events row of @ev into @r; -1 when memory runs out. */
static int fill_row(struct bld *b, const struct tdxr_event *ev, struct idx_row *r)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(ev->type);
	int64_t ctx = thread_ctx(b, ev);
	uint64_t gfn;
	int level;

	if (ctx < 0) {
		return -1;
	}
	r->set = 0;
	/* seq is the rowid. Left NULL, SQLite assigns max + 1 through its
	 * append path, without the lookup an explicit rowid costs (a quarter
	 * of the writer's time): that is seq while seqs come dense and in
	 * order, as the engine numbers them. Given whenever not. */
	if (b->rowid_max < 0 || (int64_t)ev->seq != b->rowid_max + 1) {
		row_set(r, IDX_C_SEQ, (int64_t)ev->seq);
	}
	if ((int64_t)ev->seq > b->rowid_max) {
		b->rowid_max = (int64_t)ev->seq;
	}
	row_set(r, IDX_C_TS, (int64_t)ev->ts);
	row_set(r, IDX_C_TYPE, ev->type);
	row_set(r, IDX_C_CPU, ev->cpu);
	row_set(r, IDX_C_CTX, ctx);
	row_set(r, IDX_C_VM, ev->vm);
	row_set(r, IDX_C_VCPU, ev->vcpu);
	if (idx_event_gfn(ev, b->gpaw, &gfn, &level)) {
		row_set(r, IDX_C_GFN, (int64_t)gfn);
		if (level > 0) {
			row_set(r, IDX_C_LEVEL, level);
		}
	}
	if (ev->line) {
		row_set(r, IDX_C_DLINE, (int64_t)ev->line - (int64_t)ev->seq);
	}
	if (ev->type == TDXR_EV_UNMODELLED || ev->lost_flags || ev->lost) {
		row_set(r, IDX_C_X, 1);
	}
	for (unsigned int i = 0; i < d->nr_fields && i < TDXR_MAX_FIELDS; i++) {
		if ((ev->fmask >> i) & 1) {
			row_set(r, IDX_C_F0 + (int)i, (int64_t)ev->f[i]);
		}
	}
	return 0;
}

/* The event_extra row of an unmodelled event or one after a loss. */
static int write_extra(struct bld *b, const struct tdxr_event *ev)
{
	sqlite3_stmt *st = b->ins_extra;

	bind_u64(st, 1, ev->seq);
	if (ev->type == TDXR_EV_UNMODELLED) {
		sqlite3_bind_int64(st, 2, ev->name);
		sqlite3_bind_text(st, 3, ev->raw ? ev->raw : "", -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 2);
		sqlite3_bind_null(st, 3);
	}
	sqlite3_bind_int(st, 4, ev->lost_flags);
	sqlite3_bind_int64(st, 5, ev->lost);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		bld_fail(b, "writing events");
		return -1;
	}
	sqlite3_reset(st);
	b->nr_extra++;
	return 0;
}

/*
 * Replay thread: the checkpoint after event @seq into @bt. A full one
 * (mdl_save) starts a chain; the next ones hold what changed since the
 * checkpoint before (mdl_save_changes: the records the model touched,
 * so their cost follows the events, not the size of the state). A new
 * full one is taken when the chain's changes add up to a quarter of
 * the last full one (restoring a checkpoint reads at most that much
 * more than the full one), or after full_every checkpoints. Then plans
 * the next checkpoint: K events on, or further when the changes take
 * more than IDX_CHANGE_BYTES_PER_EVENT per event: the spacing follows
 * the events, not the size of the state (a big TD's full checkpoints
 * are amortized by the ratio, not by waiting longer).
 */
static int take_checkpoint(struct bld *b, struct batch *bt, const struct mdl_model *m, uint64_t seq)
{
	bool full = !b->nr_taken || b->chain_bytes >= b->full_len * IDX_FULL_RATIO_PCT / 100 ||
		    (b->full_every && b->chain_n + 1 >= b->full_every);
	uint64_t gap;
	int r;

	if (full) {
		r = mdl_save(m, &bt->blob, &bt->bloblen);
		if (r == 0) {
			mdl_changes_clear(m);
		}
	} else {
		r = mdl_save_changes(m, &bt->blob, &bt->bloblen);
	}
	if (r != 0) {
		bt->blob = NULL;
		return -1;
	}
	bt->base = full ? seq : b->last_ckpt;
	if (full) {
		b->full_len = bt->bloblen;
		b->chain_bytes = 0;
		b->chain_n = 0;
	} else {
		/* a table laid out anew comes whole: one sample does not
		 * move the average much */
		uint64_t x = bt->bloblen;

		if (b->chg_avg && x > 4 * b->chg_avg) {
			x = 4 * b->chg_avg;
		}
		b->chg_avg = b->chg_avg ? (b->chg_avg * 7 + x) / 8 : x;
		b->chain_bytes += bt->bloblen;
		b->chain_n++;
	}
	b->nr_taken++;
	b->last_ckpt = seq;
	gap = b->chg_avg / IDX_CHANGE_BYTES_PER_EVENT;
	b->next_ckpt = seq + 1 + (gap > b->k ? gap : b->k);
	return 0;
}

/* Writer thread: stores the checkpoint encoded after event @seq. */
static int store_checkpoint(struct bld *b, uint64_t seq, const struct batch *bt)
{
	int ret = -1;

	bind_u64(b->ins_ckpt, 1, seq);
	bind_u64(b->ins_ckpt, 2, bt->base);
	sqlite3_bind_blob64(b->ins_ckpt, 3, bt->blob, bt->bloblen, SQLITE_STATIC);
	if (sqlite3_step(b->ins_ckpt) != SQLITE_DONE) {
		bld_fail(b, "writing checkpoints");
	} else {
		b->nr_ckpt++;
		b->ckpt_bytes += bt->bloblen;
		ret = 0;
	}
	sqlite3_reset(b->ins_ckpt);
	return ret;
}

static void write_batch(struct bld *b, struct batch *bt)
{
	double t0 = b->prof ? now_s() : 0;
	size_t i;

	for (i = 0; i < bt->n; i++) {
		if (fill_row(b, &bt->ev[i], &b->rows.row[i]) < 0) {
			snprintf(b->err, sizeof(b->err), "out of memory");
			b->failed = true;
			break;
		}
	}
	b->rows.n = bt->n;
	if (!b->failed) {
		if (sqlite3_step(b->ins_rows) != SQLITE_DONE) {
			bld_fail(b, "writing events");
		} else {
			b->nr_events += bt->n;
		}
		sqlite3_reset(b->ins_rows);
	}
	for (i = 0; i < bt->n && !b->failed; i++) {
		struct tdxr_event *ev = &bt->ev[i];

		if (b->rows.row[i].set & (1u << IDX_C_X)) {
			ev->raw = bt->rawoff[i] == SIZE_MAX ? NULL : bt->raw + bt->rawoff[i];
			write_extra(b, ev);
		}
	}
	b->rows.n = 0;
	if (bt->blob && !b->failed) {
		store_checkpoint(b, bt->ev[bt->n - 1].seq, bt);
	}
	if (b->prof) {
		b->t_write += now_s() - t0;
	}
	free(bt->blob);
	bt->blob = NULL;
	bt->n = 0;
	bt->rawlen = 0;
}

static void *writer_main(void *arg)
{
	struct bld *b = arg;

	for (;;) {
		struct batch *bt;

		pthread_mutex_lock(&b->mu);
		while (!b->full_head && !b->done) {
			pthread_cond_wait(&b->cv_full, &b->mu);
		}
		bt = b->full_head;
		if (!bt) {
			pthread_mutex_unlock(&b->mu);
			break;
		}
		b->full_head = bt->next;
		if (!b->full_head) {
			b->full_tail = NULL;
		}
		pthread_mutex_unlock(&b->mu);
		write_batch(b, bt);
		pthread_mutex_lock(&b->mu);
		b->writer_failed = b->failed;
		bt->next = b->free_list;
		b->free_list = bt;
		pthread_cond_signal(&b->cv_free);
		pthread_mutex_unlock(&b->mu);
	}
	return NULL;
}

/* Replay thread: hands the current batch to the writer. */
static void push_batch(struct bld *b)
{
	struct batch *bt = b->cur;

	b->cur = NULL;
	if (!bt) {
		return;
	}
	pthread_mutex_lock(&b->mu);
	bt->next = NULL;
	if (b->full_tail) {
		b->full_tail->next = bt;
	} else {
		b->full_head = bt;
	}
	b->full_tail = bt;
	pthread_cond_signal(&b->cv_full);
	if (b->writer_failed) {
		b->stop = true;
	}
	pthread_mutex_unlock(&b->mu);
}

static struct batch *get_batch(struct bld *b)
{
	if (!b->cur) {
		double t0 = b->prof ? now_s() : 0;

		pthread_mutex_lock(&b->mu);
		while (!b->free_list) {
			pthread_cond_wait(&b->cv_free, &b->mu);
		}
		if (b->prof) {
			b->t_wait += now_s() - t0;
		}
		b->cur = b->free_list;
		b->free_list = b->cur->next;
		if (b->writer_failed) {
			b->stop = true;
		}
		pthread_mutex_unlock(&b->mu);
	}
	return b->cur;
}

static int copy_raw(struct batch *bt, size_t i, const char *raw)
{
	size_t n = strlen(raw) + 1;

	if (bt->rawlen + n > bt->rawcap) {
		size_t ncap = bt->rawcap ? bt->rawcap * 2 : 65536;
		char *nr;

		while (ncap < bt->rawlen + n) {
			ncap *= 2;
		}
		nr = realloc(bt->raw, ncap);
		if (!nr) {
			return -1;
		}
		bt->raw = nr;
		bt->rawcap = ncap;
	}
	memcpy(bt->raw + bt->rawlen, raw, n);
	bt->rawoff[i] = bt->rawlen;
	bt->rawlen += n;
	return 0;
}

/* The caller asked to stop (idx_build_opts.cancel, set from another thread
 * or a signal handler). */
static bool cancelled(const struct idx_build_opts *o)
{
	return o->cancel && atomic_load_explicit(o->cancel, memory_order_relaxed);
}

static void after_hook(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m)
{
	struct bld *b = ctx;
	struct batch *bt;
	size_t i;

	if (b->stop || cancelled(b->o)) {
		b->ro.stop_after_seq = ev->seq; /* the engine stops after this event */
		return;
	}
	bt = get_batch(b);
	i = bt->n;
	bt->ev[i] = *ev;
	bt->rawoff[i] = SIZE_MAX;
	if (ev->type == TDXR_EV_UNMODELLED && ev->raw && copy_raw(bt, i, ev->raw) < 0) {
		b->stop = true;
		b->oom = true;
		b->ro.stop_after_seq = ev->seq;
		return;
	}
	bt->n++;
	b->nr_events_in++;
	if (ev->seq + 1 >= b->next_ckpt) {
		double t0 = b->prof ? now_s() : 0;

		if (take_checkpoint(b, bt, m, ev->seq) < 0) {
			b->stop = true;
			b->oom = true;
			b->ro.stop_after_seq = ev->seq;
			return;
		}
		if (b->prof) {
			b->t_save += now_s() - t0;
		}
		push_batch(b);
	} else if (bt->n == BATCH_EVENTS) {
		push_batch(b);
	}
	if (b->stop) {
		b->ro.stop_after_seq = ev->seq;
	}
	if (b->progress && (b->nr_events_in & 0x3fff) == 0) {
		double t = now_s();

		if (t >= b->next_report) {
			if (!b->fds_found) {
				find_input_fds(b);
			}
			show_progress(b, false);
			b->next_report = t + 0.25;
		}
	}
}

/* Starts the writer thread with its batches. 0 or -1. */
static int writer_start(struct bld *b)
{
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv_full, NULL);
	pthread_cond_init(&b->cv_free, NULL);
	b->sync_init = true;
	for (int i = 0; i < NR_BATCHES; i++) {
		struct batch *bt = calloc(1, sizeof(*bt));

		if (!bt) {
			return -1;
		}
		bt->next = b->free_list;
		b->free_list = bt;
	}
	if (pthread_create(&b->writer, NULL, writer_main, b) != 0) {
		return -1;
	}
	b->writer_running = true;
	return 0;
}

/* Hands over what is left and waits for the writer to finish. */
static void writer_stop(struct bld *b)
{
	if (b->writer_running) {
		push_batch(b);
		pthread_mutex_lock(&b->mu);
		b->done = true;
		pthread_cond_signal(&b->cv_full);
		pthread_mutex_unlock(&b->mu);
		pthread_join(b->writer, NULL);
		b->writer_running = false;
	}
}

static void free_batches(struct bld *b)
{
	struct batch *lists[3] = {b->free_list, b->full_head, b->cur};

	for (int l = 0; l < 3; l++) {
		for (struct batch *bt = lists[l], *nx; bt; bt = nx) {
			nx = l == 2 ? NULL : bt->next;
			free(bt->blob);
			free(bt->raw);
			free(bt);
		}
	}
	b->free_list = b->full_head = b->cur = NULL;
}

/* ---- the static tables, strings, findings, meta ---- */

static const char *const ctype_names[] = {"u64", "s64", "u32", "s32", "str"};
static const char *const role_names[] = {
	"",	     "vm",	"vcpu",	    "gfn",	"gpa",	  "level",
	"pfn",	     "spte",	"old_spte", "new_spte", "status", "leaf",
	"leaf_name", "sept_op", "as_id",    "mirror",	"ret",	  "exit_reason",
};

/* Lets Ctrl-C interrupt a long statement (CREATE INDEX, COMMIT). */
static int cancel_handler(void *ctx)
{
	const struct bld *b = ctx;

	return cancelled(b->o);
}

static int exec(struct bld *b, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(b->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (!b->failed) {
			snprintf(b->err, sizeof(b->err), "%s", msg ? msg : "sqlite error");
			b->failed = true;
		}
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *prep(struct bld *b, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v3(b->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		bld_fail(b, "preparing");
		return NULL;
	}
	return st;
}

static int step_reset(struct bld *b, sqlite3_stmt *st, const char *what)
{
	int r = sqlite3_step(st);

	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		bld_fail(b, what);
		return -1;
	}
	return 0;
}

static int write_types(struct bld *b)
{
	sqlite3_stmt *t = prep(b, "INSERT INTO event_types VALUES (?, ?, ?, ?, ?)");
	sqlite3_stmt *f = prep(b, "INSERT INTO event_fields VALUES (?, ?, ?, ?, ?, ?)");
	sqlite3_stmt *k = prep(b, "INSERT INTO finding_kinds VALUES (?, ?, ?, ?)");
	int ret = -1;

	if (!t || !f || !k) {
		goto out;
	}
	for (unsigned int ty = 0; ty < TDXR_EV__COUNT; ty++) {
		const struct tdxr_event_desc *d = tdxr_event_desc(ty);

		sqlite3_bind_int(t, 1, (int)ty);
		sqlite3_bind_text(t, 2, d->system ? d->system : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(t, 3, d->name ? d->name : "", -1, SQLITE_STATIC);
		sqlite3_bind_int(t, 4, (int)d->nr_fields);
		sqlite3_bind_text(t, 5, d->print_fmt, -1, SQLITE_STATIC);
		if (step_reset(b, t, "writing event_types") < 0) {
			goto out;
		}
		for (unsigned int i = 0; i < d->nr_fields; i++) {
			const struct tdxr_field_desc *fd = &d->fields[i];
			unsigned int role = fd->role;

			sqlite3_bind_int(f, 1, (int)ty);
			sqlite3_bind_int(f, 2, (int)i);
			sqlite3_bind_text(f, 3, fd->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(f, 4, ctype_names[fd->type], -1, SQLITE_STATIC);
			sqlite3_bind_text(f, 5,
					  role < sizeof(role_names) / sizeof(role_names[0])
						  ? role_names[role]
						  : "?",
					  -1, SQLITE_STATIC);
			sqlite3_bind_int(f, 6, (fd->flags & TDXR_FF_DERIVED) ? 1 : 0);
			if (step_reset(b, f, "writing event_fields") < 0) {
				goto out;
			}
		}
	}
	for (unsigned int i = 0; i < MDL_FK__COUNT; i++) {
		sqlite3_bind_int(k, 1, (int)i);
		sqlite3_bind_text(k, 2, mdl_finding_kind_name(i), -1, SQLITE_STATIC);
		sqlite3_bind_text(k, 3, mdl_severity_name(mdl_finding_kind_severity(i)), -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(k, 4, mdl_finding_kind_summary(i), -1, SQLITE_STATIC);
		if (step_reset(b, k, "writing finding_kinds") < 0) {
			goto out;
		}
	}
	ret = 0;
out:
	sqlite3_finalize(t);
	sqlite3_finalize(f);
	sqlite3_finalize(k);
	return ret;
}

static int write_strings(struct bld *b, const struct tdxr_strtab *st, uint64_t *count)
{
	sqlite3_stmt *s = prep(b, "INSERT INTO strings VALUES (?, ?)");
	uint32_t n = tdxr_strtab_count(st);
	int ret = -1;

	if (!s) {
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, i);
		sqlite3_bind_text(s, 2, tdxr_strtab_get(st, i), -1, SQLITE_STATIC);
		if (step_reset(b, s, "writing strings") < 0) {
			goto out;
		}
	}
	*count = n;
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

static int write_threads(struct bld *b)
{
	sqlite3_stmt *s = prep(b, "INSERT INTO threads VALUES (?, ?, ?, ?, ?)");
	int ret = -1;

	if (!s) {
		return -1;
	}
	for (size_t i = 0; i < b->nr_thr; i++) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)i);
		sqlite3_bind_int(s, 2, b->thr[i].tid);
		sqlite3_bind_int64(s, 3, b->thr[i].comm);
		sqlite3_bind_int(s, 4, b->thr[i].tgid);
		sqlite3_bind_int(s, 5, b->thr[i].input);
		if (step_reset(b, s, "writing threads") < 0) {
			goto out;
		}
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

static int write_findings(struct bld *b, const struct rpl_result *res)
{
	sqlite3_stmt *f =
		prep(b, "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_stmt *c = prep(b, "INSERT INTO finding_chain VALUES (?, ?, ?)");
	int ret = -1;

	if (!f || !c) {
		goto out;
	}
	for (size_t i = 0; i < res->nr_findings; i++) {
		const struct mdl_finding *x = &res->findings[i];

		sqlite3_bind_int64(f, 1, (sqlite3_int64)i);
		bind_u64(f, 2, x->seq);
		sqlite3_bind_int(f, 3, x->input);
		sqlite3_bind_int64(f, 4, x->line);
		bind_u64(f, 5, x->ts);
		sqlite3_bind_int(f, 6, x->kind);
		sqlite3_bind_int(f, 7, x->severity);
		sqlite3_bind_int(f, 8, x->vm);
		sqlite3_bind_int(f, 9, x->vcpu);
		if (x->has_gfn) {
			bind_u64(f, 10, x->gfn);
		} else {
			sqlite3_bind_null(f, 10);
		}
		sqlite3_bind_text(f, 11, x->expected,
				  (int)strnlen(x->expected, sizeof(x->expected)), SQLITE_STATIC);
		sqlite3_bind_text(f, 12, x->actual, (int)strnlen(x->actual, sizeof(x->actual)),
				  SQLITE_STATIC);
		sqlite3_bind_text(f, 13, x->message, (int)strnlen(x->message, sizeof(x->message)),
				  SQLITE_STATIC);
		bind_u64(f, 14, x->cause_seq);
		if (step_reset(b, f, "writing findings") < 0) {
			goto out;
		}
		for (uint32_t j = 0; j < x->nr_chain && j < MDL_CHAIN_MAX; j++) {
			sqlite3_bind_int64(c, 1, (sqlite3_int64)i);
			sqlite3_bind_int(c, 2, (int)j);
			bind_u64(c, 3, x->chain[j]);
			if (step_reset(b, c, "writing finding_chain") < 0) {
				goto out;
			}
		}
	}
	ret = 0;
out:
	sqlite3_finalize(f);
	sqlite3_finalize(c);
	return ret;
}

static int meta_put(struct bld *b, sqlite3_stmt *m, const char *key, const char *text, int64_t num)
{
	sqlite3_bind_text(m, 1, key, -1, SQLITE_TRANSIENT);
	if (text) {
		sqlite3_bind_text(m, 2, text, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_int64(m, 2, num);
	}
	return step_reset(b, m, "writing meta");
}

static int write_meta(struct bld *b, const struct rpl_result *res, uint64_t nr_strings)
{
	sqlite3_stmt *m = prep(b, "INSERT OR REPLACE INTO meta VALUES (?, ?)");
	sqlite3_stmt *in = prep(b, "INSERT INTO inputs VALUES (?, ?, ?, ?, ?, ?, ?)");
	char when[64];
	time_t t = time(NULL);
	struct tm tm;
	int r = 0;

	if (!m || !in) {
		r = -1;
		goto out;
	}
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	r |= meta_put(b, m, "format", IDX_FORMAT, 0);
	r |= meta_put(b, m, "schema_version", NULL, IDX_SCHEMA_VERSION);
	r |= meta_put(b, m, "event_schema", NULL, TDXR_SCHEMA_VERSION);
	r |= meta_put(b, m, "tdxr_version", TDXR_VERSION, 0);
	r |= meta_put(b, m, "created", when, 0);
	r |= meta_put(b, m, "kernel_profile", res->model ? mdl_profile_name(res->model) : "", 0);
	r |= meta_put(b, m, "opt_kernel_profile", NULL, b->o->replay.kernel_profile);
	r |= meta_put(b, m, "gpaw", NULL, b->o->replay.gpaw);
	r |= meta_put(b, m, "inputs", NULL, res->nr_inputs);
	r |= meta_put(b, m, "events", NULL, (int64_t)b->nr_events);
	r |= meta_put(b, m, "event_extra", NULL, (int64_t)b->nr_extra);
	r |= meta_put(b, m, "findings", NULL, (int64_t)res->nr_findings);
	r |= meta_put(b, m, "checkpoints", NULL, (int64_t)b->nr_ckpt);
	r |= meta_put(b, m, "strings", NULL, (int64_t)nr_strings);
	r |= meta_put(b, m, "threads", NULL, (int64_t)b->nr_thr);
	r |= meta_put(b, m, "errors", NULL, (int64_t)res->errors);
	r |= meta_put(b, m, "warnings", NULL, (int64_t)res->warnings);
	r |= meta_put(b, m, "dropped_findings", NULL, (int64_t)res->dropped_findings);
	r |= meta_put(b, m, "checkpoint_every", NULL, (int64_t)b->k);
	for (unsigned int i = 0; i < res->nr_inputs && r == 0; i++) {
		sqlite3_bind_int(in, 1, (int)i);
		sqlite3_bind_text(in, 2, res->inputs[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(in, 3, tdxr_format_name(res->formats[i]), -1, SQLITE_STATIC);
		bind_u64(in, 4, res->stats[i].lines);
		bind_u64(in, 5, res->stats[i].events);
		bind_u64(in, 6, res->stats[i].lost_records);
		bind_u64(in, 7, res->stats[i].lost_events);
		r |= step_reset(b, in, "writing inputs");
	}
out:
	sqlite3_finalize(m);
	sqlite3_finalize(in);
	return r ? -1 : 0;
}

static int64_t count_rows(struct bld *b, const char *table)
{
	char sql[128];
	sqlite3_stmt *st;
	int64_t n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	st = prep(b, sql);
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return n;
}

/* The row counts of the tables are those meta announces. */
static int verify(struct bld *b)
{
	static const char *const tables[] = {"events",	    "event_extra", "findings",
					     "checkpoints", "strings",	   "threads"};

	/* every seq in place (the rowids SQLite assigned, see fill_row) */
	if (b->nr_events && b->rowid_max != (int64_t)b->nr_events - 1) {
		snprintf(b->err, sizeof(b->err),
			 "verification failed: the last event has seq %lld of %llu events",
			 (long long)b->rowid_max, (unsigned long long)b->nr_events);
		b->failed = true;
		return -1;
	}
	for (unsigned int i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		int64_t have = count_rows(b, tables[i]);
		int64_t want = idx_meta_int(b->db, tables[i], -2);

		if (have != want) {
			snprintf(b->err, sizeof(b->err),
				 "verification failed: %s has %lld rows, meta says %lld", tables[i],
				 (long long)have, (long long)want);
			b->failed = true;
			return -1;
		}
	}
	return exec(b, "INSERT OR REPLACE INTO meta VALUES ('complete', 1)");
}

/* Removes temporaries of earlier builds of @out whose process is gone. */
static void remove_stale(const char *out)
{
	char dir[PATH_MAX], pre[PATH_MAX + 8], p[PATH_MAX * 2];
	const char *slash = strrchr(out, '/');
	const char *base = slash ? slash + 1 : out;
	size_t plen;
	DIR *d;
	struct dirent *de;

	if (slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - out), out);
		if (!dir[0]) {
			strcpy(dir, "/");
		}
	} else {
		strcpy(dir, ".");
	}
	snprintf(pre, sizeof(pre), ".%s.tmp-", base);
	plen = strlen(pre);
	d = opendir(dir);
	if (!d) {
		return;
	}
	while ((de = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(de->d_name, pre, plen) != 0) {
			continue;
		}
		pid = strtol(de->d_name + plen, &end, 10);
		if (pid <= 0 || *end || (kill((pid_t)pid, 0) == 0 || errno != ESRCH)) {
			continue;
		}
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(d);
}

static void finalize_all(struct bld *b)
{
	sqlite3_finalize(b->ins_rows);
	b->ins_rows = NULL;
	sqlite3_finalize(b->ins_extra);
	sqlite3_finalize(b->ins_ckpt);
	b->ins_extra = b->ins_ckpt = NULL;
}

int idx_build(char *const *inputs, unsigned int n, const char *out_path,
	      const struct idx_build_opts *o, struct rpl_result *res, char *err, size_t errlen)
{
	struct bld *b = calloc(1, sizeof(*b));
	struct rpl_result local;
	struct rpl_result *r = res ? res : &local;
	char tmp[PATH_MAX];
	const char *slash = strrchr(out_path, '/');
	const char *after = strstr(tdxr_index_sql, IDX_AFTER_LOAD);
	char *ddl = NULL;
	uint64_t nr_strings = 0;
	struct stat sb;
	int ret = -1;

	memset(&local, 0, sizeof(local));
	memset(r, 0, sizeof(*r));
	if (!b || !after) {
		snprintf(err, errlen, "%s: out of memory", out_path);
		free(b);
		return -1;
	}
	if (stat(out_path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", out_path);
		free(b);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp-%ld", slash ? (int)(slash - out_path + 1) : 0,
		 out_path, slash ? slash + 1 : out_path, (long)getpid());
	remove_stale(out_path);
	unlink(tmp);

	b->o = o;
	b->ro = o->replay;
	b->ro.after = after_hook;
	b->ro.hook_ctx = b;
	b->ro.progress = false;
	b->ro.track_changes = true;
	b->gpaw = o->replay.gpaw ? o->replay.gpaw : 48;
	b->rowid_max = -1;
	b->k = o->checkpoint_every ? o->checkpoint_every : IDX_DEFAULT_K;
	b->next_ckpt = b->k;
	b->full_every = o->full_every ? o->full_every : IDX_DEFAULT_FULL_EVERY;
	b->inputs = inputs;
	b->nr_inputs = n;
	b->t0 = now_s();
	b->prof_t = b->t0;
	b->prof = getenv("TDXR_INDEX_PROFILE") != NULL;
	b->next_report = b->t0 + 0.25;
	if (o->progress && isatty(STDERR_FILENO)) {
		b->progress = true;
		for (unsigned int i = 0; i < n; i++) {
			if (stat(inputs[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
				b->total_bytes += (uint64_t)sb.st_size;
			}
		}
	}
	ddl = strndup(tdxr_index_sql, (size_t)(after - tdxr_index_sql));
	if (!ddl) {
		snprintf(err, errlen, "%s: out of memory", out_path);
		goto out;
	}
	if (sqlite3_open_v2(tmp, &b->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot create: %s", tmp,
			 b->db ? sqlite3_errmsg(b->db) : "out of memory");
		goto out;
	}
	sqlite3_progress_handler(b->db, 100000, cancel_handler, b);
	/* 16 KiB pages: fewer page splits and reads while loading and
	 * sorting (CREATE INDEX is ~20 % faster than with 4 KiB). threads=0:
	 * SQLite's multi-threaded sorter costs more CPU than it saves here. */
	if (exec(b, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
		    "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-16384; "
		    "PRAGMA page_size=16384; PRAGMA threads=0") < 0 ||
	    exec(b, ddl) < 0 || exec(b, "BEGIN") < 0 || write_types(b) < 0) {
		goto fail;
	}
	b->ins_extra = prep(b, "INSERT INTO event_extra (seq, name, raw, lost_flags, lost) "
			       "VALUES (?, ?, ?, ?, ?)");
	b->ins_ckpt = prep(b, "INSERT INTO checkpoints VALUES (?, ?, ?)");
	b->rows.row = malloc(BATCH_EVENTS * sizeof(*b->rows.row));
	if (!b->rows.row || idx_rows_register(b->db, &b->rows) < 0) {
		snprintf(err, errlen, "%s: out of memory", out_path);
		goto out;
	}
	b->ins_rows = prep(b, "INSERT INTO events (" IDX_EVENT_COLS ") SELECT " IDX_EVENT_COLS
			      " FROM tdxr_rows");
	if (!b->ins_extra || !b->ins_ckpt || !b->ins_rows) {
		goto fail;
	}
	if (writer_start(b) < 0) {
		snprintf(err, errlen, "%s: cannot start the writer thread", out_path);
		goto out;
	}
	if (rpl_run(inputs, n, &b->ro, r, err, errlen) < 0) {
		goto out;
	}
	writer_stop(b);
	if (b->oom && !b->failed) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		b->failed = true;
	}
	if (!b->failed && b->nr_events != r->events) {
		snprintf(b->err, sizeof(b->err), "wrote %llu of %llu events",
			 (unsigned long long)b->nr_events, (unsigned long long)r->events);
		b->failed = true;
	}
	if (cancelled(o)) {
		snprintf(err, errlen, "%s: cancelled", out_path);
		goto out;
	}
	if (b->failed) {
		goto fail;
	}
	if (b->progress) {
		show_progress(b, true);
		fprintf(stderr, "index: building the indexes...");
	}
	prof_mark(b, "replay+write");
	if (write_strings(b, r->st, &nr_strings) < 0 || write_threads(b) < 0 ||
	    write_findings(b, r) < 0 || write_meta(b, r, nr_strings) < 0 || exec(b, "COMMIT") < 0) {
		goto fail;
	}
	prof_mark(b, "commit");
	/* A small cache makes SQLite's sorter sort runs that fit in the CPU
	 * caches and merge them: CREATE INDEX is ~25 % faster than with the
	 * loading cache. */
	if (exec(b, "PRAGMA cache_size=-2048") < 0 || exec(b, after) < 0) {
		goto fail;
	}
	prof_mark(b, "create index");
	if (verify(b) < 0) {
		goto fail;
	}
	prof_mark(b, "verify");
	if (b->progress) {
		fprintf(stderr, " done\n");
	}
	if (cancelled(o)) {
		snprintf(err, errlen, "%s: cancelled", out_path);
		goto out;
	}
	finalize_all(b);
	if (sqlite3_close(b->db) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot close: %s", tmp, sqlite3_errmsg(b->db));
		goto out;
	}
	b->db = NULL;
	/* The file is complete and closed: rename() makes it appear whole or
	 * not at all to any reader and across a kill. (No fsync: it would
	 * double the build time and only matters for a power cut.) */
	if (rename(tmp, out_path) < 0) {
		snprintf(err, errlen, "%s: cannot write: %s", out_path, strerror(errno));
		goto out;
	}
	ret = 0;
	goto out;
fail:
	if (cancelled(o)) {
		snprintf(err, errlen, "%s: cancelled", out_path);
	} else {
		snprintf(err, errlen, "%s: %s", out_path, b->err);
	}
out:
	if (ret < 0 && b->progress) {
		fputc('\n', stderr);
	}
	writer_stop(b);
	free_batches(b);
	if (b->sync_init) {
		pthread_mutex_destroy(&b->mu);
		pthread_cond_destroy(&b->cv_full);
		pthread_cond_destroy(&b->cv_free);
	}
	finalize_all(b);
	if (b->db) {
		sqlite3_close(b->db);
	}
	if (ret < 0) {
		unlink(tmp);
	}
	if (!res) {
		rpl_result_free(&local);
	}
	free(b->thr);
	free(b->thash);
	free(b->rows.row);
	free(ddl);
	free(b);
	return ret;
}
