# SPDX-License-Identifier: GPL-2.0
# tests/tui/tui_lib.sh - helpers of the TUI tests (sourced).
# Screens are the text `:save-screen` writes (scripted mode) or `tmux
# capture-pane -p` prints: one line per terminal row.

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}
# check DESCRIPTION CMD...: passes when CMD succeeds
check() {
	local what=$1
	shift
	if "$@"; then ok; else bad "$what"; fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# tui_script INDEX_OR_TRACE SCRIPT_FILE [tui options...]: scripted run
tui_script() {
	local input=$1 script=$2
	shift 2
	TDXR_TUI_SCRIPT=$script "$TDXR" tui "$@" "$input" >"$tmp/tui.out" 2>"$tmp/tui.err"
}

# The seq of the cursor row ('>' in column 0) of the event list.
cursor_seq() { awk 'substr($0, 1, 1) == ">" { print substr($0, 5) + 0; exit }' "$1"; }
# The finding marker (column 1) of the cursor row.
cursor_marker() { awk 'substr($0, 1, 1) == ">" { print substr($0, 2, 1); exit }' "$1"; }
# "seq N/M" of the status line.
status_seq() { tail -n 1 "$1" | sed -n 's/.*  seq \([0-9]*\)\/.*/\1/p'; }
# The body of pane NAME: the lines after its title ("-- NAME" / "== NAME")
# up to the next title.
pane() {
	awk -v n="$2" '
		/^(--|==) / { inp = ($2 == n); next }
		inp { print }' "$1"
}
# Rows of the event list (list pane body).
list_rows() { pane "$1" events; }
