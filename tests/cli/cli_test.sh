#!/usr/bin/env bash
# tests/cli/cli_test.sh TDXR TESTS_DIR - the CLI contract of docs/design.md §5:
# exit codes, one-line errors naming the input, golden dump output.
set -u
tdxr=$1
tests=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_exit CODE DESCRIPTION CMD... ; stderr kept in $tmp/err
expect_exit() {
	local want=$1 what=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, want $want"; sed 's/^/  | /' "$tmp/err" | head -5; fi
}
expect_err() {
	if grep -q -- "$1" "$tmp/err"; then ok; else bad "stderr lacks '$1'"; sed 's/^/  | /' "$tmp/err" | head -5; fi
}

expect_exit 0 "--version" "$tdxr" --version
grep -q '^tdxr ' "$tmp/out" && ok || bad "--version prints tdxr VERSION"
expect_exit 0 "help" "$tdxr" help
grep -q 'dump' "$tmp/out" && ok || bad "help lists dump"
expect_exit 0 "help dump" "$tdxr" help dump
grep -q -- '--filter' "$tmp/out" && ok || bad "help dump shows --filter"
expect_exit 2 "no command" "$tdxr"
expect_exit 2 "unknown command" "$tdxr" frobnicate
expect_err "unknown command 'frobnicate'"
expect_exit 2 "unknown option" "$tdxr" --frob
expect_exit 2 "help of unknown command" "$tdxr" help frobnicate
expect_exit 2 "dump unknown option" "$tdxr" dump --bogus x
expect_err "unknown option"
expect_exit 2 "dump without input" "$tdxr" dump
expect_exit 2 "dump missing file" "$tdxr" dump "$tmp/nope.trace"
expect_err "$tmp/nope.trace: cannot open"
expect_exit 2 "dump of a directory" "$tdxr" dump "$tmp"
expect_err "$tmp: .*director"
: >"$tmp/empty"
expect_exit 2 "dump of an empty file" "$tdxr" dump "$tmp/empty"
expect_err "empty"
printf 'not a trace\nat all\n' >"$tmp/prose"
expect_exit 2 "dump of prose" "$tdxr" dump "$tmp/prose"
expect_err "$tmp/prose: no trace events found"
head -c 4096 /dev/urandom >"$tmp/garbage"
expect_exit 2 "dump of binary garbage" "$tdxr" dump "$tmp/garbage"
expect_err "$tmp/garbage: not a trace: binary data at byte offset"
expect_exit 2 "bad --filter" "$tdxr" dump --filter 'kvm_exit: nosuchfield == 1' "$tests/traces/td-tlb-not-tracked.trace"
expect_exit 2 "bad --begin" "$tdxr" dump --begin abc "$tests/traces/td-tlb-not-tracked.trace"
printf '  qemu-1 [000]  1.0: kvm_pio: pio_write at 0x3f8 size x count 1 val 0x41\n' >"$tmp/badpayload"
expect_exit 0 "malformed payload kept" "$tdxr" dump "$tmp/badpayload"
expect_err "$tmp/badpayload:1: cannot parse kvm_pio: "
expect_exit 2 "malformed payload --strict" "$tdxr" dump --strict "$tmp/badpayload"
expect_err "$tmp/badpayload:1: cannot parse kvm_pio: "

# Golden output of the bundled trace.
for g in "$tests"/golden/dump-*.txt; do
	[ -e "$g" ] || continue
	name=$(basename "$g" .txt)
	trace="$tests/traces/${name#dump-}.trace"
	if "$tdxr" dump "$trace" >"$tmp/golden.out" 2>"$tmp/err" && diff -u "$g" "$tmp/golden.out" >"$tmp/diff"; then
		ok
	else
		bad "golden $name differs"; head -20 "$tmp/diff"
	fi
done

# --begin/--end select by time, --filter by the -F grammar.
t="$tests/traces/td-tlb-not-tracked.trace"
n=$("$tdxr" dump --begin 812.0005 --end 812.00053 "$t" | grep -vc '^#')
[ "$n" -eq 4 ] && ok || bad "--begin/--end kept $n events, want 4"
n=$("$tdxr" dump --filter 'tdx/tdx_seamcall: status != 0 && leaf != 0' "$t" | grep -vc '^#')
[ "$n" -eq 1 ] && ok || bad "--filter kept $n events, want 1 (the failed REMOVE)"
n=$("$tdxr" dump --filter 'kvm_tdp_mmu_spte_changed' --filter 'kvm_vm_bugged' "$t" | grep -vc '^#')
[ "$n" -eq 4 ] && ok || bad "two --filter options kept $n events, want 4"


# ---- replay / explain (docs/design.md §5)
expect_exit 1 "replay of the KVM_BUG_ON trace" "$tdxr" replay "$t"
grep -q '^line 36 seq 17 \[error\] tlb-not-tracked gfn 0x8a3f' "$tmp/out" && ok || bad "replay text line format"
grep -q '^checks: ' "$tmp/out" && ok || bad "replay prints the coverage line"
grep -qE '^[0-9]+ events, [0-9]+ errors, [0-9]+ warnings$' "$tmp/out" && ok || bad "replay summary line"
expect_exit 1 "replay --json" "$tdxr" replay --json "$t"
python3 - "$tmp/out" <<'PY' && ok || bad "replay --json contract"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["schema"] == 1 and j["events"] == 23 and j["errors"] >= 1
f = j["findings"][0]
for k in ("seq", "input", "line", "ts", "kind", "severity", "vm", "gfn", "vcpu",
          "expected", "actual", "message", "cause_seq", "chain"):
    assert k in f, k
assert isinstance(f["ts"], str) and len(f["ts"].split(".")[1]) == 9
assert f["gfn"] is None or f["gfn"].startswith("0x")
PY
expect_exit 1 "replay --junit" "$tdxr" replay --junit "$tmp/junit.xml" "$t"
python3 - "$tmp/junit.xml" <<'PY' && ok || bad "junit file"
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
cases = r.findall(".//testcase")
assert len(cases) == 1 and cases[0].find("failure") is not None
PY
expect_exit 0 "replay of a clean real capture" "$tdxr" replay "$tests/traces/real-kvm-amd.trace"
grep -q 'not possible' "$tmp/out" && ok || bad "a non-TDX trace says what was not possible"
expect_exit 2 "replay --fail-on bogus" "$tdxr" replay --fail-on bogus "$t"
expect_exit 2 "replay unknown option" "$tdxr" replay --frob "$t"
expect_exit 2 "replay missing file" "$tdxr" replay "$tmp/nope"
expect_err "$tmp/nope: cannot open"
expect_exit 2 "replay of garbage" "$tdxr" replay "$tmp/garbage"
expect_err "binary data at byte offset"
expect_exit 2 "replay --strict of a bad payload" "$tdxr" replay --strict "$tmp/badpayload"
expect_err "$tmp/badpayload:1: cannot parse kvm_pio"
expect_exit 2 "replay --junit to an unwritable path" "$tdxr" replay --junit /nonexistent/dir/j.xml "$t"
expect_exit 0 "explain" "$tdxr" explain "$t"
grep -q 'first cause' "$tmp/out" && grep -q 'tlb-not-tracked' "$tmp/out" && ok || bad "explain names the first cause"
expect_exit 0 "explain --json" "$tdxr" explain --json "$t"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["first_cause"]["kind"]=="tlb-not-tracked"; assert j["history"]' "$tmp/out" && ok || bad "explain --json"
expect_exit 2 "explain of a seq with no finding" "$tdxr" explain "$t" 3
expect_err "no finding at seq 3"
expect_exit 2 "explain bad seq" "$tdxr" explain "$t" abc
expect_exit 0 "explain of a clean trace" "$tdxr" explain "$tests/traces/real-kvm-amd.trace"
grep -q 'nothing to explain' "$tmp/out" && ok || bad "explain of a clean trace says nothing to explain"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
