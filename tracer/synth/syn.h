/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracer/synth/syn.h - internals of `tdxr synth` (not a public header).
 *
 * Layers, bottom up:
 *   out.c   the output buffer, the tracefs line prefix, lost-event and
 *           timestamp-glitch injection, seq/line accounting;
 *   emit.c  one formatter per event, exactly the TP_printk text;
 *   td.c    KVM + TDX module call order: TD build, faults, zaps, teardown;
 *   run.c   the scheduler, the scenarios, trc_synth_write(), trc_synth_run();
 *   out_ctf.c  --format ctf: a private lttng-sessiond around the writer
 *           (tracer/ust/synth_ust.c), which takes the events as values.
 * Emitters record their typed values (SYN_TYPE/SYN_U/SYN_S) next to the
 * text; with a sink (trc_synth_run) each event goes to it as values and
 * the text is only scratch.
 * Everything is single-threaded and owned by one struct syn_gen.
 */
#ifndef TRC_SYN_H
#define TRC_SYN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "synth.h"
#include "tdxr/event.h"
#include "tdxr/tdx.h"

/* ---- guest physical layout (gfns, without the shared bit) -------------- */

#define SYN_LOW_SPACE (1u << 20) /* 4 GiB: all but high RAM is below */
#define SYN_RAM_PAGES 0x80000u	 /* default: 2 GiB of RAM at gfn 0 */
/* RAM beyond 3 GiB continues at 4 GiB, above the 32-bit MMIO hole. */
#define SYN_LOW_RAM_PAGES 0xc0000u
#define SYN_HIGH_RAM_GFN 0x100000u
#define SYN_MAX_MEM_MB TRC_SYNTH_MAX_MEM_MB
#define SYN_HOB_GFN 0x800u /* TD HOB / TempMem: added, not measured */
#define SYN_HOB_PAGES 8u
#define SYN_MMIO_GFN 0xfe000u /* emulated devices, no memslot */
#define SYN_MMIO_PAGES 64u
#define SYN_FW_GFN 0xffc00u /* TDVF: added and measured */
#define SYN_FW_PAGES 32u

#define SYN_NR_TDCS 4	 /* TDCS pages added with MNG.ADDCX */
#define SYN_NR_TDCX 4	 /* TDVPS pages added with VP.ADDCX */
#define SYN_PHYS_BITS 46 /* host MAXPHYADDR left for addresses; HKID above */

/* Per-gfn flags (struct syn_vm.page). */
#define PG_PRIV 0x01	    /* mirror leaf present, S-EPT MAPPED or PENDING */
#define PG_PENDING 0x02	    /* AUGed, not yet accepted by the guest */
#define PG_SHARED_ATTR 0x04 /* memory attribute: shared */
#define PG_SHARED 0x08	    /* direct-tree leaf present */
#define PG_MMIO 0x10	    /* direct-tree MMIO SPTE present */
#define PG_FIXED 0x20	    /* initial image: never converted or punched */

/* Typical TD SPTEs (docs/tdx.md §4.1): a leaf is RWX, WB, A, D, present,
 * host- and MMU-writable, SVE; a non-leaf RWX, A, present, SVE. */
#define SPTE_LEAF_BITS                                                                        \
	(SPTE_SVE | SPTE_MMU_WRITABLE | SPTE_HOST_WRITABLE | SPTE_PRESENT | SPTE_D | SPTE_A | \
	 ((uint64_t)EPT_MT_WB << SPTE_MT_SHIFT) | SPTE_RWX)
#define SPTE_NONLEAF_BITS (SPTE_SVE | SPTE_PRESENT | SPTE_A | SPTE_RWX)

/* PAMT page types returned by RECLAIM in RCX. */
#define PT_REG 3
#define PT_TDR 4
#define PT_TDCX 5
#define PT_TDVPR 6
#define PT_EPT 8

/* ---- threads and the output -------------------------------------------- */

#define SYN_MAX_CPUS 256

/* A host task as the trace shows it. */
struct syn_thread {
	int tid;
	int cpu;
	unsigned int prefix_len;
	char prefix[40]; /* "%16s-%-7d [%03d] ", rebuilt when cpu changes */
	char comm[17];
};

struct syn_vm;

struct syn_vcpu {
	struct syn_vm *vm; /* borrowed: the owner */
	unsigned int id;
	struct syn_thread thr;
	uint64_t tdvpr;
	uint64_t tdcx[SYN_NR_TDCX];
	bool in_guest;	       /* between its kvm_entry and its VP.ENTER event */
	bool halted;	       /* blocked in HLT, off its CPU */
	bool kicked;	       /* forced out by a kick; re-enters after the zap */
	unsigned int mmio_gfn; /* rotating device page */
};

/* A non-leaf SPTE: KVM's child table and, for the mirror, its S-EPT page. */
struct syn_nl {
	uint64_t spt; /* pa of KVM's page table the SPTE points to, 0: absent */
	uint64_t ext; /* pa of the S-EPT page given to the module (mirror) */
};

enum syn_vm_state { VM_RUNNING, VM_FROZEN, VM_DEAD, VM_GONE };

struct syn_vm {
	unsigned int idx;
	int pid; /* the VMM's tgid: the `vm` of every event */
	enum syn_vm_state state;
	struct syn_thread main;
	int hkid;
	uint64_t tdr;
	uint64_t tdcs[SYN_NR_TDCS];
	unsigned int levels; /* 4 or 5 */
	uint64_t shared_gpa; /* the shared bit as a GPA */
	unsigned int nr_vcpus;
	struct syn_vcpu *vcpus; /* owned */
	uint8_t *page;		/* owned: gfn_space flags */
	struct syn_nl *mir[6];	/* owned: per pg level 2..5, indexed by gfn >> 9(L-1) */
	struct syn_nl *dir[6];
	uint64_t priv_base;	   /* host pfn of gfn 0 in guest_memfd */
	uint64_t shared_base;	   /* host pfn of gfn 0 in the VMM's shared memory */
	uint32_t ram_pages;	   /* RAM pages (--mem): trc_syn_ram_gfn() places them */
	uint32_t gfn_space;	   /* gfns below this one are tracked */
	uint32_t accept_cursor;	   /* RAM index: the guest accepts RAM in this order */
	uint32_t conv_gfn, conv_n; /* the last range converted to shared */
	uint64_t mapped_priv;
	unsigned int mmio_gen;
};

/* The gfn of RAM page @idx: the first 3 GiB at gfn 0, the rest at 4 GiB. A
 * range of RAM indices aligned to its power-of-two length (<= 64 KiB pages)
 * never straddles the hole. */
static inline uint32_t trc_syn_ram_gfn(const struct syn_vm *vm, uint32_t idx)
{
	(void)vm;
	return idx < SYN_LOW_RAM_PAGES ? idx : idx - SYN_LOW_RAM_PAGES + SYN_HIGH_RAM_GFN;
}

struct syn_gen {
	struct trc_synth_opts o;
	/* output */
	int fd;
	char *buf; /* owned */
	size_t len, cap;
	uint64_t bytes, seq, line;
	int werr;    /* errno of a failed write */
	uint64_t ts; /* ns */
	uint64_t rng;
	size_t ev_start;
	bool ev_drop;
	/* lost-events injection: drop lost_left events of lost_cpu */
	int lost_cpu;
	uint32_t lost_left, lost_n;
	bool lost_marker;
	uint64_t lost_total;
	/* order injection: the next event on glitch_cpu goes back in time */
	int glitch_cpu;
	/* injection point: the next written event */
	bool inj_arm, injected;
	uint64_t inj_seq, inj_line, inj_marker_line;
	int inj_vm;
	/* host */
	unsigned int ncpus;
	struct syn_thread idle[SYN_MAX_CPUS];
	struct syn_thread kworker;
	uint64_t host_next_pa; /* bump allocator for control and S-EPT pages */
	/* workload */
	struct syn_vm *vms; /* owned, o.vms of them */
	uint64_t inj_at;    /* try to inject once seq reaches this */
	/* values of the event being written, for a sink (trc_synth_run) */
	trc_synth_sink_fn sink; /* NULL: text to fd */
	void *sink_ctx;
	unsigned int rec_type; /* TDXR_EV_*: set by the emitter, else UNMODELLED */
	uint64_t rec_f[TDXR_MAX_FIELDS];
	const char *rec_s[TDXR_MAX_FIELDS];
	char rec_buf[8]; /* a string field built on the fly */
	uint64_t ev_ts;
	const struct syn_thread *ev_thr;
	const char *ev_name;
	size_t ev_pay; /* buffer offset of the payload */
};

/* The typed values of the event being written (used by the sink path). */
#define SYN_TYPE(g, id) ((g)->rec_type = TDXR_EV_##id)
#define SYN_U(g, id, fld, v) ((g)->rec_f[TDXR_F_##id##_##fld] = (uint64_t)(v))
#define SYN_S(g, id, fld, v) ((g)->rec_s[TDXR_F_##id##_##fld] = (v))

/* ---- out.c ---------------------------------------------------------------- */

uint64_t trc_syn_rand(struct syn_gen *g);
static inline uint32_t trc_syn_below(struct syn_gen *g, uint32_t n)
{
	return (uint32_t)((trc_syn_rand(g) >> 32) * n >> 32);
}
static inline bool trc_syn_chance(struct syn_gen *g, uint32_t per_mille)
{
	return trc_syn_below(g, 1000) < per_mille;
}

void trc_syn_thread_init(struct syn_thread *t, const char *comm, int tid, int cpu);
int trc_syn_out_header(struct syn_gen *g);
int trc_syn_out_flush(struct syn_gen *g);
void trc_syn_out_patch_header(struct syn_gen *g);
/* Advances the clock by @ns more than the per-event step. */
static inline void trc_syn_delay(struct syn_gen *g, uint64_t ns)
{
	g->ts += ns;
}
/* Starts an event line; returns where the payload goes. */
char *trc_syn_ev_begin(struct syn_gen *g, const struct syn_thread *t, const char *flags,
		       const char *name, size_t name_len);
void trc_syn_ev_end(struct syn_gen *g, char *p);
/* The next written event is the injection point. */
void trc_syn_arm(struct syn_gen *g, const struct syn_vm *vm);

#define SYN_BEGIN(g, t, flags, name) trc_syn_ev_begin(g, t, flags, name, sizeof(name) - 1)

/* ---- number formatting ---------------------------------------------------- */

#define PUT_LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) + sizeof(s) - 1)

static inline char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* %llx: lowercase, no leading zeros. */
static inline char *put_hex(char *p, uint64_t v)
{
	static const char dig[] = "0123456789abcdef";
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1;

	for (int i = n - 1; i >= 0; i--) {
		p[i] = dig[v & 15];
		v >>= 4;
	}
	return p + n;
}

/* %0<w>llx */
static inline char *put_hexw(char *p, uint64_t v, int w)
{
	static const char dig[] = "0123456789abcdef";

	for (int i = w - 1; i >= 0; i--) {
		p[i] = dig[v & 15];
		v >>= 4;
	}
	return p + w;
}

static inline char *put_u(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n) {
		*p++ = tmp[--n];
	}
	return p;
}

static inline char *put_d(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u(p, (uint64_t)0 - (uint64_t)v);
	}
	return put_u(p, (uint64_t)v);
}

/* ---- emit.c: one function per event (docs/design.md §2, docs/tdx.md §5) ----------- */

struct syn_sc {
	uint64_t leaf, rcx, rdx, r8, r9, status, ocx, odx, o8, o9;
};
void trc_em_seamcall(struct syn_gen *g, const struct syn_thread *t, const struct syn_sc *c);
void trc_em_sept(struct syn_gen *g, const struct syn_thread *t, int vm, const char *op,
		 uint64_t gfn, int level, uint64_t pfn, int ret);
void trc_em_tdvmcall(struct syn_gen *g, const struct syn_vcpu *v, uint64_t r10, uint64_t r11,
		     const char *name, uint64_t r12, uint64_t r13, uint64_t r14, uint64_t r15);
void trc_em_tdvmcall_done(struct syn_gen *g, const struct syn_vcpu *v, uint64_t r11,
			  uint64_t status, uint64_t val);
void trc_em_vm_bugged(struct syn_gen *g, const struct syn_thread *t, int vm, const char *caller);
void trc_em_spte_changed(struct syn_gen *g, const struct syn_thread *t, uint64_t gfn, int level,
			 uint64_t old_spte, uint64_t new_spte, int mirror, int vm);
void trc_em_entry(struct syn_gen *g, const struct syn_vcpu *v);
void trc_em_exit(struct syn_gen *g, const struct syn_vcpu *v, const char *reason, uint64_t info1,
		 uint64_t info2, uint32_t intr_info);
void trc_em_page_fault(struct syn_gen *g, const struct syn_vcpu *v, uint64_t gpa, uint64_t err);
void trc_em_mmio(struct syn_gen *g, const struct syn_thread *t, const char *type, unsigned int len,
		 uint64_t gpa, uint64_t val);
void trc_em_fast_mmio(struct syn_gen *g, const struct syn_thread *t, uint64_t gpa);
void trc_em_pio(struct syn_gen *g, const struct syn_thread *t, bool write, unsigned int port,
		int size, uint32_t val);
void trc_em_userspace_exit(struct syn_gen *g, const struct syn_thread *t, const char *reason,
			   int nr);
void trc_em_set_spte(struct syn_gen *g, const struct syn_thread *t, uint64_t gfn, uint64_t spte,
		     int level, uint64_t sptep);
void trc_em_spte_requested(struct syn_gen *g, const struct syn_thread *t, uint64_t gfn,
			   uint64_t pfn, int level);
void trc_em_mark_mmio(struct syn_gen *g, const struct syn_thread *t, uint64_t sptep, uint64_t gfn,
		      unsigned int gen);
void trc_em_zap_page(struct syn_gen *g, const struct syn_thread *t, uint64_t gfn, int level);
void trc_em_accept_irq(struct syn_gen *g, const struct syn_thread *t, unsigned int apicid,
		       unsigned int vec);
void trc_em_sched_switch(struct syn_gen *g, const struct syn_thread *prev, const char *state,
			 const struct syn_thread *next);
void trc_em_sched_wakeup(struct syn_gen *g, const struct syn_thread *waker,
			 const struct syn_thread *woken);

/* ---- td.c: KVM and the TDX module ------------------------------------------ */

/* How a removal misbehaves (the injections of the zap path). */
enum syn_zap_bug {
	ZB_NONE,
	ZB_SKIP_BLOCK,	 /* remove-not-blocked */
	ZB_SKIP_TRACK,	 /* tlb-not-tracked */
	ZB_BUSY_NO_KICK, /* busy-retry */
	ZB_DOUBLE_TRACK, /* epoch-busy */
};

uint64_t trc_syn_host_page(struct syn_gen *g);
int trc_syn_vm_init(struct syn_gen *g, struct syn_vm *vm, unsigned int idx);
void trc_syn_vm_free(struct syn_vm *vm);
void trc_td_build(struct syn_gen *g, struct syn_vm *vm);
void trc_td_teardown(struct syn_gen *g, struct syn_vm *vm, bool double_reclaim);
/* The vCPU's TD exit: VP.ENTER's event (@status), then kvm_exit with the
 * exit reason KVM reports (@reason: TDCALLs are mapped, docs/tdx.md §6). */
void trc_td_exit(struct syn_gen *g, struct syn_vcpu *v, uint64_t status, uint64_t qual,
		 uint64_t ext, uint64_t gpa, uint32_t intr, enum vmx_exit_reason reason);
void trc_td_enter(struct syn_gen *g, struct syn_vcpu *v);
/* Kicks every vCPU of @vm in the guest out; returns how many exited. */
unsigned int trc_td_kick_all(struct syn_gen *g, struct syn_vm *vm);
void trc_td_reenter_kicked(struct syn_gen *g, struct syn_vm *vm, const struct syn_vcpu *self);
/* Private fault of @v on @gfn; see td.c for @mode. Returns false if it bugged. */
enum syn_fault_mode { FM_ACCEPT, FM_DIRECT, FM_STATUS_BUG, FM_DESYNC_BUG, FM_ZERO_STEP_BUSY };
bool trc_td_private_fault(struct syn_gen *g, struct syn_vcpu *v, uint32_t gfn,
			  enum syn_fault_mode m);
/* @arm_leaf: the leaf install is the injection point (private-shared-alias). */
void trc_td_shared_fault(struct syn_gen *g, struct syn_vcpu *v, uint32_t gfn, bool arm_leaf);
/* First touch of a device page: MMIO SPTE, then re-entry. */
void trc_td_mmio_fault(struct syn_gen *g, struct syn_vcpu *v, uint32_t gfn, bool write);
/* Removes the private leaf of @gfn on @t; returns false if the VM got bugged. */
bool trc_td_zap_private(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t,
			uint32_t gfn, enum syn_zap_bug bug);
void trc_td_zap_shared(struct syn_gen *g, struct syn_vm *vm, const struct syn_thread *t,
		       uint32_t gfn, bool bad_pfn);
/* The VM got bugged or dead: every vCPU leaves KVM_RUN with -EIO. */
void trc_td_vm_die(struct syn_gen *g, struct syn_vm *vm, struct syn_vcpu *self);

static inline uint64_t trc_syn_priv_pfn(const struct syn_vm *vm, uint32_t gfn)
{
	return vm->priv_base + gfn;
}
static inline uint64_t trc_syn_shared_pfn(const struct syn_vm *vm, uint32_t gfn)
{
	return vm->shared_base + gfn;
}

#endif /* TRC_SYN_H */
