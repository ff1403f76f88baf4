#!/usr/bin/env bash
# tests/format/format_check.sh TOP - fails listing the files clang-format
# would change (kernel-patch/ follows the kernel's own style).
set -u
top=$1
cd "$top" || exit 2
command -v clang-format >/dev/null || { echo "SKIP: clang-format not installed"; exit 77; }
files=$(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^kernel-patch/') ||
	{ echo "SKIP: not a git checkout"; exit 77; }
bad=0
for f in $files; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (run: clang-format -i $f)"
		bad=$((bad + 1))
	fi
done
echo "format: $(($(echo "$files" | wc -l) - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
