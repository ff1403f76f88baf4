// SPDX-License-Identifier: GPL-2.0
/*
 * replay/index/read.c - reading an index: events, findings, navigation,
 * and idx_seek (nearest checkpoint + replay of the events read back from
 * the index).
 *
 * idx_seek keeps two models between calls: the state at a restored
 * checkpoint, once a seek came back to it (stepping back again then
 * clones it without reading SQLite; a later checkpoint of the same chain
 * applies only the changes in between to it, in place; see
 * restore_checkpoint), and the model at the seq it last returned
 * (stepping forward replays only the events in between, into that model
 * in place; the caller borrows it until the next seek).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_int.h"

struct idx {
	sqlite3 *db;
	char *path;
	struct tdxr_strtab *st;
	uint64_t nr_events;
	size_t nr_findings;
	unsigned int nr_inputs;
	char **input_paths;
	char *profile;
	struct idx_thread *threads;
	size_t nr_threads;
	int opt_profile, gpaw;

	sqlite3_stmt *get_ev, *get_extra, *range_ev, *get_finding, *get_chain;
	sqlite3_stmt *ckpt_seq, *full_seq, *ckpt_chain;
	sqlite3_stmt *gfn_next, *gfn_prev, *vcpu_next, *vcpu_prev, *find_next, *find_prev;
	sqlite3_stmt *find_at;
	char err[512]; /* why the last failing call failed (idx_error) */
	char *rawbuf;
	size_t rawcap;

	uint8_t *ckbuf; /* a full checkpoint as read (kept: see load_full) */
	size_t ckcap;
	struct mdl_model *ck;	  /* the state at checkpoint ck_seq, of the chain */
	uint64_t ck_seq, ck_full; /* that starts with the full one at ck_full */
	uint64_t last_ck;	  /* the checkpoint the last seek restored */
	struct mdl_model *cache;  /* the state right after cache_seq */
	uint64_t cache_seq;	  /* UINT64_MAX: before the first event */
	bool has_cache;
};

static sqlite3_stmt *prep(struct idx *ix, const char *sql)
{
	sqlite3_stmt *st = NULL;

	sqlite3_prepare_v3(ix->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	return st;
}

static char *column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return strdup(t ? (const char *)t : "");
}

static int load_strings(struct idx *ix)
{
	sqlite3_stmt *st = prep(ix, "SELECT id, s FROM strings ORDER BY id");
	int ret = 0;

	ix->st = tdxr_strtab_new();
	if (!st || !ix->st) {
		sqlite3_finalize(st);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *s = (const char *)sqlite3_column_text(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1);

		/* Interned in id order, each string gets its stored id back. */
		if (id == 0 ? n != 0 : tdxr_strtab_intern(ix->st, s ? s : "", n) != (uint32_t)id) {
			ret = -1;
			break;
		}
	}
	sqlite3_finalize(st);
	return ret;
}

static int load_inputs(struct idx *ix)
{
	sqlite3_stmt *st = prep(ix, "SELECT path FROM inputs ORDER BY input");

	if (!st) {
		return -1;
	}
	ix->input_paths = calloc(ix->nr_inputs ? ix->nr_inputs : 1, sizeof(char *));
	if (!ix->input_paths) {
		sqlite3_finalize(st);
		return -1;
	}
	for (unsigned int i = 0; i < ix->nr_inputs && sqlite3_step(st) == SQLITE_ROW; i++) {
		ix->input_paths[i] = column_dup(st, 0);
	}
	sqlite3_finalize(st);
	st = prep(ix, "SELECT value FROM meta WHERE key = 'kernel_profile'");
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		ix->profile = column_dup(st, 0);
	}
	sqlite3_finalize(st);
	return ix->profile ? 0 : -1;
}

struct idx *idx_open(const char *path, char *err, size_t errlen)
{
	struct idx *ix = calloc(1, sizeof(*ix));

	if (!ix) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	ix->db = idx_db_open_ro(path, err, errlen);
	if (!ix->db) {
		free(ix);
		return NULL;
	}
	ix->path = strdup(path);
	ix->last_ck = UINT64_MAX;
	ix->nr_events = (uint64_t)idx_meta_int(ix->db, "events", 0);
	ix->nr_findings = (size_t)idx_meta_int(ix->db, "findings", 0);
	ix->nr_inputs = (unsigned int)idx_meta_int(ix->db, "inputs", 0);
	ix->opt_profile = (int)idx_meta_int(ix->db, "opt_kernel_profile", 0);
	ix->gpaw = (int)idx_meta_int(ix->db, "gpaw", 0);
	sqlite3_exec(ix->db, "PRAGMA cache_size=-8192", NULL, NULL, NULL);
	/* Checkpoint blobs span thousands of overflow pages: map them, but
	 * only a window, so a scan over every event (a TUI filter) does not
	 * map the whole file into the process (RSS, DESIGN §8). */
	sqlite3_exec(ix->db, "PRAGMA mmap_size=33554432", NULL, NULL, NULL);
	ix->get_ev = prep(ix, "SELECT " IDX_EVENT_COLS " FROM events WHERE seq = ?");
	ix->range_ev = prep(ix, "SELECT " IDX_EVENT_COLS " FROM events WHERE seq >= ? AND seq <= ? "
				"ORDER BY seq");
	ix->get_extra = prep(ix, IDX_EXTRA_SQL);
	ix->get_finding =
		prep(ix, "SELECT seq, input, line, ts, kind, severity, vm, vcpu, gfn, "
			 "expected, actual, message, cause_seq FROM findings WHERE id = ?");
	ix->get_chain = prep(ix, "SELECT seq FROM finding_chain WHERE finding = ? ORDER BY pos");
	ix->ckpt_seq =
		prep(ix, "SELECT seq FROM checkpoints WHERE seq <= ? ORDER BY seq DESC LIMIT 1");
	ix->full_seq = prep(ix, "SELECT seq FROM checkpoints WHERE seq <= ? AND base = seq "
				"ORDER BY seq DESC LIMIT 1");
	ix->ckpt_chain = prep(ix, "SELECT seq, base, data FROM checkpoints WHERE seq > ? AND "
				  "seq <= ? ORDER BY seq");
	ix->gfn_next = prep(ix, "SELECT seq FROM events WHERE gfn = ?1 AND vm = ?2 "
				"AND seq > ?3 ORDER BY seq LIMIT 1");
	ix->gfn_prev = prep(ix, "SELECT seq FROM events WHERE gfn = ?1 AND vm = ?2 "
				"AND seq < ?3 ORDER BY seq DESC LIMIT 1");
	ix->vcpu_next = prep(ix, "SELECT seq FROM events WHERE vcpu = ?1 AND vm = ?2 "
				 "AND seq > ?3 ORDER BY seq LIMIT 1");
	ix->vcpu_prev = prep(ix, "SELECT seq FROM events WHERE vcpu = ?1 AND vm = ?2 "
				 "AND seq < ?3 ORDER BY seq DESC LIMIT 1");
	ix->find_next = prep(ix, "SELECT seq FROM findings WHERE seq > ?1 ORDER BY seq LIMIT 1");
	ix->find_prev =
		prep(ix, "SELECT seq FROM findings WHERE seq < ?1 ORDER BY seq DESC LIMIT 1");
	ix->find_at = prep(ix, "SELECT id FROM findings WHERE seq = ?1 ORDER BY id LIMIT 1");
	if (!ix->path || !ix->get_ev || !ix->range_ev || !ix->get_extra || !ix->get_finding ||
	    !ix->get_chain || !ix->full_seq || !ix->ckpt_chain || !ix->ckpt_seq || !ix->gfn_next ||
	    !ix->gfn_prev || !ix->vcpu_next || !ix->vcpu_prev || !ix->find_next || !ix->find_prev ||
	    !ix->find_at) {
		snprintf(err, errlen, "%s: damaged tdxr index: %s", path, sqlite3_errmsg(ix->db));
		idx_close(ix);
		return NULL;
	}
	if (load_strings(ix) < 0 || load_inputs(ix) < 0 ||
	    idx_load_threads(ix->db, &ix->threads, &ix->nr_threads) < 0) {
		snprintf(err, errlen,
			 "%s: damaged tdxr index: strings, inputs or threads unreadable", path);
		idx_close(ix);
		return NULL;
	}
	return ix;
}

void idx_close(struct idx *ix)
{
	if (!ix) {
		return;
	}
	sqlite3_finalize(ix->get_ev);
	sqlite3_finalize(ix->range_ev);
	sqlite3_finalize(ix->get_extra);
	sqlite3_finalize(ix->get_finding);
	sqlite3_finalize(ix->get_chain);
	sqlite3_finalize(ix->full_seq);
	sqlite3_finalize(ix->ckpt_chain);
	sqlite3_finalize(ix->ckpt_seq);
	sqlite3_finalize(ix->gfn_next);
	sqlite3_finalize(ix->gfn_prev);
	sqlite3_finalize(ix->vcpu_next);
	sqlite3_finalize(ix->vcpu_prev);
	sqlite3_finalize(ix->find_next);
	sqlite3_finalize(ix->find_prev);
	sqlite3_finalize(ix->find_at);
	sqlite3_close(ix->db);
	tdxr_strtab_free(ix->st);
	for (unsigned int i = 0; ix->input_paths && i < ix->nr_inputs; i++) {
		free(ix->input_paths[i]);
	}
	free(ix->input_paths);
	free(ix->threads);
	free(ix->profile);
	free(ix->path);
	free(ix->rawbuf);
	free(ix->ckbuf);
	mdl_free(ix->ck);
	mdl_free(ix->cache);
	free(ix);
}

struct sqlite3 *idx_db(struct idx *ix)
{
	return ix->db;
}

const struct tdxr_strtab *idx_strtab(const struct idx *ix)
{
	return ix->st;
}

uint64_t idx_nr_events(const struct idx *ix)
{
	return ix->nr_events;
}

unsigned int idx_nr_inputs(const struct idx *ix)
{
	return ix->nr_inputs;
}

const char *idx_input_path(const struct idx *ix, unsigned int i)
{
	return i < ix->nr_inputs && ix->input_paths[i] ? ix->input_paths[i] : "";
}

const char *idx_kernel_profile(const struct idx *ix)
{
	return ix->profile ? ix->profile : "";
}

static int seek_fail(struct idx *ix, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets idx_error(): "INDEX: what". Returns -1 (IDX_ERR). */
static int seek_fail(struct idx *ix, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ix->err, sizeof(ix->err), "%s: ", ix->path);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(ix->err)) {
		vsnprintf(ix->err + n, sizeof(ix->err) - (size_t)n, fmt, ap);
	}
	va_end(ap);
	return -1;
}

const char *idx_error(const struct idx *ix)
{
	return ix->err;
}

/* "SQLITE_CORRUPT" for @rc (its primary code), "SQLITE_?" if unknown. */
static const char *rc_name(int rc)
{
	static const char *const names[] = {
		[SQLITE_ERROR] = "SQLITE_ERROR",
		[SQLITE_INTERNAL] = "SQLITE_INTERNAL",
		[SQLITE_PERM] = "SQLITE_PERM",
		[SQLITE_ABORT] = "SQLITE_ABORT",
		[SQLITE_BUSY] = "SQLITE_BUSY",
		[SQLITE_LOCKED] = "SQLITE_LOCKED",
		[SQLITE_NOMEM] = "SQLITE_NOMEM",
		[SQLITE_READONLY] = "SQLITE_READONLY",
		[SQLITE_INTERRUPT] = "SQLITE_INTERRUPT",
		[SQLITE_IOERR] = "SQLITE_IOERR",
		[SQLITE_CORRUPT] = "SQLITE_CORRUPT",
		[SQLITE_NOTFOUND] = "SQLITE_NOTFOUND",
		[SQLITE_FULL] = "SQLITE_FULL",
		[SQLITE_CANTOPEN] = "SQLITE_CANTOPEN",
		[SQLITE_PROTOCOL] = "SQLITE_PROTOCOL",
		[SQLITE_EMPTY] = "SQLITE_EMPTY",
		[SQLITE_SCHEMA] = "SQLITE_SCHEMA",
		[SQLITE_TOOBIG] = "SQLITE_TOOBIG",
		[SQLITE_CONSTRAINT] = "SQLITE_CONSTRAINT",
		[SQLITE_MISMATCH] = "SQLITE_MISMATCH",
		[SQLITE_MISUSE] = "SQLITE_MISUSE",
		[SQLITE_NOLFS] = "SQLITE_NOLFS",
		[SQLITE_AUTH] = "SQLITE_AUTH",
		[SQLITE_FORMAT] = "SQLITE_FORMAT",
		[SQLITE_RANGE] = "SQLITE_RANGE",
		[SQLITE_NOTADB] = "SQLITE_NOTADB",
	};
	unsigned int p = (unsigned int)rc & 0xff;

	return p < sizeof(names) / sizeof(names[0]) && names[p] ? names[p] : "SQLITE_?";
}

/* Sets idx_error() to "INDEX: WHAT: SQLITE_X: message" for the result
 * code @rc of a step. Returns IDX_ERR. */
static int sql_fail(struct idx *ix, int rc, const char *what)
{
	return seek_fail(ix, "%s: %s: %s", what, rc_name(rc), sqlite3_errstr(rc));
}

int idx_event(struct idx *ix, uint64_t seq, struct tdxr_event *ev)
{
	int r, ret = -1;

	if (seq >= ix->nr_events) {
		return -1;
	}
	sqlite3_bind_int64(ix->get_ev, 1, (sqlite3_int64)seq);
	r = sqlite3_step(ix->get_ev);
	if (r == SQLITE_ROW) {
		ret = idx_row_event(ix->get_ev, ix->get_extra, ix->threads, ix->nr_threads, true,
				    ev, &ix->rawbuf, &ix->rawcap);
		if (ret < 0) {
			seek_fail(ix, "event %llu: damaged row", (unsigned long long)seq);
		}
	} else if (r == SQLITE_DONE) {
		seek_fail(ix, "event %llu: missing", (unsigned long long)seq);
	} else {
		sql_fail(ix, r, "reading an event");
	}
	sqlite3_reset(ix->get_ev);
	return ret;
}

size_t idx_nr_findings(const struct idx *ix)
{
	return ix->nr_findings;
}

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

int idx_finding(struct idx *ix, size_t i, struct mdl_finding *out)
{
	sqlite3_stmt *st = ix->get_finding;
	int r, ret = -1;

	memset(out, 0, sizeof(*out));
	if (i >= ix->nr_findings) {
		return -1;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		out->seq = (uint64_t)sqlite3_column_int64(st, 0);
		out->input = (uint16_t)sqlite3_column_int(st, 1);
		out->line = (uint32_t)sqlite3_column_int64(st, 2);
		out->ts = (uint64_t)sqlite3_column_int64(st, 3);
		out->kind = (uint16_t)sqlite3_column_int(st, 4);
		out->severity = (uint8_t)sqlite3_column_int(st, 5);
		out->vm = sqlite3_column_int(st, 6);
		out->vcpu = sqlite3_column_int(st, 7);
		out->has_gfn = sqlite3_column_type(st, 8) != SQLITE_NULL;
		out->gfn = out->has_gfn ? (uint64_t)sqlite3_column_int64(st, 8) : 0;
		copy_text(out->expected, sizeof(out->expected), st, 9);
		copy_text(out->actual, sizeof(out->actual), st, 10);
		copy_text(out->message, sizeof(out->message), st, 11);
		out->cause_seq = (uint64_t)sqlite3_column_int64(st, 12);
		ret = 0;
	} else if (r == SQLITE_DONE) {
		seek_fail(ix, "finding %zu: missing", i);
	} else {
		sql_fail(ix, r, "reading a finding");
	}
	sqlite3_reset(st);
	if (ret < 0) {
		return -1;
	}
	sqlite3_bind_int64(ix->get_chain, 1, (sqlite3_int64)i);
	while ((r = sqlite3_step(ix->get_chain)) == SQLITE_ROW && out->nr_chain < MDL_CHAIN_MAX) {
		out->chain[out->nr_chain++] = (uint64_t)sqlite3_column_int64(ix->get_chain, 0);
	}
	sqlite3_reset(ix->get_chain);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		return sql_fail(ix, r, "reading a finding's chain");
	}
	return 0;
}

/* ---- seek ---- */

/*
 * The seq @st (ckpt_seq: any checkpoint, full_seq: a full one) finds at
 * or before @seq: 1 with *at set, 0 when none, -1.
 */
static int ckpt_before(sqlite3_stmt *st, uint64_t seq, uint64_t *at)
{
	int r;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*at = (uint64_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

/*
 * ix->ck = the full checkpoint at @seq, read into a buffer kept for the
 * next one (tens of MB for a big TD: fresh memory each time would cost
 * more in page faults than the read). 0 or -1.
 */
static int load_full(struct idx *ix, uint64_t seq)
{
	sqlite3_blob *bl = NULL;
	size_t n;

	mdl_free(ix->ck);
	ix->ck = NULL;
	if (sqlite3_blob_open(ix->db, "main", "checkpoints", "data", (sqlite3_int64)seq, 0, &bl) !=
	    SQLITE_OK) {
		sqlite3_blob_close(bl);
		return seek_fail(ix, "checkpoint at seq %llu: cannot be read: %s",
				 (unsigned long long)seq, sqlite3_errmsg(ix->db));
	}
	n = (size_t)sqlite3_blob_bytes(bl);
	if (n > ix->ckcap) {
		uint8_t *nb = malloc(n);

		if (!nb) {
			sqlite3_blob_close(bl);
			return seek_fail(ix, "out of memory");
		}
		free(ix->ckbuf);
		ix->ckbuf = nb;
		ix->ckcap = n;
	}
	if (sqlite3_blob_read(bl, ix->ckbuf, (int)n, 0) == SQLITE_OK) {
		ix->ck = mdl_load(ix->ckbuf, n);
	}
	sqlite3_blob_close(bl);
	if (!ix->ck) {
		return seek_fail(ix, "checkpoint at seq %llu: damaged (not a model state)",
				 (unsigned long long)seq);
	}
	ix->ck_full = seq;
	ix->ck_seq = seq;
	return 0;
}

/* Applies the chain's changes (ix->ck_seq, @to] to ix->ck. 0 or -1. */
static int apply_chain(struct idx *ix, uint64_t to)
{
	sqlite3_stmt *st = ix->ckpt_chain;
	int r, ret = 0;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)ix->ck_seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
		uint64_t base = (uint64_t)sqlite3_column_int64(st, 1);

		/* each link applies to the one before; a full one ends it */
		if (base != ix->ck_seq) {
			ret = seek_fail(ix,
					"checkpoint at seq %llu follows seq %llu, not %llu: "
					"damaged index",
					(unsigned long long)seq, (unsigned long long)base,
					(unsigned long long)ix->ck_seq);
			break;
		}
		if (mdl_load_changes(ix->ck, sqlite3_column_blob(st, 2),
				     (size_t)sqlite3_column_bytes(st, 2)) < 0) {
			ret = seek_fail(ix,
					"checkpoint at seq %llu: damaged (its changes do not "
					"apply to the state before)",
					(unsigned long long)seq);
			break;
		}
		ix->ck_seq = seq;
	}
	if (ret == 0 && r != SQLITE_DONE) {
		ret = seek_fail(ix, "checkpoints after seq %llu: %s",
				(unsigned long long)ix->ck_seq, sqlite3_errmsg(ix->db));
	}
	sqlite3_reset(st);
	if (ret == 0 && ix->ck_seq != to) {
		ret = seek_fail(ix, "checkpoint at seq %llu: its chain stops at seq %llu",
				(unsigned long long)to, (unsigned long long)ix->ck_seq);
	}
	if (ret < 0) {
		mdl_free(ix->ck);
		ix->ck = NULL;
	}
	return ret;
}

/*
 * The model of checkpoint @cseq (the nearest at or before the seek),
 * from ix->ck: brought there from its full checkpoint, or from where it
 * is when that lies on the same chain before @cseq. Seeking again within
 * the checkpoint's events (stepping back) gets a clone and keeps ix->ck
 * for the next time; a jump elsewhere takes ix->ck itself: a big TD's
 * model is 100+ MB in memory, and a clone the next jump would not use
 * costs as much as the restore. 0 or -1.
 */
static int restore_checkpoint(struct idx *ix, uint64_t cseq, struct mdl_model **m)
{
	uint64_t full;
	bool again = ix->last_ck == cseq;

	ix->last_ck = cseq;
	if (ckpt_before(ix->full_seq, cseq, &full) != 1) {
		return seek_fail(ix, "checkpoint at seq %llu: no full checkpoint before it",
				 (unsigned long long)cseq);
	}
	if (!ix->ck || ix->ck_full != full || ix->ck_seq > cseq) {
		if (load_full(ix, full) < 0) {
			return -1;
		}
	}
	if (ix->ck_seq != cseq && apply_chain(ix, cseq) < 0) {
		return -1;
	}
	if (again) {
		*m = mdl_clone(ix->ck);
		if (!*m) {
			return seek_fail(ix, "out of memory");
		}
	} else {
		*m = ix->ck;
		ix->ck = NULL;
	}
	mdl_set_strtab(*m, ix->st);
	return 0;
}

/* Applies events (@from, @to] (@from == UINT64_MAX: from the first). */
static int replay_range(struct idx *ix, struct mdl_model *m, uint64_t from, uint64_t to)
{
	sqlite3_stmt *st = ix->range_ev;
	struct tdxr_event ev;
	uint64_t first = from == UINT64_MAX ? 0 : from + 1;
	int r, ret = 0;

	if (from != UINT64_MAX && from >= to) {
		return 0;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)first);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (idx_row_event(st, ix->get_extra, ix->threads, ix->nr_threads, false, &ev,
				  &ix->rawbuf, &ix->rawcap) < 0) {
			ret = seek_fail(ix, "event %llu: damaged row",
					(unsigned long long)sqlite3_column_int64(st, IDX_C_SEQ));
			break;
		}
		mdl_resolve(m, &ev);
		if (mdl_apply(m, &ev, NULL) < 0) {
			ret = seek_fail(ix, "event %llu: out of memory in the model",
					(unsigned long long)ev.seq);
			break;
		}
	}
	if (ret == 0 && r != SQLITE_DONE) {
		ret = seek_fail(ix, "events after seq %llu: %s", (unsigned long long)first,
				sqlite3_errmsg(ix->db));
	}
	sqlite3_reset(st);
	return ret;
}

int idx_seek(struct idx *ix, uint64_t seq, const struct mdl_model **out)
{
	struct mdl_model *m = NULL;
	uint64_t at = UINT64_MAX, ck = UINT64_MAX;
	int r = 0;

	*out = NULL;
	ix->err[0] = '\0';
	if (seq != UINT64_MAX && seq >= ix->nr_events) {
		return seek_fail(ix, "seq %llu: the index has %llu events", (unsigned long long)seq,
				 (unsigned long long)ix->nr_events);
	}
	if (seq != UINT64_MAX) {
		r = ckpt_before(ix->ckpt_seq, seq, &ck);
		if (r < 0) {
			return seek_fail(ix, "checkpoints: %s", sqlite3_errmsg(ix->db));
		}
	}
	/* The model kept from the last seek, when it lies between the
	 * checkpoint and @seq, moves forward in place. */
	if (ix->has_cache &&
	    (ix->cache_seq == seq || (seq != UINT64_MAX && ix->cache_seq != UINT64_MAX &&
				      ix->cache_seq <= seq && (!r || ix->cache_seq > ck)))) {
		if (replay_range(ix, ix->cache, ix->cache_seq, seq) < 0) {
			mdl_free(ix->cache);
			ix->cache = NULL;
			ix->has_cache = false;
			return -1;
		}
		ix->cache_seq = seq;
		*out = ix->cache;
		return 0;
	}
	/* Not of use any more: its memory goes back to the model's pool
	 * first, for the restored checkpoint to take. */
	mdl_free(ix->cache);
	ix->cache = NULL;
	ix->has_cache = false;
	if (r) {
		if (restore_checkpoint(ix, ck, &m) < 0) {
			return -1;
		}
		at = ck;
	}
	if (!m) {
		struct mdl_config cfg = {0};

		cfg.kernel_profile = ix->opt_profile;
		cfg.gpaw = ix->gpaw;
		cfg.st = ix->st;
		m = mdl_new(&cfg);
		at = UINT64_MAX;
		if (!m) {
			return seek_fail(ix, "out of memory");
		}
	}
	if (seq != UINT64_MAX && replay_range(ix, m, at, seq) < 0) {
		mdl_free(m);
		return -1;
	}
	ix->cache = m;
	ix->cache_seq = seq;
	ix->has_cache = true;
	*out = m;
	return 0;
}

/* ---- navigation ---- */

/* The first row's seq of @st: IDX_FOUND, IDX_NONE, IDX_ERR (@what failed). */
static int first_seq(struct idx *ix, sqlite3_stmt *st, uint64_t *out, const char *what)
{
	int r = sqlite3_step(st);

	if (r == SQLITE_ROW) {
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return r == SQLITE_ROW ? IDX_FOUND : r == SQLITE_DONE ? IDX_NONE : sql_fail(ix, r, what);
}

int idx_next_gfn(struct idx *ix, uint64_t from, int dir, int vm, uint64_t gfn, uint64_t *out)
{
	sqlite3_stmt *st = dir > 0 ? ix->gfn_next : ix->gfn_prev;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)gfn);
	sqlite3_bind_int(st, 2, vm);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)from);
	return first_seq(ix, st, out, "looking for an event on the gfn");
}

int idx_next_vcpu(struct idx *ix, uint64_t from, int dir, int vm, int vcpu, uint64_t *out)
{
	sqlite3_stmt *st = dir > 0 ? ix->vcpu_next : ix->vcpu_prev;

	sqlite3_bind_int(st, 1, vcpu);
	sqlite3_bind_int(st, 2, vm);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)from);
	return first_seq(ix, st, out, "looking for an event of the vCPU");
}

int idx_next_finding(struct idx *ix, uint64_t from, int dir, uint64_t *out)
{
	sqlite3_stmt *st = dir > 0 ? ix->find_next : ix->find_prev;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	return first_seq(ix, st, out, "looking for a finding");
}

int idx_finding_at(struct idx *ix, uint64_t seq, size_t *index, struct mdl_finding *out)
{
	uint64_t id = 0;
	int r;

	sqlite3_bind_int64(ix->find_at, 1, (sqlite3_int64)seq);
	r = first_seq(ix, ix->find_at, &id, "looking for the finding at a seq");
	if (r != IDX_FOUND) {
		return r;
	}
	*index = (size_t)id;
	return idx_finding(ix, (size_t)id, out) == 0 ? IDX_FOUND : IDX_ERR;
}

int idx_begin_read(struct idx *ix)
{
	int r = sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL);

	return r == SQLITE_OK ? IDX_FOUND : sql_fail(ix, r, "starting a read transaction");
}

void idx_replay_opts(const struct idx *ix, struct rpl_opts *o)
{
	o->kernel_profile = ix->opt_profile;
	o->gpaw = ix->gpaw;
}

/* ---- sequential scan ---- */

struct idx_scan {
	struct idx *ix;
	sqlite3_stmt *st;
};

struct idx_scan *idx_scan_open(struct idx *ix, uint64_t from)
{
	struct idx_scan *sc = calloc(1, sizeof(*sc));
	int r;

	if (!sc) {
		seek_fail(ix, "out of memory");
		return NULL;
	}
	sc->ix = ix;
	r = sqlite3_prepare_v2(ix->db,
			       "SELECT seq, type, vm FROM events WHERE seq >= ?1 ORDER BY seq", -1,
			       &sc->st, NULL);
	if (r != SQLITE_OK) {
		sql_fail(ix, r, "scanning the events");
		idx_scan_close(sc);
		return NULL;
	}
	sqlite3_bind_int64(sc->st, 1, (sqlite3_int64)from);
	return sc;
}

int idx_scan_next(struct idx_scan *sc, struct idx_scan_row *row)
{
	int r = sqlite3_step(sc->st);

	if (r == SQLITE_ROW) {
		row->seq = (uint64_t)sqlite3_column_int64(sc->st, 0);
		row->type = (unsigned int)sqlite3_column_int(sc->st, 1);
		row->vm = sqlite3_column_int(sc->st, 2);
		return IDX_FOUND;
	}
	return r == SQLITE_DONE ? IDX_NONE : sql_fail(sc->ix, r, "scanning the events");
}

void idx_scan_close(struct idx_scan *sc)
{
	if (sc) {
		sqlite3_finalize(sc->st);
		free(sc);
	}
}
