#!/usr/bin/env bash
# Make QEMU user-mode emulation work on this machine, idempotently, through xplat itself:
#   1. installs qemu-user-static and binfmt-support when `dpkg -s` says they are missing;
#   2. builds xplat when its binary is missing (XPLAT_BIN overrides the binary);
#   3. runs `xplat doctor --fix`: mounts binfmt_misc, turns it on, registers every known platform's
#      QEMU handler with the F flag (so emulation works inside containers) and replaces broken ones;
#      entries that already work are left alone, each change is printed;
#   4. checks with `xplat doctor --platform ...` that every foreign platform xplat builds for runs.
# One implementation of the binfmt rules (Sources/XPlatHost/Fix/BinfmtFixer.swift), used by users and by Scripts.
# Needs root. Exits non-zero with a message naming what failed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"
export XPLAT_LOG_NAME=binfmt
need_root
apt_install qemu-user-static binfmt-support

xplat="$(xplat_bin xplat)"

# --fix prints its changes to stderr; whether they were enough is decided by the check below (an
# unrelated finding elsewhere on the host must not stop the set-up).
"$xplat" doctor --fix --no-engine --no-exec >/dev/null || true
"$xplat" doctor --no-engine --platform linux/arm64,linux/arm/v7,linux/riscv64,linux/ppc64le,linux/s390x >/dev/null ||
    die "QEMU emulation is still not available after doctor --fix (run \`$xplat doctor\` for why)"
