// What a build stage needs, read from the Dockerfile and the build context: packages it installs
// (version pins and architecture qualifiers removed), whether its Go code needs cgo, which -sys
// crates its Rust code links, what its Makefile wraps. The rewriter wires a stage only when this
// evidence says the wiring is enough; otherwise it leaves the stage with a finding. The packages are
// read here; GoEvidence, RustEvidence, MakefileEvidence and CLibraryEvidence read the rest.

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

    private static let cCompilers: Set<String> = ["gcc", "g++", "build-base", "build-essential", "clang", "cc", "c++"]
    private static let libcs: Set<String> = ["libc6-dev", "musl-dev", "libc-dev", "linux-headers"]
    /// `-dev` packages used by tools on the build machine, not linked into the target: libclang for
    /// bindgen, LLVM, dpkg's build helpers, and Debian's source packages (`librust-*-dev`: crate
    /// sources for cargo's offline registry; `golang-*-dev`: Go sources), which cargo and go read on
    /// the build machine. The C libraries a `-sys` crate links are separate `-dev` packages.
    private static let hostTools = [
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
    private static func bareName(_ word: String) -> String {
        String(word.prefix { !"=:<>~".contains($0) })
    }
}
