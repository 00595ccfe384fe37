// Cross-readiness findings. Each rule has a stable id and name (`XP001 arg-target-default`), a
// severity, a message that quotes what was found, and a fix where one is known. Positions are
// file:line:column of the offending text, so editors and CI annotations can point at it.

/// How serious a finding is. `error` fails `xplat lint` and `xplat rewrite --check`.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    case warning, error
    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
}

/// The rules, with their stable ids.
public enum Rule: String, Sendable, Hashable, Codable, CaseIterable {
    case argTargetDefault = "arg-target-default"
    case targetArgGlobalOnly = "target-arg-global-only"
    case hardcodedGoArch = "hardcoded-goarch"
    case hardcodedPlatform = "hardcoded-platform"
    case archInURL = "arch-in-url"
    case runtimeArchDetection = "runtime-arch-detection"
    case buildPlatformOnFinal = "buildplatform-final-stage"

    /// `XP001` ...
    public var id: String {
        switch self {
        case .argTargetDefault: return "XP001"
        case .targetArgGlobalOnly: return "XP002"
        case .hardcodedGoArch: return "XP003"
        case .hardcodedPlatform: return "XP004"
        case .archInURL: return "XP005"
        case .runtimeArchDetection: return "XP006"
        case .buildPlatformOnFinal: return "XP007"
        }
    }

    public var severity: Severity {
        switch self {
        case .argTargetDefault, .targetArgGlobalOnly, .runtimeArchDetection, .buildPlatformOnFinal: return .error
        case .hardcodedGoArch, .hardcodedPlatform, .archInURL: return .warning
        }
    }
}

/// One finding.
public struct Finding: Sendable, Hashable, Codable {
    public var rule: Rule
    public var severity: Severity
    public var file: String
    public var line: Int
    /// 1-based, in characters.
    public var column: Int
    public var message: String
    /// What to write instead, when known.
    public var fix: String?

    /// `XP001`.
    public var id: String { rule.id }

    /// `Dockerfile:3:5: error: XP001 arg-target-default: message`.
    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue): \(rule.id) \(rule.rawValue): \(message)"
    }
}

/// Finds cross-build mistakes in a Dockerfile.
public enum Linter {
    /// All findings, ordered by position.
    ///
    /// - Parameter target: the stage built (`--target`); default the last stage.
    public static func lint(_ dockerfile: Dockerfile, target: String? = nil) throws(DockerfileSyntaxError) -> [Finding] {
        lint(try StageGraph(dockerfile), target: target)
    }

    /// All findings for an already-built graph.
    public static func lint(_ graph: StageGraph, target: String? = nil) -> [Finding] {
        let df = graph.dockerfile
        var out: [Finding] = []
        func add(_ rule: Rule, _ offset: Int, _ message: String, fix: String?) {
            let (line, column) = df.position(of: offset)
            out.append(Finding(rule: rule, severity: rule.severity, file: df.fileName, line: line, column: column,
                               message: message, fix: fix))
        }
        func offset(of needle: String, in ins: Instruction, from: Int? = nil) -> Int? {
            let start = from ?? ins.sourceRange.lowerBound
            return Text.find(Array(needle.utf8), in: df.bytes[start..<ins.sourceRange.upperBound])
        }

        // XP001: defaults on automatic platform args (global or stage).
        for i in df.instructions.indices where df.instructions[i].command == "arg" {
            let ins = df.instructions[i]
            for d in StageGraph.argDeclarations(ins, index: i)
            where StageGraph.automaticArgs.contains(d.name) && d.defaultValue != nil {
                add(.argTargetDefault, offset(of: d.name + "=", in: ins, from: ins.argumentsOffset) ?? ins.argumentsOffset,
                    "ARG \(d.name)=\(d.defaultValue!) pins an automatic platform argument; BuildKit sets it per platform, other builders use the default",
                    fix: "ARG \(d.name)")
            }
        }

        let targetIndex = graph.targetStage(target)?.index
        let globalNames = Set(graph.globalArgs.map(\.name))
        for stage in graph.stages {
            let from = df.instructions[stage.fromInstruction]
            let onBuild = runsOnBuildPlatform(stage, graph)
            // XP004 / XP007: the FROM's --platform.
            if let flag = from.flag("platform") {
                switch stage.platform {
                case .fixed(let v):
                    add(.hardcodedPlatform, flag.sourceRange.lowerBound,
                        "stage \(stage.displayName) is pinned to --platform=\(v); it builds \(v) whatever platform is requested",
                        fix: stage.index == targetIndex ? "remove --platform=\(v)" : "--platform=$BUILDPLATFORM, and cross-compile for $TARGETARCH")
                case .buildPlatform where stage.index == targetIndex:
                    add(.buildPlatformOnFinal, flag.sourceRange.lowerBound,
                        "the target stage \(stage.displayName) runs on $BUILDPLATFORM: the image gets the build machine's architecture, not the requested one",
                        fix: "remove --platform=$BUILDPLATFORM from the final stage")
                default: break
                }
            }
            let declared = Set(stage.args.map(\.name))
            for i in stage.instructions where i != stage.fromInstruction {
                let ins = df.instructions[i]
                let text = Array(df.bytes[ins.sourceRange])
                // XP002: TARGET*/BUILD* used in a stage without re-declaring it there.
                for name in StageGraph.automaticArgs.sorted() where globalNames.contains(name) && !declared.contains(name) {
                    if ins.command == "arg" { continue }
                    for pattern in ["$" + name, "${" + name] {
                        if let at = Text.findWord(Array(pattern.utf8), in: text[...]) {
                            add(.targetArgGlobalOnly, ins.sourceRange.lowerBound + at,
                                "\(name) is declared only before the first FROM, so it is empty in stage \(stage.displayName)",
                                fix: "add `ARG \(name)` inside stage \(stage.displayName)")
                            break
                        }
                    }
                }
                guard ins.command == "run" || ins.command == "env" || ins.command == "add" else { continue }
                // XP003: GOOS/GOARCH set to a literal.
                for key in ["GOARCH", "GOOS"] {
                    for at in Text.assignments(of: key, in: text[...]) where !at.value.hasPrefix("$") && !at.value.hasPrefix("\"$") {
                        add(.hardcodedGoArch, ins.sourceRange.lowerBound + at.offset,
                            "\(key)=\(at.value) is hard-coded; every platform gets a \(at.value) binary",
                            fix: key == "GOARCH" ? "GOARCH=$TARGETARCH (with ARG TARGETARCH in the stage)" : "GOOS=$TARGETOS (with ARG TARGETOS in the stage)")
                    }
                }
                // XP005: amd64/x86_64 in a download URL.
                for url in Text.urls(in: text[...]) {
                    for arch in ["amd64", "x86_64", "x86-64"] where url.text.contains(arch) {
                        add(.archInURL, ins.sourceRange.lowerBound + url.offset,
                            "download URL hard-codes \(arch): \(url.text)",
                            fix: "use ${TARGETARCH} (declare ARG TARGETARCH in the stage) or map it to the vendor's name")
                        break
                    }
                }
                // XP006: the running machine's architecture picks downloads in a build-platform stage.
                if onBuild {
                    for probe in ["uname -m", "dpkg --print-architecture", "apk --print-arch"] {
                        if let at = Text.find(Array(probe.utf8), in: text[...]) {
                            add(.runtimeArchDetection, ins.sourceRange.lowerBound + at,
                                "`\(probe)` in stage \(stage.displayName), which runs on $BUILDPLATFORM, reports the build machine, not the target",
                                fix: "use $TARGETARCH (ARG TARGETARCH in the stage)")
                        }
                    }
                }
            }
        }
        return out.sorted { ($0.line, $0.column, $0.rule.id) < ($1.line, $1.column, $1.rule.id) }
    }

    /// True when the stage, or the stage chain it derives from, is on `$BUILDPLATFORM`.
    static func runsOnBuildPlatform(_ stage: Stage, _ graph: StageGraph) -> Bool {
        if stage.platform == .buildPlatform { return true }
        if stage.platform != .none { return false }
        if case .stage(let p) = stage.base { return runsOnBuildPlatform(graph.stages[p], graph) }
        return false
    }
}

/// Small byte searches over instruction text.
enum Text {
    static func find(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, needle.count <= hay.count else { return nil }
        var i = hay.startIndex
        while i <= hay.endIndex - needle.count {
            if hay[i] == first && hay[i..<(i + needle.count)].elementsEqual(needle) { return i - hay.startIndex }
            i += 1
        }
        return nil
    }

    /// Like `find`, but the match must not continue with an identifier character.
    static func findWord(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        var from = hay.startIndex
        while let at = find(needle, in: hay[from...]) {
            let end = from + at + needle.count
            if end >= hay.endIndex || !isIdent(hay[end]) || needle.last == ASCII.openBrace { return from + at - hay.startIndex }
            from = end
        }
        return nil
    }

    static func isIdent(_ c: UInt8) -> Bool { c.isASCIILetter || c.isASCIIDigit || c == UInt8(ascii: "_") }

    /// `KEY=value` assignments (KEY at a word start); offset relative to `hay`.
    static func assignments(of key: String, in hay: ArraySlice<UInt8>) -> [(offset: Int, value: String)] {
        var out: [(Int, String)] = []
        let needle = Array((key + "=").utf8)
        var from = hay.startIndex
        while let at = find(needle, in: hay[from...]) {
            let s = from + at
            let v = s + needle.count
            from = v
            if s > hay.startIndex && isIdent(hay[s - 1]) { continue }
            var e = v
            while e < hay.endIndex, !hay[e].isGoByteSpace, hay[e] != UInt8(ascii: ";"), hay[e] != UInt8(ascii: "&"),
                  hay[e] != ASCII.backslash || e + 1 < hay.endIndex && !hay[e + 1].isGoByteSpace { e += 1 }
            let value = Bytes.string(hay[v..<e])
            if !value.isEmpty { out.append((s - hay.startIndex, value)) }
        }
        return out
    }

    /// `http://` and `https://` URLs; offset relative to `hay`.
    static func urls(in hay: ArraySlice<UInt8>) -> [(offset: Int, text: String)] {
        var out: [(Int, String)] = []
        var from = hay.startIndex
        while let at = find(Array("http".utf8), in: hay[from...]) {
            let s = from + at
            var e = s
            while e < hay.endIndex, !hay[e].isGoByteSpace, hay[e] != ASCII.quote, hay[e] != ASCII.apostrophe,
                  hay[e] != UInt8(ascii: ")"), hay[e] != UInt8(ascii: ";") { e += 1 }
            let text = Bytes.string(hay[s..<e])
            if text.hasPrefix("http://") || text.hasPrefix("https://") { out.append((s - hay.startIndex, text)) }
            from = max(e, s + 4)
        }
        return out
    }
}
