import Foundation
import Testing

@testable import XPlatDockerfile

/// Lint golden cases: `LintGolden/<case>/Dockerfile` carries marked places (`1️⃣`, `2️⃣`, ...); with the
/// markers removed, every finding must sit on a marker and every marker must carry one finding, and
/// the rendered findings must equal `expected.findings`.
/// `XPLAT_UPDATE_GOLDEN=1 swift test --filter LintGoldenTests` rewrites expected.findings (review the diff).
@Suite struct LintGoldenTests {
    static let folder = GoldenFolder("LintGolden")
    static var cases: [String] { folder.cases }

    @Test("there are lint golden cases")
    func present() {
        #expect(Self.cases.count >= 2, "LintGolden has no cases at \(Self.folder.sourceDir.path)")
    }

    @Test("findings sit on the marked places and match expected.findings", arguments: cases)
    func golden(_ name: String) throws {
        let marked = Marked(try Self.folder.read(name, "Dockerfile"))
        let findings = try Linter.lint(try DockerfileParser.parse(marked.text, fileName: "Dockerfile"))
        let text = RewriteRenderer.findingsText(findings)
        if GoldenFolder.updating {
            try Self.folder.write(text, name, "expected.findings")
            return
        }
        let places = marked.places.values.map { [$0.line, $0.column] }.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(findings.map { [$0.line, $0.column] } == places, "\(name): \(findings.map(\.description))")
        #expect(
            text == (try Self.folder.read(name, "expected.findings")),
            "findings of \(name) differ from expected.findings")
    }
}
