/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/merge.h - several inputs as one event stream: a k-way merge by
 * timestamp (ties go to the earlier input). Within one input, file order
 * is authoritative and never changed. The merger numbers events (seq).
 */
#ifndef TDXR_MERGE_H
#define TDXR_MERGE_H

#include "tdxr/src.h"

struct tdxr_merge;

/*
 * Opens every path; on failure returns NULL with a message naming the
 * input in @err. @o->input is ignored (each input gets its index). A
 * `tdxr record` directory is read as its parts (tdxr_src_record_parts()),
 * merged as if they were given one by one; their events carry the
 * directory's index.
 */
struct tdxr_merge *tdxr_merge_open(char *const *paths, unsigned int n,
				   const struct tdxr_src_opts *o, char *err, size_t errlen);

/* 1 event, 0 end of all inputs, -1 error (tdxr_merge_error()). */
int tdxr_merge_next(struct tdxr_merge *m, struct tdxr_event *ev);

const char *tdxr_merge_error(const struct tdxr_merge *m);
/* The inputs given (a record directory is one). */
unsigned int tdxr_merge_nr_inputs(const struct tdxr_merge *m);
/* Input @i's counters (the sum of its parts'), valid at any time. */
void tdxr_merge_input_stats(const struct tdxr_merge *m, unsigned int i, struct tdxr_src_stats *out);
/* Input @i's format (TDXR_FMT_CTF for a record directory, as for any directory). */
enum tdxr_format tdxr_merge_input_format(const struct tdxr_merge *m, unsigned int i);

/* Sum of bytes consumed and of input sizes, for progress lines. */
void tdxr_merge_progress(const struct tdxr_merge *m, uint64_t *done, uint64_t *total);

void tdxr_merge_close(struct tdxr_merge *m);

#endif /* TDXR_MERGE_H */
