/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay/model/model_int.h - the model's private types, shared by the
 * files of replay/model/ only.
 *
 * Layout rule: every struct that is part of the saved state is a plain
 * sequence of 64-bit words or is explicitly padded, so save.c can write it
 * word by word (varints) and mdl_load() restores it byte for byte.
 */
#ifndef TDXR_MODEL_INT_H
#define TDXR_MODEL_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "tdxr/event.h"
#include "tdxr/finding.h"
#include "tdxr/model.h"
#include "tdxr/tdx.h" /* leaves, statuses, SPTE bits, exit reasons */

static inline bool spte_present(uint64_t s)
{
	return s & SPTE_PRESENT;
}

static inline bool spte_leaf(uint64_t s, int level)
{
	return spte_present(s) && (level == 1 || (s & SPTE_LARGE));
}

static inline bool spte_frozen(uint64_t s)
{
	return s == FROZEN_SPTE || s == REMOVED_SPTE_OLD;
}

/* A TD's MMIO SPTE: RWX = 0, SVE = 0 (shadow_mmio_value 0), not present. */
static inline bool spte_td_mmio(uint64_t s)
{
	return !spte_present(s) && !(s & SPTE_SVE) && s != 0 && !spte_frozen(s) &&
	       (s & SPTE_RWX) == 0;
}

static inline bool spte_vmx_mmio(uint64_t s)
{
	return !spte_present(s) && (s & MMIO_SPTE_MASK) == MMIO_VALUE_VMX;
}

/* Prediction flags: the model cannot say / only the class is certain. */
#define PRED_UNKNOWN 0xffffffffffffffffull

/*
 * Leaves KVM also issues from an IPI (tdx_flush_vp() on a vCPU's old CPU,
 * TDH.PHYMEM.CACHE.WB on each package at HKID release): they are traced
 * with whatever task that CPU was running, so they neither belong to that
 * task's hook or retry nor say which VM the task serves.
 */
static inline bool sc_irq_leaf(unsigned int leaf)
{
	return leaf == TDH_VP_FLUSH || leaf == TDH_PHYMEM_CACHE_WB;
}

/* @ev is a SEAMCALL of such a leaf. */
static inline bool ev_irq_seamcall(const struct tdxr_event *ev)
{
	return ev->type == TDXR_EV_TDX_SEAMCALL &&
	       sc_irq_leaf((unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff));
}

static inline bool tdx_busy(uint64_t st)
{
	uint64_t c = st & TDX_STATUS_MASK;

	return c == TDX_OPERAND_BUSY || c == TDX_OPERAND_BUSY_HOST_PRIORITY;
}

/* VMX exit qualification bits used by the model. */
#define EPT_VIOLATION_ACC_INSTR (1ull << 2)
/* Exit qualification bits 3-5 (EPT_VIOLATION_PROT_MASK) and bit 6 (executable
 * for ring-3 linear addresses; 6.16 tests it apart, later kernels fold it
 * into EPT_VIOLATION_PROT_MASK). */
#define EPT_VIOLATION_PROT_BITS 0x78ull
#define EXT_EXIT_QUAL_TYPE_ACCEPT 1
#define EXT_EXIT_QUAL_TYPE_PENDING 6

/* ---- hash tables ------------------------------------------------------- */
/*
 * Open addressing, linear probing, power-of-two capacity, no deletion.
 * Every element starts with its u64 key; key 0 marks an empty slot, so
 * keys carry KEY_TAG. Elements are multiples of 8 bytes. Grows at 3/4 load
 * (half the memory of growing at 1/2, and faster: fewer cache misses).
 */
#define TAB_LOAD_NUM 3
#define TAB_LOAD_DEN 4

/* Whether @count elements overfill a table of @cap slots. */
static inline bool mdl_tab_over(uint64_t count, uint64_t cap)
{
	return count * TAB_LOAD_DEN > cap * TAB_LOAD_NUM;
}
#define KEY_TAG (1ull << 63)

/*
 * Change tracking of a table (mdl_save_changes): a bit per slot touched
 * since the last snapshot, and whether the slots were laid out anew (the
 * table grew, or is new). Kept apart from the table so that a snapshot of
 * a const model can start over: it is not part of the model's value.
 */
struct mdl_tab_track {
	uint64_t *bits; /* cap / 64 words (at least one) */
	bool relaid;
};

struct mdl_tab {
	uint8_t *slots;		   /* owned */
	struct mdl_tab_track *trk; /* owned, NULL: not tracked */
	uint64_t esz;		   /* element size, bytes, multiple of 8 */
	uint64_t cap;		   /* slots, power of two (0: not allocated) */
	uint64_t count;
	unsigned int lg; /* log2(cap); 0 when cap is 0 */
};

static inline uint64_t mdl_tab_hash(uint64_t key)
{
	key ^= key >> 29;
	key *= 0x9e3779b97f4a7c15ull;
	return key ^ (key >> 32);
}

void mdl_tab_init(struct mdl_tab *t, uint64_t esz);
/* Words of a mdl_tab_track bitmap for @cap slots. */
static inline uint64_t mdl_tab_track_words(uint64_t cap)
{
	return cap > 64 ? cap / 64 : 1;
}

/* Starts tracking the changes of @t (relaid: everything is new). 0 or -1. */
int mdl_tab_track(struct mdl_tab *t);
/* Marks slot @i touched. */
static inline void mdl_tab_touch(const struct mdl_tab *t, uint64_t i)
{
	if (t->trk) {
		t->trk->bits[i >> 6] |= 1ull << (i & 63);
	}
}
uint8_t *mdl_tab_alloc(uint64_t n, uint64_t esz);
/* Not zeroed unless *zero says so (a fresh mapping). */
uint8_t *mdl_tab_alloc_raw(uint64_t n, uint64_t esz, bool *zero);
void mdl_tab_free(struct mdl_tab *t);
/* The element of @key, or NULL; marks it touched (tracking: the caller
 * may write it). mdl_tab_peek() is the same for readers: no mark. */
void *mdl_tab_find(const struct mdl_tab *t, uint64_t key);
void *mdl_tab_peek(const struct mdl_tab *t, uint64_t key);
/* Finds or inserts (zeroed, key set). NULL only when memory runs out. */
void *mdl_tab_get(struct mdl_tab *t, uint64_t key, bool *created);
int mdl_tab_copy(struct mdl_tab *dst, const struct mdl_tab *src);
/*
 * Grows now so that @n more inserts cannot move elements: mdl_apply()
 * reserves room for one event, so pointers into a table stay valid for
 * the whole event. 0, or -1 when memory runs out.
 */
int mdl_tab_reserve_slow(struct mdl_tab *t, uint64_t n);
#define MDL_EVENT_INSERTS 32
static inline void *mdl_tab_slot(const struct mdl_tab *t, uint64_t i)
{
	return t->slots + i * t->esz;
}

/* ---- per gfn/level record --------------------------------------------- */
/* An S-EPT entry state (enum mdl_sept_state) other than unknown or FREE. */
static inline bool mdl_sept_nonfree(int st)
{
	return st != MDL_SEPT_UNKNOWN && st != MDL_SEPT_FREE;
}

#define MDL_HIST 3
enum {
	ENT_KNOWN_DIRECT = 1 << 0,
	ENT_KNOWN_MIRROR = 1 << 1,
	ENT_MAYBE_ACC = 1 << 2,	  /* PENDING may have been ACCEPTed */
	ENT_POISON = 1 << 3,	  /* a finding was reported: consequences join */
	ENT_PREMAP = 1 << 4,	  /* 6.16 premapped leaf waiting for PAGE.ADD */
	ENT_KNOWN_PREV = 1 << 5,  /* prev holds an older direct root's SPTE */
	ENT_PREMAP_GONE = 1 << 6, /* a premapped leaf was zapped before ADD */
};

#define TREE_DIRECT 0
#define TREE_MIRROR 1

/*
 * One gfn at one level of one address space: both trees' SPTEs there and
 * the S-EPT entry at the same level (S-EPT level = pg level - 1).
 */
struct mdl_ent {
	/* first cache line: what every event on the entry reads or writes */
	uint64_t key;	  /* mdl_ent_key() */
	uint64_t spte[2]; /* [TREE_DIRECT], [TREE_MIRROR] */
	uint8_t sept;	  /* enum mdl_sept_state */
	uint8_t flags;	  /* ENT_* */
	uint8_t nhist;	  /* writes into hist (wraps) */
	uint8_t pad;
	uint16_t children; /* non-FREE S-EPT entries in the table below */
	uint16_t pad2;
	uint64_t sync_seq;	 /* last event that established its state */
	uint64_t hist[MDL_HIST]; /* last seqs touching it, ring */
	/* second line */
	uint32_t below[2];   /* present leaves below this level, per tree */
	uint64_t prev;	     /* direct SPTE of the previous root generation */
	uint64_t pfn;	     /* page behind the S-EPT entry */
	uint64_t bepoch;     /* TD epoch at BLOCK */
	uint64_t block_seq;  /* seq of that BLOCK */
	uint64_t poison_seq; /* the finding that poisoned it */
	uint64_t pad3[2];    /* 128 bytes: lines stay aligned */
};

static inline uint64_t gfn_align(uint64_t gfn, int level)
{
	if (level < 1 || level > MDL_LEVELS) {
		level = 1; /* never trust a level read from a blob */
	}
	return gfn & ~((1ull << (9 * (level - 1))) - 1);
}

static inline uint64_t mdl_ent_key(uint64_t gfn, int level, int as_id)
{
	return KEY_TAG | (gfn & ((1ull << 44) - 1)) | ((uint64_t)(level & 7) << 48) |
	       ((uint64_t)(as_id & 3) << 52);
}

static inline uint64_t mdl_ent_gfn(const struct mdl_ent *e)
{
	return e->key & ((1ull << 44) - 1);
}

static inline int mdl_ent_level(const struct mdl_ent *e)
{
	return (e->key >> 48) & 7;
}

static inline uint64_t mdl_ent_last_seq(const struct mdl_ent *e)
{
	return e->nhist ? e->hist[(uint8_t)(e->nhist - 1) % MDL_HIST] : 0;
}

/* ---- PAMT, thread and address maps (host-wide) ----------------------- */
struct mdl_page {
	uint64_t key;  /* pfn | KEY_TAG */
	uint64_t gfn;  /* gfn mapped (REG) or covered (SEPT) */
	uint64_t seq;  /* last change */
	int32_t owner; /* VM index, -1 none */
	uint8_t type;  /* enum mdl_pamt_type */
	uint8_t level;
	uint8_t pad[2];
};

struct mdl_tid {
	uint64_t key; /* tid | KEY_TAG */
	int32_t vm;   /* VM id (tgid), -1 unknown */
	int32_t vcpu; /* -1 unknown */
};

struct mdl_addr {
	uint64_t key; /* physical address | KEY_TAG (TDR, TDVPR) */
	int32_t vm;
	int32_t vcpu; /* for a TDVPR, -1 for a TDR */
};

struct mdl_cpu {
	uint64_t key; /* (input << 32 | cpu) | KEY_TAG */
	uint64_t ts;
	uint64_t reported;
	/* SEAMCALLs since the CPU's first event in the trace or its last loss:
	 * a hook's SEAMCALL runs on the CPU of its SPTE change (mmu_lock
	 * held, no migration), so an install on a CPU with none seen yet may
	 * be one whose SEAMCALL came before the trace or was lost */
	uint64_t seamcalls;
};

/* ---- vCPUs ------------------------------------------------------------- */
struct mdl_vcpu {
	uint64_t known;
	uint64_t in_guest;
	uint64_t epoch;	    /* TD epoch sampled at entry */
	uint64_t entry_seq; /* kvm_entry while in guest */
	uint64_t last_seq;
	uint64_t zs_count; /* consecutive private EPT-violation exits */
	uint64_t zs_gfn;
	uint64_t zs_first_seq;
	uint64_t zs_reported;
	uint64_t pend_seq; /* last pending-access finding (+1), dedupe */
	uint64_t exit_seq; /* last exit */
};

/* ---- VMs --------------------------------------------------------------- */
enum { LIFE_UNKNOWN, LIFE_HKID, LIFE_BLOCKED, LIFE_TEARDOWN };
enum { ZAP_IDLE, ZAP_SPTE, ZAP_BLOCKED, ZAP_TRACKED, ZAP_REMOVED };

/*
 * The hooks a VM can have in flight: KVM runs each under mmu_lock on one
 * thread, so one of each per VM. Plain 64-bit words (saved state). Each is
 * written only by the file named at its field in struct mdl_vm_state.
 */

/* The last successful AUG/ADD/SEPT.ADD: the install hook writes its mirror
 * SPTE next on the same thread (docs/tdx.md §5.4). */
struct mdl_install {
	uint64_t active;
	uint64_t tid;
	uint64_t gfn;
	uint64_t level;
	uint64_t seq;
};

/* An unpatched trace's removal whose tree is unknown: the thread's next
 * event says (a BLOCK of the gfn: mirror). */
struct mdl_tree_wait {
	uint64_t active;
	uint64_t tid;
	uint64_t gfn;
	uint64_t level;
	uint64_t as_id;
	uint64_t old_spte;
	uint64_t new_spte;
	uint64_t seq;
};

/* The S-EPT removal hook of a mirror leaf: SPTE change, BLOCK, TRACK,
 * REMOVE in some order on one thread; complete at its kvm_tdx_sept or at
 * the thread's next unrelated event. */
struct mdl_zap {
	uint64_t active;
	uint64_t tid;
	uint64_t gfn;
	uint64_t level;
	uint64_t seq;
	uint64_t stage; /* ZAP_* */
	uint64_t block_seq;
	uint64_t track_seq;
};

/* A BUSY on the removal path: its thread's next SEAMCALL must be the one
 * retry, with no vCPU in the guest. */
struct mdl_busy {
	uint64_t active;
	uint64_t tid;
	uint64_t leaf;
	uint64_t gfn;
	uint64_t seq;
	uint64_t entered;   /* a vCPU entered the guest since */
	uint64_t entry_seq; /* ... at this kvm_entry */
};

/* The last SPTE change: mark_mmio_spte follows the one that made it. */
struct mdl_change {
	uint64_t gfn;
	uint64_t level;
	uint64_t new_spte;
	uint64_t seq;
	uint64_t tree;
};

/* The last SEAMCALL but VP.ENTER: KVM's console message of the same
 * failure tells nothing new. */
struct mdl_last_seamcall {
	uint64_t leaf;
	uint64_t status;
	uint64_t seq; /* + 1, 0 none */
};

/* The last kvm_page_fault: the install that follows on its thread is in
 * the mirror tree when the fault was private. */
struct mdl_fault {
	uint64_t tid;
	uint64_t gfn;
	uint64_t is_private;
	uint64_t seq;
};

struct mdl_vm_state {
	int64_t id; /* VMM tgid, -1 anonymous */
	uint64_t events, errors, warnings;
	uint64_t is_tdx, below_valid, seen_seamcall, seen_vp_enter, seen_spte;
	uint64_t seen_install_op;
	uint64_t op_state;  /* enum mdl_op_state */
	uint64_t lifecycle; /* LIFE_* */
	uint64_t td_epoch;
	uint64_t epoch_seq; /* last TRACK */
	uint64_t tdr;	    /* TDR pa, 0 unknown */
	uint64_t tdr_reclaimed;
	uint64_t top_level;  /* 4 (GPAW 48) or 5 (GPAW 52) */
	uint64_t shared_gfn; /* the shared bit, as a gfn bit */
	uint64_t nr_pages;   /* REG + SEPT pages it owns in PAMT */
	uint64_t nr_premap;
	uint64_t has_err, first_err_seq, last_err_seq, last_err_event;
	uint64_t kvm_bug_reported;
	/* hooks in flight, each written by one file (its functions below) */
	struct mdl_install inst;     /* tdp.c */
	struct mdl_tree_wait pinf;   /* tdp.c */
	struct mdl_zap zap;	     /* tdp.c */
	struct mdl_busy busy;	     /* busy.c */
	struct mdl_change chg;	     /* tdp.c */
	struct mdl_last_seamcall sc; /* seamcall.c */
	struct mdl_fault fault;	     /* apply.c */
	uint64_t finalize_seq;
	uint64_t nokick_entry_seq; /* entry seq + 1 of a vCPU reported unkicked */
	uint64_t folded;	   /* folded into a named VM (resolve.c): unreachable */
	uint64_t huge_private;	   /* a 2M/1G PAGE.AUG succeeded: a kernel with huge
				* private pages (no 4K-only KVM_BUG_ON) */
	uint64_t init_seq;	   /* the event that made op_state INITIALIZED */
};

struct mdl_vm {
	struct mdl_vm_state s;
	struct mdl_tab ents;	/* struct mdl_ent, owned */
	struct mdl_vcpu *vcpus; /* owned, nr_vcpus long, indexed by vcpu_id */
	uint64_t nr_vcpus;
};

/* ---- the model ------------------------------------------------------- */
struct mdl_gstate {
	uint64_t profile;     /* 616 / 619 / 0 undecided */
	uint64_t profile_cfg; /* 0 auto */
	uint64_t gpaw_cfg;
	uint64_t check_every;
	uint64_t lost_seq1;    /* seq of the last lost marker + 1, 0 none */
	uint64_t lost_windows; /* losses begun (TDXR_LOST_WINDOW), not recorded yet */
	uint64_t events;
	uint64_t errors, warnings;
	uint64_t seamcalls, spte_changes, inferred_tree, unknown_tree;
	uint64_t lost_markers;
	uint64_t cov_sept, cov_tlb, cov_mmio, cov_mirror_field, cov_inferred;
	uint64_t next_anon;
	uint64_t check_failures; /* violations found by check_every runs */
};

struct mdl_model {
	struct mdl_gstate g;
	struct mdl_vm **vms; /* owned, nr_vms */
	uint64_t nr_vms, cap_vms;
	struct mdl_tab pages;	      /* struct mdl_page */
	struct mdl_tab tids;	      /* struct mdl_tid */
	struct mdl_tab addrs;	      /* struct mdl_addr */
	struct mdl_tab cpus;	      /* struct mdl_cpu */
	const struct tdxr_strtab *st; /* borrowed */
	uint64_t last_vm;	      /* index of the last VM used: a cache only */
	const void *res_ev;	      /* the event mdl_resolve() saw last ... */
	uint64_t res_seq;	      /* (its seq and tid, to tell a reused struct) */
	int32_t res_tid;
	int32_t res_vm;	       /* ... and its VM, provisional ones included */
	bool res_guess;	       /* ... guessed: the only VM known, nothing named it */
	uint64_t cpu_slot[16]; /* cpus slot of (input, cpu & 15): cache */
	/* NULL, or: pages and every VM's ents track their changes */
	struct mdl_track *track;
};

/* What mdl_save_changes() remembers between snapshots (owned). */
struct mdl_track {
	uint64_t from_events; /* g.events at the last snapshot */
};

/* ---- per-event context --------------------------------------------- */
struct mdl_ctx {
	struct mdl_model *m;
	const struct tdxr_event *ev;
	const struct mdl_sink *sink;
	struct mdl_vm *vm;
	int vm_idx;
	bool reported;		   /* a finding was emitted for this event */
	bool quiet;		   /* VM unknown among several: learn only */
	bool guess;		   /* VM guessed (the only one known): learn no binding */
	const struct mdl_cpu *cpu; /* the event's CPU, NULL when unknown */
};

/* vm.c */
struct mdl_vm *mdl_vm_lookup(const struct mdl_model *m, int32_t id, int *idx);
struct mdl_vm *mdl_vm_get(struct mdl_model *m, int32_t id, int *idx);
struct mdl_vcpu *mdl_vcpu_get(struct mdl_vm *vm, int32_t id);
struct mdl_vm *mdl_vm_new_empty(void);
/* Appends @vm to m->vms (owned from then on). 0, or -1: not added. */
int mdl_vm_push(struct mdl_model *m, struct mdl_vm *vm);
int mdl_vm_reset(struct mdl_model *m, struct mdl_vm *vm);
/* The only VM not folded away, or NULL (none, or several). */
struct mdl_vm *mdl_vm_only(const struct mdl_model *m, int *idx);
void mdl_vm_free(struct mdl_vm *vm);
struct mdl_ent *mdl_ent_get(struct mdl_vm *vm, uint64_t gfn, int level, int as_id);
struct mdl_ent *mdl_ent_find(const struct mdl_vm *vm, uint64_t gfn, int level, int as_id);
/* mdl_ent_find() for readers (mdl_check, queries): not a change. */
const struct mdl_ent *mdl_ent_peek(const struct mdl_vm *vm, uint64_t gfn, int level, int as_id);
void mdl_ent_touch(struct mdl_ent *e, uint64_t seq);
/* Sets @e's S-EPT state, keeping the parent's count of non-FREE children. */
void mdl_sept_set_state(struct mdl_vm *vm, struct mdl_ent *e, int state);
/* The gfn of a TD's @gpa (shared bit stripped). */
uint64_t mdl_vm_gfn_of_gpa(const struct mdl_vm *vm, uint64_t gpa);
/* A GPA with bit 51 set exists only with GPAW 52: learnt from the first. */
void mdl_vm_learn_gpaw(struct mdl_vm *vm, uint64_t gpa);
void mdl_ent_note(struct mdl_ent *e, uint64_t seq);
bool mdl_ent_uncertain(const struct mdl_model *m, const struct mdl_ent *e);
bool mdl_seq_uncertain(const struct mdl_model *m, uint64_t seq);
void mdl_profile_decide(struct mdl_model *m, int profile);
/* The VM is a TD. Leaf counts (below[]) are kept from then on; they are
 * complete only when it had no records yet (below_valid). */
/* The TD's op state became INITIALIZED at event @seq. */
static inline void mdl_vm_set_initialized(struct mdl_vm *vm, uint64_t seq)
{
	vm->s.op_state = MDL_OP_INITIALIZED;
	vm->s.init_seq = seq;
}

static inline void mdl_vm_mark_tdx(struct mdl_vm *vm)
{
	if (!vm->s.is_tdx) {
		vm->s.is_tdx = 1;
		vm->s.below_valid = vm->ents.count == 0;
	}
}
int mdl_profile_of(const struct mdl_model *m);

/* findings.c */
/* A finding to record. Zero is the default of every field: the kind's
 * severity, the event's vCPU, no entry, no gfn, the chain from the entry. */
struct mdl_report {
	unsigned int kind;
	int severity;	    /* MDL_SEVERITY(s) to override the kind's */
	bool no_vcpu;	    /* the finding names no vCPU (else the event's) */
	struct mdl_ent *e;  /* entry to chain and poison, may be NULL */
	struct mdl_ent *e2; /* a second entry (alias), may be NULL */
	bool has_gfn;
	uint64_t gfn;
	uint64_t extra[6]; /* extra chain seqs (0 terminated: seq + 1) */
	uint64_t cause;	   /* seq + 1 of the cause, 0: chain start */
	const char *expected;
	const char *actual;
};
#define MDL_SEVERITY(s) ((int)(s) + 1)
/* A struct mdl_report from designated initializers: MDL_R(.kind = ...). */
#define MDL_R(...) (&(const struct mdl_report){__VA_ARGS__})

/* Records the finding @r with its message: always (see MDL_CHECK). */
void mdl_report(struct mdl_ctx *c, const struct mdl_report *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* mdl_report() unless the event already made a finding or @r's entries
 * are poisoned (a finding's consequences join it). */
void mdl_check_report(struct mdl_ctx *c, const struct mdl_report *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The model's check, in KVM_BUG_ON's manner: when @cond holds, records the
 * finding (MDL_R(...) and the message) once, as mdl_check_report() says,
 * and evaluates to @cond, so callers write
 *
 *	if (MDL_CHECK(c, e->sept != MDL_SEPT_FREE, MDL_R(.kind = ..., .e = e), "..."))
 *		return;
 *
 * The report and its message are evaluated only when @cond holds.
 */
#define MDL_CHECK(c, cond, ...)                             \
	({                                                  \
		bool mdl_cond_ = !!(cond);                  \
		if (__builtin_expect(mdl_cond_, 0)) {       \
			mdl_check_report((c), __VA_ARGS__); \
		}                                           \
		mdl_cond_;                                  \
	})

const char *mdl_leaf_name(unsigned int leaf);
int mdl_leaf_by_name(const char *name);
/* "0x%016llx" of @st into @buf; returns @buf. */
const char *mdl_status_str(char *buf, size_t len, uint64_t st);
/* "%llx" of @v into @buf; returns @buf. */
const char *mdl_hex_str(char *buf, size_t len, uint64_t v);

/* tdp.c */
void mdl_tdp_spte_changed(struct mdl_ctx *c);
void mdl_tdp_set_spte(struct mdl_ctx *c);
void mdl_tdp_mark_mmio(struct mdl_ctx *c);
void mdl_tdp_apply_change(struct mdl_ctx *c, int tree, int as_id, uint64_t gfn, int level,
			  uint64_t old_spte, uint64_t new_spte);
void mdl_tdp_forget(struct mdl_ctx *c, struct mdl_ent *e);
void mdl_tdp_ve_request_mmio(struct mdl_ctx *c, uint64_t gpa);
/* the hooks tdp.c owns: install, tree wait, zap, change */
void mdl_tdp_thread_event(struct mdl_ctx *c);
void mdl_install_expect(struct mdl_ctx *c, uint64_t gfn, int level);
void mdl_zap_seamcall(struct mdl_ctx *c, uint64_t gfn, int level);
void mdl_zap_seamcall_done(struct mdl_ctx *c, unsigned int leaf, uint64_t gfn);
void mdl_zap_tracked(struct mdl_ctx *c);
void mdl_zap_hook_returned(struct mdl_ctx *c, uint64_t gfn);
void mdl_tdp_drop(struct mdl_vm *vm);
void mdl_tdp_finish(struct mdl_ctx *c);
void mdl_tdp_fold(struct mdl_vm *vm, const struct mdl_vm *pv);

/* busy.c: the BUSY retry of the removal path (struct mdl_busy) */
/* Checks the pending BUSY against the event; @final: the retry can no
 * longer come. 1 when the event was a retry BUSY again (KVM_BUG_ON). */
int mdl_busy_check(struct mdl_ctx *c, bool final);
void mdl_busy_start(struct mdl_ctx *c, unsigned int leaf);
void mdl_busy_vcpu_entered(struct mdl_ctx *c);
void mdl_busy_drop(struct mdl_vm *vm);

/* sept.c */
void mdl_sept_mem_op(struct mdl_ctx *c, unsigned int leaf, uint64_t status);
bool mdl_sept_is_blocked(int state);

/* pamt.c */
void mdl_pamt_set(struct mdl_ctx *c, uint64_t pfn, int type, int owner, uint64_t gfn, int level);
struct mdl_page *mdl_pamt_find(const struct mdl_model *m, uint64_t pfn);
const struct mdl_page *mdl_pamt_peek(const struct mdl_model *m, uint64_t pfn);
void mdl_pamt_reclaim(struct mdl_ctx *c, uint64_t status);
void mdl_pamt_teardown_check(struct mdl_ctx *c);

/* epoch.c */
void mdl_epoch_kvm_entry(struct mdl_ctx *c);
void mdl_epoch_kvm_exit(struct mdl_ctx *c);
void mdl_epoch_vp_enter(struct mdl_ctx *c, uint64_t status);
void mdl_epoch_track(struct mdl_ctx *c, uint64_t status);
bool mdl_epoch_tlb_tracked(const struct mdl_model *m, const struct mdl_vm *vm,
			   const struct mdl_ent *e, bool *certain, uint64_t *vseq);
void mdl_epoch_private_fault(struct mdl_ctx *c, uint64_t gfn);
void mdl_epoch_mapping_done(struct mdl_ctx *c);
void mdl_epoch_userspace_exit(struct mdl_ctx *c);

/* seamcall.c */
void mdl_sc_handle(struct mdl_ctx *c);
void mdl_sc_log_failed(struct mdl_ctx *c);

#endif /* TDXR_MODEL_INT_H */
