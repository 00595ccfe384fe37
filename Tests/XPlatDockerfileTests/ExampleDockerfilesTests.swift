import Foundation
import Testing
import XPlatDockerfile

/// The examples in Dockerfiles/ that the README, the demo and the benchmarks use.
@Suite("Example Dockerfiles")
struct ExampleDockerfilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Dockerfiles").path

    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
    }

    /// Rewrites with the example's folder as the build context, as `xplat rewrite` does by default.
    static func rewrite(_ text: String, _ path: String) throws -> RewriteResult {
        let folder = root + "/" + (path as NSString).deletingLastPathComponent
        return try Rewriter.rewrite(
            text: text, fileName: path, options: RewriteOptions(context: BuildContext.load(directory: folder)))
    }

    @Test(
        "the compiling examples are rewritten, and the rewrite is stable",
        arguments: [
            "go-hello/Dockerfile", "go-std/Dockerfile", "c-hello/Dockerfile", "go-make/Dockerfile",
        ])
    func rewritten(path: String) throws {
        let original = try Self.read(path)
        let once = try Self.rewrite(original, path)
        #expect(once.changed, "\(path) compiles on the target platform: it must be rewritten")
        #expect(once.text.contains("FROM --platform=$BUILDPLATFORM "), "\(once.text)")
        #expect(once.text.contains("ARG TARGETOS TARGETARCH TARGETVARIANT"), "\(once.text)")
        let twice = try Self.rewrite(once.text, path)
        #expect(!twice.changed && twice.text == once.text, "rewriting a rewritten file changes nothing")
        let findings = try Linter.lint(try DockerfileParser.parse(once.text, fileName: path))
        #expect(findings.allSatisfy { $0.severity != .error }, "\(findings)")
    }

    @Test(
        "the hand-written cross versions are already cross-ready: they come back byte-identical",
        arguments: [
            "go-hello/Dockerfile.cross", "c-hello/Dockerfile.cross", "go-make/Dockerfile.cross",
        ])
    func crossReady(path: String) throws {
        let original = try Self.read(path)
        let result = try Self.rewrite(original, path)
        #expect(!result.changed && result.text == original, "\(path): \(result.edits)")
    }

    @Test(
        "busybox-only and wrong-copy have nothing to cross-compile and are left as they are",
        arguments: [
            "busybox-only/Dockerfile", "wrong-copy/Dockerfile",
        ])
    func untouched(path: String) throws {
        let original = try Self.read(path)
        #expect(try Self.rewrite(original, path).text == original)
    }
}
