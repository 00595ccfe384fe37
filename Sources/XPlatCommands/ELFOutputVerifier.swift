// The adapter from XPlatVerify to the executor: every ELF in a platform's root must run on that
// platform, dynamic executables must find their interpreter inside the root.

import Foundation
import XPlatBuild
import XPlatPlatform
import XPlatRegistry
import XPlatSystem
import XPlatVerify

/// Verifies a platform's output root with XPlatVerify's `Verifier`.
public struct ELFOutputVerifier: OutputVerifier {
    /// Worker threads per root (the roots of a build are verified one after another).
    public var threads: Int

    public init(threads: Int = 2) { self.threads = threads }

    /// Passes when no ELF file under `root` has a problem; the report has one line per problem,
    /// `  linux/arm64: /usr/local/bin/hello: <what was expected and found>`.
    /// - Throws: `BuildError.verificationError` when the root cannot be read at all.
    public func verify(root: String, platform: Platform) async throws -> VerificationOutcome {
        try await verify(roots: [(root: root, platform: platform)])[platform]
            ?? VerificationOutcome(passed: false, checked: 0, report: "  \(platform): not verified")
    }

    /// The pushed index through `ImageVerifier` (the registry's own bytes): passes when every
    /// platform is there and every ELF of each platform's final filesystem runs on it.
    public func verify(image reference: String, platforms: [Platform], client: RegistryClient) async throws
        -> VerificationOutcome
    {
        let report: VerifyReport
        do {
            report = try await ImageVerifier(
                rules: Verifier(platform: nil, threads: threads),
                registry: RegistryAccess(client: client)
            ).verify(reference, platforms: platforms)
        } catch {
            throw BuildError.verificationError(
                "cannot verify the pushed image \(reference): \(error)", cause: ErrorCause(error))
        }
        return VerificationOutcome(
            passed: report.ok, checked: report.files.filter { $0.platform != nil }.count,
            report: report.problemLines.map { "  " + $0 }.joined(separator: "\n"))
    }

    /// All roots in one XPlatVerify run: each root against its platform, and a binary that is
    /// byte-identical in two platforms' outputs (the prebuilt-amd64-binary `COPY`) flagged in both.
    public func verify(roots: [(root: String, platform: Platform)]) async throws -> [Platform: VerificationOutcome] {
        let report: VerifyReport
        do {
            report = try Verifier(platform: nil, threads: threads).verify(paths: roots.map(\.root))
        } catch {
            throw BuildError.verificationError("cannot verify the output: \(error)", cause: ErrorCause(error))
        }
        // Messages about another root name it by its folder (`linux_arm64/usr/bin/app`), not by the
        // build's temporary path, which is gone when the user reads them.
        let parents = Set(roots.map { PathText.parent(of: $0.root) })
        func relative(_ message: String) -> String {
            parents.count == 1 ? message.replacingOccurrences(of: parents.first! + "/", with: "") : message
        }
        var outcomes: [Platform: VerificationOutcome] = [:]
        for (index, (root, platform)) in roots.enumerated() {
            guard index < report.roots.count, report.roots[index].platform == platform else {
                throw BuildError.verificationError("\(platform): the output folder \(root) was not read as \(platform)")
            }
            let files = report.files.filter { $0.root == report.roots[index].path }
            // A copy is the root cause to show beside a wrong-platform finding; a file that is
            // right for this platform and merely copied elsewhere does not fail this platform.
            let lines = files.flatMap { file -> [String] in
                let wrongHere = file.problems.contains { $0.kind != .duplicate }
                return file.problems.filter { wrongHere || $0.kind != .duplicate }
                    .map { "  \(platform): \(file.path): \(relative($0.message))" }
            }
            outcomes[platform] = VerificationOutcome(
                passed: lines.isEmpty, checked: files.filter { $0.platform != nil }.count,
                report: lines.joined(separator: "\n"))
        }
        return outcomes
    }
}
