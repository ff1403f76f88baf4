#!/usr/bin/env bash
# tests/cli/cli_test.sh TDXR TESTS_DIR - the CLI contract of DESIGN.md §5:
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

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
