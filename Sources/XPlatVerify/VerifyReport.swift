// The result of a verification: per-file results, roots, summary; text and JSON renderers.

import Foundation
import XPlatELF
import XPlatJSON
import XPlatPlatform

/// The outcome of `Verifier.verify` and `ImageVerifier.verify`.
///
/// JSON (`json()`), schema `xplat.verify/v2`; keys are sorted, every key is always present (null
/// when unknown). The README shows a real document; the parts:
/// - `roots`: one per directory, tar, platform folder, file or image platform, in input order:
///   `path`, `source` (the argument), `kind` (directory | tar | file | image | attestation),
///   `platform`, `manifest` (image manifest digest), `subject` (what an attestation describes),
///   `files`, `elf`, `ok`.
/// - `files`: every ELF file and every file that could not be read (non-ELF files are only
///   counted): `path`, `root`, `platform` (detected), `expected`, `ok`, `reason`, `problems`
///   (`kind`: wrong-platform | unknown-platform | corrupt | missing-interpreter | not-static |
///   duplicate | compatible-only; `message`), `notes`, and the ELF facts (`kind`, `linkage`,
///   `interpreter`, `needed`, `evidence`, `class`, `byteOrder`, `machine`, `floatABI`, `go`).
/// - `findings`: about a source as a whole (`kind`: missing-platform | extra-platform |
///   config-mismatch | unknown-entry; `source`, `platform`, `manifest`, `message`, `error`).
/// - `summary`: `files`, `elf`, `skipped`, `excluded` (ELF files matched by `--exclude`), `failed`
///   (files), `problems` (file problems and error findings), `seconds`.
public struct VerifyReport: Sendable, Codable {
    /// `xplat.verify/v2`.
    public static let schema = "xplat.verify/v2"

    public var roots: [VerifiedRoot]
    /// Sorted by root, then path.
    public var files: [FileResult]
    /// Findings about sources as a whole (platforms, index entries, configs).
    public var findings: [SourceFinding]
    public var summary: VerifySummary

    /// Files with problems.
    public var mismatches: [FileResult] { files.filter { !$0.ok } }
    /// True when no file has a problem and no finding is an error.
    public var ok: Bool { summary.failed == 0 && !findings.contains { $0.isError } }
    /// Sources in which no ELF file at all was found: nothing was checked there (`xplat verify`
    /// exits 2 unless `--allow-empty`).
    public var sourcesWithoutELF: [String] {
        var sources: [String] = []
        for root in roots where !sources.contains(root.source) { sources.append(root.source) }
        let checked = Set(files.map(\.rootIndex).map { roots[$0].source })
        return sources.filter { source in
            !checked.contains(source) && roots.allSatisfy { $0.source != source || $0.elf == 0 }
        }
    }

    /// The result for `path` (inside its root, e.g. `/usr/bin/ls`), in `root` if given.
    public func file(_ path: String, root: String? = nil) -> FileResult? {
        files.first { $0.path == path && (root == nil || $0.root == root) }
    }

    /// The image roots of `platform` (`linux/arm64`), in source order.
    public func roots(platform: String) -> [VerifiedRoot] {
        roots.filter { $0.kind == .image && $0.platform?.description == platform }
    }

    /// One line per problem: `FILE: MESSAGE`, then one per error finding: `SOURCE: MESSAGE`.
    /// What `#expect(report.problemLines == [...])` compares.
    public var problemLines: [String] {
        files.flatMap { file in file.problems.map { "\(file.displayPath): \($0.message)" } }
            + findings.filter(\.isError).map { "\($0.source): \($0.message)" }
    }

    enum CodingKeys: String, CodingKey { case schema, roots, files, findings, summary }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.schema, forKey: .schema)
        try c.encode(roots, forKey: .roots)
        try c.encode(files, forKey: .files)
        try c.encode(findings, forKey: .findings)
        try c.encode(summary, forKey: .summary)
    }

    public init(from decoder: Decoder) throws {
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "VerifyReport is output only"))
    }

    init(roots: [VerifiedRoot], files: [FileResult], findings: [SourceFinding] = [], summary: VerifySummary) {
        self.roots = roots
        self.files = files
        self.findings = findings
        self.summary = summary
    }

    /// The JSON document described above, ending in a newline.
    public func json() throws -> String {
        try StableJSON.encode(self)
    }
}
