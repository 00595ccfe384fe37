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
        let outputs = builtOutputs(facts)
        for r in facts.runs {
            let words = placedWords(r)
            for (k, (w, at)) in words.enumerated() where w.isCommand {
                let next = k + 1 < words.count ? words[k + 1].word.text : ""
                if let blocker = commandBlocker(w, at: at, next: next, in: r, facts, outputs: outputs) {
                    out.append(blocker)
                }
            }
            out += probes(r) + fixedTargets(r, words) + wiringBlockers(r, facts)
        }
        return out
    }

    /// The files the family's compile commands write with `-o`.
    private func builtOutputs(_ facts: FamilyFacts) -> Set<String> {
        var outputs = Set<String>()
        for r in facts.runs {
            for (k, w) in r.words.enumerated() where w.text == "-o" && k + 1 < r.words.count {
                outputs.insert(r.words[k + 1].text)
            }
        }
        return outputs
    }

    /// A command that would run target-architecture code after the move: tests, the built binary, or a
    /// package manager that may build native add-ons.
    private func commandBlocker(
        _ word: ShellWord, at offset: Int, next: String, in run: RunInfo, _ facts: FamilyFacts,
        outputs: Set<String>
    ) -> RewriteFinding? {
        let n = Shell.name(word.text)
        if (n == "go" || n == "cargo") && next == "test" || n == "ctest"
            || n == "make" && (next == "test" || next == "check")
        {
            return finding(
                .runsTargetCode, at: offset, stage: run.stage,
                "`\(word.text)\(n == "ctest" ? "" : " " + next)` runs tests, which would be "
                    + "target-architecture binaries after the move",
                fix: "run the tests in a stage on $TARGETPLATFORM, or drop them from the build")
        }
        if runsBuiltBinary(word.text, named: n, in: run, facts, outputs: outputs) {
            return finding(
                .runsTargetCode, at: offset, stage: run.stage,
                "runs the built binary `\(word.text)`, which would be a target-architecture binary after the "
                    + "move",
                fix: "run it in a stage on $TARGETPLATFORM")
        }
        if ["npm", "yarn", "pnpm"].contains(n)
            && (["install", "ci", "i", "add"].contains(next) || n == "yarn" && (next.isEmpty || next.hasPrefix("--")))
            || ["pip", "pip3"].contains(n) && next == "install"
        {
            return finding(
                .nativeAddons, at: offset, stage: run.stage,
                "`\(n) \(next)` may build native add-ons for the machine it runs on")
        }
        return nil
    }

    /// Whether the command word runs a binary the family built: a `-o` output (or its name, installed
    /// to a bin folder), cargo's output, or `./name` after a compile step.
    private func runsBuiltBinary(
        _ text: String, named name: String, in run: RunInfo, _ facts: FamilyFacts, outputs: Set<String>
    ) -> Bool {
        outputs.contains(text)
            || outputs.contains(where: { Shell.name($0) == text && !text.contains("/") && $0.contains("/bin/") })
            || text.contains("target/release/") || text.contains("target/debug/")
            || text.hasPrefix("./") && !text.dropFirst(2).contains("/") && !Self.isBuildScript(name)
                && run.toolchains.isEmpty
                && facts.runs.contains { $0.step.line < run.step.line && !$0.toolchains.isEmpty }
    }

    /// A compile RUN that cannot be wired: one that picks the target itself, or an exec-form RUN.
    private func wiringBlockers(_ run: RunInfo, _ facts: FamilyFacts) -> Refusal {
        var out: Refusal = []
        if facts.root.platform == .none && !run.toolchains.isEmpty && !run.wired
            && Self.mentionsTarget(run.step.command)
        {
            out.append(
                finding(
                    .opaqueBuild, run,
                    "the RUN picks the target itself ($TARGETARCH) in a way xplat does not recognise as cross "
                        + "wiring; moving it to $BUILDPLATFORM could build for the build machine"))
        }
        if run.step.isJSON && !run.toolchains.isEmpty {
            out.append(
                finding(
                    .execForm, run, "exec-form (JSON) RUN cannot take the cross-compilation environment",
                    fix: "write the RUN in shell form"))
        }
        return out
    }

    /// Binary tools of the build machine's binutils (`strip`, `objcopy`) that read the built files: after
    /// the move they meet target-architecture binaries ("Unable to recognise the format of the input
    /// file"). A RUN the wiring gives the cross toolchain gets `$triplet-strip`; any other leaves the family.
    /// `install -s` runs the build machine's `strip` itself, whatever the wiring, and so do `find -exec strip`
    /// and `xargs strip` (the wiring renames only command words): they leave the family too.
    func hostBinutils(_ facts: FamilyFacts, _ plan: WiringPlan) -> Refusal {
        var out: Refusal = []
        for run in facts.runs where !run.wired {
            let placed = placedWords(run)
            let words = placed.map(\.word)
            for (i, (word, at)) in placed.enumerated() {
                let what: String
                if let runner = Self.runnerOfBinutils(words, at: i) {
                    what = "`\(Shell.name(word.text))` that `\(runner)` runs is the build machine's, which"
                } else {
                    let tool = Shell.name(word.text)
                    let renamed = Self.binutils.contains(tool) && plan.crossToolchain(for: run)
                    guard word.isCommand, !renamed, Self.runsHostStrip(words, at: i) else { continue }
                    what =
                        tool == "install"
                        ? "`install -s` runs `strip` of the build machine, which" : "`\(tool)` of the build machine"
                }
                out.append(
                    finding(
                        .opaqueBuild, at: at, stage: run.stage,
                        "\(what) cannot read the target's binaries after the move",
                        fix: "strip in a stage on $TARGETPLATFORM, or with the target's binutils (`<triplet>-strip`)"))
            }
        }
        return out + makefileStrips(facts)
    }

    /// The build machine's strip in the recipes a `make` of the family runs, for Go, Rust and C alike
    /// (`MakefileEvidence.stripBlocker`). A Makefile not visible is reported by the toolchain's rule.
    private func makefileStrips(_ facts: FamilyFacts) -> Refusal {
        var out: Refusal = []
        for run in facts.runs where !run.wired {
            let words = placedWords(run)
            for (k, (word, at)) in words.enumerated() where word.isCommand && Shell.name(word.text) == "make" {
                let command = (run, at, "make", k + 1 < words.count ? words[k + 1].word.text : "")
                guard let site = site(command), let mk = makefile(site),
                    let blocker = MakefileEvidence.stripBlocker(mk.text)
                else { continue }
                out.append(
                    finding(.opaqueBuild, at: at, stage: run.stage, "\(mk.path):\(blocker.line) \(blocker.reason)"))
            }
        }
        return out
    }

    /// binutils programs that read or write object files of one architecture.
    static let binutils: Set<String> = ["strip", "objcopy"]

    /// True when the command at `words[index]` runs the build machine's `strip` or `objcopy`: by name, or
    /// as `install -s` (`--strip`, or `s` in a cluster of short options such as `-sm755`), which runs `strip`.
    static func runsHostStrip(_ words: [ShellWord], at index: Int) -> Bool {
        let tool = Shell.name(words[index].text)
        if binutils.contains(tool) { return true }
        guard tool == "install" else { return false }
        for word in words[(index + 1)...].prefix(while: { !$0.isCommand }) {
            if word.text == "--" { return false }
            if word.text == "--strip" { return true }
            guard word.text.hasPrefix("-") && !word.text.hasPrefix("--") else { continue }
            // Short options up to the first that takes a value (the rest of the word is that value).
            for letter in word.text.dropFirst() {
                if letter == "s" { return true }
                if "gmoSt".contains(letter) { break }
            }
        }
        return false
    }

    /// The command that runs `strip`/`objcopy` at `words[index]` as its argument: `find -exec` (`-execdir`,
    /// `-ok`, `-okdir`) or `xargs` (after its options: `xargs -r -n 1 strip`); nil when the word is no such tool.
    static func runnerOfBinutils(_ words: [ShellWord], at index: Int) -> String? {
        let word = words[index]
        guard index > 0, !word.isCommand, binutils.contains(Shell.name(word.text)) else { return nil }
        let before = words[index - 1].text
        if ["-exec", "-execdir", "-ok", "-okdir"].contains(before) { return "find \(before)" }
        guard let xargs = words[..<index].lastIndex(where: \.isCommand), Shell.name(words[xargs].text) == "xargs"
        else { return nil }
        var i = xargs + 1
        while i < index, words[i].text.hasPrefix("-") {
            i += ["-n", "-L", "-P", "-s", "-d", "-E", "-I", "-a"].contains(words[i].text) ? 2 : 1
        }
        return i == index ? "xargs" : nil
    }

    private static func isBuildScript(_ name: String) -> Bool {
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

    private func fixedTargets(_ run: RunInfo, _ words: [(word: ShellWord, offset: Int)]) -> Refusal {
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
