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

struct sqlite3 *idx_db(struct idx *ix);			    /* borrowed */
const struct tdxr_strtab *idx_strtab(const struct idx *ix); /* borrowed */

uint64_t idx_nr_events(const struct idx *ix);
unsigned int idx_nr_inputs(const struct idx *ix);
const char *idx_input_path(const struct idx *ix, unsigned int i);
const char *idx_kernel_profile(const struct idx *ix);

/*
 * Event @seq into @ev. ev->raw (unmodelled payload) points into @ix and is
 * valid until the next idx_* call. 0, or -1 if out of range / unreadable.
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

/* Why the last idx_seek() failed, naming the index file and the seq of
 * the damaged checkpoint or event; "" after a success. */
const char *idx_error(const struct idx *ix);

/*
 * Navigation helpers for the TUI: the next (dir > 0) or previous (dir < 0)
 * seq after/before @from whose event touches @gfn in @vm (role GFN/GPA
 * fields, shared bit stripped) / belongs to vCPU @vcpu / carries a
 * finding. Return 0 and set *out, or -1 if none.
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

#endif /* TDXR_INDEX_H */
