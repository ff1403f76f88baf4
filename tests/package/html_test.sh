#!/usr/bin/env bash
# tests/package/html_test.sh TDXR TESTS_DIR OUT_DIR - `tdxr replay --html`
# and `tdxr explain --html`
# (issue 18) on the bundled KVM_BUG_ON trace and on a synth trace, each
# page checked in a real headless Chromium by html_check.py: it loads with
# no console error and no request, and draws a timeline per finding. The
# screenshots stay in OUT_DIR. Exit 0 pass, 1 fail, 77 skip.
set -u
tdxr=$1
tests=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v chromium >/dev/null || { echo "SKIP: no chromium (scripts/deps.sh installs it)"; exit 77; }
fail=0

check() { # NAME TRACE
	local name=$1 trace=$2 rc seqs
	"$tdxr" replay --html "$out/$name.html" "$trace" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -gt 1 ] || [ ! -s "$out/$name.html" ]; then
		echo "FAIL: $name: replay --html exit $rc"; cat "$tmp/err"; fail=1; return
	fi
	# Every finding the JSON reports (up to the page's cap) must be drawn.
	seqs=$("$tdxr" replay --json "$trace" 2>/dev/null | python3 -c '
import json, sys
for f in json.load(sys.stdin)["findings"][:40]:
    print(f["seq"])')
	python3 "$here/html_check.py" "$out/$name.html" "$out/$name.png" $seqs || fail=1
}

check kvm-bug "$tests/traces/td-tlb-not-tracked.trace"
grep -q 'data-finding="18"' "$out/kvm-bug.html" || { echo "FAIL: the kvm-bug (seq 18) has no timeline"; fail=1; }
# explain --html: the explained kvm-bug and its first cause drawn, with the
# account and the gfn's history.
"$tdxr" explain --html "$out/explain.html" "$tests/traces/td-tlb-not-tracked.trace" >/dev/null 2>"$tmp/err" ||
	{ echo "FAIL: explain --html"; cat "$tmp/err"; fail=1; }
python3 "$here/html_check.py" "$out/explain.html" "$out/explain.png" 18 17 || fail=1
grep -q 'id="account"' "$out/explain.html" && grep -q 'TDX_TLB_TRACKING_NOT_DONE|RCX' "$out/explain.html" ||
	{ echo "FAIL: explain --html has no account naming the status"; fail=1; }
"$tdxr" synth busy-retry -o "$tmp/busy.trace" --events 4000 --seed 3 >/dev/null 2>&1
check busy-retry "$tmp/busy.trace"
[ $fail -eq 0 ] && echo "html: pass (screenshots in $out)"
exit $fail
