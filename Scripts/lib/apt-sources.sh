#!/usr/bin/env bash
# The Debian mirror this machine's apt uses, read from its configuration; never a host name
# written into the repository. Source it; it defines functions only.
#
#   apt_source_entries       "URI SUITE MAIN" for every enabled deb entry of /etc/apt/sources.list,
#                            /etc/apt/sources.list.d/*.list (one-line) and *.sources (deb822);
#                            MAIN is "main" when the entry has that component, else "-"
#   find_debian_mirror       sets debian_mirror (the entry for this machine's codename),
#                            debian_security (a CODENAME-security entry, or empty) and
#                            debian_updates (1 when CODENAME-updates is used); dies when no entry
#                            names the codename. XPLAT_DEBIAN_MIRROR / XPLAT_DEBIAN_SECURITY override.
#   debian_sources_oneline OPTS   bookworm's entries in one-line form, OPTS (e.g. "[arch=arm64]") in each
#   debian_sources_deb822    bookworm's entries in deb822 form (an image's debian.sources)
#
# Environment: XPLAT_APT_ETC (default /etc/apt): where the apt configuration is read.

apt_source_entries() {
    local etc="${XPLAT_APT_ETC:-/etc/apt}" f
    for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # deb [options] URI SUITE COMPONENT...
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
            awk '$1 == "deb" && NF >= 4 { m = "-"; for (i = 4; i <= NF; i++) if ($i == "main") m = "main"; print $2, $3, m }'
    done
    for f in "$etc"/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
             {
                 types = ""; uris = ""; suites = ""; comps = ""; enabled = "yes"
                 for (i = 1; i <= NF; i++) {
                     line = $i
                     if (line ~ /^#/ || line ~ /^[ \t]/ || index(line, ":") == 0) continue
                     key = tolower(substr(line, 1, index(line, ":") - 1))
                     value = substr(line, index(line, ":") + 1)
                     gsub(/^[ \t]+|[ \t]+$/, "", value)
                     if (key == "types") types = value
                     else if (key == "uris") uris = value
                     else if (key == "suites") suites = value
                     else if (key == "components") comps = value
                     else if (key == "enabled") enabled = tolower(value)
                 }
                 if (enabled == "no" || (" " types " ") !~ / deb /) next
                 m = ((" " comps " ") ~ / main /) ? "main" : "-"
                 nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
                 for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++) print u[a], s[b], m
             }' "$f"
    done
}

find_debian_mirror() {
    debian_mirror="${XPLAT_DEBIAN_MIRROR:-}"
    debian_security="${XPLAT_DEBIAN_SECURITY:-}"
    debian_updates=0
    local codename entries
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
    entries="$(apt_source_entries | awk '$3 == "main"')"
    if [ -z "$debian_mirror" ]; then
        debian_mirror="$(awk -v c="$codename" '$2 == c { print $1; exit }' <<<"$entries")"
        [ -n "$debian_mirror" ] || die "no apt source for '$codename' with component main in ${XPLAT_APT_ETC:-/etc/apt}/sources.list*; set XPLAT_DEBIAN_MIRROR"
    fi
    if [ -z "$debian_security" ]; then
        debian_security="$(awk -v c="$codename" '$2 == c "-security" || $2 == c "/updates" { print $1; exit }' <<<"$entries")"
    fi
    awk -v c="$codename" -v m="$debian_mirror" '$1 == m && $2 == c "-updates" { found = 1 } END { exit !found }' <<<"$entries" &&
        debian_updates=1
    debian_mirror="${debian_mirror%/}"
    debian_security="${debian_security%/}"
    return 0
}

debian_sources_oneline() {
    local opts="$1"
    echo "deb $opts $debian_mirror bookworm main"
    [ "$debian_updates" = 0 ] || echo "deb $opts $debian_mirror bookworm-updates main"
    [ -z "$debian_security" ] || echo "deb $opts $debian_security bookworm-security main"
}

debian_sources_deb822() {
    local suites=bookworm
    [ "$debian_updates" = 0 ] || suites="bookworm bookworm-updates"
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$debian_mirror" "$suites"
    [ -z "$debian_security" ] ||
        printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$debian_security"
}
