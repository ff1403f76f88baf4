#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/parse/run.sh - ftrace text parsing speed and memory (docs/design.md §8).
#
# Builds ftrace text files by repeating the fixture traces (tests/traces/
# *.trace) with timestamps shifted by whole seconds per repetition (so the
# fractions stay exact and time only moves forward), then measures in the
# same run, on the same file, page cache warm:
#   - `tdxr dump FILE >/dev/null`        wall time, MB/s, events/s, peak RSS
#   - `mawk '{c[$5]++}' FILE`            wall time (the §8 baseline)
# and repeats the tdxr measurement on a file 1/4 the size, to show that
# peak RSS does not grow with the trace. Prints a markdown table row.
#
#   bench/parse/run.sh [-s SIZE_MB] [-r RUNS] [-k]
#     -s SIZE_MB  big file size (default 1024; the small one is SIZE_MB/4)
#     -r RUNS     timed runs per measure, best kept (default 2)
#     -k          keep the generated files
# Environment: TDXR_BIN (default: build/tdxr), BENCH_DIR (default /tmp).
# Not part of ctest: it takes a minute and wants an idle machine.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZE_MB=1024
RUNS=2
KEEP=0
while getopts "s:r:k" o; do
	case "$o" in
	s) SIZE_MB=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	k) KEEP=1 ;;
	*) echo "usage: $0 [-s SIZE_MB] [-r RUNS] [-k]" >&2; exit 2 ;;
	esac
done
TDXR_BIN=${TDXR_BIN:-$ROOT/build/tdxr}
[ -x "$TDXR_BIN" ] || { echo "no tdxr binary at $TDXR_BIN (set TDXR_BIN)" >&2; exit 2; }
command -v mawk >/dev/null || { echo "mawk is not installed (apt-get install -y mawk)" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
	echo "/usr/bin/time missing; installing it (apt-get install -y time)" >&2
	apt-get install -y time >/dev/null || { echo "cannot install time" >&2; exit 2; }
fi
FIXTURES=$(ls "$ROOT"/tests/traces/*.trace 2>/dev/null || true)
[ -n "$FIXTURES" ] || { echo "no fixtures in $ROOT/tests/traces" >&2; exit 2; }

WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/tdxr-bench-parse.XXXXXX")
cleanup() {
	if [ "$KEEP" = 1 ]; then
		echo "files kept in $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# gen OUT SIZE_MB: writes OUT, prints its number of event lines.
gen() {
	# shellcheck disable=SC2086
	mawk -v target="$(($2 * 1048576))" -v out="$1" '
	FNR == 1 {
		# Each fixture starts one second after the previous one ends.
		if (nf++) {
			base = top + 1
		}
	}
	/^#/ {
		if (nf == 1) {
			hdr = hdr $0 "\n"
		}
		next
	}
	{
		# Split the line around the integer seconds of its timestamp.
		if (match($0, / [0-9]+\.[0-9]+: /)) {
			ts = substr($0, RSTART + 1, RLENGTH - 3)
			dot = index(ts, ".")
			sec = substr(ts, 1, dot - 1) + 0
			if (!(nf in first)) {
				first[nf] = sec
			}
			sec -= first[nf]
			n++
			pre[n] = substr($0, 1, RSTART)
			rel[n] = sec + base
			post[n] = substr($0, RSTART + dot, length($0))
			isev[n] = 1
			if (rel[n] > top) {
				top = rel[n]
			}
		} else {
			n++
			pre[n] = $0
			isev[n] = 0
		}
	}
	END {
		printf "%s", hdr > out
		bytes = length(hdr)
		span = top + 2
		events = 0
		for (r = 0; bytes < target; r++) {
			shift = 1000 + r * span
			for (i = 1; i <= n; i++) {
				if (isev[i]) {
					line = pre[i] (rel[i] + shift) post[i]
					events++
				} else {
					line = pre[i]
				}
				print line > out
				bytes += length(line) + 1
			}
		}
		close(out)
		print events
	}
	' $FIXTURES
}

# best_of CMD...: runs CMD $RUNS times; prints "seconds max_rss_kb" of the
# fastest run.
best_of() {
	local best="" rss="" t m
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -o "$WORK/time" -f "%e %M" "$@" >/dev/null 2>"$WORK/stderr" || {
			echo "failed: $* ($(head -2 "$WORK/stderr"))" >&2
			return 1
		}
		read -r t m < "$WORK/time"
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$t
			rss=$m
		fi
	done
	echo "$best $rss"
}

BIG=$WORK/big.trace
SMALL=$WORK/small.trace
echo "generating ${SIZE_MB} MB and $((SIZE_MB / 4)) MB traces from: $(echo $FIXTURES | xargs -n1 basename | tr '\n' ' ')" >&2
EV_BIG=$(gen "$BIG" "$SIZE_MB")
EV_SMALL=$(gen "$SMALL" $((SIZE_MB / 4)))
BYTES_BIG=$(stat -c %s "$BIG")
BYTES_SMALL=$(stat -c %s "$SMALL")

# Sanity: tdxr must read every event of the generated file.
head -c 2000000 "$BIG" | sed '$d' > "$WORK/probe.trace"
PROBE_WANT=$(grep -cE ' [0-9]+\.[0-9]+: ' "$WORK/probe.trace")
PROBE_GOT=$("$TDXR_BIN" dump "$WORK/probe.trace" | grep -cE '^[0-9]+ [0-9]+:[0-9]+ ')
if [ "$PROBE_WANT" != "$PROBE_GOT" ]; then
	echo "tdxr dump read $PROBE_GOT of $PROBE_WANT events of the generated text" >&2
	exit 1
fi

cat "$BIG" "$SMALL" > /dev/null # warm the page cache
R=$(best_of "$TDXR_BIN" dump "$BIG")
read -r T_DUMP RSS_BIG <<< "$R"
R=$(best_of mawk '{c[$5]++}' "$BIG")
read -r T_MAWK _ <<< "$R"
R=$(best_of "$TDXR_BIN" dump "$SMALL")
read -r _ RSS_SMALL <<< "$R"

awk -v b="$BYTES_BIG" -v ev="$EV_BIG" -v td="$T_DUMP" -v tm="$T_MAWK" \
	-v rb="$RSS_BIG" -v rs="$RSS_SMALL" -v bs="$BYTES_SMALL" \
	-v date="$(date -u +%Y-%m-%d)" -v host="$(uname -r)" -v runs="$RUNS" 'BEGIN {
	mb = b / 1048576
	printf "| date | kernel | file | events | tdxr dump | MB/s | M events/s | mawk {c[$5]++} | dump/mawk | peak RSS %d MB / %d MB |\n", bs / 1048576, mb
	printf "|---|---|---|---|---|---|---|---|---|---|\n"
	printf "| %s | %s | %.0f MB | %d | %.2f s | %.0f | %.2f | %.2f s | %.2fx | %.1f / %.1f MB |\n",
		date, host, mb, ev, td, mb / td, ev / td / 1e6, tm, td / tm, rs / 1024, rb / 1024
	printf "(best of %d runs each, page cache warm)\n", runs
}'
