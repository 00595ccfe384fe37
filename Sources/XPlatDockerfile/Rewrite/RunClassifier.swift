// One classifier of RUN commands for both the rewriter (which toolchain to point at the target) and
// the planner (which steps are slow under emulation), so the two never disagree about what compiles.
// Only words in command position count: `echo make` compiles nothing.

/// What a RUN command does, as far as where it should run is concerned.
public enum RunClassifier {
    /// The compilers `command` (a RUN's shell text, heredoc bodies included) drives that the rewriter
    /// can point at the target: `go build`/`go install`, `cargo build`/`install`/`chef`, `zig build`,
    /// and C/C++ (`gcc`, `clang`, `make`, `cmake`, `./configure`, `meson`, `ninja`, ...), in order of
    /// first use.
    public static func toolchains(_ command: String) -> [Toolchain] {
        toolchains(Shell.words(Array(command.utf8)[...]))
    }

    /// True when `command` compiles or installs packages: work that runs about 10x slower under QEMU
    /// than natively, so a platform whose heavy steps are emulated is planned as `emulated`, not `cross`.
    public static func isHeavy(_ command: String) -> Bool {
        let words = Shell.words(Array(command.utf8)[...])
        if !toolchains(words).isEmpty { return true }
        return words.contains { word in
            guard word.isCommand else { return false }
            let name = Shell.name(word.text).lowercased()
            return heavyCommands.contains(name) || name.hasSuffix("-gcc") || name.hasSuffix("-g++")
        }
    }

    /// Commands that are slow under emulation besides the compile steps `toolchains` recognises:
    /// package managers, other languages' builders, and `go`/`cargo` subcommands such as
    /// `go mod download` (the Go and Rust tools themselves run emulated).
    private static let heavyCommands: Set<String> = [
        "go", "cargo", "rustc", "rustup", "zig",
        "apt-get", "apt", "apk", "dnf", "yum", "microdnf", "pip", "pip3", "npm", "yarn", "pnpm",
        "mvn", "gradle", "dotnet", "swift",
    ]

    /// `makeWraps`: what a bare `make` drives in this stage (Go in a Go stage, cargo in a Rust one);
    /// nil: C, unless the words set GOOS/GOARCH. `go install pkg@version` and `go run x.go install`
    /// (a Go build program) compile too.
    static func toolchains(_ words: [ShellWord], makeWraps: Toolchain? = nil) -> [Toolchain] {
        var out: [Toolchain] = []
        for (k, w) in words.enumerated() where w.isCommand {
            let next = k + 1 < words.count ? words[k + 1].text : ""
            let rest = words[(k + 1)...].prefix { !$0.isCommand }
            switch Shell.name(w.text) {
            case "go" where next == "build" || next == "install": out.append(.go)
            case "go" where next == "run" && rest.dropFirst(2).contains { $0.text == "install" || $0.text == "build" }:
                out.append(.go)
            case "make" where makeWraps != nil: out.append(makeWraps!)
            case "make" where words.contains { $0.text.hasPrefix("GOARCH=") || $0.text.hasPrefix("GOOS=") }:
                out.append(.go)
            case "cargo" where next == "build" || next == "install" || next == "chef": out.append(.rust)
            case "zig" where next == "build": out.append(.zig)
            case "make", "cmake", "gcc", "g++", "cc", "c++", "clang", "clang++", "configure", "meson", "ninja":
                out.append(.c)
            default: break
            }
        }
        var seen = Set<Toolchain>()
        return out.filter { seen.insert($0).inserted }
    }
}
