# Helpers for Scripts/make-test-binaries (sourced, not run).

# ensure_packages PKG...: installs the Debian packages that `dpkg -s` says are missing, and only those.
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    echo "make-test-binaries: installing ${missing[*]}" >&2
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# content_hash FILE...: a short hash of the files' contents (the cache key).
content_hash() {
    cat "$@" | sha256sum | cut -c1-16
}

# manifest_row FILE PLATFORM FLOAT LINKAGE INTERPRETER KIND: one tab-separated manifest line.
manifest_row() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$WORK/manifest.tsv"
}
