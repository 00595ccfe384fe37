// The adapter from XPlatVerify to the executor: every ELF in a platform's root must run on that
// platform, dynamic executables must find their interpreter inside the root.

import XPlatPlatform
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
        let report: VerifyReport
        do { report = try Verifier(platform: platform, threads: threads).verify(root: root) } catch {
            throw BuildError.verificationError("\(platform): cannot verify the output: \(error)")
        }
        let lines = report.files.flatMap { file in
            file.problems.map { "  \(platform): \(file.path): \($0.message)" }
        }
        return VerificationOutcome(passed: report.ok, checked: report.summary.elf, report: lines.joined(separator: "\n"))
    }
}
