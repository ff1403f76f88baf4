#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/cli/readers_test.sh TDXR DAT CTF - the readers the build was
# configured with (TDXR_WITH_DAT, TDXR_WITH_CTF: ON/OFF) are the ones that
# read: an input of a reader left out is exit 2 with a message naming the
# file and saying which readers are not built in; a built-in reader reads
# (or rejects with its own message) the same input.
set -u
tdxr=$1
dat=$2
ctf=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { fail=1; echo "FAIL: $*"; sed 's/^/  | /' "$tmp/err" | head -3; }
on() { case $1 in ON | on | TRUE | true | 1 | YES | yes) return 0 ;; esac; return 1; }

# A trace.dat's magic, then nothing readable.
printf '\027\010\104tracing6\0' > "$tmp/x.dat"
"$tdxr" dump "$tmp/x.dat" > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 2 ] || bad "trace.dat header only: exit $rc, want 2"
grep -q "$tmp/x.dat" "$tmp/err" || bad "trace.dat: message does not name the file"
if on "$dat"; then
	grep -q 'not built in' "$tmp/err" && bad "trace.dat reader built in, but said not to be"
	"$tdxr" dump --format trace.dat "$tmp/x.dat" > /dev/null 2> "$tmp/err"
	grep -q 'no trace.dat reader' "$tmp/err" && bad "--format trace.dat refused with the reader built in"
else
	grep -q 'not built in: .*trace.dat' "$tmp/err" || bad "no trace.dat reader: not said so"
	"$tdxr" dump --format trace.dat "$tmp/x.dat" > /dev/null 2> "$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -q 'this build has no trace.dat reader' "$tmp/err" ||
		bad "--format trace.dat without the reader: exit $rc"
fi

# A directory holding a CTF metadata file (empty: not a readable trace).
mkdir "$tmp/ctf"
: > "$tmp/ctf/metadata"
"$tdxr" dump "$tmp/ctf" > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 2 ] || bad "CTF directory with an empty metadata: exit $rc, want 2"
grep -q "$tmp/ctf" "$tmp/err" || bad "CTF: message does not name the directory"
if on "$ctf"; then
	grep -q 'not built in' "$tmp/err" && bad "CTF reader built in, but said not to be"
else
	grep -q 'not built in: .*ctf' "$tmp/err" || bad "no CTF reader: not said so"
fi

# Text is always read.
printf '  bash-1 [000] .... 1.000001: kvm_fpu: load\n' > "$tmp/t.trace"
"$tdxr" dump "$tmp/t.trace" > "$tmp/out" 2> "$tmp/err" || bad "text input: exit $?"
grep -q 'kvm_fpu' "$tmp/out" || bad "text input: event not read"
[ $fail = 0 ] && echo "PASS: readers as configured (trace.dat $dat, CTF $ctf)"
exit $fail
