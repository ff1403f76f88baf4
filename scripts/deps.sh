#!/usr/bin/env bash
# scripts/deps.sh - install, with apt-get, the Debian 12 packages tdxr
# builds, tests and runs with, and only those missing. Idempotent.
set -euo pipefail

PKGS=(
	gcc make cmake pkg-config git python3 mawk time dpkg-dev man-db chromium
	tmux sqlite3 clang-format valgrind
	libcmocka-dev libsqlite3-dev libncurses-dev
	liblttng-ust-dev lttng-tools liblttng-ctl-dev
	babeltrace2 libbabeltrace2-dev
	trace-cmd libtracecmd-dev libtraceevent-dev libtracefs-dev
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	SUDO=(sudo)
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
