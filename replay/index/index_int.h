/* SPDX-License-Identifier: GPL-2.0 */
/* replay/index/index_int.h - what the files of replay/index/ share. */
#ifndef TDXR_INDEX_INT_H
#define TDXR_INDEX_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdxr/event.h"
#include "tdxr/index.h"

#define IDX_FORMAT "tdxr-index"
#define IDX_SCHEMA_VERSION 2
#define IDX_AFTER_LOAD "\n-- @@ AFTER LOAD @@\n"

/* Column numbers of IDX_EVENT_COLS. */
enum {
	IDX_C_SEQ,
	IDX_C_TS,
	IDX_C_TYPE,
	IDX_C_CPU,
	IDX_C_CTX,
	IDX_C_VM,
	IDX_C_VCPU,
	IDX_C_GFN,
	IDX_C_LEVEL,
	IDX_C_DLINE,
	IDX_C_X,
	IDX_C_F0,
	IDX_C__COUNT = IDX_C_F0 + TDXR_MAX_FIELDS,
};

/* A row of the threads table: what events.ctx stands for. */
struct idx_thread {
	int32_t tid;
	uint32_t comm;
	int32_t tgid;
	uint16_t input;
};

/* One row of the events table as the writer hands it to SQLite (rows.c). */
struct idx_row {
	int64_t v[IDX_C__COUNT];
	uint32_t set; /* bit c: v[c] holds a value; else the column is NULL */
};

/* The rows `SELECT ... FROM tdxr_rows` returns: row[0..n). */
struct idx_rows {
	struct idx_row *row;
	size_t n;
};

/*
 * Makes @rows readable as the eponymous virtual table tdxr_rows in @db
 * (the writing connection only; nothing is stored in the file). 0 or -1.
 */
int idx_rows_register(sqlite3 *db, const struct idx_rows *rows);

/* The generated DDL (schema/index.sql). */
extern const char tdxr_index_sql[];

#define IDX_EXTRA_SQL                                                                 \
	"SELECT seq, name, raw, lost_flags, lost, src_vm, src_vcpu FROM event_extra " \
	"WHERE seq >= ? ORDER BY seq"

#define IDX_EVENT_COLS                                                                      \
	"seq, ts, type, cpu, ctx, vm, vcpu, gfn, level, dline, x, f0, f1, f2, f3, f4, f5, " \
	"f6, f7, f8, f9, f10, f11"

/* A read-only handle on an index file, with its schema checked. */
sqlite3 *idx_db_open_ro(const char *path, char *err, size_t errlen);
/* Checks meta against this schema; 0 or -1 with a message. */
int idx_check_meta(sqlite3 *db, const char *path, char *err, size_t errlen);
/* meta value as an integer, @def if absent. */
int64_t idx_meta_int(sqlite3 *db, const char *key, int64_t def);

/*
 * The event of the current row of a statement that selected
 * IDX_EVENT_COLS. @resolved: vm/vcpu as the model resolved them; else as
 * the reader gave them (event_extra.src_*), so a replay from the index
 * resolves them again exactly as the first replay did. The extra row (if
 * x) is read with the cursor @extra (IDX_EXTRA_SQL, prepared; left on
 * that row, so a scan in seq order steps it forward instead of querying
 * again); ev->raw then points into *@rawbuf (grown as needed). 0 or -1.
 */
int idx_row_event(sqlite3_stmt *row, sqlite3_stmt *extra, const struct idx_thread *threads,
		  size_t nr_threads, bool resolved, struct tdxr_event *ev, char **rawbuf,
		  size_t *rawcap);

/* The threads table, indexed by ctx (malloc'd). 0 or -1. */
int idx_load_threads(sqlite3 *db, struct idx_thread **out, size_t *n);

#endif /* TDXR_INDEX_INT_H */
