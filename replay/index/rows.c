// SPDX-License-Identifier: GPL-2.0
/*
 * replay/index/rows.c - `tdxr_rows`, the batch of events being loaded, as
 * an eponymous virtual table.
 *
 * The writer thread fills an array of rows (the events table's columns,
 * NULLs as a bit mask) and runs one prepared
 *
 *	INSERT INTO events (...) SELECT ... FROM tdxr_rows
 *
 * per batch: SQLite reads the values straight from the array. One
 * statement step per 4096 rows instead of a bind per value and a step per
 * row cuts the writer's time per event by more than half. The module
 * exists only in the writing connection; nothing of it is stored in the
 * file, which a plain sqlite3 opens as before.
 */
#include <string.h>

#include "index_int.h"

struct rows_vtab {
	sqlite3_vtab base;
	const struct idx_rows *rows;
};

struct rows_cursor {
	sqlite3_vtab_cursor base;
	size_t i;
};

static int rows_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
			sqlite3_vtab **out, char **err)
{
	struct rows_vtab *v;
	int r;

	(void)argc;
	(void)argv;
	(void)err;
	r = sqlite3_declare_vtab(db, "CREATE TABLE x(" IDX_EVENT_COLS ")");
	if (r != SQLITE_OK) {
		return r;
	}
	v = sqlite3_malloc(sizeof(*v));
	if (!v) {
		return SQLITE_NOMEM;
	}
	memset(v, 0, sizeof(*v));
	v->rows = aux;
	*out = &v->base;
	return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

static int rows_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	const struct rows_vtab *v = (const struct rows_vtab *)vt;

	/* Only full scans, in row order. */
	info->estimatedCost = (double)v->rows->n + 1;
	info->estimatedRows = (sqlite3_int64)v->rows->n + 1;
	if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn <= 0 && !info->aOrderBy[0].desc) {
		info->orderByConsumed = 1; /* rows are in seq order */
	}
	return SQLITE_OK;
}

static int rows_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	struct rows_cursor *c = sqlite3_malloc(sizeof(*c));

	(void)vt;
	if (!c) {
		return SQLITE_NOMEM;
	}
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc,
		       sqlite3_value **argv)
{
	(void)idx_num;
	(void)idx_str;
	(void)argc;
	(void)argv;
	((struct rows_cursor *)cur)->i = 0;
	return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur)
{
	((struct rows_cursor *)cur)->i++;
	return SQLITE_OK;
}

static int rows_eof(sqlite3_vtab_cursor *cur)
{
	const struct rows_cursor *c = (const struct rows_cursor *)cur;
	const struct rows_vtab *v = (const struct rows_vtab *)cur->pVtab;

	return c->i >= v->rows->n;
}

static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	const struct rows_cursor *c = (const struct rows_cursor *)cur;
	const struct rows_vtab *v = (const struct rows_vtab *)cur->pVtab;
	const struct idx_row *row = &v->rows->row[c->i];

	/* A column left without a result reads as NULL. */
	if (col >= 0 && col < IDX_C__COUNT && (row->set >> col) & 1) {
		sqlite3_result_int64(ctx, row->v[col]);
	}
	return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((const struct rows_cursor *)cur)->i;
	return SQLITE_OK;
}

static const sqlite3_module rows_module = {
	.iVersion = 1,
	.xCreate = NULL, /* eponymous only: no CREATE VIRTUAL TABLE, nothing stored */
	.xConnect = rows_connect,
	.xBestIndex = rows_best_index,
	.xDisconnect = rows_disconnect,
	.xDestroy = rows_disconnect,
	.xOpen = rows_open,
	.xClose = rows_close,
	.xFilter = rows_filter,
	.xNext = rows_next,
	.xEof = rows_eof,
	.xColumn = rows_column,
	.xRowid = rows_rowid,
};

int idx_rows_register(sqlite3 *db, const struct idx_rows *rows)
{
	return sqlite3_create_module(db, "tdxr_rows", &rows_module, (void *)rows) == SQLITE_OK ? 0
											       : -1;
}
