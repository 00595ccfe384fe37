import Foundation
import Testing
import XPlatTestSupport

@testable import XPlatDockerfile

/// Golden cases: `Golden/<case>/Dockerfile` rewritten must equal `expected.Dockerfile`; the findings
/// (the linter's, then the rewriter's XP1nn) followed by `--` and the stage classification must equal
/// `expected.findings`. A case's `context/` folder is its build context (go.mod, main.go, Cargo.lock,
/// Makefile, ...); without one the rewrite sees no context. `#!` comment lines at the end of
/// `Dockerfile` mark where the rewriter's findings must be: `#! XP101 5:5` (id line:column); a case
/// without marks must have none.
/// `XPLAT_UPDATE_GOLDEN=1 swift test --filter RewriteGoldenTests` rewrites the expected files (review the diff).
enum Golden {
    static let folder = GoldenFolder("Golden")
    static var sourceDir: URL { folder.sourceDir }
    static var cases: [String] { folder.cases }
    static func read(_ caseName: String, _ file: String) throws -> String { try folder.read(caseName, file) }
    static func report(_ result: RewriteResult) -> String {
        RewriteRenderer.findingsText(result.findings, result.stageFindings) + "--\n"
            + RewriteRenderer.stagesText(result.stages)
    }
    /// The case's options: its `context/` folder as the build context, if it has one.
    static func options(_ caseName: String) -> RewriteOptions {
        let folder = sourceDir.appendingPathComponent("\(caseName)/context").path
        return RewriteOptions(
            context: FileManager.default.fileExists(atPath: folder) ? BuildContext.load(directory: folder) : nil)
    }
    static func rewrite(_ caseName: String, _ text: String? = nil) throws -> RewriteResult {
        try Rewriter.rewrite(
            text: try text ?? read(caseName, "Dockerfile"), fileName: "Dockerfile", options: options(caseName))
    }
    /// `#! ID line:column` marks.
    static func marks(_ caseName: String) throws -> Set<String> {
        Set(
            try read(caseName, "Dockerfile").split(separator: "\n").filter { $0.hasPrefix("#! ") }.map {
                String($0.dropFirst(3))
            })
    }
}

/// A folder of golden cases (`<folder>/<case>/<file>`) beside the test sources. Cases are read in the
/// source tree, where `XPLAT_UPDATE_GOLDEN=1` writes them (not from a copied bundle resource).
struct GoldenFolder {
    let sourceDir: URL

    init(_ name: String, besides file: String = #filePath) {
        sourceDir = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// True when the run rewrites the expected files instead of comparing.
    static var updating: Bool { GoldenFile.updating }

    /// The case folders, sorted; none when the folder cannot be listed (each suite's count test fails then).
    var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sourceDir.path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    func read(_ caseName: String, _ file: String) throws -> String {
        String(decoding: try Data(contentsOf: sourceDir.appendingPathComponent("\(caseName)/\(file)")), as: UTF8.self)
    }

    func write(_ text: String, _ caseName: String, _ file: String) throws {
        _ = try GoldenFile.expected(text, at: sourceDir.appendingPathComponent("\(caseName)/\(file)").path)
    }
}

@Suite struct RewriteGoldenTests {
    @Test("there are rewrite golden cases")
    func present() {
        #expect(Golden.cases.count >= 10, "Golden has too few cases at \(Golden.sourceDir.path)")
    }

    @Test("rewrite and findings match the golden files", arguments: Golden.cases)
    func golden(_ name: String) throws {
        let result = try Golden.rewrite(name)
        if GoldenFolder.updating {
            try Golden.folder.write(result.text, name, "expected.Dockerfile")
            try Golden.folder.write(Golden.report(result), name, "expected.findings")
            return
        }
        #expect(
            result.text == (try Golden.read(name, "expected.Dockerfile")),
            "rewritten \(name) differs from expected.Dockerfile")
        #expect(
            Golden.report(result) == (try Golden.read(name, "expected.findings")), "findings/stages of \(name) differ")
        let marks = try Golden.marks(name)
        let placed = Set(result.stageFindings.map { "\($0.id) \($0.line):\($0.column)" })
        #expect(placed == marks, "\(name): findings at \(placed.sorted()), marked \(marks.sorted())")
    }

    @Test("rewrite is idempotent and the output parses", arguments: Golden.cases)
    func idempotent(_ name: String) throws {
        let first = try Golden.rewrite(name)
        let second = try Golden.rewrite(name, first.text)
        #expect(second.text == first.text, "second rewrite of \(name) changed it")
        #expect(second.edits.isEmpty, "second rewrite of \(name) still has edits")
    }

    @Test("edits stay inside the instructions they rewrite", arguments: Golden.cases)
    func editsInsideInstructions(_ name: String) throws {
        let input = try Golden.read(name, "Dockerfile")
        let file = try DockerfileParser.parse(input)
        let result = try Rewriter.rewrite(file, options: Golden.options(name))
        for line in UnifiedDiff.changedOldLines(old: result.original, new: result.text) {
            #expect(
                result.edits.contains { $0.startLine <= line && line <= $0.endLine },
                "\(name): line \(line) changed outside an edit")
        }
        for e in result.edits where !e.range.isEmpty {
            #expect(
                file.instructions.contains {
                    $0.sourceRange.contains(e.range.lowerBound) && e.range.upperBound <= $0.sourceRange.upperBound
                },
                "\(name): replacement \(e) is not inside one instruction")
        }
    }

    @Test(
        "the refusal cases come back byte-identical, the stage left with a finding naming the reason",
        arguments: [
            ("refuse-runs-target-binary", RewriteRule.runsTargetCode, "runs the built binary `./out/app`"),
            ("refuse-self-tests", RewriteRule.runsTargetCode, "`go test` runs tests"),
            ("refuse-cgo-alpine", RewriteRule.cgoUnwired, "xx-apk-style target sysroot with clang"),
            ("refuse-npm-native", RewriteRule.nativeAddons, "`npm ci` may build native add-ons"),
            (
                "refuse-make-cargo-opaque", RewriteRule.opaqueBuild,
                "the Makefile make reads is not in the build context"
            ),
            ("refuse-cargo-fixed-target", RewriteRule.fixedTarget, "cargo already has a fixed --target"),
            (
                "refuse-go-strip", RewriteRule.opaqueBuild,
                "`strip` of the build machine cannot read the target's binaries"
            ),
        ])
    func refusals(name: String, rule: RewriteRule, reason: String) throws {
        let r = try Golden.rewrite(name)
        #expect(!r.changed && r.text == r.original, "\(name) must come back byte-identical")
        let build = r.stages.first { $0.role == .build }
        #expect(build?.outcome == .left)
        #expect(build?.reasons.contains { $0.contains(reason) } == true, "\(name): reasons \(build?.reasons ?? [])")
        #expect(
            r.stageFindings.contains { $0.rule == rule && $0.message.contains(reason) }, "\(name): \(r.stageFindings)")
    }

    @Test("an already cross-ready Dockerfile comes back byte-identical")
    func crossReadyUnchanged() throws {
        let input = try Golden.read("go-cross-ready", "Dockerfile")
        let r = try Golden.rewrite("go-cross-ready")
        #expect(r.text == input && r.edits.isEmpty)
        #expect(r.stages.first?.outcome == .crossReady)
    }

    @Test("the stage graph: bases, COPY --from by name and index, RUN --mount=from, target")
    func stageGraph() throws {
        let text = """
            ARG BASE=golang:1.22
            ARG TAG
            FROM ${BASE} AS Base
            FROM base AS build
            RUN --mount=type=bind,from=base,source=/x,target=/x true
            FROM alpine:${TAG:-3.20} as final
            COPY --from=build /a /a
            COPY --from=0 /b /b
            COPY --from=docker.io/library/busybox /bin/sh /sh

            """
        let g = try StageGraph(try DockerfileParser.parse(text))
        #expect(g.stages.map(\.name) == ["base", "build", "final"])
        #expect(g.stages[0].base == .image("golang:1.22"))
        #expect(g.stages[1].base == .stage(0))
        #expect(g.stages[2].base == .image("alpine:3.20"))
        #expect(g.stages[1].dependencies.map(\.kind) == [.base, .mountFrom])
        #expect(g.stages[2].dependencies.map(\.stage) == [1, 0])
        #expect(g.targetStage()?.name == "final")
        #expect(g.targetStage("BUILD")?.index == 1)
        #expect(g.closure(of: 2) == [0, 1, 2])
        #expect(g.stages[1].runs.map(\.line) == [5])
        let g2 = try StageGraph(try DockerfileParser.parse(text), buildArgs: ["TAG": "edge"])
        #expect(g2.stages[2].base == .image("alpine:edge"))
    }

    @Test("platform flags are classified")
    func platforms() throws {
        let g = try StageGraph(
            try DockerfileParser.parse(
                """
                FROM --platform=$BUILDPLATFORM a AS x
                FROM --platform=${TARGETPLATFORM} b
                FROM --platform=linux/amd64 c
                FROM d
                """))
        #expect(g.stages.map(\.platform) == [.buildPlatform, .targetPlatform, .fixed("linux/amd64"), .none])
    }
}
