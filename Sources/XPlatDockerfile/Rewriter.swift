// The rewriter: move build stages to `$BUILDPLATFORM` and make them cross-compile for `$TARGETPLATFORM`.
//
// 1. Roles. The target stage and the stages it is built FROM make the image: they stay on the target
//    platform. Every other stage the target needs (through COPY --from / RUN --mount=from) is a build
//    stage. Build stages derived from each other form a family; only the family's root FROM gets
//    `--platform=$BUILDPLATFORM`, the others inherit it (never a second --platform).
// 2. Safety. A family moves only when its toolchain is known (Go, Rust/cargo, C/C++, Zig) and nothing
//    in it would break on another architecture: running a freshly built target binary or tests, cgo
//    without a cross compiler, npm/pip installs that may build native add-ons, `uname -m` picking
//    downloads, C/Rust linking against -dev libraries installed for the build machine. Otherwise it is
//    left alone and the reasons are reported.
// 3. Edits. Byte-range insertions and replacements inside the instructions being rewritten; all other
//    bytes stay as they are. Wired RUNs mention $TARGETARCH, which is how a second pass recognises them
//    (rewrite is idempotent).

import XPlatPlatform

/// Options for `Rewriter.rewrite`.
public struct RewriteOptions: Sendable, Hashable {
    /// The stage to build (`--target`); default the last stage.
    public var target: String?
    /// `--build-arg` values used to expand ARGs in FROM.
    public var buildArgs: [String: String]

    public init(target: String? = nil, buildArgs: [String: String] = [:]) {
        self.target = target
        self.buildArgs = buildArgs
    }
}

/// A compiler toolchain the rewriter knows how to point at the target.
public enum Toolchain: String, Sendable, Hashable, Codable, CaseIterable {
    case go, rust, c, zig
}

/// What a stage is for.
public enum StageRole: String, Sendable, Hashable, Codable {
    /// The stage built (last, or `--target`).
    case target
    /// A stage the target is built FROM: part of the image.
    case targetBase = "target-base"
    /// Produces files the target needs (copied or mounted): may run on the build platform.
    case build
    /// Not needed to build the target.
    case unused
}

/// What the rewriter did with a stage.
public enum StageOutcome: String, Sendable, Hashable, Codable {
    /// Already runs on $BUILDPLATFORM and compiles for the target.
    case crossReady = "cross-ready"
    /// Edited.
    case rewritten
    /// A build stage that could move but was not; see the reasons.
    case left
    /// Not a build stage (target, its bases, unused): nothing to do.
    case notApplicable = "not-applicable"
}

/// Per-stage result.
public struct StageClassification: Sendable, Hashable, Codable {
    public var index: Int
    public var name: String?
    public var line: Int
    public var role: StageRole
    public var toolchains: [Toolchain]
    public var outcome: StageOutcome
    /// Why (for `left`, what blocks the rewrite).
    public var reasons: [String]
    /// `--platform` before and after.
    public var platformBefore: String
    public var platformAfter: String
}

/// One edit: replace `range` (byte offsets in the original) with `replacement`.
public struct TextEdit: Sendable, Hashable, Codable {
    public var range: Range<Int>
    public var replacement: String
    /// 1-based lines of the original touched by the edit (for an insertion, the line it lands on).
    public var startLine: Int
    public var endLine: Int
    /// Stage whose instruction is edited.
    public var stage: Int
    /// Why: `platform`, `target-args`, `go-env`, `c-toolchain`, `rust-target`, `zig-target`, `arch-literal`.
    public var kind: String
}

/// The outcome of `Rewriter.rewrite`.
public struct RewriteResult: Sendable {
    public var fileName: String
    public var original: String
    /// The new file (equal to `original` when nothing changed).
    public var text: String
    public var edits: [TextEdit]
    /// Findings on the original file.
    public var findings: [Finding]
    public var stages: [StageClassification]

    /// True when `text != original`.
    public var changed: Bool { !edits.isEmpty }
    /// True when a finding is an error.
    public var hasErrors: Bool { findings.contains { $0.severity == .error } }
    /// Instruction line ranges (original file) the edits touched.
    public var rewrittenLines: [ClosedRange<Int>] { edits.map { $0.startLine...$0.endLine } }
}

/// Rewrites Dockerfiles to cross-compile.
public enum Rewriter {
    /// Rewrites `dockerfile`; see the module guide for the rules.
    ///
    /// - Throws: `DockerfileSyntaxError` for Dockerfiles BuildKit rejects at the stage level, or an
    ///   unknown `options.target`.
    public static func rewrite(_ dockerfile: Dockerfile, options: RewriteOptions = RewriteOptions()) throws(DockerfileSyntaxError) -> RewriteResult {
        let graph = try StageGraph(dockerfile, buildArgs: options.buildArgs)
        guard let target = graph.targetStage(options.target) else {
            throw DockerfileSyntaxError(fileName: dockerfile.fileName, line: 1,
                                        reason: "target stage \"\(options.target ?? "")\" not found")
        }
        var plan = Plan(graph: graph, df: dockerfile)
        plan.run(target: target.index)
        let findings = Linter.lint(graph, target: options.target)
        let edits = plan.edits.sorted { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        var out: [UInt8] = []
        out.reserveCapacity(dockerfile.bytes.count + 512)
        var at = 0
        for e in edits {
            out += dockerfile.bytes[at..<e.range.lowerBound]
            out += Array(e.replacement.utf8)
            at = e.range.upperBound
        }
        out += dockerfile.bytes[at...]
        let original = Bytes.string(dockerfile.bytes[...])
        return RewriteResult(
            fileName: dockerfile.fileName, original: original,
            text: edits.isEmpty ? original : String(decoding: out, as: UTF8.self), edits: edits,
            findings: findings, stages: plan.classes.sorted { $0.index < $1.index })
    }

    /// Parses `text` and rewrites it.
    public static func rewrite(text: String, fileName: String = "Dockerfile", options: RewriteOptions = RewriteOptions()) throws(DockerfileSyntaxError) -> RewriteResult {
        try rewrite(DockerfileParser.parse(text, fileName: fileName), options: options)
    }
}

/// Shell words of a command, with their offsets (relative to the text), split at blanks and at
/// `; & | ( )`; `isCommand` marks words in command position (after env assignments).
struct ShellWord { var text: String; var offset: Int; var isCommand: Bool }

enum Shell {
    static func words(_ s: ArraySlice<UInt8>) -> [ShellWord] {
        var out: [ShellWord] = []
        var i = s.startIndex
        var expectCommand = true
        while i < s.endIndex {
            let c = s[i]
            if c == ASCII.newline { expectCommand = true; i += 1; continue }
            if c == ASCII.hash {
                while i < s.endIndex, s[i] != ASCII.newline { i += 1 }
                continue
            }
            if c.isGoByteSpace || c == ASCII.backslash && (i + 1 == s.endIndex || s[i + 1].isGoByteSpace) { i += 1; continue }
            if c == UInt8(ascii: ";") || c == UInt8(ascii: "&") || c == UInt8(ascii: "|") || c == UInt8(ascii: "(") || c == UInt8(ascii: ")") || c == UInt8(ascii: "`") {
                expectCommand = true; i += 1; continue
            }
            let start = i
            var word: [UInt8] = []
            while i < s.endIndex {
                let d = s[i]
                if d.isGoByteSpace || d == UInt8(ascii: ";") || d == UInt8(ascii: "&") || d == UInt8(ascii: "|") || d == UInt8(ascii: ")") || d == UInt8(ascii: "`") { break }
                if d == ASCII.quote || d == ASCII.apostrophe {
                    i += 1
                    while i < s.endIndex, s[i] != d { word.append(s[i]); i += 1 }
                    i += 1
                    continue
                }
                word.append(d)
                i += 1
            }
            let text = String(decoding: word, as: UTF8.self)
            let isAssignment = expectCommand && text.has("=") && !text.hasPrefix("=") &&
                text.prefix(while: { $0 != "=" }).allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            out.append(ShellWord(text: text, offset: start - s.startIndex, isCommand: expectCommand && !isAssignment))
            if !isAssignment && !["then", "do", "else", "if", "while", "!", "{", "exec", "time", "sudo", "env"].contains(text) { expectCommand = false }
            if i < s.endIndex, s[i] == UInt8(ascii: "(") { i += 1 }
            i = max(i, start + 1)
        }
        return out
    }

    static func name(_ w: String) -> String { w.split(separator: "/").last.map(String.init) ?? w }
}

struct Plan {
    let graph: StageGraph
    let df: Dockerfile
    var edits: [TextEdit] = []
    var classes: [StageClassification] = []

    init(graph: StageGraph, df: Dockerfile) {
        self.graph = graph
        self.df = df
    }

    func classification(_ s: Stage, _ role: StageRole, _ outcome: StageOutcome, _ reasons: [String],
                        toolchains: [Toolchain] = [], after: String? = nil) -> StageClassification {
        StageClassification(index: s.index, name: s.name, line: s.line, role: role, toolchains: toolchains, outcome: outcome,
                            reasons: reasons, platformBefore: s.platform.description, platformAfter: after ?? s.platform.description)
    }

    mutating func run(target: Int) {
        let closure = graph.closure(of: target)
        let runtime = Set([target] + graph.baseChain(of: target))
        var families: [Int: [Int]] = [:]
        for s in graph.stages {
            if !closure.contains(s.index) {
                classes.append(classification(s, .unused, .notApplicable, ["not needed to build target stage \(graph.stages[target].displayName)"]))
                continue
            }
            if runtime.contains(s.index) {
                // Compiling here runs the compiler under emulation for foreign platforms: say so.
                let tools = RunClassifier.toolchains(s.runs.flatMap { Shell.words(Array($0.command.utf8)[...]) })
                var reasons = [s.index == target ? "target stage: stays on $TARGETPLATFORM"
                                                 : "the target stage is built FROM it: stays on $TARGETPLATFORM"]
                if !tools.isEmpty {
                    reasons.append("compiles (\(tools.map(\.rawValue).joined(separator: ", "))) in the image's own stage, under emulation for foreign platforms; move the build into a separate stage to cross-compile")
                }
                classes.append(classification(s, s.index == target ? .target : .targetBase, .notApplicable, reasons, toolchains: tools))
                continue
            }
            var root = s.index
            var blockedBy: Int?
            for p in graph.baseChain(of: s.index) {
                if runtime.contains(p) { blockedBy = p; break }
                root = p
            }
            if let p = blockedBy {
                classes.append(classification(s, .build, .left, ["derives from stage \(graph.stages[p].displayName), which is part of the target image"]))
                continue
            }
            families[root, default: []].append(s.index)
        }
        for (root, members) in families.sorted(by: { $0.key < $1.key }) {
            planFamily(root: root, members: members.sorted())
        }
    }

    // MARK: analysis

    struct RunInfo {
        var step: RunStep
        var stage: Int
        var toolchains: [Toolchain]
        var wired: Bool
        var words: [ShellWord]
    }

    static func isWired(_ command: String) -> Bool {
        ["TARGETARCH", "TARGETPLATFORM", "TARGETOS", "xx-", "$rust_target", "$triplet"].contains { command.has($0) }
    }

    func isAptBased(_ root: Stage, _ runs: [RunInfo]) -> Bool {
        var image = ""
        if case .image(let i) = root.base { image = i.lowercased() }
        if image.has("alpine") || runs.contains(where: { $0.step.command.has("apk add") }) { return false }
        if runs.contains(where: { $0.step.command.has("apt-get") || $0.step.command.has("apt ") }) { return true }
        return ["debian", "ubuntu", "buildpack-deps", "gcc", "rust", "golang"].contains { image.hasPrefix($0) || image.has("/" + $0) }
    }

    mutating func planFamily(root rootIndex: Int, members: [Int]) {
        let root = graph.stages[rootIndex]
        var runs: [RunInfo] = []
        var baseImage = ""
        if case .image(let i) = root.base { baseImage = i.lowercased() }
        let goContext = baseImage.hasPrefix("golang") || baseImage.has("/golang") || members.contains { m in
            graph.stages[m].runs.contains { r in
                Shell.words(Array(r.command.utf8)[...]).contains { $0.isCommand && Shell.name($0.text) == "go" }
            }
        }
        for m in members {
            for step in graph.stages[m].runs {
                let words = Shell.words(Array(step.command.utf8)[...])
                runs.append(RunInfo(step: step, stage: m, toolchains: RunClassifier.toolchains(words, goContext: goContext),
                                    wired: Self.isWired(step.command), words: words))
            }
        }
        let toolchains = Array(Set(runs.flatMap(\.toolchains))).sorted { $0.rawValue < $1.rawValue }
        func leave(_ reasons: [String]) {
            for m in members { classes.append(classification(graph.stages[m], .build, .left, reasons, toolchains: toolchains)) }
        }
        switch root.platform {
        case .fixed(let v):
            return leave(["pinned to --platform=\(v) (see \(Rule.hardcodedPlatform.id)); replace it with $BUILDPLATFORM by hand once the build cross-compiles"])
        case .targetPlatform, .other:
            return leave(["explicit --platform=\(root.platform.description) kept"])
        case .none, .buildPlatform:
            break
        }
        let authorWired = members.contains { m in
            graph.stages[m].instructions.contains { Self.isWired(df.instructions[$0].original) }
        }
        let toWire = runs.filter { !$0.toolchains.isEmpty && !$0.wired }
        if root.platform == .buildPlatform && (toWire.isEmpty || authorWired) {
            for m in members {
                classes.append(classification(
                    graph.stages[m], .build, .crossReady,
                    [toolchains.isEmpty ? "runs on $BUILDPLATFORM; no compile step to wire" : "runs on $BUILDPLATFORM and targets $TARGETARCH"],
                    toolchains: toolchains))
            }
            return
        }
        if runs.isEmpty {
            return leave(["no RUN steps: nothing is compiled, moving it gains nothing"])
        }
        var reasons: [String] = []
        let all = runs.map(\.step.command).joined(separator: "\n")
        // Running what was built, or tests.
        var outputs = Set<String>()
        for r in runs {
            for (k, w) in r.words.enumerated() where w.text == "-o" && k + 1 < r.words.count { outputs.insert(r.words[k + 1].text) }
        }
        for r in runs {
            for (k, w) in r.words.enumerated() where w.isCommand {
                let next = k + 1 < r.words.count ? r.words[k + 1].text : ""
                let n = Shell.name(w.text)
                if (n == "go" || n == "cargo") && next == "test" || n == "ctest" || n == "make" && (next == "test" || next == "check") {
                    reasons.append("line \(r.step.line): `\(w.text) \(next)` runs target binaries (tests); under cross-compilation they cannot run")
                } else if (n == "go") && (next == "run" || next == "generate") && !r.toolchains.isEmpty {
                    reasons.append("line \(r.step.line): `go \(next)` in the same RUN as the build would build its tool for the target")
                } else if outputs.contains(w.text) || outputs.contains(where: { Shell.name($0) == w.text && !w.text.has("/") && $0.has("/bin/") }) {
                    reasons.append("line \(r.step.line): runs the built binary `\(w.text)`, which would be a target-architecture binary")
                } else if (w.text.has("target/release/") || w.text.has("target/debug/")) {
                    reasons.append("line \(r.step.line): runs the built binary `\(w.text)`, which would be a target-architecture binary")
                } else if w.text.hasPrefix("./") && !w.text.dropFirst(2).has("/") && !Self.isBuildScript(n) && r.toolchains.isEmpty && runs.contains(where: { $0.step.line < r.step.line && !$0.toolchains.isEmpty }) {
                    reasons.append("line \(r.step.line): runs `\(w.text)` after compiling, which would be a target-architecture binary")
                }
            }
        }
        if all.has("CGO_ENABLED=1") && toolchains.contains(.go) && !all.has("CC=") {
            reasons.append("cgo (CGO_ENABLED=1) without a C cross compiler for the target")
        }
        for env in members.flatMap({ m in graph.stages[m].instructions.map { df.instructions[$0] } }) where env.command == "env" {
            if env.original.has("CGO_ENABLED=1") || env.original.has("CGO_ENABLED 1") {
                reasons.append("line \(env.startLine): cgo (CGO_ENABLED=1) without a C cross compiler for the target")
            }
        }
        for r in runs {
            for (k, w) in r.words.enumerated() where w.isCommand {
                let next = k + 1 < r.words.count ? r.words[k + 1].text : ""
                let n = Shell.name(w.text)
                if ["npm", "yarn", "pnpm"].contains(n) && ["install", "ci", "i", "add"].contains(next) || (n == "yarn" && (next.isEmpty || next.hasPrefix("--")))
                    || ["pip", "pip3"].contains(n) && next == "install" {
                    reasons.append("line \(r.step.line): `\(n) \(next)` may build native add-ons for the machine it runs on")
                    break
                }
            }
            for probe in ["uname -m", "dpkg --print-architecture", "apk --print-arch"] where r.step.command.has(probe) {
                reasons.append("line \(r.step.line): `\(probe)` picks architecture-specific files; after the move it would see the build machine")
            }
            if r.toolchains.contains(.rust), r.words.contains(where: { $0.text == "--target" || $0.text.hasPrefix("--target=") }) {
                reasons.append("line \(r.step.line): cargo already has a fixed --target")
            }
            if r.toolchains.contains(.zig), r.step.command.has("-Dtarget") {
                reasons.append("line \(r.step.line): zig build already has a fixed -Dtarget")
            }
            if r.step.isJSON && !r.toolchains.isEmpty {
                reasons.append("line \(r.step.line): exec-form (JSON) RUN cannot take the cross-compilation environment")
            }
        }
        if toolchains.isEmpty {
            var seen = Set<String>()
            return leave(reasons.filter { seen.insert($0).inserted }
                         + ["no compile step recognised (Go, Rust/cargo, C/C++, Zig): left on the target platform"])
        }
        if toolchains.contains(.c) || toolchains.contains(.rust) {
            if !isAptBased(root, runs) {
                reasons.append("C/Rust cross toolchains are wired for Debian/Ubuntu images (apt); stage \(root.displayName) is not")
            }
            let devs = Self.devPackages(all)
            if !devs.isEmpty {
                reasons.append("links against \(devs.joined(separator: ", ")) installed for the build machine; cross-linking needs the target's (dpkg --add-architecture)")
            }
        }
        if toolchains.contains(.c) && toolchains.contains(.go) && !all.has("CGO_ENABLED=0") {
            reasons.append("Go with C compilation in the same stages: cgo would need the C cross toolchain wired into go build")
        }
        if !reasons.isEmpty {
            var seen = Set<String>()
            return leave(reasons.filter { seen.insert($0).inserted })
        }

        // Edits.
        var newEdits: [TextEdit] = []
        if root.platform == .none {
            let from = df.instructions[root.fromInstruction]
            newEdits.append(edit(at: from.keywordRange.upperBound, " --platform=$BUILDPLATFORM", stage: root.index, kind: "platform"))
        }
        let laterCargoPaths = df.instructions.contains { ins in
            (ins.command == "copy" || ins.command == "run" || ins.command == "add") &&
                (ins.original.has("target/release/") || ins.original.has("target/debug/")) &&
                !ins.original.has("cargo ")
        }
        for m in members {
            let stageRuns = toWire.filter { $0.stage == m }
            let stageEnv = graph.stages[m].instructions.map { df.instructions[$0] }.filter { $0.command == "env" }
            let envLiterals = stageEnv.flatMap { ins in archLiteralEdits(ins, stage: m, quoted: false) }
            if stageRuns.isEmpty && envLiterals.isEmpty { continue }
            // ARG TARGETOS TARGETARCH TARGETVARIANT right after the FROM, without the ones declared.
            // Declared in this stage only: re-declaring what a parent stage declared is harmless, and it
            // does not depend on whether the builder carries ARGs over to derived stages.
            // Only ARGs declared before the first edited instruction count: a later `ARG TARGETARCH`
            // leaves the variable empty in the RUNs above it.
            let firstUse = (stageRuns.map(\.step.line) + stageEnv.map(\.startLine)).min() ?? Int.max
            let declared = Set(graph.stages[m].args.filter { $0.line < firstUse }.map(\.name))
            let missing = ["TARGETOS", "TARGETARCH", "TARGETVARIANT"].filter { !declared.contains($0) }
            if !missing.isEmpty {
                let from = df.instructions[graph.stages[m].fromInstruction]
                let end = from.sourceRange.upperBound
                let needsBreak = end == 0 || df.bytes[end - 1] != ASCII.newline
                newEdits.append(edit(at: end, (needsBreak ? df.lineEnding : "") + "ARG " + missing.joined(separator: " ") + (needsBreak ? "" : df.lineEnding),
                                     stage: m, kind: "target-args"))
            }
            newEdits += envLiterals
            for r in stageRuns { newEdits += wire(r, laterCargoPaths: laterCargoPaths) }
        }
        edits += newEdits
        let after = root.platform == .none ? "$BUILDPLATFORM" : root.platform.description
        for m in members {
            let s = graph.stages[m]
            let touched = newEdits.contains { $0.stage == m }
            let derived = members.filter { $0 != root.index }.map { graph.stages[$0].displayName }
            let reason = m == root.index
                ? (root.platform == .none ? "moved to $BUILDPLATFORM" : "already on $BUILDPLATFORM")
                    + (touched ? "; cross-compiles for $TARGETARCH" : "")
                    + (derived.isEmpty ? "" : "; stage(s) \(derived.joined(separator: ", ")) derive from it")
                : "inherits $BUILDPLATFORM from stage \(root.displayName)" + (touched ? "; cross-compiles for $TARGETARCH" : "")
            classes.append(classification(s, .build, touched ? .rewritten : (root.platform == .none ? .rewritten : .crossReady),
                                          [reason], toolchains: RunClassifier.toolchains(runs.filter { $0.stage == m }.flatMap(\.words)),
                                          after: m == root.index ? after : s.platform.description))
        }
    }

    static func isBuildScript(_ name: String) -> Bool {
        name.hasSuffix(".sh") || name.hasSuffix(".py") || name.hasSuffix(".pl") ||
            ["configure", "autogen", "bootstrap", "config", "Configure", "buildconf", "build", "gradlew", "mvnw", "x.py"].contains(name)
    }

    static func devPackages(_ text: String) -> [String] {
        var out: [String] = []
        for w in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\\" }) {
            let s = String(w)
            if s.hasSuffix("-dev"), !s.hasPrefix("-"), !s.hasPrefix("libc6-dev"), s != "dpkg-dev", !s.has("$"), s.count > 4, !out.contains(s) {
                out.append(s)
            }
        }
        return out
    }

    func edit(at offset: Int, _ text: String, stage: Int, kind: String) -> TextEdit {
        edit(offset..<offset, text, stage: stage, kind: kind)
    }

    func edit(_ range: Range<Int>, _ text: String, stage: Int, kind: String) -> TextEdit {
        let l1 = df.position(of: range.lowerBound).line
        let l2 = range.isEmpty ? l1 : df.position(of: max(range.lowerBound, range.upperBound - 1)).line
        return TextEdit(range: range, replacement: text, startLine: l1, endLine: l2, stage: stage, kind: kind)
    }

    /// Literal `GOOS=`/`GOARCH=` (and in RUN, `GOARM=`) values replaced by the target's.
    func archLiteralEdits(_ ins: Instruction, stage: Int, quoted: Bool) -> [TextEdit] {
        var out: [TextEdit] = []
        let text = df.bytes[ins.sourceRange]
        let values: [(String, String)] = quoted
            ? [("GOOS", "\"$TARGETOS\""), ("GOARCH", "\"$TARGETARCH\""), ("GOARM", "\"$GOARM\"")]
            : [("GOOS", "$TARGETOS"), ("GOARCH", "$TARGETARCH")]
        for (key, value) in values {
            for a in Text.assignments(of: key, in: text) where !a.value.hasPrefix("$") && !a.value.hasPrefix("\"$") {
                let start = ins.sourceRange.lowerBound + a.offset + key.utf8.count + 1
                out.append(edit(start..<(start + a.value.utf8.count), value, stage: stage, kind: "arch-literal"))
            }
        }
        return out
    }

    // MARK: wiring

    /// `case "$TARGETARCH/$TARGETVARIANT" in ... esac` setting `variables` (of triplet, debarch,
    /// rust_target, zig_target), one arm per Debian-supported platform of the architecture table.
    static func caseMapping(_ variables: [String], lineBreak: String) -> [String] {
        var arms: [String] = []
        var seen = Set<String>()
        for row in ArchitectureTable.entries {
            guard let deb = row.debianArch else { continue }
            let p = row.platform
            let key = p.architecture == "arm" ? "arm/\(p.variant ?? "")" : "\(p.architecture)/*"
            guard seen.insert(key).inserted else { continue }
            let values = ["triplet": row.gnuTriplet, "debarch": deb, "rust_target": row.rustTarget,
                          "zig_target": row.zigTarget]
            arms.append("  \(key)) " + variables.map { "\($0)=\(values[$0]!)" }.joined(separator: " ") + " ;;")
        }
        return ["case \"$TARGETARCH/$TARGETVARIANT\" in"] + arms +
            ["  *) echo \"unsupported target $TARGETARCH$TARGETVARIANT\" >&2; exit 1 ;;", "esac;"]
    }

    /// GOARM/GOAMD64 only for their own GOARCH: Go rejects an invalid value of either whatever GOARCH is.
    static let goPrefix = [
        "export GOOS=\"$TARGETOS\" GOARCH=\"$TARGETARCH\";",
        "case \"$TARGETARCH\" in arm) export GOARM=\"${TARGETVARIANT#v}\" ;; amd64) export GOAMD64=\"${TARGETVARIANT:-v1}\" ;; esac;",
    ]
    static let installCross = "if ! command -v \"$triplet-gcc\" >/dev/null 2>&1; then apt-get update && apt-get install -y --no-install-recommends \"gcc-$(echo \"$triplet\" | tr _ -)\" \"g++-$(echo \"$triplet\" | tr _ -)\" \"libc6-dev-$debarch-cross\"; fi"

    func wire(_ r: RunInfo, laterCargoPaths: Bool) -> [TextEdit] {
        let ins = df.instructions[r.step.instruction]
        let esc = String(df.escapeToken)
        let nl = df.lineEnding
        // Shell lines; each ends a statement (`;`), so they can be joined by continuations or newlines.
        var lines: [String] = []
        if r.toolchains.contains(.go) { lines += Self.goPrefix }
        var vars: [String] = []
        if r.toolchains.contains(.c) || r.toolchains.contains(.rust) { vars += ["triplet", "debarch"] }
        if r.toolchains.contains(.rust) { vars.append("rust_target") }
        if r.toolchains.contains(.zig) { vars.append("zig_target") }
        if !vars.isEmpty { lines += Self.caseMapping(vars, lineBreak: nl) }
        if r.toolchains.contains(.c) || r.toolchains.contains(.rust) { lines.append(Self.installCross + ";") }
        if r.toolchains.contains(.c) { lines.append("export CC=\"$triplet-gcc\" CXX=\"$triplet-g++\";") }
        if r.toolchains.contains(.rust) {
            lines.append("rustup target add \"$rust_target\";")
            lines.append("export TARGET_CC=\"$triplet-gcc\" \"CARGO_TARGET_$(echo \"$rust_target\" | tr a-z- A-Z_)_LINKER=$triplet-gcc\";")
        }
        var out: [TextEdit] = []
        let heredocOnly = ins.arguments.hasPrefix("<<") && !ins.heredocs.isEmpty
        if heredocOnly, let doc = ins.heredocs.first {
            // The script is the heredoc body: put the setup at its top (after a shebang).
            var at = doc.bodyRange.lowerBound
            if df.bytes[at...].starts(with: Array("#!".utf8)), let e = df.bytes[at...].firstIndex(of: ASCII.newline) { at = e + 1 }
            out.append(edit(at: at, lines.map { $0 + nl }.joined(), stage: r.stage, kind: "toolchain-env"))
        } else {
            let pieces = ins.argumentSourcePieces
            let at = pieces.first?.lowerBound ?? ins.argumentsOffset
            var indent = "    "
            let lineStart = df.lineStarts[df.position(of: at).line - 1]
            let lead = df.bytes[lineStart..<at]
            if lead.allSatisfy({ $0 == ASCII.space || $0 == ASCII.tab }) && !lead.isEmpty { indent = Bytes.string(lead) }
            out.append(edit(at: at, lines.map { $0 + " " + esc + nl + indent }.joined(), stage: r.stage, kind: "toolchain-env"))
        }
        // In-command edits: literal GOARCH/GOOS, cargo/zig flags, cargo output paths, ./configure --host.
        if r.toolchains.contains(.go) { out += archLiteralEdits(ins, stage: r.stage, quoted: true) }
        let text = df.bytes[ins.sourceRange]
        func insertAfter(_ needle: String, _ addition: String) {
            var from = text.startIndex
            while let at = Text.find(Array(needle.utf8), in: text[from...]) {
                let end = from + at + needle.utf8.count
                if end >= text.endIndex || text[end].isGoByteSpace || text[end] == UInt8(ascii: ";") || text[end] == UInt8(ascii: "&") {
                    out.append(edit(at: end, addition, stage: r.stage, kind: "toolchain-flag"))
                }
                from = end
            }
        }
        func replaceAll(_ needle: String, _ replacement: String) {
            var from = text.startIndex
            while let at = Text.find(Array(needle.utf8), in: text[from...]) {
                let s = from + at
                out.append(edit(s..<(s + needle.utf8.count), replacement, stage: r.stage, kind: "toolchain-path"))
                from = s + needle.utf8.count
            }
        }
        if r.toolchains.contains(.rust) {
            var targetDir = "target"
            if let w = r.words.firstIndex(where: { $0.text == "--manifest-path" }), w + 1 < r.words.count {
                let manifest = r.words[w + 1].text
                targetDir = manifest.has("/") ? String(manifest[..<manifest.lastIndex(of: "/")!]) + "/target" : "target"
            } else if let w = r.words.first(where: { $0.text.hasPrefix("--manifest-path=") }) {
                let manifest = String(w.text.dropFirst("--manifest-path=".count))
                targetDir = manifest.has("/") ? String(manifest[..<manifest.lastIndex(of: "/")!]) + "/target" : "target"
            }
            insertAfter("cargo build", " --target \"$rust_target\"")
            insertAfter("cargo install", " --target \"$rust_target\"")
            insertAfter("cargo chef cook", " --target \"$rust_target\"")
            replaceAll("target/release/", "target/$rust_target/release/")
            replaceAll("target/debug/", "target/$rust_target/debug/")
            if laterCargoPaths {
                let profile = ins.original.has("--release") ? "release" : "debug"
                let end = ins.argumentSourcePieces.last?.upperBound ?? ins.sourceRange.upperBound
                out.append(edit(at: end, " && mkdir -p \(targetDir)/\(profile) && cp -a \"\(targetDir)/$rust_target/\(profile)/.\" \(targetDir)/\(profile)/",
                                stage: r.stage, kind: "toolchain-path"))
            }
        }
        if r.toolchains.contains(.zig) { insertAfter("zig build", " -Dtarget=\"$zig_target\"") }
        if r.toolchains.contains(.c) && !ins.original.has("--host") { insertAfter("./configure", " --host=\"$triplet\"") }
        return out
    }
}

