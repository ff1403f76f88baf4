#!/usr/bin/env bash
# tests/regress/regress_test.sh TDXR DIR - every hostile or once-crashing
# input in DIR goes through every command that reads a trace; none may
# end by a signal (exit >= 128) or outside the contract's 0/1/2. Inputs
# with a known right answer are checked for it below.
set -u
tdxr=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

for f in "$dir"/*.trace "$dir"/*.log; do
	[ -e "$f" ] || continue
	for cmd in dump replay explain "index -o $tmp/x.db"; do
		# shellcheck disable=SC2086
		"$tdxr" $cmd "$f" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -le 2 ]; then ok; else bad "tdxr $cmd $(basename "$f"): exit $rc"; head -3 "$tmp/err"; fi
	done
done

# Issue 21.1: a PENDING EPT violation on a thread with no known vCPU (a
# trace that starts mid-run) is a pending-access, not a NULL vCPU.
"$tdxr" replay "$dir/vp-enter-pending-no-vcpu.trace" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && ok || bad "vp-enter-pending-no-vcpu: replay exit $rc, want 1"
grep -q '^line 1 seq 0 \[error\] pending-access' "$tmp/out" && ok || bad "vp-enter-pending-no-vcpu: no pending-access at line 1"

# Issue 21.1: a 6.2-6.5 host's "tdx: SEAMCALL failed: CPU N: leaf N, error
# 0x..." has no name before "failed": the leaf number names it.
"$tdxr" dump "$dir/seamcall-failed-6.2-leaf.log" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || bad "seamcall-failed-6.2-leaf: dump exit $rc"
grep -q 'log:seamcall_failed fn=TDH_SYS_INIT leaf=0x21 status=0xc000092100000122' "$tmp/out" && ok ||
	bad "seamcall-failed-6.2-leaf: leaf 33 and its status not read: $(cat "$tmp/out")"
# A leaf number no table holds is never an index: kept as a number, unnamed.
printf '[    7.5] tdx: SEAMCALL failed: CPU 3: leaf 4294967295, error 0x8000000000000000.\n[    7.6] tdx: SEAMCALL failed: CPU 3: leaf 60000, error 0x1.\n' >"$tmp/leaf.log"
"$tdxr" dump "$tmp/leaf.log" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || bad "out-of-range leaf: dump exit $rc"
grep -q 'leaf=0xea60 status=0x1' "$tmp/out" && ok || bad "out-of-range leaf: $(cat "$tmp/out")"

# Issue 15.5: explain on a bare kernel log gives the log's account (first
# cause, consequences, what the log cannot tell, the capture to run), in
# text and as the "log" object of --json; with no finding at all too.
klog=$dir/../klog
"$tdxr" explain "$klog/warn-6.16-printk.log" >"$tmp/out" 2>&1
grep -q '^kernel log .*warn-6.16-printk.log: kernel 6.16.1' "$tmp/out" && ok || bad "explain on a log: no log account"
grep -q 'TDX_TLB_TRACKING_NOT_DONE on operand RCX' "$tmp/out" && ok || bad "explain on a log: status not decoded"
grep -q 'tdxr record -o' "$tmp/out" && ok || bad "explain on a log: no capture to settle it"
"$tdxr" explain --json "$klog/warn-6.16-printk.log" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["log"]["seamcall_failures"][0]["status_name"] == "TDX_TLB_TRACKING_NOT_DONE", d["log"]
assert d["log"]["splats"][0]["function"] == "tdx_sept_remove_private_spte"
' && ok || bad "explain --json on a log: no log object"
"$tdxr" explain "$klog/init-6.5-leaf33.log" >"$tmp/out" 2>&1
grep -q 'failed to initialize' "$tmp/out" && ok || bad "explain of a module-init log: $(head -3 "$tmp/out")"

echo "regress: $pass passed, $fail failed"
[ $fail -eq 0 ]
