#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/index/index_cli_test.sh TDXR TESTS_DIR - `tdxr index` from the CLI:
#   - for every fixture and scenario trace (and a few synth traces):
#     `tdxr dump INDEX.db` prints exactly what `tdxr dump TRACE` prints;
#   - a foreign SQLite file, a truncated index, a text file given as an
#     index: exit 2 and a message naming the file;
#   - SIGINT during a build: exit 130, no file under the final name, no
#     temporary left, an existing index untouched;
#   - on a terminal, progress shows events, MB, MB/s and an ETA, ends with
#     a newline; without one (or with -q) nothing is shown;
#   - every ```sql block of docs/index.md runs without error on an index,
#     and the gfn/finding queries return rows on the TLB trace.
. "$(dirname "$0")/common.sh"
DOC=$TESTS/../docs/index.md

traces=("$TESTS"/traces/*.trace "$TESTS"/scenarios/*/trace.txt)
if "$TDXR" help synth >/dev/null 2>&1; then
	for s in clean tlb-not-tracked busy-retry mirror-desync; do
		if "$TDXR" synth -o "$WORK/synth-$s.trace" --events 3000 --seed 11 "$s" >/dev/null 2>&1; then
			traces+=("$WORK/synth-$s.trace")
		fi
	done
fi

# 1. dump round trip
for t in "${traces[@]}"; do
	if ! "$TDXR" index -q -o "$WORK/rt.db" "$t" 2>"$WORK/err"; then
		fail "index $t: $(cat "$WORK/err")"
		continue
	fi
	"$TDXR" dump "$t" >"$WORK/a.txt" 2>&1
	"$TDXR" dump "$WORK/rt.db" >"$WORK/b.txt" 2>&1
	if ! cmp -s "$WORK/a.txt" "$WORK/b.txt"; then
		fail "dump of the index of $t differs from dump of the trace:"
		diff "$WORK/a.txt" "$WORK/b.txt" | head -5 >&2
	fi
done

# 2. refusals
expect_exit2() { # FILE WHAT
	local rc=0
	"$TDXR" dump "$1" >/dev/null 2>"$WORK/err" || rc=$?
	if [ "$rc" != 2 ] || ! grep -qF "$1" "$WORK/err"; then
		fail "dump $2: exit $rc, message '$(cat "$WORK/err")'"
	fi
}
sqlite3 "$WORK/foreign.db" 'CREATE TABLE t (a); INSERT INTO t VALUES (1);'
expect_exit2 "$WORK/foreign.db" "of a foreign SQLite file"
grep -q "not a tdxr index" "$WORK/err" || fail "foreign SQLite file: message does not say 'not a tdxr index'"
"$TDXR" index -q -o "$WORK/good.db" "$TESTS/traces/td-tlb-not-tracked.trace" || fail "index of the TLB trace"
head -c $(($(stat -c %s "$WORK/good.db") / 2)) "$WORK/good.db" >"$WORK/trunc.db"
expect_exit2 "$WORK/trunc.db" "of a truncated index"
cp "$WORK/good.db" "$WORK/v9.db"
sqlite3 "$WORK/v9.db" "UPDATE meta SET value = 9 WHERE key = 'schema_version'"
expect_exit2 "$WORK/v9.db" "of an index of schema version 9"
grep -q "schema version 9" "$WORK/err" || fail "schema 9: message '$(cat "$WORK/err")'"
rc=0
"$TDXR" index -o "$WORK/x.db" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "index without INPUT: exit $rc"
rc=0
"$TDXR" index "$TESTS/traces/td-tlb-not-tracked.trace" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "index without -o: exit $rc"

# 3. SIGINT
big_trace "$WORK/big.trace" 400000
cp "$WORK/good.db" "$WORK/keep.db"
sum0=$(md5sum <"$WORK/keep.db")
"$TDXR" index -o "$WORK/keep.db" "$WORK/big.trace" 2>/dev/null &
pid=$!
sleep 0.3
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
if [ "$rc" = 0 ]; then
	echo "note: the build finished before SIGINT; SIGINT not exercised" >&2
else
	[ "$rc" = 130 ] || fail "SIGINT: exit $rc, want 130"
	[ "$(md5sum <"$WORK/keep.db")" = "$sum0" ] || fail "SIGINT altered the existing index"
fi
ls -a "$WORK" | grep -q '\.tmp-' && fail "SIGINT left a temporary: $(ls -a "$WORK" | grep tmp-)"
"$TDXR" index -o "$WORK/fresh.db" "$WORK/big.trace" 2>/dev/null &
pid=$!
sleep 0.3
kill -INT "$pid"
wait "$pid" && echo "note: fresh build finished before SIGINT" >&2
if ! wait "$pid" 2>/dev/null && [ -e "$WORK/fresh.db" ]; then
	"$TDXR" dump "$WORK/fresh.db" >/dev/null 2>&1 || fail "a cancelled build left $WORK/fresh.db"
fi

# 3b. progress: only on a terminal (script(1) gives the build a pty)
if command -v script >/dev/null 2>&1 && [ -n "${traces[0]:-}" ]; then
	big="$WORK/progress.trace"
	if "$TDXR" synth -o "$big" --events 200000 --seed 5 clean >/dev/null 2>&1; then
		script -qec "$TDXR index -o $WORK/tty.db $big" /dev/null </dev/null >"$WORK/tty.out" 2>&1
		tr '\r' '\n' <"$WORK/tty.out" >"$WORK/tty.lines"
		grep -Eq '^index: [0-9]+ events, [0-9.]+/[0-9.]+ MB, [0-9.]+ MB/s, ETA [0-9]+ s' \
			"$WORK/tty.lines" || fail "no progress line on a terminal: $(head -c 300 "$WORK/tty.out")"
		[ -s "$WORK/tty.db" ] || fail "the build on a terminal wrote no index"
		"$TDXR" index -o "$WORK/notty.db" "$big" 2>"$WORK/notty.err" >/dev/null
		grep -q 'ETA' "$WORK/notty.err" && fail "progress shown without a terminal"
		script -qec "$TDXR index -q -o $WORK/quiet.db $big" /dev/null </dev/null >"$WORK/quiet.out" 2>&1
		grep -q 'ETA' "$WORK/quiet.out" && fail "progress shown with -q"
	fi
else
	echo "note: script(1) missing: progress on a terminal not checked" >&2
fi

# 4. the documented queries
awk '/^```sql$/ { q = ""; on = 1; next } /^```$/ && on { print q "\n;;;;"; on = 0; next } on { q = q $0 "\n" }' \
	"$DOC" >"$WORK/queries.sql"
nq=$(grep -c '^;;;;$' "$WORK/queries.sql")
[ "$nq" -ge 10 ] || fail "docs/index.md has $nq sql blocks, want at least 10"
for db in "$WORK/good.db" "$WORK/rt.db"; do
	i=0
	while IFS= read -r -d '' q; do
		i=$((i + 1))
		[ -n "${q//[[:space:]]/}" ] || continue
		if ! out=$(printf '%s\n' "$q" | sqlite3 -bail "$db" 2>&1) || [[ "$out" == *Error* ]]; then
			fail "docs/index.md query $i on $(basename "$db"): $out"
		fi
		if [ "$db" = "$WORK/good.db" ] && [ "$i" -le 3 ] && [ -z "$out" ]; then
			fail "docs/index.md query $i returns nothing on the TLB trace"
		fi
	done < <(awk 'BEGIN { RS = "\n;;;;\n"; ORS = "\0" } { print }' "$WORK/queries.sql")
done

[ "$FAILS" = 0 ] && echo "index_cli: ok (${#traces[@]} traces)"
exit $((FAILS > 0))
