import Foundation
import Testing
@testable import XPlatDockerfile

/// Golden cases: `Golden/<case>/Dockerfile` rewritten must equal `expected.Dockerfile`; the findings
/// followed by `--` and the stage classification must equal `expected.findings`.
/// `XPLAT_UPDATE_GOLDEN=1 swift test --filter RewriteGoldenTests` rewrites the expected files (review the diff).
enum Golden {
    static let sourceDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static var dir: URL { Bundle.module.url(forResource: "Golden", withExtension: nil) ?? sourceDir }
    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sourceDir.path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }
    static func read(_ c: String, _ f: String) throws -> String {
        String(decoding: try Data(contentsOf: dir.appendingPathComponent("\(c)/\(f)")), as: UTF8.self)
    }
    static func report(_ r: RewriteResult) -> String {
        RewriteRenderer.findingsText(r.findings) + "--\n" + RewriteRenderer.stagesText(r.stages)
    }
}

@Suite struct RewriteGoldenTests {
    @Test("rewrite and findings match the golden files", arguments: Golden.cases)
    func golden(_ name: String) throws {
        let input = try Golden.read(name, "Dockerfile")
        let result = try Rewriter.rewrite(text: input, fileName: "Dockerfile")
        if ProcessInfo.processInfo.environment["XPLAT_UPDATE_GOLDEN"] == "1" {
            let d = Golden.sourceDir.appendingPathComponent(name)
            try Data(result.text.utf8).write(to: d.appendingPathComponent("expected.Dockerfile"))
            try Data(Golden.report(result).utf8).write(to: d.appendingPathComponent("expected.findings"))
            return
        }
        #expect(result.text == (try Golden.read(name, "expected.Dockerfile")), "rewritten \(name) differs from expected.Dockerfile")
        #expect(Golden.report(result) == (try Golden.read(name, "expected.findings")), "findings/stages of \(name) differ")
    }

    @Test("rewrite is idempotent and the output parses", arguments: Golden.cases)
    func idempotent(_ name: String) throws {
        let first = try Rewriter.rewrite(text: try Golden.read(name, "Dockerfile"))
        let second = try Rewriter.rewrite(text: first.text)
        #expect(second.text == first.text, "second rewrite of \(name) changed it")
        #expect(second.edits.isEmpty, "second rewrite of \(name) still has edits")
    }

    @Test("edits stay inside the instructions they rewrite", arguments: Golden.cases)
    func editsInsideInstructions(_ name: String) throws {
        let input = try Golden.read(name, "Dockerfile")
        let file = try DockerfileParser.parse(input)
        let result = try Rewriter.rewrite(file)
        for line in UnifiedDiff.changedOldLines(old: result.original, new: result.text) {
            #expect(result.edits.contains { $0.startLine <= line && line <= $0.endLine },
                    "\(name): line \(line) changed outside an edit")
        }
        for e in result.edits where !e.range.isEmpty {
            #expect(file.instructions.contains { $0.sourceRange.contains(e.range.lowerBound) && e.range.upperBound <= $0.sourceRange.upperBound },
                    "\(name): replacement \(e) is not inside one instruction")
        }
    }

    @Test("stage classification of the refusal cases names the reason")
    func refusals() throws {
        let cases: [(String, String)] = [
            ("refuse-runs-target-binary", "runs the built binary `./out/app`"),
            ("refuse-cgo", "cgo (CGO_ENABLED=1)"),
            ("refuse-npm-native", "`npm ci` may build native add-ons"),
        ]
        for (name, reason) in cases {
            let r = try Rewriter.rewrite(text: try Golden.read(name, "Dockerfile"))
            #expect(!r.changed && r.text == r.original, "\(name) must come back byte-identical")
            let build = r.stages.first { $0.role == .build }
            #expect(build?.outcome == .left)
            #expect(build?.reasons.contains { $0.contains(reason) } == true, "\(name): reasons \(build?.reasons ?? [])")
        }
    }

    @Test("an already cross-ready Dockerfile comes back byte-identical")
    func crossReadyUnchanged() throws {
        let input = try Golden.read("go-cross-ready", "Dockerfile")
        let r = try Rewriter.rewrite(text: input)
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
        let g = try StageGraph(try DockerfileParser.parse("""
            FROM --platform=$BUILDPLATFORM a AS x
            FROM --platform=${TARGETPLATFORM} b
            FROM --platform=linux/amd64 c
            FROM d
            """))
        #expect(g.stages.map(\.platform) == [.buildPlatform, .targetPlatform, .fixed("linux/amd64"), .none])
    }
}
