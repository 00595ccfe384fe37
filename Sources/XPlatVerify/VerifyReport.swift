// The result of a verification: per-file results, roots, summary; text and JSON renderers.

import Foundation
import XPlatELF
import XPlatJSON
import XPlatPlatform

/// One thing wrong with one file.
public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of problem; stable identifiers for scripts.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Built for a platform the expected one cannot run.
        case wrongPlatform = "wrong-platform"
        /// The ELF machine/OS is not one xplat knows, so it cannot run on the expected platform.
        case unknownPlatform = "unknown-platform"
        /// Truncated, corrupt or unreadable file.
        case corrupt
        /// PT_INTERP names a file that is not inside the root (missing, a loop, not a regular file).
        case missingInterpreter = "missing-interpreter"
        /// `--static` and the executable is dynamically linked.
        case notStatic = "not-static"
        /// Byte-identical to a file in another platform's output.
        case duplicate
        /// A 32-bit binary on the 64-bit platform that runs it only through compatibility
        /// (arm/v7 on arm64, 386 on amd64); `allowCompatible` turns it into a note.
        case compatibleOnly = "compatible-only"
    }

    public var kind: Kind
    /// One line, without the file name: `expected linux/arm/v6, found linux/arm/v7 (Tag_CPU_arch=v7)`.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// What was checked for one ELF file (or one unreadable file).
public struct FileResult: Sendable, Hashable, Codable {
    /// Path inside the root, absolute (`/usr/bin/ls`); for a root that is a single file, its path as given.
    public var path: String
    /// The root (`VerifiedRoot.path`) the file belongs to.
    public var root: String
    /// The platform the file is built for, or nil when unknown or unreadable.
    public var platform: Platform?
    /// The platform the file was checked against, if any.
    public var expected: Platform?
    /// No problems.
    public var ok: Bool { problems.isEmpty }
    /// Everything wrong with the file; empty when `ok`.
    public var problems: [Problem]
    /// The problems joined with "; ", or nil when `ok`.
    public var reason: String? { problems.isEmpty ? nil : problems.map(\.message).joined(separator: "; ") }
    /// The ELF inspection, nil when the file could not be inspected.
    public var elf: ELFInfo?
    /// The inspection error, when there was one.
    public var error: ELFError?
    /// What was accepted but is worth knowing (a 32-bit binary allowed by `allowCompatible`).
    public var notes: [String] = []
    /// Index of the root in `VerifyReport.roots`.
    var rootIndex = 0

    public var kind: ELFKind? { elf?.kind }
    public var linkage: Linkage? { elf?.linkage }
    public var interpreter: String? { elf?.interpreter }

    /// How the file is named in text output: `root/usr/bin/ls`, or `archive.tar:/usr/bin/ls`.
    public var displayPath: String

    enum CodingKeys: String, CodingKey {
        case path, root, platform, expected, ok, reason, problems, notes, kind, linkage, interpreter, needed, evidence
        case elfClass = "class", byteOrder, machine, floatABI, go
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(root, forKey: .root)
        try c.encode(platform?.description, forKey: .platform)
        try c.encode(expected?.description, forKey: .expected)
        try c.encode(ok, forKey: .ok)
        try c.encode(reason, forKey: .reason)
        try c.encode(problems, forKey: .problems)
        try c.encode(notes, forKey: .notes)
        try c.encode(kind?.rawValue, forKey: .kind)
        try c.encode(linkage?.rawValue, forKey: .linkage)
        try c.encode(interpreter, forKey: .interpreter)
        try c.encode(elf?.needed ?? [], forKey: .needed)
        try c.encode(elf?.evidence ?? PlatformEvidence(), forKey: .evidence)
        try c.encode(elf?.elfClass.rawValue, forKey: .elfClass)
        try c.encode(elf?.byteOrder.rawValue, forKey: .byteOrder)
        try c.encode(elf.map { ELFMachine.name($0.machine) }, forKey: .machine)
        try c.encode(elf?.floatABI?.rawValue, forKey: .floatABI)
        try c.encode(elf?.go, forKey: .go)
    }

    public init(from decoder: Decoder) throws {
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "FileResult is output only"))
    }

    init(path: String, root: String, displayPath: String, elf: ELFInfo?, error: ELFError?, expected: Platform?) {
        self.path = path
        self.root = root
        self.displayPath = displayPath
        self.elf = elf
        self.error = error
        self.platform = elf?.platform
        self.expected = expected
        self.problems = []
    }
}

/// One input root: a directory tree, a tar archive (or one platform's folder inside it), a file, or
/// one platform's image of an image source (its final filesystem); attestation manifests of an
/// index are listed as roots of their own kind, with nothing to check.
public struct VerifiedRoot: Sendable, Hashable, Codable {
    /// What the root was read from.
    public enum Kind: String, Sendable, Hashable, Codable {
        case directory, tar, file, image, attestation
    }

    /// As given (`out/linux_arm_v7`), `archive.tar:linux_arm_v7` for a platform folder inside a tar,
    /// `SOURCE linux/arm64` for an image.
    public var path: String
    /// The platform every ELF must run on: `--platform`, else the folder name, else the image
    /// index's; nil: report only.
    public var platform: Platform?
    public var kind: Kind
    /// The SOURCE argument the root came from.
    public var source: String
    /// The image manifest's digest (images and attestations).
    public var manifest: String?
    /// For an attestation: the platform and digest of the image it describes.
    public var subject: String?
    /// Regular files in the root (in an image: in its final filesystem).
    public var files = 0
    /// ELF files inspected.
    public var elf = 0
    /// No file of this root has a problem.
    public var ok = true

    public init(
        path: String, platform: Platform?, kind: Kind, source: String, manifest: String? = nil, subject: String? = nil
    ) {
        self.path = path
        self.platform = platform
        self.kind = kind
        self.source = source
        self.manifest = manifest
        self.subject = subject
    }

    enum CodingKeys: String, CodingKey { case path, platform, kind, source, manifest, subject, files, elf, ok }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(platform?.description, forKey: .platform)
        try c.encode(kind, forKey: .kind)
        try c.encode(source, forKey: .source)
        try c.encode(manifest, forKey: .manifest)
        try c.encode(subject, forKey: .subject)
        try c.encode(files, forKey: .files)
        try c.encode(elf, forKey: .elf)
        try c.encode(ok, forKey: .ok)
    }

    public init(from decoder: Decoder) throws {
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "VerifiedRoot is output only"))
    }
}

/// Something about a source as a whole rather than one file: its platforms, its index entries,
/// its configs. Errors fail the run; notes are printed and pass.
public struct SourceFinding: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// `--platform` names a platform the source does not have.
        case missingPlatform = "missing-platform"
        /// The source has a platform `--platform` did not name (a note).
        case extraPlatform = "extra-platform"
        /// The image config's os/architecture/variant disagree with the index entry.
        case configMismatch = "config-mismatch"
        /// An `unknown/unknown` index entry that is not an annotated attestation manifest.
        case unknownEntry = "unknown-entry"
    }

    public var kind: Kind
    public var source: String
    public var platform: String?
    public var manifest: String?
    public var message: String
    /// False for notes.
    public var isError: Bool

    public init(_ kind: Kind, source: String, platform: String?, manifest: String? = nil, message: String) {
        self.kind = kind
        self.source = source
        self.platform = platform
        self.manifest = manifest
        self.message = message
        self.isError = kind != .extraPlatform
    }

    public var description: String { message }

    enum CodingKeys: String, CodingKey { case kind, source, platform, manifest, message, error }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(source, forKey: .source)
        try c.encode(platform, forKey: .platform)
        try c.encode(manifest, forKey: .manifest)
        try c.encode(message, forKey: .message)
        try c.encode(isError, forKey: .error)
    }

    public init(from decoder: Decoder) throws {
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "SourceFinding is output only"))
    }
}

/// Counts and time for a whole run.
public struct VerifySummary: Sendable, Hashable, Codable {
    /// Regular files looked at (every one has its first bytes read).
    public var files: Int
    /// ELF files inspected.
    public var elf: Int
    /// Non-ELF files skipped after the header read.
    public var skipped: Int
    /// ELF files not checked because a `--exclude` pattern matched them.
    public var excluded: Int
    /// Files with at least one problem.
    public var failed: Int
    /// Problems in all (a file may have several), and error findings.
    public var problems: Int
    /// Wall time in seconds.
    public var seconds: Double
}

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
