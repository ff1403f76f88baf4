// SPDX-License-Identifier: GPL-2.0
/*
 * replay/index/src_index.c - a tdxr index as a trace source
 * (TDXR_FMT_INDEX): `tdxr replay/explain/dump INDEX.db` read the stored
 * events instead of parsing the trace again.
 *
 * Events come back as the reader first produced them (vm/vcpu as the
 * reader gave them, not as the model resolved them), so a replay of the
 * index resolves and checks them exactly as the replay that built it.
 * String ids are re-interned into the caller's string table.
 */
#include <stdlib.h>
#include <string.h>

#include "index_int.h"
#include "reader.h"

struct isrc {
	sqlite3 *db;
	sqlite3_stmt *rows, *extra;
	uint32_t *map; /* stored string id -> id in s->st */
	struct idx_thread *threads;
	size_t nr_threads;
	uint32_t nr_map;
	uint64_t nr_events, done;
	char *raw;
	size_t rawcap;
};

static uint32_t remap(const struct isrc *p, uint64_t id)
{
	return id < p->nr_map ? p->map[id] : 0;
}

static int isrc_next(struct tdxr_src *s, struct tdxr_event *ev)
{
	struct isrc *p = s->priv;
	const struct tdxr_event_desc *d;
	int r = sqlite3_step(p->rows);

	if (r == SQLITE_DONE) {
		s->consumed = s->total;
		return 0;
	}
	if (r != SQLITE_ROW || idx_row_event(p->rows, p->extra, p->threads, p->nr_threads, false,
					     ev, &p->raw, &p->rawcap) < 0) {
		snprintf(s->err, sizeof(s->err), "%s: damaged tdxr index near event %llu: %s",
			 s->path, (unsigned long long)p->done, sqlite3_errmsg(p->db));
		return -1;
	}
	d = tdxr_event_desc(ev->type);
	ev->comm = remap(p, ev->comm);
	ev->name = remap(p, ev->name);
	for (unsigned int i = 0; i < d->nr_fields && i < TDXR_MAX_FIELDS; i++) {
		if (d->fields[i].type == TDXR_FT_STR && ((ev->fmask >> i) & 1)) {
			ev->f[i] = remap(p, ev->f[i]);
		}
	}
	ev->seq = 0;
	p->done++;
	s->stats.events++;
	if (ev->lost_flags & TDXR_LOST_RECORD) {
		s->stats.lost_records++;
		s->stats.lost_events += ev->lost;
	}
	if (p->nr_events) {
		s->consumed = s->total / p->nr_events * p->done;
	}
	return 1;
}

static void isrc_close(struct tdxr_src *s)
{
	struct isrc *p = s->priv;

	if (!p) {
		return;
	}
	sqlite3_finalize(p->rows);
	sqlite3_finalize(p->extra);
	sqlite3_close(p->db);
	free(p->map);
	free(p->threads);
	free(p->raw);
	free(p);
	s->priv = NULL;
}

static enum tdxr_format isrc_sniff(const struct tdxr_sniff *in, char *why, size_t whylen)
{
	(void)why;
	(void)whylen;
	return !in->is_dir && in->n >= 16 && memcmp(in->head, "SQLite format 3", 16) == 0
		       ? TDXR_FMT_INDEX
		       : TDXR_FMT_AUTO;
}

static int isrc_open(struct tdxr_src *s, const struct tdxr_sniff *in, char *err, size_t errlen)
{
	struct isrc *p = calloc(1, sizeof(*p));
	sqlite3_stmt *st = NULL;
	int64_t n;

	if (!p) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	(void)in;
	s->priv = p;
	p->db = idx_db_open_ro(s->path, err, errlen);
	if (!p->db) {
		return -1;
	}
	p->nr_events = (uint64_t)idx_meta_int(p->db, "events", 0);
	if (idx_load_threads(p->db, &p->threads, &p->nr_threads) < 0) {
		goto damaged;
	}
	n = idx_meta_int(p->db, "strings", 0);
	p->map = calloc((size_t)(n > 0 ? n : 1), sizeof(*p->map));
	if (!p->map || !s->st) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return -1;
	}
	p->nr_map = (uint32_t)n;
	if (sqlite3_prepare_v2(p->db, "SELECT id, s FROM strings", -1, &st, NULL) != SQLITE_OK) {
		goto damaged;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *t = (const char *)sqlite3_column_text(st, 1);

		if (id >= 0 && id < n && t) {
			p->map[id] =
				tdxr_strtab_intern(s->st, t, (size_t)sqlite3_column_bytes(st, 1));
		}
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(p->db, "SELECT " IDX_EVENT_COLS " FROM events ORDER BY seq", -1,
			       &p->rows, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(p->db, IDX_EXTRA_SQL, -1, &p->extra, NULL) != SQLITE_OK) {
		goto damaged;
	}
	return 0;
damaged:
	snprintf(err, errlen, "%s: damaged tdxr index: %s", s->path, sqlite3_errmsg(p->db));
	return -1;
}

const struct tdxr_reader tdxr_reader_index = {
	.name = "index",
	.formats = TDXR_FMT_BIT(TDXR_FMT_INDEX),
	.sniff = isrc_sniff,
	.open = isrc_open,
	.next = isrc_next,
	.close = isrc_close,
};
