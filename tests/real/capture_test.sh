#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/real/capture_test.sh - capture a real KVM guest through a tracefs
# instance and check that `tdxr dump --strict` decodes every line and finds
# exactly the kvm_pio / kvm_mmio / kvm_userspace_exit events the guest
# caused.
#
#   capture_test.sh [--no-irq-info] [--record-tgid] [--loops N]
#
# Environment: TDXR_BIN (the tdxr binary), KVM_GUEST (tests/real/kvm_guest),
# TDXR_SAVE_TRACE (optional: also copy the captured trace there).
# Exit: 0 pass, 1 fail, 77 skip (no /dev/kvm, no tracefs, no kvm events).
#
# What the kernel traces (virt/kvm/kvm_main.c, arch/x86/kvm/x86.c):
#  - kvm_userspace_exit: once per KVM_RUN ioctl, when it returns to
#    userspace (kvm_vcpu_ioctl), whatever the reason, EINTR included.
#  - kvm_pio: an OUT is traced once, before the exit (emulator_pio_out);
#    an IN that userspace answers is traced once, when the next KVM_RUN
#    completes it (complete_emulator_pio_in). So one per port access.
#  - kvm_mmio: a write is traced once (write_mmio, before trying in-kernel
#    devices); a read that userspace answers twice: "unsatisfied-read" at
#    the exit (read_exit_mmio), then "read" with the value when the next
#    KVM_RUN re-enters the emulator (read_prepare with mmio_read_completed).
# Nothing else on the host may count: we count events of the guest's tid.
set -u

NO_IRQ_INFO=0
RECORD_TGID=0
LOOPS=3
while [ $# -gt 0 ]; do
	case "$1" in
	--no-irq-info) NO_IRQ_INFO=1 ;;
	--record-tgid) RECORD_TGID=1 ;;
	--loops) LOOPS="$2"; shift ;;
	*) echo "usage: $0 [--no-irq-info] [--record-tgid] [--loops N]" >&2; exit 2 ;;
	esac
	shift
done

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	FAILED=1
	exit 1
}

: "${TDXR_BIN:?TDXR_BIN must name the tdxr binary}"
: "${KVM_GUEST:?KVM_GUEST must name the kvm_guest test program}"
[ -x "$TDXR_BIN" ] || fail "TDXR_BIN=$TDXR_BIN is not executable"
[ -x "$KVM_GUEST" ] || fail "KVM_GUEST=$KVM_GUEST is not executable"

[ -c /dev/kvm ] || skip "/dev/kvm does not exist"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "/dev/kvm is not read-writable by $(id -un)"

T=/sys/kernel/tracing
MOUNTED=0
INST=
TMPD=
FAILED=0

cleanup() {
	if [ -n "$INST" ] && [ -d "$INST" ]; then
		echo 0 > "$INST/tracing_on" 2>/dev/null
		echo 0 > "$INST/events/enable" 2>/dev/null
		# rmdir fails (EBUSY) while a reader holds the buffer open.
		for _ in 1 2 3 4 5; do
			rmdir "$INST" 2>/dev/null && break
			sleep 0.2
		done
		[ -d "$INST" ] && echo "warning: could not remove $INST" >&2
	fi
	if [ "$MOUNTED" = 1 ]; then
		umount "$T" 2>/dev/null
	fi
	if [ -n "$TMPD" ]; then
		if [ "$FAILED" = 1 ]; then
			echo "capture kept for inspection in $TMPD" >&2
		else
			rm -rf "$TMPD"
		fi
	fi
}
trap cleanup EXIT
trap 'FAILED=1; exit 130' INT TERM

if [ ! -d "$T/instances" ]; then
	if [ -d "$T" ] && mount -t tracefs nodev "$T" 2>/dev/null; then
		MOUNTED=1
	elif [ -d /sys/kernel/debug/tracing/instances ]; then
		T=/sys/kernel/debug/tracing
	else
		skip "tracefs is not mounted at $T and mounting it failed"
	fi
fi
[ -d "$T/instances" ] || skip "tracefs at $T has no instances directory"
[ -d "$T/events/kvm" ] || skip "no kvm events in tracefs (is the kvm module loaded?)"
[ -d "$T/events/kvmmmu" ] || skip "no kvmmmu events in tracefs"

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tdxr-capture.XXXXXX") || fail "mktemp"
INST="$T/instances/tdxr-test-$$"
mkdir "$INST" 2>/dev/null || { INST=; skip "cannot create a tracefs instance under $T/instances"; }

grep -qw mono "$INST/trace_clock" || skip "trace_clock has no mono clock"
echo mono > "$INST/trace_clock" || fail "cannot set trace_clock mono"
echo 1024 > "$INST/buffer_size_kb" 2>/dev/null
if [ "$NO_IRQ_INFO" = 1 ]; then
	echo 0 > "$INST/options/irq-info" || fail "cannot clear options/irq-info"
fi
if [ "$RECORD_TGID" = 1 ]; then
	echo 1 > "$INST/options/record-tgid" || fail "cannot set options/record-tgid"
fi
echo 1 > "$INST/events/kvm/enable" || fail "cannot enable kvm events"
echo 1 > "$INST/events/kvmmmu/enable" || fail "cannot enable kvmmmu events"
echo 1 > "$INST/tracing_on"

"$KVM_GUEST" "$LOOPS" > "$TMPD/guest.out" 2> "$TMPD/guest.err"
GUEST_RC=$?

echo 0 > "$INST/events/kvm/enable"
echo 0 > "$INST/events/kvmmmu/enable"
echo 0 > "$INST/tracing_on"
cp "$INST/trace" "$TMPD/trace" || fail "cannot copy $INST/trace"
rmdir "$INST" 2>/dev/null && INST=

if [ "$GUEST_RC" = 77 ]; then
	skip "kvm_guest cannot use KVM: $(cat "$TMPD/guest.err")"
fi
[ "$GUEST_RC" = 0 ] || fail "kvm_guest exited $GUEST_RC: $(cat "$TMPD/guest.err")"
cat "$TMPD/guest.out"

# What the guest did: pid=N pio_out=N pio_in=N mmio_write=N mmio_read=N hlt=N runs=N
val() {
	sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" "$TMPD/guest.out"
}
PID=$(val pid)
PIO_OUT=$(val pio_out)
PIO_IN=$(val pio_in)
MMIO_W=$(val mmio_write)
MMIO_R=$(val mmio_read)
RUNS=$(val runs)
[ -n "$PID" ] && [ -n "$RUNS" ] && [ -n "$MMIO_R" ] || fail "cannot read the guest's counts"
WANT_PIO=$((PIO_OUT + PIO_IN))
WANT_MMIO=$((MMIO_W + 2 * MMIO_R))
WANT_UEXIT=$RUNS
echo "expected: kvm_pio $WANT_PIO kvm_mmio $WANT_MMIO kvm_userspace_exit $WANT_UEXIT (tid $PID)"

if [ -n "${TDXR_SAVE_TRACE:-}" ]; then
	cp "$TMPD/trace" "$TDXR_SAVE_TRACE" || fail "cannot save the trace to $TDXR_SAVE_TRACE"
fi

# The text shape we asked for must be the one we got.
if [ "$RECORD_TGID" = 1 ]; then
	grep -q '^#.*TGID' "$TMPD/trace" || fail "record-tgid set but no TGID column in the header"
else
	grep -q '^#.*TGID' "$TMPD/trace" && fail "unexpected TGID column"
fi
if [ "$NO_IRQ_INFO" = 1 ]; then
	grep -q 'irqs-off' "$TMPD/trace" && fail "irq-info cleared but the header still shows it"
else
	grep -q 'irqs-off' "$TMPD/trace" || fail "no irq-info columns in the header"
fi

# 1. The raw text: counts by event name for the guest's tid.
raw_counts() {
	awk -v pid="$PID" '
	/^#/ { next }
	{
		if (!match($0, /-[0-9]+ +(\( *[-0-9]+\) +)?\[[0-9]+\]/)) {
			next
		}
		s = substr($0, RSTART + 1, RLENGTH - 1)
		split(s, a, " ")
		if (a[1] != pid) {
			next
		}
		if (!match($0, /[0-9]+\.[0-9]+: [A-Za-z_0-9]+:/)) {
			next
		}
		e = substr($0, RSTART, RLENGTH - 1)
		sub(/.*: /, "", e)
		c[e]++
	}
	END { printf "%d %d %d\n", c["kvm_pio"], c["kvm_mmio"], c["kvm_userspace_exit"] }
	' "$TMPD/trace"
}
RAW=$(raw_counts)
echo "raw trace: kvm_pio kvm_mmio kvm_userspace_exit = $RAW"
[ "$RAW" = "$WANT_PIO $WANT_MMIO $WANT_UEXIT" ] ||
	fail "raw trace counts '$RAW' differ from '$WANT_PIO $WANT_MMIO $WANT_UEXIT'"

# 2. tdxr dump --strict: every line decodes, the same counts.
"$TDXR_BIN" dump --strict "$TMPD/trace" > "$TMPD/dump" 2> "$TMPD/dump.err"
DUMP_RC=$?
[ "$DUMP_RC" = 0 ] || fail "tdxr dump --strict exited $DUMP_RC: $(head -3 "$TMPD/dump.err")"
if grep -qi 'cannot parse' "$TMPD/dump.err"; then
	fail "tdxr dump: $(grep -i -m1 'cannot parse' "$TMPD/dump.err")"
fi
RAW_EVENTS=$(grep -v '^#' "$TMPD/trace" | grep -cv -e '^[[:space:]]*$' -e '^CPU:[0-9]* \[LOST' -e '^##### CPU')
DUMP_EVENTS=$(grep -cE '^[0-9]+ [0-9]+:[0-9]+ ' "$TMPD/dump")
[ "$RAW_EVENTS" = "$DUMP_EVENTS" ] ||
	fail "the trace has $RAW_EVENTS event lines, tdxr dump printed $DUMP_EVENTS events"
# Modelled events must come out decoded, not as unmodelled (*:name).
if grep -qE ' \*:(kvm_pio|kvm_mmio|kvm_userspace_exit|kvm_entry|kvm_exit|kvm_mmu_prepare_zap_page) ' "$TMPD/dump"; then
	fail "a modelled event was kept unmodelled: $(grep -m1 -E ' \*:(kvm_pio|kvm_mmio|kvm_userspace_exit)' "$TMPD/dump")"
fi
# seq input:line ts cpu tid vm vcpu system:event ...
DUMP=$(awk -v pid="$PID" '$5 == pid { c[$8]++ }
	END { printf "%d %d %d\n", c["kvm:kvm_pio"], c["kvm:kvm_mmio"], c["kvm:kvm_userspace_exit"] }' "$TMPD/dump")
echo "tdxr dump: kvm_pio kvm_mmio kvm_userspace_exit = $DUMP"
[ "$DUMP" = "$WANT_PIO $WANT_MMIO $WANT_UEXIT" ] ||
	fail "tdxr dump counts '$DUMP' differ from '$WANT_PIO $WANT_MMIO $WANT_UEXIT'"

# 3. The filter on real data: the same events, selected by tdxr itself.
"$TDXR_BIN" dump --filter "kvm/kvm_pio,kvm_mmio,kvm_userspace_exit: tid == $PID" \
	"$TMPD/trace" > "$TMPD/filtered" 2> "$TMPD/filtered.err" ||
	fail "tdxr dump --filter failed: $(head -3 "$TMPD/filtered.err")"
NF=$(grep -cE '^[0-9]+ [0-9]+:[0-9]+ ' "$TMPD/filtered")
[ "$NF" = $((WANT_PIO + WANT_MMIO + WANT_UEXIT)) ] ||
	fail "--filter selected $NF events, want $((WANT_PIO + WANT_MMIO + WANT_UEXIT))"
"$TDXR_BIN" dump --filter "kvm_mmio: type_name == \"unsatisfied-read\" && tid == $PID" \
	"$TMPD/trace" > "$TMPD/filtered" 2>&1 || fail "tdxr dump --filter (unsatisfied) failed"
NF=$(grep -cE '^[0-9]+ [0-9]+:[0-9]+ ' "$TMPD/filtered")
[ "$NF" = "$MMIO_R" ] || fail "--filter found $NF unsatisfied MMIO reads, want $MMIO_R"

echo "PASS: $RAW_EVENTS events decoded; kvm_pio $WANT_PIO, kvm_mmio $WANT_MMIO, kvm_userspace_exit $WANT_UEXIT"
exit 0
