#!/usr/bin/env bash
# shellcheck disable=SC2154 # cache, work, keyring, base_path, cross_go_debs, debian_mirror: the caller's
# The root file system half of Scripts/seed-images: Debian packages resolved and downloaded in a
# private apt root per architecture, unpacked into a rootfs (busybox images: dpkg-deb -x; Debian
# images: registered in the rootfs's dpkg database, then configured by dpkg itself inside it, under
# QEMU for foreign architectures), and each rootfs packed as a gzip layer blob (GNU tar sorted by
# name with numeric owners, pigz on every core). Writing the image configs, manifests and the
# index, and pushing, is `xplat-seed`'s part (Sources/xplat-seed, on XPlatRegistry).
#
# Source it from seed-images; it defines functions only. They read the caller's variables: cache,
# work, keyring, base_path, cross_go_debs, the apt-sources.sh mirror variables, and its image table
# (image_packages, image_check) and deb_arch.
#
# How a Debian image is made: the way debootstrap's second stage would, without running dpkg
# itself under QEMU. The packages are unpacked here and registered in the rootfs's dpkg database
# as unpacked (control data, file lists, md5sums, maintainer scripts, conffile hashes); then their
# preinst scripts and `dpkg --configure -a` run in the rootfs, which sets up what maintainer
# scripts do: alternatives (awk, which, cc, c++, ...), diversions, users, /etc/shells,
# ld.so.cache. riscv64 busybox comes from trixie (bookworm has no riscv64 port).

# --- private apt roots ----------------------------------------------------------------------
# One per Debian architecture: an apt run loads its whole cache, and a six-architecture cache
# costs ~5 s a run against well under 1 s for one. riscv64 comes from trixie (bookworm has no
# riscv64 port); the others from bookworm, its updates and security suites.
pool="$cache/debs"

setup_apt() {
    local arch="$1" root="$cache/apt/$1"
    export APT_CONFIG="$root/apt.conf"
    [ -f "$root/.ready-$$" ] && return 0
    mkdir -p "$root"/etc/apt/{sources.list.d,preferences.d,apt.conf.d,trusted.gpg.d} \
        "$root"/var/lib/apt/lists/partial "$root"/var/cache/apt/archives/partial \
        "$root"/var/lib/dpkg "$pool/partial"
    : >"$root/var/lib/dpkg/status"
    local sources
    if [ "$arch" = riscv64 ]; then
        sources="deb [arch=$arch signed-by=$keyring] $debian_mirror trixie main"
    else
        sources="$(debian_sources_oneline "[arch=$arch signed-by=$keyring]")"
    fi
    # A changed mirror or suite list invalidates the indexes.
    if [ "$(cat "$root/etc/apt/sources.list" 2>/dev/null)" != "$sources" ]; then
        rm -f "$root"/var/lib/apt/lists/*_*
        printf '%s\n' "$sources" >"$root/etc/apt/sources.list"
    fi
    cat >"$root/apt.conf" <<EOF
Dir "$root/";
Dir::State::status "$root/var/lib/dpkg/status";
Dir::Cache::archives "$pool/";
Dir::Cache::srcpkgcache "";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
APT::Install-Recommends "false";
APT::Install-Suggests "false";
APT::Sandbox::User "root";
Acquire::Languages "none";
Debug::NoLocking "true";
EOF
    # Indexes younger than a day are reused: a rerun does not refetch them.
    if [ -z "$(find "$root/var/lib/apt/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
        log "fetching the Debian package indexes ($arch) from $debian_mirror"
        apt-get update -qq >&2 || die "apt-get update in the private apt root $root failed"
    fi
    rm -f "$root"/.ready-*
    : >"$root/.ready-$$"
}

# closure ARCH PKG... -> paths of the .deb files of the packages and all their dependencies,
# downloading those not yet in the pool.
closure() {
    setup_apt "$1"
    shift
    local out
    # One apt run resolves and downloads; -V lists "  NAME[:ARCH] (VERSION)" for every package
    # of the closure.
    out="$(apt-get install -d -y -V -o APT::Color=0 "$@" 2>&1)" ||
        die "cannot resolve or download $*: $(printf '%s' "$out" | grep '^E:' | head -n 3)"
    printf '%s\n' "$out" |
        awk '/^The following NEW packages will be installed/ { on = 1; next }
             on && /^   / && NF == 2 { gsub(/[()]/, "", $2); print $1, $2; next }
             on { on = 0 }' |
        while read -r name version; do
            local arch="${APT_CONFIG%/apt.conf}" f
            arch="${arch##*/}"
            case "$name" in *:*) arch="${name#*:}"; name="${name%%:*}" ;; esac
            for f in "$pool/${name}_${version//:/%3a}_$arch.deb" "$pool/${name}_${version//:/%3a}_all.deb" ""; do
                [ -z "$f" ] || [ -f "$f" ] && break
            done
            [ -n "$f" ] || die "no .deb for $name $version ($arch) in $pool after download"
            echo "$f"
        done
}

# usable_suites: bookworm-updates and bookworm-security stay in the images' sources only when
# their indexes verify for every image architecture on this mirror: a build's `apt-get update`
# (with `dpkg --add-architecture` for cross builds) fails on a single bad index. Seen here: a
# mirror whose bookworm-security armhf Packages.xz did not match its InRelease.
usable_suites() {
    local root="$cache/apt/suites" out
    [ "$debian_updates" = 1 ] || [ -n "$debian_security" ] || return 0
    rm -rf "$root" && mkdir -p "$root"/etc/apt "$root"/var/lib/apt/lists/partial "$root"/var/lib/dpkg "$root"/cache
    : >"$root/var/lib/dpkg/status"
    debian_sources_oneline "[arch=amd64,arm64,armhf signed-by=$keyring]" | grep -v ' bookworm main$' >"$root/etc/apt/sources.list"
    cat >"$root/apt.conf" <<EOF
Dir "$root/";
Dir::State::status "$root/var/lib/dpkg/status";
Dir::Cache "$root/cache/";
APT::Architecture "amd64";
APT::Architectures { "amd64"; "arm64"; "armhf"; };
Acquire::Languages "none";
APT::Sandbox::User "root";
Debug::NoLocking "true";
EOF
    out="$(APT_CONFIG="$root/apt.conf" apt-get update -q 2>&1)" || true
    if [ "$debian_updates" = 1 ] && grep -q '^E:.*bookworm-updates' <<<"$out"; then
        log "warning: bookworm-updates left out of the images' apt sources: $(grep '^E:.*bookworm-updates' <<<"$out" | head -n 1)"
        debian_updates=0
    fi
    if [ -n "$debian_security" ] && grep -q '^E:.*bookworm-security' <<<"$out"; then
        log "warning: bookworm-security left out of the images' apt sources: $(grep '^E:.*bookworm-security' <<<"$out" | head -n 1)"
        debian_security=""
    fi
    rm -rf "$root"
}

# required_packages ARCH -> the Priority: required packages of bookworm for ARCH (what
# debootstrap's minbase installs), from the private apt root's indexes.
required_packages() {
    setup_apt "$1"
    local root="${APT_CONFIG%/apt.conf}"
    awk '/^Package:/ { p = $2 } /^Priority: required/ { print p }' "$root"/var/lib/apt/lists/*_Packages | sort -u
}

# --- busybox-based images: dpkg-deb -x over busybox -------------------------------------------
applets=""

# The applet list (with install paths) is the same for every architecture: take it from the
# amd64 busybox-static, which runs here without emulation.
busybox_applets() {
    [ -n "$applets" ] && return 0
    local deb dir="$work/busybox-amd64"
    deb="$(closure amd64 busybox-static:amd64 | grep '/busybox-static_')"
    rm -rf "$dir" && mkdir -p "$dir"
    dpkg-deb -x "$deb" "$dir"
    applets="$("$dir/bin/busybox" --list-full)"
    rm -rf "$dir"
}

make_busybox_rootfs() {
    local image="$1" platform="$2" dir="$3" a deb
    a="$(deb_arch "$platform")"
    busybox_applets
    rm -rf "$dir" && mkdir -p "$dir"
    local debs
    # shellcheck disable=SC2046 # word splitting of the package list is intended
    debs="$(closure "$a" $(image_packages "$image" "$a"))"
    log "$image $platform: unpacking $(wc -l <<<"$debs") packages"
    while read -r deb; do dpkg-deb -x "$deb" "$dir"; done <<<"$debs"
    # trixie's busybox-static (riscv64) lives in /usr/bin: applet links point at /bin/busybox.
    if [ ! -e "$dir/bin/busybox" ] && [ -e "$dir/usr/bin/busybox" ]; then
        mkdir -p "$dir/bin" && ln -s ../usr/bin/busybox "$dir/bin/busybox"
    fi
    [ -x "$dir/bin/busybox" ] || die "$image $platform: no busybox in the rootfs"
    # Applet links where no package put a real file.
    local path
    while read -r path; do
        [ -n "$path" ] || continue
        [ -e "$dir/$path" ] || [ -L "$dir/$path" ] || {
            mkdir -p "$dir/$(dirname "$path")"
            ln -s /bin/busybox "$dir/$path"
        }
    done <<<"$applets"
    mkdir -p "$dir"/{etc,root,tmp,var/tmp,proc,sys,dev,run}
    chmod 1777 "$dir/tmp" "$dir/var/tmp"
    chmod 700 "$dir/root"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
    if [ "$image" = gcc:12 ]; then
        # make's default CC is cc: Debian sets that link through alternatives, which
        # dpkg-deb -x does not run.
        [ -e "$dir/usr/bin/cc" ] || ln -s gcc "$dir/usr/bin/cc"
        [ -e "$dir/usr/bin/cpp" ] || ln -s cpp-12 "$dir/usr/bin/cpp"
    fi
    check_rootfs "$image" "$platform" "$dir"
}

# A real check, in the rootfs, under QEMU where foreign: catches a missing library or loader.
check_rootfs() {
    local image="$1" platform="$2" dir="$3" check out
    check="$(image_check "$image")"
    # shellcheck disable=SC2086 # the check is a command line
    out="$(chroot "$dir" /usr/bin/env -i PATH="$base_path" HOME=/root $check 2>&1)" ||
        die "$image $platform: '$check' failed in its rootfs: $out"
    log "$image $platform: $check -> $(head -n 1 <<<"$out")"
}

# --- Debian images: unpacked here, configured by dpkg in the rootfs ------------------------
# Keys (NAME or NAME:ARCH for Multi-Arch: same) of the packages in DIR's dpkg database.
registered() {
    awk '/^Package:/ { p = $2 } /^Architecture:/ { a = $2 } /^Multi-Arch: same/ { m = 1 }
         /^$/ { if (p != "") print (m ? p ":" a : p); p = ""; m = 0 }
         END { if (p != "") print (m ? p ":" a : p) }' "$1/var/lib/dpkg/status"
}

# unpack_debs DIR DEB... : unpacks each package not yet registered in DIR's dpkg database and
# registers it as dpkg's unpack would (status "install ok unpacked", conffile hashes, the
# maintainer scripts, file list and md5sums under /var/lib/dpkg/info). Prints the new keys.
unpack_debs() {
    local dir="$1" deb ctrl="$work/control" known
    shift
    known=" $(registered "$dir" | tr '\n' ' ') "
    for deb in "$@"; do
        rm -rf "$ctrl" && mkdir -p "$ctrl"
        dpkg-deb -e "$deb" "$ctrl"
        local name arch key
        name="$(sed -n 's/^Package: //p' "$ctrl/control")"
        arch="$(sed -n 's/^Architecture: //p' "$ctrl/control")"
        key="$name"
        grep -qx 'Multi-Arch: same' "$ctrl/control" && key="$name:$arch"
        case "$known" in *" $key "*) continue ;; esac
        known="$known$key "
        # --keep-directory-symlink: /bin, /sbin, /lib are merged-/usr links, as debootstrap makes.
        dpkg-deb --fsys-tarfile "$deb" >"$work/data.tar"
        tar -x --keep-directory-symlink -f "$work/data.tar" -C "$dir"
        tar -t -f "$work/data.tar" | sed -e 's#^\./#/#' -e 's#/$##' -e 's#^$#/.#' >"$dir/var/lib/dpkg/info/$key.list"
        local member
        for member in "$ctrl"/*; do
            [ "${member##*/}" = control ] || cp -p "$member" "$dir/var/lib/dpkg/info/$key.${member##*/}"
        done
        register "$dir" "$ctrl" >>"$dir/var/lib/dpkg/status"
        echo "$key"
    done
}

# register DIR CONTROLDIR -> the package's dpkg status paragraph, unpacked, with its conffiles'
# hashes (of the files as unpacked, as dpkg records them).
register() {
    local dir="$1" ctrl="$2" cf
    sed -n '1p' "$ctrl/control"
    echo "Status: install ok unpacked"
    sed -e '1d' -e '/^$/d' "$ctrl/control"
    if [ -s "$ctrl/conffiles" ]; then
        echo "Conffiles:"
        while read -r cf; do
            case "$cf" in /*) ;; *) continue ;; esac # remove-on-upgrade and other flagged entries
            [ -f "$dir$cf" ] && echo " $cf $(md5sum <"$dir$cf" | cut -d' ' -f1)"
        done <"$ctrl/conffiles"
    fi
    echo
}

# in_root DIR CMD...: runs CMD in the rootfs DIR (under QEMU for a foreign architecture) with
# /proc and /dev/null, in the environment of a non-interactive package installation.
in_root() {
    local dir="$1"
    shift
    chroot "$dir" /usr/bin/env -i PATH="$base_path" HOME=/root LC_ALL=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true "$@"
}

mount_root() {
    mkdir -p "$1/proc" "$1/dev"
    mount -t proc proc "$1/proc"
    [ -e "$1/dev/null" ] || mknod -m 666 "$1/dev/null" c 1 3
    [ -e "$1/dev/urandom" ] || mknod -m 666 "$1/dev/urandom" c 1 9
}

unmount_root() {
    umount "$1/proc"
    rm -f "$1/dev/null" "$1/dev/urandom"
}

# configure DIR IMAGE PLATFORM KEY...: runs the new packages' preinst (install), then
# `dpkg --configure -a`, then checks that dpkg sees nothing half-done.
configure() {
    local dir="$1" image="$2" platform="$3" key out
    shift 3
    mount_root "$dir"
    for key in "$@"; do
        [ -f "$dir/var/lib/dpkg/info/$key.preinst" ] || continue
        out="$(in_root "$dir" DPKG_MAINTSCRIPT_NAME=preinst DPKG_MAINTSCRIPT_PACKAGE="${key%%:*}" \
            DPKG_MAINTSCRIPT_ARCH="$(deb_arch "$platform")" DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT=1 \
            DPKG_ADMINDIR=/var/lib/dpkg DPKG_ROOT= "/var/lib/dpkg/info/$key.preinst" install 2>&1)" ||
            die "$image $platform: the preinst of $key failed: $out"
    done
    out="$(in_root "$dir" dpkg --configure -a 2>&1)" || die "$image $platform: dpkg --configure -a failed: $(tail -n 5 <<<"$out")"
    out="$(in_root "$dir" dpkg --audit 2>&1)"
    [ -z "$out" ] || die "$image $platform: dpkg --audit after configuring: $out"
    unmount_root "$dir"
}

# make_debian_base PLATFORM DIR: bookworm's required set + apt, configured.
make_debian_base() {
    local platform="$1" dir="$2" a keys debs
    a="$(deb_arch "$platform")"
    rm -rf "$dir" && mkdir -p "$dir"/usr/{bin,sbin,lib} "$dir"/var/lib/dpkg/{info,updates,triggers,alternatives} \
        "$dir"/etc/apt/apt.conf.d "$dir"/etc/dpkg/dpkg.cfg.d
    local l
    for l in bin sbin lib; do ln -s "usr/$l" "$dir/$l"; done
    [ "$a" = amd64 ] && mkdir -p "$dir/usr/lib64" && ln -s usr/lib64 "$dir/lib64"
    : >"$dir/var/lib/dpkg/status"
    local list
    # shellcheck disable=SC2046 # word splitting of the package list is intended
    list="$(closure "$a" $(required_packages "$a") apt usr-is-merged)"
    mapfile -t debs <<<"$list"
    log "debian:bookworm $platform: unpacking ${#debs[@]} packages, configuring with dpkg in the rootfs"
    policy_rc_d "$dir"
    list="$(unpack_debs "$dir" "${debs[@]}")"
    mapfile -t keys <<<"$list"
    configure "$dir" debian:bookworm "$platform" "${keys[@]}"
    apt_settings "$dir"
}

# Like Debian's images: no service starts inside a build (invoke-rc.d asks policy-rc.d).
policy_rc_d() {
    mkdir -p "$1/usr/sbin"
    printf '#!/bin/sh\n# no services in a container image (as in Debian'"'"'s own images)\nexit 101\n' >"$1/usr/sbin/policy-rc.d"
    chmod 755 "$1/usr/sbin/policy-rc.d"
}

# The mirror this machine's apt uses; apt's caches cleaned after each run, as Debian's images do.
apt_settings() {
    local dir="$1"
    debian_sources_deb822 >"$dir/etc/apt/sources.list.d/debian.sources"
    rm -f "$dir/etc/apt/sources.list"
    cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    printf 'Acquire::Languages "none";\n' >"$dir/etc/apt/apt.conf.d/docker-no-languages"
}

# What Debian's images leave out of a layer: caches, logs, backups, this machine's identity.
clean_tree() {
    local dir="$1"
    rm -rf "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* \
        "$dir"/var/cache/debconf/*-old "$dir"/var/lib/dpkg/*-old "$dir"/var/log/apt/* "$dir"/var/log/dpkg.log \
        "$dir"/var/log/alternatives.log "$dir"/tmp/* "$dir"/root/.cache
    mkdir -p "$dir/var/lib/apt/lists/partial"
    : >"$dir/etc/machine-id"
    chmod 1777 "$dir/tmp"
}

# slimify DIR: debian:bookworm-slim, as Debian's slim images: documentation, man pages and
# translations removed and kept out of later installs by dpkg path-exclude rules.
slimify() {
    local dir="$1"
    cat >"$dir/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# as in Debian's slim images: no documentation, man pages or translations
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
    find "$dir/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$dir"/usr/share/{man,groff,info,lintian,linda}/*
    find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
}

# add_packages DIR IMAGE PLATFORM: the image's packages installed over the Debian base in DIR.
add_packages() {
    local dir="$1" image="$2" platform="$3" a debs keys
    a="$(deb_arch "$platform")"
    local list
    # shellcheck disable=SC2046 # word splitting of the package list is intended
    list="$(closure "$a" $(required_packages "$a") apt usr-is-merged $(image_packages "$image" "$a"))"
    mapfile -t debs <<<"$list"
    list="$(unpack_debs "$dir" "${debs[@]}")"
    mapfile -t keys <<<"$list"
    log "$image $platform: ${#keys[@]} packages over debian:bookworm, configuring with dpkg in the rootfs"
    configure "$dir" "$image" "$platform" "${keys[@]}"
    case "$image" in
    golang:*)
        mkdir -p "$dir/go/bin" "$dir/go/src" "$dir/usr/local"
        chmod 777 "$dir/go" "$dir/go/bin" "$dir/go/src"
        ln -sfn ../lib/go-1.19 "$dir/usr/local/go"
        [ "$a" = amd64 ] && add_cross_go_std "$dir"
        ;;
    rust:*) mkdir -p "$dir/usr/local/cargo/bin" ;;
    esac
    return 0
}

add_cross_go_std() {
    local dir="$1" da goarch deb
    for da in $cross_go_debs; do
        goarch="$da"
        [ "$da" = armhf ] && goarch=arm
        deb="$(closure "$da" "golang-1.19-go:$da" | grep '/golang-1.19-go_')"
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" "./usr/lib/go-1.19/pkg/linux_$goarch"
    done
    mount_root "$dir"
    local out
    out="$(in_root "$dir" GOCACHE=/tmp/gocache CGO_ENABLED=0 GOARCH=arm GOARM=7 /usr/lib/go-1.19/bin/go install std 2>&1)" ||
        die "golang amd64: go install std failed: $out"
    unmount_root "$dir"
    rm -rf "$dir/tmp/gocache"
    log "golang:1.19 linux/amd64: standard library precompiled for linux/arm64, linux/arm/v7 (GOARM=7), CGO_ENABLED=0"
}

# debian_base PLATFORM -> "DIFF_ID DIGEST SIZE" of debian:bookworm's layer for PLATFORM, its
# rootfs at $work/base-DEBARCH, its blob in $work/base-DEBARCH.oci (place_blob links it into a
# layout) and that line in $work/base-DEBARCH.layer; made once a run.
debian_base() {
    local platform="$1" a
    a="$(deb_arch "$platform")"
    local dir="$work/base-$a" layer="$work/base-$a.layer"
    if [ ! -s "$layer" ]; then
        make_debian_base "$platform" "$dir"
        clean_tree "$dir"
        check_rootfs debian:bookworm "$platform" "$dir"
        mkdir -p "$work/base-$a.oci"
        pack_layer "$dir" "$work/base-$a.oci" >"$layer"
    fi
    cat "$layer"
}

# debian_layers IMAGE PLATFORM LAYOUT -> "DIFF_ID DIGEST SIZE" per layer, lowest first, with the
# blobs placed in LAYOUT. debian:bookworm: the base; slim: one layer of its own; golang and rust:
# the base and a layer of what installing their packages changed (files whose inode changed
# after a time mark, whiteouts for files that went away).
debian_layers() {
    local image="$1" platform="$2" layout="$3" a base
    a="$(deb_arch "$platform")"
    base="$(debian_base "$platform")"
    local dir="$work/rootfs"
    rm -rf "$dir"
    case "$image" in
    debian:bookworm)
        place_blob "$a" "$layout" "$base"
        echo "$base"
        ;;
    debian:bookworm-slim)
        cp -a "$work/base-$a" "$dir"
        slimify "$dir"
        check_rootfs "$image" "$platform" "$dir"
        pack_layer "$dir" "$layout"
        ;;
    *)
        place_blob "$a" "$layout" "$base"
        echo "$base"
        cp -a "$work/base-$a" "$dir"
        touch "$work/mark" && sleep 1
        add_packages "$dir" "$image" "$platform"
        clean_tree "$dir"
        check_rootfs "$image" "$platform" "$dir"
        upper_layer "$work/base-$a" "$dir" "$work/mark" "$layout"
        ;;
    esac
    rm -rf "$dir"
}

place_blob() {
    local a="$1" layout="$2" digest
    digest="$(cut -d' ' -f2 <<<"$3")"
    mkdir -p "$layout/blobs/sha256"
    ln -f "$work/base-$a.oci/blobs/sha256/$digest" "$layout/blobs/sha256/$digest" 2>/dev/null ||
        cp "$work/base-$a.oci/blobs/sha256/$digest" "$layout/blobs/sha256/$digest"
}

# upper_layer LOWER DIR MARK LAYOUT: packs what changed in DIR since MARK (a copy of LOWER before).
upper_layer() {
    local lower="$1" dir="$2" mark="$3" layout="$4" upper="$work/upper" path
    rm -rf "$upper" && mkdir -p "$upper"
    (cd "$dir" && find . -mindepth 1 -cnewer "$mark" -print0 | tar --null --no-recursion -T - -cf -) | tar -x -C "$upper"
    # Whiteouts: OCI's ".wh.NAME" beside each path that is in LOWER and no longer in DIR.
    while read -r path; do
        mkdir -p "$upper/$(dirname "$path")"
        : >"$upper/$(dirname "$path")/.wh.$(basename "$path")"
    done < <(comm -23 <(cd "$lower" && find . -mindepth 1 | sort) <(cd "$dir" && find . -mindepth 1 | sort))
    pack_layer "$upper" "$layout"
    rm -rf "$upper"
}

# --- layers --------------------------------------------------------------------------------
# Packs DIR as a gzip layer into the layout's blobs, leaving out the paths listed in the file
# EXCLUDES (one ./path a line) when given; prints "DIFF_ID DIGEST SIZE".
pack_layer() {
    local dir="$1" layout="$2" excludes="${3:-/dev/null}"
    local blobs="$layout/blobs/sha256" tarfile="$layout/layer.tar" gz="$layout/layer.tar.gz"
    mkdir -p "$blobs"
    tar --sort=name --numeric-owner --owner=0 --group=0 --anchored --no-wildcards -X "$excludes" \
        -C "$dir" -cf "$tarfile" .
    local diff_id digest
    diff_id="$(sha256sum "$tarfile" | cut -d' ' -f1)"
    if command -v pigz >/dev/null; then pigz -1 -c "$tarfile" >"$gz"; else gzip -1 -n -c "$tarfile" >"$gz"; fi
    rm -f "$tarfile"
    digest="$(sha256sum "$gz" | cut -d' ' -f1)"
    echo "$diff_id $digest $(stat -c %s "$gz")"
    mv "$gz" "$blobs/$digest"
}

# busybox_layers IMAGE PLATFORM LAYOUT -> the layers of a busybox-based image.
busybox_layers() {
    local image="$1" platform="$2" layout="$3" rootfs="$work/rootfs"
    make_busybox_rootfs "$image" "$platform" "$rootfs"
    pack_layer "$rootfs" "$layout"
    rm -rf "$rootfs"
}
