#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh [--smoke] - the docs/design.md §8 measurements that exist so far,
# each against its baseline measured in the same run, written as a markdown
# table to bench/RESULTS.md. Exits 1 when a target is missed (never with
# --smoke, which runs a 1 M-event version and only reports), 2 when the
# Release build or a measured command fails.
#
# Rows:
#   synth speed            `tdxr synth clean`, absolute (>= 2 M ev/s, >= 100 MB/s);
#                          baseline: cp of the same bytes
#   ftrace text replay     `tdxr replay` vs `mawk '{c[$5]++}'` on the same file (<= 2x)
#   ftrace text dump       `tdxr dump` vs the same mawk (reported, no target)
#   index build            `tdxr index` vs `tdxr replay` (<= 2x; bytes/event)
#   growth                 per-event cost at 1 M / 4 M / 16 M events (within +-25 %)
#   memory                 peak RSS at the smallest vs the largest trace
#   model replay           bench/model/run.sh EVENTS: "apply_events_per_sec N" (>= 10 M)
# The components' own, more detailed benchmarks (bench/index, bench/parse,
# bench/tui, bench/capture) are listed at the end of RESULTS.md.
# Rows whose command is not built yet are listed as skipped.
# Environment: BENCH_CMAKE_ARGS, extra arguments for the Release configure;
# BENCH_TDXR, an already built tdxr to measure instead (no build).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
smoke=0
if [[ ${1:-} == --smoke ]]; then
	smoke=1
elif [[ $# -gt 0 ]]; then
	echo "usage: bench/run.sh [--smoke]" >&2
	exit 2
fi
out=$here/out
build=$out/build
traces=$out/traces
results=$here/RESULTS.md
mkdir -p "$build" "$traces"
# A smoke run (CI) proves the harness runs; it never replaces the recorded
# figures.
if ((smoke)); then
	results=$out/RESULTS-smoke.md
fi

if [[ -n ${BENCH_TDXR:-} ]]; then
	tdxr=$BENCH_TDXR
	echo "bench: using BENCH_TDXR=$tdxr (no build)"
else
	echo "bench: Release build in $build"
	# BENCH_CMAKE_ARGS: extra configure arguments
	# shellcheck disable=SC2086
	if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release ${BENCH_CMAKE_ARGS:-} \
		>"$out/cmake.log" 2>&1 ||
		! cmake --build "$build" -j"$(nproc)" --target tdxr_cli >>"$out/cmake.log" 2>&1; then
		echo "bench: the Release build failed, see $out/cmake.log" >&2
		tail -20 "$out/cmake.log" >&2
		exit 2
	fi
	tdxr=$build/tdxr
fi

has_cmd() { "$tdxr" help "$1" >/dev/null 2>&1; }

rows=()
missed=0
errors=0

# row MEASURE COMMAND FIGURE BASELINE RATIO TARGET RESULT
row() {
	rows+=("| $1 | \`$2\` | $3 | $4 | $5 | $6 | $7 |")
	printf 'bench: %-28s %-34s base %-24s ratio %-8s target %-22s %s\n' "$1" "$3" "$4" "$5" "$6" "$7"
	if [[ $7 == FAIL ]]; then
		missed=1
	fi
}

# secs: best wall time in seconds of REPEAT runs of COMMAND (stdout dropped).
# Exit status 0 and 1 (findings) are fine; anything else is an error.
secs() {
	local repeat=$1 best="" t0 t1 rc
	shift
	for ((i = 0; i < repeat; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>"$out/last.err"
		rc=$?
		t1=$(date +%s%N)
		if ((rc > 1)); then
			echo "bench: '$*' exited $rc: $(head -c 300 "$out/last.err")" >&2
			errors=1
			echo "nan"
			return
		fi
		if [[ -z $best || $((t1 - t0)) -lt $best ]]; then
			best=$((t1 - t0))
		fi
	done
	awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

# calc EXPR: floating point via awk
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
# ok COND: PASS or FAIL, and always "report" under --smoke
verdict() {
	local pass
	pass=$(awk "BEGIN { print ($1) ? 1 : 0 }")
	if ((pass)); then
		echo PASS
	elif ((smoke)); then
		echo "missed (smoke)"
	else
		echo FAIL
	fi
}

events_of() { grep -c -v -e '^#' -e '^CPU:' "$1"; }

if ((smoke)); then
	speed_n=1000000
	main_n=1000000
	sizes=(250000 500000 1000000)
	repeat=2
else
	speed_n=10000000
	main_n=4000000
	sizes=(1000000 4000000 16000000)
	repeat=3
fi

# ---- synth speed --------------------------------------------------------------
f=$traces/speed.txt
t=$(secs "$repeat" "$tdxr" synth clean -o "$f" --events "$speed_n" --vcpus 8 --vms 2 --seed 7)
if [[ $t != nan ]]; then
	n=$(events_of "$f")
	bytes=$(stat -c %s "$f")
	tb=$(secs "$repeat" cp "$f" "$f.copy")
	rm -f "$f.copy"
	evs=$(calc "$n / $t / 1e6")
	mbs=$(calc "$bytes / $t / 1e6")
	row "synth speed ($n events)" "tdxr synth clean --events $speed_n --vcpus 8 --vms 2" \
		"$evs M ev/s, $mbs MB/s ($t s)" "cp of the file: $tb s" "$(calc "$t / $tb")" \
		">= 2 M ev/s, >= 100 MB/s" "$(verdict "$evs >= 2 && $mbs >= 100")"
fi
rm -f "$f"

# ---- ftrace text ingest vs mawk -------------------------------------------------
main=$traces/main_$main_n.txt
"$here/gen/synth_trace.sh" "$tdxr" "$main_n" "$main" || errors=1
n=$(events_of "$main")
mawk_t=$(secs "$repeat" mawk '{c[$5]++}' "$main")
replay_t=nan
if has_cmd replay; then
	replay_t=$(secs "$repeat" "$tdxr" replay "$main")
	row "ftrace text replay ($n ev)" "tdxr replay FILE" "$replay_t s" \
		"mawk '{c[\$5]++}': $mawk_t s" "$(calc "$replay_t / $mawk_t")" "<= 2x" \
		"$(verdict "$replay_t <= 2 * $mawk_t")"
else
	row "ftrace text replay" "tdxr replay FILE" "skipped: replay not built" "-" "-" "<= 2x" "skipped"
fi
dump_t=$(secs "$repeat" "$tdxr" dump "$main")
row "ftrace text dump ($n ev)" "tdxr dump FILE" "$dump_t s" "mawk '{c[\$5]++}': $mawk_t s" \
	"$(calc "$dump_t / $mawk_t")" "report only" "-"

# ---- index build ----------------------------------------------------------------
if has_cmd index && [[ $replay_t != nan ]]; then
	db=$out/bench.db
	rm -f "$db"
	index_t=$(secs 1 "$tdxr" index -o "$db" "$main")
	dbsz=$(stat -c %s "$db" 2>/dev/null || echo 0)
	bpe=$(calc "$dbsz / $n")
	row "index build ($n ev)" "tdxr index -o DB FILE" "$index_t s, $bpe bytes/event" \
		"tdxr replay: $replay_t s" "$(calc "$index_t / $replay_t")" "<= 2x, <= 128 B/ev" \
		"$(verdict "$index_t <= 2 * $replay_t && $bpe <= 128")"
	rm -f "$db"
else
	row "index build" "tdxr index -o DB FILE" "skipped: index or replay not built" "-" "-" "<= 2x" "skipped"
fi

# ---- growth and memory ------------------------------------------------------------
if has_cmd replay; then
	grow=("$tdxr" replay)
	gname="tdxr replay"
else
	grow=("$tdxr" dump)
	gname="tdxr dump (replay not built)"
fi
per=()
figs=""
for s in "${sizes[@]}"; do
	g=$traces/main_$s.txt
	"$here/gen/synth_trace.sh" "$tdxr" "$s" "$g" || errors=1
	gn=$(events_of "$g")
	gt=$(secs "$repeat" "${grow[@]}" "$g")
	p=$(calc "$gt * 1e9 / $gn")
	per+=("$p")
	figs="$figs $p"
done
lo=$(printf '%s\n' "${per[@]}" | sort -g | head -1)
hi=$(printf '%s\n' "${per[@]}" | sort -g | tail -1)
row "growth (${sizes[*]} ev)" "$gname FILE" "ns/event:$figs" "the smallest: $lo ns/ev" \
	"$(calc "$hi / $lo")" "max/min <= 1.25" "$(verdict "$hi <= 1.25 * $lo")"
if [[ -x /usr/bin/time ]]; then
	first=$traces/main_${sizes[0]}.txt
	last=$traces/main_${sizes[-1]}.txt
	r0=$(/usr/bin/time -f %M "${grow[@]}" "$first" 2>&1 >/dev/null | tail -1)
	r1=$(/usr/bin/time -f %M "${grow[@]}" "$last" 2>&1 >/dev/null | tail -1)
	row "memory (peak RSS)" "$gname FILE" "${r1} KiB at ${sizes[-1]} ev" "${r0} KiB at ${sizes[0]} ev" \
		"$(calc "$r1 / $r0")" "<= 1.25x (flat)" "$(verdict "$r1 <= 1.25 * $r0")"
fi

# ---- model replay -------------------------------------------------------------------
# bench/model/run.sh [EVENTS] builds and runs the model's own benchmark
# (mdl_apply on events in memory) and prints "apply_events_per_sec N".
if [[ -x $here/model/run.sh ]]; then
	# CPU time on one core of a machine shared with other jobs: the best
	# of three runs (the spread is shown).
	all=""
	for _ in 1 2 3; do
		mo=$(BUILD=$out "$here/model/run.sh" "$main_n" 2>"$out/model.err")
		all="$all $(echo "$mo" | awk '$1 == "apply_events_per_sec" { print $2 }' | tail -1)"
	done
	evs=$(echo "$all" | tr ' ' '\n' | sort -n | tail -1)
	low=$(echo "$all" | tr ' ' '\n' | sed '/^$/d' | sort -n | head -1)
	if [[ -n $evs ]]; then
		mevs=$(calc "$evs / 1e6")
		row "model replay (in memory)" "bench/model/run.sh $main_n (best of 3)" \
			"$mevs M ev/s (worst $(calc "$low / 1e6"))" "-" "-" \
			">= 10 M ev/s" "$(verdict "$mevs >= 10")"
	else
		echo "bench: bench/model/run.sh printed no apply_events_per_sec line" >&2
		errors=1
	fi
else
	row "model replay" "bench/model/run.sh" "skipped: bench/model not present" "-" "-" ">= 10 M ev/s" "skipped"
fi

{
	echo "# tdxr benchmark results"
	echo
	echo "- machine: $(uname -srm), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- command: \`bench/run.sh$([[ $smoke == 1 ]] && echo ' --smoke')\`"
	echo "- tdxr: $("$tdxr" --version 2>/dev/null), ${BENCH_TDXR:+BENCH_TDXR=$BENCH_TDXR, not }Release build; inputs from bench/gen/synth_trace.sh"
	echo
	echo "| measure | command | figure | baseline (same run) | ratio | target | result |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "Component benchmarks with more detail (run separately): bench/model/run.sh,"
	echo "bench/index/run.sh, bench/parse/run.sh, bench/tui/run.sh, bench/capture/run.sh."
	echo "Their figures, with their commands, follow the marker below; this script keeps them."
	echo
	echo "<!-- components -->"
	# Keep the recorded component figures (everything after the marker).
	if [[ -f $here/RESULTS.md ]]; then
		sed -n '/^<!-- components -->$/,$p' "$here/RESULTS.md" | tail -n +2
	fi
} >"$results.new" && mv "$results.new" "$results"
echo "bench: wrote $results"

if ((errors)); then
	exit 2
fi
if ((missed && !smoke)); then
	echo "bench: a target was missed" >&2
	exit 1
fi
exit 0
