# SPDX-License-Identifier: GPL-2.0
# tests/capture/lttng_env.sh - sourced by the capture tests: a private
# lttng-sessiond (TRACING_NOTES.md, "Isolation that works"): the caller runs
# in its own mount namespace (lttng_env_enter re-executes it under
# `unshare -m`), with private tmpfs on /var/run/lttng and /dev/shm, so its
# daemon, sessions and traced programs never meet another test's.
#
#   lttng_env_enter "$0" "$@"   # first thing: re-exec in a namespace
#   lttng_env_mounts            # private mounts only
#   lttng_env_start             # mounts, starts the daemon (skip on failure)
#   lttng_env_stop              # stops it (also from the EXIT trap)
# Needs skip() and $TMPD from the caller.

lttng_env_enter() {
	if [ -z "${TDXR_LTTNG_NS:-}" ]; then
		command -v lttng-sessiond > /dev/null || skip "lttng-sessiond is not installed"
		command -v lttng > /dev/null || skip "the lttng command is not installed"
		command -v unshare > /dev/null || skip "unshare is not installed"
		unshare -m true 2> /dev/null || skip "cannot create a mount namespace (unshare -m)"
		TDXR_LTTNG_NS=1 exec unshare -m "$@"
	fi
}

LTTNG_SESSIOND_PID=

# Private /var/run/lttng and /dev/shm only (a program may start its own daemon).
lttng_env_mounts() {
	mount --make-rprivate / 2> /dev/null
	mkdir -p /var/run/lttng /dev/shm
	mount -t tmpfs tmpfs /var/run/lttng || skip "cannot mount a private /var/run/lttng"
	mount -t tmpfs tmpfs /dev/shm || skip "cannot mount a private /dev/shm"
	export LTTNG_HOME="$TMPD/lttng-home"
	mkdir -p "$LTTNG_HOME"
}

lttng_env_start() {
	lttng_env_mounts
	lttng-sessiond --daemonize --no-kernel > "$TMPD/sessiond.log" 2>&1 ||
		skip "lttng-sessiond does not start: $(head -2 "$TMPD/sessiond.log")"
	for _ in $(seq 50); do
		[ -s /var/run/lttng/lttng-sessiond.pid ] && break
		sleep 0.1
	done
	LTTNG_SESSIOND_PID=$(cat /var/run/lttng/lttng-sessiond.pid 2> /dev/null)
	[ -n "$LTTNG_SESSIOND_PID" ] || skip "lttng-sessiond started but wrote no pid file"
}

lttng_env_stop() {
	if [ -n "$LTTNG_SESSIOND_PID" ]; then
		kill "$LTTNG_SESSIOND_PID" 2> /dev/null
		for _ in $(seq 100); do
			kill -0 "$LTTNG_SESSIOND_PID" 2> /dev/null || break
			sleep 0.1
		done
		LTTNG_SESSIOND_PID=
	fi
}
