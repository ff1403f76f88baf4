#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/kernelpatch/kp_tree.sh - the kernel-patch/ series against real Linux
# trees: each patch applies (git apply --check, then git apply, in order),
# is checkpatch --strict clean, the upstream values the consistency test
# assumes are the tree's own, and the objects the series touches compile
# without a warning. The slow ctest kernelpatch_series_applies_and_builds_on_
# the_fetched_trees runs "check"; it skips (exit 77, saying why) when no
# tree is available.
#
#   kp_tree.sh check KP_DIR   # KP_DIR: kernel-patch/ (6.16.1 series; 7.1 in v7.1/)
#   kp_tree.sh deps           # apt-get install what a kernel build needs
#
# Trees, unpatched, each used if present:
#   TDXR_LINUX_6_16=DIR   a Linux 6.16.1 source tree (copied, never changed)
#   TDXR_LINUX_7_1=DIR    a Linux 7.1.5 source tree
# else the snapshots the project's fetch tool leaves under
# ${TDXR_MIRRORS:-/work/.mirror} (git directories; see kernel-patch/README.md):
#   KT0511+linux-6.16.1 at 210b82c35000b63a0fa95d42feccddea97681b97
#   danayer+linux-7.1.5 at 9d1745cf8134cb84ec6b15a755a194f6dd32dc08
# Scratch space: ${TDXR_KTREE_WORK:-${TMPDIR:-/tmp}/tdxr-kp-tree} (~2 GB a tree).
# TDXR_KTREE_NOBUILD=1 stops after apply, checkpatch and the values (scripts/test.sh,
# what CI runs, sets it: a build takes 10-15 min a tree; 0 builds).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
deps="bc flex bison libelf-dev libssl-dev"

if [ "${1:-}" = deps ]; then
	# shellcheck disable=SC2086
	exec apt-get install -y --no-install-recommends $deps
fi
if [ "${1:-}" != check ] || [ -z "${2:-}" ]; then
	echo "usage: $0 check KP_DIR | $0 deps" >&2
	exit 2
fi
kp_dir=$(cd "$2" && pwd)
mirrors=${TDXR_MIRRORS:-/work/.mirror}
work=${TDXR_KTREE_WORK:-${TMPDIR:-/tmp}/tdxr-kp-tree}
status=0
ran=0

fail() {
	echo "FAIL: $*"
	status=1
}

# prepare NAME ENVDIR MIRROR COMMIT -> $work/src-NAME, or return 1 (no tree)
prepare() {
	local name=$1 dir=$2 commit=$4 src=$work/src-$1 git=$mirrors/$3/repo
	rm -rf "$src"
	mkdir -p "$src"
	if [ -n "$dir" ]; then
		[ -f "$dir/Makefile" ] || { echo "$name: $dir is not a Linux tree"; return 1; }
		cp -a "$dir/." "$src/"
		return 0
	fi
	git -C "$git" cat-file -e "$commit^{commit}" 2>/dev/null || return 1
	# Snapshots may lack their largest blobs: leave those paths out (none of
	# them is built here).
	local missing
	missing=$(git -C "$git" ls-tree -r "$commit" | awk '{print $3, $4}' >"$work/ls-$name"
		cut -d' ' -f1 "$work/ls-$name" | git -C "$git" cat-file --batch-check |
			awk '$2 == "missing" {print $1}' >"$work/missing-$name"
		grep -Ff "$work/missing-$name" "$work/ls-$name" | awk '{print ":!" $2}')
	# shellcheck disable=SC2086
	# (git archive still names the first missing blob it walks past.)
	git -C "$git" archive "$commit" -- . $missing 2>/dev/null | tar -x -C "$src" &&
		[ -f "$src/Makefile" ] || return 1
}

# The values kp_check.c assumes, against the tree's definitions.
check_values() {
	local src=$1 name value got
	while read -r name value; do
		got=$(grep -rhE "^#define[[:space:]]+${name}[[:space:]]" "$src/arch/x86/include" \
			"$src/arch/x86/virt/vmx/tdx/tdx.h" 2>/dev/null | head -1 |
			awk '{print $3}' | sed 's/[uUlL]*$//')
		if [ -z "$got" ]; then
			fail "$2: $name is not defined in the tree"
		elif [ $((got)) -ne $((value)) ]; then
			fail "$2: $name is $got in the tree, $value in kp_check.c"
		fi
	done < <(sed -n 's/^[[:space:]]*{"\([A-Z_0-9]*\)", \(0x[0-9a-f]*\|[0-9]*\)},.*/\1 \2/p' \
		"$here/kp_check.c")
}

# run NAME SERIES_DIR ENVDIR MIRROR COMMIT
run() {
	local name=$1 series=$2 src=$work/src-$1 out=$work/build-$1 p objs log
	if ! prepare "$1" "$3" "$4" "$5"; then
		echo "SKIP $name: no tree (set TDXR_LINUX_${name//./_} or fetch $4)"
		return
	fi
	ran=$((ran + 1))
	SECONDS=0
	echo "=== $name: $(sed -n 's/^\(VERSION\|PATCHLEVEL\|SUBLEVEL\) = //p' "$src/Makefile" |
		paste -sd.) from ${3:-$4 $5}"
	for p in "$series"/[0-9][0-9][0-9][0-9]-*.patch; do
		case $(basename "$p") in 0000-*) continue ;; esac
		if ! (cd "$src" && git apply --check "$p" && git apply "$p"); then
			fail "$name: $(basename "$p") does not apply"
			return
		fi
		# No sign-off by design: whoever posts the series adds theirs.
		log=$(cd "$src" && perl scripts/checkpatch.pl --strict --no-signoff -q "$p" 2>&1)
		if echo "$log" | grep -E '^(ERROR|WARNING):' |
			grep -qv 'does MAINTAINERS need updating'; then
			fail "$name: checkpatch --strict on $(basename "$p"):"
			echo "$log"
		fi
		echo "$name: $(basename "$p"): applies; checkpatch:" \
			"$(echo "$log" | grep -E '^total:' || echo 'no obvious style problems')"
	done
	check_values "$src" "$name"
	[ "${TDXR_KTREE_NOBUILD:-0}" != 0 ] && return
	objs=$(cat "$series"/[0-9][0-9][0-9][0-9]-*.patch | sed -n 's|^+++ b/\(.*\)\.c$|\1.o|p' | sort -u)
	mkdir -p "$out"
	log=$out/build.log
	# shellcheck disable=SC2086 # $objs is a list of make targets
	{
		nice -n 19 make -s -C "$src" O="$out" defconfig &&
			"$src/scripts/config" --file "$out/.config" -e VIRTUALIZATION -m KVM \
				-m KVM_INTEL -e KVM_INTEL_TDX -e INTEL_TDX_HOST -d KEXEC \
				-d KEXEC_FILE -d CRASH_DUMP -d KEXEC_JUMP -e X86_X2APIC -e X86_MCE \
				-e CMA -e FTRACE -e ENABLE_DEFAULT_TRACERS -e EVENT_TRACING \
				-d DEBUG_INFO -e DEBUG_INFO_NONE &&
			nice -n 19 make -s -C "$src" O="$out" olddefconfig &&
			grep -q '^CONFIG_KVM_INTEL_TDX=y' "$out/.config" &&
			grep -q '^CONFIG_TRACEPOINTS=y' "$out/.config" &&
			nice -n 19 make -s -C "$src" O="$out" -j2 $objs
	} >"$log" 2>&1
	local rc=$?
	if [ $rc -ne 0 ] || grep -qE 'warning:|error:' "$log"; then
		fail "$name: the build of ${objs//$'\n'/ } failed or warned (exit $rc):"
		grep -E 'warning:|error:' "$log" | head -20
		tail -5 "$log"
		return
	fi
	echo "$name: built without a warning in ${SECONDS}s (tree preparation included):" \
		"${objs//$'\n'/ }"
}

mkdir -p "$work"
run 6.16 "$kp_dir" "${TDXR_LINUX_6_16:-}" KT0511+linux-6.16.1 \
	210b82c35000b63a0fa95d42feccddea97681b97
run 7.1 "$kp_dir/v7.1" "${TDXR_LINUX_7_1:-}" danayer+linux-7.1.5 \
	9d1745cf8134cb84ec6b15a755a194f6dd32dc08
if [ "$ran" -eq 0 ]; then
	echo "SKIP: no Linux tree to apply the series to (see the top of $0)"
	exit 77
fi
exit $status
