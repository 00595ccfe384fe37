// The result of a verification: per-file results, roots, summary; text and JSON renderers.

import Foundation
import XPlatELF
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

    public var kind: ELFKind? { elf?.kind }
    public var linkage: Linkage? { elf?.linkage }
    public var interpreter: String? { elf?.interpreter }

    /// How the file is named in text output: `root/usr/bin/ls`, or `archive.tar:/usr/bin/ls`.
    public var displayPath: String

    enum CodingKeys: String, CodingKey {
        case path, root, platform, expected, ok, reason, problems, kind, linkage, interpreter, needed, evidence
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
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "FileResult is output only"))
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

/// One input root: a directory tree, a tar archive (or one platform's folder inside it), or a file.
public struct VerifiedRoot: Sendable, Hashable, Codable {
    /// What the root was read from.
    public enum Kind: String, Sendable, Hashable, Codable {
        case directory, tar, file
    }

    /// As given (`out/linux_arm_v7`), or `archive.tar:linux_arm_v7` for a platform folder inside a tar.
    public var path: String
    /// The platform every ELF must run on: `--platform`, else the folder name; nil: report only.
    public var platform: Platform?
    public var kind: Kind

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(platform?.description, forKey: .platform)
        try c.encode(kind, forKey: .kind)
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
    /// Files with at least one problem.
    public var failed: Int
    /// Problems in all (a file may have several).
    public var problems: Int
    /// Wall time in seconds.
    public var seconds: Double
}

/// The outcome of `Verifier.verify`.
///
/// JSON (`json()`), schema `xplat.verify/v1`; keys are sorted, every key is always present
/// (null when unknown):
///
///     {
///       "schema": "xplat.verify/v1",
///       "roots": [{"path": "out/linux_arm_v7", "platform": "linux/arm/v7", "kind": "directory"}],
///       "files": [{
///         "path": "/app", "root": "out/linux_arm_v7",
///         "platform": "linux/arm64",            // detected, normalized; null if unknown/unreadable
///         "expected": "linux/arm/v7",           // null without a platform
///         "ok": false, "reason": "expected linux/arm/v7, found linux/arm64 (EM_AARCH64, ELF64, little-endian)",
///         "problems": [{"kind": "wrong-platform", "message": "..."}],
///         "kind": "executable",                 // executable | shared-object | relocatable | core | null
///         "linkage": "dynamic",                 // static | static-pie | dynamic | null
///         "interpreter": "/lib/ld-linux-aarch64.so.1", "needed": ["libc.so.6"],
///         "evidence": {"os": "...", "architecture": "...", "variant": "...", "floatABI": "...", "linkage": "..."},
///         "class": "ELF64", "byteOrder": "little-endian", "machine": "EM_AARCH64", "floatABI": null,
///         "go": null                            // or {"version": "go1.19.8", "settings": {"GOARCH": "arm64", ...}}
///       }],
///       "summary": {"files": 12, "elf": 3, "skipped": 9, "failed": 1, "problems": 1, "seconds": 0.004}
///     }
///
/// `files` lists every ELF file and every file that could not be read; non-ELF files are only counted.
/// Problem kinds: wrong-platform, unknown-platform, corrupt, missing-interpreter, not-static, duplicate.
public struct VerifyReport: Sendable, Codable {
    /// `xplat.verify/v1`.
    public static let schema = "xplat.verify/v1"

    public var roots: [VerifiedRoot]
    /// Sorted by root, then path.
    public var files: [FileResult]
    public var summary: VerifySummary

    /// Files with problems.
    public var mismatches: [FileResult] { files.filter { !$0.ok } }
    /// True when no file has a problem.
    public var ok: Bool { summary.failed == 0 }

    /// The result for `path` (inside its root, e.g. `/usr/bin/ls`), in `root` if given.
    public func file(_ path: String, root: String? = nil) -> FileResult? {
        files.first { $0.path == path && (root == nil || $0.root == root) }
    }

    /// One line per problem: `FILE: MESSAGE`. What `#expect(report.problemLines == [...])` compares.
    public var problemLines: [String] {
        files.flatMap { file in file.problems.map { "\(file.displayPath): \($0.message)" } }
    }

    enum CodingKeys: String, CodingKey { case schema, roots, files, summary }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.schema, forKey: .schema)
        try c.encode(roots, forKey: .roots)
        try c.encode(files, forKey: .files)
        try c.encode(summary, forKey: .summary)
    }

    public init(from decoder: Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "VerifyReport is output only"))
    }

    init(roots: [VerifiedRoot], files: [FileResult], summary: VerifySummary) {
        self.roots = roots
        self.files = files
        self.summary = summary
    }

    /// The JSON document described above, ending in a newline.
    public func json() throws -> String {
        try StableJSON.encode(self)
    }

    /// Text: with an expected platform, one line per problem; without one, one line per ELF file
    /// saying what it is (and its problems). Then a summary line. `mark` styles the leading marker
    /// of problem lines (colour in a terminal).
    public func text(mark: (String) -> String = { $0 }) -> String {
        var out = ""
        for file in files {
            if file.expected == nil, let elf = file.elf {
                var parts = [file.platform?.description ?? "unknown platform"]
                if let kind = elf.kind { parts.append(kind.rawValue) }
                if let linkage = elf.linkage { parts.append(linkage.rawValue) }
                if let interpreter = elf.interpreter { parts.append(interpreter) }
                let because = [elf.evidence.variant ?? elf.evidence.architecture, elf.evidence.floatABI]
                    .compactMap { $0 }.joined(separator: "; ")
                out += "\(file.displayPath): \(parts.joined(separator: " ")) (\(because))\n"
            }
            for problem in file.problems {
                out += "\(mark("FAIL")) \(file.displayPath): \(problem.message)\n"
            }
        }
        let s = summary
        let verdict = ok ? "ok" : "\(s.failed) file\(s.failed == 1 ? "" : "s") with \(s.problems) problem\(s.problems == 1 ? "" : "s")"
        out += "verify: \(verdict); \(roots.count) root\(roots.count == 1 ? "" : "s"), \(s.files) files, \(s.elf) ELF, "
            + "\(s.skipped) skipped, \(String(format: "%.3f", s.seconds)) s\n"
        return out
    }
}
