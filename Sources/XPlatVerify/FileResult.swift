import Foundation
import XPlatELF
import XPlatJSON
import XPlatPlatform

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
