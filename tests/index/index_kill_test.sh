#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/index/index_kill_test.sh TDXR TESTS_DIR - kill -9 of `tdxr index`
# at random moments (during the load, the index build, the verification):
# never a file under the final name when there was none, never a change to
# an index that was there; the next build cleans the dead build's
# temporary and succeeds.
. "$(dirname "$0")/common.sh"

big_trace "$WORK/big.trace" 300000
"$TDXR" index -q -o "$WORK/old.db" "$TESTS/traces/td-tlb-not-tracked.trace" || fail "first index"
sum0=$(md5sum <"$WORK/old.db")
start=$(date +%s%N)
"$TDXR" index -q -o "$WORK/t.db" "$WORK/big.trace" || fail "timing build"
full_ms=$((($(date +%s%N) - start) / 1000000))
want=$("$TDXR" dump "$WORK/t.db" | wc -l)
rm -f "$WORK/t.db"
RANDOM=42
for i in $(seq 1 12); do
	delay_ms=$((RANDOM % (full_ms + 1)))
	for target in old new; do
		out="$WORK/$target.db"
		[ "$target" = new ] && rm -f "$out"
		"$TDXR" index -q -o "$out" "$WORK/big.trace" &
		pid=$!
		sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
		kill -9 "$pid" 2>/dev/null && killed=1 || killed=0
		wait "$pid" 2>/dev/null || true
		# The final name holds either what was there before, or (the kill
		# came after the rename) the complete new index: never anything else.
		if [ "$target" = old ] && [ "$(md5sum <"$out")" = "$sum0" ]; then
			continue
		fi
		if [ -e "$out" ]; then
			n=$("$TDXR" dump "$out" 2>/dev/null | wc -l)
			if [ "$n" != "$want" ]; then
				fail "kill -9 (sent: $killed) after ${delay_ms} ms left $out with $n events, want the old index or $want events"
			fi
			[ "$target" = old ] && sum0=$(md5sum <"$out")
		elif [ "$killed" = 0 ]; then
			fail "a build that finished left no $out"
		fi
	done
done
# The next build removes the dead builds' temporaries.
"$TDXR" index -q -o "$WORK/old.db" "$TESTS/traces/td-tlb-not-tracked.trace" || fail "rebuild"
"$TDXR" index -q -o "$WORK/new.db" "$TESTS/traces/td-tlb-not-tracked.trace" || fail "rebuild"
if ls -a "$WORK" | grep -q '\.tmp-'; then
	fail "temporaries left after a rebuild: $(ls -a "$WORK" | grep tmp-)"
fi
[ "$FAILS" = 0 ] && echo "index_kill: ok (build takes ${full_ms} ms)"
exit $((FAILS > 0))
