#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check_trace.py - a small, independent oracle for `tdxr synth` output.

It re-reads a tracefs text trace and applies the TDX rules of docs/tdx.md §1.5,
§3 and §7 with its own bookkeeping (it shares no code with the generator or
with replay/model), then prints the FIRST problem it sees as JSON:

    {"kind": "tlb-not-tracked", "seq": 1234, "line": 1270, "why": "..."}

or {"kind": null} for a consistent trace. Kinds are docs/design.md §4's, plus
"internal" for a trace no kernel could write (a generator bug: a vCPU that
enters twice, a TD exit of a vCPU that is not in the guest, a bad line).

Usage: check_trace.py TRACE [--shared-bit 47|51] [--profile 6.16|6.19]
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'schema'))
import tdx_def as tdx  # noqa: E402  (TDX facts: schema/tdx.def, shared as data only)

LINE = re.compile(r'^\s*(.*)-(\d+)\s+\[(\d{3})\] (\S{5})\s+(\d+)\.(\d{6}): ([a-z_0-9]+): (.*)$')
LOST = re.compile(r'^CPU:(\d+) \[LOST (\d+) EVENTS\]$')
SC = re.compile(r'^leaf (\w+) \((\d+)\) rcx 0x([0-9a-f]+) rdx 0x([0-9a-f]+) r8 0x([0-9a-f]+) '
                r'r9 0x([0-9a-f]+) status 0x([0-9a-f]{16}) out_rcx 0x([0-9a-f]+) '
                r'out_rdx 0x([0-9a-f]+) out_r8 0x([0-9a-f]+) out_r9 0x([0-9a-f]+)$')
SPTE = re.compile(r'^as id (\d+) gfn ([0-9a-f]+) level (\d+) old_spte ([0-9a-f]+) '
                  r'new_spte ([0-9a-f]+) mirror (-?\d+) vm (-?\d+)$')
TDVMCALL = re.compile(r'^vm (\d+) vcpu (\d+) r10 0x([0-9a-f]+) r11 0x([0-9a-f]+) \((.*)\) '
                      r'r12 0x([0-9a-f]+) r13 0x([0-9a-f]+) r14 0x([0-9a-f]+) r15 0x([0-9a-f]+)$')
ENTRY = re.compile(r'^vcpu (\d+), rip 0x0 intr_info 0x[0-9a-f]{8} error_code 0x[0-9a-f]{8}$')

NONPRESENT = tdx.SHADOW_NONPRESENT_VALUE
BUSY = tdx.TDX_OPERAND_BUSY
EPOCH_BUSY = tdx.TDX_PREVIOUS_TLB_EPOCH_BUSY
NOT_BLOCKED = tdx.TDX_GPA_RANGE_NOT_BLOCKED | tdx.TDX_OPERAND_ID_RCX
TLB_NOT_DONE = tdx.TDX_TLB_TRACKING_NOT_DONE | tdx.TDX_OPERAND_ID_RCX
METADATA_INCORRECT = tdx.TDX_PAGE_METADATA_INCORRECT | tdx.TDX_OPERAND_ID_RCX


class Found(Exception):
    def __init__(self, kind, why):
        super().__init__(why)
        self.kind = kind
        self.why = why


class VM:
    def __init__(self, pid, tdr):
        self.pid = pid
        self.tdr = tdr
        self.epoch = 0
        self.finalized = False
        self.hkid_freed = False
        self.sept = {}      # gfn -> 'A' (AUGed/ADDed), 'B' (blocked)
        self.bepoch = {}
        self.page_pa = {}   # gfn -> pa given to AUG/ADD
        self.nl = set()     # (tdx level, gpa) of S-EPT non-leaf entries
        self.owned = set()  # pas the module holds for this TD
        self.mirror = {}    # gfn -> leaf spte
        self.direct = {}    # gfn -> leaf spte
        self.mmio = {}      # gfn -> mmio spte
        self.vcpus = 0      # VP.CREATE count
        self.bound = set()  # vcpu ids bound to a thread
        self.busy = None    # (gfn, threads in the guest at the BUSY)


def main():
    args = sys.argv[1:]
    path = args[0]
    shared_bit = 47
    profile = '6.19'
    if '--shared-bit' in args:
        shared_bit = int(args[args.index('--shared-bit') + 1])
    if '--profile' in args:
        profile = args[args.index('--profile') + 1]
    shared = 1 << shared_bit

    vms = {}          # pid -> VM
    tdr_vm = {}
    tdvpr_vm = {}
    thread_vm = {}    # tid -> VM
    in_guest = {}     # tid -> epoch at entry
    zs = {}           # tid -> consecutive private EPT violations
    last_ts = {}
    seq = -1
    lost_pending = False
    state = {'line': 0}

    def vm_of_thread(tid):
        return thread_vm.get(tid)

    def guests_of(vm):
        return [t for t in in_guest if thread_vm.get(t) is vm]

    def step(lineno, m):
        comm, tid, cpu, _flags, sec, usec, ev, p = m.groups()
        tid = int(tid)
        cpu = int(cpu)
        ts = int(sec) * 1000000 + int(usec)
        if cpu in last_ts and ts < last_ts[cpu]:
            raise Found('order', 'timestamp goes back on CPU %d' % cpu)
        last_ts[cpu] = ts
        if ev == 'kvm_entry':
            e = ENTRY.match(p)
            if not e:
                raise Found('internal', 'bad kvm_entry')
            if tid in in_guest:
                raise Found('internal', 'kvm_entry of a vCPU already in the guest')
            vm = vm_of_thread(tid)
            if vm is None:
                vid = int(e.group(1))
                for cand in vms.values():
                    if vid < cand.vcpus and vid not in cand.bound and cand.finalized:
                        cand.bound.add(vid)
                        thread_vm[tid] = vm = cand
                        break
            if vm is None:
                raise Found('internal', 'kvm_entry of an unknown vCPU')
            if vm.busy is not None:
                raise Found('busy-retry', 'vCPU entered between a BUSY removal SEAMCALL and its retry')
            in_guest[tid] = vm.epoch
        elif ev == 'tdx_seamcall':
            s = SC.match(p)
            if not s:
                raise Found('internal', 'bad tdx_seamcall')
            name = s.group(1)
            rcx, rdx, r8 = (int(s.group(i), 16) for i in (3, 4, 5))
            status = int(s.group(7), 16)
            ocx, odx, o8 = (int(s.group(i), 16) for i in (8, 9, 10))
            seamcall(tid, name, rcx, rdx, r8, status, ocx, odx, o8)
        elif ev == 'kvm_tdp_mmu_spte_changed':
            s = SPTE.match(p)
            if not s:
                raise Found('internal', 'bad kvm_tdp_mmu_spte_changed')
            spte_changed(tid, int(s.group(2), 16), int(s.group(3)), int(s.group(4), 16),
                         int(s.group(5), 16), int(s.group(6)), int(s.group(7)))
        elif ev == 'kvm_tdx_tdvmcall':
            s = TDVMCALL.match(p)
            if not s:
                raise Found('internal', 'bad kvm_tdx_tdvmcall')
            vm = vms.get(int(s.group(1)))
            if s.group(5) == '#VE.RequestMMIO':
                gpa = int(s.group(8), 16)
                if not gpa & shared:
                    raise Found('mmio-suppress-ve', '#VE.RequestMMIO for a private GPA')
                if vm is None or ((gpa & ~shared) >> 12) not in vm.mmio:
                    raise Found('mmio-suppress-ve', '#VE.RequestMMIO with no MMIO SPTE')
        elif ev == 'kvm_vm_bugged':
            raise Found('kvm-bug', 'kvm_vm_bugged')

    def seamcall(tid, name, rcx, rdx, r8, status, ocx, odx, o8):
        leaf = tdx.LEAF.get(name, -1)
        vm = vm_of_thread(tid)
        if leaf == tdx.TDH_MNG_CREATE:
            vm = VM(tid, rcx)
            vms[tid] = vm
            tdr_vm[rcx] = vm
            thread_vm[tid] = vm
            vm.owned.add(rcx)
            return
        if leaf in (tdx.TDH_MNG_ADDCX, tdx.TDH_MNG_KEY_CONFIG, tdx.TDH_MNG_INIT):
            vm = tdr_vm[rdx if leaf == tdx.TDH_MNG_ADDCX else rcx]
            if leaf == tdx.TDH_MNG_ADDCX:
                vm.owned.add(rcx)
            if leaf == tdx.TDH_MNG_INIT:
                vm.epoch = 1
            return
        if leaf == tdx.TDH_VP_CREATE:
            vm = tdr_vm[rdx]
            tdvpr_vm[rcx] = vm
            vm.owned.add(rcx)
            vm.vcpus += 1
            return
        if leaf == tdx.TDH_VP_ADDCX:
            tdvpr_vm[rdx].owned.add(rcx)
            return
        if leaf == tdx.TDH_VP_INIT:
            return
        if leaf == tdx.TDH_VP_ENTER:
            if tid not in in_guest:
                raise Found('internal', 'TD exit of a vCPU that is not in the guest')
            del in_guest[tid]
            if status == tdx.EXIT_REASON_EPT_MISCONFIG:
                raise Found('mmio-suppress-ve', 'TDH.VP.ENTER returned EPT_MISCONFIG')
            if status == tdx.EXIT_REASON_EPT_VIOLATION:
                if odx & 0xf == 6:
                    raise Found('pending-access', 'guest access to a PENDING page')
                if not o8 & shared:
                    zs[tid] = zs.get(tid, 0) + 1
                    if zs[tid] >= 6:
                        raise Found('zero-step', '6 private EPT violations without a mapping')
                    return
            zs[tid] = 0
            return
        if vm is None and leaf != tdx.TDH_VP_FLUSH:
            raise Found('internal', '%s from a thread of no TD' % name)
        if leaf == tdx.TDH_MEM_SEPT_ADD:
            if status == 0:
                vm.nl.add((rcx & 7, rcx & ~0xfff))
                vm.owned.add(r8)
            return
        gfn = (rcx & ~0xfff) >> 12
        if leaf in (tdx.TDH_MEM_PAGE_AUG, tdx.TDH_MEM_PAGE_ADD):
            parent = (1, (rcx & ~0xfff) & ~((1 << 21) - 1))
            free = gfn not in vm.sept and parent in vm.nl
            if free and status not in (0,) and (status & 0xFFFFFFFF00000000) != BUSY:
                raise Found('status-mismatch', '%s on a FREE entry returned %#x' % (name, status))
            if status == 0:
                if not free:
                    raise Found('status-mismatch', '%s succeeded on a used entry' % name)
                vm.sept[gfn] = 'A'
                vm.page_pa[gfn] = r8
                vm.owned.add(r8)
            return
        if leaf == tdx.TDH_MEM_RANGE_BLOCK:
            if (status & 0xFFFFFFFF00000000) == BUSY:
                if vm.busy is not None and vm.busy[0] == gfn:
                    raise Found('busy-retry', 'BLOCK retried without kicking the vCPUs')
                vm.busy = (gfn, set(guests_of(vm)))
                return
            if vm.busy is not None:
                if vm.busy[0] == gfn and vm.busy[1] & set(in_guest):
                    raise Found('busy-retry', 'BLOCK retried with vCPUs still in the guest')
                vm.busy = None
            if vm.sept.get(gfn) != 'A':
                raise Found('status-mismatch', 'BLOCK of an entry that is not mapped')
            vm.sept[gfn] = 'B'
            vm.bepoch[gfn] = vm.epoch
            return
        if leaf == tdx.TDH_MEM_TRACK:
            if status == EPOCH_BUSY:
                raise Found('epoch-busy', 'TRACK returned PREVIOUS_TLB_EPOCH_BUSY')
            if status == 0:
                if any(in_guest[t] < vm.epoch for t in guests_of(vm)):
                    raise Found('status-mismatch', 'TRACK succeeded with a vCPU of the previous epoch inside')
                vm.epoch += 1
            return
        if leaf == tdx.TDH_MEM_PAGE_REMOVE:
            st = vm.sept.get(gfn)
            if st is None:
                raise Found('status-mismatch', 'REMOVE of a FREE entry')
            if vm.finalized and st != 'B':
                raise Found('remove-not-blocked' if status == NOT_BLOCKED else 'status-mismatch',
                            'REMOVE of an entry that is not blocked')
            if vm.finalized:
                be = vm.bepoch[gfn]
                tracked = be < vm.epoch and not any(in_guest[t] <= be for t in guests_of(vm))
                if not tracked:
                    raise Found('tlb-not-tracked' if status == TLB_NOT_DONE else 'status-mismatch',
                                'REMOVE before TRACK and the exits')
            if status != 0 or ocx != vm.page_pa[gfn]:
                raise Found('status-mismatch', 'REMOVE status %#x out_rcx %#x' % (status, ocx))
            del vm.sept[gfn]
            vm.owned.discard(vm.page_pa.pop(gfn))
            return
        if leaf == tdx.TDH_MR_FINALIZE:
            vm.finalized = True
            return
        if leaf == tdx.TDH_MNG_KEY_FREEID:
            if vm.sept:
                raise Found('reclaim', 'guest pages left when the HKID is freed')
            vm.hkid_freed = True
            return
        if leaf == tdx.TDH_PHYMEM_PAGE_RECLAIM:
            if rcx not in vm.owned:
                raise Found('reclaim' if status == METADATA_INCORRECT else 'status-mismatch',
                            'RECLAIM of a page the module does not hold')
            if status != 0:
                raise Found('status-mismatch', 'RECLAIM failed')
            if rcx == vm.tdr and len(vm.owned) != 1:
                raise Found('reclaim', 'TDR reclaimed with pages left')
            vm.owned.discard(rcx)
            return

    def spte_changed(tid, gfn, level, old, new, mirror, pid):
        vm = vms.get(pid)
        if vm is None:
            raise Found('internal', 'SPTE change of an unknown VM')
        present_old = bool(old & 0x800)
        present_new = bool(new & 0x800)
        if level != 1:
            return
        tree = vm.mirror if mirror == 1 else vm.direct
        if present_old:
            if tree.get(gfn) != old:
                raise Found('spte-mismatch', 'old_spte %x, expected %s' % (old, tree.get(gfn)))
            del tree[gfn]
        elif mirror == 0 and old != NONPRESENT:
            if vm.mmio.get(gfn) != old:
                raise Found('spte-mismatch', 'old MMIO spte %x' % old)
            del vm.mmio[gfn]
        if present_new:
            if mirror == 1:
                if gfn not in vm.sept and (profile == '6.19' or vm.finalized):
                    raise Found('mirror-desync', 'mirror leaf with a FREE S-EPT entry')
                zs[tid] = 0
            if gfn in (vm.direct if mirror == 1 else vm.mirror):
                raise Found('private-shared-alias', 'present in both trees')
            tree[gfn] = new
        elif mirror == 0 and new != NONPRESENT and new != tdx.FROZEN_SPTE:
            if new & (1 << 63) or new & 7:
                raise Found('mmio-suppress-ve', 'TD MMIO SPTE with SVE or RWX set')
            vm.mmio[gfn] = new

    with open(path, 'r', encoding='utf-8', errors='replace') as f:
        try:
            for lineno, text in enumerate(f, 1):
                state['line'] = lineno
                text = text.rstrip('\n')
                if text.startswith('#'):
                    continue
                if LOST.match(text):
                    lost_pending = True
                    continue
                m = LINE.match(text)
                if not m:
                    seq += 1
                    raise Found('internal', 'unparsable line')
                seq += 1
                if lost_pending:
                    raise Found('lost-events', 'events lost before this one')
                step(lineno, m)
        except Found as e:
            print(json.dumps({'kind': e.kind, 'seq': seq, 'line': state['line'], 'why': e.why}))
            return 0
        except (KeyError, ValueError) as e:
            print(json.dumps({'kind': 'internal', 'seq': seq, 'line': state['line'],
                              'why': 'checker: %r' % (e,)}))
            return 0
    print(json.dumps({'kind': None, 'events': seq + 1}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
