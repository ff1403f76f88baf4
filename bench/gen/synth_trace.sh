#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench/gen/synth_trace.sh TDXR EVENTS OUT [SEED]
#
# Writes the benchmark's ftrace text input: a clean `tdxr synth` workload of
# about EVENTS events (2 TDs x 8 vCPUs, 16 MiB each so the pages touched
# are all touched within the first ~0.5M events and peak RSS then measures
# streaming, not the working set; 6.19 profile), reused when OUT
# already exists for the same parameters (OUT.params records them).
set -euo pipefail
tdxr=$1
events=$2
out=$3
seed=${4:-42}
params="synth clean --events $events --vcpus 8 --vms 2 --mem 16 --seed $seed --kernel-profile 6.19"
if [[ -f $out && -f $out.params && "$(cat "$out.params")" == "$params" ]]; then
	exit 0
fi
# shellcheck disable=SC2086
"$tdxr" $params -o "$out"
echo "$params" >"$out.params"
