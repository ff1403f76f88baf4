/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/klog.h - kernel logs as evidence (docs/design.md §5.1, docs/postmortem.md).
 *
 * The text reader turns kernel log lines into log:* events (schema/events.def).
 * A splat (WARNING/BUG/Oops with its registers and call trace) is one
 * log:splat event. Its scalar facts are event fields; its variable parts
 * (the call trace, the registers and the context lines) are interned
 * strings (tdxr/strtab.h) whose ids the event carries: the string table
 * is the splat's side table, so `dump`, the index and the TUI get them
 * with the event. This header reads those strings back, names what KVM
 * was doing (the operation table) and aggregates a log into the "log"
 * account of `replay --json` and `explain`.
 */
#ifndef TDXR_KLOG_H
#define TDXR_KLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tdxr/event.h"
#include "tdxr/strtab.h"

/* ---- splat types (the "type" of the JSON) ----------------------------- */

#define TDXR_KLOG_SPLAT_TYPES(X)    \
	X(WARN, "warn")             \
	X(BUG, "bug")               \
	X(NULL_DEREF, "null-deref") \
	X(PAGE_FAULT, "page-fault") \
	X(GPF, "gpf")               \
	X(OOPS, "oops")

enum tdxr_klog_splat_type {
#define X(id, s) TDXR_KLOG_##id,
	TDXR_KLOG_SPLAT_TYPES(X)
#undef X
};

/* ---- what KVM was doing (docs/design.md §5.1 "operation") ------------------ */

#define TDXR_KLOG_OPS(X)                \
	X(UNKNOWN, "unknown")           \
	X(FAULT, "fault")               \
	X(PREFAULT, "prefault")         \
	X(ZAP, "zap")                   \
	X(SPLIT, "split")               \
	X(TEARDOWN, "teardown")         \
	X(VCPU_RUN, "vcpu-run")         \
	X(VCPU_SETUP, "vcpu-setup")     \
	X(VM_SETUP, "vm-setup")         \
	X(DIRTY_LOG, "dirty-log")       \
	X(MMIO, "mmio")                 \
	X(MEMORY_ERROR, "memory-error") \
	X(DEBUG_ACCESS, "debug-access")

enum tdxr_klog_op {
#define X(id, s) TDXR_KLOG_OP_##id,
	TDXR_KLOG_OPS(X)
#undef X
		TDXR_KLOG_OP__COUNT
};

const char *tdxr_klog_op_name(enum tdxr_klog_op op);

/* One entry of the KVM function table (replay/src/klog_ops.c). */
struct tdxr_klog_fn {
	const char *name;
	enum tdxr_klog_op op;
	/* A context frame: when it is anywhere on the stack it turns the
	 * site's generic operation into its own (a KVM_PRE_FAULT_MEMORY
	 * frame turns a TDP map into a prefault, kvm_destroy_vm a zap into
	 * a teardown). */
	bool context;
	const char *kernels; /* which kernels have it: "6.8-intel 6.16 7.1" */
};

/* The entry of @func (without "+off/size"), NULL if not in the table. */
const struct tdxr_klog_fn *tdxr_klog_fn_lookup(const char *func, size_t len);

/*
 * The operation of a stack: @funcs[0] is the site (innermost), the rest
 * the callers, outward. The innermost known frame names the operation; a
 * context frame further out refines it (rules in klog_ops.c).
 */
enum tdxr_klog_op tdxr_klog_operation(const char *const *funcs, unsigned int n);

/* ---- TDX status values ------------------------------------------------ */

/*
 * Decodes @v by class (high 32 bits, names from tdxr/tdx.h) plus operand
 * id. Returns true when the class is known; @name gets "TDX_OPERAND_BUSY",
 * @operand "RCX"/"SEPT_TREE"/"0x5" or "" when there is none.
 */
bool tdxr_klog_status(uint64_t v, char *name, size_t nlen, char *operand, size_t olen);
/* A TDH.SYS.* leaf: the host bringing the TDX module up or updating it
 * (no VM involved; a failure there is not a KVM_BUG_ON). */
bool tdxr_klog_is_sys_leaf(uint64_t leaf);
/* A known class with the error bit (63) set: a register holding it is
 * reported as the splat's status. */
bool tdxr_klog_is_tdx_error(uint64_t v);

/* ---- a splat's strings ------------------------------------------------ */

/*
 * The trace string is frames separated by " | ", innermost first, each
 * "[? ]FUNC[+OFF/SIZE][ [MODULE]]" ("? ": not reliable). The context
 * string is "key=value" items separated by " | ": offset, tainted,
 * release, hardware, regs ("rax:0x..,rbx:0x.."), cond (the WARN's
 * condition text, 7.0+), truncated=1 (the header or the end was cut).
 */
#define TDXR_KLOG_SEP " | "

struct tdxr_klog_frame {
	char func[128];
	char offset[40]; /* "0x1a/0x60" or "" */
	char module[64]; /* "" for vmlinux */
	bool reliable;
};

/* Next frame of the trace string at *@p (advanced); false at the end. */
bool tdxr_klog_next_frame(const char **p, struct tdxr_klog_frame *fr);

/* Value of @key in a context string into @out; false if absent. */
bool tdxr_klog_ctx_get(const char *ctx, const char *key, char *out, size_t len);

/* ---- the account of a whole log (replay --json "log", explain) -------- */

#define TDXR_KLOG_MAX_SPLATS 64
#define TDXR_KLOG_MAX_FAILURES 64
#define TDXR_KLOG_MAX_FACTS 16

/* One distinct SEAMCALL failure (leaf, status): its first line and count. */
struct tdxr_klog_failure {
	struct tdxr_event ev; /* the first log:seamcall_failed of it */
	uint64_t count;
};

/*
 * What a log says, gathered event by event (tdxr_klog_acct_note). String
 * ids point into the replay's string table. Memory is bounded: beyond the
 * MAX counts, records are counted (dropped_*), not kept.
 */
struct tdxr_klog_acct {
	uint64_t records; /* log:* events noted */
	char release[80]; /* the first kernel release the log names, "" none */
	struct tdxr_event facts[TDXR_KLOG_MAX_FACTS]; /* log:platform, first per key */
	unsigned int nfacts;
	uint64_t suppressed; /* messages the ratelimit swallowed */
	bool truncated;	     /* a splat or a message was cut */
	struct tdxr_klog_failure fails[TDXR_KLOG_MAX_FAILURES];
	unsigned int nfails;
	struct tdxr_event splats[TDXR_KLOG_MAX_SPLATS];
	unsigned int nsplats;
	uint64_t dropped_splats, dropped_fails;
	uint64_t td_exits, memory_errors, hkid_leaks, accept_before;
	struct tdxr_event first_other; /* first td_exit/memory_error/hkid/accept record */
	bool has_first_other;
};

struct tdxr_klog_acct *tdxr_klog_acct_new(void);
void tdxr_klog_acct_free(struct tdxr_klog_acct *a);
/* Notes one event (non-log events are ignored). */
void tdxr_klog_acct_note(struct tdxr_klog_acct *a, const struct tdxr_event *ev,
			 const struct tdxr_strtab *st);
/*
 * The first cause (docs/design.md §5.1): the earliest TDX error or splat in log
 * time (file order on a tie). Returns the event, NULL if the log has none.
 * A TDX module init failure (TDH.SYS.*) counts: it is reported as what it
 * is, not as a KVM_BUG_ON.
 */
const struct tdxr_event *tdxr_klog_first_cause(const struct tdxr_klog_acct *a);

#endif /* TDXR_KLOG_H */
