// The semantic layer: stages, their bases, the stage graph and ARG scoping, read from the syntax tree.
//
// BuildKit rules kept here: stage names are case-insensitive; `FROM`, `COPY --from` and
// `RUN --mount=from=` name a stage by name or by index, else an image; only ARGs declared before the
// first FROM (plus the automatic BUILD*/TARGET* platform args) expand in FROM; an ARG declared in a
// stage is scoped to that stage, and a global ARG is visible in a stage only when re-declared there.
// The automatic args in FROM (`FROM runner-${TARGETOS}-${TARGETARCH}`) expand only when the graph is
// built for one platform (`StageGraph(_:buildArgs:platform:)`): the graph differs per platform.

import XPlatPlatform

/// The stages of a Dockerfile and how they reference each other.
public struct StageGraph: Sendable {
    /// The automatic platform ARGs BuildKit defines.
    public static let automaticArgs: Set<String> = [
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
        "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    ]

    /// The values BuildKit gives the automatic args when building `target` on a `build` machine.
    public static func automaticValues(target: Platform, build: Platform) -> [String: String] {
        func parts(_ platform: Platform, _ prefix: String) -> [String: String] {
            [
                prefix + "PLATFORM": platform.description, prefix + "OS": platform.os,
                prefix + "ARCH": platform.architecture,
                prefix + "VARIANT": platform.variant ?? "",
            ]
        }
        return parts(target, "TARGET").merging(parts(build, "BUILD")) { a, _ in a }
    }

    public let dockerfile: Dockerfile
    /// The platform the graph was built for (FROM lines expanded with its automatic args), if any.
    public let platform: Platform?
    /// ARGs before the first FROM.
    public let globalArgs: [ArgDeclaration]
    public let stages: [Stage]

    /// Builds the graph.
    ///
    /// - Parameters:
    ///   - buildArgs: `--build-arg` values, which override global ARG defaults in FROM.
    ///   - platform: the target platform and the build machine's: FROM lines see the automatic args
    ///     (`TARGETARCH`, `BUILDPLATFORM`, ...) with their values, as BuildKit expands them. Without
    ///     it they are empty in FROM.
    /// - Throws: `DockerfileSyntaxError` for a FROM BuildKit would reject (wrong argument count,
    ///   a bad `AS` name) or instructions before the first FROM other than ARG.
    public init(
        _ dockerfile: Dockerfile, buildArgs: [String: String] = [:],
        platform: (target: Platform, build: Platform)? = nil
    ) throws(DockerfileSyntaxError) {
        self.dockerfile = dockerfile
        self.platform = platform?.target
        var reading = Reading(
            fileName: dockerfile.fileName, buildArgs: buildArgs, keepsAutomaticArgs: platform != nil,
            scope: platform.map { Self.automaticValues(target: $0.target, build: $0.build) } ?? [:])
        for (i, ins) in dockerfile.instructions.enumerated() {
            switch ins.command {
            case "arg": reading.addArg(ins, index: i)
            case "from": try reading.addStage(ins, index: i)
            default: try reading.addToStage(ins, index: i)
            }
        }
        self.globalArgs = reading.globals
        self.stages = reading.stages
    }

    /// The graph as `init` reads it, one instruction at a time.
    struct Reading {
        let fileName: String
        let buildArgs: [String: String]
        /// Whether the automatic args have BuildKit's values (the graph is for one platform).
        let keepsAutomaticArgs: Bool
        /// The values FROM lines expand with: the automatic args and the global ARGs so far.
        var scope: [String: String]
        var globals: [ArgDeclaration] = []
        var stages: [Stage] = []

        /// An ARG: before the first FROM a global one, whose value (a `--build-arg`, else its default)
        /// FROM lines see; a global `ARG TARGETARCH` (default or not) keeps BuildKit's value. After
        /// it, an ARG of the current stage.
        mutating func addArg(_ ins: Instruction, index: Int) {
            let decls = StageGraph.argDeclarations(ins, index: index)
            guard stages.isEmpty else {
                stages[stages.count - 1].args += decls
                stages[stages.count - 1].instructions.append(index)
                return
            }
            globals += decls
            for d in decls {
                if keepsAutomaticArgs && StageGraph.automaticArgs.contains(d.name) { continue }
                scope[d.name] = buildArgs[d.name] ?? d.defaultValue.map { StageGraph.expand($0, scope) } ?? ""
            }
        }

        /// A FROM starts a stage: one argument or three (`AS name`); its base, ARGs expanded, is
        /// `scratch`, an earlier stage by name, or an image.
        mutating func addStage(_ ins: Instruction, index: Int) throws(DockerfileSyntaxError) {
            let words = ins.node.strings
            guard words.count == 1 || (words.count == 3 && words[1].lowercased() == "as") else {
                throw DockerfileSyntaxError(
                    fileName: fileName, line: ins.startLine, reason: "FROM requires either one or three arguments")
            }
            let name = words.count == 3 ? words[2].lowercased() : nil
            let raw = words[0]
            let expanded = StageGraph.expand(raw, scope)
            var base = StageBase.image(expanded)
            if expanded.lowercased() == "scratch" { base = .scratch }
            if let s = stages.last(where: { $0.name != nil && $0.name == expanded.lowercased() }) {
                base = .stage(s.index)
            }
            var deps: [StageDependency] = []
            if case .stage(let s) = base {
                deps.append(.init(kind: .base, stage: s, instruction: index, line: ins.startLine))
            }
            stages.append(
                Stage(
                    name: name, index: stages.count, fromInstruction: index, instructions: [index], baseText: raw,
                    base: base,
                    platform: FromPlatform(flagValue: ins.flag("platform")?.value), runs: [], args: [],
                    dependencies: deps, line: ins.startLine))
        }

        /// Any other instruction belongs to the current stage (only ARG may come before the first
        /// FROM); `COPY/ADD --from` and `RUN --mount=from=` that name an earlier stage are edges, and
        /// a RUN is one of the stage's runs.
        mutating func addToStage(_ ins: Instruction, index: Int) throws(DockerfileSyntaxError) {
            guard !stages.isEmpty else {
                throw DockerfileSyntaxError(
                    fileName: fileName, line: ins.startLine,
                    reason: "\(ins.keyword.uppercased()) instruction before the first FROM (only ARG may come first)")
            }
            let s = stages.count - 1
            stages[s].instructions.append(index)
            if ins.command == "copy" || ins.command == "add", let from = ins.flag("from")?.value {
                addReference(from, .copyFrom, ins, index: index)
            }
            guard ins.command == "run" else { return }
            for m in ins.flagValues("mount") {
                if let from = StageGraph.mountOptions(m)["from"] { addReference(from, .mountFrom, ins, index: index) }
            }
            var command = ins.isJSON ? ins.node.strings.joined(separator: " ") : ins.arguments
            for h in ins.heredocs { command += "\n" + h.content }
            stages[s].runs.append(
                RunInstruction(instruction: index, line: ins.startLine, command: command, isJSON: ins.isJSON))
        }

        /// An edge from the current stage to the earlier stage `value` names, if it names one (else
        /// it names an image).
        mutating func addReference(_ value: String, _ kind: StageDependency.Kind, _ ins: Instruction, index: Int) {
            let s = stages.count - 1
            guard let target = StageGraph.resolve(value, in: stages, before: s) else { return }
            stages[s].dependencies.append(.init(kind: kind, stage: target, instruction: index, line: ins.startLine))
        }
    }

    /// Stage `name` (case-insensitive) or index `name`, if it names one.
    public func stage(named name: String) -> Stage? {
        Self.resolve(name, in: stages, before: stages.count).map { stages[$0] }
    }

    /// The stage built by default or with `--target`: the named stage, else the last one.
    public func targetStage(_ target: String? = nil) -> Stage? {
        if let target { return stage(named: target) }
        return stages.last
    }

    /// Indices of every stage `target` needs (itself included), through bases, copies and mounts.
    public func closure(of target: Int) -> Set<Int> {
        var seen: Set<Int> = [target]
        var work = [target]
        while let s = work.popLast() {
            for d in stages[s].dependencies where seen.insert(d.stage).inserted { work.append(d.stage) }
        }
        return seen
    }

    /// The chain of stages `index` is built FROM, nearest first (not including `index`).
    public func baseChain(of index: Int) -> [Int] {
        var out: [Int] = []
        var cur = index
        while case .stage(let p) = stages[cur].base { out.append(p); cur = p }
        return out
    }

    static func resolve(_ ref: String, in stages: [Stage], before limit: Int) -> Int? {
        let key = ref.lowercased()
        if let s = stages[..<min(limit, stages.count)].last(where: { $0.name == key }) { return s.index }
        if let n = Int(ref), n >= 0, n < min(limit, stages.count) { return n }
        return nil
    }

    /// `type=cache,target=/x,from=builder` as a dictionary (BuildKit reads it as one CSV record).
    public static func mountOptions(_ spec: String) -> [String: String] {
        var out: [String: String] = [:]
        for field in spec.split(separator: ",") {
            let kv = field.split(separator: "=", maxSplits: 1)
            let key = kv[0].lowercased().trimmingCharacters(in: " \"")
            out[key] = kv.count > 1 ? String(kv[1]).trimmingCharacters(in: "\"") : ""
        }
        return out
    }

    static func argDeclarations(_ ins: Instruction, index: Int) -> [ArgDeclaration] {
        ins.node.strings.map { word in
            if let eq = word.firstIndex(of: "=") {
                return ArgDeclaration(
                    name: String(word[..<eq]), defaultValue: unquote(String(word[word.index(after: eq)...])),
                    instruction: index, line: ins.startLine)
            }
            return ArgDeclaration(name: word, defaultValue: nil, instruction: index, line: ins.startLine)
        }
    }

    private static func unquote(_ text: String) -> String {
        if text.count >= 2, let f = text.first, f == text.last, f == "\"" || f == "'" {
            return String(text.dropFirst().dropLast())
        }
        return text
    }

    /// Expands `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`; unset is empty.
    public static func expand(_ text: String, _ env: [String: String]) -> String {
        guard text.contains("$") else { return text }
        var out = ""
        let chars = Array(text.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "$" { out += "$"; i += 2; continue }
            guard c == "$", i + 1 < chars.count else { out.unicodeScalars.append(c); i += 1; continue }
            if chars[i + 1] == "{" {
                var j = i + 2, depth = 1
                while j < chars.count {
                    if chars[j] == "{" { depth += 1 }; if chars[j] == "}" { depth -= 1; if depth == 0 { break } };
                    j += 1
                }
                let body = String(String.UnicodeScalarView(chars[(i + 2)..<min(j, chars.count)]))
                var name = body, op = "", word = ""
                if let r = body.firstIndex(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
                    name = String(body[..<r])
                    let rest = body[r...]
                    for candidate in [":-", ":+", "-", "+"] where rest.hasPrefix(candidate) {
                        op = candidate; word = String(rest.dropFirst(candidate.count)); break
                    }
                }
                let value = env[name]
                switch op {
                case ":-": out += (value?.isEmpty ?? true) ? expand(word, env) : value!
                case "-": out += value ?? expand(word, env)
                case ":+": out += (value?.isEmpty ?? true) ? "" : expand(word, env)
                case "+": out += value == nil ? "" : expand(word, env)
                default: out += value ?? ""
                }
                i = j + 1
                continue
            }
            var j = i + 1
            while j < chars.count, chars[j].properties.isAlphabetic || chars[j] == "_" || ("0"..."9").contains(chars[j])
            { j += 1 }
            if j == i + 1 { out += "$"; i += 1; continue }
            out += env[String(String.UnicodeScalarView(chars[(i + 1)..<j]))] ?? ""
            i = j
        }
        return out
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
