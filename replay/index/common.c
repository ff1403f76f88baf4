// SPDX-License-Identifier: GPL-2.0
/*
 * replay/index/common.c - what the index writer, reader and the index
 * trace source share: the gfn of an event, opening and checking a file,
 * turning a row back into struct tdxr_event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index_int.h"
#include "tdxr/tdx.h"

/* SEAMCALL leaves whose RCX is "gpa | tdx_level" (docs/tdx.md §2.1). */
static bool leaf_has_gpa(unsigned int leaf)
{
	return tdxr_seamcall_flags(leaf) & TDXR_LF_GPA;
}

bool idx_event_gfn(const struct tdxr_event *ev, int gpaw, uint64_t *gfn, int *level)
{
	uint64_t shared_gfn = 1ull << ((gpaw > 12 && gpaw <= 64 ? gpaw : 48) - 1 - 12);
	int fg, fa, fl;

	*level = 0;
	if (ev->type == TDXR_EV_TDX_SEAMCALL) {
		uint64_t rcx = EVF(ev, TDX_SEAMCALL, rcx);
		unsigned int leaf = (unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff);

		if (!EVF_HAS(ev, TDX_SEAMCALL, rcx) || !leaf_has_gpa(leaf)) {
			return false;
		}
		*gfn = (rcx >> 12) & ~shared_gfn & ((1ull << 40) - 1);
		*level = leaf == TDH_MR_EXTEND ? 1 : (int)(rcx & 7) + 1;
		return true;
	}
	if (ev->type == TDXR_EV_UNMODELLED) {
		return false;
	}
	fg = tdxr_event_field_by_role(ev->type, TDXR_FR_GFN);
	fa = tdxr_event_field_by_role(ev->type, TDXR_FR_GPA);
	fl = tdxr_event_field_by_role(ev->type, TDXR_FR_LEVEL);
	if (fg >= 0 && ((ev->fmask >> fg) & 1)) {
		*gfn = ev->f[fg] & ~shared_gfn;
	} else if (fa >= 0 && ((ev->fmask >> fa) & 1)) {
		*gfn = (ev->f[fa] >> 12) & ~shared_gfn;
	} else {
		return false;
	}
	if (fl >= 0 && ((ev->fmask >> fl) & 1)) {
		*level = (int)(int32_t)ev->f[fl];
	}
	return true;
}

static bool has_sqlite_header(const char *path)
{
	char h[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		return false;
	}
	n = read(fd, h, sizeof(h));
	close(fd);
	return n == (ssize_t)sizeof(h) && memcmp(h, "SQLite format 3", 16) == 0;
}

bool idx_is_index_file(const char *path)
{
	return has_sqlite_header(path);
}

int64_t idx_meta_int(sqlite3 *db, const char *key, int64_t def)
{
	sqlite3_stmt *st;
	int64_t v = def;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) !=
	    SQLITE_OK) {
		return def;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

static int64_t one_int(sqlite3 *db, const char *sql, int64_t def)
{
	sqlite3_stmt *st;
	int64_t v = def;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		return def;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

int idx_check_meta(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	bool ours = false;
	int64_t ver, events, strings, last;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'format'", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *v = sqlite3_column_text(st, 0);

			ours = v && strcmp((const char *)v, IDX_FORMAT) == 0;
		}
		sqlite3_finalize(st);
	} else if (sqlite3_errcode(db) != SQLITE_ERROR) {
		snprintf(err, errlen, "%s: unreadable SQLite file: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	if (!ours) {
		snprintf(err, errlen,
			 "%s: an SQLite file, but not a tdxr index (no meta format '%s')", path,
			 IDX_FORMAT);
		return -1;
	}
	ver = idx_meta_int(db, "schema_version", -1);
	if (ver != IDX_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "%s: tdxr index of schema version %lld; this tdxr reads version %d", path,
			 (long long)ver, IDX_SCHEMA_VERSION);
		return -1;
	}
	if (idx_meta_int(db, "complete", 0) != 1) {
		snprintf(err, errlen, "%s: incomplete tdxr index (its build did not finish)", path);
		return -1;
	}
	events = idx_meta_int(db, "events", -1);
	strings = idx_meta_int(db, "strings", -1);
	last = one_int(db, "SELECT max(seq) FROM events", -1);
	if (sqlite3_errcode(db) != SQLITE_OK && sqlite3_errcode(db) != SQLITE_DONE &&
	    sqlite3_errcode(db) != SQLITE_ROW) {
		snprintf(err, errlen, "%s: damaged tdxr index: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	if (events < 0 || last + 1 != events ||
	    one_int(db, "SELECT max(id) FROM strings", -1) + 1 != strings) {
		snprintf(err, errlen, "%s: damaged tdxr index: row counts differ from meta", path);
		return -1;
	}
	return 0;
}

sqlite3 *idx_db_open_ro(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	struct stat sb;
	int64_t pages, psize;

	if (stat(path, &sb) < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (!has_sqlite_header(path)) {
		snprintf(err, errlen, "%s: not a tdxr index (no SQLite header)", path);
		return NULL;
	}
	/* One handle per thread (the TUI's seeker has its own): no mutex. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	pages = one_int(db, "PRAGMA page_count", -1);
	psize = one_int(db, "PRAGMA page_size", -1);
	if (pages < 0 || psize <= 0 || (uint64_t)(pages * psize) > (uint64_t)sb.st_size) {
		snprintf(err, errlen,
			 "%s: truncated or damaged SQLite file (%lld bytes, header says %lld)",
			 path, (long long)sb.st_size, (long long)(pages * psize));
		sqlite3_close(db);
		return NULL;
	}
	if (idx_check_meta(db, path, err, errlen) < 0) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

int idx_load_threads(sqlite3 *db, struct idx_thread **out, size_t *n)
{
	sqlite3_stmt *st;
	int64_t nr = idx_meta_int(db, "threads", -1);
	struct idx_thread *t;
	size_t i = 0;

	if (nr < 0 || nr > (1 << 30) ||
	    sqlite3_prepare_v2(db, "SELECT ctx, tid, comm, tgid, input FROM threads ORDER BY ctx",
			       -1, &st, NULL) != SQLITE_OK) {
		return -1;
	}
	t = calloc((size_t)nr + 1, sizeof(*t));
	if (!t) {
		sqlite3_finalize(st);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW && i < (size_t)nr) {
		if (sqlite3_column_int64(st, 0) != (int64_t)i) {
			break;
		}
		t[i].tid = sqlite3_column_int(st, 1);
		t[i].comm = (uint32_t)sqlite3_column_int64(st, 2);
		t[i].tgid = sqlite3_column_int(st, 3);
		t[i].input = (uint16_t)sqlite3_column_int(st, 4);
		i++;
	}
	sqlite3_finalize(st);
	if (i != (size_t)nr) {
		free(t);
		return -1;
	}
	*out = t;
	*n = i;
	return 0;
}

/*
 * Puts the cursor @extra (IDX_EXTRA_SQL) on the first extra row at or
 * after @seq: a few steps forward when it is already near, else a new
 * query. 0, or -1 on an error.
 */
static int extra_seek(sqlite3_stmt *extra, uint64_t seq)
{
	int r;

	if (sqlite3_stmt_busy(extra) && (uint64_t)sqlite3_column_int64(extra, 0) <= seq) {
		for (int i = 0; i < 64; i++) {
			if ((uint64_t)sqlite3_column_int64(extra, 0) >= seq) {
				return 0;
			}
			r = sqlite3_step(extra);
			if (r != SQLITE_ROW) {
				return r == SQLITE_DONE ? 0 : -1;
			}
		}
	}
	sqlite3_reset(extra);
	sqlite3_bind_int64(extra, 1, (sqlite3_int64)seq);
	r = sqlite3_step(extra);
	return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : -1;
}

int idx_row_event(sqlite3_stmt *row, sqlite3_stmt *extra, const struct idx_thread *threads,
		  size_t nr_threads, bool resolved, struct tdxr_event *ev, char **rawbuf,
		  size_t *rawcap)
{
	const struct tdxr_event_desc *d;
	int64_t ctx;

	memset(ev, 0, sizeof(*ev));
	ev->seq = (uint64_t)sqlite3_column_int64(row, IDX_C_SEQ);
	ev->ts = (uint64_t)sqlite3_column_int64(row, IDX_C_TS);
	ev->type = (uint16_t)sqlite3_column_int(row, IDX_C_TYPE);
	ctx = sqlite3_column_int64(row, IDX_C_CTX);
	if (ev->type >= TDXR_EV__COUNT || ctx < 0 || (uint64_t)ctx >= nr_threads) {
		return -1;
	}
	d = tdxr_event_desc(ev->type);
	ev->cpu = sqlite3_column_int(row, IDX_C_CPU);
	ev->tid = threads[ctx].tid;
	ev->comm = threads[ctx].comm;
	ev->tgid = threads[ctx].tgid;
	ev->input = threads[ctx].input;
	ev->vm = resolved ? sqlite3_column_int(row, IDX_C_VM) : -1;
	ev->vcpu = resolved ? sqlite3_column_int(row, IDX_C_VCPU) : -1;
	if (sqlite3_column_type(row, IDX_C_DLINE) != SQLITE_NULL) {
		ev->line = (uint32_t)(ev->seq + (uint64_t)sqlite3_column_int64(row, IDX_C_DLINE));
	}
	for (unsigned int i = 0; i < TDXR_MAX_FIELDS && i < d->nr_fields; i++) {
		sqlite3_value *v = sqlite3_column_value(row, IDX_C_F0 + (int)i);

		if (sqlite3_value_type(v) != SQLITE_NULL) {
			ev->f[i] = (uint64_t)sqlite3_value_int64(v);
			ev->fmask |= (uint16_t)(1u << i);
		}
	}
	if (sqlite3_column_type(row, IDX_C_X) == SQLITE_NULL) {
		return 0;
	}
	if (extra_seek(extra, ev->seq) < 0) {
		return -1;
	}
	if (sqlite3_stmt_busy(extra) && (uint64_t)sqlite3_column_int64(extra, 0) == ev->seq) {
		const unsigned char *raw = sqlite3_column_text(extra, 2);
		size_t n = (size_t)sqlite3_column_bytes(extra, 2);

		ev->name = (uint32_t)sqlite3_column_int64(extra, 1);
		ev->lost_flags = (uint16_t)sqlite3_column_int(extra, 3);
		ev->lost = (uint32_t)sqlite3_column_int64(extra, 4);
		if (!resolved && sqlite3_column_type(extra, 5) != SQLITE_NULL) {
			ev->vm = sqlite3_column_int(extra, 5);
		}
		if (!resolved && sqlite3_column_type(extra, 6) != SQLITE_NULL) {
			ev->vcpu = sqlite3_column_int(extra, 6);
		}
		if (raw) {
			if (n + 1 > *rawcap) {
				char *nb = realloc(*rawbuf, n + 1);

				if (!nb) {
					return -1;
				}
				*rawbuf = nb;
				*rawcap = n + 1;
			}
			memcpy(*rawbuf, raw, n);
			(*rawbuf)[n] = '\0';
			ev->raw = *rawbuf;
		}
	}
	return 0;
}
