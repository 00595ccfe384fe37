extension Text {
    /// The 1-based line of the first occurrence of `needle` in `text`.
    static func lineNumber(of needle: String, in text: String) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) }.map { $0 + 1 }
    }
}

/// Library lookups in a C project's build files: what a cross build must find for the target.
enum CLibraryEvidence {
    /// The kind of build file, by the command that reads it.
    enum Kind { case cmake, autoconf, makefile }

    /// Libraries every cross gcc brings with libc6-dev-<debarch>-cross.
    private static let libcParts: Set<String> = [
        "m", "c", "pthread", "dl", "rt", "util", "crypt", "resolv", "gcc", "stdc++", "atomic",
    ]

    /// The first library lookup in `text` that xplat's wiring does not cover, with its 1-based line:
    /// CMake's find_package/find_library/find_path/pkg_check_modules (except Threads, and ZLIB when
    /// zlib1g-dev is `installed`), autoconf's PKG_CHECK_MODULES/AC_CHECK_LIB/AC_SEARCH_LIBS/AC_PATH_PROG of a
    /// `*-config`, a Makefile's pkg-config, `*-config --cflags/--libs` or `-lNAME` beyond libc's parts.
    static func unprovenLookup(in text: String, kind: Kind, installed: Set<String>) -> (line: Int, text: String)? {
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.hasPrefix("dnl") { continue }
            if lookup(line, kind: kind, installed: installed) {
                return (n + 1, line.count > 80 ? String(line.prefix(77)) + "..." : line)
            }
        }
        return nil
    }

    private static func lookup(_ line: String, kind: Kind, installed: Set<String>) -> Bool {
        switch kind {
        case .cmake:
            let lower = line.lowercased()
            if lower.hasPrefix("find_package(") {
                let name = lower.dropFirst("find_package(".count).prefix { !" )".contains($0) }
                return !(name == "threads" || name == "zlib" && installed.contains("zlib1g-dev"))
            }
            return ["find_library(", "find_path(", "pkg_check_modules(", "pkg_search_module("].contains {
                lower.hasPrefix($0)
            }
        case .autoconf:
            if ["PKG_CHECK_MODULES", "AC_SEARCH_LIBS", "AM_PATH_", "PKG_CHECK_EXISTS"].contains(where: {
                line.contains($0)
            }) {
                return true
            }
            if let r = line.range(of: "AC_CHECK_LIB(") {
                let name = String(line[r.upperBound...].prefix { !",)]".contains($0) }).trimmingCharacters(in: "[ ")
                return !libcParts.contains(name)
            }
            return line.contains("AC_PATH_PROG") && line.contains("-config")
        case .makefile:
            if line.contains("pkg-config") || line.contains("-config --") { return true }
            return line.split(whereSeparator: { " \t=".contains($0) }).contains { w in
                w.hasPrefix("-l") && w.count > 2
                    && w.dropFirst(2).allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "+" || $0 == "-" }
                    && !libcParts.contains(String(w.dropFirst(2)))
            }
        }
    }
}
