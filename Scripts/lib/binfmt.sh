#!/usr/bin/env bash
# Make QEMU user-mode emulation work on this machine, idempotently.
#
# Source it and call `xplat_binfmt_setup`, or run it directly (`Scripts/lib/binfmt.sh`). It:
#   1. installs qemu-user-static and binfmt-support when `dpkg -s` says they are missing;
#   2. mounts binfmt_misc when it is not mounted (no systemd here, so nothing mounts it at boot);
#   3. turns binfmt_misc on globally when it was switched off;
#   4. registers every qemu-* format of qemu-user-static with the F (fix binary) flag, so that
#      emulation also works inside containers and chroots, first through `update-binfmts --enable`,
#      else by writing the register line itself; an existing qemu entry without F is re-registered.
# Entries that already work are left alone. Prints one line per change to stderr, nothing otherwise.
# Needs root. Exits non-zero (or returns, when sourced) with a message naming what failed.

XPLAT_BINFMT_MOUNT="${XPLAT_BINFMT_MOUNT:-/proc/sys/fs/binfmt_misc}"
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

_xplat_binfmt_log() { echo "binfmt: $*" >&2; }

# Prints the register line (`:name:M:offset:magic:mask:interpreter:flags`) for a binfmt-support
# format file in /var/lib/binfmts (lines: package, type, offset, magic, mask, interpreter,
# detector, credentials, preserve, fix_binary), always with F.
_xplat_binfmt_register_line() {
    local name="$1" file="/var/lib/binfmts/$1"
    local -a f
    mapfile -t f <"$file" || return 1
    local type="${f[1]}" offset="${f[2]}" magic="${f[3]}" mask="${f[4]}" interp="${f[5]}"
    local credentials="${f[7]:-no}" preserve="${f[8]:-no}"
    [ "$type" = magic ] || return 1
    local flags="F"
    [ "$preserve" = yes ] && flags="P$flags"
    [ "$credentials" = yes ] && flags="C$flags"
    printf ':%s:M:%s:%s:%s:%s:%s\n' "$name" "$offset" "$magic" "$mask" "$interp" "$flags"
}

# True when entry $1 exists, is enabled and has the F flag.
_xplat_binfmt_entry_ok() {
    local entry="$XPLAT_BINFMT_MOUNT/$1"
    [ -f "$entry" ] || return 1
    grep -qx enabled "$entry" || return 1
    grep -q '^flags:.*F' "$entry"
}

xplat_binfmt_setup() {
    if [ "$(id -u)" != 0 ]; then
        echo "binfmt: must run as root (it installs packages and writes $XPLAT_BINFMT_MOUNT)" >&2
        return 1
    fi

    XPLAT_LOG_NAME=binfmt apt_install qemu-user-static binfmt-support

    if [ ! -e "$XPLAT_BINFMT_MOUNT/register" ]; then
        _xplat_binfmt_log "mounting binfmt_misc on $XPLAT_BINFMT_MOUNT"
        mount -t binfmt_misc binfmt_misc "$XPLAT_BINFMT_MOUNT" || {
            echo "binfmt: cannot mount binfmt_misc on $XPLAT_BINFMT_MOUNT (is the binfmt_misc module available?)" >&2
            return 1
        }
    fi

    if [ "$(cat "$XPLAT_BINFMT_MOUNT/status")" != enabled ]; then
        _xplat_binfmt_log "enabling binfmt_misc globally"
        echo 1 >"$XPLAT_BINFMT_MOUNT/status" || return 1
    fi

    local file name failed=0
    for file in /var/lib/binfmts/qemu-*; do
        [ -f "$file" ] || continue
        name="${file##*/}"
        _xplat_binfmt_entry_ok "$name" && continue
        if [ -e "$XPLAT_BINFMT_MOUNT/$name" ]; then
            # Present but disabled or without F: replace it with a working registration.
            _xplat_binfmt_log "re-registering $name (was: $(tr '\n' ' ' <"$XPLAT_BINFMT_MOUNT/$name" | cut -c1-60))"
            echo -1 >"$XPLAT_BINFMT_MOUNT/$name" || { failed=1; continue; }
        fi
        if update-binfmts --enable "$name" >/dev/null 2>&1 && _xplat_binfmt_entry_ok "$name"; then
            _xplat_binfmt_log "enabled $name (update-binfmts)"
            continue
        fi
        [ -e "$XPLAT_BINFMT_MOUNT/$name" ] && echo -1 >"$XPLAT_BINFMT_MOUNT/$name"
        local line
        line="$(_xplat_binfmt_register_line "$name")" || { failed=1; continue; }
        if printf '%s' "$line" >"$XPLAT_BINFMT_MOUNT/register" && _xplat_binfmt_entry_ok "$name"; then
            _xplat_binfmt_log "registered $name"
        else
            echo "binfmt: could not register $name with: $line" >&2
            failed=1
        fi
    done
    return "$failed"
}

# Run directly: do the setup. Sourced: only define the functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    xplat_binfmt_setup
fi
