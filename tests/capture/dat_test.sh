#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/capture/dat_test.sh - the trace.dat reader against generated files
# (tests/capture/mkdat.c writes a trace.dat and its tracefs-text twin).
#
#   dat_test.sh twin          the .dat dumps exactly like its text twin
#   dat_test.sh unknown-lost  a page flagged "events missed" without a count
#   dat_test.sh truncated     every cut of the file: exit 2 + message, or a
#                             clean read; never a crash
#   dat_test.sh corrupt       random bytes anywhere: never a crash or a hang
#
# Environment: TDXR_BIN, MKDAT. Exit 0 pass, 1 fail.
set -u
: "${TDXR_BIN:?}" "${MKDAT:?}"
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tdxr-dat.XXXXXX") || exit 1
trap 'rm -rf "$TMPD"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# "seq input:line ts ..." without the input:line column (text has lines, .dat 0).
strip_line() {
	awk '/^#/ { print; next } { $2 = ""; print }' "$1"
}

case "${1:-}" in
twin)
	for seed in 1 2 3; do
		"$MKDAT" "$TMPD/t.dat" "$TMPD/t.trace" 3000 "$seed" || fail "mkdat"
		"$TDXR_BIN" dump --strict "$TMPD/t.dat" > "$TMPD/dat.out" 2> "$TMPD/dat.err" ||
			fail "tdxr dump t.dat: $(head -3 "$TMPD/dat.err")"
		"$TDXR_BIN" dump --strict "$TMPD/t.trace" > "$TMPD/txt.out" 2> "$TMPD/txt.err" ||
			fail "tdxr dump t.trace: $(head -3 "$TMPD/txt.err")"
		N=$(grep -c '^[0-9]' "$TMPD/dat.out")
		[ "$N" = 3000 ] || fail "seed $seed: $N events from the .dat, want 3000"
		grep -q '^# lost: 7 events before seq' "$TMPD/dat.out" ||
			fail "seed $seed: the 7 lost events of CPU 1 are not reported"
		for ev in kvm:kvm_userspace_exit kvm:kvm_pio kvmmmu:kvm_tdp_mmu_spte_changed \
			kvm:kvm_hypercall '\*:kvm_fpu'; do
			grep -q " $ev " "$TMPD/dat.out" || fail "seed $seed: no $ev in the .dat dump"
		done
		grep -q 'reason_name=restart reason=4' "$TMPD/dat.out" ||
			fail "seed $seed: errno -EINTR not shown as restart (4)"
		strip_line "$TMPD/dat.out" > "$TMPD/a"
		strip_line "$TMPD/txt.out" > "$TMPD/b"
		if ! cmp -s "$TMPD/a" "$TMPD/b"; then
			diff "$TMPD/a" "$TMPD/b" | head -10 >&2
			fail "seed $seed: the .dat and its text twin dump differently"
		fi
	done
	echo "PASS: 3 x 3000 events, .dat == text twin, lost records kept"
	;;
unknown-lost)
	"$MKDAT" "$TMPD/t.dat" "$TMPD/t.trace" 3000 5 --unknown-lost || fail "mkdat"
	"$TDXR_BIN" dump "$TMPD/t.dat" > "$TMPD/dat.out" 2> "$TMPD/dat.err" ||
		fail "tdxr dump: $(head -3 "$TMPD/dat.err")"
	grep -q '^# lost: an unknown number of events before seq' "$TMPD/dat.out" ||
		fail "a page with missed events and no count is not an unknown loss"
	grep -q '^# lost: 7 events before seq' "$TMPD/dat.out" || fail "the counted loss is gone"
	echo "PASS: unknown and counted losses both reported"
	;;
truncated)
	"$MKDAT" "$TMPD/t.dat" "$TMPD/t.trace" 3000 7 || fail "mkdat"
	SIZE=$(stat -c %s "$TMPD/t.dat")
	FULL=$("$TDXR_BIN" dump "$TMPD/t.dat" | grep -c '^[0-9]')
	CUTS="1 2 9 10 11 16 40 100 500 1000 2000 3000 4096 5000"
	for c in $(seq 1 997 "$SIZE") $((SIZE - 1)) $((SIZE - 100)) $((SIZE - 4096)); do
		CUTS="$CUTS $c"
	done
	n=0
	for c in $CUTS; do
		[ "$c" -lt "$SIZE" ] || continue
		head -c "$c" "$TMPD/t.dat" > "$TMPD/cut.dat"
		"$TDXR_BIN" dump "$TMPD/cut.dat" > "$TMPD/cut.out" 2> "$TMPD/cut.err"
		rc=$?
		case $rc in
		0)
			# A clean read of a cut file must not invent events.
			got=$(grep -c '^[0-9]' "$TMPD/cut.out")
			[ "$got" -le "$FULL" ] || fail "cut at $c: $got events, the whole file has $FULL"
			;;
		2)
			grep -q 'cut.dat' "$TMPD/cut.err" || fail "cut at $c: message does not name the file"
			;;
		*)
			fail "cut at $c bytes: exit $rc (crash?): $(head -2 "$TMPD/cut.err")"
			;;
		esac
		n=$((n + 1))
	done
	head -c "$((SIZE - 1))" "$TMPD/t.dat" > "$TMPD/cut.dat"
	"$TDXR_BIN" dump "$TMPD/cut.dat" > /dev/null 2> "$TMPD/cut.err" &&
		fail "a file cut by one byte reads without complaint"
	grep -q 'truncated' "$TMPD/cut.err" || fail "cut by one byte: no 'truncated' in: $(cat "$TMPD/cut.err")"
	echo "PASS: $n cuts, none crashed; $(cat "$TMPD/cut.err")"
	;;
corrupt)
	# Random bytes over random places (fixed seed): a message or a read, never a crash.
	"$MKDAT" "$TMPD/t.dat" "$TMPD/t.trace" 3000 11 || fail "mkdat"
	SIZE=$(stat -c %s "$TMPD/t.dat")
	RANDOM=4242
	for i in $(seq ${CORRUPT_N:-60}); do
		cp "$TMPD/t.dat" "$TMPD/c.dat"
		for _ in 1 2 3 4 5; do
			off=$(( (RANDOM * 32768 + RANDOM) % SIZE ))
			[ $((i % 3)) = 0 ] && off=$((RANDOM % 4096)) # the headers
			printf "\\x$(printf %02x $((RANDOM % 256)))" |
				dd of="$TMPD/c.dat" bs=1 seek="$off" conv=notrunc 2> /dev/null
		done
		timeout 20 "$TDXR_BIN" dump "$TMPD/c.dat" > /dev/null 2> "$TMPD/c.err"
		rc=$?
		[ $rc -le 2 ] || { cp "$TMPD/c.dat" "${TMPDIR:-/tmp}/tdxr-corrupt-$i.dat"
			fail "corruption $i: exit $rc (crash or hang), kept in ${TMPDIR:-/tmp}/tdxr-corrupt-$i.dat"; }
	done
	echo "PASS: ${CORRUPT_N:-60} corrupted files, no crash"
	;;
*)
	echo "usage: $0 twin|unknown-lost|truncated|corrupt" >&2
	exit 2
	;;
esac
exit 0
