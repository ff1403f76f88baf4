#!/usr/bin/env python3
"""tests/scenarios/run.py TDXR [CASE...] - the scenario suite.

Each directory here holds one case: trace.txt (ftrace text or a console
log) and expect.json:

  {"exit": 1,                                   # tdxr replay's exit code
   "findings": [{"kind": "...", "line": N}],    # exactly these, as a multiset
   "stdout_contains": ["..."],                  # in `tdxr replay` text output
   "explain_cause": {"kind": "...", "line": N}, # `tdxr explain --json` first cause
   "explain_contains": ["..."],                 # in `tdxr explain` text output
   "args": ["--kernel-profile", "6.16"],        # extra replay/explain arguments
   "more_inputs": ["cpu2.txt"]}                 # inputs after trace.txt

Every key but "exit" and "findings" is optional. Each failure is named.
"""
import json
import os
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def check_case(tdxr, d):
    errs = []
    with open(os.path.join(d, "expect.json")) as f:
        exp = json.load(f)
    trace = os.path.join(d, "trace.txt")
    args = exp.get("args", [])
    # more inputs of the case (e.g. other CPUs' text), merged after trace.txt
    more = [os.path.join(d, f) for f in exp.get("more_inputs", [])]

    rc, out, err = run([tdxr, "replay", "--json"] + args + [trace] + more)
    if rc != exp["exit"]:
        errs.append("replay exit %d, want %d (stderr: %s)" % (rc, exp["exit"], err.strip()[:200]))
    try:
        js = json.loads(out)
    except ValueError as e:
        return errs + ["replay --json is not JSON: %s" % e]
    got = sorted((f["kind"], f["line"]) for f in js["findings"])
    want = sorted((f["kind"], f["line"]) for f in exp["findings"])
    if got != want:
        errs.append("findings %s, want %s" % (got, want))
    if js["errors"] != sum(1 for f in js["findings"] if f["severity"] == "error"):
        errs.append("errors count does not match the findings")

    if "stdout_contains" in exp:
        rc2, text, _ = run([tdxr, "replay"] + args + [trace] + more)
        if rc2 != rc:
            errs.append("text replay exit %d differs from --json exit %d" % (rc2, rc))
        for s in exp["stdout_contains"]:
            if s not in text:
                errs.append("replay output lacks %r" % s)

    if "explain_cause" in exp or "explain_contains" in exp:
        rc3, ex, err3 = run([tdxr, "explain", "--json"] + args + [trace] + more)
        if rc3 != 0:
            errs.append("explain exit %d: %s" % (rc3, err3.strip()[:200]))
        else:
            ej = json.loads(ex)
            want_c = exp.get("explain_cause")
            fc = ej.get("first_cause") or {}
            if want_c and (fc.get("kind"), fc.get("line")) != (want_c["kind"], want_c["line"]):
                errs.append("explain first cause %s@%s, want %s@%s" % (
                    fc.get("kind"), fc.get("line"), want_c["kind"], want_c["line"]))
        if "explain_contains" in exp:
            _, et, _ = run([tdxr, "explain"] + args + [trace] + more)
            for s in exp["explain_contains"]:
                if s not in et:
                    errs.append("explain output lacks %r" % s)
    return errs


def main():
    tdxr = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    only = set(sys.argv[2:])
    cases = sorted(c for c in os.listdir(here)
                   if os.path.isfile(os.path.join(here, c, "expect.json")) and (not only or c in only))
    passed = failed = 0
    for c in cases:
        errs = check_case(tdxr, os.path.join(here, c))
        if errs:
            failed += 1
            print("FAIL %s" % c)
            for e in errs:
                print("    %s" % e)
        else:
            passed += 1
            print("ok   %s" % c)
    print("scenarios: %d passed, %d failed" % (passed, failed))
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
