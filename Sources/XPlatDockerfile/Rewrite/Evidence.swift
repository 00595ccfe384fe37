// What a build stage needs, read from the Dockerfile and the build context: packages it installs
// (version pins and architecture qualifiers removed), whether its Go code needs cgo, which -sys
// crates its Rust code links, what its Makefile wraps. The rewriter wires a stage only when this
// evidence says the wiring is enough; otherwise it leaves the stage with a finding.

/// A package named by `apt-get install`, `apt install` or `apk add`.
struct InstalledPackage: Hashable {
    enum Manager { case apt, apk }
    var name: String
    var manager: Manager
    /// Offset of the word in the RUN's command text, and the RUN.
    var offset: Int
    var run: Int

    /// What the package is to a cross build.
    enum Kind { case cCompiler, libc, hostTool, targetLibrary, other }

    var kind: Kind {
        if Self.cCompilers.contains(name) { return .cCompiler }
        if Self.libcs.contains(name) || name.hasPrefix("linux-libc-dev") { return .libc }
        if Self.hostTools.contains(where: { name.hasPrefix($0) }) { return .hostTool }
        if name.hasSuffix("-dev") || manager == .apk && name.hasSuffix("-static") { return .targetLibrary }
        return .other
    }

    static let cCompilers: Set<String> = ["gcc", "g++", "build-base", "build-essential", "clang", "cc", "c++"]
    static let libcs: Set<String> = ["libc6-dev", "musl-dev", "libc-dev", "linux-headers"]
    /// `-dev` packages used by tools on the build machine, not linked into the target: libclang for
    /// bindgen, LLVM, dpkg's build helpers, and Debian's source packages (`librust-*-dev`: crate
    /// sources for cargo's offline registry; `golang-*-dev`: Go sources), which cargo and go read on
    /// the build machine. The C libraries a `-sys` crate links are separate `-dev` packages.
    static let hostTools = [
        "libclang", "llvm", "dpkg-dev", "libstd-rust-dev", "python3-dev", "python-dev",
        "librust-", "golang-",
    ]

    /// Packages a RUN installs; `words` are its shell words.
    static func parse(_ words: [ShellWord], run: Int) -> [InstalledPackage] {
        var out: [InstalledPackage] = []
        var k = 0
        while k < words.count {
            let w = words[k]
            let manager: Manager? =
                w.isCommand && ["apt-get", "apt"].contains(Shell.name(w.text))
                ? .apt
                : w.isCommand && Shell.name(w.text) == "apk" ? .apk : nil
            k += 1
            guard let manager else { continue }
            let verb = words[k...].prefix { !$0.isCommand }.first { !$0.text.hasPrefix("-") }
            guard let verb, manager == .apt ? verb.text == "install" : verb.text == "add" else { continue }
            while k < words.count, !words[k].isCommand {
                let t = words[k].text
                if !t.hasPrefix("-") && t != verb.text && !t.contains("$") && !t.contains("/") && !(t.hasPrefix("."))
                    && words[k].offset != verb.offset
                {
                    out.append(
                        InstalledPackage(name: Self.bareName(t), manager: manager, offset: words[k].offset, run: run))
                }
                k += 1
            }
        }
        return out
    }

    /// `libssl-dev=3.0.*` -> `libssl-dev`, `zlib1g-dev:arm64` -> `zlib1g-dev`, `openssl-dev=~3.1` -> `openssl-dev`.
    static func bareName(_ word: String) -> String {
        String(word.prefix { !"=:<>~".contains($0) })
    }
}

/// Go's cgo, as the evidence shows it.
enum GoEvidence {
    /// Modules whose packages need cgo (some build a stub without it, which compiles and fails at run time).
    static let cgoModules = [
        "github.com/mattn/go-sqlite3", "github.com/google/gopacket", "github.com/miekg/pkcs11",
        "github.com/confluentinc/confluent-kafka-go", "github.com/DataDog/zstd", "github.com/linxGnu/grocksdb",
        "github.com/tecbot/gorocksdb", "github.com/godror/godror", "github.com/mattn/go-oci8",
        "github.com/ceph/go-ceph", "github.com/libgit2/git2go", "github.com/go-gl/", "github.com/gen2brain/",
        "github.com/mutecomm/go-sqlcipher", "github.com/xeodou/go-sqlcipher", "github.com/cockroachdb/c-",
    ]
    /// Build tags that select cgo code (`TAGS=sqlite`, `-tags "sqlite sqlite_unlock_notify"`).
    static let cgoTags = ["sqlite", "cgo", "pcap", "libsqlite3", "sqlcipher", "rocksdb", "pkcs11"]

    /// 1-based line of `import "C"` (alone or inside an import block), if any.
    static func cgoImportLine(_ text: String) -> Int? {
        guard text.contains("\"C\"") else { return nil }
        var inBlock = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if line == "import \"C\"" || inBlock && line == "\"C\"" { return n + 1 }
            if line.hasPrefix("import (") { inBlock = true } else if inBlock && line.hasPrefix(")") { inBlock = false }
        }
        return nil
    }

    /// The `module` path of a go.mod.
    static func modulePath(_ text: String) -> String? {
        for raw in text.split(separator: "\n") {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if line.hasPrefix("module ") { return String(line.dropFirst(7)).trimmingCharacters(in: " \t\"") }
        }
        return nil
    }

    /// Required modules of a go.mod that are not `// indirect`, with their 1-based lines.
    static func directRequirements(_ text: String) -> [(line: Int, module: String)] {
        var out: [(Int, String)] = []
        var inBlock = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw).trimmingCharacters(in: " \t\r")
            if inBlock && line.hasPrefix(")") { inBlock = false; continue }
            if line.hasPrefix("require (") { inBlock = true; continue }
            if line.hasPrefix("require ") { line = String(line.dropFirst(8)) } else if !inBlock { continue }
            if line.contains("// indirect") || line.hasPrefix("//") { continue }
            if let name = line.split(separator: " ").first { out.append((n + 1, String(name))) }
        }
        return out
    }

    /// Import paths of a Go file (single imports and import blocks, aliases dropped).
    static func imports(_ text: String) -> [String] {
        var out: [String] = []
        var inBlock = false
        for raw in text.split(separator: "\n") {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if inBlock {
                if line.hasPrefix(")") { inBlock = false; continue }
            } else if line.hasPrefix("import (") {
                inBlock = true; continue
            } else if !line.hasPrefix("import ") {
                if line.hasPrefix("func ") || line.hasPrefix("type ") || line.hasPrefix("var ") { break }
                continue
            }
            if let q = line.firstIndex(of: "\""), let e = line[line.index(after: q)...].firstIndex(of: "\"") {
                out.append(String(line[line.index(after: q)..<e]))
            }
        }
        return out
    }

    /// True when `value` (a -tags list or TAGS value) names a cgo tag.
    static func hasCgoTag(_ value: String) -> Bool {
        value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\"" || $0 == "'" })
            .contains { tag in cgoTags.contains { tag.lowercased().hasPrefix($0) } }
    }
}

/// Rust crates that link C, as Cargo.lock lists them.
enum RustEvidence {
    /// -sys crates that link a system library, and the Debian -dev package providing it.
    static let systemLibraries: [String: String] = [
        "openssl-sys": "libssl-dev", "libz-sys": "zlib1g-dev", "libsqlite3-sys": "libsqlite3-dev",
        "pq-sys": "libpq-dev", "curl-sys": "libcurl4-openssl-dev", "libdbus-sys": "libdbus-1-dev",
        "libudev-sys": "libudev-dev", "pcap-sys": "libpcap-dev",
    ]
    /// -sys crates that only compile bundled C (with the target's C compiler) or are plain Rust.
    static let selfContained: Set<String> = [
        "linux-raw-sys", "windows-sys", "js-sys", "web-sys", "core-foundation-sys", "wasi", "zstd-sys",
        "bzip2-sys", "lzma-sys", "libmimalloc-sys", "tikv-jemalloc-sys", "jemalloc-sys", "ring", "cc",
        "psm", "stacker", "blake3", "libc", "errno", "windows_x86_64_gnu", "io-uring", "system-configuration-sys",
    ]
    /// -sys crates built only for other operating systems (macOS, iOS, Windows, Android, BSD): never
    /// compiled for a Linux target, whatever Cargo.lock lists.
    static let otherPlatformOnly: Set<String> = [
        "security-framework-sys", "core-foundation-sys", "coreaudio-sys", "io-kit-sys", "IOKit-sys", "objc-sys",
        "objc2-sys", "fsevent-sys", "mach-sys", "cocoa-sys", "metal-sys", "core-graphics-sys", "core-text-sys",
        "winapi-sys", "windows-sys", "winreg-sys", "ndk-sys", "android-sys", "jni-sys", "oboe-sys", "kqueue-sys",
    ]
    /// Crates that run on the build machine only (inside build scripts): not target libraries.
    static let hostOnly: Set<String> = ["clang-sys", "bindgen", "cmake", "pkg-config", "cc", "vcpkg"]

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

/// What a Makefile drives.
enum MakefileEvidence {
    /// True when the Makefile calls cargo.
    static func wrapsCargo(_ text: String) -> Bool { text.contains("cargo ") }

    /// True when the Makefile compiles Go.
    static func wrapsGo(_ text: String) -> Bool {
        text.contains("go build") || text.contains("go install") || text.contains("$(GO)")
    }

    /// The 1-based line where the Makefile turns cgo off for the go commands it runs, if it does and
    /// never turns it on: `CGO_ENABLED ?= 0` (`:=`, `=`) that reaches the recipes (`export`,
    /// `.EXPORT_ALL_VARIABLES`, or `CGO_ENABLED=$(CGO_ENABLED)` on every go line), or `CGO_ENABLED=0` on every
    /// line that runs go (one `CGO_ENABLED=0 go build` says nothing of another recipe's `go build`).
    static func disablesCgo(_ text: String) -> Int? {
        guard enablesCgo(text) == nil else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: " \t\r")
        }
        let goLines = lines.indices.filter { n in
            !lines[n].hasPrefix("#")
                && (lines[n].contains("go build") || lines[n].contains("go install") || lines[n].contains("$(GO)"))
        }
        let exported =
            text.contains(".EXPORT_ALL_VARIABLES")
            || lines.contains { $0 == "export" || $0.hasPrefix("export CGO_ENABLED") }
            || !goLines.isEmpty
                && goLines.allSatisfy {
                    lines[$0].contains("CGO_ENABLED=$(CGO_ENABLED)") || lines[$0].contains("CGO_ENABLED=${CGO_ENABLED}")
                }
        let everyGoLineOff = !goLines.isEmpty && goLines.allSatisfy { lines[$0].contains("CGO_ENABLED=0 ") }
        for (n, line) in lines.enumerated() {
            if everyGoLineOff && goLines.contains(n) { return n + 1 }
            let bare = line.hasPrefix("export ") ? String(line.dropFirst(7)) : line
            guard bare.hasPrefix("CGO_ENABLED") else { continue }
            let rest = bare.dropFirst("CGO_ENABLED".count).replacingOccurrences(of: " ", with: "")
            if ["=0", "?=0", ":=0", "::=0"].contains(rest) && (exported || line.hasPrefix("export ")) { return n + 1 }
        }
        return nil
    }

    /// The 1-based line where the Makefile turns cgo on, if it does.
    static func enablesCgo(_ text: String) -> Int? {
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.replacingOccurrences(of: " ", with: "")
            if line.hasPrefix("#") { continue }
            if ["CGO_ENABLED=1", "CGO_ENABLED?=1", "CGO_ENABLED:=1"].contains(where: { line.contains($0) }) {
                return n + 1
            }
        }
        return nil
    }

    /// How the Makefile sets GOOS/GOARCH for go: variables of its own that the environment can set
    /// (`GOARCH=$(TARGET_ARCH) go build` with `TARGET_ARCH` assigned only by `?=`), each with the Go
    /// variable it reaches; or the first line that fixes the architecture another way
    /// (`GOARCH := amd64`, `GOARCH=$(shell uname -m)`, a variable assigned with `=` or `:=`).
    /// Only the lines `make` reads for `goals` count (`linesRun`).
    static func goArchitecture(_ text: String, goals: [String]) -> (
        variables: [(name: String, goVariable: String)], blocker: (line: Int, text: String)?
    ) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: " \t\r")
        }
        let run = linesRun(text, goals: goals)
        var variables: [(String, String)] = []
        for (n, line) in lines.enumerated() where !line.hasPrefix("#") && run.contains(n) {
            let suspicious =
                ["GOARCH=", "GOARCH :=", "GOARCH =", "GOOS=", "GOOS :=", "uname -m"].contains { line.contains($0) }
                && !line.contains("?=") && !line.contains("$(GOARCH)") && !line.contains("${GOARCH}")
            guard suspicious else { continue }
            var resolved: [(String, String)] = []
            var ok = !line.contains("uname -m")
            for goVariable in ["GOOS", "GOARCH"] {
                for a in Text.assignments(of: goVariable, in: Array(line.utf8)[...]) {
                    if let name = Self.reference(a.value), name != goVariable, Self.onlyConditional(name, lines) {
                        resolved.append((name, goVariable))
                    } else {
                        ok = false
                    }
                }
            }
            if line.contains("GOARCH :=") || line.contains("GOARCH =") || line.contains("GOOS :=") { ok = false }
            guard ok else { return (variables, (n + 1, line)) }
            for r in resolved where !variables.contains(where: { $0.0 == r.0 }) { variables.append(r) }
        }
        // The variables are set through the environment, which any `:=` in an included file overrides:
        // with an include make reads, that they reach go is not shown.
        if !variables.isEmpty,
            let n = lines.indices.first(where: { n in
                run.contains(n) && ["include ", "-include ", "sinclude "].contains { lines[n].hasPrefix($0) }
            })
        {
            return (variables, (n + 1, lines[n]))
        }
        return (variables, nil)
    }

    /// 0-based lines that take part when make builds `goals` (none: the first rule's target): every
    /// line outside a recipe (assignments, conditionals), and the recipes of the goals and of the
    /// rules they reach through prerequisites and `$(MAKE) target` calls. Other rules' recipes do not run.
    static func linesRun(_ text: String, goals: [String]) -> Set<Int> {
        let raw = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var recipes: [String: [Int]] = [:], prerequisites: [String: [String]] = [:]
        var outside = Set<Int>(), firstTarget: String?, current: [String] = []
        for (n, line) in raw.enumerated() {
            if line.hasPrefix("\t") && !current.isEmpty {
                for t in current { recipes[t, default: []].append(n) }
                continue
            }
            outside.insert(n)
            let trimmed = line.trimmingCharacters(in: " \t\r")
            guard !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":"),
                !trimmed[colon...].hasPrefix(":="), !trimmed[colon...].hasPrefix("::="),
                !trimmed[..<colon].contains("="), !trimmed.hasPrefix("ifeq"), !trimmed.hasPrefix("ifneq")
            else {
                // A conditional inside a recipe keeps the recipe going; any other line ends it.
                let conditional = ["ifeq", "ifneq", "ifdef", "ifndef", "else", "endif"].contains {
                    trimmed.hasPrefix($0)
                }
                if !trimmed.isEmpty && !conditional { current = [] }
                continue
            }
            current = trimmed[..<colon].split(separator: " ").map(String.init)
            let rest = trimmed[trimmed.index(after: colon)...].split(separator: ";").first.map(String.init) ?? ""
            for t in current {
                prerequisites[t, default: []] += rest.split(separator: " ").map(String.init)
                if firstTarget == nil && !t.hasPrefix(".") && !t.contains("%") { firstTarget = t }
            }
        }
        var queue = goals.isEmpty ? (firstTarget.map { [$0] } ?? []) : goals
        // A pattern rule's recipe may build any goal reached: it counts whenever make runs.
        var out = outside.union(recipes.filter { $0.key.contains("%") }.flatMap(\.value))
        var seen = Set<String>()
        while let goal = queue.popLast() {
            // A goal named through a variable (`all: $(BINS)`, `$(MAKE) $(TARGET)`) could be any rule: all recipes
            // count.
            if goal.contains("$") { return Set(raw.indices) }
            guard seen.insert(goal).inserted else { continue }
            queue += prerequisites[goal] ?? []
            for n in recipes[goal] ?? [] {
                out.insert(n)
                let words = raw[n].split(whereSeparator: { " \t".contains($0) }).map(String.init)
                for (i, w) in words.enumerated() where ["$(MAKE)", "${MAKE}", "make"].contains(w) {
                    queue += words[(i + 1)...].filter { !$0.hasPrefix("-") && !$0.contains("=") }
                }
            }
        }
        return out
    }

    /// `$(NAME)` or `${NAME}` -> NAME.
    private static func reference(_ value: String) -> String? {
        guard value.count > 3,
            value.hasPrefix("$(") && value.hasSuffix(")") || value.hasPrefix("${") && value.hasSuffix("}")
        else { return nil }
        let name = String(value.dropFirst(2).dropLast())
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? name : nil
    }

    /// True when every assignment of make variable `name` is `?=`, which a value from the environment overrides.
    private static func onlyConditional(_ name: String, _ lines: [String]) -> Bool {
        for line in lines {
            let bare =
                line.hasPrefix("export ") ? String(line.dropFirst(7)) : line.hasPrefix("override ") ? "override" : line
            guard bare.hasPrefix(name) || bare == "override" && line.contains(name) else { continue }
            if bare == "override" { return false }
            let rest = String(bare.dropFirst(name.count)).trimmingCharacters(in: " \t")
            if rest.hasPrefix("?=") { continue }
            if rest.hasPrefix("=") || rest.hasPrefix(":=") || rest.hasPrefix("::=") || rest.hasPrefix("+=")
                || rest.hasPrefix("!=")
            {
                return false
            }
        }
        return true
    }

    /// True when a Makefile line runs cmake to configure (`cmake ..`, `$(CMAKE) -S .`), not only to build or install.
    static func callsCMake(_ line: String) -> Bool {
        guard !line.hasPrefix("#") else { return false }
        for command in ["cmake ", "$(CMAKE) ", "${CMAKE} "] where line.contains(command) {
            let rest = line.components(separatedBy: command).dropFirst().joined(separator: command)
            if !["--build", "--install", "-E", "-P"].contains(where: { rest.hasPrefix($0) }) { return true }
        }
        return false
    }

    /// A reason the environment (`CC=...`) does not reach the compiler, with its line, if the Makefile
    /// shows one: `CC = gcc` (an assignment the environment does not override), `-march=native`, or a cmake call.
    static func ccBlocker(_ text: String) -> (line: Int, reason: String)? {
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            for name in ["CC", "CXX"] where line.hasPrefix(name) {
                let rest = String(line.dropFirst(name.count)).trimmingCharacters(in: " \t")
                if rest.hasPrefix("=") || rest.hasPrefix(":=") || rest.hasPrefix("::=") {
                    return (n + 1, "sets `\(line)`, which the environment does not override")
                }
            }
            if line.contains("-march=native") || line.contains("-mtune=native") {
                return (n + 1, "builds with -march=native")
            }
            if Self.callsCMake(line) {
                return (
                    n + 1,
                    "runs cmake (`\(line)`): CC/CXX from the environment do not put CMake into cross-compiling mode "
                        + "(CMAKE_SYSTEM_NAME, CMAKE_SYSTEM_PROCESSOR)"
                )
            }
        }
        return nil
    }
}

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
    static let libcParts: Set<String> = [
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
