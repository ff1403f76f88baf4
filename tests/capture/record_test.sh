#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/capture/record_test.sh - end to end on a real KVM: the tiny real-mode
# guest of tests/real/kvm_guest.c runs under `tdxr record --kernel --vmm`
# (a private tracefs instance, and a private lttng-sessiond that tdxr
# record starts itself inside our mount namespace). Then `tdxr dump DIR`
# must show every kvm_userspace_exit of the guest followed, before the next
# one, by exactly one shim kvm_run_exit with the same reason, and:
#  - an I/O OUT exit: the kvm_pio just before it has the shim's port, value;
#  - an I/O IN exit: the kvm_pio completing it (after the next KVM_RUN) has
#    the shim's port and the value the VMM answered (kvm_run_enter a1);
#  - an MMIO exit: the kvm_mmio just before it has the shim's address, and
#    is a write (with the shim's data) or an unsatisfied read;
# no lost events; DIR reads like DIR/kernel.dat DIR/vmm; kernel.dat reads
# with trace-cmd report when it is installed.
#
# Environment: TDXR_BIN, KVM_GUEST. Exit 0 pass, 1 fail, 77 skip.
set -u
: "${TDXR_BIN:?}" "${KVM_GUEST:?}"
LOOPS=${1:-3}
BUFFER_KB=${2:-65536}   # small: the capture must stream to keep up

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	[ -n "${TMPD:-}" ] && cp -r "$TMPD" "${TMPDIR:-/tmp}/tdxr-record-failed.$$" 2> /dev/null &&
		echo "kept in ${TMPDIR:-/tmp}/tdxr-record-failed.$$" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || skip "needs root (tracefs instance, private lttng-sessiond)"
[ -c /dev/kvm ] || skip "/dev/kvm does not exist"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "/dev/kvm is not read-writable"
T=/sys/kernel/tracing
if [ ! -d "$T/instances" ]; then
	mount -t tracefs nodev "$T" 2> /dev/null || skip "tracefs is not mounted at $T and cannot be"
fi
[ -d "$T/events/kvm" ] || skip "no kvm events in tracefs (is the kvm module loaded?)"
grep -qw mono "$T/trace_clock" || skip "trace_clock has no mono clock"

. "$(dirname "$0")/lttng_env.sh"
lttng_env_enter "$0" "$@"
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tdxr-record.XXXXXX") || exit 1
trap 'rm -rf "$TMPD"' EXIT
lttng_env_mounts

R="$TMPD/rec"
if [ "$LOOPS" = interrupt ]; then
	# Ctrl-C: passed to COMMAND, the capture saved, the instance removed.
	"$TDXR_BIN" record -o "$R" --kernel --vmm -- sleep 30 > /dev/null 2> "$TMPD/record.err" &
	REC=$!
	for _ in $(seq 100); do
		grep -q 'running sleep' "$TMPD/record.err" && break
		sleep 0.1
	done
	sleep 0.5
	kill -INT "$REC"
	wait "$REC"
	rc=$?
	[ $rc = 130 ] || fail "interrupted tdxr record exited $rc, want 130 (sleep killed by SIGINT): $(cat "$TMPD/record.err")"
	grep -q 'interrupted' "$TMPD/record.err" || fail "no word of the interruption: $(cat "$TMPD/record.err")"
	[ -s "$R/meta.json" ] && [ -s "$R/kernel.dat" ] && [ -d "$R/vmm" ] || fail "interrupted capture not saved: $(ls "$R")"
	grep -q '"command_status":130' "$R/meta.json" || fail "meta.json: $(cat "$R/meta.json")"
	"$TDXR_BIN" dump "$R" > /dev/null 2> "$TMPD/dump.err"
	rc=$?
	# Nothing may have been traced (no VMM ran): "no trace events" is fine, a crash is not.
	[ $rc -le 2 ] || fail "tdxr dump of the interrupted capture: exit $rc"
	[ ! -d "/sys/kernel/tracing/instances/tdxr-record-$REC" ] || fail "the tracefs instance was left"
	echo "PASS: Ctrl-C ends the command, the capture is saved, nothing left behind"
	exit 0
fi
"$TDXR_BIN" record -o "$R" --kernel --vmm --buffer-kb "$BUFFER_KB" -- "$KVM_GUEST" "$LOOPS" > "$TMPD/guest.out" 2> "$TMPD/record.err"
rc=$?
[ $rc = 77 ] && skip "kvm_guest cannot use KVM: $(cat "$TMPD/record.err")"
[ $rc = 0 ] || fail "tdxr record exited $rc: $(cat "$TMPD/record.err")"
grep -q "tdxr replay $R" "$TMPD/record.err" || fail "tdxr record does not say how to replay: $(cat "$TMPD/record.err")"
[ -s "$R/meta.json" ] && [ -s "$R/kernel.dat" ] && [ -d "$R/vmm" ] || fail "incomplete recording: $(ls "$R")"
grep -q '"lost":{"overrun":0,"dropped":0}' "$R/meta.json" || fail "kernel lost events: $(cat "$R/meta.json")"
grep -q '"discarded_events":0,"lost_packets":0' "$R/meta.json" || fail "LTTng lost events: $(cat "$R/meta.json")"
PID=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' "$TMPD/guest.out")
RUNS=$(sed -n 's/.*runs=\([0-9]*\).*/\1/p' "$TMPD/guest.out")
[ -n "$PID" ] && [ -n "$RUNS" ] || fail "cannot read the guest's output: $(cat "$TMPD/guest.out")"

"$TDXR_BIN" dump "$R" > "$TMPD/dump" 2> "$TMPD/dump.err" || fail "tdxr dump DIR: $(head -3 "$TMPD/dump.err")"
grep -q '^# lost' "$TMPD/dump" && fail "lost events in the recording: $(grep -m1 '^# lost' "$TMPD/dump")"

# seq input:line ts cpu tid vm vcpu system:event field=value...
awk -v pid="$PID" -v runs="$RUNS" '
function f(name,   i) {
	for (i = 9; i <= NF; i++) {
		if (index($i, name "=") == 1) {
			return substr($i, length(name) + 2)
		}
	}
	return ""
}
function bad(m) { print "event seq " $1 ": " m; err = 1; exit 1 }
$5 != pid && $6 != pid { next }
$8 == "kvm:kvm_pio" {
	if (want_in_port != "") {
		if (f("rw") != "0x0" || f("port") != want_in_port) bad("IN completion: " $0 ", want port " want_in_port)
		if (f("val") != enter_in_val) bad("IN completion value " f("val") ", the VMM answered " enter_in_val)
		want_in_port = ""; in_done++
	}
	last_pio = $0; pio_port = f("port"); pio_val = f("val"); pio_rw = f("rw"); next
}
$8 == "kvm:kvm_mmio" { mmio_gpa = f("gpa"); mmio_type = f("type_name"); mmio_val = f("val"); next }
$8 == "kvm:kvm_userspace_exit" {
	if (pending) bad("kvm_userspace_exit with no shim kvm_run_exit after the previous one")
	pending = 1; uexits++; ureason = f("reason"); next
}
$8 == "tdxr_vmm:kvm_run_enter" {
	if (want_in_val_from_enter) { enter_in_val = f("a1"); want_in_val_from_enter = 0 }
	next
}
$8 == "tdxr_vmm:kvm_run_exit" {
	if (!pending) bad("shim kvm_run_exit with no kernel kvm_userspace_exit before it")
	pending = 0; sexits++
	r = f("reason") + 0
	if (r != ureason + 0) bad("shim reason " r ", kernel reason " ureason)
	if ($6 != pid) bad("vm " $6 ", want the VMM pid " pid)
	if (r == 2) {
		port = f("a2")
		if (f("a0") == "0x1") {
			if (pio_port != port || pio_rw != "0x1") bad("OUT: shim port " port ", kvm_pio " last_pio)
			if (f("a4") != pio_val) bad("OUT value: " f("a4") " vs " pio_val)  # 1-byte OUTs
			outs++
		} else {
			want_in_port = port; want_in_val_from_enter = 1; ins++
		}
	} else if (r == 6) {
		if (mmio_gpa != f("a0")) bad("MMIO: shim address " f("a0") ", kvm_mmio gpa " mmio_gpa)
		if (f("a2") == "0x1") {
			if (mmio_type != "write" || mmio_val != f("a3")) bad("MMIO write: " mmio_type " " mmio_val " vs " f("a3"))
		} else if (mmio_type != "unsatisfied-read") {
			bad("MMIO read: kvm_mmio is " mmio_type)
		}
		mmios++
	}
	next
}
END {
	if (err) exit 1
	if (pending) { print "the last kvm_userspace_exit has no shim kvm_run_exit"; exit 1 }
	if (uexits != runs || sexits != runs) { printf "%d kernel exits, %d shim exits, want %d\n", uexits, sexits, runs; exit 1 }
	if (in_done != ins) { printf "%d IN exits, %d completed by a kvm_pio\n", ins, in_done; exit 1 }
	if (enter_in_val != "0x42") { print "the VMM answered " enter_in_val " to IN (kvm_guest answers 0x42)"; exit 1 }
	printf "matched %d exits: %d OUT, %d IN, %d MMIO\n", runs, outs, ins, mmios
}' "$TMPD/dump" > "$TMPD/match" || fail "matching kernel and shim exits: $(cat "$TMPD/match")"
cat "$TMPD/match"

# tdxr replay reads the directory as one input (it prints "N events, ...").
NEV=$(grep -c '^[0-9]' "$TMPD/dump")
"$TDXR_BIN" replay "$R" > "$TMPD/replay" 2> "$TMPD/replay.err"
rc=$?
[ $rc -le 1 ] || fail "tdxr replay DIR exited $rc: $(head -3 "$TMPD/replay.err")"
grep -q "^$NEV events" "$TMPD/replay" || fail "tdxr replay DIR does not count the $NEV events: $(tail -2 "$TMPD/replay")"

# DIR is the same as its parts.
"$TDXR_BIN" dump "$R/kernel.dat" "$R/vmm" | awk '{ $2 = ""; print }' > "$TMPD/parts" ||
	fail "tdxr dump of the parts"
awk '{ $2 = ""; print }' "$TMPD/dump" > "$TMPD/whole"
cmp -s "$TMPD/parts" "$TMPD/whole" || fail "DIR and DIR/kernel.dat DIR/vmm read differently"
if command -v trace-cmd > /dev/null; then
	trace-cmd report "$R/kernel.dat" > "$TMPD/report" 2>&1 || fail "trace-cmd report kernel.dat: $(tail -2 "$TMPD/report")"
	grep -q 'kvm_userspace_exit' "$TMPD/report" || fail "trace-cmd report shows no kvm_userspace_exit"
fi
INST=$(sed -n 's/.*tracefs instance \(tdxr-record-[0-9]*\).*/\1/p' "$TMPD/record.err")
[ -n "$INST" ] || fail "tdxr record does not name its tracefs instance: $(cat "$TMPD/record.err")"
[ ! -d "/sys/kernel/tracing/instances/$INST" ] || fail "tdxr record left its tracefs instance $INST"
echo "PASS: $RUNS kernel exits matched by the shim, in time order, nothing lost"
exit 0
