# SPDX-License-Identifier: GPL-2.0
# tests/index/common.sh - helpers of the index suite (sourced).
set -u
TDXR=$1
TESTS=$2
WORK=$(mktemp -d /tmp/tdxr-index-suite.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FAILS=0

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# A trace big enough that indexing it takes a while: `tdxr synth` when it
# exists, else the fixture traces repeated with shifted timestamps.
big_trace() { # OUT EVENTS
	if "$TDXR" help synth >/dev/null 2>&1 &&
		"$TDXR" synth -o "$1" --events "$2" --seed 5 clean >/dev/null 2>&1; then
		return 0
	fi
	local reps=$(($2 / 100 + 1))
	awk -v reps="$reps" '
		/^#/ { if (!done) print; next }
		{ lines[n++] = $0 }
		END {
			done = 1
			for (r = 0; r < reps; r++)
				for (i = 0; i < n; i++) {
					l = lines[i]
					if (match(l, / [0-9]+\.[0-9]+: /)) {
						ts = substr(l, RSTART + 1, RLENGTH - 3)
						split(ts, p, ".")
						l = substr(l, 1, RSTART) sprintf("%d.%s", p[1] + r * 1000, p[2]) substr(l, RSTART + RLENGTH - 2)
					}
					print l
				}
		}' "$TESTS/traces/real-kvm-amd.trace" >"$1"
}
