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
    static let hostTools = ["libclang", "llvm", "dpkg-dev", "libstd-rust-dev", "python3-dev", "python-dev",
                            "librust-", "golang-"]

    /// Packages a RUN installs; `words` are its shell words.
    static func parse(_ words: [ShellWord], run: Int) -> [InstalledPackage] {
        var out: [InstalledPackage] = []
        var k = 0
        while k < words.count {
            let w = words[k]
            let manager: Manager? = w.isCommand && ["apt-get", "apt"].contains(Shell.name(w.text)) ? .apt
                : w.isCommand && Shell.name(w.text) == "apk" ? .apk : nil
            k += 1
            guard let manager else { continue }
            let verb = words[k...].prefix { !$0.isCommand }.first { !$0.text.hasPrefix("-") }
            guard let verb, manager == .apt ? verb.text == "install" : verb.text == "add" else { continue }
            while k < words.count, !words[k].isCommand {
                let t = words[k].text
                if !t.hasPrefix("-") && t != verb.text && !t.contains("$") && !t.contains("/") && !(t.hasPrefix("."))
                    && words[k].offset != verb.offset {
                    out.append(InstalledPackage(name: Self.bareName(t), manager: manager, offset: words[k].offset, run: run))
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

    /// The context's reasons to believe the Go code needs cgo: `file:line: import "C"`, required modules.
    static func contextReasons(_ context: BuildContext) -> [String] {
        var out: [String] = []
        for (path, text) in context.files.sorted(by: { $0.key < $1.key }) where path.hasSuffix(".go") {
            if let line = cgoImportLine(text) { out.append("\(path):\(line) imports \"C\"") }
        }
        for (path, text) in context.named("go.mod") {
            for module in cgoModules where text.contains(module) { out.append("\(path) requires \(module), which needs cgo") }
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

    /// Package names in Cargo.lock.
    static func lockedCrates(_ context: BuildContext) -> Set<String> {
        var out = Set<String>()
        for (_, text) in context.named("Cargo.lock") {
            for line in text.split(separator: "\n") where line.hasPrefix("name = \"") {
                out.insert(String(line.dropFirst(8).prefix { $0 != "\"" }))
            }
        }
        return out
    }
}

/// What a visible Makefile drives.
enum MakefileEvidence {
    /// A Makefile `make` reads in the context (the shallowest), if any.
    static func makefile(_ context: BuildContext) -> (path: String, text: String)? {
        (context.named("GNUmakefile") + context.named("makefile") + context.named("Makefile")).min { a, b in
            a.path.split(separator: "/").count < b.path.split(separator: "/").count
        }
    }

    /// True when the Makefile calls cargo.
    static func wrapsCargo(_ text: String) -> Bool { text.contains("cargo ") }

    /// True when the Makefile compiles Go.
    static func wrapsGo(_ text: String) -> Bool { text.contains("go build") || text.contains("go install") || text.contains("$(GO)") }

    /// True when a Makefile line runs cmake to configure (`cmake ..`, `$(CMAKE) -S .`), not only to build or install.
    static func callsCMake(_ line: String) -> Bool {
        guard !line.hasPrefix("#") else { return false }
        for command in ["cmake ", "$(CMAKE) ", "${CMAKE} "] where line.contains(command) {
            let rest = line.components(separatedBy: command).dropFirst().joined(separator: command)
            if !["--build", "--install", "-E", "-P"].contains(where: { rest.hasPrefix($0) }) { return true }
        }
        return false
    }

    /// A reason the environment (`CC=...`) does not reach the compiler, if the Makefile shows one:
    /// `CC = gcc` (an assignment the environment does not override), `-march=native`, or a cmake call.
    static func ccBlocker(_ text: String) -> String? {
        for raw in text.split(separator: "\n") {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            for name in ["CC", "CXX"] where line.hasPrefix(name) {
                let rest = String(line.dropFirst(name.count)).trimmingCharacters(in: " \t")
                if rest.hasPrefix("=") || rest.hasPrefix(":=") || rest.hasPrefix("::=") { return "sets `\(line)`, which the environment does not override" }
            }
            if line.contains("-march=native") || line.contains("-mtune=native") { return "builds with -march=native" }
            if Self.callsCMake(line) {
                return "runs cmake (`\(line)`): CC/CXX from the environment do not put CMake into cross-compiling mode (CMAKE_SYSTEM_NAME, CMAKE_SYSTEM_PROCESSOR)"
            }
        }
        return nil
    }
}
