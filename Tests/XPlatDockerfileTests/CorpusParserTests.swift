import Foundation
import Testing

@testable import XPlatDockerfile

/// Where the shared corpus lives: `XPLAT_CORPUS`, else `<package root>/../shared/corpus/dockerfiles`.
enum Corpus {
    static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["XPLAT_CORPUS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/dockerfiles")
    }()

    static var available: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("parser").path) }

    static func cases(_ sub: String) -> [String] {
        let dir = root.appendingPathComponent(sub)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    /// Positive parser cases (folders with a `result`).
    static var parserCases: [String] {
        cases("parser").filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent("parser/\($0)/result").path)
        }
    }
    static var negativeCases: [String] { cases("parser/testfiles-negative") }
    static var realFiles: [String] { cases("real").filter { $0.hasSuffix("Dockerfile") } }
    /// Every Dockerfile in the corpus, relative to its root.
    static var allFiles: [String] {
        cases("parser").compactMap { c -> String? in
            let p = "parser/\(c)/Dockerfile"
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(p).path) ? p : nil
        } + negativeCases.map { "parser/testfiles-negative/\($0)/Dockerfile" } + realFiles.map { "real/\($0)" }
    }

    /// The corpus suites' trait: without the corpus they are skipped, saying so, instead of running
    /// zero cases and passing.
    static var enabled: ConditionTrait {
        .enabled(if: available, "the Dockerfile corpus is absent at \(root.path): set XPLAT_CORPUS")
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(relative)))
    }
}

@Suite(Corpus.enabled) struct CorpusParserTests {
    @Test("AST dump equals BuildKit's result", arguments: Corpus.parserCases)
    func dumpMatchesBuildKit(_ name: String) throws {
        try #require(Corpus.available, "corpus absent at \(Corpus.root.path): set XPLAT_CORPUS")
        let input = try Corpus.bytes("parser/\(name)/Dockerfile")
        let expected = String(decoding: try Corpus.bytes("parser/\(name)/result"), as: UTF8.self)
        let file = try DockerfileParser.parse(bytes: input, fileName: name)
        #expect(file.dump() == expected, "dump of \(name) differs from BuildKit's result")
    }

    @Test("testfiles-negative cases are rejected with a line and reason", arguments: Corpus.negativeCases)
    func negativeRejected(_ name: String) throws {
        try #require(Corpus.available, "corpus absent")
        let input = try Corpus.bytes("parser/testfiles-negative/\(name)/Dockerfile")
        #expect(throws: DockerfileSyntaxError.self, "\(name) must not parse") {
            try DockerfileParser.parse(bytes: input, fileName: name)
        }
        do {
            _ = try DockerfileParser.parse(bytes: input, fileName: "neg/\(name)")
        } catch {
            #expect(error.description.hasPrefix("neg/\(name):\(error.line): "), "error names file and line: \(error)")
            #expect(!error.reason.isEmpty)
        }
    }

    @Test("print(parse(x)) == x for every corpus file that parses", arguments: Corpus.allFiles)
    func lossless(_ relative: String) throws {
        try #require(Corpus.available, "corpus absent")
        let input = try Corpus.bytes(relative)
        guard let file = try? DockerfileParser.parse(bytes: input, fileName: relative) else {
            #expect(relative.contains("testfiles-negative"), "\(relative) failed to parse")
            return
        }
        #expect(Array(file.render().utf8) == input, "render differs for \(relative)")
    }

    @Test("testfile-line: BuildKit's expected line spans")
    func lineSpans() throws {
        try #require(Corpus.available, "corpus absent")
        let file = try DockerfileParser.parse(bytes: try Corpus.bytes("parser/testfile-line/Dockerfile"))
        #expect(file.instructions.map { [$0.startLine, $0.endLine] } == [[5, 5], [11, 12], [17, 31]])
    }
}

@Suite(Corpus.enabled) struct CorpusRewriteTests {
    @Test("real corpus: no crash, idempotent, no change outside rewritten instructions", arguments: Corpus.realFiles)
    func rewriteReal(_ name: String) throws {
        try #require(Corpus.available, "corpus absent at \(Corpus.root.path): set XPLAT_CORPUS")
        let file = try DockerfileParser.parse(bytes: try Corpus.bytes("real/\(name)"), fileName: name)
        let first = try Rewriter.rewrite(file)
        let reparsed = try DockerfileParser.parse(first.text, fileName: name)
        #expect(Array(reparsed.render().utf8) == Array(first.text.utf8))
        let second = try Rewriter.rewrite(reparsed)
        #expect(second.text == first.text, "\(name): rewrite is not idempotent")
        for line in UnifiedDiff.changedOldLines(old: first.original, new: first.text) {
            #expect(
                first.edits.contains { $0.startLine <= line && line <= $0.endLine },
                "\(name): line \(line) changed outside an edit")
        }
        if !first.changed { #expect(first.text == first.original) }
    }
}
