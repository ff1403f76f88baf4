#!/usr/bin/env python3
"""tests/scenarios/make_facts_cases.py - writes the fixtures of the
docs/tdx.md §8 scenarios (s01-... directories) in tracefs text format.

Each case is a short, hand-written sequence of kernel events in KVM's call
order; the events marked "expect" give expect.json's (kind, line) pairs.
Run it from anywhere; it rewrites the s*/ directories next to it.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "schema"))
import tdx_def as tdx  # noqa: E402  (the constants of schema/tdx.def)
NP = tdx.SHADOW_NONPRESENT_VALUE
# typical TD SPTEs (docs/tdx.md §4.1): leaf RWX WB A D present hw mw SVE
LEAF = (tdx.SPTE_SVE | tdx.SPTE_MMU_WRITABLE | tdx.SPTE_HOST_WRITABLE |
        tdx.SPTE_PRESENT | tdx.SPTE_D | tdx.SPTE_A |
        tdx.EPT_MT_WB << tdx.SPTE_MT_SHIFT | tdx.SPTE_RWX)
NONLEAF = tdx.SPTE_SVE | tdx.SPTE_PRESENT | tdx.SPTE_A | tdx.SPTE_RWX
SHARED = 1 << 47

class Case:
    def __init__(self, name, about, vm=7100):
        self.name = name
        self.about = about
        self.vm = vm
        self.lines = ["# tracer: nop", "#"] + ["# " + a for a in about] + [
            "#",
            "#           TASK-PID      TGID     CPU#  |||||  TIMESTAMP  FUNCTION",
            "#              | |          |        |   |||||     |         |"]
        self.ts = 500.0
        self.expect = []
        self.tdr = 0x4000000
        self.page = 0x1230000
        self.linked = {}  # (gfn, level) -> S-EPT page

    def ev(self, who, name, payload, expect=None):
        comm, pid, cpu = who
        self.ts += 0.000010
        self.lines.append("%16s-%-7d (%7d) [%03d] ..... %12.6f: %s: %s" % (
            comm, pid, self.vm, cpu, self.ts, name, payload))
        if expect:
            self.expect.append({"kind": expect, "line": len(self.lines)})

    # --- events --------------------------------------------------------
    def sc(self, who, leaf, rcx=0, rdx=0, r8=0, status=0, orcx=0, ordx=0,
           or8=0, expect=None):
        self.ev(who, "tdx_seamcall",
                "leaf %s (%d) rcx 0x%x rdx 0x%x r8 0x%x r9 0x0 status 0x%016x "
                "out_rcx 0x%x out_rdx 0x%x out_r8 0x%x out_r9 0x0" % (
                    tdx.LEAF_NAME[leaf & 0xffff], leaf, rcx, rdx, r8, status, orcx, ordx, or8),
                expect)

    def spte(self, who, gfn, level, old, new, mirror, expect=None):
        self.ev(who, "kvm_tdp_mmu_spte_changed",
                "as id 0 gfn %x level %d old_spte %x new_spte %x mirror %d vm %d"
                % (gfn, level, old, new, mirror, self.vm), expect)

    def entry(self, who, vcpu, expect=None):
        self.ev(who, "kvm_entry", "vcpu %d, rip 0x0 intr_info 0x00000000 "
                "error_code 0x00000000" % vcpu, expect)

    def exit(self, who, vcpu, reason, info1=0, info2=0):
        self.ev(who, "kvm_exit", "vcpu %d reason %s rip 0x0 info1 0x%016x "
                "info2 0x%016x intr_info 0x00000000 error_code 0x00000000 "
                "requests 0x0000000000000000" % (vcpu, tdx.EXIT_REASON_NAME[reason], info1,
                                                 info2))

    def vp_enter(self, who, vcpu, status, qual=0, ext=0, gpa=0, expect=None):
        self.sc(who, tdx.TDH_VP_ENTER, 0x7700000 + vcpu * 0x1000, 0, 0, status, qual, ext,
                gpa, expect)
        if not status & tdx.TDX_ERROR:
            self.exit(who, vcpu, tdx.EXIT_REASON_EPT_MISCONFIG
                      if status == tdx.EXIT_REASON_TDCALL else status, qual, ext)

    def page_fault(self, who, vcpu, gpa):
        self.ev(who, "kvm_page_fault", "vcpu %d rip 0x0 address 0x%016x "
                "error_code 0x%x" % (vcpu, gpa, 2 if gpa < SHARED else 0x182))

    def hook(self, who, op, gfn, pfn, ret=0, expect=None):
        self.ev(who, "kvm_tdx_sept", "vm %d op %s gfn %x level 1 pfn %x ret %d"
                % (self.vm, op, gfn, pfn, ret), expect)

    def bugged(self, who, caller, expect="kvm-bug"):
        self.ev(who, "kvm_vm_bugged", "vm %d caller %s" % (self.vm, caller),
                expect)

    def tdvmcall(self, who, vcpu, r11, name, r12=0, r13=0, r14=0):
        self.ev(who, "kvm_tdx_tdvmcall", "vm %d vcpu %d r10 0x0 r11 0x%x (%s) "
                "r12 0x%x r13 0x%x r14 0x%x r15 0x0" % (self.vm, vcpu, r11, name,
                                                         r12, r13, r14))

    # --- KVM sequences -------------------------------------------------
    def new_page(self):
        self.page += 0x1000
        return self.page

    def boot(self, host, finalize=True):
        self.sc(host, tdx.TDH_MNG_CREATE, self.tdr)
        self.sc(host, tdx.TDH_MNG_INIT, self.tdr)
        if finalize:
            self.sc(host, tdx.TDH_MR_FINALIZE, self.tdr)

    def link(self, who, gfn):
        for level in (4, 3, 2):
            g = gfn & ~((1 << (9 * (level - 1))) - 1)
            if (g, level) in self.linked:
                continue
            pg = self.new_page()
            self.sc(who, tdx.TDH_MEM_SEPT_ADD, (g << 12) | (level - 1), self.tdr, pg)
            self.spte(who, g, level, NP, NONLEAF | pg, 1)
            self.linked[(g, level)] = pg

    def fault(self, who, vcpu, gfn, entry=True):
        if entry:
            self.entry(who, vcpu)
        self.vp_enter(who, vcpu, tdx.EXIT_REASON_EPT_VIOLATION, 0x184, 1, gfn << 12)
        self.page_fault(who, vcpu, gfn << 12)
        self.link(who, gfn)
        pg = self.new_page()
        self.sc(who, tdx.TDH_MEM_PAGE_AUG, gfn << 12, self.tdr, pg)
        self.hook(who, "set_spte", gfn, pg >> 12)
        self.spte(who, gfn, 1, NP, LEAF | pg, 1)
        return pg

    def zap(self, host, gfn, pg, kick=()):
        self.spte(host, gfn, 1, LEAF | pg, NP, 1)
        self.sc(host, tdx.TDH_MEM_RANGE_BLOCK, gfn << 12, self.tdr)
        self.sc(host, tdx.TDH_MEM_TRACK, self.tdr)
        for who, vcpu in kick:
            self.vp_enter(who, vcpu, tdx.EXIT_REASON_EXTERNAL_INTERRUPT)
        self.sc(host, tdx.TDH_MEM_PAGE_REMOVE, gfn << 12, self.tdr, 0, 0, pg)
        self.sc(host, tdx.TDH_PHYMEM_PAGE_WBINVD, pg | (5 << 46))
        self.hook(host, "remove_spte", gfn, pg >> 12)

    def write(self, exit_code, args=None, extra=None):
        d = os.path.join(HERE, self.name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "trace.txt"), "w") as f:
            f.write("\n".join(self.lines) + "\n")
        exp = {"exit": exit_code, "findings": self.expect}
        if args:
            exp["args"] = args
        if extra:
            exp.update(extra)
        with open(os.path.join(d, "expect.json"), "w") as f:
            json.dump(exp, f, indent=2)
            f.write("\n")


QEMU = ("qemu-system-x86", 7100, 0)
V0 = ("CPU 0/KVM", 7101, 1)
V1 = ("CPU 1/KVM", 7102, 2)


def s01():
    c = Case("s01-removal-busy-retry-busy",
             ["docs/tdx.md §8 item 1: a PUNCH_HOLE zap meets the zero-step filter. BLOCK",
              "returns BUSY on the S-EPT tree lock, KVM kicks the vCPUs and",
              "retries once, and the retry is BUSY too: KVM_BUG_ON."])
    c.boot(QEMU)
    pg = c.fault(V0, 0, 0x8a3f)
    c.spte(QEMU, 0x8a3f, 1, LEAF | pg, NP, 1)
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x8a3f << 12, c.tdr, status=(tdx.TDX_OPERAND_BUSY | tdx.TDX_OPERAND_ID_SEPT_TREE))
    c.vp_enter(V0, 0, tdx.EXIT_REASON_EXTERNAL_INTERRUPT)
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x8a3f << 12, c.tdr, status=(tdx.TDX_OPERAND_BUSY | tdx.TDX_OPERAND_ID_SEPT_TREE),
         expect="busy-retry")
    c.bugged(QEMU, "tdx_sept_remove_private_spte+0x9e/0x2c0 [kvm_intel]")
    c.write(1, extra={"explain_cause": {"kind": "busy-retry",
                                        "line": c.expect[0]["line"]}})


def s01b():
    c = Case("s01-removal-busy-entry-before-retry",
             ["docs/tdx.md §8 item 1: BLOCK returns BUSY; a vCPU enters the guest before",
              "the single retry (wait_for_sept_zap not honoured): busy-retry",
              "warning. The rest of the removal is clean."])
    c.boot(QEMU)
    pg = c.fault(V0, 0, 0x8a3f)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.spte(QEMU, 0x8a3f, 1, LEAF | pg, NP, 1)
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x8a3f << 12, c.tdr, status=(tdx.TDX_OPERAND_BUSY | tdx.TDX_OPERAND_ID_SEPT_TREE))
    c.entry(V1, 1)
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x8a3f << 12, c.tdr, expect="busy-retry")
    c.sc(QEMU, tdx.TDH_MEM_TRACK, c.tdr)
    c.vp_enter(V1, 1, tdx.EXIT_REASON_EXTERNAL_INTERRUPT)
    c.sc(QEMU, tdx.TDH_MEM_PAGE_REMOVE, 0x8a3f << 12, c.tdr, 0, 0, pg)
    c.sc(QEMU, tdx.TDH_PHYMEM_PAGE_WBINVD, pg | (5 << 46))
    c.hook(QEMU, "remove_spte", 0x8a3f, pg >> 12)
    c.write(0)


def s02():
    c = Case("s02-track-previous-epoch-busy",
             ["docs/tdx.md §8 item 2: vCPU 1 entered in epoch 1; a TRACK moved the TD to",
              "epoch 2 but KVM did not kick it (KVM_REQ_OUTSIDE_GUEST_MODE); the",
              "next TRACK finds a vCPU of epoch N-1 still in the guest."])
    c.boot(QEMU)
    c.entry(V1, 1)
    c.sc(QEMU, tdx.TDH_MEM_TRACK, c.tdr)
    c.sc(QEMU, tdx.TDH_MEM_TRACK, c.tdr, status=tdx.TDX_PREVIOUS_TLB_EPOCH_BUSY, expect="epoch-busy")
    c.write(1)


def s03():
    c = Case("s03-remove-without-track",
             ["docs/tdx.md §8 item 3: an out-of-tree split path removes right after BLOCK,",
              "with no TRACK: TLB_TRACKING_NOT_DONE, then KVM bugs the VM."])
    c.boot(QEMU)
    pg = c.fault(V0, 0, 0x2000)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.spte(QEMU, 0x2000, 1, LEAF | pg, NP, 1)
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x2000 << 12, c.tdr)
    c.sc(QEMU, tdx.TDH_MEM_PAGE_REMOVE, 0x2000 << 12, c.tdr, status=(tdx.TDX_TLB_TRACKING_NOT_DONE | tdx.TDX_OPERAND_ID_RCX),
         orcx=pg, ordx=0x100, expect="tlb-not-tracked")
    c.bugged(QEMU, "tdx_sept_remove_private_spte+0x1a4/0x2c0 [kvm_intel]")
    c.write(1, extra={"explain_cause": {"kind": "tlb-not-tracked",
                                        "line": c.expect[0]["line"]}})


def s04():
    c = Case("s04-vp-init-vs-removal",
             ["docs/tdx.md §8 item 4: KVM_TDX_INIT_VCPU (TDH.VP.INIT v1 takes the TDR",
              "exclusively) runs while a hole punch removes a private page: REMOVE",
              "is BUSY on the TDR even on its no-vCPU retry (before 9a89894f30d5)."])
    c.boot(QEMU)
    pg = c.fault(V0, 0, 0x3000)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.spte(QEMU, 0x3000, 1, LEAF | pg, NP, 1)
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x3000 << 12, c.tdr)
    c.sc(QEMU, tdx.TDH_MEM_TRACK, c.tdr)
    c.sc(V1, tdx.TDH_VP_INIT, 0x7701000, 0, 0)
    c.sc(QEMU, tdx.TDH_MEM_PAGE_REMOVE, 0x3000 << 12, c.tdr, status=(tdx.TDX_OPERAND_BUSY | tdx.TDX_OPERAND_ID_TDR))
    c.sc(QEMU, tdx.TDH_MEM_PAGE_REMOVE, 0x3000 << 12, c.tdr, status=(tdx.TDX_OPERAND_BUSY | tdx.TDX_OPERAND_ID_TDR),
         expect="busy-retry")
    c.bugged(QEMU, "tdx_sept_remove_private_spte+0x1f0/0x2c0 [kvm_intel]")
    c.write(1)


def s05():
    c = Case("s05-pending-access",
             ["docs/tdx.md §8 item 5: KVM AUGs gfn 0x4000 (PENDING); the guest reads it",
              "without TDG.MEM.PAGE.ACCEPT (SEPT_VE_DISABLE=1): the module exits",
              "with extended exit qualification type 6 and KVM kills the VM."])
    c.boot(QEMU)
    c.fault(V0, 0, 0x4000)
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x81, 6, 0x4000 << 12, expect="pending-access")
    c.write(1)


def s07():
    c = Case("s07-premap-page-add-fails",
             ["docs/tdx.md §8 item 7 (6.16 profile): KVM_TDX_INIT_MEM_REGION premaps the",
              "mirror leaf of gfn 0x100, then TDH.MEM.PAGE.ADD fails (not BUSY:",
              "PAGE_METADATA_INCORRECT on the target page): the mirror EPT has a",
              "present leaf over a FREE S-EPT entry. (A BUSY ADD is contention:",
              "see premap-page-add-busy-then-zap-is-clean.)"])
    c.boot(QEMU, finalize=False)
    c.link(QEMU, 0x100)
    pg = c.new_page()
    c.spte(QEMU, 0x100, 1, NP, LEAF | pg, 1)
    c.sc(QEMU, tdx.TDH_MEM_PAGE_ADD, 0x100 << 12, c.tdr, pg, status=(tdx.TDX_PAGE_METADATA_INCORRECT | tdx.TDX_OPERAND_ID_R8),
         expect="mirror-desync")
    c.spte(QEMU, 0x100, 1, LEAF | pg, NP, 1)
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x100 << 12, c.tdr, status=(tdx.TDX_EPT_ENTRY_STATE_INCORRECT | tdx.TDX_OPERAND_ID_RCX),
         orcx=NP, ordx=0)
    c.write(1, args=["--kernel-profile", "6.16"])


def s08():
    c = Case("s08-zap-mirror-page-table-live",
             ["docs/tdx.md §8 item 8: a path zaps a non-leaf mirror SPTE while the TD's",
              "HKID is assigned: the leaf goes through BLOCK/TRACK/REMOVE, then",
              "the free hook hits KVM_BUG_ON(is_hkid_assigned)."])
    c.boot(QEMU)
    pg = c.fault(V0, 0, 0x5000)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    pt = [p for p in sorted(c.linked) if p[1] == 2][0]
    ptpage = c.linked[pt]
    c.ev(QEMU, "kvm_mmu_prepare_zap_page",
         "sp gen 0 gfn %x l1 8-byte q0 direct wux nxe ad root 0 sync" % pt[0])
    c.spte(QEMU, 0x5000, 1, LEAF | pg, 0x80000000000005a0, 1)
    c.sc(QEMU, tdx.TDH_MEM_RANGE_BLOCK, 0x5000 << 12, c.tdr)
    c.sc(QEMU, tdx.TDH_MEM_TRACK, c.tdr)
    c.sc(QEMU, tdx.TDH_MEM_PAGE_REMOVE, 0x5000 << 12, c.tdr, 0, 0, pg)
    c.sc(QEMU, tdx.TDH_PHYMEM_PAGE_WBINVD, pg | (5 << 46))
    c.spte(QEMU, pt[0], 2, NONLEAF | ptpage, 0x80000000000005a0, 1,
           expect="kvm-bug")
    # The VM was already reported bugged at the zap (the model knows the
    # free hook's KVM_BUG_ON): a VM is bugged once, the event joins it.
    c.bugged(QEMU, "tdx_sept_free_private_spt+0x5c/0x120 [kvm_intel]", expect=None)
    c.write(1)


def s09():
    c = Case("s09-teardown-reclaim-nda",
             ["docs/tdx.md §8 item 9: at teardown KVM reclaims a page the module holds as",
              "NDA (already removed): PAGE_METADATA_INCORRECT|RCX."])
    c.boot(QEMU)
    pg = c.fault(V0, 0, 0x6000)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.zap(QEMU, 0x6000, pg)
    c.sc(QEMU, tdx.TDH_VP_FLUSH, 0x7700000, status=0)
    c.sc(QEMU, tdx.TDH_MNG_VPFLUSHDONE, c.tdr)
    c.sc(QEMU, tdx.TDH_MNG_KEY_FREEID, c.tdr)
    c.sc(QEMU, tdx.TDH_PHYMEM_PAGE_RECLAIM, pg, status=(tdx.TDX_PAGE_METADATA_INCORRECT | tdx.TDX_OPERAND_ID_RCX), expect="reclaim")
    c.write(1)


def s10():
    c = Case("s10-mapgpa-conversion-leaves-private-leaf",
             ["docs/tdx.md §8 item 10: MapGPA(private->shared) of 0x7000-0x7001; the",
              "conversion zaps 0x7000 but not 0x7001, whose shared fault then maps",
              "it in the direct tree while its mirror leaf is still present."])
    c.boot(QEMU)
    pa = c.fault(V0, 0, 0x7000)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    pb = c.fault(V0, 0, 0x7001)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_TDCALL)
    c.tdvmcall(V0, 0, 0x10001, "MapGPA", (0x7000 << 12) | SHARED, 0x2000)
    c.zap(QEMU, 0x7000, pa)
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x182, 0, (0x7001 << 12) | SHARED)
    c.page_fault(V0, 0, (0x7001 << 12) | SHARED)
    c.spte(V0, 0x7001, 1, NP, 0x0600000000000b77 | (0x99000 << 12), 0,
           expect="private-shared-alias")
    del pb
    c.write(1)


def s11():
    c = Case("s11-racing-faults-clean",
             ["docs/tdx.md §8 item 11: two vCPUs fault on gfn 0x8000. vCPU 1's AUG loses",
              "the S-EPT tree lock (BUSY, RET_PF_RETRY); vCPU 0 maps the page; vCPU",
              "1's retry then finds the SPTE present. Nothing is wrong here."])
    c.boot(QEMU)
    c.entry(V0, 0)
    c.entry(V1, 1)
    c.vp_enter(V1, 1, tdx.EXIT_REASON_EPT_VIOLATION, 0x184, 1, 0x8000 << 12)
    c.page_fault(V1, 1, 0x8000 << 12)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x184, 1, 0x8000 << 12)
    c.page_fault(V0, 0, 0x8000 << 12)
    c.link(V0, 0x8000)
    pg = c.new_page()
    c.sc(V1, tdx.TDH_MEM_PAGE_AUG, 0x8000 << 12, c.tdr, pg + 0x100000, status=(tdx.TDX_OPERAND_BUSY | tdx.TDX_OPERAND_ID_SEPT_TREE))
    c.hook(V1, "set_spte", 0x8000, (pg + 0x100000) >> 12, ret=-16)
    c.sc(V0, tdx.TDH_MEM_PAGE_AUG, 0x8000 << 12, c.tdr, pg)
    c.hook(V0, "set_spte", 0x8000, pg >> 12)
    c.spte(V0, 0x8000, 1, NP, LEAF | pg, 1)
    c.entry(V0, 0)
    c.entry(V1, 1)
    c.write(0)


def s12():
    c = Case("s12-mirror-install-without-seamcall",
             ["docs/tdx.md §8 item 12: a kvm_tdp_mmu_spte_changed reports a mirror install",
              "of gfn 0x9001 with no successful AUG for it (the external update",
              "failed after the trace): the mirror tree and the S-EPT disagree."])
    c.boot(QEMU)
    c.fault(V0, 0, 0x9000)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x184, 1, 0x9001 << 12)
    c.page_fault(V0, 0, 0x9001 << 12)
    c.spte(V0, 0x9001, 1, NP, LEAF | 0x4321000, 1, expect="mirror-desync")
    c.write(1)


def s13():
    c = Case("s13-vp-enter-ept-misconfig",
             ["docs/tdx.md §8 item 13 / §4.2: the normal TD MMIO flow (EPT violation on a",
              "shared gpa, MMIO SPTE with SVE clear, #VE.RequestMMIO as TDCALL 77",
              "printed as EPT_MISCONFIG), then a real EPT_MISCONFIG exit from",
              "TDH.VP.ENTER: KVM_BUG_ON."])
    c.boot(QEMU)
    gfn = 0xfeb00
    gpa = (gfn << 12) | SHARED
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_EPT_VIOLATION, 0x181, 0, gpa)
    c.page_fault(V0, 0, gpa)
    c.spte(V0, gfn, 1, NP, (gfn << 12) | 0x18, 0)
    c.ev(V0, "mark_mmio_spte", "sptep:00000000deadbeef gfn %x access 0 gen 3" % gfn)
    c.entry(V0, 0)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_TDCALL)
    c.tdvmcall(V0, 0, 48, "#VE.RequestMMIO", 4, 0, gpa)
    c.ev(V0, "kvm_mmio", "mmio read len 4 gpa 0x%x val 0x0" % (gfn << 12))
    c.entry(V0, 0)
    c.sc(V0, tdx.TDH_VP_ENTER, 0x7700000, 0, 0, 49, 0, 0, gpa + 0x10, expect="mmio-suppress-ve")
    c.bugged(V0, "tdx_handle_exit+0x2f3/0x5a0 [kvm_intel]")
    c.write(1)


def clean():
    c = Case("s00-clean-td-lifecycle",
             ["A whole TD life in KVM's order: create, premap-free 6.19 image",
              "(SEPT.ADD, PAGE.ADD, mirror install), finalize, private faults on two",
              "vCPUs, a conversion zap with TRACK and kick, teardown with reclaim."])
    c.boot(QEMU, finalize=False)
    c.link(QEMU, 0x10)
    pg0 = c.new_page()
    c.sc(QEMU, tdx.TDH_MEM_PAGE_ADD, 0x10 << 12, c.tdr, pg0)
    c.spte(QEMU, 0x10, 1, NP, LEAF | pg0, 1)
    c.sc(QEMU, tdx.TDH_MR_EXTEND, 0x10 << 12, c.tdr)
    c.sc(QEMU, tdx.TDH_MR_FINALIZE, c.tdr)
    pa = c.fault(V0, 0, 0x11)
    pb = c.fault(V1, 1, 0x12)
    c.vp_enter(V0, 0, tdx.EXIT_REASON_HLT)
    c.entry(V0, 0)
    c.zap(QEMU, 0x11, pa, kick=[(V0, 0), (V1, 1)])
    c.zap(QEMU, 0x12, pb)
    c.zap(QEMU, 0x10, pg0)
    c.sc(QEMU, tdx.TDH_VP_FLUSH, 0x7700000)
    c.sc(QEMU, tdx.TDH_VP_FLUSH, 0x7701000, status=tdx.TDX_VCPU_NOT_ASSOCIATED)
    c.sc(QEMU, tdx.TDH_MNG_VPFLUSHDONE, c.tdr)
    c.sc(QEMU, tdx.TDH_MNG_KEY_FREEID, c.tdr)
    for (g, level) in sorted(c.linked, key=lambda x: x[1]):
        c.spte(QEMU, g, level, NONLEAF | c.linked[(g, level)],
               0x80000000000005a0, 1)
        c.sc(QEMU, tdx.TDH_PHYMEM_PAGE_RECLAIM, c.linked[(g, level)], orcx=3)
    c.sc(QEMU, tdx.TDH_PHYMEM_PAGE_RECLAIM, c.tdr)
    c.write(0)


if __name__ == "__main__":
    for f in (clean, s01, s01b, s02, s03, s04, s05, s07, s08, s09, s10, s11, s12, s13):
        f()
