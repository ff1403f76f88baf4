/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/index.h - the SQLite index of a replay (docs/design.md §6): events,
 * findings, model checkpoints. Written by `tdxr index`, read by the TUI and
 * by replay/explain/dump when given an INDEX.db. DDL: schema/index.sql.
 *
 * Ownership: struct idx owns its sqlite3 handle, its strtab and its
 * prepared statements. Not thread-safe: one struct idx per thread.
 */
#ifndef TDXR_INDEX_H
#define TDXR_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include <stdatomic.h>

#include "tdxr/engine.h"
#include "tdxr/finding.h"
#include "tdxr/model.h"

struct sqlite3;
struct idx;

struct idx_build_opts {
	struct rpl_opts replay;	   /* format, kernel profile, strict */
	uint64_t checkpoint_every; /* K events between checkpoints; 0 = default */
	unsigned int full_every;   /* a full checkpoint at least every N; 0 = default */
	bool progress;		   /* progress on stderr when it is a TTY */
	/* borrowed, may be NULL: set non-zero from another thread or a signal
	 * handler to cancel; read with atomic loads only */
	const atomic_int *cancel;
};

void idx_build_opts_init(struct idx_build_opts *o);

/*
 * Replays @inputs and writes the index to @out_path atomically: a
 * temporary file in the same directory, verified (meta row counts), then
 * renamed over @out_path. On any failure or cancel the temporary is
 * removed and an existing @out_path is untouched. Returns 0, or -1 with a
 * message naming the input or the output in @err. @res (may be NULL)
 * receives the replay result (free with rpl_result_free()).
 */
int idx_build(char *const *inputs, unsigned int n, const char *out_path,
	      const struct idx_build_opts *o, struct rpl_result *res, char *err, size_t errlen);

/* True when @path starts with the SQLite header (cheap sniff). */
bool idx_is_index_file(const char *path);

/* Opens an index read-only; NULL + message if it is not a tdxr index of
 * this schema version, or is truncated/corrupt. */
struct idx *idx_open(const char *path, char *err, size_t errlen);
void idx_close(struct idx *ix);

/* Borrowed: the SQLite handle, for tests that check the tables; the
 * tools read the index only through the calls of this header. */
struct sqlite3 *idx_db(struct idx *ix);
const struct tdxr_strtab *idx_strtab(const struct idx *ix); /* borrowed */

uint64_t idx_nr_events(const struct idx *ix);
unsigned int idx_nr_inputs(const struct idx *ix);
const char *idx_input_path(const struct idx *ix, unsigned int i);
const char *idx_kernel_profile(const struct idx *ix);

/*
 * Event @seq into @ev. ev->raw (unmodelled payload) points into @ix and is
 * valid until the next idx_* call. 0, or -1 if out of range / unreadable
 * (then idx_error() says which).
 */
int idx_event(struct idx *ix, uint64_t seq, struct tdxr_event *ev);

/* Findings, in report order. */
size_t idx_nr_findings(const struct idx *ix);
int idx_finding(struct idx *ix, size_t i, struct mdl_finding *out);

/*
 * The model state right after event @seq was applied (seq == UINT64_MAX:
 * before the first event): nearest checkpoint at or before it, restored,
 * then the events up to @seq replayed. *out belongs to @ix and stays
 * valid until the next idx_seek() or idx_close() (the next seek forward
 * moves it on in place; mdl_clone() it to keep it). 0, or -1 with the
 * reason in idx_error().
 */
int idx_seek(struct idx *ix, uint64_t seq, const struct mdl_model **out);

/* Why the last failing call failed (idx_seek, idx_event, idx_finding,
 * the lookups below), naming the index file and the seq of the damaged
 * checkpoint or event or the SQLite code; "" after a successful seek. */
const char *idx_error(const struct idx *ix);

/*
 * What a lookup returns. IDX_NONE is an answer ("no later finding");
 * IDX_ERR is not: SQLite failed (a damaged or vanished file, I/O, out of
 * memory), and idx_error() names the index, the query and the SQLite
 * code ("SQLITE_CORRUPT: database disk image is malformed").
 */
enum idx_rc {
	IDX_ERR = -1,
	IDX_FOUND = 0,
	IDX_NONE = 1,
};

/*
 * Navigation helpers for the TUI: the next (dir > 0) or previous (dir < 0)
 * seq after/before @from whose event touches @gfn in @vm (role GFN/GPA
 * fields, shared bit stripped) / belongs to vCPU @vcpu / carries a
 * finding. IDX_FOUND with *out set, IDX_NONE, or IDX_ERR.
 */
int idx_next_gfn(struct idx *ix, uint64_t from, int dir, int vm, uint64_t gfn, uint64_t *out);
int idx_next_vcpu(struct idx *ix, uint64_t from, int dir, int vm, int vcpu, uint64_t *out);
int idx_next_finding(struct idx *ix, uint64_t from, int dir, uint64_t *out);

/*
 * The gfn and level an event touches (docs/design.md §6 events.gfn): its GFN
 * field, its GPA field >> 12 with the shared bit of @gpaw stripped, or the
 * gpa of a TDH.MEM SEAMCALL's RCX. false when none. The index's gfn
 * column and the HTML report's timelines both use it.
 */
bool idx_event_gfn(const struct tdxr_event *ev, int gpaw, uint64_t *gfn, int *level);

/* The first finding (report order) at @seq: IDX_FOUND with *out and its
 * report index in *index, IDX_NONE, or IDX_ERR. */
int idx_finding_at(struct idx *ix, uint64_t seq, size_t *index, struct mdl_finding *out);

/*
 * Opens one read transaction that lasts until idx_close(): without it
 * SQLite takes and drops its file lock (and stats the journal) at every
 * statement, which is most of the cost of reading one event. IDX_FOUND
 * (0), or IDX_ERR.
 */
int idx_begin_read(struct idx *ix);

/*
 * A sequential scan of every event's (seq, type, vm) from seq @from on,
 * without reading the events (the TUI's filter decides most events from
 * these). Owned by the caller, closed before @ix.
 */
struct idx_scan;
struct idx_scan_row {
	uint64_t seq;
	unsigned int type; /* enum tdxr_event_type */
	int vm;		   /* -1 unknown */
};
/* NULL with the reason in idx_error(). */
struct idx_scan *idx_scan_open(struct idx *ix, uint64_t from);
/* IDX_FOUND with *row set, IDX_NONE at the end, or IDX_ERR. */
int idx_scan_next(struct idx_scan *sc, struct idx_scan_row *row);
void idx_scan_close(struct idx_scan *sc); /* NULL is fine */

/* @o set up to replay this index as the replay that built it (kernel
 * profile, guest physical address width); the rest untouched. */
void idx_replay_opts(const struct idx *ix, struct rpl_opts *o);

#endif /* TDXR_INDEX_H */
