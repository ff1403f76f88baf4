#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/capture/flight_test.sh - the flight recorder on a real KVM:
# `tdxr record --flight` armed before the tiny real-mode guest of
# tests/real/kvm_guest.c starts (it makes 6 exits per loop, then HLT).
#
#   flight_test.sh until|after|for|signal|never|warn|finding
#
#  until   --until 'kvm/kvm_userspace_exit: reason == 5' (KVM_EXIT_HLT)
#          and a 64 KiB ring: exit 3, the capture ends at the HLT exit
#          with the MMIO read before it, in time order; the overwritten
#          start is a lost-events record (meta.json overrun > 0), and
#          `tdxr replay DIR` reports no error
#  after   --until the first I/O exit --after 200: at least 200 events
#          follow it
#  for     --for 1s: exit 0, meta.json says "duration"
#  signal  SIGINT, then SIGTERM with --quiet and --pid-file: exit 0,
#          "signal", the pid file named tdxr and is gone, nothing printed
#  never   an --until that never matches, ended by --for: the HLT exit is
#          in the ring (the trigger did not freeze it early)
#  warn    a KVM WARN written to /dev/kmsg: exit 4, DIR/kernel.log holds
#          it, `tdxr replay DIR` reads trace and log together (the WARN is
#          a kvm-bug finding on input kernel.log)
#  finding --until-finding warning with a 64 KiB ring and a checker that
#          falls behind: its first lost-events warning stops it (exit 5)
# Every case: no tracefs instance of ours is left.
#
# Environment: TDXR_BIN, KVM_GUEST. Exit 0 pass, 1 fail, 77 skip.
set -u
: "${TDXR_BIN:?}" "${KVM_GUEST:?}"
CASE=${1:?usage: flight_test.sh CASE}

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	[ -n "${TMPD:-}" ] && cp -r "$TMPD" "${TMPDIR:-/tmp}/tdxr-flight-failed.$$" 2> /dev/null &&
		echo "kept in ${TMPDIR:-/tmp}/tdxr-flight-failed.$$" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || skip "needs root (tracefs instance, /dev/kmsg)"
[ -c /dev/kvm ] || skip "/dev/kvm does not exist"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "/dev/kvm is not read-writable"
T=/sys/kernel/tracing
if [ ! -d "$T/instances" ]; then
	mount -t tracefs nodev "$T" 2> /dev/null || skip "tracefs is not mounted at $T and cannot be"
fi
[ -d "$T/events/kvm/kvm_userspace_exit" ] || skip "no kvm events in tracefs (is the kvm module loaded?)"
grep -qw mono "$T/trace_clock" || skip "trace_clock has no mono clock"

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tdxr-flight.XXXXXX") || exit 1
REC=
cleanup() {
	[ -n "$REC" ] && kill "$REC" 2> /dev/null && wait "$REC" 2> /dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT
R="$TMPD/rec"

# Starts `tdxr record --flight -o $R ARGS...` in the background; returns
# once it is armed.
arm() {
	"$TDXR_BIN" record --flight -o "$R" "$@" > "$TMPD/record.out" 2> "$TMPD/record.err" &
	REC=$!
	for _ in $(seq 100); do
		grep -q 'armed' "$TMPD/record.err" && return 0
		[ -f "$TMPD/pid" ] && return 0
		kill -0 "$REC" 2> /dev/null || break
		sleep 0.05
	done
	fail "tdxr record --flight did not arm: $(cat "$TMPD/record.err")"
}

# Waits for it; $RC gets its exit code. Its instances must be gone.
finish() {
	local pid=$REC

	wait "$REC"
	RC=$?
	REC=
	for i in "tdxr-flight-$pid" "tdxr-flight-watch-$pid" "tdxr-check-$pid"; do
		[ ! -d "$T/instances/$i" ] || fail "tracefs instance $i left behind"
	done
}

guest() {
	"$KVM_GUEST" "$1" > "$TMPD/guest.out" 2> "$TMPD/guest.err"
	local rc=$?
	[ $rc = 77 ] && skip "kvm_guest cannot use KVM: $(cat "$TMPD/guest.err")"
	[ $rc = 0 ] || fail "kvm_guest exited $rc: $(cat "$TMPD/guest.err")"
	GPID=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' "$TMPD/guest.out")
}

meta() {
	grep -q "$1" "$R/meta.json" || fail "meta.json lacks $1: $(cat "$R/meta.json")"
}

dump_guest() {
	"$TDXR_BIN" dump "$R" > "$TMPD/dump" 2> "$TMPD/dump.err" || fail "tdxr dump DIR: $(head -3 "$TMPD/dump.err")"
	awk -v pid="$GPID" '$5 == pid' "$TMPD/dump" > "$TMPD/guest.dump"
}

case "$CASE" in
until)
	arm --until 'kvm/kvm_userspace_exit: reason == 5' --buffer-kb 64
	guest 1000
	finish
	[ $RC = 3 ] || fail "exit $RC, want 3 (the --until event): $(cat "$TMPD/record.err")"
	meta '"stop":"event"'
	meta '"detail":"kvm/kvm_userspace_exit: reason == 5"'
	OVR=$(sed -n 's/.*"overrun":\([0-9]*\).*/\1/p' "$R/meta.json")
	[ "${OVR:-0}" -gt 0 ] || fail "a 64 KiB ring did not wrap (overrun ${OVR:-?}): the test proves nothing"
	dump_guest
	grep -q '^# lost' "$TMPD/dump" || fail "the overwritten start is no lost-events record"
	tail -1 "$TMPD/guest.dump" | grep -q 'kvm:kvm_userspace_exit .*reason=5' ||
		fail "the capture does not end at the HLT exit: $(tail -1 "$TMPD/guest.dump")"
	# Before it: the last MMIO read's unsatisfied-read, its exit, the read with 0xbeef.
	tail -4 "$TMPD/guest.dump" | awk '{ print $8, $9 }' | tr '\n' ';' > "$TMPD/last"
	grep -q '^kvm:kvm_mmio type_name=unsatisfied-read;kvm:kvm_userspace_exit reason_name=KVM_EXIT_MMIO;kvm:kvm_mmio type_name=read;kvm:kvm_userspace_exit reason_name=KVM_EXIT_HLT;$' "$TMPD/last" ||
		fail "the events before the HLT exit: $(cat "$TMPD/last")"
	awk '/^#/ { next } NR > 1 && $3 < prev { print "time goes back at seq " $1; exit 1 } { prev = $3 }' \
		"$TMPD/dump" || fail "events out of time order"
	N=$(wc -l < "$TMPD/guest.dump")
	[ "$N" -gt 500 ] || fail "only $N guest events kept"
	"$TDXR_BIN" replay "$R" > "$TMPD/replay" 2>&1
	rc=$?
	[ $rc = 0 ] || fail "tdxr replay DIR exited $rc: $(cat "$TMPD/replay")"
	grep -q ' 0 errors' "$TMPD/replay" || fail "replay reports errors: $(cat "$TMPD/replay")"
	grep -q 'lost-events' "$TMPD/replay" || fail "replay does not report the lost start: $(cat "$TMPD/replay")"
	echo "PASS: frozen at the HLT exit, $N guest events kept, $OVR overwritten before"
	;;
after)
	arm --until 'kvm/kvm_userspace_exit: reason == 2' --after 200 --buffer-kb 4096 --for 15s
	guest 1000
	finish
	[ $RC = 3 ] || fail "exit $RC, want 3: $(cat "$TMPD/record.err")"
	meta 'then 200 events'
	dump_guest
	AFTER=$(awk '/kvm:kvm_userspace_exit/ && /reason=2/ && !seen { seen = 1; next } seen { n++ } END { print n + 0 }' "$TMPD/guest.dump")
	[ "$AFTER" -ge 200 ] || fail "$AFTER events after the stop event, want >= 200"
	echo "PASS: $AFTER events kept after the stop event"
	;;
for)
	arm --for 1s --buffer-kb 1024
	guest 20
	finish
	[ $RC = 0 ] || fail "exit $RC, want 0: $(cat "$TMPD/record.err")"
	meta '"stop":"duration"'
	dump_guest
	grep -q 'reason=5' "$TMPD/guest.dump" || fail "the guest's HLT exit is not in the capture"
	echo "PASS: --for stops it and the capture is saved"
	;;
signal)
	arm --buffer-kb 256
	guest 20
	kill -INT "$REC"
	finish
	[ $RC = 0 ] || fail "SIGINT: exit $RC, want 0: $(cat "$TMPD/record.err")"
	meta '"stop":"signal"'
	dump_guest
	grep -q 'reason=5' "$TMPD/guest.dump" || fail "SIGINT: the guest's HLT exit is not in the capture"
	# A daemon: quiet, a pid file, SIGTERM.
	R="$TMPD/rec2"
	arm --quiet --pid-file "$TMPD/pid" --buffer-kb 256
	for _ in $(seq 50); do [ -s "$TMPD/pid" ] && break; sleep 0.05; done
	[ "$(cat "$TMPD/pid" 2> /dev/null)" = "$REC" ] || fail "the pid file holds '$(cat "$TMPD/pid" 2> /dev/null)', want $REC"
	sleep 0.3
	kill -TERM "$(cat "$TMPD/pid")"
	finish
	[ $RC = 0 ] || fail "SIGTERM: exit $RC, want 0: $(cat "$TMPD/record.err")"
	[ ! -e "$TMPD/pid" ] || fail "the pid file is left"
	# (LeakSanitizer's "Suppressions used" table, in sanitizer builds, is not ours.)
	sed -i '/^-*$/d; /^Suppressions used:/d; /^ *count *bytes template/d; /^ *[0-9]* *[0-9]* [a-z]/d' "$TMPD/record.err"
	[ ! -s "$TMPD/record.err" ] && [ ! -s "$TMPD/record.out" ] ||
		fail "--quiet printed: $(cat "$TMPD/record.err" "$TMPD/record.out")"
	grep -q '"stop":"signal","detail":"Terminated"' "$R/meta.json" || fail "meta.json: $(cat "$R/meta.json")"
	echo "PASS: SIGINT and SIGTERM stop it, the capture is saved; --quiet and --pid-file"
	;;
never)
	arm --until 'kvm/kvm_userspace_exit: reason == 999' --for 1.5s --buffer-kb 1024
	guest 20
	finish
	[ $RC = 0 ] || fail "exit $RC, want 0 (--for): $(cat "$TMPD/record.err")"
	meta '"stop":"duration"'
	dump_guest
	grep -q 'reason=5' "$TMPD/guest.dump" || fail "the HLT exit after the armed trigger is missing"
	echo "PASS: a stop event that never fires freezes nothing"
	;;
warn)
	arm --for 10s --buffer-kb 256
	guest 10
	# What KVM_BUG_ON prints, marked as this test's.
	echo "<4>WARNING: CPU: 0 PID: $$ at arch/x86/kvm/mmu/tdp_mmu.c:1 tdxr_flight_test_warn+0x0/0x1 [kvm]" > /dev/kmsg
	echo "<4>---[ end trace 0000000000000000 ]---" > /dev/kmsg
	finish
	[ $RC = 4 ] || fail "exit $RC, want 4 (a KVM WARN): $(cat "$TMPD/record.err")"
	meta '"stop":"warn"'
	meta '"kernel_log":"kernel.log"'
	grep -q 'tdxr_flight_test_warn' "$R/kernel.log" || fail "kernel.log lacks the WARN: $(cat "$R/kernel.log")"
	grep -q '^\[ *[0-9]*\.[0-9]\{6\}\] WARNING: ' "$R/kernel.log" || fail "kernel.log is not in dmesg shape"
	"$TDXR_BIN" replay --json "$R" > "$TMPD/replay.json" 2> "$TMPD/replay.err"
	rc=$?
	[ $rc = 1 ] || fail "tdxr replay DIR exited $rc, want 1 (the WARN is a kvm-bug): $(cat "$TMPD/replay.err")"
	grep -q '"kind":"kvm-bug"' "$TMPD/replay.json" || fail "no kvm-bug from kernel.log: $(head -c 600 "$TMPD/replay.json")"
	dump_guest
	grep -q 'kvm:kvm_userspace_exit' "$TMPD/guest.dump" || fail "the trace was not read with the log"
	grep -q 'log:splat kind=warn.*tdxr_flight_test_warn' "$TMPD/dump" || fail "the log was not read with the trace"
	echo "PASS: a KVM WARN stops it; kernel.log and kernel.dat read together"
	;;
finding)
	# The checker keeps up with this guest on an idle host: make it fall
	# behind (a busy host) by stalling its first read for 1.5 s.
	export TDXR_CHECK_STALL_MS=1500
	arm --until-finding warning --buffer-kb 64 --for 15s
	guest 1000
	finish
	[ $RC = 5 ] || fail "exit $RC, want 5 (a finding): $(cat "$TMPD/record.err")"
	meta '"stop":"finding"'
	meta 'lost-events'
	echo "PASS: live checking stops the capture at its first warning"
	;;
*)
	echo "unknown case $CASE" >&2
	exit 2
	;;
esac
exit 0
