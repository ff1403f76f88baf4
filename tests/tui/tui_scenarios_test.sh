#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/tui/tui_scenarios_test.sh TDXR TESTS_DIR - every scenario of
# tests/scenarios/ opens in the TUI; `]` lands on the first finding of the
# index the TUI built (its findings table: whether the model finds what
# expect.json says is the scenario suite's business), Enter explains it,
# and with several VMs `v` cycles through each of them and back to all.
set -u
TDXR=$1
TESTS=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/tui_lib.sh"

n=0
for dir in "$TESTS"/scenarios/*/; do
	name=$(basename "$dir")
	trace=$dir/trace.txt
	[ -f "$trace" ] || continue
	n=$((n + 1))
	printf '%s\n' ":resize 120 40" ":save-screen $tmp/$name.open" "]" \
		":save-screen $tmp/$name.next" "Enter" ":save-screen $tmp/$name.explain" \
		"q" "v" ":save-screen $tmp/$name.v1" "v" ":save-screen $tmp/$name.v2" \
		"v" ":save-screen $tmp/$name.v3" >"$tmp/script"
	if ! tui_script "$trace" "$tmp/script" --index "$tmp/$name.db"; then
		bad "$name: tdxr tui failed: $(head -3 "$tmp/tui.err")"
		continue
	fi
	check "$name: opens" grep -Eq '^(--|==) events [0-9]+' "$tmp/$name.open"
	want=$(sqlite3 "$tmp/$name.db" 'SELECT min(seq) FROM findings' 2>/dev/null)
	if [ -n "$want" ]; then
		got=$(cursor_seq "$tmp/$name.next")
		check "$name: ] lands on the first finding (seq $want, got ${got:-none})" \
			test "$got" = "$want"
		check "$name: Enter explains it" grep -q '^== explain: ' "$tmp/$name.explain"
	else
		check "$name: ] with no finding says so" grep -q 'no later finding' "$tmp/$name.next"
	fi
	if grep -q '"vm [0-9]* (TD)".*"vm [0-9]* (TD)"' "$dir/expect.json" 2>/dev/null; then
		v1=$(sed -n 's/.*  vm \([0-9]*\).*/\1/p' <(tail -n 1 "$tmp/$name.v1"))
		v2=$(sed -n 's/.*  vm \([0-9]*\).*/\1/p' <(tail -n 1 "$tmp/$name.v2"))
		check "$name: v picks one VM ($v1)" test -n "$v1"
		check "$name: v again picks another ($v2)" test -n "$v2" -a "$v1" != "$v2"
		check "$name: the list is filtered to it" grep -q '(filtered)' "$tmp/$name.v1"
		check "$name: v at the end shows all again" bash -c "! tail -n 1 '$tmp/$name.v3' | grep -q '  vm [0-9]'"
	fi
done
check "found scenarios" test "$n" -gt 0
finish
