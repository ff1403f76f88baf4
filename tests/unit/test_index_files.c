// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_index_files.c - the index as a file: what is not an
 * index (foreign SQLite, other schema version, truncated, incomplete,
 * text) is refused with a clear message; a cancelled or failed build
 * leaves nothing under the final name and never touches an existing
 * index; stale temporaries of killed builds are cleaned up; values and
 * views read as documented.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "tdxr/index.h"
#include "tdxr/model.h"
#include "tdxr/src.h"

#define TRACE TDXR_TESTS_DIR "/traces/td-tlb-not-tracked.trace"

static char dir[] = "/tmp/tdxr-idxf-test-XXXXXX";
static char good[600];

static void path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static int build_to(const char *out, const atomic_int *cancel, const char *input, char *err,
		    size_t errlen)
{
	struct idx_build_opts o;
	char *in[1] = {(char *)input};

	idx_build_opts_init(&o);
	o.checkpoint_every = 4;
	o.cancel = cancel;
	return idx_build(in, 1, out, &o, NULL, err, errlen);
}

static char *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	char *buf;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static void copy_file(const char *from, const char *to, size_t max)
{
	size_t n;
	char *b = slurp(from, &n);
	FILE *f = fopen(to, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n < max ? n : max, f), n < max ? n : max);
	fclose(f);
	free(b);
}

static void exec_sql(const char *db, const char *sql)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static void expect_refused(const char *p, const char *why)
{
	char err[1024] = "";
	struct idx *ix = idx_open(p, err, sizeof(err));
	struct tdxr_src_opts so = {0};
	struct tdxr_src *s;

	assert_null(ix);
	if (!strstr(err, why) || !strstr(err, p)) {
		fail_msg("idx_open(%s): message '%s' does not say '%s'", p, err, why);
	}
	/* The same file given to replay/dump as an input. */
	so.st = tdxr_strtab_new();
	err[0] = '\0';
	s = tdxr_src_open(p, &so, err, sizeof(err));
	assert_null(s);
	if (!strstr(err, p)) {
		fail_msg("tdxr_src_open(%s): message '%s' does not name the file", p, err);
	}
	tdxr_strtab_free(so.st);
}

static unsigned int count_temporaries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		n += strstr(de->d_name, ".tmp-") != NULL;
	}
	closedir(d);
	return n;
}

static void test_foreign_sqlite_file_is_not_an_index(void **state)
{
	char p[600];

	(void)state;
	path_in(p, sizeof(p), "foreign.db");
	exec_sql(p, "CREATE TABLE t (a); INSERT INTO t VALUES (1);");
	expect_refused(p, "not a tdxr index");
	unlink(p);
	exec_sql(p, "CREATE TABLE meta (key, value); INSERT INTO meta VALUES ('format', 'other');");
	expect_refused(p, "not a tdxr index");
}

static void test_trace_text_is_not_an_index(void **state)
{
	char err[1024];

	(void)state;
	assert_false(idx_is_index_file(TRACE));
	assert_null(idx_open(TRACE, err, sizeof(err)));
	assert_non_null(strstr(err, "no SQLite header"));
	assert_true(idx_is_index_file(good));
}

static void test_index_of_another_schema_version_is_refused(void **state)
{
	char p[600];

	(void)state;
	path_in(p, sizeof(p), "v99.db");
	copy_file(good, p, SIZE_MAX);
	exec_sql(p, "UPDATE meta SET value = 99 WHERE key = 'schema_version'");
	expect_refused(p, "schema version 99");
}

static void test_truncated_index_is_refused(void **state)
{
	char p[600];
	struct stat sb;

	(void)state;
	path_in(p, sizeof(p), "trunc.db");
	assert_int_equal(stat(good, &sb), 0);
	copy_file(good, p, (size_t)sb.st_size / 2);
	expect_refused(p, "truncated");
	copy_file(good, p, 100);
	expect_refused(p, "");
}

static void test_incomplete_index_is_refused(void **state)
{
	char p[600];

	(void)state;
	path_in(p, sizeof(p), "incomplete.db");
	copy_file(good, p, SIZE_MAX);
	exec_sql(p, "DELETE FROM meta WHERE key = 'complete'");
	expect_refused(p, "incomplete");
	copy_file(good, p, SIZE_MAX);
	exec_sql(p, "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)");
	expect_refused(p, "row counts");
}

static void test_cancelled_build_keeps_the_existing_index(void **state)
{
	char p[600], err[1024];
	atomic_int cancel = 1;
	size_t n0, n1;
	char *before, *after;

	(void)state;
	path_in(p, sizeof(p), "keep.db");
	assert_int_equal(build_to(p, NULL, TRACE, err, sizeof(err)), 0);
	before = slurp(p, &n0);
	assert_int_equal(build_to(p, &cancel, TRACE, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cancelled"));
	after = slurp(p, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);
	assert_int_equal(count_temporaries(), 0);
	free(before);
	free(after);
	unlink(p);
	assert_int_equal(build_to(p, &cancel, TRACE, err, sizeof(err)), -1);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(count_temporaries(), 0);
}

static void test_failed_build_keeps_the_existing_index(void **state)
{
	char p[600], bad[600], err[1024];
	size_t n0, n1;
	char *before, *after;
	FILE *f;

	(void)state;
	path_in(p, sizeof(p), "keep2.db");
	path_in(bad, sizeof(bad), "bad.trace");
	f = fopen(bad, "wb");
	assert_non_null(f);
	fwrite("\x01\x02\x00binary", 1, 9, f);
	fclose(f);
	assert_int_equal(build_to(p, NULL, TRACE, err, sizeof(err)), 0);
	before = slurp(p, &n0);
	assert_int_equal(build_to(p, NULL, bad, err, sizeof(err)), -1);
	assert_non_null(strstr(err, bad));
	assert_int_equal(build_to(p, NULL, "/nonexistent/trace", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/trace"));
	after = slurp(p, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);
	assert_int_equal(count_temporaries(), 0);
	free(before);
	free(after);
}

static void test_temporaries_of_killed_builds_are_removed(void **state)
{
	char p[600], stale[700], err[1024];
	pid_t pid = fork();
	FILE *f;

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0) {
		_exit(0);
	}
	waitpid(pid, NULL, 0); /* a pid no process has now */
	path_in(p, sizeof(p), "stale.db");
	snprintf(stale, sizeof(stale), "%s/.stale.db.tmp-%ld", dir, (long)pid);
	f = fopen(stale, "wb");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(build_to(p, NULL, TRACE, err, sizeof(err)), 0);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(p, F_OK), 0);
}

static void test_u64_with_bit_63_reads_back_and_shows_as_hex(void **state)
{
	char err[1024];
	struct idx *ix = idx_open(good, err, sizeof(err));
	sqlite3_stmt *st;
	bool seen = false;

	(void)state;
	assert_non_null(ix);
	assert_int_equal(sqlite3_prepare_v2(idx_db(ix),
					    "SELECT seq, new_spte, new_hex FROM spte_changes "
					    "WHERE new_spte < 0",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct tdxr_event ev;
		char hex[32];

		assert_int_equal(idx_event(ix, (uint64_t)sqlite3_column_int64(st, 0), &ev), 0);
		assert_true(EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte) >> 63);
		assert_int_equal((uint64_t)sqlite3_column_int64(st, 1),
				 EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte));
		snprintf(hex, sizeof(hex), "0x%016llx",
			 (unsigned long long)EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte));
		assert_string_equal((const char *)sqlite3_column_text(st, 2), hex);
		seen = true;
	}
	sqlite3_finalize(st);
	assert_true(seen);
	idx_close(ix);
}

static void test_every_view_runs(void **state)
{
	char err[1024];
	struct idx *ix = idx_open(good, err, sizeof(err));
	sqlite3_stmt *st, *v;
	unsigned int views = 0;

	(void)state;
	assert_non_null(ix);
	assert_int_equal(sqlite3_prepare_v2(idx_db(ix),
					    "SELECT name FROM sqlite_master WHERE type = 'view'",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char sql[256];
		int r, rows = 0;

		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", sqlite3_column_text(st, 0));
		if (sqlite3_prepare_v2(idx_db(ix), sql, -1, &v, NULL) != SQLITE_OK) {
			fail_msg("%s: %s", sql, sqlite3_errmsg(idx_db(ix)));
		}
		while ((r = sqlite3_step(v)) == SQLITE_ROW) {
			rows++;
		}
		if (r != SQLITE_DONE) {
			fail_msg("%s: %s", sql, sqlite3_errmsg(idx_db(ix)));
		}
		sqlite3_finalize(v);
		views++;
	}
	sqlite3_finalize(st);
	assert_true(views >= 8);
	idx_close(ix);
}

static int64_t query_int(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/*
 * A checkpoint damaged after the build (its changes cut short or zeroed,
 * its link wrong, the full checkpoint of its chain gone): a seek that
 * needs it fails, one before it still works, and nothing crashes.
 */
static void test_damaged_checkpoint_fails_the_seek_not_the_process(void **state)
{
	static const char *const damage[] = {
		"UPDATE checkpoints SET data = substr(data, 1, length(data) / 2) WHERE seq = %lld",
		"UPDATE checkpoints SET data = zeroblob(length(data)) WHERE seq = %lld",
		"UPDATE checkpoints SET data = substr(data, 1, 8) || zeroblob(length(data) - 8) "
		"WHERE seq = %lld",
		"DELETE FROM checkpoints WHERE seq = (SELECT base FROM checkpoints WHERE seq = "
		"%lld)",
		"UPDATE checkpoints SET base = base - 1 WHERE seq = %lld",
	};
	char p[600], sql[512], err[1024], want[64];
	int64_t s, full;

	(void)state;
	path_in(p, sizeof(p), "ckpt.db");
	/* the first changes checkpoint, and the full one it follows */
	s = query_int(good, "SELECT seq FROM checkpoints WHERE base < seq ORDER BY seq LIMIT 1");
	assert_true(s > 0);
	snprintf(sql, sizeof(sql),
		 "SELECT max(seq) FROM checkpoints WHERE base = seq AND seq < %lld", (long long)s);
	full = query_int(good, sql);
	assert_true(full >= 0 && full < s);
	for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		const struct mdl_model *m = NULL;
		struct idx *ix;

		copy_file(good, p, SIZE_MAX);
		snprintf(sql, sizeof(sql), damage[i], (long long)s);
		exec_sql(p, sql);
		ix = idx_open(p, err, sizeof(err));
		assert_non_null(ix);
		if (idx_seek(ix, (uint64_t)s, &m) != -1) {
			fail_msg("damage '%s': the seek to %lld did not fail", damage[i],
				 (long long)s);
		}
		/* the error names the index and the checkpoint's seq */
		snprintf(want, sizeof(want), "seq %lld", (long long)s);
		if (strncmp(idx_error(ix), p, strlen(p)) != 0 || !strstr(idx_error(ix), want)) {
			fail_msg("damage '%s': error '%s' does not name %s and %s", damage[i],
				 idx_error(ix), p, want);
		}
		/* the full checkpoint before it is intact: seeks there work,
		 * also after the failed one */
		assert_int_equal(idx_seek(ix, (uint64_t)full, &m), 0);
		assert_non_null(m);
		assert_string_equal(idx_error(ix), "");
		assert_int_equal(mdl_check(m), 0);
		idx_close(ix);
	}
}

/* Overwrites page @pgno of SQLite file @p with 0xff bytes, and moves the
 * file change counter on: a handle open on @p drops its page cache. */
static void smash_page(const char *p, int64_t pgno)
{
	int64_t psz = query_int(p, "PRAGMA page_size");
	char *junk = malloc((size_t)psz);
	FILE *f = fopen(p, "r+b");
	unsigned char ctr[4];

	assert_non_null(junk);
	assert_non_null(f);
	memset(junk, 0xff, (size_t)psz);
	assert_int_equal(fseek(f, (long)((pgno - 1) * psz), SEEK_SET), 0);
	assert_int_equal(fwrite(junk, 1, (size_t)psz, f), (size_t)psz);
	assert_int_equal(fseek(f, 24, SEEK_SET), 0);
	assert_int_equal(fread(ctr, 1, 4, f), 4);
	ctr[3]++;
	assert_int_equal(fseek(f, 24, SEEK_SET), 0);
	assert_int_equal(fwrite(ctr, 1, 4, f), 4);
	fclose(f);
	free(junk);
}

/*
 * A damaged b-tree under a lookup is an error that names SQLite's code,
 * never an answer: "no later finding" / "no later event on this gfn" /
 * the end of a scan are IDX_NONE, SQLITE_CORRUPT is IDX_ERR.
 */
static void test_sqlite_errors_are_errors_not_answers(void **state)
{
	char p[600], err[1024];
	struct idx_scan_row row;
	struct idx_scan *sc;
	struct mdl_finding f;
	struct idx *ix;
	uint64_t got, n = 0;
	size_t at;
	int r;

	(void)state;
	/* intact: answers */
	ix = idx_open(good, err, sizeof(err));
	assert_non_null(ix);
	assert_int_equal(idx_next_finding(ix, idx_nr_events(ix), 1, &got), IDX_NONE);
	assert_int_equal(idx_next_finding(ix, 0, 1, &got), IDX_FOUND);
	assert_int_equal(idx_finding_at(ix, got, &at, &f), IDX_FOUND);
	assert_int_equal(f.seq, got);
	assert_int_equal(idx_finding_at(ix, 0, &at, &f) == IDX_NONE || f.seq == 0, 1);
	assert_int_equal(idx_begin_read(ix), IDX_FOUND);
	sc = idx_scan_open(ix, 0);
	assert_non_null(sc);
	while ((r = idx_scan_next(sc, &row)) == IDX_FOUND) {
		assert_int_equal(row.seq, n);
		n++;
	}
	assert_int_equal(r, IDX_NONE);
	assert_int_equal(n, idx_nr_events(ix));
	idx_scan_close(sc);
	idx_close(ix);

	/* the findings' seq index smashed: the finding lookups fail, named */
	path_in(p, sizeof(p), "corrupt-findings.db");
	copy_file(good, p, SIZE_MAX);
	smash_page(p,
		   query_int(p, "SELECT rootpage FROM sqlite_master WHERE name = 'findings_seq'"));
	ix = idx_open(p, err, sizeof(err));
	assert_non_null(ix);
	assert_int_equal(idx_next_finding(ix, 0, 1, &got), IDX_ERR);
	if (!strstr(idx_error(ix), "SQLITE_CORRUPT") || strncmp(idx_error(ix), p, strlen(p))) {
		fail_msg("error '%s' does not name %s and SQLITE_CORRUPT", idx_error(ix), p);
	}
	assert_int_equal(idx_next_finding(ix, idx_nr_events(ix), -1, &got), IDX_ERR);
	assert_int_equal(idx_finding_at(ix, 0, &at, &f), IDX_ERR);
	idx_close(ix);

	/* the events table's root smashed under an open index (idx_open
	 * counts the rows: it would refuse it): the scan, the gfn steps and
	 * the event reads fail */
	path_in(p, sizeof(p), "corrupt-events.db");
	copy_file(good, p, SIZE_MAX);
	ix = idx_open(p, err, sizeof(err));
	assert_non_null(ix);
	smash_page(p, query_int(p, "SELECT rootpage FROM sqlite_master WHERE name = 'events'"));
	smash_page(p, query_int(p, "SELECT rootpage FROM sqlite_master WHERE name = 'events_gfn'"));
	sc = idx_scan_open(ix, 0);
	r = sc ? idx_scan_next(sc, &row) : IDX_ERR;
	assert_int_equal(r, IDX_ERR);
	assert_non_null(strstr(idx_error(ix), "SQLITE_CORRUPT"));
	idx_scan_close(sc);
	assert_int_equal(idx_next_gfn(ix, 0, 1, 0, 0x8a3f, &got), IDX_ERR);
	assert_int_equal(idx_event(ix, 0, &(struct tdxr_event){0}), -1);
	assert_non_null(strstr(idx_error(ix), "SQLITE_CORRUPT"));
	idx_close(ix);
}

static int setup(void **state)
{
	char err[1024];

	(void)state;
	if (!mkdtemp(dir)) {
		return -1;
	}
	path_in(good, sizeof(good), "good.db");
	return build_to(good, NULL, TRACE, err, sizeof(err));
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_sqlite_file_is_not_an_index),
		cmocka_unit_test(test_trace_text_is_not_an_index),
		cmocka_unit_test(test_index_of_another_schema_version_is_refused),
		cmocka_unit_test(test_truncated_index_is_refused),
		cmocka_unit_test(test_incomplete_index_is_refused),
		cmocka_unit_test(test_cancelled_build_keeps_the_existing_index),
		cmocka_unit_test(test_failed_build_keeps_the_existing_index),
		cmocka_unit_test(test_temporaries_of_killed_builds_are_removed),
		cmocka_unit_test(test_u64_with_bit_63_reads_back_and_shows_as_hex),
		cmocka_unit_test(test_every_view_runs),
		cmocka_unit_test(test_damaged_checkpoint_fails_the_seek_not_the_process),
		cmocka_unit_test(test_sqlite_errors_are_errors_not_answers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
