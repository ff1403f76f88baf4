#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/index/run.sh - `tdxr index` against docs/design.md §8 (not in ctest).
#
# On a clean synthetic trace (bench/gen/synth_trace.sh: 2 TDs x 8 vCPUs) of
# EVENTS events, and one of EVENTS/4 (to show memory is flat), measures in
# the same run:
#   - plain replay (rpl_run, bench/index/idx_bench.c)  wall and CPU seconds
#   - `tdxr index -q`                                   wall and CPU seconds,
#                                                      peak RSS; target <= 2x replay
#   - bytes/event on disk: the events table, its indexes, event_extra
#     (target <= 64), and the checkpoints (target: at most as much again)
#   - SQLite alone moving the same rows (the floor of any index build with
#     DESIGN §6's table and indexes): the events of the built index copied
#     into a fresh file's events table with the build's pragmas (`INSERT ...
#     SELECT` from the attached index, which SQLite cannot shortcut: a
#     WHERE clause), then the same three CREATE INDEX; against the replay
#   - idx_seek to random seqs on the big index: p50/p99/max
#     (target p99 < 50 ms), plus idx_open and the first seek, and 30
#     one-event steps forward and 30 back (p50/p99)
# and prints each figure with the command that produced it.
#
#   bench/index/run.sh [-n EVENTS] [-s SEEKS] [-b] [-k]
#     -n EVENTS  big trace size (default 10000000)
#     -s SEEKS   random seeks (default 50)
#     -b         also a trace of EVENTS events of one 16 GiB TD (a model
#                state of ~22 MB saved): replay, index, checkpoints, seeks
#     -k         keep the generated files
# Environment: TDXR_BUILD (default: build; holds tdxr and libtdxr.a),
# BENCH_DIR (default /tmp). Wants an idle machine: CPU seconds are shown
# next to wall seconds because they do not depend on the load.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
EVENTS=10000000
SEEKS=50
KEEP=0
BIG=0
while getopts "n:s:bk" o; do
	case "$o" in
	n) EVENTS=$OPTARG ;;
	s) SEEKS=$OPTARG ;;
	b) BIG=1 ;;
	k) KEEP=1 ;;
	*) sed -n '2,/^set/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
BUILD=${TDXR_BUILD:-$ROOT/build}
TDXR=$BUILD/tdxr
DIR=${BENCH_DIR:-/tmp}/tdxr-bench-index
mkdir -p "$DIR"
[ "$KEEP" = 1 ] || trap 'rm -f "$DIR"/*.db "$DIR"/idx_bench' EXIT

# The helper, linked like the tdxr binary.
LIBS=$(sed -e 's/.* -o tdxr //' -e 's|[^ ]*libtdxr_[a-z_]*\.a||g' \
	-e "s|\\([^ /]*\\)libtdxr\\.a|$BUILD/libtdxr.a|g" "$BUILD/CMakeFiles/tdxr_cli.dir/link.txt")
# shellcheck disable=SC2086
cc -O2 -std=gnu11 -I"$ROOT/include" -I"$ROOT/schema" "$HERE/idx_bench.c" $LIBS -o "$DIR/idx_bench"

timed() { # LABEL CMD... -> prints "LABEL wall_s cpu_s maxrss_kb", command output to $DIR/out
	local t
	t=$( { /usr/bin/time -f "%e %U %S %M" "$@" >"$DIR/out" 2>"$DIR/err"; } 2>&1 ) || {
		cat "$DIR/err" >&2
		return 1
	}
	t=$(tail -1 "$DIR/err")
	echo "$t"
}

measure() { # EVENTS
	local n=$1 trace="$DIR/clean-$1.trace" db="$DIR/clean-$1.db" r i ev
	"$ROOT/bench/gen/synth_trace.sh" "$TDXR" "$n" "$trace" >/dev/null
	ev=$("$TDXR" dump "$trace" | wc -l)
	r=$(timed "$DIR/idx_bench" replay "$trace")
	echo "## $n requested events ($ev events, $(($(stat -c %s "$trace") / 1000000)) MB of ftrace text)"
	echo
	echo "\$ idx_bench replay $trace"
	echo "   $(cat "$DIR/out")  [wall cpu_user cpu_sys maxrss_kb: $r]"
	i=$(timed "$TDXR" index -q -o "$db" "$trace")
	echo "\$ tdxr index -q -o $db $trace"
	echo "   [wall cpu_user cpu_sys maxrss_kb: $i]"
	awk -v r="$r" -v i="$i" 'BEGIN {
		split(r, a, " "); split(i, b, " ");
		printf "   index/replay: wall %.2fx, cpu %.2fx; peak RSS index %d MB\n",
			b[1] / a[1], (b[2] + b[3]) / (a[2] + a[3]), b[4] / 1024 }'
	echo "\$ sqlite3 $db 'SELECT name, sum(pgsize) FROM dbstat GROUP BY name'"
	sqlite3 "$db" "SELECT
		printf('   events table %.1f B/event, its indexes %.1f, event_extra %.1f: total %.1f B/event (target <= 64)',
			sum(CASE WHEN name = 'events' THEN pgsize END) * 1.0 / $ev,
			sum(CASE WHEN name LIKE 'events_%' THEN pgsize END) * 1.0 / $ev,
			sum(CASE WHEN name = 'event_extra' THEN pgsize END) * 1.0 / $ev,
			sum(CASE WHEN name = 'events' OR name LIKE 'events_%' OR name = 'event_extra' THEN pgsize END) * 1.0 / $ev),
		printf('   checkpoints %.1f B/event (%d full, %d changes, state %.1f MB); file %.1f B/event',
			sum(CASE WHEN name = 'checkpoints' THEN pgsize END) * 1.0 / $ev,
			(SELECT count(*) FROM checkpoints WHERE base = seq),
			(SELECT count(*) FROM checkpoints WHERE base < seq),
			(SELECT max(length(data)) FROM checkpoints WHERE base = seq) / 1e6,
			sum(pgsize) * 1.0 / $ev)
		FROM dbstat" | tr '|' '\n'
	sqlite_floor "$db" "$ev" "${r%% *}"
}

sqlite_floor() { # DB EVENTS REPLAY_WALL: SQLite alone loading and indexing the same rows
	local db=$1 ev=$2 rw=$3 fl="$DIR/floor.db" t
	rm -f "$fl"
	sqlite3 "$db" "SELECT sql FROM sqlite_schema WHERE name = 'events'" >"$DIR/floor.sql"
	t=$(sqlite3 "$fl" <<-EOF
		PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;
		PRAGMA page_size=16384; PRAGMA threads=0;
		$(cat "$DIR/floor.sql");
		ATTACH '$db' AS src;
		PRAGMA cache_size=-16384;
		.timer on
		INSERT INTO events SELECT * FROM src.events WHERE seq >= 0;
		.timer off
		PRAGMA cache_size=-2048;
		.timer on
		CREATE INDEX events_gfn ON events (gfn) WHERE gfn IS NOT NULL;
		CREATE INDEX events_type ON events (type);
		CREATE INDEX events_vcpu ON events (vcpu);
	EOF
	)
	rm -f "$fl"
	echo "\$ sqlite3 FRESH.db: INSERT INTO events SELECT * FROM src.events WHERE seq >= 0; the three CREATE INDEX"
	echo "$t" | awk -v rw="$rw" -v ev="$ev" '/^Run Time/ { s[n++] = $4 }
		END { printf "   SQLite alone: load %.2f s + indexes %.2f s (%.2f %.2f %.2f) = %.2f s, %.0f ns/event: %.2fx the replay\n",
			s[0], s[1] + s[2] + s[3], s[1], s[2], s[3], s[0] + s[1] + s[2] + s[3],
			(s[0] + s[1] + s[2] + s[3]) * 1e9 / ev, (s[0] + s[1] + s[2] + s[3]) / rw }'
}

echo "# bench/index/run.sh on $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
measure $((EVENTS / 4))
echo
measure "$EVENTS"
echo
echo "\$ idx_bench seek $DIR/clean-$EVENTS.db $SEEKS"
"$DIR/idx_bench" seek "$DIR/clean-$EVENTS.db" "$SEEKS" | sed 's/^/   /'
echo "   (target: p99 < 50 ms)"
if [ "$BIG" = 1 ]; then
	# A big TD: one TD of 16 GiB (RAM above 3 GiB at 4 GiB), whose model
	# state grows to ~22 MB saved (~170 MB in memory) over the trace.
	big="$DIR/big-$EVENTS.trace"
	params="synth clean --events $EVENTS --vcpus 8 --vms 1 --mem 16384 --seed 42"
	if ! [[ -f $big && -f $big.params && "$(cat "$big.params")" == "$params" ]]; then
		# shellcheck disable=SC2086
		"$TDXR" $params -o "$big" >/dev/null
		echo "$params" >"$big.params"
	fi
	echo
	echo "## big TD state: tdxr $params"
	r=$(timed "$DIR/idx_bench" replay "$big")
	echo "\$ idx_bench replay $big"
	echo "   $(cat "$DIR/out")  [wall cpu_user cpu_sys maxrss_kb: $r]"
	i=$(timed "$TDXR" index -q -o "$DIR/big.db" "$big")
	echo "\$ tdxr index -q -o $DIR/big.db $big"
	echo "   [wall cpu_user cpu_sys maxrss_kb: $i]"
	ev=$(sqlite3 "$DIR/big.db" "SELECT value FROM meta WHERE key = 'events'")
	sqlite3 "$DIR/big.db" "SELECT printf('   checkpoints %.1f B/event (%d full, %d changes, last full state %.1f MB)',
		(SELECT sum(pgsize) FROM dbstat WHERE name = 'checkpoints') * 1.0 / $ev,
		(SELECT count(*) FROM checkpoints WHERE base = seq),
		(SELECT count(*) FROM checkpoints WHERE base < seq),
		(SELECT length(data) FROM checkpoints WHERE base = seq ORDER BY seq DESC LIMIT 1) / 1e6)"
	echo "\$ idx_bench seek $DIR/big.db $SEEKS"
	"$DIR/idx_bench" seek "$DIR/big.db" "$SEEKS" | sed 's/^/   /'
	echo "   (target: p99 < 50 ms)"
fi
