#!/usr/bin/env python3
"""tests/scenarios/make_model_cases.py - writes the fixtures that pin the
model's rules to KVM's own conditions (healthy traces that must replay
clean, and the real bug next to each that must still be found).

Same format and helpers as make_facts_cases.py; it rewrites only the
directories it names. Run it from anywhere.
"""
from make_facts_cases import tdx, Case, LEAF, NONLEAF, NP, QEMU, SHARED, V0, V1


def userspace_exit(c, who, reason="KVM_EXIT_MEMORY_FAULT", code=39):
    c.ev(who, "kvm_userspace_exit", "reason %s (%d)" % (reason, code))


def lost(c, cpu, n):
    c.lines.append("CPU:%d [LOST %d EVENTS]" % (cpu, n))


# ---- pending-access: KVM's tdx_is_sept_violation_unexpected_pending --------

def pending_prot():
    c = Case("pending-type6-with-prot-bits-is-a-normal-fault",
             ["A private EPT violation with extended exit qualification type 6",
              "(PENDING) whose exit qualification has PROT bits 3-5 set (0x3a):",
              "KVM does not take it for a guest access before ACCEPT; it handles",
              "a normal fault (the SPTE is already there) and re-enters."])
    c.boot(QEMU)
    c.fault(V0, 0, 0x4000)
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x3a, 6, 0x4000 << 12)
    c.page_fault(V0, 0, 0x4000 << 12)
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.write(0)


def pending_ring3():
    c = Case("pending-type6-with-user-exec-bit-is-a-normal-fault",
             ["Type 6 (PENDING) with exit qualification bit 6 set (executable",
              "for ring-3 linear addresses; 0x41): 6.16 excludes it explicitly,",
              "later kernels fold it into EPT_VIOLATION_PROT_MASK. No VM death."])
    c.boot(QEMU)
    c.fault(V0, 0, 0x4000)
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x41, 6, 0x4000 << 12)
    c.page_fault(V0, 0, 0x4000 << 12)
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.write(0, args=["--kernel-profile", "6.16"])


def exit_only_fault(c, who, vcpu, gfn, qual, ext):
    c.entry(who, vcpu)
    c.exit(who, vcpu, 48, qual, ext)
    c.page_fault(who, vcpu, gfn << 12)


def pending_exit_only(bug):
    name = ("pending-type6-kvm-exit-only-kills-the-vm" if bug else
            "pending-type6-kvm-exit-only-with-prot-bits-is-a-normal-fault")
    c = Case(name,
             ["No TDH.VP.ENTER events (seamcall tracing of VP.ENTER off): the",
              "kvm_exit carries the exit qualification (info1) and the extended",
              "one (info2). Type 6 with %s." % (
                  "no PROT bits (0x81): KVM kills the VM" if bug else
                  "PROT bits set (0x3a): a normal fault, no VM death")])
    c.boot(QEMU)
    exit_only_fault(c, V0, 0, 0x4000, 0x184, 1)
    c.link(V0, 0x4000)
    pg = c.new_page()
    c.sc(V0, tdx.TDH_MEM_PAGE_AUG, 0x4000 << 12, c.tdr, pg)
    c.hook(V0, "set_spte", 0x4000, pg >> 12)
    c.spte(V0, 0x4000, 1, NP, LEAF | pg, 1)
    c.entry(V0, 0)
    c.exit(V0, 0, 48, 0x81 if bug else 0x3a, 6)
    if bug:
        c.expect.append({"kind": "pending-access", "line": len(c.lines)})
    c.write(1 if bug else 0)


# ---- busy-retry: only vCPUs still in the guest at the retry count ---------

def busy_kicked():
    c = Case("busy-retry-vcpu-entered-and-kicked-before-retry-is-clean",
             ["BLOCK returns BUSY; vCPU 1 had passed the wait_for_sept_zap check",
              "already, so its kvm_entry comes after the BUSY. KVM's",
              "KVM_REQ_OUTSIDE_GUEST_MODE kick forces it out (its VP.ENTER",
              "returns) before the single retry, which succeeds: healthy."])
    c.boot(QEMU)
    pg = c.fault(V0, 0, 0x8a3f)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.spte(QEMU, 0x8a3f, 1, LEAF | pg, NP, 1)
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x8a3f << 12, c.tdr, status=(tdx.TDX_OPERAND_BUSY | tdx.TDX_OPERAND_ID_SEPT_TREE))
    c.entry(V1, 1)
    c.vp_enter(V1, 1, tdx.EXIT_REASON_EXTERNAL_INTERRUPT)
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x8a3f << 12, c.tdr)
    c.sc(QEMU, tdx.TDH_MEM_TRACK, c.tdr)
    c.sc(QEMU, tdx.TDH_MEM_PAGE_REMOVE, 0x8a3f << 12, c.tdr, 0, 0, pg)
    c.sc(QEMU, tdx.TDH_PHYMEM_PAGE_WBINVD, pg | (5 << 46))
    c.hook(QEMU, "remove_spte", 0x8a3f, pg >> 12)
    c.write(0)


# ---- mmio-suppress-ve: a TDVMCALL needs no #VE -----------------------------

def mmio_direct(private):
    name = ("mmio-tdvmcall-for-private-gpa-is-mmio-suppress-ve" if private else
            "mmio-tdvmcall-from-firmware-without-mmio-spte-is-clean")
    c = Case(name,
             ["TDVF issues TDG.VP.VMCALL<#VE.RequestMMIO> directly, with no #VE",
              "and so no MMIO SPTE behind it. gfn 0x20 had a shared mapping that",
              "was zapped (the region became MMIO). The request is for the %s" % (
                  "private gpa:" if private else "shared gpa:"),
              "%s" % ("KVM answers INVALID_OPERAND." if private else
                      "KVM emulates it (tdx_emulate_mmio checks only the shared bit).")])
    c.boot(QEMU)
    c.fault(V0, 0, 0x11)
    c.spte(QEMU, 0x20, 1, NP, 0x0600000007777b77, 0)
    c.spte(QEMU, 0x20, 1, 0x0600000007777b77, NP, 0)
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_TDCALL)
    c.tdvmcall(V0, 0, 48, "#VE.RequestMMIO", 4, 0,
               (0x20 << 12) | (0 if private else SHARED))
    if private:
        c.expect.append({"kind": "mmio-suppress-ve", "line": len(c.lines)})
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.write(1 if private else 0)


# ---- zero-step ---------------------------------------------------------------

def zs_userspace():
    c = Case("zero-step-count-restarts-at-exit-to-userspace",
             ["vCPU 0 faults on private gfn 0x5000 during a conversion: four exits",
              "retried inside KVM (invalidation in progress), then",
              "KVM_EXIT_MEMORY_FAULT to userspace, which converts and re-enters;",
              "three more exits, then the page is mapped. No six exits in a row",
              "within one KVM_RUN: no zero-step warning."])
    c.boot(QEMU)
    c.link(QEMU, 0x5000)
    for _ in range(4):
        c.entry(V0, 0)
        c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x184, 1, 0x5000 << 12)
        c.page_fault(V0, 0, 0x5000 << 12)
    userspace_exit(c, V0)
    for _ in range(3):
        c.entry(V0, 0)
        c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x184, 1, 0x5000 << 12)
        c.page_fault(V0, 0, 0x5000 << 12)
    pg = c.new_page()
    c.sc(V0, tdx.TDH_MEM_PAGE_AUG, 0x5000 << 12, c.tdr, pg)
    c.hook(V0, "set_spte", 0x5000, pg >> 12)
    c.spte(V0, 0x5000, 1, NP, LEAF | pg, 1)
    c.write(0)


def zs_zap():
    c = Case("zero-step-not-counted-while-another-thread-zaps",
             ["A private->shared conversion zaps gfns 0x6000-0x6006 on the VMM",
              "thread. vCPU 0 touches 0x6000 right after its zap and keeps",
              "exiting there while the invalidation goes on (RET_PF_RETRY, then",
              "re-entry on a pending event): seven exits, none counted."])
    c.boot(QEMU)
    pgs = [c.fault(V0, 0, 0x6000 + i) for i in range(7)]
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.zap(QEMU, 0x6000, pgs[0])
    for i in range(1, 7):
        c.entry(V0, 0)
        c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x184, 1, 0x6000 << 12)
        c.page_fault(V0, 0, 0x6000 << 12)
        c.zap(QEMU, 0x6000 + i, pgs[i])
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x184, 1, 0x6000 << 12)
    c.page_fault(V0, 0, 0x6000 << 12)
    userspace_exit(c, V0)
    c.write(0)


def zs_real():
    c = Case("zero-step-six-exits-without-mapping-is-warned",
             ["vCPU 0 exits six times in a row on private gfn 0x5000 in one",
              "KVM_RUN and nothing maps it (AUG BUSY each time, nobody zaps):",
              "the zero-step mitigation likely engaged (warning)."])
    c.boot(QEMU)
    c.link(QEMU, 0x5000)
    for i in range(6):
        c.entry(V0, 0)
        c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x184, 1, 0x5000 << 12,
                   expect="zero-step" if i == 5 else None)
        c.page_fault(V0, 0, 0x5000 << 12)
        c.sc(V0, tdx.TDH_MEM_PAGE_AUG, 0x5000 << 12, c.tdr, 0x1300000, status=(tdx.TDX_OPERAND_BUSY | tdx.TDX_OPERAND_ID_SEPT_TREE))
        c.hook(V0, "set_spte", 0x5000, 0x1300, ret=-16)
    c.write(0, extra={"stdout_contains": ["zero-step mitigation likely engaged"]})


# ---- 6.16 premap -------------------------------------------------------------

def premap_busy(retry):
    name = ("premap-page-add-busy-then-zap-is-clean" if retry else
            "premap-page-add-busy-never-added-finalize-is-mirror-desync")
    c = Case(name,
             ["6.16: KVM_TDX_INIT_MEM_REGION premaps gfn 0x100 and PAGE.ADD",
              "returns BUSY (-EBUSY to userspace; the leaf stays premapped).",
              ("The region is then zapped: BLOCK fails with ENTRY_STATE_INCORRECT,"
               if retry else
               "Nothing adds it, yet MR.FINALIZE succeeds: KVM must refuse while"),
              ("which KVM 6.16 accepts (nr_premapped--). Healthy."
               if retry else "nr_premapped != 0.")])
    c.boot(QEMU, finalize=False)
    c.link(QEMU, 0x100)
    pg = c.new_page()
    c.spte(QEMU, 0x100, 1, NP, LEAF | pg, 1)
    c.sc(QEMU, tdx.TDH_MEM_PAGE_ADD, 0x100 << 12, c.tdr, pg, status=(tdx.TDX_OPERAND_BUSY | tdx.TDX_OPERAND_ID_SEPT_TREE))
    if retry:
        c.spte(QEMU, 0x100, 1, LEAF | pg, NP, 1)
        c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x100 << 12, c.tdr, status=(tdx.TDX_EPT_ENTRY_STATE_INCORRECT | tdx.TDX_OPERAND_ID_RCX),
             orcx=NP, ordx=0)
        c.hook(QEMU, "remove_spte", 0x100, pg >> 12)
        c.sc(QEMU, tdx.TDH_MR_FINALIZE, c.tdr)
    else:
        c.sc(QEMU, tdx.TDH_MR_FINALIZE, c.tdr, expect="mirror-desync")
    c.write(0 if retry else 1, args=["--kernel-profile", "6.16"])


def premap_unseen_zap(variant):
    names = {"ok": "premap-zap-of-unseen-premap-is-accepted-6-16",
             "rwx": "premap-zap-block-incorrect-on-rwx-leaf-is-kvm-bug-6-16",
             "runnable": "premap-zap-block-incorrect-after-finalize-is-kvm-bug-6-16"}
    about = {"ok": ["The trace starts after KVM_TDX_INIT_MEM_REGION premapped gfn",
                    "0x101 (its PAGE.ADD had failed). The region is zapped before",
                    "FINALIZE: BLOCK fails with EPT_ENTRY_STATE_INCORRECT|RCX on a",
                    "non-RWX entry. tdx_is_sept_zap_err_due_to_premap() holds: KVM",
                    "returns 0, no KVM_BUG_ON."],
             "rwx": ["As premap-zap-of-unseen-premap-is-accepted-6-16, but the entry",
                     "BLOCK reports (out_rcx) is a 4K leaf with RWX set: not the premap",
                     "case, KVM_BUG_ON."],
             "runnable": ["As premap-zap-of-unseen-premap-is-accepted-6-16, but after",
                          "MR.FINALIZE (the TD is RUNNABLE): not the premap case,",
                          "KVM_BUG_ON."]}[variant]
    c = Case(names[variant], about)
    c.sc(QEMU, tdx.TDH_MEM_PAGE_ADD, 0x100 << 12, c.tdr, 0x1240000)
    c.sc(QEMU, tdx.TDH_MR_EXTEND, 0x100 << 12, c.tdr)
    if variant == "runnable":
        c.sc(QEMU, tdx.TDH_MR_FINALIZE, c.tdr)
    c.spte(QEMU, 0x101, 1, LEAF | 0x1241000, NP, 1)
    orcx = (LEAF | 0x1241000) if variant == "rwx" else NP
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x101 << 12, c.tdr, status=(tdx.TDX_EPT_ENTRY_STATE_INCORRECT | tdx.TDX_OPERAND_ID_RCX), orcx=orcx,
         expect=None if variant == "ok" else "kvm-bug")
    c.hook(QEMU, "remove_spte", 0x101, 0x1241, ret=0 if variant == "ok" else -5)
    if variant == "ok":
        c.sc(QEMU, tdx.TDH_MR_FINALIZE, c.tdr)
    c.write(0 if variant == "ok" else 1, args=["--kernel-profile", "6.16"])


def page_add_unseen_premap():
    c = Case("page-add-after-lost-premap-is-clean-6-16",
             ["6.16 TD build: premap of gfn 0x100, PAGE.ADD, MR.EXTEND. The VMM",
              "thread then runs on CPU 2 for the premap of gfn 0x101, whose event",
              "CPU 2's ring buffer loses; back on CPU 0 its PAGE.ADD and MR.EXTEND",
              "follow with no mirror SPTE event. CPU 2 reports the loss only at",
              "its next event: the mirror SPTE is unknown, not missing."])
    c.boot(QEMU, finalize=False)
    c.link(QEMU, 0x100)
    pg = c.new_page()
    c.spte(QEMU, 0x100, 1, NP, LEAF | pg, 1)
    c.sc(QEMU, tdx.TDH_MEM_PAGE_ADD, 0x100 << 12, c.tdr, pg)
    c.sc(QEMU, tdx.TDH_MR_EXTEND, 0x100 << 12, c.tdr)
    pg = c.new_page()
    c.sc(QEMU, tdx.TDH_MEM_PAGE_ADD, 0x101 << 12, c.tdr, pg)
    c.sc(QEMU, tdx.TDH_MR_EXTEND, 0x101 << 12, c.tdr)
    c.sc(QEMU, tdx.TDH_MR_FINALIZE, c.tdr)
    lost(c, V1[2], 1)
    c.entry(V1, 1, expect="lost-events")
    c.vp_enter(V1, 1, tdx.EXIT_REASON_HLT)
    c.write(0, args=["--kernel-profile", "6.16"])


def aug_without_install():
    c = Case("aug-without-mirror-install-is-mirror-desync",
             ["After FINALIZE, vCPU 0 faults on gfn 0x7000, never seen before.",
              "PAGE.AUG succeeds and the hook returns 0, but no mirror SPTE change",
              "follows on the thread: the S-EPT maps a page the mirror EPT lacks",
              "(AUG runs inside the install: unknown history does not excuse it)."])
    c.boot(QEMU)
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x184, 1, 0x7000 << 12)
    c.page_fault(V0, 0, 0x7000 << 12)
    c.link(V0, 0x7000)
    pg = c.new_page()
    c.sc(V0, tdx.TDH_MEM_PAGE_AUG, 0x7000 << 12, c.tdr, pg)
    c.hook(V0, "set_spte", 0x7000, pg >> 12)
    c.entry(V0, 0, expect="mirror-desync")
    c.write(1)


# ---- operand decoding --------------------------------------------------------

def vp_addcx_first():
    c = Case("vp-addcx-first-then-teardown-is-clean",
             ["The trace starts inside KVM_TDX_INIT_VCPU of vCPU 1: TDH.VP.ADDCX",
              "(rcx = TDCX page, rdx = the TDVPR, not the TDR) is the first call",
              "with a TD operand. Later the TD runs and is torn down; the TDVPR",
              "is reclaimed with the vCPU, before the S-EPT pages: no finding."])
    tdvpr = 0x7701000
    c.sc(V1, tdx.TDH_VP_ADDCX, 0x7781000, tdvpr)
    c.sc(V1, tdx.TDH_VP_INIT, tdvpr)
    c.sc(QEMU, tdx.TDH_MR_FINALIZE, c.tdr)
    pg = c.fault(V0, 0, 0x11)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.zap(QEMU, 0x11, pg)
    c.sc(QEMU, tdx.TDH_VP_FLUSH, 0x7700000)
    c.sc(QEMU, tdx.TDH_VP_FLUSH, tdvpr, status=tdx.TDX_VCPU_NOT_ASSOCIATED)
    c.sc(QEMU, tdx.TDH_MNG_VPFLUSHDONE, c.tdr)
    c.sc(QEMU, tdx.TDH_MNG_KEY_FREEID, c.tdr)
    c.sc(QEMU, tdx.TDH_PHYMEM_PAGE_RECLAIM, 0x7781000)
    c.sc(QEMU, tdx.TDH_PHYMEM_PAGE_RECLAIM, tdvpr)
    for (g, level) in sorted(c.linked, key=lambda x: x[1]):
        c.spte(QEMU, g, level, NONLEAF | c.linked[(g, level)],
               0x80000000000005a0, 1)
        c.sc(QEMU, tdx.TDH_PHYMEM_PAGE_RECLAIM, c.linked[(g, level)], orcx=3)
    c.sc(QEMU, tdx.TDH_PHYMEM_PAGE_RECLAIM, c.tdr)
    c.write(0)


CASES = [pending_prot, pending_ring3, lambda: pending_exit_only(False),
         lambda: pending_exit_only(True), busy_kicked, lambda: mmio_direct(False),
         lambda: mmio_direct(True), zs_userspace, zs_zap, zs_real,
         lambda: premap_busy(True), lambda: premap_busy(False),
         lambda: premap_unseen_zap("ok"), lambda: premap_unseen_zap("rwx"),
         lambda: premap_unseen_zap("runnable"), page_add_unseen_premap, aug_without_install,
         vp_addcx_first]

if __name__ == "__main__":
    for f in CASES:
        f()
