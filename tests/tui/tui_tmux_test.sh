#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/tui/tui_tmux_test.sh TDXR TESTS_DIR CASE - the real binary on a
# real (tmux) terminal: keys by send-keys, screens by capture-pane, a
# private tmux server per test, killed on exit.
#   basic     open the bundled trace, ], Enter, q, SIGWINCH resize, Q
#   cancel    Esc during the first indexing of a big synthetic trace
set -u
TDXR=$1
TESTS=$2
CASE=$3
tmp=$(mktemp -d)
sock=tdxrtui$$
. "$(dirname "$0")/tui_lib.sh"
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 0; }
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

# start CMD...: the TUI in a detached 120x40 session
start() {
	tmux -L "$sock" -f /dev/null new-session -d -s t -x 120 -y 40 \
		"TERM=screen $* 2>$tmp/stderr; echo \$? >$tmp/rc; sleep 30"
}
screen() { tmux -L "$sock" capture-pane -p -t t >"$tmp/screen.txt" 2>/dev/null; }
# wait_for ERE [SECONDS]: poll the screen until it shows ERE
wait_for() {
	local end=$((SECONDS + ${2:-10}))
	while [ $SECONDS -lt $end ]; do
		screen
		grep -Eq -- "$1" "$tmp/screen.txt" && return 0
		sleep 0.1
	done
	echo "  screen never showed '$1':"
	sed 's/^/  | /' "$tmp/screen.txt" | head -45
	return 1
}
wait_exit() {
	local end=$((SECONDS + ${1:-10}))
	while [ $SECONDS -lt $end ]; do
		[ -s "$tmp/rc" ] && return 0
		sleep 0.1
	done
	return 1
}
keys() { tmux -L "$sock" send-keys -t t "$@"; }

case $CASE in
basic)
	trace=$TESTS/traces/td-tlb-not-tracked.trace
	start "$TDXR" tui --index "$tmp/t.db" "$trace"
	check "opens with the event list and the findings" wait_for '^(--|==) findings [0-9]+'
	keys ']'
	check "] moves the cursor to an error row" wait_for '^>E +[0-9]+ '
	seq=$(cursor_seq "$tmp/screen.txt")
	check "status line follows the cursor" wait_for "seq $seq/"
	# the state pane is filled by the seek thread: no further key needed
	check "the state pane fills in by itself" wait_for 'S-EPT +4K .*BLOCKED'
	check "state pane names the gfn" grep -q 'gfn 0x8a3f' "$tmp/screen.txt"
	keys Enter
	check "Enter opens the explain view" wait_for '^== explain: '
	keys q
	check "q closes it" wait_for '^-- findings'
	tmux -L "$sock" resize-window -t t -x 80 -y 24 2>/dev/null ||
		tmux -L "$sock" resize-pane -t t -x 80 -y 24
	check "SIGWINCH: the panes are redrawn at 80x24" wait_for '^(--|==) state'
	screen
	check "80x24: every row fits" test "$(awk '{ if (length > m) m = length } END { print m + 0 }' "$tmp/screen.txt")" -le 80
	check "80x24: the cursor stayed" test "$(cursor_seq "$tmp/screen.txt")" = "$seq"
	keys h
	check "h shows the help" wait_for '^== help'
	keys q Q
	check "Q quits" wait_exit 5
	check "exit status 0" test "$(cat "$tmp/rc" 2>/dev/null)" = 0
	;;
cancel)
	"$TDXR" help synth >/dev/null 2>&1 || { echo "SKIP: no tdxr synth"; exit 0; }
	"$TDXR" synth clean -o "$tmp/big.trace" --events 1000000 >/dev/null ||
		{ echo "synth failed"; exit 1; }
	start "$TDXR" tui --index "$tmp/big.db" "$tmp/big.trace"
	check "first indexing shows a progress screen" wait_for 'Indexing .*big.trace' 20
	check "with progress figures" wait_for '[0-9]+%  [0-9.]+ of [0-9.]+ MB read'
	keys Escape
	check "Esc cancels the indexing" wait_exit 20
	check "cancelled: exit 2 with a message" test "$(cat "$tmp/rc" 2>/dev/null)" = 2
	check "cancelled: no index left" test ! -e "$tmp/big.db"
	;;
*)
	echo "unknown case $CASE"
	exit 2
	;;
esac
finish
