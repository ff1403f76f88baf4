/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/explain.h - the post-mortem of one finding, computed once in the
 * library and only rendered by its users: `tdxr explain` (text, --json)
 * and the TUI's explain view. The same input gives the same words in both.
 *
 * The algorithm (replay/engine/explain.c):
 *  1. replay the whole input once for the findings, pick the target
 *     (rpl_explain: by seq or report index, default the first kvm-bug,
 *     else the first error) and its first cause (rpl_explain_cause);
 *  2. the involved events: the causal chains of the target and of its
 *     first cause, and every event on the target's gfn in its VM;
 *  3. replay again up to the target, keeping the last RPL_EXPLAIN_STEPS
 *     involved events (never dropping a chain event for another one) with
 *     the gfn's model state before and after each;
 *  4. the account: one phrase per step that adds to the story, then the
 *     model's verdict on the first cause.
 * A caller that already holds the target and its cause (the TUI reads
 * them from the index) starts at 2 with rpl_explain_finding().
 */
#ifndef TDXR_EXPLAIN_H
#define TDXR_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdxr/engine.h"
#include "tdxr/event.h"
#include "tdxr/finding.h"

/* At most this many events of the gfn's history are kept (the last ones). */
#define RPL_EXPLAIN_STEPS 64

/* One event of the history, in replay order. */
struct rpl_explain_step {
	struct tdxr_event ev; /* a copy; ev.raw is NULL, string ids are meaningless */
	bool in_chain;	      /* one of rpl_explanation.chain */
	char name[96];	      /* "tdx:tdx_seamcall" (tdxr_event_fullname) */
	char fields[1024];    /* "leaf=0x1d rcx=..." (tdxr_event_fields) */
	/* The gfn's model state right before and right after the event
	 * ("S-EPT BLOCKED, mirror L1 0x..., direct -, td_epoch 7"), "-" when
	 * the explanation has no gfn or the VM is unknown. */
	char before[256];
	char after[256];
	/* Its part of the account ("was BLOCKed at line 35 (epoch 7)"), ""
	 * when it adds nothing to the story (a fault's bookkeeping). */
	char phrase[384];
};

/*
 * What the kernel log tells about the finding (splats, SEAMCALL failures
 * decoded, what the log cannot tell, the capture that would settle it).
 * Defined and filled by the kernel-log account (issue 15); this step
 * never creates one: rpl_explanation.log is always NULL here.
 */
struct rpl_log_account;

/*
 * The explanation of one finding.
 *
 * Design: everything a renderer prints is here as finished text or plain
 * values, so a renderer needs no model, no string table and no second
 * replay, and two renderers cannot word it differently. It is one value
 * made of parts, each computed from the trace by its own step:
 *   finding, cause   the target and its first cause (copies);
 *   chain            the seqs of the causal chain (both findings' chains
 *                    and their own seqs), sorted, without duplicates;
 *   steps            the history: the involved events with the gfn's
 *                    state around each (chain events are flagged);
 *   account          the sentences: one paragraph made of the steps'
 *                    phrases joined by "; ", then "First cause: ...";
 *   log              the kernel log's part of the account. A later part
 *                    is added the same way: a nullable pointer to its own
 *                    struct, owned here, NULL when that part has nothing
 *                    to say (or is not computed); renderers print what is
 *                    not NULL and ignore what they do not know, so the
 *                    text and JSON of today stay as they are when it is
 *                    NULL.
 *
 * Ownership: rpl_explain() / rpl_explain_finding() allocate the struct;
 * rpl_explanation_free() frees it and every pointer in it (chain, steps,
 * account, and log once it exists). Nothing in it borrows from the
 * replay, the model, the inputs or the caller.
 */
struct rpl_explanation {
	bool found;		    /* false: nothing to explain (see rpl_explain) */
	uint64_t events;	    /* events replayed by the first pass (0 if none ran) */
	struct mdl_finding finding; /* the target */
	struct mdl_finding cause;   /* its first cause (== finding when its own) */
	bool cause_is_finding;	    /* the finding is its own first cause */
	int vm;			    /* the finding's VM (-1 unknown) */
	bool has_gfn;		    /* the finding's gfn, else its cause's */
	uint64_t gfn;
	uint64_t *chain; /* owned: sorted seqs of the causal chain */
	size_t nr_chain;
	struct rpl_explain_step *steps; /* owned: the history, oldest first */
	size_t nr_steps;
	char *account;		     /* owned: the account paragraph, NUL-terminated */
	struct rpl_log_account *log; /* owned; NULL: no kernel-log account (always, so far) */
};

/* Which finding rpl_explain() explains. */
enum rpl_explain_pick {
	RPL_EXPLAIN_DEFAULT, /* the first kvm-bug, else the first error */
	RPL_EXPLAIN_SEQ,     /* the first finding (report order) at .seq */
	RPL_EXPLAIN_INDEX,   /* finding number .index in report order */
};

struct rpl_explain_target {
	enum rpl_explain_pick pick;
	uint64_t seq;
	size_t index;
};

/*
 * Explains one finding of @inputs, replayed with @o (its hooks, st and
 * stop_after_seq are the explainer's own and ignored). Returns 0 with *out
 * set, or -1 with a message naming the input in @err (*out NULL). When no
 * finding matches, *out has found == false and only .events set: for
 * RPL_EXPLAIN_DEFAULT there is nothing to explain, otherwise the seq or
 * index names no finding.
 */
int rpl_explain(char *const *inputs, unsigned int n, const struct rpl_opts *o,
		const struct rpl_explain_target *target, struct rpl_explanation **out, char *err,
		size_t errlen);
/*
 * rpl_explain(), and the first pass's result (every finding, the kernel
 * log's account) handed to @first instead of freed, so a caller that
 * needs it too replays once, not twice. @first is filled only on success;
 * free it with rpl_result_free().
 */
int rpl_explain_keep(char *const *inputs, unsigned int n, const struct rpl_opts *o,
		     const struct rpl_explain_target *target, struct rpl_explanation **out,
		     struct rpl_result *first, char *err, size_t errlen);

/*
 * Steps 2-4 for a target the caller already has, with @cause its first
 * cause (rpl_explain_cause(); may be @finding). .events is 0. Returns 0
 * with *out set, or -1 with a message in @err.
 */
int rpl_explain_finding(char *const *inputs, unsigned int n, const struct rpl_opts *o,
			const struct mdl_finding *finding, const struct mdl_finding *cause,
			struct rpl_explanation **out, char *err, size_t errlen);

/*
 * The first cause of @f among @findings (report order): the first finding
 * at f->cause_seq when that is before @f, else @f itself.
 */
const struct mdl_finding *rpl_explain_cause(const struct mdl_finding *findings, size_t n,
					    const struct mdl_finding *f);

/* Frees @x and everything it owns; NULL is fine. */
void rpl_explanation_free(struct rpl_explanation *x);

/*
 * One finding as a line of text, without a newline:
 * "line 36 seq 36 [error] kvm-bug gfn 0x8a3f vcpu 0: message" ("line
 * I:L" when there are several inputs, "input I" for binary inputs).
 */
void rpl_finding_line(char *buf, size_t len, const struct mdl_finding *f, unsigned int nr_inputs);

#endif /* TDXR_EXPLAIN_H */
