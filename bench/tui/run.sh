#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench/tui/run.sh [EVENTS] [WORKDIR] - the TUI on a big index (a
# `tdxr synth $SCENARIO` trace: clean by default; SCENARIO=tlb-not-tracked
# gives ] a finding to find, but stops at the injection), through
# its scripted mode (TDXR_TUI_SCRIPT + TDXR_TUI_TIMING, no terminal):
#   - time to first screen (open the index, draw every pane, state pane
#     seeked to seq 0) and the wall time of open + first screen + quit;
#   - p50/p99 of cursor jumps: random :N, G/g, ] (each: the key and the
#     full redraw; the state pane's seek runs in a worker thread, so two
#     figures: "screen" = the first full screen, state pane still seeking,
#     "+state" = the state pane filled too);
#   - a filter over every event (kvm_exit);
#   - peak RSS of the whole session.
# Targets (docs/design.md §8): first screen < 300 ms, jumps < 50 ms, RSS < 100 MB.
# Not part of ctest. TDXR=path/to/tdxr overrides the binary.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
events=${1:-10000000}
work=${2:-/tmp/tdxr-bench-tui}
tdxr=${TDXR:-$top/build/tdxr}
scenario=${SCENARIO:-clean}
[ -x "$tdxr" ] || bash "$top/scripts/build.sh" "$top/build"
mkdir -p "$work"
trace=$work/$scenario-$events.trace
db=$work/$scenario-$events.db

run() {
	echo "+ $*" >&2
	"$@"
}

if [ ! -s "$trace" ]; then
	# The same workload as bench/run.sh and bench/index (2 TDs x 8 vCPUs,
	# bounded working set); SYNTH_ARGS overrides it (e.g. "--mem 2048"
	# for a TD whose state is tens of MB).
	# shellcheck disable=SC2086
	run "$tdxr" synth "$scenario" -o "$trace" --events "$events" \
		${SYNTH_ARGS:---vcpus 8 --vms 2 --mem 16 --kernel-profile 6.19} >/dev/null
fi
if [ ! -s "$db" ] || [ "$db" -ot "$trace" ] || [ "$db" -ot "$tdxr" ]; then
	start=$(date +%s.%N)
	run "$tdxr" index --quiet -o "$db" "$trace" || [ $? -eq 1 ]
	echo "index build: $(echo "$(date +%s.%N) - $start" | bc) s" >&2
fi
nr=$(sqlite3 "$db" 'SELECT count(*) FROM events')
echo "trace: $trace ($(du -h "$trace" | cut -f1)), index: $db ($(du -h "$db" | cut -f1)), $nr events"

# 1. open + first screen + quit, wall clock and RSS (3 runs, best)
echo ":q" >"$work/quit.script"
best=""
for i in 1 2 3; do
	s=$(date +%s%N)
	TDXR_TUI_SCRIPT=$work/quit.script TDXR_TUI_TIMING=$work/open.timing "$tdxr" tui "$db"
	e=$(( ($(date +%s%N) - s) / 1000000 ))
	[ -z "$best" ] || [ "$e" -lt "$best" ] && best=$e
done
first=$(awk '$2 == "first-screen" { print $3 }' "$work/open.timing")
first_state=$(awk '$2 == "first-screen" { print $1 }' "$work/open.timing")

# 2. jumps: 300 random :N, 40 G/g, 100 ] from random places
awk -v n="$nr" 'BEGIN {
	srand(42)
	for (i = 0; i < 300; i++) printf ":%d\n", int(rand() * n)
	for (i = 0; i < 20; i++) print "G\ng"
	for (i = 0; i < 100; i++) printf ":%d\n]\n", int(rand() * n)
	print "fkvm_exit"
}' >"$work/jumps.script"
echo "+ TDXR_TUI_SCRIPT=$work/jumps.script TDXR_TUI_TIMING=$work/jumps.timing /usr/bin/time -v $tdxr tui $db" >&2
TDXR_TUI_SCRIPT=$work/jumps.script TDXR_TUI_TIMING=$work/jumps.timing \
	/usr/bin/time -v "$tdxr" tui "$db" 2>"$work/time.txt"
rss=$(awk -F: '/Maximum resident set size/ { print int($2 / 1024) }' "$work/time.txt")

# pct FILE P: the P-th percentile of the first column
pct() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int((NR - 1) * p / 100) + 1; printf "%.1f", v[i] }'; }
# column 3: first screen, column 1: with the state pane
for c in 3 1; do
	awk -v c=$c '$2 ~ /^:[0-9]+$/ { print $c }' "$work/jumps.timing" >"$work/goto.$c"
	awk -v c=$c '$2 == "G" || $2 == "g" { print $c }' "$work/jumps.timing" >"$work/G.$c"
	awk -v c=$c '$2 == "]" { print $c }' "$work/jumps.timing" >"$work/next.$c"
	cat "$work/goto.$c" "$work/G.$c" "$work/next.$c" >"$work/all.$c"
done
filter=$(awk '$2 == "fkvm_exit" { print $1 }' "$work/jumps.timing")

row() { printf '%-32s %9s %9s %10s %10s %7s\n' "$@"; }
echo
row "measure" "p50 ms" "p99 ms" "p50+state" "p99+state" "target"
row "first screen (in-process)" "$first" "" "$first_state" "" "< 300"
row "open+first screen+quit (wall)" "$best" "" "" "" ""
for k in goto G next all; do
	case $k in
	goto) what=":N random";; G) what="G / g";; next) what="] from a random seq";; all) what="all jumps";;
	esac
	row "$what ($(wc -l <"$work/$k.3"))" "$(pct "$work/$k.3" 50)" "$(pct "$work/$k.3" 99)" \
		"$(pct "$work/$k.1" 50)" "$(pct "$work/$k.1" 99)" "< 50"
done
row "filter kvm_exit, all events" "$filter" "" "" "" "progress"
row "peak RSS (MB)" "$rss" "" "" "" "< 100"
