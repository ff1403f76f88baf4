#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/capture/follow_test.sh - `tdxr replay --follow` reports a finding
# as it arrives: a synth trace with an injected tlb-not-tracked is written
# in two halves, the second only after the finding was printed.
#
#   follow_test.sh pipe|file
#
#  pipe  the trace comes on standard input (-), its writer pausing after
#        the injected event until the finding is on tdxr's output
#  file  the trace is a file that grows; tdxr follows it until SIGINT,
#        then prints the summary and exits 1 (an error finding)
#
# Environment: TDXR_BIN. Exit 0 pass, 1 fail.
set -u
: "${TDXR_BIN:?}"
MODE=${1:?usage: follow_test.sh pipe|file}
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tdxr-follow.XXXXXX") || exit 1
BG=
trap '[ -n "$BG" ] && kill $BG 2> /dev/null; rm -rf "$TMPD"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

"$TDXR_BIN" synth tlb-not-tracked -o "$TMPD/t.txt" --events 3000 2> "$TMPD/synth.err" ||
	fail "synth: $(cat "$TMPD/synth.err")"
LINE=$(sed -n 's/.*injected tlb-not-tracked at seq [0-9]* line \([0-9]*\).*/\1/p' "$TMPD/synth.err")
[ -n "$LINE" ] || fail "no injection line: $(cat "$TMPD/synth.err")"
HEAD=$((LINE + 2))
head -n "$HEAD" "$TMPD/t.txt" > "$TMPD/head"
tail -n +"$((HEAD + 1))" "$TMPD/t.txt" > "$TMPD/tail"

# Waits up to 10 s for the finding on $1; 0 when it came.
wait_finding() {
	for _ in $(seq 200); do
		grep -q "line $LINE .*tlb-not-tracked" "$1" 2> /dev/null && return 0
		sleep 0.05
	done
	return 1
}

case "$MODE" in
pipe)
	mkfifo "$TMPD/fifo"
	"$TDXR_BIN" replay --follow - < "$TMPD/fifo" > "$TMPD/out" 2> "$TMPD/err" &
	BG=$!
	exec 3> "$TMPD/fifo"
	cat "$TMPD/head" >&3
	wait_finding "$TMPD/out" || { exec 3>&-; fail "no finding while the writer waits: $(cat "$TMPD/out" "$TMPD/err")"; }
	grep -q ' events, ' "$TMPD/out" && fail "the summary came before the end of input"
	cat "$TMPD/tail" >&3
	exec 3>&-
	wait "$BG"
	rc=$?
	BG=
	;;
file)
	cp "$TMPD/head" "$TMPD/growing"
	"$TDXR_BIN" replay --follow "$TMPD/growing" > "$TMPD/out" 2> "$TMPD/err" &
	BG=$!
	wait_finding "$TMPD/out" || fail "no finding while the file grows: $(cat "$TMPD/out" "$TMPD/err")"
	cat "$TMPD/tail" >> "$TMPD/growing"
	sleep 0.5
	kill -0 "$BG" 2> /dev/null || fail "tdxr stopped at the end of the file: it must follow it"
	kill -INT "$BG"
	wait "$BG"
	rc=$?
	BG=
	;;
*) fail "unknown mode $MODE" ;;
esac
[ $rc = 1 ] || fail "exit $rc, want 1 (an error finding): $(cat "$TMPD/err")"
N=$(grep -c "tlb-not-tracked" "$TMPD/out")
[ "$N" = 1 ] || fail "the finding is printed $N times: $(cat "$TMPD/out")"
WANT=$("$TDXR_BIN" replay "$TMPD/t.txt" | tail -1)
GOT=$(tail -1 "$TMPD/out")
[ "$GOT" = "$WANT" ] || fail "summary '$GOT', the whole file gives '$WANT'"
echo "PASS: the finding came as it arrived ($MODE); summary '$GOT'"
