#!/usr/bin/env bash
# Shared helpers for xplat's shell scripts. Source it; it defines functions only.
#
#   log MSG...            one line to stderr, prefixed with the script's name
#   die MSG...            log, then exit 1
#   need_root             die unless running as root
#   apt_install PKG...    install only the packages `dpkg -s` reports missing, running
#                         `apt-get update` at most once per process, never starting services
#   apt_updated           run `apt-get update` unless this process already did
#   wait_for SECS DESC CMD...   poll CMD every 0.2 s until it succeeds or SECS pass
#   pid_is PID EXE        true when PID is alive and runs the executable EXE
#
# Environment: XPLAT_RUN_DIR (default /run/xplat): where started processes' pid files live.

XPLAT_RUN_DIR="${XPLAT_RUN_DIR:-/run/xplat}"
_XPLAT_APT_UPDATED="${_XPLAT_APT_UPDATED:-0}"

log() { printf '%s: %s\n' "${XPLAT_LOG_NAME:-${0##*/}}" "$*" >&2; }

die() {
    log "error: $*"
    exit 1
}

need_root() {
    [ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts daemons)"
}

apt_updated() {
    [ "$_XPLAT_APT_UPDATED" = 1 ] && return 0
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
    _XPLAT_APT_UPDATED=1
}

# Packages whose postinst would start a daemon (docker.io, docker-registry) must not do so:
# a distribution-started dockerd creates the docker0 bridge and a registry on 0.0.0.0:5000.
# A policy-rc.d that answers 101 ("action forbidden") stops invoke-rc.d for the duration.
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    apt_updated
    local policy=/usr/sbin/policy-rc.d placed=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# placed by xplat apt_install: no service starts during install\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        placed=1
    fi
    log "installing ${missing[*]}"
    local rc=0
    DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || rc=$?
    [ "$placed" = 1 ] && rm -f "$policy"
    [ "$rc" = 0 ] || die "apt-get install ${missing[*]} failed (exit $rc)"
}

wait_for() {
    local secs="$1" desc="$2"
    shift 2
    local deadline=$((SECONDS + secs))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
    log "$desc: ready"
}

pid_is() {
    local pid="$1" exe="$2" actual
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
    actual="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
    [ "$actual" = "$exe" ] || [ "$actual" = "$exe (deleted)" ]
}

# Reads a pid file; prints the pid, or nothing.
read_pidfile() {
    [ -f "$1" ] && tr -dc '0-9' <"$1"
    return 0
}

# registry_config ORIGIN ROOT ADDRESS: the distribution registry configuration every registry of
# xplat's starts from (quiet logs, filesystem storage under ROOT with delete, listening on ADDRESS);
# the caller appends its own sections (tls, auth) after `http.addr`.
registry_config() {
    cat <<EOF
# Written by xplat $1
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $2
  delete:
    enabled: true
http:
  addr: $3
EOF
}

# A bad flag or value: log, then exit 64 (EX_USAGE, like xplat's own usage errors).
die_usage() {
    log "error: $*"
    exit 64
}

# xplat_bin [PRODUCT]: prints the path of the xplat binary (or of another product of this package,
# e.g. xplat-seed): $XPLAT_BIN (or PRODUCT beside it) when set and built, else this checkout's debug
# build, built first when missing. Scripts that need a fact of xplat's (the architecture table,
# doctor --fix) ask it.
xplat_bin() {
    local product="${1:-xplat}" root bin
    if [ -n "${XPLAT_BIN:-}" ]; then
        bin="$(dirname "$XPLAT_BIN")/$product"
        [ "$product" = xplat ] && bin="$XPLAT_BIN"
        if [ -x "$bin" ]; then
            echo "$bin"
            return
        fi
    fi
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    bin="$(cd "$root" && swift build --show-bin-path)/$product"
    if [ ! -x "$bin" ]; then
        log "building $product"
        (cd "$root" && swift build --product "$product" 2>&1 | tail -n 3 >&2)
    fi
    echo "$bin"
}
