// Decides what the rewrite does to each stage, as small rules applied in phases:
//
// 1. Roles, over every requested platform (`FROM runner-${TARGETARCH}` names a different stage per
//    platform): target and its bases stay; build stages are grouped into families by their FROM chain.
// 2. Per family: platform pin -> already cross-ready -> nothing to compile -> blockers (tests, running
//    what was built, native add-ons, architecture probes, fixed targets) -> per-toolchain evidence
//    (cgo, target libraries, opaque Makefiles) -> wiring (`Wiring`).
// A rule that refuses returns findings; the family is left with them. The planner runs nothing: it
// turns the graph and the evidence into classifications, findings and text edits.

import XPlatPlatform

/// A RUN of a build family, with its words and what it compiles.
struct RunInfo {
    var step: RunInstruction
    var stage: Int
    var toolchains: [Toolchain]
    var wired: Bool
    /// Words of the logical command (for classification).
    var words: [ShellWord]
    /// Words of the shell text as it lies in the file, offsets absolute (for edits); empty for JSON.
    var sourceWords: [ShellWord]
    var packages: [InstalledPackage]
    /// The context files the RUN sees (nil without a context).
    var files: StageFiles?
}

/// Everything the rules of one family look at.
struct FamilyFacts {
    var root: Stage
    var members: [Int]
    var runs: [RunInfo]
    var toolchains: [Toolchain]
    /// Debian/Ubuntu (apt) image: the cross toolchains below are wired for those only.
    var apt: Bool
    var packages: [InstalledPackage] { runs.flatMap(\.packages) }
    /// All RUN and ENV text of the family.
    var text: String
}

/// A refusal: findings that explain why the family stays.
typealias Refusal = [RewriteFinding]

struct StagePlanner {
    let graph: StageGraph
    /// One graph per requested platform (FROM lines expanded with its automatic args).
    let views: [StageGraph]
    let df: Dockerfile
    let context: BuildContext?
    /// Stages' context files, computed once (see `StageFiles`).
    let filesCache = StageFiles.Cache()
    var edits: [TextEdit] = []
    var classes: [StageClassification] = []
    var findings: [RewriteFinding] = []

    /// Base images' configs from the registry, by FROM name.
    let baseImages: [String: BaseImageConfig]

    init(graph: StageGraph, views: [StageGraph], context: BuildContext?, baseImages: [String: BaseImageConfig] = [:]) {
        self.graph = graph
        self.views = views.isEmpty ? [graph] : views
        self.df = graph.dockerfile
        self.context = context
        self.baseImages = baseImages
    }

    /// The registry's config of the image a family starts FROM, with its name.
    func baseConfig(_ facts: FamilyFacts) -> (image: String, config: BaseImageConfig)? {
        guard case .image(let name) = facts.root.base, let config = baseImages[name] else { return nil }
        return (name, config)
    }

    func classification(
        _ stage: Stage, _ role: StageRole, _ outcome: StageOutcome, _ reasons: [String],
        toolchains: [Toolchain] = [], after: String? = nil
    ) -> StageClassification {
        StageClassification(
            index: stage.index, name: stage.name, line: stage.line, role: role, toolchains: toolchains,
            outcome: outcome,
            reasons: reasons, platformBefore: stage.platform.description,
            platformAfter: after ?? stage.platform.description)
    }

    // MARK: phase 1: roles

    /// Stages needed, stages of the image, and each stage's possible base stages, over all platforms.
    func roles(target: Int) -> (needed: Set<Int>, image: Set<Int>, parents: [Int: Set<Int>]) {
        var needed = Set<Int>(), image = Set<Int>(), parents: [Int: Set<Int>] = [:]
        for v in views {
            let closure = v.closure(of: target)
            needed.formUnion(closure)
            image.formUnion([target] + v.baseChain(of: target))
            for s in closure { if case .stage(let p) = v.stages[s].base { parents[s, default: []].insert(p) } }
        }
        return (needed, image, parents)
    }

    mutating func decide(target: Int) {
        let (needed, image, parents) = roles(target: target)
        var families: [Int: [Int]] = [:]
        let requested = views.compactMap(\.platform)
        let platforms =
            requested.count > 3
            ? "any of the \(requested.count) requested platforms"
            : requested.map(\.description).joined(separator: ", ")
        let variableFrom = variableStageReference()
        for s in graph.stages {
            if !needed.contains(s.index), let (line, value) = variableFrom, s.name != nil {
                classes.append(
                    classification(
                        s, .unused, .notApplicable,
                        [
                            "line \(line) reads --from=\(value), which may name it; dockerd 20.10's BuildKit does not "
                                + "expand variables in --from (it fails with \"failed to parse stage name\"): left as "
                                + "it is"
                        ]))
            } else if !needed.contains(s.index) {
                classes.append(
                    classification(
                        s, .unused, .notApplicable,
                        [
                            "not needed to build target stage \(graph.stages[target].displayName)"
                                + (platforms.isEmpty ? "" : " for \(platforms)")
                        ]))
            } else if image.contains(s.index) {
                classes.append(imageStage(s, target: target))
            } else {
                switch familyRoot(of: s.index, image: image, parents: parents) {
                case .success(let root): families[root, default: []].append(s.index)
                case .failure(let why): classes.append(classification(s, .build, .left, [why.reason]))
                }
            }
        }
        for (root, members) in families.sorted(by: { $0.key < $1.key }) {
            planFamily(root: root, members: members.sorted())
        }
    }

    /// The first `COPY --from` / `RUN --mount=from=` whose value holds a variable (`build-${TARGETARCH}`):
    /// the stage graph cannot say which stage it names.
    func variableStageReference() -> (line: Int, value: String)? {
        for ins in df.instructions {
            let values =
                (["copy", "add"].contains(ins.command) ? [ins.flag("from")?.value].compactMap { $0 } : [])
                + (ins.command == "run"
                    ? ins.flagValues("mount").compactMap { StageGraph.mountOptions($0)["from"] } : [])
            if let v = values.first(where: { $0.contains("$") }) { return (ins.startLine, v) }
        }
        return nil
    }

    struct Blocked: Error { var reason: String }

    /// The stage a build stage's FROM chain starts at, unless the chain reaches the image or changes with the platform.
    func familyRoot(of index: Int, image: Set<Int>, parents: [Int: Set<Int>]) -> Result<Int, Blocked> {
        var cur = index
        var seen: Set<Int> = [index]
        while let ps = parents[cur], !ps.isEmpty {
            guard ps.count == 1, let p = ps.first else {
                let names = ps.sorted().map { graph.stages[$0].displayName }.joined(separator: ", ")
                return .failure(
                    Blocked(reason: "its FROM chain names a different stage per platform (\(names)): left as it is"))
            }
            if image.contains(p) {
                return .failure(
                    Blocked(
                        reason: "derives from stage \(graph.stages[p].displayName), which is part of the target image"))
            }
            guard seen.insert(p).inserted else { break }
            cur = p
        }
        return .success(cur)
    }

    /// The target stage or one of its bases: stays; says when it compiles under emulation.
    func imageStage(_ stage: Stage, target: Int) -> StageClassification {
        let tools = RunClassifier.toolchains(stage.runs.flatMap { Shell.words(Array($0.command.utf8)[...]) })
        var reasons = [
            stage.index == target
                ? "target stage: stays on $TARGETPLATFORM"
                : "the target stage is built FROM it: stays on $TARGETPLATFORM"
        ]
        if !tools.isEmpty {
            if let arch = ArchitectureWords.inImageReference(baseImage(stage)).first?.word {
                reasons.append(
                    "compiles (\(tools.map(\.rawValue).joined(separator: ", "))) on a base image whose name fixes one "
                        + "architecture (\(arch)): other platforms need a base image of their own first"
                )
            } else {
                reasons.append(
                    "compiles (\(tools.map(\.rawValue).joined(separator: ", "))) in the image's own stage, under "
                        + "emulation for foreign platforms; move the build into a separate stage to cross-compile"
                )
            }
        }
        return classification(
            stage, stage.index == target ? .target : .targetBase, .notApplicable, reasons, toolchains: tools)
    }

    func baseImage(_ stage: Stage) -> String {
        if case .image(let i) = stage.base { return i.lowercased() }
        return ""
    }

    // MARK: phase 2: one family

    mutating func planFamily(root rootIndex: Int, members: [Int]) {
        let facts = collect(root: rootIndex, members: members)
        if let reason = platformRule(facts) { return leave(facts, [reason], []) }
        if let ready = crossReadyRule(facts) {
            classes += ready
            return
        }
        if facts.runs.isEmpty {
            return leave(facts, ["no RUN steps: nothing is compiled, moving it gains nothing"], [])
        }
        var refusal = blockers(facts) + onBuildRule(facts)
        if facts.toolchains.isEmpty {
            return leave(
                facts, ["no compile step recognised (Go, Rust/cargo, C/C++, Zig): left on the target platform"], refusal
            )
        }
        var plan = WiringPlan()
        refusal += planGo(facts, &plan) + planRust(facts, &plan) + planC(facts, &plan)
        refusal += ubuntuMultiarch(facts, plan) + hostBinutils(facts, plan)
        if !refusal.isEmpty { return leave(facts, [], refusal) }
        apply(Wiring(planner: self, facts: facts, plan: plan).edits(), facts, evidence: plan.evidence)
    }

    func collect(root rootIndex: Int, members: [Int]) -> FamilyFacts {
        let root = graph.stages[rootIndex]
        let image = baseImage(root)
        var runs: [RunInfo] = []
        for m in members {
            for step in graph.stages[m].runs {
                let source = Wiring.sourceWords(df.instructions[step.instruction], df)
                runs.append(
                    RunInfo(
                        step: step, stage: m, toolchains: [], wired: Self.isWired(step.command),
                        words: Shell.words(Array(step.command.utf8)[...]), sourceWords: source,
                        packages: InstalledPackage.parse(source, run: step.instruction),
                        files: stageFiles(m, instruction: step.instruction)))
            }
        }
        let makeWraps = makeToolchain(image: image, runs: runs)
        for i in runs.indices {
            runs[i].toolchains = RunClassifier.toolchains(runs[i].words, makeWraps: makeWraps(runs[i]))
        }
        let indices: [Int] = members.flatMap { graph.stages[$0].instructions }
        let text = indices.map { df.instructions[$0] }.filter { $0.command == "run" || $0.command == "env" }
            .map(\.original).joined(separator: "\n")
        let managers = Set(runs.flatMap { $0.packages.map(\.manager) })
        let apk = image.contains("alpine") || managers.contains(.apk)
        let debianImage = ["debian", "ubuntu", "buildpack-deps", "gcc", "rust", "golang"].contains {
            (name: String) -> Bool in
            image.hasPrefix(name) || image.contains("/" + name)
        }
        let apt = !apk && (managers.contains(.apt) || debianImage)
        return FamilyFacts(
            root: root, members: members, runs: runs,
            toolchains: Array(Set(runs.flatMap(\.toolchains))).sorted { $0.rawValue < $1.rawValue },
            apt: apt, text: text)
    }

    /// What `make` drives in a RUN: the Makefile it reads says (cargo: Rust, go: Go, else C); without
    /// one in view, the image or the family's other commands (cargo in a Rust stage, go in a Go stage).
    func makeToolchain(image: String, runs: [RunInfo]) -> (RunInfo) -> Toolchain? {
        let used = Set(runs.flatMap { $0.words.filter(\.isCommand).map { Shell.name($0.text) } })
        let fallback: Toolchain? =
            image.hasPrefix("rust") || image.contains("/rust") || used.contains("cargo")
            ? .rust
            : image.hasPrefix("golang") || image.contains("/golang") || used.contains("go") ? .go : nil
        return { run in
            guard let files = run.files,
                let k = run.words.firstIndex(where: { $0.isCommand && Shell.name($0.text) == "make" })
            else { return fallback }
            let s = site(run.words, at: k, run: run, offset: 0, files: files)
            guard let mk = makefile(s) else { return fallback }
            return MakefileEvidence.wrapsCargo(mk.text) ? .rust : MakefileEvidence.wrapsGo(mk.text) ? .go : nil
        }
    }

    /// True when the command provably compiles for the target: xx, xplat's own wiring, or GOARCH from
    /// $TARGETARCH. Mentioning TARGETARCH alone (`if [ "$TARGETARCH" = amd64 ]`) proves nothing.
    static func isWired(_ command: String) -> Bool {
        (["xx-"] + WiringVariable.proofOfWiring.map(\.description)).contains { command.contains($0) }
            || command.contains("GOARCH") && command.contains("TARGETARCH")
    }

    /// True when the command mentions the target platform at all.
    static func mentionsTarget(_ command: String) -> Bool {
        ["TARGETARCH", "TARGETPLATFORM", "TARGETOS"].contains { command.contains($0) } || isWired(command)
    }

    mutating func leave(_ facts: FamilyFacts, _ reasons: [String], _ refusal: Refusal) {
        var seen = Set<String>()
        let all = (refusal.map { "line \($0.line): \($0.message)" } + reasons).filter { seen.insert($0).inserted }
        for m in facts.members {
            classes.append(classification(graph.stages[m], .build, .left, all, toolchains: facts.toolchains))
        }
        var placed = Set<String>()
        findings += refusal.filter { placed.insert("\($0.line):\($0.column):\($0.rule)").inserted }
    }

    /// A base image whose ONBUILD triggers compile: they run when the stage starts, before any wiring
    /// xplat could add, for the platform the stage runs on.
    func onBuildRule(_ facts: FamilyFacts) -> Refusal {
        guard let (image, config) = baseConfig(facts) else { return [] }
        let compiling = config.onBuild.filter { trigger in
            trigger.lowercased().hasPrefix("run ") && !RunClassifier.toolchains(String(trigger.dropFirst(4))).isEmpty
                && !Self.isWired(trigger)
        }
        guard let first = compiling.first else { return [] }
        let ins = df.instructions[facts.root.fromInstruction]
        return [
            finding(
                .opaqueBuild, at: ins.argumentsOffset, stage: facts.root.index,
                "base image \(image) has ONBUILD `\(first)` (its config, from the registry): it compiles when this "
                    + "stage starts, before any wiring, for the platform the stage runs on",
                fix: "build FROM an image without compiling ONBUILD triggers, or wire them in the base image")
        ]
    }

    func platformRule(_ facts: FamilyFacts) -> String? {
        switch facts.root.platform {
        case .fixed(let v):
            return
                "pinned to --platform=\(v) (see \(Rule.hardcodedPlatform.id)); replace it with $BUILDPLATFORM by hand "
                + "once the build cross-compiles"
        case .targetPlatform, .other: return "explicit --platform=\(facts.root.platform.description) kept"
        case .none, .buildPlatform: return nil
        }
    }

    func crossReadyRule(_ facts: FamilyFacts) -> [StageClassification]? {
        let authorWired = facts.members.contains { m in
            graph.stages[m].instructions.contains { Self.mentionsTarget(df.instructions[$0].original) }
        }
        let toWire = facts.runs.filter { !$0.toolchains.isEmpty && !$0.wired }
        guard facts.root.platform == .buildPlatform && (toWire.isEmpty || authorWired) else { return nil }
        return facts.members.map { m in
            classification(
                graph.stages[m], .build, .crossReady,
                [
                    facts.toolchains.isEmpty
                        ? "runs on $BUILDPLATFORM; no compile step to wire"
                        : "runs on $BUILDPLATFORM and targets $TARGETARCH"
                ],
                toolchains: facts.toolchains)
        }
    }

    /// A finding at byte `offset` (absolute) of the file.
    func finding(_ rule: RewriteRule, at offset: Int, stage: Int, _ message: String, fix: String? = nil)
        -> RewriteFinding
    {
        let (line, column) = df.position(of: offset)
        return RewriteFinding(
            rule: rule, file: df.fileName, line: line, column: column, stage: stage, message: message, fix: fix)
    }

    /// A finding at the start of a RUN's command.
    func finding(_ rule: RewriteRule, _ run: RunInfo, _ message: String, fix: String? = nil) -> RewriteFinding {
        finding(
            rule, at: run.sourceWords.first?.offset ?? df.instructions[run.step.instruction].argumentsOffset,
            stage: run.stage, message, fix: fix)
    }

    // MARK: phase 3: apply

    mutating func apply(_ newEdits: [TextEdit], _ facts: FamilyFacts, evidence: [String]) {
        edits += newEdits
        let root = facts.root
        let after = root.platform == .none ? "$BUILDPLATFORM" : root.platform.description
        let derived = facts.members.filter { $0 != root.index }.map { graph.stages[$0].displayName }
        for m in facts.members {
            let s = graph.stages[m]
            let touched = newEdits.contains { $0.stage == m }
            let reason =
                m == root.index
                ? (root.platform == .none ? "moved to $BUILDPLATFORM" : "already on $BUILDPLATFORM")
                    + (touched ? "; cross-compiles for $TARGETARCH" : "")
                    + (derived.isEmpty ? "" : "; stage(s) \(derived.joined(separator: ", ")) derive from it")
                : "inherits $BUILDPLATFORM from stage \(root.displayName)"
                    + (touched ? "; cross-compiles for $TARGETARCH" : "")
            classes.append(
                classification(
                    s, .build, touched || root.platform == .none ? .rewritten : .crossReady,
                    [reason] + (m == root.index ? evidence : []),
                    toolchains: Array(Set(facts.runs.filter { $0.stage == m }.flatMap(\.toolchains))).sorted {
                        $0.rawValue < $1.rawValue
                    },
                    after: m == root.index ? after : s.platform.description))
        }
    }
}
