#!/usr/bin/env bash
# scripts/demo.sh - install what is missing, build, and run tdxr's main
# job on the bundled KVM_BUG_ON trace (tests/traces/td-tlb-not-tracked.trace).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/deps.sh
bash scripts/build.sh "$top/build"

trace=tests/traces/td-tlb-not-tracked.trace
tdxr=$top/build/tdxr

echo
echo "=== tdxr dump $trace (the normalized events)"
"$tdxr" dump "$trace"
if "$tdxr" help replay >/dev/null 2>&1; then
	echo
	echo "=== tdxr replay $trace (the model's findings)"
	"$tdxr" replay "$trace" || true
fi
if "$tdxr" help explain >/dev/null 2>&1; then
	echo
	echo "=== tdxr explain $trace (the post-mortem of the KVM_BUG_ON)"
	"$tdxr" explain "$trace" || true
fi
if "$tdxr" help tui >/dev/null 2>&1; then
	db="${TMPDIR:-/tmp}/td-tlb-not-tracked.tdxr.db"
	if [ -t 0 ] && [ -t 1 ]; then
		echo
		echo "=== tdxr tui $trace   (] next finding, Enter explain, Tab focus, h help, Q quit)"
		"$tdxr" tui --index "$db" "$trace"
	else
		# No terminal: show what the TUI shows on the first finding.
		keys=$(mktemp)
		screen=$(mktemp)
		printf '%s\n' ':resize 120 40' ']' ":save-screen $screen" >"$keys"
		echo
		echo "=== tdxr tui $trace (no terminal: the screen at the first finding)"
		TDXR_TUI_SCRIPT="$keys" "$tdxr" tui --index "$db" "$trace" >/dev/null || true
		cat "$screen"
		rm -f "$keys" "$screen"
	fi
fi
