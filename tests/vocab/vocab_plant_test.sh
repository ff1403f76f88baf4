#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/vocab/vocab_plant_test.sh PYTHON CHECK TOP - the vocabulary check
# fails on a tree holding a copy of the table (a leaf name table, a status
# value) and passes once the copy is gone or only in a comment.
set -u
py=$1 check=$2 top=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/schema" "$tmp/src"
cp "$top/schema/tdx.def" "$top/schema/tdx_def.py" "$tmp/schema/"
fail=0
expect() { # expect RC WHAT FILE-CONTENT
	printf '%s\n' "$3" >"$tmp/src/x.c"
	"$py" "$check" "$tmp" 1 >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$1" ]; then
		echo "FAIL: $2: exit $rc, wanted $1"; cat "$tmp/out"; fail=1
	else
		echo "ok: $2"
	fi
}
expect 1 "a leaf name table is a copy" 'static const char *n[] = {[6] = "TDH_MEM_PAGE_AUG"};'
expect 1 "a dotted leaf name is a copy" 'const char *s = "TDH.MEM.PAGE.REMOVE";'
expect 1 "a status class value is a copy" 'uint64_t st = 0xC0000B0D00000001ull;'
expect 1 "a bare status class is a copy" 'unsigned int cls = 0xc0000b08;'
expect 0 "constants from tdx.h are no copy" 'uint64_t st = TDX_EPT_ENTRY_STATE_INCORRECT | TDX_OPERAND_ID_RCX;'
expect 0 "a comment may name a leaf" '/* "TDH_MEM_PAGE_AUG" 0xc0000b0800000001 */ int x;'
expect 0 "a name inside a longer string is text" 'const char *l = "leaf TDH_MEM_PAGE_AUG (6)";'
exit $fail
