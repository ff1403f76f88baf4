/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/model.h - the embedded TDX MMU core (docs/design.md §3): a userspace
 * model of KVM's mirror/direct TDP roots and of the TDX module's S-EPT,
 * PAMT, TD op state and TLB epochs, fed one struct tdxr_event at a time.
 *
 * Ownership: the model owns all its state; events and the strtab are
 * borrowed for the duration of a call. Not thread-safe: one model per
 * thread (clone it to fan out). mdl_apply() does no I/O and allocates only
 * when a hash table grows.
 */
#ifndef TDXR_MODEL_H
#define TDXR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdxr/event.h"
#include "tdxr/finding.h"
#include "tdxr/strtab.h"

struct mdl_config {
	int kernel_profile;	  /* 0 auto, 616, 619 */
	int gpaw;		  /* 0 auto (48), 48, 52 */
	unsigned int check_every; /* full invariant check period, 0 off */
	/* borrowed: resolves the few string fields the model reads
	 * (kvm_tdx_sept op, tdvmcall name, kvm_exit reason fallback).
	 * May be NULL: the model then relies on numeric fields only. */
	const struct tdxr_strtab *st;
	/* keep track of what changes, for mdl_save_changes() (the index) */
	bool track_changes;
};

struct mdl_sink {
	/* Called once per finding; @f is valid only during the call. */
	void (*finding)(void *ctx, const struct mdl_finding *f);
	void *ctx;
};

struct mdl_model;

struct mdl_model *mdl_new(const struct mdl_config *cfg);
void mdl_free(struct mdl_model *m);

/* Borrowed string table may change (e.g. after mdl_load). */
void mdl_set_strtab(struct mdl_model *m, const struct tdxr_strtab *st);

/*
 * Fills ev->vm and ev->vcpu from what the model learned (docs/design.md §3):
 * the event's own vm field, tid -> VM/vCPU (kvm_entry/kvm_exit vcpu_id on
 * the same tid), TDR/TDVPR -> VM, the tgid column, or the only VM. Learns
 * from @ev too. Call it before mdl_apply() on the same event.
 */
void mdl_resolve(struct mdl_model *m, struct tdxr_event *ev);

/* Applies one event; findings go to @sink (may be NULL). Returns 0, or
 * -ENOMEM when a table could not grow (the event is then skipped). */
int mdl_apply(struct mdl_model *m, const struct tdxr_event *ev, const struct mdl_sink *sink);

/* End of the trace: pages left at teardown, unfinished retries. */
void mdl_finish(struct mdl_model *m, const struct mdl_sink *sink);

/* Whole-state snapshot. *blob is malloc'd (caller frees). 0 or -ENOMEM. */
int mdl_save(const struct mdl_model *m, void **blob, size_t *len);
/* NULL on a malformed blob (never crashes on bad input). */
struct mdl_model *mdl_load(const void *blob, size_t len);
struct mdl_model *mdl_clone(const struct mdl_model *m);

/*
 * Incremental snapshots (the index's checkpoints, docs/design.md §3). A model
 * made with mdl_config.track_changes remembers which of its records were
 * touched. mdl_save_changes() writes what changed since the previous call
 * (or since mdl_changes_clear(), or since the model was made) and starts
 * over; mdl_load_changes() applies such a blob to a model in the state of
 * that previous point (one restored with mdl_load() and the blobs in
 * between), which is then byte-equal (mdl_save) to the model that wrote
 * it and replays identically. The tracking is not part of the model's
 * value: a clone or a loaded model does not track.
 *
 * mdl_save_changes: *blob is malloc'd. 0, -ENOMEM, or -EINVAL when @m
 * does not track. mdl_load_changes: 0, or -1 on a malformed blob or one
 * that does not follow @m's state (@m is then unusable: free it).
 */
int mdl_save_changes(const struct mdl_model *m, void **blob, size_t *len);
void mdl_changes_clear(const struct mdl_model *m);
int mdl_load_changes(struct mdl_model *m, const void *blob, size_t len);

/* Runs the full invariant check now; returns the number of violations
 * (0 = consistent). Used by tests and by check_every. */
unsigned int mdl_check(const struct mdl_model *m);
/* Bytes the model holds (tables at their current capacity, vCPUs, VMs). */
size_t mdl_memory(const struct mdl_model *m);

/* Violations the periodic check_every runs found so far (0 = none). */
uint64_t mdl_check_failures(const struct mdl_model *m);

/* Which checks the events seen so far allowed. */
struct mdl_coverage {
	bool sept_state;	   /* SEAMCALLs on S-EPT entries seen */
	bool tlb_tracking;	   /* BLOCK/TRACK/REMOVE and VP.ENTER seen */
	bool mmio_flow;		   /* MMIO SPTEs or #VE.RequestMMIO seen */
	bool mirror_tree_patched;  /* spte_changed with the mirror field */
	bool mirror_tree_inferred; /* spte_changed without it, in a TD */
	bool spte_checks;	   /* kvm_tdp_mmu_spte_changed seen */
	bool seamcalls_seen;
	bool tdx_vm; /* at least one VM is a TD */
	uint64_t events;
	uint64_t seamcalls;
	uint64_t spte_changes;
	uint64_t inferred_tree; /* tree decided by inference */
	uint64_t unknown_tree;	/* tree left unknown */
	uint64_t lost_markers;
	uint64_t errors;
	uint64_t warnings;
};
void mdl_coverage(const struct mdl_model *m, struct mdl_coverage *out);

/* "6.16" / "6.19": the profile used, or decided by auto (6.19 when the
 * trace showed no premap behaviour). */
const char *mdl_profile_name(const struct mdl_model *m);

struct mdl_vm_info {
	int32_t vm; /* VMM tgid, -1 for the anonymous VM */
	bool is_tdx;
	uint64_t events;
	uint64_t errors;
	uint64_t warnings;
	int op_state; /* enum mdl_op_state */
	uint64_t td_epoch;
	unsigned int nr_vcpus;
	uint64_t nr_entries; /* gfn/level records */
	uint64_t nr_pages;   /* PAMT pages it owns */
};
unsigned int mdl_nr_vms(const struct mdl_model *m);
/* 0, or -1 when @i is out of range. */
int mdl_vm_info(const struct mdl_model *m, unsigned int i, struct mdl_vm_info *out);

/* S-EPT entry states (docs/tdx.md §7.1) plus what the host cannot tell. */
enum mdl_sept_state {
	MDL_SEPT_UNKNOWN,
	MDL_SEPT_FREE,
	MDL_SEPT_NL_MAPPED,
	MDL_SEPT_NL_BLOCKED,
	MDL_SEPT_MAPPED,
	MDL_SEPT_BLOCKED,
	MDL_SEPT_PENDING,
	MDL_SEPT_PENDING_BLOCKED,
	MDL_SEPT_NOT_FREE, /* learned from a refusal: present, state unknown */
	MDL_SEPT__COUNT,
};
/* "FREE", ..., "PENDING|MAPPED" is shown via the view's maybe_accepted. */
const char *mdl_sept_state_name(int state);

enum mdl_op_state {
	MDL_OP_UNKNOWN,
	MDL_OP_UNINITIALIZED,
	MDL_OP_INITIALIZED,
	MDL_OP_RUNNABLE,
	MDL_OP_TEARDOWN, /* lifecycle: HKID freed (KEY.FREEID) */
};
const char *mdl_op_state_name(int op);

enum mdl_pamt_type {
	MDL_PAMT_UNKNOWN,
	MDL_PAMT_NDA,
	MDL_PAMT_REG,  /* guest page */
	MDL_PAMT_SEPT, /* S-EPT page */
	MDL_PAMT_CTRL, /* TDR / TDCS / TDVPR / TDCX */
};
const char *mdl_pamt_type_name(int type);

#define MDL_LEVELS 5
#define MDL_VIEW_VCPUS 64

/* The state of one gfn at the current point (explain, TUI). */
struct mdl_gfn_view {
	int32_t vm;
	uint64_t gfn;
	bool known[2][MDL_LEVELS + 1];	  /* [mirror][level] SPTE known */
	uint64_t spte[2][MDL_LEVELS + 1]; /* [0] direct, [1] mirror; [level] */
	int sept_level;			  /* level of the S-EPT leaf/deepest entry */
	int sept_state;			  /* enum mdl_sept_state at sept_level */
	bool maybe_accepted;		  /* PENDING may already be MAPPED */
	bool uncertain;			  /* touched before lost events */
	uint64_t pfn;			  /* page behind the S-EPT entry */
	int pamt_type;			  /* enum mdl_pamt_type */
	int32_t pamt_owner;		  /* owner VM tgid, -1 none */
	bool blocked;
	uint64_t bepoch;
	uint64_t td_epoch;
	int op_state;
	unsigned int nr_vcpus; /* entries filled below */
	int32_t vcpu_id[MDL_VIEW_VCPUS];
	bool vcpu_in_guest[MDL_VIEW_VCPUS];
	uint64_t vcpu_epoch[MDL_VIEW_VCPUS];
	unsigned int nr_hist;
	uint64_t hist[8]; /* last events on this gfn, oldest first */
};
/* 0, or -1 when the VM is unknown (the view is then zeroed). */
int mdl_query_gfn(const struct mdl_model *m, int vm, uint64_t gfn, struct mdl_gfn_view *out);

#endif /* TDXR_MODEL_H */
