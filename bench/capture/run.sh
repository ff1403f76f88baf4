#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/capture/run.sh - capture benchmarks (docs/design.md §8), not in ctest.
#
#   bench/capture/run.sh [BUILD_DIR]     (default: build-cap; N=events, default 10M)
#
# 1. CTF end to end: `tdxr replay` and `tdxr dump` of an N-event LTTng-UST
#    trace (ust_emit: half tdxr_kernel, half tdxr_vmm events) against
#    `babeltrace2 -o dummy` on the same trace (target <= 1.3x).
# 2. trace.dat: `tdxr replay`/`tdxr dump` of an N-event trace.dat (mkdat)
#    against `trace-cmd report > /dev/null` on the same file.
# 3. The shim: ns per KVM_RUN of a HLT-only guest, without the shim, with it
#    and no session, with it and a session; ns per untraced ioctl.
#    src_bench (bench/capture/src_bench.c) times the reader alone.
# 4. UST cost per event: tdxr_vmm:kvm_run_exit (generated provider) against
#    a bare tracepoint with the same payload (target <= 1.2x).
# Every figure is printed with the command that produced it. Needs root
# (private lttng-sessiond in a mount namespace, as in the tests).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$TOP/build-cap}" && pwd) || exit 2
N=${N:-10000000}
TDXR=$BUILD/tdxr
UST_EMIT=$BUILD/tests/capture/ust_emit
MKDAT=$BUILD/tests/capture/mkdat
SHIM=$BUILD/libtdxr-vmm.so
for f in "$TDXR" "$UST_EMIT" "$MKDAT" "$SHIM" "$BUILD/tracer/ust/libtdxr_ust.a"; do
	[ -e "$f" ] || { echo "missing $f: build $BUILD first" >&2; exit 2; }
done

skip() {
	echo "cannot run: $*" >&2
	exit 77
}
. "$TOP/tests/capture/lttng_env.sh"
lttng_env_enter "$0" "$@"

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tdxr-bench.XXXXXX") || exit 1
trap 'lttng_env_stop; rm -rf "$TMPD"' EXIT
lttng_env_start
W=$TMPD

cc -O2 -I"$BUILD/tracer/ust/gen" -I"$TOP/bench/capture" -o "$W/ust_bench" \
	"$TOP/bench/capture/ust_bench.c" "$TOP/bench/capture/bare_tp.c" \
	"$BUILD/tracer/ust/libtdxr_ust.a" $(pkg-config --libs lttng-ust) -ldl || exit 1
cc -O2 -o "$W/kvm_run_bench" "$TOP/bench/capture/kvm_run_bench.c" || exit 1
# libtdxr's other components may add dependencies (sqlite3 for the index).
cc -O2 -I"$TOP/include" -I"$TOP/schema" -o "$W/src_bench" "$TOP/bench/capture/src_bench.c" \
	"$BUILD/libtdxr.a" $(pkg-config --libs libtracecmd libtraceevent libtracefs babeltrace2) \
	$(pkg-config --libs sqlite3 2> /dev/null) -lm || exit 1

# secs CMD...: runs CMD (stdout to /dev/null), prints the wall time in seconds.
secs() {
	local s e
	s=$(date +%s.%N)
	"$@" > /dev/null 2> "$W/last.err"
	# 1 is "findings" for tdxr replay: only 2 and up are failures.
	[ $? -le 1 ] || echo "  (failed: $* : $(head -c 200 "$W/last.err"))" >&2
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f", $2 - $1 }'
}

# best CMD...: the best of 3 runs.
best() {
	local b= t
	for _ in 1 2 3; do
		t=$(secs "$@")
		if [ -z "$b" ] || [ "$(echo "$t $b" | awk '{ print ($1 < $2) }')" = 1 ]; then
			b=$t
		fi
	done
	echo "$b"
}

# min A B: the smaller of two times (A may be empty).
min() {
	if [ -z "$1" ] || [ "$(echo "$2 $1" | awk '{ print ($1 < $2) }')" = 1 ]; then
		echo "$2"
	else
		echo "$1"
	fi
}

ratio() {
	echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'
}

session() { # session NAME OUTDIR EVENTS
	lttng create "$1" --output="$2" > /dev/null &&
		lttng enable-channel -u --subbuf-size=8M --num-subbuf=8 --blocking-timeout=inf ch > /dev/null &&
		lttng enable-event -u -c ch "$3" > /dev/null &&
		lttng add-context -u -c ch -t vtid -t vpid -t procname > /dev/null &&
		lttng start > /dev/null
}

end_session() {
	lttng stop > /dev/null
	lttng destroy > /dev/null
}

echo "== capture benchmarks: N=$N events, $(nproc) CPUs, $(uname -r)"

echo "-- 1. CTF end to end"
session ctf "$W/ctf" 'tdxr_kernel:*,tdxr_vmm:*' || exit 1
LTTNG_UST_ALLOW_BLOCKING=1 "$UST_EMIT" /dev/null $((N / 2)) $((N / 2)) || exit 1
end_session
echo "   trace: $(du -sh "$W/ctf" | cut -f1), $N events"
# Best of 3 rounds, the four commands alternating in each round (a load
# that comes and goes on a shared machine hits them alike).
BT= RP= DP= RD=
for _ in 1 2 3; do
	BT=$(min "$BT" "$(secs babeltrace2 -o dummy "$W/ctf")")
	RP=$(min "$RP" "$(secs "$TDXR" replay "$W/ctf")")
	DP=$(min "$DP" "$(secs "$TDXR" dump "$W/ctf")")
	RD=$(min "$RD" "$(secs "$W/src_bench" "$W/ctf")")
done
echo "   babeltrace2 -o dummy CTF          ${BT}s"
echo "   src_bench CTF (the reader alone)  ${RD}s  ratio $(ratio "$RD" "$BT")"
echo "   tdxr replay CTF                   ${RP}s  ratio $(ratio "$RP" "$BT") (target <= 1.3)"
echo "   tdxr dump CTF > /dev/null         ${DP}s  ratio $(ratio "$DP" "$BT")"
rm -rf "$W/ctf"

echo "-- 2. trace.dat"
"$MKDAT" "$W/big.dat" /dev/null "$N" 1 || exit 1
echo "   file: $(du -sh "$W/big.dat" | cut -f1), $N events (mkdat)"
if command -v trace-cmd > /dev/null; then
	TC=$(best trace-cmd report "$W/big.dat")
	echo "   trace-cmd report > /dev/null      ${TC}s"
else
	TC=
	echo "   trace-cmd is not installed: no baseline"
fi
RD=$(best "$W/src_bench" "$W/big.dat")
RP=$(best "$TDXR" replay "$W/big.dat")
DP=$(best "$TDXR" dump "$W/big.dat")
echo "   src_bench trace.dat (reader alone) ${RD}s${TC:+  ratio $(ratio "$RD" "$TC")}"
echo "   tdxr replay trace.dat             ${RP}s${TC:+  ratio $(ratio "$RP" "$TC")}"
echo "   tdxr dump trace.dat > /dev/null   ${DP}s${TC:+  ratio $(ratio "$DP" "$TC")}"
rm -f "$W/big.dat"

echo "-- 3. the shim (kvm_run_bench: a HLT-only guest, one exit per KVM_RUN)"
K="$W/kvm_run_bench"
if "$K" 1000 > /dev/null 2>&1; then
	for i in 1 2 3; do
		echo "   plain                 $("$K" 200000)"
		echo "   shim, no session      $(LD_PRELOAD=$SHIM "$K" 200000)"
	done
	session shim "$W/shim" 'tdxr_vmm:*' || exit 1
	for i in 1 2 3; do
		echo "   shim, session on      $(LD_PRELOAD=$SHIM LTTNG_UST_ALLOW_BLOCKING=1 "$K" 200000)"
	done
	end_session
	echo "   (events written: $(babeltrace2 "$W/shim" 2> /dev/null | wc -l), 2 per KVM_RUN)"
else
	echo "   no usable /dev/kvm: skipped"
fi
for i in 1 2 3; do
	echo "   untraced ioctl, plain         $("$K" --ioctl 2000000)"
	echo "   untraced ioctl, shim          $(LD_PRELOAD=$SHIM "$K" --ioctl 2000000)"
	echo "   untraced ioctl, lttng-ust only $(LD_PRELOAD=$(ls /usr/lib/x86_64-linux-gnu/liblttng-ust.so.1 2> /dev/null) "$K" --ioctl 2000000)"
done

echo "-- 4. UST cost per event (session on, blocking channel)"
session ust "$W/ust" 'tdxr_vmm:*,tdxr_bare:*' || exit 1
for i in 1 2 3; do
	echo "   $(LTTNG_UST_ALLOW_BLOCKING=1 "$W/ust_bench" 4000000)   (target ratio <= 1.2)"
done
end_session
echo "== commands: see each line; sources in bench/capture/"
