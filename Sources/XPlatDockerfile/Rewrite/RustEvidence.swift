/// Rust crates that link C, as Cargo.lock lists them.
enum RustEvidence {
    /// -sys crates that link a system library, and the Debian -dev package providing it.
    static let systemLibraries: [String: String] = [
        "openssl-sys": "libssl-dev", "libz-sys": "zlib1g-dev", "libsqlite3-sys": "libsqlite3-dev",
        "pq-sys": "libpq-dev", "curl-sys": "libcurl4-openssl-dev", "libdbus-sys": "libdbus-1-dev",
        "libudev-sys": "libudev-dev", "pcap-sys": "libpcap-dev",
    ]
    /// -sys crates that only compile bundled C (with the target's C compiler) or are plain Rust.
    private static let selfContained: Set<String> = [
        "linux-raw-sys", "windows-sys", "js-sys", "web-sys", "core-foundation-sys", "wasi", "zstd-sys",
        "bzip2-sys", "lzma-sys", "libmimalloc-sys", "tikv-jemalloc-sys", "jemalloc-sys", "ring", "cc",
        "psm", "stacker", "blake3", "libc", "errno", "windows_x86_64_gnu", "io-uring", "system-configuration-sys",
    ]
    /// -sys crates built only for other operating systems (macOS, iOS, Windows, Android, BSD): never
    /// compiled for a Linux target, whatever Cargo.lock lists.
    private static let otherPlatformOnly: Set<String> = [
        "security-framework-sys", "core-foundation-sys", "coreaudio-sys", "io-kit-sys", "IOKit-sys", "objc-sys",
        "objc2-sys", "fsevent-sys", "mach-sys", "cocoa-sys", "metal-sys", "core-graphics-sys", "core-text-sys",
        "winapi-sys", "windows-sys", "winreg-sys", "ndk-sys", "android-sys", "jni-sys", "oboe-sys", "kqueue-sys",
    ]
    /// Crates that run on the build machine only (inside build scripts): not target libraries.
    private static let hostOnly: Set<String> = ["clang-sys", "bindgen", "cmake", "pkg-config", "cc", "vcpkg"]

    /// True when a locked crate needs a target library xplat has no mapping for.
    static func needsTargetLibrary(_ crate: String) -> Bool {
        crate.hasSuffix("-sys") && systemLibraries[crate] == nil && !selfContained.contains(crate)
            && !otherPlatformOnly.contains(crate) && !hostOnly.contains(crate)
    }

    /// Package names in a Cargo.lock.
    static func lockedCrates(_ text: String) -> Set<String> {
        var out = Set<String>()
        for line in text.split(separator: "\n") where line.hasPrefix("name = \"") {
            out.insert(String(line.dropFirst(8).prefix { $0 != "\"" }))
        }
        return out
    }

    /// True when a Cargo.toml declares no dependencies at all (and is no workspace): its build needs no Cargo.lock.
    static func hasNoDependencies(_ text: String) -> Bool {
        var section = ""
        for raw in text.split(separator: "\n") {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                section = line; if line.hasPrefix("[workspace") || line.contains("dependencies.") { return false };
                continue
            }
            if section.hasSuffix("dependencies]") { return false }
        }
        return true
    }

    /// Crates listed only under `[target.'cfg(...)'.dependencies]` (or a target triple) for another OS:
    /// `windows`, `target_os = "macos"`, "ios", "android", "freebsd", ... (not `unix`, not `linux`).
    static func otherPlatformDependencies(_ text: String) -> Set<String> {
        var other = Set<String>(), linux = Set<String>()
        var section: (target: Bool, otherOS: Bool)? = nil
        for raw in text.split(separator: "\n") {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if line.hasPrefix("[") {
                let inner = line.lowercased()
                if inner.hasSuffix("dependencies]") {
                    let isTarget = inner.hasPrefix("[target.")
                    let os = [
                        "windows", "\"macos\"", "\"ios\"", "\"android\"", "\"freebsd\"", "\"openbsd\"", "\"netbsd\"",
                        "\"dragonfly\"",
                        "apple", "-darwin", "wasm32", "msvc",
                    ]
                    let negated = inner.contains("not(")
                    section = (
                        isTarget,
                        isTarget && !negated && os.contains { inner.contains($0) } && !inner.contains("linux")
                            && !inner.contains("unix")
                    )
                } else {
                    section = nil
                }
                continue
            }
            guard let sec = section, let eq = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
            let name = String(line[..<eq]).trimmingCharacters(in: " \t\"")
            if sec.otherOS { other.insert(name) } else { linux.insert(name) }
        }
        return other.subtracting(linux)
    }
}
