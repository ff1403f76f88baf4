#!/usr/bin/env bash
# bench/html.sh [EVENTS] - what `tdxr replay --html` costs on a trace with
# tens of thousands of findings (issue 18): a clean synth trace with every
# TDH.MEM.TRACK removed (each zap's REMOVE is then a tlb-not-tracked),
# replayed with and without --html (farm-bench, same run), and the page's
# size and load time in headless Chromium (tests/package/html_check.py).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
events=${1:-1000000}
out=$top/bench/out/html
mkdir -p "$out"
bash "$top/scripts/build.sh" "$top/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
tdxr=$top/build-bench/tdxr
"$tdxr" synth clean -o "$out/clean.trace" --events "$events" --seed 5 2>/dev/null
grep -v TDH_MEM_TRACK "$out/clean.trace" >"$out/notrack.trace"
"$tdxr" replay "$out/notrack.trace" | tail -1
farm-bench -n 5 --vs "$tdxr replay $out/notrack.trace" -- \
	"$tdxr" replay --html "$out/report.html" "$out/notrack.trace"
echo "page: $(stat -c %s "$out/report.html") bytes"
python3 "$top/tests/package/html_check.py" "$out/report.html" "$out/report.png" | tail -1
