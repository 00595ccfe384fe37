// The rules that refuse a build family, or choose how to wire it: blockers first (they hold whatever
// the toolchain), then one rule per toolchain, each reading the Dockerfile and the build context.

/// How a family's compile steps are wired (filled by the toolchain rules).
struct WiringPlan {
    enum Go { case pure, cgo }
    var go: Go?
    /// cargo is wired (`--target`, linker, target std).
    var rust = false
    /// C/C++ is wired (cross gcc, CC/CXX, --host, CMake -D flags).
    var c = false
    /// Debian -dev packages to install for the target architecture (multiarch).
    var targetPackages: [String] = []
    /// A Go Makefile's own variables that reach GOOS/GOARCH (`TARGET_ARCH`), set in make's environment.
    var makeVariables: [(name: String, goVariable: String)] = []
    /// What the choice rests on (`cgo: main.go:5 imports "C"`), for the stage's reasons.
    var evidence: [String] = []

    var needsCross: Bool { go == .cgo || rust || c }

    /// The wiring gives `run` the cross toolchain (`$triplet`, the cross gcc and its binutils).
    func crossToolchain(for run: RunInfo) -> Bool {
        (run.toolchains.contains(.go) && go == .cgo) || (run.toolchains.contains(.rust) && rust)
            || (run.toolchains.contains(.c) && c)
    }
}

extension StagePlanner {
    /// Words with absolute offsets when the RUN is shell text in the file, else the logical words.
    func placedWords(_ run: RunInfo) -> [(word: ShellWord, offset: Int)] {
        if !run.sourceWords.isEmpty { return run.sourceWords.map { ($0, $0.offset) } }
        let at = df.instructions[run.step.instruction].argumentsOffset
        return run.words.map { ($0, at) }
    }

    // MARK: blockers

    /// Steps that break on another architecture whatever the toolchain.
    func blockers(_ facts: FamilyFacts) -> Refusal {
        var out: Refusal = []
        var outputs = Set<String>()
        for r in facts.runs {
            for (k, w) in r.words.enumerated() where w.text == "-o" && k + 1 < r.words.count {
                outputs.insert(r.words[k + 1].text)
            }
        }
        let compiledBefore = { (r: RunInfo) in
            facts.runs.contains { $0.step.line < r.step.line && !$0.toolchains.isEmpty }
        }
        for r in facts.runs {
            let words = placedWords(r)
            for (k, (w, at)) in words.enumerated() where w.isCommand {
                let next = k + 1 < words.count ? words[k + 1].word.text : ""
                let n = Shell.name(w.text)
                if (n == "go" || n == "cargo") && next == "test" || n == "ctest"
                    || n == "make" && (next == "test" || next == "check")
                {
                    out.append(
                        finding(
                            .runsTargetCode, at: at, stage: r.stage,
                            "`\(w.text)\(n == "ctest" ? "" : " " + next)` runs tests, which would be "
                                + "target-architecture binaries after the move",
                            fix: "run the tests in a stage on $TARGETPLATFORM, or drop them from the build"))
                } else if outputs.contains(w.text)
                    || outputs.contains(where: {
                        Shell.name($0) == w.text && !w.text.contains("/") && $0.contains("/bin/")
                    })
                    || w.text.contains("target/release/") || w.text.contains("target/debug/")
                    || w.text.hasPrefix("./") && !w.text.dropFirst(2).contains("/") && !Self.isBuildScript(n)
                        && r.toolchains.isEmpty && compiledBefore(r)
                {
                    out.append(
                        finding(
                            .runsTargetCode, at: at, stage: r.stage,
                            "runs the built binary `\(w.text)`, which would be a target-architecture binary after the "
                                + "move",
                            fix: "run it in a stage on $TARGETPLATFORM"))
                } else if ["npm", "yarn", "pnpm"].contains(n)
                    && (["install", "ci", "i", "add"].contains(next)
                        || n == "yarn" && (next.isEmpty || next.hasPrefix("--")))
                    || ["pip", "pip3"].contains(n) && next == "install"
                {
                    out.append(
                        finding(
                            .nativeAddons, at: at, stage: r.stage,
                            "`\(n) \(next)` may build native add-ons for the machine it runs on"))
                }
            }
            out += probes(r) + fixedTargets(r, words)
            if facts.root.platform == .none && !r.toolchains.isEmpty && !r.wired && Self.mentionsTarget(r.step.command)
            {
                out.append(
                    finding(
                        .opaqueBuild, r,
                        "the RUN picks the target itself ($TARGETARCH) in a way xplat does not recognise as cross "
                            + "wiring; moving it to $BUILDPLATFORM could build for the build machine"))
            }
            if r.step.isJSON && !r.toolchains.isEmpty {
                out.append(
                    finding(
                        .execForm, r, "exec-form (JSON) RUN cannot take the cross-compilation environment",
                        fix: "write the RUN in shell form"))
            }
        }
        return out
    }

    /// Binary tools of the build machine's binutils (`strip`, `objcopy`) that read the built files: after
    /// the move they meet target-architecture binaries ("Unable to recognise the format of the input
    /// file"). A RUN the wiring gives the cross toolchain gets `$triplet-strip`; any other leaves the family.
    func hostBinutils(_ facts: FamilyFacts, _ plan: WiringPlan) -> Refusal {
        var out: Refusal = []
        for run in facts.runs where !run.wired && !plan.crossToolchain(for: run) {
            for (word, at) in placedWords(run) where word.isCommand {
                let tool = Shell.name(word.text)
                guard Self.binutils.contains(tool) else { continue }
                out.append(
                    finding(
                        .opaqueBuild, at: at, stage: run.stage,
                        "`\(tool)` of the build machine cannot read the target's binaries after the move",
                        fix: "strip in a stage on $TARGETPLATFORM, or with the target's binutils (`<triplet>-strip`)"))
            }
        }
        return out
    }

    /// binutils programs that read or write object files of one architecture.
    static let binutils: Set<String> = ["strip", "objcopy"]

    static func isBuildScript(_ name: String) -> Bool {
        name.hasSuffix(".sh") || name.hasSuffix(".py") || name.hasSuffix(".pl")
            || [
                "configure", "autogen", "bootstrap", "config", "Configure", "buildconf", "build", "gradlew", "mvnw",
                "x.py",
            ].contains(name)
    }

    func probes(_ run: RunInfo) -> Refusal {
        let ins = df.instructions[run.step.instruction]
        return ["uname -m", "dpkg --print-architecture", "apk --print-arch"].compactMap { probe in
            Bytes.find(Array(probe.utf8), in: df.bytes[ins.sourceRange]).map {
                finding(
                    .archProbe, at: ins.sourceRange.lowerBound + $0, stage: run.stage,
                    "`\(probe)` picks architecture-specific files; after the move it would see the build machine",
                    fix: "use $TARGETARCH (ARG TARGETARCH in the stage)")
            }
        }
    }

    func fixedTargets(_ run: RunInfo, _ words: [(word: ShellWord, offset: Int)]) -> Refusal {
        var out: Refusal = []
        if run.toolchains.contains(.rust),
            let w = words.first(where: { $0.word.text == "--target" || $0.word.text.hasPrefix("--target=") })
        {
            out.append(finding(.fixedTarget, at: w.offset, stage: run.stage, "cargo already has a fixed --target"))
        }
        if run.toolchains.contains(.zig), let w = words.first(where: { $0.word.text.hasPrefix("-Dtarget") }) {
            out.append(finding(.fixedTarget, at: w.offset, stage: run.stage, "zig build already has a fixed -Dtarget"))
        }
        return out
    }

    // MARK: shared evidence

    /// Target libraries (-dev packages) the family installs.
    func targetLibraries(_ facts: FamilyFacts) -> [InstalledPackage] {
        var seen = Set<String>()
        return facts.packages.filter { $0.kind == .targetLibrary && seen.insert($0.name).inserted }
    }

    /// The first compile RUN of `tool`.
    func firstRun(_ facts: FamilyFacts, _ tool: Toolchain) -> RunInfo? {
        facts.runs.first { $0.toolchains.contains(tool) && !$0.wired }
    }

    /// Command words of the family's compile RUNs named `name`, with the word after them.
    func commands(_ facts: FamilyFacts, _ tool: Toolchain, _ names: Set<String>) -> [(
        run: RunInfo, offset: Int, name: String, next: String
    )] {
        var out: [(RunInfo, Int, String, String)] = []
        for r in facts.runs where r.toolchains.contains(tool) && !r.wired {
            let words = placedWords(r)
            for (k, (w, at)) in words.enumerated() where w.isCommand && names.contains(Shell.name(w.text)) {
                out.append((r, at, Shell.name(w.text), k + 1 < words.count ? words[k + 1].word.text : ""))
            }
        }
        return out
    }

    static let notVisible = "rewrite --context DIR with the folder the build sends"
}
