// The edits that make a family cross-compile, once the rules chose a `WiringPlan`:
//
// - `FROM --platform=$BUILDPLATFORM` on the family's root, `ARG TARGETOS TARGETARCH TARGETVARIANT` in
//   each stage that compiles, just before the first instruction that needs them (the steps above it
//   stay identical for every target platform, so BuildKit runs them once per build);
// - at the top of each compile RUN, a `case "$TARGETARCH/$TARGETVARIANT"` mapping generated from the
//   architecture table (GNU triplet, Debian arch, Rust triple, GOARM/GOAMD64, ...) and, for C, Rust
//   and cgo, one install of what is missing: the cross gcc, `libc6-dev-<debarch>-cross`, the target's
//   -dev packages through multiarch (`dpkg --add-architecture`), Debian's `libstd-rust-dev:<debarch>`
//   where there is no rustup. On a native build (target = build machine) all of it is present already,
//   so nothing is installed;
// - the target environment in front of each compile command only (`GOOS=... go build`, `CC=... make`),
//   so helpers the RUN builds and runs (`$(go run ./tools/x)`) stay native;
// - flags and paths: `cargo build --target`, `./configure --host`, CMake's CMAKE_SYSTEM_NAME/PROCESSOR
//   and compilers, `zig build -Dtarget`, cargo's and `go install`'s output folders moved back to where
//   the COPY lines read them.

import XPlatPlatform

/// The shell variables the generated `case "$TARGETARCH/$TARGETVARIANT"` mapping sets. One definition
/// for the generator (`Wiring`) and the detector (`StagePlanner.isWired`): a command that reads one of
/// `proofOfWiring` was wired by xplat (or written the same way), so a second rewrite leaves it.
enum WiringVariable: String, CaseIterable, CustomStringConvertible {
    case goarm, goamd64, triplet, debarch, rustTarget = "rust_target", rustLinker = "rust_linker",
        zigTarget = "zig_target", cmakeProcessor = "cmake_processor"

    /// `$triplet`: how the generated shell reads the variable.
    var description: String { "$" + rawValue }

    /// Variables whose use proves that a command compiles for the target.
    static let proofOfWiring: [WiringVariable] = [.rustTarget, .triplet, .zigTarget]
}

struct Wiring {
    let planner: StagePlanner
    let facts: FamilyFacts
    let plan: WiringPlan
    var df: Dockerfile { planner.df }

    /// Shell words of a RUN as they lie in the file (heredoc-only RUNs: the body), offsets absolute.
    static func sourceWords(_ ins: Instruction, _ df: Dockerfile) -> [ShellWord] {
        guard ins.command == "run", !ins.isJSON else { return [] }
        if ins.arguments.hasPrefix("<<"), let doc = ins.heredocs.first {
            return Shell.words(df.bytes[doc.bodyRange]).map {
                ShellWord(text: $0.text, offset: $0.offset + doc.bodyRange.lowerBound, isCommand: $0.isCommand)
            }
        }
        guard let first = ins.argumentSourcePieces.first, let last = ins.argumentSourcePieces.last else { return [] }
        return Shell.words(df.bytes[first.lowerBound..<last.upperBound]).map {
            ShellWord(text: $0.text, offset: $0.offset + first.lowerBound, isCommand: $0.isCommand)
        }
    }

    func edit(at offset: Int, _ text: String, stage: Int, _ kind: EditKind) -> TextEdit {
        edit(offset..<offset, text, stage: stage, kind)
    }

    func edit(_ range: Range<Int>, _ text: String, stage: Int, _ kind: EditKind) -> TextEdit {
        let l1 = df.position(of: range.lowerBound).line
        let l2 = range.isEmpty ? l1 : df.position(of: max(range.lowerBound, range.upperBound - 1)).line
        return TextEdit(range: range, replacement: text, startLine: l1, endLine: l2, stage: stage, kind: kind)
    }

    func edits() -> [TextEdit] {
        var out: [TextEdit] = []
        let root = facts.root
        if root.platform == .none {
            out.append(
                edit(
                    at: df.instructions[root.fromInstruction].keywordRange.upperBound, " --platform=$BUILDPLATFORM",
                    stage: root.index, .platform))
        }
        let laterCargoPaths = df.instructions.contains { ins in
            ["copy", "run", "add"].contains(ins.command)
                && (ins.original.contains("target/release/") || ins.original.contains("target/debug/"))
                && !ins.original.contains("cargo ")
        }
        for m in facts.members {
            let runs = facts.runs.filter { $0.stage == m && !$0.toolchains.isEmpty && !$0.wired }
            let env = planner.graph.stages[m].instructions.filter { df.instructions[$0].command == "env" }
                .map { ($0, archLiteralEdits(df.instructions[$0], stage: m, quoted: false)) }.filter { !$0.1.isEmpty }
            let literals = env.flatMap(\.1)
            if runs.isEmpty && literals.isEmpty { continue }
            let users = runs.map(\.step.instruction) + env.map(\.0)
            out += argsEdit(m, before: users.min() ?? planner.graph.stages[m].fromInstruction + 1)
            out += literals
            for r in runs { out += wire(r, laterCargoPaths: laterCargoPaths) }
        }
        return out
    }

    /// `ARG TARGETOS TARGETARCH TARGETVARIANT` on its own line just before instruction `first`, the first
    /// one that needs them, without those the stage declared before it. Placed late, the steps before it
    /// (apt-get install, COPY) stay the same for every target platform, so BuildKit runs them once for
    /// all platforms of a build instead of once each. Declared in this stage only: re-declaring what a
    /// parent stage declared is harmless.
    func argsEdit(_ member: Int, before first: Int) -> [TextEdit] {
        let stage = planner.graph.stages[member]
        let firstLine = first < df.instructions.count ? df.instructions[first].startLine : Int.max
        let declared = Set(stage.args.filter { $0.line < firstLine }.map(\.name))
        let missing = ["TARGETOS", "TARGETARCH", "TARGETVARIANT"].filter { !declared.contains($0) }
        guard !missing.isEmpty else { return [] }
        let text = "ARG " + missing.joined(separator: " ")
        guard first < df.instructions.count, stage.instructions.contains(first) else {
            let end = df.instructions[stage.fromInstruction].sourceRange.upperBound
            let needsBreak = end == 0 || df.bytes[end - 1] != ASCII.newline
            return [
                edit(
                    at: end, (needsBreak ? df.lineEnding : "") + text + (needsBreak ? "" : df.lineEnding),
                    stage: member,
                    .targetArgs)
            ]
        }
        let at = df.lineStarts[firstLine - 1]
        let indent = df.bytes[at..<df.instructions[first].keywordRange.lowerBound]
        return [edit(at: at, Bytes.string(indent) + text + df.lineEnding, stage: member, .targetArgs)]
    }

    /// Literal `GOOS=`/`GOARCH=` (and in RUN, `GOARM=`) values replaced by the target's.
    func archLiteralEdits(_ ins: Instruction, stage: Int, quoted: Bool) -> [TextEdit] {
        var out: [TextEdit] = []
        let text = df.bytes[ins.sourceRange]
        let values: [(String, String)] =
            quoted
            ? [("GOOS", "\"$TARGETOS\""), ("GOARCH", "\"$TARGETARCH\""), ("GOARM", "\"\(WiringVariable.goarm)\"")]
            : [("GOOS", "$TARGETOS"), ("GOARCH", "$TARGETARCH")]
        for (key, value) in values {
            for a in Text.assignments(of: key, in: text) where !a.value.hasPrefix("$") && !a.value.hasPrefix("\"$") {
                let start = ins.sourceRange.lowerBound + a.offset + key.utf8.count + 1
                out.append(edit(start..<(start + a.value.utf8.count), value, stage: stage, .archLiteral))
            }
        }
        return out
    }

    // MARK: one RUN

    func wire(_ run: RunInfo, laterCargoPaths: Bool) -> [TextEdit] {
        let ins = df.instructions[run.step.instruction]
        var out = [setupEdit(run, ins)]
        out += commandEdits(run)
        if run.toolchains.contains(.go) { out += archLiteralEdits(ins, stage: run.stage, quoted: true) }
        out += flagEdits(run, ins)
        if run.toolchains.contains(.rust) { out += cargoPathEdits(run, ins, laterCargoPaths: laterCargoPaths) }
        if run.toolchains.contains(.go) && run.words.contains(where: { $0.text == "install" })
            && run.words.contains(where: { Shell.name($0.text) == "go" })
        {
            out.append(appendEdit(run, ins, Self.goInstallFix))
        }
        return out
    }

    /// The mapping and installs, at the top of the RUN (heredoc: of its body, after a shebang).
    func setupEdit(_ run: RunInfo, _ ins: Instruction) -> TextEdit {
        let lines = setupLines(run)
        let nl = df.lineEnding
        if ins.arguments.hasPrefix("<<"), let doc = ins.heredocs.first {
            var at = doc.bodyRange.lowerBound
            if df.bytes[at...].starts(with: Array("#!".utf8)), let e = df.bytes[at...].firstIndex(of: ASCII.newline) {
                at = e + 1
            }
            return edit(at: at, lines.map { $0 + nl }.joined(), stage: run.stage, .toolchainSetup)
        }
        let at = ins.argumentSourcePieces.first?.lowerBound ?? ins.argumentsOffset
        var indent = "    "
        let lead = df.bytes[df.lineStarts[df.position(of: at).line - 1]..<at]
        if !lead.isEmpty && lead.allSatisfy({ $0 == ASCII.space || $0 == ASCII.tab }) { indent = Bytes.string(lead) }
        return edit(
            at: at, lines.map { $0 + " " + String(df.escapeToken) + nl + indent }.joined(), stage: run.stage,
            .toolchainSetup)
    }

    /// Shell lines, each ending a statement (`;`), so they join by continuations or newlines.
    func setupLines(_ run: RunInfo) -> [String] {
        let go = run.toolchains.contains(.go), rust = run.toolchains.contains(.rust) && plan.rust
        let cross = plan.crossToolchain(for: run)
        var vars: [WiringVariable] = []
        if go { vars += [.goarm, .goamd64] }
        if cross { vars += [.triplet, .debarch] }
        if rust { vars += [.rustTarget, .rustLinker] }
        if run.toolchains.contains(.c) && run.words.contains(where: { Shell.name($0.text) == "cmake" }) {
            vars.append(.cmakeProcessor)
        }
        if run.toolchains.contains(.zig) { vars.append(.zigTarget) }
        var lines = Self.caseMapping(vars, strict: cross || run.toolchains.contains(.zig))
        // The C++ cross compiler only where C++ is evident (CMake enables CXX by default).
        let cxx =
            run.toolchains.contains(.c) && run.words.contains { ["cmake", "g++", "c++"].contains(Shell.name($0.text)) }
        if cross { lines += installLines(cxx: cxx, rust: rust) }
        if rust { lines.append("export \"\(WiringVariable.rustLinker)=\(WiringVariable.triplet)-gcc\";") }
        return lines
    }

    /// What is missing for the target, installed once: nothing on a native build.
    func installLines(cxx: Bool, rust: Bool) -> [String] {
        var lines = [
            "xplat_pkgs=;",
            "command -v \"\(WiringVariable.triplet)-gcc\" >/dev/null 2>&1 || xplat_pkgs=\"gcc-$(echo "
                + "\"\(WiringVariable.triplet)\" | tr _ -) libc6-dev-\(WiringVariable.debarch)-cross\";",
        ]
        if cxx {
            lines.append(
                "command -v \"\(WiringVariable.triplet)-g++\" >/dev/null 2>&1 || xplat_pkgs=\"$xplat_pkgs g++-$(echo "
                    + "\"\(WiringVariable.triplet)\" | tr _ -)\";"
            )
        }
        var seen = Set<String>()
        let libs = plan.targetPackages.filter { seen.insert($0).inserted }
        if !libs.isEmpty {
            lines.append(
                "for p in \(libs.joined(separator: " ")); do dpkg -s \"$p:\(WiringVariable.debarch)\" >/dev/null 2>&1 "
                    + "|| xplat_pkgs=\"$xplat_pkgs $p:\(WiringVariable.debarch)\"; done;"
            )
        }
        if rust {
            lines.append(
                "command -v rustup >/dev/null 2>&1 || dpkg -s \"libstd-rust-dev:\(WiringVariable.debarch)\" >/dev/null "
                    + "2>&1 || xplat_pkgs=\"$xplat_pkgs libstd-rust-dev:\(WiringVariable.debarch)\";")
        }
        // The target's architecture is added only for `pkg:debarch` packages: the cross gcc and
        // libc6-dev-<debarch>-cross are the build machine's, so a C-only build reads no foreign index.
        lines.append(
            "if [ -n \"$xplat_pkgs\" ]; then case \"$xplat_pkgs\" in *:*) dpkg --add-architecture "
                + "\"\(WiringVariable.debarch)\" ;; esac && apt-get update && apt-get install -y "
                + "--no-install-recommends $xplat_pkgs; fi;")
        if rust {
            lines.append(
                "if command -v rustup >/dev/null 2>&1; then rustup target add \"\(WiringVariable.rustTarget)\"; fi;")
        }
        return lines
    }

    /// `case "$TARGETARCH/$TARGETVARIANT" in ... esac;` setting `variables`, one arm per platform of the
    /// architecture table that has them all (Debian-supported ones when `debarch` is asked for); a
    /// variant's arm only where its values differ from its architecture's. `strict`: other targets fail.
    static func caseMapping(_ variables: [WiringVariable], strict: Bool) -> [String] {
        func values(_ row: ArchitectureInfo) -> [WiringVariable: String?] {
            [
                .triplet: row.gnuTriplet, .debarch: row.debianArch, .rustTarget: row.rustTarget,
                .rustLinker: "CARGO_TARGET_" + row.rustTarget.uppercased().replacingOccurrences(of: "-", with: "_")
                    + "_LINKER",
                .zigTarget: row.zigTarget, .goarm: row.goarm ?? "", .goamd64: row.goamd64 ?? "",
                .cmakeProcessor: row.unameMachine,
            ]
        }
        var specific: [String] = [], wildcard: [String] = []
        var wildcardValues: [String: String] = [:]
        for row in ArchitectureTable.entries where row.platform.variant == nil {
            wildcardValues[row.platform.architecture] = variables.map { (values(row)[$0] ?? nil) ?? "?" }.joined(
                separator: " ")
        }
        for row in ArchitectureTable.entries {
            let v = values(row)
            guard variables.allSatisfy({ v[$0] != nil && v[$0]! != nil }) else { continue }
            // Without `strict`, the fallback arm sets every variable empty: arms that would too are left out.
            if !strict && variables.allSatisfy({ v[$0]!!.isEmpty }) { continue }
            let assignment = variables.map { "\($0.rawValue)=\(v[$0]!!)" }.joined(separator: " ")
            let key = row.platform.architecture + "/" + (row.platform.variant ?? "*")
            if row.platform.variant == nil {
                wildcard.append("  \(key)) \(assignment) ;;")
            } else if wildcardValues[row.platform.architecture] != variables.map({ v[$0]!! }).joined(separator: " ") {
                specific.append("  \(key)) \(assignment) ;;")
            }
        }
        let fallback =
            strict
            ? "  *) echo \"unsupported target $TARGETARCH$TARGETVARIANT\" >&2; exit 1 ;;"
            : "  *) " + variables.map { "\($0.rawValue)=" }.joined(separator: " ") + " ;;"
        return ["case \"$TARGETARCH/$TARGETVARIANT\" in"] + specific + wildcard + [fallback, "esac;"]
    }

    static let goInstallFix =
        "{ xplat_bin=\"$(go env GOPATH)/bin\"; if [ -d \"$xplat_bin/${TARGETOS}_$TARGETARCH\" ]; then mv "
        + "\"$xplat_bin/${TARGETOS}_$TARGETARCH\"/* \"$xplat_bin/\" && rmdir \"$xplat_bin/${TARGETOS}_$TARGETARCH\"; "
        + "fi; }"

    /// `text` after the RUN's last command (`&& text`), or as the heredoc body's last line.
    func appendEdit(_ run: RunInfo, _ ins: Instruction, _ text: String) -> TextEdit {
        if ins.arguments.hasPrefix("<<"), let doc = ins.heredocs.first {
            return edit(at: doc.bodyRange.upperBound, text + df.lineEnding, stage: run.stage, .toolchainPath)
        }
        return edit(
            at: ins.argumentSourcePieces.last?.upperBound ?? ins.sourceRange.upperBound, " && " + text,
            stage: run.stage,
            .toolchainPath)
    }
}
