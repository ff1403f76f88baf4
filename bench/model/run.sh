#!/bin/sh
# bench/model/run.sh - builds and runs the model benchmark, one core.
# Usage: bench/model/run.sh [EVENTS]  (default 10000000)
# Prints events/s of mdl_apply and bytes of model state per mapped page.
# (klog_ops.c: the model asks it whether a failed SEAMCALL is a TDH.SYS one.)
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BUILD:-$ROOT/build-model}/bench
mkdir -p "$OUT"
cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I"$ROOT/include" -I"$ROOT/schema" \
	"$ROOT/bench/model/bench_model.c" "$ROOT"/schema/*.c \
	"$ROOT"/replay/model/*.c "$ROOT/replay/src/klog_ops.c" -o "$OUT/bench_model" -lm
if command -v taskset >/dev/null 2>&1; then
	exec taskset -c 0 "$OUT/bench_model" "$@"
fi
exec "$OUT/bench_model" "$@"
