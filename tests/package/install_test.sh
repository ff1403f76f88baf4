#!/usr/bin/env bash
# tests/package/install_test.sh MODE BUILD_DIR SOURCE_DIR - issue 18.
#   install  `cmake --install` into a DESTDIR: the files a user gets, none
#            referring to the build tree or the checkout, and the installed
#            binary replaying the installed example.
#   docs     the man pages and the bash completion say what `tdxr help`
#            says: every command, every option, the values they take.
#   shim     the installed `tdxr record --vmm` preloads the installed shim
#            (found beside the binary, ../lib/tdxr/), with no TDXR_VMM_SHIM.
# Exit 0 pass, 1 fail, 77 skip.
set -u
mode=$1
build=$2
src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
done_() { echo "$mode: $pass passed, $fail failed"; [ $fail -eq 0 ]; exit; }

root=$tmp/root
if ! DESTDIR=$root cmake --install "$build" --prefix /usr --strip >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	echo "FAIL: cmake --install"
	exit 1
fi
tdxr=$root/usr/bin/tdxr

case $mode in
install)
	for f in usr/bin/tdxr usr/lib/tdxr/libtdxr-vmm.so usr/lib/tdxr/tdxr-synth-ust \
		usr/share/man/man1/tdxr.1 usr/share/man/man1/tdxr-replay.1 \
		usr/share/bash-completion/completions/tdxr usr/share/doc/tdxr/README.md \
		usr/share/doc/tdxr/docs/index.md usr/share/doc/tdxr/examples/td-tlb-not-tracked.trace \
		usr/share/tdxr/kernel-patch/README.md; do
		[ -f "$root/$f" ] && ok || bad "not installed: /$f"
	done
	ls "$root"/usr/share/tdxr/kernel-patch/*.patch >/dev/null 2>&1 && ok || bad "no kernel patches installed"
	[ -d "$root/usr/share/tdxr/kernel-patch/lttng-modules" ] && ok || bad "no lttng-modules probe installed"
	# Nothing installed names the build tree or the checkout. A sanitizer
	# build is exempt: UBSan/ASan reports carry source paths (generated
	# headers in the build tree too) by design, and it is never packaged.
	if grep -q '^TDXR_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
		echo "note: sanitizer build: the build-path check is left to the normal build"
	else
		hits=$(grep -rl -e "$build" -e "$src" "$root" 2>/dev/null)
		[ -z "$hits" ] && ok || bad "installed files name the build tree or checkout: $hits"
	fi
	# The installed binary on the installed example (a KVM_BUG_ON trace).
	"$tdxr" replay "$root/usr/share/doc/tdxr/examples/td-tlb-not-tracked.trace" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 1 ] && ok || bad "installed replay of the example: exit $rc, want 1"
	grep -q 'tlb-not-tracked' "$tmp/out" && ok || bad "installed replay: no tlb-not-tracked finding"
	# synth --format ctf finds its installed writer (not run: needs a sessiond).
	env -u TDXR_SYNTH_UST "$tdxr" synth --list >/dev/null && ok || bad "installed synth --list"
	done_
	;;
docs)
	cmds=$("$tdxr" help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
	[ -n "$cmds" ] && ok || bad "tdxr help lists no command"
	man1=$root/usr/share/man/man1
	comp=$root/usr/share/bash-completion/completions/tdxr
	for c in $cmds; do
		page=$man1/tdxr-$c.1
		[ -f "$page" ] || { bad "no man page for $c"; continue; }
		# The page's synopsis, roff escapes undone, is `tdxr help CMD`'s usage.
		sed -n '/^\.nf$/,/^\.fi$/p' "$page" | sed '1d;$d' | sed 's/\\-/-/g; s/\\e/\\/g; s/^\\&//' >"$tmp/syn"
		"$tdxr" help "$c" | sed '1s/^usage: //' >"$tmp/help"
		if cmp -s "$tmp/syn" "$tmp/help"; then ok; else
			bad "man page of $c differs from tdxr help $c"
			diff "$tmp/help" "$tmp/syn" | head -5
		fi
		grep -q "^\.BR tdxr\\\\-$c (1)" "$man1/tdxr.1" && ok || bad "tdxr(1) does not list $c"
		# man renders it without a warning.
		warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[ -z "$warn" ] && ok || bad "man warns on tdxr-$c.1: $warn"
		# Completion: the options of the command's option lines and synopsis.
		want=$("$tdxr" help "$c" | grep -oE '(^|[[|]|^ +)--?[a-z][a-z0-9-]*' | grep -oE -- '--?[a-z][a-z0-9-]*' | sort -u)
		got=$(bash -c "source '$comp'; COMP_WORDS=(tdxr $c -); COMP_CWORD=2; _tdxr; printf '%s\n' \"\${COMPREPLY[@]}\"" | sort -u)
		if [ "$want" = "$got" ]; then ok; else
			bad "completion of '$c -' differs from tdxr help $c"
			diff <(echo "$want") <(echo "$got") | head -6
		fi
	done
	# Command names and values come from the same tables as the parsers.
	got=$(bash -c "source '$comp'; COMP_WORDS=(tdxr ''); COMP_CWORD=1; _tdxr; printf '%s\n' \"\${COMPREPLY[@]}\"" | grep -v -- '^-' | grep -v '^help$' | sort)
	[ "$got" = "$(echo "$cmds" | sort)" ] && ok || bad "command completion: $got"
	kinds=$(bash -c "source '$comp'; COMP_WORDS=(tdxr replay --fail-on ''); COMP_CWORD=3; _tdxr; printf '%s\n' \"\${COMPREPLY[@]}\"")
	for k in error warning tlb-not-tracked kvm-bug zero-step; do
		echo "$kinds" | grep -qx "$k" && ok || bad "--fail-on does not complete $k"
	done
	# Every kind completed is one --fail-on takes.
	for k in $kinds; do
		"$tdxr" replay --fail-on "$k" "$src/tests/traces/td-tlb-not-tracked.trace" >/dev/null 2>&1
		[ $? -le 1 ] && ok || bad "--fail-on $k is completed but refused"
	done
	scn=$(bash -c "source '$comp'; COMP_WORDS=(tdxr synth ''); COMP_CWORD=2; _tdxr; printf '%s\n' \"\${COMPREPLY[@]}\"" | sort)
	[ "$scn" = "$("$tdxr" synth --list | awk '{print $1}' | sort)" ] && ok || bad "synth scenario completion: $scn"
	done_
	;;
shim)
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for tdxr record"; exit 77; }
	command -v lttng-sessiond >/dev/null || { echo "SKIP: no lttng-sessiond"; exit 77; }
	env -u TDXR_VMM_SHIM "$tdxr" record --vmm -o "$tmp/rec" -- \
		sh -c 'echo "$LD_PRELOAD" >"$0"' "$tmp/preload" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 0 ] && ok || { bad "installed tdxr record --vmm: exit $rc"; head -5 "$tmp/out"; }
	want=$(readlink -f "$root/usr/lib/tdxr/libtdxr-vmm.so")
	got=$(readlink -f "$(cat "$tmp/preload" 2>/dev/null)" 2>/dev/null)
	[ -n "$got" ] && [ "$got" = "$want" ] && ok || bad "LD_PRELOAD was '$(cat "$tmp/preload" 2>/dev/null)', want the installed shim $want"
	done_
	;;
esac
echo "unknown mode $mode"
exit 1
