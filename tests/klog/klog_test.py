#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/klog/klog_test.py TDXR DIR - kernel logs as evidence (docs/design.md §5.1).

1. Each fixture (one shape and era each, written from the printk/WARN
   formats of the kernel sources and the shapes of public reports) is read
   through `tdxr replay --json`; its "log" object is checked field by field.
2. Variants of one splat (mail-quoted, journal prefix, caller ids, CRLF and
   trailing blanks, wrapped at 80 columns by a terminal, wrapped at blanks
   by a mail client, other messages interleaved) give the same record.
3. No line is dropped silently: log lines that are not KVM/TDX records are
   counted, lines that are not log lines are warned about.
4. Random mutations (cut, wrap, interleave, duplicate) never crash and never
   turn a splat into a different site.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

TDXR, DIR = sys.argv[1], sys.argv[2]
failures = 0
passes = 0


def check(cond, what):
    global failures, passes
    if cond:
        passes += 1
    else:
        failures += 1
        print("FAIL:", what)


def run(args, path):
    p = subprocess.run([TDXR] + args + [path], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def log_of(path):
    rc, out, err = run(["replay", "--json"], path)
    check(rc in (0, 1), "%s: replay exit %d: %s" % (path, rc, err.strip()))
    try:
        return json.loads(out).get("log")
    except ValueError:
        check(False, "%s: replay --json is not JSON: %r" % (path, out[:200]))
        return None


def fx(name):
    return os.path.join(DIR, name)


def expect(obj, want, where):
    """Every key of want has that value in obj (nested dicts compared the same way)."""
    for k, v in want.items():
        if isinstance(v, dict) and isinstance(obj.get(k), dict):
            expect(obj[k], v, where + "." + k)
        else:
            check(obj.get(k) == v, "%s.%s: %r, want %r" % (where, k, obj.get(k), v))


def frames(splat):
    return [(f["function"], f["module"], f["reliable"]) for f in splat["trace"]]


# ---- 1. one fixture per shape and era, field by field ----------------------

lg = log_of(fx("warn-6.16-printk.log"))
expect(lg, {"kernel_release": "6.16.1", "suppressed": 0, "truncated": False}, "6.16")
check(len(lg["seamcall_failures"]) == 1 and len(lg["splats"]) == 1, "6.16: one failure, one splat")
expect(lg["seamcall_failures"][0], {"line": 1, "leaf": "TDH_MEM_PAGE_REMOVE", "leaf_id": 29,
                                     "status": "0xc0000b0800000001",
                                     "status_name": "TDX_TLB_TRACKING_NOT_DONE",
                                     "operand": "RCX", "count": 1}, "6.16.failure")
s = lg["splats"][0]
expect(s, {"line": 3, "end_line": 40, "type": "warn", "file": "arch/x86/kvm/vmx/tdx.c",
           "src_line": 1643, "function": "tdx_sept_remove_private_spte",
           "offset": "0x1a4/0x2c0", "module": "kvm_intel", "cpu": 12, "pid": 4711,
           "comm": "qemu-system-x86", "tainted": "GW", "kernel_release": "6.16.1",
           "operation": "zap",
           "tdx_status": {"value": "0xc0000b0800000001", "name": "TDX_TLB_TRACKING_NOT_DONE",
                          "operand": "RCX", "from": "message"}}, "6.16.splat")
check(s["hardware"].startswith("Intel Corporation ArcherCity"), "6.16: hardware")
check(s["registers"].get("rax") == "0xc0000b0800000001" and s["registers"].get("r8") == "0x0",
      "6.16: registers rax, r8 (printed R08)")
check(frames(s)[0] == ("__warn", None, False), "6.16: '? __warn' is an unreliable frame")
check(("kvm_gmem_punch_hole", "kvm", True) in frames(s), "6.16: reliable kvm frame")
check("RIP" not in str(frames(s)) and len(s["trace"]) == 15,
      "6.16: 15 frames, the syscall's user registers not among them")

lg = log_of(fx("warn-7.0-journal.log"))
s = lg["splats"][0]
expect(s, {"line": 4, "type": "warn", "file": "arch/x86/kvm/vmx/tdx.c", "src_line": 1870,
           "function": "tdx_track", "offset": "0x131/0x190", "module": "kvm_intel", "cpu": 3,
           "pid": 4711, "comm": "qemu-system-x86", "tainted": "GW", "kernel_release": "7.0.0",
           "operation": "teardown",
           "tdx_status": {"value": "0x80000201000000a9", "name": "TDX_PREVIOUS_TLB_EPOCH_BUSY",
                          "operand": "TD_EPOCH", "from": "r13"}}, "7.0.splat")
check(lg["kernel_release"] == "7.0.0", "7.0: kernel_release from the CPU line")

lg = log_of(fx("ubuntu-6.8-dmesg-T.log"))
expect(lg, {"kernel_release": "6.8.0-1004-intel", "suppressed": 37,
            "platform": {"tdx_module": "1.5 build 698 (20240129)", "keyids": "[32, 64)",
                         "pamt": "1034220 KB", "tdx_init": "initialized"}}, "6.8")
expect(lg["seamcall_failures"][0], {"leaf": "TDH_PHYMEM_PAGE_RECLAIM", "leaf_id": 28,
                                     "status_name": "TDX_PAGE_METADATA_INCORRECT",
                                     "operand": "RCX", "count": 2, "line": 6}, "6.8.failure")
expect(lg["splats"][0], {"type": "warn", "file": None, "src_line": None,
                         "function": "tdx_reclaim_page", "module": "kvm_intel", "cpu": 7,
                         "tainted": None, "operation": "teardown",
                         "tdx_status": {"from": "message",
                                        "name": "TDX_PAGE_METADATA_INCORRECT"}}, "6.8.splat")

lg = log_of(fx("init-6.5-leaf33.log"))
expect(lg["seamcall_failures"][0], {"leaf": "TDH_SYS_INIT", "leaf_id": 33, "line": 2,
                                     "status": "0xc000092100000122"}, "6.5")
expect(lg["platform"], {"keyids": "[16, 64)", "tdx_init": "initialization failed (-5)"}, "6.5")
rc, out, _ = run(["replay"], fx("init-6.5-leaf33.log"))
check(rc == 0 and "kvm-bug" not in out, "6.5: a TDX module init failure is not a kvm-bug")

lg = log_of(fx("syzbot-null-prefault.log"))
s = lg["splats"][0]
expect(s, {"type": "null-deref", "function": "kvm_tdp_mmu_map", "offset": "0x2a5/0x1e90",
           "module": None, "cpu": 1, "pid": 5321, "comm": "syz-executor", "tainted": None,
           "kernel_release": "6.12.0-rc3-syzkaller", "operation": "prefault",
           "tdx_status": None}, "syzbot")
check(("kvm_mmu_do_page_fault", None, True) in frames(s), "syzbot: an [inline] frame")
check(len(s["trace"]) == 9, "syzbot: 9 frames, got %d" % len(s["trace"]))

lg = log_of(fx("headless-mail.log"))
expect(lg, {"truncated": True}, "headless")
expect(lg["splats"][0], {"line": 5, "type": "warn", "function": "tdx_sept_zap_private_spte",
                         "module": "kvm_intel", "operation": "zap", "file": None}, "headless")

lg = log_of(fx("gpf-5.x-prototype.log"))
expect(lg["seamcall_failures"][0], {"leaf": "TDH_MEM_SEPT_ADD", "leaf_id": 3,
                                     "status_name": "TDX_EPT_WALK_FAILED", "operand": "RDX"},
       "5.x")
expect(lg["splats"][0], {"type": "gpf", "function": "tdx_sept_link_private_spt", "cpu": 2,
                         "tainted": "GO", "kernel_release": "5.10.0-mvp",
                         "operation": "fault",
                         "tdx_status": {"from": "message"}}, "5.x.splat")
rc, out, _ = run(["dump"], fx("gpf-5.x-prototype.log"))
check("log:td_exit status=0x8000020000000092 hkid=0x10" in out, "5.x: TD exit line")

lg = log_of(fx("bug-rsyslog-iso.log"))
expect(lg["splats"][0], {"type": "bug", "file": "arch/x86/kvm/mmu/tdp_mmu.c", "src_line": 1063,
                         "function": "handle_removed_pt", "module": "kvm", "cpu": 12,
                         "tainted": "GSW", "operation": "teardown", "end_line": 13}, "iso")

# every shape reads without a "no trace events" refusal, through every command
for f in sorted(os.listdir(DIR)):
    if f.endswith(".log"):
        for cmd in (["dump"], ["replay"], ["explain"]):
            rc, out, err = run(cmd, fx(f))
            check(rc in (0, 1) and "no trace events" not in err,
                  "%s %s: exit %d %s" % (cmd[0], f, rc, err.strip()[:200]))

# ---- 2. variants of one splat give the same record ------------------------

BASE = open(fx("warn-6.16-printk.log")).read().splitlines()


def record(text):
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as t:
        t.write(text)
    lg = log_of(t.name)
    os.unlink(t.name)
    if not lg or not lg["splats"]:
        return None
    s = dict(lg["splats"][0])
    s.pop("line")
    s.pop("end_line")
    return s


want = record("\n".join(BASE) + "\n")
strip = [l.split("] ", 1)[1] for l in BASE]
variants = {
    "mail-quoted": "".join("> " + l + "\n" for l in BASE),
    "journal": "".join("Jun 24 11:07:17 archer kernel: " + l + "\n" for l in strip),
    "short-monotonic": "".join(l.split("] ", 1)[0] + "] archer kernel: " + l.split("] ", 1)[1]
                               + "\n" for l in BASE),
    "caller-id": "".join(l.replace("] ", "] [T4711] ", 1) + "\n" for l in BASE),
    "crlf-trailing": "".join(l + "   \r\n" for l in BASE),
    "syslog-level": "".join("<4>" + l + "\n" for l in BASE),
}
# a terminal wraps at 80 columns, inside words
term = []
for l in BASE:
    while len(l) > 80:
        term.append(l[:80])
        l = l[80:]
    term.append(l)
variants["wrapped-80"] = "\n".join(term) + "\n"
# a mail client wraps at a blank before 72 columns and drops it
mail = []
for l in BASE:
    while len(l) > 72 and " " in l[30:72]:
        cut = l.rfind(" ", 30, 72)
        mail.append(l[:cut])
        l = l[cut + 1:]
    mail.append(l)
variants["wrapped-mail"] = "\n".join(mail) + "\n"
inter = []
for i, l in enumerate(BASE):
    inter.append(l)
    if 3 < i < len(BASE) - 2 and i % 5 == 0:
        inter.append("[  812.04%04d] usb 1-1: reset high-speed USB device number %d" % (i, i))
variants["interleaved"] = "\n".join(inter) + "\n"
for name, text in variants.items():
    got = record(text)
    check(got == want, "variant %s gives another record:\n  %s\n  want %s" % (name, got, want))

# ---- 3. no line dropped silently --------------------------------------------

p = subprocess.run([TDXR, "dump", fx("headless-mail.log")], capture_output=True, text=True)
check(p.stderr.count("line not understood") == 3, "mail prose lines are warned about, each")
with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as t:
    t.write("[    1.000000] ACPI: Early table checksum verification disabled\n"
            "[    1.000001] x86/fpu: Supporting XSAVE feature 0x001\n")
p = subprocess.run([TDXR, "replay", "--json", t.name], capture_output=True, text=True)
check(p.returncode == 0 and "no trace events" not in p.stderr,
      "a log of unrelated kernel messages is read, not refused: %s" % p.stderr)
os.unlink(t.name)

# ---- 4. random mutations never crash nor move a splat's site --------------

rng = random.Random(15)
sources = [f for f in sorted(os.listdir(DIR)) if f.endswith(".log")]
sites = {}
for f in sources:
    lg = log_of(fx(f)) or {"splats": []}
    sites[f] = {(s["file"], s["src_line"], s["function"]) for s in lg["splats"]}
for n in range(int(os.environ.get("KLOG_MUTATIONS", "120"))):
    f = rng.choice(sources)
    lines = open(fx(f)).read().splitlines()
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(["cut", "wrap", "interleave", "duplicate"])
        i = rng.randrange(len(lines))
        if op == "cut":
            if rng.random() < 0.5:
                lines = lines[i:]
            else:
                lines = lines[:i + 1]
        elif op == "wrap" and len(lines[i]) > 10:
            c = rng.randrange(5, len(lines[i]) - 1)
            lines[i:i + 1] = [lines[i][:c], lines[i][c:]]
        elif op == "interleave":
            lines.insert(i, "[  999.000000] e1000e 0000:00:1f.6 eth0: NIC Link is Up")
        elif op == "duplicate":
            lines.insert(i, lines[i])
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as t:
        t.write("\n".join(lines) + "\n")
    for cmd in (["dump"], ["replay", "--json"], ["explain"]):
        p = subprocess.run([TDXR] + cmd + [t.name], capture_output=True, text=True)
        check(p.returncode in (0, 1, 2) and "AddressSanitizer" not in p.stderr,
              "mutation %d of %s: %s exit %d" % (n, f, cmd[0], p.returncode))
        if cmd[0] == "replay" and p.returncode in (0, 1):
            for s in json.loads(p.stdout).get("log", {}).get("splats", []):
                site = (s["file"], s["src_line"], s["function"])
                check(s["function"] is None or site in sites[f] or
                      (s["file"] is None and any(x[2] == s["function"] for x in sites[f])),
                      "mutation %d of %s moved a splat to %s (sites %s)" % (n, f, site, sites[f]))
    os.unlink(t.name)

print("klog: %d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
