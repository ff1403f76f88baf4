#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/tui/tui_big_test.sh TDXR TESTS_DIR - a 1 M-event synthetic trace:
# the index opens, G/:N/PgDn navigate, a filter over every event finishes,
# and a filter cancelled by Esc leaves the list unfiltered. (label slow)
set -u
TDXR=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/tui_lib.sh"
"$TDXR" help synth >/dev/null 2>&1 || { echo "SKIP: no tdxr synth"; exit 0; }
"$TDXR" synth clean -o "$tmp/big.trace" --events 1000000 >/dev/null || { echo "synth failed"; exit 1; }
"$TDXR" index -o "$tmp/big.db" "$tmp/big.trace" >/dev/null 2>&1 || { echo "index failed"; exit 1; }
nr=$(sqlite3 "$tmp/big.db" 'SELECT count(*) FROM events' 2>/dev/null || echo "")
mid=$(( ${nr:-1000000} / 2 ))
printf '%s\n' ":save-screen $tmp/open.txt" "G" ":save-screen $tmp/G.txt" ":$mid" \
	":save-screen $tmp/mid.txt" "KEY_NPAGE" ":save-screen $tmp/pg.txt" \
	"fkvm_exit" ":save-screen $tmp/f.txt" "fkvm_entry" "Esc" ":save-screen $tmp/c.txt" >"$tmp/script"
TDXR_TUI_SCRIPT=$tmp/script TDXR_TUI_TIMING=$tmp/timing "$TDXR" tui "$tmp/big.db" 2>"$tmp/err" ||
	bad "tui failed: $(cat "$tmp/err")"
last=$(tail -n 1 "$tmp/G.txt" | sed -n 's/.*seq [0-9]*\/\([0-9]*\).*/\1/p')
check "opens: status shows seq 0" test "$(status_seq "$tmp/open.txt")" = 0
check "G goes to the last event" test "$(cursor_seq "$tmp/G.txt")" = "$((last - 1))"
check ":N goes to N" test "$(cursor_seq "$tmp/mid.txt")" = "$mid"
check "PgDn moves a page down" test "$(cursor_seq "$tmp/pg.txt")" -gt "$mid"
check "filter over all events completes" grep -q '(filtered)' "$tmp/f.txt"
check "filtered rows are kvm_exit only" test "$(list_rows "$tmp/f.txt" | grep '[0-9]' | grep -vc kvm_exit)" = 0
check "Esc cancels a running filter" grep -q 'filtering cancelled' "$tmp/c.txt"
check "cancelled filter leaves the list unfiltered" bash -c "! grep -q 'filter:' <(tail -n 1 '$tmp/c.txt')"
echo "timings (ms):"; cat "$tmp/timing"
finish
