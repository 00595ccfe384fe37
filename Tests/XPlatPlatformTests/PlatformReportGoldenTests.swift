import Foundation
import Testing
import XPlatTestSupport

@testable import XPlatPlatform

/// `xplat platforms` output pinned by golden files. Regenerate with `XPLAT_UPDATE_GOLDEN=1 swift test`.
@Suite("platforms golden output")
struct PlatformReportGoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func check(_ actual: String, _ name: String) throws {
        let expected = try GoldenFile.expected(actual, at: Self.golden.appendingPathComponent(name).path)
        #expect(actual == expected, "\(name) differs from the golden file")
    }

    @Test("whole table, text")
    func tableText() throws {
        try check(PlatformReport.text(try PlatformReport.explain([])), "table.txt")
    }

    @Test("whole table, JSON")
    func tableJSON() throws {
        try check(try PlatformReport.json(try PlatformReport.explain([])), "table.json")
    }

    @Test("aliases, text")
    func aliases() throws {
        try check(
            PlatformReport.text(try PlatformReport.explain(["aarch64", "armhf", "armel", "arm64/v9", "x86_64/v3"])),
            "aliases.txt")
    }
}
