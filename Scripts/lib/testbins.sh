#!/usr/bin/env bash
# Helpers for Scripts/make-test-binaries (sourced, not run).

# Package installation: apt_install from common.sh (sourced by the scripts that use this file).

# content_hash FILE...: a short hash of the files' contents (the cache key).
content_hash() {
    cat "$@" | sha256sum | cut -c1-16
}

# manifest_row FILE PLATFORM FLOAT LINKAGE INTERPRETER KIND: one tab-separated manifest line.
manifest_row() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$WORK/manifest.tsv"
}
