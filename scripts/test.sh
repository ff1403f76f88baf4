#!/usr/bin/env bash
# scripts/test.sh - install what is missing, build a normal and an
# ASan+UBSan configuration, and run the whole ctest suite in both.
# Extra arguments go to ctest (e.g. -L unit, -R dump).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/deps.sh

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# print_suppressions=0: a quiet command (record --flight --quiet) stays quiet.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}
# The kernel-tree test (tests/kernelpatch/kp_tree.sh) applies the series and
# runs checkpatch on the fetched trees when present; compiling the touched
# objects takes 10-15 min a tree, so here it is asked for by
# TDXR_KTREE_NOBUILD=0 (kernel-patch/README.md).
export TDXR_KTREE_NOBUILD=${TDXR_KTREE_NOBUILD:-1}

status=0

# The benchmark harness as a 1 M-event smoke, on its own Release (-O3)
# build: it must build and run; a missed target on these noisy machines is
# reported, not failed (issue 5). TDXR_NO_BENCH_SMOKE=1 skips it.
if [ -z "${TDXR_NO_BENCH_SMOKE:-}" ]; then
	echo "=== bench/run.sh --smoke"
	if ! bash bench/run.sh --smoke; then
		echo "bench smoke: the harness failed to build or run" >&2
		status=1
	fi
fi
# Every target at -O3 too: the optimizer sees more (e.g. format
# truncation), and -Werror must hold in every build type.
echo "=== build (Release, every target)"
if ! bash scripts/build.sh "$top/build-test-release" -DCMAKE_BUILD_TYPE=Release; then
	status=1
fi
for cfg in normal sanitize; do
	dir=$top/build-test-$cfg
	args=()
	[ "$cfg" = sanitize ] && args=(-DTDXR_SANITIZE=ON)
	echo "=== build ($cfg)"
	bash scripts/build.sh "$dir" "${args[@]}"
	echo "=== ctest ($cfg)"
	if ! (cd "$dir" && ctest --output-on-failure -j"$(nproc)" --timeout 900 "$@"); then
		status=1
	fi
done
exit $status
