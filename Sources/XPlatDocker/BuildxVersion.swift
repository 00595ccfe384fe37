// `docker buildx version`: which buildx this is, and so which flags it takes.

import Foundation

/// A buildx release, from `docker buildx version`.
public struct BuildxVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// The version word as printed (`v0.10.5`, `0.12.1+ds1`).
    public var text: String

    public init(major: Int, minor: Int, patch: Int, text: String? = nil) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.text = text ?? "v\(major).\(minor).\(patch)"
    }

    /// Parses `github.com/docker/buildx v0.10.5 ed00243a0ce2a0aee75311b06e32d33b44729689` (release
    /// builds), `github.com/docker/buildx 0.12.1+ds1 ...` (distribution builds), or a bare version.
    /// Nil when no word of the output is a version.
    public static func parse(_ output: String) -> BuildxVersion? {
        for word in output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            var w = Substring(word)
            if w.first == "v" { w = w.dropFirst() }
            let core = w.prefix { $0.isNumber || $0 == "." }
            let parts = core.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts.count <= 3, let major = Int(parts[0]), let minor = Int(parts[1]) else {
                continue
            }
            let patch = parts.count == 3 ? Int(parts[2]) : 0
            guard let patch else { continue }
            return BuildxVersion(major: major, minor: minor, patch: patch, text: String(word))
        }
        return nil
    }

    /// buildx 0.10 added `--provenance`/`--sbom` and, by default, a provenance attestation manifest
    /// (`unknown/unknown`) beside each platform of an image export. Older releases reject the flags.
    public var hasAttestations: Bool { self >= BuildxVersion(major: 0, minor: 10, patch: 0) }

    /// buildx 0.10 takes `--cgroup-parent` but never passes it to BuildKit (its build options
    /// leave it out); 0.11 passes it (checked: v0.10.5's RUN runs under `/buildkit/ID`, BuildKit
    /// v0.11.6 given `cgroup-parent` directly under `/PARENT/buildkit/ID`).
    public var passesCgroupParent: Bool { self >= BuildxVersion(major: 0, minor: 11, patch: 0) }

    /// `-q` prints the image id (the config digest of a one-platform image) from buildx 0.11 on;
    /// 0.10 prints `containerimage.digest` (that image's manifest digest).
    public var printsImageID: Bool { self >= BuildxVersion(major: 0, minor: 11, patch: 0) }

    public static func < (a: BuildxVersion, b: BuildxVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public var description: String { text }
}
