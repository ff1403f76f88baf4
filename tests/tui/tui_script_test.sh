#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/tui/tui_script_test.sh TDXR TESTS_DIR CASE - the TUI driven headless
# through TDXR_TUI_SCRIPT on the bundled KVM_BUG_ON trace. Expected values
# come from `tdxr dump` of the same trace (or from the index's own tables
# for findings), never from constants.
set -u
TDXR=$1
TESTS=$2
CASE=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/tui_lib.sh"

trace=$TESTS/traces/td-tlb-not-tracked.trace
db=$tmp/t.db
"$TDXR" dump "$trace" >"$tmp/dump" || { echo "dump failed"; exit 1; }
nr_events=$(wc -l <"$tmp/dump")

# run LINES...: one script line per argument, 120x40, screens in $tmp/*.txt
run() {
	printf '%s\n' ":resize 120 40" "$@" >"$tmp/script"
	tui_script "$trace" "$tmp/script" --index "$db"
	local rc=$?
	if [ $rc -ne 0 ]; then
		bad "tdxr tui exited $rc: $(cat "$tmp/tui.err")"
	fi
}
# first seq after (dir=1) / before (dir=-1) FROM whose dump line matches ERE
dump_next() {
	awk -v from="$1" -v dir="$2" -v re="$3" '
		$0 ~ re { s[n++] = $1 }
		END {
			if (dir > 0) { for (i = 0; i < n; i++) if (s[i] > from) { print s[i]; exit } }
			else { for (i = n - 1; i >= 0; i--) if (s[i] < from) { print s[i]; exit } }
		}' "$tmp/dump"
}

case $CASE in
opens)
	# test_tui_opens_a_trace_with_all_panes_and_builds_the_index_beside
	run ":save-screen $tmp/s.txt"
	check "index built at --index" test -s "$db"
	check "events title counts $nr_events" grep -q "events $nr_events" "$tmp/s.txt"
	for p in detail state findings; do
		check "pane $p shown" grep -Eq "^(--|==) $p|-- $p " "$tmp/s.txt"
	done
	check "cursor on seq 0" test "$(cursor_seq "$tmp/s.txt")" = 0
	check "status line says seq 0/$nr_events" test "$(status_seq "$tmp/s.txt")" = 0
	check "first row is the first dumped event" \
		grep -q "$(awk 'NR == 1 { print $8; exit }' "$tmp/dump")" <(list_rows "$tmp/s.txt" | head -1)
	# reuse: a second open leaves the up-to-date index alone
	before=$(stat -c %Y.%s "$db")
	sleep 1
	run ":save-screen $tmp/s2.txt"
	check "an up-to-date index is reused" test "$(stat -c %Y.%s "$db")" = "$before"
	touch "$trace.newer" 2>/dev/null && rm -f "$trace.newer"
	;;
first-error)
	# test_finding_next_lands_on_first_error_and_state_shows_the_blocked_entry
	# 90 columns: detail and state are stacked, one pane per line
	run "]" ":save-screen $tmp/w.txt" ":resize 90 40" ":save-screen $tmp/s.txt"
	"$TDXR" index -o "$tmp/ref.db" "$trace" >/dev/null 2>&1
	want=$(sqlite3 "$tmp/ref.db" "SELECT min(seq) FROM findings" 2>/dev/null)
	[ -n "$want" ] || want=$(grep -m1 -n 'TDH_MEM_PAGE_REMOVE' "$tmp/dump" | cut -d' ' -f1 | cut -d: -f2)
	check "] lands on the first finding (seq $want)" test "$(cursor_seq "$tmp/s.txt")" = "$want"
	check "the row is marked E (readable without colour)" test "$(cursor_marker "$tmp/s.txt")" = E
	pane "$tmp/s.txt" state >"$tmp/state"
	check "state pane names gfn 0x8a3f" grep -q 'gfn 0x8a3f' "$tmp/state"
	check "state pane shows the S-EPT entry blocked" grep -Eq 'S-EPT .*BLOCKED' "$tmp/state"
	check "state pane shows the mirror walk" grep -q '^mirror' "$tmp/state"
	check "state pane shows vCPU epochs" grep -Eq '^vCPUs +[0-9]+:(in|out) e[0-9]' "$tmp/state"
	# 120 columns: detail (left) and state side by side
	check "detail decodes the status with its operand" \
		grep -q 'status .*0xc0000b0800000001 TDX_TLB_TRACKING_NOT_DONE|RCX' "$tmp/w.txt"
	check "detail names the leaf" grep -q 'TDH_MEM_PAGE_REMOVE' "$tmp/w.txt"
	# the CLI and the TUI speak the same words (include/tdxr/tdx.h): the
	# leaf and status `tdxr explain` names in its account are on the screen
	"$TDXR" explain "$trace" >"$tmp/explain" 2>/dev/null
	cli_leaf=$(sed -n 's/.*; \(TDH_[A-Z_]*\) at line [0-9]* got \([^;]*\);.*/\1/p' "$tmp/explain")
	cli_status=$(sed -n 's/.*; \(TDH_[A-Z_]*\) at line [0-9]* got \([^;]*\);.*/\2/p' "$tmp/explain")
	check "tdxr explain names a failed SEAMCALL ($cli_leaf: $cli_status)" \
		test -n "$cli_leaf" -a -n "$cli_status"
	check "the TUI names the leaf as the CLI does" grep -qF "$cli_leaf" "$tmp/w.txt"
	check "the TUI names the status as the CLI does" \
		grep -qF "0xc0000b0800000001 $cli_status" "$tmp/w.txt"
	;;
explain)
	# test_enter_on_a_finding_shows_its_causal_chain_and_steps_jump_the_list
	run "]" "Enter" ":save-screen $tmp/s.txt" "g" ":save-screen $tmp/s2.txt" \
		"q" ":save-screen $tmp/s3.txt"
	check "explain view opens" grep -q '^== explain: \[error\]' "$tmp/s.txt"
	check "causal chain listed" grep -q 'causal chain' "$tmp/s.txt"
	"$TDXR" index -o "$tmp/ref.db" "$trace" >/dev/null 2>&1
	chain=$(sqlite3 "$tmp/ref.db" "SELECT c.seq FROM finding_chain c JOIN findings f ON f.id = c.finding WHERE f.seq = (SELECT min(seq) FROM findings) ORDER BY c.pos" 2>/dev/null | tr '\n' ' ')
	shown=$(grep -E '^[> ] +[0-9]+\. seq ' "$tmp/s.txt" | awk '{ for (i = 1; i <= NF; i++) if ($i == "seq") { print $(i + 1); break } }' | tr '\n' ' ')
	if [ -n "$chain" ]; then
		check "chain steps are the finding's chain ($chain)" test "$shown" = "$chain"
	else
		check "chain has steps" test -n "$shown"
	fi
	first=$(echo "$shown" | awk '{ print $1 }')
	check "g in the chain jumps the list to the first step ($first)" \
		test "$(cursor_seq "$tmp/s2.txt")" = "$first"
	check "q closes the explain view" bash -c "! grep -q '^== explain' '$tmp/s3.txt'"
	check "q keeps the cursor where the chain put it" test "$(cursor_seq "$tmp/s3.txt")" = "$first"
	;;
explain-same-as-cli)
	# test_tui_explain_view_shows_the_same_first_cause_chain_and_account_as_cli:
	# the finding `tdxr explain` picks, opened in the TUI with Enter
	"$TDXR" explain "$trace" >"$tmp/cli.txt" || bad "tdxr explain failed"
	seq=$(awk '/^finding:/ { getline; for (i = 1; i <= NF; i++) if ($i == "seq") { print $(i + 1); exit } }' "$tmp/cli.txt")
	check "tdxr explain names a finding" test -n "$seq"
	run ":$seq" "Enter" ":save-screen $tmp/s.txt"
	check "Enter on seq $seq opens its explain view" grep -q "^== explain: .* at seq $seq " "$tmp/s.txt"
	# TEXT of a wrapped item "LABEL: ..." of the view: continuation rows
	# are indented by two, each break dropped one blank
	item() {
		awk -v l="$1: " '
			started && /^  [^ ]/ { sub(/^  /, ""); t = t " " $0; next }
			started { exit }
			index($0, l) == 1 { started = 1; t = substr($0, length(l) + 1) }
			END { print t }' "$2"
	}
	cli_cause=$(awk '/^first cause:/ { getline; sub(/^  /, ""); print; exit }' "$tmp/cli.txt")
	tui_cause=$(item "first cause" "$tmp/s.txt")
	check "first cause is the CLI's ($cli_cause)" test "$tui_cause" = "$cli_cause"
	cli_chain=$(awk '$1 == "*" && $2 == "seq" { print $3 }' "$tmp/cli.txt" | tr '\n' ' ')
	tui_chain=$(grep -E '^[> ] +[0-9]+\. seq ' "$tmp/s.txt" | awk '{ for (i = 1; i <= NF; i++) if ($i == "seq") { print $(i + 1); break } }' | tr '\n' ' ')
	check "causal chain is the CLI's ($cli_chain)" test "$tui_chain" = "$cli_chain"
	check "the chain has more than the finding" test "$(echo $cli_chain | wc -w)" -gt 1
	cli_acc=$(awk '/^account:/ { getline; sub(/^  /, ""); print; exit }' "$tmp/cli.txt")
	tui_acc=$(item "account" "$tmp/s.txt")
	check "account is the CLI's" test "$tui_acc" = "$cli_acc"
	[ "$tui_acc" = "$cli_acc" ] || printf '  cli: %s\n  tui: %s\n' "$cli_acc" "$tui_acc"
	;;
sqlite-error)
	# test_tui_sqlite_error_is_shown_named_not_taken_for_no_finding: the
	# findings' seq index smashed after the build
	"$TDXR" index -q -o "$db" "$trace" || bad "index failed"
	pg=$(sqlite3 "$db" "SELECT rootpage FROM sqlite_master WHERE name = 'findings_seq'")
	ps=$(sqlite3 "$db" "PRAGMA page_size")
	head -c "$ps" /dev/zero | tr '\0' '\377' |
		dd of="$db" bs="$ps" seek=$((pg - 1)) conv=notrunc status=none
	printf '%s\n' ":resize 160 40" "]" ":save-screen $tmp/s.txt" >"$tmp/script"
	tui_script "$db" "$tmp/script" || bad "tdxr tui exited $?: $(cat "$tmp/tui.err")"
	check "] names the SQLite error" grep -q 'looking for a finding: SQLITE_CORRUPT' "$tmp/s.txt"
	check "... and does not say there is no finding" bash -c "! grep -q 'no later finding' '$tmp/s.txt'"
	;;
explain-big)
	# test_tui_explain_of_a_big_trace_runs_aside_and_esc_cancels_it (slow):
	# the replay up to the finding runs on a thread; Esc stops it
	"$TDXR" help synth >/dev/null 2>&1 || { echo "SKIP: no tdxr synth"; exit 0; }
	"$TDXR" synth tlb-not-tracked -o "$tmp/big.trace" --events 400000 >/dev/null 2>&1 ||
		{ echo "synth failed"; exit 1; }
	"$TDXR" index -q -o "$tmp/big.db" "$tmp/big.trace" || { echo "index failed"; exit 1; }
	"$TDXR" explain "$tmp/big.db" >"$tmp/cli.txt" || bad "tdxr explain failed"
	seq=$(awk '/^finding:/ { getline; for (i = 1; i <= NF; i++) if ($i == "seq") { print $(i + 1); exit } }' "$tmp/cli.txt")
	printf '%s\n' ":resize 120 40" ":$seq" "Enter" "Esc" ":save-screen $tmp/c.txt" \
		"Enter" ":save-screen $tmp/s.txt" >"$tmp/script"
	tui_script "$tmp/big.db" "$tmp/script" || bad "tdxr tui exited $?: $(cat "$tmp/tui.err")"
	check "Esc cancels the explain job" grep -q 'explaining cancelled' "$tmp/c.txt"
	check "... and no view opens" bash -c "! grep -q '^== explain' '$tmp/c.txt'"
	check "Enter again opens the view of seq $seq" grep -q "^== explain: .* at seq $seq " "$tmp/s.txt"
	cli_cause=$(awk '/^first cause:/ { getline; sub(/^  /, ""); print; exit }' "$tmp/cli.txt")
	check "with tdxr explain's first cause" grep -qF "first cause: ${cli_cause:0:60}" "$tmp/s.txt"
	;;
gfn-vcpu)
	# test_s_S_step_by_gfn_and_dot_comma_step_by_vcpu
	start=$(grep -m1 'TDH_MEM_RANGE_BLOCK' "$tmp/dump" | cut -d' ' -f1)
	run ":$start" "s" ":save-screen $tmp/s.txt" ":$start" "S" ":save-screen $tmp/S.txt"
	re='gfn=0x8a3f|rcx=0x8a3f000|address=0x8a3f000|out_r8=0x8a3f000'
	check "s goes to the next event on gfn 0x8a3f" \
		test "$(cursor_seq "$tmp/s.txt")" = "$(dump_next "$start" 1 "$re")"
	check "S goes to the previous event on gfn 0x8a3f" \
		test "$(cursor_seq "$tmp/S.txt")" = "$(dump_next "$start" -1 "$re")"
	# vCPU 0 runs on thread 4712 (the dump's 5th column)
	from=$(awk '$5 == 4712 { n++ } n == 3 { print $1; exit }' "$tmp/dump")
	run ":$from" "." ":save-screen $tmp/d.txt" ":$from" "," ":save-screen $tmp/c.txt"
	check ". goes to the next event of the same vCPU" \
		test "$(cursor_seq "$tmp/d.txt")" = "$(awk -v f="$from" '$5 == 4712 && $1 > f { print $1; exit }' "$tmp/dump")"
	check ", goes to the previous event of the same vCPU" \
		test "$(cursor_seq "$tmp/c.txt")" = "$(awk -v f="$from" '$5 == 4712 && $1 < f { p = $1 } END { print p }' "$tmp/dump")"
	;;
search)
	# test_search_forward_backward_and_n_N
	run "/vm_bugged" ":save-screen $tmp/a.txt" "n" ":save-screen $tmp/b.txt" \
		"N" ":save-screen $tmp/c.txt" "G" "?kvm_entry" ":save-screen $tmp/d.txt"
	first=$(dump_next -1 1 'kvm_vm_bugged')
	second=$(dump_next "$first" 1 'kvm_vm_bugged')
	check "/ finds the first match ($first)" test "$(cursor_seq "$tmp/a.txt")" = "$first"
	check "n finds the next match ($second)" test "$(cursor_seq "$tmp/b.txt")" = "$second"
	check "N goes back ($first)" test "$(cursor_seq "$tmp/c.txt")" = "$first"
	check "? searches backward from the end" \
		test "$(cursor_seq "$tmp/d.txt")" = "$(dump_next "$nr_events" -1 'kvm_entry')"
	check "matches are marked * in the list" grep -q '^..\*' "$tmp/a.txt"
	;;
filter)
	# test_filter_hides_other_events_and_empty_filter_restores
	run "fkvm_exit" ":save-screen $tmp/f.txt" "G" ":save-screen $tmp/g.txt" "f" "Enter" \
		":save-screen $tmp/u.txt" ":filter gfn == 0x8a3f &&" ":save-screen $tmp/e.txt"
	n_exit=$(grep -c ' kvm:kvm_exit ' "$tmp/dump")
	rows=$(list_rows "$tmp/f.txt" | grep -c '[0-9]')
	check "filter shows exactly the $n_exit kvm_exit events" test "$rows" = "$n_exit"
	check "no other event under the filter" test "$(list_rows "$tmp/f.txt" | grep '[0-9]' | grep -vc 'kvm_exit')" = 0
	check "G under the filter goes to the last kvm_exit" \
		test "$(cursor_seq "$tmp/g.txt")" = "$(dump_next "$nr_events" -1 ' kvm:kvm_exit ')"
	check "an empty filter shows every event again" \
		grep -q "events $nr_events ==\|events $nr_events --" "$tmp/u.txt"
	check "status shows the filter" grep -q 'filter: kvm_exit' "$tmp/f.txt"
	check "a bad filter says what is wrong" grep -qi 'filter:.*column' "$tmp/e.txt"
	;;
marks-goto)
	# test_marks_and_goto
	run ":5" "ma" ":20" ":save-screen $tmp/g.txt" "'a" ":save-screen $tmp/m.txt" \
		"''" ":save-screen $tmp/b.txt" ":99999" ":save-screen $tmp/o.txt" \
		"'z" ":save-screen $tmp/z.txt"
	check ":20 goes to seq 20" test "$(cursor_seq "$tmp/g.txt")" = 20
	check "'a returns to the mark" test "$(cursor_seq "$tmp/m.txt")" = 5
	check "'' returns to where the jump started" test "$(cursor_seq "$tmp/b.txt")" = 20
	check ":N out of range is refused" grep -q 'out of range' "$tmp/o.txt"
	check "an unset mark says so" grep -q 'mark z is not set' "$tmp/z.txt"
	;;
resize)
	# test_panes_resize_and_work_at_80x24
	run ":5" ":resize 80 24" ":save-screen $tmp/small.txt" ":resize 160 50" \
		":save-screen $tmp/big.txt"
	check "80x24 screen has 24 rows" test "$(wc -l <"$tmp/small.txt")" = 24
	check "80x24 rows fit in 80 columns" test "$(awk '{ if (length > m) m = length } END { print m }' "$tmp/small.txt")" -le 80
	for p in events detail state findings; do
		check "pane $p at 80x24" grep -Eq "^(--|==) $p" "$tmp/small.txt"
	done
	check "cursor kept at seq 5 at 80x24" test "$(cursor_seq "$tmp/small.txt")" = 5
	check "160x50 screen has 50 rows" test "$(wc -l <"$tmp/big.txt")" = 50
	check "cursor kept at seq 5 at 160x50" test "$(cursor_seq "$tmp/big.txt")" = 5
	;;
back-forward)
	# test_stepping_backward_shows_the_same_state_as_forward
	{
		echo ":resize 80 40"
		for ((i = 0; i < nr_events; i++)); do
			echo ":save-screen $tmp/f$i.txt"
			echo j
		done
		echo G
		for ((i = nr_events - 1; i >= 0; i--)); do
			echo ":save-screen $tmp/b$i.txt"
			echo k
		done
		printf '%s\n' ":7" ":save-screen $tmp/g7.txt"
	} >"$tmp/script"
	tui_script "$trace" "$tmp/script" --index "$db" || bad "tui failed: $(cat "$tmp/tui.err")"
	same=0
	for ((i = 0; i < nr_events; i++)); do
		if [ "$(cursor_seq "$tmp/f$i.txt")" = "$i" ] &&
			[ "$(cursor_seq "$tmp/b$i.txt")" = "$i" ] &&
			diff <(pane "$tmp/f$i.txt" state) <(pane "$tmp/b$i.txt" state) >/dev/null; then
			same=$((same + 1))
		else
			echo "  seq $i differs:"
			diff <(pane "$tmp/f$i.txt" state) <(pane "$tmp/b$i.txt" state) | head -5
		fi
	done
	check "state pane equal forward and backward at all $nr_events seqs" test "$same" = "$nr_events"
	check "a goto shows the same state as stepping" \
		diff <(pane "$tmp/f7.txt" state) <(pane "$tmp/g7.txt" state)
	;;
help)
	# test_help_is_generated_from_the_key_table
	run "h" ":save-screen $tmp/h.txt" "q" ":save-screen $tmp/q.txt"
	keysdef=$(dirname "$0")/../../tui/keys.def
	missing=0
	while IFS= read -r help; do
		grep -qF -- "${help:0:40}" "$tmp/h.txt" || { missing=$((missing + 1)); echo "  not in help: $help"; }
	done < <(sed -n 's/^TUI_KEY([^"]*"[^"]*", *"\([^"]*\)").*/\1/p' "$keysdef" | head -20)
	check "help shows the key table's lines" test "$missing" = 0
	check "q closes the help" bash -c "! grep -q '^== help' '$tmp/q.txt'"
	;;
damaged-checkpoint)
	# test_tui_damaged_checkpoint_says_which_in_the_state_pane
	"$TDXR" index -q --checkpoint-every 4 -o "$db" "$trace" || bad "index failed"
	s=$(sqlite3 "$db" "SELECT min(seq) FROM checkpoints WHERE base < seq")
	f=$(sqlite3 "$db" "SELECT max(seq) FROM checkpoints WHERE base = seq AND seq < ${s:-0}")
	check "the index has a full and then a changes checkpoint" test -n "$s" -a -n "$f"
	sqlite3 "$db" "UPDATE checkpoints SET data = substr(data, 1, length(data) / 2) WHERE seq = $s"
	run ":$s" ":save-screen $tmp/d.txt" ":$((f + 1))" ":save-screen $tmp/z.txt"
	check "the state pane names the damaged checkpoint" \
		grep -q "no model state at seq $s: checkpoint at seq $s: damaged" "$tmp/d.txt"
	check "a seq before it still has its model state" \
		grep -q "VMs known\|S-EPT" "$tmp/z.txt"
	check "... and no seek error" bash -c "! grep -q 'no model state' '$tmp/z.txt'"
	;;
errors)
	# test_bad_input_is_a_clean_exit_2
	"$TDXR" tui "$tmp/none" >/dev/null 2>"$tmp/err" </dev/null
	check "missing input: exit 2" test $? = 2
	check "missing input: named" grep -q "$tmp/none" "$tmp/err"
	"$TDXR" tui "$trace" >/dev/null 2>"$tmp/err" </dev/null
	check "no terminal, no script: exit 2" test $? = 2
	check "no terminal: says so" grep -q 'terminal' "$tmp/err"
	printf 'SQLite format 3\0garbage' >"$tmp/bad.db"
	echo q >"$tmp/q"
	TDXR_TUI_SCRIPT=$tmp/q "$TDXR" tui "$tmp/bad.db" >/dev/null 2>"$tmp/err"
	check "corrupt index: exit 2" test $? = 2
	check "corrupt index: named" grep -q "bad.db" "$tmp/err"
	"$TDXR" tui >/dev/null 2>&1
	check "no input: usage error" test $? = 2
	;;
valgrind)
	# test_tui_session_is_valgrind_clean: every view and key once
	command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 0; }
	if ldd "$TDXR" 2>/dev/null | grep -q libasan; then
		echo "SKIP: a sanitizer build (ASan checks it instead)"
		exit 0
	fi
	printf '%s\n' ":resize 120 40" "]" "Enter" "j" "q" "Tab" "j" "Tab" "j" "Tab" "j" "Tab" \
		"/kvm_exit" "n" "N" "fkvm_exit" "G" "f" "Enter" "ma" "G" "'a" "s" "S" "." "," "h" "q" \
		"v" ":resize 80 24" ":save-screen $tmp/vg.txt" >"$tmp/script"
	TDXR_TUI_SCRIPT=$tmp/script valgrind -q --error-exitcode=9 --leak-check=full \
		--errors-for-leak-kinds=definite "$TDXR" tui --index "$db" "$trace" 2>"$tmp/vg.err"
	rc=$?
	check "valgrind reports no error (exit $rc)" test $rc = 0
	[ $rc = 0 ] || head -30 "$tmp/vg.err"
	check "the session reached its last screen" test -s "$tmp/vg.txt"
	;;
*)
	echo "unknown case $CASE"
	exit 2
	;;
esac
finish
