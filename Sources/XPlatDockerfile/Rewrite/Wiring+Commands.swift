// The per-command part of the wiring: the target environment in front of each compile command,
// compiler names, flags and output paths.

extension Wiring {
    static let pkgConfig = "PKG_CONFIG_LIBDIR=\"/usr/lib/\(WiringVariable.triplet)/pkgconfig:/usr/share/pkgconfig\" "

    var libraries: Bool { !plan.targetPackages.isEmpty }

    /// Environment for Go's compile commands (and a `make` that wraps them), without the variables the
    /// command already assigns (`assigned`; their literal values are replaced by `archLiteralEdits`).
    func goEnvironment(_ assigned: Set<String>) -> String {
        var env = [
            ("GOOS", "\"$TARGETOS\""), ("GOARCH", "\"$TARGETARCH\""), ("GOARM", "\"\(WiringVariable.goarm)\""),
            ("GOAMD64", "\"\(WiringVariable.goamd64)\""),
        ]
        if plan.go == .cgo {
            env += [
                ("CGO_ENABLED", "1"), ("CC", "\"\(WiringVariable.triplet)-gcc\""),
                ("CXX", "\"\(WiringVariable.triplet)-g++\""),
            ]
        }
        return env.filter { !assigned.contains($0.0) }.map { "\($0.0)=\($0.1) " }.joined()
            + (plan.go == .cgo && libraries ? Self.pkgConfig : "")
    }

    /// Names assigned in front of the command word `index` (`GOOS=linux GOARCH=arm go build`).
    static func assignments(before index: Int, in words: [ShellWord]) -> Set<String> {
        var out = Set<String>()
        var i = index - 1
        while i >= 0, !words[i].isCommand, let eq = words[i].text.firstIndex(of: "=") {
            out.insert(String(words[i].text[..<eq]))
            i -= 1
        }
        return out
    }

    var cEnvironment: String {
        "CC=\"\(WiringVariable.triplet)-gcc\" CXX=\"\(WiringVariable.triplet)-g++\" "
            + (libraries ? Self.pkgConfig : "")
    }

    var rustEnvironment: String {
        "TARGET_CC=\"\(WiringVariable.triplet)-gcc\" " + (libraries ? "PKG_CONFIG_ALLOW_CROSS=1 " + Self.pkgConfig : "")
    }

    /// Environment in front of compile commands; compiler names replaced.
    func commandEdits(_ run: RunInfo) -> [TextEdit] {
        var out: [TextEdit] = []
        let words = run.sourceWords
        for (k, w) in words.enumerated() where w.isCommand {
            let next = k + 1 < words.count ? words[k + 1].text : ""
            let name = Shell.name(w.text)
            let at = w.offset
            if let tool = crossTool(for: name, in: run) {
                out.append(
                    edit(
                        at..<(at + w.text.utf8.count), "\"\(WiringVariable.triplet)-\(tool)\"", stage: run.stage,
                        .compilerName))
                continue
            }
            switch name {
            case "go" where ["build", "install"].contains(next) && run.toolchains.contains(.go):
                out.append(
                    edit(at: at, goEnvironment(Self.assignments(before: k, in: words)), stage: run.stage, .toolchainEnv)
                )
            case "make" where run.toolchains.contains(.go) && !run.toolchains.contains(.c):
                let own = plan.makeVariables.map {
                    "\($0.name)=\"$\($0.goVariable == "GOOS" ? "TARGETOS" : "TARGETARCH")\" "
                }.joined()
                out.append(
                    edit(
                        at: at, goEnvironment(Self.assignments(before: k, in: words)) + own, stage: run.stage,
                        .toolchainEnv))
            case "make" where run.toolchains.contains(.rust) && !run.toolchains.contains(.c):
                out.append(
                    edit(
                        at: at, "CARGO_BUILD_TARGET=\"\(WiringVariable.rustTarget)\" " + rustEnvironment,
                        stage: run.stage, .toolchainEnv))
            case "cargo" where ["build", "install", "chef"].contains(next):
                out.append(edit(at: at, rustEnvironment, stage: run.stage, .toolchainEnv))
            case "make" where run.toolchains.contains(.c), "ninja" where run.toolchains.contains(.c),
                "configure" where run.toolchains.contains(.c):
                out.append(edit(at: at, cEnvironment, stage: run.stage, .toolchainEnv))
            case "cmake" where run.toolchains.contains(.c) && !["--build", "--install", "-E", "-P"].contains(next):
                if libraries { out.append(edit(at: at, Self.pkgConfig, stage: run.stage, .toolchainEnv)) }
                out.append(edit(at: at + w.text.utf8.count, Self.cmakeFlags, stage: run.stage, .toolchainFlag))
            default: break
            }
        }
        return out
    }

    /// The target's tool that replaces command `name` in `run` as `$triplet-TOOL`: the cross compiler
    /// for `gcc`/`cc` and `g++`/`c++` in a C build, the target's binutils for `strip`/`objcopy` in a
    /// RUN the wiring gives the cross toolchain; nil for any other command.
    func crossTool(for name: String, in run: RunInfo) -> String? {
        switch name {
        case "gcc", "cc": return run.toolchains.contains(.c) ? "gcc" : nil
        case "g++", "c++": return run.toolchains.contains(.c) ? "g++" : nil
        default: return StagePlanner.binutils.contains(name) && plan.crossToolchain(for: run) ? name : nil
        }
    }

    static let cmakeFlags =
        " -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=\"\(WiringVariable.cmakeProcessor)\" "
        + "-DCMAKE_C_COMPILER=\"\(WiringVariable.triplet)-gcc\" -DCMAKE_CXX_COMPILER=\"\(WiringVariable.triplet)-g++\""

    /// `cargo build --target`, `zig build -Dtarget`, `./configure --host`.
    func flagEdits(_ run: RunInfo, _ ins: Instruction) -> [TextEdit] {
        var out: [TextEdit] = []
        let text = df.bytes[ins.sourceRange]
        func insertAfter(_ needle: String, _ addition: String) {
            var from = text.startIndex
            while let at = Bytes.find(Array(needle.utf8), in: text[from...]) {
                let end = from + at + needle.utf8.count
                if end >= text.endIndex || text[end].isGoByteSpace || text[end] == UInt8(ascii: ";")
                    || text[end] == UInt8(ascii: "&")
                {
                    out.append(edit(at: end, addition, stage: run.stage, .toolchainFlag))
                }
                from = end
            }
        }
        if run.toolchains.contains(.rust) {
            for command in ["cargo build", "cargo install", "cargo chef cook"] {
                insertAfter(command, " --target \"\(WiringVariable.rustTarget)\"")
            }
        }
        if run.toolchains.contains(.zig) { insertAfter("zig build", " -Dtarget=\"\(WiringVariable.zigTarget)\"") }
        if run.toolchains.contains(.c) && !ins.original.contains("--host") {
            insertAfter("./configure", " --host=\"\(WiringVariable.triplet)\"")
        }
        return out
    }

    /// `target/release/` in the RUN becomes `target/$rust_target/release/`; when later instructions read
    /// `target/release/`, the RUN copies the target's outputs back there.
    func cargoPathEdits(_ run: RunInfo, _ ins: Instruction, laterCargoPaths: Bool) -> [TextEdit] {
        var out: [TextEdit] = []
        let text = df.bytes[ins.sourceRange]
        for (needle, replacement) in [
            ("target/release/", "target/\(WiringVariable.rustTarget)/release/"),
            ("target/debug/", "target/\(WiringVariable.rustTarget)/debug/"),
        ] {
            var from = text.startIndex
            while let at = Bytes.find(Array(needle.utf8), in: text[from...]) {
                let s = from + at
                out.append(edit(s..<(s + needle.utf8.count), replacement, stage: run.stage, .toolchainPath))
                from = s + needle.utf8.count
            }
        }
        guard laterCargoPaths && run.words.contains(where: { $0.text == "cargo" }) else { return out }
        var targetDir = "target"
        let manifest =
            run.words.firstIndex { $0.text == "--manifest-path" }.flatMap {
                $0 + 1 < run.words.count ? run.words[$0 + 1].text : nil
            }
            ?? run.words.first { $0.text.hasPrefix("--manifest-path=") }.map {
                String($0.text.dropFirst("--manifest-path=".count))
            }
        if let manifest, let slash = manifest.lastIndex(of: "/") { targetDir = String(manifest[..<slash]) + "/target" }
        let profile = ins.original.contains("--release") ? "release" : "debug"
        out.append(
            appendEdit(
                run, ins,
                "mkdir -p \(targetDir)/\(profile) && cp -a \"\(targetDir)/\(WiringVariable.rustTarget)/\(profile)/.\" "
                    + "\(targetDir)/\(profile)/"
            ))
        return out
    }
}
