#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/flight_overhead.sh - the flight recorder's cost to a guest that
# does nothing but exit (tests/real/kvm_guest.c: 6 exits per loop, each a
# trip to userspace): the guest's exits per second untraced, with a bare
# tracefs instance enabling the same events (the kernel's own cost), and
# with `tdxr record --flight` armed. Rounds alternate the three setups.
#
#   bench/flight_overhead.sh TDXR KVM_GUEST [ROUNDS]   (root; /dev/kvm; tracefs)
set -eu
TDXR=$1 GUEST=$2 ROUNDS=${3:-15}
T=/sys/kernel/tracing
# The events tdxr enables on this kernel (its meta.json says).
"$TDXR" record --flight -o /tmp/fo.$$ --for 0.2s --quiet || true
EVENTS=$(sed -n 's/.*"events_enabled":\[\([^]]*\)\].*/\1/p' /tmp/fo.$$/meta.json | tr -d '"' | tr ',' ' ')
rm -rf /tmp/fo.$$
# One run: prints exits/s.
run() {
	local t0 t1 out runs
	t0=$(date +%s%N)
	out=$("$GUEST" 1000)
	t1=$(date +%s%N)
	runs=$(echo "$out" | sed -n 's/.*runs=\([0-9]*\).*/\1/p')
	echo "$runs $t0 $t1" | awk '{ printf "%.0f\n", $1 / (($3 - $2) / 1e9) }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
: > /tmp/fo.none.$$; : > /tmp/fo.bare.$$; : > /tmp/fo.flight.$$
for _ in $(seq "$ROUNDS"); do
	run >> /tmp/fo.none.$$
	I=$T/instances/bench-bare-$$
	mkdir "$I"; echo mono > "$I/trace_clock"; echo 65536 > "$I/buffer_size_kb"
	for e in $EVENTS; do echo 1 > "$I/events/${e%%:*}/${e#*:}/enable"; done
	run >> /tmp/fo.bare.$$
	echo 0 > "$I/tracing_on"; echo 0 > "$I/events/enable"; rmdir "$I"
	"$TDXR" record --flight -o /tmp/fo.rec.$$ --quiet --buffer-kb 65536 &
	P=$!; sleep 0.3
	run >> /tmp/fo.flight.$$
	kill -INT $P; wait $P || true; rm -rf /tmp/fo.rec.$$
done
N=$(median < /tmp/fo.none.$$) B=$(median < /tmp/fo.bare.$$) F=$(median < /tmp/fo.flight.$$)
echo "events: $EVENTS"
echo "median exits/s over $ROUNDS rounds: untraced $N, bare tracefs instance $B, tdxr flight $F"
awk -v n="$N" -v b="$B" -v f="$F" 'BEGIN { printf "cost per exit: flight/untraced %.3fx, flight/bare %.3fx, bare/untraced %.3fx\n", n / f, b / f, n / b }'
rm -f /tmp/fo.none.$$ /tmp/fo.bare.$$ /tmp/fo.flight.$$
