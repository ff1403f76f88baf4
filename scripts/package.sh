#!/usr/bin/env bash
# scripts/package.sh [--check] - build tdxr_VERSION_amd64.deb (cpack -G DEB,
# runtime dependencies computed by dpkg-shlibdeps) into build-pkg/.
#   --check  then prove it on a bare Debian 12: debootstrap a minbase
#            bookworm root (cached in build-pkg/bookworm), `apt-get install
#            ./tdxr_...deb` inside it, and replay the installed example
#            from /usr/share/doc/tdxr/examples. Needs root and a Debian
#            mirror; slow (minutes the first time, the bare root is then
#            cached), so it is a `slow` test, run in the normal build only.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build-pkg
check=0
[ "${1:-}" = --check ] && check=1

bash "$top/scripts/deps.sh" >/dev/null
cmake -S "$top" -B "$out" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$out" -j"$(nproc)" >/dev/null
(cd "$out" && rm -f tdxr_*.deb && cpack -G DEB >/dev/null)
deb=$(ls "$out"/tdxr_*_amd64.deb)
echo "package: $deb"
dpkg-deb -f "$deb" Package Version Depends
[ $check -eq 1 ] || exit 0

[ "$(id -u)" -eq 0 ] || { echo "package --check: needs root" >&2; exit 77; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
# The bare root is cached outside the checkout (a clean clone reuses it);
# TDXR_BOOKWORM_ROOT moves it.
root=${TDXR_BOOKWORM_ROOT:-/var/cache/tdxr/bookworm-minbase}
mkdir -p "$(dirname "$root")"
if [ ! -x "$root/usr/bin/apt-get" ]; then
	rm -rf "$root"
	debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$out/debootstrap.log" 2>&1 ||
		{ tail -5 "$out/debootstrap.log"; echo "package --check: debootstrap failed" >&2; exit 77; }
fi
# A throwaway copy of the bare root: every check starts bare.
work=$(mktemp -d "$out/check.XXXXXX")
trap 'umount -l "$work/root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
cp -a "$root" "$work/root"
cp /etc/resolv.conf "$work/root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$work/root/proc"
cp "$deb" "$work/root/tmp/"
chroot "$work/root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/'"$(basename "$deb")" >"$work/apt.log" 2>&1 ||
	{ tail -20 "$work/apt.log"; echo "package --check: apt-get install of the .deb failed" >&2; exit 1; }
set +e
chroot "$work/root" tdxr replay /usr/share/doc/tdxr/examples/td-tlb-not-tracked.trace >"$work/replay.out" 2>&1
rc=$?
set -e
cat "$work/replay.out"
[ $rc -eq 1 ] && grep -q tlb-not-tracked "$work/replay.out" ||
	{ echo "package --check: the installed tdxr did not find the example's bug (exit $rc)" >&2; exit 1; }
chroot "$work/root" sh -c 'ls /usr/share/man/man1/tdxr-replay.1* /usr/share/bash-completion/completions/tdxr /usr/lib/tdxr/libtdxr-vmm.so' >/dev/null ||
	{ echo "package --check: the man page, completion or shim is not installed" >&2; exit 1; }
echo "package --check: a bare Debian 12 installs $(basename "$deb") and replays the example"
