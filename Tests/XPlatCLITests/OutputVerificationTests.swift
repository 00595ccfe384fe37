import Foundation
import Testing
import XPlatBuild
import XPlatPlatform
import XPlatTestSupport

@testable import XPlatCommands

/// The build's verification step on real binaries: every platform's root in one XPlatVerify run.
@Suite("Build output verification")
struct OutputVerificationTests {
    func roots(_ files: [(folder: String, binary: String)]) async throws -> (
        String, [(root: String, platform: Platform)]
    ) {
        let set = try await TestBinarySet.load()
        let work = try makeTemporaryDirectory("xplat-outverify")
        var roots: [(root: String, platform: Platform)] = []
        for (folder, binary) in files {
            let dir = "\(work)/roots/\(folder)/usr/local/bin"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: set[binary].path, toPath: dir + "/app")
            let root = "\(work)/roots/\(folder)"
            if !roots.contains(where: { $0.root == root }) {
                roots.append((root, try Platform(parsing: folder.replacingOccurrences(of: "_", with: "/"))))
            }
        }
        return (work, roots)
    }

    @Test("an amd64 binary copied into the arm64 output fails arm64 with the copy named; amd64 passes")
    func copiedBinary() async throws {
        let (work, roots) = try await roots([("linux_amd64", "c-amd64-static"), ("linux_arm64", "c-amd64-static")])
        defer { removeTree(work) }
        let outcomes = try await ELFOutputVerifier().verify(roots: roots)
        let amd64 = try #require(outcomes[try Platform(parsing: "linux/amd64")])
        let arm64 = try #require(outcomes[try Platform(parsing: "linux/arm64")])
        #expect(amd64.passed, "the amd64 output is right: \(amd64.report)")
        #expect(!arm64.passed)
        #expect(
            arm64.report.contains("linux/arm64: /usr/local/bin/app: expected linux/arm64, found linux/amd64"),
            "\(arm64.report)")
        #expect(
            arm64.report.contains("byte-identical to linux_amd64/usr/local/bin/app"),
            "names the copy by its folder: \(arm64.report)")
        #expect(!arm64.report.contains(work), "no temporary path in messages")
    }

    @Test("each platform's own binary passes and is counted")
    func rightBinaries() async throws {
        let (work, roots) = try await roots([("linux_amd64", "c-amd64-static"), ("linux_arm64", "c-arm64-static")])
        defer { removeTree(work) }
        let outcomes = try await ELFOutputVerifier().verify(roots: roots)
        #expect(outcomes.count == 2)
        for (platform, outcome) in outcomes {
            #expect(outcome.passed && outcome.checked == 1, "\(platform): \(outcome.report)")
        }
    }
}
