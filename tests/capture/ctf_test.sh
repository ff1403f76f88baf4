#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/capture/ctf_test.sh - the CTF reader and directory inputs, on CTF
# written by LTTng-UST through the tdxr_kernel/tdxr_vmm providers
# (tests/capture/ust_emit.c) under a private lttng-sessiond.
#
#   ctf_test.sh twin     kernel events read like their ftrace-text twin;
#                        VMM events carry their values, vm and vcpu
#   ctf_test.sh recdir   a record directory (meta.json, kernel.dat, vmm/)
#                        reads as one time-ordered input; without meta.json
#                        it is a clear error; a directory with no CTF too
#   ctf_test.sh bad      missing stream: warned and a lost record; corrupt
#                        or cut stream, random bytes in a stream, corrupt
#                        metadata: exit 2 with a message naming the
#                        directory, or a read; never a crash or a hang
#
# Environment: TDXR_BIN, UST_EMIT, MKDAT. Exit 0 pass, 1 fail, 77 skip.
set -u
: "${TDXR_BIN:?}" "${UST_EMIT:?}" "${MKDAT:?}"
MODE=${1:-}

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

. "$(dirname "$0")/lttng_env.sh"
[ "$(id -u)" = 0 ] || skip "needs root for a private lttng-sessiond (mount namespace)"
lttng_env_enter "$0" "$@"

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tdxr-ctf.XXXXXX") || exit 1
cleanup() {
	lttng_env_stop
	rm -rf "$TMPD"
}
trap cleanup EXIT
lttng_env_start

NK=3000
NV=500
# One CTF trace: kernel events and VMM events.
lttng create tdxr-test --output="$TMPD/ctf" > "$TMPD/lttng.log" 2>&1 || fail "lttng create"
lttng enable-channel -u --subbuf-size=1M --num-subbuf=4 --blocking-timeout=inf ch >> "$TMPD/lttng.log" 2>&1 ||
	fail "lttng enable-channel: $(tail -2 "$TMPD/lttng.log")"
lttng enable-event -u -c ch 'tdxr_kernel:*,tdxr_vmm:*' >> "$TMPD/lttng.log" 2>&1 || fail "lttng enable-event"
lttng add-context -u -c ch -t vtid -t vpid -t procname >> "$TMPD/lttng.log" 2>&1 || fail "lttng add-context"
lttng start >> "$TMPD/lttng.log" 2>&1 || fail "lttng start"
LTTNG_UST_ALLOW_BLOCKING=1 "$UST_EMIT" "$TMPD/twin.trace" $NK $NV 3 || fail "ust_emit failed"
lttng stop >> "$TMPD/lttng.log" 2>&1
lttng destroy >> "$TMPD/lttng.log" 2>&1
[ -n "$(find "$TMPD/ctf" -name metadata)" ] || fail "no CTF written: $(tail -3 "$TMPD/lttng.log")"

strip_line() {
	awk '/^#/ { print; next } { $1 = ""; $2 = ""; print }' "$1"
}

case "$MODE" in
twin)
	"$TDXR_BIN" dump --strict "$TMPD/ctf" > "$TMPD/ctf.out" 2> "$TMPD/ctf.err" ||
		fail "tdxr dump of the CTF: $(head -3 "$TMPD/ctf.err")"
	"$TDXR_BIN" dump --strict "$TMPD/twin.trace" > "$TMPD/txt.out" 2> "$TMPD/txt.err" ||
		fail "tdxr dump of the twin: $(head -3 "$TMPD/txt.err")"
	grep -v ' tdxr_vmm:' "$TMPD/ctf.out" > "$TMPD/ctf.k"
	[ "$(grep -c '^[0-9]' "$TMPD/ctf.k")" = $NK ] || fail "$(grep -c '^[0-9]' "$TMPD/ctf.k") kernel events, want $NK"
	grep -q '^# lost' "$TMPD/ctf.out" && fail "lost events in a blocking session"
	# cpu, tid and vm columns of kernel events come from k_cpu/k_tid/vm.
	strip_line "$TMPD/ctf.k" | sed 's/^  //' > "$TMPD/a"
	strip_line "$TMPD/txt.out" | sed 's/^  //' > "$TMPD/b"
	if ! cmp -s "$TMPD/a" "$TMPD/b"; then
		diff "$TMPD/a" "$TMPD/b" | head -6 >&2
		fail "CTF kernel events differ from their ftrace-text twin"
	fi
	# VMM events: kvm_run_exit i has vcpu i%4, a0..a5 = i..i+5, vm 4242.
	BAD=$(grep ' tdxr_vmm:kvm_run_exit ' "$TMPD/ctf.out" | awk '
	{
		i = n++
		want = sprintf("vcpu=%d reason=2 a0=0x%x a1=0x%x a2=0x%x a3=0x%x a4=0x%x a5=0x%x",
			i % 4, i, i + 1, i + 2, i + 3, i + 4, i + 5)
		got = $9
		for (k = 10; k <= NF; k++) got = got " " $k
		if (got != want || $6 != 4242 || $7 != i % 4) { print "event " i ": " $0; exit }
	}
	END { if (n != '$NV') print n " kvm_run_exit events, want '$NV'" }')
	[ -z "$BAD" ] || fail "VMM events: $BAD"
	# Raw monotonic timestamps: the VMM events were written after the
	# emitter started, so they are near CLOCK_MONOTONIC now, not wall time.
	FIRST_VMM=$(grep -m1 ' tdxr_vmm:' "$TMPD/ctf.out" | awk '{ print int($3) }')
	UPTIME=$(awk '{ print int($1) }' /proc/uptime)
	[ "$FIRST_VMM" -le "$UPTIME" ] && [ "$FIRST_VMM" -ge $((UPTIME - 600)) ] ||
		fail "VMM ts $FIRST_VMM s is not CLOCK_MONOTONIC (uptime $UPTIME s)"
	echo "PASS: $NK kernel events == text twin; $NV VMM events with their values"
	;;
recdir)
	R="$TMPD/rec"
	mkdir -p "$R"
	cp -r "$TMPD/ctf" "$R/vmm"
	"$MKDAT" "$R/kernel.dat" "$TMPD/k.trace" 1000 9 || fail "mkdat"
	echo '{"schema":1}' > "$R/meta.json"
	"$TDXR_BIN" dump "$R" > "$TMPD/rec.out" 2> "$TMPD/rec.err" ||
		fail "tdxr dump of a record directory: $(head -3 "$TMPD/rec.err")"
	N=$(grep -c '^[0-9]' "$TMPD/rec.out")
	[ "$N" = $((NK + NV + 1000)) ] || fail "record directory: $N events, want $((NK + NV + 1000))"
	awk '/^[0-9]/ { if ($3 + 0 < last) { print "ts goes back at seq " $1; exit 1 } last = $3 + 0 }' \
		"$TMPD/rec.out" || fail "record directory events are not in time order"
	grep -q ' kvm:kvm_pio ' "$TMPD/rec.out" || fail "no kernel.dat events in the record directory"
	grep -q ' tdxr_vmm:kvm_run_exit ' "$TMPD/rec.out" || fail "no vmm/ events in the record directory"
	# The same as giving the parts.
	"$TDXR_BIN" dump "$R/kernel.dat" "$R/vmm" | awk '{ $2 = ""; print }' > "$TMPD/parts"
	awk '{ $2 = ""; print }' "$TMPD/rec.out" > "$TMPD/whole"
	cmp -s "$TMPD/parts" "$TMPD/whole" || fail "DIR reads differently from DIR/kernel.dat DIR/vmm"
	# An empty vmm/ (the command never ran a vCPU): the kernel part alone, with a warning.
	rm -rf "$R/vmm.full"
	mv "$R/vmm" "$R/vmm.full"
	mkdir "$R/vmm"
	"$TDXR_BIN" dump "$R" > "$TMPD/rec.out" 2> "$TMPD/rec.err" ||
		fail "record directory with an empty vmm/: $(head -3 "$TMPD/rec.err")"
	[ "$(grep -c '^[0-9]' "$TMPD/rec.out")" = 1000 ] || fail "empty vmm/: not the 1000 kernel events"
	grep -q 'holds no CTF trace' "$TMPD/rec.err" || fail "empty vmm/: no warning"
	rm -rf "$R/vmm"
	mv "$R/vmm.full" "$R/vmm"
	rm "$R/meta.json"
	"$TDXR_BIN" dump "$R" > /dev/null 2> "$TMPD/rec.err"
	rc=$?
	[ $rc = 2 ] || fail "record directory without meta.json: exit $rc, want 2"
	grep -q 'meta.json' "$TMPD/rec.err" || fail "no meta.json: message does not say so: $(cat "$TMPD/rec.err")"
	mkdir "$TMPD/empty"
	"$TDXR_BIN" dump "$TMPD/empty" > /dev/null 2> "$TMPD/e.err"
	rc=$?
	[ $rc = 2 ] && grep -q 'no CTF trace' "$TMPD/e.err" || fail "empty directory: exit $rc: $(cat "$TMPD/e.err")"
	echo "PASS: record directory merged in time order; no meta.json and empty dir are errors"
	;;
bad)
	TR=$(dirname "$(find "$TMPD/ctf" -name metadata | head -1)")
	STREAMS=$(cd "$TR" && ls | grep -v -e metadata -e index)
	[ -n "$STREAMS" ] || fail "no stream files in $TR"
	FULL=$("$TDXR_BIN" dump "$TMPD/ctf" | grep -c '^[0-9]')
	run() { # run DIR -> rc, output in $TMPD/bad.out/.err; a crash fails
		"$TDXR_BIN" dump "$1" > "$TMPD/bad.out" 2> "$TMPD/bad.err"
		rc=$?
		[ $rc -le 2 ] || fail "$2: exit $rc (crash?): $(head -2 "$TMPD/bad.err")"
	}
	n=0
	for s in $STREAMS; do
		[ -s "$TR/$s" ] || continue
		# 1. A missing stream (its index file remains).
		rm -rf "$TMPD/m"; cp -r "$TMPD/ctf" "$TMPD/m"
		M=$(dirname "$(find "$TMPD/m" -name metadata)")
		rm "$M/$s"
		run "$TMPD/m" "stream $s missing"
		grep -q "stream $s is missing" "$TMPD/bad.err" || fail "missing stream $s not reported"
		if grep -q '^[0-9]' "$TMPD/bad.out"; then
			[ $rc = 0 ] || fail "missing stream $s: exit $rc with events read"
			grep -q '^# lost: an unknown number' "$TMPD/bad.out" ||
				fail "missing stream $s: no lost record"
		else
			# It held every event: nothing left to read is an error.
			[ $rc = 2 ] || fail "missing stream $s held every event: exit $rc, want 2"
		fi
		# 2. Corrupt bytes in the middle of the stream, 3. a cut stream.
		SZ=$(stat -c %s "$TR/$s")
		for how in corrupt cut; do
			rm -rf "$TMPD/m"; cp -r "$TMPD/ctf" "$TMPD/m"
			if [ $how = corrupt ]; then
				printf '\xde\xad\xbe\xef\xde\xad\xbe\xef\xff\xff\xff\xff' |
					dd of="$M/$s" bs=1 seek=$((SZ / 3)) conv=notrunc 2> /dev/null
				printf '\xc1\x1f\xfc\xc1\x00\x00\x00\x00\xff\xff\xff\xff' |
					dd of="$M/$s" bs=1 seek=0 conv=notrunc 2> /dev/null
			else
				truncate -s $((SZ / 2 + 13)) "$M/$s"
			fi
			run "$TMPD/m" "stream $s $how"
			got=$(grep -c '^[0-9]' "$TMPD/bad.out")
			if [ $rc = 2 ]; then
				grep -q "$TMPD/m" "$TMPD/bad.err" || fail "$how stream: message does not name the input"
			fi
			[ "$got" -le "$FULL" ] || fail "$how stream: $got events, more than the $FULL of the whole trace"
			echo "$how $s: exit $rc, $got of $FULL events, $(head -c 160 "$TMPD/bad.err")"
		done
		n=$((n + 1))
	done
	# 4. Random bytes in the biggest stream, headers included (fixed seed).
	BIG=$(cd "$TR" && ls -S $STREAMS | head -1)
	SZ=$(stat -c %s "$TR/$BIG")
	RANDOM=77
	for i in $(seq 40); do
		rm -rf "$TMPD/m"; cp -r "$TMPD/ctf" "$TMPD/m"
		M=$(dirname "$(find "$TMPD/m" -name metadata)")
		for _ in 1 2 3 4; do
			off=$(( (RANDOM * 32768 + RANDOM) % SZ ))
			[ $((i % 4)) = 0 ] && off=$((RANDOM % 200))
			printf "\\x$(printf %02x $((RANDOM % 256)))" |
				dd of="$M/$BIG" bs=1 seek="$off" conv=notrunc 2> /dev/null
		done
		timeout 60 "$TDXR_BIN" dump "$TMPD/m" > "$TMPD/bad.out" 2> "$TMPD/bad.err"
		rc=$?
		[ $rc -le 2 ] || fail "random corruption $i of $BIG: exit $rc (crash or hang): $(head -c 300 "$TMPD/bad.err")"
	done
	# 5. Corrupt metadata.
	rm -rf "$TMPD/m"; cp -r "$TMPD/ctf" "$TMPD/m"
	M=$(dirname "$(find "$TMPD/m" -name metadata)")
	truncate -s 100 "$M/metadata"
	run "$TMPD/m" "corrupt metadata"
	[ $rc = 2 ] || fail "corrupt metadata: exit $rc, want 2"
	grep -q "$TMPD/m" "$TMPD/bad.err" || fail "corrupt metadata: message does not name the input"
	echo "PASS: $n streams missing/corrupt/cut, 40 random corruptions, corrupt metadata: no crash, reported"
	;;
*)
	echo "usage: $0 twin|recdir|bad" >&2
	exit 2
	;;
esac
exit 0
